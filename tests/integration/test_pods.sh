#!/usr/bin/env bash
# Pods get addresses: kovn-controller's IPAM and pod reconciler against a
# real kube-apiserver (with kube-controller-manager, for service accounts)
# and OVN NB.  1,000 pods over 3 namespaces and 2 subnets (one dual-stack);
# static addresses and conflicts; a full subnet spilling into the next;
# kill -9 of the controller 20 times while 500 pods come and go; release
# on delete; a deleted subnet leaving nothing in OVN.
#   test_pods.sh KOVN_CONTROLLER
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
controller=${1:?usage: test_pods.sh KOVN_CONTROLLER}

k8s_start --no-scheduler
ovn_dir=$K8S_DIR/ovn
cleanup() {
    stop_pidfile "$K8S_DIR/controller.pid"
    "$kovn_root/scripts/ovn.sh" stop "$ovn_dir" >/dev/null 2>&1 || true
    [[ -n "${KEEP:-}" ]] || k8s_cleanup
}
trap cleanup EXIT
"$kovn_root/scripts/ovn.sh" start "$ovn_dir" --no-northd >"$K8S_DIR/ovn.log" 2>&1 ||
    { cat "$K8S_DIR/ovn.log" >&2; fail "OVN did not start"; }
nb="unix:$ovn_dir/ovnnb_db.sock"
export KUBECONFIG=$KUBECONFIG_ADMIN
kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null

metrics_port=$(free_port)
start_controller() {
    "$controller" --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" \
        --ovn-nb "$nb" --metrics-port "$metrics_port" --no-leader-elect \
        >>"$K8S_DIR/controller.log" 2>&1 &
    echo $! >"$K8S_DIR/controller.pid"
}
wait_ready() {
    for ((i = 0; i < 300; i++)); do
        curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null && return 0
        sleep 0.1
    done
    log_tail "$K8S_DIR/controller.log"
    fail "controller not ready"
}
start_controller
wait_ready

# pods NS PREFIX N [EXTRA-ANNOTATIONS-JSON]: a List of N bare pods.
pods() {
    python3 - "$@" <<'PY'
import json, sys
ns, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
items = [{"apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "%s-%d" % (prefix, i), "namespace": ns},
          "spec": {"containers": [{"name": "c", "image": "none"}]}}
         for i in range(n)]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
PY
}

# Checks every IP object against the annotations and OVN: unique
# addresses, none reserved, ports present.  Prints "N IPs".
verify() {
    kubectl get ips -o json >"$K8S_DIR/ips.json"
    kubectl get pods -A -o json >"$K8S_DIR/pods.json"
    ovn-nbctl --db="$nb" --format=csv --data=bare --no-headings \
        --columns=name,addresses list logical_switch_port >"$K8S_DIR/lsps.csv"
    kubectl get subnets -o json >"$K8S_DIR/subnets.json"
    python3 "$kovn_root/tests/lib/verify_pods.py" "$K8S_DIR" "$@"
}

# --- 1,000 pods, 3 namespaces, 2 subnets (one dual-stack).
kubectl apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Namespace
metadata: {name: p1}
---
apiVersion: v1
kind: Namespace
metadata: {name: p2}
---
apiVersion: v1
kind: Namespace
metadata: {name: p3}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sv4}
spec:
  cidrBlock: 10.70.0.0/20
  excludeIps: [10.70.0.1..10.70.0.20, 10.70.1.0..10.70.1.255]
  namespaces: [p1, p2]
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sdual}
spec:
  protocol: Dual
  cidrBlock: 10.71.0.0/22,fd00:71::/112
  gateway: 10.71.0.1,fd00:71::1
  excludeIps: [10.71.0.2..10.71.0.9, fd00:71::2..fd00:71::9]
  namespaces: [p3]
EOF2
k8s_wait_sa p1 p2 p3
start=$(date +%s.%N)
pods p1 a 400 | kubectl create -f - >/dev/null
pods p2 a 300 | kubectl create -f - >/dev/null
pods p3 a 300 | kubectl create -f - >/dev/null
for ((i = 0; i < 600; i++)); do
    n=$(kubectl get ips --no-headers 2>/dev/null | wc -l) || true
    ((n >= 1000)) && break
    sleep 0.2
done
((n >= 1000)) || fail "only $n IP objects for 1000 pods"
# Counts are written at most once a second.
sleep 2
verify --expect 1000 --dual-subnet sdual || fail "1000 pods"
echo "1000 pods: addressed, IP objects and ports in $(python3 -c "import time; print('%.1f' % (time.time() - $start))") s"

# --- Static addresses, a conflict, and a full subnet spilling over.
kubectl apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Namespace
metadata: {name: q}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: tiny}
spec: {cidrBlock: 10.72.0.0/29, namespaces: [q]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: tiny2}
spec: {cidrBlock: 10.73.0.0/24, namespaces: [q]}
EOF2
k8s_wait_sa q
kubectl apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: static
  namespace: p1
  annotations:
    ovn.kubernetes.io/ip_address: 10.70.5.5
    ovn.kubernetes.io/mac_address: 00:00:00:12:34:56
spec: {containers: [{name: c, image: none}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: static-dup
  namespace: p2
  annotations: {ovn.kubernetes.io/ip_address: 10.70.5.5}
spec: {containers: [{name: c, image: none}]}
EOF2
pods q t 7 | kubectl create -f - >/dev/null
for ((i = 0; i < 100; i++)); do
    got=$(kubectl -n p1 get pod static -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/allocated} {.metadata.annotations.ovn\.kubernetes\.io/ip_address} {.metadata.annotations.ovn\.kubernetes\.io/mac_address}')
    [[ $got == "true 10.70.5.5 00:00:00:12:34:56" ]] && break
    sleep 0.1
done
[[ $got == "true 10.70.5.5 00:00:00:12:34:56" ]] || fail "static pod: $got"
for ((i = 0; i < 100; i++)); do
    kubectl -n p2 get events --field-selector reason=IPConflict,involvedObject.name=static-dup \
        -o name | grep -q . && break
    sleep 0.1
done
((i < 100)) || fail "no IPConflict event for static-dup"
[[ -z $(kubectl -n p2 get pod static-dup -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/allocated}') ]] ||
    fail "conflicting pod was wired"
for ((i = 0; i < 100; i++)); do
    n=$(kubectl -n q get pods -o jsonpath='{range .items[*]}{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}{"\n"}{end}' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
    [[ $n == " 5 tiny; 2 tiny2;" ]] && break
    sleep 0.1
done
[[ $n == " 5 tiny; 2 tiny2;" ]] || fail "spill-over: $n"
# Events are written asynchronously, after the allocation they report.
for ((i = 0; i < 100; i++)); do
    kubectl -n q get events --field-selector reason=SubnetFull -o name | grep -q . && break
    sleep 0.1
done
((i < 100)) || fail "no SubnetFull event"
echo "static IP/MAC honoured; conflict reported and not wired; full subnet spilled over"

# --- Nodes get a join address and a port; a deleted node gives them back.
for n in node-a node-b; do
    kubectl create -f - >/dev/null <<EOF2
apiVersion: v1
kind: Node
metadata: {name: $n}
EOF2
done
for ((i = 0; i < 100; i++)); do
    ips=$(kubectl get nodes node-a node-b -o jsonpath='{range .items[*]}{.metadata.annotations.ovn\.kubernetes\.io/ip_address} {end}')
    [[ $ips == 100.64.* && $ips == *" 100.64."* ]] && break
    sleep 0.1
done
[[ $ips == 100.64.* && $ips == *" 100.64."* ]] || fail "node addresses: '$ips'"
[[ $(kubectl get node node-a -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}') == join ]] ||
    fail "node-a logical_switch"
for ((i = 0; i < 50; i++)); do
    ovn-nbctl --db="$nb" lsp-list join | grep -q '(node-node-b)' && break
    sleep 0.1
done
ovn-nbctl --db="$nb" lsp-list join | grep -q '(node-node-a)' || fail "no port node-node-a"
kubectl delete node node-b >/dev/null
for ((i = 0; i < 100; i++)); do
    ovn-nbctl --db="$nb" lsp-list join | grep -q '(node-node-b)' || break
    sleep 0.1
done
ovn-nbctl --db="$nb" lsp-list join | grep -q '(node-node-b)' && fail "port of deleted node-b left"
for ((i = 0; i < 50; i++)); do
    [[ $(kubectl get subnet join -o jsonpath='{.status.v4usingIPs}') == 1 ]] && break
    sleep 0.2
done
[[ $(kubectl get subnet join -o jsonpath='{.status.v4usingIPs}') == 1 ]] ||
    fail "join v4usingIPs after node delete"
echo "nodes: join addresses, ports node-<name>, released on delete"

# --- kill -9 the controller 20 times while 500 pods come and go.
kubectl apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Namespace
metadata: {name: churn}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: schurn}
spec: {cidrBlock: 10.74.0.0/22, namespaces: [churn]}
EOF2
k8s_wait_sa churn
(
    for ((k = 0; k < 20; k++)); do
        sleep 1.5
        kill -9 "$(cat "$K8S_DIR/controller.pid")" 2>/dev/null || true
        sleep 0.2
        start_controller
    done
) 2>/dev/null &
killer=$!
pods churn c 500 | kubectl create -f - >/dev/null
sleep 8
kubectl -n churn delete pods $(seq -f 'c-%g' 0 2 498) --wait=false >/dev/null
pods churn d 100 | kubectl create -f - >/dev/null
wait "$killer"
wait_ready
for ((i = 0; i < 600; i++)); do
    verify --quiet && break
    sleep 0.5
done
verify || fail "after 20 kill -9: inconsistent"
echo "20 x kill -9 during 600 creates and 250 deletes: consistent ($(verify))"

# --- Deleting pods frees their addresses; a deleted subnet leaves nothing.
kubectl -n churn delete pods --all --wait=false >/dev/null
for ((i = 0; i < 300; i++)); do
    used=$(kubectl get subnet schurn -o jsonpath='{.status.v4usingIPs}')
    [[ $used == 0 ]] && break
    sleep 0.2
done
[[ $used == 0 ]] || fail "schurn still uses $used addresses"
kubectl delete subnet schurn >/dev/null
for ((i = 0; i < 100; i++)); do
    ovn-nbctl --db="$nb" ls-list | grep -q '(schurn)' || break
    sleep 0.1
done
ovn-nbctl --db="$nb" ls-list | grep -q '(schurn)' && fail "switch schurn left"
ovn-nbctl --db="$nb" --data=bare --no-headings --columns=name list logical_switch_port |
    grep -q '^c-.*\.churn$' && fail "ports of churn pods left"
verify || fail "final state"
echo PASS
