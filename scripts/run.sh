#!/usr/bin/env bash
# The local stack behind `make run` / `make stop`: everything runs as plain
# processes with pid files under one directory (./run by default).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: run.sh start|stop [DIR]}
dir=${2:-$root/run}

source "$root/scripts/lib/proc.sh"
controller_bin=${KOVN_CONTROLLER:-$root/build/release/src/controller/kovn-controller}
daemon_bin=${KOVN_DAEMON:-$root/build/release/src/daemon/kovn-daemon}
cni_bin=${KOVN_CNI:-$root/build/release/src/cni/kovn-cni}
# The one node of the local stack: Kubernetes names nodes in lower case.
node_name=$(hostname -s | tr '[:upper:]' '[:lower:]')

# kovn-controller with its own identity, its webhook certificate from
# scripts/certs.sh, and the webhook registered once it answers.
start_controller() {
    local metrics_port webhook_port i
    stop_pidfile "$dir/kovn-controller.pid"
    # A registration left by an earlier run points at a port nobody serves;
    # with failurePolicy Fail it would refuse the controller's own defaults.
    kubectl --kubeconfig "$dir/kubeconfig" delete validatingwebhookconfiguration \
        kovn-validate --ignore-not-found >/dev/null
    "$root/scripts/certs.sh" "$dir/certs" >/dev/null
    metrics_port=$(free_port)
    webhook_port=$(free_port)
    echo "$metrics_port" >"$dir/kovn-controller.metrics-port"
    "$controller_bin" --kubeconfig "$dir/kovn-controller.kubeconfig" \
        --ovn-nb "unix:$dir/ovnnb_db.sock" --metrics-port "$metrics_port" \
        --webhook-port "$webhook_port" --webhook-cert "$dir/certs/tls.crt" \
        --webhook-key "$dir/certs/tls.key" \
        >>"$dir/kovn-controller.log" 2>&1 &
    echo $! >"$dir/kovn-controller.pid"
    for ((i = 0; i < 600; i++)); do
        curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null && break
        kill -0 "$(cat "$dir/kovn-controller.pid")" 2>/dev/null ||
            { log_tail "$dir/kovn-controller.log"; exit 1; }
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null ||
        { log_tail "$dir/kovn-controller.log"; echo "kovn-controller not ready" >&2; exit 1; }
    sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
        -e "s|@CA_BUNDLE@|$(base64 -w0 "$dir/certs/ca.crt")|" \
        "$root/deploy/local/webhook.yaml" |
        kubectl --kubeconfig "$dir/kubeconfig" apply -f - >/dev/null
}

# One node, a real one: a chassis (OVS on the userspace datapath +
# ovn-controller) in this network namespace, kovn-daemon serving the CNI
# plugin, and kubelet + containerd + runc (scripts/node.sh) whose CRI calls
# kovn-cni from $dir/cni/bin.  kubelet registers the Node with the address
# the API server advertises; kovn-daemon plugs ovn0 once the controller gave
# the Node its join address.
start_node() {
    local i
    "$root/scripts/ovn.sh" start-node "$dir/node" \
        --nb "unix:$dir/ovnnb_db.sock" --sb "unix:$dir/ovnsb_db.sock" \
        --system-id "$node_name" --hostname "$node_name"
    "$daemon_bin" --kubeconfig "$dir/kovn-daemon.kubeconfig" \
        --node-name "$node_name" --ovs-db "unix:$dir/node/db.sock" \
        --cni-socket "$dir/kovn-cni.sock" \
        >>"$dir/kovn-daemon.log" 2>&1 &
    echo $! >"$dir/kovn-daemon.pid"
    "$root/scripts/node.sh" start "$dir" --kubeconfig "$dir/kubeconfig" \
        --client-ca "$dir/pki/ca.crt" --name "$node_name" --kovn-cni "$cni_bin" \
        --cni-socket "$dir/kovn-cni.sock" --node-ip "$node_ip"
    for ((i = 0; i < 600; i++)); do
        [[ -S "$dir/kovn-cni.sock" ]] && return 0
        kill -0 "$(cat "$dir/kovn-daemon.pid")" 2>/dev/null ||
            { log_tail "$dir/kovn-daemon.log"; exit 1; }
        sleep 0.1
    done
    log_tail "$dir/kovn-daemon.log"
    echo "kovn-daemon serves no CNI socket after 60 s" >&2
    exit 1
}

# An "outside" host for pods to reach: a network namespace kovn-outside
# behind the node at 203.0.113.1 (TEST-NET-3, never routed anywhere), which
# answers every TCP or HTTP client with the source address it saw.  With
# natOutgoing that is the node's side of the link, 203.0.113.2.
outside_ns=kovn-outside
start_outside() {
    stop_outside
    ip netns add "$outside_ns"
    ip link add kovn-out type veth peer name eth0 netns "$outside_ns"
    ip addr add 203.0.113.2/30 dev kovn-out
    ip link set kovn-out up
    ip -n "$outside_ns" addr add 203.0.113.1/30 dev eth0
    ip -n "$outside_ns" link set eth0 up
    ip -n "$outside_ns" link set lo up
    # Replies to pods of subnets without natOutgoing go back via the node.
    ip -n "$outside_ns" route add default via 203.0.113.2
    ip netns exec "$outside_ns" python3 "$root/scripts/lib/outside_echo.py" \
        serve 203.0.113.1 8080 >>"$dir/outside.log" 2>&1 &
    echo $! >"$dir/outside.pid"
}

stop_outside() {
    stop_pidfile "$dir/outside.pid"
    ip link del kovn-out 2>/dev/null || true
    ip netns del "$outside_ns" 2>/dev/null || true
}

# The node first (kubelet, the pods' containers and mounts, containerd),
# then kovn-daemon.  A directory from before the real node may still hold
# kovn-sandboxd's pod namespaces: they are removed by its records.
stop_node() {
    local f netns
    "$root/scripts/node.sh" stop "$dir"
    stop_pidfile "$dir/kovn-sandboxd.pid"
    stop_pidfile "$dir/kovn-daemon.pid"
    # kovn-daemon keeps its masquerade table across restarts; `make stop`
    # leaves the host as it was.
    nft delete table ip kovn 2>/dev/null || true
    for f in "$dir"/sandboxd/*.json; do
        [[ -f "$f" ]] || continue
        netns=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("netns",""))' "$f" 2>/dev/null || true)
        if [[ $netns == /var/run/netns/* || $netns == /run/netns/* ]]; then
            umount "$netns" 2>/dev/null || true
            rm -f "$netns"
        fi
        rm -f "$f"
    done
    "$root/scripts/ovn.sh" stop-node "$dir/node" >/dev/null 2>&1 || true
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # `make run` twice restarts the stack rather than tripping over it.
    if compgen -G "$dir/*.pid" >/dev/null; then
        "$0" stop "$dir" >/dev/null
    fi
    "$root/scripts/ovn.sh" start "$dir"
    # Pods reach the API server through the kubernetes Service, whose
    # endpoint is the advertised address: the node's own (the source
    # address of its default route, kubelet's InternalIP), which pods reach
    # through ovn0.  `ip route get` only asks the routing table.
    node_ip=$(ip -4 route get 203.0.113.1 2>/dev/null |
        sed -n 's/.* src \([0-9.]*\).*/\1/p')
    node_ip=${node_ip:-127.0.0.1}
    K8S_ADVERTISE_ADDRESS=$node_ip "$root/scripts/k8s.sh" start "$dir"
    kubectl --kubeconfig "$dir/kubeconfig" apply $(printf -- "-f %s " "$root"/deploy/crd-*.yaml) >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" wait --for=condition=Established \
        --timeout=60s crd/vpcs.kubeovn.io crd/subnets.kubeovn.io \
        crd/ips.kubeovn.io crd/ippools.kubeovn.io >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/deploy/rbac.yaml" >/dev/null
    start_controller
    start_node
    start_outside
    # kubectl warns when it applies the demo namespaces' default service
    # accounts that kube-controller-manager made first; only a failure is
    # worth showing.
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/examples/" \
        >/dev/null 2>"$dir/examples.log" || { cat "$dir/examples.log" >&2; exit 1; }
    busybox=$("$root/scripts/images.sh" name busybox)
    cat <<MSG

kovn local stack is running under $dir (logs and pid files there):
  Page:       http://127.0.0.1:$(cat "$dir/kovn-controller.metrics-port")/ui   (the topology, live; problems in red)
  Kubernetes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
              (kovn CRDs and RBAC applied)
  OVN:        NB and SB ovsdb-server, ovn-northd
  kovn:       kovn-controller (log kovn-controller.log, metrics on
              http://127.0.0.1:$(cat "$dir/kovn-controller.metrics-port")/metrics),
              its admission webhook registered; examples/ applied
  node:       $node_name: OVS + ovn-controller (node/), kovn-daemon,
              kubelet and containerd (kubelet.log, containerd.log; images
              $busybox and the pause image, local only)

Try:
  export KUBECONFIG=$dir/kubeconfig PATH=$root/build/release/src/cli:\$PATH
  kubectl get vpcs,subnets
  kubectl get ns demo-a -o jsonpath='{.metadata.annotations}'
  kubectl kovn orphans; kubectl kovn check --ovn-nb unix:$dir/ovnnb_db.sock
  kubectl kovn topology; kubectl kovn topology -o svg >topology.svg
  export KOVN_OVN_NB=unix:$dir/ovnnb_db.sock KOVN_OVN_SB=unix:$dir/ovnsb_db.sock
  kubectl kovn trace demo-b/client demo-a/web tcp 80    # the path through OVN, in kovn's terms
  kubectl get pods -A -o wide
  web=\$(kubectl -n demo-a get pod web -o jsonpath='{.status.podIP}')
  kubectl -n demo-b exec client -- ping -c 3 \$web    # across VPC demo's router
  kubectl -n demo-b exec client -- wget -qO- http://\$web/; kubectl -n demo-a logs web
  kubectl run p1 --image=$busybox --image-pull-policy=Never -- sleep 86400
  kubectl wait --for=condition=Ready pod/p1           # a pod of the default VPC, ovn-default
  kubectl exec p1 -- wget -qO- https://10.96.0.1/healthz   # the kubernetes Service
  kubectl exec p1 -- wget -qO- http://203.0.113.1:8080/    # the outside (netns $outside_ns) sees the node: natOutgoing
  ovn-nbctl --db=unix:$dir/ovnnb_db.sock show
  ovn-sbctl --db=unix:$dir/ovnsb_db.sock show

Stop everything with: make stop
MSG
    ;;
stop)
    stop_outside
    stop_node
    stop_pidfile "$dir/kovn-controller.pid"
    "$root/scripts/k8s.sh" stop "$dir"
    "$root/scripts/ovn.sh" stop "$dir"
    echo "kovn local stack under $dir stopped"
    ;;
*)
    echo "usage: run.sh start|stop [DIR]" >&2
    exit 2
    ;;
esac
