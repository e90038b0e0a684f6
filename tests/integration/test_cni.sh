#!/usr/bin/env bash
# The kovn-cni binary as a container runtime runs it, against a fake
# kovn-daemon (test_cni_fake_daemon.py) on a unix socket: VERSION is
# answered locally; ADD, DEL, CHECK, STATUS and GC are forwarded with the
# environment and the whole config; the daemon's result and errors come out
# on stdout with exit 0 or 1; every failure of the runtime's input (1, 4, 6,
# 7), of the daemon (11, 50) and of the connection (5) gives the spec's
# error code; nothing is left behind.
set -euo pipefail
cni=${1:?usage: test_cni.sh KOVN_CNI_BINARY}
here=$(cd "$(dirname "$0")" && pwd)

dir=$(mktemp -d /tmp/kovn-cni.XXXXXX)
daemon_pid=""
cleanup() {
    if [[ -n "$daemon_pid" ]]; then
        kill "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [[ -n "${out:-}" ]] && echo "  stdout: ${out:0:2000}" >&2
    [[ -s "$dir/stderr" ]] && sed 's/^/  stderr: /' "$dir/stderr" >&2
    exit 1
}

# The interpreter itself, not a version manager's shim in front of it,
# which costs a quarter second per call.
py=$(python3 -c 'import sys; print(sys.executable)')

sock="$dir/cni.sock"
mode_file="$dir/mode"
requests="$dir/requests.jsonl"
: >"$requests"

start_daemon() {
    "$py" "$here/test_cni_fake_daemon.py" "$sock" "$mode_file" "$requests" &
    daemon_pid=$!
    for ((i = 0; i < 100; i++)); do
        [[ -S "$sock" ]] && return 0
        sleep 0.05
    done
    fail "fake daemon did not create $sock"
}

stop_daemon() {
    kill "$daemon_pid"
    wait "$daemon_pid" || true
    daemon_pid=""
}

mode() {
    echo "$1" >"$mode_file"
}

config() { # config [CNI_VERSION [EXTRA_MEMBERS]]
    printf '{"cniVersion":"%s","name":"kovn","type":"kovn-cni","daemonSocket":"%s"%s}' \
        "${1:-1.0.0}" "$sock" "${2:+,$2}"
}

# run_cni STDIN [VAR=VALUE | -VAR]...: runs kovn-cni as an ADD for pod
# default/web-0, with the given variables set or (-VAR) unset; leaves its
# stdout in $out and exit status in $rc.  A sanitizer report fails the test
# whatever the exit status.
run_cni() {
    local input=$1
    shift
    rc=0
    out=$(
        export CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/c1 \
            CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin \
            CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=c1"
        for kv in "$@"; do
            if [[ $kv == -* ]]; then
                unset "${kv#-}"
            else
                export "${kv?}"
            fi
        done
        printf '%s' "$input" | "$cni" 2>"$dir/stderr"
    ) || rc=$?
    if grep -qE 'Sanitizer|runtime error' "$dir/stderr"; then
        fail "sanitizer report from kovn-cni $*"
    fi
}

# expect EXPR VALUE [EXPR VALUE]...: each Python expression EXPR, with 'o'
# the JSON kovn-cni printed and 'req' the last request the daemon got, must
# print as VALUE (dicts and lists as sorted JSON).
expect() {
    "$py" - "$out" "$requests" "$@" <<'PY' || fail "unexpected output"
import json, sys
out, requests, *pairs = sys.argv[1:]
o = json.loads(out) if out.strip() else None
lines = open(requests).read().splitlines()
req = json.loads(lines[-1]) if lines else None
ok = True
for expr, want in zip(pairs[::2], pairs[1::2]):
    v = eval(expr)
    got = json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else str(v)
    if got != want:
        print(f"{expr}: got {got!r}, expected {want!r}", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
}

# expect_error CODE [VERSION [EXPR VALUE]...]: kovn-cni failed with exit 1
# and printed one error object with CODE, a message and the config's
# cniVersion (default 1.0.0), and the expectations hold.
expect_error() {
    local code=$1 version=${2:-1.0.0}
    shift $(($# < 2 ? $# : 2))
    [[ $rc == 1 ]] || fail "exit status $rc, expected 1 (error $code)"
    [[ $(printf '%s\n' "$out" | wc -l) == 1 ]] || fail "stdout is not one line"
    expect 'o["code"]' "$code" 'o["cniVersion"]' "$version" \
        'bool(o["msg"])' True \
        'sorted(set(o) - {"details"})' '["cniVersion", "code", "msg"]' "$@"
}

# expect_success [EXPR VALUE]...
expect_success() {
    [[ $rc == 0 ]] || fail "exit status $rc, expected 0"
    if (($#)); then
        expect "$@"
    fi
}

n_requests() {
    wc -l <"$requests"
}

# VERSION: answered without a daemon, in the version asked for.
run_cni '{"cniVersion":"0.4.0"}' CNI_COMMAND=VERSION
expect_success 'o' '{"cniVersion": "0.4.0", "supportedVersions": ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]}'
run_cni '' CNI_COMMAND=VERSION -CNI_CONTAINERID -CNI_IFNAME -CNI_NETNS
expect_success 'o["cniVersion"]' 1.1.0
run_cni '{"cniVersion":"9.9.9"}' CNI_COMMAND=VERSION
expect_success 'o["cniVersion"]' 1.1.0

# The daemon is down: no socket file, then a stale one nobody listens on.
# DEL too: the runtime must retry it, not forget the pod.
run_cni "$(config)"
expect_error 11 1.0.0 '"'"$sock"'" in o["details"]' True
"$py" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
run_cni "$(config)"
expect_error 11 1.0.0 '"Connection refused" in o["details"]' True
run_cni "$(config)" CNI_COMMAND=DEL
expect_error 11
run_cni "$(config 1.1.0)" CNI_COMMAND=STATUS
expect_error 50 1.1.0 'o["msg"]' "plugin not available"
rm -f "$sock"

start_daemon

# ADD: the request carries the environment and the whole config; the
# daemon's result comes out in the config's version.
mode result
run_cni "$(config 1.0.0 '"mtu":1400,"runtimeConfig":{"portMappings":[]}')"
expect_success \
    'o' '{"cniVersion": "1.0.0", "dns": {"nameservers": ["10.96.0.10"], "search": ["cluster.local"]}, "interfaces": [{"mac": "0a:58:0a:10:00:01", "name": "c1_h"}, {"mac": "0a:58:0a:10:00:05", "name": "eth0", "sandbox": "/var/run/netns/c1"}], "ips": [{"address": "10.16.0.5/16", "gateway": "10.16.0.1", "interface": 1}], "routes": [{"dst": "0.0.0.0/0", "gw": "10.16.0.1"}]}' \
    'req["command"]' ADD \
    'req["containerId"]' c1 \
    'req["netns"]' /var/run/netns/c1 \
    'req["ifname"]' eth0 \
    'req["podNamespace"]' default \
    'req["podName"]' web-0 \
    'req["cniVersion"]' 1.0.0 \
    'req["config"]["mtu"]' 1400 \
    'req["config"]["runtimeConfig"]' '{"portMappings": []}' \
    'req["config"]["daemonSocket"]' "$sock"
[[ ! -s "$dir/stderr" ]] || fail "a successful ADD wrote to stderr"

# An older version gets the older format: IPs say their version.
run_cni "$(config 0.3.1)"
expect_success 'o["cniVersion"]' 0.3.1 'o["ips"][0]["version"]' 4

# The daemon's own error: code, msg and details passed through.
mode error
run_cni "$(config)"
expect_error 100 1.0.0 'o["msg"]' "no address left" \
    'o["details"]' "subnet ovn-default is full"

# DEL, CHECK, STATUS, GC succeed with nothing on stdout.
mode ok
run_cni "$(config)" CNI_COMMAND=DEL
expect_success 'o' None 'req["command"]' DEL
# A DEL whose netns is already gone (the runtime passes it empty).
run_cni "$(config)" CNI_COMMAND=DEL CNI_NETNS= -CNI_ARGS
expect_success 'o' None '"netns" in req' False 'req["containerId"]' c1
prev='"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.16.0.5/16"}]}'
run_cni "$(config 1.0.0 "$prev")" CNI_COMMAND=CHECK
expect_success 'o' None 'req["command"]' CHECK \
    'req["config"]["prevResult"]["ips"][0]["address"]' 10.16.0.5/16
run_cni "$(config 1.1.0)" CNI_COMMAND=STATUS -CNI_CONTAINERID -CNI_IFNAME -CNI_NETNS -CNI_ARGS
expect_success 'o' None 'req["command"]' STATUS '"containerId" in req' False
attachments='"cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"},{"containerID":"c2","ifname":"eth0"}]'
run_cni "$(config 1.1.0 "$attachments")" CNI_COMMAND=GC -CNI_CONTAINERID -CNI_IFNAME -CNI_NETNS -CNI_ARGS
expect_success 'o' None 'req["command"]' GC \
    'req["config"]["cni.dev/valid-attachments"][1]["containerID"]' c2

# logFile gets one line per invocation.
run_cni "$(config 1.0.0 '"logFile":"'"$dir"'/cni.log"')" CNI_COMMAND=DEL
expect_success
grep -q 'DEL container=c1 ifname=eth0: ok' "$dir/cni.log" || fail "no DEL line in logFile"

# What the runtime got wrong never reaches the daemon.
before=$(n_requests)
run_cni '{"cniVersion":'
expect_error 6 1.1.0
run_cni '[1,2]'
expect_error 6 1.1.0
run_cni ''
expect_error 6 1.1.0
run_cni "$(config 2.0.0)"
expect_error 1 1.1.0 '"2.0.0" in o["details"]' True
run_cni '{"name":"kovn","type":"kovn-cni"}'
expect_error 7 1.1.0
run_cni "$(config 1.0.0 '"mtu":"big"')"
expect_error 7 1.0.0 '"mtu" in o["details"]' True
run_cni '{"cniVersion":"1.0.0","name":"kovn","type":"bridge"}'
expect_error 7
run_cni "$(config 1.0.0 '"pad":"'"$(head -c 600000 /dev/zero | tr '\0' x)"'"')"
expect_error 7 1.1.0 '"longer than" in o["details"]' True
run_cni "$(config)" CNI_COMMAND=CHECK
expect_error 7 1.0.0 '"prevResult" in o["details"]' True
# Commands newer than the config's version.
run_cni "$(config 0.3.1 "$prev")" CNI_COMMAND=CHECK
expect_error 1 0.3.1 '"has no CHECK" in o["details"]' True
run_cni "$(config 1.0.0)" CNI_COMMAND=STATUS
expect_error 1 1.0.0 '"has no STATUS" in o["details"]' True
run_cni "$(config 1.1.0)" CNI_COMMAND=GC
expect_error 7 1.1.0 '"valid-attachments" in o["details"]' True
run_cni "$(config)" -CNI_COMMAND
expect_error 4 1.1.0 '"CNI_COMMAND" in o["details"]' True
run_cni "$(config)" CNI_COMMAND=UPDATE
expect_error 4 1.1.0
run_cni "$(config)" -CNI_IFNAME
expect_error 4 1.0.0 '"CNI_IFNAME" in o["details"]' True
run_cni "$(config)" CNI_IFNAME=eth0:1
expect_error 4
run_cni "$(config)" CNI_IFNAME=abcdefghijklmnop
expect_error 4
run_cni "$(config)" -CNI_CONTAINERID
expect_error 4 1.0.0 '"CNI_CONTAINERID" in o["details"]' True
run_cni "$(config)" CNI_NETNS=relative/netns
expect_error 4 1.0.0 '"CNI_NETNS" in o["details"]' True
run_cni "$(config)" -CNI_NETNS
expect_error 4
run_cni "$(config)" CNI_ARGS="K8S_POD_NAMESPACE=default"
expect_error 4 1.0.0 '"K8S_POD_NAME" in o["details"]' True
run_cni "$(config)" CNI_ARGS="K8S_POD_NAMESPACE"
expect_error 4
[[ $(n_requests) == "$before" ]] || fail "invalid invocations reached the daemon"

# The connection fails mid-exchange: I/O failure.
mode partial
run_cni "$(config)"
expect_error 5 1.0.0 '"closed after" in o["details"]' True
mode close
run_cni "$(config)"
expect_error 5 1.0.0 '"without a response" in o["details"]' True
mode garbage
run_cni "$(config)" CNI_COMMAND=DEL
expect_error 5 1.0.0 '"invalid response" in o["msg"]' True
# ADD must come with a result.
mode ok
run_cni "$(config)"
expect_error 5 1.0.0 '"without a result" in o["details"]' True

# Nothing left behind: no kovn-cni process, no file but the test's own.
stop_daemon
! pgrep -f "^$cni" >/dev/null || fail "a kovn-cni process is still running"
left=$(cd "$dir" && LC_ALL=C ls -A | tr '\n' ' ')
[[ "$left" == "cni.log mode requests.jsonl stderr " ]] ||
    fail "unexpected files left in $dir: $left"
echo "ok"
