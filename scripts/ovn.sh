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
#
# After start, DIR/ovn.env holds OVN_NB_DB / OVN_SB_DB (comma-separated TCP
# remotes of every member) and, for standalone, the unix sockets are
# DIR/ovnnb_db.sock and DIR/ovnsb_db.sock.  Processes are only ever stopped
# by the pid in their pid file, never by name.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/proc.sh"

schema_dir=${OVN_SCHEMA_DIR:-/usr/share/ovn}
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
kill-member) shift; cmd_kill_member "$@" ;;
start-member) shift; cmd_start_member "$@" ;;
*) die "usage: ovn.sh start|stop|kill-member|start-member DIR ..." ;;
esac
