#!/usr/bin/env bash
# Taking over a cluster Kube-OVN ran, against a real kube-apiserver and a
# real OVN NB.  The cluster is built as Kube-OVN leaves it, from its
# conventions: its finalizers on Vpcs and Subnets (both names), its NB rows
# tagged external_ids:vendor=kube-ovn with its names (routers after Vpcs,
# switches after Subnets, "<vpc>-<subnet>"/"<subnet>-<vpc>" port pairs,
# "<pod>.<ns>" ports with external_ids:pod and ls, the default VPC's
# cluster-tcp-loadbalancer, a localnet port kovn does not manage), IP
# objects and annotated pods and namespaces.  Planted problems: an orphaned
# subnet, a subnet stuck deleting (Kube-OVN's finalizer, leftover IPs of
# pods long gone), a stale pod port, a namespace annotation naming a
# missing subnet.
#  1. kubectl kovn check --kube-ovn lists exactly those six, exits 1, and
#     says what the takeover would adopt.
#  2. kovn-controller --adopt-kube-ovn takes over: every row keeps its UUID
#     (no row per name twice), no pod changes address or MAC (annotations,
#     IP objects, switch ports), the one check said could not keep its
#     claim gets an IPConflict Event, router ports keep their MAC, Kube-OVN's
#     finalizers are replaced, the stuck deletions complete, the
#     stale port goes in kovn's owner sweep, the localnet port is left as
#     it was, the namespace annotation is rewritten.
#  3. Deleting a migrated subnet and vpc completes, their rows go.
#   test_adopt.sh KOVN_CONTROLLER KUBECTL_KOVN
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_adopt.sh KOVN_CONTROLLER KUBECTL_KOVN}
cli=${2:?usage: test_adopt.sh KOVN_CONTROLLER KUBECTL_KOVN}

# The controller-manager makes the service accounts pods need; no
# scheduler: pods stay Pending, their addresses are all that matters.
k8s_start --no-scheduler
ovn_dir=$K8S_DIR/ovn
trap stop_k8s_and_ovn EXIT
"$kovn_root/scripts/ovn.sh" start "$ovn_dir" --no-northd >"$K8S_DIR/ovn.log" 2>&1 ||
    { cat "$K8S_DIR/ovn.log" >&2; fail "OVN did not start"; }
nb="unix:$ovn_dir/ovnnb_db.sock"
export KUBECONFIG=$KUBECONFIG_ADMIN
kubectl apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io >/dev/null
metrics_port=$(free_port)

kovn() {
    local rc=0
    "$cli" --kubeconfig "$K8S_DIR/kovn-cli.kubeconfig" "$@" 2>"$K8S_DIR/cli.err" || rc=$?
    cat "$K8S_DIR/cli.err" >&2
    ! grep -q 'Sanitizer' "$K8S_DIR/cli.err" || fail "sanitizer report from: kubectl-kovn $*"
    return $rc
}

echo "--- a cluster as Kube-OVN leaves it"
kubectl create namespace ns-a >/dev/null
kubectl create namespace ns-stale >/dev/null
k8s_wait_sa default ns-a
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: kubeovn.io/v1
kind: Vpc
metadata:
  name: ovn-cluster
  finalizers: [kubeovn.io/kube-ovn-controller]
spec: {}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata:
  name: vpc-a
  # The name Kube-OVN used before v1.13.
  finalizers: [kube-ovn-controller]
spec:
  namespaces: [ns-a]
---
# Planted: deleted while Kube-OVN held it.
apiVersion: kubeovn.io/v1
kind: Vpc
metadata:
  name: old-vpc
  finalizers: [kubeovn.io/kube-ovn-controller]
spec: {}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: ovn-default
  finalizers: [kubeovn.io/kube-ovn-controller]
spec:
  vpc: ovn-cluster
  default: true
  protocol: IPv4
  cidrBlock: 10.16.0.0/16
  gateway: 10.16.0.1
  excludeIps: [10.16.0.1]
  natOutgoing: true
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: join
  finalizers: [kubeovn.io/kube-ovn-controller]
spec:
  vpc: ovn-cluster
  protocol: IPv4
  cidrBlock: 100.64.0.0/16
  gateway: 100.64.0.1
  excludeIps: [100.64.0.1]
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: net-a
  finalizers: [kube-ovn-controller]
spec:
  vpc: vpc-a
  protocol: IPv4
  cidrBlock: 10.50.0.0/24
  gateway: 10.50.0.1
  excludeIps: [10.50.0.1]
  namespaces: [ns-a]
---
# Planted: its VPC is gone.
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: orphan
  finalizers: [kubeovn.io/kube-ovn-controller]
spec:
  vpc: gone-vpc
  protocol: IPv4
  cidrBlock: 10.60.0.0/24
  gateway: 10.60.0.1
---
# Planted: deleted while Kube-OVN held it, IPs of pods long gone left.
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: doomed
  finalizers: [kubeovn.io/kube-ovn-controller]
spec:
  vpc: ovn-cluster
  protocol: IPv4
  cidrBlock: 10.70.0.0/24
  gateway: 10.70.0.1
  excludeIps: [10.70.0.1]
YAML

# ip NAME POD NS SUBNET IP MAC: an IP object as Kube-OVN writes it.
ip() {
    kubectl apply -f - >/dev/null <<YAML
apiVersion: kubeovn.io/v1
kind: IP
metadata:
  name: $1
  labels: {ovn.kubernetes.io/subnet: $4}
spec:
  podName: $2
  namespace: $3
  subnet: $4
  attachSubnets: []
  ipAddress: $5
  v4IpAddress: $5
  attachIps: []
  macAddress: "$6"
  attachMacs: []
YAML
}
# pod NAME NS SUBNET IP MAC VPC CIDR GATEWAY: a pod Kube-OVN addressed.
pod() {
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $2
  annotations:
    ovn.kubernetes.io/allocated: "true"
    ovn.kubernetes.io/logical_switch: $3
    ovn.kubernetes.io/ip_address: $4
    ovn.kubernetes.io/mac_address: "$5"
    ovn.kubernetes.io/logical_router: $6
    ovn.kubernetes.io/cidr: $7
    ovn.kubernetes.io/gateway: $8
    ovn.kubernetes.io/pod_nic_type: veth-pair
    ovn.kubernetes.io/routed: "true"
spec:
  automountServiceAccountToken: false
  containers:
  - {name: c, image: registry.invalid/pause}
YAML
}
pod web-0 default ovn-default 10.16.0.5 00:00:00:aa:00:05 ovn-cluster 10.16.0.0/16 10.16.0.1
pod web-1 default ovn-default 10.16.0.6 00:00:00:aa:00:06 ovn-cluster 10.16.0.0/16 10.16.0.1
pod app-0 ns-a net-a 10.50.0.10 00:00:00:bb:00:10 vpc-a 10.50.0.0/24 10.50.0.1
# No IP object: its address is restored from its annotations alone.
pod app-1 ns-a net-a 10.50.0.11 00:00:00:bb:00:11 vpc-a 10.50.0.0/24 10.50.0.1
# Planted: annotations claiming web-0's address (no IP object, no port).
pod dup-0 default ovn-default 10.16.0.5 00:00:00:aa:00:77 ovn-cluster 10.16.0.0/16 10.16.0.1
ip web-0.default web-0 default ovn-default 10.16.0.5 00:00:00:aa:00:05
ip web-1.default web-1 default ovn-default 10.16.0.6 00:00:00:aa:00:06
ip app-0.ns-a app-0 ns-a net-a 10.50.0.10 00:00:00:bb:00:10
ip old-0.default old-0 default doomed 10.70.0.5 00:00:00:cc:00:05
ip old-1.default old-1 default doomed 10.70.0.6 00:00:00:cc:00:06
kubectl delete subnet doomed --wait=false >/dev/null
kubectl delete vpc old-vpc --wait=false >/dev/null
[[ -n $(kubectl get subnet doomed -o jsonpath='{.metadata.deletionTimestamp}') ]] ||
    fail "subnet doomed is not being deleted"

for ns in $(kubectl get ns -o jsonpath='{.items[*].metadata.name}'); do
    case $ns in
    ns-a) a=(net-a 10.50.0.0/24 10.50.0.1) ;;
    # Planted: names a subnet deleted long ago.
    ns-stale) a=(removed-subnet 10.80.0.0/24 10.80.0.1) ;;
    *) a=(ovn-default 10.16.0.0/16 10.16.0.1) ;;
    esac
    kubectl annotate --overwrite ns "$ns" ovn.kubernetes.io/logical_switch="${a[0]}" \
        ovn.kubernetes.io/cidr="${a[1]}" ovn.kubernetes.io/exclude_ips="${a[2]}" >/dev/null
done

ko=(external_ids:vendor=kube-ovn)
nbctl lr-add ovn-cluster -- set logical_router ovn-cluster "${ko[@]}"
nbctl lr-add vpc-a -- set logical_router vpc-a "${ko[@]}"
nbctl lr-add old-vpc -- set logical_router old-vpc "${ko[@]}"
# subnet LS ROUTER CIDR GATEWAY/PREFIX MAC
subnet() {
    nbctl ls-add "$1" -- set logical_switch "$1" "${ko[@]}" \
        other_config:subnet="$3" other_config:exclude_ips="${4%/*}"
    nbctl lrp-add "$2" "$2-$1" "$5" "$4" -- set logical_router_port "$2-$1" "${ko[@]}"
    nbctl lsp-add "$1" "$1-$2" -- lsp-set-type "$1-$2" router -- \
        lsp-set-addresses "$1-$2" router -- \
        lsp-set-options "$1-$2" router-port="$2-$1" -- \
        set logical_switch_port "$1-$2" "${ko[@]}" external_ids:ls="$1"
}
subnet ovn-default ovn-cluster 10.16.0.0/16 10.16.0.1/16 00:00:00:11:00:01
subnet join ovn-cluster 100.64.0.0/16 100.64.0.1/16 00:00:00:11:00:02
subnet net-a vpc-a 10.50.0.0/24 10.50.0.1/24 00:00:00:11:00:03
subnet doomed ovn-cluster 10.70.0.0/24 10.70.0.1/24 00:00:00:11:00:04
# port LS NS POD "MAC IP"
port() {
    nbctl lsp-add "$1" "$3.$2" -- lsp-set-addresses "$3.$2" "$4" -- \
        lsp-set-port-security "$3.$2" "$4" -- \
        set logical_switch_port "$3.$2" "${ko[@]}" external_ids:pod="$2/$3" \
        external_ids:ls="$1"
}
port ovn-default default web-0 "00:00:00:aa:00:05 10.16.0.5"
port ovn-default default web-1 "00:00:00:aa:00:06 10.16.0.6"
port net-a ns-a app-0 "00:00:00:bb:00:10 10.50.0.10"
port net-a ns-a app-1 "00:00:00:bb:00:11 10.50.0.11"
# Planted: its pod is gone.
port ovn-default default ghost-0 "00:00:00:aa:00:99 10.16.0.99"
# Not a kind kovn manages: left as it is.
nbctl lsp-add net-a localnet.net-a -- lsp-set-type localnet.net-a localnet -- \
    lsp-set-addresses localnet.net-a unknown -- \
    set logical_switch_port localnet.net-a "${ko[@]}" external_ids:ls=net-a
nbctl create load_balancer name=cluster-tcp-loadbalancer protocol=tcp \
    "${ko[@]}" >/dev/null

echo "--- 1. check --kube-ovn before the takeover"
rc=0
kovn check --kube-ovn --ovn-nb "$nb" >"$K8S_DIR/check.txt" || rc=$?
cat "$K8S_DIR/check.txt"
[[ $rc == 1 ]] || fail "check --kube-ovn exited $rc, want 1 (findings)"
grep -Eq '^Subnet +orphan +orphaned: vpc gone-vpc does not exist' "$K8S_DIR/check.txt" ||
    fail "check: orphaned subnet"
grep -E '^Subnet +doomed +deleting for' "$K8S_DIR/check.txt" |
    grep -F '2 leftover IPs whose pod is gone: old-0.default, old-1.default' |
    grep -Fq 'held by finalizer kubeovn.io/kube-ovn-controller (Kube-OVN' ||
    fail "check: subnet stuck deleting"
grep -Eq "^Pod +default/dup-0 +address 10.16.0.5 in ovn-default is also IP web-0.default's: the pod, still annotated with it, gets no port \(event IPConflict\)" \
    "$K8S_DIR/check.txt" || fail "check: address claimed twice"
grep -E '^Vpc +old-vpc +deleting for' "$K8S_DIR/check.txt" |
    grep -Fq "held by finalizer kubeovn.io/kube-ovn-controller (Kube-OVN's: kovn-controller --adopt-kube-ovn takes it over)" ||
    fail "check: vpc stuck deleting"
grep -Eq '^Logical_Switch_Port +ghost-0.default +Kube-OVN row, stale: pod default/ghost-0 is gone' \
    "$K8S_DIR/check.txt" || fail "check: stale port"
grep -Eq '^Namespace +ns-stale +annotation ovn.kubernetes.io/logical_switch names subnet removed-subnet, which does not exist' \
    "$K8S_DIR/check.txt" || fail "check: namespace naming a missing subnet"
grep -q '^  adopt 20 Kube-OVN OVN rows in place' "$K8S_DIR/check.txt" ||
    fail "check: adoption count"
grep -q "^  replace Kube-OVN's finalizer on 3 vpcs and 5 subnets" "$K8S_DIR/check.txt" ||
    fail "check: finalizer count"

rc=0
kovn check --kube-ovn --ovn-nb "$nb" -o json >"$K8S_DIR/check.json" || rc=$?
[[ $rc == 1 ]] || fail "check --kube-ovn -o json exited $rc"
python3 - "$K8S_DIR/check.json" <<'PY' || fail "check -o json: $(cat "$K8S_DIR/check.json")"
import json, sys
c = json.load(open(sys.argv[1]))
found = sorted((f["kind"], f["name"]) for f in c["findings"])
# Exactly the planted problems, nothing else.
assert found == [("Logical_Switch_Port", "ghost-0.default"),
                 ("Namespace", "ns-stale"), ("Pod", "default/dup-0"),
                 ("Subnet", "doomed"), ("Subnet", "orphan"),
                 ("Vpc", "old-vpc")], found
t = c["takeover"]
assert t["adopt"] == {"Load_Balancer": 1, "Logical_Router": 3,
                      "Logical_Router_Port": 4, "Logical_Switch": 4,
                      "Logical_Switch_Port": 8}, t
assert (t["stale"], t["orphan"], t["conflict"], t["foreign"]) == (1, 0, 0, 1), t
assert (t["vpc_finalizers"], t["subnet_finalizers"], t["ips"]) == (3, 5, 5), t
PY
# Without --kube-ovn the Kube-OVN rows are not kovn's business: no
# stale-row finding, no takeover section.
rc=0
kovn check --ovn-nb "$nb" >"$K8S_DIR/check-plain.txt" || rc=$?
[[ $rc == 1 ]] || fail "plain check exited $rc"
! grep -q 'ghost-0' "$K8S_DIR/check-plain.txt" || fail "plain check judges Kube-OVN rows"
! grep -q '^Takeover' "$K8S_DIR/check-plain.txt" || fail "plain check prints a takeover"
kovn orphans -o json | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert [x["subnet"] for x in o] == ["orphan"], o' || fail "orphans on a Kube-OVN cluster"

# What must not change: pods' addresses and MACs, rows' UUIDs.
snapshot() {
    for p in default/web-0 default/web-1 ns-a/app-0 ns-a/app-1; do
        kubectl -n "${p%/*}" get pod "${p#*/}" -o \
            jsonpath="{.metadata.annotations.ovn\.kubernetes\.io/ip_address} {.metadata.annotations.ovn\.kubernetes\.io/mac_address}{'\n'}"
    done
    for lsp in web-0.default web-1.default app-0.ns-a app-1.ns-a; do
        echo "$lsp $(nbctl get logical_switch_port "$lsp" _uuid addresses port_security | xargs)"
    done
    for lrp in ovn-cluster-ovn-default ovn-cluster-join vpc-a-net-a; do
        echo "$lrp $(nbctl get logical_router_port "$lrp" _uuid mac networks | xargs)"
    done
    for r in "logical_router ovn-cluster" "logical_router vpc-a" \
        "logical_switch ovn-default" "logical_switch join" "logical_switch net-a" \
        "load_balancer cluster-tcp-loadbalancer"; do
        read -r t n <<<"$r"
        echo "$t $n $(nbctl --bare --columns=_uuid find $t name=$n | xargs)"
    done
}
snapshot >"$K8S_DIR/before.txt"

echo "--- 2. kovn-controller --adopt-kube-ovn"
start_controller --adopt-kube-ovn --gc-interval 2s
finalizers() {
    kubectl get "$1" -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.finalizers}{"\n"}{end}' |
        sort | tr '\n' ' '
}
want_vpcs='ovn-cluster=["kubeovn.io/kovn-controller"] vpc-a=["kubeovn.io/kovn-controller"] '
want_subnets='join=["kubeovn.io/kovn-controller"] net-a=["kubeovn.io/kovn-controller"] orphan=["kubeovn.io/kovn-controller"] ovn-default=["kubeovn.io/kovn-controller"] '
# wait_eq SECONDS DESCRIPTION WANT COMMAND...: polls until COMMAND prints
# WANT; on a timeout says what it printed last.
wait_eq() {
    local seconds=$1 what=$2 want=$3 i got
    shift 3
    for ((i = 0; i < seconds * 10; i++)); do
        got=$("$@")
        [[ $got == "$want" ]] && return 0
        sleep 0.1
    done
    log_tail "$K8S_DIR/controller.log"
    fail "$what: not within $seconds s: have '$got', want '$want'"
}
wait_eq 30 "Kube-OVN's finalizers replaced on vpcs" "$want_vpcs" finalizers vpcs
# doomed goes too: its leftover IPs released, its rows removed, Kube-OVN's
# finalizer dropped.
wait_eq 30 "Kube-OVN's finalizers replaced on subnets, doomed deleted" \
    "$want_subnets" finalizers subnets
# Names of the rows of TABLE named NAME (one line each).
rows() { nbctl --bare --columns=name find "$1" name="$2"; }
ips() { kubectl get ips -o name | sed 's|.*/||' | sort | xargs; }
wait_eq 30 "leftover IPs released, app-1's made from its annotations" \
    "app-0.ns-a app-1.ns-a web-0.default web-1.default" ips
wait_eq 30 "doomed's rows removed" "" rows logical_switch doomed
wait_eq 30 "old-vpc's router removed" "" rows logical_router old-vpc
[[ -z $(nbctl --bare --columns=name find logical_router_port name=ovn-cluster-doomed) ]] ||
    fail "doomed's router port left"
# The stale port was adopted for the owner sweep, which removes it.
wait_eq 30 "stale port swept" "" rows logical_switch_port ghost-0.default
wait_for 30 "app-1's IP object, from its annotations" kubectl get ip app-1.ns-a
wait_eq 30 "ns-stale annotated anew" ovn-default kubectl get ns ns-stale \
    -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}'
wait_for 30 "subnets Ready" kubectl wait --for=condition=Ready --timeout=1s \
    subnet/ovn-default subnet/join subnet/net-a

snapshot >"$K8S_DIR/after.txt"
diff -u "$K8S_DIR/before.txt" "$K8S_DIR/after.txt" ||
    fail "addresses, MACs or row UUIDs changed in the takeover"
# The one claim check said would not hold did not: web-0 kept the
# address, dup-0 got an IPConflict Event and no port.
dup_events() {
    kubectl get events --field-selector involvedObject.name=dup-0 \
        -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}' | sort -u | xargs
}
wait_eq 30 "dup-0's conflict reported" IPConflict dup_events
[[ -z $(rows logical_switch_port dup-0.default) ]] || fail "dup-0 got a port"
[[ $(kubectl get ip app-1.ns-a -o jsonpath='{.spec.v4IpAddress} {.spec.macAddress}') == \
    "10.50.0.11 00:00:00:bb:00:11" ]] || fail "app-1's IP object"
for t in logical_router logical_switch logical_switch_port logical_router_port load_balancer; do
    dups=$(nbctl --bare --columns=name list $t | grep -v '^$' | sort | uniq -d)
    [[ -z $dups ]] || fail "$t rows twice: $dups"
done
for r in "logical_switch ovn-default" "logical_router vpc-a" \
    "logical_switch_port web-0.default" "logical_router_port vpc-a-net-a" \
    "load_balancer cluster-tcp-loadbalancer"; do
    read -r t n <<<"$r"
    [[ $(nbctl --bare --columns=external_ids find $t name=$n) == *vendor=kovn* ]] ||
        fail "$t $n not adopted: $(nbctl --bare --columns=external_ids find $t name=$n)"
done
[[ $(nbctl get logical_switch_port localnet.net-a external_ids:vendor) =~ ^\"?kube-ovn\"?$ ]] ||
    fail "localnet port touched"
[[ $(nbctl get logical_switch_port localnet.net-a type) == localnet ]] ||
    fail "localnet port changed"
# Nothing of Kube-OVN's is left that kovn should have taken.
rc=0
kovn check --kube-ovn --ovn-nb "$nb" -o json >"$K8S_DIR/check2.json" || rc=$?
python3 - "$K8S_DIR/check2.json" <<'PY' || fail "check after the takeover: $(cat "$K8S_DIR/check2.json")"
import json, sys
c = json.load(open(sys.argv[1]))
found = sorted((f["kind"], f["name"]) for f in c["findings"])
assert found == [("Pod", "default/dup-0"), ("Subnet", "orphan")], found
t = c["takeover"]
assert t["adopt"] == {} and t["foreign"] == 1, t
assert (t["vpc_finalizers"], t["subnet_finalizers"]) == (0, 0), t
PY
[[ $rc == 1 ]] || fail "check after the takeover exited $rc"
grep -q 'adopted Kube-OVN' "$K8S_DIR/controller.log" || fail "no adoption logged"

echo "--- 3. deleting a migrated subnet and vpc completes"
kubectl -n ns-a delete pod app-0 app-1 --wait=false >/dev/null
wait_eq 30 "app-0's and app-1's IPs released" \
    "web-0.default web-1.default" ips
kubectl delete subnet net-a --wait=false >/dev/null
kubectl delete vpc vpc-a --wait=false >/dev/null
wait_eq 30 "subnet net-a deleted" "" kubectl get subnet net-a -o name --ignore-not-found
wait_eq 30 "vpc vpc-a deleted" "" kubectl get vpc vpc-a -o name --ignore-not-found
wait_eq 30 "vpc-a's router removed" "" rows logical_router vpc-a
[[ -z $(nbctl --bare --columns=name find logical_switch name=net-a) ]] || fail "net-a's switch left"
[[ -z $(nbctl --bare --columns=name find logical_router_port name=vpc-a-net-a) ]] ||
    fail "net-a's router port left"
! grep -q 'Sanitizer' "$K8S_DIR/controller.log" || fail "sanitizer report from the controller"
echo ok
