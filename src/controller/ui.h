/* kovn-controller's read-only web page, /ui, on the same HTTP server as
 * /metrics: the topology of Vpcs, Subnets and namespaces as an SVG laid
 * out by Graphviz, every problem in red, live (a Server-Sent Events stream
 * says when the picture changed), and, on a click, an object's problems,
 * conditions, Events and OVN rows.
 *
 *   GET /ui                  the page (static: HTML, CSS and script, no
 *                            framework, nothing fetched from elsewhere)
 *   GET /ui/topology.svg     the picture
 *   GET /ui/object?kind=K&name=N   one object's details, JSON
 *   GET /ui/events           text/event-stream: "topology" events carry
 *                            the picture's version when it changes
 *
 * The server listens on localhost by default, where anyone who can reach
 * it may read.  Served on any other address, every route but the static
 * page asks for a bearer token (Authorization header, or the cookie
 * kovn_ui_token the page sets) of a caller who may list Subnets
 * (ui_auth.h). */
#ifndef KOVN_CONTROLLER_UI_H
#define KOVN_CONTROLLER_UI_H 1

#include <stdbool.h>

struct controller;
struct httpd;

/* Changes are looked for this often while a page listens, or less often
 * where remaking the picture is slow (many pods): never more than a fifth
 * of the controller's time goes to it, and never less often than
 * UI_REFRESH_MAX_MS. */
#define UI_REFRESH_MS     250
#define UI_REFRESH_MAX_MS 2000
/* A comment on every stream this often keeps proxies from closing it and
 * finds pages that left. */
#define UI_KEEPALIVE_MS (15 * 1000)
/* Live pages at once; each holds a connection of the metrics server's 64. */
#define UI_MAX_STREAMS 16

struct ui;

/* Serves /ui on 'httpd'; 'require_auth' when it listens beyond localhost
 * (ui_address_is_local()). */
struct ui *ui_create(struct controller *ctl, struct httpd *httpd,
                     bool require_auth);
/* Answers every request still waiting with 503. */
void ui_destroy(struct ui *ui);

void ui_run(struct ui *ui);
void ui_wait(struct ui *ui);

/* True for a numeric loopback address (127.0.0.0/8, ::1). */
bool ui_address_is_local(const char *address);

#endif /* KOVN_CONTROLLER_UI_H */
