/* A small HTTP/1.1 server (plain or TLS 1.2+) for /metrics, /healthz,
 * /readyz and the admission webhook, built on libmicrohttpd driven from the
 * caller's OVS poll loop: httpd_run() then httpd_wait() then poll_block(),
 * no threads of its own.
 *
 * Handlers are looked up by exact path and called synchronously from
 * httpd_run() with the whole request body in memory.  A handler that needs
 * something slow first (an API call) defers its answer: the connection
 * waits, suspended, until httpd_deferred_reply().  A handler may also open
 * a stream, a response whose body it writes over time (Server-Sent
 * Events).  Everything a peer
 * controls is bounded: body size (413 beyond 'max_body'), number of
 * connections (more are closed at once), idle time per connection, and
 * header size (libmicrohttpd's 32 KiB per-connection memory pool).
 *
 * libmicrohttpd runs in select mode (see httpd.c for why not epoll), so
 * the server only accepts connections whose fd is below FD_SETSIZE
 * (1024). */
#ifndef KOVN_BASE_HTTPD_H
#define KOVN_BASE_HTTPD_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/dynamic-string.h"

struct httpd;
struct kovn_error;

#define HTTPD_DEFAULT_MAX_BODY        (1024 * 1024)
#define HTTPD_DEFAULT_MAX_CONNECTIONS 64
#define HTTPD_DEFAULT_TIMEOUT_S       30

/* Zero-initialise and fill in what differs from the defaults. */
struct httpd_options {
    const char *address;   /* Numeric IPv4/IPv6; NULL means "127.0.0.1". */
    int port;              /* 0 binds an ephemeral port, see httpd_port(). */
    const char *cert_file; /* PEM; both NULL serves plain HTTP. */
    const char *key_file;  /* PEM; both or neither. */
    size_t max_body;       /* 0 means HTTPD_DEFAULT_MAX_BODY. */
    unsigned int max_connections; /* 0 means the default. */
    int timeout_s; /* Idle seconds before a connection is dropped; 0 means
                    * the default. */
};

/* A complete request.  Every pointer stays valid only during the handler
 * call.  'body' is null-terminated (for convenience; it may also contain
 * NULs, 'body_len' is authoritative). */
struct httpd_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* Percent-decoded, without the query. */
    const char *query;  /* Raw text after '?', or NULL if none. */
    const char *body;   /* "" when there is no body. */
    size_t body_len;
    const char *content_type; /* Content-Type header, or NULL. */
    void *impl_;              /* The server's, for the functions below. */
};

/* The value of request header or cookie 'name', or NULL. */
const char *httpd_request_header(const struct httpd_request *req,
                                 const char *name);
const char *httpd_request_cookie(const struct httpd_request *req,
                                 const char *name);

/* What a handler fills in.  It starts as 200, "text/plain; charset=utf-8"
 * and an empty body.  'content_type' must outlive the handler call (a
 * string literal, usually). */
struct httpd_response {
    int status;
    const char *content_type;
    struct ds body;
};

typedef void httpd_handler_fn(const struct httpd_request *req,
                              struct httpd_response *resp, void *aux);

/* Starts listening.  Returns 0 and sets '*httpdp', or a negative errno with
 * a message in 'err' (a certificate or key file that cannot be read or that
 * the TLS library refuses, an address in use, ...) and sets '*httpdp' to
 * NULL. */
int httpd_create(const struct httpd_options *options, struct httpd **httpdp,
                 struct kovn_error *err);

/* Closes the listener and every connection; requests in flight are
 * dropped. */
void httpd_destroy(struct httpd *httpd);

/* The port actually bound (useful after asking for port 0). */
int httpd_port(const struct httpd *httpd);

/* Serves 'path' (exact match, no query) with 'handler', replacing any
 * previous handler of that path.  Other paths get 404.  Handlers see every
 * method; rejecting the ones they do not support is theirs to do. */
void httpd_route(struct httpd *httpd, const char *path,
                 httpd_handler_fn *handler, void *aux);

/* Replaces the response with 'status', 'content_type' (which must outlive
 * the handler call) and a copy of 'body'. */
void httpd_response_set(struct httpd_response *resp, int status,
                        const char *content_type, const char *body);

/* Answering later.  Called from a handler, makes the request wait for
 * exactly one httpd_deferred_reply() (what the handler put in its response
 * is dropped).  The reply is due even when the peer has left or the server
 * was destroyed meanwhile: it is what frees the handle. */
struct httpd_deferred;
struct httpd_deferred *httpd_defer(const struct httpd_request *req);
void httpd_deferred_reply(struct httpd_deferred *deferred, int status,
                          const char *content_type, const char *body);

/* A response written over time.  Called from a handler, answers 200 with
 * 'content_type' (which must be a literal) and no length: the body is what
 * httpd_stream_write() sends, until httpd_stream_close().  The caller owns
 * the handle until it closes it, also after the peer has left (writes are
 * then dropped and httpd_stream_is_open() says so).  A peer that reads too
 * slowly to keep under HTTPD_STREAM_MAX_BUFFERED is cut off. */
#define HTTPD_STREAM_MAX_BUFFERED (256 * 1024)
struct httpd_stream;
struct httpd_stream *httpd_stream_open(const struct httpd_request *req,
                                       const char *content_type);
void httpd_stream_write(struct httpd_stream *stream, const char *data,
                        size_t len);
bool httpd_stream_is_open(const struct httpd_stream *stream);
void httpd_stream_close(struct httpd_stream *stream);

/* Accepts connections, reads requests and calls handlers for the complete
 * ones, writes responses, and drops connections idle for too long. */
void httpd_run(struct httpd *httpd);

/* Arranges for poll_block() to wake when httpd_run() has work to do. */
void httpd_wait(struct httpd *httpd);

#endif /* KOVN_BASE_HTTPD_H */
