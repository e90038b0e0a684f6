/* Logical switches and their ports, written as a Subnet and its pods need
 * them.  Every function here works inside a caller's transaction and writes
 * only what differs from the replica, so calling it again with the same
 * arguments leaves the transaction empty. */
#ifndef KOVN_OVN_SWITCH_H
#define KOVN_OVN_SWITCH_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"
#include "net/range.h"
#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;
struct smap;

struct ovn_switch_spec {
    const char *name;
    /* other_config:subnet, IPv4 only (OVN's native IPAM space); NULL if the
     * switch has no IPv4 subnet. */
    const struct net_cidr *subnet;
    /* other_config:ipv6_prefix: the network address of an IPv6 /64. */
    const struct net_cidr *ipv6_prefix;
    /* other_config:exclude_ips (IPv4 items only); may be NULL. */
    const struct net_range_list *exclude_ips;
    /* other_config:mac_only=true: OVN assigns MACs but no addresses. */
    bool mac_only;
};

const struct nbrec_logical_switch *ovn_switch_find(struct ovn_nb *nb,
                                                   const char *name);

/* Creates or updates the switch.  Returns it, or NULL with 'err' set when a
 * value is invalid or a switch of that name exists without vendor=kovn. */
const struct nbrec_logical_switch *
ovn_switch_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const struct ovn_switch_spec *spec,
                  const struct ovn_owner *owner, struct kovn_error *err);

/* Deletes the switch (and with it its ports).  Returns 0 if it is gone or
 * was never there, -EPERM if it is not kovn's. */
int ovn_switch_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *name, struct kovn_error *err);

struct ovn_switch_port_spec {
    const char *name;
    const char *switch_name;
    const char *type; /* "" for a VIF, "router", "localport", ... */
    /* Static addresses: "MAC IP..." in 'addresses' (OVN dynamic addressing
     * stays off).  'mac' NULL with type "router" writes "router". */
    const struct net_mac *mac;
    const struct net_addr *ips;
    size_t n_ips;
    bool port_security;         /* Also write "MAC IP..." to port_security. */
    const struct smap *options; /* NULL: no options. */
};

const struct nbrec_logical_switch_port *ovn_switch_port_find(struct ovn_nb *nb,
                                                             const char *name);

/* Creates or updates the port on its switch, moving it if it was attached
 * to another switch.  The switch must exist (in the replica or earlier in
 * 'txn'). */
const struct nbrec_logical_switch_port *
ovn_switch_port_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const struct ovn_switch_port_spec *spec,
                       const struct ovn_owner *owner, struct kovn_error *err);

int ovn_switch_port_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                           const char *name, struct kovn_error *err);

#endif /* KOVN_OVN_SWITCH_H */
