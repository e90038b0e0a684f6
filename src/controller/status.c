/* Status and finalizer writes; see status.h. */
#include <config.h>

#include "controller/status.h"

#include <string.h>

#include "controller/controller.h"
#include "crd/names.h"
#include "crd/support.h"
#include "kube/events.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

#define MERGE_PATCH "application/merge-patch+json"

struct json *
ctrl_status_copy(const struct json *obj)
{
    const struct json *status = json_member(obj, "status");
    struct json *copy = status && status->type == JSON_OBJECT
                            ? json_deep_clone(status)
                            : json_object_create();
    const struct json *conditions = json_member(copy, "conditions");

    if (!conditions || conditions->type != JSON_ARRAY) {
        json_object_put(copy, "conditions", json_array_create_empty());
    }
    return copy;
}

void
ctrl_status_condition(struct json *status, const char *type,
                      const char *cond_status, const char *reason,
                      const char *message)
{
    struct kube_condition c = {
        .type = type,
        .status = cond_status,
        .reason = reason,
        .message = message,
    };
    char now[KUBE_RFC3339_LEN];
    char *cut = NULL;

    if (message && strlen(message) > KUBE_CONDITION_MESSAGE_MAX) {
        cut = xmemdup0(message, KUBE_CONDITION_MESSAGE_MAX);
        c.message = cut;
    }
    kube_rfc3339_now(now);
    kube_condition_set(shash_find_data(json_object(status), "conditions"), &c,
                       now);
    free(cut);
}

void
ctrl_status_supported(struct json *status, const char *kind,
                      const struct json *obj)
{
    struct svec fields = SVEC_EMPTY_INITIALIZER;
    char *msg;

    crd_unsupported_fields(kind, obj, &fields);
    msg = crd_unsupported_message(&fields);
    if (msg) {
        ctrl_status_condition(status, "Supported", "False",
                              "UnsupportedFields", msg);
    } else {
        ctrl_status_condition(status, "Supported", "True", "Supported", NULL);
    }
    free(msg);
    svec_destroy(&fields);
}

enum ctrl_result
ctrl_crd_status_write(struct controller *ctl, struct ctrl_job *job,
                      const char *kind, const char *path,
                      const struct json *obj, struct json *status)
{
    ctrl_status_supported(status, kind, obj);
    return ctrl_status_write(ctl, job, path, obj, status);
}

const char *
ctrl_condition_reason(const struct json *obj, const char *type)
{
    const struct json *cond = kube_condition_find(
        json_member(json_member(obj, "status"), "conditions"), type);
    const char *reason = NULL;

    json_member_string(cond, "reason", "", &reason, NULL);
    return reason ? reason : "";
}

bool
ctrl_status_not_ready(struct controller *ctl, struct ctrl_job *job,
                      const char *kind, const struct json *obj,
                      struct json *status, const char *reason,
                      const char *event_reason, const char *message)
{
    ctrl_status_condition(status, "Ready", "False", reason, message);
    if (!strcmp(ctrl_condition_reason(obj, "Ready"), reason)) {
        return false;
    }
    ctrl_job_event(ctl, job, kind, obj, "Warning", event_reason, message);
    return true;
}

enum ctrl_result
ctrl_status_write(struct controller *ctl, struct ctrl_job *job,
                  const char *path, const struct json *obj,
                  struct json *status)
{
    const struct json *old = json_member(obj, "status");
    const char *rv = kube_object_resource_version(obj);

    if (old && json_equal(old, status)) {
        json_destroy(status);
        return CTRL_DONE;
    }

    struct json *meta = json_object_create();
    struct json *patch = json_object_create();
    char *status_path = xasprintf("%s/status", path);

    if (rv) {
        /* A precondition: a status computed from a stale read is refused
         * with 409 and recomputed, never written over newer data. */
        json_object_put_string(meta, "resourceVersion", rv);
    }
    json_object_put(patch, "metadata", meta);
    json_object_put(patch, "status", status);
    ctrl_job_send(job, ctl->client, "PATCH", status_path, patch, MERGE_PATCH,
                  true);
    free(status_path);
    json_destroy(patch);
    return CTRL_PENDING;
}

enum ctrl_result
ctrl_merge_patch(struct controller *ctl, struct ctrl_job *job,
                 const char *path, struct json *patch)
{
    if (!patch) {
        return CTRL_DONE;
    }
    ctrl_job_send(job, ctl->client, "PATCH", path, patch, MERGE_PATCH, true);
    json_destroy(patch);
    return CTRL_PENDING;
}

enum ctrl_result
ctrl_finalizer_add(struct controller *ctl, struct ctrl_job *job,
                   const char *path, const struct json *obj)
{
    return ctrl_merge_patch(ctl, job, path,
                            kube_finalizer_add_patch(obj, CRD_FINALIZER));
}

static const char *const kube_ovn_finalizers[] = {
    CRD_KUBE_OVN_FINALIZER,
    CRD_KUBE_OVN_FINALIZER_OLD,
    NULL,
};

enum ctrl_result
ctrl_finalizer_remove(struct controller *ctl, struct ctrl_job *job,
                      const char *path, const struct json *obj)
{
    static const char *const all[] = {
        CRD_FINALIZER,
        CRD_KUBE_OVN_FINALIZER,
        CRD_KUBE_OVN_FINALIZER_OLD,
        NULL,
    };

    if (ctl->opts.adopt_kube_ovn) {
        return ctrl_merge_patch(ctl, job, path,
                                kube_finalizer_replace_patch(obj, all, NULL));
    }
    return ctrl_merge_patch(ctl, job, path,
                            kube_finalizer_remove_patch(obj, CRD_FINALIZER));
}

bool
ctrl_finalizer_held(const struct controller *ctl, bool ours, bool kube_ovn)
{
    return ours || (ctl->opts.adopt_kube_ovn && kube_ovn);
}

enum ctrl_result
ctrl_finalizer_adopt(struct controller *ctl, struct ctrl_job *job,
                     const char *path, const struct json *obj, bool deleting)
{
    if (deleting && !kube_object_has_finalizer(obj, CRD_FINALIZER)) {
        return CTRL_DONE;
    }
    return ctrl_merge_patch(
        ctl, job, path,
        kube_finalizer_replace_patch(obj, kube_ovn_finalizers,
                                     deleting ? NULL : CRD_FINALIZER));
}

void
ctrl_job_event(struct controller *ctl, struct ctrl_job *job, const char *kind,
               const struct json *obj, const char *type, const char *reason,
               const char *message)
{
    struct kube_event_object object = {
        .api_version = CRD_GROUP_VERSION,
        .kind = kind,
        .name = kube_object_name(obj),
        .uid = kube_object_uid(obj),
    };

    ctrl_job_add_event(job, ctl->recorder, &object, type, reason, message);
}

enum ctrl_result
ctrl_patch_annotations(struct controller *ctl, struct ctrl_job *job,
                       const char *path, const struct smap *have_all,
                       const struct smap *want)
{
    struct json *annotations = json_object_create();
    struct smap_node *node;

    SMAP_FOR_EACH(node, want)
    {
        const char *have = smap_get(have_all, node->key);

        if (!*node->value) {
            if (have) {
                json_object_put(annotations, node->key, json_null_create());
            }
        } else if (!have || strcmp(have, node->value)) {
            json_object_put_string(annotations, node->key, node->value);
        }
    }
    if (!shash_count(json_object(annotations))) {
        json_destroy(annotations);
        return CTRL_DONE;
    }

    struct json *meta = json_object_create();
    struct json *patch = json_object_create();

    json_object_put(meta, "annotations", annotations);
    json_object_put(patch, "metadata", meta);
    ctrl_job_send(job, ctl->client, "PATCH", path, patch, MERGE_PATCH, true);
    json_destroy(patch);
    return CTRL_PENDING;
}

char *
ctrl_name_list(const struct sset *names, size_t max)
{
    const char **sorted = sset_sort(names);
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n = sset_count(names);

    for (size_t i = 0; i < n && i < max; i++) {
        ds_put_format(&s, "%s%s", i ? ", " : "", sorted[i]);
    }
    if (n > max) {
        ds_put_format(&s, ", and %zu more", n - max);
    }
    free(sorted);
    return ds_steal_cstr(&s);
}
