/* A Node in typed form, with what kovn-controller reads of it besides its
 * annotations: its InternalIP addresses (status.addresses), the node's own
 * addresses that pods reach through its ovn0 port. */
#ifndef KOVN_CRD_NODE_H
#define KOVN_CRD_NODE_H 1

#include <stddef.h>

#include "net/addr.h"

struct json;

struct crd_node {
    /* The first InternalIP of each family, IPv4 first. */
    struct net_addr internal_ips[2];
    size_t n_internal_ips;
};

/* Decodes 'obj'; an address that does not parse, or of a family already
 * seen, is skipped (a node is never refused: it only loses that route). */
void crd_node_from_json(const struct json *obj, struct crd_node *node);

#endif /* KOVN_CRD_NODE_H */
