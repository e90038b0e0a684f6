#!/usr/bin/env bash
# The real control plane from scripts/k8s.sh: kovn's CRDs apply and serve
# custom resources (the reflect2 fix), objects survive kill -9 and restart of
# kube-apiserver with the same kubeconfig, namespace deletion completes
# (controller-manager), and RBAC refuses the controller what it is not
# granted.
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"

k8s_start
pids=$(cat "$K8S_DIR"/*.pid)
[[ $(wc -w <<<"$pids") == 4 ]] || fail "expected 4 processes, got: $pids"

kubectl_admin apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl_admin wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io crd/ippools.kubeovn.io >/dev/null
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null

# A custom resource create: the unpatched reflect2 panics the apiserver here.
kubectl_admin apply -f - >/dev/null <<'YAML'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: persist-me
spec:
  vpc: ovn-cluster
  protocol: IPv4
  cidrBlock: 10.77.0.0/16
  excludeIps: ["10.77.0.1..10.77.0.10"]
YAML
[[ $(kubectl_admin get subnet persist-me -o jsonpath='{.spec.cidrBlock}') == 10.77.0.0/16 ]] ||
    fail "subnet not readable after create"
kill -0 "$(cat "$K8S_DIR/kube-apiserver.pid")" || fail "kube-apiserver died on CR create"

# Schema validation rejects a wrong type with a clear error.
if out=$(kubectl_admin apply -f - 2>&1 <<'YAML'
apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: bad-type
spec:
  cidrBlock: 10.78.0.0/16
  excludeIps: "10.78.0.1"
YAML
); then
    fail "excludeIps as a string was accepted"
fi
grep -q 'spec.excludeIps' <<<"$out" || fail "unclear validation error: $out"

# kill -9 and restart kube-apiserver: objects persist, same kubeconfig works.
"$kovn_root/scripts/k8s.sh" kill "$K8S_DIR" kube-apiserver KILL
"$kovn_root/scripts/k8s.sh" restart "$K8S_DIR" kube-apiserver
[[ $(kubectl_admin get subnet persist-me -o jsonpath='{.spec.excludeIps[0]}') == "10.77.0.1..10.77.0.10" ]] ||
    fail "subnet lost after apiserver restart"

# Namespace deletion completes (namespace controller + garbage collector).
kubectl_admin create namespace doomed >/dev/null
kubectl_admin -n doomed create configmap c1 --from-literal=a=b >/dev/null
kubectl_admin delete namespace doomed --wait=false >/dev/null
kubectl_admin wait --for=delete namespace/doomed --timeout=90s >/dev/null 2>&1 ||
    fail "namespace deletion did not complete"

# RBAC: allowed reads work, the rest is 403 Forbidden.
kubectl --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" get subnets >/dev/null ||
    fail "kovn-controller cannot list subnets"
if out=$(kubectl --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" get secrets -A 2>&1); then
    fail "kovn-controller could list secrets"
fi
grep -q 'Forbidden' <<<"$out" || fail "expected Forbidden, got: $out"
if out=$(kubectl --kubeconfig "$K8S_DIR/kovn-daemon.kubeconfig" delete subnet persist-me 2>&1); then
    fail "kovn-daemon could delete a subnet"
fi
grep -q 'Forbidden' <<<"$out" || fail "expected Forbidden, got: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_DIR/pki/ca.crt" \
    -H "Authorization: Bearer $(awk -F, '$2 == "system:kovn-controller" {print $1}' "$K8S_DIR/pki/tokens.csv")" \
    "$(cat "$K8S_DIR/apiserver.url")/api/v1/secrets")
[[ $code == 403 ]] || fail "expected HTTP 403 for secrets, got $code"

# Stop leaves no process behind.
pids=$(cat "$K8S_DIR"/*.pid)
"$kovn_root/scripts/k8s.sh" stop "$K8S_DIR"
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid survived stop"
done
echo ok
