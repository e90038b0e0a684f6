#!/usr/bin/env bash
# kovn under a real node: kubelet 1.20 + containerd + runc (scripts/node.sh)
# with kovn-cni as containerd's CNI plugin, a real control plane with a
# scheduler, OVN, kovn-controller and kovn-daemon (tests/lib/kovn_node.sh).
#  1. The node registers and is Ready with containerd as its runtime.
#  2. A Deployment of 10 busybox pods (local image, imagePullPolicy Never)
#     is Running, each with a distinct address from ovn-default that
#     matches its ovn.kubernetes.io/ip_address annotation and its OVS port.
#  3. `kubectl exec` in one pod pings another (pod -> pod through OVN);
#     `kubectl logs` shows what a container wrote.
#  4. Deleting a pod removes its OVS port: containerd's CNI DEL reached
#     kovn-daemon.
#  5. kill -9 of containerd keeps every container process running; after
#     containerd's restart, and after a kubelet restart, the pods have the
#     same containers (no restart, no new sandbox) and still ping.
#  6. The host keeps its kernel tunables (kubelet sets six at start;
#     node.sh puts them back, also after its restart) and gets no KUBE-*
#     iptables chains.
#  7. scripts/node.sh stop, with containerd killed first, leaves no kubelet,
#     containerd, shim, container, cgroup, mount, network namespace or CNI
#     result cache entry of the node behind.
# Needs root, kubelet (scripts/k8s.sh build) and the local images
# (scripts/images.sh).
#   test_kubelet.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$(dirname "$0")/../lib/kovn_node.sh"
controller=${1:?usage: test_kubelet.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI}
daemon=${2:?}
cni_bin=${3:?}
[[ $(id -u) == 0 ]] || fail "needs root (containers, network namespaces, veths)"

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

node_dir=""
cleanup() {
    set +e
    if [[ -n $node_dir ]]; then
        "$kovn_root/scripts/node.sh" stop "$node_dir" >/dev/null 2>&1
        [[ -n ${KEEP:-} ]] || rm -rf --one-file-system "$node_dir"
    fi
    kovn_node_cleanup
}
dump() {
    log_tail "$node_dir/kubelet.log"
    log_tail "$node_dir/containerd.log"
    die "$@"
}
kovn_node_trap=cleanup
KOVN_NODE_KUBELET=1 kovn_node_start "$controller" "$daemon" "$cni_bin"
step "k8s (with scheduler), OVN, chassis, kovn-controller and kovn-daemon started"

# 1. The node: kubelet registers it; then kovn-daemon gets its join address.
node_dir=$dir/realnode
tunables() {
    sysctl -n vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops \
        kernel.keys.root_maxkeys kernel.keys.root_maxbytes | tr '\n' ' '
}
kube_chains() { { iptables-save 2>/dev/null || true; } | grep -c '^:KUBE-' || true; }
tunables_before=$(tunables)
chains_before=$(kube_chains)
"$kovn_root/scripts/node.sh" start "$node_dir" --kubeconfig "$KUBECONFIG_ADMIN" \
    --client-ca "$dir/pki/ca.crt" --name "$node" --kovn-cni "$cni_bin" \
    --cni-socket "$sock" >"$dir/node-start.log" 2>&1 ||
    { cat "$dir/node-start.log" >&2; dump "scripts/node.sh start failed"; }
runtime=$(kubectl get node "$node" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}')
[[ $runtime == containerd://* ]] || dump "node runtime is '$runtime', not containerd"
step "node $node Ready, runtime $runtime ($(tail -n1 "$dir/node-start.log"))"
kovn_node_wait_status
step "kovn-daemon ready (STATUS ok: the node's ovn0 is up)"

# 2. Ten pods of a Deployment.
busybox=$("$kovn_root/scripts/images.sh" name busybox)
k8s_wait_sa default
kubectl apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: bb}
spec:
  replicas: 10
  selector: {matchLabels: {app: bb}}
  template:
    metadata: {labels: {app: bb}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: bb
        image: $busybox
        imagePullPolicy: Never
        command: [sh, -c, 'echo "hello from \$(hostname)"; exec sleep 3600']
EOF
running() {
    [[ $(kubectl get pods -l app=bb --field-selector=status.phase=Running \
        -o name 2>/dev/null | wc -l) == 10 ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 150 "10 bb pods Running" running
step "10 pods Running"

mapfile -t rows < <(kubectl get pods -l app=bb -o \
    jsonpath='{range .items[*]}{.metadata.name} {.status.podIP} {.metadata.annotations.ovn\.kubernetes\.io/ip_address} {.metadata.annotations.ovn\.kubernetes\.io/logical_switch}{"\n"}{end}')
((${#rows[@]} == 10)) || dump "expected 10 pods, got ${#rows[@]}"
declare -A seen=()
names=() ips=()
for r in "${rows[@]}"; do
    read -r name ip ann ls <<<"$r"
    [[ $ls == ovn-default ]] || dump "pod $name: logical_switch '$ls', not ovn-default"
    [[ $ip == "10.$x."* ]] || dump "pod $name: address '$ip' is not in ovn-default 10.$x.0.0/16"
    [[ $ip == "$ann" ]] || dump "pod $name: podIP $ip but annotation $ann"
    [[ -z ${seen[$ip]:-} ]] || dump "pods $name and ${seen[$ip]} share $ip"
    seen[$ip]=$name
    names+=("$name") ips+=("$ip")
    # The pod's OVS port, bound to its logical switch port.
    ovs-vsctl --db="$ovs_db" --bare --columns=name find interface \
        "external_ids:iface-id=$name.default" | grep -q . ||
        dump "pod $name has no OVS port on br-int"
done
step "10 distinct addresses from ovn-default, each with its OVS port"

# 3. exec and logs through kube-apiserver -> kubelet -> containerd.
ok=""
for ((i = 0; i < 5; i++)); do
    if kubectl exec "${names[0]}" -- ping -c 2 -W 2 "${ips[1]}" >"$dir/ping.out" 2>&1; then
        ok=1
        break
    fi
    sleep 1
done
[[ -n $ok ]] || { cat "$dir/ping.out" >&2; dump "kubectl exec ${names[0]} -- ping ${ips[1]} failed"; }
grep -q '2 packets received' "$dir/ping.out" || { cat "$dir/ping.out" >&2; dump "ping lost packets"; }
kubectl exec "${names[9]}" -- ping -c 1 -W 2 "${ips[0]}" >/dev/null ||
    dump "kubectl exec ${names[9]} -- ping ${ips[0]} failed"
step "kubectl exec: ${names[0]} -> ${ips[1]} and ${names[9]} -> ${ips[0]} ping"
logs=$(kubectl logs "${names[2]}")
[[ $logs == "hello from ${names[2]}" ]] || dump "kubectl logs ${names[2]}: '$logs'"
step "kubectl logs: '$logs'"

# 4. Deleting a pod: kubelet stops its sandbox, containerd calls CNI DEL.
victim=${names[3]}
kubectl delete pod "$victim" --wait=true --timeout=60s >/dev/null
step "pod $victim deleted"
port_gone() {
    ! ovs-vsctl --db="$ovs_db" --bare --columns=name find interface \
        "external_ids:iface-id=$victim.default" | grep -q .
}
WAIT_FOR_LOG=$dir/daemon.log wait_for 30 "the OVS port of deleted pod $victim removed" port_gone
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 90 "the Deployment back at 10 Running pods" running
step "pod $victim deleted: its OVS port is gone (CNI DEL); its replacement runs"

# 5. kill -9 of containerd: the pods' containers (their shims) go on, and
# after containerd's restart kubelet finds them again, recreating nothing.
# A kubelet restart recreates nothing either.
pod_state() {
    kubectl get pods -l app=bb -o jsonpath='{range .items[*]}{.metadata.name}={.status.containerStatuses[0].containerID},{.status.containerStatuses[0].restartCount};{end}' |
        tr ';' '\n' | sort
}
ping_pods() {
    mapfile -t rows < <(kubectl get pods -l app=bb -o \
        jsonpath='{range .items[*]}{.metadata.name} {.status.podIP}{"\n"}{end}')
    local a b
    read -r a _ <<<"${rows[0]}"
    read -r _ b <<<"${rows[${#rows[@]} - 1]}"
    kubectl exec "$a" -- ping -c 1 -W 2 "$b" >/dev/null ||
        kubectl exec "$a" -- ping -c 2 -W 2 "$b" >/dev/null
}
before=$(pod_state)
inits=$(for f in "$node_dir"/containerd/state/io.containerd.runtime.v2.task/k8s.io/*/init.pid; do
    echo "$(cat "$f")"
done)
"$kovn_root/scripts/node.sh" kill "$node_dir" containerd KILL
for pid in $inits; do
    kill -0 "$pid" 2>/dev/null || dump "container process $pid died with containerd"
done
"$kovn_root/scripts/node.sh" restart "$node_dir" containerd
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "pods reachable after containerd's restart" ping_pods
[[ $(pod_state) == "$before" ]] || dump "containers changed over containerd's restart: $before -> $(pod_state)"
step "kill -9 containerd: $(wc -w <<<"$inits") container processes kept running; after its restart the same containers, pod -> pod ping"
"$kovn_root/scripts/node.sh" restart "$node_dir" kubelet
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "pods reachable after kubelet's restart" ping_pods
[[ $(pod_state) == "$before" ]] || dump "containers changed over kubelet's restart: $before -> $(pod_state)"
step "kubelet restart: Ready again, the same containers, pod -> pod ping"

# 6. The host as it was.
[[ $(tunables) == "$tunables_before" ]] ||
    dump "kernel tunables changed by the node: '$tunables_before' -> '$(tunables)'"
[[ $(kube_chains) == "$chains_before" ]] || dump "kubelet added KUBE-* iptables chains"
step "host kernel tunables and iptables untouched"

# 7. Stop leaves nothing of the node.
pids=$(for f in "$node_dir"/*.pid "$node_dir"/containerd/state/io.containerd.runtime.v2.task/*/*/*.pid; do
    if [[ -f $f ]]; then echo "$(cat "$f")"; fi
done)
shims=$(for f in /proc/[0-9]*/cwd; do
    if [[ $(readlink "$f" 2>/dev/null) == "$node_dir"/containerd/state/* ]]; then
        f=${f#/proc/}
        echo "${f%/cwd}"
    fi
done)
[[ -n $shims ]] || dump "no shim has its bundle as working directory"
pids+=" $shims"
sandboxes=$(ls "$node_dir/containerd/root/io.containerd.grpc.v1.cri/sandboxes")
[[ -n $sandboxes ]] || dump "no sandboxes under containerd's root"
# As after a crash: stop must clean up without containerd's help (make
# run's stop, test_run, takes the path with containerd alive).
"$kovn_root/scripts/node.sh" kill "$node_dir" containerd KILL
"$kovn_root/scripts/node.sh" stop "$node_dir"
for sb in $sandboxes; do
    ! compgen -G "/var/lib/cni/results/*-$sb-*" >/dev/null ||
        dump "CNI result cache of sandbox $sb left: $(compgen -G "/var/lib/cni/results/*-$sb-*")"
    ! compgen -G "/sys/fs/cgroup/*/k8s.io/$sb" >/dev/null || dump "cgroups of sandbox $sb left"
done
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || dump "process $pid ($(cat /proc/"$pid"/comm 2>/dev/null)) left after node.sh stop"
done
! grep -q " $node_dir/" /proc/self/mountinfo || dump "mounts left under $node_dir: $(grep " $node_dir/" /proc/self/mountinfo | head -3)"
"$kovn_root/scripts/node.sh" stop "$node_dir" || dump "a second node.sh stop failed"
step "node.sh stop after kill -9 containerd: no process ($(wc -w <<<"$pids") checked), mount or CNI cache entry left; stopping twice is fine"
echo "PASS ($((SECONDS - t0))s)"
