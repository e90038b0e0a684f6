#!/bin/sh
# The ovn-central pod: OVN's NB and SB databases as members of a Raft
# cluster (one member per ovn-central pod, on the host's network) and
# ovn-northd.  The databases live on the host (/var/lib/kovn/ovn-central,
# the host's /var/lib mounted at /host/var/lib),
# so a restart or an upgrade keeps them; an uninstall removes them.
#
# Members: OVN_CENTRAL_IPS from kovn-config, else the addresses of the
# OVN_CENTRAL_REPLICAS (default 1) ovn-central pods.  The first address in
# sorted order creates each cluster, the others join it; a member that
# already has its database file just starts.
#   ports: NB 6641, SB 6642 (clients); NB 6643, SB 6644 (Raft)
set -eu
. "${KOVN_LIB:-/usr/local/bin/kovn-lib.sh}"

db_dir=${KOVN_CENTRAL_DB_DIR:-/host/var/lib/kovn/ovn-central}
run_dir=${KOVN_CENTRAL_RUN_DIR:-/run/kovn-central}
schema_dir=${OVN_SCHEMA_DIR:-/usr/share/ovn}
owner=/apis/apps/v1/namespaces/$kovn_ns/deployments/ovn-central
my_ip=${POD_IP:?POD_IP is not set (downward API status.podIP)}

mkdir -p "$db_dir" "$run_dir"
members=$(ovn_central_ips "${OVN_CENTRAL_REPLICAS:-1}")
echo "$members" | grep -qxF "$my_ip" ||
    die "this pod's address $my_ip is not among the ovn-central members: $(echo $members)"
first=$(echo "$members" | head -n1)
log "members: $(echo $members); this one: $my_ip"

supervised=""

# start_db nb|sb: the member's file (created or joined once), then its
# ovsdb-server, logging to the container's stderr.
start_db() {
    local kind=$1 dbname client raft file peers="" ip
    if [ "$kind" = nb ]; then
        dbname=OVN_Northbound client=6641 raft=6643
    else
        dbname=OVN_Southbound client=6642 raft=6644
    fi
    file=$db_dir/ovn${kind}_db.db
    if [ ! -f "$file" ]; then
        if [ "$my_ip" = "$first" ]; then
            ovsdb-tool create-cluster "$file" "$schema_dir/ovn-$kind.ovsschema" \
                "$(ovsdb_remote "$my_ip" "$raft")"
        else
            for ip in $members; do
                [ "$ip" = "$my_ip" ] || peers="$peers $(ovsdb_remote "$ip" "$raft")"
            done
            # shellcheck disable=SC2086 # one argument per peer
            ovsdb-tool join-cluster "$file" "$dbname" \
                "$(ovsdb_remote "$my_ip" "$raft")" $peers
        fi
    fi
    ovsdb-server --no-chdir -vconsole:info -vsyslog:off \
        --pidfile="$run_dir/ovn${kind}_db.pid" \
        --unixctl="$run_dir/ovn${kind}_db.ctl" \
        --remote="punix:$run_dir/ovn${kind}_db.sock" \
        --remote="$(ovsdb_listen "$my_ip" "$client")" \
        "$file" &
    supervised="$supervised $!"
}

start_db nb
start_db sb
# Every northd talks to the whole cluster; SB's lock makes one of them
# active.
ovn-northd --no-chdir -vconsole:info -vsyslog:off \
    --pidfile="$run_dir/ovn-northd.pid" --unixctl="$run_dir/ovn-northd.ctl" \
    --ovnnb-db="$(ovn_central_remotes 6641)" \
    --ovnsb-db="$(ovn_central_remotes 6642)" &
supervised="$supervised $!"

supervise
log "stopping ($stop_reason)"
for pid in $supervised; do
    stop_pid "$pid"
done
if [ "$stop_reason" = signal ] && uninstalling "$owner"; then
    log "ovn-central is being uninstalled: removing $db_dir"
    rm -rf "$db_dir" "$run_dir"
    rmdir "${db_dir%/*}" 2>/dev/null || true
fi
[ "$stop_reason" = signal ]
