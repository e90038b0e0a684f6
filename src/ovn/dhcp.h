/* DHCP_Options rows for subnets with enableDHCP: one row per (subnet CIDR,
 * owning subnet), since two VPCs may reuse a CIDR. */
#ifndef KOVN_OVN_DHCP_H
#define KOVN_OVN_DHCP_H 1

#include "net/cidr.h"
#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;
struct smap;

const struct nbrec_dhcp_options *
ovn_dhcp_options_find(struct ovn_nb *nb, const struct net_cidr *cidr,
                      const struct ovn_owner *owner);

/* Creates or updates the row; 'options' replaces its options column. */
const struct nbrec_dhcp_options *
ovn_dhcp_options_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const struct net_cidr *cidr,
                        const struct smap *options,
                        const struct ovn_owner *owner, struct kovn_error *err);

int ovn_dhcp_options_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const struct net_cidr *cidr,
                            const struct ovn_owner *owner);

#endif /* KOVN_OVN_DHCP_H */
