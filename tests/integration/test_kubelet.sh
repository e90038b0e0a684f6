#!/usr/bin/env bash
# kovn under a real node: kubelet 1.20 + containerd + runc (scripts/node.sh)
# with kovn-cni as containerd's CNI plugin, a real control plane with a
# scheduler, OVN, kovn-controller and kovn-daemon (tests/lib/kovn_node.sh).
#  1. The node registers and is Ready with containerd as its runtime.
#  2. A Deployment of 20 busybox pods (local image, imagePullPolicy Never)
#     is Running, each with a distinct address from ovn-default that
#     matches its ovn.kubernetes.io/ip_address annotation and its OVS port.
#  3. `kubectl exec` in one pod pings another (pod -> pod through OVN);
#     a payload sent with `nc` from one pod arrives at an `nc -l` in
#     another (pod -> pod TCP); `wget` of a ClusterIP Service in front of
#     two busybox `httpd` pods gets both their pages (pod -> Service through
#     OVN's load balancer); `kubectl logs` shows what a container wrote.
#  4. Deleting a pod removes its OVS port: containerd's CNI DEL reached
#     kovn-daemon.  A pod whose network namespace was unmounted and removed
#     under containerd is deleted all the same: containerd's CNI DEL
#     (without a netns) succeeds at once (its result cache entry goes, no
#     CNI error in its log) and removes the pod's OVS port.
#  5. kill -9 of containerd keeps every container process running; after
#     containerd's restart, and after a kubelet restart, the pods have the
#     same containers (no restart, no new sandbox) and still ping.  Then a
#     CNI CHECK, as a runtime that checks would send it (the conflist's
#     plugin config with libcni's cached result as prevResult, the
#     sandbox's netns and CNI_ARGS), passes for every pod, and fails with a
#     CNI error for a pod whose OVS port was removed (kubelet 1.20 and
#     containerd 1.6 never send CHECK themselves).
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

cleanup() {
    set +e
    kovn_node_stop_kubelet
    kovn_node_cleanup
}
dump() { kovn_node_dump "$@"; }
kovn_node_trap=cleanup
KOVN_NODE_KUBELET=1 kovn_node_start "$controller" "$daemon" "$cni_bin"
step "k8s (with scheduler), OVN, chassis, kovn-controller and kovn-daemon started"

# 1. The node: kubelet registers it; then kovn-daemon gets its join address.
tunables() {
    sysctl -n vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops \
        kernel.keys.root_maxkeys kernel.keys.root_maxbytes | tr '\n' ' '
}
kube_chains() { { iptables-save 2>/dev/null || true; } | grep -c '^:KUBE-' || true; }
tunables_before=$(tunables)
chains_before=$(kube_chains)
kovn_node_start_kubelet
runtime=$(kubectl get node "$node" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}')
[[ $runtime == containerd://* ]] || dump "node runtime is '$runtime', not containerd"
step "node $node Ready, runtime $runtime ($(tail -n1 "$dir/node-start.log"))"
kovn_node_wait_status
step "kovn-daemon ready (STATUS ok: the node's ovn0 is up)"

# 2. Twenty pods of a Deployment, and two web servers behind a Service.
busybox=$("$kovn_root/scripts/images.sh" name busybox)
k8s_wait_sa default
kubectl apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: bb}
spec:
  replicas: 20
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
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: $busybox
        imagePullPolicy: Never
        command: [sh, -c, 'mkdir /www && echo "kovn web \$(hostname)" >/www/index.html && exec httpd -f -p 8080 -h /www']
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
EOF
running() {
    [[ $(kubectl get pods -l app=bb --field-selector=status.phase=Running \
        -o name 2>/dev/null | wc -l) == 20 ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 240 "20 bb pods Running" running
step "20 pods Running"

mapfile -t rows < <(kubectl get pods -l app=bb -o \
    jsonpath='{range .items[*]}{.metadata.name} {.status.podIP} {.metadata.annotations.ovn\.kubernetes\.io/ip_address} {.metadata.annotations.ovn\.kubernetes\.io/logical_switch}{"\n"}{end}')
((${#rows[@]} == 20)) || dump "expected 20 pods, got ${#rows[@]}"
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
step "20 distinct addresses from ovn-default, each with its OVS port"

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
kubectl exec "${names[19]}" -- ping -c 1 -W 2 "${ips[0]}" >/dev/null ||
    dump "kubectl exec ${names[19]} -- ping ${ips[0]} failed"
step "kubectl exec: ${names[0]} -> ${ips[1]} and ${names[19]} -> ${ips[0]} ping"

# Pod -> pod TCP: busybox nc listens in one pod, nc in another sends a
# line; the listener prints what arrived and exits when the sender closes.
# Its stdin is a FIFO the shell holds open: at EOF on stdin busybox nc
# would stop waiting for the peer.
payload="kovn-tcp-$RANDOM-$RANDOM"
timeout 60 kubectl exec "${names[5]}" -- \
    sh -c 'mkfifo /nc.in && { nc -l -p 5001 </nc.in & exec 3>/nc.in; wait $!; }' >"$dir/tcp.got" 2>&1 &
nc_server=$!
sent=""
for ((i = 0; i < 20; i++)); do
    # Refused until the listener is up.
    if echo "$payload" | kubectl exec -i "${names[6]}" -- nc -w 3 "${ips[5]}" 5001 >"$dir/tcp.client" 2>&1; then
        sent=1
        break
    fi
    sleep 0.5
done
[[ -n $sent ]] || { cat "$dir/tcp.client" >&2; dump "nc ${names[6]} -> ${ips[5]}:5001 never connected"; }
wait "$nc_server" || dump "the nc listener in ${names[5]} failed: $(cat "$dir/tcp.got")"
[[ $(cat "$dir/tcp.got") == "$payload" ]] ||
    dump "TCP ${names[6]} -> ${names[5]}:5001 delivered '$(cat "$dir/tcp.got")', not '$payload'"
step "TCP: '$payload' from ${names[6]} arrived at nc -l in ${names[5]}"

# Pod -> Service: wget of the ClusterIP until both backends answered, once
# the Endpoints list both and kovn-controller put them behind the VIP.
vip=$(kubectl get svc web -o jsonpath='{.spec.clusterIP}')
two_eps() {
    [[ $(kubectl get endpoints web -o jsonpath='{.subsets[*].addresses[*].ip}' | wc -w) == 2 ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "Endpoints web with both web pods" two_eps
lb_two() {
    ovn-nbctl --db="$nb" get load_balancer cluster-tcp-loadbalancer vips 2>/dev/null |
        grep -q "\"$vip:80\"=\"[0-9.]*:8080,[0-9.]*:8080\""
}
wait_for 30 "VIP $vip:80 with two backends in cluster-tcp-loadbalancer" lb_two
mapfile -t web_pods < <(kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
((${#web_pods[@]} == 2)) || dump "expected 2 web pods, got ${#web_pods[@]}"
declare -A answered=()
for ((i = 0; i < 40 && ${#answered[@]} < 2; i++)); do
    if ! got=$(timeout 10 kubectl exec "${names[7]}" -- wget -qO- "http://$vip/" 2>"$dir/wget.err"); then
        sleep 0.5
        continue
    fi
    [[ $got == "kovn web ${web_pods[0]}" || $got == "kovn web ${web_pods[1]}" ]] ||
        dump "http://$vip/ from ${names[7]}: '$got', not a web pod's page"
    answered[$got]=1
done
((${#answered[@]} == 2)) ||
    dump "http://$vip/ from ${names[7]}: ${#answered[@]} of 2 backends answered in $i tries (${!answered[*]}; last error: $(cat "$dir/wget.err"))"
step "Service: http://$vip/ from ${names[7]} answered by both web pods ($i requests)"
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

# A sandbox whose network namespace vanished: the file containerd mounted
# it on is unmounted and removed (the namespace itself lives on in the
# pause process).  containerd then finds it closed and sends CNI DEL with
# no netns; that DEL must succeed, or containerd retries it for ever.
ctr_k8s() { ctr --address "$node_dir/containerd.sock" --timeout 10s -n k8s.io "$@"; }
# sandbox_of POD: the id of the pod's sandbox (its pause container).
sandbox_of() {
    ctr_k8s containers ls -q "labels.\"io.kubernetes.pod.name\"==$1,labels.\"io.cri-containerd.kind\"==sandbox"
}
# netns_of SANDBOX: the network namespace in the pause container's spec.
netns_of() {
    ctr_k8s containers info "$1" | python3 -c '
import json, sys
spec = json.load(sys.stdin)["Spec"]
print(next(n["path"] for n in spec["linux"]["namespaces"] if n["type"] == "network"))'
}
gone=${names[4]}
sb=$(sandbox_of "$gone")
[[ $sb =~ ^[0-9a-f]{64}$ ]] || dump "pod $gone: sandbox '$sb'"
netns=$(netns_of "$sb")
[[ $netns == "$node_dir"/containerd/state/* ]] || dump "sandbox $sb: netns '$netns' not under containerd's state dir"
port=$(ovs-vsctl --db="$ovs_db" --bare --columns=name find interface "external_ids:iface-id=$gone.default")
[[ -n $port ]] || dump "pod $gone has no OVS port"
cache=/var/lib/cni/results/kovn-$sb-eth0
[[ -f $cache ]] || dump "sandbox $sb has no libcni result cache entry $cache"
log_at=$(stat -c %s "$node_dir/containerd.log")
umount "$netns"
rm "$netns"
kubectl delete pod "$gone" --wait=true --timeout=60s >/dev/null ||
    dump "pod $gone, whose network namespace vanished, was not deleted"
port_of_gone_gone() { ! ovs-vsctl --db="$ovs_db" --bare --columns=name find interface "name=$port" | grep -q .; }
WAIT_FOR_LOG=$dir/daemon.log wait_for 30 "port $port of pod $gone removed" port_of_gone_gone
# libcni drops the cache entry only once DEL succeeded.
no_cache() { [[ ! -e $cache ]]; }
WAIT_FOR_LOG=$node_dir/containerd.log wait_for 30 "containerd's CNI DEL of $sb succeeding (cache entry $cache)" no_cache
grep -q "DEL $sb (default/$gone): done" "$dir/daemon.log" || dump "kovn-daemon logged no successful DEL of $sb"
! grep -q "DEL $sb (default/$gone): failed" "$dir/daemon.log" || dump "a DEL of $sb failed first"
# kubelet may ask once more to stop the sandbox it just removed: a NotFound
# then says the teardown is over, not that it failed.
errors=$(tail -c +$((log_at + 1)) "$node_dir/containerd.log" | grep "$sb" |
    grep 'level=error' | grep -v 'code = NotFound' || true)
[[ -z $errors ]] || { echo "$errors" | head -5 >&2; dump "containerd logged errors about sandbox $sb"; }
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 90 "the Deployment back at 20 Running pods" running
step "pod $gone with its netns removed under containerd: deleted, CNI DEL without netns succeeded, port $port gone, no containerd error"

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

# CNI CHECK as a runtime that checks would send it: the conflist's plugin
# config with the list's name and cniVersion and libcni's cached result as
# prevResult, the sandbox's id, netns and CNI_ARGS (also from the cache).
# cni_check POD OUT
cni_check() {
    local sb netns
    sb=$(sandbox_of "$1")
    [[ $sb =~ ^[0-9a-f]{64}$ ]] || dump "pod $1: sandbox '$sb'"
    netns=$(netns_of "$sb")
    python3 - "$node_dir/cni/net.d/01-kovn.conflist" "/var/lib/cni/results/kovn-$sb-eth0" \
        "$dir/check.conf" >"$dir/check.args" <<'PY' || dump "no CHECK config for pod $1"
import json, sys
lst = json.load(open(sys.argv[1]))
cache = json.load(open(sys.argv[2]))
conf = dict(lst["plugins"][0], cniVersion=lst["cniVersion"], name=lst["name"],
            prevResult=cache["result"])
json.dump(conf, open(sys.argv[3], "w"))
print(";".join("%s=%s" % (k, v) for k, v in cache["cniArgs"]))
PY
    CNI_COMMAND=CHECK CNI_CONTAINERID=$sb CNI_NETNS=$netns CNI_IFNAME=eth0 \
        CNI_ARGS=$(cat "$dir/check.args") CNI_PATH=$node_dir/cni/bin \
        "$node_dir/cni/bin/kovn-cni" <"$dir/check.conf" >"$2" 2>"$2.err"
}
mapfile -t bb < <(kubectl get pods -l app=bb -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
((${#bb[@]} == 20)) || dump "expected 20 bb pods, got ${#bb[@]}"
for p in "${bb[@]}"; do
    cni_check "$p" "$dir/check.out" || { cat "$dir/check.out" >&2; dump "CNI CHECK of pod $p failed"; }
done
broken=${bb[0]}
port=$(ovs-vsctl --db="$ovs_db" --bare --columns=name find interface "external_ids:iface-id=$broken.default")
[[ -n $port ]] || dump "pod $broken has no OVS port"
ovs-vsctl --db="$ovs_db" del-port br-int "$port"
cni_check "$broken" "$dir/check.out" && dump "CNI CHECK of pod $broken passed without its OVS port"
python3 - "$dir/check.out" "$port" <<'PY' || { cat "$dir/check.out" >&2; dump "CHECK of $broken failed without a CNI error naming port $port"; }
import json, sys
e = json.load(open(sys.argv[1]))
assert e["code"] >= 1 and sys.argv[2] in e.get("details", "") + e["msg"], e
PY
step "CNI CHECK with libcni's cached prevResult: passes for ${#bb[@]} pods; fails ($(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["code"], e["msg"])' "$dir/check.out")) once pod $broken's port $port is removed"

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
