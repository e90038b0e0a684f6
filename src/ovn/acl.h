/* Port groups, address sets and ACLs: what subnet ACLs, private subnets and
 * network policies become in OVN.  ACL sets are declarative: the caller says
 * which ACLs a switch or port group must carry and the helper adds, keeps or
 * removes kovn's rows to match (rows of other vendors are left alone). */
#ifndef KOVN_OVN_ACL_H
#define KOVN_OVN_ACL_H 1

#include <stddef.h>
#include <stdint.h>

#include "net/cidr.h"
#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;

const struct nbrec_port_group *ovn_port_group_find(struct ovn_nb *nb,
                                                   const char *name);
/* Makes port group 'name' contain exactly the switch ports named in
 * 'port_names', which must exist. */
const struct nbrec_port_group *
ovn_port_group_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *name, const char *const *port_names,
                      size_t n_ports, const struct ovn_owner *owner,
                      struct kovn_error *err);
int ovn_port_group_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                          const char *name, struct kovn_error *err);

const struct nbrec_address_set *ovn_address_set_find(struct ovn_nb *nb,
                                                     const char *name);
/* Host blocks (/32, /128) are written as plain addresses. */
const struct nbrec_address_set *
ovn_address_set_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const char *name, const struct net_cidr *addresses,
                       size_t n_addresses, const struct ovn_owner *owner,
                       struct kovn_error *err);
int ovn_address_set_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                           const char *name, struct kovn_error *err);

struct ovn_acl_spec {
    const char *direction; /* "from-lport" or "to-lport". */
    int64_t priority;      /* 0..32767. */
    const char *match;
    const char *action; /* allow, allow-related, allow-stateless, drop,
                           reject or pass. */
};

/* Checks one ACL; 'where' names the switch or port group for messages. */
int ovn_acl_validate(const char *where, const struct ovn_acl_spec *acl,
                     struct kovn_error *err);

int ovn_acls_set_for_switch(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const char *switch_name,
                            const struct ovn_acl_spec *acls, size_t n_acls,
                            const struct ovn_owner *owner,
                            struct kovn_error *err);
int ovn_acls_set_for_port_group(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                                const char *port_group_name,
                                const struct ovn_acl_spec *acls, size_t n_acls,
                                const struct ovn_owner *owner,
                                struct kovn_error *err);

#endif /* KOVN_OVN_ACL_H */
