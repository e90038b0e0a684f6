/* Unit tests for src/kube/object: metadata accessors, finalizer merge
 * patches and status conditions. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_json.h"

#include "base/error.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "util.h"

/* Checks that 'actual' equals the JSON in 'expected', then frees both. */
static void
assert_json(struct json *actual, const char *expected)
{
    struct json *want = j(expected);

    assert_non_null(actual);
    if (!json_equal(actual, want)) {
        char *a = json_to_string(actual, JSSF_SORT);
        char *w = json_to_string(want, JSSF_SORT);

        fail_msg("got %s\nwant %s", a, w);
    }
    json_destroy(want);
    json_destroy(actual);
}

static const char pod[] =
    "{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {"
    "'name': 'web-0', 'namespace': 'prod', 'uid': 'u-123',"
    "'resourceVersion': '4711', 'generation': 3,"
    "'labels': {'app': 'web'},"
    "'annotations': {'ovn.kubernetes.io/ip_address': '10.16.0.5'},"
    "'finalizers': ['a.io/one', 'kovn.io/cleanup', 'b.io/two']}}";

static void
test_object_accessors_read_metadata(void **state)
{
    struct json *obj = j(pod);

    (void)state;
    assert_string_equal(kube_object_name(obj), "web-0");
    assert_string_equal(kube_object_namespace(obj), "prod");
    assert_string_equal(kube_object_uid(obj), "u-123");
    assert_string_equal(kube_object_resource_version(obj), "4711");
    assert_int_equal(kube_object_generation(obj), 3);
    assert_false(kube_object_is_deleting(obj));
    assert_string_equal(kube_object_label(obj, "app"), "web");
    assert_null(kube_object_label(obj, "tier"));
    assert_string_equal(
        kube_object_annotation(obj, "ovn.kubernetes.io/ip_address"),
        "10.16.0.5");
    assert_null(kube_object_annotation(obj, "app"));
    assert_true(kube_object_has_finalizer(obj, "kovn.io/cleanup"));
    assert_false(kube_object_has_finalizer(obj, "kovn.io/other"));
    json_destroy(obj);
}

static void
test_object_accessors_read_wrong_types_as_absent(void **state)
{
    static const char *const malformed[] = {
        "[]",
        "[{'metadata': {'name': 'x'}}]",
        "{}",
        "{'metadata': null}",
        "{'metadata': ['name', 'x']}",
        ("{'metadata': {'name': 1, 'namespace': {}, 'uid': [],"
         " 'resourceVersion': 4711, 'generation': '3',"
         " 'labels': ['app'], 'annotations': 'a=b',"
         " 'finalizers': 'kovn.io/cleanup', 'deletionTimestamp': null}}"),
        ("{'metadata': {'labels': {'app': 1}, 'annotations': {'app': null},"
         " 'generation': 1.5, 'finalizers': [1, null, {}]}}"),
    };
    struct json *str = json_string_create("metadata");

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
        struct json *obj = j(malformed[i]);

        assert_null(kube_object_name(obj));
        assert_null(kube_object_namespace(obj));
        assert_null(kube_object_uid(obj));
        assert_null(kube_object_resource_version(obj));
        assert_int_equal(kube_object_generation(obj), 0);
        assert_false(kube_object_is_deleting(obj));
        assert_null(kube_object_label(obj, "app"));
        assert_null(kube_object_annotation(obj, "app"));
        assert_false(kube_object_has_finalizer(obj, "kovn.io/cleanup"));
        json_destroy(obj);
    }
    assert_null(kube_object_name(NULL));
    assert_null(kube_object_name(str));
    json_destroy(str);
    assert_false(kube_object_has_finalizer(NULL, "kovn.io/cleanup"));
}

static void
test_object_is_deleting_when_deletion_timestamp_set(void **state)
{
    struct json *obj =
        j("{'metadata': {'deletionTimestamp': '2026-11-25T14:00:00Z'}}");

    (void)state;
    assert_true(kube_object_is_deleting(obj));
    json_destroy(obj);
}

static void
test_finalizer_add_patch_appends_and_carries_resource_version(void **state)
{
    struct json *obj = j("{'metadata': {'name': 'n', 'resourceVersion': '9',"
                         " 'finalizers': ['b.io/x', 'a.io/y']}}");

    (void)state;
    assert_json(kube_finalizer_add_patch(obj, "kovn.io/cleanup"),
                "{'metadata': {'resourceVersion': '9',"
                " 'finalizers': ['b.io/x', 'a.io/y', 'kovn.io/cleanup']}}");
    json_destroy(obj);
}

static void
test_finalizer_add_patch_on_object_without_finalizers(void **state)
{
    struct json *obj =
        j("{'metadata': {'name': 'n', 'resourceVersion': '1'}}");
    struct json *bare = j("{'kind': 'Pod'}");

    (void)state;
    assert_json(kube_finalizer_add_patch(obj, "kovn.io/cleanup"),
                "{'metadata': {'resourceVersion': '1',"
                " 'finalizers': ['kovn.io/cleanup']}}");
    /* No resourceVersion to send: the patch cannot be conditional. */
    assert_json(kube_finalizer_add_patch(bare, "kovn.io/cleanup"),
                "{'metadata': {'finalizers': ['kovn.io/cleanup']}}");
    json_destroy(obj);
    json_destroy(bare);
}

static void
test_finalizer_add_patch_is_null_when_already_present(void **state)
{
    struct json *obj = j(pod);

    (void)state;
    assert_null(kube_finalizer_add_patch(obj, "kovn.io/cleanup"));
    json_destroy(obj);
}

static void
test_finalizer_remove_patch_keeps_order_of_others(void **state)
{
    struct json *obj = j(pod);

    (void)state;
    assert_json(kube_finalizer_remove_patch(obj, "kovn.io/cleanup"),
                "{'metadata': {'resourceVersion': '4711',"
                " 'finalizers': ['a.io/one', 'b.io/two']}}");
    json_destroy(obj);
}

static void
test_finalizer_remove_patch_drops_duplicates_and_sends_empty_list(void **state)
{
    struct json *obj =
        j("{'metadata': {'resourceVersion': '5',"
          " 'finalizers': ['kovn.io/cleanup', 7, 'kovn.io/cleanup']}}");

    (void)state;
    assert_json(kube_finalizer_remove_patch(obj, "kovn.io/cleanup"),
                "{'metadata': {'resourceVersion': '5', 'finalizers': []}}");
    json_destroy(obj);
}

static void
test_finalizer_remove_patch_is_null_when_absent(void **state)
{
    struct json *obj = j(pod);
    struct json *bare = j("{'metadata': {'resourceVersion': '5'}}");

    (void)state;
    assert_null(kube_finalizer_remove_patch(obj, "kovn.io/other"));
    assert_null(kube_finalizer_remove_patch(bare, "kovn.io/cleanup"));
    json_destroy(obj);
    json_destroy(bare);
}

/* Another controller's finalizers (both of Kube-OVN's names) give way to
 * one's own in one patch; the others keep their place. */
static void
test_finalizer_replace_patch_swaps_in_one_patch(void **state)
{
    static const char *const drop[] = {"kubeovn.io/kube-ovn-controller",
                                       "kube-ovn-controller", NULL};
    struct json *obj = j("{'metadata': {'resourceVersion': '3', 'finalizers':"
                         " ['a.io/one', 'kube-ovn-controller',"
                         " 'kubeovn.io/kube-ovn-controller', 'b.io/two']}}");
    struct json *ours =
        j("{'metadata': {'resourceVersion': '4', 'finalizers':"
          " ['kovn.io/x', 'kubeovn.io/kube-ovn-controller']}}");
    struct json *done = j(
        "{'metadata': {'resourceVersion': '5', 'finalizers': ['kovn.io/x']}}");

    (void)state;
    assert_json(kube_finalizer_replace_patch(obj, drop, "kovn.io/x"),
                "{'metadata': {'resourceVersion': '3',"
                " 'finalizers': ['a.io/one', 'b.io/two', 'kovn.io/x']}}");
    /* Being deleted: nothing may be added, only dropped. */
    assert_json(kube_finalizer_replace_patch(obj, drop, NULL),
                "{'metadata': {'resourceVersion': '3',"
                " 'finalizers': ['a.io/one', 'b.io/two']}}");
    assert_json(kube_finalizer_replace_patch(ours, drop, "kovn.io/x"),
                "{'metadata': {'resourceVersion': '4',"
                " 'finalizers': ['kovn.io/x']}}");
    assert_null(kube_finalizer_replace_patch(done, drop, "kovn.io/x"));
    assert_null(kube_finalizer_replace_patch(done, drop, NULL));
    json_destroy(obj);
    json_destroy(ours);
    json_destroy(done);
}

static const struct kube_condition ready = {
    .type = "Ready",
    .status = "True",
    .reason = "SubnetReady",
    .message = "all good",
    .observed_generation = 2,
};

static void
test_condition_set_appends_with_both_times_now(void **state)
{
    struct json *conds = j("[{'type': 'Validated', 'status': 'True'}]");
    struct kube_condition no_gen = {.type = "Error", .status = "False"};

    (void)state;
    assert_true(kube_condition_set(conds, &ready, "2026-01-01T00:00:00Z"));
    assert_true(kube_condition_set(conds, &no_gen, "2026-01-01T00:00:01Z"));
    assert_json(conds, "[{'type': 'Validated', 'status': 'True'},"
                       " {'type': 'Ready', 'status': 'True',"
                       "  'reason': 'SubnetReady', 'message': 'all good',"
                       "  'observedGeneration': 2,"
                       "  'lastTransitionTime': '2026-01-01T00:00:00Z',"
                       "  'lastUpdateTime': '2026-01-01T00:00:00Z'},"
                       " {'type': 'Error', 'status': 'False',"
                       "  'lastTransitionTime': '2026-01-01T00:00:01Z',"
                       "  'lastUpdateTime': '2026-01-01T00:00:01Z'}]");
}

static const char ready_set[] =
    "[{'type': 'Ready', 'status': 'True', 'reason': 'SubnetReady',"
    "  'message': 'all good', 'observedGeneration': 2,"
    "  'lastTransitionTime': '2026-01-01T00:00:00Z',"
    "  'lastUpdateTime': '2026-01-01T00:00:00Z'}]";

static void
test_condition_set_unchanged_touches_no_timestamp(void **state)
{
    struct json *conds = j(ready_set);

    (void)state;
    assert_false(kube_condition_set(conds, &ready, "2026-06-01T00:00:00Z"));
    assert_json(conds, ready_set);
}

static void
test_condition_set_reason_change_keeps_transition_time(void **state)
{
    struct json *conds = j(ready_set);
    struct kube_condition c = ready;

    (void)state;
    c.reason = "Reconciled";
    c.message = "still good";
    assert_true(kube_condition_set(conds, &c, "2026-06-01T00:00:00Z"));
    assert_json(conds, "[{'type': 'Ready', 'status': 'True',"
                       "  'reason': 'Reconciled', 'message': 'still good',"
                       "  'observedGeneration': 2,"
                       "  'lastTransitionTime': '2026-01-01T00:00:00Z',"
                       "  'lastUpdateTime': '2026-06-01T00:00:00Z'}]");
}

static void
test_condition_set_status_change_moves_transition_time(void **state)
{
    struct json *conds = j(ready_set);
    struct kube_condition c = ready;

    (void)state;
    c.status = "False";
    assert_true(kube_condition_set(conds, &c, "2026-06-01T00:00:00Z"));
    assert_json(conds, "[{'type': 'Ready', 'status': 'False',"
                       "  'reason': 'SubnetReady', 'message': 'all good',"
                       "  'observedGeneration': 2,"
                       "  'lastTransitionTime': '2026-06-01T00:00:00Z',"
                       "  'lastUpdateTime': '2026-06-01T00:00:00Z'}]");
}

static void
test_condition_set_observed_generation_change_counts(void **state)
{
    struct json *conds = j(ready_set);
    struct kube_condition c = ready;

    (void)state;
    c.observed_generation = 3;
    assert_true(kube_condition_set(conds, &c, "2026-06-01T00:00:00Z"));
    assert_json(json_clone(kube_condition_find(conds, "Ready")),
                "{'type': 'Ready', 'status': 'True',"
                " 'reason': 'SubnetReady', 'message': 'all good',"
                " 'observedGeneration': 3,"
                " 'lastTransitionTime': '2026-01-01T00:00:00Z',"
                " 'lastUpdateTime': '2026-06-01T00:00:00Z'}");
    /* Unsetting it is a change too, and drops the member. */
    c.observed_generation = 0;
    assert_true(kube_condition_set(conds, &c, "2026-06-02T00:00:00Z"));
    assert_null(
        shash_find_data(json_object(kube_condition_find(conds, "Ready")),
                        "observedGeneration"));
    assert_false(kube_condition_set(conds, &c, "2026-06-03T00:00:00Z"));
    json_destroy(conds);
}

static void
test_condition_set_keeps_members_it_does_not_own(void **state)
{
    struct json *conds = j("[{'type': 'Ready', 'status': 'Unknown',"
                           "  'lastTransitionTime': 'old', 'extra': 1}]");
    struct kube_condition c = {.type = "Ready", .status = "Unknown"};

    (void)state;
    /* Absent reason and message read as "", so this is no change; empty
     * ones are left out, never written as "". */
    assert_false(kube_condition_set(conds, &c, "now"));
    c.reason = "Pending";
    assert_true(kube_condition_set(conds, &c, "now"));
    assert_json(conds, "[{'type': 'Ready', 'status': 'Unknown',"
                       "  'reason': 'Pending',"
                       "  'lastTransitionTime': 'old',"
                       "  'lastUpdateTime': 'now', 'extra': 1}]");
}

static void
test_condition_set_rejects_invalid_condition_and_non_arrays(void **state)
{
    struct json *conds = j("[]");
    struct json *object = j("{}");
    struct kube_condition c = ready;

    (void)state;
    c.status = "true";
    assert_false(kube_condition_set(conds, &c, "now"));
    assert_false(kube_condition_set(object, &ready, "now"));
    assert_false(kube_condition_set(NULL, &ready, "now"));
    assert_json(conds, "[]");
    assert_json(object, "{}");
}

static void
test_condition_find_is_true_and_remove(void **state)
{
    struct json *conds = j("[{'type': 'Ready', 'status': 'True'},"
                           " 'junk', {'type': 7},"
                           " {'type': 'Degraded', 'status': 'False'},"
                           " {'type': 'Ready', 'status': 'False'},"
                           " {'type': 'Odd', 'status': true}]");
    const struct json *found;

    (void)state;
    found = kube_condition_find(conds, "Degraded");
    assert_non_null(found);
    assert_string_equal(
        json_string(shash_find_data(json_object(found), "status")), "False");
    assert_null(kube_condition_find(conds, "Missing"));
    assert_null(kube_condition_find(NULL, "Ready"));
    assert_true(kube_condition_is_true(conds, "Ready"));
    assert_false(kube_condition_is_true(conds, "Degraded"));
    assert_false(kube_condition_is_true(conds, "Odd"));
    assert_false(kube_condition_is_true(conds, "Missing"));

    assert_true(kube_condition_remove(conds, "Ready"));
    assert_false(kube_condition_remove(conds, "Ready"));
    assert_false(kube_condition_remove(NULL, "Ready"));
    assert_null(kube_condition_find(conds, "Ready"));
    assert_json(conds, "['junk', {'type': 7},"
                       " {'type': 'Degraded', 'status': 'False'},"
                       " {'type': 'Odd', 'status': true}]");
}

static void
assert_invalid(const struct kube_condition *c, const char *message)
{
    struct kovn_error err = {0};

    assert_int_equal(kube_condition_validate(c, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
    }
}

static void
test_condition_validate_names_the_field(void **state)
{
    static const char *const good_reasons[] = {
        "A", "SubnetReady", "a_b", "Reason:With,Separators_", "X9",
    };
    static const char *const bad_reasons[] = {
        "9Lives",    "_Leading", "Trailing,",     "Trailing:",
        "Has Space", "Has-Dash", "Dotted.Reason",
    };
    struct kube_condition c = ready;
    struct kovn_error err = {0};
    char *long_text = xmalloc(KUBE_CONDITION_MESSAGE_MAX + 2);

    (void)state;
    assert_int_equal(kube_condition_validate(&ready, &err), 0);
    c.reason = NULL;
    c.message = NULL;
    c.observed_generation = 0;
    assert_int_equal(kube_condition_validate(&c, &err), 0);
    c.reason = "";
    assert_int_equal(kube_condition_validate(&c, &err), 0);
    for (size_t i = 0; i < ARRAY_SIZE(good_reasons); i++) {
        c.reason = good_reasons[i];
        if (kube_condition_validate(&c, &err)) {
            fail_msg("\"%s\" rejected: %s", good_reasons[i], err.msg);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad_reasons); i++) {
        c.reason = bad_reasons[i];
        assert_invalid(&c, "condition Ready reason:");
    }
    c = ready;

    memset(long_text, 'a', KUBE_CONDITION_REASON_MAX + 1);
    long_text[KUBE_CONDITION_REASON_MAX + 1] = '\0';
    c.reason = long_text;
    assert_invalid(&c, "reason: longer than 1024");
    long_text[KUBE_CONDITION_REASON_MAX] = '\0';
    assert_int_equal(kube_condition_validate(&c, &err), 0);
    c = ready;

    memset(long_text, 'm', KUBE_CONDITION_MESSAGE_MAX + 1);
    long_text[KUBE_CONDITION_MESSAGE_MAX + 1] = '\0';
    c.message = long_text;
    assert_invalid(&c, "message: longer than 32768 bytes");
    long_text[KUBE_CONDITION_MESSAGE_MAX] = '\0';
    assert_int_equal(kube_condition_validate(&c, &err), 0);
    c = ready;

    c.type = "";
    assert_invalid(&c, "condition type:");
    c.type = NULL;
    assert_invalid(&c, "condition type:");
    c = ready;
    c.status = "true";
    assert_invalid(&c, "condition Ready status: \"true\"");
    c.status = NULL;
    assert_invalid(&c, "condition Ready status:");
    c = ready;
    c.observed_generation = -1;
    assert_invalid(&c, "observedGeneration");
    free(long_text);
}

static void
test_rfc3339_is_utc_whole_seconds(void **state)
{
    char buf[KUBE_RFC3339_LEN];

    (void)state;
    kube_rfc3339_format(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    kube_rfc3339_format(1795615200, buf);
    assert_string_equal(buf, "2026-11-25T14:00:00Z");
    kube_rfc3339_now(buf);
    assert_int_equal(strlen(buf), 20);
    assert_int_equal(buf[10], 'T');
    assert_int_equal(buf[19], 'Z');
}

static void
test_prune_keeps_listed_paths_and_whole_subtrees(void **state)
{
    static const char *const paths[] = {
        "metadata.name",
        "metadata.annotations",
        "spec.nodeName",
        "status.phase",
        NULL,
    };
    struct json *pod = j("{'metadata': {'name': 'p', 'labels': {'a': 'b'},"
                         "  'annotations': {'x': 'y', 'z': 'w'}},"
                         " 'spec': {'nodeName': 'n1', 'containers': [{}],"
                         "  'nodeNameX': 1},"
                         " 'status': 'odd', 'kind': 'Pod'}");

    (void)state;
    kube_object_prune(pod, paths);
    /* A non-object where an object was expected is dropped whole only if
     * it is not on a path; 'status' is on one, so it stays as it is. */
    assert_json(pod, "{'metadata': {'name': 'p',"
                     "  'annotations': {'x': 'y', 'z': 'w'}},"
                     " 'spec': {'nodeName': 'n1'}, 'status': 'odd'}");
    kube_object_prune(NULL, paths);
}

/* A path through an array prunes each item; items that are not objects
 * stay as they are. */
static void
test_prune_descends_arrays(void **state)
{
    static const char *const paths[] = {
        "spec.containers.ports.name",
        "spec.containers.ports.containerPort",
        NULL,
    };
    struct json *pod = j("{'spec': {'containers': [{'name': 'c', 'image':"
                         " 'i', 'ports': [{'name': 'http', 'containerPort':"
                         " 80, 'hostPort': 8080}, 7]}, {'name': 'd'}, 'x'],"
                         " 'volumes': [{'name': 'v'}]}}");

    (void)state;
    kube_object_prune(pod, paths);
    assert_json(pod, "{'spec': {'containers': [{'ports': [{'name': 'http',"
                     " 'containerPort': 80}, 7]}, {}, 'x']}}");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_accessors_read_metadata),
        cmocka_unit_test(test_object_accessors_read_wrong_types_as_absent),
        cmocka_unit_test(test_object_is_deleting_when_deletion_timestamp_set),
        cmocka_unit_test(
            test_finalizer_add_patch_appends_and_carries_resource_version),
        cmocka_unit_test(
            test_finalizer_add_patch_on_object_without_finalizers),
        cmocka_unit_test(
            test_finalizer_add_patch_is_null_when_already_present),
        cmocka_unit_test(test_finalizer_remove_patch_keeps_order_of_others),
        cmocka_unit_test(
            test_finalizer_remove_patch_drops_duplicates_and_sends_empty_list),
        cmocka_unit_test(test_finalizer_remove_patch_is_null_when_absent),
        cmocka_unit_test(test_finalizer_replace_patch_swaps_in_one_patch),
        cmocka_unit_test(test_condition_set_appends_with_both_times_now),
        cmocka_unit_test(test_condition_set_unchanged_touches_no_timestamp),
        cmocka_unit_test(
            test_condition_set_reason_change_keeps_transition_time),
        cmocka_unit_test(
            test_condition_set_status_change_moves_transition_time),
        cmocka_unit_test(test_condition_set_observed_generation_change_counts),
        cmocka_unit_test(test_condition_set_keeps_members_it_does_not_own),
        cmocka_unit_test(
            test_condition_set_rejects_invalid_condition_and_non_arrays),
        cmocka_unit_test(test_condition_find_is_true_and_remove),
        cmocka_unit_test(test_condition_validate_names_the_field),
        cmocka_unit_test(test_rfc3339_is_utc_whole_seconds),
        cmocka_unit_test(test_prune_keeps_listed_paths_and_whole_subtrees),
        cmocka_unit_test(test_prune_descends_arrays),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
