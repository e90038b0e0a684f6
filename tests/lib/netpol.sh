# Sourced by tests that need a NetworkPolicy in force, after k8s.sh and
# scripts/lib/proc.sh (wait_for); reads $nb, the OVN NB remote.
#   deny_ingress NS NAME APP sb|hv   applies policy NS/NAME denying all
#       ingress to pods labelled app=APP, waits for kovn's port group of it
#       and then for OVN SB (sb) or the chassis (hv) to have its flows
deny_ingress() {
    local ns=$1 name=$2 app=$3 wait=$4
    kubectl apply -f - >/dev/null <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: $name, namespace: $ns}
spec:
  podSelector: {matchLabels: {app: $app}}
  policyTypes: [Ingress]
YAML
    wait_for 30 "the port group of $ns/$name" bash -c \
        "[[ -n \$(ovn-nbctl --db='$nb' --bare --columns=name find port_group 'external_ids:kovn-netpol=\"$ns/$name\"') ]]"
    ovn-nbctl --db="$nb" --timeout=30 --wait="$wait" sync
}
