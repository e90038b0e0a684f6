/* kovn-controller's HTTP endpoints: /metrics, /healthz, /readyz and /ui on a
 * local plain-HTTP port, and the admission webhook (/validate) on its own
 * HTTPS port, opened only once the controller is ready so that the API
 * server never gets an answer from a half-loaded model. */
#ifndef KOVN_CONTROLLER_SERVER_H
#define KOVN_CONTROLLER_SERVER_H 1

#include <stdbool.h>

struct controller;
struct kovn_error;

struct server_options {
    const char *metrics_address; /* NULL: no metrics listener. */
    int metrics_port;
    const char *webhook_address; /* NULL: no webhook. */
    int webhook_port;
    const char *webhook_cert;
    const char *webhook_key;
};

struct server;

int server_create(const struct server_options *options, struct controller *ctl,
                  struct server **serverp, struct kovn_error *err);
void server_destroy(struct server *server);

/* 'ready' drives /readyz and whether the webhook listens. */
void server_run(struct server *server, bool ready);
void server_wait(struct server *server);

int server_metrics_port(const struct server *server);

#endif /* KOVN_CONTROLLER_SERVER_H */
