/* The Namespace reconciler: writes the subnets a namespace gets into its
 * ovn.kubernetes.io annotations with one patch, only when they change.
 *
 * This is where Kube-OVN's orphaned-subnet bug lived.  Here a subnet that
 * cannot work is set aside by crd_model_bind_namespace() before anything
 * binds, logged once per (subnet, reason) and counted; it is never an
 * error for the namespace, so the namespace succeeds on its first try. */
#include <config.h>

#include <string.h>

#include "controller/controller.h"
#include "controller/queue.h"
#include "controller/status.h"
#include "crd/names.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(namespace);

struct skip_ctx {
    struct controller *ctl;
    const char *ns;
};

static void
log_skip(const struct subnet *subnet, enum subnet_state state, void *aux)
{
    struct skip_ctx *ctx = aux;
    char *key = xasprintf("%s\t%s", subnet->name, subnet_state_reason(state));

    ctx->ctl->skips_total[state]++;
    if (sset_add(&ctx->ctl->skips_logged, key)) {
        VLOG_INFO("namespace %s: skipping subnet %s: %s (logged once per "
                  "subnet and reason)",
                  ctx->ns, subnet->name, subnet_state_reason(state));
    }
    free(key);
}

enum ctrl_result
namespace_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *ns = kube_informer_get(ctl->namespace_informer, key);
    struct skip_ctx skip = {ctl, key};
    struct ns_binding binding;
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct smap want = SMAP_INITIALIZER(&want);

    if (!ns || kube_object_is_deleting(ns)) {
        return CTRL_DONE;
    }
    kube_object_labels(ns, &labels);
    crd_model_bind_namespace(ctl->model, key, &labels, &binding, log_skip,
                             &skip);
    smap_destroy(&labels);

    smap_add(&want, ANN_LOGICAL_SWITCH, binding.logical_switch);
    smap_add(&want, ANN_CIDR, binding.cidr);
    smap_add(&want, ANN_EXCLUDE_IPS, binding.exclude_ips);
    smap_add(&want, ANN_IP_POOL, binding.ip_pool);
    if (!binding.subnets.n) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 10);
        VLOG_WARN_RL(&rl, "namespace %s: no usable subnet", key);
    }
    ns_binding_destroy(&binding);

    char *path = xasprintf(CTRL_NAMESPACES_PATH "/%s", key);
    enum ctrl_result result =
        ctrl_patch_annotations(ctl, job, path, ns, &want);
    smap_destroy(&want);
    free(path);
    return result;
}
