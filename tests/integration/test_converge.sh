#!/usr/bin/env bash
# Convergence in any order, against a real kube-apiserver, OVN NB and
# kubectl:
#  - Kube-OVN's documented Vpc example applied file by file (the order that
#    once left the namespace without annotations), with the Warning Event
#    and kovn_namespaces_unbound while the subnet is missing;
#  - seeded random-order sequences (tests/lib/random_order.py) with a
#    kill -9 and restart of the controller in the middle of each;
#  - an NB server stopped (SIGSTOP) for 15 s: the webhook, /healthz and
#    namespaces of subnets already in NB go on; everything converges after
#    SIGCONT with no duplicate row.
#   test_converge.sh KOVN_CONTROLLER_BINARY [SEEDS | FIRST-LAST]
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_converge.sh KOVN_CONTROLLER [SEEDS]}
seeds=${2:-5}
first_seed=1
if [[ $seeds == *-* ]]; then
    first_seed=${seeds%-*}
    seeds=${seeds#*-}
fi

start_k8s_and_ovn

kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl_admin apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl_admin wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io \
    crd/ippools.kubeovn.io >/dev/null

"$kovn_root/scripts/certs.sh" "$K8S_DIR/certs" >/dev/null
metrics_port=$(free_port)
webhook_port=$(free_port)
ns_switch() {
    kubectl_admin get ns "$1" \
        -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}'
}
start_controller
echo "controller ready"

# --- Kube-OVN's documentation example, file by file, subnet last.
kubectl_admin create ns nsx2 >/dev/null
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: vpcx2}
spec: {namespaces: [nsx2], defaultSubnet: snx2}
EOF
wait_for 10 "Warning Event on nsx2" bash -c \
    "kubectl get events -A --field-selector reason=NoUsableSubnet,involvedObject.name=nsx2 -o name | grep -q ."
msg=$(kubectl_admin get events -A \
    --field-selector reason=NoUsableSubnet,involvedObject.name=nsx2 \
    -o jsonpath='{.items[0].message}')
[[ $msg == *"vpc vpcx2 lists it with defaultSubnet snx2, which does not exist"* ]] ||
    fail "NoUsableSubnet message: $msg"
[[ $(metric kovn_namespaces_unbound) == 1 ]] ||
    fail "kovn_namespaces_unbound $(metric kovn_namespaces_unbound), want 1"
# A pod of the namespace gets no address meanwhile; let its backoff grow
# past 5 s (10 failures), so only the subnet's arrival can retry it soon.
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: nsx2}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: nsx2}
spec:
  automountServiceAccountToken: false
  containers: [{name: c, image: none}]
EOF
pod_retries() { (($(metric 'kovn_workqueue_retries_total{name="pod"}') >= 10)); }
wait_for 30 "pod nsx2/web retried 10 times" pod_retries
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: snx2}
spec: {vpc: vpcx2, cidrBlock: 10.222.3.0/24, protocol: IPv4}
EOF
ns_is_snx2() { [[ $(ns_switch nsx2) == snx2 ]]; }
wait_for 5 "nsx2 annotated with snx2 (Kube-OVN's example)" ns_is_snx2
[[ $(kubectl_admin get ns nsx2 -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/cidr}') == 10.222.3.0/24 ]] ||
    fail "nsx2 cidr annotation"
[[ $(metric kovn_namespaces_unbound) == 0 ]] ||
    fail "kovn_namespaces_unbound $(metric kovn_namespaces_unbound), want 0"
pod_in_snx2() {
    [[ $(kubectl_admin -n nsx2 get pod web -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}') == snx2 ]]
}
wait_for 2 "pod nsx2/web addressed when snx2 came, not after its backoff" pod_in_snx2
echo "Kube-OVN example: nsx2 and its waiting pod bound to snx2 once the subnet came; Event and gauge while it was missing"

# --- Random orders, each with a kill -9 and restart in the middle.
# The driver asks for the restart through a file this loop polls, so the
# controller is started by this script's own function.
restart_flag=$K8S_DIR/restart-requested
restart_cmd="kill -9 \$(cat $K8S_DIR/controller.pid) && touch $restart_flag && while [ -e $restart_flag ]; do sleep 0.1; done"
for ((seed = first_seed; seed <= seeds; seed++)); do
    python3 "$kovn_root/tests/lib/random_order.py" "$seed" "$nb" \
        "$restart_cmd" >"$K8S_DIR/seed-$seed.log" 2>&1 &
    driver=$!
    while kill -0 "$driver" 2>/dev/null; do
        if [[ -e $restart_flag ]]; then
            start_controller
            rm -f "$restart_flag"
        fi
        sleep 0.1
    done
    if ! wait "$driver"; then
        cat "$K8S_DIR/seed-$seed.log" >&2
        log_tail "$K8S_DIR/controller.log"
        fail "random order, seed $seed"
    fi
    cat "$K8S_DIR/seed-$seed.log"
done

# --- NB stopped for 15 s: the loop goes on.
sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
    -e "s|@CA_BUNDLE@|$(base64 -w0 "$K8S_DIR/certs/ca.crt")|" \
    "$kovn_root/deploy/local/webhook.yaml" | kubectl_admin apply -f - >/dev/null
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: stall-ready}
spec: {cidrBlock: 10.240.0.0/24, namespaces: [stall-a, stall-b]}
EOF
ready() { [[ $(kubectl_admin get subnet "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }
wait_for 10 "stall-ready Ready" ready stall-ready
nb_pid=$(cat "$ovn_dir/ovnnb_db.pid")
kill -STOP "$nb_pid"
stop_start=$(date +%s.%N)
slowest=0
for i in 1 2 3 4 5 6; do
    t0=$(date +%s.%N)
    kubectl_admin apply -f - >/dev/null <<EOF || fail "subnet stall-$i refused while NB was stopped"
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: stall-$i}
spec: {cidrBlock: 10.241.$i.0/24, namespaces: [stall-n$i]}
EOF
    slowest=$(awk -v a="$(date +%s.%N)" -v b="$t0" -v s="$slowest" \
        'BEGIN { t = a - b; print (t > s ? t : s) }')
    curl -sf -m 1 "http://127.0.0.1:$metrics_port/healthz" >/dev/null ||
        fail "/healthz did not answer within 1 s while NB was stopped"
    kubectl_admin create ns "stall-n$i" >/dev/null
done
# The webhook's answer is part of each apply: an answer held for the
# 5 s webhook timeout would show here.
awk -v s="$slowest" 'BEGIN { exit !(s < 1.5) }' ||
    fail "slowest Subnet apply took $slowest s while NB was stopped"
kubectl_admin create ns stall-a >/dev/null
kubectl_admin create ns stall-b >/dev/null
is_stall_ready() { [[ $(ns_switch "$1") == stall-ready ]]; }
wait_for 5 "stall-a annotated while NB is stopped" is_stall_ready stall-a
wait_for 5 "stall-b annotated while NB is stopped" is_stall_ready stall-b
sleep "$(awk -v a="$(date +%s.%N)" -v b="$stop_start" \
    'BEGIN { r = 15 - (a - b); print (r > 0 ? r : 0) }')"
kill -0 "$(cat "$K8S_DIR/controller.pid")" || fail "controller died while NB was stopped"
kill -CONT "$nb_pid"
for i in 1 2 3 4 5 6; do
    wait_for 30 "stall-$i Ready after NB came back" ready "stall-$i"
    is_n() { [[ $(ns_switch "stall-n$1") == "stall-$1" ]]; }
    wait_for 10 "stall-n$i annotated after NB came back" is_n "$i"
    [[ $(nbctl --bare --columns=_uuid find Logical_Switch name="stall-$i" | grep -c .) == 1 ]] ||
        fail "stall-$i: not exactly one switch in NB"
    [[ $(nbctl --bare --columns=_uuid find Logical_Router_Port name="ovn-cluster-stall-$i" | grep -c .) == 1 ]] ||
        fail "stall-$i: not exactly one router port in NB"
done
echo "NB stopped 15 s: subnet applies answered within ${slowest}s, /healthz answered, namespaces of existing subnets bound; all converged after, no duplicates"
