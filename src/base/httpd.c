/* HTTP/HTTPS server on libmicrohttpd inside the OVS poll loop; see
 * httpd.h.
 *
 * libmicrohttpd runs in "external select" mode: after each run it reports
 * the sockets it waits on (MHD_get_fdset2()), which we hand to
 * poll_fd_wait(), and MHD_get_timeout() tells us when idle connections
 * must be reaped (or, as 0, that data is already buffered).  Its epoll mode
 * would scale past FD_SETSIZE but, in libmicrohttpd 0.9.75, leaves a TLS
 * connection marked ready while its handshake waits for the peer: the loop
 * would spin at full CPU for as long as a client stalls mid-handshake.  So
 * every socket of ours must be below FD_SETSIZE; libmicrohttpd refuses (and
 * logs) connections that are not.
 *
 * The access handler is called several times per request; the per-request
 * state is created by the URI callback, grows with upload data and is freed
 * by the completion callback, which libmicrohttpd also calls when the peer
 * disconnects mid-request or the daemon stops.
 *
 * Deferred answers and streams suspend their connection
 * (MHD_suspend_connection()) while there is nothing to send, so that the
 * loop does not spin on a writable socket, and resume it when there is:
 * libmicrohttpd then calls the access handler (deferred) or the stream's
 * content reader again. */
#include <config.h>

#include "base/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "base/error.h"
#include "base/file.h"
#include "fatal-signal.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(httpd);

/* A certificate or key file larger than this is not one. */
#define PEM_FILE_MAX (1024 * 1024)

#define TEXT_PLAIN "text/plain; charset=utf-8"

struct httpd_route {
    httpd_handler_fn *handler;
    void *aux;
};

struct httpd {
    struct MHD_Daemon *daemon;
    int port;
    size_t max_body;
    struct shash routes; /* Path -> struct httpd_route. */

    /* libmicrohttpd keeps pointers to these for the daemon's lifetime. */
    char *cert_pem;
    char *key_pem;
    size_t key_len;

    /* A connection was resumed since the last httpd_wait(). */
    bool resumed;
    /* Suspended connections (struct MHD_Connection *): libmicrohttpd
     * refuses to stop with any, so httpd_destroy() resumes them first. */
    struct hmapx suspended;
    bool stopping;

    /* While httpd_create() runs, libmicrohttpd's last complaint, so that a
     * failed start can say why (bind error, certificate refused). */
    bool starting;
    char start_error[KOVN_ERROR_MAX];
};

/* One request in progress (libmicrohttpd's per-request context). */
struct request_state {
    char *query;       /* Raw query text, NULL if the URI had no '?'. */
    struct ds body;    /* Upload so far, at most 'max_body' bytes. */
    bool headers_seen; /* The access handler was called once already. */
    bool refused;      /* 413 queued before reading the body. */
    bool too_large;    /* The body is over 'max_body'; 413 is due. */
    size_t received;   /* Once 'too_large': body bytes received in all. */
    struct httpd_deferred *deferred; /* The handler deferred its answer. */
    struct httpd_stream *stream;     /* The handler opened a stream. */
};

/* What httpd_request's 'impl_' points to during a handler call. */
struct request_impl {
    struct httpd *httpd;
    struct MHD_Connection *conn;
    struct request_state *rs;
};

struct httpd_deferred {
    struct httpd *httpd;         /* NULL once the request is gone. */
    struct MHD_Connection *conn; /* Suspended until the reply. */
    bool replied;
    int status;
    const char *content_type;
    struct ds body;
};

struct httpd_stream {
    struct httpd *httpd;
    struct MHD_Connection *conn;
    const char *content_type;
    struct ds buffer; /* Written, not yet sent: from 'sent' on. */
    size_t sent;
    bool suspended;
    bool peer_gone; /* libmicrohttpd released the response. */
    bool closing;   /* The owner closed it. */
    int refs;       /* The owner's and the response's. */
};

static void stream_unref(struct httpd_stream *);

static void
suspend(struct httpd *httpd, struct MHD_Connection *conn)
{
    hmapx_add(&httpd->suspended, conn);
    MHD_suspend_connection(conn);
}

static void
resume(struct httpd *httpd, struct MHD_Connection *conn)
{
    hmapx_find_and_delete(&httpd->suspended, conn);
    httpd->resumed = true;
    MHD_resume_connection(conn);
}
static enum MHD_Result queue_stream(struct MHD_Connection *,
                                    struct request_state *);

static void
mhd_log(void *httpd_, const char *fmt, va_list args)
{
    struct httpd *httpd = httpd_;
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    char msg[KOVN_ERROR_MAX];
    int save_errno = errno; /* httpd_create() reads it after a failure. */
    size_t n;

    vsnprintf(msg, sizeof msg, fmt, args);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
        msg[--n] = '\0';
    }
    if (httpd->starting) {
        /* The first complaint is usually the specific one ("Address already
         * in use"), later ones the consequence. */
        size_t len = strlen(httpd->start_error);

        snprintf(httpd->start_error + len, sizeof httpd->start_error - len,
                 "%s%s", len ? "; " : "", msg);
    }
    /* Most of what libmicrohttpd reports after start is a peer misbehaving
     * (bad TLS handshake, early disconnect): worth a trace, not a flood. */
    VLOG_INFO_RL(&rl, "%s", msg);
    errno = save_errno;
}

static void *
request_begin(void *httpd_, const char *uri, struct MHD_Connection *conn)
{
    struct request_state *rs = xzalloc(sizeof *rs);
    const char *q = strchr(uri, '?');

    (void)httpd_;
    (void)conn;
    if (q) {
        rs->query = xstrdup(q + 1);
    }
    ds_init(&rs->body);
    return rs;
}

static void
deferred_free(struct httpd_deferred *deferred)
{
    ds_destroy(&deferred->body);
    free(deferred);
}

static void
request_free(struct request_state *rs)
{
    if (rs) {
        if (rs->deferred) {
            /* Without a reply yet, the reply frees it. */
            if (rs->deferred->replied) {
                deferred_free(rs->deferred);
            } else {
                rs->deferred->httpd = NULL;
            }
        }
        if (rs->stream) {
            /* Never queued: the connection failed first. */
            rs->stream->peer_gone = true;
            stream_unref(rs->stream);
        }
        free(rs->query);
        ds_destroy(&rs->body);
        free(rs);
    }
}

static void
request_completed(void *httpd_, struct MHD_Connection *conn, void **con_cls,
                  enum MHD_RequestTerminationCode toe)
{
    (void)httpd_;
    (void)conn;
    (void)toe;
    request_free(*con_cls);
    *con_cls = NULL;
}

/* Hands 'body' (taken over, freed by libmicrohttpd) to the connection.
 * Returns MHD_NO, which closes the connection, if that fails. */
static enum MHD_Result
send_response(struct MHD_Connection *conn, int status,
              const char *content_type, struct ds *body)
{
    size_t len = body->length;
    char *data = ds_steal_cstr(body);
    struct MHD_Response *response;
    enum MHD_Result ok;

    response =
        MHD_create_response_from_buffer_with_free_callback(len, data, free);
    if (!response) {
        free(data);
        return MHD_NO;
    }
    if (content_type &&
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                content_type) != MHD_YES) {
        MHD_destroy_response(response);
        return MHD_NO;
    }
    ok = MHD_queue_response(conn, status, response);
    MHD_destroy_response(response);
    return ok;
}

static enum MHD_Result
send_too_large(const struct httpd *httpd, struct MHD_Connection *conn)
{
    struct ds body = DS_EMPTY_INITIALIZER;

    ds_put_format(&body, "request body larger than %zu bytes\n",
                  httpd->max_body);
    return send_response(conn, MHD_HTTP_CONTENT_TOO_LARGE, TEXT_PLAIN, &body);
}

/* How much of a body over the limit is read (and dropped) so that the 413
 * reaches the client, see judge_declared_length(). */
static size_t
drain_limit(const struct httpd *httpd)
{
    return httpd->max_body > SIZE_MAX / 2 ? SIZE_MAX : 2 * httpd->max_body;
}

/* What to do about a request's declared Content-Length. */
enum body_verdict {
    BODY_ACCEPT, /* None, or within the limit. */
    BODY_DRAIN,  /* Over the limit: read and drop it, then answer 413. */
    BODY_REFUSE, /* Answer 413 now and close, leaving the body unread. */
};

/* Answering before the body is read makes the server close a connection
 * with unread input, which the kernel turns into a reset that can destroy
 * the response before the client reads it.  So a body that is only somewhat
 * too large (up to twice the limit) is drained first; one that is larger
 * still is refused at once, best effort.  A client that sent "Expect:
 * 100-continue" has sent no body yet and gets its 413 at once, reliably. */
static enum body_verdict
judge_declared_length(const struct httpd *httpd, struct MHD_Connection *conn)
{
    const char *value = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long length;
    char *end;

    if (!value) {
        return BODY_ACCEPT;
    }
    errno = 0;
    length = strtoull(value, &end, 10);
    if (end == value) {
        /* libmicrohttpd answers a malformed length itself. */
        return BODY_ACCEPT;
    }
    if (errno != ERANGE && length <= httpd->max_body) {
        return BODY_ACCEPT;
    }
    if (errno == ERANGE || length > drain_limit(httpd) ||
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_EXPECT)) {
        return BODY_REFUSE;
    }
    return BODY_DRAIN;
}

static enum MHD_Result
dispatch(struct httpd *httpd, struct MHD_Connection *conn, const char *url,
         const char *method, struct request_state *rs)
{
    struct httpd_response resp = {
        .status = MHD_HTTP_OK,
        .content_type = TEXT_PLAIN,
        .body = DS_EMPTY_INITIALIZER,
    };
    const struct httpd_route *route = shash_find_data(&httpd->routes, url);
    enum MHD_Result ok;

    if (route) {
        struct httpd_request req = {
            .method = method,
            .path = url,
            .query = rs->query,
            .body = ds_cstr(&rs->body),
            .body_len = rs->body.length,
            .content_type = MHD_lookup_connection_value(
                conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        };
        struct request_impl impl = {httpd, conn, rs};

        req.impl_ = &impl;
        route->handler(&req, &resp, route->aux);
        if (rs->deferred) {
            ds_destroy(&resp.body);
            suspend(httpd, conn);
            return MHD_YES;
        }
        if (rs->stream) {
            ds_destroy(&resp.body);
            return queue_stream(conn, rs);
        }
        if (resp.status < 100 || resp.status > 599) {
            VLOG_WARN("%s %s: handler set invalid status %d", method, url,
                      resp.status);
            httpd_response_set(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
                               TEXT_PLAIN, "internal error\n");
        }
    } else {
        httpd_response_set(&resp, MHD_HTTP_NOT_FOUND, TEXT_PLAIN,
                           "404 page not found\n");
    }
    ok = send_response(conn, resp.status, resp.content_type, &resp.body);
    ds_destroy(&resp.body);
    return ok;
}

/* Sends the reply of a deferred request that was resumed. */
static enum MHD_Result
send_deferred(struct MHD_Connection *conn, struct request_state *rs)
{
    struct httpd_deferred *deferred = rs->deferred;
    enum MHD_Result ok;

    rs->deferred = NULL;
    ok = send_response(conn, deferred->status, deferred->content_type,
                       &deferred->body);
    deferred_free(deferred);
    return ok;
}

/* libmicrohttpd calls this once when the headers are in, once per chunk of
 * body with '*upload_data_size' > 0, and once more with 0 at the end. */
static enum MHD_Result
access_handler(void *httpd_, struct MHD_Connection *conn, const char *url,
               const char *method, const char *version,
               const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
    struct httpd *httpd = httpd_;
    struct request_state *rs = *con_cls;

    (void)version;
    if (!rs) {
        /* The URI callback always runs first; be safe if it did not. */
        rs = *con_cls = request_begin(httpd, url, conn);
    }
    if (rs->deferred) {
        /* Resumed by httpd_deferred_reply(), or to be closed because the
         * server stops. */
        return rs->deferred->replied ? send_deferred(conn, rs) : MHD_NO;
    }
    if (rs->refused) {
        /* The 413 is queued already; ignore any body. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!rs->headers_seen) {
        rs->headers_seen = true;
        switch (judge_declared_length(httpd, conn)) {
        case BODY_ACCEPT:
            return MHD_YES;
        case BODY_DRAIN:
            rs->too_large = true;
            return MHD_YES;
        case BODY_REFUSE:
        default:
            rs->refused = true;
            return send_too_large(httpd, conn);
        }
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        if (!rs->too_large && n <= httpd->max_body - rs->body.length) {
            ds_put_buffer(&rs->body, upload_data, n);
            return MHD_YES;
        }
        if (!rs->too_large) {
            /* A chunked body grew past the limit. */
            rs->too_large = true;
            rs->received = rs->body.length;
            ds_destroy(&rs->body);
            ds_init(&rs->body);
        }
        /* Drain up to twice the limit to be able to answer 413 (see
         * judge_declared_length()); cut off a client that sends more. */
        rs->received += n;
        return rs->received <= drain_limit(httpd) ? MHD_YES : MHD_NO;
    }
    if (rs->too_large) {
        return send_too_large(httpd, conn);
    }
    return dispatch(httpd, conn, url, method, rs);
}

/* Reads a PEM file; an empty one would only earn a vaguer complaint from
 * the TLS library later. */
static int
read_pem(const char *what, const char *name, char **out, size_t *out_len,
         struct kovn_error *err)
{
    int error = file_read(what, name, PEM_FILE_MAX, out, out_len, err);

    if (!error && !*out_len) {
        free(*out);
        *out = NULL;
        error =
            kovn_error_set(err, -EINVAL, "%s \"%s\": empty file", what, name);
    }
    return error;
}

static int
parse_address(const char *address, int port, struct sockaddr_storage *ss,
              bool *ipv6, struct kovn_error *err)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, address, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        *ipv6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, address, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        *ipv6 = true;
        return 0;
    }
    return kovn_error_set(err, -EINVAL,
                          "listen address \"%s\" is not a numeric IPv4 or "
                          "IPv6 address",
                          address);
}

static void
httpd_free(struct httpd *httpd)
{
    if (httpd->daemon) {
        struct hmapx_node *node;

        httpd->stopping = true;
        HMAPX_FOR_EACH_SAFE(node, &httpd->suspended)
        {
            resume(httpd, node->data);
        }
        /* Lets the resumed connections fail and close. */
        MHD_run(httpd->daemon);
        /* Calls request_completed() for every request in flight. */
        MHD_stop_daemon(httpd->daemon);
    }
    hmapx_destroy(&httpd->suspended);
    shash_destroy_free_data(&httpd->routes);
    free(httpd->cert_pem);
    if (httpd->key_pem) {
        explicit_bzero(httpd->key_pem, httpd->key_len);
        free(httpd->key_pem);
    }
    free(httpd);
}

int
httpd_create(const struct httpd_options *options, struct httpd **httpdp,
             struct kovn_error *err)
{
    const char *address = options->address ? options->address : "127.0.0.1";
    unsigned int max_connections = options->max_connections
                                       ? options->max_connections
                                       : HTTPD_DEFAULT_MAX_CONNECTIONS;
    int timeout_s =
        options->timeout_s ? options->timeout_s : HTTPD_DEFAULT_TIMEOUT_S;
    unsigned int flags = MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    struct MHD_OptionItem tls_options[4] = {{MHD_OPTION_END, 0, NULL}};
    const union MHD_DaemonInfo *info;
    struct sockaddr_storage ss;
    struct httpd *httpd;
    size_t cert_len;
    bool ipv6;
    int error;

    *httpdp = NULL;
    httpd = xzalloc(sizeof *httpd);
    shash_init(&httpd->routes);
    hmapx_init(&httpd->suspended);
    httpd->max_body =
        options->max_body ? options->max_body : HTTPD_DEFAULT_MAX_BODY;

    if (options->port < 0 || options->port > 65535) {
        error = kovn_error_set(err, -EINVAL, "listen port %d out of range",
                               options->port);
        goto out;
    }
    if (timeout_s < 0) {
        error = kovn_error_set(err, -EINVAL, "connection timeout %d s < 0",
                               timeout_s);
        goto out;
    }
    error = parse_address(address, options->port, &ss, &ipv6, err);
    if (error) {
        goto out;
    }
    if (ipv6) {
        flags |= MHD_USE_IPv6;
    }
    if (!options->cert_file != !options->key_file) {
        error = kovn_error_set(err, -EINVAL,
                               "HTTPS needs both a certificate and a key "
                               "file");
        goto out;
    }
    if (options->cert_file) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            error = kovn_error_set(err, -ENOTSUP,
                                   "libmicrohttpd was built without TLS");
            goto out;
        }
        error = read_pem("certificate", options->cert_file, &httpd->cert_pem,
                         &cert_len, err);
        if (error) {
            goto out;
        }
        error = read_pem("key", options->key_file, &httpd->key_pem,
                         &httpd->key_len, err);
        if (error) {
            goto out;
        }
        flags |= MHD_USE_TLS;
        tls_options[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                                 httpd->cert_pem};
        tls_options[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                                 httpd->key_pem};
        /* What kube-apiserver and other Go clients speak; nothing older. */
        tls_options[2] = (struct MHD_OptionItem){
            MHD_OPTION_HTTPS_PRIORITIES, 0,
            (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
    }

    /* libmicrohttpd suppresses SIGPIPE itself where it can; where it
     * cannot, a peer that leaves mid-response must not kill the process. */
    if (!MHD_is_feature_supported(MHD_FEATURE_AUTOSUPPRESS_SIGPIPE)) {
        fatal_ignore_sigpipe();
    }

    httpd->starting = true;
    errno = 0;
    httpd->daemon = MHD_start_daemon(
        flags, (uint16_t)options->port, NULL, NULL, access_handler, httpd,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, httpd, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)timeout_s,
        MHD_OPTION_URI_LOG_CALLBACK, request_begin, httpd,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, httpd,
        MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    httpd->starting = false;
    if (!httpd->daemon) {
        const char *why = httpd->start_error[0] ? httpd->start_error
                                                : "libmicrohttpd refused";

        /* errno is only a hint: libmicrohttpd does not promise it. */
        error =
            errno == EADDRINUSE || errno == EACCES || errno == EADDRNOTAVAIL
                ? -errno
                : -EIO;
        if (options->cert_file) {
            kovn_error_set(err, error,
                           "cannot serve HTTPS on %s port %d with "
                           "certificate \"%s\" and key \"%s\": %s",
                           address, options->port, options->cert_file,
                           options->key_file, why);
        } else {
            kovn_error_set(err, error, "cannot serve HTTP on %s port %d: %s",
                           address, options->port, why);
        }
        goto out;
    }

    info = MHD_get_daemon_info(httpd->daemon, MHD_DAEMON_INFO_BIND_PORT);
    httpd->port = info ? info->port : 0;
    if (!httpd->port) {
        error =
            kovn_error_set(err, -EIO, "libmicrohttpd did not report its port");
        goto out;
    }
    VLOG_INFO("serving %s on %s port %d",
              options->cert_file ? "HTTPS" : "HTTP", address, httpd->port);
    *httpdp = httpd;
    return 0;

out:
    httpd_free(httpd);
    return error;
}

void
httpd_destroy(struct httpd *httpd)
{
    if (httpd) {
        httpd_free(httpd);
    }
}

int
httpd_port(const struct httpd *httpd)
{
    return httpd->port;
}

void
httpd_route(struct httpd *httpd, const char *path, httpd_handler_fn *handler,
            void *aux)
{
    struct httpd_route *route = xmalloc(sizeof *route);

    route->handler = handler;
    route->aux = aux;
    free(shash_replace(&httpd->routes, path, route));
}

void
httpd_response_set(struct httpd_response *resp, int status,
                   const char *content_type, const char *body)
{
    resp->status = status;
    resp->content_type = content_type;
    ds_clear(&resp->body);
    ds_put_cstr(&resp->body, body);
}

const char *
httpd_request_header(const struct httpd_request *req, const char *name)
{
    const struct request_impl *impl = req->impl_;

    return MHD_lookup_connection_value(impl->conn, MHD_HEADER_KIND, name);
}

const char *
httpd_request_cookie(const struct httpd_request *req, const char *name)
{
    const struct request_impl *impl = req->impl_;

    return MHD_lookup_connection_value(impl->conn, MHD_COOKIE_KIND, name);
}

struct httpd_deferred *
httpd_defer(const struct httpd_request *req)
{
    const struct request_impl *impl = req->impl_;
    struct httpd_deferred *deferred = xzalloc(sizeof *deferred);

    ovs_assert(!impl->rs->deferred && !impl->rs->stream);
    deferred->httpd = impl->httpd;
    deferred->conn = impl->conn;
    ds_init(&deferred->body);
    impl->rs->deferred = deferred;
    return deferred;
}

void
httpd_deferred_reply(struct httpd_deferred *deferred, int status,
                     const char *content_type, const char *body)
{
    ovs_assert(!deferred->replied);
    if (!deferred->httpd) {
        /* The peer left or the server stopped. */
        deferred_free(deferred);
        return;
    }
    deferred->replied = true;
    deferred->status = status;
    deferred->content_type = content_type;
    ds_put_cstr(&deferred->body, body);
    resume(deferred->httpd, deferred->conn);
}

static void
stream_unref(struct httpd_stream *stream)
{
    if (!--stream->refs) {
        ds_destroy(&stream->buffer);
        free(stream);
    }
}

static void
stream_resume(struct httpd_stream *stream)
{
    if (stream->suspended && !stream->peer_gone) {
        stream->suspended = false;
        resume(stream->httpd, stream->conn);
    }
}

/* Ends the body once what is buffered is sent. */
static void
stream_end(struct httpd_stream *stream)
{
    stream->closing = true;
    stream_resume(stream);
}

/* libmicrohttpd's content reader: what is buffered, else the end once
 * closed, else nothing for now, with the connection suspended until the
 * next write. */
static ssize_t
stream_read(void *stream_, uint64_t pos, char *buf, size_t max)
{
    struct httpd_stream *stream = stream_;
    size_t n = stream->buffer.length - stream->sent;

    (void)pos;
    if (stream->httpd->stopping) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (n) {
        n = MIN(n, max);
        memcpy(buf, stream->buffer.string + stream->sent, n);
        stream->sent += n;
        if (stream->sent == stream->buffer.length) {
            ds_clear(&stream->buffer);
            stream->sent = 0;
        }
        return n;
    }
    if (stream->closing) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    stream->suspended = true;
    suspend(stream->httpd, stream->conn);
    return 0;
}

static void
stream_released(void *stream_)
{
    struct httpd_stream *stream = stream_;

    stream->peer_gone = true;
    stream_unref(stream);
}

static enum MHD_Result
queue_stream(struct MHD_Connection *conn, struct request_state *rs)
{
    struct httpd_stream *stream = rs->stream;
    struct MHD_Response *response;
    enum MHD_Result ok;

    rs->stream = NULL;
    response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, stream, stream_released);
    if (!response) {
        stream->peer_gone = true;
        stream_unref(stream);
        return MHD_NO;
    }
    /* From here on the response holds the reference the request held. */
    if (MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                stream->content_type) != MHD_YES ||
        MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL,
                                "no-store") != MHD_YES) {
        MHD_destroy_response(response);
        return MHD_NO;
    }
    ok = MHD_queue_response(conn, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}

struct httpd_stream *
httpd_stream_open(const struct httpd_request *req, const char *content_type)
{
    const struct request_impl *impl = req->impl_;
    struct httpd_stream *stream = xzalloc(sizeof *stream);

    ovs_assert(!impl->rs->deferred && !impl->rs->stream);
    stream->httpd = impl->httpd;
    stream->conn = impl->conn;
    stream->content_type = content_type;
    ds_init(&stream->buffer);
    stream->refs = 2;
    impl->rs->stream = stream;
    return stream;
}

void
httpd_stream_write(struct httpd_stream *stream, const char *data, size_t len)
{
    if (stream->peer_gone || stream->closing) {
        return;
    }
    if (stream->buffer.length - stream->sent + len >
        HTTPD_STREAM_MAX_BUFFERED) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "stream reader too slow: closing the stream");
        ds_clear(&stream->buffer);
        stream->sent = 0;
        stream_end(stream);
        return;
    }
    ds_put_buffer(&stream->buffer, data, len);
    stream_resume(stream);
}

bool
httpd_stream_is_open(const struct httpd_stream *stream)
{
    return !stream->peer_gone && !stream->closing;
}

void
httpd_stream_close(struct httpd_stream *stream)
{
    if (!stream->closing) {
        stream_end(stream);
    }
    stream_unref(stream);
}

void
httpd_run(struct httpd *httpd)
{
    if (MHD_run(httpd->daemon) != MHD_YES) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "libmicrohttpd run failed");
    }
}

void
httpd_wait(struct httpd *httpd)
{
    MHD_UNSIGNED_LONG_LONG timeout;
    fd_set readable, writable, errors;
    MHD_socket max_fd = -1;

    if (httpd->resumed) {
        /* libmicrohttpd picks resumed connections up on its next run. */
        httpd->resumed = false;
        poll_immediate_wake();
    }
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_ZERO(&errors);
    if (MHD_get_fdset2(httpd->daemon, &readable, &writable, &errors, &max_fd,
                       FD_SETSIZE) != MHD_YES) {
        /* Cannot happen: libmicrohttpd keeps its sockets below FD_SETSIZE
         * in this mode.  Poll rather than hang. */
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "libmicrohttpd did not report its sockets");
        poll_timer_wait(100);
    }
    for (int fd = 0; fd <= max_fd; fd++) {
        short events = ((FD_ISSET(fd, &readable) ? POLLIN : 0) |
                        (FD_ISSET(fd, &writable) ? POLLOUT : 0));

        if (events) {
            poll_fd_wait(fd, events);
        }
    }
    /* MHD_NO means no connection has a deadline and nothing is pending. */
    if (MHD_get_timeout(httpd->daemon, &timeout) == MHD_YES) {
        poll_timer_wait(MIN(timeout, (MHD_UNSIGNED_LONG_LONG)LLONG_MAX));
    }
}
