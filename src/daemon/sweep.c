/* The start-up sweep of ports and veths no pod needs; see sweep.h. */
#include <config.h>

#include "daemon/sweep.h"

#include <errno.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/ops.h"
#include "daemon/ovs.h"
#include "daemon/plumb.h"
#include "daemon/reap.h"
#include "kube/informer.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(sweep);

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
    reap_list(d, &ports, &links);
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
    reap_delete(d, &stale_ports, &stale_links, swept, d);
    sset_destroy(&ports);
    sset_destroy(&links);
    sset_destroy(&stale_ports);
    sset_destroy(&stale_links);
}
