#!/usr/bin/env bash
# `make run`'s stack end to end (scripts/run.sh): Kubernetes, OVN,
# kovn-controller with its webhook and one real node (chassis, kovn-daemon,
# kubelet + containerd) come up, the examples get their annotations and OVN
# rows, the example pods run and reach each other across their VPC's router
# with the commands make run prints (kubectl exec), and `make stop` leaves no
# process, mount or pod network namespace behind.
#   test_run.sh KOVN_CONTROLLER KUBECTL_KOVN KOVN_DAEMON KOVN_CNI
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
usage="usage: test_run.sh KOVN_CONTROLLER KUBECTL_KOVN KOVN_DAEMON KOVN_CNI"
controller=${1:?$usage}
cli=${2:?$usage}
export KOVN_CONTROLLER=$controller KOVN_DAEMON=${3:?$usage} KOVN_CNI=${4:?$usage}
dir=$(mktemp -d /tmp/kovn-run.XXXXXX)
fail() {
    echo "FAIL: $*" >&2
    local f
    for f in kovn-controller.log kovn-daemon.log kubelet.log containerd.log; do
        echo "--- last lines of $f" >&2
        tail -n 20 "$dir/$f" >&2 || true
    done
    exit 1
}
cleanup() {
    "$root/scripts/run.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf --one-file-system "$dir"
}
trap cleanup EXIT
t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

"$root/scripts/run.sh" start "$dir" >"$dir/start.out" ||
    { cat "$dir/start.out"; fail "run.sh start failed"; }
step "run.sh start done"
grep -q "kubectl kovn orphans" "$dir/start.out" || fail "no usage printed"
# The page's address, as printed, serves the page and its picture.
ui=$(grep -o 'http://127.0.0.1:[0-9]*/ui' "$dir/start.out") || fail "no /ui address printed"
curl -sf "$ui" >"$dir/ui.html" && grep -q '<title>kovn topology</title>' "$dir/ui.html" ||
    fail "$ui: not the page"
# (Graphviz writes the '-' of ids as &#45;.)
curl -sf "$ui/topology.svg" >"$dir/ui.svg" && grep -q 'id="vpc/ovn&#45;cluster"' "$dir/ui.svg" ||
    fail "$ui/topology.svg: no Vpc ovn-cluster: $(grep -o '<g id="[^"]*"' "$dir/ui.svg" | tr '\n' ' ')"
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
# demo, in the containers (kubectl exec, as make run prints it).
pod_ready() {
    kubectl -n "$1" get pod "$2" \
        -o jsonpath='{.status.phase} {.status.podIP} {.metadata.annotations.ovn\.kubernetes\.io/routed}' 2>/dev/null
}
for ((i = 0; i < 900; i++)); do
    web=$(pod_ready demo-a web) client=$(pod_ready demo-b client)
    [[ $web == "Running 10.200.1."*" true" && $client == "Running 10.200.2."*" true" ]] && break
    sleep 0.1
done
[[ $web == "Running 10.200.1."*" true" ]] || fail "pod demo-a/web: '$web'"
[[ $client == "Running 10.200.2."*" true" ]] || fail "pod demo-b/client: '$client'"
web_ip=$(kubectl -n demo-a get pod web -o jsonpath='{.status.podIP}')
grep -q "kubectl -n demo-b exec client -- ping -c 3" "$dir/start.out" ||
    fail "make run does not print the kubectl exec ping"
kubectl -n demo-b exec client -- ping -c 3 -i 0.2 -W 2 "$web_ip" >"$dir/ping.out" ||
    { cat "$dir/ping.out"; fail "client cannot ping web at $web_ip"; }
page=$(timeout 10 kubectl -n demo-b exec client -- wget -qO- "http://$web_ip/") ||
    fail "client: no HTTP answer from web at $web_ip"
[[ $page == "hello from web $web_ip" ]] || fail "web answered '$page'"
kubectl -n demo-a logs web | grep -q "serving on port 80" || fail "kubectl logs web shows no start line"
step "example pods: Running, routed, client -> web ping and HTTP through router demo (kubectl exec), kubectl logs"
# The trace make run prints explains the same path.
grep -q "kubectl kovn trace demo-b/client demo-a/web tcp 80" "$dir/start.out" ||
    fail "make run does not print the trace"
KOVN_OVN_NB=unix:$dir/ovnnb_db.sock KOVN_OVN_SB=unix:$dir/ovnsb_db.sock \
    "$cli" trace demo-b/client demo-a/web tcp 80 >"$dir/trace.out" ||
    { cat "$dir/trace.out"; fail "kubectl kovn trace failed"; }
tail -n 1 "$dir/trace.out" | grep -q '^delivered to demo-a/web ' ||
    { cat "$dir/trace.out"; fail "trace client -> web: not delivered"; }

# A pod of the default VPC reaches the node's address, and the API server
# through the kubernetes Service, whose endpoint is the node's address.
busybox=$("$root/scripts/images.sh" name busybox)
for ((i = 0; i < 300; i++)); do
    kubectl get sa default >/dev/null 2>&1 && break
    sleep 0.1
done
kubectl run p1 --image="$busybox" --image-pull-policy=Never -- sleep 86400 >/dev/null
for ((i = 0; i < 600; i++)); do
    p1=$(pod_ready default p1)
    [[ $p1 == "Running 10.16."*" true" ]] && break
    sleep 0.1
done
[[ $p1 == "Running 10.16."*" true" ]] || fail "pod default/p1: '$p1'"
node_ip=$(kubectl get node -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
kubectl exec p1 -- ping -c 2 -W 2 "$node_ip" >/dev/null ||
    fail "p1 cannot ping the node at $node_ip"
healthz=$(timeout 10 kubectl exec p1 -- wget -qO- https://10.96.0.1/healthz) ||
    fail "p1: no TLS answer from the kubernetes Service"
[[ $healthz == ok ]] || fail "p1: kubernetes Service /healthz said '$healthz'"
step "pod p1 (ovn-default) reaches the node at $node_ip and the API server through the kubernetes Service 10.96.0.1 (/healthz: $healthz)"
# ...and the outside make run sets up (a netns behind the node), with the
# command it prints: natOutgoing shows the node's address there.
seen=""
for ((i = 0; i < 50; i++)); do
    seen=$(timeout 5 kubectl exec p1 -- wget -qO- http://203.0.113.1:8080/) && [[ $seen == 203.0.113.2 ]] && break
    sleep 0.2
done
[[ $seen == 203.0.113.2 ]] || fail "p1 -> the outside 203.0.113.1: it saw '$seen', not the node's 203.0.113.2"
grep -q "kubectl exec p1 -- wget -qO- http://203.0.113.1:8080/" "$dir/start.out" ||
    fail "make run does not print the command that reaches the outside"
step "pod p1 reaches the outside 203.0.113.1, which sees the node's 203.0.113.2 (natOutgoing)"

# A second start (make run twice) must work: the old webhook registration
# pointed at the old controller's port.
"$root/scripts/run.sh" start "$dir" >/dev/null ||
    fail "second run.sh start failed"
step "second run.sh start done"

# The restart stopped the pods' containers; kubelet starts new sandboxes,
# wired again by kovn-cni, with the same addresses.
ok=""
for ((i = 0; i < 120; i++)); do
    kubectl -n demo-b exec client -- ping -c 1 -W 1 "$web_ip" >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.5
done
[[ -n $ok ]] || fail "after the second start, client does not reach web again"
for ((i = 0; i < 100; i++)); do
    web2=$(pod_ready demo-a web)
    [[ $web2 == "Running $web_ip true" ]] && break
    sleep 0.1
done
[[ $web2 == "Running $web_ip true" ]] || fail "web after the restart: '$web2', not 'Running $web_ip true'"
step "second start: the pods run again with their addresses and reach each other"
# The shims' pid files end without a newline.
pids=$(for f in "$dir"/*.pid "$dir"/*/*.pid "$dir"/containerd/state/io.containerd.runtime.v2.task/*/*/*.pid; do
    if [[ -f $f ]]; then echo "$(cat "$f")"; fi
done)
"$root/scripts/run.sh" stop "$dir" >/dev/null
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after stop"
done
! grep -q " $dir/" /proc/self/mountinfo || fail "mounts left under $dir after stop"
ip netns list 2>/dev/null | grep -q "^kovn-outside\b" && fail "netns kovn-outside left after stop"
! ip link show kovn-out >/dev/null 2>&1 || fail "link kovn-out left after stop"
! nft list table ip kovn >/dev/null 2>&1 || fail "nftables table ip kovn left after stop"
step "run.sh stop left nothing behind"
echo PASS
