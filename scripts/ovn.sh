#!/usr/bin/env bash
# Starts and stops real OVN databases and ovn-northd as plain processes in a
# directory: sockets, logs, databases and pid files all live there.
#
#   scripts/ovn.sh start DIR [--raft] [--no-northd]
#                                       NB + SB (standalone or 3-member Raft)
#                                       and ovn-northd
#   scripts/ovn.sh start-northd DIR     ovn-northd alone (after --no-northd)
#   scripts/ovn.sh stop DIR             stops what DIR's pid files name
#   scripts/ovn.sh kill-member DIR nb|sb N [SIGNAL]   one Raft member (tests)
#   scripts/ovn.sh start-member DIR nb|sb N           restart that member
#   scripts/ovn.sh start-node NODE_DIR --nb REMOTE --sb REMOTE
#                  [--system-id ID] [--encap-ip IP] [--hostname NAME]
#                  [--netns NAME] [--userspace-tso on|off]
#                                       a chassis: local ovsdb-server (vswitch
#                                       schema), ovs-vswitchd (userspace
#                                       datapath) and ovn-controller
#   scripts/ovn.sh stop-node NODE_DIR   stops what NODE_DIR's pid files name
#
# After start, DIR/ovn.env holds OVN_NB_DB / OVN_SB_DB (comma-separated TCP
# remotes of every member) and, for standalone, the unix sockets are
# DIR/ovnnb_db.sock and DIR/ovnsb_db.sock.  Processes are only ever stopped
# by the pid in their pid file, never by name.
#
# Node mode.  Defaults: system-id "node-<basename of NODE_DIR>", hostname =
# system-id, encap ip 127.0.0.1, userspace TSO on.  After start-node,
# NODE_DIR/node.env holds OVS_DB (unix:NODE_DIR/db.sock), SYSTEM_ID,
# OVN_RUNDIR and OVS_RUNDIR (NODE_DIR, so `OVN_RUNDIR=... ovn-appctl -t
# ovn-controller` finds the controller), OVN_CONTROLLER_CTL,
# OVS_VSWITCHD_CTL and NETNS.  The node uses OVS's userspace (netdev)
# datapath, no kernel module: a port is `ovs-vsctl --db=$OVS_DB add-port
# br-int VETH -- set interface VETH external_ids:iface-id=LSP`, bound once
# the Interface has external_ids:ovn-installed=true.
#  - One node per network namespace: the userspace datapath is a tap device
#    "ovs-netdev" (plus one tap per bridge, "br-int"), and a second
#    ovs-vswitchd in the same namespace cannot open its own and never
#    creates br-int; start-node refuses that up front.  Further nodes get
#    --netns NAME (created by the caller): ovs-vswitchd then runs under `ip
#    netns exec NAME`, so their br-int ports must be in NAME; ovsdb-server
#    and ovn-controller stay in the caller's namespace (they only use
#    NODE_DIR's unix sockets and SB, which may be on the caller's loopback).
#  - SB refuses two chassis with the same encap ip: give each --encap-ip.
#  - Between chassis (geneve): ovs-vswitchd needs a route to the other
#    encap ip through an OVS bridge of its own (e.g. a netdev "br-phy" with
#    the underlay veth as port and the encap ip on its tap), the underlay
#    MTU must exceed the pods' by the geneve overhead (>= 58 bytes), and the
#    pod veths need tx checksum offload off: OVS 3.1 drops tunnelled
#    packets that carry offload flags.  On one chassis, TCP over veths needs
#    userspace TSO on (the default) or tx checksum offload off in the pod.
#  - The tap devices persist after ovs-vswitchd exits; stop-node removes
#    the ones no process in that namespace holds open.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/proc.sh"

schema_dir=${OVN_SCHEMA_DIR:-/usr/share/ovn}
vswitch_schema=${OVS_VSWITCH_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
wait_seconds=${OVN_WAIT_SECONDS:-30}

die() {
    echo "ovn.sh: $*" >&2
    exit 1
}



# wait_db SOCKET DBNAME LOG
wait_db() {
    local sock=$1 db=$2 log=$3
    if ! timeout "$wait_seconds" ovsdb-client --timeout="$wait_seconds" wait "unix:$sock" "$db" connected >/dev/null 2>&1; then
        log_tail "$log"
        die "$db at $sock did not answer within ${wait_seconds}s"
    fi
}

# start_server DIR NAME DBFILE CLIENT_PORT
start_server() {
    local dir=$1 name=$2 db=$3 port=$4
    ovsdb-server --detach --no-chdir \
        --pidfile="$dir/$name.pid" \
        --log-file="$dir/$name.log" \
        --unixctl="$dir/$name.ctl" \
        --remote="punix:$dir/$name.sock" \
        --remote="ptcp:$port:127.0.0.1" \
        "$db" 2>>"$dir/$name.log" ||
        { log_tail "$dir/$name.log"; die "ovsdb-server $name failed to start"; }
}

# start_standalone DIR nb|sb
start_standalone() {
    local dir=$1 kind=$2 dbname schema port name
    dbname=$([[ $kind == nb ]] && echo OVN_Northbound || echo OVN_Southbound)
    schema="$schema_dir/ovn-$kind.ovsschema"
    name="ovn${kind}_db"
    [[ -f "$dir/$name.db" ]] || ovsdb-tool create "$dir/$name.db" "$schema"
    port=$(free_port)
    start_server "$dir" "$name" "$dir/$name.db" "$port"
    echo "tcp:127.0.0.1:$port" >"$dir/$name.remote"
    wait_db "$dir/$name.sock" "$dbname" "$dir/$name.log"
}

# start_raft DIR nb|sb: three members on loopback, member 1 creates.
start_raft() {
    local dir=$1 kind=$2 dbname schema i name raft_port client_port first_raft=""
    dbname=$([[ $kind == nb ]] && echo OVN_Northbound || echo OVN_Southbound)
    schema="$schema_dir/ovn-$kind.ovsschema"
    local remotes=()
    for i in 1 2 3; do
        name="ovn${kind}_db$i"
        if [[ ! -f "$dir/$name.db" ]]; then
            raft_port=$(free_port)
            if [[ $i == 1 ]]; then
                ovsdb-tool create-cluster "$dir/$name.db" "$schema" "tcp:127.0.0.1:$raft_port" 2>>"$dir/$name.log"
                first_raft="tcp:127.0.0.1:$raft_port"
            else
                ovsdb-tool join-cluster "$dir/$name.db" "$dbname" "tcp:127.0.0.1:$raft_port" "$first_raft" 2>>"$dir/$name.log"
            fi
            free_port >"$dir/$name.port"
        fi
        client_port=$(cat "$dir/$name.port")
        start_server "$dir" "$name" "$dir/$name.db" "$client_port"
        echo "tcp:127.0.0.1:$client_port" >"$dir/$name.remote"
        remotes+=("tcp:127.0.0.1:$client_port")
    done
    for i in 1 2 3; do
        wait_db "$dir/ovn${kind}_db$i.sock" "$dbname" "$dir/ovn${kind}_db$i.log"
    done
    (IFS=,; echo "${remotes[*]}") >"$dir/ovn${kind}_db.remote"
}

start_northd() {
    local dir=$1 nb=$2 sb=$3
    ovn-northd --detach --no-chdir \
        --pidfile="$dir/ovn-northd.pid" \
        --log-file="$dir/ovn-northd.log" \
        --unixctl="$dir/ovn-northd.ctl" \
        --ovnnb-db="$nb" --ovnsb-db="$sb" 2>>"$dir/ovn-northd.log" ||
        { log_tail "$dir/ovn-northd.log"; die "ovn-northd failed to start"; }
    local deadline=$((SECONDS + wait_seconds))
    until ovn-appctl -t "$dir/ovn-northd.ctl" status >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { log_tail "$dir/ovn-northd.log"; die "ovn-northd did not answer"; }
        sleep 0.1
    done
}


cmd_start() {
    local dir=${1:?usage: ovn.sh start DIR [--raft] [--no-northd]} mode="" northd=1 arg
    shift
    for arg in "$@"; do
        case "$arg" in
        --raft) mode=--raft ;;
        --no-northd) northd=0 ;;
        *) die "unknown option $arg" ;;
        esac
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    for tool in ovsdb-server ovsdb-tool ovsdb-client ovn-northd ovn-appctl; do
        command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh)"
    done
    local nb sb
    if [[ "$mode" == --raft ]]; then
        start_raft "$dir" nb
        start_raft "$dir" sb
        echo raft >"$dir/mode"
    else
        start_standalone "$dir" nb
        start_standalone "$dir" sb
        echo standalone >"$dir/mode"
    fi
    nb=$(cat "$dir/ovnnb_db.remote")
    sb=$(cat "$dir/ovnsb_db.remote")
    ((northd)) && start_northd "$dir" "$nb" "$sb"
    cat >"$dir/ovn.env" <<ENV
OVN_NB_DB=$nb
OVN_SB_DB=$sb
ENV
}

cmd_stop() {
    local dir=${1:?usage: ovn.sh stop DIR} f
    [[ -d "$dir" ]] || return 0
    stop_pidfile "$dir/ovn-northd.pid"
    for f in "$dir"/ovn*_db*.pid; do
        [[ -e "$f" ]] && stop_pidfile "$f"
    done
    return 0
}

# ---- node mode (start-node / stop-node) ----

# node_env NODE_DIR: the environment every node daemon runs with, so that
# nothing reads or writes /var/run/openvswitch, /var/run/ovn or /etc.
node_env() {
    local dir=$1
    echo OVS_RUNDIR="$dir" OVS_DBDIR="$dir" OVS_LOGDIR="$dir" OVS_SYSCONFDIR="$dir" \
        OVN_RUNDIR="$dir" OVN_DBDIR="$dir" OVN_LOGDIR="$dir" OVN_SYSCONFDIR="$dir"
}

# node_fail NODE_DIR MESSAGE: log tails of every node daemon, stops what
# start-node started (the logs stay), then dies.
node_fail() {
    local dir=$1 log
    shift
    for log in ovsdb-server ovs-vswitchd ovn-controller; do
        log_tail "$dir/$log.log"
    done
    cmd_stop_node "$dir" >/dev/null 2>&1 || true
    die "$*"
}

# running PID: the process exists and is not a zombie.  Detached daemons
# are children of pid 1, which may reap them only a second or two after
# they exit; a zombie holds no socket, file or device any more.
running() {
    local state
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# wait_exit PID TENTHS: waits until PID is not running; 1 if it still is.
wait_exit() {
    local pid=$1 n=$2 i
    for ((i = 0; i < n; i++)); do
        running "$pid" || return 0
        sleep 0.1
    done
    ! running "$pid"
}

# node_stop PIDFILE [GRACEFUL_COMMAND...]: the graceful command (if any,
# given 5 s), then TERM (10 s), then KILL; removes the pid file.
node_stop() {
    local file=$1 pid
    shift
    pid=$(cat "$file" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && running "$pid"; then
        if (($#)); then
            "$@" >/dev/null 2>&1 || true
            wait_exit "$pid" 50 || true
        fi
        if running "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            wait_exit "$pid" 100 || { kill -KILL "$pid" 2>/dev/null || true; wait_exit "$pid" 50 || true; }
        fi
    fi
    rm -f "$file"
}

# netns_id NETNS: the inode of that network namespace ("" = this one).
netns_id() {
    if [[ -n "$1" ]]; then
        stat -L -c %i "/run/netns/$1"
    else
        stat -L -c %i /proc/self/ns/net
    fi
}

# tap_users NAME NETNS: pids (in that namespace) holding tap NAME open.
tap_users() {
    local name=$1 ns f pid
    ns=$(netns_id "$2") || return 0
    { grep -lsx "iff:[[:space:]]*$name" /proc/[0-9]*/fdinfo/* 2>/dev/null || true; } | while read -r f; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        if [[ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" == "$ns" ]]; then
            echo "$pid"
        fi
    done | sort -u
}

# in_netns NETNS COMMAND...: runs COMMAND in that namespace ("" = here).
in_netns() {
    local ns=$1
    shift
    if [[ -n "$ns" ]]; then
        ip netns exec "$ns" "$@"
    else
        "$@"
    fi
}

# drop_taps NETNS NAME...: ovs-vswitchd's userspace datapath creates
# persistent tap devices ("ovs-netdev", one per bridge) that outlive it;
# deletes those no process in NETNS holds open any more.
drop_taps() {
    local ns=$1 name
    shift
    for name in "$@"; do
        in_netns "$ns" test -e "/sys/class/net/$name/tun_flags" 2>/dev/null || continue
        [[ -z "$(tap_users "$name" "$ns")" ]] || continue
        in_netns "$ns" ip link del "$name" 2>/dev/null || true
    done
}

# br_int_ready DB: br-int exists with the netdev datapath and ovs-vswitchd
# opened its internal interface (an ofport, no error).
br_int_ready() {
    local db=$1 dp ofport err
    dp=$(ovs-vsctl --db="$db" --timeout=5 get bridge br-int datapath_type 2>/dev/null) || return 1
    [[ "$dp" == netdev ]] || return 1
    ofport=$(ovs-vsctl --db="$db" --timeout=5 get interface br-int ofport 2>/dev/null) || return 1
    err=$(ovs-vsctl --db="$db" --timeout=5 get interface br-int error 2>/dev/null) || return 1
    [[ "$ofport" =~ ^[0-9]+$ && "$ofport" -gt 0 && "$err" == '[]' ]]
}

# chassis_in_sb SB SYSTEM_ID
chassis_in_sb() {
    ovn-sbctl --db="$1" --no-leader-only --timeout=5 --bare --columns=name list chassis 2>/dev/null |
        grep -qxF "$2"
}

cmd_start_node() {
    local usage="usage: ovn.sh start-node NODE_DIR --nb REMOTE --sb REMOTE [--system-id ID] [--encap-ip IP] [--hostname NAME] [--netns NAME] [--userspace-tso on|off]"
    local dir=${1:?$usage} nb="" sb="" system_id="" encap_ip=127.0.0.1 host="" netns="" tso=on
    shift
    while (($#)); do
        (($# >= 2)) || die "$1 needs a value; $usage"
        case "$1" in
        --nb) nb=$2 ;;
        --sb) sb=$2 ;;
        --system-id) system_id=$2 ;;
        --encap-ip) encap_ip=$2 ;;
        --hostname) host=$2 ;;
        --netns) netns=$2 ;;
        --userspace-tso)
            [[ $2 == on || $2 == off ]] || die "--userspace-tso takes on or off"
            tso=$2
            ;;
        *) die "unknown option $1; $usage" ;;
        esac
        shift 2
    done
    [[ -n "$nb" && -n "$sb" ]] || die "$usage"
    local tool
    for tool in ovsdb-server ovsdb-tool ovsdb-client ovs-vsctl ovs-vswitchd ovs-appctl \
        ovn-controller ovn-sbctl ovn-appctl ip; do
        command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh)"
    done
    [[ -f "$vswitch_schema" ]] || die "$vswitch_schema not found (run scripts/deps.sh)"
    if [[ -n "$netns" ]]; then
        [[ -e "/run/netns/$netns" ]] || die "network namespace $netns does not exist (ip netns add $netns)"
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -n "$system_id" ]] || system_id="node-$(basename "$dir")"
    [[ -n "$host" ]] || host=$system_id
    # sun_path holds 107 bytes; "/br-int.mgmt" is the longest name here.
    ((${#dir} + 12 <= 107)) || die "$dir is too long for unix socket paths"
    local pid f
    for f in ovsdb-server ovs-vswitchd ovn-controller; do
        pid=$(cat "$dir/$f.pid" 2>/dev/null || true)
        if [[ "$pid" =~ ^[0-9]+$ ]] && running "$pid"; then
            die "$f of $dir is already running (pid $pid); stop-node first"
        fi
    done
    rm -f "$dir/node.env"
    # The userspace datapath is the tap device "ovs-netdev" (and one tap per
    # bridge): a second ovs-vswitchd in the same network namespace cannot
    # open its own and never creates br-int.
    pid=$(tap_users ovs-netdev "$netns" | head -n1)
    [[ -z "$pid" ]] ||
        die "another userspace ovs-vswitchd (pid $pid) already runs in ${netns:-this} network namespace; give each node its own with --netns NAME"
    # SB indexes Encap on (type, ip): two chassis cannot share an encap IP.
    local owner
    owner=$(ovn-sbctl --db="$sb" --no-leader-only --timeout=5 --bare --columns=chassis_name \
        find encap type=geneve ip="\"$encap_ip\"" 2>/dev/null | grep -vxF "$system_id" | head -n1 || true)
    [[ -z "$owner" ]] ||
        die "chassis $owner already has geneve encap ip $encap_ip in SB; give --encap-ip (or ovn-sbctl chassis-del $owner if it is stale)"

    local -a env
    read -ra env <<<"$(node_env "$dir")"
    local db="unix:$dir/db.sock"
    local -a vsctl=(ovs-vsctl --db="$db" --timeout="$wait_seconds")

    [[ -f "$dir/conf.db" ]] || ovsdb-tool create "$dir/conf.db" "$vswitch_schema"
    env "${env[@]}" ovsdb-server --detach --no-chdir \
        --pidfile="$dir/ovsdb-server.pid" \
        --log-file="$dir/ovsdb-server.log" \
        --unixctl="$dir/ovsdb-server.ctl" \
        --remote="punix:$dir/db.sock" \
        "$dir/conf.db" 2>>"$dir/ovsdb-server.log" ||
        node_fail "$dir" "ovsdb-server of $dir failed to start"
    wait_db "$dir/db.sock" Open_vSwitch "$dir/ovsdb-server.log"

    # What ovs-vswitchd must see when it starts (userspace TSO, or TCP over
    # veths breaks) and the chassis identity ovn-controller reads.
    { "${vsctl[@]}" --no-wait init &&
        "${vsctl[@]}" --no-wait set Open_vSwitch . \
            external_ids:system-id="$system_id" \
            external_ids:ovn-remote="$sb" \
            external_ids:ovn-encap-type=geneve \
            external_ids:ovn-encap-ip="$encap_ip" \
            external_ids:ovn-bridge-datapath-type=netdev \
            external_ids:hostname="$host" \
            other_config:userspace-tso-enable="$([[ $tso == on ]] && echo true || echo false)"; } ||
        node_fail "$dir" "could not configure Open_vSwitch in $dir/conf.db"

    # Written before any daemon runs: stop-node (also on failure below)
    # reads NETNS from it.
    cat >"$dir/node.env" <<ENV
OVS_DB=$db
SYSTEM_ID=$system_id
OVN_RUNDIR=$dir
OVS_RUNDIR=$dir
OVS_VSWITCHD_CTL=$dir/ovs-vswitchd.ctl
NETNS=$netns
ENV

    # The log is appended to across runs: only this run's part counts.
    local log_start
    log_start=$(($(stat -c %s "$dir/ovs-vswitchd.log" 2>/dev/null || echo 0) + 1))

    # Only ovs-vswitchd enters the node's namespace: it owns the datapath
    # and its ports.  ovn-controller talks to it over NODE_DIR's unix
    # sockets and to SB, which may listen on the caller's 127.0.0.1.
    in_netns "$netns" env "${env[@]}" ovs-vswitchd --detach --no-chdir \
        --pidfile="$dir/ovs-vswitchd.pid" \
        --log-file="$dir/ovs-vswitchd.log" \
        --unixctl="$dir/ovs-vswitchd.ctl" \
        "$db" 2>>"$dir/ovs-vswitchd.log" ||
        node_fail "$dir" "ovs-vswitchd of $dir failed to start"

    # ovn-controller has no --unixctl: its socket is
    # $OVN_RUNDIR/ovn-controller.PID.ctl.
    env "${env[@]}" ovn-controller --detach --no-chdir \
        --pidfile="$dir/ovn-controller.pid" \
        --log-file="$dir/ovn-controller.log" \
        "$db" 2>>"$dir/ovn-controller.log" ||
        node_fail "$dir" "ovn-controller of $dir failed to start"
    pid=$(cat "$dir/ovn-controller.pid")
    echo "OVN_CONTROLLER_CTL=$dir/ovn-controller.$pid.ctl" >>"$dir/node.env"

    local deadline=$((SECONDS + wait_seconds))
    until br_int_ready "$db"; do
        tail -c "+$log_start" "$dir/ovs-vswitchd.log" 2>/dev/null | grep -q 'failed to create bridge br-int' &&
            node_fail "$dir" "ovs-vswitchd of $dir could not create br-int (another userspace ovs-vswitchd in ${netns:-this} network namespace? see --netns)"
        ((SECONDS < deadline)) ||
            node_fail "$dir" "br-int with datapath_type netdev did not come up in $dir within ${wait_seconds}s"
        sleep 0.1
    done
    until chassis_in_sb "$sb" "$system_id"; do
        ((SECONDS < deadline)) ||
            node_fail "$dir" "chassis $system_id did not appear in SB $sb within ${wait_seconds}s"
        sleep 0.1
    done
}

cmd_stop_node() {
    local dir=${1:?usage: ovn.sh stop-node NODE_DIR} pid netns=""
    [[ -d "$dir" ]] || return 0
    dir=$(cd "$dir" && pwd)
    [[ -f "$dir/node.env" ]] && netns=$(sed -n 's/^NETNS=//p' "$dir/node.env")
    # ovn-controller's `exit` removes its chassis from SB (and needs
    # ovs-vswitchd and SB for that, so it goes first); if it cannot
    # finish, TERM follows.
    pid=$(cat "$dir/ovn-controller.pid" 2>/dev/null || true)
    node_stop "$dir/ovn-controller.pid" \
        ovn-appctl -t "$dir/ovn-controller.$pid.ctl" --timeout=5 exit
    # --cleanup deletes the datapath's ports, and with them the bridges'
    # persistent tap devices; "ovs-netdev" itself stays and goes below.
    node_stop "$dir/ovs-vswitchd.pid" \
        ovs-appctl -t "$dir/ovs-vswitchd.ctl" --timeout=5 exit --cleanup
    node_stop "$dir/ovsdb-server.pid"
    rm -f "$dir"/*.ctl "$dir/db.sock" "$dir"/*.mgmt "$dir"/*.snoop
    if [[ -z "$netns" || -e "/run/netns/$netns" ]]; then
        drop_taps "$netns" ovs-netdev br-int
    fi
    return 0
}

cmd_kill_member() {
    local dir=$1 kind=$2 i=$3 sig=${4:-KILL} pid
    pid=$(cat "$dir/ovn${kind}_db$i.pid")
    kill -"$sig" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$dir/ovn${kind}_db$i.pid"
}

cmd_start_member() {
    local dir=$1 kind=$2 i=$3 name port
    name="ovn${kind}_db$i"
    [[ -n "$i" ]] || name="ovn${kind}_db"
    port=$(sed 's/.*://' "$dir/$name.remote")
    start_server "$dir" "$name" "$dir/$name.db" "$port"
    wait_db "$dir/$name.sock" "$([[ $kind == nb ]] && echo OVN_Northbound || echo OVN_Southbound)" "$dir/$name.log"
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
start-northd)
    shift
    start_northd "$1" "$(cat "$1/ovnnb_db.remote")" "$(cat "$1/ovnsb_db.remote")"
    ;;
stop) shift; cmd_stop "$@" ;;
start-node) shift; cmd_start_node "$@" ;;
stop-node) shift; cmd_stop_node "$@" ;;
kill-member) shift; cmd_kill_member "$@" ;;
start-member) shift; cmd_start_member "$@" ;;
*) die "usage: ovn.sh start|stop|start-node|stop-node|kill-member|start-member DIR ..." ;;
esac
