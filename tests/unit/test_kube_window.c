/* Unit tests for src/kube/window: slow start, additive growth, cuts on the
 * server's overload signals and on slow answers, one cut per round trip,
 * and the bounds. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "kube/window.h"

/* Feeds 'n' successful answers of 'latency_ms', all at 'now'. */
static void
succeed(struct kube_window *w, int n, double latency_ms, long long now)
{
    for (int i = 0; i < n; i++) {
        kube_window_update(w, 200, 0, latency_ms, now);
    }
}

static void
test_window_starts_small_and_doubles_per_round_trip(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    assert_int_equal(kube_window_limit(&w), KUBE_WINDOW_INITIAL);
    /* One window's worth of answers (a round trip) doubles it. */
    succeed(&w, 8, 20, 0);
    assert_int_equal(kube_window_limit(&w), 16);
    succeed(&w, 16, 20, 20);
    assert_int_equal(kube_window_limit(&w), 32);
    succeed(&w, 1000, 20, 40);
    assert_int_equal(kube_window_limit(&w), 64);
}

static void
test_window_never_exceeds_a_small_ceiling(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 3);
    assert_int_equal(kube_window_limit(&w), 3);
    succeed(&w, 100, 5, 0);
    assert_int_equal(kube_window_limit(&w), 3);
    kube_window_init(&w, 0);
    assert_int_equal(kube_window_limit(&w), 1);
}

static void
test_overload_halves_once_per_round_trip(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    succeed(&w, 200, 100, 0);
    assert_int_equal(kube_window_limit(&w), 64);

    /* A burst of 429s from the same overload: one cut. */
    for (int i = 0; i < 20; i++) {
        kube_window_update(&w, 429, 0, 100, 1000 + i);
    }
    assert_int_equal(kube_window_limit(&w), 32);
    assert_int_equal(w.cuts, 1);

    /* A round trip (the smoothed 100 ms) later, the next signal cuts. */
    kube_window_update(&w, 503, 0, 100, 1101);
    assert_int_equal(kube_window_limit(&w), 16);
    kube_window_update(&w, 0, -ETIMEDOUT, 30000, 1202);
    assert_int_equal(kube_window_limit(&w), 8);
    kube_window_update(&w, 504, 0, 100, 1303);
    assert_int_equal(kube_window_limit(&w), 4);
    assert_int_equal(w.cuts, 4);
}

static void
test_after_a_cut_growth_is_one_per_round_trip(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    succeed(&w, 200, 10, 0);
    kube_window_update(&w, 429, 0, 10, 100);
    assert_int_equal(kube_window_limit(&w), 32);
    /* About a window's worth of answers (a round trip) adds one. */
    succeed(&w, 30, 10, 200);
    assert_int_equal(kube_window_limit(&w), 32);
    succeed(&w, 10, 10, 210);
    assert_int_equal(kube_window_limit(&w), 33);
    succeed(&w, 40, 10, 220);
    assert_int_equal(kube_window_limit(&w), 34);
}

static void
test_slow_answers_cut_without_an_error(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    succeed(&w, 200, 50, 0);
    kube_window_update(&w, 200, 0, KUBE_WINDOW_SLOW_MS, 1000);
    assert_int_equal(kube_window_limit(&w), 64);
    kube_window_update(&w, 200, 0, KUBE_WINDOW_SLOW_MS + 1, 1000);
    assert_int_equal(kube_window_limit(&w), 32);
}

static void
test_window_never_drops_below_one(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    for (int i = 0; i < 50; i++) {
        kube_window_update(&w, 429, 0, 1, 1000 * i);
    }
    assert_int_equal(kube_window_limit(&w), 1);
    succeed(&w, 1, 1, 100000);
    assert_int_equal(kube_window_limit(&w), 2);
}

static void
test_absent_server_and_client_errors_do_not_cut(void **state)
{
    struct kube_window w;

    (void)state;
    kube_window_init(&w, 64);
    succeed(&w, 200, 10, 0);
    /* Connection refused: retries and backoff handle an absent server. */
    kube_window_update(&w, 0, -ECONNREFUSED, 1, 100);
    /* A 409 or 404 is an answer: the server is keeping up. */
    kube_window_update(&w, 409, 0, 10, 200);
    kube_window_update(&w, 404, 0, 10, 300);
    kube_window_update(&w, 200, 0, -5, 400);
    assert_int_equal(kube_window_limit(&w), 64);
    assert_int_equal(w.cuts, 0);
    assert_true(kube_window_is_overload(429, 0));
    assert_false(kube_window_is_overload(500, 0));
    assert_false(kube_window_is_overload(0, -ECONNREFUSED));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_starts_small_and_doubles_per_round_trip),
        cmocka_unit_test(test_window_never_exceeds_a_small_ceiling),
        cmocka_unit_test(test_overload_halves_once_per_round_trip),
        cmocka_unit_test(test_after_a_cut_growth_is_one_per_round_trip),
        cmocka_unit_test(test_slow_answers_cut_without_an_error),
        cmocka_unit_test(test_window_never_drops_below_one),
        cmocka_unit_test(test_absent_server_and_client_errors_do_not_cut),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
