/* CNI requests as state machines on the poll loop; see ops.h. */
#include <config.h>

#include "daemon/ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cni/protocol.h"
#include "crd/ip.h"
#include "crd/names.h"
#include "daemon/cni_server.h"
#include "daemon/daemon.h"
#include "daemon/ovs.h"
#include "daemon/plumb.h"
#include "daemon/ready.h"
#include "daemon/reap.h"
#include "daemon/worker.h"
#include "kube/api.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ops);

enum op_state {
    OP_QUEUED,         /* Behind another request for the same veth. */
    OP_WAIT_POD,       /* ADD: for the pod's address annotations. */
    OP_WORKING,        /* A worker job or sweep is running. */
    OP_ADDING,         /* ADD: port to OVS and pod end, side by side. */
    OP_WAIT_INSTALLED, /* ADD: for ovn-controller's flows. */
    OP_PATCHING,       /* ADD: writing routed=true. */
    OP_FINISHED,       /* Answered; freed by ops_run(). */
};

struct op {
    struct ovs_list node; /* In daemon's 'ops'. */
    struct daemon *d;
    struct cni_conn *conn;
    struct cni_request *req;
    enum op_state state;
    long long started;
    long long deadline; /* OP_WAIT_POD, OP_WAIT_INSTALLED. */

    struct plumb_pod pod; /* ADD, DEL, CHECK. */
    char *pod_key;        /* "namespace/name"; ADD. */
    char *iface_id;       /* "name.namespace"; ADD. */
    struct kovn_error wait_reason;

    /* Worker results. */
    int error;
    struct kovn_error err;
    struct net_mac host_mac;

    struct kube_request *patch;

    /* OP_ADDING: the host end goes on br-int (and ovn-controller binds
     * it) while a worker configures the pod end. */
    struct node_ovs_txn *port_txn; /* Until ovs-vswitchd applied it. */
    bool pod_busy;                 /* The worker is on the pod end. */
    int port_error;
    struct kovn_error port_err;

    /* ADD: when each step finished, in time_msec(); 0 if it did not.  For
     * the "add timing" log line that shows where an ADD's time goes. */
    long long t_addressed; /* The pod's annotations were there. */
    long long t_prepared;  /* An earlier attempt's ports were removed. */
    long long t_host;      /* The worker created the veth. */
    long long t_plumbed;   /* The worker configured the pod's end. */
    long long t_port;      /* ovs-vswitchd applied the port. */
    long long t_installed; /* ovn-controller set ovn-installed. */

    /* ADD: ports of other attachments bound to the same pod (a runtime
     * that retried with a new sandbox and never sent DEL); their veths go
     * on the worker with the rest. */
    struct sset stale_hosts;
};

static const char *
op_command(const struct op *op)
{
    return cni_command_to_string(op->req->command);
}

/* Milliseconds from the request's arrival to 't', or -1 if that step never
 * finished. */
static long long
since_start(const struct op *op, long long t)
{
    return t ? t - op->started : -1;
}

static void
log_add_timing(const struct op *op, long long total)
{
    VLOG_INFO("add timing: pod %s addressed=%lld prepared=%lld host=%lld "
              "port=%lld plumbed=%lld installed=%lld total=%lld (ms since the "
              "request; -1: not reached)",
              op->pod_key ? op->pod_key : "-",
              since_start(op, op->t_addressed),
              since_start(op, op->t_prepared), since_start(op, op->t_host),
              since_start(op, op->t_port), since_start(op, op->t_plumbed),
              since_start(op, op->t_installed), total);
}

static void
finish(struct op *op, struct cni_response *r)
{
    long long ms = time_msec() - op->started;

    if (r->error.code) {
        VLOG_WARN("%s %s (%s): failed after %lld ms: %s: %s", op_command(op),
                  op->req->container_id ? op->req->container_id : "-",
                  op->pod_key ? op->pod_key : "-", ms, r->error.msg,
                  r->error.details ? r->error.details : "");
    } else {
        VLOG_INFO("%s %s (%s): done in %lld ms", op_command(op),
                  op->req->container_id ? op->req->container_id : "-",
                  op->pod_key ? op->pod_key : "-", ms);
    }
    if (op->req->command == CNI_ADD) {
        log_add_timing(op, ms);
        op->d->n_adds++;
        op->d->n_add_errors += r->error.code != 0;
    }
    cni_server_reply(op->conn, r, op->req->cni_version);
    op->conn = NULL;
    op->state = OP_FINISHED;
    poll_immediate_wake();
}

static void
fail(struct op *op, int code, const char *msg, const char *details)
{
    struct cni_response r;

    cni_response_init(&r);
    cni_response_set_error(&r, code, msg, details);
    finish(op, &r);
    cni_response_destroy(&r);
}

static void
succeed(struct op *op)
{
    struct cni_response r;

    cni_response_init(&r);
    finish(op, &r);
    cni_response_destroy(&r);
}

/* The ADD result: the host end, the pod end, the addresses on the pod end
 * with their gateways, and default routes via them. */
static void
succeed_add(struct op *op)
{
    const struct pod_net *net = &op->pod.net;
    struct cni_response r;
    size_t pod_if;

    cni_response_init(&r);
    r.has_result = true;
    cni_result_add_interface(&r.result, op->pod.host, &op->host_mac, NULL);
    pod_if = cni_result_add_interface(&r.result, op->pod.ifname, &net->mac,
                                      op->pod.netns);
    r.result.interfaces[pod_if].mtu = op->pod.mtu;
    for (size_t i = 0; i < net->n_ips; i++) {
        cni_result_add_ip(&r.result, &net->ips[i], &net->gateways[i], pod_if);
    }
    for (size_t i = 0; i < net->n_ips; i++) {
        struct net_cidr any = {{.family = net->ips[i].addr.family}, 0};

        cni_result_add_route(&r.result, &any, &net->gateways[i]);
    }
    finish(op, &r);
    cni_response_destroy(&r);
}

static void
op_free(struct op *op)
{
    ovs_list_remove(&op->node);
    cni_request_destroy(op->req);
    free(op->req);
    free(op->pod.netns);
    free(op->pod.ifname);
    free(op->pod_key);
    free(op->iface_id);
    node_ovs_txn_destroy(op->port_txn);
    sset_destroy(&op->stale_hosts);
    free(op);
}

/* Whether an earlier request is about the same veth. */
static bool
blocked(const struct op *op)
{
    const struct op *other;

    LIST_FOR_EACH(other, node, &op->d->ops)
    {
        if (other == op) {
            return false;
        }
        if (other->state != OP_FINISHED && other->pod.host[0] &&
            !strcmp(other->pod.host, op->pod.host)) {
            return true;
        }
    }
    return false;
}

bool
ops_host_busy(const struct daemon *d, const char *host)
{
    const struct op *op;

    LIST_FOR_EACH(op, node, &d->ops)
    {
        if (op->state != OP_FINISHED && !strcmp(op->pod.host, host)) {
            return true;
        }
    }
    return false;
}

/* --- ADD. */

static void add_wait_installed(struct op *);

/* OP_ADDING: waits for both the port and the pod end, then for
 * ovn-installed.  A failure of either fails the ADD once the worker is
 * done with 'op'. */
static void
add_adding(struct op *op)
{
    struct daemon *d = op->d;

    if (op->port_txn) {
        int error = node_ovs_txn_poll(op->port_txn, &op->port_err);

        if (error != -EINPROGRESS) {
            node_ovs_txn_destroy(op->port_txn);
            op->port_txn = NULL;
            op->port_error = error;
            op->t_port = time_msec();
        }
    }
    if (op->pod_busy) {
        return;
    }
    if (op->error) {
        fail(op, CNI_ERR_DAEMON, "could not set up the pod's interface",
             op->err.msg);
    } else if (op->port_error) {
        fail(op, CNI_ERR_DAEMON, "could not add the pod's port to OVS",
             op->port_err.msg);
    } else if (!op->port_txn) {
        op->state = OP_WAIT_INSTALLED;
        op->deadline = time_msec() + d->opts.installed_timeout_ms;
        add_wait_installed(op);
    }
}

static void
add_peer_work(void *op_)
{
    struct op *op = op_;

    kovn_error_clear(&op->err);
    op->error = plumb_pod_add_peer(&op->pod, &op->err);
}

static void
add_peer_done(void *op_)
{
    struct op *op = op_;

    op->t_plumbed = time_msec();
    op->pod_busy = false;
    poll_immediate_wake();
}

/* The veth exists: its host end goes on br-int now, so that ovn-controller
 * binds it while a worker configures the pod end. */
static void
add_host_done(void *op_)
{
    struct op *op = op_;
    struct daemon *d = op->d;

    op->t_host = time_msec();
    if (op->error) {
        fail(op, CNI_ERR_DAEMON, "could not set up the pod's interface",
             op->err.msg);
        return;
    }
    op->state = OP_ADDING;
    op->port_txn =
        node_ovs_port_ensure_start(d->ovs, d->opts.bridge, op->pod.host,
                                   op->iface_id, "", d->opts.ovs_timeout_ms);
    op->pod_busy = true;
    worker_submit(d->workers, add_peer_work, add_peer_done, op);
    poll_immediate_wake();
}

static void
add_host_work(void *op_)
{
    struct op *op = op_;
    const char *host;

    kovn_error_clear(&op->err);
    SSET_FOR_EACH(host, &op->stale_hosts)
    {
        char peer[IF_NAMESIZE];

        plumb_peer_name(host, peer);
        op->error = plumb_pod_del(host, peer, &op->err);
        if (op->error) {
            return;
        }
    }
    op->error = plumb_pod_add_host(&op->pod, &op->host_mac, &op->err);
}

/* One pod, one port: other kovn ports bound to this pod's iface-id go
 * (the runtime gave up on that sandbox without a DEL).  Fills
 * 'op->stale_hosts' with their veths. */
static int
add_remove_other_ports(struct op *op, struct kovn_error *err)
{
    struct daemon *d = op->d;
    struct sset ports = SSET_INITIALIZER(&ports);
    const char *name;
    int error = 0;

    node_ovs_list_ports(d->ovs, d->opts.bridge, &ports);
    SSET_FOR_EACH(name, &ports)
    {
        const char *iface_id = node_ovs_port_iface_id(d->ovs, name);

        if (strcmp(name, op->pod.host) && iface_id &&
            !strcmp(iface_id, op->iface_id) && !ops_host_busy(d, name)) {
            VLOG_INFO("%s: removing port %s of an earlier sandbox",
                      op->pod_key, name);
            error = node_ovs_port_delete(d->ovs, d->opts.bridge, name,
                                         d->opts.ovs_timeout_ms, err);
            if (error) {
                break;
            }
            if (plumb_is_host_name(name)) {
                sset_add(&op->stale_hosts, name);
            }
        }
    }
    sset_destroy(&ports);
    return error;
}

/* The pod has its address: replace whatever an earlier ADD left, then
 * plumb. */
static void
add_plumb(struct op *op)
{
    struct daemon *d = op->d;
    struct kovn_error err;

    op->t_addressed = time_msec();
    kovn_error_clear(&err);
    if (node_ovs_port_status(d->ovs, op->pod.host, NULL) != -ENOENT) {
        /* A port whose veth is replaced would keep a stale datapath port:
         * it goes first and comes back with the new veth. */
        int error = node_ovs_port_delete(d->ovs, d->opts.bridge, op->pod.host,
                                         d->opts.ovs_timeout_ms, &err);
        if (error) {
            fail(op, CNI_ERR_DAEMON,
                 "could not remove the port an earlier ADD left", err.msg);
            return;
        }
    }
    if (add_remove_other_ports(op, &err)) {
        fail(op, CNI_ERR_DAEMON,
             "could not remove the pod's port of an earlier sandbox", err.msg);
        return;
    }
    op->t_prepared = time_msec();
    op->state = OP_WORKING;
    worker_submit(d->workers, add_host_work, add_host_done, op);
}

static void
add_wait_pod(struct op *op)
{
    struct daemon *d = op->d;
    const struct json *pod;
    struct kovn_error err;
    int error;

    if (!d->swept || !kube_informer_has_synced(d->pods)) {
        kovn_error_set(&op->wait_reason, -EAGAIN,
                       "the daemon's pod cache is not synced yet");
    } else if (!(pod = kube_informer_get(d->pods, op->pod_key))) {
        kovn_error_set(&op->wait_reason, -ENOENT, "no pod %s on node %s (yet)",
                       op->pod_key, d->opts.node_name);
    } else {
        kovn_error_clear(&err);
        error = pod_net_from_object(pod, &op->pod.net, &err);
        if (!error) {
            add_plumb(op);
            return;
        } else if (error != -EAGAIN) {
            char *msg = xasprintf("pod %s: %s", op->pod_key, err.msg);
            fail(op, CNI_ERR_DAEMON,
                 "the pod's address annotations are "
                 "invalid",
                 msg);
            free(msg);
            return;
        }
        op->wait_reason = err;
    }
    if (time_msec() >= op->deadline) {
        char *msg = xasprintf("waited %lld ms for pod %s's address: %s",
                              d->opts.annotation_timeout_ms, op->pod_key,
                              op->wait_reason.msg);
        fail(op, CNI_ERR_TRY_AGAIN_LATER,
             "timed out waiting for the pod's address from kovn-controller",
             msg);
        free(msg);
    }
}

static void
add_patched(struct kube_response *resp, void *op_)
{
    struct op *op = op_;

    op->patch = NULL;
    if (resp->status >= 200 && resp->status < 300) {
        succeed_add(op);
    } else {
        char *msg = xasprintf("patching pod %s: %ld %s", op->pod_key,
                              resp->status, resp->message);
        fail(op, CNI_ERR_DAEMON, "could not mark the pod routed", msg);
        free(msg);
    }
}

static void
add_wait_installed(struct op *op)
{
    struct daemon *d = op->d;

    if (node_ovs_port_installed(d->ovs, op->pod.host)) {
        const struct json *pod = kube_informer_get(d->pods, op->pod_key);
        const char *routed =
            pod ? kube_object_annotation(pod, ANN_ROUTED) : NULL;

        op->t_installed = time_msec();
        if (routed && !strcmp(routed, "true")) {
            succeed_add(op);
            return;
        }
        struct json *ann = json_object_create();
        struct json *meta = json_object_create();
        struct json *patch = json_object_create();
        char *path = xasprintf("/api/v1/namespaces/%s/pods/%s",
                               op->req->pod_namespace, op->req->pod_name);

        json_object_put_string(ann, ANN_ROUTED, "true");
        json_object_put(meta, "annotations", ann);
        json_object_put(patch, "metadata", meta);
        op->state = OP_PATCHING;
        op->patch = kube_patch(d->client, path, KUBE_PATCH_MERGE, patch,
                               add_patched, op);
        json_destroy(patch);
        free(path);
    } else if (time_msec() >= op->deadline) {
        struct kovn_error err;

        /* A zero wait returns at once with the best explanation. */
        node_ovs_wait_installed(d->ovs, op->pod.host, 0, &err);
        fail(op, CNI_ERR_DAEMON, "OVN did not install the pod's flows in time",
             err.msg);
    }
}

/* --- DEL. */

static void
del_work(void *op_)
{
    struct op *op = op_;

    kovn_error_clear(&op->err);
    op->error = plumb_pod_del(op->pod.host, op->pod.peer, &op->err);
}

static void
del_done(void *op_)
{
    struct op *op = op_;

    if (op->error) {
        fail(op, CNI_ERR_DAEMON, "could not delete the pod's interface",
             op->err.msg);
    } else {
        succeed(op);
    }
}

static void
del_start(struct op *op)
{
    struct daemon *d = op->d;
    struct kovn_error err;
    int error;

    kovn_error_clear(&err);
    error = node_ovs_port_delete(d->ovs, d->opts.bridge, op->pod.host,
                                 d->opts.ovs_timeout_ms, &err);
    if (error) {
        fail(op, CNI_ERR_DAEMON, "could not delete the pod's port", err.msg);
        return;
    }
    op->state = OP_WORKING;
    worker_submit(d->workers, del_work, del_done, op);
}

/* --- CHECK: against prevResult, which the spec makes mandatory. */

static void
check_work(void *op_)
{
    struct op *op = op_;

    kovn_error_clear(&op->err);
    op->error = plumb_pod_check(&op->pod, &op->err);
}

static void
check_done(void *op_)
{
    struct op *op = op_;

    if (op->error) {
        fail(op, CNI_ERR_DAEMON, "the pod's interface is not as set up",
             op->err.msg);
    } else {
        succeed(op);
    }
}

/* Fills op->pod.net from the prevResult: the MAC of the interface named
 * 'ifname' in the sandbox, and the addresses on it. */
static int
check_parse_prev(struct op *op, struct kovn_error *err)
{
    struct cni_result prev;
    int error, pod_if = -1;

    error = cni_result_from_json(op->req->config.prev_result, &prev, err);
    if (error) {
        goto out;
    }
    for (size_t i = 0; i < prev.n_interfaces; i++) {
        if (prev.interfaces[i].sandbox &&
            !strcmp(prev.interfaces[i].name, op->pod.ifname)) {
            pod_if = i;
            op->pod.net.mac = prev.interfaces[i].mac;
        }
    }
    if (pod_if < 0) {
        error = kovn_error_set(err, -EINVAL,
                               "prevResult has no interface %s in a sandbox",
                               op->pod.ifname);
        goto out;
    }
    for (size_t i = 0; i < prev.n_ips; i++) {
        if (prev.ips[i].interface == pod_if &&
            op->pod.net.n_ips < POD_NET_MAX_IPS) {
            op->pod.net.ips[op->pod.net.n_ips++] = prev.ips[i].address;
        }
    }
out:
    cni_result_destroy(&prev);
    return error;
}

static void
check_start(struct op *op)
{
    struct daemon *d = op->d;
    struct kovn_error err;
    const char *iface_id;
    int error;

    kovn_error_clear(&err);
    error = check_parse_prev(op, &err);
    if (error) {
        fail(op, CNI_ERR_DECODE, "invalid prevResult", err.msg);
        return;
    }
    error = node_ovs_port_status(d->ovs, op->pod.host, &err);
    if (error) {
        fail(op, CNI_ERR_DAEMON, "the pod's OVS port is not as set up",
             err.msg);
        return;
    }
    /* The port must be bound to this pod's logical switch port: one bound
     * to another (a stale sandbox's, a hand edit) would carry that pod's
     * traffic, and ovn-installed would still be true. */
    iface_id = node_ovs_port_iface_id(d->ovs, op->pod.host);
    if (op->iface_id && (!iface_id || strcmp(iface_id, op->iface_id))) {
        char *msg =
            xasprintf("port %s has iface-id \"%s\", not \"%s\"", op->pod.host,
                      iface_id ? iface_id : "", op->iface_id);
        fail(op, CNI_ERR_DAEMON, "the pod's OVS port is not as set up", msg);
        free(msg);
        return;
    }
    if (!node_ovs_port_installed(d->ovs, op->pod.host)) {
        char *msg = xasprintf("port %s is not ovn-installed", op->pod.host);
        fail(op, CNI_ERR_DAEMON, "the pod's OVS port is not as set up", msg);
        free(msg);
        return;
    }
    op->state = OP_WORKING;
    worker_submit(d->workers, check_work, check_done, op);
}

/* --- GC: everything of kovn's that no valid attachment names. */

static void
gc_done(int error, const char *msg, void *op_)
{
    struct op *op = op_;

    if (error) {
        fail(op, CNI_ERR_DAEMON, "garbage collection failed", msg);
    } else {
        succeed(op);
    }
}

static void
gc_start(struct op *op)
{
    const struct cni_config *c = &op->req->config;
    struct sset valid = SSET_INITIALIZER(&valid);
    struct sset ports = SSET_INITIALIZER(&ports);
    struct sset links = SSET_INITIALIZER(&links);
    struct sset stale_ports = SSET_INITIALIZER(&stale_ports);
    struct sset stale_links = SSET_INITIALIZER(&stale_links);
    const char *name;

    for (size_t i = 0; i < c->n_valid_attachments; i++) {
        char host[IF_NAMESIZE], peer[IF_NAMESIZE];

        plumb_names(c->valid_attachments[i].container_id,
                    c->valid_attachments[i].ifname, host, peer);
        sset_add(&valid, host);
    }
    reap_list(op->d, &ports, &links);
    SSET_FOR_EACH(name, &ports)
    {
        if (!sset_contains(&valid, name) && !ops_host_busy(op->d, name)) {
            sset_add(&stale_ports, name);
        }
    }
    SSET_FOR_EACH(name, &links)
    {
        if (!sset_contains(&valid, name) && !ops_host_busy(op->d, name)) {
            sset_add(&stale_links, name);
        }
    }
    VLOG_INFO("GC: %zu valid attachments; removing %zu ports, %zu veths",
              c->n_valid_attachments, sset_count(&stale_ports),
              sset_count(&stale_links));
    op->state = OP_WORKING;
    reap_delete(op->d, &stale_ports, &stale_links, gc_done, op);
    sset_destroy(&valid);
    sset_destroy(&ports);
    sset_destroy(&links);
    sset_destroy(&stale_ports);
    sset_destroy(&stale_links);
}

/* --- Dispatch. */

static void
start(struct op *op)
{
    switch (op->req->command) {
    case CNI_ADD:
        op->state = OP_WAIT_POD;
        op->deadline = time_msec() + op->d->opts.annotation_timeout_ms;
        add_wait_pod(op);
        break;
    case CNI_DEL:
        del_start(op);
        break;
    case CNI_CHECK:
        check_start(op);
        break;
    case CNI_GC:
        gc_start(op);
        break;
    case CNI_STATUS: {
        struct kovn_error why;

        if (ready_check(op->d, &why)) {
            succeed(op);
        } else {
            fail(op, CNI_ERR_NOT_AVAILABLE, "kovn-daemon is not ready",
                 why.msg);
        }
        break;
    }
    case CNI_VERSION:
    default:
        fail(op, CNI_ERR_INVALID_CONFIG, "unexpected command", NULL);
        break;
    }
}

void
ops_request(struct cni_conn *conn, struct cni_request *req, void *d_)
{
    struct daemon *d = d_;
    struct op *op = xzalloc(sizeof *op);

    op->d = d;
    op->conn = conn;
    op->req = req;
    op->started = time_msec();
    op->state = OP_QUEUED;
    sset_init(&op->stale_hosts);
    if (req->container_id && req->ifname) {
        plumb_names(req->container_id, req->ifname, op->pod.host,
                    op->pod.peer);
        op->pod.ifname = xstrdup(req->ifname);
        op->pod.netns = req->netns ? xstrdup(req->netns) : NULL;
        op->pod.mtu = req->config.mtu ? req->config.mtu : d->opts.mtu;
    }
    if (req->pod_namespace && req->pod_name) {
        op->pod_key = xasprintf("%s/%s", req->pod_namespace, req->pod_name);
        op->iface_id = crd_ip_port_name(req->pod_name, req->pod_namespace);
    }
    if (req->command == CNI_ADD && (!op->pod_key || !op->pod.netns)) {
        /* cni_request_validate() already refuses this. */
        fail(op, CNI_ERR_INVALID_CONFIG, "ADD needs a pod and a netns", NULL);
    }
    ovs_list_push_back(&d->ops, &op->node);
    poll_immediate_wake();
}

void
ops_run(struct daemon *d)
{
    struct op *op;

    LIST_FOR_EACH_SAFE(op, node, &d->ops)
    {
        switch (op->state) {
        case OP_QUEUED:
            if (!blocked(op)) {
                start(op);
            }
            break;
        case OP_WAIT_POD:
            add_wait_pod(op);
            break;
        case OP_ADDING:
            add_adding(op);
            break;
        case OP_WAIT_INSTALLED:
            add_wait_installed(op);
            break;
        case OP_WORKING:
        case OP_PATCHING:
        case OP_FINISHED:
            break;
        }
        if (op->state == OP_FINISHED) {
            op_free(op);
        }
    }
}

void
ops_wait(struct daemon *d)
{
    const struct op *op;

    LIST_FOR_EACH(op, node, &d->ops)
    {
        if (op->state == OP_WAIT_POD || op->state == OP_WAIT_INSTALLED) {
            poll_timer_wait_until(op->deadline);
        } else if (op->state == OP_ADDING && op->port_txn) {
            node_ovs_txn_wait(op->port_txn);
        } else if (op->state == OP_FINISHED) {
            poll_immediate_wake();
        }
    }
}

void
ops_destroy(struct daemon *d)
{
    struct op *op;

    LIST_FOR_EACH_SAFE(op, node, &d->ops)
    {
        if (op->patch) {
            kube_request_cancel(op->patch);
        }
        op_free(op);
    }
}
