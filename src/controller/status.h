/* Status and finalizer writes shared by the reconcilers: each builds the
 * status it wants on a copy, and a write happens only when the copy
 * differs, so a converged object costs no API call. */
#ifndef KOVN_CONTROLLER_STATUS_H
#define KOVN_CONTROLLER_STATUS_H 1

#include <stdbool.h>

#include "controller/queue.h"

struct controller;
struct json;
struct smap;
struct sset;

/* A copy of obj.status for editing ({} if absent), with a conditions
 * array. */
struct json *ctrl_status_copy(const struct json *obj);

/* Sets condition 'type' in 'status' (see kube_condition_set()). */
void ctrl_status_condition(struct json *status, const char *type,
                           const char *cond_status, const char *reason,
                           const char *message);

/* Sets condition Supported in 'status': False (UnsupportedFields) naming
 * the fields of obj's spec kovn does not implement (crd/support.h), else
 * True. */
void ctrl_status_supported(struct json *status, const char *kind,
                           const struct json *obj);

/* The reason of condition 'type' in obj.status, or "". */
const char *ctrl_condition_reason(const struct json *obj, const char *type);

/* Sets condition Ready=False with 'reason' and 'message' in 'status' and,
 * when obj's Ready condition did not already have that reason, records a
 * Warning Event 'event_reason' about obj (of 'kind'): one Event when an
 * object becomes blocked or broken, not one on every resync.  Returns
 * whether it recorded one. */
bool ctrl_status_not_ready(struct controller *ctl, struct ctrl_job *job,
                           const char *kind, const struct json *obj,
                           struct json *status, const char *reason,
                           const char *event_reason, const char *message);

/* Writes 'status' (taken) to the status subresource at 'path'
 * ("/apis/.../subnets/x") if it differs from obj.status, with obj's
 * resourceVersion as precondition.  Returns CTRL_PENDING when a write was
 * started, else CTRL_DONE. */
enum ctrl_result ctrl_status_write(struct controller *ctl,
                                   struct ctrl_job *job, const char *path,
                                   const struct json *obj,
                                   struct json *status);

/* ctrl_status_write() of a kubeovn.io object of 'kind', with its
 * Supported condition (ctrl_status_supported()). */
enum ctrl_result ctrl_crd_status_write(struct controller *ctl,
                                       struct ctrl_job *job, const char *kind,
                                       const char *path,
                                       const struct json *obj,
                                       struct json *status);
/* Sends merge patch 'patch' (taken; NULL: nothing to send) to 'path'.
 * Returns CTRL_PENDING, or CTRL_DONE when there was nothing to send. */
enum ctrl_result ctrl_merge_patch(struct controller *ctl, struct ctrl_job *job,
                                  const char *path, struct json *patch);
/* Adds or removes kovn's finalizer with a patch at 'path'.  Return
 * CTRL_PENDING, or CTRL_DONE when there was nothing to change. */
enum ctrl_result ctrl_finalizer_add(struct controller *ctl,
                                    struct ctrl_job *job, const char *path,
                                    const struct json *obj);
enum ctrl_result ctrl_finalizer_remove(struct controller *ctl,
                                       struct ctrl_job *job, const char *path,
                                       const struct json *obj);

/* With --adopt-kube-ovn: does kovn hold the object, by its own finalizer
 * or by Kube-OVN's it takes over?  ctrl_finalizer_remove() then drops
 * Kube-OVN's too. */
bool ctrl_finalizer_held(const struct controller *ctl, bool ours,
                         bool kube_ovn);
/* Replaces Kube-OVN's finalizers on the object at 'path' by kovn's in one
 * patch; an object being deleted only loses Kube-OVN's if it has kovn's
 * already (the API server lets no finalizer be added then: kovn holds it
 * by Kube-OVN's, see ctrl_finalizer_held()).  CTRL_DONE if nothing is to
 * change. */
enum ctrl_result ctrl_finalizer_adopt(struct controller *ctl,
                                      struct ctrl_job *job, const char *path,
                                      const struct json *obj, bool deleting);

/* Records 'reason' as an Event about kubeovn.io object 'obj' of 'kind'
 * once the job's write succeeds. */
void ctrl_job_event(struct controller *ctl, struct ctrl_job *job,
                    const char *kind, const struct json *obj, const char *type,
                    const char *reason, const char *message);

/* Sends one merge patch of the metadata.annotations of the object at 'path'
 * setting each entry of 'want' that differs from 'have', the object's
 * annotations ("" removes the annotation).  Returns CTRL_PENDING, or
 * CTRL_DONE when 'have' already says all of it. */
enum ctrl_result ctrl_patch_annotations(struct controller *ctl,
                                        struct ctrl_job *job, const char *path,
                                        const struct smap *have,
                                        const struct smap *want);

/* "a, b, c" for at most 'max' of 'names' sorted, then ", and N more". */
char *ctrl_name_list(const struct sset *names, size_t max);

#endif /* KOVN_CONTROLLER_STATUS_H */
