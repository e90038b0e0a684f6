#!/usr/bin/env bash
# Installs the Debian packages kovn needs to build, test and run.
# Only installs what is missing, so a warm machine pays one dpkg query.
set -euo pipefail

packages=(
    # build
    build-essential meson ninja-build pkg-config python3 autoconf automake libtool
    # OVS lib/ source and what its configure wants
    openvswitch-source libssl-dev libcap-ng-dev libunbound-dev libatomic1
    # OVN and OVS servers used by tests and `make run`
    ovn-central ovn-host openvswitch-switch openvswitch-common
    # kovn's own library dependencies
    libcurl4-openssl-dev libmicrohttpd-dev libyaml-dev libmnl-dev libzstd-dev
    # kubectl kovn topology -o svg and kovn-controller's /ui: Graphviz's
    # layout library (libgvc)
    libgraphviz-dev
    # tests and fuzzing; the /ui page is tested in a real headless browser
    libcmocka-dev libxml2-dev clang libclang-rt-14-dev clang-format valgrind
    chromium
    # promtool, for `promtool check metrics` on /metrics (the daemon never runs)
    prometheus
    # scripts
    iproute2 iputils-ping ethtool procps openssl curl xz-utils
    # kovn-daemon masquerades natOutgoing subnets in a table of its own
    nftables
    # benchmark P6: the reference bridge + host-local CNI plugins (/usr/lib/cni)
    containernetworking-plugins
    # The real node (scripts/node.sh): containerd + runc under kubelet, and
    # the busybox of the local test image (scripts/images.sh)
    containerd runc busybox-static
    # The kovn image (scripts/images.sh): its entrypoint scripts use jq (the
    # image copies OVS, OVN, curl, openssl, nft, ip and busybox from their
    # packages); its push is tested against the distribution registry v2.
    jq docker-registry
    # Kubernetes control plane built from Debian's source (scripts/k8s.sh)
    dpkg-dev golang-go rsync etcd-server golang-github-modern-go-reflect2-dev
)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

# Tests drive the cluster with kubectl; the machine image ships one at
# /usr/bin/kubectl, Debian's kubernetes-client is the fallback.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Maintainer scripts must not start daemons (prometheus' postinst runs
# `invoke-rc.d prometheus start`): there is no init system here and kovn
# starts what it needs itself.  Container images usually ship a policy-rc.d
# that denies every start (exit 101); if this one does not, put a denying one
# in place for the install and restore the original afterwards.
policy=/usr/sbin/policy-rc.d
policy_saved=
policy_added=
restore_policy() {
    if [[ -n "$policy_added" ]]; then rm -f "$policy"; fi
    if [[ -n "$policy_saved" ]]; then mv -f "$policy_saved" "$policy"; fi
}
policy_rc=0
[[ -x "$policy" ]] && { "$policy" prometheus start >/dev/null 2>&1 || policy_rc=$?; }
if [[ ! -x "$policy" || "$policy_rc" != 101 ]]; then
    if [[ -e "$policy" ]]; then
        policy_saved="$policy.kovn-saved"
        mv -f "$policy" "$policy_saved"
    fi
    trap restore_policy EXIT
    policy_added=1
    printf '#!/bin/sh\n# Temporary, from kovn scripts/deps.sh: no service starts.\nexit 101\n' >"$policy"
    chmod 755 "$policy"
fi
if ! apt-get update -q; then
    echo "deps: apt-get update failed" >&2
    exit 1
fi
# Install one by one on failure so the error names the package.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    for pkg in "${missing[@]}"; do
        apt-get install -y -q --no-install-recommends "$pkg" ||
            { echo "deps: failed to install Debian package '$pkg'" >&2; exit 1; }
    done
fi
# The packaged services must not run as system services: kovn starts its own.
for svc in ovn-central ovn-host openvswitch-switch ovn-northd ovsdb-server ovs-vswitchd prometheus containerd docker-registry; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
        systemctl stop "$svc" || true
    fi
done
echo "deps: done"
