#!/usr/bin/env bash
# kovn-controller's address book is rebuilt right (both found by make
# chaos).
# 1. A replica that loses leadership and gets it back rebuilds it first: while the other replica led, pods came
# and went that its book never saw (found by make chaos, where replicas
# lose the lease under load and regain it without a restart).  Replica A
# leads and addresses a pod; A is stopped (SIGSTOP) past the lease, B takes
# over, a pod is deleted and two are created, each addressed by B; A
# resumes (and loses the lease), B stops; A leads again.  A must restore
# (its log says so, with B's pods counted) and the next pod it addresses
# must not get an address B handed out.
# 2. A pod keeps across a restart an address its subnet's excludeIps came
# to cover: a restore records it (out of the IPAM), as a running
# controller does when the spec changes, instead of refusing it and then
# failing the pod's allocation over and over (and, were the exclusion
# lifted, handing the address out again).
# 3. A pod annotated by a controller killed before it posted the pod's IP
# object still holds its subnet (found by make chaos): deleting the subnet
# waits for the pod, naming it, instead of removing the switch under it.
#   test_restore.sh KOVN_CONTROLLER
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_restore.sh KOVN_CONTROLLER}

start_k8s_and_ovn
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
metrics_port=$(free_port)
start_controller
a_pid=$(cat "$K8S_DIR/controller.pid")
b_port=$(free_port)
stop_b() { stop_pidfile "$K8S_DIR/controller-b.pid"; }
trap 'kill -CONT $a_pid 2>/dev/null || true; stop_b; stop_k8s_and_ovn' EXIT

kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: lr}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: lr}
automountServiceAccountToken: false
EOF
# pod NAME [NAMESPACE]: a pod no scheduler binds; ip_of and addressed
# read its address annotation.
pod() {
    kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: ${2:-lr}}
spec:
  automountServiceAccountToken: false
  containers: [{name: c, image: none}]
EOF
}
ip_of() {
    kubectl_admin -n "${2:-lr}" get pod "$1" \
        -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/ip_address}' 2>/dev/null
}
addressed() { [[ -n $(ip_of "$@") ]]; }
ready() { curl -sf "http://127.0.0.1:$1/readyz" >/dev/null; }

pod x1
wait_for 30 "x1 addressed by A" addressed x1
x1=$(ip_of x1)
restores=$(grep -c 'restored .* allocations' "$K8S_DIR/controller.log")

kill -STOP "$a_pid"
"$controller" --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" --ovn-nb "$nb" \
    --metrics-port "$b_port" --lease-duration 4s --renew-deadline 3s --retry-period 1s \
    >>"$K8S_DIR/controller-b.log" 2>&1 &
echo $! >"$K8S_DIR/controller-b.pid"
WAIT_FOR_LOG=$K8S_DIR/controller-b.log wait_for 30 "B leading" ready "$b_port"
kubectl_admin -n lr delete pod x1 --grace-period=0 >/dev/null
# x1's address is free again: B may hand it out to x2.
pod x2
pod x3
WAIT_FOR_LOG=$K8S_DIR/controller-b.log wait_for 30 "x2 addressed by B" addressed x2
WAIT_FOR_LOG=$K8S_DIR/controller-b.log wait_for 30 "x3 addressed by B" addressed x3
x2=$(ip_of x2) x3=$(ip_of x3)
echo "A addressed x1 $x1; B, leading while A was stopped, x2 $x2 and x3 $x3"

kill -CONT "$a_pid"
wait_for 30 "A noticing it lost the lease" grep -q 'lost leadership' "$K8S_DIR/controller.log"
stop_b
wait_for 30 "A leading again" ready "$metrics_port"
wait_for 10 "A restoring its book again" \
    test "$(grep -c 'restored .* allocations' "$K8S_DIR/controller.log")" -gt "$restores"
grep 'restored .* allocations' "$K8S_DIR/controller.log" | tail -1 | grep -q 'restored 2 allocations' ||
    fail "A's restore: $(grep 'restored .* allocations' "$K8S_DIR/controller.log" | tail -1)"

pod x4
wait_for 30 "x4 addressed by A" addressed x4
x4=$(ip_of x4)
[[ $x4 != "$x2" && $x4 != "$x3" ]] || fail "A gave x4 $x4, which B gave x2 ($x2) or x3 ($x3)"
[[ $(ip_of x2) == "$x2" && $(ip_of x3) == "$x3" ]] ||
    fail "x2/x3 moved: $(ip_of x2) $(ip_of x3)"
echo "A, leading again, restored its book (2 allocations) and gave x4 $x4"

# --- 2. An address that excludeIps came to cover, across a restart.
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: ex}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ex}
automountServiceAccountToken: false
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: small}
spec: {cidrBlock: 10.231.0.0/29, namespaces: [ex]}
EOF
ns_bound() {
    [[ $(kubectl_admin get ns ex -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}') == small ]]
}
wait_for 30 "namespace ex bound to subnet small" ns_bound
pod s1 ex
wait_for 30 "s1 addressed" addressed s1 ex
s1=$(ip_of s1 ex)
kubectl_admin patch subnet small --type merge -p "{\"spec\":{\"excludeIps\":[\"$s1\"]}}" >/dev/null
wait_for 30 "A logging that s1 keeps $s1" grep -q "pod ex/s1 keeps addresses the new spec" \
    "$K8S_DIR/controller.log"
stop_pidfile "$K8S_DIR/controller.pid"
start_controller
pod s2 ex
wait_for 30 "s2 addressed after the restart" addressed s2 ex
sleep 2
[[ $(ip_of s1 ex) == "$s1" ]] || fail "s1 moved from $s1 to $(ip_of s1 ex)"
[[ $(ip_of s2 ex) != "$s1" ]] || fail "s2 got s1's $s1"
failed=$(kubectl_admin -n ex get events --field-selector involvedObject.name=s1,reason=AllocationFailed \
    -o jsonpath='{.items[*].message}')
[[ -z $failed ]] || fail "s1's allocation failed after the restart: $failed"
if grep -q 'cannot restore' "$K8S_DIR/controller.log"; then
    fail "a restore refused: $(grep 'cannot restore' "$K8S_DIR/controller.log" | head -3)"
fi
echo "s1 kept $s1 (excluded since) across a restart; s2 got $(ip_of s2 ex)"

# --- 3. A subnet held by a pod whose IP object is missing.
kubectl_admin apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: hold}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: hold}
automountServiceAccountToken: false
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: held}
spec: {cidrBlock: 10.232.0.0/29, namespaces: [hold]}
EOF
switch_held() { nbctl ls-list | grep -q '(held)'; }
ip_object() { kubectl_admin get ip "$1"; }
no_ip_object() { ! kubectl_admin get ip "$1"; }
wait_for 30 "switch held in OVN" switch_held
pod h1 hold
wait_for 30 "h1 addressed" addressed h1 hold
wait_for 30 "h1's IP object" ip_object h1.hold
h1=$(ip_of h1 hold)
# What a controller killed between the annotation patch and the IP's POST
# leaves: the pod annotated, no IP object.  The subnet's delete is asked
# while no controller runs, so the restarted one meets both at once.
stop_pidfile "$K8S_DIR/controller.pid"
kubectl_admin delete ip h1.hold --wait=false >/dev/null
kubectl_admin patch ip h1.hold --type merge -p '{"metadata":{"finalizers":null}}' \
    >/dev/null 2>&1 || true
wait_for 10 "h1's IP object gone" no_ip_object h1.hold
kubectl_admin delete subnet held --wait=false >/dev/null
start_controller
held_reason() {
    kubectl_admin get subnet held \
        -o jsonpath='{.status.conditions[?(@.type=="Ready")].reason}'
}
blocked() { [[ $(held_reason) == IPsInUse ]]; }
wait_for 30 "subnet held blocked by h1" blocked
msg=$(kubectl_admin get subnet held -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}')
[[ $msg == *h1.hold* ]] || fail "held's blocking message does not name h1: $msg"
sleep 2
kubectl_admin get subnet held >/dev/null 2>&1 || fail "subnet held deleted under pod h1"
switch_held || fail "switch held removed under pod h1"
[[ $(ip_of h1 hold) == "$h1" ]] || fail "h1 moved from $h1 to $(ip_of h1 hold)"
kubectl_admin -n hold delete pod h1 --grace-period=0 >/dev/null
subnet_gone() { ! kubectl_admin get subnet held; }
wait_for 30 "subnet held deleted once h1 went" subnet_gone
switch_held && fail "switch held left in OVN"
echo "subnet held waited for h1 ($h1, no IP object) and went with it"
echo PASS
