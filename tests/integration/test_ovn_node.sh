#!/usr/bin/env bash
# scripts/ovn.sh start-node runs a chassis (ovsdb-server, ovs-vswitchd on the
# userspace datapath, ovn-controller) as plain processes in a directory:
#  1. central OVN + node A in this network namespace: the chassis is in SB,
#     two pods (netns + veth) on logical switch ls1 ping each other and move
#     1 MB over TCP;
#  2. a second node in the same namespace is refused; nodes B and C, each
#     in its own namespace (--netns), run beside A against the same NB/SB,
#     and pods on B and C reach each other through geneve;
#  3. stop-node / stop leave no process, tap device or chassis behind.
# Needs root (network namespaces, veths).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
ovn_sh=$root/scripts/ovn.sh
dir=$(mktemp -d /tmp/kovn-node.XXXXXX)
id=$$
t0=$SECONDS

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$dir"/*/ovs-vswitchd.log "$dir"/*/ovn-controller.log; do
        [[ -f "$f" ]] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}

step() {
    echo "[$((SECONDS - t0))s] $*"
}

[[ $(id -u) == 0 ]] || fail "needs root (network namespaces and veths)"

# Names are per run: other test runs may share this machine.
ns_a1=kovn$id-a1 ns_a2=kovn$id-a2          # pods on node A
ns_b=kovn$id-nb ns_c=kovn$id-nc            # nodes B and C
ns_b1=kovn$id-b1 ns_c1=kovn$id-c1          # pods on B and C
veth_a1=kv${id}a1 veth_a2=kv${id}a2        # host ends; pod ends get "p"
veth_b1=kv${id}b1 veth_c1=kv${id}c1
under_b=kv${id}ub under_c=kv${id}uc        # B <-> C underlay
server_pid=""

cleanup() {
    set +e
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
    # `ip netns del` frees veths asynchronously: delete them first.
    ip link del "$veth_a1" 2>/dev/null
    ip link del "$veth_a2" 2>/dev/null
    ip -n "$ns_b" link del "$veth_b1" 2>/dev/null
    ip -n "$ns_c" link del "$veth_c1" 2>/dev/null
    ip -n "$ns_b" link del "$under_b" 2>/dev/null
    local ns
    for ns in "$ns_a1" "$ns_a2" "$ns_b1" "$ns_c1"; do
        ip netns del "$ns" 2>/dev/null
    done
    "$ovn_sh" stop-node "$dir/a" >/dev/null 2>&1
    "$ovn_sh" stop-node "$dir/b" >/dev/null 2>&1
    "$ovn_sh" stop-node "$dir/c" >/dev/null 2>&1
    ip netns del "$ns_b" 2>/dev/null
    ip netns del "$ns_c" 2>/dev/null
    "$ovn_sh" stop "$dir/central" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT

# ICMP echo with a raw socket (no ping binary needed):
#   ping.py DST COUNT [WARMUP_SECONDS]
# With a warm-up, echoes are sent until the first reply (or the deadline)
# before the COUNT that must all be answered: a userspace OVS tunnel drops
# the packet that triggers its underlay ARP, and the remote chassis may
# still be installing flows for a port that is already ovn-installed here.
cat >"$dir/ping.py" <<'PY'
import os, socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
dst, count = sys.argv[1], int(sys.argv[2])
warmup = float(sys.argv[3]) if len(sys.argv) > 3 else 0
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident = os.getpid() & 0xffff
def echo(seq, wait):
    body = b'kovn' * 14
    hdr = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
    s.sendto(struct.pack('!BBHHH', 8, 0, csum(hdr + body), ident, seq) + body, (dst, 0))
    t0 = time.monotonic()
    while time.monotonic() - t0 < wait:
        s.settimeout(max(0.01, wait - (time.monotonic() - t0)))
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        ihl = (data[0] & 0xf) * 4
        typ, _, _, rid, rseq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
        if addr[0] == dst and typ == 0 and rid == ident and rseq == seq:
            return 1000 * (time.monotonic() - t0)
    return None
seq, deadline = 1000, time.monotonic() + warmup
while warmup and time.monotonic() < deadline:
    seq += 1
    if echo(seq, 0.5) is not None:
        print(f"warm-up: first reply after {seq - 1000} echo(es)")
        break
ok = 0
for seq in range(1, count + 1):
    ms = echo(seq, 2)
    if ms is None:
        print(f"seq={seq}: no reply")
    else:
        ok += 1
        print(f"reply from {dst}: seq={seq} {ms:.1f} ms")
    time.sleep(0.2)
print(f"{ok}/{count} replies")
sys.exit(0 if ok == count else 1)
PY

# TCP transfer: tcp.py server IP PORT | tcp.py client IP PORT BYTES
# The server answers with the byte count and sha256 of what it received.
cat >"$dir/tcp.py" <<'PY'
import hashlib, socket, sys, time
if sys.argv[1] == 'server':
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((sys.argv[2], int(sys.argv[3])))
    ls.listen(1)
    ls.settimeout(60)
    c, _ = ls.accept()
    c.settimeout(30)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(f"{n} {h.hexdigest()}".encode())
    c.close()
else:
    ip, port, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = bytes((i * 7 + 13) & 0xff for i in range(size))
    deadline = time.monotonic() + 10
    while True:
        try:
            s = socket.create_connection((ip, port), timeout=3)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    s.settimeout(30)
    t0 = time.monotonic()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reply = s.recv(200).decode()
    print(f"{size} bytes in {1000 * (time.monotonic() - t0):.0f} ms, server got {reply.split(' ')[0]}")
    sys.exit(0 if reply == f"{size} {hashlib.sha256(data).hexdigest()}" else 1)
PY

# Turns tx checksum offload off (ethtool -K IF tx off): txoff.py IF
cat >"$dir/txoff.py" <<'PY'
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack('II', 0x17, 0), 8)  # ETHTOOL_STXCSUM
sk = socket.socket()
fcntl.ioctl(sk.fileno(), 0x8946, struct.pack('16sP', sys.argv[1].encode(), ctypes.addressof(val)))
PY

# add_pod NODE_NETNS(""=here) OVS_DB POD_NETNS HOST_VETH LSP MAC IP/LEN
add_pod() {
    local node_ns=$1 db=$2 ns=$3 veth=$4 lsp=$5 mac=$6 ip=$7 in_node=()
    [[ -z "$node_ns" ]] || in_node=(-n "$node_ns")
    ip netns add "$ns"
    ip link add "$veth" type veth peer name "${veth}p"
    ip link set "${veth}p" netns "$ns"
    [[ -z "$node_ns" ]] || ip link set "$veth" netns "$node_ns"
    ip -n "$ns" link set "${veth}p" address "$mac"
    ip -n "$ns" addr add "$ip" dev "${veth}p"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "${veth}p" up
    ip "${in_node[@]}" link set "$veth" up
    ovs-vsctl --db="$db" add-port br-int "$veth" -- set interface "$veth" external_ids:iface-id="$lsp"
}

# wait_installed OVS_DB VETH: ovn-controller bound the port (10 s).
wait_installed() {
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(ovs-vsctl --db="$1" --if-exists get interface "$2" external_ids:ovn-installed 2>/dev/null) == '"true"' ]] &&
            return 0
        sleep 0.1
    done
    fail "$2 not ovn-installed after 10 s"
}

# tcp_check SERVER_NETNS CLIENT_NETNS SERVER_IP: 1 MB, checked by sha256.
tcp_check() {
    ip netns exec "$1" python3 "$dir/tcp.py" server "$3" 5001 &
    server_pid=$!
    ip netns exec "$2" timeout 60 python3 "$dir/tcp.py" client "$3" 5001 1048576 ||
        fail "TCP transfer of 1 MB to $3 failed"
    wait "$server_pid" || fail "TCP server on $3 failed"
    server_pid=""
}

chassis_names() {
    ovn-sbctl --db="$OVN_SB_DB" --bare --columns=name list chassis | sed '/^$/d' | sort
}

# running PID: alive and not a zombie (pid 1 reaps detached daemons late).
running() {
    local state
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# 1. Central OVN and node A in this namespace.
"$ovn_sh" start "$dir/central"
source "$dir/central/ovn.env"
step "central up"
s=$SECONDS
"$ovn_sh" start-node "$dir/a" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB"
step "node A up ($((SECONDS - s))s)"
source "$dir/a/node.env"
db_a=$OVS_DB
[[ $SYSTEM_ID == node-a ]] || fail "default system-id is $SYSTEM_ID, not node-a"
[[ $(chassis_names) == node-a ]] || fail "SB chassis: $(chassis_names | tr '\n' ' ')"
[[ $(ovs-vsctl --db="$db_a" get bridge br-int datapath_type) == netdev ]] ||
    fail "br-int is not on the netdev datapath"
[[ $(ovs-vsctl --db="$db_a" get open_vswitch . other_config:userspace-tso-enable) == '"true"' ]] ||
    fail "userspace TSO is not enabled"
OVN_RUNDIR=$dir/a ovn-appctl -t ovn-controller version >/dev/null ||
    fail "OVN_RUNDIR from node.env does not reach ovn-controller"
for f in ovsdb-server ovs-vswitchd ovn-controller; do
    [[ -s "$dir/a/$f.pid" ]] || fail "no $f pid file in $dir/a"
done

ovn-nbctl --db="$OVN_NB_DB" ls-add ls1 -- set logical_switch ls1 other_config:subnet=10.99.0.0/24
ovn-nbctl --db="$OVN_NB_DB" lsp-add ls1 p1 -- lsp-set-addresses p1 "00:00:00:00:01:01 10.99.0.11"
ovn-nbctl --db="$OVN_NB_DB" lsp-add ls1 p2 -- lsp-set-addresses p2 "00:00:00:00:01:02 10.99.0.12"
s=$SECONDS
add_pod "" "$db_a" "$ns_a1" "$veth_a1" p1 00:00:00:00:01:01 10.99.0.11/24
add_pod "" "$db_a" "$ns_a2" "$veth_a2" p2 00:00:00:00:01:02 10.99.0.12/24
wait_installed "$db_a" "$veth_a1"
wait_installed "$db_a" "$veth_a2"
step "p1, p2 ovn-installed ($((SECONDS - s))s)"
ip netns exec "$ns_a1" python3 "$dir/ping.py" 10.99.0.12 3 || fail "p1 cannot ping p2"
step "ping p1 -> p2 ok"
tcp_check "$ns_a2" "$ns_a1" 10.99.0.12
step "TCP 1 MB p1 -> p2 ok"

# 2. Side by side.  A second node in A's namespace is refused, quickly.
out=$("$ovn_sh" start-node "$dir/x" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB" --encap-ip 127.0.0.9 2>&1) &&
    fail "a second node in the same network namespace started"
grep -q 'already runs in this network namespace' <<<"$out" || fail "unclear refusal: $out"
out=$("$ovn_sh" start-node "$dir/x" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB" --netns "$ns_a1" 2>&1) &&
    fail "a second chassis with encap ip 127.0.0.1 started"
grep -q 'already has geneve encap ip 127.0.0.1' <<<"$out" || fail "unclear refusal: $out"
! ls "$dir/x"/*.pid >/dev/null 2>&1 || fail "a refused node left pid files"
step "same-namespace and same-encap-ip nodes refused"

# B and C in their own namespaces, joined by an underlay veth (MTU with
# room for geneve) on a netdev bridge br-phy that holds the encap ip.
ip netns add "$ns_b"
ip netns add "$ns_c"
ip link add "$under_b" netns "$ns_b" mtu 1600 type veth peer name "$under_c" netns "$ns_c" mtu 1600
s=$SECONDS
"$ovn_sh" start-node "$dir/b" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB" --netns "$ns_b" --encap-ip 172.31.255.2
"$ovn_sh" start-node "$dir/c" --nb "$OVN_NB_DB" --sb "$OVN_SB_DB" --netns "$ns_c" --encap-ip 172.31.255.3
step "nodes B and C up ($((SECONDS - s))s)"
[[ $(chassis_names | tr '\n' ' ') == "node-a node-b node-c " ]] ||
    fail "SB chassis: $(chassis_names | tr '\n' ' ')"
ip -n "$ns_b" link show br-int >/dev/null || fail "no br-int device in $ns_b"
for n in b c; do
    ns_var=ns_$n under_var=under_$n
    db="unix:$dir/$n/db.sock"
    ns=${!ns_var} under=${!under_var}
    ovs-vsctl --db="$db" add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy "$under"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$under" up
    ip -n "$ns" link set br-phy up
    ip -n "$ns" addr add "172.31.255.$([[ $n == b ]] && echo 2 || echo 3)/24" dev br-phy
done
ovn-nbctl --db="$OVN_NB_DB" lsp-add ls1 p3 -- lsp-set-addresses p3 "00:00:00:00:01:03 10.99.0.13"
ovn-nbctl --db="$OVN_NB_DB" lsp-add ls1 p4 -- lsp-set-addresses p4 "00:00:00:00:01:04 10.99.0.14"
add_pod "$ns_b" "unix:$dir/b/db.sock" "$ns_b1" "$veth_b1" p3 00:00:00:00:01:03 10.99.0.13/24
add_pod "$ns_c" "unix:$dir/c/db.sock" "$ns_c1" "$veth_c1" p4 00:00:00:00:01:04 10.99.0.14/24
# OVS 3.1 drops tunnelled packets carrying offload flags.
ip netns exec "$ns_b1" python3 "$dir/txoff.py" "${veth_b1}p"
ip netns exec "$ns_c1" python3 "$dir/txoff.py" "${veth_c1}p"
wait_installed "unix:$dir/b/db.sock" "$veth_b1"
wait_installed "unix:$dir/c/db.sock" "$veth_c1"
ip netns exec "$ns_b1" python3 "$dir/ping.py" 10.99.0.14 3 10 || fail "p3 (node B) cannot ping p4 (node C)"
step "ping p3 (B) -> p4 (C) over geneve ok"
tcp_check "$ns_c1" "$ns_b1" 10.99.0.14
step "TCP 1 MB p3 (B) -> p4 (C) over geneve ok"

# 3. Stop everything; nothing may stay behind.
pids=()
for f in "$dir"/central/*.pid "$dir"/a/*.pid "$dir"/b/*.pid "$dir"/c/*.pid; do
    pids+=("$(cat "$f")")
done
[[ ${#pids[@]} == 12 ]] || fail "expected 12 pid files, got ${#pids[@]}"
ip link del "$veth_a1"
ip link del "$veth_a2"
ip -n "$ns_b" link del "$veth_b1"
ip -n "$ns_c" link del "$veth_c1"
ip -n "$ns_b" link del "$under_b"
for ns in "$ns_a1" "$ns_a2" "$ns_b1" "$ns_c1"; do
    ip netns del "$ns"
done
s=$SECONDS
"$ovn_sh" stop-node "$dir/a"
step "node A stopped ($((SECONDS - s))s)"
[[ $(chassis_names | tr '\n' ' ') == "node-b node-c " ]] ||
    fail "node A's chassis still in SB after stop-node: $(chassis_names | tr '\n' ' ')"
! ip link show ovs-netdev >/dev/null 2>&1 || fail "tap device ovs-netdev left behind"
! ip link show br-int >/dev/null 2>&1 || fail "tap device br-int left behind"
"$ovn_sh" stop-node "$dir/b"
"$ovn_sh" stop-node "$dir/c"
! ip -n "$ns_b" link show ovs-netdev >/dev/null 2>&1 || fail "tap device ovs-netdev left in $ns_b"
ip netns del "$ns_b"
ip netns del "$ns_c"
"$ovn_sh" stop "$dir/central"
for pid in "${pids[@]}"; do
    ! running "$pid" || fail "process $pid still running after stop"
done
ls "$dir"/{central,a,b,c}/*.pid >/dev/null 2>&1 && fail "pid files left after stop"
# Stop is idempotent.
"$ovn_sh" stop-node "$dir/a"
step "all stopped, no process left"
echo "ok"
