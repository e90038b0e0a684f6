/* Integration tests for src/kube/rest against a real kube-apiserver: CRUD
 * with Status errors decoded, paged lists, merge patch, delete
 * preconditions, RBAC refusals, many concurrent requests on the poll loop,
 * and a dead server reported as a transport error. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "k8s_sandbox.h"
#include "kube/api.h"
#include "kube/events.h"
#include "kube/kubeconfig.h"
#include "kube/rest.h"
#include "kube/window.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

static struct k8s_sandbox sandbox;

static struct kube_client *
client_with(const char *kubeconfig, const struct kube_client_options *options)
{
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;

    if (kube_config_load(kubeconfig, NULL, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    client = kube_client_create(&config, options, &err);
    kube_config_destroy(&config);
    assert_non_null(client);
    return client;
}

static struct kube_client *
client_for(const char *kubeconfig)
{
    return client_with(kubeconfig, NULL);
}

static long
call(struct kube_client *client, const char *method, const char *path,
     const char *body, const char *content_type,
     struct kube_response *response)
{
    struct kovn_error err = {0};
    struct json *json = body ? json_from_string(body) : NULL;
    int error;

    error = kube_client_call(client, method, path, json, content_type,
                             response, &err);
    json_destroy(json);
    if (error) {
        fail_msg("%s %s: %s", method, path, err.msg);
    }
    return response->status;
}

static const char *
string_at(const struct json *json, const char *a, const char *b)
{
    const struct json *inner = json_member(json, a);
    const char *value = NULL;

    assert_int_equal(json_member_string(inner, b, a, &value, NULL), 0);
    return value;
}

static void
test_create_get_conflict_and_not_found_decode_status(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct kube_response r;

    (void)state;
    assert_int_equal(call(client, "POST", "/api/v1/namespaces",
                          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                          "\"metadata\":{\"name\":\"rest-a\"}}",
                          NULL, &r),
                     201);
    assert_string_equal(string_at(r.body, "metadata", "name"), "rest-a");
    kube_response_destroy(&r);

    assert_int_equal(
        call(client, "GET", "/api/v1/namespaces/rest-a", NULL, NULL, &r), 200);
    assert_string_equal(string_at(r.body, "status", "phase"), "Active");
    kube_response_destroy(&r);

    assert_int_equal(call(client, "POST", "/api/v1/namespaces",
                          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                          "\"metadata\":{\"name\":\"rest-a\"}}",
                          NULL, &r),
                     409);
    assert_string_equal(r.reason, "AlreadyExists");
    assert_non_null(strstr(r.message, "\"rest-a\" already exists"));
    kube_response_destroy(&r);

    assert_int_equal(
        call(client, "GET", "/api/v1/namespaces/no-such", NULL, NULL, &r),
        404);
    assert_string_equal(r.reason, "NotFound");
    kube_response_destroy(&r);

    /* Invalid input is a 422 with the server's field message. */
    assert_int_equal(call(client, "POST", "/apis/kubeovn.io/v1/subnets",
                          "{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":"
                          "\"Subnet\",\"metadata\":{\"name\":\"bad\"},"
                          "\"spec\":{\"excludeIps\":\"10.0.0.1\"}}",
                          NULL, &r),
                     422);
    assert_string_equal(r.reason, "Invalid");
    assert_non_null(strstr(r.message, "spec.excludeIps"));
    kube_response_destroy(&r);
    kube_client_destroy(client);
}

static void
test_list_pages_with_limit_and_continue(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct kube_response r;
    char *cont = NULL;
    int seen = 0, pages = 0;

    (void)state;
    call(client, "POST", "/api/v1/namespaces",
         "{\"metadata\":{\"name\":\"rest-list\"}}", NULL, &r);
    kube_response_destroy(&r);
    for (int i = 0; i < 7; i++) {
        char body[128];

        snprintf(body, sizeof body,
                 "{\"metadata\":{\"name\":\"cm-%d\"},\"data\":{\"i\":\"%d\"}}",
                 i, i);
        assert_int_equal(call(client, "POST",
                              "/api/v1/namespaces/rest-list/configmaps", body,
                              NULL, &r),
                         201);
        kube_response_destroy(&r);
    }
    do {
        char *path = cont ? xasprintf("/api/v1/namespaces/rest-list/"
                                      "configmaps?limit=3&continue=%s",
                                      cont)
                          : xstrdup("/api/v1/namespaces/rest-list/"
                                    "configmaps?limit=3");
        const struct json *items;

        assert_int_equal(call(client, "GET", path, NULL, NULL, &r), 200);
        free(path);
        assert_int_equal(json_member_array(r.body, "items", "", &items, NULL),
                         0);
        assert_true(json_array(items)->n <= 3);
        seen += (int)json_array(items)->n;
        pages++;
        free(cont);
        const char *next = NULL;
        json_member_string(json_member(r.body, "metadata"), "continue", "",
                           &next, NULL);
        cont = next && *next ? xstrdup(next) : NULL;
        kube_response_destroy(&r);
    } while (cont);
    assert_int_equal(seen, 7);
    assert_int_equal(pages, 3);
    kube_client_destroy(client);
}

static void
test_merge_patch_and_delete_precondition(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct kube_response r;
    char *uid, *body;

    (void)state;
    call(client, "POST", "/api/v1/namespaces",
         "{\"metadata\":{\"name\":\"rest-patch\"}}", NULL, &r);
    uid = xstrdup(string_at(r.body, "metadata", "uid"));
    kube_response_destroy(&r);

    assert_int_equal(call(client, "PATCH", "/api/v1/namespaces/rest-patch",
                          "{\"metadata\":{\"annotations\":{\"ovn.kubernetes."
                          "io/logical_switch\":\"ovn-default\"}}}",
                          "application/merge-patch+json", &r),
                     200);
    const struct json *annotations =
        json_member(json_member(r.body, "metadata"), "annotations");
    const char *ls = NULL;
    json_member_string(annotations, "ovn.kubernetes.io/logical_switch", "",
                       &ls, NULL);
    assert_non_null(ls);
    assert_string_equal(ls, "ovn-default");
    kube_response_destroy(&r);

    /* A delete whose uid precondition does not match is a 409 Conflict. */
    assert_int_equal(call(client, "DELETE", "/api/v1/namespaces/rest-patch",
                          "{\"preconditions\":{\"uid\":\"00000000-0000-0000-"
                          "0000-000000000000\"}}",
                          NULL, &r),
                     409);
    assert_string_equal(r.reason, "Conflict");
    kube_response_destroy(&r);
    body = xasprintf("{\"preconditions\":{\"uid\":\"%s\"}}", uid);
    assert_int_equal(call(client, "DELETE", "/api/v1/namespaces/rest-patch",
                          body, NULL, &r),
                     200);
    kube_response_destroy(&r);
    free(body);
    free(uid);
    kube_client_destroy(client);
}

static void
test_rbac_refusal_is_403_forbidden(void **state)
{
    struct kube_client *client = client_for(sandbox.controller_kubeconfig);
    struct kube_response r;

    (void)state;
    assert_int_equal(call(client, "GET", "/api/v1/secrets", NULL, NULL, &r),
                     403);
    assert_string_equal(r.reason, "Forbidden");
    assert_non_null(strstr(r.message, "system:kovn-controller"));
    kube_response_destroy(&r);
    assert_int_equal(
        call(client, "GET", "/apis/kubeovn.io/v1/subnets", NULL, NULL, &r),
        200);
    kube_response_destroy(&r);
    kube_client_destroy(client);
}

struct counter {
    int ok;
    int done;
};

static void
count_done(struct kube_response *response, void *counter_)
{
    struct counter *counter = counter_;

    counter->done++;
    counter->ok += response->status == 201;
}

/* Creates namespace 'ns' and queues 'n' ConfigMap creations in it. */
static void
send_configmaps(struct kube_client *client, const char *ns, int n,
                struct counter *counter)
{
    struct kube_response r;
    char body[96], path[96];

    snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"%s\"}}", ns);
    call(client, "POST", "/api/v1/namespaces", body, NULL, &r);
    kube_response_destroy(&r);
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/configmaps", ns);
    for (int i = 0; i < n; i++) {
        struct json *json;

        snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"m-%d\"}}", i);
        json = json_from_string(body);
        kube_client_send(client, "POST", path, json, NULL, count_done,
                         counter);
        json_destroy(json);
    }
}

static void
test_concurrent_requests_complete_on_the_poll_loop(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct counter counter = {0, 0};
    enum { N = 200 };

    (void)state;
    send_configmaps(client, "rest-many", N, &counter);
    for (;;) {
        kube_client_run(client);
        if (counter.done == N) {
            break;
        }
        kube_client_wait(client);
        poll_block();
    }
    assert_int_equal(counter.ok, N);
    assert_int_equal(kube_client_pending(client), 0);
    kube_client_destroy(client);
}

static int
ignore_data(const char *data, size_t len, void *aux)
{
    (void)data;
    (void)len;
    (void)aux;
    return 0;
}

static void
stream_ended(struct kube_response *response, void *aux)
{
    (void)response;
    (void)aux;
    fail_msg("the watch ended early");
}

/* With max_in_flight 1 and a watch stream open, 40 requests still all
 * complete (a stream does not hold the only slot), never more than one at
 * a time in libcurl's hands, the others waiting their turn. */
static void
test_in_flight_limit_queues_requests_but_not_streams(void **state)
{
    struct kube_client_options options = {
        .qps = 1000, .burst = 1000, .max_in_flight = 1};
    struct kube_client *client = client_with(sandbox.kubeconfig, &options);
    struct counter counter = {0, 0};
    struct kube_request *watch;
    size_t most = 0, passes = 0;
    long long start = time_msec();
    enum { N = 40 };

    (void)state;
    watch = kube_client_stream(client, "/api/v1/namespaces?watch=1",
                               ignore_data, stream_ended, NULL);
    send_configmaps(client, "rest-cap", N, &counter);
    for (;;) {
        kube_client_run(client);
        passes++;
        most = MAX(most, kube_client_in_flight(client));
        if (counter.done == N) {
            break;
        }
        kube_client_wait(client);
        poll_block();
        assert_true(time_msec() - start < 60000);
    }
    assert_int_equal(counter.ok, N);
    assert_int_equal(most, 1);
    /* Waiting requests do not make the loop spin. */
    printf("%zu passes of the poll loop for %d requests\n", passes, N);
    assert_true(passes < 20 * N);
    assert_int_equal(kube_client_in_flight(client), 0);
    kube_request_cancel(watch);
    assert_int_equal(kube_client_pending(client), 0);
    kube_client_destroy(client);
}

static void
test_unreachable_server_is_a_transport_error(void **state)
{
    struct kube_config config;
    struct kube_client *client;
    struct kube_response r;
    struct kovn_error err = {0};

    (void)state;
    kube_config_init(&config);
    config.server = xstrdup("https://127.0.0.1:1");
    config.insecure = true;
    client = kube_client_create(&config, NULL, &err);
    kube_config_destroy(&config);
    assert_int_equal(
        kube_client_call(client, "GET", "/api", NULL, NULL, &r, &err),
        -ECONNREFUSED);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(err.msg, "GET https://127.0.0.1:1/api"));
    kube_response_destroy(&r);
    kube_client_destroy(client);
}

static void
run_until_recorded(struct kube_client *client, struct kube_recorder *rec)
{
    for (;;) {
        kube_client_run(client);
        if (!kube_recorder_pending(rec)) {
            break;
        }
        kube_client_wait(client);
        poll_block();
    }
}

static void
test_events_aggregate_repeats_and_limit_spam(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct kube_recorder *rec =
        kube_recorder_create(client, "kovn-controller", "default");
    struct kube_event_object subnet = {"kubeovn.io/v1", "Subnet", NULL,
                                       "orphan-net", "uid-1"};
    struct kube_event_object other = {"kubeovn.io/v1", "Subnet", NULL,
                                      "noisy-net", "uid-2"};
    struct kube_response r;
    const struct json *items;

    (void)state;
    for (int i = 0; i < 100; i++) {
        kube_recorder_event(rec, &subnet, "Warning", "VpcNotFound",
                            "vpc \"gone\" does not exist");
        if (i % 10 == 0) {
            kube_client_run(client);
        }
    }
    run_until_recorded(client, rec);
    assert_int_equal(call(client, "GET",
                          "/api/v1/namespaces/default/events?fieldSelector="
                          "involvedObject.name%3Dorphan-net",
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_member_array(r.body, "items", "", &items, NULL), 0);
    assert_int_equal(json_array(items)->n, 1);
    const struct json *event = json_array(items)->elems[0];
    assert_int_equal(json_integer(json_member(event, "count")), 100);
    assert_string_equal(json_string(json_member(event, "reason")),
                        "VpcNotFound");
    assert_string_equal(json_string(json_member(event, "type")), "Warning");
    assert_string_equal(string_at(event, "involvedObject", "kind"), "Subnet");
    assert_string_equal(string_at(event, "source", "component"),
                        "kovn-controller");
    kube_response_destroy(&r);

    /* 30 distinct events about one object: the spam filter passes the
     * first 25. */
    for (int i = 0; i < 30; i++) {
        char reason[32];

        snprintf(reason, sizeof reason, "Reason%d", i);
        kube_recorder_event(rec, &other, "Normal", reason, "flapping");
    }
    run_until_recorded(client, rec);
    assert_int_equal(kube_recorder_stats(rec)->dropped, 5);
    assert_int_equal(call(client, "GET",
                          "/api/v1/namespaces/default/events?fieldSelector="
                          "involvedObject.name%3Dnoisy-net",
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_member_array(r.body, "items", "", &items, NULL), 0);
    assert_int_equal(json_array(items)->n, 25);
    kube_response_destroy(&r);
    kube_recorder_destroy(rec);
    kube_client_destroy(client);
}

/* Client-certificate authentication, from files and from *-data fields of
 * a kubeconfig: the apiserver maps the certificate's CN to the user. */
static void
test_client_certificate_auth_from_files_and_data(void **state)
{
    const char *d = sandbox.dir;
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;
    struct kube_response r;
    char *out, *path;

    (void)state;
    out = sandbox_run(
        "cd %s/pki && openssl req -newkey rsa:2048 -nodes -keyout cli.key "
        "-out cli.csr -subj '/O=system:kovn/CN=system:kovn-cli' "
        ">/dev/null 2>&1 && openssl x509 -req -in cli.csr -CA ca.crt "
        "-CAkey ca.key -CAcreateserial -out cli.crt -days 1 >/dev/null 2>&1 "
        "&& server=$(cat %s/apiserver.url) && "
        "printf 'clusters:\n- name: c\n  cluster:\n    server: %%s\n"
        "    certificate-authority: ca.crt\nusers:\n- name: u\n  user:\n"
        "    client-certificate: cli.crt\n    client-key: cli.key\n"
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
        "current-context: x\n' \"$server\" > files.kubeconfig && "
        "printf 'clusters:\n- name: c\n  cluster:\n    server: %%s\n"
        "    certificate-authority-data: %%s\nusers:\n- name: u\n  user:\n"
        "    client-certificate-data: %%s\n    client-key-data: %%s\n"
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
        "current-context: x\n' \"$server\" \"$(base64 -w0 ca.crt)\" "
        "\"$(base64 -w0 cli.crt)\" \"$(base64 -w0 cli.key)\" "
        "> data.kubeconfig",
        d, d);
    assert_non_null(out);
    free(out);

    const char *names[] = {"files.kubeconfig", "data.kubeconfig"};
    for (int i = 0; i < 2; i++) {
        path = xasprintf("%s/pki/%s", d, names[i]);
        if (kube_config_load(path, NULL, &config, &err)) {
            fail_msg("%s", err.msg);
        }
        assert_null(config.token);
        assert_true(config.cert_file || config.cert_pem);
        client = kube_client_create(&config, NULL, &err);
        kube_config_destroy(&config);
        assert_int_equal(
            call(client, "GET", "/apis/kubeovn.io/v1/subnets", NULL, NULL, &r),
            200);
        kube_response_destroy(&r);
        assert_int_equal(
            call(client, "GET", "/api/v1/secrets", NULL, NULL, &r), 403);
        assert_non_null(strstr(r.message, "\"system:kovn-cli\""));
        kube_response_destroy(&r);
        kube_client_destroy(client);
        free(path);
    }
}

struct async_call {
    bool done;
    struct kube_response response;
};

static void
async_done(struct kube_response *response, void *call_)
{
    struct async_call *c = call_;

    c->response = *response;
    memset(response, 0, sizeof *response);
    c->done = true;
}

/* Runs the client until 'c' completes; returns its HTTP status. */
static long
wait_call(struct kube_client *client, struct async_call *c)
{
    while (!c->done) {
        kube_client_run(client);
        if (!c->done) {
            kube_client_wait(client);
            poll_block();
        }
    }
    return c->response.status;
}

/* The typed verbs of kube/api.h: JSON patch, strategic merge patch,
 * status writes on a custom resource, delete with preconditions. */
static void
test_typed_verbs_patch_types_status_and_delete(void **state)
{
    struct kube_client *client = client_for(sandbox.kubeconfig);
    struct async_call c = {0};
    struct json *patch = NULL, *obj;
    char *uid, *rv;

    (void)state;
    obj = json_from_string("{\"metadata\":{\"name\":\"typed\","
                           "\"labels\":{\"a\":\"1\"}}}");
    kube_create(client, "/api/v1/namespaces", obj, async_done, &c);
    assert_int_equal(wait_call(client, &c), 201);
    json_destroy(obj);
    kube_response_destroy(&c.response);

    kube_json_patch_add_op(&patch, "add", "/metadata/labels/b",
                           json_string_create("2"));
    kube_json_patch_add_op(&patch, "remove", "/metadata/labels/a", NULL);
    memset(&c, 0, sizeof c);
    kube_patch(client, "/api/v1/namespaces/typed", KUBE_PATCH_JSON, patch,
               async_done, &c);
    assert_int_equal(wait_call(client, &c), 200);
    const struct json *labels =
        json_member(json_member(c.response.body, "metadata"), "labels");
    assert_non_null(json_member(labels, "b"));
    assert_null(json_member(labels, "a"));
    kube_response_destroy(&c.response);
    json_destroy(patch);

    patch = json_from_string("{\"metadata\":{\"labels\":{\"c\":\"3\"}}}");
    memset(&c, 0, sizeof c);
    kube_patch(client, "/api/v1/namespaces/typed", KUBE_PATCH_STRATEGIC, patch,
               async_done, &c);
    assert_int_equal(wait_call(client, &c), 200);
    uid = xstrdup(string_at(c.response.body, "metadata", "uid"));
    kube_response_destroy(&c.response);
    json_destroy(patch);

    /* Status of a custom resource through its subresource. */
    obj =
        json_from_string("{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":\"Vpc\","
                         "\"metadata\":{\"name\":\"typed-vpc\"}}");
    memset(&c, 0, sizeof c);
    kube_create(client, "/apis/kubeovn.io/v1/vpcs", obj, async_done, &c);
    assert_int_equal(wait_call(client, &c), 201);
    json_destroy(obj);
    kube_response_destroy(&c.response);
    patch = json_from_string("{\"status\":{\"router\":\"typed-vpc\"}}");
    memset(&c, 0, sizeof c);
    kube_patch_status(client, "/apis/kubeovn.io/v1/vpcs/typed-vpc",
                      KUBE_PATCH_MERGE, patch, async_done, &c);
    assert_int_equal(wait_call(client, &c), 200);
    assert_string_equal(string_at(c.response.body, "status", "router"),
                        "typed-vpc");
    rv = xstrdup(string_at(c.response.body, "metadata", "resourceVersion"));
    kube_response_destroy(&c.response);
    json_destroy(patch);

    /* A stale resourceVersion precondition is a conflict; the right one
     * deletes. */
    memset(&c, 0, sizeof c);
    kube_delete(client, "/apis/kubeovn.io/v1/vpcs/typed-vpc", NULL, "1", -1,
                async_done, &c);
    assert_int_equal(wait_call(client, &c), 409);
    kube_response_destroy(&c.response);
    memset(&c, 0, sizeof c);
    kube_delete(client, "/apis/kubeovn.io/v1/vpcs/typed-vpc", NULL, rv, 0,
                async_done, &c);
    assert_int_equal(wait_call(client, &c), 200);
    kube_response_destroy(&c.response);
    memset(&c, 0, sizeof c);
    kube_delete(client, "/api/v1/namespaces/typed", uid, NULL, -1, async_done,
                &c);
    assert_int_equal(wait_call(client, &c), 200);
    kube_response_destroy(&c.response);
    free(uid);
    free(rv);
    kube_client_destroy(client);
}

/* tls-server-name: SNI and the certificate check use the given name while
 * the connection goes to the kubeconfig's server address. */
static void
test_tls_server_name_checks_the_given_name(void **state)
{
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;
    struct kube_response r;

    (void)state;
    for (int i = 0; i < 2; i++) {
        if (kube_config_load(sandbox.kubeconfig, NULL, &config, &err)) {
            fail_msg("%s", err.msg);
        }
        /* The serving certificate names kubernetes.default, not the
         * other one. */
        config.tls_server_name =
            xstrdup(i == 0 ? "kubernetes.default" : "wrong.example");
        client = kube_client_create(&config, NULL, &err);
        kube_config_destroy(&config);
        int error =
            kube_client_call(client, "GET", "/version", NULL, NULL, &r, &err);
        if (i == 0) {
            assert_int_equal(error, 0);
            assert_int_equal(r.status, 200);
        } else {
            assert_int_not_equal(error, 0);
            assert_int_equal(r.status, 0);
        }
        kube_response_destroy(&r);
        kube_client_destroy(client);
    }
}

/* A rotated token file is picked up without recreating the client. */
static void
test_token_file_is_read_again(void **state)
{
    struct kube_client_options options = {.token_reload_ms = 100};
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;
    struct kube_response r;
    char *out, *kubeconfig;

    (void)state;
    out = sandbox_run(
        "cd %s/pki && awk -F, '$2 == \"system:kovn-cli\" {print $1}' "
        "tokens.csv > rotating.token && server=$(cat %s/apiserver.url) && "
        "printf 'clusters:\n- name: c\n  cluster:\n    server: %%s\n"
        "    certificate-authority: ca.crt\nusers:\n- name: u\n  user:\n"
        "    tokenFile: rotating.token\ncontexts:\n- name: x\n"
        "  context: {cluster: c, user: u}\ncurrent-context: x\n' "
        "\"$server\" > token.kubeconfig && grep -c . rotating.token",
        sandbox.dir, sandbox.dir);
    assert_non_null(out);
    assert_string_equal(out, "1\n");
    free(out);
    kubeconfig = xasprintf("%s/pki/token.kubeconfig", sandbox.dir);
    if (kube_config_load(kubeconfig, NULL, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    client = kube_client_create(&config, &options, &err);
    kube_config_destroy(&config);
    assert_int_equal(call(client, "GET", "/api/v1/secrets", NULL, NULL, &r),
                     403);
    kube_response_destroy(&r);

    out = sandbox_run("cd %s/pki && awk -F, '$2 == \"kovn-admin\" "
                      "{print $1}' tokens.csv > rotating.token && echo ok",
                      sandbox.dir);
    assert_non_null(out);
    free(out);
    usleep(200 * 1000);
    assert_int_equal(call(client, "GET", "/api/v1/secrets", NULL, NULL, &r),
                     200);
    kube_response_destroy(&r);
    kube_client_destroy(client);
    free(kubeconfig);
}

struct overload_counter {
    int done, created, too_many, other;
};

static void
overload_done(struct kube_response *response, void *counter_)
{
    struct overload_counter *counter = counter_;

    counter->done++;
    counter->created += response->status == 201;
    counter->too_many += response->status == 429;
    if (response->status != 201 && response->status != 429) {
        /* A server this starved may also time a write out (504), or drop
         * it: counted, not judged. */
        counter->other++;
        printf("other answer: %ld %s\n", response->status, response->message);
    }
}

/* An API server that takes one write at a time answers the rest with 429:
 * the client's window is cut (to 1 at worst), so that a second wave meets
 * far fewer refusals than the first, which hit it with the whole window. */
static void
test_429s_cut_the_window(void **state)
{
    struct k8s_sandbox tight;
    /* A short timeout: an answer that never comes fails the wave soon. */
    struct kube_client_options options = {
        .qps = KUBE_CLIENT_NO_RATE, .max_in_flight = 32, .timeout_ms = 3000};
    struct overload_counter waves[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    enum { N = 100 };

    (void)state;
    setenv("K8S_APISERVER_ARGS",
           "--enable-priority-and-fairness=false "
           "--max-mutating-requests-inflight=1",
           1);
    k8s_sandbox_start(&tight, false);
    unsetenv("K8S_APISERVER_ARGS");

    /* Not the admin: the API server does not limit system:masters. */
    struct kube_client *client =
        client_with(tight.controller_kubeconfig, &options);

    for (int wave = 0; wave < 2; wave++) {
        struct overload_counter *c = &waves[wave];
        long long start = time_msec();

        for (int i = 0; i < N; i++) {
            char body[160];
            struct json *json;

            snprintf(body, sizeof body,
                     "{\"apiVersion\":\"coordination.k8s.io/v1\","
                     "\"kind\":\"Lease\",\"metadata\":{\"name\":\"w%d-%d\"}}",
                     wave, i);
            json = json_from_string(body);
            kube_client_send(
                client, "POST",
                "/apis/coordination.k8s.io/v1/namespaces/default/leases", json,
                NULL, overload_done, c);
            json_destroy(json);
        }
        for (;;) {
            kube_client_run(client);
            if (c->done == N) {
                break;
            }
            kube_client_wait(client);
            poll_timer_wait_until(start + 60000);
            poll_block();
            assert_true(time_msec() - start < 60000);
        }
        printf("wave %d: %d created, %d refused with 429, %d other, "
               "window %zu after %llu cuts\n",
               wave + 1, c->created, c->too_many, c->other,
               kube_window_limit(kube_client_window(client)),
               (unsigned long long)kube_client_window(client)->cuts);
        assert_int_equal(c->created + c->too_many + c->other, N);
    }
    assert_true(waves[0].too_many > 0);
    assert_true(kube_client_window(client)->cuts > 0);
    assert_true(waves[1].too_many < waves[0].too_many);
    kube_client_destroy(client);
    k8s_sandbox_stop(&tight);
}

static int
setup(void **state)
{
    (void)state;
    k8s_sandbox_start(&sandbox, false);
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
        cmocka_unit_test(test_create_get_conflict_and_not_found_decode_status),
        cmocka_unit_test(test_list_pages_with_limit_and_continue),
        cmocka_unit_test(test_tls_server_name_checks_the_given_name),
        cmocka_unit_test(test_token_file_is_read_again),
        cmocka_unit_test(test_merge_patch_and_delete_precondition),
        cmocka_unit_test(test_typed_verbs_patch_types_status_and_delete),
        cmocka_unit_test(test_rbac_refusal_is_403_forbidden),
        cmocka_unit_test(test_concurrent_requests_complete_on_the_poll_loop),
        cmocka_unit_test(test_in_flight_limit_queues_requests_but_not_streams),
        cmocka_unit_test(test_429s_cut_the_window),
        cmocka_unit_test(test_unreachable_server_is_a_transport_error),
        cmocka_unit_test(test_events_aggregate_repeats_and_limit_spam),
        cmocka_unit_test(test_client_certificate_auth_from_files_and_data),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
