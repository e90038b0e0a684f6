#!/usr/bin/env bash
# Pods reach the outside: one real node (tests/lib/kovn_node.sh: control
# plane, OVN, chassis, kovn-controller, kovn-daemon, pods as network
# namespaces wired by kovn-cni) and an "outside" host, a network namespace
# behind the node at a TEST-NET-3 address (203.0.113.0/24, never routed
# anywhere), answering each TCP client with the source address it saw.
#  1. distributed, natOutgoing (ovn-default's default): the outside sees
#     the node's address; the node's address set holds the pod.
#  2. distributed, natOutgoing false: the outside sees the pod's address.
#  3. centralized, gatewayNode "gw,node": gw is a second node whose
#     heartbeats kovn-sandboxd sends; egress goes to it (and nowhere, as it
#     has no chassis).  Its heartbeats stop, the node lifecycle controller
#     marks it NotReady and egress fails over to this node (a
#     GatewayFailover Event): masqueraded, then, with natOutgoing false,
#     with the pod's address.  gatewayNodeSelectors pick labelled nodes.
#  4. A gateway node that does not exist: GatewayReady False naming it, and
#     a NoGatewayNode Warning Event.
#  5. A custom VPC reaches neither the node nor the outside.
# Needs root.
#   test_egress.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$(dirname "$0")/../lib/kovn_node.sh"
controller=${1:?usage: test_egress.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD}
daemon=${2:?}
cni_bin=${3:?}
sandboxd=${4:?}
[[ $(id -u) == 0 ]] || fail "needs root (network namespaces and veths)"

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

# The node lifecycle controller marks a node whose heartbeats stopped
# NotReady after this grace period.
export K8S_CONTROLLER_MANAGER_ARGS="--node-monitor-grace-period=20s --node-monitor-period=2s"
# Subnets beside ovn-default (10.$x.0.0/16), routed from the node through
# ovn0 like the default CIDR.
x=$((150 + $$ % 50))
extra=10.$((x + 56))
export KOVN_NODE_EXTRA_CIDRS=$extra.0.0/16

outside_link=kovno$$
heartbeat_pid=""
backend_pid=""
cleanup() {
    set +e
    [[ -n "$heartbeat_pid" ]] && kill "$heartbeat_pid" 2>/dev/null
    [[ -n "$backend_pid" ]] && kill "$backend_pid" 2>/dev/null
    [[ -n "${gw_dir:-}" ]] && stop_pidfile "$gw_dir/sandboxd.pid"
    ip link del "$outside_link" 2>/dev/null
    kovn_node_cleanup
}
kovn_node_trap=cleanup
kovn_node_start "$controller" "$daemon" "$cni_bin"
step "k8s, OVN, chassis, kovn-controller and kovn-daemon ready"

# This node has no kubelet: the test sends its heartbeats, so that the node
# lifecycle controller keeps it Ready.
(
    while :; do
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        kubectl patch node "$node" --subresource=status --type=merge -p \
            "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"test heartbeat\",\"lastHeartbeatTime\":\"$now\",\"lastTransitionTime\":\"$now\"}]}}" \
            >/dev/null 2>&1
        sleep 2
    done
) &
heartbeat_pid=$!

# The outside host: kd$id-out behind a veth, a /30 of TEST-NET-3 per run.
# Not the first /30: `make run` has it (scripts/run.sh).
base=$((4 * (1 + $$ % 60)))
node_side=203.0.113.$((base + 1))
outside=203.0.113.$((base + 2))
ip netns add "kd$id-out"
ip link add "$outside_link" type veth peer name eth0 netns "kd$id-out"
ip addr add "$node_side/30" dev "$outside_link"
ip link set "$outside_link" up
ip -n "kd$id-out" addr add "$outside/30" dev eth0
ip -n "kd$id-out" link set eth0 up
ip -n "kd$id-out" link set lo up
# Unmasqueraded replies go back through the node.
ip -n "kd$id-out" route add "10.$x.0.0/16" via "$node_side"
ip -n "kd$id-out" route add "$extra.0.0/16" via "$node_side"
ip netns exec "kd$id-out" python3 "$kovn_root/scripts/lib/outside_echo.py" serve "$outside" 8080 \
    >"$dir/outside.log" 2>&1 &
backend_pid=$!

# source_seen POD: the address the outside saw, or "error".
source_seen() { inns "$1" python3 "$kovn_root/scripts/lib/outside_echo.py" ask "$outside" 8080; }
# expect_source POD ADDRESS WHAT: within 10 s.
expect_source() {
    local i got=""
    for ((i = 0; i < 50; i++)); do
        got=$(source_seen "$1")
        [[ $got == "$2" ]] && return 0
        sleep 0.2
    done
    die "$3: the outside saw \"$got\", not $2"
}
nb_policy() { ovn-nbctl --db="$nb" lr-policy-list ovn-cluster; }
subnet_field() { kubectl get subnet "$1" -o jsonpath="$2"; }

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: nonat}
---
apiVersion: v1
kind: Namespace
metadata: {name: cent}
---
apiVersion: v1
kind: Namespace
metadata: {name: iso}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: nonat}
spec: {cidrBlock: $extra.1.0/24, namespaces: [nonat], natOutgoing: false}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: iso}
spec: {namespaces: [iso]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: iso}
spec: {vpc: iso, cidrBlock: 10.$x.0.0/16, namespaces: [iso], natOutgoing: true}
EOF
k8s_wait_sa default nonat cent iso
[[ $(subnet_field ovn-default '{.spec.natOutgoing}') == true ]] ||
    die "ovn-default was not created with natOutgoing: true"

# --- 1, 2: distributed gateways.
pod default d1
pod nonat n1
pod iso i1
for p in default/d1 nonat/n1 iso/i1; do
    add "${p%/*}" "${p#*/}"
done
as=kovn.node.${node//-/_}_ip4
ovn-nbctl --db="$nb" get address_set "$as" addresses | grep -q "\"$(ip_of d1)\"" ||
    die "address set $as lacks d1's $(ip_of d1): $(ovn-nbctl --db="$nb" get address_set "$as" addresses)"
nb_policy | grep -q "29000 *ip4.src == \$$as *reroute" ||
    die "no egress policy for $as: $(nb_policy)"
expect_source d1 "$node_side" "ovn-default (distributed, natOutgoing)"
step "distributed + natOutgoing: d1 -> $outside seen from the node's $node_side"
expect_source n1 "$(ip_of n1)" "nonat (distributed, natOutgoing false)"
step "distributed, natOutgoing false: n1 -> $outside seen from the pod's $(ip_of n1)"

# Egress leaves the in-cluster traffic alone: d1 still reaches n1.
ping_ok d1 "$(ip_of n1)" || die "d1 cannot reach n1 in another subnet"
# A custom VPC reaches neither the node's join address nor the outside.
[[ $(source_seen i1) == error ]] || die "i1 (custom VPC) reached the outside"
! inns i1 ping -c 2 -i 0.3 -W 1 "$node_side" >/dev/null 2>&1 || die "i1 (custom VPC) reached the node"
step "in-cluster traffic unchanged; the custom VPC reaches neither node nor outside"

# --- 3: centralized with fail-over.  gw is a node with heartbeats but no
# chassis: egress sent there goes nowhere.
gw=gw-$id
gw_dir=$dir/gw
mkdir -p "$gw_dir/netns" "$gw_dir/state"
printf '{"cniVersion":"1.0.0","name":"none","plugins":[{"type":"none"}]}\n' >"$gw_dir/net.conflist"
"$sandboxd" --kubeconfig "$K8S_DIR/kovn-sandboxd.kubeconfig" --node-name "$gw" \
    --node-ip "198.51.100.$((100 + $$ % 100))" --cni-conf "$gw_dir/net.conflist" \
    --cni-bin-dir "$gw_dir" --netns-dir "$gw_dir/netns" --state-dir "$gw_dir/state" \
    --lease-renew-interval 3s --node-status-interval 5s \
    --log-file "$gw_dir/sandboxd.log" --pidfile "$gw_dir/sandboxd.pid" \
    >>"$gw_dir/sandboxd.out" 2>&1 &
gw_ready() { [[ $(kubectl get node "$gw" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }
wait_for 60 "node $gw Ready" gw_ready

kubectl apply -f - >/dev/null <<EOF
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: cent}
spec: {cidrBlock: $extra.2.0/24, namespaces: [cent], natOutgoing: true,
       gatewayType: centralized, gatewayNode: "$gw,$node"}
EOF
k8s_wait_sa cent
active_is() { [[ $(subnet_field "$1" '{.status.activateGateway}') == "$2" ]]; }
wait_for 30 "cent's active gateway $gw" active_is cent "$gw"
join_of() { kubectl get node "$1" -o jsonpath='{.metadata.annotations.ovn\.kubernetes\.io/ip_address}'; }
nb_policy | grep -q "29000 *ip4.src == $extra.2.0/24 *reroute *$(join_of "$gw")" ||
    die "cent's egress is not rerouted to $gw's join address $(join_of "$gw"): $(nb_policy)"
pod cent c1
add cent c1
[[ $(source_seen c1) == error ]] || die "c1 reached the outside through $gw, which has no chassis"
step "centralized: egress through $gw ($(join_of "$gw")); it has no chassis, so nothing gets out"

t_stop=$SECONDS
stop_pidfile "$gw_dir/sandboxd.pid"
wait_for 90 "cent fails over to $node" active_is cent "$node"
step "$gw's heartbeats stopped: fail-over to $node after $((SECONDS - t_stop))s (grace period 20s)"
subnet_field cent '{.status.conditions[?(@.type=="GatewayReady")].message}' | grep -q "\"$gw\" is not Ready" ||
    die "GatewayReady does not say $gw is not Ready: $(subnet_field cent '{.status.conditions}')"
events=$(kubectl get events -A --field-selector reason=GatewayFailover -o jsonpath='{.items[*].message}')
grep -q "egress through node \"$node\"" <<<"$events" || die "no GatewayFailover Event: '$events'"
expect_source c1 "$node_side" "cent (centralized on $node, natOutgoing)"
step "c1 -> $outside through $node, masqueraded"
kubectl patch subnet cent --type=merge -p '{"spec":{"natOutgoing":false}}' >/dev/null
expect_source c1 "$(ip_of c1)" "cent (centralized on $node, natOutgoing false)"
step "natOutgoing false: c1 -> $outside with its own address"

# gatewayNodeSelectors: the nodes with the label, while they have it.
kubectl label node "$node" kovn-gw=yes >/dev/null
kubectl apply -f - >/dev/null <<EOF
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sel}
spec: {cidrBlock: $extra.4.0/24, gatewayType: centralized,
       gatewayNodeSelectors: [{matchLabels: {kovn-gw: "yes"}}]}
EOF
wait_for 30 "sel's gateway chosen by label" active_is sel "$node"
kubectl label node "$node" kovn-gw- >/dev/null
selects_none() {
    subnet_field sel '{.status.conditions[?(@.type=="GatewayReady")].message}' | grep -q "select none"
}
wait_for 30 "sel has no gateway once the label is gone" selects_none
step "gatewayNodeSelectors: $node while labelled, none after"

# --- 4: a gateway node that does not exist.
kubectl apply -f - >/dev/null <<EOF
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: nogw}
spec: {cidrBlock: $extra.3.0/24, gatewayType: centralized, gatewayNode: "nosuch-$id"}
EOF
gateway_missing() {
    [[ $(subnet_field nogw '{.status.conditions[?(@.type=="GatewayReady")].status}') == False ]] &&
        subnet_field nogw '{.status.conditions[?(@.type=="GatewayReady")].message}' |
        grep -q "\"nosuch-$id\" does not exist"
}
wait_for 30 "GatewayReady False naming nosuch-$id" gateway_missing
events=$(kubectl get events -A --field-selector reason=NoGatewayNode -o jsonpath='{.items[*].message}')
grep -q "nosuch-$id" <<<"$events" || die "no NoGatewayNode Event naming nosuch-$id: '$events'"
step "a missing gateway node: $(subnet_field nogw '{.status.conditions[?(@.type=="GatewayReady")].reason}'): $(subnet_field nogw '{.status.conditions[?(@.type=="GatewayReady")].message}')"

# --- Deleting a subnet takes its policies; the daemon's table stays its own.
kubectl delete subnet nogw --wait=true >/dev/null
! nb_policy | grep -q "$extra.3.0/24" || die "nogw's policies stayed: $(nb_policy)"
sources=$(nft list set ip "kovn_$id" nat_sources)
grep -q "10.$x.0.0/16" <<<"$sources" || die "ovn-default is not masqueraded: $sources"
! grep -q "$extra\." <<<"$sources" || die "a natOutgoing false subnet is masqueraded: $sources"
echo "PASS: egress ($((SECONDS - t0))s)"
