/* kovn-daemon's view of the node's Open vSwitch, through the OVS IDL on the
 * local ovsdb-server (vswitch schema); kovn never runs ovs-vsctl.
 *
 * The replica holds only what the daemon needs: the Open_vSwitch row's
 * chassis settings (the external_ids ovn-controller reads) and cfg
 * counters, and the bridges, ports and interfaces.  A pod's port is a
 * Port with one Interface of the same name on br-int, whose
 * external_ids:iface-id names the OVN logical switch port; ovn-controller
 * binds it and sets external_ids:ovn-installed=true on the Interface once
 * the port's flows are in, which is when a pod may start.  Every Interface
 * kovn creates also carries external_ids:kovn-owner=kovn-daemon, so that
 * after a crash the daemon can list its ports and delete those without a
 * pod.
 *
 * Writes are "ensure"s: they compare the replica with the desired state and
 * send only differences (nothing at all when converged), so that retrying
 * after "try again" or a lost connection is safe.  Interface external_ids
 * are changed key by key (mutations), never rewritten whole, because
 * ovn-controller writes keys of its own there.  A write that changes
 * something also bumps Open_vSwitch next_cfg and, like ovs-vsctl without
 * --no-wait, returns only once ovs-vswitchd has applied it (cur_cfg caught
 * up), so that the Interface's ofport and error columns say how adding the
 * port went.
 *
 * Blocking calls run the OVS poll loop of the calling thread until done or
 * their timeout: they belong on kovn-daemon's poll-loop thread, which owns
 * the 'struct node_ovs'. */
#ifndef KOVN_DAEMON_OVS_H
#define KOVN_DAEMON_OVS_H 1

#include <stdbool.h>

struct kovn_error;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct sset;

/* Interface external_ids key and value that mark a port as kovn's. */
#define NODE_OVS_OWNER_KEY "kovn-owner"
#define NODE_OVS_OWNER     "kovn-daemon"

struct node_ovs {
    struct ovsdb_idl *idl;
    char *remote; /* For messages. */
    struct ovsdb_idl_index *bridge_by_name;
    struct ovsdb_idl_index *port_by_name;
    struct ovsdb_idl_index *iface_by_name;
    /* Transactions that reached the server (anything but "unchanged"). */
    unsigned long long n_txns_sent;
};

/* 'remote' is the local ovsdb-server, e.g. "unix:NODE_DIR/db.sock"
 * (NODE_DIR/node.env's OVS_DB) or "unix:/run/openvswitch/db.sock".
 * Connecting happens in node_ovs_run(). */
struct node_ovs *node_ovs_create(const char *remote);
void node_ovs_destroy(struct node_ovs *);

void node_ovs_run(struct node_ovs *);
void node_ovs_wait(struct node_ovs *);
/* True once connected with a replica loaded. */
bool node_ovs_is_ready(const struct node_ovs *);
/* Blocks until node_ovs_is_ready() (0) or 'timeout_ms' passes
 * (-ETIMEDOUT). */
int node_ovs_wait_ready(struct node_ovs *, long long timeout_ms,
                        struct kovn_error *err);

/* The chassis settings in Open_vSwitch external_ids that ovn-controller
 * needs.  The strings point into the replica: valid until the next
 * node_ovs_run(). */
struct node_ovs_chassis {
    const char *system_id;     /* system-id: the chassis name in SB. */
    const char *ovn_remote;    /* ovn-remote: the SB remotes. */
    const char *encap_type;    /* ovn-encap-type, e.g. "geneve". */
    const char *encap_ip;      /* ovn-encap-ip. */
    const char *datapath_type; /* ovn-bridge-datapath-type, e.g. "netdev"
                                * for the userspace datapath. */
};

/* Checks that the node is configured as an OVN chassis and, if 'chassis'
 * is non-null, fills it.  -ENOENT with a message naming every missing key
 * (or the missing Open_vSwitch row), -ENOTCONN if not ready. */
int node_ovs_check_chassis(const struct node_ovs *,
                           struct node_ovs_chassis *chassis,
                           struct kovn_error *err);

/* Makes 'port_name' a port of 'bridge' (e.g. "br-int") with one Interface
 * of that name, of 'type' ("" for a system device such as a veth's host
 * end, "internal" for an OVS internal port such as ovn0) and with
 * external_ids iface-id='iface_id' and kovn-owner=kovn-daemon.  Creates
 * what is missing and fixes what differs (type, iface-id, owner, a port
 * holding other interfaces); when iface-id changes, the old binding's
 * ovn-installed is removed with it, so that node_ovs_wait_installed()
 * waits for the new one.  A converged port sends nothing.
 *
 * Blocks for at most 'timeout_ms', until ovs-vswitchd applied the change.
 * Returns 0; -ENOENT if 'bridge' does not exist; -EEXIST if the port is on
 * another bridge; -EIO if ovs-vswitchd could not add it (the Interface's
 * error column, e.g. no such device); -ETIMEDOUT; or another negative
 * errno; always with 'err' set. */
int node_ovs_port_ensure(struct node_ovs *, const char *bridge,
                         const char *port_name, const char *iface_id,
                         const char *type, long long timeout_ms,
                         struct kovn_error *err);

/* node_ovs_port_ensure() without blocking, so that ADDs of several pods
 * do not queue behind one another's round trips to ovs-vswitchd: the
 * transaction is built and sent at once (or on a later node_ovs_txn_poll()
 * if the connection is not ready), and node_ovs_txn_poll() tells how it
 * went.  Several may be in flight at once, and beside the blocking calls.
 * Same guarantees and errors as node_ovs_port_ensure(): done means
 * ovs-vswitchd applied the port. */
struct node_ovs_txn *
node_ovs_port_ensure_start(struct node_ovs *, const char *bridge,
                           const char *port_name, const char *iface_id,
                           const char *type, long long timeout_ms);
/* Call from the poll loop after node_ovs_run(): -EINPROGRESS while not
 * done, then 0 or the negative errno with 'err' set (the same on every
 * later call). */
int node_ovs_txn_poll(struct node_ovs_txn *, struct kovn_error *err);
/* Wakes the poll loop when node_ovs_txn_poll() may have news (with
 * node_ovs_wait()). */
void node_ovs_txn_wait(const struct node_ovs_txn *);
/* Forgets 'txn'; one still in flight may yet reach the server, as a
 * blocking call interrupted by a crash would.  Null is a no-op. */
void node_ovs_txn_destroy(struct node_ovs_txn *);

/* Removes 'port_name' (and its interfaces) from 'bridge'; a port that does
 * not exist is success, whether or not 'bridge' does.  -EEXIST if the port
 * is on another bridge.  Blocks like node_ovs_port_ensure(). */
int node_ovs_port_delete(struct node_ovs *, const char *bridge,
                         const char *port_name, long long timeout_ms,
                         struct kovn_error *err);

/* True if the Interface 'port_name' has external_ids:ovn-installed=true:
 * ovn-controller bound it and installed its flows. */
bool node_ovs_port_installed(const struct node_ovs *, const char *port_name);

/* How ovs-vswitchd is doing with the Interface 'port_name': 0 if it has an
 * ofport and no error; -ENOENT if there is no such Interface; -EIO with
 * the Interface's error column; -EAGAIN while it has no ofport yet. */
int node_ovs_port_status(const struct node_ovs *, const char *port_name,
                         struct kovn_error *err);

/* Blocks until node_ovs_port_installed() or 'timeout_ms' passes.  The
 * -ETIMEDOUT message names the port and its iface-id and says what is
 * known: no such Interface, ovs-vswitchd's error for it, or that no
 * logical switch port was bound. */
int node_ovs_wait_installed(struct node_ovs *, const char *port_name,
                            long long timeout_ms, struct kovn_error *err);

/* The external_ids:iface-id of Interface 'port_name', or NULL.  Points
 * into the replica: valid until the next node_ovs_run(). */
const char *node_ovs_port_iface_id(const struct node_ovs *,
                                   const char *port_name);

/* Adds to 'out' the names of the ports of 'bridge' that kovn created (an
 * Interface with kovn-owner=kovn-daemon).  A missing bridge adds nothing. */
void node_ovs_list_ports(const struct node_ovs *, const char *bridge,
                         struct sset *out);

#endif /* KOVN_DAEMON_OVS_H */
