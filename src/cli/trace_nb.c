/* OVN NB rows as trace facts; see trace_nb.h. */
#include <config.h>

#include "cli/trace_nb.h"

#include <string.h>

#include "cli/trace_explain.h"
#include "ovn/acl.h"
#include "ovn/nb.h"
#include "ovn/owner.h"
#include "ovn/router.h"
#include "ovn/switch.h"
#include "util.h"

static void
owner_of(const struct smap *ids, const char **kind, const char **name)
{
    struct ovn_owner owner;

    if (ovn_owner_get(ids, &owner)) {
        *kind = owner.kind;
        *name = owner.name;
    } else {
        *kind = *name = NULL;
    }
}

static void
add_acls(struct trace_facts *facts, const char *parent,
         struct nbrec_acl **acls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *kind, *name;

        owner_of(&acls[i]->external_ids, &kind, &name);
        trace_facts_add_acl(facts, parent, acls[i]->direction,
                            acls[i]->priority, acls[i]->match, acls[i]->action,
                            kind, name);
    }
}

void
cli_trace_nb_facts(struct ovn_nb *nb, struct trace_facts *facts)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_logical_router *lr;
    const struct nbrec_port_group *pg;
    const struct nbrec_load_balancer *lb;
    const char *kind, *name;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        owner_of(&ls->external_ids, &kind, &name);
        trace_facts_add_datapath(facts, ls->name, false, kind, name);
        for (size_t i = 0; i < ls->n_ports; i++) {
            owner_of(&ls->ports[i]->external_ids, &kind, &name);
            trace_facts_add_port(facts, ls->ports[i]->name, ls->name, kind,
                                 name);
        }
        add_acls(facts, ls->name, ls->acls, ls->n_acls);
    }
    NBREC_PORT_GROUP_FOR_EACH(pg, nb->idl)
    {
        add_acls(facts, pg->name, pg->acls, pg->n_acls);
    }
    NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
    {
        owner_of(&lr->external_ids, &kind, &name);
        trace_facts_add_datapath(facts, lr->name, true, kind, name);
        for (size_t i = 0; i < lr->n_ports; i++) {
            owner_of(&lr->ports[i]->external_ids, &kind, &name);
            trace_facts_add_port(facts, lr->ports[i]->name, lr->name, kind,
                                 name);
        }
        for (size_t i = 0; i < lr->n_static_routes; i++) {
            const struct nbrec_logical_router_static_route *r =
                lr->static_routes[i];
            owner_of(&r->external_ids, &kind, &name);
            trace_facts_add_route(facts, lr->name, r->ip_prefix, r->nexthop,
                                  kind, name);
        }
        for (size_t i = 0; i < lr->n_policies; i++) {
            const struct nbrec_logical_router_policy *p = lr->policies[i];
            owner_of(&p->external_ids, &kind, &name);
            trace_facts_add_policy(facts, lr->name, p->priority, p->match,
                                   p->action, kind, name);
        }
    }
    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        const struct smap_node *vip;

        SMAP_FOR_EACH(vip, &lb->vips)
        {
            trace_facts_add_lb(facts, lb->name, vip->key, vip->value);
        }
    }
}

/* Whether 'addresses' ("MAC IP...") holds 'addr'. */
static bool
addresses_hold(const char *addresses, const char *addr)
{
    char *copy = xstrdup(addresses), *save = NULL;
    bool found = false;

    /* The first token is the MAC. */
    strtok_r(copy, " ", &save);
    for (char *t; !found && (t = strtok_r(NULL, " ", &save));) {
        found = !strcmp(t, addr);
    }
    free(copy);
    return found;
}

char *
cli_trace_nb_port_mac(struct ovn_nb *nb, const char *sw,
                      const struct net_addr *addr)
{
    const struct nbrec_logical_switch *ls = ovn_switch_find(nb, sw);
    char text[NET_ADDR_STRLEN];

    if (!ls) {
        return NULL;
    }
    net_addr_format(addr, text);
    for (size_t i = 0; i < ls->n_ports; i++) {
        const struct nbrec_logical_switch_port *lsp = ls->ports[i];

        for (size_t j = 0; j < lsp->n_addresses; j++) {
            if (addresses_hold(lsp->addresses[j], text)) {
                const char *a = lsp->addresses[j];
                return xmemdup0(a, strcspn(a, " "));
            }
        }
    }
    return NULL;
}

char *
cli_trace_nb_router_port_mac(struct ovn_nb *nb, const char *name)
{
    const struct nbrec_logical_router_port *lrp =
        ovn_router_port_find(nb, name);

    return lrp ? xstrdup(lrp->mac) : NULL;
}
