/* The topology as DOT text; see topology_dot.h. */
#include <config.h>

#include "crd/topology_dot.h"

#include <string.h>

#include "crd/topology.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"

#define COLOR_PROBLEM "#d62728"

/* Appends 's' as the inside of a DOT quoted string. */
static void
put_escaped(struct ds *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            ds_put_char(out, '\\');
        }
        if (*s == '\n') {
            ds_put_cstr(out, "\\n");
        } else {
            ds_put_char(out, *s);
        }
    }
}

/* Starts node 'kind'/'name' with 'label' (already DOT-escaped, may hold
 * \n), red with the problems' reasons and tooltip when there are any. */
static void
put_node(struct ds *out, const char *kind, const char *name, const char *label,
         const struct topology_problems *problems, const char *extra)
{
    struct ds tooltip = DS_EMPTY_INITIALIZER;

    ds_put_format(out, "  \"%s/", kind);
    put_escaped(out, name);
    ds_put_format(out, "\" [id=\"%s/", kind);
    put_escaped(out, name);
    ds_put_format(out, "\", label=\"%s", label);
    for (size_t i = 0; i < problems->n; i++) {
        ds_put_cstr(out, "\\n[");
        put_escaped(out, problems->items[i].reason);
        ds_put_char(out, ']');
        ds_put_format(&tooltip, "%s%s: %s", i ? "\n" : "",
                      problems->items[i].reason, problems->items[i].message);
    }
    ds_put_char(out, '"');
    if (problems->n) {
        ds_put_cstr(out,
                    ", color=\"" COLOR_PROBLEM "\", fontcolor=\"" COLOR_PROBLEM
                    "\", penwidth=2, tooltip=\"");
        put_escaped(out, ds_cstr(&tooltip));
        ds_put_char(out, '"');
    }
    if (extra) {
        ds_put_format(out, ", %s", extra);
    }
    ds_put_cstr(out, "];\n");
    ds_destroy(&tooltip);
}

static void
put_edge(struct ds *out, const char *from_kind, const char *from,
         const char *to_kind, const char *to, const char *attrs)
{
    ds_put_format(out, "  \"%s/", from_kind);
    put_escaped(out, from);
    ds_put_format(out, "\" -> \"%s/", to_kind);
    put_escaped(out, to);
    ds_put_format(out, "\" [%s];\n", attrs);
}

static void
put_vpcs(const struct topology *topology, struct ds *out)
{
    const struct topology_vpc *vpcs;
    size_t n;

    vpcs = topology_vpcs(topology, &n);
    for (size_t i = 0; i < n; i++) {
        const struct topology_vpc *tv = &vpcs[i];
        struct ds label = DS_EMPTY_INITIALIZER;

        ds_put_cstr(&label, "Vpc ");
        put_escaped(&label, tv->name);
        if (tv->missing) {
            ds_put_cstr(&label, "\\n(missing)");
        } else if (tv->vpc->deleting) {
            ds_put_cstr(&label, "\\n(deleting)");
        }
        put_node(out, "vpc", tv->name, ds_cstr(&label), &tv->problems,
                 tv->missing ? "style=\"dashed\", color=\"" COLOR_PROBLEM
                               "\", fontcolor=\"" COLOR_PROBLEM "\""
                             : "fillcolor=\"#dbeafe\"");
        ds_destroy(&label);
    }
    for (size_t i = 0; i < n; i++) {
        const struct topology_vpc *tv = &vpcs[i];

        for (size_t j = 0; j < tv->n_subnets; j++) {
            put_edge(out, "vpc", tv->name, "subnet", tv->subnets[j], "");
        }
        for (size_t j = 0; j < tv->n_peerings; j++) {
            const struct topology_peering *p = &tv->peerings[j];
            const struct topology_vpc *remote =
                topology_find_vpc(topology, p->remote_vpc);

            /* A mutual peering is drawn once, from the smaller name. */
            if (!p->problem && remote && strcmp(tv->name, remote->name) > 0) {
                continue;
            }
            if (!remote && p->problem) {
                /* The missing peer gets no node: the edge's label says. */
                continue;
            }
            if (remote) {
                put_edge(out, "vpc", tv->name, "vpc", remote->name,
                         p->problem ? "style=dashed, color=\"" COLOR_PROBLEM
                                      "\", fontcolor=\"" COLOR_PROBLEM
                                      "\", label=\"vpcPeering (not mutual)\""
                                    : "style=dashed, dir=both, "
                                      "label=\"vpcPeering\"");
            }
        }
    }
}

static void
put_subnets(const struct topology *topology, struct ds *out)
{
    const struct topology_subnet *subnets;
    size_t n;

    subnets = topology_subnets(topology, &n);
    for (size_t i = 0; i < n; i++) {
        const struct topology_subnet *ts = &subnets[i];
        const struct subnet *s = ts->subnet;
        struct ds label = DS_EMPTY_INITIALIZER;

        ds_put_cstr(&label, "Subnet ");
        put_escaped(&label, s->name);
        if (subnet_is_valid(s)) {
            char *gateways = subnet_gateways_text(s);
            char usable[NET_ADDR_STRLEN];

            net_u128_format(ts->usable, usable);
            ds_put_cstr(&label, "\\n");
            put_escaped(&label, s->cidr_block);
            ds_put_cstr(&label, "\\ngw ");
            put_escaped(&label, gateways);
            ds_put_format(&label, " (%s", s->gateway_type);
            if (*s->active_gateway) {
                ds_put_cstr(&label, " on ");
                put_escaped(&label, s->active_gateway);
            }
            ds_put_format(&label, ")\\n%zu/%s IPs used", ts->used, usable);
            free(gateways);
        }
        put_node(out, "subnet", s->name, ds_cstr(&label), &ts->problems,
                 "fillcolor=\"#dcfce7\"");
        ds_destroy(&label);
    }
}

static void
put_namespaces(const struct topology *topology, struct ds *out)
{
    const struct topology_namespace *nss;
    size_t n;

    nss = topology_namespaces(topology, &n);
    for (size_t i = 0; i < n; i++) {
        const struct topology_namespace *ns = &nss[i];
        struct ds label = DS_EMPTY_INITIALIZER;

        ds_put_cstr(&label, "Namespace ");
        put_escaped(&label, ns->name);
        for (size_t j = 0; j < ns->n_pods; j++) {
            ds_put_cstr(&label, "\\n");
            put_escaped(&label, *ns->pods[j].node ? ns->pods[j].node
                                                  : "(unscheduled)");
            ds_put_format(&label, ": %zu pod%s", ns->pods[j].n,
                          ns->pods[j].n == 1 ? "" : "s");
        }
        put_node(out, "ns", ns->name, ds_cstr(&label), &ns->problems,
                 "fillcolor=\"#fef9c3\"");
        ds_destroy(&label);
        for (size_t j = 0; j < ns->n_bindings; j++) {
            char *attrs =
                xasprintf("label=\"%s\"",
                          topology_bound_by_name(ns->bindings[j].bound_by));
            put_edge(out, "subnet", ns->bindings[j].subnet, "ns", ns->name,
                     attrs);
            free(attrs);
        }
        for (size_t j = 0; j < ns->n_skipped; j++) {
            char *attrs = xasprintf("style=dashed, color=\"" COLOR_PROBLEM
                                    "\", fontcolor=\"" COLOR_PROBLEM
                                    "\", label=\"set aside: %s\"",
                                    subnet_state_reason(ns->skipped[j].state));
            if (topology_find_subnet(topology, ns->skipped[j].subnet)) {
                put_edge(out, "subnet", ns->skipped[j].subnet, "ns", ns->name,
                         attrs);
            }
            free(attrs);
        }
    }
}

static void
put_stale(const struct topology *topology, struct ds *out)
{
    const struct topology_stale_owner *owners;
    size_t n;

    owners = topology_stale_owners(topology, &n);
    for (size_t i = 0; i < n; i++) {
        struct ds label = DS_EMPTY_INITIALIZER;
        char *id = xasprintf("%s/%s", owners[i].kind, owners[i].name);

        ds_put_format(&label, "stale OVN rows of %s ", owners[i].kind);
        put_escaped(&label, owners[i].name);
        for (size_t j = 0; j < owners[i].n_rows; j++) {
            ds_put_cstr(&label, "\\n");
            put_escaped(&label, owners[i].rows[j].table);
            ds_put_char(&label, ' ');
            put_escaped(&label, owners[i].rows[j].name);
        }
        put_node(out, "stale", id, ds_cstr(&label), &owners[i].problems,
                 "shape=note");
        ds_destroy(&label);
        free(id);
    }
}

/* Courier: Graphviz sizes boxes by its own metrics of the font named (no
 * fonts are installed where kovn renders), and every monospaced font a
 * viewer may draw with has Courier's advance, 0.6 em; the widths of a
 * proportional font vary by the viewer's choice and would overflow. */
#define FONT "Courier"

void
topology_to_dot(const struct topology *topology, struct ds *out)
{
    ds_put_cstr(out, "digraph kovn {\n"
                     "  graph [rankdir=LR, fontname=\"" FONT "\"];\n"
                     "  node [shape=box, style=\"rounded,filled\", "
                     "fillcolor=\"#ffffff\", fontname=\"" FONT "\"];\n"
                     "  edge [fontname=\"" FONT "\", fontsize=10];\n");
    put_vpcs(topology, out);
    put_subnets(topology, out);
    put_namespaces(topology, out);
    put_stale(topology, out);
    ds_put_cstr(out, "}\n");
}
