/* The Kubernetes REST client: libcurl's multi interface driven by the OVS
 * poll loop (kube_client_run() / kube_client_wait(), as everything else in a
 * kovn daemon), with connection reuse and HTTP/2 where the server offers
 * it, per-request timeouts, an adaptive bound on requests in flight
 * (kube/window.h) and an optional QPS/burst limit, bounded response
 * bodies, and metav1.Status errors decoded into (code, reason, message).
 *
 * Requests complete through a callback from kube_client_run(); nothing is
 * called from inside libcurl.  kube_client_call() is the blocking form for
 * command-line tools and tests. */
#ifndef KOVN_KUBE_REST_H
#define KOVN_KUBE_REST_H 1

#include <stdbool.h>
#include <stddef.h>

struct json;
struct kovn_error;
struct kube_config;
struct kube_window;

/* Largest response body accepted; paged lists stay far below it. */
#define KUBE_BODY_MAX (128 * 1024 * 1024)

struct kube_client_options {
    /* Sustained requests per second; 0: 50; KUBE_CLIENT_NO_RATE: no fixed
     * rate, only the adaptive window (kube/window.h) bounds requests. */
    double qps;
    int burst;                 /* Bucket size; 0: 100. */
    long timeout_ms;           /* Per request; 0: 30000. */
    long long token_reload_ms; /* Re-read a token file after; 0: 60 s. */
    /* The most requests (not streams) handed to libcurl at once, the
     * ceiling of the adaptive window; more wait their turn.  Each costs
     * libcurl some 25 KB of buffers, and beyond the API server's HTTP/2
     * stream limit (Go's 250) libcurl opens, and later drops, more
     * connections.  0: 64. */
    int max_in_flight;
    const char *user_agent;
};

#define KUBE_CLIENT_NO_RATE (-1.0)

struct kube_response {
    long status;       /* HTTP status; 0 when the request never got one. */
    int error;         /* 0, or negative errno for transport failures. */
    struct json *body; /* Parsed JSON body, or NULL. */
    char *reason;      /* Status reason ("NotFound", ...) or "". */
    char *message;     /* Status message or transport error, or "". */
};

void kube_response_destroy(struct kube_response *response);

struct kube_client;
struct kube_request;

typedef void kube_response_fn(struct kube_response *response, void *aux);

struct kube_client *kube_client_create(const struct kube_config *config,
                                       const struct kube_client_options *,
                                       struct kovn_error *err);
void kube_client_destroy(struct kube_client *client);

/* Queues a request.  'path' starts with "/" ("/api/v1/namespaces");
 * 'body' (may be NULL) is sent as 'content_type' (NULL:
 * "application/json").  'done' is called exactly once from
 * kube_client_run(), unless the request is cancelled first; it owns nothing
 * of 'response' after returning. */
struct kube_request *kube_client_send(struct kube_client *client,
                                      const char *method, const char *path,
                                      const struct json *body,
                                      const char *content_type,
                                      kube_response_fn *done, void *aux);
/* Receives a streamed body as it arrives.  Returns 0 to continue or
 * nonzero to stop the stream (the request then completes with
 * -ECANCELED). */
typedef int kube_stream_fn(const char *data, size_t len, void *aux);

/* A GET whose successful (200) body is handed to 'stream' chunk by chunk
 * instead of being collected, for watches; no overall timeout applies.
 * 'done' reports the end: the server closing the stream (status 200), an
 * HTTP error (with its Status, body collected), or a transport error. */
struct kube_request *kube_client_stream(struct kube_client *client,
                                        const char *path,
                                        kube_stream_fn *stream,
                                        kube_response_fn *done, void *aux);

/* Replaces the Accept header ("application/json") of a request not yet
 * started (before the next kube_client_run()), e.g. to ask for protobuf
 * with JSON as the fallback.  Error bodies then come in the format
 * answered; a Status in protobuf is decoded as one in JSON. */
void kube_request_accept(struct kube_request *request,
                         const char *media_types);

void kube_request_cancel(struct kube_request *request);

/* Requests (not streams) handed to libcurl and not yet finished. */
size_t kube_client_in_flight(const struct kube_client *client);
/* The adaptive window that bounds them. */
const struct kube_window *kube_client_window(const struct kube_client *);

void kube_client_run(struct kube_client *client);
void kube_client_wait(struct kube_client *client);
/* Requests queued or in flight. */
size_t kube_client_pending(const struct kube_client *client);

/* Blocking request.  Returns 0 when an HTTP response arrived (whatever its
 * status: look at response->status), or the transport error with 'err'
 * set.  The caller destroys 'response'. */
int kube_client_call(struct kube_client *client, const char *method,
                     const char *path, const struct json *body,
                     const char *content_type, struct kube_response *response,
                     struct kovn_error *err);

#endif /* KOVN_KUBE_REST_H */
