# kovn front door.  `make run` and `make test` install missing Debian
# packages, build Open vSwitch's lib/ once, then build kovn with Meson.

SHELL := /bin/bash

ASAN_DIR    := build/asan
RELEASE_DIR := build/release
DEBUG_DIR   := build/debug
FUZZ_DIR    := build/fuzz
RUN_DIR     := $(CURDIR)/run
FUZZ_SECONDS ?= 60
CHAOS_SECONDS ?= 600
MESON_TEST_ARGS ?=

FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))

.PHONY: all deps ovs k8s release image debug asan fuzz-build run stop test bench fuzz \
        valgrind format clean chaos

all: release

deps:
	@scripts/deps.sh

ovs: deps
	@scripts/build-ovs.sh

# kube-apiserver, kube-controller-manager, kube-scheduler and kubelet from
# Debian's kubernetes source, cached outside the clone (minutes cold, instant
# warm); then the local pause and busybox images of the real node (seconds).
k8s: deps
	@scripts/k8s.sh build
	@scripts/images.sh build

# meson setup only when the build directory is new; ninja rebuilds the rest.
define meson_dir
	@test -f $(1)/build.ninja || meson setup $(1) $(2)
	ninja -C $(1)
endef

release: ovs
	$(call meson_dir,$(RELEASE_DIR),-Dbuildtype=release)

# kovn.local/kovn:<version>, an OCI archive of the release binaries with OVS,
# OVN and the tools of deploy/image/bin's scripts (seconds cold, instant
# warm); tests/integration/test_image.sh checks and runs it.
image: release
	@scripts/images.sh build kovn

debug: ovs
	$(call meson_dir,$(DEBUG_DIR),-Dbuildtype=debug)

asan: ovs
	$(call meson_dir,$(ASAN_DIR),-Dbuildtype=debug -Db_sanitize=address$(,)undefined)

fuzz-build: ovs
	@test -f $(FUZZ_DIR)/build.ninja || CC=clang meson setup $(FUZZ_DIR) \
	    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ_DIR)

run: release k8s
	@scripts/run.sh start $(RUN_DIR)

stop:
	@scripts/run.sh stop $(RUN_DIR)

# Unit, integration and fuzz-corpus suites under ASan+UBSan; the last line is
# the summed `N passed, N failed`.  The image is built first: test_image
# runs it (it is made of the release build, not the sanitized one).
test: asan k8s image
	@rm -f $(ASAN_DIR)/meson-logs/testlog.json
	@meson test -C $(ASAN_DIR) --print-errorlogs $(MESON_TEST_ARGS) || true
	@scripts/test-summary.py $(ASAN_DIR)/meson-logs/testlog.json

# CHAOS_SECONDS (default 600) of churn of pods, namespaces, subnets and
# Vpcs while kovn-controller (two replicas), kovn-daemon, kube-apiserver,
# etcd, the NB Raft leader and ovn-northd are killed -9 at random; then the
# invariants, the kills per process and the time to converge.  Under
# ASan+UBSan; CHAOS_SEED=N repeats a run's choices.  make test runs 60 s.
chaos: asan k8s
	CHAOS_SECONDS=$(CHAOS_SECONDS) tests/chaos/chaos.sh \
	    $(ASAN_DIR)/src/controller/kovn-controller $(ASAN_DIR)/src/daemon/kovn-daemon \
	    $(ASAN_DIR)/src/cni/kovn-cni $(ASAN_DIR)/src/sandbox/kovn-sandboxd \
	    $(ASAN_DIR)/src/cli/kubectl-kovn

valgrind: debug
	meson test -C $(DEBUG_DIR) --suite unit --suite fuzz --timeout-multiplier 30 \
	    --wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite'

bench: release
	meson test -C $(RELEASE_DIR) --benchmark --verbose

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_DIR)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
	        $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Test unit written'; \
	    test $${PIPESTATUS[0]} -eq 0; \
	done

format:
	@cp ../shared/clang-format .clang-format 2>/dev/null || true
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build/asan build/release build/debug build/fuzz

, := ,
