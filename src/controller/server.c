/* kovn-controller's HTTP endpoints; see server.h. */
#include <config.h>

#include "controller/server.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "base/httpd.h"
#include "base/metrics.h"
#include "controller/controller.h"
#include "controller/counts.h"
#include "controller/metrics.h"
#include "controller/ui.h"
#include "controller/webhook.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(server);

struct server {
    struct server_options options;
    struct controller *ctl;
    struct httpd *metrics;
    struct httpd *webhook;
    struct ui *ui; /* On the metrics listener. */
    bool ready;
    bool webhook_failed; /* Logged once. */
};

static void
serve_metrics(const struct httpd_request *req, struct httpd_response *resp,
              void *server_)
{
    struct server *server = server_;
    struct metrics_registry *registry = metrics_registry_create();
    char *text;

    (void)req;
    ctrl_metrics_export(server->ctl, registry);
    metrics_set(registry, "kovn_ready", METRIC_GAUGE,
                "1 when informers are synced, this replica leads and the "
                "defaults exist.",
                "", server->ready, NULL);
    text = metrics_render(registry);
    httpd_response_set(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
                       text);
    free(text);
    metrics_registry_destroy(registry);
}

static void
serve_healthz(const struct httpd_request *req, struct httpd_response *resp,
              void *server_)
{
    (void)req;
    (void)server_;
    httpd_response_set(resp, 200, "text/plain; charset=utf-8", "ok\n");
}

static void
serve_readyz(const struct httpd_request *req, struct httpd_response *resp,
             void *server_)
{
    struct server *server = server_;

    (void)req;
    if (server->ready) {
        httpd_response_set(resp, 200, "text/plain; charset=utf-8", "ok\n");
    } else {
        httpd_response_set(resp, 503, "text/plain; charset=utf-8",
                           controller_synced(server->ctl)
                               ? "not leading or defaults missing\n"
                               : "informers not synced\n");
    }
}

static size_t
ips_in_subnet(const char *subnet, void *ctl)
{
    return ctrl_counts_ips_in_subnet(ctl, subnet);
}

static void
serve_validate(const struct httpd_request *req, struct httpd_response *resp,
               void *server_)
{
    struct server *server = server_;
    struct webhook_ctx ctx = {server->ctl->model, ips_in_subnet, server->ctl,
                              server->ctl->opts.switch_port_limit};
    struct kovn_error err;
    struct json *review, *answer;

    if (strcmp(req->method, "POST")) {
        httpd_response_set(resp, 405, "text/plain; charset=utf-8",
                           "POST an AdmissionReview\n");
        return;
    }
    review = json_from_string(req->body);
    if (review->type == JSON_STRING) {
        char *msg = xasprintf("bad JSON: %s\n", json_string(review));
        httpd_response_set(resp, 400, "text/plain; charset=utf-8", msg);
        free(msg);
        json_destroy(review);
        return;
    }
    kovn_error_clear(&err);
    answer = webhook_review(&ctx, review, &err);
    if (!answer) {
        char *msg = xasprintf("%s\n", err.msg);
        httpd_response_set(resp, 400, "text/plain; charset=utf-8", msg);
        free(msg);
    } else {
        char *text = json_to_string(answer, 0);
        httpd_response_set(resp, 200, "application/json", text);
        free(text);
        json_destroy(answer);
    }
    json_destroy(review);
}

int
server_create(const struct server_options *options, struct controller *ctl,
              struct server **serverp, struct kovn_error *err)
{
    struct server *server = xzalloc(sizeof *server);
    int error;

    server->options = *options;
    server->ctl = ctl;
    if (options->metrics_address) {
        struct httpd_options o = {
            .address = options->metrics_address,
            .port = options->metrics_port,
        };
        if ((error = httpd_create(&o, &server->metrics, err))) {
            kovn_error_prefix(err, "metrics listener: ");
            free(server);
            *serverp = NULL;
            return error;
        }
        httpd_route(server->metrics, "/metrics", serve_metrics, server);
        httpd_route(server->metrics, "/healthz", serve_healthz, server);
        httpd_route(server->metrics, "/readyz", serve_readyz, server);
        server->ui = ui_create(ctl, server->metrics,
                               !ui_address_is_local(options->metrics_address));
    }
    *serverp = server;
    return 0;
}

void
server_destroy(struct server *server)
{
    if (server) {
        /* Its waiting requests answer before their listener goes. */
        ui_destroy(server->ui);
        httpd_destroy(server->metrics);
        httpd_destroy(server->webhook);
        free(server);
    }
}

int
server_metrics_port(const struct server *server)
{
    return server->metrics ? httpd_port(server->metrics) : 0;
}

void
server_run(struct server *server, bool ready)
{
    const struct server_options *o = &server->options;

    server->ready = ready;
    if (ready && !server->webhook && o->webhook_address &&
        !server->webhook_failed) {
        struct httpd_options ho = {
            .address = o->webhook_address,
            .port = o->webhook_port,
            .cert_file = o->webhook_cert,
            .key_file = o->webhook_key,
            /* AdmissionReviews carry whole objects but not more. */
            .max_body = 4 * 1024 * 1024,
        };
        struct kovn_error err;

        if (httpd_create(&ho, &server->webhook, &err)) {
            VLOG_ERR("webhook listener: %s", err.msg);
            server->webhook_failed = true;
        } else {
            VLOG_INFO("serving admission webhook on port %d",
                      httpd_port(server->webhook));
            httpd_route(server->webhook, "/validate", serve_validate, server);
        }
    }
    if (server->metrics) {
        ui_run(server->ui);
        httpd_run(server->metrics);
    }
    if (server->webhook) {
        httpd_run(server->webhook);
    }
}

void
server_wait(struct server *server)
{
    if (server->metrics) {
        ui_wait(server->ui);
        httpd_wait(server->metrics);
    }
    if (server->webhook) {
        httpd_wait(server->webhook);
    }
}
