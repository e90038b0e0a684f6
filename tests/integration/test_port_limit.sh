#!/usr/bin/env bash
# OVN's port limit on one logical switch as something a user sees, never a
# silent northd error: a real control plane, OVN NB and kovn-controller
# with its webhook, run with --switch-port-limit=6 (the default, 32767, is
# Geneve's 15-bit port keys; a small limit shows the same behaviour on a
# /28 in seconds).
#  - A subnet with more usable addresses than its switch can attach is
#    allowed with an admission warning and gets WithinPortLimit=False
#    (reason ExceedsOvnPortLimit) and a Warning Event naming the limit; a
#    subnet that fits gets WithinPortLimit=True.
#  - At the limit a pod gets no address, though the subnet has free ones,
#    and a SubnetFull Event names OVN's limit; one pod gone, the waiting
#    pod gets the freed port.
#   test_port_limit.sh KOVN_CONTROLLER
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_port_limit.sh KOVN_CONTROLLER}

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

# The controller-manager makes the service accounts pods need.
start_k8s_and_ovn --no-scheduler
kubectl apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
    crd/subnets.kubeovn.io crd/vpcs.kubeovn.io crd/ips.kubeovn.io >/dev/null
"$kovn_root/scripts/certs.sh" "$K8S_DIR/certs" >/dev/null
metrics_port=$(free_port)
webhook_port=$(free_port)
limit=6
start_controller --switch-port-limit "$limit"
sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
    -e "s|@CA_BUNDLE@|$(base64 -w0 "$K8S_DIR/certs/ca.crt")|" \
    "$kovn_root/deploy/local/webhook.yaml" | kubectl apply -f - >/dev/null
wait_for 30 "the default VPC" kubectl get vpc ovn-cluster
step "control plane, OVN and kovn-controller (--switch-port-limit $limit) with its webhook"

condition() {
    kubectl get subnet "$1" -o jsonpath="{.status.conditions[?(@.type==\"$2\")].$3}"
}

# --- A subnet larger than its switch: allowed, warned, marked.
# 198.51.100.0/28: 13 usable addresses; the switch attaches 6 - 1 = 5 pods.
kubectl create namespace big >/dev/null
kubectl create namespace small >/dev/null
out=$(kubectl apply -f - 2>&1 <<'YAML'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: big}
spec: {cidrBlock: 198.51.100.0/28, namespaces: [big]}
YAML
) || fail "subnet big refused: $out"
[[ $out == *"Warning: Subnet big: 198.51.100.0/28 has 13 usable addresses, but one OVN logical switch holds at most 6 ports"* ]] ||
    fail "no admission warning for subnet big: $out"
out=$(kubectl apply -f - 2>&1 <<'YAML'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: small}
spec: {cidrBlock: 198.51.100.16/29, namespaces: [small]}
YAML
) || fail "subnet small refused: $out"
[[ $out != *Warning* ]] || fail "subnet small (5 usable) warned: $out"
wait_for 30 "big WithinPortLimit=False" bash -c \
    "[[ \$(kubectl get subnet big -o jsonpath='{.status.conditions[?(@.type==\"WithinPortLimit\")].status}') == False ]]"
[[ $(condition big WithinPortLimit reason) == ExceedsOvnPortLimit ]] ||
    fail "big: reason $(condition big WithinPortLimit reason)"
[[ $(condition big WithinPortLimit message) == *"at most 5 pods can attach"* ]] ||
    fail "big: message $(condition big WithinPortLimit message)"
[[ $(condition big Ready status) == True ]] || fail "big is not Ready: its addresses stay usable"
wait_for 30 "small WithinPortLimit=True" bash -c \
    "[[ \$(kubectl get subnet small -o jsonpath='{.status.conditions[?(@.type==\"WithinPortLimit\")].status}') == True ]]"
events=$(kubectl get events -A --field-selector involvedObject.kind=Subnet,involvedObject.name=big,reason=ExceedsOvnPortLimit -o name)
[[ -n $events ]] || fail "no ExceedsOvnPortLimit Event for subnet big"
step "subnet big (13 addresses, 5 ports): warned at creation, WithinPortLimit=False with an Event; small fits"

# --- At the limit: pods wait, with a SubnetFull Event naming the limit.
k8s_wait_sa big
for i in 1 2 3 4 5 6; do
    kubectl -n big run "p$i" --image=busybox --restart=Never >/dev/null
done
allocated() {
    kubectl -n big get pods -o jsonpath='{range .items[*]}{.metadata.annotations.ovn\.kubernetes\.io/allocated}{"\n"}{end}' |
        grep -c '^true$' || true
}
wait_for 30 "5 pods with addresses" bash -c "(( \$(kubectl -n big get pods -o jsonpath='{range .items[*]}{.metadata.annotations.ovn\.kubernetes\.io/allocated}{\"\\n\"}{end}' | grep -c '^true$') == 5 ))"
sleep 1
(($(allocated) == 5)) || fail "$(allocated) pods allocated, want 5 (the switch's limit)"
waiting=$(kubectl -n big get pods -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.ovn\.kubernetes\.io/allocated}{"\n"}{end}' |
    awk '$2 != "true" { print $1 }')
[[ -n $waiting ]] || fail "no pod is waiting"
wait_for 20 "a SubnetFull Event for $waiting" bash -c \
    "kubectl -n big get events --field-selector involvedObject.name=$waiting,reason=SubnetFull -o jsonpath='{.items[*].message}' | grep -q 'OVN logical switch'"
msg=$(kubectl -n big get events --field-selector "involvedObject.name=$waiting,reason=SubnetFull" -o jsonpath='{.items[0].message}')
[[ $msg == *"subnet big has 5 pods and nodes, as many as one OVN logical switch can attach (6 ports"* ]] ||
    fail "SubnetFull message: $msg"
used=$(kubectl get subnet big -o jsonpath='{.status.v4usingIPs}')
[[ $used == 5 ]] || fail "big: v4usingIPs $used, want 5"
step "5 pods get addresses, $waiting waits with SubnetFull: '$msg'"

victim=$(kubectl -n big get pods -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.ovn\.kubernetes\.io/allocated}{"\n"}{end}' |
    awk '$2 == "true" { print $1; exit }')
kubectl -n big delete pod "$victim" --wait=false >/dev/null
wait_for 30 "$waiting gets the freed port" bash -c \
    "[[ \$(kubectl -n big get pod $waiting -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/allocated}') == true ]]"
step "$victim deleted: $waiting gets its port"

! grep -q 'Sanitizer' "$K8S_DIR/controller.log" || fail "sanitizer report in the controller's log"
echo PASS
