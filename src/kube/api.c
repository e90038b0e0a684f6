/* Typed REST verbs; see api.h. */
#include <config.h>

#include "kube/api.h"

#include "openvswitch/json.h"
#include "util.h"

const char *
kube_patch_content_type(enum kube_patch_type type)
{
    switch (type) {
    case KUBE_PATCH_MERGE:
        return "application/merge-patch+json";
    case KUBE_PATCH_JSON:
        return "application/json-patch+json";
    case KUBE_PATCH_STRATEGIC:
        return "application/strategic-merge-patch+json";
    }
    OVS_NOT_REACHED();
}

struct kube_request *
kube_get(struct kube_client *client, const char *path, kube_response_fn *done,
         void *aux)
{
    return kube_client_send(client, "GET", path, NULL, NULL, done, aux);
}

struct kube_request *
kube_create(struct kube_client *client, const char *collection,
            const struct json *object, kube_response_fn *done, void *aux)
{
    return kube_client_send(client, "POST", collection, object, NULL, done,
                            aux);
}

struct kube_request *
kube_update(struct kube_client *client, const char *path,
            const struct json *object, kube_response_fn *done, void *aux)
{
    return kube_client_send(client, "PUT", path, object, NULL, done, aux);
}

struct kube_request *
kube_patch(struct kube_client *client, const char *path,
           enum kube_patch_type type, const struct json *patch,
           kube_response_fn *done, void *aux)
{
    return kube_client_send(client, "PATCH", path, patch,
                            kube_patch_content_type(type), done, aux);
}

struct kube_request *
kube_update_status(struct kube_client *client, const char *path,
                   const struct json *object, kube_response_fn *done,
                   void *aux)
{
    char *status = xasprintf("%s/status", path);
    struct kube_request *request =
        kube_update(client, status, object, done, aux);
    free(status);
    return request;
}

struct kube_request *
kube_patch_status(struct kube_client *client, const char *path,
                  enum kube_patch_type type, const struct json *patch,
                  kube_response_fn *done, void *aux)
{
    char *status = xasprintf("%s/status", path);
    struct kube_request *request =
        kube_patch(client, status, type, patch, done, aux);
    free(status);
    return request;
}

struct kube_request *
kube_delete(struct kube_client *client, const char *path, const char *uid,
            const char *resource_version, long long grace_period_s,
            kube_response_fn *done, void *aux)
{
    struct json *options = json_object_create();
    struct json *pre = json_object_create();
    struct kube_request *request;

    json_object_put_string(options, "apiVersion", "v1");
    json_object_put_string(options, "kind", "DeleteOptions");
    if (uid) {
        json_object_put_string(pre, "uid", uid);
    }
    if (resource_version) {
        json_object_put_string(pre, "resourceVersion", resource_version);
    }
    json_object_put(options, "preconditions", pre);
    if (grace_period_s >= 0) {
        json_object_put(options, "gracePeriodSeconds",
                        json_integer_create(grace_period_s));
    }
    request =
        kube_client_send(client, "DELETE", path, options, NULL, done, aux);
    json_destroy(options);
    return request;
}

void
kube_json_patch_add_op(struct json **patch, const char *op, const char *path,
                       struct json *value)
{
    struct json *item = json_object_create();

    if (!*patch) {
        *patch = json_array_create_empty();
    }
    json_object_put_string(item, "op", op);
    json_object_put_string(item, "path", path);
    if (value) {
        json_object_put(item, "value", value);
    }
    json_array_add(*patch, item);
}
