/* Unit tests for src/kube/workqueue: dedup, exclusive processing, delays,
 * backoff, token bucket, limits and metrics, on a fake clock unless the test
 * is about the poll loop. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kube/workqueue.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

struct fake_clock {
    long long now;
};

static long long
fake_now(void *aux)
{
    struct fake_clock *clock = aux;

    return clock->now;
}

/* A queue on 'clock' with 'config' (NULL for defaults) otherwise. */
static struct kube_workqueue *
create_queue(struct fake_clock *clock,
             const struct kube_workqueue_config *config)
{
    struct kube_workqueue_config c = {0};
    struct kube_workqueue *q;
    struct kovn_error err = {0};

    if (config) {
        c = *config;
    }
    c.now_ms = fake_now;
    c.aux = clock;
    if (kube_workqueue_create(&c, &q, &err)) {
        fail_msg("kube_workqueue_create: %s", err.msg);
    }
    return q;
}

static void
assert_next(struct kube_workqueue *q, const char *expected)
{
    const char *key = kube_workqueue_get(q);

    if (!expected) {
        if (key) {
            fail_msg("expected no ready key, got \"%s\"", key);
        }
        return;
    }
    if (!key) {
        fail_msg("expected \"%s\", got no ready key", expected);
    }
    assert_string_equal(key, expected);
}

/* Takes 'expected' and finishes it. */
static void
process(struct kube_workqueue *q, const char *expected)
{
    assert_next(q, expected);
    assert_int_equal(kube_workqueue_done(q, expected), 0);
}

/* Asserts that 'key', scheduled at 'clock->now', becomes ready exactly
 * 'delay' ms later, leaving the clock there. */
static void
assert_ready_after(struct kube_workqueue *q, struct fake_clock *clock,
                   const char *key, long long delay)
{
    long long start = clock->now;

    clock->now = start + delay - 1;
    kube_workqueue_run(q);
    if (kube_workqueue_get(q)) {
        fail_msg("\"%s\" ready before %lld ms", key, delay);
    }
    clock->now = start + delay;
    kube_workqueue_run(q);
    assert_next(q, key);
}

static void
test_workqueue_dedups_pending_key(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    assert_int_equal(kube_workqueue_add(q, "ns/a"), 0);
    assert_int_equal(kube_workqueue_add(q, "ns/b"), 0);
    assert_int_equal(kube_workqueue_add(q, "ns/a"), 0);
    assert_int_equal(m->depth, 2);
    assert_int_equal(m->adds, 2);
    assert_int_equal(m->keys, 2);
    process(q, "ns/a");
    process(q, "ns/b");
    assert_next(q, NULL);
    assert_int_equal(m->depth, 0);
    assert_int_equal(m->keys, 0);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_hands_out_ready_keys_in_fifo_order(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const char *key;

    (void)state;
    kube_workqueue_add(q, "c");
    kube_workqueue_add(q, "a");
    kube_workqueue_add(q, "b");
    process(q, "c");
    key = kube_workqueue_get(q);
    assert_string_equal(key, "a");
    kube_workqueue_add(q, "a");
    kube_workqueue_add(q, "d");
    /* "a" was requeued at done(), behind "b" and "d". */
    assert_int_equal(kube_workqueue_done(q, key), 0);
    process(q, "b");
    process(q, "d");
    process(q, "a");
    assert_next(q, NULL);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_never_hands_out_processing_key(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    kube_workqueue_add(q, "a");
    assert_next(q, "a");
    kube_workqueue_add(q, "a");
    kube_workqueue_add(q, "a");
    assert_int_equal(m->depth, 0);
    assert_next(q, NULL);
    kube_workqueue_add(q, "b");
    assert_next(q, "b");
    assert_next(q, NULL);

    /* Nor when a delayed add falls due meanwhile. */
    assert_int_equal(kube_workqueue_add_after(q, "b", 10), 0);
    clock.now += 10;
    kube_workqueue_run(q);
    assert_next(q, NULL);
    assert_int_equal(kube_workqueue_done(q, "b"), 0);
    process(q, "b");
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_reprocesses_key_readded_while_processing(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);
    const char *key;

    (void)state;
    kube_workqueue_add(q, "ns/a");
    key = kube_workqueue_get(q);
    assert_string_equal(key, "ns/a");
    kube_workqueue_add(q, "ns/a");
    assert_int_equal(kube_workqueue_done(q, key), 0);
    assert_int_equal(m->depth, 1);
    process(q, "ns/a");
    assert_next(q, NULL);
    assert_int_equal(m->keys, 0);
    assert_int_equal(m->adds, 2);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_done_rejects_key_not_processing(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);

    (void)state;
    assert_int_equal(kube_workqueue_done(q, "a"), -ENOENT);
    kube_workqueue_add(q, "a");
    assert_int_equal(kube_workqueue_done(q, "a"), -ENOENT);
    process(q, "a");
    assert_int_equal(kube_workqueue_done(q, "a"), -ENOENT);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_backs_off_exponentially_per_key(void **state)
{
    struct fake_clock clock = {1000};
    struct kube_workqueue *q = create_queue(&clock, NULL);

    (void)state;
    for (unsigned int i = 0; i < 22; i++) {
        long long expected = MIN(5LL << i, 1000 * 1000LL);

        assert_int_equal(kube_workqueue_add_rate_limited(q, "ns/a"), 0);
        assert_int_equal(kube_workqueue_num_requeues(q, "ns/a"), i + 1);
        assert_ready_after(q, &clock, "ns/a", expected);
        assert_int_equal(kube_workqueue_done(q, "ns/a"), 0);
    }
    /* Failures are counted per key. */
    assert_int_equal(kube_workqueue_num_requeues(q, "ns/b"), 0);
    assert_int_equal(kube_workqueue_add_rate_limited(q, "ns/b"), 0);
    assert_ready_after(q, &clock, "ns/b", 5);
    assert_int_equal(kube_workqueue_metrics(q)->retries, 23);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_forget_resets_backoff(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    for (long long delay = 5; delay <= 20; delay *= 2) {
        kube_workqueue_add_rate_limited(q, "a");
        assert_ready_after(q, &clock, "a", delay);
        kube_workqueue_done(q, "a");
    }
    assert_int_equal(kube_workqueue_num_requeues(q, "a"), 3);
    /* A key with failures stays tracked until forgotten. */
    assert_int_equal(m->keys, 1);
    kube_workqueue_forget(q, "a");
    assert_int_equal(kube_workqueue_num_requeues(q, "a"), 0);
    assert_int_equal(m->keys, 0);
    kube_workqueue_add_rate_limited(q, "a");
    assert_ready_after(q, &clock, "a", 5);
    /* Forgetting a processing key keeps it until done(). */
    kube_workqueue_forget(q, "a");
    assert_int_equal(m->keys, 1);
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    assert_int_equal(m->keys, 0);
    kube_workqueue_forget(q, "unknown");
    kube_workqueue_destroy(q);
}

static void
test_workqueue_backoff_honours_configured_base_and_cap(void **state)
{
    static const long long expected[] = {2, 4, 8, 16, 32, 50, 50};
    struct kube_workqueue_config config = {
        .base_delay_ms = 2,
        .max_delay_ms = 50,
    };
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, &config);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        kube_workqueue_add_rate_limited(q, "a");
        assert_ready_after(q, &clock, "a", expected[i]);
        kube_workqueue_done(q, "a");
    }
    kube_workqueue_destroy(q);
}

static void
test_workqueue_token_bucket_spaces_adds_after_burst(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);
    char key[16];

    (void)state;
    /* Default 10 qps, burst 100: 100 keys wait only their 5 ms backoff, the
     * next ones 100 ms more each. */
    for (int i = 0; i < 103; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(kube_workqueue_add_rate_limited(q, key), 0);
    }
    clock.now = 4;
    kube_workqueue_run(q);
    assert_int_equal(m->depth, 0);
    clock.now = 5;
    kube_workqueue_run(q);
    assert_int_equal(m->depth, 100);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        process(q, key);
    }
    assert_ready_after(q, &clock, "k100", 100 - 5);
    assert_ready_after(q, &clock, "k101", 100);
    assert_ready_after(q, &clock, "k102", 100);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_token_bucket_refills_at_qps(void **state)
{
    struct kube_workqueue_config config = {
        .base_delay_ms = 1,
        .qps = 4,
        .burst = 2,
    };
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, &config);

    (void)state;
    kube_workqueue_add_rate_limited(q, "k0");
    kube_workqueue_add_rate_limited(q, "k1");
    kube_workqueue_add_rate_limited(q, "k2");
    kube_workqueue_add_rate_limited(q, "k3");
    clock.now = 1;
    kube_workqueue_run(q);
    process(q, "k0");
    process(q, "k1");
    assert_ready_after(q, &clock, "k2", 250 - 1);
    assert_ready_after(q, &clock, "k3", 250);

    /* Idle for a long time: the bucket is full again, but no fuller. */
    clock.now = 10000;
    kube_workqueue_add_rate_limited(q, "k4");
    kube_workqueue_add_rate_limited(q, "k5");
    kube_workqueue_add_rate_limited(q, "k6");
    clock.now += 1;
    kube_workqueue_run(q);
    process(q, "k4");
    process(q, "k5");
    assert_ready_after(q, &clock, "k6", 250 - 1);

    /* Still spaced by 1/qps while adds keep coming... */
    kube_workqueue_add_rate_limited(q, "k7");
    assert_ready_after(q, &clock, "k7", 250);

    /* ...and immediate again once the debt is paid off. */
    clock.now += 1000;
    kube_workqueue_add_rate_limited(q, "k8");
    assert_ready_after(q, &clock, "k8", 1);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_add_after_earliest_wins(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    assert_int_equal(kube_workqueue_add_after(q, "a", 100), 0);
    clock.now = 10;
    assert_int_equal(kube_workqueue_add_after(q, "a", 40), 0);
    assert_int_equal(kube_workqueue_add_after(q, "a", 80), 0);
    assert_int_equal(m->waiting, 1);
    assert_ready_after(q, &clock, "a", 40);
    assert_int_equal(m->waiting, 0);
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    clock.now = 1000;
    kube_workqueue_run(q);
    assert_next(q, NULL);
    assert_int_equal(m->keys, 0);
    assert_int_equal(m->adds, 1);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_add_after_does_not_delay_pending_key(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    kube_workqueue_add(q, "a");
    assert_int_equal(kube_workqueue_add_after(q, "a", 100), 0);
    assert_int_equal(m->waiting, 0);
    process(q, "a");

    /* A zero or negative delay is an immediate add. */
    assert_int_equal(kube_workqueue_add_after(q, "b", 0), 0);
    assert_int_equal(kube_workqueue_add_after(q, "c", -5), 0);
    process(q, "b");
    process(q, "c");
    kube_workqueue_destroy(q);
}

static void
test_workqueue_add_cancels_pending_delay(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    kube_workqueue_add_after(q, "a", 100);
    kube_workqueue_add(q, "a");
    assert_int_equal(m->waiting, 0);
    process(q, "a");
    clock.now = 100;
    kube_workqueue_run(q);
    assert_next(q, NULL);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_delayed_keys_due_together_keep_schedule_order(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);

    (void)state;
    kube_workqueue_add(q, "first");
    kube_workqueue_add_after(q, "b", 10);
    kube_workqueue_add_after(q, "a", 10);
    kube_workqueue_add_after(q, "d", 30);
    kube_workqueue_add_after(q, "c", 5);
    kube_workqueue_add_after(q, "d", 10);
    clock.now = 50;
    kube_workqueue_run(q);
    process(q, "first");
    process(q, "c");
    process(q, "b");
    process(q, "a");
    process(q, "d");
    assert_next(q, NULL);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_rate_limited_key_waits_for_done_and_delay(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);

    (void)state;
    kube_workqueue_add(q, "a");
    assert_next(q, "a");
    /* The usual failure path: requeue with backoff, then done. */
    assert_int_equal(kube_workqueue_add_rate_limited(q, "a"), 0);
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    assert_next(q, NULL);
    assert_ready_after(q, &clock, "a", 5);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_shutdown_stops_get_and_add(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    kube_workqueue_add(q, "a");
    kube_workqueue_add(q, "b");
    kube_workqueue_add_after(q, "c", 10);
    assert_next(q, "a");
    assert_false(kube_workqueue_is_shutdown(q));
    kube_workqueue_shutdown(q);
    assert_true(kube_workqueue_is_shutdown(q));
    assert_next(q, NULL);
    assert_int_equal(kube_workqueue_add(q, "d"), 0);
    assert_int_equal(kube_workqueue_add_after(q, "e", 5), 0);
    assert_int_equal(kube_workqueue_add_rate_limited(q, "f"), 0);
    assert_int_equal(m->keys, 3);
    assert_int_equal(m->adds, 2);
    clock.now = 10;
    kube_workqueue_run(q);
    assert_next(q, NULL);
    /* The key being processed can still be finished. */
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_rejects_keys_beyond_limit(void **state)
{
    struct kube_workqueue_config config = {.max_keys = 2};
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, &config);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    assert_int_equal(kube_workqueue_add(q, "a"), 0);
    assert_int_equal(kube_workqueue_add_rate_limited(q, "b"), 0);
    assert_int_equal(kube_workqueue_add(q, "c"), -ENOSPC);
    assert_int_equal(kube_workqueue_add_after(q, "c", 10), -ENOSPC);
    assert_int_equal(kube_workqueue_add_rate_limited(q, "c"), -ENOSPC);
    assert_int_equal(kube_workqueue_num_requeues(q, "c"), 0);
    assert_int_equal(m->retries, 1);
    /* Known keys are still accepted. */
    assert_int_equal(kube_workqueue_add(q, "a"), 0);
    assert_int_equal(kube_workqueue_add(q, "b"), 0);
    assert_int_equal(m->keys, 2);

    /* Finishing "a" frees its slot; "b" holds its slot while it has
     * failures. */
    process(q, "a");
    process(q, "b");
    assert_int_equal(kube_workqueue_add(q, "c"), 0);
    assert_int_equal(kube_workqueue_add(q, "d"), -ENOSPC);
    kube_workqueue_forget(q, "b");
    assert_int_equal(kube_workqueue_add(q, "d"), 0);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_measures_queue_and_processing_latency(void **state)
{
    struct fake_clock clock = {0};
    struct kube_workqueue *q = create_queue(&clock, NULL);
    const struct kube_workqueue_metrics *m = kube_workqueue_metrics(q);

    (void)state;
    kube_workqueue_add(q, "a");
    clock.now = 30;
    assert_next(q, "a");
    assert_int_equal(m->queue_latency_ms_sum, 30);
    assert_int_equal(m->queue_latency_count, 1);
    clock.now = 100;
    assert_int_equal(kube_workqueue_done(q, "a"), 0);
    assert_int_equal(m->processing_latency_ms_sum, 70);
    assert_int_equal(m->processing_latency_count, 1);

    /* A delayed key is pending from its due time, not from when run() saw
     * it. */
    kube_workqueue_add(q, "b");
    kube_workqueue_add_after(q, "c", 50);
    clock.now = 170;
    kube_workqueue_run(q);
    assert_next(q, "b");
    assert_next(q, "c");
    assert_int_equal(m->queue_latency_ms_sum, 30 + 70 + 20);
    assert_int_equal(m->queue_latency_count, 3);
    clock.now = 175;
    assert_int_equal(kube_workqueue_done(q, "c"), 0);
    clock.now = 180;
    assert_int_equal(kube_workqueue_done(q, "b"), 0);
    assert_int_equal(m->processing_latency_ms_sum, 70 + 5 + 10);
    assert_int_equal(m->processing_latency_count, 3);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_create_rejects_invalid_config(void **state)
{
    struct kube_workqueue_config config = {.qps = -1};
    struct kube_workqueue *q = (struct kube_workqueue *)&config;
    struct kovn_error err = {0};

    (void)state;
    assert_int_equal(kube_workqueue_create(&config, &q, &err), -EINVAL);
    assert_null(q);
    assert_non_null(strstr(err.msg, "qps"));
    config.qps = NAN;
    assert_int_equal(kube_workqueue_create(&config, &q, NULL), -EINVAL);
    config.qps = 0;
    config.max_delay_ms = -1;
    assert_int_equal(kube_workqueue_create(&config, &q, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "max delay"));

    /* A NULL config takes the defaults and the real clock. */
    assert_int_equal(kube_workqueue_create(NULL, &q, NULL), 0);
    kube_workqueue_destroy(q);
    kube_workqueue_destroy(NULL);
}

static void
test_workqueue_wait_wakes_immediately_when_key_ready(void **state)
{
    struct kube_workqueue *q;
    long long start;

    (void)state;
    assert_int_equal(kube_workqueue_create(NULL, &q, NULL), 0);
    kube_workqueue_add(q, "a");
    start = time_msec();
    kube_workqueue_wait(q);
    poll_timer_wait(5000); /* Bounds the test if wait() is broken. */
    poll_block();
    assert_true(time_msec() - start < 1000);
    kube_workqueue_destroy(q);
}

static void
test_workqueue_wait_wakes_when_delayed_key_is_due(void **state)
{
    struct kube_workqueue *q;
    const char *key = NULL;
    long long start;

    (void)state;
    assert_int_equal(kube_workqueue_create(NULL, &q, NULL), 0);
    start = time_msec();
    kube_workqueue_add_after(q, "a", 30);
    for (int i = 0; i < 100 && !key; i++) {
        kube_workqueue_run(q);
        key = kube_workqueue_get(q);
        if (!key) {
            kube_workqueue_wait(q);
            poll_timer_wait(5000);
            poll_block();
        }
    }
    assert_non_null(key);
    assert_string_equal(key, "a");
    assert_true(time_msec() - start >= 30);
    assert_true(time_msec() - start < 5000);
    kube_workqueue_destroy(q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workqueue_dedups_pending_key),
        cmocka_unit_test(test_workqueue_hands_out_ready_keys_in_fifo_order),
        cmocka_unit_test(test_workqueue_never_hands_out_processing_key),
        cmocka_unit_test(
            test_workqueue_reprocesses_key_readded_while_processing),
        cmocka_unit_test(test_workqueue_done_rejects_key_not_processing),
        cmocka_unit_test(test_workqueue_backs_off_exponentially_per_key),
        cmocka_unit_test(test_workqueue_forget_resets_backoff),
        cmocka_unit_test(
            test_workqueue_backoff_honours_configured_base_and_cap),
        cmocka_unit_test(test_workqueue_token_bucket_spaces_adds_after_burst),
        cmocka_unit_test(test_workqueue_token_bucket_refills_at_qps),
        cmocka_unit_test(test_workqueue_add_after_earliest_wins),
        cmocka_unit_test(test_workqueue_add_after_does_not_delay_pending_key),
        cmocka_unit_test(test_workqueue_add_cancels_pending_delay),
        cmocka_unit_test(
            test_workqueue_delayed_keys_due_together_keep_schedule_order),
        cmocka_unit_test(
            test_workqueue_rate_limited_key_waits_for_done_and_delay),
        cmocka_unit_test(test_workqueue_shutdown_stops_get_and_add),
        cmocka_unit_test(test_workqueue_rejects_keys_beyond_limit),
        cmocka_unit_test(test_workqueue_measures_queue_and_processing_latency),
        cmocka_unit_test(test_workqueue_create_rejects_invalid_config),
        cmocka_unit_test(test_workqueue_wait_wakes_immediately_when_key_ready),
        cmocka_unit_test(test_workqueue_wait_wakes_when_delayed_key_is_due),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
