/* Unit tests for src/base/metrics and the workqueue's metrics export. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/metrics.h"
#include "kube/workqueue.h"

static void
test_metrics_render_groups_families_in_name_order(void **state)
{
    struct metrics_registry *r = metrics_registry_create();
    char *a = NULL, *b = NULL, *text;

    (void)state;
    metrics_put_label(&a, "subnet", "net1");
    metrics_put_label(&b, "subnet", "net\"2\\\n");
    assert_int_equal(metrics_set(r, "kovn_orphaned_subnets", METRIC_GAUGE,
                                 "Subnets whose VPC is gone.", "", 2, NULL),
                     0);
    assert_int_equal(metrics_set(r, "kovn_available_ips", METRIC_GAUGE,
                                 "Free addresses.\nPer subnet.", a, 65533,
                                 NULL),
                     0);
    assert_int_equal(
        metrics_set(r, "kovn_available_ips", METRIC_GAUGE, NULL, b, 1.5, NULL),
        0);
    /* Setting again replaces the sample. */
    assert_int_equal(metrics_set(r, "kovn_orphaned_subnets", METRIC_GAUGE,
                                 NULL, "", 1, NULL),
                     0);
    text = metrics_render(r);
    assert_string_equal(text,
                        "# HELP kovn_available_ips Free addresses.\\nPer "
                        "subnet.\n"
                        "# TYPE kovn_available_ips gauge\n"
                        "kovn_available_ips{subnet=\"net1\"} 65533\n"
                        "kovn_available_ips{subnet=\"net\\\"2\\\\\\n\"} 1.5\n"
                        "# HELP kovn_orphaned_subnets Subnets whose VPC is "
                        "gone.\n"
                        "# TYPE kovn_orphaned_subnets gauge\n"
                        "kovn_orphaned_subnets 1\n");
    free(text);
    free(a);
    free(b);
    metrics_registry_destroy(r);
}

static void
test_metrics_reject_bad_names_and_type_changes(void **state)
{
    struct metrics_registry *r = metrics_registry_create();
    struct kovn_error err = {0};

    (void)state;
    assert_int_equal(metrics_set(r, "9lives", METRIC_GAUGE, "", "", 1, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "\"9lives\""));
    assert_int_equal(metrics_set(r, "a-b", METRIC_GAUGE, "", "", 1, &err),
                     -EINVAL);
    assert_int_equal(
        metrics_set(r, "x_total", METRIC_COUNTER, "", "", 1, NULL), 0);
    assert_int_equal(metrics_set(r, "x_total", METRIC_GAUGE, "", "", 1, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "another type"));
    metrics_registry_destroy(r);
}

static long long fake_now;

static long long
fake_clock(void *aux)
{
    (void)aux;
    return fake_now;
}

static void
test_metrics_histogram_is_cumulative_with_inf_sum_and_count(void **state)
{
    struct metrics_registry *registry = metrics_registry_create();
    const double bounds[] = {0.001, 0.01};
    const uint64_t counts[] = {2, 3};
    char *text;

    (void)state;
    assert_int_equal(metrics_set_histogram(registry, "kovn_txn_seconds",
                                           "Latency.", "db=\"nb\"", bounds,
                                           counts, 2, 6, 0.5, NULL),
                     0);
    assert_int_equal(metrics_set(registry, "kovn_txn_seconds", METRIC_GAUGE,
                                 "", "", 1, NULL),
                     -EINVAL);
    text = metrics_render(registry);
    assert_string_equal(text,
                        "# HELP kovn_txn_seconds Latency.\n"
                        "# TYPE kovn_txn_seconds histogram\n"
                        "kovn_txn_seconds_bucket{db=\"nb\",le=\"0.001\"} 2\n"
                        "kovn_txn_seconds_bucket{db=\"nb\",le=\"0.01\"} 5\n"
                        "kovn_txn_seconds_bucket{db=\"nb\",le=\"+Inf\"} 6\n"
                        "kovn_txn_seconds_sum{db=\"nb\"} 0.5\n"
                        "kovn_txn_seconds_count{db=\"nb\"} 6\n");
    free(text);
    metrics_registry_destroy(registry);
}

static void
test_workqueue_exports_depth_adds_retries_and_durations(void **state)
{
    struct kube_workqueue_config config = {.now_ms = fake_clock};
    struct metrics_registry *r = metrics_registry_create();
    struct kube_workqueue *q;
    const char *key;
    char *text;

    (void)state;
    fake_now = 1000;
    assert_int_equal(kube_workqueue_create(&config, &q, NULL), 0);
    kube_workqueue_add(q, "ns1");
    kube_workqueue_add(q, "ns2");
    fake_now += 250;
    key = kube_workqueue_get(q);
    fake_now += 500;
    kube_workqueue_done(q, key);
    kube_workqueue_add_rate_limited(q, "ns3");
    kube_workqueue_export(q, "namespace", r);
    text = metrics_render(r);
    assert_non_null(strstr(text, "# TYPE kovn_workqueue_depth gauge\n"
                                 "kovn_workqueue_depth{name=\"namespace\"} "
                                 "1\n"));
    assert_non_null(strstr(text, "kovn_workqueue_adds_total{name=\""
                                 "namespace\"} 2\n"));
    assert_non_null(strstr(text, "kovn_workqueue_retries_total{name=\""
                                 "namespace\"} 1\n"));
    assert_non_null(strstr(text, "kovn_workqueue_queue_duration_seconds_sum{"
                                 "name=\"namespace\"} 0.25\n"));
    assert_non_null(strstr(text, "kovn_workqueue_work_duration_seconds_sum{"
                                 "name=\"namespace\"} 0.5\n"));
    free(text);
    kube_workqueue_destroy(q);
    metrics_registry_destroy(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_render_groups_families_in_name_order),
        cmocka_unit_test(test_metrics_reject_bad_names_and_type_changes),
        cmocka_unit_test(
            test_metrics_histogram_is_cumulative_with_inf_sum_and_count),
        cmocka_unit_test(
            test_workqueue_exports_depth_adds_retries_and_durations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
