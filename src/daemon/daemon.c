/* kovn-daemon's state and loop; see daemon.h. */
#include <config.h>

#include "daemon/daemon.h"

#include <errno.h>
#include <string.h>

#include "daemon/cni_server.h"
#include "daemon/egress.h"
#include "daemon/nodeport.h"
#include "daemon/ops.h"
#include "daemon/ovs.h"
#include "daemon/sweep.h"
#include "daemon/worker.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(kovn_daemon);

#define CHASSIS_RECHECK_MS 1000

/* What the daemon reads of a pod or node: the rest of a pod is big and
 * changes often. */
static const char *const kept_fields[] = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.annotations",
    "metadata.deletionTimestamp",
    NULL,
};

static void
prune(struct json *object, void *aux)
{
    (void)aux;
    kube_object_prune(object, kept_fields);
}

int
daemon_init(struct daemon *d, const struct daemon_options *opts,
            struct kube_client *client, struct node_ovs *ovs,
            struct kovn_error *err)
{
    int error;

    memset(d, 0, sizeof *d);
    d->opts = *opts;
    d->client = client;
    d->ovs = ovs;
    ovs_list_init(&d->ops);
    d->chassis_error = -ENOTCONN;
    kovn_error_set(&d->chassis_err, -ENOTCONN,
                   "not connected to the local Open vSwitch yet");
    kovn_error_set(&d->node_port_err, -EAGAIN, "node port not set up yet");

    char *pod_selector = xasprintf("spec.nodeName=%s", opts->node_name);
    char *node_selector = xasprintf("metadata.name=%s", opts->node_name);
    struct kube_informer_options pod_opts = {
        .path = "/api/v1/pods",
        .field_selector = pod_selector,
        .transform = prune,
    };
    struct kube_informer_options node_opts = {
        .path = "/api/v1/nodes",
        .field_selector = node_selector,
        .transform = prune,
    };
    d->pods = kube_informer_create(client, &pod_opts, NULL);
    d->node = kube_informer_create(client, &node_opts, NULL);
    free(pod_selector);
    free(node_selector);

    egress_init(d);
    d->workers = worker_pool_create(opts->n_workers);
    error = cni_server_create(opts->cni_socket, opts->max_conns, ops_request,
                              d, &d->server, err);
    if (error) {
        daemon_destroy(d);
    }
    return error;
}

void
daemon_destroy(struct daemon *d)
{
    /* Workers first: nothing may finish into freed state. */
    worker_pool_destroy(d->workers);
    d->workers = NULL;
    ops_destroy(d);
    cni_server_destroy(d->server);
    d->server = NULL;
    egress_destroy(d);
    kube_informer_destroy(d->pods);
    kube_informer_destroy(d->node);
    d->pods = d->node = NULL;
}

static void
check_chassis(struct daemon *d)
{
    struct kovn_error err;
    int error;

    if (!d->chassis_error || time_msec() < d->chassis_next_check) {
        return;
    }
    kovn_error_clear(&err);
    error = node_ovs_check_chassis(d->ovs, NULL, &err);
    if (!error) {
        VLOG_INFO("local Open vSwitch is configured as an OVN chassis");
    } else if (error != d->chassis_error ||
               strcmp(err.msg, d->chassis_err.msg)) {
        VLOG_WARN("chassis not ready: %s", err.msg);
    }
    d->chassis_error = error;
    d->chassis_err = err;
    d->chassis_next_check = time_msec() + CHASSIS_RECHECK_MS;
}

void
daemon_run(struct daemon *d)
{
    node_ovs_run(d->ovs);
    kube_informer_run(d->pods);
    kube_informer_run(d->node);
    worker_pool_run(d->workers);
    if (node_ovs_is_ready(d->ovs)) {
        check_chassis(d);
    }
    nodeport_run(d);
    egress_run(d);
    sweep_run(d);
    cni_server_run(d->server);
    ops_run(d);
}

void
daemon_wait(struct daemon *d)
{
    node_ovs_wait(d->ovs);
    kube_informer_wait(d->pods);
    kube_informer_wait(d->node);
    worker_pool_wait(d->workers);
    if (d->chassis_error) {
        poll_timer_wait_until(d->chassis_next_check);
    }
    nodeport_wait(d);
    egress_wait(d);
    cni_server_wait(d->server);
    ops_wait(d);
}
