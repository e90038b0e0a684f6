#!/usr/bin/env bash
# kubectl kovn trace --ovs: ofproto/trace on a real chassis.  A real
# control plane (tests/lib/k8s.sh), OVN central and one chassis (OVS with
# the userspace datapath and ovn-controller) in a network namespace of its
# own, kovn-controller and kovn-daemon (tests/lib/kovn_node.sh); pods are
# network namespaces wired by the real kovn-cni.  Checks the line trace
# prints for the node's OVS datapath, just before the verdict (which stays
# the last line):
#  - allowed pod -> pod: output to the destination pod's OVS port;
#  - a NetworkPolicy denies it: drop, OVN's verdict names the policy;
#  - --ovs as a run dir, as the control socket, and $KOVN_OVS;
#  - no --ovs, or a socket nobody answers: "skipped" and why, OVN's verdict
#    unchanged; -v prints ofproto/trace's output.
# Needs root; runs in a network namespace of its own.
#   test_trace_ovs.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KUBECTL_KOVN
set -euo pipefail
source "$(dirname "$0")/../lib/own_netns.sh"
in_own_netns kovnto "$0" "$@"
source "$(dirname "$0")/../lib/k8s.sh"
source "$(dirname "$0")/../lib/kovn_node.sh"
source "$(dirname "$0")/../lib/netpol.sh"
usage="usage: test_trace_ovs.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KUBECTL_KOVN"
controller=${1:?$usage}
daemon=${2:?$usage}
cni_bin=${3:?$usage}
cli=${4:?$usage}

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

kovn_node_start "$controller" "$daemon" "$cni_bin"
sb=unix:$dir/ovn/ovnsb_db.sock
step "k8s, OVN, chassis, kovn-controller and kovn-daemon ready"

kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: demo}
YAML
k8s_wait_sa demo
for p in a b; do
    kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $p, namespace: demo, labels: {app: $p}}
spec:
  nodeName: $node
  containers: [{name: c, image: none}]
YAML
done
add demo a
add demo b
ip_b=$(ip_of b)
WAIT_FOR_LOG=$dir/daemon.log wait_for 30 "a reaches b" ping_ok a "$ip_b"
iface_b=$(ovs-vsctl --db="$ovs_db" --bare --columns=name find Interface external_ids:iface-id=b.demo)
[[ -n $iface_b ]] || die "no OVS Interface for b.demo"
step "pods demo/a and demo/b wired, a pings b ($ip_b, OVS port $iface_b)"

# trace ARGS...: the command's output; it must exit 0.
trace() {
    local out rc=0
    out=$("$cli" trace --ovn-nb "$nb" --ovn-sb "$sb" "$@" 2>&1) || rc=$?
    ((rc == 0)) || { echo "$out" >&2; die "trace $* exited $rc"; }
    echo "$out"
}
# expect_trace VERDICT OVS-LINE ARGS...: the last line is VERDICT, the one
# before it OVS-LINE.
expect_trace() {
    local verdict=$1 ovs_line=$2 out
    shift 2
    out=$(trace "$@")
    [[ $(tail -n 1 <<<"$out") == "$verdict" && $(tail -n 2 <<<"$out" | head -n 1) == "$ovs_line" ]] ||
        { echo "$out" >&2; die "trace $*: not '$ovs_line' then '$verdict'"; }
    echo "$out"
}

delivered="delivered to demo/b (Logical_Switch_Port b.demo on subnet ovn-default)"
output="node $node: OVS datapath: output to port $iface_b (pod demo/b)"
out=$(expect_trace "$delivered" "$output" --ovs "$dir/node" demo/a demo/b tcp 8080)
step "allowed pod -> pod, --ovs RUNDIR: OVS outputs to b's port"
sed 's/^/    | /' <<<"$out"
expect_trace "$delivered" "$output" --ovs "$dir/node/ovs-vswitchd.ctl" demo/a demo/b icmp >/dev/null
KOVN_OVS=$dir/node expect_trace "$delivered" "$output" demo/a demo/b udp 53 >/dev/null
step "--ovs CTL-SOCKET (icmp) and \$KOVN_OVS (udp): the same"

out=$(trace -v --ovs "$dir/node" demo/a demo/b)
grep -q '^Datapath actions: ' <<<"$out" || { echo "$out" >&2; die "-v: no ofproto/trace output"; }
grep -qF "\$ ovs-appctl --target=$dir/node/ovs-vswitchd.ctl ofproto/trace" <<<"$out" ||
    { echo "$out" >&2; die "-v: no ofproto/trace command"; }
step "-v prints ofproto/trace's output"

expect_trace "$delivered" \
    "node $node: OVS datapath: skipped (no --ovs naming the node's OVS run dir or ovs-vswitchd control socket)" \
    demo/a demo/b >/dev/null
# A socket file nobody listens on: connecting is refused.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$dir/dead.ctl"
out=$(trace --ovs "$dir/dead.ctl" demo/a demo/b)
[[ $(tail -n 1 <<<"$out") == "$delivered" ]] &&
    tail -n 2 <<<"$out" | head -n 1 |
    grep -qF "node $node: OVS datapath: skipped (ovs-vswitchd at $dir/dead.ctl does not answer: " ||
    { echo "$out" >&2; die "a dead socket: no 'skipped' line"; }
step "no --ovs, or a socket nobody answers: skipped and why"
tail -n 2 <<<"$out" | sed 's/^/    | /'

# In force on the chassis (hv), not only in SB.
deny_ingress demo deny-all b hv
out=$(expect_trace "dropped by NetworkPolicy demo/deny-all (ACL priority 2000, to-lport)" \
    "node $node: OVS datapath: drop" --ovs "$dir/node" demo/a demo/b tcp 8080)
step "NetworkPolicy: OVS drops, OVN names demo/deny-all"
sed 's/^/    | /' <<<"$out"

stop_pidfile "$dir/controller.pid"
! grep -q 'Sanitizer' "$dir/controller.log" || { grep -A30 Sanitizer "$dir/controller.log" >&2; die "sanitizer report from kovn-controller"; }
echo "ok"
