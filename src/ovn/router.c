/* Logical_Router, router ports, static routes and policies; see router.h. */
#include <config.h>

#include "ovn/router.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "net/ovn_name.h"
#include "openvswitch/dynamic-string.h"
#include "ovn/switch.h"
#include "smap.h"
#include "util.h"

/* OVN's logical flow priorities for policies are 0..32767. */
#define POLICY_PRIORITY_MAX 32767

const struct nbrec_logical_router *
ovn_router_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_logical_router *key =
        nbrec_logical_router_index_init_row(nb->router_by_name);
    const struct nbrec_logical_router *row;

    nbrec_logical_router_index_set_name(key, name);
    row = nbrec_logical_router_index_find(nb->router_by_name, key);
    nbrec_logical_router_index_destroy_row(key);
    return row;
}

const struct nbrec_logical_router_port *
ovn_router_port_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_logical_router_port *key =
        nbrec_logical_router_port_index_init_row(nb->router_port_by_name);
    const struct nbrec_logical_router_port *row;

    nbrec_logical_router_port_index_set_name(key, name);
    row = nbrec_logical_router_port_index_find(nb->router_port_by_name, key);
    nbrec_logical_router_port_index_destroy_row(key);
    return row;
}

static void
ensure_owner(const struct smap *current, const struct ovn_owner *owner,
             void (*set)(const void *row, const struct smap *),
             const void *row)
{
    if (!ovn_owner_matches(current, owner)) {
        struct smap ids;

        ovn_owner_ids(&ids, current, owner);
        set(row, &ids);
        smap_destroy(&ids);
    }
}

static void
set_router_ids(const void *row, const struct smap *ids)
{
    nbrec_logical_router_set_external_ids(row, ids);
}

static void
set_router_port_ids(const void *row, const struct smap *ids)
{
    nbrec_logical_router_port_set_external_ids(row, ids);
}

static void
set_route_ids(const void *row, const struct smap *ids)
{
    nbrec_logical_router_static_route_set_external_ids(row, ids);
}

static void
set_policy_ids(const void *row, const struct smap *ids)
{
    nbrec_logical_router_policy_set_external_ids(row, ids);
}

static const struct nbrec_logical_router *
find_our_router(struct ovn_nb *nb, const char *name, const char *what,
                struct kovn_error *err)
{
    const struct nbrec_logical_router *lr = ovn_router_find(nb, name);

    if (!lr) {
        kovn_error_set(err, -ENOENT,
                       "%s: Logical_Router \"%s\" does not "
                       "exist",
                       what, name);
    } else if (!ovn_owner_is_ours(&lr->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "%s: Logical_Router \"%s\" is not managed by kovn",
                       what, name);
        lr = NULL;
    }
    return lr;
}

const struct nbrec_logical_router *
ovn_router_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *name, const struct ovn_owner *owner,
                  struct kovn_error *err)
{
    const struct nbrec_logical_router *lr;

    if (ovn_name_check("Logical_Router", name, err)) {
        return NULL;
    }
    lr = ovn_router_find(nb, name);
    if (lr && !ovn_owner_is_ours(&lr->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "Logical_Router \"%s\" exists and is not managed by "
                       "kovn (no external_ids:vendor=kovn)",
                       name);
        return NULL;
    }
    if (!lr) {
        struct nbrec_logical_router *new = nbrec_logical_router_insert(txn);

        nbrec_logical_router_set_name(new, name);
        lr = new;
    }
    ensure_owner(&lr->external_ids, owner, set_router_ids, lr);
    return lr;
}

int
ovn_router_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *name, struct kovn_error *err)
{
    const struct nbrec_logical_router *lr = ovn_router_find(nb, name);

    (void)txn;
    if (!lr) {
        return 0;
    }
    if (!ovn_owner_is_ours(&lr->external_ids)) {
        return kovn_error_set(
            err, -EPERM, "Logical_Router \"%s\" is not managed by kovn", name);
    }
    nbrec_logical_router_delete(lr);
    return 0;
}

static bool
networks_equal(const struct nbrec_logical_router_port *lrp, char **networks,
               size_t n)
{
    if (lrp->n_networks != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(lrp->networks[i], networks[i])) {
            return false;
        }
    }
    return true;
}

char *
ovn_router_port_name(const char *router, const char *sw)
{
    return xasprintf("%s-%s", router, sw);
}

char *
ovn_router_peer_port_name(const char *sw, const char *router)
{
    return xasprintf("%s-%s", sw, router);
}

int
ovn_router_port_pair_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const struct ovn_router_port_pair_spec *spec,
                            const struct ovn_owner *owner,
                            struct kovn_error *err)
{
    char *lrp_name =
        ovn_router_port_name(spec->router_name, spec->switch_name);
    char *lsp_name =
        ovn_router_peer_port_name(spec->switch_name, spec->router_name);
    const struct nbrec_logical_router_port *lrp;
    const struct nbrec_logical_router *lr;
    char mac[NET_MAC_STRLEN];
    char **networks = NULL;
    struct smap options = SMAP_INITIALIZER(&options);
    int error = 0;

    error = ovn_name_check("Logical_Router_Port", lrp_name, err);
    if (error) {
        goto out;
    }
    if (!spec->mac || !spec->n_networks) {
        error = kovn_error_set(err, -EINVAL,
                               "Logical_Router_Port \"%s\": mac and networks "
                               "are required",
                               lrp_name);
        goto out;
    }
    lr = find_our_router(nb, spec->router_name, lrp_name, err);
    if (!lr) {
        error = err ? err->code : -ENOENT;
        goto out;
    }
    networks = xmalloc(spec->n_networks * sizeof *networks);
    for (size_t i = 0; i < spec->n_networks; i++) {
        networks[i] = xmalloc(NET_CIDR_STRLEN);
        net_cidr_format(&spec->networks[i], networks[i]);
    }
    net_mac_format(spec->mac, mac);

    lrp = ovn_router_port_find(nb, lrp_name);
    if (lrp && !ovn_owner_is_ours(&lrp->external_ids)) {
        error = kovn_error_set(err, -EPERM,
                               "Logical_Router_Port \"%s\" exists and is not "
                               "managed by kovn",
                               lrp_name);
        goto out;
    }
    if (!lrp) {
        struct nbrec_logical_router_port *new =
            nbrec_logical_router_port_insert(txn);

        nbrec_logical_router_port_set_name(new, lrp_name);
        nbrec_logical_router_update_ports_addvalue(lr, new);
        lrp = new;
    }
    if (strcmp(lrp->mac, mac)) {
        nbrec_logical_router_port_set_mac(lrp, mac);
    }
    if (!networks_equal(lrp, networks, spec->n_networks)) {
        nbrec_logical_router_port_set_networks(lrp, (const char **)networks,
                                               spec->n_networks);
    }
    ensure_owner(&lrp->external_ids, owner, set_router_port_ids, lrp);

    smap_add(&options, "router-port", lrp_name);
    struct ovn_switch_port_spec lsp = {
        .name = lsp_name,
        .switch_name = spec->switch_name,
        .type = "router",
        .options = &options,
    };
    if (!ovn_switch_port_ensure(nb, txn, &lsp, owner, err)) {
        error = err ? err->code : -EINVAL;
    }

out:
    if (networks) {
        for (size_t i = 0; i < spec->n_networks; i++) {
            free(networks[i]);
        }
        free(networks);
    }
    smap_destroy(&options);
    free(lrp_name);
    free(lsp_name);
    return error;
}

int
ovn_router_port_pair_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const char *router_name, const char *switch_name,
                            struct kovn_error *err)
{
    char *lrp_name = ovn_router_port_name(router_name, switch_name);
    char *lsp_name = ovn_router_peer_port_name(switch_name, router_name);
    const struct nbrec_logical_router_port *lrp;
    const struct nbrec_logical_router *lr;
    int error;

    error = ovn_switch_port_delete(nb, txn, lsp_name, err);
    lrp = ovn_router_port_find(nb, lrp_name);
    if (!error && lrp) {
        if (!ovn_owner_is_ours(&lrp->external_ids)) {
            error = kovn_error_set(err, -EPERM,
                                   "Logical_Router_Port \"%s\" is not "
                                   "managed by kovn",
                                   lrp_name);
        } else {
            NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
            {
                for (size_t i = 0; i < lr->n_ports; i++) {
                    if (lr->ports[i] == lrp) {
                        nbrec_logical_router_update_ports_delvalue(lr, lrp);
                        break;
                    }
                }
            }
        }
    }
    free(lrp_name);
    free(lsp_name);
    return error;
}

static const struct nbrec_logical_router_static_route *
find_route(const struct nbrec_logical_router *lr, const char *policy,
           const char *prefix, const char *nexthop)
{
    for (size_t i = 0; i < lr->n_static_routes; i++) {
        const struct nbrec_logical_router_static_route *route =
            lr->static_routes[i];
        const char *route_policy = route->policy ? route->policy : "dst-ip";

        if (!strcmp(route_policy, policy) &&
            !strcmp(route->ip_prefix, prefix) &&
            !strcmp(route->nexthop, nexthop)) {
            return route;
        }
    }
    return NULL;
}

static int
check_route_policy(const char *router_name, const char *policy,
                   struct kovn_error *err)
{
    if (strcmp(policy, "dst-ip") && strcmp(policy, "src-ip")) {
        return kovn_error_set(err, -EINVAL,
                              "Logical_Router_Static_Route on \"%s\": policy "
                              "\"%s\" is not dst-ip or src-ip",
                              router_name, policy);
    }
    return 0;
}

int
ovn_static_route_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const char *router_name, const char *policy,
                        const struct net_cidr *prefix,
                        const struct net_addr *nexthop,
                        const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_logical_router_static_route *route;
    const struct nbrec_logical_router *lr;
    char prefix_s[NET_CIDR_STRLEN], nexthop_s[NET_ADDR_STRLEN];
    int error;

    error = check_route_policy(router_name, policy, err);
    if (error) {
        return error;
    }
    if (prefix->addr.family != nexthop->family) {
        return kovn_error_set(err, -EINVAL,
                              "Logical_Router_Static_Route on \"%s\": "
                              "nexthop family differs from ip_prefix",
                              router_name);
    }
    lr = find_our_router(nb, router_name, "Logical_Router_Static_Route", err);
    if (!lr) {
        return err ? err->code : -ENOENT;
    }
    net_cidr_format(prefix, prefix_s);
    net_addr_format(nexthop, nexthop_s);
    route = find_route(lr, policy, prefix_s, nexthop_s);
    if (!route) {
        struct nbrec_logical_router_static_route *new =
            nbrec_logical_router_static_route_insert(txn);

        nbrec_logical_router_static_route_set_ip_prefix(new, prefix_s);
        nbrec_logical_router_static_route_set_nexthop(new, nexthop_s);
        nbrec_logical_router_static_route_set_policy(new, policy);
        nbrec_logical_router_update_static_routes_addvalue(lr, new);
        route = new;
    }
    ensure_owner(&route->external_ids, owner, set_route_ids, route);
    return 0;
}

int
ovn_static_route_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const char *router_name, const char *policy,
                        const struct net_cidr *prefix,
                        const struct net_addr *nexthop)
{
    const struct nbrec_logical_router *lr = ovn_router_find(nb, router_name);
    char prefix_s[NET_CIDR_STRLEN], nexthop_s[NET_ADDR_STRLEN];
    const struct nbrec_logical_router_static_route *route;

    (void)txn;
    if (!lr) {
        return 0;
    }
    net_cidr_format(prefix, prefix_s);
    net_addr_format(nexthop, nexthop_s);
    route = find_route(lr, policy, prefix_s, nexthop_s);
    if (route && ovn_owner_is_ours(&route->external_ids)) {
        nbrec_logical_router_update_static_routes_delvalue(lr, route);
    }
    return 0;
}

static const struct nbrec_logical_router_policy *
find_policy(const struct nbrec_logical_router *lr, int64_t priority,
            const char *match)
{
    for (size_t i = 0; i < lr->n_policies; i++) {
        if (lr->policies[i]->priority == priority &&
            !strcmp(lr->policies[i]->match, match)) {
            return lr->policies[i];
        }
    }
    return NULL;
}

int
ovn_policy_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *router_name, int64_t priority, const char *match,
                  const char *action, const struct net_addr *nexthop,
                  const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_logical_router_policy *policy;
    const struct nbrec_logical_router *lr;
    char nexthop_s[NET_ADDR_STRLEN];
    const char *nexthops[1] = {nexthop_s};
    size_t n_nexthops = 0;
    bool reroute = !strcmp(action, "reroute");

    if (priority < 0 || priority > POLICY_PRIORITY_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "Logical_Router_Policy on \"%s\": priority "
                              "%lld not in 0..%d",
                              router_name, (long long)priority,
                              POLICY_PRIORITY_MAX);
    }
    if (!reroute && strcmp(action, "allow") && strcmp(action, "drop")) {
        return kovn_error_set(err, -EINVAL,
                              "Logical_Router_Policy on \"%s\": action "
                              "\"%s\" is not allow, drop or reroute",
                              router_name, action);
    }
    if (!*match) {
        return kovn_error_set(err, -EINVAL,
                              "Logical_Router_Policy on \"%s\": empty match",
                              router_name);
    }
    if (reroute) {
        if (!nexthop) {
            return kovn_error_set(err, -EINVAL,
                                  "Logical_Router_Policy on \"%s\": reroute "
                                  "needs a nexthop",
                                  router_name);
        }
        net_addr_format(nexthop, nexthop_s);
        n_nexthops = 1;
    }
    lr = find_our_router(nb, router_name, "Logical_Router_Policy", err);
    if (!lr) {
        return err ? err->code : -ENOENT;
    }
    policy = find_policy(lr, priority, match);
    if (!policy) {
        struct nbrec_logical_router_policy *new =
            nbrec_logical_router_policy_insert(txn);

        nbrec_logical_router_policy_set_priority(new, priority);
        nbrec_logical_router_policy_set_match(new, match);
        nbrec_logical_router_update_policies_addvalue(lr, new);
        policy = new;
    }
    if (strcmp(policy->action, action)) {
        nbrec_logical_router_policy_set_action(policy, action);
    }
    if (policy->n_nexthops != n_nexthops ||
        (n_nexthops && strcmp(policy->nexthops[0], nexthop_s))) {
        nbrec_logical_router_policy_set_nexthops(policy, nexthops, n_nexthops);
    }
    ensure_owner(&policy->external_ids, owner, set_policy_ids, policy);
    return 0;
}

static bool
policy_wanted(const struct nbrec_logical_router_policy *policy,
              const struct ovn_policy_spec *specs, size_t n_specs)
{
    for (size_t i = 0; i < n_specs; i++) {
        if (policy->priority == specs[i].priority &&
            !strcmp(policy->match, specs[i].match)) {
            return true;
        }
    }
    return false;
}

int
ovn_policies_set(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                 const char *router_name, const struct ovn_policy_spec *specs,
                 size_t n_specs, const struct ovn_owner *owner,
                 struct kovn_error *err)
{
    const struct nbrec_logical_router *lr;

    for (size_t i = 0; i < n_specs; i++) {
        const struct ovn_policy_spec *p = &specs[i];
        int error =
            ovn_policy_ensure(nb, txn, router_name, p->priority, p->match,
                              p->action, p->nexthop, owner, err);
        if (error) {
            return error;
        }
    }
    lr = ovn_router_find(nb, router_name);
    for (size_t i = 0; lr && i < lr->n_policies; i++) {
        const struct nbrec_logical_router_policy *policy = lr->policies[i];

        if (ovn_owner_matches(&policy->external_ids, owner) &&
            !policy_wanted(policy, specs, n_specs)) {
            nbrec_logical_router_update_policies_delvalue(lr, policy);
            nbrec_logical_router_policy_delete(policy);
        }
    }
    return 0;
}

int
ovn_policy_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *router_name, int64_t priority, const char *match)
{
    const struct nbrec_logical_router *lr = ovn_router_find(nb, router_name);
    const struct nbrec_logical_router_policy *policy;

    (void)txn;
    if (!lr) {
        return 0;
    }
    policy = find_policy(lr, priority, match);
    if (policy && ovn_owner_is_ours(&policy->external_ids)) {
        nbrec_logical_router_update_policies_delvalue(lr, policy);
    }
    return 0;
}
