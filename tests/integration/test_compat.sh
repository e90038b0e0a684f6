#!/usr/bin/env bash
# Kube-OVN compatibility against a real API server with kovn's CRDs,
# kovn-controller and its admission webhook registered:
#  1. Manifests in Kube-OVN's shapes (tests/fixtures/kube-ovn: fields kovn
#     implements and fields it does not) apply with `kubectl apply` and its
#     client-side validation, and read back with no field lost.
#  2. Each field kovn does not implement is named in a warning kubectl
#     prints and in condition Supported=False; the objects are reconciled
#     all the same (Ready).
#  3. Printer columns are Kube-OVN's, in its order.
#  4. Kube-OVN's spec defaults are written back; the namespace's
#     exclude_ips annotation follows (gateways merged in, sorted).
#   test_compat.sh KOVN_CONTROLLER
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
controller=${1:?usage: test_compat.sh KOVN_CONTROLLER}
fixtures=$kovn_root/tests/fixtures/kube-ovn

start_k8s_and_ovn
kubectl apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
    crd/subnets.kubeovn.io crd/vpcs.kubeovn.io crd/ippools.kubeovn.io >/dev/null
"$kovn_root/scripts/certs.sh" "$K8S_DIR/certs" >/dev/null
metrics_port=$(free_port)
webhook_port=$(free_port)
start_controller
sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
    -e "s|@CA_BUNDLE@|$(base64 -w0 "$K8S_DIR/certs/ca.crt")|" \
    "$kovn_root/deploy/local/webhook.yaml" | kubectl apply -f - >/dev/null
for ns in compat-a compat-b compat-c; do
    kubectl create namespace "$ns" >/dev/null
done
# The webhook answers once its configuration is in the API server's cache.
wait_for 30 "the default VPC" kubectl get vpc ovn-cluster

# --- 1, 2: apply; warnings; nothing lost.
# apply_warns FILE WARNING...: applied, and kubectl printed each warning
# of an unimplemented field, and no other of that kind.  ($out keeps the
# output.)
apply_warns() {
    local file=$1 w
    shift
    out=$(kubectl apply -f "$fixtures/$file" 2>&1) || fail "apply $file: $out"
    for w in "$@"; do
        grep -qF "Warning: $w: not implemented by kovn" <<<"$out" ||
            fail "apply $file: no warning for $w in: $out"
    done
    [[ $(grep -c "^Warning: .*: not implemented by kovn" <<<"$out") == $# ]] ||
        fail "apply $file: $# warnings expected: $out"
}
apply_warns vpc-features.yaml "Vpc spec.staticRoutes[].ecmpMode" \
    "Vpc spec.staticRoutes[].bfdId" "Vpc spec.enableExternal" \
    "Vpc spec.extraExternalSubnets" "Vpc spec.enableBfd" "Vpc spec.bfdPort"
apply_warns subnet-features.yaml "Subnet spec.allowEWTraffic" \
    "Subnet spec.natOutgoingPolicyRules" "Subnet spec.policyRoutingPriority" \
    "Subnet spec.policyRoutingTableID" "Subnet spec.routeTable" "Subnet spec.mtu" \
    "Subnet spec.enableDHCP" "Subnet spec.dhcpV4Options" "Subnet spec.enableEcmp" \
    "Subnet spec.enableExternalLBAddress" "Subnet spec.u2oFeatures" \
    "Subnet spec.vips" "Subnet spec.acls"
apply_warns ippool-features.yaml "IPPool spec.enableAddressSet"
apply_warns subnet-dual-defaults.yaml
# Kube-OVN's usual /16 has more addresses than one OVN switch has ports:
# said once, at creation.
[[ $(grep -c "^Warning: " <<<"$out") == 1 ]] &&
    grep -qF "Warning: Subnet compat-dual: 10.72.0.0/16,fd00:10:72::/64 has 65482 usable addresses, but one OVN logical switch holds at most 32767 ports" <<<"$out" ||
    fail "apply subnet-dual-defaults.yaml: want only the port limit warning: $out"
echo "Kube-OVN manifests apply; kubectl prints a warning per unimplemented field"

# Every field of each manifest reads back with its value.
for f in "$fixtures"/*.yaml; do
    # kubectl reads the YAML (python3 here has no YAML module).
    kubectl create --dry-run=client -o json -f "$f" >"$K8S_DIR/manifest.json"
    kubectl get -o json -f "$f" >"$K8S_DIR/readback.json"
    python3 - "$K8S_DIR/manifest.json" "$K8S_DIR/readback.json" <<'PY' || fail "$(basename "$f"): fields lost"
import json, sys
want = json.load(open(sys.argv[1]))["spec"]
got = json.load(open(sys.argv[2]))["spec"]
def lost(w, g, path):
    if isinstance(w, dict):
        if not isinstance(g, dict):
            return [path]
        return [p for k in w for p in lost(w[k], g.get(k), path + "." + k)]
    if isinstance(w, list) and all(isinstance(x, dict) for x in w):
        if not isinstance(g, list) or len(g) != len(w):
            return [path]
        return [p for i, x in enumerate(w) for p in lost(x, g[i], "%s[%d]" % (path, i))]
    return [] if w == g or (isinstance(w, list) and isinstance(g, list) and set(map(str, w)) <= set(map(str, g))) else [path]
missing = lost(want, got, "spec")
if missing:
    sys.exit("lost or changed: " + ", ".join(missing))
PY
done
echo "every field reads back as applied (no pruning)"

# Supported=False names the fields; the objects work all the same.
condition() { kubectl get "$1" "$2" -o jsonpath="{.status.conditions[?(@.type==\"$3\")].$4}"; }
unsupported() { [[ $(condition "$1" "$2" Supported status) == False ]]; }
wait_for 30 "compat-features Supported=False" unsupported subnet compat-features
wait_for 30 "compat-vpc Supported=False" unsupported vpc compat-vpc
msg=$(condition subnet compat-features Supported message)
[[ $msg == "spec.allowEWTraffic, "*"spec.acls: not implemented by kovn" ]] ||
    fail "compat-features Supported message: $msg"
[[ $(condition subnet compat-features Supported reason) == UnsupportedFields ]] ||
    fail "compat-features Supported reason: $(condition subnet compat-features Supported reason)"
ready() { [[ $(condition "$1" "$2" Ready status) == True ]]; }
wait_for 30 "compat-features Ready" ready subnet compat-features
wait_for 30 "compat-vpc Ready" ready vpc compat-vpc
nbctl lr-route-list compat-vpc | grep -q "0.0.0.0/0 *10.82.0.254" ||
    fail "compat-vpc's static route is not in OVN: $(nbctl lr-route-list compat-vpc)"
supported() { [[ $(condition "$1" "$2" Supported status) == True ]]; }
wait_for 30 "compat-dual Supported=True" supported subnet compat-dual
echo "Supported=False (UnsupportedFields) names them; the objects are Ready; the route is in OVN"

# --- 3: printer columns.
header() { kubectl get "$1" 2>/dev/null | head -1 | tr -s ' '; }
[[ $(header subnet) == "NAME PROVIDER VPC VLAN PROTOCOL CIDR PRIVATE NAT DEFAULT GATEWAYTYPE V4USED V4AVAILABLE V6USED V6AVAILABLE EXCLUDEIPS U2OINTERCONNECTIONIP" ]] ||
    fail "subnet columns: $(header subnet)"
[[ $(header vpc) == "NAME ENABLEEXTERNAL ENABLEBFD STANDBY SUBNETS EXTRAEXTERNALSUBNETS NAMESPACES DEFAULTSUBNET AGE" ]] ||
    fail "vpc columns: $(header vpc)"
[[ $(header ippool) == "NAME SUBNET ENABLEADDRESSSET IPS V4USED V4AVAILABLE V6USED V6AVAILABLE" ]] ||
    fail "ippool columns: $(header ippool)"
echo "printer columns: Kube-OVN's, in its order"

# --- 4: defaults written back; annotations follow.
spec_of() { kubectl get subnet compat-dual -o jsonpath="{.spec.$1}"; }
defaulted() { [[ $(spec_of gatewayType) == distributed ]]; }
wait_for 30 "compat-dual's defaults written back" defaulted
[[ $(spec_of vpc) == ovn-cluster && $(spec_of provider) == ovn && $(spec_of protocol) == Dual &&
    $(spec_of gateway) == "10.72.0.1,fd00:10:72::1" ]] ||
    fail "compat-dual defaults: $(kubectl get subnet compat-dual -o jsonpath='{.spec}')"
[[ $(kubectl get subnet compat-dual -o jsonpath='{.spec.excludeIps[*]}') == "10.72.0.1 10.72.0.200..10.72.0.250 fd00:10:72::1" ]] ||
    fail "compat-dual excludeIps: $(kubectl get subnet compat-dual -o jsonpath='{.spec.excludeIps}')"
excludes() { kubectl get ns compat-c -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/exclude_ips}'; }
annotated() { [[ $(excludes) == "10.72.0.1,10.72.0.200..10.72.0.250,fd00:10:72::1" ]]; }
wait_for 30 "compat-c's exclude_ips as Kube-OVN writes it" annotated
kubectl get subnet compat-dual | tail -1 | grep -q "ovn *ovn-cluster *Dual *10.72.0.0/16,fd00:10:72::/64 .* distributed " ||
    fail "kubectl get subnet compat-dual: $(kubectl get subnet compat-dual | tail -1)"
echo "defaults written back as Kube-OVN does; compat-c: exclude_ips=$(excludes)"
echo PASS
