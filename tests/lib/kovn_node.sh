# Sourced by tests and benchmarks after tests/lib/k8s.sh: one kovn node in
# this network namespace, every part real: a control plane (no scheduler:
# pods name their node), OVN central, a chassis (scripts/ovn.sh
# start-node), kovn-controller and kovn-daemon, and the Node object.
#   kovn_node_start CONTROLLER DAEMON CNI   (returns once STATUS is ok)
#   kovn_node_start CONTROLLER DAEMON CNI SANDBOXD
#       the same with kube-scheduler, and kovn-sandboxd as the node's
#       kubelet (as `make run` has it): it registers the Node and keeps it
#       Ready, and gives each pod bound to it a network namespace
#       kd<id>-p-<pod uid> wired by kovn-cni; returns once the Node is
#       Ready too.  $sandboxd_dir holds its log and records.
#   KOVN_NODE_OVN_ARGS (e.g. --raft) are passed to `scripts/ovn.sh start`;
#   a caller that defines kovn_node_start_controller before calling
#   kovn_node_start starts its own controller(s) instead (tests/chaos).
#   With KOVN_NODE_KUBELET=1 a real kubelet is to register the Node: the
#   control plane gets a scheduler, no Node object is made (kubelet 1.20
#   panics adopting one without status) and kovn_node_start returns without
#   waiting; start the node (kovn_node_start_kubelet, below), then
#   kovn_node_wait_status.
#   kovn_node_cleanup   the EXIT trap, or called by $kovn_node_trap if set
#   start_daemon; cni COMMAND CONTAINER NETNS NAMESPACE POD [CONFIG]
#   pod NAMESPACE NAME; add NAMESPACE NAME; ip_of NAME [4|6];
#   inns NAME CMD...; ping_ok NAME ADDRESS
# It sets $dir, $node, $id, $x (default subnet 10.$x.0.0/16), $nb,
# $ovs_db, $sock, $conf (the plugin config a runtime passes) and
# $daemon_pid ($sandboxd_pid with SANDBOXD).  Pod network namespaces are
# to be named kd$id-*; cleanup deletes them and the veths of this node's
# br-int.
source "$kovn_root/scripts/lib/proc.sh"

kovn_node_cleanup() {
    set +e
    [[ -n "${dir:-}" ]] || return 0
    # kovn-sandboxd first: it would retry what the daemon no longer answers.
    stop_pidfile "$dir/sandboxd.pid"
    stop_pidfile "$dir/daemon.pid"
    stop_pidfile "$dir/controller.pid"
    # Veths before namespaces: `ip netns del` frees them asynchronously.
    # Only this run's: the ports on this node's br-int, and the pod ends in
    # this run's namespaces (other runs on the machine have kovn veths too).
    local l
    for l in $(ovs-vsctl --db="$ovs_db" --timeout=5 list-ports br-int 2>/dev/null |
        grep '^kovn[0-9a-f]\{11\}$'); do
        ip link del "$l" 2>/dev/null
    done
    for l in $(ip netns list | awk '{print $1}' | grep "^kd$id-"); do
        ip -n "$l" link del eth0 2>/dev/null
        ip netns del "$l"
    done
    nft delete table ip "kovn_$id" 2>/dev/null
    "$kovn_root/scripts/ovn.sh" stop-node "$dir/node" >/dev/null 2>&1
    "$kovn_root/scripts/ovn.sh" stop "$dir/ovn" >/dev/null 2>&1
    [[ -n "${KEEP:-}" ]] || k8s_cleanup
}

die() {
    log_tail "$dir/daemon.log"
    log_tail "$dir/controller.log"
    fail "$@"
}

# The daemon's command line is kept in $dir/daemon.cmd, so that a test
# that kills it can start it again the same way.
start_daemon() {
    rm -f "$dir/daemon.pid"
    local cmd=("$kovn_daemon" --kubeconfig "$dir/kovn-daemon.kubeconfig" --node-name "$node" \
        --ovs-db "$ovs_db" --cni-socket "$sock" \
        --cluster-cidr "$default_cidr${KOVN_NODE_EXTRA_CIDRS:+,$KOVN_NODE_EXTRA_CIDRS}" \
        --nat-table "kovn_$id" \
        --annotation-timeout 30s --installed-timeout 30s \
        --log-file "$dir/daemon.log" --pidfile "$dir/daemon.pid")
    printf '%q ' "${cmd[@]}" >"$dir/daemon.cmd"
    "${cmd[@]}" >>"$dir/daemon.out" 2>&1 &
    daemon_pid=$!
    # The pid file is written by the daemon itself; wait for it.
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(cat "$dir/daemon.pid" 2>/dev/null) == "$daemon_pid" ]] && return 0
        sleep 0.1
    done
    die "kovn-daemon wrote no pid file"
}

cni() {
    CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$3 CNI_IFNAME=eth0 \
        CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$4;K8S_POD_NAME=$5" \
        CNI_PATH=/opt/cni/bin "$kovn_cni" <"${6:-$conf}"
}

# pod NAMESPACE NAME: a pod bound to this node.
pod() {
    kubectl create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1}
spec:
  nodeName: $node
  containers: [{name: c, image: none}]
EOF
}

# add NAMESPACE NAME: netns kd<id>-NAME and a CNI ADD; the result in
# $dir/NAME.json.  The container ID is the pod's name.
add() {
    local ns=kd$id-$2
    ip netns add "$ns"
    cni ADD "c-$2" "/var/run/netns/$ns" "$1" "$2" >"$dir/$2.json" ||
        { cat "$dir/$2.json" >&2; die "ADD $1/$2 failed"; }
}

# The first address of a result of the given family (4 or 6).
ip_of() {
    python3 - "$dir/$1.json" "${2:-4}" <<'PY'
import ipaddress, json, sys
for ip in json.load(open(sys.argv[1]))["ips"]:
    a = ipaddress.ip_interface(ip["address"])
    if a.version == int(sys.argv[2]):
        print(a.ip)
        break
PY
}

inns() { ip netns exec "kd$id-$1" "${@:2}"; }
ping_ok() { inns "$1" ping -c 1 -W 3 "$2" >/dev/null || inns "$1" ping -c 2 -W 3 "$2" >/dev/null; }

# kovn-sandboxd as the node's kubelet, with the conflist a runtime would
# read (deploy/cni/'s, pointed at this node's socket) and kovn-cni on its
# CNI_PATH.  Its namespaces have a prefix of their own under kd<id>-, so
# that its start-up sweep of unrecorded namespaces spares the kd<id>-NAME
# ones a test makes with `add`, and kovn_node_cleanup still removes them.
kovn_node_start_sandboxd() {
    sandboxd_dir=$dir/sandboxd
    mkdir -p "$sandboxd_dir/bin" "$sandboxd_dir/state"
    ln -sf "$(readlink -f "$kovn_cni")" "$sandboxd_dir/bin/kovn-cni"
    python3 -c '
import json, sys
lst = json.load(open(sys.argv[1]))
lst["plugins"][0]["daemonSocket"] = sys.argv[2]
print(json.dumps(lst))' "$kovn_root/deploy/cni/01-kovn.conflist" "$sock" \
        >"$sandboxd_dir/01-kovn.conflist"
    rm -f "$dir/sandboxd.pid"
    "$kovn_sandboxd" --kubeconfig "$dir/kovn-sandboxd.kubeconfig" --node-name "$node" \
        --cni-conf "$sandboxd_dir/01-kovn.conflist" --cni-bin-dir "$sandboxd_dir/bin" \
        --netns-dir /var/run/netns --netns-prefix "kd$id-p-" \
        --state-dir "$sandboxd_dir/state" \
        --log-file "$sandboxd_dir/sandboxd.log" --pidfile "$dir/sandboxd.pid" \
        >>"$sandboxd_dir/sandboxd.out" 2>&1 &
    sandboxd_pid=$!
}

kovn_node_ready() {
    [[ $(kubectl get node "$node" \
        -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

kovn_node_start() {
    kovn_controller=$1 kovn_daemon=$2 kovn_cni=$3 kovn_sandboxd=${4:-}
    id=$$
    node=kovn-node-$id
    # CIDRs per run: the default VPC's route lands in this namespace.
    x=$((150 + id % 50))
    default_cidr=10.$x.0.0/16
    join_cidr=100.$((64 + id % 50)).0.0/16

    if [[ -n $kovn_sandboxd || -n ${KOVN_NODE_KUBELET:-} ]]; then
        k8s_start
    else
        k8s_start --no-scheduler
    fi
    dir=$K8S_DIR
    # k8s_start installed its own EXIT trap; ours stops more.
    trap "${kovn_node_trap:-kovn_node_cleanup}" EXIT
    # shellcheck disable=SC2086
    "$kovn_root/scripts/ovn.sh" start "$dir/ovn" ${KOVN_NODE_OVN_ARGS:-} >"$dir/ovn.log" 2>&1 ||
        { cat "$dir/ovn.log" >&2; fail "OVN did not start"; }
    source "$dir/ovn/ovn.env"
    nb=$OVN_NB_DB
    "$kovn_root/scripts/ovn.sh" start-node "$dir/node" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB" \
        --system-id "$node" >"$dir/node.log" 2>&1 ||
        { cat "$dir/node.log" >&2; fail "the OVN chassis did not start"; }
    ovs_db=unix:$dir/node/db.sock
    export KUBECONFIG=$KUBECONFIG_ADMIN
    kubectl apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null
    # Without kovn-sandboxd or a kubelet the Node is made here (no
    # heartbeats).
    [[ -n $kovn_sandboxd || -n ${KOVN_NODE_KUBELET:-} ]] ||
        printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s}\n' "$node" |
        kubectl create -f - >/dev/null

    if declare -F kovn_node_start_controller >/dev/null; then
        kovn_node_start_controller
    else
        "$kovn_controller" --kubeconfig "$dir/kovn-controller.kubeconfig" --ovn-nb "$nb" \
            --metrics-port "$(free_port)" --no-leader-elect \
            --default-cidr "$default_cidr" --default-gateway "10.$x.0.1" \
            --join-cidr "$join_cidr" >>"$dir/controller.log" 2>&1 &
        echo $! >"$dir/controller.pid"
    fi

    # The plugin config as a runtime hands it over: the conflist's plugin
    # with the list's cniVersion and name, pointed at this node's socket.
    sock=$dir/run/cni.sock
    conf=$dir/kovn.conf
    python3 -c '
import json, sys
lst = json.load(open(sys.argv[1]))
p = dict(lst["plugins"][0], cniVersion=lst["cniVersion"], name=lst["name"])
p["daemonSocket"] = sys.argv[2]
print(json.dumps(p))' "$kovn_root/deploy/cni/01-kovn.conflist" "$sock" >"$conf"

    # The Node before the daemon's STATUS: ovn0 needs its join address.
    [[ -z $kovn_sandboxd ]] || kovn_node_start_sandboxd
    start_daemon
    [[ -n ${KOVN_NODE_KUBELET:-} ]] || kovn_node_wait_status
}

# Until kovn-daemon answers CNI STATUS: it has the Node's join address and
# ovn0 is up.
kovn_node_wait_status() {
    local status_conf=$dir/status.conf i
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cniVersion"]="1.1.0"; print(json.dumps(c))' \
        "$conf" >"$status_conf"
    for ((i = 0; i < 300; i++)); do
        CNI_COMMAND=STATUS CNI_PATH=/opt/cni/bin "$kovn_cni" <"$status_conf" >"$dir/status.out" 2>&1 && break
        sleep 0.2
    done
    ((i < 300)) || { cat "$dir/status.out" >&2; die "kovn-daemon not ready (STATUS)"; }
    [[ -n $kovn_sandboxd ]] || return 0
    for ((i = 0; i < 300; i++)); do
        kovn_node_ready && return 0
        kill -0 "$sandboxd_pid" 2>/dev/null ||
            { log_tail "$sandboxd_dir/sandboxd.log"; die "kovn-sandboxd exited"; }
        sleep 0.2
    done
    log_tail "$sandboxd_dir/sandboxd.log"
    die "node $node not Ready (kovn-sandboxd)"
}

# With KOVN_NODE_KUBELET=1, after kovn_node_start:
#   kovn_node_start_kubelet   the real node (scripts/node.sh) in
#       $node_dir=$dir/realnode, its containerd calling kovn-cni at this
#       node's socket; returns once the Node is Ready (node.sh's output in
#       $dir/node-start.log).
#   kovn_node_stop_kubelet    stops it and removes $node_dir (KEEP keeps
#       it); for the cleanup trap, before kovn_node_cleanup.
#   kovn_node_dump MESSAGE    die, with the ends of kubelet's and
#       containerd's logs first.
node_dir=""
kovn_node_start_kubelet() {
    node_dir=$dir/realnode
    "$kovn_root/scripts/node.sh" start "$node_dir" --kubeconfig "$KUBECONFIG_ADMIN" \
        --client-ca "$dir/pki/ca.crt" --name "$node" --kovn-cni "$kovn_cni" \
        --cni-socket "$sock" >"$dir/node-start.log" 2>&1 ||
        { cat "$dir/node-start.log" >&2; kovn_node_dump "scripts/node.sh start failed"; }
}

kovn_node_stop_kubelet() {
    [[ -n $node_dir ]] || return 0
    "$kovn_root/scripts/node.sh" stop "$node_dir" >/dev/null 2>&1
    [[ -n ${KEEP:-} ]] || rm -rf --one-file-system "$node_dir"
}

kovn_node_dump() {
    if [[ -n $node_dir ]]; then
        log_tail "$node_dir/kubelet.log"
        log_tail "$node_dir/containerd.log"
    fi
    die "$@"
}
