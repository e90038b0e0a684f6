/* Typed calls over the REST client for the verbs controllers use, so that
 * callers name what they do (create, patch with a given patch type,
 * delete with preconditions, write status) instead of assembling methods,
 * content types and DeleteOptions by hand.  All are asynchronous like
 * kube_client_send(); 'done' is called once from kube_client_run(). */
#ifndef KOVN_KUBE_API_H
#define KOVN_KUBE_API_H 1

#include "kube/rest.h"

enum kube_patch_type {
    KUBE_PATCH_MERGE,     /* RFC 7386, application/merge-patch+json. */
    KUBE_PATCH_JSON,      /* RFC 6902, application/json-patch+json. */
    KUBE_PATCH_STRATEGIC, /* Built-in kinds only. */
};

const char *kube_patch_content_type(enum kube_patch_type type);

/* 'path' names one object ("/api/v1/namespaces/ns/pods/p"); 'collection'
 * its collection ("/api/v1/namespaces/ns/pods"). */
struct kube_request *kube_get(struct kube_client *, const char *path,
                              kube_response_fn *done, void *aux);
struct kube_request *kube_create(struct kube_client *, const char *collection,
                                 const struct json *object,
                                 kube_response_fn *done, void *aux);
/* PUT: 'object' should carry metadata.resourceVersion, making the write
 * conditional (409 when the object changed). */
struct kube_request *kube_update(struct kube_client *, const char *path,
                                 const struct json *object,
                                 kube_response_fn *done, void *aux);
struct kube_request *kube_patch(struct kube_client *, const char *path,
                                enum kube_patch_type type,
                                const struct json *patch,
                                kube_response_fn *done, void *aux);
/* The same against the status subresource. */
struct kube_request *kube_update_status(struct kube_client *, const char *path,
                                        const struct json *object,
                                        kube_response_fn *done, void *aux);
struct kube_request *kube_patch_status(struct kube_client *, const char *path,
                                       enum kube_patch_type type,
                                       const struct json *patch,
                                       kube_response_fn *done, void *aux);
/* DELETE with DeleteOptions preconditions: the server refuses with 409 if
 * the object's uid or resourceVersion differs (NULL: no precondition).
 * 'grace_period_s' < 0 leaves the default. */
struct kube_request *kube_delete(struct kube_client *, const char *path,
                                 const char *uid, const char *resource_version,
                                 long long grace_period_s,
                                 kube_response_fn *done, void *aux);

/* A JSON Patch operation list: ops are appended to '*patch' (created on
 * first use).  'value' is taken (may be NULL for "remove"). */
void kube_json_patch_add_op(struct json **patch, const char *op,
                            const char *path, struct json *value);

#endif /* KOVN_KUBE_API_H */
