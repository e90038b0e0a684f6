#!/usr/bin/env bash
# kovn-controller's /ui against a real control plane and OVN NB, served on
# 0.0.0.0 so that it asks for tokens:
#  - who may read: no token and a token the API server refuses get 401, a
#    known user without `list subnets` (kube-scheduler) 403, on the data
#    routes and on the event stream; the admin 200.  The static page needs
#    no token.
#  - what it says: the SVG has one node per object, /ui/object gives a
#    Subnet's conditions and OVN rows, bad queries get 400.
#  - in a real headless Chromium (tests/lib/browser.py): the page shows
#    the topology, turns an orphaned Subnet red within 2 s of its Vpc being
#    deleted, and a click on it shows VpcNotFound; the screenshot is
#    written next to the test's build directory (docs/ui.png is one).
#   test_ui.sh KOVN_CONTROLLER SCREENSHOT.png
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_ui.sh KOVN_CONTROLLER SCREENSHOT.png}
screenshot=${2:?}

# Skipped, saying why, only where Chromium cannot start; once it has, any
# failure is the page's.
if ! why=$(python3 - "$kovn_root/tests/lib" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import browser
if not browser.find_chromium():
    sys.exit("no chromium on PATH (scripts/deps.sh installs Debian's chromium)")
try:
    browser.Browser().close()
except browser.BrowserError as e:
    sys.exit("chromium does not start: %s" % e)
PY
); then
    echo "SKIP: $why"
    exit 77
fi

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

start_k8s_and_ovn
kubectl_admin apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl_admin wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io \
    crd/ippools.kubeovn.io >/dev/null
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
metrics_port=$(free_port)
start_controller --metrics-address 0.0.0.0
step "control plane, OVN and kovn-controller ready (/ui on 0.0.0.0:$metrics_port)"

kubectl_admin apply -f - >/dev/null <<'YAML'
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: shop}
spec: {}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: shop-web}
spec: {vpc: shop, cidrBlock: 198.51.100.0/24, namespaces: [web]}
---
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: Namespace
metadata: {name: batch, labels: {team: data}}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: data}
spec:
  cidrBlock: 203.0.113.0/26
  namespaceSelectors: [{matchLabels: {team: data}}]
YAML
wait_for 30 "subnet shop-web Ready" bash -c \
    "kubectl --kubeconfig $KUBECONFIG_ADMIN get subnet shop-web -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
step "Vpc shop with subnet shop-web, subnet data, namespaces web and batch"

base=http://127.0.0.1:$metrics_port
admin=$(awk -F, '$2 == "kovn-admin" { print $1 }' "$K8S_DIR/pki/tokens.csv")
scheduler=$(awk -F, '$2 == "system:kube-scheduler" { print $1 }' "$K8S_DIR/pki/tokens.csv")
status_of() { curl -s -o "$K8S_DIR/body" -w '%{http_code}' "$@"; }
expect() {
    local want=$1 got
    shift
    got=$(status_of "$@")
    [[ $got == "$want" ]] || fail "curl $*: $got, want $want: $(cat "$K8S_DIR/body")"
}

# --- Who may read.
expect 200 "$base/ui"
grep -q '<title>kovn topology</title>' "$K8S_DIR/body" || fail "/ui is not the page"
expect 401 "$base/ui/topology.svg"
grep -q 'no bearer token' "$K8S_DIR/body" || fail "401 without a reason: $(cat "$K8S_DIR/body")"
expect 401 -H "Authorization: Bearer not-a-token" "$base/ui/topology.svg"
grep -q 'does not accept' "$K8S_DIR/body" || fail "bad token: $(cat "$K8S_DIR/body")"
expect 403 -H "Authorization: Bearer $scheduler" "$base/ui/topology.svg"
grep -q 'user system:kube-scheduler may not list subnets' "$K8S_DIR/body" ||
    fail "403 without the reason: $(cat "$K8S_DIR/body")"
expect 403 -H "Authorization: Bearer $scheduler" "$base/ui/object?kind=subnet&name=shop-web"
expect 401 --cookie "kovn_ui_token=nope" "$base/ui/object?kind=subnet&name=shop-web"
timeout 10 curl -sN -H "Authorization: Bearer $scheduler" "$base/ui/events" >"$K8S_DIR/denied.sse" || true
grep -q '^event: denied' "$K8S_DIR/denied.sse" && grep -q '^data: 403 ' "$K8S_DIR/denied.sse" ||
    fail "event stream for a refused user: $(cat "$K8S_DIR/denied.sse")"
expect 200 -H "Authorization: Bearer $admin" "$base/ui/topology.svg"
expect 200 --cookie "kovn_ui_token=$admin" "$base/ui/topology.svg"
step "401 without or with a refused token, 403 for kube-scheduler (also on the stream), 200 for the admin"

# --- What it says.
python3 - "$K8S_DIR/body" <<'PY'
import sys
import xml.etree.ElementTree as ET
svg = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
ids = sorted(g.get("id") for g in svg.iter(ns + "g") if g.get("class") == "node")
for want in ["vpc/ovn-cluster", "vpc/shop", "subnet/ovn-default", "subnet/join",
             "subnet/shop-web", "subnet/data", "ns/web", "ns/batch", "ns/default"]:
    assert want in ids, (want, ids)
assert len(ids) == len(set(ids)), ids
PY
expect 200 -H "Authorization: Bearer $admin" "$base/ui/object?kind=subnet&name=shop-web"
python3 - "$K8S_DIR/body" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["kind"] == "Subnet" and o["name"] == "shop-web", o
ready = [c for c in o["conditions"] if c["type"] == "Ready"]
assert ready and ready[0]["status"] == "True", o["conditions"]
tables = {r["table"] for r in o["ovn"]}
assert {"Logical_Switch", "Logical_Router_Port"} <= tables, o["ovn"]
assert any(r["table"] == "Logical_Switch" and r["name"] == "shop-web" for r in o["ovn"]), o["ovn"]
assert o["problems"] == [], o["problems"]
assert "events" in o and "eventsError" not in o, o
PY
expect 200 -H "Authorization: Bearer $admin" "$base/ui/object?kind=vpc&name=shop"
grep -q '"Logical_Router"' "$K8S_DIR/body" || fail "Vpc shop without its router: $(cat "$K8S_DIR/body")"
expect 404 -H "Authorization: Bearer $admin" "$base/ui/object?kind=subnet&name=nope"
expect 400 -H "Authorization: Bearer $admin" "$base/ui/object?kind=pod&name=x"
expect 400 -H "Authorization: Bearer $admin" "$base/ui/object?kind=subnet&name=Bad_Name"
expect 405 -X POST -H "Authorization: Bearer $admin" "$base/ui/topology.svg"
step "SVG with one node per object; a Subnet's conditions and OVN rows; 404, 400, 405"

# --- A real browser.  The Vpc goes the way the seed's failure went: its
# finalizer is removed while its subnet still names it.
delete_vpc="kubectl --kubeconfig $KUBECONFIG_ADMIN delete vpc shop --wait=false >/dev/null &&
kubectl --kubeconfig $KUBECONFIG_ADMIN patch vpc shop --type=json -p '[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]' >/dev/null &&
! kubectl --kubeconfig $KUBECONFIG_ADMIN get vpc shop >/dev/null 2>&1"
python3 "$kovn_root/tests/integration/ui_browser.py" "$base/ui" "$admin" \
    "$delete_vpc" "$screenshot" ||
    { log_tail "$K8S_DIR/controller.log"; fail "browser scenario"; }
step "browser: orphan red after the Vpc went, VpcNotFound on click"

! grep -q 'Sanitizer' "$K8S_DIR/controller.log" || fail "sanitizer report in the controller's log"
echo "PASS"
