/* The node's ovn0 port; see nodeport.h. */
#include <config.h>

#include "daemon/nodeport.h"

#include <errno.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/ovs.h"
#include "daemon/plumb.h"
#include "daemon/podnet.h"
#include "daemon/worker.h"
#include "kube/informer.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nodeport);

#define RETRY_MS 2000
/* A configured port is checked again this often: a restarted ovs-vswitchd
 * recreates ovn0's device from the database, without its addresses and
 * routes, and an administrator may flush them.  Every step is idempotent,
 * so a converged port costs one empty OVS ensure and a few netlink
 * requests that change nothing. */
#define RECHECK_MS 10000

struct nodeport_job {
    struct daemon *d;
    char *ifname;
    struct pod_net net;
    struct net_cidr *routes;
    size_t n_routes;
    int error;
    struct kovn_error err;
};

static void
configure(void *job_)
{
    struct nodeport_job *job = job_;

    kovn_error_clear(&job->err);
    job->error = plumb_node_port(job->ifname, &job->net, job->routes,
                                 job->n_routes, &job->err);
}

/* A port that was up and no longer can be made so is not ready: STATUS
 * says why until a retry succeeds. */
static void
failed(struct daemon *d, const struct kovn_error *err)
{
    if (strcmp(err->msg, d->node_port_err.msg)) {
        VLOG_WARN("node port %s: %s (retrying)", d->opts.node_port, err->msg);
    }
    d->node_port_ready = false;
    d->node_port_err = *err;
    d->node_port_next_try = time_msec() + RETRY_MS;
}

static void
configured(void *job_)
{
    struct nodeport_job *job = job_;
    struct daemon *d = job->d;

    d->node_port_busy = false;
    if (job->error) {
        failed(d, &job->err);
    } else {
        if (!d->node_port_ready) {
            char buf[NET_CIDR_STRLEN];

            net_cidr_format(&job->net.ips[0], buf);
            VLOG_INFO("node port %s up with %s", job->ifname, buf);
        }
        d->node_port_ready = true;
        d->node_port_next_try = time_msec() + RECHECK_MS;
        kovn_error_clear(&d->node_port_err);
    }
    free(job->ifname);
    free(job->routes);
    free(job);
}

void
nodeport_run(struct daemon *d)
{
    struct kovn_error err;
    const struct json *node;
    struct pod_net net;
    int error;

    if (d->node_port_busy || d->chassis_error ||
        !kube_informer_has_synced(d->node) ||
        time_msec() < d->node_port_next_try) {
        return;
    }
    kovn_error_clear(&err);
    node = kube_informer_get(d->node, d->opts.node_name);
    if (!node) {
        kovn_error_set(&err, -ENOENT, "Node %s does not exist",
                       d->opts.node_name);
        failed(d, &err);
        return;
    }
    error = pod_net_from_object(node, &net, &err);
    if (error) {
        kovn_error_prefix(&err, "Node %s: ", d->opts.node_name);
        failed(d, &err);
        return;
    }

    char *iface_id = xasprintf("node-%s", d->opts.node_name);
    error = node_ovs_port_ensure(d->ovs, d->opts.bridge, d->opts.node_port,
                                 iface_id, "internal", d->opts.ovs_timeout_ms,
                                 &err);
    free(iface_id);
    if (error) {
        failed(d, &err);
        return;
    }

    struct nodeport_job *job = xzalloc(sizeof *job);
    job->d = d;
    job->ifname = xstrdup(d->opts.node_port);
    job->net = net;
    job->n_routes = d->opts.n_node_routes;
    job->routes = job->n_routes ? xmemdup(d->opts.node_routes,
                                          job->n_routes * sizeof *job->routes)
                                : NULL;
    d->node_port_busy = true;
    worker_submit(d->workers, configure, configured, job);
}

void
nodeport_wait(struct daemon *d)
{
    if (!d->node_port_busy && !d->chassis_error &&
        kube_informer_has_synced(d->node)) {
        poll_timer_wait_until(d->node_port_next_try);
    }
}
