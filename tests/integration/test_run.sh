#!/usr/bin/env bash
# `make run`'s stack end to end (scripts/run.sh): Kubernetes, OVN,
# kovn-controller with its webhook and one node (chassis, kovn-daemon,
# kovn-sandboxd) come up, the examples get their annotations and OVN rows,
# the example pods run and ping each other across their VPC's router, and
# `make stop` leaves no process and no pod namespace behind.
#   test_run.sh KOVN_CONTROLLER KUBECTL_KOVN KOVN_DAEMON KOVN_SANDBOXD KOVN_CNI
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
usage="usage: test_run.sh KOVN_CONTROLLER KUBECTL_KOVN KOVN_DAEMON KOVN_SANDBOXD KOVN_CNI"
controller=${1:?$usage}
cli=${2:?$usage}
export KOVN_CONTROLLER=$controller KOVN_DAEMON=${3:?$usage}
export KOVN_SANDBOXD=${4:?$usage} KOVN_CNI=${5:?$usage}
dir=$(mktemp -d /tmp/kovn-run.XXXXXX)
fail() {
    echo "FAIL: $*" >&2
    local f
    for f in kovn-controller.log kovn-daemon.log kovn-sandboxd.log; do
        echo "--- last lines of $f" >&2
        tail -n 20 "$dir/$f" >&2 || true
    done
    exit 1
}
cleanup() {
    "$root/scripts/run.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"$root/scripts/run.sh" start "$dir" >"$dir/start.out" ||
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

# The example pods: scheduled to the node, wired, Running with their
# address, and reaching each other from demo-b to demo-a through router
# demo.
pod_ready() {
    kubectl -n "$1" get pod "$2" \
        -o jsonpath='{.status.phase} {.status.podIP} {.metadata.annotations.ovn\.kubernetes\.io/routed}' 2>/dev/null
}
for ((i = 0; i < 600; i++)); do
    web=$(pod_ready demo-a web) client=$(pod_ready demo-b client)
    [[ $web == "Running 10.200.1."*" true" && $client == "Running 10.200.2."*" true" ]] && break
    sleep 0.1
done
[[ $web == "Running 10.200.1."*" true" ]] || fail "pod demo-a/web: '$web'"
[[ $client == "Running 10.200.2."*" true" ]] || fail "pod demo-b/client: '$client'"
web_ip=$(kubectl -n demo-a get pod web -o jsonpath='{.status.podIP}')
client_uid=$(kubectl -n demo-b get pod client -o jsonpath='{.metadata.uid}')
client_netns=kovn-$client_uid
ip netns exec "$client_netns" ping -c 3 -i 0.2 -W 2 "$web_ip" >"$dir/ping.out" ||
    { cat "$dir/ping.out"; fail "client cannot ping web at $web_ip"; }
echo "example pods: Running, routed, client -> web ping through router demo"

# A pod of the default VPC reaches the node's address, and the API server
# through the kubernetes Service, whose endpoint is the node's address.
for ((i = 0; i < 300; i++)); do
    kubectl get sa default >/dev/null 2>&1 && break
    sleep 0.1
done
kubectl run p1 --image=none >/dev/null
for ((i = 0; i < 600; i++)); do
    p1=$(pod_ready default p1)
    [[ $p1 == "Running 10.16."*" true" ]] && break
    sleep 0.1
done
[[ $p1 == "Running 10.16."*" true" ]] || fail "pod default/p1: '$p1'"
p1_netns=kovn-$(kubectl get pod p1 -o jsonpath='{.metadata.uid}')
node_ip=$(kubectl get node -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
ip netns exec "$p1_netns" ping -c 2 -W 2 "$node_ip" >/dev/null ||
    fail "p1 cannot ping the node at $node_ip"
healthz=$(ip netns exec "$p1_netns" curl -s --max-time 5 --cacert "$dir/pki/ca.crt" \
    https://10.96.0.1/healthz) || fail "p1: no TLS answer from the kubernetes Service"
[[ $healthz == ok ]] || fail "p1: kubernetes Service /healthz said '$healthz'"
echo "pod p1 (ovn-default) reaches the node at $node_ip and the API server through the kubernetes Service 10.96.0.1 (/healthz: $healthz)"
# ...and the outside make run sets up (a netns behind the node), with the
# command it prints: natOutgoing shows the node's address there.
seen=""
for ((i = 0; i < 50; i++)); do
    seen=$(ip netns exec "$p1_netns" curl -s --max-time 2 http://203.0.113.1:8080/) && [[ $seen == 203.0.113.2 ]] && break
    sleep 0.2
done
[[ $seen == 203.0.113.2 ]] || fail "p1 -> the outside 203.0.113.1: it saw '$seen', not the node's 203.0.113.2"
grep -q "curl -s http://203.0.113.1:8080/" "$dir/start.out" ||
    fail "make run does not print the command that reaches the outside"
echo "pod p1 reaches the outside 203.0.113.1, which sees the node's 203.0.113.2 (natOutgoing)"

# A second start (make run twice) must work: the old webhook registration
# pointed at the old controller's port.
"$root/scripts/run.sh" start "$dir" >/dev/null ||
    fail "second run.sh start failed"

# The restart removed the pods' namespaces; kovn-sandboxd wires them again.
for ((i = 0; i < 300; i++)); do
    ip netns exec "$client_netns" ping -c 1 -W 1 "$web_ip" >/dev/null 2>&1 && break
    sleep 0.1
done
ip netns exec "$client_netns" ping -c 1 -W 2 "$web_ip" >/dev/null ||
    fail "after the second start, client does not reach web again"
web_netns=kovn-$(kubectl -n demo-a get pod web -o jsonpath='{.metadata.uid}')
pids=$(cat "$dir"/*.pid "$dir"/*/*.pid 2>/dev/null || true)
"$root/scripts/run.sh" stop "$dir" >/dev/null
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after stop"
done
for ns in "$client_netns" "$web_netns" kovn-outside; do
    ip netns list | grep -q "^$ns\b" && fail "netns $ns left after stop"
done
! ip link show kovn-out >/dev/null 2>&1 || fail "link kovn-out left after stop"
echo PASS
