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
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
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
    struct ds skipped; /* "subnet (Reason), ..." */
};

static void
log_skip(const struct subnet *subnet, enum subnet_state state, void *aux)
{
    struct skip_ctx *ctx = aux;
    char *key = xasprintf("%s\t%s", subnet->name, subnet_state_reason(state));

    ctx->ctl->skips_total[state]++;
    if (ctx->skipped.length < 4096) {
        ds_put_format(&ctx->skipped, "%s%s (%s)",
                      ctx->skipped.length ? ", " : "", subnet->name,
                      subnet_state_reason(state));
    }
    if (sset_add(&ctx->ctl->skips_logged, key)) {
        VLOG_INFO("namespace %s: skipping subnet %s: %s (logged once per "
                  "subnet and reason)",
                  ctx->ns, subnet->name, subnet_state_reason(state));
    }
    free(key);
}

/* A namespace left without any subnet is the seed's symptom: it gets a
 * Warning Event saying which subnets were set aside and why, once per
 * episode, and counts in kovn_namespaces_unbound until it is bound. */
static void
report_unbound(struct controller *ctl, const char *ns, bool unbound,
               const char *skipped)
{
    if (!unbound) {
        sset_find_and_delete(&ctl->unbound_namespaces, ns);
        return;
    }
    if (!sset_add(&ctl->unbound_namespaces, ns)) {
        return;
    }
    struct kube_event_object object = {
        .api_version = "v1",
        .kind = "Namespace",
        .name = ns,
    };
    const struct sset *vpcs = crd_model_vpcs_listing(ctl->model, ns);
    struct ds msg = DS_EMPTY_INITIALIZER;
    const char *name;

    ds_put_cstr(&msg, "no usable subnet");
    if (*skipped) {
        ds_put_format(&msg, "; set aside: %s", skipped);
    }
    if (vpcs) {
        SSET_FOR_EACH(name, vpcs)
        {
            const struct vpc *vpc = crd_model_vpc(ctl->model, name);
            if (*vpc->default_subnet &&
                !crd_model_subnet(ctl->model, vpc->default_subnet)) {
                ds_put_format(&msg,
                              "; vpc %s lists it with defaultSubnet %s, "
                              "which does not exist",
                              name, vpc->default_subnet);
            }
        }
    }
    if (!*skipped && !vpcs) {
        ds_put_cstr(&msg, ": no subnet lists or selects it and the default "
                          "subnet is not usable");
    }
    VLOG_WARN("namespace %s: %s", ns, ds_cstr(&msg));
    kube_recorder_event(ctl->recorder, &object, "Warning", "NoUsableSubnet",
                        ds_cstr(&msg));
    ds_destroy(&msg);
}

enum ctrl_result
namespace_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *ns = kube_informer_get(ctl->namespace_informer, key);
    struct skip_ctx skip = {ctl, key, DS_EMPTY_INITIALIZER};
    struct ns_binding binding;
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct smap want = SMAP_INITIALIZER(&want);

    if (!ns || kube_object_is_deleting(ns)) {
        report_unbound(ctl, key, false, NULL);
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
    report_unbound(ctl, key, !binding.subnets.n, ds_cstr(&skip.skipped));
    ds_destroy(&skip.skipped);
    ns_binding_destroy(&binding);

    struct smap have = SMAP_INITIALIZER(&have);
    char *path = xasprintf(CTRL_NAMESPACES_PATH "/%s", key);

    kube_object_annotations(ns, ANN_PREFIX, &have);
    enum ctrl_result result =
        ctrl_patch_annotations(ctl, job, path, &have, &want);
    smap_destroy(&have);
    smap_destroy(&want);
    free(path);
    return result;
}
