/* Finding and removing kovn's OVN rows whose owning Kubernetes object is
 * gone: the OVN side of orphan detection.  Rows without
 * external_ids:vendor=kovn are never listed, whatever their keys. */
#ifndef KOVN_OVN_STALE_H
#define KOVN_OVN_STALE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/uuid.h"
#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;

/* Tells whether the object named by 'owner' still exists. */
typedef bool ovn_owner_exists_fn(const struct ovn_owner *owner, void *aux);

struct ovn_stale_row {
    const char *table; /* OVN table name, e.g. "Logical_Switch". */
    struct uuid uuid;
    char *name; /* Row name where the table has one, else "". */
    char *owner_kind;
    char *owner_name;
};

struct ovn_stale_list {
    struct ovn_stale_row *rows;
    size_t n;
    size_t allocated;
};

void ovn_stale_list_destroy(struct ovn_stale_list *list);

/* Appends to 'list' every kovn row (switches, switch ports, routers, router
 * ports, static routes, policies, ACLs, port groups, address sets, DHCP
 * options) whose owner 'exists' reports gone. */
void ovn_list_stale(struct ovn_nb *nb, ovn_owner_exists_fn *exists, void *aux,
                    struct ovn_stale_list *list);

/* Deletes the rows of 'list' that are still in the replica, detaching
 * non-root rows from the rows that reference them. */
void ovn_delete_stale(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const struct ovn_stale_list *list);

/* ovn_delete_stale() as an ovn_nb_build_fn for ovn_nb_transact(), with the
 * struct ovn_stale_list as 'list'. */
int ovn_delete_stale_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                           void *list, struct kovn_error *err);

#endif /* KOVN_OVN_STALE_H */
