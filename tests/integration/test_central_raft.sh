#!/usr/bin/env bash
# The ovn-central entrypoint of kovn's image (deploy/image/bin/
# kovn-ovn-central.sh) as three members of one cluster, as on three nodes
# labelled kube-ovn/role=master, here on 127.0.0.11-13 under busybox sh
# (the image's shell) with the host's OVN binaries:
#  1. NB and SB each form a 3-server Raft cluster with one leader; a write
#     through one member is read from another; one ovn-northd is active.
#  2. With the NB leader's member stopped, the other two keep a quorum and
#     take writes.
#  3. TERM with no API server to ask (a restart, not an uninstall) keeps the
#     databases; started again, the members rejoin with the data.
#   test_central_raft.sh
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
command -v busybox >/dev/null || fail "busybox missing (Debian package busybox-static)"

dir=$(mktemp -d /tmp/kovn-central.XXXXXX)
ips=(127.0.0.11 127.0.0.12 127.0.0.13)
export KOVN_LIB=$kovn_root/deploy/image/bin/kovn-lib.sh
export OVN_CENTRAL_IPS=127.0.0.11,127.0.0.12,127.0.0.13
# Only the pod's identity and the downward API; no API server.
unset KUBERNETES_SERVICE_HOST

cleanup() {
    set +e
    local i
    for i in 0 1 2; do stop_pidfile "$dir/m$i.pid"; done
    [[ -n ${KEEP:-} ]] || rm -rf "$dir"
}
trap cleanup EXIT
dump() {
    local i
    for i in 0 1 2; do log_tail "$dir/m$i.log"; done
    fail "$@"
}

start_member() {
    local i=$1
    mkdir -p "$dir/m$i"
    POD_IP=${ips[i]} KOVN_CENTRAL_DB_DIR=$dir/m$i/db KOVN_CENTRAL_RUN_DIR=$dir/m$i/run \
        busybox sh "$kovn_root/deploy/image/bin/kovn-ovn-central.sh" >>"$dir/m$i.log" 2>&1 &
    echo $! >"$dir/m$i.pid"
}
status() { ovs-appctl -t "$dir/m$1/run/ovn${2}_db.ctl" cluster/status "$3" 2>/dev/null; }
all_members() {
    local i kind db
    for i in 0 1 2; do
        for kind in nb sb; do
            db=$([[ $kind == nb ]] && echo OVN_Northbound || echo OVN_Southbound)
            status "$i" "$kind" "$db" | grep -q '^Status: cluster member' || return 1
        done
    done
}
nb_all="tcp:127.0.0.11:6641,tcp:127.0.0.12:6641,tcp:127.0.0.13:6641"

for i in 0 1 2; do start_member "$i"; done
WAIT_FOR_LOG=$dir/m1.log wait_for 30 "three members of NB and SB" all_members
for kind in nb sb; do
    db=$([[ $kind == nb ]] && echo OVN_Northbound || echo OVN_Southbound)
    leaders=0
    for i in 0 1 2; do
        servers=$(status "$i" "$kind" "$db" | sed -n '/^Servers:/,$p' | grep -c '(.* at tcp:' || true)
        ((servers == 3)) || dump "member $i of $db lists $servers servers, not 3"
        status "$i" "$kind" "$db" | grep -q '^Role: leader' && leaders=$((leaders + 1))
    done
    ((leaders == 1)) || dump "$db has $leaders leaders"
done
echo "NB and SB: 3 members each, one leader"

WAIT_FOR_LOG=$dir/m0.log wait_for 20 "a write through the cluster" \
    ovn-nbctl --db="$nb_all" --timeout=5 --may-exist ls-add sw1
ovn-nbctl --db=tcp:127.0.0.13:6641 --no-leader-only --timeout=10 ls-list | grep -q '(sw1)' ||
    dump "sw1 written through the cluster is not on member 127.0.0.13"
active() {
    local i n=0
    for i in 0 1 2; do
        ovs-appctl -t "$dir/m$i/run/ovn-northd.ctl" status 2>/dev/null | grep -q 'Status: active' &&
            n=$((n + 1))
    done
    ((n == 1))
}
wait_for 20 "exactly one active ovn-northd" active
# northd's work reaches SB: the switch has a datapath binding.
bound() { ovn-sbctl --db=tcp:127.0.0.12:6642 --no-leader-only --timeout=5 --bare --columns=external_ids list datapath_binding | grep -q 'name=sw1'; }
wait_for 20 "sw1's datapath in SB" bound
echo "write on the cluster read from a follower; one northd active; SB computed"

# 2. The NB leader's member goes; two of three keep a quorum.
for i in 0 1 2; do
    status "$i" nb OVN_Northbound | grep -q '^Role: leader' && leader=$i
done
stop_pidfile "$dir/m$leader.pid"
# ovn-nbctl gives up on the first refused remote; name the two left.
rest=""
for i in 0 1 2; do
    ((i == leader)) || rest="${rest:+$rest,}tcp:${ips[i]}:6641"
done
# The two elect a new leader first (election timer: about a second).
WAIT_FOR_LOG=$dir/m$(((leader + 1) % 3)).log wait_for 20 "a write with member $leader stopped" \
    ovn-nbctl --db="$rest" --timeout=5 --may-exist ls-add sw2
echo "member ${ips[leader]} (NB leader) stopped: the other two took a write"

# 3. TERM of the rest: a restart keeps the data; all three come back.
for i in 0 1 2; do stop_pidfile "$dir/m$i.pid"; done
for i in 0 1 2; do
    [[ -f $dir/m$i/db/ovnnb_db.db && -f $dir/m$i/db/ovnsb_db.db ]] ||
        dump "member $i lost its databases on TERM without an uninstall"
    grep -q 'stopping (signal)' "$dir/m$i.log" || dump "member $i did not stop on its signal"
done
for i in 0 1 2; do start_member "$i"; done
WAIT_FOR_LOG=$dir/m0.log wait_for 30 "the members back" all_members
# A write proves a leader again, then both switches are read back.
WAIT_FOR_LOG=$dir/m0.log wait_for 20 "a leader after the restart" \
    ovn-nbctl --db="$nb_all" --timeout=5 --may-exist ls-add sw3
for sw in sw1 sw2; do
    ovn-nbctl --db="$nb_all" --timeout=10 ls-list | grep -q "($sw)" ||
        dump "$sw lost over the restart"
done
echo "restarted from their files: sw1 and sw2 still there"
