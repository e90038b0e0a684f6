#!/usr/bin/env bash
# kovn-sandboxd, local mode's kubelet network part, against a real control
# plane (kube-scheduler binds the pods, kube-controller-manager's node
# lifecycle controller watches the heartbeats with a 20 s grace period) and
# a test CNI chain written here: "test-cni" records every call (env and
# stdin), gives each ADD a veth "eth0" in the sandbox with an address from a
# counter and prints a CNI 1.0.0 result (and refuses pods named bad-*);
# "test-pass" records and passes its prevResult on.  Asserts: the Node
# registers Ready and loses a stale not-ready taint, its Lease renews, no
# outage taint after the grace period; scheduled pods run with the plugin's
# address and the plugins saw what containerd passes; a failing pod gets an
# Event and does not stop others; delete runs DEL, removes the netns and
# finalizes; kill -9 and restart CHECKs live sandboxes (no second ADD) and
# DELs the one whose pod went away meanwhile.
#   test_sandbox.sh KOVN_SANDBOXD
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$kovn_root/scripts/lib/proc.sh"
sandboxd=${1:?usage: test_sandbox.sh KOVN_SANDBOXD}

export K8S_CONTROLLER_MANAGER_ARGS="--node-monitor-grace-period=20s --node-monitor-period=2s"
k8s_start
T=$K8S_DIR/sbx
mkdir -p "$T/bin" "$T/netns" "$T/state"
node=sbx-node
node_ip=192.0.2.10
cleanup() {
    stop_pidfile "$T/sandboxd.pid"
    local f
    for f in "$T"/netns/*; do
        [[ -e "$f" ]] || continue
        umount -l "$f" 2>/dev/null || true
        rm -f "$f"
    done
    [[ -n "${KEEP:-}" ]] || k8s_cleanup
}
trap cleanup EXIT
export KUBECONFIG=$KUBECONFIG_ADMIN
# kovn-sandboxd runs with its own identity, limited by deploy/rbac.yaml.
kubectl_admin apply -f "$kovn_root/deploy/rbac.yaml" >/dev/null

# --- The test CNI chain.
cat >"$T/bin/test-cni" <<PLUGIN
#!/bin/bash
# Records the call, then ADD/DEL/CHECK on a veth pair inside the sandbox.
set -u
stdin=\$(cat)
log=$T/calls.log
pod=\$(tr ';' '\n' <<<"\${CNI_ARGS:-}" | sed -n 's/^K8S_POD_NAME=//p')
exec 9>>$T/lock
flock 9
jq -cn --arg type test-cni --arg cmd "\${CNI_COMMAND:-}" \\
    --arg id "\${CNI_CONTAINERID:-}" --arg netns "\${CNI_NETNS:-}" \\
    --arg ifname "\${CNI_IFNAME:-}" --arg args "\${CNI_ARGS:-}" \\
    --arg path "\${CNI_PATH:-}" --argjson conf "\$stdin" \\
    '{type:\$type,cmd:\$cmd,id:\$id,netns:\$netns,ifname:\$ifname,args:\$args,path:\$path,conf:\$conf}' >>"\$log"
err() { printf '{"cniVersion":"1.0.0","code":%d,"msg":"%s"}\n' "\$1" "\$2"; exit 1; }
case "\$CNI_COMMAND" in
ADD)
    [[ "\$pod" == bad-* ]] && err 100 "test plugin refuses pod \$pod"
    n=\$(( \$(cat $T/counter 2>/dev/null || echo 0) + 1 ))
    echo \$n >$T/counter
    ip=10.99.\$((n / 250)).\$((n % 250 + 2))
    inns() { nsenter --net="\$CNI_NETNS" "\$@"; }
    inns ip link add "\$CNI_IFNAME" type veth peer name "\${CNI_IFNAME}p" >&2 || err 5 "veth failed"
    inns ip addr add "\$ip/16" dev "\$CNI_IFNAME" >&2 && inns ip link set "\$CNI_IFNAME" up >&2 || err 5 "address failed"
    mac=\$(inns ip -j link show "\$CNI_IFNAME" | jq -r ".[0].address")
    echo "\$pod \$CNI_CONTAINERID \$ip" >>$T/addresses
    printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","mac":"%s","sandbox":"%s"}],"ips":[{"address":"%s/16","interface":0}]}\n' \\
        "\$CNI_IFNAME" "\$mac" "\$CNI_NETNS" "\$ip"
    ;;
DEL)
    [[ -e "\$CNI_NETNS" ]] && nsenter --net="\$CNI_NETNS" ip link del "\$CNI_IFNAME" 2>/dev/null
    exit 0
    ;;
CHECK)
    want=\$(jq -r '.prevResult.ips[0].address' <<<"\$stdin")
    nsenter --net="\$CNI_NETNS" ip -o addr show dev "\$CNI_IFNAME" 2>/dev/null | grep -qF " \$want " ||
        err 100 "eth0 lacks \$want"
    ;;
VERSION)
    echo '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}'
    ;;
esac
PLUGIN
cat >"$T/bin/test-pass" <<PLUGIN
#!/bin/bash
# A chained plugin that changes nothing: records, then passes prevResult on.
set -u
stdin=\$(cat)
exec 9>>$T/lock
flock 9
jq -cn --arg type test-pass --arg cmd "\${CNI_COMMAND:-}" \\
    --arg id "\${CNI_CONTAINERID:-}" --argjson conf "\$stdin" \\
    '{type:\$type,cmd:\$cmd,id:\$id,conf:\$conf}' >>$T/calls.log
[[ "\$CNI_COMMAND" == ADD ]] && jq -c '.prevResult + {cniVersion: .cniVersion}' <<<"\$stdin"
exit 0
PLUGIN
chmod +x "$T/bin/test-cni" "$T/bin/test-pass"
cat >"$T/net.conflist" <<'CONF'
{"cniVersion": "1.0.0", "name": "test-net",
 "plugins": [{"type": "test-cni", "custom": 1}, {"type": "test-pass"}]}
CONF

# A Node left over from an outage, tainted by the node lifecycle controller.
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: $node}
spec:
  taints: [{key: node.kubernetes.io/not-ready, effect: NoSchedule}]
YAML

start_sandboxd() {
    "$sandboxd" --kubeconfig "$K8S_DIR/kovn-sandboxd.kubeconfig" --node-name "$node" \
        --node-ip "$node_ip" --cni-conf "$T/net.conflist" \
        --cni-bin-dir "$T/bin" --netns-dir "$T/netns" --state-dir "$T/state" \
        --lease-renew-interval 3s --node-status-interval 5s \
        --retry-base 500ms --cni-timeout 30s \
        --log-file "$T/sandboxd.log" --pidfile "$T/sandboxd.pid" \
        >>"$T/sandboxd.out" 2>&1 &
    disown
    for ((i = 0; i < 100; i++)); do
        [[ -s "$T/sandboxd.pid" ]] && return 0
        sleep 0.1
    done
    fail "sandboxd did not write its pid file"
}
WAIT_FOR_LOG=$T/sandboxd.log
t_start=$SECONDS
start_sandboxd

# --- Node: Ready, untainted, allocatable, Lease renewing.
node_ready() {
    [[ $(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
no_outage_taint() {
    ! kubectl get node "$node" -o jsonpath='{.spec.taints[*].key}' | grep -q 'not-ready\|unreachable'
}
wait_for 60 "node Ready" node_ready
wait_for 30 "not-ready taint removed" no_outage_taint
[[ $(kubectl get node "$node" -o jsonpath='{.status.allocatable.pods}') == 110 ]] ||
    fail "allocatable pods not 110"
[[ $(kubectl get node "$node" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}') == "$node_ip" ]] ||
    fail "InternalIP not $node_ip"
lease() { kubectl -n kube-node-lease get lease "$node" -o jsonpath="$1"; }
wait_for 30 "node lease" lease '{.spec.renewTime}'
[[ $(lease '{.spec.holderIdentity}') == "$node" ]] || fail "lease holder not $node"
[[ $(lease '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}') == "Node/$node" ]] ||
    fail "lease not owned by the Node"
renew1=$(lease '{.spec.renewTime}')
renewed() { [[ $(lease '{.spec.renewTime}') != "$renew1" ]]; }
wait_for 30 "lease renewal" renewed
echo "node Ready and lease renewing after $((SECONDS - t_start))s"

# --- Pods: scheduled by kube-scheduler, sandboxes by CNI.
wait_for 60 "default service account" kubectl -n default get sa default
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: none}, {name: side, image: none2}]
---
apiVersion: v1
kind: Pod
metadata: {name: bad-1}
spec:
  containers: [{name: c, image: none}]
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet}
spec:
  hostNetwork: true
  containers: [{name: c, image: none}]
YAML
t_pods=$SECONDS
three_ready() {
    [[ $(kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True) == 3 ]]
}
wait_for 120 "3 web pods Ready" three_ready
echo "3 pods Running+Ready $((SECONDS - t_pods))s after create"
wait_for 60 "hostnet pod Ready" kubectl wait --for=condition=Ready pod/hostnet --timeout=1s
[[ $(kubectl get pod hostnet -o jsonpath='{.status.podIP}') == "$node_ip" ]] ||
    fail "host-network pod IP is not the node's"
bad_event() {
    kubectl get events --field-selector involvedObject.name=bad-1,reason=FailedCreatePodSandBox \
        -o jsonpath='{.items[*].message}' | grep -q 'test plugin refuses pod bad-1'
}
wait_for 60 "FailedCreatePodSandBox event on bad-1" bad_event
[[ $(kubectl get pod bad-1 -o jsonpath='{.status.phase}') == Pending ]] || fail "bad-1 is not Pending"

# Status, addresses and the plugins' view of every call.
kubectl get pods -o json >"$T/pods.json"
check_calls() {
    python3 - "$T" "$@" <<'PY'
import json, sys, os
T = sys.argv[1]
mode = sys.argv[2]
pods = {p["metadata"]["name"]: p for p in json.load(open(T + "/pods.json"))["items"]}
calls = [json.loads(l) for l in open(T + "/calls.log")]
addrs = {}
for line in open(T + "/addresses"):
    pod, cid, ip = line.split()
    addrs[cid] = (pod, ip)
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr); sys.exit(1)
if mode == "first":
    for name, p in pods.items():
        if not name.startswith("web-"):
            continue
        uid = p["metadata"]["uid"]
        adds = [c for c in calls if c["type"] == "test-cni" and c["cmd"] == "ADD"
                and c["args"].split(";")[2] == "K8S_POD_NAME=" + name]
        if len(adds) != 1:
            fail("%s: %d ADDs" % (name, len(adds)))
        a = adds[0]
        cid = a["id"]
        want_args = ("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=%s;"
                     "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s" % (name, cid, uid))
        if a["args"] != want_args: fail("CNI_ARGS %r != %r" % (a["args"], want_args))
        if a["netns"] != T + "/netns/kovn-" + uid: fail("CNI_NETNS " + a["netns"])
        if a["ifname"] != "eth0": fail("CNI_IFNAME " + a["ifname"])
        if a["path"] != T + "/bin": fail("CNI_PATH " + a["path"])
        if len(cid) != 64: fail("container id " + cid)
        conf = a["conf"]
        if conf.get("name") != "test-net" or conf.get("cniVersion") != "1.0.0" or conf.get("custom") != 1:
            fail("first plugin config %r" % conf)
        if "prevResult" in conf: fail("prevResult given to the first plugin")
        passes = [c for c in calls if c["type"] == "test-pass" and c["cmd"] == "ADD" and c["id"] == cid]
        if len(passes) != 1: fail("%s: test-pass ran %d times" % (name, len(passes)))
        prev = passes[0]["conf"].get("prevResult")
        if not prev or prev["ips"][0]["address"] != addrs[cid][1] + "/16":
            fail("second plugin prevResult %r" % prev)
        st = p["status"]
        if st.get("phase") != "Running" or st.get("podIP") != addrs[cid][1] \
           or st.get("podIPs") != [{"ip": addrs[cid][1]}] or st.get("hostIP") != "192.0.2.10":
            fail("%s status %r" % (name, st))
        conds = {c["type"]: c["status"] for c in st["conditions"]}
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
            if conds.get(t) != "True": fail("%s condition %s" % (name, t))
        cs = st.get("containerStatuses", [])
        if sorted(c["name"] for c in cs) != ["c", "side"] or not all(
                c["ready"] and c["started"] and "running" in c["state"] for c in cs):
            fail("%s containerStatuses %r" % (name, cs))
        if not os.path.exists(a["netns"]): fail("netns missing " + a["netns"])
    print("ok")
elif mode == "deleted":
    # argv[3]: a container id that must have had DEL (both plugins,
    # test-pass first: reverse order) with the ADD's result as prevResult.
    cid = sys.argv[3]
    dels = [c for c in calls if c["cmd"] == "DEL" and c["id"] == cid]
    if [c["type"] for c in dels] != ["test-pass", "test-cni"]:
        fail("DEL calls for %s: %r" % (cid, [c["type"] for c in dels]))
    if dels[1]["conf"].get("prevResult", {}).get("ips", [{}])[0].get("address") != addrs[cid][1] + "/16":
        fail("DEL without the cached result")
    print("ok")
elif mode == "adds":
    # No container id got more than one ADD; print CHECKs per id.
    seen = {}
    for c in calls:
        if c["type"] == "test-cni" and c["cmd"] == "ADD":
            seen[c["id"]] = seen.get(c["id"], 0) + 1
    dup = [k for k, v in seen.items() if v > 1]
    if dup: fail("duplicate ADD for " + ",".join(dup))
    print(" ".join(sorted(c["id"] for c in calls if c["type"] == "test-cni" and c["cmd"] == "CHECK")))
PY
}
check_calls first >/dev/null || fail "calls or statuses wrong (see above)"
echo "plugins saw containerd's env and config; statuses match their results"

# --- Graceful delete: DEL, netns removed, pod gone.
victim=$(kubectl get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
victim_uid=$(kubectl get pod "$victim" -o jsonpath='{.metadata.uid}')
victim_id=$(awk -v p="$victim" '$1 == p {print $2}' "$T/addresses")
t_del=$SECONDS
kubectl delete pod "$victim" --timeout=60s >/dev/null || fail "kubectl delete pod did not complete"
echo "kubectl delete pod took $((SECONDS - t_del))s"
[[ ! -e "$T/netns/kovn-$victim_uid" ]] || fail "netns of $victim left"
[[ ! -e "$T/state/$victim_uid.json" ]] || fail "record of $victim left"
check_calls deleted "$victim_id" >/dev/null || fail "no proper DEL for $victim"
wait_for 120 "replacement pod Ready" three_ready

# --- kill -9, a pod force-deleted meanwhile, restart.
kill -9 "$(cat "$T/sandboxd.pid")"
gone=$(kubectl get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
gone_uid=$(kubectl get pod "$gone" -o jsonpath='{.metadata.uid}')
gone_id=$(awk -v p="$gone" '$1 == p {print $2}' "$T/addresses")
kubectl delete pod "$gone" --grace-period=0 --force >/dev/null 2>&1
kubectl scale deployment web --replicas=2 >/dev/null
live_ids=$(kubectl get pods -l app=web -o json |
    python3 -c 'import json,sys; [print(p["metadata"]["uid"]) for p in json.load(sys.stdin)["items"] if p["metadata"]["name"] != sys.argv[1]]' "$gone" |
    while read -r uid; do jq -r .id "$T/state/$uid.json" 2>/dev/null || true; done)
rm -f "$T/sandboxd.pid"
start_sandboxd
gone_removed() { [[ ! -e "$T/netns/kovn-$gone_uid" && ! -e "$T/state/$gone_uid.json" ]]; }
wait_for 60 "sandbox of the force-deleted pod removed" gone_removed
check_calls deleted "$gone_id" >/dev/null || fail "no proper DEL for $gone after restart"
checked_all() {
    local checks id
    checks=$(check_calls adds) || return 1
    for id in $live_ids; do grep -q "$id" <<<"$checks" || return 1; done
}
[[ -n "$live_ids" ]] || fail "no live sandboxes to re-adopt"
wait_for 60 "CHECK of every live sandbox" checked_all
check_calls adds >/dev/null || fail "a sandbox got a second ADD after restart"
two_ready() {
    [[ $(kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True) == 2 ]]
}
wait_for 120 "2 web pods Ready after restart" two_ready
bad_retried() {
    [[ $(grep -c '"cmd":"ADD".*K8S_POD_NAME=bad-1' "$T/calls.log") -ge 3 ]]
}
wait_for 60 "bad-1 retried with backoff" bad_retried

# --- After the node monitor grace period: still Ready, never tainted.
while ((SECONDS - t_start < 35)); do sleep 1; done
node_ready || fail "node not Ready after the grace period"
no_outage_taint || fail "node tainted after the grace period"
kubectl get node "$node" -o jsonpath='{.spec.taints}' | grep -q . &&
    fail "node has taints: $(kubectl get node "$node" -o jsonpath='{.spec.taints}')"

# --- Everything deleted: no sandbox left.
kubectl delete deployment web --wait=false >/dev/null
kubectl delete pod bad-1 hostnet --timeout=60s >/dev/null || fail "delete of bad-1/hostnet hung"
no_web() { [[ -z $(kubectl get pods -l app=web -o name) ]]; }
wait_for 90 "web pods gone" no_web
empty() { [[ -z $(ls -A "$T/netns") && -z $(ls -A "$T/state") ]]; }
wait_for 30 "all sandboxes removed" empty
echo "PASS: sandbox ($((SECONDS - t_start))s)"
