/* What pods and nodes have in common: the OVN switch port that carries an
 * allocation ("MAC IP..." addresses and port security), and the text form
 * of its addresses in annotations and IP objects. */
#ifndef KOVN_CONTROLLER_PORTS_H
#define KOVN_CONTROLLER_PORTS_H 1

#include <stdbool.h>

#include "controller/addresses.h"
#include "ovn/nb.h"

struct kovn_error;

struct ctrl_port {
    const struct pod_alloc *alloc; /* Unused when deleting. */
    const char *name;              /* "<pod>.<ns>" or "node-<name>". */
    const char *owner_kind;        /* OVN_OWNER_POD or OVN_OWNER_NODE. */
    const char *owner;
    /* Carries packets for addresses other than its own (a node's ovn0,
     * for the node's other addresses): no port security. */
    bool gateway;
    bool delete;
};

/* An ovn_nb_build_fn for ovn_nb_transact() with a struct ctrl_port: ensure
 * the port on the allocation's switch (-EAGAIN while the switch is not in
 * OVN yet), or delete it (a port that is not kovn's is left alone). */
int ctrl_port_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *port,
                    struct kovn_error *err);

/* "10.16.0.5" or "10.16.0.5,fd00::5" (malloc'd). */
char *ctrl_addrs_text(const struct ipam_addrs *addrs);

#endif /* KOVN_CONTROLLER_PORTS_H */
