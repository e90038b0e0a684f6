#!/usr/bin/env bash
# NetworkPolicy end to end: a real control plane (tests/lib/k8s.sh), OVN
# central + one chassis in this network namespace, kovn-controller and
# kovn-daemon (tests/lib/kovn_node.sh); the test plays the container
# runtime (`ip netns add` + the real kovn-cni ADD).  Every verdict is a
# real TCP connect between pod network namespaces (python3 listeners,
# connects bounded by `timeout`), which must succeed or fail:
#  A. deny-all ingress: the selected pod is closed to pods, open to the
#     node (kubelet probes); pods no policy selects stay open; deleting the
#     policy opens it and removes its port group.
#  B. allow from a podSelector; a pod label change opens and closes
#     within 2 s.
#  C. namespaceSelector; namespace label changes open and close within 2 s.
#  D. ipBlock with except on one port, plus a port-only rule with a named
#     port (resolved from the pod's container ports); other ports closed.
#  E. egress: the selected pod reaches only its allowed peer; the others
#     still reach everyone.
#  F. a policy past a kovn limit gets a PolicyNotFullyApplied Warning Event
#     naming the field, and fails closed.
# Needs root; runs in a network namespace of its own.
#   test_netpol.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI
set -euo pipefail
source "$(dirname "$0")/../lib/own_netns.sh"
in_own_netns kovnnp "$0" "$@"
source "$(dirname "$0")/../lib/k8s.sh"
source "$(dirname "$0")/../lib/kovn_node.sh"
controller=${1:?usage: test_netpol.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI}
daemon=${2:?}
cni_bin=${3:?}
[[ $(id -u) == 0 ]] || fail "needs root (network namespaces and veths)"

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

listeners=()
cleanup() {
    set +e
    ((${#listeners[@]})) && kill "${listeners[@]}" 2>/dev/null
    kovn_node_cleanup
}
kovn_node_trap=cleanup
kovn_node_start "$controller" "$daemon" "$cni_bin"
step "k8s, OVN, chassis, kovn-controller and kovn-daemon ready"

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: np1, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: np2, labels: {team: b}}
---
apiVersion: v1
kind: Namespace
metadata: {name: np3}
EOF
k8s_wait_sa np1 np2 np3

# labelled_pod NAMESPACE NAME APP: a pod on this node labelled app=APP
# whose container names port 8080 "http".  (add, ip_of: tests/lib.)
labelled_pod() {
    kubectl create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1, labels: {app: $3}}
spec:
  nodeName: $node
  containers:
  - name: c
    image: none
    ports: [{name: http, containerPort: 8080}]
EOF
}
pods="np1/srv/srv np1/cli/cli np1/other/other np1/open/open np2/far/far np3/x/x"
for p in $pods; do
    IFS=/ read -r ns name app <<<"$p"
    labelled_pod "$ns" "$name" "$app"
done
for p in $pods; do
    IFS=/ read -r ns name app <<<"$p"
    add "$ns" "$name"
    declare "ip_$name=$(ip_of "$name")"
done
step "6 pods wired"

# Listeners on 7070, 8080 and 9090 in srv and open, and on 8080 in far: each
# connection gets "ok".
listen() {
    ip netns exec "kd$id-$1" python3 - "${@:2}" >/dev/null 2>&1 <<'PY' &
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port))); s.listen(64); sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        try:
            c.sendall(b"ok")
        except OSError:
            pass
        c.close()
PY
    listeners+=($!)
}
listen srv 7070 8080 9090
listen open 7070 8080 9090
listen far 8080

# can FROM TO PORT: a TCP connect from pod FROM (or "node": this network
# namespace) to pod TO's address that reads "ok" within 0.7 s.
can() {
    local ip_var=ip_$2 wrap=(ip netns exec "kd$id-$1")
    [[ $1 == node ]] && wrap=()
    "${wrap[@]}" timeout 2 python3 - "${!ip_var}" "$3" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.7)
s.settimeout(0.7)
sys.exit(0 if s.recv(2) == b"ok" else 1)
PY
}
# expect yes|no FROM TO PORT [WITHIN]: polls until the connect gives the
# verdict, for at most WITHIN seconds (default 10); prints how long it took.
expect() {
    local want=$1 within=${5:-10} start now took
    start=$(date +%s.%N)
    while :; do
        if can "$2" "$3" "$4"; then [[ $want == yes ]] && break; else [[ $want == no ]] && break; fi
        now=$(date +%s.%N)
        awk -v a="$now" -v b="$start" -v w="$within" 'BEGIN { exit !(a - b > w) }' &&
            die "$2 -> $3:$4: still not '$want' after ${within}s"
        sleep 0.05
    done
    took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
    echo "$took"
}
# A verdict that must hold now and a moment later (no flapping).
holds() {
    expect "$@" 3 >/dev/null
    sleep 0.3
    if can "$2" "$3" "$4"; then [[ $1 == yes ]]; else [[ $1 == no ]]; fi ||
        die "$2 -> $3:$4: '$1' did not hold"
}
policy() { kubectl apply -f - >/dev/null; }
pg_of() { ovn-nbctl --db="$nb" --bare --columns=name find port_group "external_ids:kovn-netpol=\"$1\""; }

for f in cli other far x; do holds yes "$f" srv 8080; done
holds yes node srv 8080
step "no policy: every pod reaches srv:8080, the node too"

# --- A. Deny all ingress.
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-srv, namespace: np1}
spec:
  podSelector: {matchLabels: {app: srv}}
  policyTypes: [Ingress]
EOF
took=$(expect no cli srv 8080)
for f in cli other far x; do holds no "$f" srv 8080; done
holds yes node srv 8080
holds yes cli open 8080
holds yes far open 8080
[[ $(pg_of np1/deny-srv) == deny.srv.np1 ]] || die "no port group deny.srv.np1"
acls=$(ovn-nbctl --db="$nb" acl-list deny.srv.np1)
grep -q '2000 (outport == @deny.srv.np1 && ip) drop' <<<"$acls" || die "no default drop: $acls"
step "A. deny-all ingress (${took}s): srv closed to pods, open to the node; open stays open"
kubectl -n np1 delete networkpolicy deny-srv >/dev/null
took=$(expect yes cli srv 8080)
for ((i = 0; i < 50; i++)); do [[ -z $(pg_of np1/deny-srv) ]] && break; sleep 0.1; done
[[ -z $(pg_of np1/deny-srv) ]] || die "port group of a deleted policy stayed"
step "A. policy deleted: srv open again (${took}s), its port group gone"

# --- B. Allow from pods labelled app=cli.
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-cli, namespace: np1}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress: [{from: [{podSelector: {matchLabels: {app: cli}}}]}]
EOF
expect no other srv 8080 >/dev/null
holds yes cli srv 8080
holds no other srv 8080
holds no far srv 8080
step "B. from-cli: cli reaches srv, other and far do not"
kubectl -n np1 label pod other app=cli --overwrite >/dev/null
took=$(expect yes other srv 8080 2)
kubectl -n np1 label pod cli app=gone --overwrite >/dev/null
took2=$(expect no cli srv 8080 2)
holds yes other srv 8080
step "B. pod labels: other labelled app=cli opens in ${took}s, cli relabelled closes in ${took2}s"
kubectl -n np1 label pod cli app=cli --overwrite >/dev/null
kubectl -n np1 label pod other app=other --overwrite >/dev/null
kubectl -n np1 delete networkpolicy from-cli >/dev/null

# --- C. Allow from namespaces labelled team=b.
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-team-b, namespace: np1}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}}]}]
EOF
expect no cli srv 8080 >/dev/null
holds yes far srv 8080
holds no x srv 8080
holds no cli srv 8080
step "C. from-team-b: far (np2, team=b) reaches srv; x (np3) and cli (np1) do not"
kubectl label ns np3 team=b >/dev/null
took=$(expect yes x srv 8080 2)
kubectl label ns np2 team- >/dev/null
took2=$(expect no far srv 8080 2)
holds yes x srv 8080
step "C. namespace labels: np3 labelled opens x in ${took}s, np2 unlabelled closes far in ${took2}s"
kubectl -n np1 delete networkpolicy from-team-b >/dev/null
kubectl label ns np2 team=b >/dev/null
kubectl label ns np3 team- >/dev/null

# --- D. ipBlock with except on 9090; a port-only rule with a named port.
default_cidr=$(kubectl get subnet ovn-default -o jsonpath='{.spec.cidrBlock}')
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: block, namespace: np1}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress:
  - from: [{ipBlock: {cidr: $default_cidr, except: [$ip_far/32]}}]
    ports: [{port: 9090}]
  - ports: [{port: http}]
EOF
expect no x srv 7070 >/dev/null
holds yes x srv 9090
holds no far srv 9090
holds yes far srv 8080
holds yes x srv 8080
holds no x srv 7070
holds no far srv 7070
step "D. ipBlock except far on 9090: x yes, far no; named port http (8080) from anywhere; 7070 closed"
kubectl -n np1 delete networkpolicy block >/dev/null

# --- E. Egress: cli may reach only pods labelled app=open.
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cli-out, namespace: np1}
spec:
  podSelector: {matchLabels: {app: cli}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: open}}}]}]
EOF
expect no cli srv 8080 >/dev/null
holds no cli srv 8080
holds no cli far 8080
holds yes cli open 8080
holds yes other srv 8080
step "E. egress: cli reaches open only; other pods reach srv as before"
kubectl -n np1 delete networkpolicy cli-out >/dev/null
expect yes cli srv 8080 >/dev/null

# --- F. A rule past a limit (65 ports): a Warning Event naming the field,
# and the rule is left out, so srv is closed (fail closed).
ports=$(python3 -c 'print(", ".join("{port: %d}" % (1000 + i) for i in range(65)))')
policy <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: too-many, namespace: np1}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress: [{ports: [$ports]}]
EOF
expect no cli srv 8080 >/dev/null
for ((i = 0; i < 100; i++)); do
    ev=$(kubectl -n np1 get events --field-selector reason=PolicyNotFullyApplied \
        -o jsonpath='{range .items[*]}{.type} {.involvedObject.kind}/{.involvedObject.name}: {.message}{"\n"}{end}')
    [[ -n $ev ]] && break
    sleep 0.1
done
grep -q '^Warning NetworkPolicy/too-many: .*spec.ingress\[0\].ports: more than 64 ports' <<<"$ev" ||
    die "no PolicyNotFullyApplied Warning Event naming spec.ingress[0].ports: '$ev'"
holds no cli srv 8080
holds yes cli open 8080
step "F. a rule over the ports limit: Warning Event '${ev#*: }'; srv stays closed"
kubectl -n np1 delete networkpolicy too-many >/dev/null
expect yes cli srv 8080 >/dev/null

kill "${listeners[@]}" 2>/dev/null
listeners=()
stop_pidfile "$dir/controller.pid"
! grep -q 'Sanitizer' "$dir/controller.log" || { grep -A30 Sanitizer "$dir/controller.log" >&2; die "sanitizer report from kovn-controller"; }
step "kovn-controller stopped cleanly, no sanitizer report"
echo "ok"
