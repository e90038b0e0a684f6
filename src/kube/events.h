/* A recorder of core/v1 Events, aggregated like client-go's: repeats of the
 * same (object, type, reason, message) update one Event's count and
 * lastTimestamp instead of creating new objects, and a per-object token
 * bucket (burst 25, one more every 5 minutes) keeps a flapping object from
 * flooding the API server.  Writes are asynchronous on the REST client;
 * repeats that arrive while a write is in flight are folded into the next
 * one. */
#ifndef KOVN_KUBE_EVENTS_H
#define KOVN_KUBE_EVENTS_H 1

#include <stddef.h>

struct kube_client;

struct kube_event_object {
    const char *api_version; /* "kubeovn.io/v1" */
    const char *kind;        /* "Subnet" */
    const char *namespace;   /* "" or NULL for cluster-scoped objects. */
    const char *name;
    const char *uid; /* May be NULL. */
};

struct kube_event_stats {
    unsigned long long recorded;
    unsigned long long created;
    unsigned long long patched;
    unsigned long long dropped; /* By the rate limit. */
    unsigned long long failed;
};

struct kube_recorder;

/* 'component' is the reporting source ("kovn-controller"); events of
 * cluster-scoped objects go to 'default_namespace'. */
struct kube_recorder *kube_recorder_create(struct kube_client *client,
                                           const char *component,
                                           const char *default_namespace);
void kube_recorder_destroy(struct kube_recorder *recorder);

/* 'type' is "Normal" or "Warning". */
void kube_recorder_event(struct kube_recorder *recorder,
                         const struct kube_event_object *object,
                         const char *type, const char *reason,
                         const char *message);

/* Writes still queued or in flight. */
size_t kube_recorder_pending(const struct kube_recorder *recorder);
const struct kube_event_stats *
kube_recorder_stats(const struct kube_recorder *recorder);

#endif /* KOVN_KUBE_EVENTS_H */
