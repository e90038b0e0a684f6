#!/usr/bin/env bash
# scripts/ovn.sh starts real NB/SB ovsdb-servers and ovn-northd (standalone
# and 3-member Raft), they answer, northd turns NB rows into SB datapaths, and
# stop leaves no process behind.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/kovn-ovn.XXXXXX)
pids=()
cleanup() {
    "$root/scripts/ovn.sh" stop "$dir/standalone" >/dev/null 2>&1 || true
    "$root/scripts/ovn.sh" stop "$dir/raft" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

collect_pids() {
    local f
    pids=()
    for f in "$1"/*.pid; do
        pids+=("$(cat "$f")")
    done
}

assert_all_gone() {
    local pid
    for pid in "${pids[@]}"; do
        ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after stop"
    done
}

# Waits up to 10 s for northd to create the SB datapath for switch $2.
assert_datapath() {
    local sb=$1 switch=$2 i
    for ((i = 0; i < 100; i++)); do
        ovn-sbctl --db="$sb" --no-leader-only --columns=external_ids list Datapath_Binding |
            grep -q "name=$switch" && return 0
        sleep 0.1
    done
    fail "northd produced no datapath for $switch"
}

# Standalone
"$root/scripts/ovn.sh" start "$dir/standalone"
collect_pids "$dir/standalone"
[[ ${#pids[@]} == 3 ]] || fail "expected 3 pid files, got ${#pids[@]}"
ovn-nbctl --db="unix:$dir/standalone/ovnnb_db.sock" ls-add sw-standalone
ovn-nbctl --db="unix:$dir/standalone/ovnnb_db.sock" show | grep -q sw-standalone ||
    fail "ovn-nbctl show does not list the switch"
assert_datapath "unix:$dir/standalone/ovnsb_db.sock" sw-standalone
"$root/scripts/ovn.sh" stop "$dir/standalone"
assert_all_gone
ls "$dir/standalone"/*.pid >/dev/null 2>&1 && fail "pid files left after stop"
# Stop is idempotent.
"$root/scripts/ovn.sh" stop "$dir/standalone"

# Raft: 3 NB + 3 SB members and northd
"$root/scripts/ovn.sh" start "$dir/raft" --raft
collect_pids "$dir/raft"
[[ ${#pids[@]} == 7 ]] || fail "expected 7 pid files, got ${#pids[@]}"
source "$dir/raft/ovn.env"
ovn-nbctl --db="$OVN_NB_DB" ls-add sw-raft
for i in 1 2 3; do
    ovn-appctl -t "$dir/raft/ovnnb_db$i.ctl" cluster/status OVN_Northbound |
        grep -q 'Status: cluster member' || fail "NB member $i not in cluster"
done
assert_datapath "$OVN_SB_DB" sw-raft
"$root/scripts/ovn.sh" stop "$dir/raft"
assert_all_gone
echo "ok"
