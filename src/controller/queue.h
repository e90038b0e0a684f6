/* A controller's work loop: a rate-limited workqueue of object keys and a
 * reconcile function, with reconciles that may finish later (after an API
 * write completes) and a bound on how many are in flight.
 *
 * Each key is reconciled on its own: a failure requeues that key with its
 * own backoff and nothing else, which is what keeps one broken object from
 * stalling the rest. */
#ifndef KOVN_CONTROLLER_QUEUE_H
#define KOVN_CONTROLLER_QUEUE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json;
struct kube_client;
struct kube_event_object;
struct kube_recorder;
struct kube_workqueue;
struct metrics_registry;

enum ctrl_result {
    CTRL_DONE,    /* Converged (or nothing to do until something changes). */
    CTRL_RETRY,   /* Failed: requeue with backoff. */
    CTRL_PENDING, /* A write is in flight; the job finishes the key. */
};

struct ctrl_job;
struct ctrl_queue;

/* Reconciles 'key'.  May start one API write with ctrl_job_send(), or hold
 * the job with ctrl_job_hold(), and return CTRL_PENDING. */
typedef enum ctrl_result ctrl_reconcile_fn(const char *key,
                                           struct ctrl_job *job, void *aux);

struct ctrl_queue *ctrl_queue_create(const char *name, size_t max_in_flight,
                                     ctrl_reconcile_fn *reconcile, void *aux);
void ctrl_queue_destroy(struct ctrl_queue *queue);

void ctrl_queue_add(struct ctrl_queue *queue, const char *key);
void ctrl_queue_add_after(struct ctrl_queue *queue, const char *key,
                          long long delay_ms);

/* Reconciles ready keys while fewer than max_in_flight are pending.  Does
 * nothing while 'active' is false (not the leader), keys stay queued. */
void ctrl_queue_run(struct ctrl_queue *queue, bool active);
void ctrl_queue_wait(struct ctrl_queue *queue, bool active);

size_t ctrl_queue_in_flight(const struct ctrl_queue *queue);
/* Requeues after failure for 'key' since its last success. */
unsigned int ctrl_queue_requeues(const struct ctrl_queue *queue,
                                 const char *key);
uint64_t ctrl_queue_errors(const struct ctrl_queue *queue);
void ctrl_queue_export(const struct ctrl_queue *queue,
                       struct metrics_registry *registry);

/* Starts the job's API write.  On a 2xx answer (or 404 for 'ok_if_gone')
 * the key succeeds and the job's events are recorded; otherwise the key is
 * retried with backoff and the error logged.  'body' is not taken. */
void ctrl_job_send(struct ctrl_job *job, struct kube_client *client,
                   const char *method, const char *path,
                   const struct json *body, const char *content_type,
                   bool ok_if_gone);

/* An Event to record only once the job's write has succeeded, so that a
 * retried write does not report the same transition twice. */
void ctrl_job_add_event(struct ctrl_job *job, struct kube_recorder *recorder,
                        const struct kube_event_object *object,
                        const char *type, const char *reason,
                        const char *message);

/* Counts the key as failed (requeued with backoff) even when the job's
 * write succeeds: the write only reported a failure that must be retried. */
void ctrl_job_retry_after_write(struct ctrl_job *job);

/* Calls 'fn(aux, key)' once the job's write has succeeded (after its
 * events), for state that must change only when the API server has the
 * write, such as releasing an address once its IP object is gone. */
void ctrl_job_on_success(struct ctrl_job *job,
                         void (*fn)(void *aux, const char *key), void *aux);

/* Counts a 409 answer to the job's write (sent just before) as a success:
 * for a create whose object may already be there, the watch event of which
 * has not arrived yet. */
void ctrl_job_ok_if_exists(struct ctrl_job *job);

/* Chains a next step: once the job's write has succeeded with a 2xx answer
 * (not a 404 accepted by 'ok_if_gone'), 'fn' runs instead of the key
 * finishing, and its result counts as the reconcile's.  A step may send
 * another write or hold the job (CTRL_PENDING).  This lets a reconcile go
 * on to its next write at once, rather than waiting in the queue behind
 * every other key for the watch event its own write causes. */
typedef enum ctrl_result ctrl_step_fn(struct ctrl_job *job, void *aux);
void ctrl_job_then(struct ctrl_job *job, ctrl_step_fn *fn, void *aux);

/* Keeps the job pending without an API write, for work that completes
 * elsewhere (an OVN NB batch): the reconcile (or step) returns
 * CTRL_PENDING, and whoever completes the work calls ctrl_job_resume()
 * exactly once. */
void ctrl_job_hold(struct ctrl_job *job);
/* Ends a hold with 'result': CTRL_DONE or CTRL_RETRY finish the key (the
 * job is freed); CTRL_PENDING means that, before this call, another write
 * was sent (which ends the hold) or the job was held again. */
void ctrl_job_resume(struct ctrl_job *job, enum ctrl_result result);

const char *ctrl_job_key(const struct ctrl_job *job);

#endif /* KOVN_CONTROLLER_QUEUE_H */
