/* Integration test for src/kube/informer against a real kube-apiserver: an
 * informer over 5,000 objects converges; then objects are created, updated
 * and deleted while kube-apiserver is killed with SIGKILL and restarted,
 * and the store must end equal to a fresh list with every delete
 * delivered.  A second informer resumes with a compacted history and must
 * relist (410).  Unpaged and fenced lists hold every acknowledged write.
 * Pods listed in protobuf equal the same pods listed in JSON. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "k8s_sandbox.h"
#include "kube/informer.h"
#include "kube/kubeconfig.h"
#include "kube/object.h"
#include "kube/podproto.h"
#include "kube/protobuf.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_OBJECTS  5000
#define NS         "inf"
#define COLLECTION "/api/v1/namespaces/" NS "/configmaps"

static struct k8s_sandbox sandbox;

static struct kube_client *
make_client(double qps)
{
    struct kovn_error err = {0};
    struct kube_client_options options = {.qps = qps, .burst = (int)qps};
    struct kube_config config;
    struct kube_client *client;

    if (kube_config_load(sandbox.kubeconfig, NULL, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    client = kube_client_create(&config, &options, &err);
    kube_config_destroy(&config);
    assert_non_null(client);
    return client;
}

/* A batch of writes.  On a loaded machine the API server may time a few
 * out or refuse them (429, 5xx); those are sent again, and a repeat that
 * finds its create already done (409) or its delete already done (404)
 * counts as done. */
struct batch {
    int done;
    int retry_round;
    bool *failed; /* By index - first. */
    int first;
    long last_status;
};

struct batch_req {
    struct batch *batch;
    int i;
};

static void
batch_done(struct kube_response *response, void *req_)
{
    struct batch_req *req = req_;
    struct batch *batch = req->batch;
    bool ok = response->status >= 200 && response->status < 300;

    if (batch->retry_round &&
        (response->status == 409 || response->status == 404)) {
        ok = true;
    }
    batch->done++;
    batch->failed[req->i - batch->first] = !ok;
    if (!ok) {
        batch->last_status = response->status;
    }
    free(req);
}

static struct batch_req *
batch_req(struct batch *batch, int i)
{
    struct batch_req *req = xmalloc(sizeof *req);

    req->batch = batch;
    req->i = i;
    return req;
}

/* Sends the 'n' requests made by 'make' and runs until all completed,
 * repeating failed ones up to 5 times. */
static void
run_batch(struct kube_client *client, int first, int n,
          void (*make)(struct kube_client *, int, struct batch_req *))
{
    struct batch batch = {.first = first};
    int n_failed = n;

    batch.failed = xcalloc(n, sizeof *batch.failed);
    for (int i = 0; i < n; i++) {
        batch.failed[i] = true;
    }
    for (batch.retry_round = 0; n_failed && batch.retry_round < 6;
         batch.retry_round++) {
        int sent = 0;

        batch.done = 0;
        for (int i = 0; i < n; i++) {
            if (batch.failed[i]) {
                make(client, first + i, batch_req(&batch, first + i));
                sent++;
            }
        }
        for (;;) {
            kube_client_run(client);
            if (batch.done == sent) {
                break;
            }
            kube_client_wait(client);
            poll_block();
        }
        n_failed = 0;
        for (int i = 0; i < n; i++) {
            n_failed += batch.failed[i];
        }
    }
    free(batch.failed);
    if (n_failed) {
        fail_msg("%d of %d writes still failed (last status %ld)", n_failed, n,
                 batch.last_status);
    }
}

static void
create_one(struct kube_client *client, int i, struct batch_req *req)
{
    char body[128];
    struct json *json;

    snprintf(body, sizeof body,
             "{\"metadata\":{\"name\":\"o-%d\",\"labels\":{\"shard\":"
             "\"s%d\"}},\"data\":{\"v\":\"0\"}}",
             i, i % 4);
    json = json_from_string(body);
    kube_client_send(client, "POST", COLLECTION, json, NULL, batch_done, req);
    json_destroy(json);
}

static void
update_one(struct kube_client *client, int i, struct batch_req *req)
{
    char path[96];
    struct json *json = json_from_string("{\"data\":{\"v\":\"1\"}}");

    snprintf(path, sizeof path, COLLECTION "/o-%d", i);
    kube_client_send(client, "PATCH", path, json,
                     "application/merge-patch+json", batch_done, req);
    json_destroy(json);
}

static void
delete_one(struct kube_client *client, int i, struct batch_req *req)
{
    char path[96];

    snprintf(path, sizeof path, COLLECTION "/o-%d", i);
    kube_client_send(client, "DELETE", path, NULL, NULL, batch_done, req);
}

struct observed {
    struct sset deleted;
    int adds;
    int updates;
};

static void
on_add(const char *key, const struct json *object, void *aux)
{
    struct observed *o = aux;

    (void)key;
    (void)object;
    o->adds++;
}

static void
on_update(const char *key, const struct json *old, const struct json *new,
          void *aux)
{
    struct observed *o = aux;

    (void)key;
    (void)old;
    (void)new;
    o->updates++;
}

static void
on_delete(const char *key, const struct json *object, void *aux)
{
    struct observed *o = aux;

    (void)object;
    sset_add(&o->deleted, key);
}

static const char *
shard_of(const struct json *object)
{
    const struct json *labels =
        json_member(json_member(object, "metadata"), "labels");
    const char *shard = NULL;

    json_member_string(labels, "shard", "", &shard, NULL);
    return shard;
}

/* Runs client and informer until 'done' says so or 'timeout_ms' passes. */
static bool
run_until(struct kube_client *client, struct kube_informer *inf,
          bool (*done)(struct kube_informer *, void *), void *aux,
          long long timeout_ms)
{
    long long deadline = time_msec() + timeout_ms;

    for (;;) {
        kube_client_run(client);
        kube_informer_run(inf);
        if (done(inf, aux)) {
            return true;
        }
        if (time_msec() >= deadline) {
            return false;
        }
        kube_client_wait(client);
        kube_informer_wait(inf);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
synced_with_count(struct kube_informer *inf, void *n_)
{
    return kube_informer_has_synced(inf) &&
           kube_informer_count(inf) == *(size_t *)n_;
}

/* The store equals a fresh list: same keys, same resourceVersions. */
static bool
equals_fresh_list(struct kube_informer *inf, void *client_)
{
    static long long next_check;
    struct kube_client *client = client_;
    struct kube_response r;
    const struct json *items;
    bool equal;

    if (time_msec() < next_check) {
        return false;
    }
    next_check = time_msec() + 1000;
    if (kube_client_call(client, "GET", COLLECTION, NULL, NULL, &r, NULL) ||
        r.status != 200 ||
        json_member_array(r.body, "items", "", &items, NULL) || !items) {
        kube_response_destroy(&r);
        return false;
    }
    equal = json_array(items)->n == kube_informer_count(inf);
    for (size_t i = 0; equal && i < json_array(items)->n; i++) {
        const struct json *item = json_array(items)->elems[i];
        char *key = kube_object_key(item);
        const struct json *mine = kube_informer_get(inf, key);

        equal = mine && !strcmp(kube_object_resource_version(mine),
                                kube_object_resource_version(item));
        free(key);
    }
    kube_response_destroy(&r);
    return equal;
}

static void
test_informer_converges_through_apiserver_kill(void **state)
{
    struct kube_client *writer = make_client(2000);
    struct kube_client *reader = make_client(50);
    struct kube_client *checker = make_client(50);
    struct observed observed = {.adds = 0};
    struct kube_informer_options options = {.path = COLLECTION,
                                            .page_size = 500};
    struct kube_informer_handlers handlers = {on_add, on_update, on_delete,
                                              &observed};
    struct kube_informer *inf;
    size_t expected = N_OBJECTS;

    (void)state;
    sset_init(&observed.deleted);
    run_batch(writer, 0, N_OBJECTS, create_one);

    fprintf(stderr, "created %d objects at %lld ms\n", N_OBJECTS, time_msec());
    inf = kube_informer_create(reader, &options, &handlers);
    kube_informer_add_index(inf, "shard", shard_of);
    assert_true(run_until(reader, inf, synced_with_count, &expected, 120000));
    assert_int_equal(observed.adds, N_OBJECTS);
    assert_int_equal(sset_count(kube_informer_by_index(inf, "shard", "s1")),
                     N_OBJECTS / 4);

    fprintf(stderr, "synced at %lld ms\n", time_msec());
    /* Churn while the informer watches: 100 creates, updates, deletes. */
    run_batch(writer, N_OBJECTS, 100, create_one);
    run_batch(writer, 0, 100, update_one);
    run_batch(writer, 100, 100, delete_one);

    /* kill -9 kube-apiserver and restart it; more churn right after,
     * before the informer had a chance to resume its watch. */
    char *out = sandbox_run("%s/scripts/k8s.sh kill %s kube-apiserver KILL && "
                            "%s/scripts/k8s.sh restart %s kube-apiserver",
                            KOVN_SOURCE_ROOT_FOR_TESTS, sandbox.dir,
                            KOVN_SOURCE_ROOT_FOR_TESTS, sandbox.dir);
    assert_non_null(out);
    free(out);
    run_batch(writer, 200, 100, delete_one);
    run_batch(writer, 300, 100, update_one);
    run_batch(writer, N_OBJECTS + 100, 50, create_one);

    fprintf(stderr, "restarted and churned at %lld ms\n", time_msec());
    assert_true(run_until(reader, inf, equals_fresh_list, checker, 120000));
    fprintf(stderr, "converged at %lld ms (lists %llu, expired %llu)\n",
            time_msec(), kube_informer_stats(inf)->lists,
            kube_informer_stats(inf)->expired);
    assert_int_equal(kube_informer_count(inf), N_OBJECTS + 150 - 200);
    /* The restarted apiserver no longer had the informer's history: the
     * resumed watch got 410 Expired and the informer relisted. */
    assert_true(kube_informer_stats(inf)->expired >= 1);
    assert_true(kube_informer_stats(inf)->lists >= 2);
    for (int i = 100; i < 300; i++) {
        char key[64];

        snprintf(key, sizeof key, NS "/o-%d", i);
        if (!sset_contains(&observed.deleted, key)) {
            fail_msg("delete of %s was not delivered", key);
        }
    }
    assert_int_equal(sset_count(&observed.deleted), 200);
    kube_informer_destroy(inf);
    sset_destroy(&observed.deleted);
    kube_client_destroy(writer);
    kube_client_destroy(reader);
    kube_client_destroy(checker);
}

static bool
synced(struct kube_informer *inf, void *aux)
{
    (void)aux;
    return kube_informer_has_synced(inf);
}

/* Objects a direct list from etcd returns (with 'selector' or all). */
static size_t
etcd_count(struct kube_client *client, const char *selector)
{
    char *path =
        xasprintf(COLLECTION "%s%s", selector ? "?labelSelector=" : "",
                  selector ? selector : "");
    const struct json *items;
    struct kube_response r;
    size_t n;

    assert_int_equal(
        kube_client_call(client, "GET", path, NULL, NULL, &r, NULL), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_member_array(r.body, "items", "", &items, NULL), 0);
    n = json_array(items)->n;
    kube_response_destroy(&r);
    free(path);
    return n;
}

/* An unpaged, streamed list must hold every write acknowledged before it
 * began (the controller's address book is restored from such lists): each
 * round writes objects, then a new informer lists them, with a selector
 * every other round. */
static void
test_unpaged_list_holds_every_acknowledged_write(void **state)
{
    struct kube_client *writer = make_client(2000);
    struct kube_client *reader = make_client(50);
    enum { FIRST = 20000, ROUND = 40, ROUNDS = 5 };

    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        struct kube_informer_options options = {
            .path = COLLECTION,
            .list_unpaged = true,
            .label_selector = round % 2 ? "shard=s1" : NULL,
        };
        struct kube_informer *inf;

        run_batch(writer, FIRST + round * ROUND, ROUND, create_one);
        inf = kube_informer_create(reader, &options, NULL);
        assert_true(run_until(reader, inf, synced, NULL, 60000));
        for (int i = FIRST; i < FIRST + (round + 1) * ROUND; i++) {
            char key[64];

            snprintf(key, sizeof key, NS "/o-%d", i);
            if ((!options.label_selector || i % 4 == 1) &&
                !kube_informer_get(inf, key)) {
                fail_msg("round %d: %s missing from the unpaged list", round,
                         key);
            }
        }
        assert_int_equal(kube_informer_count(inf),
                         etcd_count(writer, options.label_selector));
        kube_informer_destroy(inf);
    }
    kube_client_destroy(writer);
    kube_client_destroy(reader);
}

#define FENCE_LABEL "list-fence"

static struct json *
fence_object(const char *generate_name)
{
    char *text = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                           "\"metadata\":{\"generateName\":\"%s\",\"labels\":"
                           "{\"" FENCE_LABEL "\":\"\"}}}",
                           generate_name);
    struct json *json = json_from_string(text);

    free(text);
    return json;
}

static bool
fences_deleted(struct kube_informer *inf, void *client)
{
    (void)inf;
    return !etcd_count(client, FENCE_LABEL);
}

/* A fenced first list (from the watch cache, at the version of the
 * informer's own write) holds every write acknowledged before it, as a
 * quorum read does, never shows the fence, and leaves no fence behind:
 * neither its own nor one a crashed informer left. */
static void
test_fenced_list_holds_every_acknowledged_write(void **state)
{
    struct kube_client *writer = make_client(2000);
    struct kube_client *reader = make_client(50);
    enum { FIRST = 30000, ROUND = 40, ROUNDS = 5 };
    struct json *fence = fence_object("fence-");

    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        struct kube_informer_options options = {
            .path = COLLECTION,
            .list_unpaged = true,
            .label_selector =
                round % 2 ? "shard=s1,!" FENCE_LABEL : "!" FENCE_LABEL,
            .fence_object = fence,
            .fence_selector = FENCE_LABEL,
        };
        const char *count_selector =
            round % 2 ? "shard%3Ds1,%21" FENCE_LABEL : "%21" FENCE_LABEL;
        struct kube_informer *inf;
        struct kube_response r;

        if (round == 2) {
            /* What a crash between create and delete leaves. */
            assert_int_equal(kube_client_call(writer, "POST", COLLECTION,
                                              fence, NULL, &r, NULL),
                             0);
            assert_int_equal(r.status, 201);
            kube_response_destroy(&r);
        }
        run_batch(writer, FIRST + round * ROUND, ROUND, create_one);
        inf = kube_informer_create(reader, &options, NULL);
        assert_true(run_until(reader, inf, synced, NULL, 60000));
        assert_int_equal(kube_informer_stats(inf)->fenced_lists, 1);
        for (int i = FIRST; i < FIRST + (round + 1) * ROUND; i++) {
            char key[64];

            snprintf(key, sizeof key, NS "/o-%d", i);
            if ((round % 2 == 0 || i % 4 == 1) &&
                !kube_informer_get(inf, key)) {
                fail_msg("round %d: %s missing from the fenced list", round,
                         key);
            }
        }
        assert_int_equal(kube_informer_count(inf),
                         etcd_count(writer, count_selector));
        assert_true(run_until(reader, inf, fences_deleted, writer, 30000));
        kube_informer_destroy(inf);
    }
    json_destroy(fence);
    kube_client_destroy(writer);
    kube_client_destroy(reader);
}

/* A fence the API server refuses leaves a quorum list, not no list. */
static void
test_failed_fence_falls_back_to_a_quorum_list(void **state)
{
    struct kube_client *reader = make_client(50);
    struct json *fence = fence_object("Not_A_Name-");
    struct kube_informer_options options = {
        .path = COLLECTION,
        .list_unpaged = true,
        .label_selector = "!" FENCE_LABEL,
        .fence_object = fence,
        .fence_selector = FENCE_LABEL,
    };
    struct kube_informer *inf;

    (void)state;
    run_batch(reader, 40000, 10, create_one);
    inf = kube_informer_create(reader, &options, NULL);
    json_destroy(fence);
    assert_true(run_until(reader, inf, synced, NULL, 60000));
    assert_int_equal(kube_informer_stats(inf)->fenced_lists, 0);
    assert_int_equal(kube_informer_stats(inf)->lists, 1);
    assert_int_equal(kube_informer_count(inf),
                     etcd_count(reader, "%21" FENCE_LABEL));
    assert_true(kube_informer_count(inf) > 0);
    kube_informer_destroy(inf);
    kube_client_destroy(reader);
}

#define PODS "/api/v1/namespaces/" NS "/pods"

static void
call_ok(struct kube_client *client, const char *method, const char *path,
        const char *body, const char *content_type, long want)
{
    struct json *json = body ? json_from_string(body) : NULL;
    struct kube_response r;

    assert_int_equal(
        kube_client_call(client, method, path, json, content_type, &r, NULL),
        0);
    if (r.status != want) {
        fail_msg("%s %s: %ld %s", method, path, r.status, r.message);
    }
    kube_response_destroy(&r);
    json_destroy(json);
}

static void
create_pod(struct kube_client *client, const char *name, const char *meta,
           const char *spec)
{
    /* Ports in containers other than the first: decoded for named ports. */
    char *body =
        xasprintf("{\"metadata\":{\"name\":\"%s\"%s},\"spec\":{%s"
                  "\"automountServiceAccountToken\":false,"
                  "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"},"
                  "{\"name\":\"d\",\"image\":\"busybox\",\"ports\":["
                  "{\"name\":\"http\",\"containerPort\":8080},"
                  "{\"containerPort\":53,\"protocol\":\"UDP\"}]}]}}",
                  name, meta, spec);

    call_ok(client, "POST", PODS, body, NULL, 201);
    free(body);
}

static int
stream_ignore(const char *data, size_t len, void *aux)
{
    (void)data;
    (void)len;
    (void)aux;
    return 0;
}

static void
stream_404_done(struct kube_response *response, void *done_)
{
    bool *done = done_;

    assert_int_equal(response->status, 404);
    assert_string_equal(response->reason, "NotFound");
    assert_non_null(strstr(response->message, "not-there"));
    *done = true;
}

/* The pod informer's first list comes as protobuf: the pods decoded from
 * it must equal the same pods' JSON, pruned to the decoded fields, field
 * for field: names, labels, annotations (not all ASCII), a deletion
 * timestamp, host networking, a node, a phase, and pods without them. */
static void
test_protobuf_list_equals_json_list(void **state)
{
    struct kube_client *client = make_client(100);

    (void)state;
    /* No controller-manager here makes the namespace's default service
     * account, which pod admission looks up. */
    call_ok(client, "POST", "/api/v1/namespaces/" NS "/serviceaccounts",
            "{\"metadata\":{\"name\":\"default\"}}", NULL, 201);
    create_pod(client, "plain", "", "");
    create_pod(client, "rich",
               ",\"labels\":{\"app\":\"web\",\"tier\":\"1\"},"
               "\"annotations\":{\"ovn.kubernetes.io/ip_address\":"
               "\"10.16.0.7\",\"note\":\"caf\xc3\xa9 \xe2\x9c\x93\","
               "\"empty\":\"\"}",
               "\"nodeName\":\"node-9\",\"hostNetwork\":true,"
               "\"restartPolicy\":\"Never\",");
    create_pod(client, "deleting", ",\"finalizers\":[\"kovn.test/hold\"]", "");
    call_ok(client, "DELETE", PODS "/deleting", NULL, NULL, 200);
    create_pod(client, "running", ",\"generateName\":\"run-\"", "");
    call_ok(client, "PATCH", PODS "/running/status",
            "{\"status\":{\"phase\":\"Running\"}}",
            "application/merge-patch+json", 200);

    struct kube_informer_options pb_options = {
        .path = PODS,
        .list_unpaged = true,
        .list_protobuf = kube_pod_from_protobuf,
    };
    struct kube_informer_options json_options = {
        .path = PODS,
        .list_unpaged = true,
    };
    struct kube_informer *pb = kube_informer_create(client, &pb_options, NULL);
    struct kube_informer *json =
        kube_informer_create(client, &json_options, NULL);
    assert_true(run_until(client, pb, synced, NULL, 60000));
    assert_true(run_until(client, json, synced, NULL, 60000));
    assert_int_equal(kube_informer_stats(pb)->protobuf_lists, 1);
    assert_int_equal(kube_informer_stats(json)->protobuf_lists, 0);
    assert_int_equal(kube_informer_count(pb), 4);
    assert_int_equal(kube_informer_count(json), 4);

    static const char *const keys[] = {NS "/plain", NS "/rich", NS "/deleting",
                                       NS "/running"};
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        struct json *from_pb = kube_informer_get_copy(pb, keys[i]);
        struct json *from_json = kube_informer_get_copy(json, keys[i]);

        assert_non_null(from_pb);
        assert_non_null(from_json);
        kube_object_prune(from_json, kube_pod_protobuf_fields);
        if (!json_equal(from_pb, from_json)) {
            char *a = json_to_string(from_pb, JSSF_SORT);
            char *b = json_to_string(from_json, JSSF_SORT);

            fail_msg("%s differs:\nprotobuf %s\nJSON     %s", keys[i], a, b);
        }
        json_destroy(from_pb);
        json_destroy(from_json);
    }
    /* The fields that make the comparison worth it did arrive. */
    const struct json *rich = kube_informer_get(pb, NS "/rich");
    const struct json *containers =
        json_member(json_member(rich, "spec"), "containers");
    assert_non_null(containers);
    assert_int_equal(JSON_ARRAY, containers->type);
    assert_int_equal(2, containers->array.n);
    assert_non_null(json_member(containers->array.elems[1], "ports"));
    const struct json *deleting = kube_informer_get(pb, NS "/deleting");
    assert_non_null(
        json_member(json_member(deleting, "metadata"), "deletionTimestamp"));
    kube_informer_destroy(pb);
    kube_informer_destroy(json);

    /* An error answered in protobuf still reads as a Status. */
    bool done = false;
    struct kube_request *request = kube_client_stream(
        client, PODS "/not-there", stream_ignore, stream_404_done, &done);
    kube_request_accept(request, KUBE_PROTOBUF_MEDIA);
    long long deadline = time_msec() + 30000;
    for (;;) {
        kube_client_run(client);
        if (done) {
            break;
        }
        assert_true(time_msec() < deadline);
        kube_client_wait(client);
        poll_timer_wait_until(deadline);
        poll_block();
    }

    call_ok(client, "PATCH", PODS "/deleting",
            "{\"metadata\":{\"finalizers\":null}}",
            "application/merge-patch+json", 200);
    kube_client_destroy(client);
}

static int
setup(void **state)
{
    struct json *ns = json_from_string("{\"metadata\":{\"name\":\"" NS "\"}}");
    struct kube_client *client;
    struct kube_response r;

    (void)state;
    k8s_sandbox_start(&sandbox, false);
    client = make_client(50);
    assert_int_equal(kube_client_call(client, "POST", "/api/v1/namespaces", ns,
                                      NULL, &r, NULL),
                     0);
    assert_int_equal(r.status, 201);
    kube_response_destroy(&r);
    json_destroy(ns);
    kube_client_destroy(client);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    k8s_sandbox_stop(&sandbox);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_informer_converges_through_apiserver_kill),
        cmocka_unit_test(test_unpaged_list_holds_every_acknowledged_write),
        cmocka_unit_test(test_fenced_list_holds_every_acknowledged_write),
        cmocka_unit_test(test_failed_fence_falls_back_to_a_quorum_list),
        cmocka_unit_test(test_protobuf_list_equals_json_list),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
    if (getenv("TEST_FILTER")) { /* e.g. "test_fenced*" */
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
