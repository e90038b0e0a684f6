/* The node's masquerade rules for natOutgoing subnets, as one nftables
 * script: a table of kovn-daemon's own, replaced whole in one transaction
 * (nft applies a file atomically), so a rule is never half-written and
 * nothing outside that table is touched.
 *
 * A subnet's egress is masqueraded here when it is a valid subnet of the
 * default VPC with natOutgoing, other than the join subnet, and this node
 * is its gateway: every node for a distributed subnet, the node named in
 * status.activateGateway for a centralized one.  Traffic to the default
 * VPC's own CIDRs and the cluster CIDRs is never masqueraded. */
#ifndef KOVN_DAEMON_NAT_H
#define KOVN_DAEMON_NAT_H 1

#include <stddef.h>

#include "net/cidr.h"

struct subnet;

struct nat_node {
    const char *node;        /* This node's name. */
    const char *default_vpc; /* ovn-cluster */
    const char *join_subnet; /* join */
    const char *table;       /* nftables table, family ip. */
    /* Destinations never masqueraded besides the VPC's subnets. */
    const struct net_cidr *cluster_cidrs;
    size_t n_cluster_cidrs;
};

/* The nftables script for 'subnets' (IPv4; IPv6 egress is not routed to
 * the node yet), malloc'd. */
char *nat_ruleset(const struct nat_node *node,
                  const struct subnet *const *subnets, size_t n_subnets);

/* The script that removes the table, malloc'd. */
char *nat_ruleset_delete(const char *table);

#endif /* KOVN_DAEMON_NAT_H */
