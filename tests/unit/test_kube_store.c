/* Unit tests for src/kube/store: the informer's compact object store. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/object.h"
#include "kube/store.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "random.h"
#include "sset.h"
#include "util.h"
#include "json/access.h"

static struct json *
pod(const char *name, const char *rv, const char *node)
{
    char *text = xasprintf(
        "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"ns\","
        "\"resourceVersion\":\"%s\",\"annotations\":{\"a\":\"\\u00e9\\n\\\"\"}"
        "},"
        "\"spec\":{\"nodeName\":\"%s\",\"n\":[1,2.5,-3,true,false,null,{}]}}",
        name, rv, node);
    struct json *json = json_from_string(text);

    free(text);
    assert_int_equal(json->type, JSON_OBJECT);
    return json;
}

/* Every test runs on a plain store and on packed ones; the state is the
 * dictionary (NULL: plain). */
static void
store_init(struct kube_store *store, void **state)
{
    kube_store_init(store);
    if (*state) {
        kube_store_set_dictionary(store, *state);
    }
}

/* Like the objects the tests store, and not like them at all. */
static const char pod_like_sample[] =
    "{\"metadata\":{\"name\":\"\",\"namespace\":\"ns\","
    "\"resourceVersion\":\"\"},\"spec\":{\"nodeName\":\"\"}}";
static const char unlike_sample[] = "";

static const char *
node_of(const struct json *object)
{
    const char *node = NULL;

    json_member_string(json_member(object, "spec"), "nodeName", "", &node,
                       NULL);
    return node;
}

static void
assert_same(const struct json *a, const struct json *b)
{
    assert_non_null(a);
    assert_non_null(b);
    assert_true(json_equal(a, b));
}

static void
test_store_round_trips_objects_exactly(void **state)
{
    struct kube_store store;
    struct json *p = pod("a", "7", "n1"), *old = NULL;

    store_init(&store, state);
    assert_true(kube_store_put(&store, "ns/a", p, &old));
    assert_null(old);
    assert_same(kube_store_get(&store, "ns/a"), p);
    assert_string_equal(kube_store_resource_version(&store, "ns/a"), "7");
    assert_true(kube_store_contains(&store, "ns/a"));
    assert_false(kube_store_contains(&store, "ns/b"));
    assert_null(kube_store_get(&store, "ns/b"));
    assert_int_equal(kube_store_count(&store), 1);

    struct json *copy = kube_store_get_copy(&store, "ns/a");
    assert_same(copy, p);
    json_destroy(copy);
    json_destroy(p);
    kube_store_destroy(&store);
}

static void
test_store_hands_back_what_it_replaces_and_deletes(void **state)
{
    struct kube_store store;
    struct json *v1 = pod("a", "1", "n1"), *v2 = pod("a", "2", "n2");
    struct json *old = NULL;

    store_init(&store, state);
    kube_store_put(&store, "ns/a", v1, NULL);
    assert_false(kube_store_put(&store, "ns/a", v2, &old));
    assert_same(old, v1);
    json_destroy(old);
    assert_same(kube_store_get(&store, "ns/a"), v2);

    assert_true(kube_store_delete(&store, "ns/a", &old));
    assert_same(old, v2);
    json_destroy(old);
    assert_false(kube_store_delete(&store, "ns/a", &old));
    assert_null(old);
    assert_int_equal(kube_store_count(&store), 0);
    json_destroy(v1);
    json_destroy(v2);
    kube_store_destroy(&store);
}

/* A pointer from kube_store_get() outlives a change to its object until the
 * flush: reconcilers read an object, then issue requests whose callbacks
 * may run the informer's watch before they are done with it.  ASan turns a
 * use after free here into a failure. */
static void
test_store_lent_objects_live_until_flush(void **state)
{
    struct kube_store store;
    struct json *v1 = pod("a", "1", "n1"), *v2 = pod("a", "2", "n2");

    store_init(&store, state);
    kube_store_put(&store, "ns/a", v1, NULL);
    const struct json *lent = kube_store_get(&store, "ns/a");
    assert_ptr_equal(lent, kube_store_get(&store, "ns/a"));

    kube_store_put(&store, "ns/a", v2, NULL);
    assert_same(lent, v1);
    const struct json *current = kube_store_get(&store, "ns/a");
    assert_same(current, v2);
    kube_store_delete(&store, "ns/a", NULL);
    assert_same(lent, v1);
    assert_same(current, v2);
    assert_null(kube_store_get(&store, "ns/a"));
    kube_store_flush(&store);
    json_destroy(v1);
    json_destroy(v2);
    kube_store_destroy(&store);
}

static void
test_store_index_follows_changes(void **state)
{
    struct kube_store store;
    struct json *a1 = pod("a", "1", "n1"), *b1 = pod("b", "1", "n1");
    struct json *a2 = pod("a", "2", "n2"), *a3 = pod("a", "3", "n2");

    store_init(&store, state);
    kube_store_add_index(&store, "node", node_of);
    kube_store_put(&store, "ns/a", a1, NULL);
    kube_store_put(&store, "ns/b", b1, NULL);
    assert_int_equal(sset_count(kube_store_by_index(&store, "node", "n1")), 2);
    assert_null(kube_store_by_index(&store, "node", "n2"));
    assert_null(kube_store_by_index(&store, "other", "n1"));

    kube_store_put(&store, "ns/a", a2, NULL);
    assert_int_equal(sset_count(kube_store_by_index(&store, "node", "n1")), 1);
    assert_true(
        sset_contains(kube_store_by_index(&store, "node", "n2"), "ns/a"));
    /* Same value again: still there once. */
    kube_store_put(&store, "ns/a", a3, NULL);
    assert_int_equal(sset_count(kube_store_by_index(&store, "node", "n2")), 1);

    kube_store_delete(&store, "ns/b", NULL);
    assert_null(kube_store_by_index(&store, "node", "n1"));
    kube_store_delete(&store, "ns/a", NULL);
    assert_null(kube_store_by_index(&store, "node", "n2"));
    json_destroy(a1);
    json_destroy(b1);
    json_destroy(a2);
    json_destroy(a3);
    kube_store_destroy(&store);
}

static void
test_store_sweeps_what_a_relist_did_not_mark(void **state)
{
    struct kube_store store;
    struct sset gone = SSET_INITIALIZER(&gone);
    struct json *a = pod("a", "1", "n"), *b = pod("b", "1", "n");
    struct json *c = pod("c", "1", "n");

    store_init(&store, state);
    kube_store_put(&store, "ns/a", a, NULL);
    kube_store_put(&store, "ns/b", b, NULL);
    kube_store_put(&store, "ns/c", c, NULL);
    kube_store_mark_all(&store);
    kube_store_touch(&store, "ns/a");
    kube_store_put(&store, "ns/c", c, NULL);
    kube_store_unmarked(&store, &gone);
    assert_int_equal(sset_count(&gone), 1);
    assert_true(sset_contains(&gone, "ns/b"));
    sset_destroy(&gone);
    json_destroy(a);
    json_destroy(b);
    json_destroy(c);
    kube_store_destroy(&store);
}

static void
test_store_cursor_visits_each_object_once(void **state)
{
    struct kube_store store;
    struct kube_store_cursor cursor;
    struct sset seen = SSET_INITIALIZER(&seen);
    char name[16], key[32];

    store_init(&store, state);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "p%d", i);
        snprintf(key, sizeof key, "ns/p%d", i);
        struct json *p = pod(name, "1", "n");
        kube_store_put(&store, key, p, NULL);
        json_destroy(p);
    }
    /* One of them lent out: the walk gives that same tree. */
    const struct json *lent = kube_store_get(&store, "ns/p7");
    KUBE_STORE_FOR_EACH(&cursor, &store)
    {
        char *expected = xasprintf("ns/%s", kube_object_name(cursor.object));

        assert_string_equal(cursor.key, expected);
        assert_true(sset_add(&seen, cursor.key));
        if (!strcmp(cursor.key, "ns/p7")) {
            assert_ptr_equal(cursor.object, lent);
        }
        free(expected);
    }
    assert_int_equal(sset_count(&seen), 100);
    /* A walk ended with break leaves nothing behind (LeakSanitizer). */
    KUBE_STORE_FOR_EACH(&cursor, &store)
    {
        break;
    }
    sset_destroy(&seen);
    kube_store_destroy(&store);
}

/* Random puts and deletes against a plain map of trees. */
static void
test_store_matches_a_map_of_trees(void **state)
{
    struct kube_store store;
    struct shash model = SHASH_INITIALIZER(&model);
    struct shash_node *node;

    store_init(&store, state);
    kube_store_add_index(&store, "node", node_of);
    random_set_seed(42);
    for (int op = 0; op < 20000; op++) {
        char name[16], key[32], rv[16], nodename[8];
        int i = random_range(200);

        snprintf(name, sizeof name, "p%d", i);
        snprintf(key, sizeof key, "ns/p%d", i);
        if (random_range(4)) {
            snprintf(rv, sizeof rv, "%d", op);
            snprintf(nodename, sizeof nodename, "n%d", (int)random_range(5));
            struct json *p = pod(name, rv, nodename), *old = NULL;
            struct json *expected_old = shash_replace(&model, key, p);

            assert_int_equal(kube_store_put(&store, key, p, &old),
                             expected_old == NULL);
            if (expected_old) {
                assert_same(old, expected_old);
            } else {
                assert_null(old);
            }
            json_destroy(old);
            json_destroy(expected_old);
        } else {
            struct json *expected_old = shash_find_and_delete(&model, key);

            assert_int_equal(kube_store_delete(&store, key, NULL),
                             expected_old != NULL);
            json_destroy(expected_old);
        }
        if (op % 997 == 0) {
            kube_store_flush(&store);
        }
    }
    assert_int_equal(kube_store_count(&store), shash_count(&model));
    SHASH_FOR_EACH(node, &model)
    {
        const struct sset *keys =
            kube_store_by_index(&store, "node", node_of(node->data));

        assert_same(kube_store_get(&store, node->name), node->data);
        assert_true(keys && sset_contains(keys, node->name));
    }
    for (int n = 0; n < 5; n++) {
        char nodename[8];
        const struct sset *keys;
        size_t expected = 0;

        snprintf(nodename, sizeof nodename, "n%d", n);
        SHASH_FOR_EACH(node, &model)
        {
            expected += !strcmp(node_of(node->data), nodename);
        }
        keys = kube_store_by_index(&store, "node", nodename);
        assert_int_equal(keys ? sset_count(keys) : 0, expected);
    }
    SHASH_FOR_EACH(node, &model)
    {
        json_destroy(node->data);
    }
    shash_destroy(&model);
    kube_store_destroy(&store);
}

/* Objects with no resourceVersion (or no metadata at all) are kept too. */
static void
test_store_keeps_objects_without_resource_version(void **state)
{
    struct kube_store store;
    struct json *bare = json_from_string("{\"metadata\":{\"name\":\"b\"}}");
    struct json *empty = json_object_create();

    store_init(&store, state);
    kube_store_put(&store, "b", bare, NULL);
    kube_store_put(&store, "e", empty, NULL);
    assert_null(kube_store_resource_version(&store, "b"));
    assert_null(kube_store_resource_version(&store, "e"));
    assert_same(kube_store_get(&store, "b"), bare);
    assert_same(kube_store_get(&store, "e"), empty);
    assert_true(kube_store_data_bytes(&store) > 0);
    kube_store_delete(&store, "b", NULL);
    kube_store_delete(&store, "e", NULL);
    assert_int_equal(kube_store_data_bytes(&store), 0);
    json_destroy(bare);
    json_destroy(empty);
    kube_store_destroy(&store);
}

/* A pruned pod as the controller stores it, with its own values. */
static struct json *
annotated_pod(int i)
{
    char *text = xasprintf(
        "{\"metadata\":{\"name\":\"web-%05d\",\"namespace\":\"shop\","
        "\"uid\":\"%08x-1c2d-4e5f-8a9b-%012x\",\"resourceVersion\":\"%d\","
        "\"annotations\":{\"ovn.kubernetes.io/allocated\":\"true\","
        "\"ovn.kubernetes.io/cidr\":\"10.16.0.0/16\","
        "\"ovn.kubernetes.io/gateway\":\"10.16.0.1\","
        "\"ovn.kubernetes.io/ip_address\":\"10.16.%d.%d\","
        "\"ovn.kubernetes.io/logical_router\":\"ovn-cluster\","
        "\"ovn.kubernetes.io/logical_switch\":\"ovn-default\","
        "\"ovn.kubernetes.io/mac_address\":\"00:00:00:%02X:%02X:%02X\","
        "\"ovn.kubernetes.io/pod_nic_type\":\"veth-pair\"}},"
        "\"spec\":{\"nodeName\":\"node-%03d\",\"restartPolicy\":"
        "\"Always\"},\"status\":{\"phase\":\"Running\"}}",
        i, random_uint32(), random_uint32(), 100000 + i, i / 256, i % 256,
        (int)random_range(256), (int)random_range(256), (int)random_range(256),
        i % 100);
    struct json *json = json_from_string(text);

    free(text);
    assert_int_equal(json->type, JSON_OBJECT);
    return json;
}

/* The point of a dictionary: pods that differ in a few values take a
 * fraction of their text, and read back exactly. */
static void
test_packed_store_holds_pods_in_a_fraction(void **state)
{
    enum { N = 2000 };
    struct kube_store plain, packed;
    size_t text_bytes = 0;

    (void)state;
    kube_store_init(&plain);
    kube_store_init(&packed);
    kube_store_set_dictionary(&packed, pod_like_sample);
    random_set_seed(7);
    for (int i = 0; i < N; i++) {
        struct json *p = annotated_pod(i);
        char *key = xasprintf("shop/web-%05d", i);
        char *text = json_to_string(p, 0);

        text_bytes += strlen(text);
        kube_store_put(&plain, key, p, NULL);
        kube_store_put(&packed, key, p, NULL);
        assert_same(kube_store_get(&packed, key), p);
        free(text);
        free(key);
        json_destroy(p);
    }
    /* The plain store holds each text once, plus its record. */
    assert_true(kube_store_data_bytes(&plain) > text_bytes);
    assert_true(kube_store_data_bytes(&packed) * 3 <
                kube_store_data_bytes(&plain));
    printf("%d pods of %zu bytes: %zu bytes plain, %zu packed\n", N,
           text_bytes / N, kube_store_data_bytes(&plain) / N,
           kube_store_data_bytes(&packed) / N);
    kube_store_destroy(&plain);
    kube_store_destroy(&packed);
}

#define STORE_TEST(TEST)                                          \
    cmocka_unit_test_prestate(TEST, NULL),                        \
        cmocka_unit_test_prestate(TEST, (void *)pod_like_sample), \
        cmocka_unit_test_prestate(TEST, (void *)unlike_sample)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_store_round_trips_objects_exactly),
        STORE_TEST(test_store_hands_back_what_it_replaces_and_deletes),
        STORE_TEST(test_store_lent_objects_live_until_flush),
        STORE_TEST(test_store_index_follows_changes),
        STORE_TEST(test_store_sweeps_what_a_relist_did_not_mark),
        STORE_TEST(test_store_cursor_visits_each_object_once),
        STORE_TEST(test_store_matches_a_map_of_trees),
        STORE_TEST(test_store_keeps_objects_without_resource_version),
        cmocka_unit_test(test_packed_store_holds_pods_in_a_fraction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
