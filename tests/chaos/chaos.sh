#!/usr/bin/env bash
# `make chaos`: a churn of pods, namespaces, subnets and Vpcs while
# processes are killed with SIGKILL at random, then the invariants a fresh
# controller would hold.  Every part is a real process started here with
# a pid file under a temp dir, and stopped by pid:
#  - etcd, kube-apiserver, kube-controller-manager, kube-scheduler
#    (scripts/k8s.sh; kill + restart keep the data dir and ports);
#  - OVN NB and SB as 3-member Raft clusters and ovn-northd
#    (scripts/ovn.sh --raft);
#  - one chassis (OVS userspace datapath + ovn-controller), kovn-daemon,
#    and kovn-sandboxd as the node's kubelet: kube-scheduler binds the
#    pods, kovn-sandboxd makes each a network namespace and calls the real
#    kovn-cni, whose ADD and DEL kovn-daemon serves (tests/lib/kovn_node.sh);
#  - two kovn-controller replicas with leader election.
# The whole node runs in a network namespace of its own (one userspace
# datapath per namespace), so no lock on the host's is needed.
# tests/chaos/chaos.py drives the churn and the kills and judges the
# result; see it for the invariants.  Environment:
#   CHAOS_SECONDS (600)  how long the churn and the kills last
#   CHAOS_SEED           the random seed (default: from the clock; printed)
#   CHAOS_CONVERGE_SECONDS (240)  how long the end state may take
#   KEEP=1               keep the temp dir (logs) afterwards
# Needs root.
#   chaos.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD KUBECTL_KOVN
set -euo pipefail
source "$(dirname "$0")/../lib/own_netns.sh"
in_own_netns kovnch "$0" "$@"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/k8s.sh"
source "$here/../lib/kovn_node.sh"
[[ $# == 5 ]] || fail "usage: chaos.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD KUBECTL_KOVN"
kubectl_kovn=$(readlink -f "$5")

# launch NAME COMMAND...: a plain process, its command line kept in
# $dir/NAME.cmd for chaos.py to start it again the same way, its pid in
# $dir/NAME.pid, its output appended to $dir/NAME.log.
launch() {
    local name=$1
    shift
    printf '%q ' "$@" >"$dir/$name.cmd"
    (nohup "$@" >>"$dir/$name.log" 2>&1 </dev/null & echo $! >"$dir/$name.pid")
}

# Two replicas with the lease times of tests/lib/controller.sh; replaces
# kovn_node.sh's single controller.  Under AddressSanitizer the freed
# memory it holds back to catch use after free (256 MB by default) would
# swamp the RSS comparison, which is between two processes of different
# histories: 16 MB of it still made a third of the 48 MB a replica holds
# at the start (+12.8% once, with no growth of the heap); 2 MB still
# catches recent frees.
kovn_node_start_controller() {
    local r port
    for r in 1 2; do
        port=$(free_port)
        echo "$port" >"$dir/controller-$r.port"
        launch "controller-$r" env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2" \
            "$kovn_controller" \
            --kubeconfig "$dir/kovn-controller.kubeconfig" --ovn-nb "$nb" \
            --metrics-port "$port" \
            --lease-duration 4s --renew-deadline 3s --retry-period 1s \
            --default-cidr "$default_cidr" --default-gateway "10.$x.0.1" \
            --join-cidr "$join_cidr"
    done
}

cleanup() {
    set +e
    # The driver's relaunches write the same pid files.
    stop_pidfile "$dir/controller-1.pid"
    stop_pidfile "$dir/controller-2.pid"
    # A daemon the driver started again has its pid file too.
    kovn_node_cleanup
}
kovn_node_trap=cleanup
export KOVN_NODE_OVN_ARGS=--raft
# Namespaces of the churn's subnets, routed on this node.
export KOVN_NODE_EXTRA_CIDRS=172.20.0.0/16
t0=$SECONDS
kovn_node_start "$1" "$2" "$3" "$4"
echo "chaos: node $node up (k8s, OVN Raft, chassis, 2 controllers, kovn-daemon, kovn-sandboxd) in $((SECONDS - t0)) s"

CHAOS_DIR=$dir CHAOS_ROOT=$kovn_root CHAOS_NODE=$node CHAOS_NB=$nb \
    CHAOS_OVS_DB=$ovs_db CHAOS_KUBECTL_KOVN=$kubectl_kovn \
    CHAOS_DEFAULT_CIDR=$default_cidr \
    python3 "$here/chaos.py"
