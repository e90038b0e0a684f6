#!/usr/bin/env bash
# kovn installed as a user installs it: `kubectl apply -f deploy/` on a
# cluster with a real node (kubelet 1.20 + containerd + runc, node.sh
# --host-cni: the host's /opt/cni/bin and /etc/cni/net.d, empty) and kovn's
# image kovn.local/kovn:<version> (scripts/images.sh) in its containerd.
#  1. ovn-central, kovn-controller (one of two replicas Ready: the other
#     cannot share the one node's host ports) and kovn-node come up from the
#     image; the node turns Ready once kovn-node installed kovn-cni.
#  2. Pods of a Deployment get distinct addresses from ovn-default and ping
#     each other; a ClusterIP Service answers through OVN's load balancer;
#     the webhook (behind Service kovn-webhook, certificate made by the
#     controller) refuses an invalid Subnet.
#  3. Upgrade: `kubectl apply` of the manifests naming a new image tag
#     rolls every kovn pod; no pod loses its address, and they still ping.
#  4. Uninstall as the README has it: the workload, kovn's CRDs (their
#     objects finalized by the running controller), then
#     `kubectl delete -f deploy/`; the host
#     keeps no kovn file (CNI binary and conflist, /var/lib/kovn, /run/kovn),
#     port (ovn0, br-int, the datapath's tap), nftables table or process.
# (busybox-static's wget crashes with -T: timeouts come from `timeout`.)
# Needs root, kubelet (scripts/k8s.sh build) and the images
# (scripts/images.sh build, with the kovn image).
#   test_install.sh
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
[[ $(id -u) == 0 ]] || fail "needs root (containers, network namespaces, OVS)"

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

image=$("$kovn_root/scripts/images.sh" name kovn)
version=${image##*:}
pdb=$kovn_root/deploy/pdb/policy-v1beta1.yaml
# What kovn may leave on a host, and must not after an uninstall.
host_files=(/opt/cni/bin/kovn-cni /etc/cni/net.d/01-kovn.conflist /var/lib/kovn /run/kovn)
host_links=(ovn0 br-int ovs-netdev)
for f in "${host_files[@]}"; do
    [[ ! -e $f ]] || fail "$f exists before the install (left by another run?)"
done
! nft list table ip kovn >/dev/null 2>&1 ||
    fail "nftables table ip kovn exists before the install (make run still up, or left by it?)"

node_dir=""
cleanup() {
    set +e
    # A failed run must not leave kovn on the host for the next test; the
    # files first, so that node.sh finds the CNI directories it made empty.
    rm -rf "${host_files[@]}"
    if [[ -n $node_dir ]]; then
        [[ -z ${KEEP:-} ]] || cp "$node_dir"/*.log "$K8S_DIR/" 2>/dev/null
        "$kovn_root/scripts/node.sh" stop "$node_dir" >/dev/null 2>&1
    fi
    local l
    for l in "${host_links[@]}"; do ip link del "$l" 2>/dev/null; done
    nft delete table ip kovn 2>/dev/null
    k8s_cleanup
}
dump() {
    local p
    for p in $(kubectl -n kube-system get pods -o name 2>/dev/null); do
        echo "--- $p" >&2
        kubectl -n kube-system logs "$p" --tail=30 >&2 2>/dev/null
    done
    kubectl -n kube-system get pods -o wide >&2 2>/dev/null
    log_tail "$node_dir/kubelet.log"
    fail "$@"
}

k8s_start
# k8s_start installed its own EXIT trap; ours stops more.
trap cleanup EXIT
export KUBECONFIG=$KUBECONFIG_ADMIN
node=kovn-install-$$
node_dir=$K8S_DIR/node
"$kovn_root/scripts/node.sh" start "$node_dir" --kubeconfig "$KUBECONFIG_ADMIN" \
    --client-ca "$K8S_DIR/pki/ca.crt" --name "$node" --host-cni >"$K8S_DIR/node-start.log" 2>&1 ||
    { cat "$K8S_DIR/node-start.log" >&2; fail "scripts/node.sh start --host-cni failed"; }
"$kovn_root/scripts/images.sh" load "$node_dir/containerd.sock" kovn ||
    fail "could not load $image into the node's containerd (make image)"
# Not `ctr ... | grep -q`: with pipefail, grep leaving at the first match
# can fail the pipeline on ctr's SIGPIPE.
grep -qxF "$image" <<<"$(ctr --address "$node_dir/containerd.sock" -n k8s.io images ls -q)" ||
    fail "$image is not in the node's containerd after scripts/images.sh load"
step "node $node registered with an empty CNI configuration; $image loaded"

# 1. The install.  No kube-proxy runs here: kovn's host-network pods reach
# the API server at its own address (ConfigMap kovn-config).
api=$(sed -n 's|^ *server: https://||p' "$KUBECONFIG_ADMIN" | head -n1)
kubectl label node "$node" kube-ovn/role=master >/dev/null
kubectl -n kube-system create configmap kovn-config \
    --from-literal=KUBERNETES_SERVICE_HOST="${api%:*}" \
    --from-literal=KUBERNETES_SERVICE_PORT="${api##*:}" >/dev/null
diff <(sed -n '/^apiVersion/,$p' "$kovn_root/deploy/pdb/policy-v1.yaml") \
    <(sed -n '/^apiVersion/,$p' "$pdb" | sed 's|^apiVersion: policy/v1beta1|apiVersion: policy/v1|') ||
    fail "deploy/pdb/policy-v1beta1.yaml differs from policy-v1.yaml in more than the version"
kubectl apply -f "$kovn_root/deploy/" -f "$pdb" >"$K8S_DIR/apply.log" ||
    { cat "$K8S_DIR/apply.log" >&2; fail "kubectl apply -f deploy/ failed"; }
step "kubectl apply -f deploy/: $(wc -l <"$K8S_DIR/apply.log") objects"

ready_pods() {
    kubectl -n kube-system get pods -l "app=$1" -o \
        jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
        grep -c '^True$' || true
}
wait_ready_pods() {
    local app=$1 want=$2 seconds=$3 i
    for ((i = 0; i < seconds; i++)); do
        (($(ready_pods "$app") >= want)) && return 0
        sleep 1
    done
    dump "$app: fewer than $want pod(s) Ready after ${seconds}s"
}
wait_ready_pods ovn-central 1 120
step "ovn-central Ready"
wait_ready_pods kovn-node 1 120
step "kovn-node Ready: kovn-cni installed"
wait_ready_pods kovn-controller 1 120
step "kovn-controller Ready (leading)"
node_ready() {
    [[ $(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "node Ready after kovn's install" node_ready
[[ -x /opt/cni/bin/kovn-cni && -f /etc/cni/net.d/01-kovn.conflist ]] ||
    dump "kovn-node did not install kovn-cni and its conflist"
(($(kubectl -n kube-system get pods -l app=kovn-controller -o name | wc -l) == 2)) ||
    dump "kovn-controller does not have two replicas"
step "node Ready"

# 2. A workload on kovn's network.
busybox=$("$kovn_root/scripts/images.sh" name busybox)
k8s_wait_sa default
kubectl apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: $busybox
        imagePullPolicy: Never
        command: [sh, -c, 'mkdir -p /www && echo "web \$(hostname)" >/www/index.html && exec httpd -f -p 8080 -h /www']
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: $busybox
    imagePullPolicy: Never
    command: [sleep, "3600"]
EOF
running() {
    [[ $(kubectl get pods -l 'app in (web,client)' --field-selector=status.phase=Running -o name | wc -l) == 5 ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 120 "4 web pods and the client Running" running
pod_table() {
    kubectl get pods -l app=web -o \
        jsonpath='{range .items[*]}{.metadata.name} {.status.podIP} {.metadata.annotations.ovn\.kubernetes\.io/ip_address}{"\n"}{end}' |
        sort
}
pod_table >"$K8S_DIR/pods.before"
names=() ips=()
while read -r name ip ann; do
    [[ $ip == 10.16.* && $ip == "$ann" ]] ||
        dump "pod $name: podIP '$ip', annotation '$ann' (want the same, in 10.16.0.0/16)"
    names+=("$name") ips+=("$ip")
done <"$K8S_DIR/pods.before"
(($(printf '%s\n' "${ips[@]}" | sort -u | wc -l) == 4)) || dump "pods share addresses: ${ips[*]}"
ping_all() {
    local i ok
    for ((i = 0; i < 4; i++)); do
        ok=""
        for _ in 1 2 3 4 5; do
            kubectl exec client -- ping -c 1 -W 2 "${ips[i]}" >/dev/null 2>&1 && { ok=1; break; }
            sleep 1
        done
        [[ -n $ok ]] || dump "$1: the client pod cannot ping ${ips[i]}"
    done
}
ping_all "after the install"
step "4 pods with distinct addresses ${ips[*]}, the client pings them all"
got=$(timeout 10 kubectl exec client -- wget -qO- "http://${ips[0]}:8080/" 2>&1) ||
    dump "web pod ${names[0]} (${ips[0]}:8080) did not answer the client: $got"
svc=$(kubectl get service web -o jsonpath='{.spec.clusterIP}')
nb=tcp:$(kubectl get pod "${names[0]}" -o jsonpath='{.status.hostIP}'):6641
ok=""
for _ in $(seq 1 20); do
    got=$(timeout 5 kubectl exec client -- wget -qO- "http://$svc/" 2>&1 || true)
    [[ $got == "web web-"* ]] && { ok=1; break; }
    sleep 1
done
[[ -n $ok ]] || {
    ovn-nbctl --db="$nb" --timeout=5 lb-list >&2
    kubectl get endpoints web -o wide >&2
    dump "Service web ($svc:80) did not answer the client: '$got'"
}
step "Service web $svc:80 answers: '$got'"
if out=$(kubectl apply -f - 2>&1 <<EOF
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: bad}
spec: {cidrBlock: 10.300.0.0/16, protocol: IPv4}
EOF
); then
    dump "the webhook let an invalid Subnet through: $out"
fi
[[ $out == *"admission webhook"*"denied"* ]] || dump "invalid Subnet refused, but not by the webhook: $out"
step "the webhook (Service kovn-webhook) refuses an invalid Subnet"

# The leader's /ui, drawn by the image's Graphviz.  It listens on the
# pod's (the node's) address, so it asks for a token that may list
# subnets: the service account's RBAC must allow the reviews.
leader_ip=$(kubectl -n kube-system get pods -l app=kovn-controller -o json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", [])):
        print(p["status"]["podIP"])')
admin_token=$(awk -F, '$2 == "kovn-admin" { print $1 }' "$K8S_DIR/pki/tokens.csv")
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$leader_ip:10660/ui/topology.svg")
[[ $code == 401 ]] || dump "/ui/topology.svg without a token: $code, want 401"
curl -sf -H "Authorization: Bearer $admin_token" "http://$leader_ip:10660/ui/topology.svg" \
    >"$K8S_DIR/ui.svg" || dump "/ui/topology.svg with the admin's token failed"
svg_ids=$(python3 -c '
import sys, xml.etree.ElementTree as ET
print(" ".join(g.get("id") for g in ET.parse(sys.argv[1]).iter("{http://www.w3.org/2000/svg}g")
               if g.get("class") == "node"))' "$K8S_DIR/ui.svg") || dump "/ui/topology.svg is not XML"
[[ " $svg_ids " == *" subnet/ovn-default "* ]] || dump "/ui/topology.svg has no subnet/ovn-default: $svg_ids"
step "the leader's /ui at $leader_ip:10660 draws the topology for the admin, 401 without a token"

# 3. Upgrade: the same image under a new tag stands in for a new version;
# every kovn pod is replaced.
next=${image%:*}:$version-next
ctr --address "$node_dir/containerd.sock" -n k8s.io images tag "$image" "$next" >/dev/null
client_ip=$(kubectl get pod client -o jsonpath='{.status.podIP}')
before_uids=$(kubectl -n kube-system get pods -l 'app in (ovn-central,kovn-controller,kovn-node)' \
    -o jsonpath='{.items[*].metadata.uid}')
for f in "$kovn_root"/deploy/*.yaml; do
    sed "s|image: $image\$|image: $next|" "$f"
    echo "---"
done | kubectl apply -f - >"$K8S_DIR/upgrade.log" ||
    { cat "$K8S_DIR/upgrade.log" >&2; dump "kubectl apply of the new version failed"; }
kubectl -n kube-system rollout status daemonset/kovn-node --timeout=180s >/dev/null ||
    dump "kovn-node did not roll out"
kubectl -n kube-system rollout status deployment/ovn-central --timeout=180s >/dev/null ||
    dump "ovn-central did not roll out"
upgraded() {
    local out
    out=$(kubectl -n kube-system get pods -l app=kovn-controller \
        -o jsonpath='{range .items[*]}{.spec.containers[0].image} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')
    grep -qxF "$next True" <<<"$out" && ! grep -q "^$image " <<<"$out"
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 180 "kovn-controller upgraded and Ready" upgraded
for uid in $before_uids; do
    kubectl -n kube-system get pods -o jsonpath='{.items[*].metadata.uid}' | grep -qw "$uid" &&
        dump "pod $uid of the old version is still there"
done
wait_ready_pods kovn-node 1 60
pod_table >"$K8S_DIR/pods.after"
diff "$K8S_DIR/pods.before" "$K8S_DIR/pods.after" >&2 ||
    dump "pods changed name or address across the upgrade"
kubectl get pod client -o jsonpath='{.status.podIP}' | grep -qxF "$client_ip" ||
    dump "the client pod changed its address across the upgrade"
ping_all "after the upgrade"
step "upgraded to $next: every kovn pod replaced, the 4 pods keep their addresses and ping"

# 4. Uninstall: the workload first (its CNI DEL needs kovn), then kovn.
kubectl delete deployment web --wait=true --timeout=60s >/dev/null
kubectl delete service web >/dev/null
kubectl delete pod client --wait=true --timeout=60s >/dev/null
gone() { [[ -z $(kubectl get pods -l 'app in (web,client)' -o name) ]]; }
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "web pods deleted" gone
# kovn's objects go first, finalized by the controller while OVN and its
# permissions are still there (README: uninstall), then the rest.
timeout 120 kubectl delete crd -l app.kubernetes.io/part-of=kovn --timeout=100s \
    >"$K8S_DIR/delete.log" 2>&1 ||
    { cat "$K8S_DIR/delete.log" >&2; dump "kubectl delete crd -l app.kubernetes.io/part-of=kovn did not finish"; }
timeout 180 kubectl delete -f "$kovn_root/deploy/" -f "$pdb" --ignore-not-found --timeout=150s \
    >>"$K8S_DIR/delete.log" 2>&1 ||
    { cat "$K8S_DIR/delete.log" >&2; dump "kubectl delete -f deploy/ did not finish"; }
kubectl -n kube-system delete configmap kovn-config >/dev/null
no_kovn_pods() { [[ -z $(kubectl -n kube-system get pods -l app.kubernetes.io/part-of=kovn -o name) ]]; }
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 90 "kovn's pods gone" no_kovn_pods
step "kubectl delete -f deploy/ returned; kovn's pods are gone"
left=()
for f in "${host_files[@]}"; do [[ ! -e $f ]] || left+=("file $f"); done
for l in "${host_links[@]}"; do ! ip link show "$l" >/dev/null 2>&1 || left+=("link $l"); done
! nft list table ip kovn >/dev/null 2>&1 || left+=("nftables table ip kovn")
for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    [[ $cmd == *kovn-daemon* || $cmd == *ovn-controller* || $cmd == *host/run/kovn* ||
        $cmd == *host/var/lib/kovn* || $cmd == *kovn-controller.sh* ]] || continue
    left+=("process ${p#/proc/}: $cmd")
done
tasks=$(ctr --address "$node_dir/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null | wc -l)
((tasks == 0)) || left+=("$tasks containers")
kubectl get crd vpcs.kubeovn.io >/dev/null 2>&1 && left+=("CRD vpcs.kubeovn.io")
((${#left[@]} == 0)) || dump "left on the host after the uninstall: ${left[*]}"
step "nothing of kovn left: no file, port, table, process, container or CRD"
