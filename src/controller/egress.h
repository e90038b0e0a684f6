/* Egress of the default VPC, routed as Kube-OVN routes it, on the VPC's
 * router:
 *   - priority 31000: a destination inside a subnet of the VPC (the join
 *     subnet too) is routed as usual, never sent to a gateway;
 *   - priority 30000: a node's own addresses go to that node (node.c);
 *   - priority 29000: everything else leaves through a gateway node's
 *     ovn0: a distributed subnet's pods through their own node (one
 *     address set of pod addresses per node), a centralized subnet through
 *     its active gateway, the first of its candidates that exists, is
 *     Ready and has a join address, so that a gateway that goes NotReady
 *     fails over to the next.
 * The gateway node masquerades what leaves it when the subnet has
 * natOutgoing (kovn-daemon, daemon/egress.c).  Custom VPCs get none of
 * this: they stay isolated from the nodes and the outside. */
#ifndef KOVN_CONTROLLER_EGRESS_H
#define KOVN_CONTROLLER_EGRESS_H 1

#include <stdbool.h>

#include "ovn/nb.h"
#include "ovn/router.h"
#include "svec.h"

struct controller;
struct kovn_error;
struct ovsdb_idl_txn;
struct pod_alloc;
struct subnet;

#define EGRESS_IN_CLUSTER_PRIORITY 31000
#define EGRESS_GATEWAY_PRIORITY    29000

/* Whether 'subnet' routes through a gateway node at all: a subnet of the
 * default VPC other than the join subnet. */
bool egress_subnet_has_gateway(const struct controller *ctl,
                               const struct subnet *subnet);

/* The node a centralized subnet egresses through now, or NULL when none of
 * its candidates can serve; '*why' (malloc'd, "" if nothing to say) names
 * the candidates passed over and the reason for each.  The caller frees
 * both. */
char *egress_active_gateway(const struct controller *ctl,
                            const struct subnet *subnet, char **why);

/* Makes the subnet's policies on its VPC's router what its spec and the
 * nodes say, or removes them ('delete'). */
int egress_write_subnet(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const struct controller *ctl, const char *subnet_name,
                        const char *vpc, bool delete, struct kovn_error *err);

/* Policies being gathered for one owner, with the storage of their
 * matches. */
struct egress_policies {
    struct ovn_policy_spec *specs;
    size_t n, allocated;
    struct svec matches;
};

void egress_policies_init(struct egress_policies *);
void egress_policies_destroy(struct egress_policies *);
/* Adds a policy; 'match' is taken over. */
void egress_policies_add(struct egress_policies *, int64_t priority,
                         char *match, const char *action,
                         const struct net_addr *nexthop);

/* Makes node 'name''s address sets hold its pods of distributed subnets
 * and adds to 'policies' those sending their egress to 'join' (the node's
 * join addresses); with 'join' NULL, removes the address sets. */
int egress_write_node(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const struct controller *ctl, const char *name,
                      const struct pod_alloc *join,
                      struct egress_policies *policies,
                      struct kovn_error *err);

#endif /* KOVN_CONTROLLER_EGRESS_H */
