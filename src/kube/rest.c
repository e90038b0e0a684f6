/* Kubernetes REST over libcurl multi on the OVS poll loop; see rest.h. */
#include <config.h>

#include "kube/rest.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "base/error.h"
#include "base/file.h"
#include "hash.h"
#include "kube/kubeconfig.h"
#include "kube/status.h"
#include "kube/window.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(kube_rest);

struct kube_client {
    CURLM *multi;
    struct kube_config config; /* Own copy of what requests need. */
    struct kube_client_options options;
    char *auth_header;
    /* A token file is read again once a minute, as client-go does, so a
     * rotated service-account token is picked up without a restart. */
    char *token_file;
    long long token_read_at;
    /* tls-server-name: requests go to https://<name>:<port> while curl
     * connects to the server's real host, so SNI and certificate checks
     * use <name>. */
    char *base_url;
    struct curl_slist *connect_to;

    struct hmap sockets;      /* struct tracked_socket, by fd. */
    long long timer_deadline; /* time_msec() deadline, or LLONG_MAX. */

    struct ovs_list queued;   /* Waiting for a rate-limit token. */
    struct ovs_list active;   /* Handed to curl. */
    struct ovs_list finished; /* Done, callback not yet called. */
    size_t n_active_requests; /* Not streams, in 'active'. */
    size_t n_queued_streams;  /* In 'queued'. */

    /* Token bucket. */
    double tokens;
    long long tokens_updated;
    struct kube_window window; /* Bounds 'n_active_requests'. */
};

struct tracked_socket {
    struct hmap_node node;
    curl_socket_t fd;
    int what; /* CURL_POLL_IN, CURL_POLL_OUT or CURL_POLL_INOUT. */
};

struct kube_request {
    struct ovs_list node;
    struct kube_client *client;
    CURL *easy;
    struct curl_slist *headers;
    char *method;
    char *url;
    char *body;
    struct ds response_body;
    bool too_large;
    char curl_error[CURL_ERROR_SIZE];
    CURLcode result;
    kube_response_fn *done;
    void *aux;
    /* Streaming (watch) requests: data goes to 'stream' as it arrives and
     * the response body stays empty. */
    kube_stream_fn *stream;
    bool stream_stopped;
    bool finished;     /* Out of curl's hands. */
    long long started; /* When handed to curl (time_msec()). */
};

static void
curl_global_once(void)
{
    static bool done;

    if (!done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
            ovs_fatal(0, "curl_global_init failed");
        }
        done = true;
    }
}

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *client_, void *sockp)
{
    struct kube_client *client = client_;
    struct tracked_socket *s = sockp;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            hmap_remove(&client->sockets, &s->node);
            free(s);
            curl_multi_assign(client->multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        s = xzalloc(sizeof *s);
        s->fd = fd;
        hmap_insert(&client->sockets, &s->node, hash_int(fd, 0));
        curl_multi_assign(client->multi, fd, s);
    }
    s->what = what;
    return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *client_)
{
    struct kube_client *client = client_;

    (void)multi;
    client->timer_deadline =
        timeout_ms < 0 ? LLONG_MAX : time_msec() + timeout_ms;
    return 0;
}

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static char *
memdup_or_null(const char *s, size_t n)
{
    return s ? xmemdup0(s, n) : NULL;
}

/* "https://host:port" -> host and port (443 when absent); false if the URL
 * has another shape.  IPv6 hosts stay bracketed, as CONNECT_TO wants. */
static bool
split_server(const char *server, char **host, int *port)
{
    const char *p = strstr(server, "://");
    const char *end, *colon;

    if (!p) {
        return false;
    }
    p += 3;
    end = p + strcspn(p, "/");
    colon = NULL;
    for (const char *q = p; q < end; q++) {
        if (*q == ']') {
            colon = NULL;
        } else if (*q == ':') {
            colon = q;
        }
    }
    *host = xmemdup0(p, (colon ? colon : end) - p);
    *port = colon ? atoi(colon + 1) : 443;
    return **host && *port > 0;
}

static void
set_tls_server_name(struct kube_client *client, const char *name)
{
    char *host;
    int port;

    if (!split_server(client->config.server, &host, &port)) {
        VLOG_WARN("tls-server-name %s ignored: cannot parse server %s", name,
                  client->config.server);
        return;
    }
    char *entry = xasprintf("%s:%d:%s:%d", name, port, host, port);
    client->connect_to = curl_slist_append(NULL, entry);
    free(client->base_url);
    client->base_url = xasprintf("https://%s:%d", name, port);
    free(entry);
    free(host);
}

static void
refresh_token(struct kube_client *client)
{
    long long now = time_msec();
    struct kovn_error err;
    char *token;
    size_t len;

    if (!client->token_file ||
        now - client->token_read_at < client->options.token_reload_ms) {
        return;
    }
    client->token_read_at = now;
    if (file_read("tokenFile", client->token_file, 64 * 1024, &token, &len,
                  &err)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s (keeping the token read before)", err.msg);
        return;
    }
    while (len && (token[len - 1] == '\n' || token[len - 1] == '\r')) {
        token[--len] = '\0';
    }
    if (len) {
        free(client->auth_header);
        client->auth_header = xasprintf("Authorization: Bearer %s", token);
    }
    free(token);
}

struct kube_client *
kube_client_create(const struct kube_config *config,
                   const struct kube_client_options *options,
                   struct kovn_error *err)
{
    struct kube_client *client;

    if (!config->server) {
        kovn_error_set(err, -EINVAL, "kube client: no API server configured");
        return NULL;
    }
    curl_global_once();
    client = xzalloc(sizeof *client);
    client->config.server = xstrdup(config->server);
    client->config.ca_file = dup_or_null(config->ca_file);
    client->config.ca_pem = memdup_or_null(config->ca_pem, config->ca_pem_len);
    client->config.ca_pem_len = config->ca_pem_len;
    client->config.cert_file = dup_or_null(config->cert_file);
    client->config.cert_pem =
        memdup_or_null(config->cert_pem, config->cert_pem_len);
    client->config.cert_pem_len = config->cert_pem_len;
    client->config.key_file = dup_or_null(config->key_file);
    client->config.key_pem =
        memdup_or_null(config->key_pem, config->key_pem_len);
    client->config.key_pem_len = config->key_pem_len;
    client->config.insecure = config->insecure;
    if (config->token && *config->token) {
        client->auth_header =
            xasprintf("Authorization: Bearer %s", config->token);
    }
    client->token_file = dup_or_null(config->token_file);
    client->token_read_at = time_msec();
    client->base_url = xstrdup(config->server);
    if (config->tls_server_name && *config->tls_server_name) {
        set_tls_server_name(client, config->tls_server_name);
    }
    if (options) {
        client->options = *options;
    }
    if (client->options.qps == 0) {
        client->options.qps = 50;
    }
    if (client->options.burst <= 0) {
        client->options.burst = 100;
    }
    if (client->options.timeout_ms <= 0) {
        client->options.timeout_ms = 30000;
    }
    if (client->options.token_reload_ms <= 0) {
        client->options.token_reload_ms = 60 * 1000;
    }
    if (client->options.max_in_flight <= 0) {
        client->options.max_in_flight = 64;
    }
    kube_window_init(&client->window, client->options.max_in_flight);
    if (!client->options.user_agent) {
        client->options.user_agent = "kovn/0.1";
    }
    client->tokens = client->options.burst;
    client->tokens_updated = time_msec();
    client->timer_deadline = LLONG_MAX;
    hmap_init(&client->sockets);
    ovs_list_init(&client->queued);
    ovs_list_init(&client->active);
    ovs_list_init(&client->finished);

    client->multi = curl_multi_init();
    curl_multi_setopt(client->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(client->multi, CURLMOPT_SOCKETDATA, client);
    curl_multi_setopt(client->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(client->multi, CURLMOPT_TIMERDATA, client);
    curl_multi_setopt(client->multi, CURLMOPT_PIPELINING,
                      (long)CURLPIPE_MULTIPLEX);
    return client;
}

static void
request_free(struct kube_request *request)
{
    if (request->easy) {
        curl_easy_cleanup(request->easy);
    }
    curl_slist_free_all(request->headers);
    free(request->method);
    free(request->url);
    free(request->body);
    ds_destroy(&request->response_body);
    free(request);
}

void
kube_client_destroy(struct kube_client *client)
{
    struct kube_request *request;
    struct tracked_socket *s;

    if (!client) {
        return;
    }
    LIST_FOR_EACH_POP(request, node, &client->active)
    {
        curl_multi_remove_handle(client->multi, request->easy);
        request_free(request);
    }
    LIST_FOR_EACH_POP(request, node, &client->queued)
    {
        request_free(request);
    }
    LIST_FOR_EACH_POP(request, node, &client->finished)
    {
        request_free(request);
    }
    curl_multi_cleanup(client->multi);
    HMAP_FOR_EACH_POP(s, node, &client->sockets)
    {
        free(s);
    }
    hmap_destroy(&client->sockets);
    kube_config_destroy(&client->config);
    free(client->auth_header);
    free(client->token_file);
    free(client->base_url);
    curl_slist_free_all(client->connect_to);
    free(client);
}

static size_t
write_cb(char *data, size_t size, size_t n, void *request_)
{
    struct kube_request *request = request_;
    size_t len = size * n;
    long status = 0;

    curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
    if (request->stream && status == 200) {
        if (request->stream(data, len, request->aux)) {
            request->stream_stopped = true;
            return 0;
        }
        return len;
    }
    if (request->response_body.length + len > KUBE_BODY_MAX) {
        request->too_large = true;
        return 0; /* Makes curl fail the transfer with CURLE_WRITE_ERROR. */
    }
    ds_put_buffer(&request->response_body, data, len);
    return len;
}

static void
setup_easy(struct kube_request *request)
{
    struct kube_client *client = request->client;
    const struct kube_config *config = &client->config;
    CURL *easy = curl_easy_init();

    if (!easy) {
        out_of_memory();
    }
    request->easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, request->url);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request->method);
    if (!strcmp(request->method, "HEAD")) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->curl_error);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, request->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, client->options.user_agent);
    if (request->stream) {
        /* A watch lasts as long as the server keeps it (timeoutSeconds);
         * a connection that goes silent is caught by TCP keepalive. */
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 0L);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 10L);
    } else {
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, client->options.timeout_ms);
    }
    /* Buffers are per transfer, and a controller has up to
     * max_in_flight of them: libcurl's default upload buffer (64 KB) cost
     * 16 MB for 256 requests whose bodies are small JSON objects.  16 KB
     * is libcurl's minimum.  (The receive buffer stays at its default:
     * with HTTP/2 it is also what the shared connection is read with.) */
    curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (client->connect_to) {
        curl_easy_setopt(easy, CURLOPT_CONNECT_TO, client->connect_to);
    }
    if (request->body) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE,
                         (long)strlen(request->body));
    }
    if (config->insecure) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (config->ca_pem) {
        struct curl_blob blob = {config->ca_pem, config->ca_pem_len,
                                 CURL_BLOB_COPY};

        curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
    } else if (config->ca_file) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, config->ca_file);
    }
    if (config->cert_pem) {
        struct curl_blob blob = {config->cert_pem, config->cert_pem_len,
                                 CURL_BLOB_COPY};

        curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &blob);
    } else if (config->cert_file) {
        curl_easy_setopt(easy, CURLOPT_SSLCERT, config->cert_file);
    }
    if (config->key_pem) {
        struct curl_blob blob = {config->key_pem, config->key_pem_len,
                                 CURL_BLOB_COPY};

        curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &blob);
    } else if (config->key_file) {
        curl_easy_setopt(easy, CURLOPT_SSLKEY, config->key_file);
    }
}

struct kube_request *
kube_client_send(struct kube_client *client, const char *method,
                 const char *path, const struct json *body,
                 const char *content_type, kube_response_fn *done, void *aux)
{
    struct kube_request *request = xzalloc(sizeof *request);
    char *content_header;

    request->client = client;
    request->method = xstrdup(method);
    refresh_token(client);
    request->url = xasprintf("%s%s", client->base_url, path);
    request->body = body ? json_to_string(body, 0) : NULL;
    request->done = done;
    request->aux = aux;
    ds_init(&request->response_body);
    request->headers = curl_slist_append(NULL, "Accept: application/json");
    if (request->body) {
        content_header =
            xasprintf("Content-Type: %s",
                      content_type ? content_type : "application/json");
        request->headers = curl_slist_append(request->headers, content_header);
        free(content_header);
    }
    if (client->auth_header) {
        request->headers =
            curl_slist_append(request->headers, client->auth_header);
    }
    ovs_list_push_back(&client->queued, &request->node);
    return request;
}

struct kube_request *
kube_client_stream(struct kube_client *client, const char *path,
                   kube_stream_fn *stream, kube_response_fn *done, void *aux)
{
    struct kube_request *request =
        kube_client_send(client, "GET", path, NULL, NULL, done, aux);

    /* Still queued: nothing starts before the next kube_client_run(). */
    request->stream = stream;
    client->n_queued_streams++;
    return request;
}

void
kube_request_accept(struct kube_request *request, const char *media_types)
{
    struct curl_slist *headers;
    char *accept = xasprintf("Accept: %s", media_types);

    ovs_assert(!request->easy);
    /* The first header is kube_client_send()'s Accept. */
    headers = curl_slist_append(NULL, accept);
    for (struct curl_slist *h = request->headers->next; h; h = h->next) {
        headers = curl_slist_append(headers, h->data);
    }
    curl_slist_free_all(request->headers);
    request->headers = headers;
    free(accept);
}

void
kube_request_cancel(struct kube_request *request)
{
    struct kube_client *client = request->client;

    if (!request->easy) {
        client->n_queued_streams -= request->stream != NULL;
    } else if (!request->finished) {
        curl_multi_remove_handle(client->multi, request->easy);
        client->n_active_requests -= !request->stream;
    }
    ovs_list_remove(&request->node);
    request_free(request);
}

size_t
kube_client_in_flight(const struct kube_client *client)
{
    return client->n_active_requests;
}

const struct kube_window *
kube_client_window(const struct kube_client *client)
{
    return &client->window;
}

size_t
kube_client_pending(const struct kube_client *client)
{
    return ovs_list_size(&client->queued) + ovs_list_size(&client->active) +
           ovs_list_size(&client->finished);
}

static bool
rate_limited(const struct kube_client *client)
{
    return client->options.qps > 0;
}

static void
refill_tokens(struct kube_client *client)
{
    long long now = time_msec();

    if (!rate_limited(client)) {
        client->tokens = client->options.burst;
        client->tokens_updated = now;
        return;
    }
    double added =
        (double)(now - client->tokens_updated) * client->options.qps / 1000.0;

    client->tokens = MIN(client->options.burst, client->tokens + added);
    client->tokens_updated = now;
}

static bool
below_in_flight_limit(const struct kube_client *client)
{
    return client->n_active_requests < kube_window_limit(&client->window);
}

static bool
may_start(const struct kube_client *client, const struct kube_request *request)
{
    return request->stream || below_in_flight_limit(client);
}

/* Hands queued requests to curl, in order, while the token bucket and the
 * in-flight limit allow; streams are not held back by the latter. */
static void
start_queued(struct kube_client *client)
{
    struct kube_request *request;

    refill_tokens(client);
    LIST_FOR_EACH_SAFE(request, node, &client->queued)
    {
        if (client->tokens < 1.0) {
            break;
        }
        if (!may_start(client, request)) {
            if (!client->n_queued_streams) {
                break;
            }
            continue;
        }
        ovs_list_remove(&request->node);
        client->tokens -= rate_limited(client) ? 1.0 : 0.0;
        request->started = time_msec();
        if (request->stream) {
            client->n_queued_streams--;
        } else {
            client->n_active_requests++;
        }
        setup_easy(request);
        ovs_list_push_back(&client->active, &request->node);
        curl_multi_add_handle(client->multi, request->easy);
    }
}

static void
build_response(struct kube_request *request, struct kube_response *response)
{
    memset(response, 0, sizeof *response);
    if (request->result != CURLE_OK && request->stream_stopped) {
        response->error = -ECANCELED;
        response->reason = xstrdup("");
        response->message = xasprintf("%s %s: stream stopped by its reader",
                                      request->method, request->url);
        return;
    }
    if (request->result != CURLE_OK) {
        response->error = request->too_large ? -E2BIG
                          : request->result == CURLE_OPERATION_TIMEDOUT
                              ? -ETIMEDOUT
                              : -ECONNREFUSED;
        response->reason = xstrdup("");
        response->message =
            request->too_large
                ? xasprintf("%s %s: response body larger "
                            "than %d bytes",
                            request->method, request->url, KUBE_BODY_MAX)
                : xasprintf("%s %s: %s", request->method, request->url,
                            request->curl_error[0]
                                ? request->curl_error
                                : curl_easy_strerror(request->result));
        return;
    }
    curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE,
                      &response->status);
    if (request->response_body.length) {
        struct json *json = json_from_string(ds_cstr(&request->response_body));

        if (json->type == JSON_STRING) {
            /* json_from_string() reports a body that is not JSON (a parse
             * error) as a string: keep no body; for an error status the
             * text becomes the message below. */
            json_destroy(json);
            json = NULL;
        }
        response->body = json;
    }
    struct kube_status status;
    if ((response->body && kube_status_from_json(response->body, &status)) ||
        (!response->body &&
         kube_status_from_protobuf(request->response_body.string,
                                   request->response_body.length, &status))) {
        response->reason = status.reason;
        response->message = status.message;
    } else {
        response->reason = xstrdup("");
        response->message =
            response->status >= 300
                ? xmemdup0(ds_cstr(&request->response_body),
                           MIN(request->response_body.length, 4096))
                : xstrdup("");
    }
}

static void
collect_finished(struct kube_client *client)
{
    struct CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(client->multi, &left))) {
        struct kube_request *request;

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
                          (char **)&request);
        request->result = msg->data.result;
        if (!request->stream) {
            long long now = time_msec();
            long status = 0;

            curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
            kube_window_update(
                &client->window, status,
                request->result == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : 0,
                (double)(now - request->started), now);
        }
        curl_multi_remove_handle(client->multi, request->easy);
        request->finished = true;
        client->n_active_requests -= !request->stream;
        ovs_list_remove(&request->node);
        ovs_list_push_back(&client->finished, &request->node);
    }
}

void
kube_client_run(struct kube_client *client)
{
    struct tracked_socket *s;
    int running;

    start_queued(client);

    /* The poll loop does not say which descriptors woke it: ask poll()
     * without waiting, then let curl act on the ready ones. */
    size_t n = hmap_count(&client->sockets), n_ready = 0;
    struct pollfd *fds = xcalloc(n ? n : 1, sizeof *fds);
    HMAP_FOR_EACH(s, node, &client->sockets)
    {
        fds[n_ready].fd = s->fd;
        fds[n_ready].events = (s->what & CURL_POLL_IN ? POLLIN : 0) |
                              (s->what & CURL_POLL_OUT ? POLLOUT : 0);
        n_ready++;
    }
    if (n_ready && poll(fds, n_ready, 0) > 0) {
        for (size_t i = 0; i < n_ready; i++) {
            int mask = 0;

            if (fds[i].revents & (POLLIN | POLLHUP)) {
                mask |= CURL_CSELECT_IN;
            }
            if (fds[i].revents & POLLOUT) {
                mask |= CURL_CSELECT_OUT;
            }
            if (fds[i].revents & (POLLERR | POLLNVAL)) {
                mask |= CURL_CSELECT_ERR;
            }
            if (mask) {
                curl_multi_socket_action(client->multi, fds[i].fd, mask,
                                         &running);
            }
        }
    }
    free(fds);
    if (time_msec() >= client->timer_deadline) {
        client->timer_deadline = LLONG_MAX;
        curl_multi_socket_action(client->multi, CURL_SOCKET_TIMEOUT, 0,
                                 &running);
    }
    collect_finished(client);

    /* Callbacks may send new requests or cancel others: take one at a
     * time from the list. */
    while (!ovs_list_is_empty(&client->finished)) {
        struct kube_request *request = CONTAINER_OF(
            ovs_list_pop_front(&client->finished), struct kube_request, node);
        struct kube_response response;

        build_response(request, &response);
        if (request->done) {
            request->done(&response, request->aux);
        }
        kube_response_destroy(&response);
        request_free(request);
    }
    start_queued(client);
}

void
kube_client_wait(struct kube_client *client)
{
    struct tracked_socket *s;

    HMAP_FOR_EACH(s, node, &client->sockets)
    {
        if (s->what & CURL_POLL_IN) {
            poll_fd_wait(s->fd, POLLIN);
        }
        if (s->what & CURL_POLL_OUT) {
            poll_fd_wait(s->fd, POLLOUT);
        }
    }
    if (client->timer_deadline != LLONG_MAX) {
        poll_timer_wait_until(client->timer_deadline);
    }
    if (!ovs_list_is_empty(&client->finished)) {
        poll_immediate_wake();
    }
    if (!ovs_list_is_empty(&client->queued) &&
        (client->n_queued_streams || below_in_flight_limit(client))) {
        /* Wake when the next token is due; otherwise a request ending
         * wakes the loop. */
        double missing = rate_limited(client) ? 1.0 - client->tokens : 0;
        long long delay =
            missing <= 0
                ? 0
                : (long long)(missing * 1000.0 / client->options.qps) + 1;

        poll_timer_wait(delay);
    }
}

void
kube_response_destroy(struct kube_response *response)
{
    json_destroy(response->body);
    free(response->reason);
    free(response->message);
    memset(response, 0, sizeof *response);
}

struct call_state {
    bool done;
    struct kube_response *response;
};

static void
call_done(struct kube_response *response, void *state_)
{
    struct call_state *state = state_;

    /* Move the response out: the client destroys its copy after this. */
    *state->response = *response;
    memset(response, 0, sizeof *response);
    state->done = true;
}

int
kube_client_call(struct kube_client *client, const char *method,
                 const char *path, const struct json *body,
                 const char *content_type, struct kube_response *response,
                 struct kovn_error *err)
{
    struct call_state state = {false, response};

    memset(response, 0, sizeof *response);
    kube_client_send(client, method, path, body, content_type, call_done,
                     &state);
    while (!state.done) {
        kube_client_run(client);
        if (state.done) {
            break;
        }
        kube_client_wait(client);
        poll_block();
    }
    if (response->error) {
        return kovn_error_set(err, response->error, "%s", response->message);
    }
    return 0;
}
