/* Rate-limited work queue of object keys; see workqueue.h.
 *
 * One 'struct wq_item' per tracked key, in 'items'.  Its flags obey:
 *
 *   - 'dirty': the key must be (re)processed.  It is on 'ready' exactly when
 *     'dirty' and not 'processing'; a dirty processing key goes on 'ready'
 *     at done().
 *   - 'waiting': the key is in 'delayed' with due time 'due_ms'.  A waiting
 *     key is never dirty: making it pending cancels the delay, and a delayed
 *     add of a pending key does nothing.
 *   - The item is freed as soon as it is neither dirty, processing, waiting
 *     nor has failures, so 'items' holds exactly the tracked keys that
 *     'max_keys' limits. */
#include <config.h>

#include "kube/workqueue.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/metrics.h"
#include "hash.h"
#include "heap.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "timeval.h"
#include "util.h"

struct wq_item {
    struct hmap_node hmap_node; /* In 'items', by hash of 'key'. */
    struct ovs_list list_node;  /* In 'ready' iff dirty && !processing. */
    struct heap_node heap_node; /* In 'delayed' iff waiting. */

    bool dirty;
    bool processing;
    bool waiting;
    unsigned int failures; /* add_rate_limited() calls since forget(). */
    long long pending_ms;  /* When 'dirty' was last set. */
    long long get_ms;      /* When handed out, if 'processing'. */
    long long due_ms;      /* If 'waiting'. */
    uint64_t seq;          /* Orders waiting keys with the same 'due_ms'. */
    char key[];
};

struct kube_workqueue {
    struct hmap items;     /* Contains "struct wq_item"s. */
    struct ovs_list ready; /* FIFO of ready "struct wq_item"s. */
    struct heap delayed;   /* Waiting items, earliest 'due_ms' on top. */
    uint64_t next_seq;
    bool shutdown;

    long long base_delay_ms;
    long long max_delay_ms;
    size_t max_keys;
    long long (*now_ms)(void *aux);
    void *aux;

    /* Token bucket, as golang.org/x/time/rate: 'tokens' may go negative,
     * which is the debt that later reservations wait for. */
    double qps;
    double burst;
    double tokens;
    long long bucket_ms; /* Time 'tokens' was last brought up to date. */

    struct kube_workqueue_metrics metrics;
};

static long long
default_now_ms(void *aux OVS_UNUSED)
{
    return time_msec();
}

static long long
wq_now(const struct kube_workqueue *q)
{
    return q->now_ms(q->aux);
}

static long long
add_saturating(long long a, long long b)
{
    if (b > 0 && a > LLONG_MAX - b) {
        return LLONG_MAX;
    }
    return a + b;
}

/* 'delayed' is a max-heap, so the earliest due time gets the largest
 * priority.  Flipping the sign bit maps signed order onto unsigned order. */
static uint64_t
due_to_priority(long long due_ms)
{
    return ~((uint64_t)due_ms ^ (UINT64_C(1) << 63));
}

static int
check_config(const struct kube_workqueue_config *c, struct kovn_error *err)
{
    if (c->base_delay_ms < 0) {
        return kovn_error_set(err, -EINVAL,
                              "workqueue base delay %lld ms is negative",
                              c->base_delay_ms);
    }
    if (c->max_delay_ms < 0) {
        return kovn_error_set(err, -EINVAL,
                              "workqueue max delay %lld ms is negative",
                              c->max_delay_ms);
    }
    if (!isfinite(c->qps) || c->qps < 0) {
        return kovn_error_set(err, -EINVAL,
                              "workqueue qps %g is negative or not finite",
                              c->qps);
    }
    return 0;
}

int
kube_workqueue_create(const struct kube_workqueue_config *config,
                      struct kube_workqueue **queuep, struct kovn_error *err)
{
    static const struct kube_workqueue_config defaults;
    const struct kube_workqueue_config *c = config ? config : &defaults;
    struct kube_workqueue *q;
    int error;

    *queuep = NULL;
    error = check_config(c, err);
    if (error) {
        return error;
    }

    q = xzalloc(sizeof *q);
    hmap_init(&q->items);
    ovs_list_init(&q->ready);
    heap_init(&q->delayed);
    q->base_delay_ms =
        c->base_delay_ms ? c->base_delay_ms : KUBE_WORKQUEUE_BASE_DELAY_MS;
    q->max_delay_ms =
        c->max_delay_ms ? c->max_delay_ms : KUBE_WORKQUEUE_MAX_DELAY_MS;
    q->max_keys = c->max_keys ? c->max_keys : KUBE_WORKQUEUE_MAX_KEYS;
    q->now_ms = c->now_ms ? c->now_ms : default_now_ms;
    q->aux = c->aux;
    q->qps = c->qps ? c->qps : KUBE_WORKQUEUE_QPS;
    q->burst = c->burst ? c->burst : KUBE_WORKQUEUE_BURST;
    q->tokens = q->burst;
    q->bucket_ms = wq_now(q);

    *queuep = q;
    return 0;
}

void
kube_workqueue_destroy(struct kube_workqueue *q)
{
    struct wq_item *item;

    if (!q) {
        return;
    }
    HMAP_FOR_EACH_POP(item, hmap_node, &q->items)
    {
        free(item);
    }
    hmap_destroy(&q->items);
    heap_destroy(&q->delayed);
    free(q);
}

static struct wq_item *
find_item(const struct kube_workqueue *q, const char *key)
{
    struct wq_item *item;

    HMAP_FOR_EACH_WITH_HASH(item, hmap_node, hash_string(key, 0), &q->items)
    {
        if (!strcmp(item->key, key)) {
            return item;
        }
    }
    return NULL;
}

/* Finds or creates the item for 'key' into '*itemp'. */
static int
get_item(struct kube_workqueue *q, const char *key, struct wq_item **itemp)
{
    struct wq_item *item = find_item(q, key);

    if (!item) {
        size_t len = strlen(key);

        if (hmap_count(&q->items) >= q->max_keys) {
            *itemp = NULL;
            return -ENOSPC;
        }
        item = xzalloc(sizeof *item + len + 1);
        memcpy(item->key, key, len + 1);
        hmap_insert(&q->items, &item->hmap_node, hash_string(key, 0));
        q->metrics.keys++;
    }
    *itemp = item;
    return 0;
}

static void
free_item_if_idle(struct kube_workqueue *q, struct wq_item *item)
{
    if (!item->dirty && !item->processing && !item->waiting &&
        !item->failures) {
        hmap_remove(&q->items, &item->hmap_node);
        q->metrics.keys--;
        free(item);
    }
}

static void
push_ready(struct kube_workqueue *q, struct wq_item *item)
{
    ovs_list_push_back(&q->ready, &item->list_node);
    q->metrics.depth++;
}

static void
cancel_delay(struct kube_workqueue *q, struct wq_item *item)
{
    heap_remove(&q->delayed, &item->heap_node);
    item->waiting = false;
    q->metrics.waiting--;
}

/* Makes 'item' pending, as having become so at 'pending_ms'. */
static void
make_pending(struct kube_workqueue *q, struct wq_item *item,
             long long pending_ms)
{
    if (item->dirty) {
        return;
    }
    if (item->waiting) {
        cancel_delay(q, item);
    }
    item->dirty = true;
    item->pending_ms = pending_ms;
    q->metrics.adds++;
    if (!item->processing) {
        push_ready(q, item);
    }
}

static void
schedule(struct kube_workqueue *q, struct wq_item *item, long long delay_ms)
{
    long long due_ms;

    if (delay_ms <= 0) {
        make_pending(q, item, wq_now(q));
        return;
    }
    if (item->dirty) {
        return;
    }
    due_ms = add_saturating(wq_now(q), delay_ms);
    if (!item->waiting) {
        item->waiting = true;
        item->due_ms = due_ms;
        item->seq = q->next_seq++;
        heap_insert(&q->delayed, &item->heap_node, due_to_priority(due_ms));
        q->metrics.waiting++;
    } else if (due_ms < item->due_ms) {
        item->due_ms = due_ms;
        item->seq = q->next_seq++;
        heap_change(&q->delayed, &item->heap_node, due_to_priority(due_ms));
    }
}

int
kube_workqueue_add(struct kube_workqueue *q, const char *key)
{
    return kube_workqueue_add_after(q, key, 0);
}

int
kube_workqueue_add_after(struct kube_workqueue *q, const char *key,
                         long long delay_ms)
{
    struct wq_item *item;
    int error;

    if (q->shutdown) {
        return 0;
    }
    error = get_item(q, key, &item);
    if (!error) {
        schedule(q, item, delay_ms);
    }
    return error;
}

/* base * 2^failures, capped at 'max_delay_ms' without overflowing. */
static long long
backoff_delay(const struct kube_workqueue *q, unsigned int failures)
{
    long long delay = MIN(q->base_delay_ms, q->max_delay_ms);

    for (unsigned int i = 0; i < failures && delay < q->max_delay_ms; i++) {
        delay = delay > q->max_delay_ms / 2 ? q->max_delay_ms : 2 * delay;
    }
    return delay;
}

/* Takes one token and returns how long to wait until it is really there. */
static long long
bucket_delay(struct kube_workqueue *q)
{
    long long now = wq_now(q);
    double delay;

    if (now > q->bucket_ms) {
        q->tokens += (double)(now - q->bucket_ms) * q->qps / 1000.0;
        q->tokens = MIN(q->tokens, q->burst);
        q->bucket_ms = now;
    }
    q->tokens -= 1.0;
    if (q->tokens >= 0) {
        return 0;
    }
    /* The small slack keeps rounding error in 'tokens' from adding 1 ms; the
     * clamp keeps a tiny 'qps' from overflowing the conversion. */
    delay = ceil(-q->tokens * 1000.0 / q->qps - 1e-6);
    return delay < (double)(LLONG_MAX / 2) ? (long long)delay : LLONG_MAX / 2;
}

int
kube_workqueue_add_rate_limited(struct kube_workqueue *q, const char *key)
{
    struct wq_item *item;
    long long backoff, delay;
    int error;

    if (q->shutdown) {
        return 0;
    }
    error = get_item(q, key, &item);
    if (error) {
        return error;
    }
    /* Not inside MAX(), which would take two tokens. */
    backoff = backoff_delay(q, item->failures);
    delay = bucket_delay(q);
    delay = MAX(delay, backoff);
    if (item->failures < UINT_MAX) {
        item->failures++;
    }
    q->metrics.retries++;
    schedule(q, item, delay);
    return 0;
}

void
kube_workqueue_forget(struct kube_workqueue *q, const char *key)
{
    struct wq_item *item = find_item(q, key);

    if (item) {
        item->failures = 0;
        free_item_if_idle(q, item);
    }
}

unsigned int
kube_workqueue_num_requeues(const struct kube_workqueue *q, const char *key)
{
    const struct wq_item *item = find_item(q, key);

    return item ? item->failures : 0;
}

const char *
kube_workqueue_get(struct kube_workqueue *q)
{
    struct wq_item *item;
    long long now;

    if (q->shutdown || ovs_list_is_empty(&q->ready)) {
        return NULL;
    }
    item =
        CONTAINER_OF(ovs_list_pop_front(&q->ready), struct wq_item, list_node);
    q->metrics.depth--;
    now = wq_now(q);
    item->dirty = false;
    item->processing = true;
    item->get_ms = now;
    q->metrics.queue_latency_ms_sum += now - item->pending_ms;
    q->metrics.queue_latency_count++;
    return item->key;
}

int
kube_workqueue_done(struct kube_workqueue *q, const char *key)
{
    struct wq_item *item = find_item(q, key);

    if (!item || !item->processing) {
        return -ENOENT;
    }
    item->processing = false;
    q->metrics.processing_latency_ms_sum += wq_now(q) - item->get_ms;
    q->metrics.processing_latency_count++;
    if (item->dirty) {
        push_ready(q, item);
    } else {
        /* 'key' may be 'item->key': do not use it past this point. */
        free_item_if_idle(q, item);
    }
    return 0;
}

static int
compare_due(const void *a_, const void *b_)
{
    const struct wq_item *const *a = a_;
    const struct wq_item *const *b = b_;

    if ((*a)->due_ms != (*b)->due_ms) {
        return (*a)->due_ms < (*b)->due_ms ? -1 : 1;
    }
    return (*a)->seq < (*b)->seq ? -1 : (*a)->seq > (*b)->seq;
}

void
kube_workqueue_run(struct kube_workqueue *q)
{
    struct wq_item **due = NULL;
    size_t n_due = 0, allocated = 0;
    long long now;

    if (q->shutdown || heap_is_empty(&q->delayed)) {
        return;
    }
    now = wq_now(q);
    while (!heap_is_empty(&q->delayed)) {
        struct wq_item *item =
            CONTAINER_OF(heap_max(&q->delayed), struct wq_item, heap_node);

        if (item->due_ms > now) {
            break;
        }
        cancel_delay(q, item);
        if (n_due == allocated) {
            due = x2nrealloc(due, &allocated, sizeof *due);
        }
        due[n_due++] = item;
    }

    /* The heap does not keep the scheduling order of equal due times. */
    if (n_due > 1) {
        qsort(due, n_due, sizeof *due, compare_due);
    }
    for (size_t i = 0; i < n_due; i++) {
        make_pending(q, due[i], due[i]->due_ms);
    }
    free(due);
}

void
kube_workqueue_wait(const struct kube_workqueue *q)
{
    if (q->shutdown) {
        return;
    }
    if (!ovs_list_is_empty(&q->ready)) {
        poll_immediate_wake();
    } else if (!heap_is_empty(&q->delayed)) {
        const struct wq_item *item =
            CONTAINER_OF(heap_max(&q->delayed), struct wq_item, heap_node);

        if (q->now_ms == default_now_ms) {
            poll_timer_wait_until(item->due_ms);
        } else {
            /* Another clock: translate the remaining time. */
            poll_timer_wait(item->due_ms - wq_now(q));
        }
    }
}

void
kube_workqueue_shutdown(struct kube_workqueue *q)
{
    q->shutdown = true;
}

bool
kube_workqueue_is_shutdown(const struct kube_workqueue *q)
{
    return q->shutdown;
}

const struct kube_workqueue_metrics *
kube_workqueue_metrics(const struct kube_workqueue *q)
{
    return &q->metrics;
}

void
kube_workqueue_export(const struct kube_workqueue *queue, const char *name,
                      struct metrics_registry *registry)
{
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(queue);
    char *labels = NULL;

    metrics_put_label(&labels, "name", name);
    /* Names and types are constants: these calls cannot fail. */
    metrics_set(registry, "kovn_workqueue_depth", METRIC_GAUGE,
                "Keys ready to be processed.", labels, (double)m->depth, NULL);
    metrics_set(registry, "kovn_workqueue_waiting", METRIC_GAUGE,
                "Keys waiting for a delayed or rate-limited add.", labels,
                (double)m->waiting, NULL);
    metrics_set(registry, "kovn_workqueue_adds_total", METRIC_COUNTER,
                "Adds that made a key pending.", labels, (double)m->adds,
                NULL);
    metrics_set(registry, "kovn_workqueue_retries_total", METRIC_COUNTER,
                "Rate-limited (retry) adds.", labels, (double)m->retries,
                NULL);
    /* Histograms without buckets (only +Inf): what client-go exports,
     * minus the buckets, and what promtool accepts for _sum/_count. */
    metrics_set_histogram(registry, "kovn_workqueue_queue_duration_seconds",
                          "Time keys waited in the queue.", labels, NULL, NULL,
                          0, m->queue_latency_count,
                          (double)m->queue_latency_ms_sum / 1000.0, NULL);
    metrics_set_histogram(registry, "kovn_workqueue_work_duration_seconds",
                          "Time spent processing keys.", labels, NULL, NULL, 0,
                          m->processing_latency_count,
                          (double)m->processing_latency_ms_sum / 1000.0, NULL);
    free(labels);
}
