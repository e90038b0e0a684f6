/* kovn-daemon's CNI endpoint: a unix stream socket (mode 0600: only root,
 * as the runtime that runs kovn-cni, may ask for pod plumbing) speaking
 * the line protocol of cni/protocol.h, one request and one response per
 * connection, on the poll loop.
 *
 * Peers are bounded: at most 'max_conns' connections at once (more are
 * accepted and closed at once, so that they fail fast instead of hanging
 * in the backlog), a request line of at most CNI_LINE_MAX bytes, and
 * CNI_SERVER_READ_TIMEOUT_MS to send it.  A request that does not parse is
 * answered with a CNI error (decode, incompatible version or invalid
 * config) without reaching the daemon.  A peer that goes away, before or
 * after its request, costs nothing but its connection; the request it
 * made still completes (and a retry of it converges). */
#ifndef KOVN_DAEMON_CNI_SERVER_H
#define KOVN_DAEMON_CNI_SERVER_H 1

#include <stddef.h>

struct cni_request;
struct cni_response;
struct kovn_error;

#define CNI_SERVER_READ_TIMEOUT_MS 10000

struct cni_server;
struct cni_conn;

/* Called from cni_server_run() with a parsed, validated request, which the
 * callee takes over (it destroys and frees it).  Each call must be answered
 * exactly once with cni_server_reply(), now or later. */
typedef void cni_server_request_fn(struct cni_conn *, struct cni_request *,
                                   void *aux);

/* Listens on 'path', replacing a stale socket file, creating its directory
 * (mode 0700) if missing. */
int cni_server_create(const char *path, size_t max_conns,
                      cni_server_request_fn *, void *aux,
                      struct cni_server **out, struct kovn_error *err);
void cni_server_destroy(struct cni_server *);

void cni_server_run(struct cni_server *);
void cni_server_wait(struct cni_server *);

/* Sends 'response' (for spec 'cni_version') and closes the connection once
 * it is written or the peer is gone. */
void cni_server_reply(struct cni_conn *, const struct cni_response *,
                      const char *cni_version);

/* Connections open now. */
size_t cni_server_n_conns(const struct cni_server *);

#endif /* KOVN_DAEMON_CNI_SERVER_H */
