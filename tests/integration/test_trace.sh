#!/usr/bin/env bash
# kubectl kovn trace against a real control plane, OVN central (NB, SB,
# ovn-northd) and kovn-controller.  ovn-trace needs only the logical flows
# northd makes from what kovn-controller writes, so no chassis or pod
# network namespace is needed: pods get their addresses and ports from the
# controller, Service backends come from hand-written Endpoints (no kubelet
# makes a pod Ready here).  Each case checks that the verdict names the
# right object:
#  - pod -> pod: delivered to the pod's port on its subnet;
#  - pod -> Service (svc/NS/NAME and NS/NAME): its load balancer, a backend;
#  - pod -> pod of another Vpc: dropped by VPC isolation (no route);
#  - pod -> pod of a private Subnet: dropped by `Subnet NAME private`;
#  - pod -> pod a NetworkPolicy isolates: dropped by that NetworkPolicy;
#  - -v prints ovn-trace's own output; bad input and an unreachable OVN SB
#    exit 2 with a message.
#   test_trace.sh KOVN_CONTROLLER KUBECTL_KOVN
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
source "$kovn_root/tests/lib/controller.sh"
source "$kovn_root/tests/lib/netpol.sh"
controller=${1:?usage: test_trace.sh KOVN_CONTROLLER KUBECTL_KOVN}
cli=${2:?usage: test_trace.sh KOVN_CONTROLLER KUBECTL_KOVN}

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

# The controller-manager makes the service accounts pods need.
start_k8s_and_ovn --no-scheduler
kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kubectl apply $(printf -- "-f %s " "$kovn_root"/deploy/crd-*.yaml) >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
    crd/vpcs.kubeovn.io crd/subnets.kubeovn.io crd/ips.kubeovn.io >/dev/null

metrics_port=$(free_port)
"$controller" --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" \
    --ovn-nb "$nb" --metrics-port "$metrics_port" --no-leader-elect \
    >>"$K8S_DIR/controller.log" 2>&1 &
echo $! >"$K8S_DIR/controller.pid"
wait_for 30 "kovn-controller ready" curl -sf "http://127.0.0.1:$metrics_port/readyz"
step "k8s, OVN and kovn-controller ready"

kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Namespace
metadata: {name: priv}
---
apiVersion: v1
kind: Namespace
metadata: {name: iso1}
---
apiVersion: v1
kind: Namespace
metadata: {name: iso2}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: priv}
spec: {cidrBlock: 10.203.0.0/24, namespaces: [priv], private: true}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: vpc1}
spec: {namespaces: [iso1]}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: vpc2}
spec: {namespaces: [iso2]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: iso1}
spec: {vpc: vpc1, cidrBlock: 10.201.0.0/24, namespaces: [iso1]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: iso2}
spec: {vpc: vpc2, cidrBlock: 10.202.0.0/24, namespaces: [iso2]}
EOF
k8s_wait_sa demo priv iso1 iso2

pods="demo/a demo/b demo/srv priv/p iso1/i1 iso2/i2"
for p in $pods; do
    kubectl create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: ${p#*/}, namespace: ${p%/*}, labels: {app: ${p#*/}}}
spec:
  containers: [{name: c, image: none}]
EOF
done
ip_of() { kubectl -n "${1%/*}" get pod "${1#*/}" -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/ip_address}'; }
has_port() { [[ -n $(ip_of "$1") ]] && ovn-nbctl --db="$nb" --bare --columns=name find logical_switch_port "name=\"${1#*/}.${1%/*}\"" | grep -q .; }
for p in $pods; do wait_for 30 "$p's address and port" has_port "$p"; done
ip_srv=$(ip_of demo/srv)
ip_i2=$(ip_of iso2/i2)
step "6 pods with addresses and ports (srv $ip_srv, i2 $ip_i2)"

# A Service without a selector, its Endpoints written here: srv:8080.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: demo}
subsets:
- addresses: [{ip: $ip_srv}]
  ports: [{port: 8080, protocol: TCP}]
EOF
vip=$(kubectl -n demo get svc web -o jsonpath='{.spec.clusterIP}')
has_vip() { ovn-nbctl --db="$nb" get load_balancer cluster-tcp-loadbalancer vips | grep -q "\"$vip:80\"=\"$ip_srv:8080\""; }
wait_for 30 "Service web's VIP $vip:80 in OVN" has_vip
ovn-nbctl --db="$nb" --timeout=30 --wait=sb sync
step "Service demo/web $vip:80 -> $ip_srv:8080 in OVN"

# trace ARGS...: the command's output; it must exit 0.
trace() {
    local out rc=0
    out=$("$cli" trace --ovn-nb "$nb" --ovn-sb "$sb" "$@" 2>&1) || rc=$?
    ((rc == 0)) || { echo "$out" >&2; log_tail "$K8S_DIR/controller.log"; fail "trace $* exited $rc"; }
    echo "$out"
}
# verdict_is WANT ARGS...: the last line of trace ARGS is WANT.
verdict_is() {
    local want=$1 out
    shift
    out=$(trace "$@")
    [[ $(tail -n 1 <<<"$out") == "$want" ]] ||
        { echo "$out" >&2; fail "trace $*: verdict is not '$want'"; }
    echo "$out"
}

verdict_is "delivered to demo/srv (Logical_Switch_Port srv.demo on subnet ovn-default)" \
    demo/a demo/srv tcp 8080 >/dev/null
step "pod -> pod: delivered to demo/srv"

want="delivered to demo/srv (Logical_Switch_Port srv.demo on subnet ovn-default) through Service demo/web (load balancer cluster-tcp-loadbalancer, VIP $vip:80)"
out=$(verdict_is "$want" demo/a svc/demo/web)
grep -q "Subnet ovn-default: Service demo/web: load balancer cluster-tcp-loadbalancer, VIP $vip:80 -> backends $ip_srv:8080" <<<"$out" ||
    { echo "$out" >&2; fail "no load balancer step"; }
verdict_is "$want" demo/a demo/web >/dev/null
step "pod -> Service: load balancer cluster-tcp-loadbalancer, backend demo/srv"
sed 's/^/    | /' <<<"$out"

out=$(verdict_is "dropped by VPC isolation: Vpc vpc1 has no route to $ip_i2 (Subnet iso2 of Vpc vpc2)" \
    iso1/i1 iso2/i2)
step "cross-VPC: dropped by VPC isolation"
sed 's/^/    | /' <<<"$out"

out=$(verdict_is "dropped by Subnet priv private (ACL priority 1000, to-lport)" \
    demo/a priv/p tcp 80)
step "private subnet: dropped by Subnet priv private"
sed 's/^/    | /' <<<"$out"

deny_ingress demo deny-all b sb
out=$(verdict_is "dropped by NetworkPolicy demo/deny-all (ACL priority 2000, to-lport)" \
    demo/a demo/b)
verdict_is "delivered to demo/srv (Logical_Switch_Port srv.demo on subnet ovn-default)" \
    demo/a demo/srv icmp >/dev/null
step "NetworkPolicy: dropped by demo/deny-all; srv still reached (icmp)"
sed 's/^/    | /' <<<"$out"

out=$(trace -v demo/a demo/b)
grep -q '^ingress(dp="ovn-default", inport="a.demo")' <<<"$out" ||
    { echo "$out" >&2; fail "-v: no ovn-trace output"; }
step "-v prints ovn-trace's output"

# fails WANT-MESSAGE ARGS...: trace exits 2 and says WANT-MESSAGE.
fails() {
    local want=$1 out rc=0
    shift
    out=$("$cli" trace "$@" 2>&1) || rc=$?
    ((rc == 2)) && grep -qF "$want" <<<"$out" ||
        { echo "$out" >&2; fail "trace $*: exit $rc, not 2 with '$want'"; }
}
fails "no pod demo/nosuch" --ovn-nb "$nb" --ovn-sb "$sb" demo/nosuch demo/b
fails "no pod or Service demo/nosuch" --ovn-nb "$nb" --ovn-sb "$sb" demo/a demo/nosuch
fails "no Service demo/nosuch" --ovn-nb "$nb" --ovn-sb "$sb" demo/a svc/demo/nosuch
fails "Service demo/web has no port 81" --ovn-nb "$nb" --ovn-sb "$sb" demo/a svc/demo/web 81
fails "expected an IP address" --ovn-nb "$nb" --ovn-sb "$sb" demo/a 10.0.0.300
fails "expected tcp, udp, icmp or a port" --ovn-nb "$nb" --ovn-sb "$sb" demo/a demo/b tcp 70000
fails "trace needs OVN NB and SB" --ovn-nb "$nb" demo/a demo/b
fails "database connection failed" --ovn-nb "$nb" --ovn-sb "unix:$K8S_DIR/nosuch.sock" demo/a demo/b
step "bad input and an unreachable OVN SB: exit 2 with a message"

stop_pidfile "$K8S_DIR/controller.pid"
! grep -q 'Sanitizer' "$K8S_DIR/controller.log" || { grep -A30 Sanitizer "$K8S_DIR/controller.log" >&2; fail "sanitizer report from kovn-controller"; }
echo "ok"
