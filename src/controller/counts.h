/* How many addresses of a subnet are held and free, for its status, the
 * metrics and the owner checks. */
#ifndef KOVN_CONTROLLER_COUNTS_H
#define KOVN_CONTROLLER_COUNTS_H 1

#include <stddef.h>

#include "net/addr.h"

struct controller;
struct subnet;

/* Number of IP objects whose spec.subnet is 'subnet'. */
size_t ctrl_counts_ips_in_subnet(const struct controller *ctl,
                                 const char *subnet);

/* Addresses of 'family' held and free in 'subnet', from its IPAM. */
void ctrl_counts_subnet(const struct controller *ctl,
                        const struct subnet *subnet, enum net_family family,
                        net_u128 *used, net_u128 *available);

#endif /* KOVN_CONTROLLER_COUNTS_H */
