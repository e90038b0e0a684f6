/* kovn-controller's /ui page and its data; see ui.h.
 *
 * The picture is remade only when its inputs changed (ui_view_fingerprint())
 * and a page is watching or asking; a new DOT text is a new version, and
 * its SVG is rendered once, on the first request for it. */
#include <config.h>

#include "controller/ui.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "base/httpd.h"
#include "controller/controller.h"
#include "controller/embedded.h"
#include "controller/ui_auth.h"
#include "controller/ui_view.h"
#include "crd/topology.h"
#include "crd/topology_dot.h"
#include "crd/topology_svg.h"
#include "kube/api.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(ui);

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define APP_JSON   "application/json"
#define IMAGE_SVG  "image/svg+xml"

/* The newest Events of an object that the details show. */
#define UI_EVENTS_MAX 20
/* Longest object name (a DNS subdomain). */
#define UI_NAME_MAX 253

enum ui_route { ROUTE_SVG, ROUTE_OBJECT };

/* A request waiting for its caller's review or for the object's Events. */
struct ui_call {
    struct ovs_list node; /* In ui->calls. */
    struct ui *ui;
    struct httpd_deferred *deferred;
    enum ui_route route;
    char *kind, *name;           /* ROUTE_OBJECT. */
    bool reviewing;              /* Waiting for ui_auth. */
    struct kube_request *events; /* Waiting for the Events list. */
    struct json *object;         /* The details, once Events are in. */
};

/* A page listening on /ui/events. */
struct ui_stream {
    struct ovs_list node; /* In ui->streams. */
    struct ui *ui;
    struct httpd_stream *stream;
    bool reviewing; /* Not told anything until allowed. */
    bool allowed;
    uint64_t version_sent;
};

struct ui {
    struct controller *ctl;
    bool require_auth;
    struct ui_auth *auth;
    struct ovs_list calls;
    struct ovs_list streams;
    size_t n_streams;

    char *fingerprint; /* Of the inputs of 'dot'. */
    struct ds dot;
    uint64_t version; /* Bumped when 'dot' changes. */
    struct ds svg;    /* Of 'dot', "" until asked for. */
    long long next_refresh_ms;
    long long refresh_cost_ms; /* Of the last remake of the picture. */
    long long next_keepalive_ms;
};

bool
ui_address_is_local(const char *address)
{
    struct in6_addr in6;
    struct in_addr in4;

    if (!address) {
        return true; /* httpd's default, 127.0.0.1. */
    }
    if (inet_pton(AF_INET, address, &in4) == 1) {
        return (ntohl(in4.s_addr) >> 24) == 127;
    }
    return inet_pton(AF_INET6, address, &in6) == 1 &&
           IN6_IS_ADDR_LOOPBACK(&in6);
}

/* Remakes the DOT text when its inputs changed; a different text is a new
 * version. */
static void
refresh(struct ui *ui)
{
    char *fingerprint = ui_view_fingerprint(ui->ctl);
    struct topology *topology;
    struct ds dot = DS_EMPTY_INITIALIZER;
    long long start_ms;

    if (ui->fingerprint && !strcmp(fingerprint, ui->fingerprint)) {
        free(fingerprint);
        return;
    }
    free(ui->fingerprint);
    ui->fingerprint = fingerprint;
    start_ms = time_msec();
    topology = ui_view_topology(ui->ctl);
    topology_to_dot(topology, &dot);
    topology_destroy(topology);
    ui->refresh_cost_ms = time_msec() - start_ms;
    if (strcmp(ds_cstr(&dot), ds_cstr(&ui->dot))) {
        ds_swap(&dot, &ui->dot);
        ds_clear(&ui->svg);
        ui->version++;
    }
    ds_destroy(&dot);
}

/* The picture, rendered when first asked for at this version. */
static int
current_svg(struct ui *ui, struct kovn_error *err)
{
    refresh(ui);
    if (!ui->svg.length) {
        return topology_svg_render(ds_cstr(&ui->dot), &ui->svg, err);
    }
    return 0;
}

static const char *
bearer_token(const struct httpd_request *req)
{
    const char *header = httpd_request_header(req, "Authorization");

    if (header && !strncasecmp(header, "Bearer ", 7)) {
        return header + 7;
    }
    return httpd_request_cookie(req, "kovn_ui_token");
}

/* The value of 'key' in query 'query' (not percent-decoded: the values
 * used here are kinds and DNS names, checked by the caller), or NULL. */
static char *
query_value(const char *query, const char *key)
{
    size_t key_len = strlen(key);

    for (const char *p = query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len > key_len && !strncmp(p, key, key_len) && p[key_len] == '=') {
            return xmemdup0(p + key_len + 1, len - key_len - 1);
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static bool
valid_name(const char *name)
{
    size_t len = strlen(name);

    if (!len || len > UI_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
            *p != '-' && *p != '.') {
            return false;
        }
    }
    return true;
}

static void
call_finish(struct ui_call *call, int status, const char *content_type,
            const char *body)
{
    httpd_deferred_reply(call->deferred, status, content_type, body);
    ovs_list_remove(&call->node);
    json_destroy(call->object);
    free(call->kind);
    free(call->name);
    free(call);
}

static void
call_finish_json(struct ui_call *call, const struct json *json)
{
    char *text = json_to_string(json, JSSF_SORT);

    call_finish(call, 200, APP_JSON, text);
    free(text);
}

/* The fields of an Event the details show. */
static struct json *
event_json(const struct json *event)
{
    static const char *const fields[] = {"type",           "reason",
                                         "message",        "lastTimestamp",
                                         "firstTimestamp", "eventTime"};
    const struct json *source = json_member(event, "source");
    struct json *out = json_object_create();
    const struct json *count = json_member(event, "count");
    const char *component = NULL;

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const char *value = NULL;

        json_member_string(event, fields[i], "", &value, NULL);
        if (value) {
            json_object_put_string(out, fields[i], value);
        }
    }
    if (count && count->type == JSON_INTEGER) {
        json_object_put(out, "count", json_integer_create(count->integer));
    }
    json_member_string(source, "component", "", &component, NULL);
    if (component) {
        json_object_put_string(out, "source", component);
    }
    return out;
}

static const char *
event_time(const struct json *event)
{
    static const char *const fields[] = {"lastTimestamp", "eventTime",
                                         "firstTimestamp"};

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const char *value = NULL;

        json_member_string(event, fields[i], "", &value, NULL);
        if (value) {
            return value;
        }
    }
    return "";
}

static int
compare_event_time(const void *a_, const void *b_)
{
    const struct json *const *a = a_;
    const struct json *const *b = b_;

    /* RFC 3339 times in UTC sort as text; newest first. */
    return strcmp(event_time(*b), event_time(*a));
}

static void
events_listed(struct kube_response *response, void *call_)
{
    struct ui_call *call = call_;
    const struct json *items = NULL;
    struct json *events = json_array_create_empty();

    call->events = NULL;
    if (response->status == 200) {
        json_member_array(response->body, "items", "", &items, NULL);
    }
    if (items) {
        size_t n = items->array.n;
        const struct json **sorted =
            xmemdup(items->array.elems, n * sizeof *sorted);

        qsort(sorted, n, sizeof *sorted, compare_event_time);
        for (size_t i = 0; i < n && i < UI_EVENTS_MAX; i++) {
            json_array_add(events, event_json(sorted[i]));
        }
        free(sorted);
    } else {
        char *why = xasprintf("cannot list Events: %ld %s", response->status,
                              response->message);
        json_object_put_string(call->object, "eventsError", why);
        free(why);
    }
    json_object_put(call->object, "events", events);
    call_finish_json(call, call->object);
}

static const char *
event_kind(const char *kind)
{
    return !strcmp(kind, "vpc")      ? "Vpc"
           : !strcmp(kind, "subnet") ? "Subnet"
                                     : "Namespace";
}

/* The details of the object, then its Events from the API server. */
static void
answer_object(struct ui_call *call)
{
    struct ui *ui = call->ui;
    char *path;

    call->object = ui_view_object(ui->ctl, call->kind, call->name);
    if (!call->object) {
        char *msg = xasprintf("no %s named %s\n", call->kind, call->name);
        call_finish(call, 404, TEXT_PLAIN, msg);
        free(msg);
        return;
    }
    /* Events of all namespaces: a cluster-scoped object's are wherever
     * their recorder put them. */
    path = xasprintf("/api/v1/events?fieldSelector=involvedObject.kind%%3D"
                     "%s%%2CinvolvedObject.name%%3D%s",
                     event_kind(call->kind), call->name);
    call->events = kube_get(ui->ctl->client, path, events_listed, call);
    free(path);
}

static void
answer_svg(struct ui_call *call)
{
    struct kovn_error err = {0};

    if (current_svg(call->ui, &err)) {
        char *msg = xasprintf("%s\n", err.msg);
        call_finish(call, 500, TEXT_PLAIN, msg);
        free(msg);
    } else {
        call_finish(call, 200, IMAGE_SVG, ds_cstr(&call->ui->svg));
    }
}

static void
call_answer(struct ui_call *call)
{
    if (call->route == ROUTE_SVG) {
        answer_svg(call);
    } else {
        answer_object(call);
    }
}

static void
call_reviewed(enum ui_auth_verdict verdict, const char *why, void *call_)
{
    struct ui_call *call = call_;

    call->reviewing = false;
    if (verdict == UI_AUTH_ALLOWED) {
        call_answer(call);
    } else {
        char *msg = xasprintf("%s\n", why);
        call_finish(call, ui_auth_http_status(verdict), TEXT_PLAIN, msg);
        free(msg);
    }
}

/* Every data route: the caller's review first where one is needed. */
static void
start_call(struct ui *ui, const struct httpd_request *req, enum ui_route route,
           char *kind, char *name)
{
    struct ui_call *call = xzalloc(sizeof *call);

    call->ui = ui;
    call->route = route;
    call->kind = kind;
    call->name = name;
    call->deferred = httpd_defer(req);
    ovs_list_push_back(&ui->calls, &call->node);
    if (ui->require_auth) {
        call->reviewing = true;
        ui_auth_check(ui->auth, bearer_token(req), call_reviewed, call);
    } else {
        call_answer(call);
    }
}

static bool
only_get(const struct httpd_request *req, struct httpd_response *resp)
{
    if (strcmp(req->method, "GET")) {
        httpd_response_set(resp, 405, TEXT_PLAIN, "only GET\n");
        return false;
    }
    return true;
}

static void
serve_page(const struct httpd_request *req, struct httpd_response *resp,
           void *ui_)
{
    (void)ui_;
    if (only_get(req, resp)) {
        httpd_response_set(resp, 200, "text/html; charset=utf-8",
                           kovn_ui_page[0].text);
    }
}

static void
serve_svg(const struct httpd_request *req, struct httpd_response *resp,
          void *ui)
{
    if (only_get(req, resp)) {
        start_call(ui, req, ROUTE_SVG, NULL, NULL);
    }
}

static void
serve_object(const struct httpd_request *req, struct httpd_response *resp,
             void *ui)
{
    char *kind, *name;

    if (!only_get(req, resp)) {
        return;
    }
    kind = query_value(req->query, "kind");
    name = query_value(req->query, "name");
    if (!kind || !name ||
        (strcmp(kind, "vpc") && strcmp(kind, "subnet") &&
         strcmp(kind, "ns")) ||
        !valid_name(name)) {
        httpd_response_set(resp, 400, TEXT_PLAIN,
                           "want ?kind=vpc|subnet|ns&name=NAME (a DNS "
                           "name)\n");
        free(kind);
        free(name);
        return;
    }
    start_call(ui, req, ROUTE_OBJECT, kind, name);
}

static void
stream_send_version(struct ui_stream *s)
{
    char *event =
        xasprintf("event: topology\ndata: %" PRIu64 "\n\n", s->ui->version);

    httpd_stream_write(s->stream, event, strlen(event));
    s->version_sent = s->ui->version;
    free(event);
}

static void
stream_reviewed(enum ui_auth_verdict verdict, const char *why, void *s_)
{
    struct ui_stream *s = s_;

    s->reviewing = false;
    if (verdict == UI_AUTH_ALLOWED) {
        s->allowed = true;
        refresh(s->ui);
        stream_send_version(s);
    } else {
        char *event = xasprintf("event: denied\ndata: %d %s\n\n",
                                ui_auth_http_status(verdict), why);

        httpd_stream_write(s->stream, event, strlen(event));
        free(event);
        httpd_stream_close(s->stream);
        s->stream = NULL;
    }
}

/* A stream answers at once, so a refusal comes as a "denied" event: the
 * page's EventSource cannot see a status. */
static void
serve_events(const struct httpd_request *req, struct httpd_response *resp,
             void *ui_)
{
    struct ui *ui = ui_;
    struct ui_stream *s;

    if (!only_get(req, resp)) {
        return;
    }
    if (ui->n_streams >= UI_MAX_STREAMS) {
        httpd_response_set(resp, 503, TEXT_PLAIN,
                           "too many pages listening\n");
        return;
    }
    s = xzalloc(sizeof *s);
    s->ui = ui;
    s->stream = httpd_stream_open(req, "text/event-stream");
    ovs_list_push_back(&ui->streams, &s->node);
    ui->n_streams++;
    /* A page reconnects after a second when the stream drops. */
    httpd_stream_write(s->stream, "retry: 1000\n\n", 13);
    if (ui->require_auth) {
        s->reviewing = true;
        ui_auth_check(ui->auth, bearer_token(req), stream_reviewed, s);
    } else {
        stream_reviewed(UI_AUTH_ALLOWED, "", s);
    }
}

struct ui *
ui_create(struct controller *ctl, struct httpd *httpd, bool require_auth)
{
    struct ui *ui = xzalloc(sizeof *ui);

    ui->ctl = ctl;
    ui->require_auth = require_auth;
    ui->auth = ui_auth_create(ctl->client);
    ovs_list_init(&ui->calls);
    ovs_list_init(&ui->streams);
    ds_init(&ui->dot);
    ds_init(&ui->svg);
    httpd_route(httpd, "/ui", serve_page, ui);
    httpd_route(httpd, "/ui/", serve_page, ui);
    httpd_route(httpd, "/ui/topology.svg", serve_svg, ui);
    httpd_route(httpd, "/ui/object", serve_object, ui);
    httpd_route(httpd, "/ui/events", serve_events, ui);
    VLOG_INFO("/ui %s", require_auth ? "asks callers for a token that may "
                                       "list subnets"
                                     : "serves anyone on localhost");
    return ui;
}

static void
stream_free(struct ui_stream *s)
{
    if (s->stream) {
        httpd_stream_close(s->stream);
    }
    ovs_list_remove(&s->node);
    s->ui->n_streams--;
    free(s);
}

void
ui_destroy(struct ui *ui)
{
    struct ui_stream *s;
    struct ui_call *call;

    if (!ui) {
        return;
    }
    /* Reviews under way end as UI_AUTH_UNAVAILABLE: their calls answer
     * 503 and their streams close. */
    ui_auth_destroy(ui->auth);
    LIST_FOR_EACH_SAFE(call, node, &ui->calls)
    {
        if (call->events) {
            kube_request_cancel(call->events);
        }
        call_finish(call, 503, TEXT_PLAIN, "the controller is stopping\n");
    }
    LIST_FOR_EACH_SAFE(s, node, &ui->streams)
    {
        stream_free(s);
    }
    free(ui->fingerprint);
    ds_destroy(&ui->dot);
    ds_destroy(&ui->svg);
    free(ui);
}

void
ui_run(struct ui *ui)
{
    long long now = time_msec();
    bool keepalive = now >= ui->next_keepalive_ms;
    struct ui_stream *s;

    LIST_FOR_EACH_SAFE(s, node, &ui->streams)
    {
        if (!s->reviewing &&
            (!s->stream || !httpd_stream_is_open(s->stream))) {
            stream_free(s);
        }
    }
    if (ovs_list_is_empty(&ui->streams)) {
        return;
    }
    if (now >= ui->next_refresh_ms) {
        refresh(ui);
        ui->next_refresh_ms =
            now + MIN(MAX(UI_REFRESH_MS, 4 * ui->refresh_cost_ms),
                      UI_REFRESH_MAX_MS);
    }
    if (keepalive) {
        ui->next_keepalive_ms = now + UI_KEEPALIVE_MS;
    }
    LIST_FOR_EACH(s, node, &ui->streams)
    {
        if (!s->allowed || !s->stream) {
            continue;
        }
        if (s->version_sent != ui->version) {
            stream_send_version(s);
        } else if (keepalive) {
            httpd_stream_write(s->stream, ": keepalive\n\n", 13);
        }
    }
}

void
ui_wait(struct ui *ui)
{
    if (!ovs_list_is_empty(&ui->streams)) {
        poll_timer_wait_until(MIN(ui->next_refresh_ms, ui->next_keepalive_ms));
    }
}
