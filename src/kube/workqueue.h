/* A rate-limited work queue of object keys, after client-go's
 * workqueue.RateLimitingInterface, for controllers that run on the OVS poll
 * loop.
 *
 * Keys are strings ("namespace/name" or "name").  The queue is
 * single-threaded: "workers" are logical, so a caller takes a key with
 * kube_workqueue_get(), reconciles it (possibly across several poll-loop
 * iterations) and then calls kube_workqueue_done().  The guarantees are
 * client-go's:
 *
 *   - A key is pending at most once: adding a key that is already pending
 *     does nothing, so a burst of events for one object costs one reconcile.
 *   - A key being processed is never handed out again before its done().  If
 *     it is added meanwhile it is marked dirty, and done() puts it back at the
 *     end of the ready queue, so the latest state is always reconciled.
 *   - Ready keys are handed out in FIFO order.
 *   - A delayed key (kube_workqueue_add_after) has one due time; scheduling it
 *     again keeps the earliest, and adding it immediately cancels the delay.
 *   - kube_workqueue_add_rate_limited() delays a key by the larger of its own
 *     exponential backoff (base * 2^failures, capped) and an overall token
 *     bucket's delay; kube_workqueue_forget() resets the key's failures.
 *
 * Every tracked key (pending, processing, delayed or with failures) counts
 * against a hard limit, so a peer that invents names cannot grow the queue
 * without bound.
 *
 * Poll-loop use: kube_workqueue_run() moves due delayed keys to the ready
 * queue, kube_workqueue_wait() arranges to wake up when a key is ready or
 * falls due. */
#ifndef KOVN_KUBE_WORKQUEUE_H
#define KOVN_KUBE_WORKQUEUE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kovn_error;

#define KUBE_WORKQUEUE_BASE_DELAY_MS 5
#define KUBE_WORKQUEUE_MAX_DELAY_MS  (1000 * 1000)
#define KUBE_WORKQUEUE_QPS           10.0
#define KUBE_WORKQUEUE_BURST         100
#define KUBE_WORKQUEUE_MAX_KEYS      (1000 * 1000)

/* Zero (or NULL) fields take the defaults above; a NULL config takes all of
 * them. */
struct kube_workqueue_config {
    long long base_delay_ms; /* First per-key backoff delay. */
    long long max_delay_ms;  /* Cap on the per-key backoff delay. */
    double qps;              /* Token bucket refill rate, per second. */
    unsigned int burst;      /* Token bucket size. */
    size_t max_keys;         /* Limit on distinct tracked keys. */

    /* Clock in milliseconds; defaults to OVS time_msec().  Tests inject a fake
     * one.  kube_workqueue_wait() turns due times on this clock into poll-loop
     * timers relative to time_msec(). */
    long long (*now_ms)(void *aux);
    void *aux;
};

/* Counters for callers to export; all cumulative except 'depth', 'waiting'
 * and 'keys'. */
struct kube_workqueue_metrics {
    size_t depth;     /* Keys ready to be handed out. */
    size_t waiting;   /* Keys with a pending delayed add. */
    size_t keys;      /* Distinct tracked keys (limited by 'max_keys'). */
    uint64_t adds;    /* Adds that made a key pending (not deduplicated). */
    uint64_t retries; /* Accepted kube_workqueue_add_rate_limited() calls. */

    /* Time from a key becoming pending (its add, or its due time if delayed)
     * to get(). */
    long long queue_latency_ms_sum;
    uint64_t queue_latency_count;

    /* Time from get() to done(). */
    long long processing_latency_ms_sum;
    uint64_t processing_latency_count;
};

struct kube_workqueue;

/* Creates a queue with 'config' (may be NULL) into '*queuep'.  Returns 0, or
 * -EINVAL (with a message in 'err') for negative or non-finite settings. */
int kube_workqueue_create(const struct kube_workqueue_config *config,
                          struct kube_workqueue **queuep,
                          struct kovn_error *err);
/* Frees 'queue' and every key in it, including keys being processed: the
 * strings returned by kube_workqueue_get() become invalid.  NULL is a
 * no-op. */
void kube_workqueue_destroy(struct kube_workqueue *queue);

/* Makes 'key' pending now.  Returns 0 (also when 'key' is already pending or
 * the queue is shut down) or -ENOSPC if 'key' is not tracked and the queue
 * already tracks 'max_keys' keys. */
int kube_workqueue_add(struct kube_workqueue *queue, const char *key);

/* Makes 'key' pending after 'delay_ms' (now if 'delay_ms' <= 0).  Does
 * nothing if 'key' is already pending; if 'key' already has a due time, the
 * earlier one is kept.  Returns 0 or -ENOSPC as kube_workqueue_add(). */
int kube_workqueue_add_after(struct kube_workqueue *queue, const char *key,
                             long long delay_ms);

/* Counts a failure of 'key' and adds it after max(per-key backoff, token
 * bucket delay), the backoff being base * 2^(failures before this one),
 * capped.  Returns 0 or -ENOSPC as kube_workqueue_add(). */
int kube_workqueue_add_rate_limited(struct kube_workqueue *queue,
                                    const char *key);

/* Resets the failure count of 'key', typically after a successful reconcile.
 * Does nothing for an unknown key. */
void kube_workqueue_forget(struct kube_workqueue *queue, const char *key);

/* Number of kube_workqueue_add_rate_limited() calls for 'key' since it was
 * last forgotten. */
unsigned int kube_workqueue_num_requeues(const struct kube_workqueue *queue,
                                         const char *key);

/* Hands out the next ready key and marks it processing, or returns NULL if no
 * key is ready or the queue is shut down.  The string is owned by the queue
 * and stays valid until kube_workqueue_done() for that key (it may itself be
 * passed to done(), forget() and the add functions). */
const char *kube_workqueue_get(struct kube_workqueue *queue);

/* Ends processing of 'key'; if it was added meanwhile it becomes ready again
 * at the back of the queue.  Returns 0, or -ENOENT if 'key' is not being
 * processed. */
int kube_workqueue_done(struct kube_workqueue *queue, const char *key);

/* Moves delayed keys whose due time has come to the ready queue, in order of
 * due time, then of scheduling. */
void kube_workqueue_run(struct kube_workqueue *queue);

/* Wakes the poll loop immediately if a key is ready, else at the earliest due
 * time of a delayed key. */
void kube_workqueue_wait(const struct kube_workqueue *queue);

/* From now on get() returns NULL, adds do nothing and run() and wait() are
 * no-ops; keys being processed may still be passed to done().  Cannot be
 * undone. */
void kube_workqueue_shutdown(struct kube_workqueue *queue);
bool kube_workqueue_is_shutdown(const struct kube_workqueue *queue);

/* Live counters of 'queue', valid until it is destroyed. */
const struct kube_workqueue_metrics *
kube_workqueue_metrics(const struct kube_workqueue *queue);

struct metrics_registry;

/* Publishes the queue's metrics into 'registry' as kovn_workqueue_* families
 * labelled name="<name>" (client-go's workqueue metric names, with
 * durations in seconds). */
void kube_workqueue_export(const struct kube_workqueue *queue,
                           const char *name,
                           struct metrics_registry *registry);

#endif /* KOVN_KUBE_WORKQUEUE_H */
