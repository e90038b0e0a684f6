/* Pure helpers over Kubernetes objects held as OVS 'struct json': metadata
 * accessors, finalizer merge patches and status conditions with the
 * semantics of apimachinery's meta.SetStatusCondition.
 *
 * Objects come from the API server, so nothing here trusts their shape: a
 * missing member or one of the wrong type reads as absent (NULL, 0, false)
 * and never crashes.  Strings returned point into the object and live as
 * long as it does. */
#ifndef KOVN_KUBE_OBJECT_H
#define KOVN_KUBE_OBJECT_H 1

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct json;
struct kovn_error;

/* Limits Kubernetes itself enforces on metav1.Condition. */
#define KUBE_CONDITION_REASON_MAX  1024
#define KUBE_CONDITION_MESSAGE_MAX 32768

/* Room for "YYYY-MM-DDTHH:MM:SSZ" even for far-off years. */
#define KUBE_RFC3339_LEN 32

/* metadata.* accessors. */
const char *kube_object_name(const struct json *obj);
const char *kube_object_namespace(const struct json *obj);
const char *kube_object_uid(const struct json *obj);
const char *kube_object_resource_version(const struct json *obj);
/* "namespace/name", or "name" for cluster-scoped objects (malloc'd); NULL
 * if 'obj' has no name.  The key informers and workqueues use. */
char *kube_object_key(const struct json *obj);
int64_t kube_object_generation(const struct json *obj);
bool kube_object_is_deleting(const struct json *obj);
const char *kube_object_label(const struct json *obj, const char *key);
const char *kube_object_annotation(const struct json *obj, const char *key);
/* Adds metadata.labels (string values only) to 'labels'. */
struct smap;
void kube_object_labels(const struct json *obj, struct smap *labels);
/* Adds the metadata.annotations whose keys start with 'prefix' ("" for
 * all; string values only) to 'annotations'. */
void kube_object_annotations(const struct json *obj, const char *prefix,
                             struct smap *annotations);
bool kube_object_has_finalizer(const struct json *obj, const char *name);

/* Keeps only the members of 'obj' on the dot-separated 'paths' (a NULL-
 * terminated array, e.g. {"metadata.name", "spec.nodeName", NULL}): a
 * listed path keeps its whole subtree, members on no path are dropped.
 * For informers of big objects (pods) whose controller reads a few
 * fields. */
void kube_object_prune(struct json *obj, const char *const paths[]);

/* Merge patch bodies (application/merge-patch+json) that set
 * metadata.finalizers to the whole new list, other finalizers kept in order.
 * The body also carries obj's metadata.resourceVersion (when it has one) so
 * the API server rejects the patch with 409 Conflict if the object changed
 * since it was read, instead of dropping a finalizer another controller just
 * added.  Return NULL when nothing needs to change; the caller owns and
 * destroys a non-null result. */
struct json *kube_finalizer_add_patch(const struct json *obj,
                                      const char *finalizer);
struct json *kube_finalizer_remove_patch(const struct json *obj,
                                         const char *finalizer);
/* The same for dropping every finalizer of 'drop' (a NULL-terminated
 * array) and then adding 'add' (NULL for none) unless present, in one
 * patch: replacing another controller's finalizers with one's own. */
struct json *kube_finalizer_replace_patch(const struct json *obj,
                                          const char *const drop[],
                                          const char *add);

/* A status condition to write.  Strings are borrowed. */
struct kube_condition {
    const char *type;            /* Non-empty, e.g. "Ready". */
    const char *status;          /* "True", "False" or "Unknown". */
    const char *reason;          /* CamelCase or NULL/"" for none. */
    const char *message;         /* Human text or NULL/"" for none. */
    int64_t observed_generation; /* 0 means unset (omitted). */
};

/* Returns 0 if 'c' is acceptable to the API server, otherwise -EINVAL with a
 * message naming the field. */
int kube_condition_validate(const struct kube_condition *c,
                            struct kovn_error *err);

/* Sets condition 'c' in the JSON array 'conditions', stamping changes with
 * 'now' (an RFC 3339 time).  An existing condition of the same type gets the
 * new status, reason, message and observedGeneration plus lastUpdateTime =
 * 'now'; its lastTransitionTime moves to 'now' only if the status changed.
 * A new type is appended with both times 'now'.
 *
 * Returns true if the array changed.  When the condition already says the
 * same thing nothing is touched, not even lastUpdateTime, so that callers
 * can skip a status write that would change only a timestamp.  An invalid
 * 'c' (see kube_condition_validate()) or a non-array 'conditions' is not
 * written and returns false. */
bool kube_condition_set(struct json *conditions,
                        const struct kube_condition *c, const char *now);

/* The first condition object in 'conditions' whose type is 'type', or NULL.
 */
const struct json *kube_condition_find(const struct json *conditions,
                                       const char *type);

/* True if condition 'type' exists and its status is "True". */
bool kube_condition_is_true(const struct json *conditions, const char *type);

/* Removes every condition of 'type'; returns true if one was removed. */
bool kube_condition_remove(struct json *conditions, const char *type);

/* Formats 't' (or the current time) as "2026-11-25T14:00:00Z": UTC, whole
 * seconds, as Kubernetes writes metav1.Time. */
void kube_rfc3339_format(time_t t, char buf[KUBE_RFC3339_LEN]);
void kube_rfc3339_now(char buf[KUBE_RFC3339_LEN]);

#endif /* KOVN_KUBE_OBJECT_H */
