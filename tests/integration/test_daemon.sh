#!/usr/bin/env bash
# kovn-daemon end to end: a real control plane (tests/lib/k8s.sh), OVN
# central + one chassis in this network namespace (scripts/ovn.sh),
# kovn-controller and kovn-daemon; the test plays the container runtime:
# `ip netns add`, then the real kovn-cni with the CNI_* environment and the
# plugin config of deploy/cni/01-kovn.conflist on stdin.
#  1. ADD results are valid CNI results; same-subnet ping and 1 MB TCP
#     (sha256-checked); dual-stack ping over IPv4 and IPv6; cross-subnet
#     ping in one VPC; two VPCs with the same CIDR see none of each other's
#     packets; the node reaches a default-VPC pod through ovn0; routed=true.
#  2. CHECK passes on a wired pod, fails when its port carries another
#     pod's iface-id or an address is gone; DEL removes veth and port, and
#     succeeds again, also with the netns gone; deleting the pod removes
#     its LSP and IP object and frees the address.
#  3. Bad requests get CNI errors with code and message; nothing is made.
#     A pod deleted while the daemon is down loses port and veth at start.
#  4. kill -9 of kovn-daemon three times during 100 concurrent ADDs that a
#     "runtime" retries: afterwards every pod is wired exactly once (one
#     port per pod, no orphan veth) and reaches its gateway.  Then GC with
#     all but one of them as valid attachments removes exactly the rest.
# Needs root.
#   test_daemon.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI
set -euo pipefail
source "$(dirname "$0")/../lib/k8s.sh"
source "$(dirname "$0")/../lib/kovn_node.sh"
controller=${1:?usage: test_daemon.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI}
daemon=${2:?}
cni_bin=${3:?}
[[ $(id -u) == 0 ]] || fail "needs root (network namespaces and veths)"

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

runtime=""
backends=()
cleanup() {
    set +e
    ((${#backends[@]})) && kill "${backends[@]}" 2>/dev/null
    [[ -n "${node_link:-}" ]] && ip link del "$node_link" 2>/dev/null
    [[ -n "$runtime" ]] && kill "$runtime" 2>/dev/null
    kovn_node_cleanup
}
kovn_node_trap=cleanup
kovn_node_start "$controller" "$daemon" "$cni_bin"
[[ $(stat -c %a "$sock") == 600 ]] || die "CNI socket mode is $(stat -c %a "$sock"), not 600"
[[ $(ovs-vsctl --db="$ovs_db" get interface ovn0 external_ids:iface-id | tr -d '"') == "node-$node" ]] ||
    die "ovn0 is not bound to node-$node"
step "k8s, OVN, chassis, kovn-controller and kovn-daemon ready (STATUS ok, ovn0 on br-int)"

# Two VPCs with the same CIDR, a second subnet in the first, a dual-stack
# subnet in the default VPC.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: va1}
---
apiVersion: v1
kind: Namespace
metadata: {name: va2}
---
apiVersion: v1
kind: Namespace
metadata: {name: vb1}
---
apiVersion: v1
kind: Namespace
metadata: {name: dual}
---
apiVersion: v1
kind: Namespace
metadata: {name: va3}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: va}
spec: {namespaces: [va1, va2]}
---
apiVersion: kubeovn.io/v1
kind: Vpc
metadata: {name: vb}
spec: {namespaces: [vb1]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sa1}
spec: {vpc: va, cidrBlock: 10.230.0.0/24, namespaces: [va1]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sa2}
spec: {vpc: va, cidrBlock: 10.231.0.0/24, namespaces: [va2]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: spriv}
spec: {vpc: va, cidrBlock: 10.232.0.0/24, namespaces: [va3], private: true,
       allowSubnets: [10.231.0.0/24]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sb1}
spec: {vpc: vb, cidrBlock: 10.230.0.0/24, namespaces: [vb1]}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: sdual}
spec:
  protocol: Dual
  cidrBlock: 10.$((x + 50)).200.0/24,fd00:$x::/112
  gateway: 10.$((x + 50)).200.1,fd00:$x::1
  namespaces: [dual]
EOF
k8s_wait_sa default va1 va2 va3 vb1 dual

# Checks a result against the CNI spec and the pod's annotations.
check_result() {
    local ann
    ann=$(kubectl -n "$1" get pod "$2" -o jsonpath='{.metadata.annotations}')
    python3 - "$dir/$2.json" "/var/run/netns/kd$id-$2" "$ann" <<'PY' || die "result of $1/$2 is not as expected"
import ipaddress, json, re, sys
r = json.load(open(sys.argv[1]))
netns, ann = sys.argv[2], json.loads(sys.argv[3])
def need(cond, what):
    if not cond:
        sys.exit("result: " + what + ": " + json.dumps(r))
need(r.get("cniVersion") == "1.0.0", "cniVersion")
ifs = r.get("interfaces")
need(isinstance(ifs, list) and len(ifs) == 2, "two interfaces")
mac = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
need(re.match(r"^kovn[0-9a-f]{11}$", ifs[0]["name"]) and "sandbox" not in ifs[0], "host interface")
need(ifs[1]["name"] == "eth0" and ifs[1].get("sandbox") == netns, "pod interface")
need(all(mac.match(i.get("mac", "")) for i in ifs), "MACs")
need(ifs[1]["mac"] == ann["ovn.kubernetes.io/mac_address"], "pod MAC from annotation")
ips = r.get("ips")
want = ann["ovn.kubernetes.io/ip_address"].split(",")
gws = ann["ovn.kubernetes.io/gateway"].split(",")
need(isinstance(ips, list) and len(ips) == len(want), "one IP per address")
for ip in ips:
    a = ipaddress.ip_interface(ip["address"])
    need(str(a.ip) in want, "address from annotation")
    need(ip.get("interface") == 1, "IP on the pod interface")
    need(ip.get("gateway") in gws and ipaddress.ip_address(ip["gateway"]) in a.network, "gateway")
routes = r.get("routes", [])
need(len(routes) == len(want) and all(ipaddress.ip_network(x["dst"]).prefixlen == 0 for x in routes), "default routes")
need(ann.get("ovn.kubernetes.io/routed") == "true", "routed=true on the pod")
PY
}

pod default d1
pod default d2
pod va1 a1
pod va2 a2
pod vb1 b1
pod vb1 b2
pod dual w1
pod dual w2
s=$SECONDS
for p in default/d1 default/d2 va1/a1 va2/a2 vb1/b1 vb1/b2 dual/w1 dual/w2; do
    add "${p%/*}" "${p#*/}"
done
step "8 ADDs done ($((SECONDS - s))s)"
for p in default/d1 default/d2 va1/a1 va2/a2 vb1/b1 vb1/b2 dual/w1 dual/w2; do
    check_result "${p%/*}" "${p#*/}"
done
inns d1 ethtool -k eth0 2>/dev/null | grep -q '^tx-checksumming: off' ||
    die "tx checksumming is not off on d1's eth0"
step "results valid per the CNI spec and the annotations; routed=true"

ping_ok d1 "$(ip_of d2)" || die "d1 cannot ping d2 (same subnet)"
ip netns exec "kd$id-d2" python3 - "$(ip_of d2)" >"$dir/tcp.server" 2>&1 <<'PY' &
import hashlib, socket, sys
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], 5001)); ls.listen(1); ls.settimeout(60)
c, _ = ls.accept(); c.settimeout(30); h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
c.sendall(f"{n} {h.hexdigest()}".encode()); c.close()
PY
server=$!
ip netns exec "kd$id-d1" timeout 60 python3 - "$(ip_of d2)" <<'PY' || die "1 MB TCP d1 -> d2 failed"
import hashlib, socket, sys, time
data = bytes((i * 7 + 13) & 0xff for i in range(1 << 20))
deadline = time.monotonic() + 10
while True:
    try:
        s = socket.create_connection((sys.argv[1], 5001), timeout=3); break
    except OSError:
        if time.monotonic() > deadline: raise
        time.sleep(0.1)
s.settimeout(30); s.sendall(data); s.shutdown(socket.SHUT_WR)
reply = s.recv(200).decode()
sys.exit(0 if reply == f"{len(data)} {hashlib.sha256(data).hexdigest()}" else "bad reply " + reply)
PY
wait "$server" || die "TCP server in d2 failed"
step "d1 -> d2: ping and 1 MB TCP (sha256) ok"

ping_ok w1 "$(ip_of w2)" || die "w1 cannot ping w2 over IPv4 (dual stack)"
ping_ok w1 "$(ip_of w2 6)" || die "w1 cannot ping w2 over IPv6 (dual stack)"
step "dual stack: w1 -> w2 over IPv4 and IPv6 ok"

ping_ok a1 "$(ip_of a2)" || die "a1 (sa1) cannot ping a2 (sa2) in the same VPC"
step "cross-subnet in VPC va: a1 -> a2 ok"

# VPC isolation: va1 and vb1 share 10.230.0.0/24.  b2 has an address no
# pod of va has; a1 sends to it and b2's eth0 must receive nothing.
[[ $(ip_of a1) == $(ip_of b1) ]] || echo "note: a1 $(ip_of a1), b1 $(ip_of b1)"
ping_ok b1 10.230.0.1 || die "b1 cannot ping its own gateway"
ping_ok a1 10.230.0.1 || die "a1 cannot ping its own gateway"
# sniff NETNS SECONDS MAC: counts ICMP echo requests arriving on eth0
# from MAC and from anywhere else (a1 and b1 have the same address: the
# VPCs overlap; a router would rewrite the source MAC).
sniff() {
    ip netns exec "kd$id-$1" python3 - "${@:2}" <<'PY'
import socket, sys, time
dur, mac = float(sys.argv[1]), bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
counts, end = [0, 0], time.monotonic() + dur
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        f = s.recv(2048)
    except socket.timeout:
        break
    ihl = (f[14] & 0xf) * 4 if len(f) > 14 else 0
    if f[12:14] == b"\x08\x00" and f[23] == 1 and f[14 + ihl] == 8:
        counts[0 if f[6:12] == mac else 1] += 1
print(" ".join(map(str, counts)))
PY
}
mac_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][1]["mac"])' "$dir/$1.json"; }
sniff b2 8 "$(mac_of b1)" >"$dir/sniff.out" &
sniffer=$!
sleep 1
ping_ok b1 "$(ip_of b2)" || die "b1 cannot ping b2 in its own VPC"
! inns a1 ping -c 3 -i 0.3 -W 1 "$(ip_of b2)" >/dev/null 2>&1 || die "a1 (VPC va) reached b2 (VPC vb)"
wait "$sniffer" || die "sniffer in b2 failed"
read -r from_b1 from_a1 <"$dir/sniff.out"
((from_b1 > 0)) || die "the sniffer in b2 saw nothing from b1 (sniffer broken?): $(cat "$dir/sniff.out")"
((from_a1 == 0)) || die "b2 received $from_a1 packets from a1 in another VPC"
step "VPC va and vb with the same CIDR: no packet from a1 reaches b2"

# A private subnet (spriv in VPC va, allowSubnets: sa2's CIDR) talks
# within itself and with sa2 both ways, not with sa1 either way (as in
# Kube-OVN); private: false opens it.
pod va3 p1
pod va3 p2
add va3 p1
add va3 p2
ping_ok p2 "$(ip_of p1)" || die "p2 cannot ping p1 in its own private subnet"
ping_ok a2 "$(ip_of p1)" || die "a2 (sa2, in allowSubnets) cannot ping private p1"
! inns a1 ping -c 3 -i 0.3 -W 1 "$(ip_of p1)" >/dev/null 2>&1 ||
    die "a1 (sa1, not allowed) reached private p1"
ping_ok p1 "$(ip_of a2)" || die "private p1 cannot ping a2 (sa2, in allowSubnets)"
! inns p1 ping -c 2 -i 0.3 -W 1 "$(ip_of a1)" >/dev/null 2>&1 ||
    die "private p1 reached a1 (sa1, not allowed)"
kubectl patch subnet spriv --type=merge -p '{"spec":{"private":false}}' >/dev/null
for ((i = 0; i < 50; i++)); do
    inns a1 ping -c 1 -W 1 "$(ip_of p1)" >/dev/null 2>&1 && break
    sleep 0.2
done
ping_ok a1 "$(ip_of p1)" || die "a1 cannot reach p1 after private: false"
step "private subnet: reaches and is reached by its own and allowSubnets pods only; private: false opens it"

ping -c 1 -W 3 "$(ip_of d1)" >/dev/null || ping -c 2 -W 3 "$(ip_of d1)" >/dev/null ||
    die "the node cannot reach d1 through ovn0"
step "the node reaches d1 through ovn0"

# Pods reach the node's own addresses: the Node's InternalIP, on a link of
# this (the node's) network namespace (a veth: the kernel here has no dummy
# module), from TEST-NET-2 (never routed anywhere), is rerouted by a policy
# on the default VPC's router to the node's join address.
node_link=kovnt$id
node_ip=198.51.100.$((10 + id % 200))
node_ip2=198.51.100.$((11 + id % 200))
ip link add "$node_link" type veth peer name "kovnu$id"
ip link set "$node_link" up
ip addr add "$node_ip/32" dev "$node_link"
ip addr add "$node_ip2/32" dev "$node_link"
node_address() {
    kubectl patch node "$node" --subresource=status --type=merge \
        -p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"$1\"}]}}" >/dev/null
}
node_policy() {
    ovn-nbctl --db="$nb" lr-policy-list ovn-cluster | grep -q "ip4.dst == $1 .*reroute"
}
wait_node_policy() {
    for ((i = 0; i < 50; i++)); do
        node_policy "$1" && return 0
        sleep 0.1
    done
    die "no policy to the node address $1 on ovn-cluster"
}
# (Before the Node has the address d1 reaches it as well, through its own
# node as its egress gateway (test_egress.sh): on one node the two paths
# end at the same ovn0, so the policy itself is what is checked.)
node_address "$node_ip"
wait_node_policy "$node_ip"
ping_ok d1 "$node_ip" || die "d1 cannot reach the node's InternalIP $node_ip"
node_address "$node_ip2"
wait_node_policy "$node_ip2"
! node_policy "$node_ip" || die "the policy to the node's old address $node_ip stayed"
ping_ok d1 "$node_ip2" || die "d1 cannot reach the node's new InternalIP $node_ip2"
step "d1 reaches the node's InternalIP through ovn0; an address change moves the policy"

# A Service with two backends (d1, d2), TCP and UDP, reached from w1 (another
# subnet of the default VPC) at its ClusterIP.  No selector: its Endpoints
# are written here, as no kubelet reports the pods Ready.
for b in d1 d2; do
    # Not through inns: $! must be the server itself, and it must not hold
    # the test's output open.
    ip netns exec "kd$id-$b" python3 "$kovn_root/tests/lib/lb_backend.py" \
        "$b" 8080 5353 >/dev/null 2>&1 &
    backends+=($!)
done
endpoints() {
    local addrs="" ip
    for ip in "$@"; do addrs+="{ip: $ip},"; done
    kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Endpoints
metadata: {name: echo, namespace: default}
subsets:
- addresses: [${addrs%,}]
  ports: [{name: http, port: 8080, protocol: TCP}, {name: dns, port: 5353, protocol: UDP}]
EOF
}
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080, protocol: TCP}
  - {name: dns, port: 53, targetPort: 5353, protocol: UDP}
EOF
endpoints "$(ip_of d1)" "$(ip_of d2)"
vip=$(kubectl get svc echo -o jsonpath='{.spec.clusterIP}')
lb_has() {
    ovn-nbctl --db="$nb" get load_balancer "$1" vips 2>/dev/null | grep -q "\"$2\"=\"$3\""
}
two="$(ip_of d1):8080,$(ip_of d2):8080"
[[ $(ip_of d1) < $(ip_of d2) ]] || two="$(ip_of d2):8080,$(ip_of d1):8080"
for ((i = 0; i < 50; i++)); do
    lb_has cluster-tcp-loadbalancer "$vip:80" "$two" && break
    sleep 0.1
done
lb_has cluster-tcp-loadbalancer "$vip:80" "$two" || die "no VIP $vip:80 -> $two in cluster-tcp-loadbalancer"
ask() { inns w1 python3 "$kovn_root/tests/lib/lb_client.py" "$@"; }
got=$(ask tcp "$vip" 80 20)
[[ $got =~ ^d1:[0-9]+\ d2:[0-9]+$ ]] || die "TCP to $vip:80 from w1: $got (want both backends, no error)"
got_udp=$(ask udp "$vip" 53 20)
[[ $got_udp =~ ^d1:[0-9]+\ d2:[0-9]+$ ]] || die "UDP to $vip:53 from w1: $got_udp (want both backends, no error)"
step "Service $vip: 20 TCP connections ($got) and 20 UDP datagrams ($got_udp) from w1 reach both backends"
endpoints "$(ip_of d1)"
t_removed=$(date +%s.%N)
for ((i = 0; i < 40; i++)); do
    [[ $(ask tcp "$vip" 80 5) == "d1:5" ]] && break
    sleep 0.05
done
took=$(awk -v a="$(date +%s.%N)" -v b="$t_removed" 'BEGIN { printf "%.2f", a - b }')
got=$(ask tcp "$vip" 80 10)
[[ $got == "d1:10" ]] || die "after d2 left the Endpoints: $got"
awk -v t="$took" 'BEGIN { exit !(t < 2) }' || die "d2 still answered $took s after it left the Endpoints"
kubectl delete svc echo >/dev/null
kubectl delete endpoints echo >/dev/null 2>&1 || true
for ((i = 0; i < 50; i++)); do
    lb_has cluster-tcp-loadbalancer "$vip:80" ".*" || break
    sleep 0.1
done
! lb_has cluster-tcp-loadbalancer "$vip:80" ".*" || die "VIP $vip:80 stayed after its Service was deleted"
kill "${backends[@]}" 2>/dev/null
step "a backend removed from the Endpoints stops receiving within ${took}s; a deleted Service's VIP goes"

# ovn0 loses its addresses (as when a restarted ovs-vswitchd recreates its
# device): the daemon's periodic check puts them back.
ip addr flush dev ovn0
# Checked at once: the daemon's next check is up to 10 s away.
[[ -z $(ip -4 -o addr show dev ovn0) ]] || die "ovn0 kept its address through a flush"
for ((i = 0; i < 60; i++)); do
    ping -c 1 -W 1 "$(ip_of d1)" >/dev/null 2>&1 && break
    sleep 0.5
done
ping -c 1 -W 3 "$(ip_of d1)" >/dev/null || die "ovn0 not restored after its addresses were flushed"
step "ovn0 flushed: the daemon restores its address and route, the node reaches d1 again"

# --- CHECK, DEL, pod deletion.
python3 - "$conf" "$dir/d1.json" >"$dir/check.conf" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["prevResult"] = json.load(open(sys.argv[2]))
print(json.dumps(c))
PY
cni CHECK c-d1 "/var/run/netns/kd$id-d1" default d1 "$dir/check.conf" >"$dir/check.out" ||
    { cat "$dir/check.out" >&2; die "CHECK of a wired pod failed"; }
# A port bound to another pod's logical switch port is not this pod's.
host_d1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/d1.json")
ovs-vsctl --db="$ovs_db" set interface "$host_d1" external_ids:iface-id=d2.default
cni CHECK c-d1 "/var/run/netns/kd$id-d1" default d1 "$dir/check.conf" >"$dir/check.out" &&
    die "CHECK passed on a pod whose port is bound to d2.default"
grep -q 'iface-id \\"d2.default\\"' "$dir/check.out" ||
    { cat "$dir/check.out" >&2; die "CHECK failed, but not for the iface-id"; }
ovs-vsctl --db="$ovs_db" set interface "$host_d1" external_ids:iface-id=d1.default
check_d1() { cni CHECK c-d1 "/var/run/netns/kd$id-d1" default d1 "$dir/check.conf" >"$dir/check.out"; }
wait_for 30 "CHECK of d1 passing again with its iface-id back" check_d1
ip -n "kd$id-d1" addr flush dev eth0
cni CHECK c-d1 "/var/run/netns/kd$id-d1" default d1 "$dir/check.conf" >"$dir/check.out" &&
    die "CHECK passed on a pod whose address was removed"
grep -q '"code"' "$dir/check.out" || die "failed CHECK without an error code"
step "CHECK: passes when wired, fails when the port is bound elsewhere or an address is gone"

cni DEL c-d1 "/var/run/netns/kd$id-d1" default d1 >/dev/null || die "DEL d1 failed"
! ip link show "$host_d1" >/dev/null 2>&1 || die "DEL left veth $host_d1"
! ovs-vsctl --db="$ovs_db" list-ports br-int | grep -qx "$host_d1" || die "DEL left port $host_d1"
cni DEL c-d1 "/var/run/netns/kd$id-d1" default d1 >/dev/null || die "second DEL of d1 failed"
ip netns del "kd$id-d2"
cni DEL c-d2 "/var/run/netns/kd$id-d2" default d2 >/dev/null || die "DEL d2 with its netns gone failed"
host_d2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/d2.json")
! ovs-vsctl --db="$ovs_db" list-ports br-int | grep -qx "$host_d2" || die "DEL left port $host_d2"
! ip link show "$host_d2" >/dev/null 2>&1 || die "DEL left veth $host_d2"
step "DEL removes veth and port; again, and with the netns gone: success"

using() { kubectl get subnet ovn-default -o jsonpath='{.status.v4usingIPs}'; }
used_before=$(using)
# No kubelet finalizes them: delete at once, as kubelet would after DEL.
kubectl delete pod d1 d2 --grace-period=0 --force >/dev/null 2>&1
for ((i = 0; i < 200; i++)); do
    n=$(ovn-nbctl --db="$nb" --bare --columns=name find logical_switch_port name=d1.default name=d2.default | sed '/^$/d' | wc -l)
    ips=$(kubectl get ips --no-headers 2>/dev/null | grep -c "^d[12]\.default " || true)
    ((n == 0 && ips == 0)) && [[ $(using) != "$used_before" ]] && break
    sleep 0.2
done
((n == 0)) || die "LSPs of deleted pods remain"
((ips == 0)) || die "IP objects of deleted pods remain"
[[ $(using) == $((used_before - 2)) ]] || die "v4usingIPs $(using), expected $((used_before - 2))"
step "deleting pods removes LSP and IP object and frees the addresses"

# --- Bad requests: CNI errors with code and message, nothing made.
links_before=$(ip -o link show | grep -c ' kovn[0-9a-f]\{11\}[@:]' || true)
ports_before=$(ovs-vsctl --db="$ovs_db" list-ports br-int | wc -l)
expect_error() { # WHAT CODE CMD...
    local what=$1 code=$2 out
    shift 2
    out=$("$@") && die "$what: succeeded"
    python3 - "$code" "$out" <<'PY' || die "$what: not a CNI error with code $code: $out"
import json, sys
e = json.loads(sys.argv[2])
sys.exit(0 if e.get("code") == int(sys.argv[1]) and e.get("msg") else 1)
PY
}
echo '{"cniVersion": "1.0.0", "name": "kovn", "type": "kovn-cni",' >"$dir/bad.conf"
expect_error "bad JSON" 6 cni ADD c-x "/var/run/netns/kd$id-a1" default d1 "$dir/bad.conf"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cniVersion"]="9.9.9"; print(json.dumps(c))' "$conf" >"$dir/bad.conf"
expect_error "unknown cniVersion" 1 cni ADD c-x "/var/run/netns/kd$id-a1" default d1 "$dir/bad.conf"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); del c["name"]; print(json.dumps(c))' "$conf" >"$dir/bad.conf"
expect_error "missing name" 7 cni ADD c-x "/var/run/netns/kd$id-a1" default d1 "$dir/bad.conf"
pod default lost
expect_error "missing netns" 100 cni ADD c-lost /var/run/netns/kd$id-nosuch default lost
expect_error "missing K8S_POD_NAME" 4 env CNI_COMMAND=ADD CNI_CONTAINERID=c-y CNI_NETNS=/var/run/netns/kd$id-a1 \
    CNI_IFNAME=eth0 CNI_ARGS="K8S_POD_NAMESPACE=default" CNI_PATH=/opt/cni/bin "$cni_bin" <"$conf"
[[ $(ip -o link show | grep -c ' kovn[0-9a-f]\{11\}[@:]' || true) == "$links_before" ]] ||
    die "a failed request left a veth"
[[ $(ovs-vsctl --db="$ovs_db" list-ports br-int | wc -l) == "$ports_before" ]] ||
    die "a failed request left a port"
step "bad requests: CNI errors with code and msg, nothing created"

# Peers of the socket: half a request then gone, garbage, an oversized
# line; each costs its connection only, and the daemon still answers.
python3 - "$sock" <<'PY' || die "socket peers"
import json, socket, sys
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(path); return s
for _ in range(20):
    s = conn(); s.sendall(b'{"command":"ADD","contain'); s.close()
s = conn(); s.sendall(b"not json\n")
e = json.loads(s.makefile().readline())["error"]
assert e["code"] == 6 and e["msg"], e
s = conn()
try:
    s.sendall(b"[" * (2 * 1024 * 1024))
except OSError:
    pass
line = s.makefile().readline()
assert json.loads(line)["error"]["code"] == 6, line
PY
CNI_COMMAND=STATUS CNI_PATH=/opt/cni/bin "$cni_bin" <"$dir/status.conf" >/dev/null ||
    die "STATUS fails after misbehaving peers"
kill -0 "$daemon_pid" || die "kovn-daemon died of its peers"
step "socket peers: partial requests, garbage and a 2 MB line are refused; the daemon answers on"

# A runtime that retries a pod with a new sandbox (container ID) and no
# DEL: the pod keeps one port, the new one.
host_a2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/a2.json")
cni ADD c-a2-again "/var/run/netns/kd$id-a2" va2 a2 >"$dir/a2.json" ||
    { cat "$dir/a2.json" >&2; die "ADD of a2 with a new container ID failed"; }
host_a2_new=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/a2.json")
a2_ports=$(ovs-vsctl --db="$ovs_db" --bare --columns=name find interface external_ids:iface-id=a2.va2 | sed '/^$/d')
[[ "$a2_ports" == "$host_a2_new" ]] || die "ports of a2 after a second sandbox: $a2_ports (new $host_a2_new)"
! ip link show "$host_a2" >/dev/null 2>&1 || die "the first sandbox's veth $host_a2 remains"
ping_ok a1 "$(ip_of a2)" || die "a1 cannot ping a2 after its second sandbox"
step "a second sandbox of a2 without DEL: one port (the new one), old veth gone, a2 reachable"

# --- A pod deleted while the daemon is down: its port goes at start.
host_b1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/b1.json")
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
kubectl -n vb1 delete pod b1 --grace-period=0 --force >/dev/null 2>&1
start_daemon
for ((i = 0; i < 300; i++)); do
    ovs-vsctl --db="$ovs_db" list-ports br-int | grep -qx "$host_b1" || break
    sleep 0.1
done
! ovs-vsctl --db="$ovs_db" list-ports br-int | grep -qx "$host_b1" || die "port of b1, deleted while the daemon was down, remains"
! ip link show "$host_b1" >/dev/null 2>&1 || die "veth of b1, deleted while the daemon was down, remains"
host_b2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/b2.json")
ovs-vsctl --db="$ovs_db" list-ports br-int | grep -qx "$host_b2" || die "the start-up sweep removed b2's port"
step "restart: the port and veth of a pod deleted meanwhile are removed, others kept"

# --- kill -9 during 100 ADDs, retried like a runtime.
n_pods=${KILL_PODS:-100}
kubectl create ns k9 >/dev/null
k8s_wait_sa k9
python3 - "$n_pods" "$node" <<'PY' | kubectl create -f - >/dev/null
import json, sys
items = [{"apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "p%d" % i, "namespace": "k9"},
          "spec": {"nodeName": sys.argv[2], "containers": [{"name": "c", "image": "none"}]}}
         for i in range(int(sys.argv[1]))]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
PY
cat >"$dir/runtime.sh" <<EOF
#!/usr/bin/env bash
# runtime.sh I: ADD until it succeeds (a runtime retries a failed sandbox).
i=\$1 ns=kd$id-p\$1
ip netns add "\$ns" 2>/dev/null || true
for ((a = 1; a <= 40; a++)); do
    if CNI_COMMAND=ADD CNI_CONTAINERID=c-p\$i CNI_NETNS=/var/run/netns/\$ns CNI_IFNAME=eth0 \
        CNI_ARGS="K8S_POD_NAMESPACE=k9;K8S_POD_NAME=p\$i" CNI_PATH=/opt/cni/bin \
        "$cni_bin" <"$conf" >"$dir/k9/p\$i.json" 2>/dev/null; then
        echo "\$a" >"$dir/k9/p\$i.attempts"
        exit 0
    fi
    sleep 1
done
exit 1
EOF
chmod +x "$dir/runtime.sh"
mkdir -p "$dir/k9"
s=$SECONDS
seq 0 $((n_pods - 1)) | xargs -P 8 -n 1 "$dir/runtime.sh" &
runtime=$!
kills=0
for k in 1 2 3; do
    # Kill when some ADDs are through and others in flight.
    target=$((n_pods * k / 4))
    for ((i = 0; i < 600; i++)); do
        (($(ls "$dir/k9" | grep -c attempts || true) >= target)) && break
        sleep 0.1
    done
    kill -9 "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null || true
    kills=$((kills + 1))
    sleep 0.3
    start_daemon
done
wait "$runtime" || die "some ADDs never succeeded after retries"
retried=$(cat "$dir"/k9/*.attempts | awk '$1 > 1' | wc -l)
step "$n_pods ADDs with $kills kill -9s of kovn-daemon: all succeeded, $retried after retries ($((SECONDS - s))s)"

# Exactly once: one port per pod, named as its result says, no veth without
# a port, every pod's MAC and address on its eth0.
ovs-vsctl --db="$ovs_db" --format=csv --data=bare --no-headings \
    --columns=name,external_ids list interface >"$dir/ifaces.csv"
ip -o link show | sed -n 's/^[0-9]*: \(kovn[0-9a-f]\{11\}\)[@:].*/\1/p' >"$dir/links.txt"
python3 - "$dir" "$n_pods" <<'PY' || die "pods are not wired exactly once"
import csv, json, re, sys
d, n = sys.argv[1], int(sys.argv[2])
ports, all_ports = {}, set()
for row in csv.reader(open(d + "/ifaces.csv")):
    name, ext = row[0], row[1]
    all_ports.add(name)
    m = re.search(r"iface-id=([^ ]+)", ext)
    if m and m.group(1).endswith(".k9"):
        ports.setdefault(m.group(1), []).append(name)
links = set(open(d + "/links.txt").read().split())
bad = []
for i in range(n):
    r = json.load(open(f"{d}/k9/p{i}.json"))
    host = r["interfaces"][0]["name"]
    got = ports.get(f"p{i}.k9", [])
    if got != [host]:
        bad.append(f"p{i}: ports {got}, result says {host}")
    if host not in links:
        bad.append(f"p{i}: no veth {host}")
orphans = links - all_ports
if orphans:
    bad.append(f"veths without a port: {sorted(orphans)[:5]}")
if len(ports) != n:
    bad.append(f"{len(ports)} pods have ports, expected {n}")
if bad:
    sys.exit("\n".join(bad[:20]))
PY
gw=$(kubectl get subnet ovn-default -o jsonpath='{.spec.gateway}')
seq 0 $((n_pods - 1)) | xargs -P 8 -I{} sh -c \
    "ip netns exec kd$id-p{} ping -c 1 -W 3 $gw >/dev/null || ip netns exec kd$id-p{} ping -c 2 -W 3 $gw >/dev/null || { echo p{}; exit 255; }" ||
    die "some pods cannot reach their gateway $gw"
step "every pod wired exactly once (one port, one veth, none orphaned), all reach $gw"

# --- GC: everything but the attachments the runtime still knows goes.
python3 - "$conf" "$n_pods" <<'PY' >"$dir/gc.conf"
import json, sys
c = json.load(open(sys.argv[1]))
c["cniVersion"] = "1.1.0"
c["cni.dev/valid-attachments"] = [{"containerID": "c-p%d" % i, "ifname": "eth0"}
                                  for i in range(1, int(sys.argv[2]))]
print(json.dumps(c))
PY
CNI_COMMAND=GC CNI_PATH=/opt/cni/bin "$cni_bin" <"$dir/gc.conf" >"$dir/gc.out" ||
    { cat "$dir/gc.out" >&2; die "GC failed"; }
ports=$(ovs-vsctl --db="$ovs_db" list-ports br-int)
links=$(ip -o link show | sed -n 's/^[0-9]*: \(kovn[0-9a-f]\{11\}\)[@:].*/\1/p')
[[ $(grep -c '^kovn' <<<"$ports") == $((n_pods - 1)) ]] || die "after GC: $(grep -c '^kovn' <<<"$ports") pod ports, expected $((n_pods - 1))"
[[ $(wc -l <<<"$links") == $((n_pods - 1)) ]] || die "after GC: $(wc -l <<<"$links") veths, expected $((n_pods - 1))"
host_p0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["name"])' "$dir/k9/p0.json")
! grep -qx "$host_p0" <<<"$ports" || die "GC kept p0's port"
grep -qx ovn0 <<<"$ports" || die "GC removed ovn0"
step "GC removes the ports and veths of attachments not listed (p0, a1, ...), keeps the rest and ovn0"

# A clean stop: no sanitizer report (leaks included) from any daemon run.
stop_pidfile "$dir/daemon.pid"
! grep -q 'Sanitizer' "$dir/daemon.out" || { cat "$dir/daemon.out" >&2; die "sanitizer report from kovn-daemon"; }
[[ ! -e "$sock" ]] || die "kovn-daemon left its socket behind on a clean stop"
step "kovn-daemon stopped cleanly: socket removed, no sanitizer report"
echo "ok"
