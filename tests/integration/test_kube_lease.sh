#!/usr/bin/env bash
# Two processes contend for a Lease through src/kube/lease: exactly one
# leads; after kill -9 of the leader the other takes over within lease
# duration (15 s) + retry period (2 s), and the logs show the transitions.
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
candidate=${1:?usage: test_kube_lease.sh LEASE_CANDIDATE_BINARY}

k8s_start --no-controller-manager --no-scheduler
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
kc="$K8S_DIR/kovn-controller.kubeconfig"

"$candidate" "$kc" cand-a kovn-test >"$K8S_DIR/a.log" 2>&1 &
pid_a=$!
"$candidate" "$kc" cand-b kovn-test >"$K8S_DIR/b.log" 2>&1 &
pid_b=$!
cleanup_candidates() {
    kill -9 "$pid_a" "$pid_b" 2>/dev/null || true
    k8s_cleanup
}
trap cleanup_candidates EXIT

leaders() {
    grep -l '^LEADING' "$K8S_DIR/a.log" "$K8S_DIR/b.log" 2>/dev/null | wc -l
}
for ((i = 0; i < 300; i++)); do
    (($(leaders) >= 1)) && break
    sleep 0.1
done
(($(leaders) == 1)) || fail "expected one leader, got $(leaders)"
# Hold for a few retry periods: still exactly one.
sleep 5
(($(leaders) == 1)) || fail "two leaders at once"
if grep -q '^LEADING' "$K8S_DIR/a.log"; then
    leader=$pid_a other=b
else
    leader=$pid_b other=a
fi
holder=$(kubectl_admin -n kube-system get lease kovn-test -o jsonpath='{.spec.holderIdentity}')
[[ $holder == cand-$([[ $other == a ]] && echo b || echo a) ]] ||
    fail "Lease holder is $holder"

kill -9 "$leader"
start=$(date +%s%N)
for ((i = 0; i < 250; i++)); do
    grep -q '^LEADING' "$K8S_DIR/$other.log" && break
    sleep 0.1
done
grep -q '^LEADING' "$K8S_DIR/$other.log" || fail "cand-$other never took over"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "takeover after ${elapsed_ms} ms"
((elapsed_ms <= 17000 + 1500)) || fail "takeover took ${elapsed_ms} ms (> 15 s + 2 s)"
holder=$(kubectl_admin -n kube-system get lease kovn-test -o jsonpath='{.spec.holderIdentity}')
[[ $holder == cand-$other ]] || fail "Lease holder is $holder after takeover"
transitions=$(kubectl_admin -n kube-system get lease kovn-test -o jsonpath='{.spec.leaseTransitions}')
[[ $transitions == 1 ]] || fail "leaseTransitions is $transitions, expected 1"
grep -q 'acquired leadership' "$K8S_DIR/$other.log" || fail "no transition in the log"
echo ok
