/* What an ovn-trace means in kovn's terms; see trace_explain.h. */
#include <config.h>

#include "cli/trace_explain.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovn/owner.h"
#include "ovn/trace.h"
#include "util.h"

#define GROW(ARRAY, N, ALLOCATED)                                        \
    (((N) == (ALLOCATED)                                                 \
          ? (ARRAY) = x2nrealloc((ARRAY), &(ALLOCATED), sizeof *(ARRAY)) \
          : NULL),                                                       \
     &(ARRAY)[(N)++])

static struct trace_owner
owner_copy(const char *kind, const char *name)
{
    return (struct trace_owner){
        .kind = xstrdup(kind ? kind : ""),
        .name = xstrdup(name ? name : ""),
    };
}

static void
owner_destroy(struct trace_owner *owner)
{
    free(owner->kind);
    free(owner->name);
}

static bool
owner_is(const struct trace_owner *owner, const char *kind)
{
    return !strcmp(owner->kind, kind);
}

void
trace_facts_init(struct trace_facts *facts)
{
    memset(facts, 0, sizeof *facts);
}

void
trace_facts_destroy(struct trace_facts *f)
{
    for (size_t i = 0; i < f->n_acls; i++) {
        free(f->acls[i].parent);
        free(f->acls[i].direction);
        free(f->acls[i].match);
        free(f->acls[i].action);
        owner_destroy(&f->acls[i].owner);
    }
    for (size_t i = 0; i < f->n_lbs; i++) {
        free(f->lbs[i].name);
        free(f->lbs[i].vip);
        free(f->lbs[i].backends);
    }
    for (size_t i = 0; i < f->n_routes; i++) {
        free(f->routes[i].router);
        free(f->routes[i].prefix);
        free(f->routes[i].nexthop);
        owner_destroy(&f->routes[i].owner);
    }
    for (size_t i = 0; i < f->n_policies; i++) {
        free(f->policies[i].router);
        free(f->policies[i].match);
        free(f->policies[i].action);
        owner_destroy(&f->policies[i].owner);
    }
    for (size_t i = 0; i < f->n_ports; i++) {
        free(f->ports[i].name);
        free(f->ports[i].datapath);
        owner_destroy(&f->ports[i].owner);
    }
    for (size_t i = 0; i < f->n_datapaths; i++) {
        free(f->datapaths[i].name);
        owner_destroy(&f->datapaths[i].owner);
    }
    for (size_t i = 0; i < f->n_subnets; i++) {
        free(f->subnets[i].name);
        free(f->subnets[i].vpc);
    }
    free(f->acls);
    free(f->lbs);
    free(f->routes);
    free(f->policies);
    free(f->ports);
    free(f->datapaths);
    free(f->subnets);
    free(f->dst);
    free(f->service);
    free(f->service_vip);
    memset(f, 0, sizeof *f);
}

void
trace_facts_add_acl(struct trace_facts *f, const char *parent,
                    const char *direction, int64_t priority, const char *match,
                    const char *action, const char *owner_kind,
                    const char *owner_name)
{
    struct trace_acl *acl = GROW(f->acls, f->n_acls, f->allocated_acls);

    acl->parent = xstrdup(parent);
    acl->direction = xstrdup(direction);
    acl->priority = priority;
    acl->match = xstrdup(match);
    acl->action = xstrdup(action);
    acl->owner = owner_copy(owner_kind, owner_name);
}

void
trace_facts_add_lb(struct trace_facts *f, const char *name, const char *vip,
                   const char *backends)
{
    struct trace_lb *lb = GROW(f->lbs, f->n_lbs, f->allocated_lbs);

    lb->name = xstrdup(name);
    lb->vip = xstrdup(vip);
    lb->backends = xstrdup(backends);
}

void
trace_facts_add_route(struct trace_facts *f, const char *router,
                      const char *prefix, const char *nexthop,
                      const char *owner_kind, const char *owner_name)
{
    struct trace_route *r = GROW(f->routes, f->n_routes, f->allocated_routes);

    r->router = xstrdup(router);
    r->prefix = xstrdup(prefix);
    r->nexthop = xstrdup(nexthop);
    r->owner = owner_copy(owner_kind, owner_name);
}

void
trace_facts_add_policy(struct trace_facts *f, const char *router,
                       int64_t priority, const char *match, const char *action,
                       const char *owner_kind, const char *owner_name)
{
    struct trace_policy *p =
        GROW(f->policies, f->n_policies, f->allocated_policies);

    p->router = xstrdup(router);
    p->priority = priority;
    p->match = xstrdup(match);
    p->action = xstrdup(action);
    p->owner = owner_copy(owner_kind, owner_name);
}

void
trace_facts_add_port(struct trace_facts *f, const char *name,
                     const char *datapath, const char *owner_kind,
                     const char *owner_name)
{
    struct trace_port *p = GROW(f->ports, f->n_ports, f->allocated_ports);

    p->name = xstrdup(name);
    p->datapath = xstrdup(datapath);
    p->owner = owner_copy(owner_kind, owner_name);
}

void
trace_facts_add_datapath(struct trace_facts *f, const char *name, bool router,
                         const char *owner_kind, const char *owner_name)
{
    struct trace_datapath *d =
        GROW(f->datapaths, f->n_datapaths, f->allocated_datapaths);

    d->name = xstrdup(name);
    d->router = router;
    d->owner = owner_copy(owner_kind, owner_name);
}

void
trace_facts_add_subnet(struct trace_facts *f, const char *name,
                       const char *vpc, const struct net_cidr *cidrs,
                       size_t n_cidrs)
{
    struct trace_subnet *s =
        GROW(f->subnets, f->n_subnets, f->allocated_subnets);

    s->name = xstrdup(name);
    s->vpc = xstrdup(vpc);
    s->n_cidrs = MIN(n_cidrs, ARRAY_SIZE(s->cidrs));
    memcpy(s->cidrs, cidrs, s->n_cidrs * sizeof *cidrs);
}

void
trace_facts_set_destination(struct trace_facts *f, const char *dst,
                            const char *service, const char *service_vip)
{
    free(f->dst);
    free(f->service);
    free(f->service_vip);
    f->dst = dst ? xstrdup(dst) : NULL;
    f->service = service ? xstrdup(service) : NULL;
    f->service_vip = service_vip ? xstrdup(service_vip) : NULL;
}

/* Lookups. */

static const struct trace_datapath *
find_datapath(const struct trace_facts *f, const char *name)
{
    for (size_t i = 0; i < f->n_datapaths; i++) {
        if (!strcmp(f->datapaths[i].name, name)) {
            return &f->datapaths[i];
        }
    }
    return NULL;
}

static const struct trace_port *
find_port(const struct trace_facts *f, const char *name)
{
    for (size_t i = 0; i < f->n_ports; i++) {
        if (!strcmp(f->ports[i].name, name)) {
            return &f->ports[i];
        }
    }
    return NULL;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The ACL northd turned into a flow of 'stage' with 'priority' and
 * 'match' on datapath 'dp': northd writes "... && (ACL MATCH)" or the
 * bare match.  An ACL of the datapath's own switch wins over a port
 * group's (whose match names the group anyway). */
static const struct trace_acl *
find_acl(const struct trace_facts *f, const char *dp, const char *direction,
         int64_t priority, const char *match)
{
    const struct trace_acl *found = NULL;

    for (size_t i = 0; i < f->n_acls; i++) {
        const struct trace_acl *acl = &f->acls[i];
        char *wrapped;
        bool same;

        if (acl->priority + TRACE_ACL_PRIORITY_OFFSET != priority ||
            strcmp(acl->direction, direction)) {
            continue;
        }
        wrapped = xasprintf("(%s)", acl->match);
        same = ends_with(match, wrapped) || !strcmp(match, acl->match);
        free(wrapped);
        if (same) {
            if (!strcmp(acl->parent, dp)) {
                return acl;
            }
            found = found ? found : acl;
        }
    }
    return found;
}

static const struct trace_lb *
find_lb(const struct trace_facts *f, const char *vip)
{
    for (size_t i = 0; i < f->n_lbs; i++) {
        if (!strcmp(f->lbs[i].vip, vip)) {
            return &f->lbs[i];
        }
    }
    return NULL;
}

static const struct trace_route *
find_route(const struct trace_facts *f, const char *router, const char *prefix,
           const char *nexthop)
{
    for (size_t i = 0; i < f->n_routes; i++) {
        const struct trace_route *r = &f->routes[i];
        if (!strcmp(r->router, router) && !strcmp(r->prefix, prefix) &&
            !strcmp(r->nexthop, nexthop)) {
            return r;
        }
    }
    return NULL;
}

static const struct trace_policy *
find_policy(const struct trace_facts *f, const char *router, int64_t priority,
            const char *match)
{
    for (size_t i = 0; i < f->n_policies; i++) {
        const struct trace_policy *p = &f->policies[i];
        if (!strcmp(p->router, router) && p->priority == priority &&
            !strcmp(p->match, match)) {
            return p;
        }
    }
    return NULL;
}

static const struct trace_subnet *
subnet_of_address(const struct trace_facts *f, const char *address)
{
    struct net_addr addr;

    if (!address || net_addr_parse(address, &addr, NULL)) {
        return NULL;
    }
    for (size_t i = 0; i < f->n_subnets; i++) {
        for (size_t j = 0; j < f->subnets[i].n_cidrs; j++) {
            if (net_cidr_contains(&f->subnets[i].cidrs[j], &addr)) {
                return &f->subnets[i];
            }
        }
    }
    return NULL;
}

/* Descriptions. */

/* "Subnet s1", "Vpc v1", or the OVN row when kovn does not own it. */
static char *
datapath_name(const struct trace_facts *f, const char *dp)
{
    const struct trace_datapath *d = find_datapath(f, dp);

    if (d && owner_is(&d->owner, OVN_OWNER_SUBNET)) {
        return xasprintf("Subnet %s", d->owner.name);
    } else if (d && owner_is(&d->owner, OVN_OWNER_VPC)) {
        return xasprintf("Vpc %s", d->owner.name);
    }
    return xasprintf("%s %s",
                     d && d->router ? "Logical_Router" : "Logical_Switch", dp);
}

/* "NetworkPolicy demo/deny (ACL priority 2000, to-lport)" */
static char *
acl_name(const struct trace_acl *acl)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (owner_is(&acl->owner, OVN_OWNER_NETPOL)) {
        ds_put_format(&s, "NetworkPolicy %s", acl->owner.name);
    } else if (owner_is(&acl->owner, OVN_OWNER_SUBNET)) {
        /* kovn's only switch ACLs are a private subnet's. */
        ds_put_format(&s, "Subnet %s private", acl->owner.name);
    } else if (owner_is(&acl->owner, OVN_OWNER_VPC)) {
        ds_put_format(&s, "Vpc %s", acl->owner.name);
    } else if (*acl->owner.kind) {
        ds_put_format(&s, "%s %s", acl->owner.kind, acl->owner.name);
    } else {
        ds_put_format(&s, "an ACL kovn does not own on %s (%s)", acl->parent,
                      acl->match);
    }
    ds_put_format(&s, " (ACL priority %" PRId64 ", %s)", acl->priority,
                  acl->direction);
    return ds_steal_cstr(&s);
}

/* Who wrote a route or policy row, for "(...)". */
static char *
row_owner_text(const struct trace_owner *owner, const char *vpc_field)
{
    if (owner_is(owner, OVN_OWNER_VPC)) {
        return xasprintf("Vpc %s %s", owner->name, vpc_field);
    } else if (owner_is(owner, OVN_OWNER_SUBNET)) {
        return xasprintf("for Subnet %s", owner->name);
    } else if (owner_is(owner, OVN_OWNER_NODE)) {
        return xasprintf("for Node %s", owner->name);
    } else if (*owner->kind) {
        return xasprintf("%s %s", owner->kind, owner->name);
    }
    return xstrdup("not kovn's");
}

/* Where a pod's or other port leads: "demo/b (Logical_Switch_Port b.demo
 * on subnet s1)". */
static char *
port_text(const struct trace_facts *f, const char *name)
{
    const struct trace_port *p = find_port(f, name);
    const struct trace_datapath *d = p ? find_datapath(f, p->datapath) : NULL;
    const char *subnet =
        d && owner_is(&d->owner, OVN_OWNER_SUBNET) ? d->owner.name : NULL;

    if (p && owner_is(&p->owner, OVN_OWNER_POD)) {
        return xasprintf("%s (Logical_Switch_Port %s on subnet %s)",
                         p->owner.name, name, subnet ? subnet : p->datapath);
    }
    if (p) {
        return xasprintf("Logical_Switch_Port %s on %s %s", name,
                         subnet ? "subnet" : "switch",
                         subnet ? subnet : p->datapath);
    }
    return xasprintf("port %s", name);
}

/* The value of action "KEY = VALUE;" in 'step', or NULL. */
static char *
action_value(const struct ovn_trace_step *step, const char *key)
{
    size_t n = strlen(key);

    for (size_t i = 0; i < step->actions.n; i++) {
        const char *a = step->actions.names[i];
        if (!strncmp(a, key, n) && !strncmp(a + n, " = ", 3)) {
            const char *v = a + n + 3;
            size_t len = strcspn(v, ";");
            char *value = xmemdup0(v, len);
            size_t vlen = strlen(value);

            /* outport = "name" */
            if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
                memmove(value, value + 1, vlen - 2);
                value[vlen - 2] = '\0';
            }
            return value;
        }
    }
    return NULL;
}

/* The operand of "FIELD == VALUE" in a flow's match, or NULL. */
static char *
match_value(const char *match, const char *field)
{
    size_t n = strlen(field);

    for (const char *p = match; (p = strstr(p, field)); p++) {
        if ((p == match || strchr(" (!", p[-1])) &&
            !strncmp(p + n, " == ", 4)) {
            const char *v = p + n + 4;
            return xmemdup0(v, strcspn(v, " )"));
        }
    }
    return NULL;
}

/* "backends=..." of a ct_lb action, or NULL. */
static char *
lb_backends(const struct ovn_trace_step *step)
{
    for (size_t i = 0; i < step->actions.n; i++) {
        const char *a = step->actions.names[i];
        const char *b = strstr(a, "(backends=");
        if (b && (!strncmp(a, "ct_lb", 5))) {
            b += strlen("(backends=");
            return xmemdup0(b, strcspn(b, ");"));
        }
    }
    return NULL;
}

static bool
has_action(const struct ovn_trace_step *step, const char *prefix)
{
    for (size_t i = 0; i < step->actions.n; i++) {
        if (!strncmp(step->actions.names[i], prefix, strlen(prefix))) {
            return true;
        }
    }
    return false;
}

static bool
is_acl_stage(const char *stage, const char **direction)
{
    static const char *const in[] = {"ls_in_acl", "ls_in_acl_eval",
                                     "ls_in_acl_after_lb",
                                     "ls_in_acl_after_lb_eval"};
    static const char *const out[] = {"ls_out_acl", "ls_out_acl_eval"};

    for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
        if (!strcmp(stage, in[i])) {
            *direction = "from-lport";
            return true;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(out); i++) {
        if (!strcmp(stage, out[i])) {
            *direction = "to-lport";
            return true;
        }
    }
    return false;
}

/* The walk over the steps. */
struct walk {
    const struct trace_facts *f;
    struct trace_explanation *out;
    char *drop; /* Why the first drop happened. */
    struct svec delivered;
    struct svec left;    /* Where it left OVN. */
    char *service;       /* "through Service ..." once a VIP was hit. */
    bool arp;            /* The rest is an ARP request, not the packet. */
    const char *last_dp; /* Datapath of the last ingress step. */
    const char *prev_dp; /* Datapath of the step before this one. */
};

static void
say(struct walk *w, const char *dp, char *what)
{
    char *where = datapath_name(w->f, dp);
    svec_add_nocopy(&w->out->steps, xasprintf("%s: %s", where, what));
    free(where);
    free(what);
}

static void
set_drop(struct walk *w, char *why)
{
    if (!w->drop) {
        w->drop = why;
    } else {
        free(why);
    }
}

static void
explain_acl(struct walk *w, const struct ovn_trace_step *s,
            const char *direction, bool drops)
{
    const struct trace_acl *acl;
    char *name;

    if (s->priority < TRACE_ACL_PRIORITY_OFFSET) {
        /* northd's own (no ACL, established traffic): nothing to say. */
        if (drops) {
            set_drop(w,
                     xasprintf("dropped at %s on %s (%s, priority "
                               "%" PRId64 ")",
                               s->stage, s->datapath, s->match, s->priority));
        }
        return;
    }
    acl = find_acl(w->f, s->datapath, direction, s->priority, s->match);
    name = acl ? acl_name(acl)
               : xasprintf("an ACL not in OVN NB any more (%s, priority "
                           "%" PRId64 ", %s)",
                           s->match, s->priority - TRACE_ACL_PRIORITY_OFFSET,
                           direction);
    say(w, s->datapath,
        xasprintf("%s by %s", drops ? "dropped" : "allowed", name));
    if (drops) {
        set_drop(w, xasprintf("dropped by %s", name));
    }
    free(name);
}

static void
explain_lb(struct walk *w, const struct ovn_trace_step *s, char *backends)
{
    char *ip = match_value(s->match, "ip4.dst");
    char *ip6 = ip ? NULL : match_value(s->match, "ip6.dst");
    char *port = NULL, *vip;
    const struct trace_lb *lb;
    const char *protos[] = {"tcp.dst", "udp.dst", "sctp.dst"};

    for (size_t i = 0; i < ARRAY_SIZE(protos) && !port; i++) {
        port = match_value(s->match, protos[i]);
    }
    vip = ip    ? xasprintf("%s%s%s", ip, port ? ":" : "", port ? port : "")
          : ip6 ? xasprintf("[%s]%s%s", ip6, port ? ":" : "", port ? port : "")
                : xstrdup("?");
    lb = find_lb(w->f, vip);
    if (w->f->service_vip && !strcmp(vip, w->f->service_vip)) {
        free(w->service);
        w->service = xasprintf("Service %s (load balancer %s, VIP %s)",
                               w->f->service, lb ? lb->name : "?", vip);
        say(w, s->datapath,
            xasprintf("Service %s: load balancer %s, VIP %s -> backends %s",
                      w->f->service, lb ? lb->name : "?", vip, backends));
    } else {
        say(w, s->datapath,
            xasprintf("load balancer %s, VIP %s -> backends %s",
                      lb ? lb->name : "?", vip, backends));
    }
    free(vip);
    free(port);
    free(ip);
    free(ip6);
}

/* lr_in_ip_routing: the route taken, or none. */
static void
explain_route(struct walk *w, const struct ovn_trace_step *s, bool drops)
{
    const struct trace_datapath *d = find_datapath(w->f, s->datapath);
    const char *vpc =
        d && owner_is(&d->owner, OVN_OWNER_VPC) ? d->owner.name : s->datapath;
    char *nexthop, *outport, *prefix;
    bool v6;

    if (drops) {
        const char *dst = w->f->dst ? w->f->dst : "the destination";
        const struct trace_subnet *to = subnet_of_address(w->f, w->f->dst);

        if (to && strcmp(to->vpc, vpc)) {
            set_drop(w, xasprintf("dropped by VPC isolation: Vpc %s has no "
                                  "route to %s (Subnet %s of Vpc %s)",
                                  vpc, dst, to->name, to->vpc));
        } else {
            set_drop(w,
                     xasprintf("dropped by Vpc %s: no route to %s", vpc, dst));
        }
        say(w, s->datapath, xasprintf("no route to %s", dst));
        return;
    }
    nexthop = action_value(s, "reg0");
    v6 = !nexthop;
    if (!nexthop) {
        nexthop = action_value(s, "xxreg0");
    }
    outport = action_value(s, "outport");
    prefix = match_value(s->match, v6 ? "ip6.dst" : "ip4.dst");
    if (!prefix) {
        prefix = match_value(s->match, v6 ? "ip6.src" : "ip4.src");
    }
    if (nexthop &&
        (!strcmp(nexthop, "ip4.dst") || !strcmp(nexthop, "ip6.dst"))) {
        const struct trace_port *p = outport ? find_port(w->f, outport) : NULL;
        say(w, s->datapath,
            p && owner_is(&p->owner, OVN_OWNER_SUBNET)
                ? xasprintf("route %s to Subnet %s (directly connected)",
                            prefix ? prefix : "?", p->owner.name)
                : xasprintf("route %s out of %s (directly connected)",
                            prefix ? prefix : "?", outport ? outport : "?"));
    } else if (nexthop) {
        const struct trace_route *r =
            prefix ? find_route(w->f, s->datapath, prefix, nexthop) : NULL;
        char *by = r ? row_owner_text(&r->owner, "spec.staticRoutes")
                     : xstrdup("no such Logical_Router_Static_Route in NB");
        say(w, s->datapath,
            xasprintf("static route %s via %s (%s)", prefix ? prefix : "?",
                      nexthop, by));
        free(by);
    }
    free(nexthop);
    free(outport);
    free(prefix);
}

static void
explain_policy(struct walk *w, const struct ovn_trace_step *s, bool drops)
{
    const struct trace_policy *p;
    char *by, *what;

    if (!s->priority) {
        return; /* northd's default: no policy matched. */
    }
    p = find_policy(w->f, s->datapath, s->priority, s->match);
    by = p ? row_owner_text(&p->owner, "spec.policyRoutes")
           : xstrdup("no such Logical_Router_Policy in NB");
    what = xasprintf("policy route priority %" PRId64 " \"%s\" %s (%s)",
                     s->priority, s->match,
                     p ? p->action : (drops ? "drop" : "?"), by);
    if (drops) {
        set_drop(w, xasprintf("dropped by %s", what));
    }
    say(w, s->datapath, what);
    free(by);
}

static void
explain_outputs(struct walk *w, const struct ovn_trace_step *s)
{
    for (size_t i = 0; i < s->actions.n; i++) {
        char *port, *type;

        if (!ovn_trace_output_line(s->actions.names[i], &port, &type)) {
            continue;
        }
        if (w->arp) {
            /* The flood of an ARP request, not the packet. */
        } else if (!*type) {
            svec_add_nocopy(&w->delivered, port_text(w->f, port));
            svec_add(&w->out->delivered_ports, port);
        } else if (strcmp(type, "patch") && strcmp(type, "router")) {
            svec_add_nocopy(&w->left,
                            xasprintf("port %s (type %s)", port, type));
        }
        free(port);
        free(type);
    }
}

static void
explain_step(struct walk *w, const struct ovn_trace_step *s)
{
    bool drops = ovn_trace_step_drops(s);
    const char *direction;
    char *backends;

    if (!s->egress && s->table == 0 &&
        (!w->last_dp || strcmp(w->last_dp, s->datapath))) {
        const struct trace_port *p = find_port(w->f, s->inport);
        char *from;

        if (p && owner_is(&p->owner, OVN_OWNER_POD)) {
            from = port_text(w->f, s->inport);
        } else if (w->prev_dp && strcmp(w->prev_dp, s->datapath)) {
            /* Over a patch port: name where it came from. */
            char *prev = datapath_name(w->f, w->prev_dp);
            from = xasprintf("%s (port %s)", prev, s->inport);
            free(prev);
        } else {
            from = xasprintf("port %s", s->inport);
        }
        say(w, s->datapath, xasprintf("in from %s", from));
        free(from);
        w->last_dp = s->datapath;
    }
    for (size_t i = 0; i < s->actions.n; i++) {
        const char *a = s->actions.names[i];

        if (!strncmp(a, "***", 3)) {
            /* "*** no load balancing destination (use --lb-dst)" */
            a += strspn(a, "* ");
            say(w, s->datapath, xasprintf("ovn-trace: %s", a));
        }
    }
    if (is_acl_stage(s->stage, &direction)) {
        explain_acl(w, s, direction, drops);
    } else if ((backends = lb_backends(s))) {
        explain_lb(w, s, backends);
        free(backends);
    } else if (!strcmp(s->stage, "lr_in_ip_routing")) {
        explain_route(w, s, drops);
    } else if (!strcmp(s->stage, "lr_in_policy")) {
        explain_policy(w, s, drops);
    } else if (!strcmp(s->stage, "lr_in_arp_request") &&
               has_action(s, "arp {")) {
        say(w, s->datapath,
            xstrdup("the next hop has no MAC binding yet: OVN sends an ARP "
                    "request instead of the packet"));
        if (!w->arp) {
            svec_add(&w->left, "an ARP request for the next hop (no MAC "
                               "binding yet)");
        }
        w->arp = true;
    } else if (drops) {
        set_drop(
            w, s->no_match
                   ? xasprintf("dropped at %s on %s: no logical flow "
                               "matched",
                               *s->stage ? s->stage : "a table", s->datapath)
                   : xasprintf("dropped at %s on %s (%s, priority "
                               "%" PRId64 ")",
                               s->stage, s->datapath, s->match, s->priority));
    }
    explain_outputs(w, s);
}

void
trace_explain(const struct ovn_trace *trace, const struct trace_facts *facts,
              struct trace_explanation *out)
{
    struct walk w = {.f = facts, .out = out};
    struct ds v = DS_EMPTY_INITIALIZER;

    memset(out, 0, sizeof *out);
    svec_init(&out->steps);
    svec_init(&out->delivered_ports);
    svec_init(&w.delivered);
    svec_init(&w.left);
    for (size_t i = 0; i < trace->n_steps; i++) {
        explain_step(&w, &trace->steps[i]);
        w.prev_dp = trace->steps[i].datapath;
    }

    /* A flood may deliver to some ports and drop towards others: what
     * reached a port is the verdict, the drops are in the steps. */
    if (w.delivered.n) {
        out->verdict = TRACE_DELIVERED;
        ds_put_cstr(&v, "delivered to ");
        for (size_t i = 0; i < w.delivered.n; i++) {
            ds_put_format(&v, "%s%s", i ? ", " : "", w.delivered.names[i]);
        }
        if (w.service) {
            ds_put_format(&v, " through %s", w.service);
        }
    } else if (w.drop) {
        out->verdict = TRACE_DROPPED;
        ds_put_cstr(&v, w.drop);
    } else if (w.left.n) {
        out->verdict = TRACE_LEFT;
        ds_put_cstr(&v, "leaves OVN: ");
        for (size_t i = 0; i < w.left.n; i++) {
            ds_put_format(&v, "%s%s", i ? ", " : "", w.left.names[i]);
        }
    } else {
        out->verdict = TRACE_UNKNOWN;
        ds_put_cstr(&v, "no verdict: ovn-trace shows neither a delivery nor "
                        "a drop (see -v)");
    }
    out->verdict_text = ds_steal_cstr(&v);
    free(w.drop);
    free(w.service);
    svec_destroy(&w.delivered);
    svec_destroy(&w.left);
}

void
trace_explanation_destroy(struct trace_explanation *e)
{
    svec_destroy(&e->steps);
    svec_destroy(&e->delivered_ports);
    free(e->verdict_text);
    memset(e, 0, sizeof *e);
}

char *
trace_microflow(const struct trace_packet *p)
{
    bool v6 = p->src.family == NET_V6;
    char src[NET_ADDR_STRLEN], dst[NET_ADDR_STRLEN];
    struct ds s = DS_EMPTY_INITIALIZER;

    net_addr_format(&p->src, src);
    net_addr_format(&p->dst, dst);
    ds_put_format(&s,
                  "inport == \"%s\" && eth.src == %s && eth.dst == %s && "
                  "%s.src == %s && %s.dst == %s && ip.ttl == 64",
                  p->inport, p->eth_src, p->eth_dst, v6 ? "ip6" : "ip4", src,
                  v6 ? "ip6" : "ip4", dst);
    if (!strcmp(p->protocol, "icmp")) {
        /* An echo request. */
        ds_put_format(&s, " && %s.type == %d && %s.code == 0",
                      v6 ? "icmp6" : "icmp4", v6 ? 128 : 8,
                      v6 ? "icmp6" : "icmp4");
    } else {
        ds_put_format(&s, " && %s.src == %d && %s.dst == %d", p->protocol,
                      p->src_port, p->protocol, p->dst_port);
    }
    return ds_steal_cstr(&s);
}
