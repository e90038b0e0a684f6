/* Logical routers (one per VPC), the router/switch port pair that attaches
 * a subnet to its VPC, static routes and routing policies.  Like switch.h,
 * everything works inside a caller's transaction and writes only
 * differences. */
#ifndef KOVN_OVN_ROUTER_H
#define KOVN_OVN_ROUTER_H 1

#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"
#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;

const struct nbrec_logical_router *ovn_router_find(struct ovn_nb *nb,
                                                   const char *name);
const struct nbrec_logical_router_port *ovn_router_port_find(struct ovn_nb *nb,
                                                             const char *name);

const struct nbrec_logical_router *
ovn_router_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *name, const struct ovn_owner *owner,
                  struct kovn_error *err);
/* Deletes the router with its ports, routes and policies.  0 if gone,
 * -EPERM if not kovn's. */
int ovn_router_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *name, struct kovn_error *err);

/* Attaches switch 'switch_name' to router 'router_name': router port
 * "<router>-<switch>" with 'mac' and 'networks' (gateway address/prefix, one
 * per family), and switch port "<switch>-<router>" of type "router" peering
 * with it.  Both must exist already (in the replica or in 'txn'). */
/* "<router>-<switch>", the router side, and "<switch>-<router>", the switch
 * side, of the pair joining them; the caller frees each. */
char *ovn_router_port_name(const char *router, const char *sw);
char *ovn_router_peer_port_name(const char *sw, const char *router);

struct ovn_router_port_pair_spec {
    const char *router_name;
    const char *switch_name;
    const struct net_mac *mac;
    const struct net_cidr *networks; /* NET_CIDR_INTERFACE form. */
    size_t n_networks;
};

int ovn_router_port_pair_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                                const struct ovn_router_port_pair_spec *spec,
                                const struct ovn_owner *owner,
                                struct kovn_error *err);
int ovn_router_port_pair_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                                const char *router_name,
                                const char *switch_name,
                                struct kovn_error *err);

/* Static route on 'router_name', keyed by (policy, ip_prefix, nexthop).
 * 'policy' is "dst-ip" or "src-ip". */
int ovn_static_route_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const char *router_name, const char *policy,
                            const struct net_cidr *prefix,
                            const struct net_addr *nexthop,
                            const struct ovn_owner *owner,
                            struct kovn_error *err);
int ovn_static_route_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const char *router_name, const char *policy,
                            const struct net_cidr *prefix,
                            const struct net_addr *nexthop);

/* Routing policy keyed by (priority, match).  'action' is "allow", "drop"
 * or "reroute" ('nexthop' required for reroute, ignored otherwise). */
int ovn_policy_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *router_name, int64_t priority,
                      const char *match, const char *action,
                      const struct net_addr *nexthop,
                      const struct ovn_owner *owner, struct kovn_error *err);
int ovn_policy_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *router_name, int64_t priority,
                      const char *match);

struct ovn_policy_spec {
    int64_t priority;
    const char *match;
    const char *action;
    const struct net_addr *nexthop; /* For reroute. */
};

/* Makes the policies 'owner' holds on 'router_name' exactly 'specs': each
 * is ensured as by ovn_policy_ensure(), and the owner's others go.  Rows
 * of other owners are left alone. */
int ovn_policies_set(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                     const char *router_name,
                     const struct ovn_policy_spec *specs, size_t n_specs,
                     const struct ovn_owner *owner, struct kovn_error *err);

#endif /* KOVN_OVN_ROUTER_H */
