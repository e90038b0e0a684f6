#!/usr/bin/env bash
# kubectl-kovn against a real kube-apiserver and a real OVN NB: orphans
# lists exactly the subnets whose VPC is missing (with the pods using
# them, found across list pages), check reports orphans, a VPC stuck
# deleting, wrong namespace annotations and stale OVN rows with the exit
# codes documented, gc --dry-run changes nothing, gc deletes only unused
# orphans (removing kovn's finalizer) and stale kovn rows, never rows
# without vendor=kovn.  Also run as a kubectl plugin.
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
cli=${1:?usage: test_cli.sh KUBECTL_KOVN_BINARY}
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")

ovn_dir=""
cleanup_all() {
    [[ -n "$ovn_dir" ]] && "$kovn_root/scripts/ovn.sh" stop "$ovn_dir" >/dev/null 2>&1
    [[ -n "$ovn_dir" ]] && rm -rf "$ovn_dir"
    k8s_cleanup
}

# The controller-manager makes the default service account pods need; no
# scheduler, so pods stay Pending, which is all this test needs.
k8s_start --no-scheduler
trap cleanup_all EXIT
kubectl_admin apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl_admin wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io \
    crd/ippools.kubeovn.io >/dev/null
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
# The CLI runs with the least privileges deploy/rbac.yaml gives it.
kc="$K8S_DIR/kovn-cli.kubeconfig"
# Runs the CLI; a sanitizer report on its stderr fails the test even when
# the exit code looked as expected.
kovn() {
    local rc=0
    "$cli" --kubeconfig "$kc" "$@" 2>"$K8S_DIR/last.err" || rc=$?
    cat "$K8S_DIR/last.err" >&2
    ! grep -q 'Sanitizer' "$K8S_DIR/last.err" || fail "sanitizer report from: kubectl-kovn $*"
    return $rc
}
py() {
    python3 -c "$1" "${@:2}"
}

kubectl_admin apply -f - >/dev/null <<'YAML'
apiVersion: kubeovn.io/v1
kind: Vpc
metadata:
  name: ovn-cluster
spec:
  enableExternal: false
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata:
  name: doomed
  finalizers: [example.com/hold]
spec:
  enableExternal: false
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: ovn-default
spec:
  vpc: ovn-cluster
  default: true
  protocol: IPv4
  cidrBlock: 10.16.0.0/16
  gateway: 10.16.0.1
  excludeIps: [10.16.0.1]
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: blocker
spec:
  vpc: doomed
  protocol: IPv4
  cidrBlock: 10.30.0.0/16
  gateway: 10.30.0.1
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: orphan-a
  finalizers: [kubeovn.io/kovn-controller]
spec:
  vpc: gone-a
  protocol: IPv4
  cidrBlock: 10.40.0.0/16
  gateway: 10.40.0.1
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: orphan-b
spec:
  vpc: gone-b
  protocol: IPv4
  cidrBlock: 10.41.0.0/16
  gateway: 10.41.0.1
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: orphan-used
spec:
  vpc: gone-c
  protocol: IPv4
  cidrBlock: 10.42.0.0/16
  gateway: 10.42.0.1
  namespaces: [ns-orphaned]
---
apiVersion: kubeovn.io/v1
kind: IP
metadata:
  name: web-0.default
spec:
  podName: web-0
  namespace: default
  subnet: orphan-used
  ipAddress: 10.42.0.5
  v4IpAddress: 10.42.0.5
  macAddress: 00:00:00:12:34:56
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: default
  annotations:
    ovn.kubernetes.io/logical_switch: orphan-used
spec:
  automountServiceAccountToken: false
  containers:
  - {name: c, image: registry.invalid/pause}
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  namespace: default
  annotations:
    ovn.kubernetes.io/logical_switch: ovn-default
spec:
  automountServiceAccountToken: false
  containers:
  - {name: c, image: registry.invalid/pause}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns-good
  annotations:
    ovn.kubernetes.io/logical_switch: ovn-default
    ovn.kubernetes.io/cidr: 10.16.0.0/16
    ovn.kubernetes.io/exclude_ips: 10.16.0.1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns-orphaned
  annotations:
    ovn.kubernetes.io/logical_switch: orphan-used
    ovn.kubernetes.io/cidr: 10.42.0.0/16
    ovn.kubernetes.io/exclude_ips: 10.42.0.1
YAML

# More IPs than one list page (500), all sorting before web-0.default, so
# the IP using orphan-used is only seen if paging works.
py '
import json
items = [{"apiVersion": "kubeovn.io/v1", "kind": "IP",
          "metadata": {"name": "filler-%04d.default" % i},
          "spec": {"podName": "filler-%04d" % i, "namespace": "default",
                   "subnet": "ovn-default"}} for i in range(520)]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
' >"$K8S_DIR/fillers.json"
kubectl_admin create -f "$K8S_DIR/fillers.json" >/dev/null

kubectl_admin delete vpc doomed --wait=false >/dev/null
[[ -n $(kubectl_admin get vpc doomed -o jsonpath='{.metadata.deletionTimestamp}') ]] ||
    fail "vpc doomed is not being deleted"

subnet_names() {
    kubectl_admin get subnets -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort | tr '\n' ' '
}
all_subnets="blocker orphan-a orphan-b orphan-used ovn-default "
[[ $(subnet_names) == "$all_subnets" ]] || fail "subnets at start: $(subnet_names)"

echo "--- usage errors: exit 2, usage on stderr"
for args in "" "frobnicate" "orphans --bogus" "orphans -o yaml" \
    "orphans --dry-run" "orphans extra"; do
    rc=0
    # shellcheck disable=SC2086
    "$cli" $args >"$K8S_DIR/out" 2>"$K8S_DIR/err" || rc=$?
    [[ $rc == 2 ]] || fail "'$args' exited $rc, want 2"
    grep -q '^Usage: kubectl-kovn' "$K8S_DIR/err" || fail "'$args': no usage on stderr"
    [[ ! -s "$K8S_DIR/out" ]] || fail "'$args' wrote to stdout"
done
grep -q "^Usage: kubectl-kovn" <<<"$("$cli" --help)" || fail "--help"

echo "--- orphans"
kovn orphans -o json >"$K8S_DIR/orphans.json"
py '
import json, sys
o = json.load(open(sys.argv[1]))
by = {x["subnet"]: x for x in o}
assert sorted(by) == ["orphan-a", "orphan-b", "orphan-used"], sorted(by)
assert by["orphan-a"]["vpc"] == "gone-a" and by["orphan-b"]["vpc"] == "gone-b"
assert by["orphan-used"]["vpc"] == "gone-c"
# The IP object and the pod annotation name the same pod: counted once.
assert by["orphan-used"]["pods"] == 1, by["orphan-used"]
assert by["orphan-a"]["pods"] == 0 and by["orphan-b"]["pods"] == 0
assert by["orphan-a"]["action"] == "kubectl kovn gc", by["orphan-a"]
assert by["orphan-used"]["action"] == "create vpc gone-c or move its pods"
for x in o:
    assert isinstance(x["age_seconds"], int) and 0 <= x["age_seconds"] < 600, x
    assert set(x) == {"subnet", "vpc", "age_seconds", "pods", "action"}, x
' "$K8S_DIR/orphans.json" || fail "orphans -o json: $(cat "$K8S_DIR/orphans.json")"

kovn orphans >"$K8S_DIR/orphans.txt"
cat "$K8S_DIR/orphans.txt"
head -1 "$K8S_DIR/orphans.txt" | grep -Eq '^SUBNET +MISSING-VPC +AGE +PODS +ACTION$' ||
    fail "orphans header"
[[ $(wc -l <"$K8S_DIR/orphans.txt") == 4 ]] || fail "orphans: want 3 rows"
grep -Eq '^orphan-used +gone-c +[0-9]+(s|m[0-9]*s?) +1 +create vpc gone-c or move its pods$' \
    "$K8S_DIR/orphans.txt" || fail "orphans: orphan-used row"
grep -Eq '^orphan-a +gone-a +[0-9]+\S* +0 +kubectl kovn gc$' "$K8S_DIR/orphans.txt" ||
    fail "orphans: orphan-a row"

echo "--- as a kubectl plugin, kubeconfig from \$KUBECONFIG"
mkdir -p "$K8S_DIR/bin"
ln -s "$cli" "$K8S_DIR/bin/kubectl-kovn"
PATH="$K8S_DIR/bin:$PATH" KUBECONFIG="$kc" /usr/bin/kubectl kovn orphans -o json |
    py 'import json, sys; assert len(json.load(sys.stdin)) == 3' ||
    fail "kubectl kovn orphans"

echo "--- check without OVN"
rc=0
kovn check >"$K8S_DIR/check.txt" 2>"$K8S_DIR/check.err" || rc=$?
cat "$K8S_DIR/check.txt"
[[ $rc == 1 ]] || fail "check exited $rc, want 1: $(cat "$K8S_DIR/check.err")"
head -1 "$K8S_DIR/check.txt" | grep -Eq '^KIND +NAME +PROBLEM$' || fail "check header"
for s in orphan-a orphan-b orphan-used; do
    grep -Eq "^Subnet +$s +orphaned: vpc gone-. does not exist" "$K8S_DIR/check.txt" ||
        fail "check does not name orphan $s"
done
grep -E '^Vpc +doomed ' "$K8S_DIR/check.txt" | grep -q 'blocked by subnet blocker' ||
    fail "check does not say which subnet blocks vpc doomed"
grep -E '^Vpc +doomed ' "$K8S_DIR/check.txt" | grep -q 'example.com/hold' ||
    fail "check does not name the finalizer holding vpc doomed"
grep -E '^Namespace +default +missing annotations' "$K8S_DIR/check.txt" |
    grep -q 'want logical_switch=ovn-default cidr=10.16.0.0/16 exclude_ips=10.16.0.1' ||
    fail "check: namespace default without annotations"
grep -E '^Namespace +ns-orphaned ' "$K8S_DIR/check.txt" |
    grep -q 'ovn.kubernetes.io/logical_switch is "orphan-used", want "ovn-default"' ||
    fail "check: namespace bound to an orphan"
! grep -q 'ns-good' "$K8S_DIR/check.txt" || fail "check reports a correct namespace"
! grep -qE '^Subnet +(ovn-default|blocker) ' "$K8S_DIR/check.txt" || fail "check reports a fine subnet"
grep -q 'OVN was not checked' "$K8S_DIR/check.txt" || fail "check: no note that OVN was skipped"
grep -Eq '^[0-9]+ findings: 3 orphaned subnets, 1 vpc stuck deleting, 0 stale OVN rows' \
    "$K8S_DIR/check.txt" || fail "check: summary line"

echo "--- topology of the same cluster"
kovn topology -o json >"$K8S_DIR/topology.json" || fail "topology -o json failed"
py '
import json, sys
t = json.load(open(sys.argv[1]))
subnets = {s["name"]: s for s in t["subnets"]}
for name in ("orphan-a", "orphan-b", "orphan-used"):
    reasons = [p["reason"] for p in subnets[name]["problems"]]
    assert reasons == ["VpcNotFound"], (name, reasons)
assert subnets["ovn-default"]["problems"] == [], subnets["ovn-default"]
vpcs = {v["name"]: v for v in t["vpcs"]}
assert "gone-c" in vpcs and vpcs["gone-c"]["missing"], sorted(vpcs)
doomed = [p for p in vpcs["doomed"]["problems"] if p["reason"] == "SubnetsExist"]
assert doomed and "blocker" in doomed[0]["message"], vpcs["doomed"]
ns = {n["name"]: n for n in t["namespaces"]}
assert ns["ns-orphaned"]["skippedSubnets"] == [{"reason": "VpcNotFound", "subnet": "orphan-used"}], ns["ns-orphaned"]
' "$K8S_DIR/topology.json" || fail "topology -o json: $(head -c 2000 "$K8S_DIR/topology.json")"
kovn topology >"$K8S_DIR/topology.txt" || fail "topology (text) failed"
grep -q 'orphan-used.*VpcNotFound' "$K8S_DIR/topology.txt" ||
    fail "topology text does not mark orphan-used: $(cat "$K8S_DIR/topology.txt")"
kovn topology -o svg >"$K8S_DIR/topology.svg" || fail "topology -o svg failed"
py '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
titles = [g.find(ns + "title").text for g in root.iter(ns + "g") if g.get("class") == "node"]
assert any("orphan-used" in t for t in titles), titles
' "$K8S_DIR/topology.svg" || fail "topology -o svg: not SVG with a node for orphan-used"
kovn topology --vpc doomed -o json | py '
import json, sys
t = json.load(sys.stdin)
assert [v["name"] for v in t["vpcs"]] == ["doomed"], t["vpcs"]
assert sorted(s["name"] for s in t["subnets"]) == ["blocker"], t["subnets"]
' || fail "topology --vpc doomed"

rc=0
kovn check -o json >"$K8S_DIR/check.json" || rc=$?
[[ $rc == 1 ]] || fail "check -o json exited $rc"
py '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ovn_checked"] is False
names = {(f["kind"], f["name"]) for f in c["findings"]}
for s in ("orphan-a", "orphan-b", "orphan-used"):
    assert ("Subnet", s) in names, s
assert ("Vpc", "doomed") in names
assert ("Namespace", "ns-orphaned") in names and ("Namespace", "ns-good") not in names
for f in c["findings"]:
    assert set(f) == {"kind", "name", "problem"} and f["problem"], f
' "$K8S_DIR/check.json" || fail "check -o json: $(cat "$K8S_DIR/check.json")"

echo "--- gc --dry-run changes nothing"
rv_before=$(kubectl_admin get subnets -o jsonpath='{range .items[*]}{.metadata.resourceVersion} {end}')
kovn gc --dry-run >"$K8S_DIR/gc-dry.txt"
cat "$K8S_DIR/gc-dry.txt"
grep -qx 'would delete subnet orphan-a (orphan of vpc gone-a)' "$K8S_DIR/gc-dry.txt" || fail "dry-run orphan-a"
grep -qx 'would delete subnet orphan-b (orphan of vpc gone-b)' "$K8S_DIR/gc-dry.txt" || fail "dry-run orphan-b"
grep -q '^skipped subnet orphan-used (orphan of vpc gone-c): used by 1 pod (default/web-0)' \
    "$K8S_DIR/gc-dry.txt" || fail "dry-run does not skip orphan-used"
[[ $(kubectl_admin get subnets -o jsonpath='{range .items[*]}{.metadata.resourceVersion} {end}') == "$rv_before" ]] ||
    fail "gc --dry-run changed subnets"

echo "--- gc"
kovn gc >"$K8S_DIR/gc.txt"
cat "$K8S_DIR/gc.txt"
grep -qx 'deleted subnet orphan-a (orphan of vpc gone-a)' "$K8S_DIR/gc.txt" || fail "gc orphan-a"
grep -qx 'deleted subnet orphan-b (orphan of vpc gone-b)' "$K8S_DIR/gc.txt" || fail "gc orphan-b"
grep -q '^skipped subnet orphan-used' "$K8S_DIR/gc.txt" || fail "gc does not skip orphan-used"
# orphan-a carried kovn's finalizer: gc removed it, so it is gone at once.
[[ $(subnet_names) == "blocker orphan-used ovn-default " ]] ||
    fail "subnets after gc: $(subnet_names)"

rc=0
kovn check -o json >"$K8S_DIR/check2.json" || rc=$?
[[ $rc == 1 ]] || fail "second check exited $rc"
py '
import json, sys
c = json.load(open(sys.argv[1]))
subnets = sorted(f["name"] for f in c["findings"] if f["kind"] == "Subnet")
assert subnets == ["orphan-used"], subnets
' "$K8S_DIR/check2.json" || fail "second check: $(cat "$K8S_DIR/check2.json")"

echo "--- stale OVN rows"
ovn_dir=$(mktemp -d /tmp/kovn-cli-ovn.XXXXXX)
"$kovn_root/scripts/ovn.sh" start "$ovn_dir" --no-northd >"$ovn_dir/start.log" 2>&1 ||
    { cat "$ovn_dir/start.log" >&2; fail "OVN did not start"; }
nb=$(cat "$ovn_dir/ovnnb_db.remote")
nbctl() {
    ovn-nbctl --db="$nb" "$@"
}
nbctl ls-add stale-ls -- set logical_switch stale-ls \
    external_ids:vendor=kovn external_ids:kovn-subnet=gone-subnet
nbctl ls-add live-ls -- set logical_switch live-ls \
    external_ids:vendor=kovn external_ids:kovn-subnet=ovn-default
# Same owner key but not kovn's: never touched.
nbctl ls-add foreign-ls -- set logical_switch foreign-ls \
    external_ids:kovn-subnet=gone-subnet
nbctl lsp-add live-ls gone-pod.default -- set logical_switch_port gone-pod.default \
    external_ids:vendor=kovn external_ids:kovn-pod=default/gone-pod
nbctl lsp-add live-ls web-0.default -- set logical_switch_port web-0.default \
    external_ids:vendor=kovn external_ids:kovn-pod=default/web-0
nbctl lr-add gone-vpc-lr -- set logical_router gone-vpc-lr \
    external_ids:vendor=kovn external_ids:kovn-vpc=gone-vpc
nbctl lr-add ovn-cluster -- set logical_router ovn-cluster \
    external_ids:vendor=kovn external_ids:kovn-vpc=ovn-cluster
nbctl create address_set name=node_ghost external_ids:vendor=kovn \
    external_ids:kovn-node=ghost-node >/dev/null

rc=0
kovn check --ovn-nb "$nb" >"$K8S_DIR/check3.txt" || rc=$?
cat "$K8S_DIR/check3.txt"
[[ $rc == 1 ]] || fail "check --ovn-nb exited $rc"
grep -Eq '^Logical_Switch +stale-ls +stale OVN row: owner kovn-subnet gone-subnet is gone$' \
    "$K8S_DIR/check3.txt" || fail "check: stale-ls"
grep -Eq '^Logical_Switch_Port +gone-pod.default +.*kovn-pod default/gone-pod' "$K8S_DIR/check3.txt" ||
    fail "check: stale port"
grep -Eq '^Logical_Router +gone-vpc-lr ' "$K8S_DIR/check3.txt" || fail "check: stale router"
grep -Eq '^Address_Set +node_ghost ' "$K8S_DIR/check3.txt" || fail "check: stale address set"
! grep -Eq 'live-ls|foreign-ls|web-0.default|Logical_Router +ovn-cluster' "$K8S_DIR/check3.txt" ||
    fail "check reports a row that is not stale"
! grep -q 'OVN was not checked' "$K8S_DIR/check3.txt" || fail "check: OVN note with --ovn-nb"
grep -q ' 4 stale OVN rows' "$K8S_DIR/check3.txt" || fail "check: stale row count"

rc=0
KOVN_OVN_NB=$nb kovn check -o json >"$K8S_DIR/check3.json" || rc=$?
[[ $rc == 1 ]] || fail "check with KOVN_OVN_NB exited $rc"
py '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ovn_checked"] is True
rows = sorted((f["kind"], f["name"]) for f in c["findings"]
              if f["kind"] not in ("Subnet", "Vpc", "Namespace"))
assert rows == [("Address_Set", "node_ghost"), ("Logical_Router", "gone-vpc-lr"),
                ("Logical_Switch", "stale-ls"),
                ("Logical_Switch_Port", "gone-pod.default")], rows
' "$K8S_DIR/check3.json" || fail "check with KOVN_OVN_NB: $(cat "$K8S_DIR/check3.json")"

kovn gc --dry-run --ovn-nb "$nb" >"$K8S_DIR/gc-dry2.txt"
cat "$K8S_DIR/gc-dry2.txt"
grep -qx 'would delete Logical_Switch stale-ls (owner kovn-subnet gone-subnet gone)' \
    "$K8S_DIR/gc-dry2.txt" || fail "gc --dry-run: stale-ls"
[[ $(nbctl --bare --columns=name find logical_switch name=stale-ls) == stale-ls ]] ||
    fail "gc --dry-run deleted stale-ls"

kovn gc --ovn-nb "$nb" >"$K8S_DIR/gc2.txt"
cat "$K8S_DIR/gc2.txt"
grep -qx 'deleted Logical_Switch stale-ls (owner kovn-subnet gone-subnet gone)' "$K8S_DIR/gc2.txt" ||
    fail "gc: stale-ls line"
grep -qx 'deleted Logical_Switch_Port gone-pod.default (owner kovn-pod default/gone-pod gone)' \
    "$K8S_DIR/gc2.txt" || fail "gc: port line"
[[ $(nbctl --bare --columns=name list logical_switch | sort | xargs) == "foreign-ls live-ls" ]] ||
    fail "switches after gc: $(nbctl --bare --columns=name list logical_switch | xargs)"
[[ $(nbctl --bare --columns=name list logical_switch_port | xargs) == "web-0.default" ]] ||
    fail "ports after gc: $(nbctl --bare --columns=name list logical_switch_port | xargs)"
[[ $(nbctl --bare --columns=name list logical_router | xargs) == "ovn-cluster" ]] ||
    fail "routers after gc"
[[ -z $(nbctl --bare --columns=name list address_set) ]] || fail "address set left after gc"
[[ $(subnet_names) == "blocker orphan-used ovn-default " ]] || fail "second gc changed subnets"

rc=0
kovn check --ovn-nb "$nb" -o json >"$K8S_DIR/check4.json" || rc=$?
py '
import json, sys
c = json.load(open(sys.argv[1]))
kinds = {f["kind"] for f in c["findings"]}
assert kinds <= {"Subnet", "Vpc", "Namespace"}, kinds
' "$K8S_DIR/check4.json" || fail "stale rows left: $(cat "$K8S_DIR/check4.json")"

echo "--- clean cluster: check exits 0"
kubectl_admin delete pod -n default web-0 other --wait=false >/dev/null
kubectl_admin delete ip web-0.default >/dev/null
kubectl_admin delete subnet orphan-used blocker >/dev/null
kubectl_admin patch vpc doomed --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null
for ns in $(kubectl_admin get ns -o jsonpath='{.items[*].metadata.name}'); do
    [[ $ns == ns-good ]] && continue
    kubectl_admin annotate --overwrite ns "$ns" \
        ovn.kubernetes.io/logical_switch=ovn-default ovn.kubernetes.io/cidr=10.16.0.0/16 \
        ovn.kubernetes.io/exclude_ips=10.16.0.1 >/dev/null
done
# web-0 is gone now, so its port is stale: gc removes exactly that.
kovn gc --ovn-nb "$nb" >"$K8S_DIR/gc3.txt"
cat "$K8S_DIR/gc3.txt"
[[ $(cat "$K8S_DIR/gc3.txt") == "deleted Logical_Switch_Port web-0.default (owner kovn-pod default/web-0 gone)" ]] ||
    fail "gc after deleting pod web-0"
rc=0
kovn check --ovn-nb "$nb" >"$K8S_DIR/check5.txt" || rc=$?
cat "$K8S_DIR/check5.txt"
[[ $rc == 0 ]] || fail "check on a clean cluster exited $rc"
grep -q '^No findings' "$K8S_DIR/check5.txt" || fail "clean check output"

echo "--- errors: exit 2 with a message"
sed "s#server: .*#server: https://127.0.0.1:1#" "$kc" >"$K8S_DIR/dead.kubeconfig"
for cmd in orphans check gc; do
    rc=0
    "$cli" --kubeconfig "$K8S_DIR/dead.kubeconfig" $cmd >/dev/null 2>"$K8S_DIR/err" || rc=$?
    [[ $rc == 2 ]] || fail "$cmd against a dead server exited $rc"
    grep -q '^kubectl-kovn: listing .*' "$K8S_DIR/err" || fail "$cmd: unclear error: $(cat "$K8S_DIR/err")"
done
rc=0
kovn check --ovn-nb tcp:127.0.0.1:1 >/dev/null 2>"$K8S_DIR/err" || rc=$?
[[ $rc == 2 ]] || fail "check with a dead NB exited $rc"
grep -q 'tcp:127.0.0.1:1' "$K8S_DIR/err" || fail "dead NB: unclear error: $(cat "$K8S_DIR/err")"
rc=0
"$cli" --kubeconfig "$K8S_DIR/kovn-daemon.kubeconfig" check >/dev/null 2>"$K8S_DIR/err" || rc=$?
[[ $rc == 2 ]] || fail "check without RBAC exited $rc"
grep -q 'Forbidden' "$K8S_DIR/err" || fail "no RBAC: unclear error: $(cat "$K8S_DIR/err")"
echo ok
