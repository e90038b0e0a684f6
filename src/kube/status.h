/* metav1.Status, the body Kubernetes sends with every API error: decoded
 * into (code, reason, message) so callers can branch on "NotFound",
 * "AlreadyExists", "Conflict", "Expired" and show the server's message. */
#ifndef KOVN_KUBE_STATUS_H
#define KOVN_KUBE_STATUS_H 1

#include <stdbool.h>
#include <stddef.h>

struct json;

struct kube_status {
    long code;     /* HTTP status code the Status reports, 0 if absent. */
    char *reason;  /* "NotFound", ... or "" */
    char *message; /* Human message or "" */
};

/* Decodes 'json' if it is a Status object (kind "Status"); returns false
 * and leaves 'status' empty otherwise.  Never fails on odd types: a field
 * of the wrong type is treated as absent. */
bool kube_status_from_json(const struct json *json,
                           struct kube_status *status);
/* The same for a Status in protobuf (a body starting with "k8s\0"), as
 * the API server answers a request that accepts protobuf. */
bool kube_status_from_protobuf(const void *data, size_t len,
                               struct kube_status *status);
void kube_status_destroy(struct kube_status *status);

#endif /* KOVN_KUBE_STATUS_H */
