#!/usr/bin/env bash
# kovn-controller against a real kube-apiserver/etcd, OVN NB/SB + northd and
# kubectl: the seed scenario (orphaned subnets left by an old version must
# not stall namespaces), VPCs appearing and being deleted, invalid subnets,
# the admission webhook, restarts without changes, and /metrics.
#   test_controller.sh KOVN_CONTROLLER_BINARY KUBECTL_KOVN_BINARY
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_controller.sh KOVN_CONTROLLER KUBECTL_KOVN}
cli=${2:?usage: test_controller.sh KOVN_CONTROLLER KUBECTL_KOVN}

start_k8s_and_ovn

# kubectl finds plugins on PATH: `kubectl kovn` runs our CLI.
plugin_dir=$K8S_DIR/bin
mkdir -p "$plugin_dir"
ln -s "$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")" "$plugin_dir/kubectl-kovn"
export PATH=$plugin_dir:$PATH

kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl_admin apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl_admin wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io \
    crd/ippools.kubeovn.io >/dev/null

# --- The mess an old version left: written while no controller and no
# webhook run.  One valid subnet, 100 orphans over 10 missing VPCs, half
# of them naming the namespaces about to be created.
python3 - "$K8S_DIR/seed.yaml" <<'PY'
import sys
docs = ["""apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: ovn-cluster}
""", """apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: valid1}
spec:
  vpc: ovn-cluster
  cidrBlock: 10.100.0.0/16
  excludeIps: [10.100.0.1..10.100.0.10]
  namespaces: [%s]
""" % ", ".join("new-%d" % i for i in range(25))]
for i in range(100):
    ns = ", ".join("new-%d" % j for j in range(50)) if i % 2 == 0 else "legacy"
    docs.append("""apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: orphan-%03d}
spec:
  vpc: gone-%d
  cidrBlock: 10.%d.%d.0/24
  namespaces: [%s]
""" % (i, i % 10, 150 + i // 100, i % 100, ns))
open(sys.argv[1], "w").write("---\n".join(docs))
PY
kubectl_admin apply -f "$K8S_DIR/seed.yaml" >/dev/null

"$kovn_root/scripts/certs.sh" "$K8S_DIR/certs" >/dev/null
metrics_port=$(free_port)
webhook_port=$(free_port)
start_controller
echo "controller ready"
# Namespaces that existed before the controller (default, kube-system, ...)
# bind to ovn-default, created at start: none may be reported unbound on
# the way.
sleep 1
[[ -z $(kubectl_admin get events -A --field-selector reason=NoUsableSubnet -o name) ]] ||
    fail "NoUsableSubnet Events at start: $(kubectl_admin get events -A --field-selector reason=NoUsableSubnet -o custom-columns=NS:.involvedObject.name --no-headers | tr '\n' ' ')"

# --- 50 new namespaces, each annotated within 2 s, none requeued.
python3 - "$K8S_DIR/ns.yaml" <<'PY'
import sys
open(sys.argv[1], "w").write("---\n".join(
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: new-%d}\n" % i
    for i in range(50)))
PY
# A watch started first sees each namespace appear and then get its
# annotations: the difference is the controller's latency per namespace.
mkfifo "$K8S_DIR/ns-watch"
kubectl_admin get ns --watch --output-watch-events -o json \
    >"$K8S_DIR/ns-watch" 2>/dev/null &
watch_pid=$!
python3 "$kovn_root/tests/lib/watch_latency.py" new- \
    ovn.kubernetes.io/logical_switch 50 2.0 \
    <"$K8S_DIR/ns-watch" >"$K8S_DIR/latency.txt" &
latency_pid=$!
sleep 1
kubectl_admin apply -f "$K8S_DIR/ns.yaml" >/dev/null
for ((i = 0; i < 200; i++)); do
    kill -0 "$latency_pid" 2>/dev/null || break
    sleep 0.1
done
kill "$watch_pid" "$latency_pid" 2>/dev/null || true
wait "$latency_pid" || fail "namespaces: $(cat "$K8S_DIR/latency.txt")"
latency=$(cat "$K8S_DIR/latency.txt")
echo "50 namespaces: create -> annotated $latency"
kubectl_admin get ns -o json | python3 -c '
import json, sys
for n in json.load(sys.stdin)["items"]:
    name = n["metadata"]["name"]
    if not name.startswith("new-"):
        continue
    a = n["metadata"]["annotations"]
    i = int(name[4:])
    want = ("valid1", "10.100.0.0/16", "10.100.0.1..10.100.0.10") if i < 25 \
        else ("ovn-default", "10.16.0.0/16", "10.16.0.1")
    got = (a["ovn.kubernetes.io/logical_switch"], a["ovn.kubernetes.io/cidr"],
           a["ovn.kubernetes.io/exclude_ips"])
    if got != want:
        sys.exit("namespace %s: got %s, want %s" % (name, got, want))
' || fail "wrong namespace annotations"
[[ $(metric 'kovn_workqueue_retries_total{name="namespace"}') == 0 ]] ||
    fail "namespaces were requeued"
[[ $(metric 'kovn_reconcile_errors_total{controller="namespace"}') == 0 ]] ||
    fail "namespace reconciles failed"
skips=$(metric 'kovn_namespace_subnet_skips_total{reason="VpcNotFound"}')
((skips >= 50 * 50)) || fail "expected >= 2500 VpcNotFound skips, got $skips"

# --- Orphans are visible: metric, condition, one Event each, CLI.
for ((i = 0; i < 100; i++)); do
    [[ $(metric kovn_orphaned_subnets) == 100 ]] && break
    sleep 0.1
done
[[ $(metric kovn_orphaned_subnets) == 100 ]] ||
    fail "kovn_orphaned_subnets is $(metric kovn_orphaned_subnets)"
for ((i = 0; i < 100; i++)); do
    events=$(kubectl_admin get events -n default -o json | python3 -c '
import json, sys, collections
c = collections.Counter()
for e in json.load(sys.stdin)["items"]:
    if e["reason"] == "VpcNotFound":
        c[e["involvedObject"]["name"]] += e.get("count", 1)
print(len(c), max(c.values()) if c else 0)')
    [[ $events == "100 1" ]] && break
    sleep 0.1
done
[[ $events == "100 1" ]] || fail "VpcNotFound events (objects, max count): $events"
kubectl_admin get subnets -o json | python3 -c '
import json, sys
bad = []
for s in json.load(sys.stdin)["items"]:
    if not s["metadata"]["name"].startswith("orphan-"):
        continue
    ready = [c for c in s.get("status", {}).get("conditions", [])
             if c["type"] == "Ready"]
    if not ready or ready[0]["status"] != "False" or \
            ready[0]["reason"] != "VpcNotFound" or \
            s["spec"]["vpc"] not in ready[0]["message"]:
        bad.append(s["metadata"]["name"])
if bad:
    sys.exit("orphans without the VpcNotFound condition: %s" % bad[:5])
' || fail "orphan conditions"
kubectl kovn orphans -o json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
names = sorted(r["subnet"] for r in rows)
if names != ["orphan-%03d" % i for i in range(100)]:
    sys.exit("kubectl kovn orphans listed %d: %s" % (len(names), names[:5]))
' || fail "kubectl kovn orphans"
nbctl ls-list | grep -q orphan- && fail "an orphan reached OVN"
curl -sf "http://127.0.0.1:$metrics_port/metrics" | promtool check metrics ||
    fail "promtool check metrics"
echo "orphans reported: metric, conditions, events, CLI; /metrics lint-clean"

# --- The missing VPC appears: its orphans turn Ready and reach OVN.
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: gone-0}
EOF2
for ((i = 0; i < 100; i++)); do
    ready=$(kubectl_admin get subnets -o json | python3 -c '
import json, sys
print(sum(1 for s in json.load(sys.stdin)["items"]
          if s["spec"].get("vpc") == "gone-0" and any(
              c["type"] == "Ready" and c["status"] == "True"
              for c in s.get("status", {}).get("conditions", []))))')
    ((ready == 10)) && break
    sleep 0.1
done
((ready == 10)) || fail "only $ready of 10 subnets of vpc gone-0 Ready"
nbctl lr-list | grep -q '(gone-0)' || fail "no router for vpc gone-0"
[[ $(nbctl ls-list | grep -c 'orphan-') == 10 ]] || fail "switches of gone-0"
[[ $(metric kovn_orphaned_subnets) == 90 ]] || fail "orphans not 90"
echo "vpc gone-0 created: its 10 subnets are Ready and in OVN"

# --- Deleting a VPC with subnets is blocked until they are gone.
kubectl_admin delete vpc gone-0 --wait=false >/dev/null
for ((i = 0; i < 100; i++)); do
    reason=$(kubectl_admin get vpc gone-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].reason}')
    [[ $reason == SubnetsExist ]] && break
    sleep 0.1
done
[[ $reason == SubnetsExist ]] || fail "vpc gone-0 not blocked: $reason"
msg=$(kubectl_admin get vpc gone-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}')
[[ $msg == "blocked by subnets: orphan-000, orphan-010, "* ]] || fail "message: $msg"
for ((i = 0; i < 50; i++)); do
    kubectl_admin get events -n default --field-selector reason=DeleteBlocked \
        -o jsonpath='{.items[*].involvedObject.name}' | grep -qw gone-0 && break
    sleep 0.1
done
((i < 50)) || fail "no DeleteBlocked event for vpc gone-0"
kubectl_admin get vpc gone-0 >/dev/null || fail "vpc gone-0 vanished early"
kubectl_admin delete subnet $(seq -f 'orphan-%03g' 0 10 90) >/dev/null
for ((i = 0; i < 100; i++)); do
    kubectl_admin get vpc gone-0 >/dev/null 2>&1 || break
    sleep 0.1
done
kubectl_admin get vpc gone-0 >/dev/null 2>&1 && fail "vpc gone-0 still there"
nbctl lr-list | grep -q '(gone-0)' && fail "router gone-0 left in OVN"
nbctl ls-list | grep -q 'orphan-' && fail "switches of gone-0 left in OVN"
echo "vpc deletion waited for its subnets, then removed router and switches"

# --- Invalid subnets say what is wrong and block nothing.
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: bad-gw}
spec: {cidrBlock: 10.210.0.0/24, gateway: 10.211.0.1, namespaces: [new-0]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: bad-cidr}
spec: {cidrBlock: 10.212.0.1/24, namespaces: [new-0]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: bad-overlap}
spec: {cidrBlock: 10.100.128.0/24, namespaces: [new-0]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: good2}
spec: {cidrBlock: 10.213.0.0/24, namespaces: [new-0]}
EOF2
for ((i = 0; i < 100; i++)); do
    ls=$(kubectl_admin get ns new-0 -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/logical_switch}')
    [[ $ls == good2,valid1 ]] && break
    sleep 0.1
done
[[ $ls == good2,valid1 ]] || fail "new-0 logical_switch: $ls"
check_validated() {
    local got
    for ((i = 0; i < 50; i++)); do
        got=$(kubectl_admin get subnet "$1" -o jsonpath='{.status.conditions[?(@.type=="Validated")].status} {.status.conditions[?(@.type=="Validated")].message}')
        [[ $got == "False $2"* ]] && return 0
        sleep 0.1
    done
    fail "subnet $1 Validated: $got"
}
check_validated bad-gw 'spec.gateway 10.211.0.1 is outside spec.cidrBlock "10.210.0.0/24"'
check_validated bad-cidr 'spec.cidrBlock: "10.212.0.1/24"'
check_validated bad-overlap 'spec.cidrBlock "10.100.128.0/24" overlaps subnet "valid1"'
echo "invalid subnets: Validated=False with actionable messages; good2 still binds"

# --- A private subnet's switch drops IP traffic to and from it except
# within itself, with its allowSubnets and with the nodes (join); private:
# false removes kovn's ACLs again.  A name where allowSubnets wants a CIDR is invalid.
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: priv}
spec: {cidrBlock: 10.240.0.0/24, private: true, allowSubnets: [10.241.0.0/24]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: bad-allow}
spec: {cidrBlock: 10.242.0.0/24, private: true, allowSubnets: [valid1]}
EOF2
want_acls='to-lport  1001 (ip4.src == 10.240.0.0/24 && ip4.dst == 10.240.0.0/24) allow-related
to-lport  1001 (ip4.src == 10.241.0.0/24 && ip4.dst == 10.240.0.0/24) allow-related
to-lport  1001 (ip4.src == 10.240.0.0/24 && ip4.dst == 10.241.0.0/24) allow-related
to-lport  1000 (ip) drop
to-lport  3000 (ip4.src == 100.64.0.0/16 && ip4.dst == 10.240.0.0/24) allow-related
to-lport  3000 (ip4.src == 10.240.0.0/24 && ip4.dst == 100.64.0.0/16) allow-related'
want_sorted=$(sort <<<"$want_acls")
for ((i = 0; i < 100; i++)); do
    acls=$(nbctl acl-list priv 2>/dev/null | sed 's/^ *//; s/ *$//' | sort) || true
    [[ $acls == "$want_sorted" ]] && break
    sleep 0.1
done
[[ $acls == "$want_sorted" ]] || fail "private subnet ACLs: got
$acls
want
$want_sorted"
check_validated bad-allow 'spec.allowSubnets: '
nbctl ls-list | grep -q '(bad-allow)' && fail "invalid private subnet in OVN"
kubectl_admin patch subnet priv --type=merge -p '{"spec":{"private":false}}' >/dev/null
for ((i = 0; i < 100; i++)); do
    acls=$(nbctl acl-list priv)
    [[ -z $acls ]] && break
    sleep 0.1
done
[[ -z $acls ]] || fail "ACLs left after private: false: $acls"
kubectl_admin delete subnet priv bad-allow >/dev/null
echo "private subnet: drop + allow ACLs in NB, removed when no longer private"

# --- A subnet in use stays until its IPs are gone, then leaves OVN.  The
# pod needs a service account; without kube-controller-manager we make it,
# and skip the token so that its secret is not needed either.
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ns1}
automountServiceAccountToken: false
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: busy}
spec: {cidrBlock: 10.230.0.0/24}
EOF2
for ((i = 0; i < 100; i++)); do
    kubectl_admin get subnet busy -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' |
        grep -q True && break
    sleep 0.1
done
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: ns1
  annotations: {ovn.kubernetes.io/logical_switch: busy}
spec:
  automountServiceAccountToken: false
  containers: [{name: c, image: none}]
EOF2
for ((i = 0; i < 100; i++)); do
    used=$(kubectl_admin get subnet busy -o jsonpath='{.status.v4usingIPs}')
    [[ $used == 1 ]] && break
    sleep 0.1
done
[[ $used == 1 ]] || fail "subnet busy v4usingIPs: '$used'"
# An IP object that names other addresses than its pod holds (a same-named
# predecessor's, whose delete did not get through) follows the pod's.
ip0=$(kubectl_admin -n ns1 get pod web-0 -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/ip_address}')
mac0=$(kubectl_admin -n ns1 get pod web-0 -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/mac_address}')
[[ -n $ip0 && -n $mac0 ]] || fail "web-0 has no address"
kubectl_admin patch ip web-0.ns1 --type merge -p \
    '{"spec":{"ipAddress":"10.230.0.200","v4IpAddress":"10.230.0.200","macAddress":"02:00:00:aa:bb:cc"}}' >/dev/null
for ((i = 0; i < 100; i++)); do
    got=$(kubectl_admin get ip web-0.ns1 -o jsonpath='{.spec.ipAddress} {.spec.v4IpAddress} {.spec.macAddress}')
    [[ $got == "$ip0 $ip0 $mac0" ]] && break
    sleep 0.1
done
[[ $got == "$ip0 $ip0 $mac0" ]] || fail "IP object web-0.ns1 says '$got', pod holds $ip0 $mac0"
echo "an IP object naming other addresses than its pod's was rewritten to the pod's"
[[ $(kubectl_admin get subnet busy -o jsonpath='{.status.v4availableIPs}') == 252 ]] ||
    fail "subnet busy v4availableIPs"
nbctl ls-list | grep -q '(busy)' || fail "switch busy not in OVN"
kubectl_admin delete subnet busy --wait=false >/dev/null
for ((i = 0; i < 100; i++)); do
    reason=$(kubectl_admin get subnet busy -o jsonpath='{.status.conditions[?(@.type=="Ready")].reason}')
    [[ $reason == IPsInUse ]] && break
    sleep 0.1
done
[[ $reason == IPsInUse ]] || fail "deleting subnet busy: Ready reason '$reason'"
msg=$(kubectl_admin get subnet busy -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}')
[[ $msg == *web-0.ns1* ]] || fail "blocking message does not name the IP: $msg"
nbctl ls-list | grep -q '(busy)' || fail "switch busy removed while in use"
kubectl_admin -n ns1 delete pod web-0 >/dev/null
for ((i = 0; i < 100; i++)); do
    kubectl_admin get subnet busy >/dev/null 2>&1 || break
    sleep 0.1
done
kubectl_admin get subnet busy >/dev/null 2>&1 && fail "subnet busy not deleted"
nbctl ls-list | grep -q '(busy)' && fail "switch busy left in OVN"
nbctl lrp-list ovn-cluster | grep -q busy && fail "router port of busy left"
echo "subnet deletion waited for its pod's IP, then removed its switch and port"

# --- The webhook, registered as on any cluster.
sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
    -e "s|@CA_BUNDLE@|$(base64 -w0 "$K8S_DIR/certs/ca.crt")|" \
    "$kovn_root/deploy/local/webhook.yaml" | kubectl_admin apply -f - >/dev/null
deny() {
    local out
    if out=$(kubectl_admin apply -f - 2>&1); then
        fail "webhook allowed: $1"
    fi
    [[ $out == *"$2"* ]] || fail "webhook message for $1: $out"
}
for ((i = 0; i < 50; i++)); do
    out=$(kubectl_admin apply -f - 2>&1 <<'EOF2' || true
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: wh-orphan}
spec: {vpc: nowhere, cidrBlock: 10.220.0.0/24}
EOF2
)
    [[ $out == *nowhere* ]] && break
    sleep 0.2
done
[[ $out == *'denied the request'*nowhere* ]] || fail "orphan subnet not denied: $out"
deny "overlapping subnet" 'overlaps subnet "valid1"' <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: wh-overlap}
spec: {cidrBlock: 10.100.5.0/24}
EOF2
deny "bad CIDR" '10.221.0.0/33' <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: wh-bad}
spec: {cidrBlock: 10.221.0.0/33}
EOF2
kubectl_admin apply -f - >/dev/null <<'EOF2' || fail "allow-missing-vpc subnet denied"
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: wh-migrating
  annotations: {kovn.io/allow-missing-vpc: "true"}
spec: {vpc: later, cidrBlock: 10.222.0.0/24}
EOF2
out=$(kubectl_admin delete vpc ovn-cluster 2>&1) && fail "vpc deletion allowed"
[[ $out == *'is used by subnets: '*good2* ]] || fail "vpc deletion message: $out"
echo "webhook denies orphans, overlaps, bad CIDRs and VPC deletion; allows migrations"

# --- A restart changes nothing in OVN or in annotations.
ovsdb-client dump "$nb" >"$K8S_DIR/nb-before.txt"
kubectl_admin get ns -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations}{"\n"}{end}' >"$K8S_DIR/ns-before.txt"
stop_pidfile "$K8S_DIR/controller.pid"
start_controller
sleep 3
ovsdb-client dump "$nb" >"$K8S_DIR/nb-after.txt"
kubectl_admin get ns -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations}{"\n"}{end}' >"$K8S_DIR/ns-after.txt"
diff "$K8S_DIR/nb-before.txt" "$K8S_DIR/nb-after.txt" || fail "restart changed NB"
diff "$K8S_DIR/ns-before.txt" "$K8S_DIR/ns-after.txt" || fail "restart changed annotations"
echo "restart: no NB diff, no annotation change"

# --- The pre-upgrade check finds the mess; gc cleans it.
set +e
kubectl kovn check --ovn-nb "$nb" >"$K8S_DIR/check1.txt" 2>&1
rc=$?
set -e
((rc == 1)) || { cat "$K8S_DIR/check1.txt"; fail "check exit $rc, want 1"; }
grep -q orphan-001 "$K8S_DIR/check1.txt" || fail "check does not name orphan-001"
kubectl kovn gc --ovn-nb "$nb" >"$K8S_DIR/gc.txt" || fail "gc failed"
for ((i = 0; i < 100; i++)); do
    kubectl kovn check --ovn-nb "$nb" >"$K8S_DIR/check2.txt" 2>&1 && break
    sleep 0.2
done
kubectl kovn check --ovn-nb "$nb" >"$K8S_DIR/check2.txt" 2>&1 ||
    { cat "$K8S_DIR/check2.txt"; fail "check still finds problems after gc"; }
[[ $(metric kovn_orphaned_subnets) == 1 ]] ||
    fail "after gc kovn_orphaned_subnets is $(metric kovn_orphaned_subnets) (want 1: wh-migrating, kept by its allow-missing-vpc annotation)"
echo "check: 1 on the mess, 0 after gc"

# --- The controller's own GC: the owner sweep removes a stale row, and
# --gc-orphaned-subnets removes an unused orphan after the grace period but
# not one a pod asks for.
nbctl ls-add stale-ls -- set logical_switch stale-ls \
    external_ids:vendor=kovn external_ids:kovn-subnet=long-gone
nbctl ls-add foreign-ls -- set logical_switch foreign-ls \
    external_ids:kovn-subnet=long-gone
kubectl_admin apply -f - >/dev/null <<'EOF2'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: gc-unused
  annotations: {kovn.io/allow-missing-vpc: "true"}
spec: {vpc: gone-gc, cidrBlock: 10.240.0.0/24}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: gc-used
  annotations: {kovn.io/allow-missing-vpc: "true"}
spec: {vpc: gone-gc, cidrBlock: 10.241.0.0/24}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: ns1
  annotations: {ovn.kubernetes.io/logical_switch: gc-used}
spec:
  automountServiceAccountToken: false
  containers: [{name: c, image: none}]
EOF2
stop_pidfile "$K8S_DIR/controller.pid"
start_controller --gc-orphaned-subnets --orphan-grace 2s --gc-interval 1s
for ((i = 0; i < 150; i++)); do
    kubectl_admin get subnet gc-unused >/dev/null 2>&1 || break
    sleep 0.1
done
kubectl_admin get subnet gc-unused >/dev/null 2>&1 && fail "unused orphan not collected"
kubectl_admin get subnet gc-used >/dev/null || fail "orphan a pod asks for was collected"
nbctl ls-list | grep -q '(stale-ls)' && fail "stale OVN row not swept"
nbctl ls-list | grep -q '(foreign-ls)' || fail "a row without vendor=kovn was swept"
[[ $(metric kovn_gc_deleted_ovn_rows_total) -ge 1 ]] || fail "gc row metric"
echo "controller GC: stale row and unused orphan removed; orphan a pod asks for and foreign row kept"
echo PASS
