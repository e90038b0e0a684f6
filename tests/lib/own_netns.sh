# Sourced first by tests that run a whole node (OVS on the userspace
# datapath, one per network namespace): the test re-runs itself in a
# network namespace of its own, so that another node test may hold this
# one, and the namespace goes when the test exits however it exits.
#   in_own_netns PREFIX "$0" "$@"   returns only inside the namespace
in_own_netns() {
    local prefix=$1 script=$2 netns rc=0
    shift 2
    [[ -z ${KOVN_OWN_NETNS:-} ]] || return 0
    [[ $(id -u) == 0 ]] || { echo "FAIL: needs root (network namespaces and veths)" >&2; exit 1; }
    netns=$prefix$$
    ip netns add "$netns"
    # shellcheck disable=SC2064 # the name is fixed now
    trap "ip netns del '$netns' 2>/dev/null" EXIT
    ip -n "$netns" link set lo up
    KOVN_OWN_NETNS=$netns ip netns exec "$netns" bash "$script" "$@" || rc=$?
    exit $rc
}
