#!/bin/sh
# The kovn-node pod (DaemonSet, host network): Open vSwitch (ovsdb-server
# and ovs-vswitchd), ovn-controller and kovn-daemon, then kovn-cni and its
# conflist in the host's CNI directories once the daemon answers, so that
# the node turns Ready only when pods can get a network.
#
# State lives on the host: /var/lib/kovn/ovs (OVS's database: bridges and
# pod ports) and /run/kovn (sockets, kovn-cni's socket among them), reached
# through the host's /var/lib and /run mounted under /host: a mount of
# /run/kovn itself could not be removed from inside.  A
# restart or upgrade of this pod keeps all of it and every pod keeps its
# port and address; an uninstall (the DaemonSet is gone) removes kovn's
# files, ports, tables and chassis from the host.
set -eu
. "${KOVN_LIB:-/usr/local/bin/kovn-lib.sh}"

node=${NODE_NAME:?NODE_NAME is not set (downward API spec.nodeName)}
node_ip=${POD_IP:?POD_IP is not set (downward API status.podIP)}
state=${KOVN_STATE_DIR:-/host/var/lib/kovn}
run=${KOVN_RUN_DIR:-/host/run/kovn}
# The CNI socket as the host (kovn-cni) sees it.
host_socket=${KOVN_HOST_CNI_SOCKET:-/run/kovn/cni.sock}
cni_bin_dir=${CNI_BIN_DIR:-/host/opt/cni/bin}
cni_conf_dir=${CNI_CONF_DIR:-/host/etc/cni/net.d}
conflist=01-kovn.conflist
owner=/apis/apps/v1/namespaces/$kovn_ns/daemonsets/kovn-node
nat_table=kovn

export OVS_RUNDIR=$run/ovs OVS_DBDIR=$state/ovs OVS_SYSCONFDIR=$state/ovs \
    OVS_LOGDIR=$run/ovs OVN_RUNDIR=$run/ovn OVN_DBDIR=$state/ovs \
    OVN_SYSCONFDIR=$state/ovs OVN_LOGDIR=$run/ovn
db=unix:$OVS_RUNDIR/db.sock
mkdir -p "$state/ovs" "$OVS_RUNDIR" "$OVN_RUNDIR"

# The kernel datapath when its module is loaded, else the userspace one.
datapath=${OVS_DATAPATH:-auto}
if [ "$datapath" = auto ]; then
    if [ -d /sys/module/openvswitch ]; then datapath=system; else datapath=netdev; fi
fi

supervised=""
[ -f "$state/ovs/conf.db" ] ||
    ovsdb-tool create "$state/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server --no-chdir -vconsole:info -vsyslog:off \
    --pidfile="$OVS_RUNDIR/ovsdb-server.pid" --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
    --remote="punix:$OVS_RUNDIR/db.sock" "$state/ovs/conf.db" &
supervised="$!"
ovsdb_server_pid=$!
i=0
until ovs-vsctl --db="$db" --timeout=2 --no-wait init 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 30 ] || die "ovsdb-server does not answer on $db"
    sleep 0.5
done
sb=$(ovn_central_remotes 6642)
log "node $node ($node_ip), datapath $datapath, OVN SB $sb"
# What ovs-vswitchd must see when it starts (userspace TSO, or TCP over
# veths breaks) and the chassis identity ovn-controller reads.
ovs-vsctl --db="$db" --no-wait set Open_vSwitch . \
    external_ids:system-id="$node" external_ids:hostname="$node" \
    external_ids:ovn-remote="$sb" external_ids:ovn-encap-type=geneve \
    external_ids:ovn-encap-ip="$node_ip" \
    external_ids:ovn-bridge-datapath-type="$datapath" \
    other_config:userspace-tso-enable=true

ovs-vswitchd --no-chdir -vconsole:info -vsyslog:off \
    --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" --unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" \
    "$db" 2>&1 &
vswitchd_pid=$!
ovn-controller --no-chdir -vconsole:info -vsyslog:off \
    --pidfile="$OVN_RUNDIR/ovn-controller.pid" "$db" &
ovn_controller_pid=$!
kovn-daemon --node-name="$node" --ovs-db="$db" --cni-socket="$run/cni.sock" \
    --nat-table="$nat_table" "$@" &
daemon_pid=$!
supervised="$supervised $vswitchd_pid $ovn_controller_pid $daemon_pid"

# kovn-cni and its conflist, once the daemon serves the socket the conflist
# names: a runtime that finds the conflist may call the plugin at once.
i=0
until [ -S "$run/cni.sock" ]; do
    alive "$daemon_pid" || die "kovn-daemon exited"
    i=$((i + 1))
    [ "$i" -lt 600 ] || die "kovn-daemon serves no $run/cni.sock after 60 s"
    sleep 0.1
done
mkdir -p "$cni_bin_dir" "$cni_conf_dir"
cp /usr/share/kovn/cni/kovn-cni "$cni_bin_dir/.kovn-cni.new"
mv "$cni_bin_dir/.kovn-cni.new" "$cni_bin_dir/kovn-cni"
sed "s|/run/kovn/cni.sock|$host_socket|" "/usr/share/kovn/cni/$conflist" \
    >"$cni_conf_dir/.$conflist.new"
mv "$cni_conf_dir/.$conflist.new" "$cni_conf_dir/$conflist"
touch "$run/ready"
log "kovn-cni installed in $cni_bin_dir, $conflist in $cni_conf_dir"

supervise
log "stopping ($stop_reason)"
rm -f "$run/ready"
remove=""
if [ "$stop_reason" = signal ] && uninstalling "$owner"; then
    remove=1
    log "kovn-node is being uninstalled: removing kovn from this host"
    # No new pod may be handed to a plugin whose daemon is gone.
    rm -f "$cni_conf_dir/$conflist" "$cni_bin_dir/kovn-cni"
fi
stop_pid "$daemon_pid"
if [ -n "$remove" ]; then
    # `exit` takes the chassis out of SB; --cleanup deletes the datapath's
    # ports and with them their tap devices.
    ovn-appctl -t "$OVN_RUNDIR/ovn-controller.$ovn_controller_pid.ctl" --timeout=5 exit ||
        true
    ovs-vsctl --db="$db" --timeout=5 --if-exists del-br br-int || true
    ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" --timeout=5 exit --cleanup || true
fi
stop_pid "$ovn_controller_pid"
stop_pid "$vswitchd_pid"
stop_pid "$ovsdb_server_pid"
if [ -n "$remove" ]; then
    nft delete table ip "$nat_table" 2>/dev/null || true
    # Userspace datapath taps outlive ovs-vswitchd.
    for link in ovn0 br-int ovs-netdev ovs-system; do
        ip link del "$link" 2>/dev/null || true
    done
    rm -rf "$state/ovs" "$run"
    rmdir "$state" 2>/dev/null || true
fi
[ "$stop_reason" = signal ]
