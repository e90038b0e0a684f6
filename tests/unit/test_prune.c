/* Unit tests for src/controller/prune: the controller's informer
 * transforms. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "controller/prune.h"
#include "kube/podproto.h"
#include "openvswitch/json.h"

static void
test_pod_keeps_what_reconcilers_read_and_ovn_annotations_only(void **state)
{
    struct json *pod = json_from_string(
        "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u\","
        "\"resourceVersion\":\"7\",\"labels\":{\"app\":\"a\"},"
        "\"annotations\":{\"ovn.kubernetes.io/ip_address\":\"10.16.0.5\","
        "\"ovn.kubernetes.io/logical_switch\":\"s\","
        "\"kubectl.kubernetes.io/last-applied-configuration\":\"{...}\","
        "\"ovn.kubernetes.io.evil/x\":\"y\"}},"
        "\"spec\":{\"nodeName\":\"n1\",\"hostNetwork\":false,"
        "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
        "\"image\":\"i\",\"ports\":[{\"name\":\"http\",\"containerPort\":80,"
        "\"protocol\":\"TCP\",\"hostIP\":\"0.0.0.0\"}]},{\"name\":\"d\"}]},"
        "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.16.0.5\"}}");
    struct json *expected = json_from_string(
        "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u\","
        "\"resourceVersion\":\"7\",\"labels\":{\"app\":\"a\"},"
        "\"annotations\":{\"ovn.kubernetes.io/ip_address\":\"10.16.0.5\","
        "\"ovn.kubernetes.io/logical_switch\":\"s\"}},"
        "\"spec\":{\"nodeName\":\"n1\",\"hostNetwork\":false,"
        "\"restartPolicy\":\"Never\",\"containers\":[{\"ports\":["
        "{\"name\":\"http\",\"containerPort\":80,\"protocol\":\"TCP\"}]},{}]},"
        "\"status\":{\"phase\":\"Running\"}}");

    (void)state;
    ctrl_prune_pod(pod, NULL);
    assert_true(json_equal(pod, expected));
    /* Idempotent. */
    ctrl_prune_pod(pod, NULL);
    assert_true(json_equal(pod, expected));
    json_destroy(pod);
    json_destroy(expected);
}

static void
test_pod_with_odd_shapes_is_left_alone(void **state)
{
    const char *inputs[] = {
        "{}",
        "{\"metadata\":{\"annotations\":null}}",
        "{\"metadata\":{\"annotations\":[1,2]}}",
        "{\"metadata\":7}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        struct json *pod = json_from_string(inputs[i]);

        ctrl_prune_pod(pod, NULL);
        assert_int_equal(pod->type, JSON_OBJECT);
        json_destroy(pod);
    }
}

/* The store dictionaries are samples of pruned objects: valid JSON that
 * the transforms leave as it is, or they would hold fields no stored
 * object has. */
static void
test_store_dictionaries_are_pruned_objects(void **state)
{
    struct {
        const char *text;
        void (*prune)(struct json *, void *);
    } samples[] = {
        {ctrl_pod_dictionary, ctrl_prune_pod},
        {ctrl_ip_dictionary, ctrl_prune_ip},
    };

    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        struct json *sample = json_from_string(samples[i].text);
        struct json *pruned;

        assert_int_equal(sample->type, JSON_OBJECT);
        pruned = json_deep_clone(sample);
        samples[i].prune(pruned, NULL);
        assert_true(json_equal(sample, pruned));
        json_destroy(sample);
        json_destroy(pruned);
    }
}

/* The pod informer's first list is protobuf: a field pruning keeps but
 * the protobuf decoder does not know would be missing after every
 * restart, and present after the next watch event. */
static void
test_pod_fields_are_all_decoded_from_protobuf(void **state)
{
    (void)state;
    for (size_t i = 0; ctrl_pod_fields[i]; i++) {
        bool found = false;

        for (size_t k = 0; kube_pod_protobuf_fields[k] && !found; k++) {
            found = !strcmp(ctrl_pod_fields[i], kube_pod_protobuf_fields[k]);
        }
        if (!found) {
            fail_msg("%s is kept but not decoded from protobuf",
                     ctrl_pod_fields[i]);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_pod_keeps_what_reconcilers_read_and_ovn_annotations_only),
        cmocka_unit_test(test_pod_with_odd_shapes_is_left_alone),
        cmocka_unit_test(test_store_dictionaries_are_pruned_objects),
        cmocka_unit_test(test_pod_fields_are_all_decoded_from_protobuf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
