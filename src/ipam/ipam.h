/* Address allocation for one subnet: IPv4 and/or IPv6 addresses and MACs.
 *
 * Free addresses are kept as a sorted list of ranges, so memory grows with
 * the number of holes, not with the size of the subnet: a /8 or an IPv6
 * /64 costs a few bytes until it is fragmented.  Allocation follows
 * Kube-OVN: the lowest free address after the last one handed out,
 * wrapping around, so a released address is not reused at once.  The
 * network address, the IPv4 broadcast address, the gateway and the
 * excludeIps ranges are never handed out.  A dual-stack subnet hands out
 * one address of each family together, or neither.
 *
 * Everything here is single-threaded and owned by the controller's poll
 * loop. */
#ifndef KOVN_IPAM_IPAM_H
#define KOVN_IPAM_IPAM_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"
#include "net/range.h"

struct kovn_error;

struct ipam_subnet;

/* The addressing of a subnet, as crd/subnet.h parses it.  'cidrs' holds one
 * or two CIDRs (at most one per family) with their 'gateways' at the same
 * index; 'excludes' may be NULL. */
struct ipam_subnet_spec {
    const char *name;
    const struct net_cidr *cidrs;
    const struct net_addr *gateways;
    size_t n_cidrs;
    const struct net_range_list *excludes;
};

struct ipam_subnet *ipam_subnet_create(const struct ipam_subnet_spec *spec);
void ipam_subnet_destroy(struct ipam_subnet *subnet);

/* One allocation: an address per family of the subnet (v4 first). */
struct ipam_addrs {
    struct net_addr addrs[2];
    size_t n;
};

/* Allocates the next free address of each family.  If 'pool' is non-null
 * (normalized, see net_range_list_normalize(); it may hold both families
 * and addresses outside the subnet) only addresses inside its ranges are
 * considered (an IPPool); a family it has no address for has none free.
 * Returns 0, or -ENOSPC (nothing changed, 'out->n' is 0) when some family
 * has no free address. */
int ipam_alloc(struct ipam_subnet *subnet, const struct net_range_list *pool,
               struct ipam_addrs *out);

/* Takes the given addresses (a static IP, or a restore); each must be free
 * and usable.  All or nothing: returns 0, -EINVAL if one is outside the
 * subnet, reserved (network, IPv4 broadcast, gateway) or excluded, or of a
 * family given twice, else -EADDRINUSE if one is taken; 'err' names the
 * address and the reason.  Does not move the cursor of ipam_alloc(). */
int ipam_take(struct ipam_subnet *subnet, const struct net_addr *addrs,
              size_t n, struct kovn_error *err);

/* Returns addresses to the free list.  Addresses that are not allocated
 * (or not in the subnet) are ignored, so a release can be repeated. */
void ipam_release(struct ipam_subnet *subnet, const struct net_addr *addrs,
                  size_t n);

bool ipam_is_allocated(const struct ipam_subnet *subnet,
                       const struct net_addr *addr);

/* Counts for Subnet.status, per family (0 for a family the subnet lacks). */
net_u128 ipam_available(const struct ipam_subnet *subnet,
                        enum net_family family);
net_u128 ipam_used(const struct ipam_subnet *subnet, enum net_family family);

/* How many separate ranges the free addresses of 'family' form: what the
 * subnet's memory grows with (for tests and metrics). */
size_t ipam_n_free_ranges(const struct ipam_subnet *subnet,
                          enum net_family family);

/* Aborts if an internal invariant does not hold (for tests and fuzzing). */
void ipam_subnet_check(const struct ipam_subnet *subnet);

/* Subnet.status ranges, Kube-OVN's format: "a-b,c,d-e" (single addresses
 * alone), "" when empty.  Malloc'd. */
char *ipam_available_ranges(const struct ipam_subnet *subnet,
                            enum net_family family);
char *ipam_used_ranges(const struct ipam_subnet *subnet,
                       enum net_family family);

/* MACs, unique across every subnet sharing 'macs'. */
struct ipam_macs;
struct ipam_macs *ipam_macs_create(void);
void ipam_macs_destroy(struct ipam_macs *macs);
/* A random unused MAC in Kube-OVN's style, three random bytes after a fixed
 * prefix, but with the locally administered bit set so it can never clash
 * with a vendor's: "02:00:00:xx:xx:xx".  Aborts only if all 2^24 are in
 * use. */
void ipam_mac_alloc(struct ipam_macs *macs, struct net_mac *mac);
/* Takes a given MAC; -EADDRINUSE if taken. */
int ipam_mac_take(struct ipam_macs *macs, const struct net_mac *mac);
/* Does nothing if 'mac' is not in use. */
void ipam_mac_release(struct ipam_macs *macs, const struct net_mac *mac);
/* How many MACs are in use. */
size_t ipam_macs_count(const struct ipam_macs *macs);

#endif /* KOVN_IPAM_IPAM_H */
