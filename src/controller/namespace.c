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

/* Adds annotation 'key' = 'value' to 'patch' if it differs from the
 * namespace's; an empty 'value' removes the annotation (JSON null). */
static bool
put_annotation(struct json *patch, const struct json *ns, const char *key,
               const char *value)
{
    const char *current = kube_object_annotation(ns, key);

    if (!*value) {
        if (!current) {
            return false;
        }
        json_object_put(patch, key, json_null_create());
        return true;
    }
    if (current && !strcmp(current, value)) {
        return false;
    }
    json_object_put_string(patch, key, value);
    return true;
}

enum ctrl_result
namespace_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *ns = kube_informer_get(ctl->namespace_informer, key);
    const struct json *labels_json;
    struct skip_ctx skip = {ctl, key};
    struct ns_binding binding;
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct json *annotations;
    bool changed = false;

    if (!ns || kube_object_is_deleting(ns)) {
        return CTRL_DONE;
    }
    labels_json = json_member(json_member(ns, "metadata"), "labels");
    if (labels_json && labels_json->type == JSON_OBJECT) {
        struct shash_node *node;
        SHASH_FOR_EACH(node, json_object(labels_json))
        {
            const struct json *v = node->data;
            if (v->type == JSON_STRING) {
                smap_add(&labels, node->name, json_string(v));
            }
        }
    }
    crd_model_bind_namespace(ctl->model, key, &labels, &binding, log_skip,
                             &skip);
    smap_destroy(&labels);

    annotations = json_object_create();
    changed |= put_annotation(annotations, ns, ANN_LOGICAL_SWITCH,
                              binding.logical_switch);
    changed |= put_annotation(annotations, ns, ANN_CIDR, binding.cidr);
    changed |=
        put_annotation(annotations, ns, ANN_EXCLUDE_IPS, binding.exclude_ips);
    changed |= put_annotation(annotations, ns, ANN_IP_POOL, binding.ip_pool);
    if (!binding.subnets.n) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 10);
        VLOG_WARN_RL(&rl, "namespace %s: no usable subnet", key);
    }
    ns_binding_destroy(&binding);
    if (!changed) {
        json_destroy(annotations);
        return CTRL_DONE;
    }

    struct json *meta = json_object_create();
    struct json *patch = json_object_create();
    char *path = xasprintf(CTRL_NAMESPACES_PATH "/%s", key);

    json_object_put(meta, "annotations", annotations);
    json_object_put(patch, "metadata", meta);
    ctrl_job_send(job, ctl->client, "PATCH", path, patch,
                  "application/merge-patch+json", true);
    json_destroy(patch);
    free(path);
    return CTRL_PENDING;
}
