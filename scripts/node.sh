#!/usr/bin/env bash
# A real Kubernetes node as plain processes: containerd (Debian's 1.6, runc)
# and kubelet 1.20 (built by scripts/k8s.sh), with kovn-cni as the CNI
# plugin and local images (scripts/images.sh), no registry and no system
# service.  Everything lives under DIR; pid files are DIR/containerd.pid and
# DIR/kubelet.pid, logs next to them.
#
#   scripts/node.sh start DIR --kubeconfig FILE --client-ca FILE \
#       --name NODE --kovn-cni BIN --cni-socket SOCKET [--node-ip IP]
#       containerd with its own root, state and socket (DIR/containerd.sock),
#       the CRI plugin calling kovn-cni from DIR/cni/bin with DIR/cni/net.d's
#       conflist (daemonSocket: SOCKET, which kovn-daemon serves); kubelet
#       registering NODE with InternalIP IP (default: the source address of
#       the default route), serving exec/logs to clients with certificates
#       of --client-ca (kube-apiserver's) on a free port.  Returns once the
#       Node is Ready.  A node already running in DIR is left as it is.
#   scripts/node.sh start DIR --kubeconfig FILE --client-ca FILE \
#       --name NODE --host-cni [--node-ip IP]
#       the same node as a cluster's CNI installer expects it: containerd's
#       CRI uses the host's /opt/cni/bin and /etc/cni/net.d (empty until a
#       network such as deploy/kovn-node.yaml installs itself; the node is
#       NotReady until then) and puts pod network namespaces in
#       /var/run/netns, a shared mount as iproute2 makes it, so that a
#       host-network pod mounting it sees the sandboxes made after it.
#       Only the reference loopback plugin is put there, by this script,
#       which stop removes again with the directories it created.
#   scripts/node.sh stop DIR
#       kubelet, the pods' containers, containerd, then every mount left
#       under DIR (pod volumes, sandbox /dev/shm, network namespaces: they
#       are under containerd's state dir) and the pods' log directories.
#       Pods get no CNI DEL here (kubelet is gone): their veths go with their
#       network namespaces; kovn-daemon sweeps the stale ports at its start.
#   scripts/node.sh kill DIR containerd|kubelet [SIGNAL]
#   scripts/node.sh restart DIR containerd|kubelet    (for tests)
#
# Two facts of these machines shape the configuration: there is no
# CAP_SYS_RESOURCE, so runc may not lower oom_score_adj
# (restrict_oom_score_adj), and node names do not resolve, so kube-apiserver
# reaches kubelet by InternalIP (scripts/k8s.sh).  The host is left as it
# was: kubelet adds no iptables chains (makeIPTablesUtilChains: false), and
# the kernel tunables it sets at start are put back once it is Ready.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/lib/proc.sh"
k8s_cache=${KOVN_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/k8s-1.20.2}
kubelet_bin=${KOVN_KUBELET:-$k8s_cache/bin/kubelet}
wait_seconds=${NODE_WAIT_SECONDS:-90}

die() {
    echo "node.sh: $*" >&2
    exit 1
}

# kubelet 1.20 sets these host-wide at start, once (setupKernelTunables:
# kernel.panic 10, panic_on_oops 1, overcommit 1, ...); the one alternative,
# protectKernelDefaults, refuses to start unless the host already has its
# values.  The host's own are saved before kubelet starts and put back once
# it is Ready, and at stop.
kernel_tunables=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
    kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

save_tunables() {
    local file=$1/kernel-tunables.saved t
    [[ -f $file ]] && return 0
    for t in "${kernel_tunables[@]}"; do
        echo "$t=$(sysctl -n "$t")"
    done >"$file.tmp"
    mv "$file.tmp" "$file"
}

restore_tunables() {
    local file=$1/kernel-tunables.saved line
    [[ -f $file ]] || return 0
    while read -r line; do
        sysctl -qw "$line" 2>/dev/null || true
    done <"$file"
}

write_containerd_config() {
    local dir=$1 pause
    pause=$("$root/scripts/images.sh" name pause)
    cat >"$dir/containerd/config.toml" <<EOF
# Written by scripts/node.sh: a containerd of its own, nothing under /var/lib
# or /run/containerd.
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.ttrpc.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause"
  # No CAP_SYS_RESOURCE here: without this runc fails every sandbox.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state dir, so stop finds them all.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$dir/containerd/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$cni_bin_dir"
    conf_dir = "$cni_conf_dir"
    max_conf_num = 1
EOF
    if [[ $cni_bin_dir == /opt/cni/bin ]]; then
        sed -i 's/^  netns_mounts_under_state_dir = true/  netns_mounts_under_state_dir = false/' \
            "$dir/containerd/config.toml"
    fi
}

# The host's CNI directories with the loopback plugin containerd needs,
# and /run/netns as a shared mount point; what was created is recorded in
# DIR/host-cni.created for stop.  The sandboxes' namespaces existing now
# are recorded too: stop removes only those this node made.
prepare_host_cni() {
    local dir=$1 d
    : >"$dir/host-cni.created"
    for d in /opt/cni /opt/cni/bin /etc/cni /etc/cni/net.d; do
        [[ -d $d ]] || { mkdir "$d" && echo "$d" >>"$dir/host-cni.created"; }
    done
    [[ -x /usr/lib/cni/loopback ]] || die "/usr/lib/cni/loopback missing (containernetworking-plugins)"
    if [[ ! -e /opt/cni/bin/loopback ]]; then
        ln -s /usr/lib/cni/loopback /opt/cni/bin/loopback
        echo /opt/cni/bin/loopback >>"$dir/host-cni.created"
    fi
    mkdir -p /run/netns
    if ! awk '$5 == "/run/netns" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        mount --bind /run/netns /run/netns
    fi
    mount --make-shared /run/netns
    ls /run/netns >"$dir/host-cni.netns-before" 2>/dev/null || true
}

cleanup_host_cni() {
    local dir=$1 f
    [[ -f $dir/host-cni.created ]] || return 0
    for f in $(ls /run/netns 2>/dev/null | grep '^cni-' || true); do
        grep -qxF "$f" "$dir/host-cni.netns-before" 2>/dev/null && continue
        umount "/run/netns/$f" 2>/dev/null || umount -l "/run/netns/$f" 2>/dev/null || true
        rm -f "/run/netns/$f"
    done
    # Newest first: the symlink, then the directories, each only if empty.
    for f in $(tac "$dir/host-cni.created"); do
        if [[ -L $f ]]; then rm -f "$f"; else rmdir "$f" 2>/dev/null || true; fi
    done
    rm -f "$dir/host-cni.created" "$dir/host-cni.netns-before"
}

write_kubelet_config() {
    local dir=$1 client_ca=$2 node_ip=$3 port healthz_port
    port=$(free_port)
    healthz_port=$(free_port)
    echo "$healthz_port" >"$dir/kubelet.healthz-port"
    cat >"$dir/kubelet/config.yaml" <<EOF
# Written by scripts/node.sh.  No systemd, cgroup v1, no QoS cgroups and no
# node allocatable enforcement: kubelet runs as a plain process here.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
address: $node_ip
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $client_ca}
authorization: {mode: Webhook}
# The images are local and cannot be pulled again: never collect them, and
# do not evict pods for a full disk of a shared machine.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
# kubelet 1.20 would otherwise add KUBE-* chains to the host's iptables
# (among them a filter rule dropping non-loopback traffic to 127.0.0.0/8)
# and keep them: nothing here needs them (no kube-proxy, no hostPort).
makeIPTablesUtilChains: false
volumePluginDir: $dir/kubelet/volume-plugins
serializeImagePulls: false
# kubelet's own API rate limit (5/s, burst 10) held pod status writes back:
# 100 pods were Running in the API 7-15 s after their containers started
# (bench_node's P8).  A node of a real cluster is usually given more.
kubeAPIQPS: 50
kubeAPIBurst: 100
EOF
}

# The conflist containerd hands kovn-cni, pointed at kovn-daemon's socket;
# containerd also runs the `loopback` plugin from the same bin dir.
write_cni() {
    local dir=$1 kovn_cni=$2 socket=$3
    mkdir -p "$dir/cni/bin" "$dir/cni/net.d"
    ln -sfn "$(readlink -f "$kovn_cni")" "$dir/cni/bin/kovn-cni"
    [[ -x /usr/lib/cni/loopback ]] || die "/usr/lib/cni/loopback missing (containernetworking-plugins)"
    ln -sfn /usr/lib/cni/loopback "$dir/cni/bin/loopback"
    sed -e "s|/run/kovn/cni.sock|$socket|" "$root/deploy/cni/01-kovn.conflist" \
        >"$dir/cni/net.d/01-kovn.conflist"
}

# launch DIR NAME COMMAND...: a plain process with pid file and log in DIR;
# its command line is kept for `restart`.
launch() {
    local dir=$1 name=$2
    shift 2
    printf '%q ' "$@" >"$dir/$name.cmd"
    relaunch "$dir" "$name"
}

relaunch() {
    local dir=$1 name=$2
    [[ -f "$dir/$name.cmd" ]] || die "$name was never started in $dir"
    eval "nohup $(cat "$dir/$name.cmd") >>\"$dir/$name.log\" 2>&1 </dev/null &"
    echo $! >"$dir/$name.pid"
}

wait_containerd() {
    local dir=$1 deadline=$((SECONDS + wait_seconds))
    until ctr --address "$dir/containerd.sock" version >/dev/null 2>&1; do
        alive "$dir/containerd.pid" || { log_tail "$dir/containerd.log"; die "containerd exited"; }
        ((SECONDS < deadline)) || { log_tail "$dir/containerd.log"; die "containerd not serving"; }
        sleep 0.1
    done
}

# wait_ready DIR SINCE [registered]: until the Node is Ready with a
# heartbeat at or after SINCE (RFC 3339; "" for any), or with "registered"
# only until it exists: with --host-cni it is NotReady until a network
# installs itself.  kubelet sets the kernel tunables at start: they are
# put back.
wait_ready() {
    local dir=$1 since=$2 want=${3:-Ready} kubeconfig name got deadline=$((SECONDS + wait_seconds))
    { read -r kubeconfig; read -r name; } <"$dir/kubelet.node"
    while :; do
        if got=$(kubectl --kubeconfig "$kubeconfig" get node "$name" \
            -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{end}' 2>/dev/null); then
            [[ $want == registered ]] && break
            [[ ${got%% *} == True && ! ${got#* } < $since ]] && break
        fi
        alive "$dir/kubelet.pid" || { log_tail "$dir/kubelet.log"; die "kubelet exited"; }
        alive "$dir/containerd.pid" || { log_tail "$dir/containerd.log"; die "containerd exited"; }
        ((SECONDS < deadline)) || { log_tail "$dir/kubelet.log"; die "node $name not $want after ${wait_seconds}s"; }
        sleep 0.2
    done
    restore_tunables "$dir"
}

# kill DIR containerd|kubelet [SIGNAL]; restart DIR containerd|kubelet: for
# tests.  kill -9 of containerd leaves the pods' shims and containers
# running; restart brings the process back with the same command line.
cmd_kill() {
    local dir=${1:?usage: node.sh kill DIR containerd|kubelet [SIGNAL]} name=${2:?} sig=${3:-KILL} pid
    pid=$(cat "$dir/$name.pid")
    kill -"$sig" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$dir/$name.pid"
}

cmd_restart() {
    local dir=${1:?usage: node.sh restart DIR containerd|kubelet} name=${2:?} since
    dir=$(cd "$dir" && pwd)
    alive "$dir/$name.pid" && cmd_kill "$dir" "$name" TERM
    case "$name" in
    containerd)
        relaunch "$dir" containerd
        wait_containerd "$dir"
        ;;
    kubelet)
        since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        save_tunables "$dir"
        relaunch "$dir" kubelet
        wait_ready "$dir" "$since"
        ;;
    *) die "restart: containerd or kubelet, not $name" ;;
    esac
}

cmd_start() {
    local dir=${1:?usage: node.sh start DIR --kubeconfig F --client-ca F --name N --kovn-cni B --cni-socket S}
    shift
    local kubeconfig="" client_ca="" name="" kovn_cni="" socket="" node_ip="" host_cni=""
    while (($#)); do
        case "$1" in
        --host-cni) host_cni=1; shift; continue ;;
        --kubeconfig) kubeconfig=$2 ;;
        --client-ca) client_ca=$2 ;;
        --name) name=$2 ;;
        --kovn-cni) kovn_cni=$2 ;;
        --cni-socket) socket=$2 ;;
        --node-ip) node_ip=$2 ;;
        *) die "unknown option $1" ;;
        esac
        shift 2
    done
    [[ -n $kubeconfig && -n $client_ca && -n $name && (-n $host_cni || (-n $kovn_cni && -n $socket)) ]] ||
        die "start needs --kubeconfig, --client-ca, --name, and --kovn-cni with --cni-socket or --host-cni"
    [[ -x $kubelet_bin ]] || die "$kubelet_bin missing: run scripts/k8s.sh build"
    command -v containerd >/dev/null && command -v runc >/dev/null ||
        die "containerd or runc missing (run scripts/deps.sh)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    kubeconfig=$(readlink -f "$kubeconfig")
    client_ca=$(readlink -f "$client_ca")
    if alive "$dir/containerd.pid" && alive "$dir/kubelet.pid"; then
        echo "node.sh: $name already running in $dir"
        return 0
    fi
    cmd_stop "$dir"
    if [[ -z $node_ip ]]; then
        node_ip=$(ip -4 route get 203.0.113.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
        [[ -n $node_ip ]] || node_ip=127.0.0.1
    fi
    local t0=$SECONDS
    mkdir -p "$dir/containerd" "$dir/kubelet/root" "$dir/kubelet/pki"
    if [[ -n $host_cni ]]; then
        cni_bin_dir=/opt/cni/bin cni_conf_dir=/etc/cni/net.d
        prepare_host_cni "$dir"
    else
        cni_bin_dir=$dir/cni/bin cni_conf_dir=$dir/cni/net.d
        write_cni "$dir" "$kovn_cni" "$socket"
    fi
    write_containerd_config "$dir"
    write_kubelet_config "$dir" "$client_ca" "$node_ip"

    launch "$dir" containerd containerd --config "$dir/containerd/config.toml"
    wait_containerd "$dir"
    "$root/scripts/images.sh" load "$dir/containerd.sock"

    save_tunables "$dir"
    launch "$dir" kubelet "$kubelet_bin" --kubeconfig="$kubeconfig" \
        --config="$dir/kubelet/config.yaml" --container-runtime=remote \
        --container-runtime-endpoint="unix://$dir/containerd.sock" \
        --root-dir="$dir/kubelet/root" --cert-dir="$dir/kubelet/pki" \
        --hostname-override="$name" --node-ip="$node_ip" --v=1
    printf '%s\n' "$kubeconfig" "$name" >"$dir/kubelet.node"
    if [[ -n $host_cni ]]; then
        wait_ready "$dir" "" registered
        echo "node.sh: node $name ($node_ip) registered (Ready once a network installs itself) in $((SECONDS - t0))s; containerd unix://$dir/containerd.sock"
        return 0
    fi
    wait_ready "$dir" ""
    restore_tunables "$dir"
    echo "node.sh: node $name ($node_ip) Ready in $((SECONDS - t0))s; containerd unix://$dir/containerd.sock"
}

# Kills every task of the k8s.io namespace and removes the containers
# (sandboxes too), while containerd still answers.
remove_containers() {
    local dir=$1 c
    local ctr=(ctr --address "$dir/containerd.sock" --timeout 10s -n k8s.io)
    for c in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
        "${ctr[@]}" tasks kill -s KILL "$c" >/dev/null 2>&1 || true
    done
    for c in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
        "${ctr[@]}" tasks rm -f "$c" >/dev/null 2>&1 || true
    done
    for c in $("${ctr[@]}" containers ls -q 2>/dev/null); do
        "${ctr[@]}" containers rm "$c" >/dev/null 2>&1 || true
    done
}

# What containerd no longer could clean (it was killed, or a task would not
# go): the containers' processes by the init.pid in their bundles, and the
# shims, whose working directory is their bundle under this node's state
# dir (their pid is in no file).
kill_bundles() {
    local dir=$1 f pid cwd tasks=$dir/containerd/state/io.containerd.runtime.v2.task/ i
    local pids=()
    for f in "$tasks"*/*/init.pid; do
        [[ -f $f ]] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        [[ "$pid" =~ ^[0-9]+$ ]] && pids+=("$pid")
    done
    for f in /proc/[0-9]*/cwd; do
        cwd=$(readlink "$f" 2>/dev/null) || continue
        [[ $cwd == "$tasks"* ]] || continue
        pid=${f#/proc/}
        pids+=("${pid%/cwd}")
    done
    ((${#pids[@]})) || return 0
    kill -KILL "${pids[@]}" 2>/dev/null || true
    # Gone, not only signalled: callers check and remove what they held.
    for ((i = 0; i < 50; i++)); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 0.1
    done
}

cmd_stop() {
    local dir=${1:?usage: node.sh stop DIR} m uid id
    [[ -d "$dir" ]] || return 0
    dir=$(cd "$dir" && pwd)
    stop_pidfile "$dir/kubelet.pid"
    restore_tunables "$dir"
    rm -f "$dir/kernel-tunables.saved"
    if alive "$dir/containerd.pid"; then
        remove_containers "$dir"
    fi
    stop_pidfile "$dir/containerd.pid"
    # Every container's id (sandboxes too), while the bundles are there.
    local ids
    ids=$(ls "$dir/containerd/state/io.containerd.runtime.v2.task/k8s.io" \
        "$dir/containerd/root/io.containerd.grpc.v1.cri/sandboxes" \
        "$dir/containerd/root/io.containerd.grpc.v1.cri/containers" 2>/dev/null |
        grep -E '^[0-9a-f]{64}$' | sort -u || true)
    kill_bundles "$dir"
    # Deepest first; lazily if a process still holds one.
    for m in $(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    # kubelet writes pod logs under /var/log/pods/<ns>_<pod>_<uid>, linked
    # from /var/log/containers: remove this node's pods' only.
    for uid in $(ls "$dir/kubelet/root/pods" 2>/dev/null); do
        rm -rf /var/log/pods/*_"$uid" 2>/dev/null || true
        for m in /var/log/containers/*.log; do
            [[ -L $m && $(readlink "$m") == */*_"$uid"/* ]] && rm -f "$m"
        done
    done
    # runc's cgroups are /k8s.io/<container>: a container killed rather than
    # deleted through containerd keeps its (empty) cgroups.  The parent goes
    # once empty (rmdir fails while another node's containers are in it).
    for id in $ids; do
        rmdir /sys/fs/cgroup/*/k8s.io/"$id" 2>/dev/null || true
    done
    rmdir /sys/fs/cgroup/*/k8s.io 2>/dev/null || true
    # Places containerd 1.6 and kubelet 1.20 use whatever their root dirs:
    # libcni's result cache (/var/lib/cni/results/<network>-<sandbox>-<if>;
    # CNI DEL removes an entry, these sandboxes got none), shim sockets in
    # /run/containerd/s, kubelet's device-plugin socket.  This node's
    # entries go; the directories only once nobody uses them.
    local cri=$dir/containerd/root/io.containerd.grpc.v1.cri
    for id in $(ls "$cri/sandboxes" 2>/dev/null); do
        rm -f /var/lib/cni/results/*-"$id"-*
    done
    rm -rf --one-file-system "$cri/sandboxes" "$cri/containers"
    rmdir /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd 2>/dev/null || true
    local plugins=/var/lib/kubelet/device-plugins
    if [[ -S $plugins/kubelet.sock ]] && ! ss -xl 2>/dev/null | grep -q " $plugins/kubelet.sock "; then
        rm -f "$plugins/kubelet.sock" "$plugins/DEPRECATION"
        rmdir "$plugins" /var/lib/kubelet 2>/dev/null || true
    fi
    rm -rf --one-file-system "$dir/containerd/state" "$dir/containerd/runc" \
        "$dir/kubelet/root/pods" 2>/dev/null || true
    rm -f "$dir/containerd.sock" "$dir/containerd.ttrpc.sock"
    cleanup_host_cni "$dir"
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
kill) shift; cmd_kill "$@" ;;
restart) shift; cmd_restart "$@" ;;
*) die "usage: node.sh start DIR --kubeconfig F --client-ca F --name N (--kovn-cni B --cni-socket S | --host-cni) [--node-ip IP] | stop DIR | kill DIR NAME [SIGNAL] | restart DIR NAME" ;;
esac
