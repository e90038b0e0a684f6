/* Kube-OVN's IPPool (kubeovn.io/v1): a set of a subnet's addresses reserved
 * for some namespaces.  Items of spec.ips are single addresses, "a..b"
 * ranges or CIDRs. */
#ifndef KOVN_CRD_IPPOOL_H
#define KOVN_CRD_IPPOOL_H 1

#include <stdbool.h>

#include "net/range.h"
#include "sset.h"

struct json;
struct kovn_error;

#define IPPOOL_MAX_NAMESPACES 4096

struct ippool {
    char *name;
    char *subnet;              /* spec.subnet */
    struct sset namespaces;    /* spec.namespaces */
    struct net_range_list ips; /* spec.ips, normalized. */
    char *error;               /* NULL when valid. */
};

/* As subnet_from_json(). */
int ippool_from_json(const struct json *obj, struct ippool *pool,
                     struct kovn_error *err);
void ippool_destroy(struct ippool *pool);

/* Parses one spec.ips item: an address, "a..b" or a CIDR. */
int ippool_parse_item(const char *text, struct net_range *range,
                      struct kovn_error *err);

#endif /* KOVN_CRD_IPPOOL_H */
