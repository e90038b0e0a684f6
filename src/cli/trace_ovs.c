/* ofproto/trace on the pod's node; see trace_ovs.h. */
#include <config.h>

#include "cli/trace_ovs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/error.h"
#include "cli/ofproto_trace.h"
#include "cli/run.h"
#include "cli/trace_explain.h"
#include "openvswitch/dynamic-string.h"
#include "ovn/owner.h"
#include "util.h"

/* ofproto/trace's conntrack steps told "new", as ovn-trace's (trace.c):
 * the packet is the first of its connection, where policies decide. */
#define TRACE_OVS_CT_NEW 16
/* What ovs-appctl and ovs-vsctl print for the small requests here. */
#define TRACE_OVS_SMALL_MAX (64 * 1024)
/* Output ports named by their iface-id, one ovs-vsctl each: a flood to
 * every port of a big node is summed up without waiting on hundreds. */
#define TRACE_OVS_LOOKUPS_MAX 16

/* The node's sockets: ovs-vswitchd's control socket and the OVS db. */
struct node_sockets {
    char *ctl;
    char *db; /* "unix:DIR/db.sock" */
};

static void
node_sockets_destroy(struct node_sockets *s)
{
    free(s->ctl);
    free(s->db);
}

/* The first line of 'text' that is not a log line ("2024-...|unixctl|
 * WARN|..."), for a one-line message: OVS tools log, then say why they
 * failed. */
static char *
first_line(const char *text)
{
    for (const char *p = text; *p; p += strcspn(p, "\n")) {
        size_t n;

        p += strspn(p, "\n");
        n = strcspn(p, "\n");
        if (n && !(isdigit((unsigned char)*p) && memchr(p, '|', n))) {
            return xmemdup0(p, n);
        }
    }
    return xstrdup("no output");
}

/* 'arg' is a run dir (ovs-vswitchd.ctl in it, as scripts/ovn.sh starts
 * it, or ovs-vswitchd.PID.ctl after its pid file, as OVS's own scripts do)
 * or the control socket itself; db.sock is in the same directory. */
static int
find_sockets(const char *arg, struct node_sockets *s, struct kovn_error *err)
{
    struct stat st;
    char *dir = NULL;
    int error = 0;

    if (!strncmp(arg, "unix:", 5)) {
        arg += 5;
    }
    if (stat(arg, &st)) {
        return kovn_error_set(err, -errno, "%s: %s", arg, ovs_strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        char *pidfile = xasprintf("%s/ovs-vswitchd.pid", arg);
        FILE *f;
        long pid;

        dir = xstrdup(arg);
        s->ctl = xasprintf("%s/ovs-vswitchd.ctl", dir);
        if (stat(s->ctl, &st) && (f = fopen(pidfile, "r"))) {
            if (fscanf(f, "%ld", &pid) == 1 && pid > 0) {
                free(s->ctl);
                s->ctl = xasprintf("%s/ovs-vswitchd.%ld.ctl", dir, pid);
            }
            fclose(f);
        }
        free(pidfile);
        if (stat(s->ctl, &st)) {
            error =
                kovn_error_set(err, -ENOENT,
                               "no ovs-vswitchd control socket in %s "
                               "(ovs-vswitchd.ctl, or ovs-vswitchd.PID.ctl "
                               "after ovs-vswitchd.pid)",
                               arg);
            goto out;
        }
    } else {
        const char *slash = strrchr(arg, '/');

        s->ctl = xstrdup(arg);
        dir = slash ? xmemdup0(arg, slash - arg) : xstrdup(".");
    }
    s->db = xasprintf("unix:%s/db.sock", *dir ? dir : "/");
out:
    free(dir);
    return error;
}

/* Runs the tool in 'argv' (null-terminated by the caller); its output in
 * 'out'.  A non-zero exit is -EPROTO with its first line. */
static int
run_tool(struct svec *argv, size_t max_bytes, struct ds *out,
         struct kovn_error *err)
{
    int status = 0, error;

    svec_terminate(argv);
    /* A second more than the tool's own --timeout: its message wins. */
    error = cli_run_capture(argv->names, TRACE_OVS_TIMEOUT_MS + 1000,
                            max_bytes, out, &status, err);
    if (!error && (!WIFEXITED(status) || WEXITSTATUS(status))) {
        char *line = first_line(ds_cstr(out));

        error = kovn_error_set(err, -EPROTO, "%s", line);
        free(line);
    }
    return error;
}

static void
appctl_argv(struct svec *argv, const struct node_sockets *s)
{
    svec_add(argv, "ovs-appctl");
    svec_add_nocopy(argv, xasprintf("--target=%s", s->ctl));
    svec_add_nocopy(argv,
                    xasprintf("--timeout=%d", TRACE_OVS_TIMEOUT_MS / 1000));
}

static void
vsctl_argv(struct svec *argv, const struct node_sockets *s)
{
    svec_add(argv, "ovs-vsctl");
    svec_add_nocopy(argv, xasprintf("--db=%s", s->db));
    svec_add_nocopy(argv,
                    xasprintf("--timeout=%d", TRACE_OVS_TIMEOUT_MS / 1000));
}

/* Whether ovs-vswitchd answers on its control socket. */
static int
check_reachable(const struct node_sockets *s, struct kovn_error *err)
{
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    int error;

    appctl_argv(&argv, s);
    svec_add(&argv, "version");
    error = run_tool(&argv, TRACE_OVS_SMALL_MAX, &out, err);
    if (error) {
        kovn_error_prefix(err, "ovs-vswitchd at %s does not answer: ", s->ctl);
    }
    ds_destroy(&out);
    svec_destroy(&argv);
    return error;
}

/* The OpenFlow port of the Interface whose iface-id is 'port', and its
 * name. */
static int
find_interface(const struct node_sockets *s, const char *port, char **name,
               int *ofport, struct kovn_error *err)
{
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    char *ofport_text = NULL, *save = NULL;
    int error;

    *name = NULL;
    vsctl_argv(&argv, s);
    svec_add(&argv, "--bare");
    svec_add(&argv, "--columns=name,ofport");
    svec_add(&argv, "find");
    svec_add(&argv, "Interface");
    svec_add_nocopy(&argv, xasprintf("external_ids:iface-id=\"%s\"", port));
    error = run_tool(&argv, TRACE_OVS_SMALL_MAX, &out, err);
    if (error) {
        kovn_error_prefix(err, "ovs-vsctl --db=%s: ", s->db);
        goto out;
    }
    /* --bare: one column a line, the first record first. */
    *name = strtok_r(ds_cstr(&out), "\n", &save);
    ofport_text = *name ? strtok_r(NULL, "\n", &save) : NULL;
    if (!*name) {
        error = kovn_error_set(err, -ENOENT,
                               "no Interface with external_ids:iface-id=%s "
                               "in %s (is the pod on this node?)",
                               port, s->db);
    } else if (!ofport_text || !str_to_int(ofport_text, 10, ofport) ||
               *ofport <= 0) {
        error = kovn_error_set(err, -ENODEV,
                               "Interface %s of %s has no OpenFlow port "
                               "(ofport %s)",
                               *name, port, ofport_text ? ofport_text : "");
    }
    *name = *name ? xstrdup(*name) : NULL;
out:
    ds_destroy(&out);
    svec_destroy(&argv);
    return error;
}

/* external_ids:iface-id of Interface 'name', or NULL. */
static char *
iface_id_of(const struct node_sockets *s, const char *name)
{
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    char *id = NULL;

    vsctl_argv(&argv, s);
    svec_add(&argv, "--if-exists");
    svec_add(&argv, "get");
    svec_add(&argv, "Interface");
    svec_add(&argv, name);
    svec_add(&argv, "external_ids:iface-id");
    if (!run_tool(&argv, TRACE_OVS_SMALL_MAX, &out, NULL)) {
        char *v = ds_cstr(&out);
        size_t n = strcspn(v, "\n");

        /* An OVSDB string, quoted when it has to be. */
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
            v++;
            n -= 2;
        }
        id = n ? xmemdup0(v, n) : NULL;
    }
    ds_destroy(&out);
    svec_destroy(&argv);
    return id;
}

static const char *
pod_of_port(const struct trace_facts *facts, const char *port)
{
    for (size_t i = 0; port && i < facts->n_ports; i++) {
        const struct trace_port *p = &facts->ports[i];

        if (!strcmp(p->name, port) && !strcmp(p->owner.kind, OVN_OWNER_POD)) {
            return p->owner.name;
        }
    }
    return NULL;
}

static int
run_ofproto_trace(const struct cli_trace_ovs_request *r,
                  const struct node_sockets *s, const char *flow,
                  struct ds *out, struct kovn_error *err)
{
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    int error;

    appctl_argv(&argv, s);
    svec_add(&argv, "ofproto/trace");
    /* Port names, not numbers, in the datapath actions. */
    svec_add(&argv, "--names");
    svec_add(&argv, TRACE_OVS_BRIDGE);
    svec_add(&argv, flow);
    for (int i = 0; i < TRACE_OVS_CT_NEW; i++) {
        svec_add(&argv, "--ct-next");
        svec_add(&argv, "trk,new");
    }
    error = run_tool(&argv, OFPROTO_TRACE_TEXT_MAX, out, err);
    if (r->verbose) {
        printf("$ ovs-appctl --target=%s ofproto/trace --names %s '%s' "
               "--ct-next trk,new (x%d)\n%s\n",
               s->ctl, TRACE_OVS_BRIDGE, flow, TRACE_OVS_CT_NEW, ds_cstr(out));
    }
    if (error) {
        kovn_error_prefix(err, "ofproto/trace failed: ");
    }
    svec_destroy(&argv);
    return error;
}

void
cli_trace_ovs(const struct cli_trace_ovs_request *r,
              const struct trace_explanation *ovn, struct svec *lines)
{
    const char *node = r->node && *r->node ? r->node : "?";
    struct node_sockets sockets = {0};
    struct kovn_error err = {0};
    struct ofproto_trace trace = {0};
    struct cli_trace_ovs_port *ports = NULL;
    char **ids = NULL;
    struct ds out = DS_EMPTY_INITIALIZER;
    char *iface = NULL, *flow = NULL;
    int ofport = 0, error;

    svec_init(&trace.passes);
    if (!r->ovs) {
        svec_add_nocopy(lines,
                        xasprintf("node %s: OVS datapath: skipped (no --ovs "
                                  "naming the node's OVS run dir or "
                                  "ovs-vswitchd control socket)",
                                  node));
        goto out;
    }
    error = find_sockets(r->ovs, &sockets, &err);
    if (!error) {
        error = check_reachable(&sockets, &err);
    }
    if (!error) {
        error = find_interface(&sockets, r->port, &iface, &ofport, &err);
    }
    if (!error) {
        flow = ofproto_trace_flow(r->packet, ofport);
        error = run_ofproto_trace(r, &sockets, flow, &out, &err);
    }
    if (!error) {
        ofproto_trace_destroy(&trace);
        error = ofproto_trace_parse(out.string, out.length, &trace, &err);
        if (error) {
            kovn_error_prefix(&err, "reading ofproto/trace's output: ");
        }
    }
    if (error) {
        svec_add_nocopy(lines, xasprintf("node %s: OVS datapath: skipped (%s)",
                                         node, err.msg));
        goto out;
    }

    ports = xcalloc(trace.n_outputs ? trace.n_outputs : 1, sizeof *ports);
    ids = xcalloc(trace.n_outputs ? trace.n_outputs : 1, sizeof *ids);
    for (size_t i = 0; i < trace.n_outputs; i++) {
        if (!*trace.outputs[i].tunnel_dst && i < TRACE_OVS_LOOKUPS_MAX) {
            ids[i] = iface_id_of(&sockets, trace.outputs[i].port);
            ports[i].iface_id = ids[i];
            ports[i].pod = pod_of_port(r->facts, ids[i]);
        }
    }
    cli_trace_ovs_summary(node, &trace, ports, ovn, lines);

out:
    for (size_t i = 0; ids && i < trace.n_outputs; i++) {
        free(ids[i]);
    }
    free(ids);
    free(ports);
    ofproto_trace_destroy(&trace);
    node_sockets_destroy(&sockets);
    ds_destroy(&out);
    free(iface);
    free(flow);
}

static void
put_output(struct ds *s, const struct ofproto_trace_output *o,
           const struct cli_trace_ovs_port *p)
{
    if (*o->tunnel_dst) {
        ds_put_format(s, "tunnel to %s (port %s)", o->tunnel_dst, o->port);
    } else if (p->pod) {
        ds_put_format(s, "port %s (pod %s)", o->port, p->pod);
    } else if (p->iface_id) {
        ds_put_format(s, "port %s (iface-id %s)", o->port, p->iface_id);
    } else {
        ds_put_format(s, "port %s", o->port);
    }
}

/* svec_contains() wants a sorted svec; these are in trace order. */
static bool
contains(const struct svec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++) {
        if (!strcmp(v->names[i], s)) {
            return true;
        }
    }
    return false;
}

/* Whether the datapath sends the packet to a local port of OVN's that is
 * none of those OVN delivers to. */
static bool
other_port(const struct ofproto_trace *t,
           const struct cli_trace_ovs_port *ports,
           const struct trace_explanation *ovn, const char **which)
{
    bool matched = false;

    *which = NULL;
    for (size_t i = 0; i < t->n_outputs; i++) {
        if (*t->outputs[i].tunnel_dst) {
            return false; /* Delivered on another node, maybe. */
        }
        if (ports[i].iface_id) {
            if (contains(&ovn->delivered_ports, ports[i].iface_id)) {
                matched = true;
            } else if (!*which) {
                *which = ports[i].iface_id;
            }
        }
    }
    return !matched && *which;
}

void
cli_trace_ovs_summary(const char *node, const struct ofproto_trace *t,
                      const struct cli_trace_ovs_port *ports,
                      const struct trace_explanation *ovn, struct svec *lines)
{
    bool drops = ofproto_trace_drops(t);
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *which;

    ds_put_format(&s, "node %s: OVS datapath: ", node);
    if (t->failure) {
        ds_put_format(&s, "drop (translation failed: %s)", t->failure);
    } else if (t->n_outputs) {
        ds_put_cstr(&s, "output to ");
        for (size_t i = 0; i < t->n_outputs; i++) {
            ds_put_cstr(&s, i ? ", " : "");
            put_output(&s, &t->outputs[i], &ports[i]);
        }
        if (t->controller) {
            ds_put_cstr(&s, ", and to ovn-controller");
        }
    } else if (t->controller) {
        ds_put_cstr(&s, "to ovn-controller (an upcall that handles the "
                        "packet)");
    } else {
        ds_put_cstr(&s, "drop");
    }
    svec_add_nocopy(lines, ds_steal_cstr(&s));

    if (drops && ovn->verdict == TRACE_DELIVERED) {
        svec_add_nocopy(
            lines, xasprintf("OVS and OVN disagree: OVN delivers the packet, "
                             "the OVS datapath of node %s drops it (has "
                             "ovn-controller installed OVN's flows and bound "
                             "the ports?)",
                             node));
    } else if (drops && ovn->verdict == TRACE_LEFT) {
        svec_add_nocopy(
            lines, xasprintf("OVS and OVN disagree: OVN lets the packet out, "
                             "the OVS datapath of node %s drops it (has "
                             "ovn-controller installed OVN's flows?)",
                             node));
    } else if (!drops && ovn->verdict == TRACE_DROPPED && t->n_outputs) {
        svec_add_nocopy(
            lines, xasprintf("OVS and OVN disagree: OVN drops the packet, "
                             "the OVS datapath of node %s sends it on (are "
                             "its flows older than OVN SB?)",
                             node));
    } else if (ovn->verdict == TRACE_DELIVERED &&
               other_port(t, ports, ovn, &which)) {
        svec_add_nocopy(
            lines,
            xasprintf("OVS and OVN disagree: OVN delivers to %s, the "
                      "OVS datapath of node %s to %s",
                      ovn->delivered_ports.n ? ovn->delivered_ports.names[0]
                                             : "?",
                      node, which));
    }
}
