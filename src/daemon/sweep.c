/* Removing ports and veths no attachment needs; see sweep.h. */
#include <config.h>

#include "daemon/sweep.h"

#include <errno.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/ops.h"
#include "daemon/ovs.h"
#include "daemon/plumb.h"
#include "daemon/worker.h"
#include "kube/informer.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(sweep);

struct sweep_job {
    struct sset links;
    int error;
    struct kovn_error err;
    sweep_done_fn *done;
    void *aux;
};

void
sweep_list(const struct daemon *d, struct sset *ports, struct sset *links)
{
    struct sset all = SSET_INITIALIZER(&all);
    const char *name;

    node_ovs_list_ports(d->ovs, d->opts.bridge, &all);
    SSET_FOR_EACH(name, &all)
    {
        if (strcmp(name, d->opts.node_port)) {
            sset_add(ports, name);
        }
    }
    sset_destroy(&all);
    plumb_list_host_links(links);
}

static void
delete_links(void *job_)
{
    struct sweep_job *job = job_;
    const char *host;

    kovn_error_clear(&job->err);
    SSET_FOR_EACH(host, &job->links)
    {
        char peer[IF_NAMESIZE];
        struct kovn_error err;
        int error;

        plumb_peer_name(host, peer);
        error = plumb_pod_del(host, peer, &err);
        if (error && !job->error) {
            job->error = error;
            job->err = err;
        }
    }
}

static void
links_deleted(void *job_)
{
    struct sweep_job *job = job_;

    job->done(job->error, job->err.msg, job->aux);
    sset_destroy(&job->links);
    free(job);
}

void
sweep_delete(struct daemon *d, const struct sset *ports,
             const struct sset *links, sweep_done_fn *done, void *aux)
{
    struct sweep_job *job = xzalloc(sizeof *job);
    const char *name;

    sset_clone(&job->links, links);
    job->done = done;
    job->aux = aux;
    SSET_FOR_EACH(name, ports)
    {
        struct kovn_error err;
        int error = node_ovs_port_delete(d->ovs, d->opts.bridge, name,
                                         d->opts.ovs_timeout_ms, &err);
        if (error) {
            VLOG_WARN("deleting port %s: %s", name, err.msg);
        } else {
            VLOG_INFO("deleted port %s", name);
        }
    }
    worker_submit(d->workers, delete_links, links_deleted, job);
}

/* Whether the pod an iface-id "<pod>.<namespace>" names is on this node.
 * Namespaces have no dots (DNS labels), pod names may. */
static bool
pod_exists(const struct daemon *d, const char *iface_id)
{
    const char *dot = iface_id ? strrchr(iface_id, '.') : NULL;
    bool exists;

    if (!dot) {
        return false;
    }
    char *key = xasprintf("%s/%.*s", dot + 1, (int)(dot - iface_id), iface_id);
    exists = kube_informer_contains(d->pods, key);
    free(key);
    return exists;
}

static void
swept(int error, const char *msg, void *d_)
{
    struct daemon *d = d_;

    if (error) {
        VLOG_WARN("start-up sweep: %s", msg);
    }
    d->sweep_busy = false;
    d->swept = true;
}

void
sweep_run(struct daemon *d)
{
    struct sset ports = SSET_INITIALIZER(&ports);
    struct sset links = SSET_INITIALIZER(&links);
    struct sset stale_ports = SSET_INITIALIZER(&stale_ports);
    struct sset stale_links = SSET_INITIALIZER(&stale_links);
    const char *name;

    if (d->swept || d->sweep_busy || !kube_informer_has_synced(d->pods) ||
        !node_ovs_is_ready(d->ovs)) {
        return;
    }
    sweep_list(d, &ports, &links);
    SSET_FOR_EACH(name, &ports)
    {
        if (!ops_host_busy(d, name) &&
            !pod_exists(d, node_ovs_port_iface_id(d->ovs, name))) {
            VLOG_INFO("port %s (iface-id %s): its pod is gone", name,
                      node_ovs_port_iface_id(d->ovs, name));
            sset_add(&stale_ports, name);
            if (plumb_is_host_name(name)) {
                sset_add(&stale_links, name);
            }
        }
    }
    /* A veth without a port is what an ADD interrupted before its port
     * leaves; a retry of that ADD makes a new one. */
    SSET_FOR_EACH(name, &links)
    {
        if (!sset_contains(&ports, name) && !ops_host_busy(d, name)) {
            VLOG_INFO("veth %s has no port", name);
            sset_add(&stale_links, name);
        }
    }
    d->sweep_busy = true;
    sweep_delete(d, &stale_ports, &stale_links, swept, d);
    sset_destroy(&ports);
    sset_destroy(&links);
    sset_destroy(&stale_ports);
    sset_destroy(&stale_links);
}
