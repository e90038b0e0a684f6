#!/usr/bin/env bash
# `make run`'s stack end to end (scripts/run.sh): Kubernetes, OVN and
# kovn-controller with its webhook come up, the examples get their
# annotations and OVN rows, and `make stop` leaves no process behind.
#   test_run.sh KOVN_CONTROLLER KUBECTL_KOVN
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
controller=${1:?usage: test_run.sh KOVN_CONTROLLER KUBECTL_KOVN}
cli=${2:?usage: test_run.sh KOVN_CONTROLLER KUBECTL_KOVN}
dir=$(mktemp -d /tmp/kovn-run.XXXXXX)
fail() {
    echo "FAIL: $*" >&2
    tail -n 30 "$dir/kovn-controller.log" >&2 || true
    exit 1
}
cleanup() {
    "$root/scripts/run.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

KOVN_CONTROLLER=$controller "$root/scripts/run.sh" start "$dir" >"$dir/start.out" ||
    { cat "$dir/start.out"; fail "run.sh start failed"; }
grep -q "kubectl kovn orphans" "$dir/start.out" || fail "no usage printed"
export KUBECONFIG=$dir/kubeconfig
for ((i = 0; i < 100; i++)); do
    ls=$(kubectl get ns demo-a -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}')
    [[ $ls == demo-a ]] && break
    sleep 0.1
done
[[ $ls == demo-a ]] || fail "namespace demo-a: logical_switch '$ls'"
for ((i = 0; i < 100; i++)); do
    ovn-nbctl --db="unix:$dir/ovnnb_db.sock" lr-list | grep -q '(demo)' && break
    sleep 0.1
done
ovn-nbctl --db="unix:$dir/ovnnb_db.sock" show demo | grep -q 'networks: \["10.200.2.1/24"\]' ||
    fail "router demo lacks the demo-b port"
"$cli" check --ovn-nb "unix:$dir/ovnnb_db.sock" >"$dir/check.out" ||
    { cat "$dir/check.out"; fail "kubectl kovn check found problems on a clean stack"; }

# A second start (make run twice) must work: the old webhook registration
# pointed at the old controller's port.
KOVN_CONTROLLER=$controller "$root/scripts/run.sh" start "$dir" >/dev/null ||
    fail "second run.sh start failed"

pids=$(cat "$dir"/*.pid "$dir"/*/*.pid 2>/dev/null || true)
"$root/scripts/run.sh" stop "$dir" >/dev/null
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after stop"
done
echo PASS
