/* A Node in typed form, with what kovn-controller reads of it besides its
 * annotations: its InternalIP addresses (status.addresses), the node's own
 * addresses that pods reach through its ovn0 port, and whether it is Ready
 * (a centralized subnet's egress fails over to the next Ready gateway). */
#ifndef KOVN_CRD_NODE_H
#define KOVN_CRD_NODE_H 1

#include <stddef.h>

#include "net/addr.h"

struct json;

struct crd_node {
    /* The first InternalIP of each family, IPv4 first. */
    struct net_addr internal_ips[2];
    size_t n_internal_ips;
    bool ready; /* Its Ready condition is "True". */
};

/* Decodes 'obj'; an address that does not parse, or of a family already
 * seen, is skipped (a node is never refused: it only loses that route). */
void crd_node_from_json(const struct json *obj, struct crd_node *node);

/* The address set of the pods on node 'name' of 'family' whose egress
 * leaves through that node (distributed gateways): "kovn.node.<name>_ip4"
 * with '-' as '_', which no node name contains, so no two nodes share
 * one; the caller frees it. */
char *crd_node_address_set_name(const char *name, enum net_family family);

#endif /* KOVN_CRD_NODE_H */
