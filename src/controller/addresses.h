/* The controller's address book: one IPAM per valid subnet, the MACs in
 * use, and which pod holds what.  It is rebuilt at start from IP objects
 * and pod annotations (what the API server has), so an address recorded
 * there is never handed out again, whatever happened to the previous
 * controller. */
#ifndef KOVN_CONTROLLER_ADDRESSES_H
#define KOVN_CONTROLLER_ADDRESSES_H 1

#include <stdbool.h>

#include "ipam/ipam.h"
#include "openvswitch/shash.h"
#include "sset.h"

struct kovn_error;
struct subnet;

/* What one pod holds. */
struct pod_alloc {
    char *key;    /* "namespace/name" */
    char *subnet; /* Logical switch. */
    struct ipam_addrs addrs;
    struct net_mac mac;
};

struct addresses {
    struct shash subnets; /* name -> struct addr_space * */
    struct shash allocs;  /* pod key -> struct pod_alloc * */
    struct ipam_macs *macs;
    /* Holders (pods, nodes) one subnet may have: what its OVN switch can
     * attach (subnet_port_capacity()).  0: no limit. */
    size_t pod_limit;
};

void addresses_init(struct addresses *book);
void addresses_destroy(struct addresses *book);

/* Creates the IPAM of a valid 'subnet', or rebuilds it when its addressing
 * changed, taking again every address recorded in it; records that no
 * longer fit are logged and kept out of the IPAM. */
void addresses_sync_subnet(struct addresses *book,
                           const struct subnet *subnet);
void addresses_drop_subnet(struct addresses *book, const char *name);
struct ipam_subnet *addresses_ipam(const struct addresses *book,
                                   const char *subnet);

const struct pod_alloc *addresses_find(const struct addresses *book,
                                       const char *key);

/* Nodes share the book with pods under "node:<name>": ':' cannot appear in
 * a Kubernetes name, so they never collide with a pod's "namespace/name".
 * The caller frees it. */
char *addresses_node_key(const char *node);
/* The node's allocation, or NULL. */
const struct pod_alloc *addresses_find_node(const struct addresses *book,
                                            const char *node);
/* 'alloc''s address of 'family', or NULL (also when 'alloc' is NULL). */
const struct net_addr *pod_alloc_address(const struct pod_alloc *alloc,
                                         enum net_family family);

/* Records that pod 'key' holds 'addrs' and 'mac' in 'subnet' and takes
 * them (restore, static addresses).  All or nothing: returns 0,
 * -EADDRINUSE or -EINVAL (with 'err') and records nothing on failure. */
int addresses_take(struct addresses *book, const char *key, const char *subnet,
                   const struct ipam_addrs *addrs, const struct net_mac *mac,
                   struct kovn_error *err);

/* addresses_take() for a restore: addresses the subnet's spec no longer
 * allows (excluded, reserved, outside its CIDRs since a change) stay
 * recorded for 'key', out of the IPAM, as addresses_sync_subnet() keeps
 * them when the spec changes under a running controller; otherwise the
 * next spec change that allows them again would hand them out twice.
 * Returns 0 (with 'err' saying why they are kept out of the IPAM when
 * 'kept' is set), or -EADDRINUSE, -EEXIST, -ENOENT as addresses_take(). */
int addresses_restore(struct addresses *book, const char *key,
                      const char *subnet, const struct ipam_addrs *addrs,
                      const struct net_mac *mac, bool *kept,
                      struct kovn_error *err);

/* Allocates for pod 'key' in 'subnet' (restricted to 'pool' if non-null)
 * with a given MAC or a fresh one.  Returns 0, -ENOSPC (subnet full),
 * -EDQUOT (its switch has as many ports as OVN allows, 'pod_limit'),
 * -ENOENT (no IPAM for the subnet), or -EADDRINUSE for a taken MAC. */
int addresses_alloc(struct addresses *book, const char *key,
                    const char *subnet, const struct net_range_list *pool,
                    const struct net_mac *mac);

/* How many pods and nodes hold addresses in 'subnet'. */
size_t addresses_holders(const struct addresses *book, const char *subnet);
/* Adds to 'names' the IP object name ("<pod>.<namespace>") of each pod
 * holding addresses in 'subnet', whether or not that object exists yet.
 * Nodes are left out: they get no IP object, and their join addresses
 * never kept the join subnet from being deleted (an uninstall deletes it
 * under them). */
void addresses_pod_ip_names(const struct addresses *book, const char *subnet,
                            struct sset *names);
/* True when 'subnet' has 'pod_limit' holders: a new pod would be one port
 * too many for its switch.  Restored holders are never refused, so a
 * subnet can be over it after the limit was lowered. */
bool addresses_at_port_limit(const struct addresses *book, const char *subnet);

/* Releases everything pod 'key' holds; unknown keys are ignored. */
void addresses_release(struct addresses *book, const char *key);

size_t addresses_count(const struct addresses *book);

#endif /* KOVN_CONTROLLER_ADDRESSES_H */
