/* The node's Open vSwitch through the vswitch IDL; see ovs.h. */
#include <config.h>

#include "daemon/ovs.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "base/idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"

/* Keys ovn-controller sets on an Interface once it bound the port. */
#define OVN_INSTALLED_KEY    "ovn-installed"
#define OVN_INSTALLED_TS_KEY "ovn-installed-ts"
#define IFACE_ID_KEY         "iface-id"

static const struct ovsdb_idl_column *const replicated_columns[] = {
    &ovsrec_open_vswitch_col_external_ids,
    &ovsrec_open_vswitch_col_next_cfg,
    &ovsrec_open_vswitch_col_cur_cfg,

    &ovsrec_bridge_col_name,
    &ovsrec_bridge_col_ports,

    &ovsrec_port_col_name,
    &ovsrec_port_col_interfaces,

    &ovsrec_interface_col_name,
    &ovsrec_interface_col_type,
    &ovsrec_interface_col_external_ids,
    &ovsrec_interface_col_ofport,
    &ovsrec_interface_col_error,
};

struct node_ovs *
node_ovs_create(const char *remote)
{
    struct node_ovs *ovs = xzalloc(sizeof *ovs);

    ovs->remote = xstrdup(remote);
    ovs->idl = ovsdb_idl_create(remote, &ovsrec_idl_class, false, true);
    for (size_t i = 0; i < ARRAY_SIZE(replicated_columns); i++) {
        ovsdb_idl_add_column(ovs->idl, replicated_columns[i]);
    }
    /* An ensure of a converged port must produce an empty, unsent
     * transaction. */
    ovsdb_idl_set_write_changed_only_all(ovs->idl, true);

    ovs->bridge_by_name =
        ovsdb_idl_index_create1(ovs->idl, &ovsrec_bridge_col_name);
    ovs->port_by_name =
        ovsdb_idl_index_create1(ovs->idl, &ovsrec_port_col_name);
    ovs->iface_by_name =
        ovsdb_idl_index_create1(ovs->idl, &ovsrec_interface_col_name);
    return ovs;
}

void
node_ovs_destroy(struct node_ovs *ovs)
{
    if (ovs) {
        ovsdb_idl_destroy(ovs->idl);
        free(ovs->remote);
        free(ovs);
    }
}

void
node_ovs_run(struct node_ovs *ovs)
{
    ovsdb_idl_run(ovs->idl);
}

void
node_ovs_wait(struct node_ovs *ovs)
{
    ovsdb_idl_wait(ovs->idl);
}

bool
node_ovs_is_ready(const struct node_ovs *ovs)
{
    return kovn_idl_is_ready(ovs->idl);
}

int
node_ovs_wait_ready(struct node_ovs *ovs, long long timeout_ms,
                    struct kovn_error *err)
{
    char *server = xasprintf("local OVS database %s", ovs->remote);
    int error = kovn_idl_wait_ready(ovs->idl, server, timeout_ms, err);

    free(server);
    return error;
}

/* ---- Lookups in the replica (and in the transaction being built). ---- */

static const struct ovsrec_bridge *
find_bridge(const struct node_ovs *ovs, const char *name)
{
    struct ovsrec_bridge *key =
        ovsrec_bridge_index_init_row(ovs->bridge_by_name);
    const struct ovsrec_bridge *row;

    ovsrec_bridge_index_set_name(key, name);
    row = ovsrec_bridge_index_find(ovs->bridge_by_name, key);
    ovsrec_bridge_index_destroy_row(key);
    return row;
}

static const struct ovsrec_port *
find_port(const struct node_ovs *ovs, const char *name)
{
    struct ovsrec_port *key = ovsrec_port_index_init_row(ovs->port_by_name);
    const struct ovsrec_port *row;

    ovsrec_port_index_set_name(key, name);
    row = ovsrec_port_index_find(ovs->port_by_name, key);
    ovsrec_port_index_destroy_row(key);
    return row;
}

static const struct ovsrec_interface *
find_iface(const struct node_ovs *ovs, const char *name)
{
    struct ovsrec_interface *key =
        ovsrec_interface_index_init_row(ovs->iface_by_name);
    const struct ovsrec_interface *row;

    ovsrec_interface_index_set_name(key, name);
    row = ovsrec_interface_index_find(ovs->iface_by_name, key);
    ovsrec_interface_index_destroy_row(key);
    return row;
}

static bool
bridge_has_port(const struct ovsrec_bridge *br, const struct ovsrec_port *port)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* The bridge that holds 'port', or null.  Nodes have a handful of bridges,
 * so a scan is cheaper than keeping a reverse index. */
static const struct ovsrec_bridge *
port_bridge(const struct node_ovs *ovs, const struct ovsrec_port *port)
{
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH(br, ovs->idl)
    {
        if (bridge_has_port(br, port)) {
            return br;
        }
    }
    return NULL;
}

/* The port that holds 'iface', or null. */
static const struct ovsrec_port *
iface_port(const struct node_ovs *ovs, const struct ovsrec_interface *iface)
{
    const struct ovsrec_port *port;

    OVSREC_PORT_FOR_EACH(port, ovs->idl)
    {
        for (size_t i = 0; i < port->n_interfaces; i++) {
            if (port->interfaces[i] == iface) {
                return port;
            }
        }
    }
    return NULL;
}

static bool
iface_is_ours(const struct ovsrec_interface *iface)
{
    const char *owner = smap_get(&iface->external_ids, NODE_OVS_OWNER_KEY);

    return owner && !strcmp(owner, NODE_OVS_OWNER);
}

/* ---- Transactions. ---- */

/* Fills 'txn' with the changes towards a desired state, reading the replica.
 * Returns 0 or a negative errno with 'err' set; on error nothing is sent. */
typedef int build_fn(struct node_ovs *, struct ovsdb_idl_txn *, void *aux,
                     struct kovn_error *);

static bool
cfg_applied(const struct ovsdb_idl *idl, void *next_cfg_)
{
    const struct ovsrec_open_vswitch *cfg = ovsrec_open_vswitch_first(idl);
    const long long *next_cfg = next_cfg_;

    return cfg && cfg->cur_cfg >= *next_cfg;
}

/* Blocks until ovs-vswitchd has applied configuration 'next_cfg' (it copies
 * next_cfg to cur_cfg after reconfiguring, in the same transaction that
 * records the interfaces' ofport and error). */
static int
wait_for_cfg(struct node_ovs *ovs, long long next_cfg, long long deadline,
             long long timeout_ms, struct kovn_error *err)
{
    const struct ovsrec_open_vswitch *cfg;

    if (!kovn_idl_wait_until(ovs->idl, cfg_applied, &next_cfg, deadline)) {
        return 0;
    }
    cfg = ovsrec_open_vswitch_first(ovs->idl);
    return kovn_error_set(
        err, -ETIMEDOUT,
        "ovs-vswitchd did not apply the change within %lld ms "
        "(cur_cfg %lld, waiting for %lld): is it running?",
        timeout_ms, cfg ? (long long)cfg->cur_cfg : -1LL, next_cfg);
}

struct ovs_build {
    struct node_ovs *ovs;
    build_fn *build;
    void *aux;
};

/* Runs the caller's build and bumps next_cfg, so that a transaction that
 * changes anything also asks ovs-vswitchd to reconfigure. */
static int
ovs_build(struct ovsdb_idl_txn *txn, void *b_, struct kovn_error *err)
{
    struct ovs_build *b = b_;
    const struct ovsrec_open_vswitch *cfg =
        ovsrec_open_vswitch_first(b->ovs->idl);
    int error;

    if (!cfg) {
        return kovn_error_set(err, -ENOENT,
                              "no Open_vSwitch row in %s (ovs-vsctl init "
                              "was never run)",
                              b->ovs->remote);
    }
    error = b->build(b->ovs, txn, b->aux, err);
    if (!error) {
        /* Not forced: an otherwise empty transaction stays unsent. */
        ovsdb_idl_txn_increment(txn, &cfg->header_,
                                &ovsrec_open_vswitch_col_next_cfg, false);
    }
    return error;
}

/* Runs 'build' in a transaction that also bumps next_cfg when it changes
 * anything, commits it and waits for ovs-vswitchd to apply it, all within
 * 'timeout_ms'.  "Try again" and lost connections rebuild the transaction
 * from the refreshed replica, so 'build' must be idempotent. */
static int
transact(struct node_ovs *ovs, build_fn *build, void *aux,
         long long timeout_ms, struct kovn_error *err)
{
    long long deadline = time_msec() + timeout_ms;
    struct ovs_build b = {ovs, build, aux};
    char *server = xasprintf("local OVS database %s", ovs->remote);
    struct kovn_idl_request req = {
        .what = "local OVS",
        .server = server,
        .comment = "kovn-daemon",
        .build = ovs_build,
        .aux = &b,
        .timeout_ms = timeout_ms,
        .n_sent = &ovs->n_txns_sent,
    };
    int error = kovn_idl_transact(ovs->idl, &req, err);

    free(server);
    if (!error && req.changed) {
        error = wait_for_cfg(ovs, req.increment, deadline, timeout_ms, err);
    }
    return error;
}

/* ---- Chassis. ---- */

int
node_ovs_check_chassis(const struct node_ovs *ovs,
                       struct node_ovs_chassis *chassis,
                       struct kovn_error *err)
{
    static const char *const keys[] = {
        "system-id",
        "ovn-remote",
        "ovn-encap-type",
        "ovn-encap-ip",
        "ovn-bridge-datapath-type",
    };
    const char *values[ARRAY_SIZE(keys)];
    const struct ovsrec_open_vswitch *cfg;
    struct ds missing = DS_EMPTY_INITIALIZER;
    int error = 0;

    if (!node_ovs_is_ready(ovs)) {
        return kovn_error_set(err, -ENOTCONN,
                              "not connected to the local OVS database %s",
                              ovs->remote);
    }
    cfg = ovsrec_open_vswitch_first(ovs->idl);
    if (!cfg) {
        return kovn_error_set(err, -ENOENT,
                              "no Open_vSwitch row in %s (ovs-vsctl init was "
                              "never run)",
                              ovs->remote);
    }
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        values[i] = smap_get(&cfg->external_ids, keys[i]);
        if (!values[i] || !values[i][0]) {
            ds_put_format(&missing, "%s%s", missing.length ? ", " : "",
                          keys[i]);
        }
    }
    if (missing.length) {
        error = kovn_error_set(err, -ENOENT,
                               "this node is not an OVN chassis: "
                               "Open_vSwitch external_ids in %s lack %s",
                               ovs->remote, ds_cstr(&missing));
    } else if (chassis) {
        chassis->system_id = values[0];
        chassis->ovn_remote = values[1];
        chassis->encap_type = values[2];
        chassis->encap_ip = values[3];
        chassis->datapath_type = values[4];
    }
    ds_destroy(&missing);
    return error;
}

/* ---- Ports. ---- */

struct port_spec {
    const char *bridge;
    const char *port_name;
    const char *iface_id; /* Null for a delete. */
    const char *type;
};

static int
no_bridge(const struct node_ovs *ovs, const char *bridge,
          struct kovn_error *err)
{
    return kovn_error_set(err, -ENOENT, "bridge \"%s\" does not exist in %s",
                          bridge, ovs->remote);
}

static int
wrong_bridge(const struct port_spec *spec, const struct ovsrec_bridge *other,
             struct kovn_error *err)
{
    return kovn_error_set(err, -EEXIST,
                          "port \"%s\" is on bridge \"%s\", not \"%s\"",
                          spec->port_name, other->name, spec->bridge);
}

/* Brings the existing Interface 'iface' to the spec: type and our
 * external_ids keys, leaving everyone else's keys alone. */
static void
fix_iface(const struct ovsrec_interface *iface, const struct port_spec *spec)
{
    const char *iface_id = smap_get(&iface->external_ids, IFACE_ID_KEY);

    if (strcmp(iface->type, spec->type)) {
        ovsrec_interface_set_type(iface, spec->type);
    }
    if (!iface_id || strcmp(iface_id, spec->iface_id)) {
        ovsrec_interface_update_external_ids_setkey(iface, IFACE_ID_KEY,
                                                    spec->iface_id);
        /* That was the old binding's: node_ovs_wait_installed() must wait
         * for ovn-controller to install the new one. */
        if (smap_get(&iface->external_ids, OVN_INSTALLED_KEY)) {
            ovsrec_interface_update_external_ids_delkey(iface,
                                                        OVN_INSTALLED_KEY);
        }
        if (smap_get(&iface->external_ids, OVN_INSTALLED_TS_KEY)) {
            ovsrec_interface_update_external_ids_delkey(iface,
                                                        OVN_INSTALLED_TS_KEY);
        }
    }
    if (!iface_is_ours(iface)) {
        ovsrec_interface_update_external_ids_setkey(iface, NODE_OVS_OWNER_KEY,
                                                    NODE_OVS_OWNER);
    }
}

static const struct ovsrec_interface *
insert_iface(struct ovsdb_idl_txn *txn, const struct port_spec *spec)
{
    const struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    struct smap ids = SMAP_INITIALIZER(&ids);

    ovsrec_interface_set_name(iface, spec->port_name);
    ovsrec_interface_set_type(iface, spec->type);
    smap_add(&ids, IFACE_ID_KEY, spec->iface_id);
    smap_add(&ids, NODE_OVS_OWNER_KEY, NODE_OVS_OWNER);
    ovsrec_interface_set_external_ids(iface, &ids);
    smap_destroy(&ids);
    return iface;
}

static int
build_port_ensure(struct node_ovs *ovs, struct ovsdb_idl_txn *txn, void *aux,
                  struct kovn_error *err)
{
    const struct port_spec *spec = aux;
    const struct ovsrec_bridge *br = find_bridge(ovs, spec->bridge);
    const struct ovsrec_port *port = find_port(ovs, spec->port_name);
    const struct ovsrec_interface *iface = NULL;

    if (!br) {
        return no_bridge(ovs, spec->bridge, err);
    }
    if (port && !bridge_has_port(br, port)) {
        const struct ovsrec_bridge *other = port_bridge(ovs, port);

        if (other) {
            return wrong_bridge(spec, other, err);
        }
    }

    for (size_t i = 0; port && i < port->n_interfaces; i++) {
        if (!strcmp(port->interfaces[i]->name, spec->port_name)) {
            iface = port->interfaces[i];
        }
    }
    if (!iface) {
        const struct ovsrec_interface *taken =
            find_iface(ovs, spec->port_name);
        const struct ovsrec_port *holder =
            taken ? iface_port(ovs, taken) : NULL;

        /* Interface names are unique: the server would refuse a second
         * one with a less helpful message. */
        if (holder) {
            return kovn_error_set(err, -EEXIST,
                                  "interface \"%s\" belongs to port \"%s\"",
                                  spec->port_name, holder->name);
        }
    }

    if (iface) {
        fix_iface(iface, spec);
    } else {
        iface = insert_iface(txn, spec);
    }
    if (!port) {
        port = ovsrec_port_insert(txn);
        ovsrec_port_set_name(port, spec->port_name);
    }
    if (port->n_interfaces != 1 || port->interfaces[0] != iface) {
        struct ovsrec_interface *only =
            CONST_CAST(struct ovsrec_interface *, iface);

        ovsrec_port_set_interfaces(port, &only, 1);
    }
    if (!bridge_has_port(br, port)) {
        ovsrec_bridge_update_ports_addvalue(br, port);
    }
    return 0;
}

int
node_ovs_port_status(const struct node_ovs *ovs, const char *port_name,
                     struct kovn_error *err)
{
    const struct ovsrec_interface *iface = find_iface(ovs, port_name);

    if (!iface) {
        return kovn_error_set(err, -ENOENT, "no interface \"%s\" in %s",
                              port_name, ovs->remote);
    }
    if (iface->error && iface->error[0]) {
        return kovn_error_set(err, -EIO, "ovs-vswitchd: %s", iface->error);
    }
    if (!iface->n_ofport || iface->ofport[0] <= 0) {
        return kovn_error_set(err, -EAGAIN,
                              "interface \"%s\" has no OpenFlow port yet",
                              port_name);
    }
    return 0;
}

int
node_ovs_port_ensure(struct node_ovs *ovs, const char *bridge,
                     const char *port_name, const char *iface_id,
                     const char *type, long long timeout_ms,
                     struct kovn_error *err)
{
    struct port_spec spec = {bridge, port_name, iface_id, type ? type : ""};
    int error;

    if (!port_name[0] || !iface_id[0]) {
        return kovn_error_set(err, -EINVAL,
                              "port ensure needs a port name and an "
                              "iface-id (got \"%s\", \"%s\")",
                              port_name, iface_id);
    }
    error = transact(ovs, build_port_ensure, &spec, timeout_ms, err);
    if (!error) {
        /* ovs-vswitchd has applied the port (or had already, if nothing
         * changed): only a recorded error counts.  No ofport yet is not
         * one. */
        error = node_ovs_port_status(ovs, port_name, err);
        if (error == -EIO) {
            kovn_error_prefix(err, "could not add port \"%s\" to \"%s\": ",
                              port_name, bridge);
        } else {
            error = 0;
            kovn_error_clear(err);
        }
    }
    return error;
}

static int
build_port_delete(struct node_ovs *ovs, struct ovsdb_idl_txn *txn, void *aux,
                  struct kovn_error *err)
{
    const struct port_spec *spec = aux;
    const struct ovsrec_port *port = find_port(ovs, spec->port_name);
    const struct ovsrec_bridge *br, *other;

    (void)txn;
    if (!port) {
        return 0;
    }
    br = find_bridge(ovs, spec->bridge);
    if (br && bridge_has_port(br, port)) {
        /* Port and Interface are not root tables: the server deletes them
         * once no bridge refers to them. */
        ovsrec_bridge_update_ports_delvalue(br, port);
        return 0;
    }
    other = port_bridge(ovs, port);
    if (other) {
        return wrong_bridge(spec, other, err);
    }
    return br ? 0 : no_bridge(ovs, spec->bridge, err);
}

int
node_ovs_port_delete(struct node_ovs *ovs, const char *bridge,
                     const char *port_name, long long timeout_ms,
                     struct kovn_error *err)
{
    struct port_spec spec = {bridge, port_name, NULL, NULL};

    return transact(ovs, build_port_delete, &spec, timeout_ms, err);
}

bool
node_ovs_port_installed(const struct node_ovs *ovs, const char *port_name)
{
    const struct ovsrec_interface *iface = find_iface(ovs, port_name);

    return iface &&
           smap_get_bool(&iface->external_ids, OVN_INSTALLED_KEY, false);
}

struct installed_wait {
    const struct node_ovs *ovs;
    const char *port_name;
};

static bool
port_is_installed(const struct ovsdb_idl *idl OVS_UNUSED, void *w_)
{
    const struct installed_wait *w = w_;

    return node_ovs_is_ready(w->ovs) &&
           node_ovs_port_installed(w->ovs, w->port_name);
}

int
node_ovs_wait_installed(struct node_ovs *ovs, const char *port_name,
                        long long timeout_ms, struct kovn_error *err)
{
    struct installed_wait w = {ovs, port_name};
    const struct ovsrec_interface *iface;
    const char *iface_id;

    if (!kovn_idl_wait_until(ovs->idl, port_is_installed, &w,
                             time_msec() + timeout_ms)) {
        return 0;
    }

    /* Say as much as the replica knows about why. */
    iface = node_ovs_is_ready(ovs) ? find_iface(ovs, port_name) : NULL;
    iface_id = iface ? smap_get(&iface->external_ids, IFACE_ID_KEY) : NULL;
    if (!node_ovs_is_ready(ovs)) {
        return kovn_error_set(err, -ETIMEDOUT,
                              "port \"%s\" not ovn-installed within %lld ms: "
                              "not connected to %s",
                              port_name, timeout_ms, ovs->remote);
    } else if (!iface) {
        return kovn_error_set(err, -ETIMEDOUT,
                              "port \"%s\" not ovn-installed within %lld ms: "
                              "no such interface in the local OVS",
                              port_name, timeout_ms);
    } else if (!iface_id) {
        return kovn_error_set(err, -ETIMEDOUT,
                              "port \"%s\" not ovn-installed within %lld ms: "
                              "it has no iface-id",
                              port_name, timeout_ms);
    } else if (iface->error && iface->error[0]) {
        return kovn_error_set(err, -ETIMEDOUT,
                              "port \"%s\" (iface-id \"%s\") not "
                              "ovn-installed within %lld ms: ovs-vswitchd: %s",
                              port_name, iface_id, timeout_ms, iface->error);
    }
    return kovn_error_set(err, -ETIMEDOUT,
                          "port \"%s\" (iface-id \"%s\") not ovn-installed "
                          "within %lld ms: does logical switch port \"%s\" "
                          "exist, may this chassis claim it, and does "
                          "ovn-controller run?",
                          port_name, iface_id, timeout_ms, iface_id);
}

const char *
node_ovs_port_iface_id(const struct node_ovs *ovs, const char *port_name)
{
    const struct ovsrec_interface *iface = find_iface(ovs, port_name);

    return iface ? smap_get(&iface->external_ids, IFACE_ID_KEY) : NULL;
}

void
node_ovs_list_ports(const struct node_ovs *ovs, const char *bridge,
                    struct sset *out)
{
    const struct ovsrec_bridge *br = find_bridge(ovs, bridge);

    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];

        for (size_t j = 0; j < port->n_interfaces; j++) {
            if (iface_is_ours(port->interfaces[j])) {
                sset_add(out, port->name);
                break;
            }
        }
    }
}

/* ---- Port ensure without blocking. ---- */

/* After "try again", rebuild once the replica changed or after this long,
 * as kovn_idl_transact() does (a reconnect to an unchanged database does
 * not bump the IDL's sequence number). */
#define TXN_RETRY_MS 100

struct node_ovs_txn {
    struct node_ovs *ovs;
    char *bridge, *port_name, *iface_id, *type;
    long long timeout_ms, deadline;

    struct ovsdb_idl_txn *txn; /* Sent, no final status yet. */
    long long next_cfg;        /* >0: sent; waiting for cur_cfg. */
    long long retry_at;        /* After "try again": rebuild then... */
    unsigned int retry_seqno;  /* ...or once the replica changed. */

    int error; /* -EINPROGRESS until done. */
    struct kovn_error err;
};

struct node_ovs_txn *
node_ovs_port_ensure_start(struct node_ovs *ovs, const char *bridge,
                           const char *port_name, const char *iface_id,
                           const char *type, long long timeout_ms)
{
    struct node_ovs_txn *t = xzalloc(sizeof *t);

    t->ovs = ovs;
    t->bridge = xstrdup(bridge);
    t->port_name = xstrdup(port_name);
    t->iface_id = xstrdup(iface_id);
    t->type = xstrdup(type ? type : "");
    t->timeout_ms = timeout_ms;
    t->deadline = time_msec() + timeout_ms;
    t->error = -EINPROGRESS;
    kovn_error_clear(&t->err);
    if (!port_name[0] || !iface_id[0]) {
        t->error = kovn_error_set(&t->err, -EINVAL,
                                  "port ensure needs a port name and an "
                                  "iface-id (got \"%s\", \"%s\")",
                                  port_name, iface_id);
    } else {
        struct kovn_error err;

        node_ovs_txn_poll(t, &err);
    }
    return t;
}

/* Done with 'error' (0 or a negative errno with t->err set). */
static void
txn_done(struct node_ovs_txn *t, int error)
{
    if (!error) {
        /* As node_ovs_port_ensure(): only a recorded error counts. */
        error = node_ovs_port_status(t->ovs, t->port_name, &t->err);
        if (error == -EIO) {
            kovn_error_prefix(&t->err, "could not add port \"%s\" to \"%s\": ",
                              t->port_name, t->bridge);
        } else {
            error = 0;
            kovn_error_clear(&t->err);
        }
    }
    t->error = error;
}

/* Builds and sends the transaction; false if it cannot be sent yet. */
static bool
txn_send(struct node_ovs_txn *t)
{
    struct node_ovs *ovs = t->ovs;
    struct port_spec spec = {t->bridge, t->port_name, t->iface_id, t->type};
    const struct ovsrec_open_vswitch *cfg;
    int error;

    if (!node_ovs_is_ready(ovs) ||
        (t->retry_at && time_msec() < t->retry_at &&
         ovsdb_idl_get_seqno(ovs->idl) == t->retry_seqno)) {
        return false;
    }
    cfg = ovsrec_open_vswitch_first(ovs->idl);
    if (!cfg) {
        txn_done(t, kovn_error_set(&t->err, -ENOENT,
                                   "no Open_vSwitch row in %s (ovs-vsctl "
                                   "init was never run)",
                                   ovs->remote));
        return true;
    }
    t->retry_at = 0;
    t->retry_seqno = ovsdb_idl_get_seqno(ovs->idl);
    t->txn = ovsdb_idl_txn_create(ovs->idl);
    ovsdb_idl_txn_add_comment(t->txn, "kovn-daemon");
    error = build_port_ensure(ovs, t->txn, &spec, &t->err);
    if (error) {
        ovsdb_idl_txn_abort(t->txn);
        ovsdb_idl_txn_destroy(t->txn);
        t->txn = NULL;
        t->error = error;
        return true;
    }
    /* Not forced: an otherwise empty transaction stays unsent. */
    ovsdb_idl_txn_increment(t->txn, &cfg->header_,
                            &ovsrec_open_vswitch_col_next_cfg, false);
    return true;
}

/* Looks at the sent transaction's status. */
static void
txn_check(struct node_ovs_txn *t)
{
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(t->txn);

    if (status == TXN_INCOMPLETE) {
        return;
    }
    if (status != TXN_UNCHANGED && status != TXN_UNCOMMITTED) {
        t->ovs->n_txns_sent++;
    }
    switch (status) {
    case TXN_SUCCESS:
        t->next_cfg = ovsdb_idl_txn_get_increment_new_value(t->txn);
        break;
    case TXN_UNCHANGED:
        txn_done(t, 0);
        break;
    case TXN_TRY_AGAIN:
        t->retry_at = time_msec() + TXN_RETRY_MS;
        break;
    case TXN_ERROR:
        txn_done(t, kovn_error_set(&t->err, -EPROTO,
                                   "local OVS rejected the transaction: %s",
                                   ovsdb_idl_txn_get_error(t->txn)));
        break;
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    case TXN_NOT_LOCKED:
    case TXN_UNCOMMITTED:
    default:
        txn_done(t, kovn_error_set(&t->err, -EIO, "local OVS transaction %s",
                                   ovsdb_idl_txn_status_to_string(status)));
        break;
    }
    ovsdb_idl_txn_destroy(t->txn);
    t->txn = NULL;
}

int
node_ovs_txn_poll(struct node_ovs_txn *t, struct kovn_error *err)
{
    if (t->error == -EINPROGRESS && t->next_cfg) {
        const struct ovsrec_open_vswitch *cfg =
            ovsrec_open_vswitch_first(t->ovs->idl);

        if (cfg && cfg->cur_cfg >= t->next_cfg) {
            txn_done(t, 0);
        } else if (time_msec() >= t->deadline) {
            txn_done(t,
                     kovn_error_set(
                         &t->err, -ETIMEDOUT,
                         "ovs-vswitchd did not apply the change within "
                         "%lld ms (cur_cfg %lld, waiting for %lld): is "
                         "it running?",
                         t->timeout_ms, cfg ? (long long)cfg->cur_cfg : -1LL,
                         t->next_cfg));
        }
    } else if (t->error == -EINPROGRESS) {
        if (!t->txn && txn_send(t) && t->error == -EINPROGRESS) {
            txn_check(t); /* The first commit sends it. */
        } else if (t->txn) {
            txn_check(t);
        }
        if (t->error == -EINPROGRESS && t->next_cfg) {
            return node_ovs_txn_poll(t, err);
        }
        if (t->error == -EINPROGRESS && time_msec() >= t->deadline) {
            txn_done(t, kovn_error_set(&t->err, -ETIMEDOUT,
                                       "local OVS transaction not done "
                                       "within %lld ms",
                                       t->timeout_ms));
        }
    }
    *err = t->err;
    return t->error;
}

void
node_ovs_txn_wait(const struct node_ovs_txn *t)
{
    if (t->error != -EINPROGRESS) {
        poll_immediate_wake();
        return;
    }
    if (t->txn) {
        ovsdb_idl_txn_wait(t->txn);
    }
    if (t->retry_at) {
        poll_timer_wait_until(t->retry_at);
    }
    poll_timer_wait_until(t->deadline);
}

void
node_ovs_txn_destroy(struct node_ovs_txn *t)
{
    if (t) {
        if (t->txn) {
            ovsdb_idl_txn_destroy(t->txn);
        }
        free(t->bridge);
        free(t->port_name);
        free(t->iface_id);
        free(t->type);
        free(t);
    }
}
