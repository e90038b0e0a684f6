/* Stale (ownerless) kovn rows in OVN NB; see stale.h. */
#include <config.h>

#include "ovn/stale.h"

#include <string.h>

#include "smap.h"
#include "util.h"

static void
add_if_stale(struct ovn_stale_list *list, const char *table,
             const struct uuid *uuid, const char *name, const struct smap *ids,
             ovn_owner_exists_fn *exists, void *aux)
{
    struct ovn_owner owner;
    struct ovn_stale_row *row;

    if (!ovn_owner_get(ids, &owner) || exists(&owner, aux)) {
        return;
    }
    if (list->n == list->allocated) {
        list->rows =
            x2nrealloc(list->rows, &list->allocated, sizeof *list->rows);
    }
    row = &list->rows[list->n++];
    row->table = table;
    row->uuid = *uuid;
    row->name = xstrdup(name ? name : "");
    row->owner_kind = xstrdup(owner.kind);
    row->owner_name = xstrdup(owner.name);
}

void
ovn_list_stale(struct ovn_nb *nb, ovn_owner_exists_fn *exists, void *aux,
               struct ovn_stale_list *list)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_logical_router *lr;
    const struct nbrec_logical_router_port *lrp;
    const struct nbrec_logical_router_static_route *route;
    const struct nbrec_logical_router_policy *policy;
    const struct nbrec_acl *acl;
    const struct nbrec_port_group *pg;
    const struct nbrec_address_set *as;
    const struct nbrec_dhcp_options *dhcp;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        add_if_stale(list, "Logical_Switch", &ls->header_.uuid, ls->name,
                     &ls->external_ids, exists, aux);
    }
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH(lsp, nb->idl)
    {
        add_if_stale(list, "Logical_Switch_Port", &lsp->header_.uuid,
                     lsp->name, &lsp->external_ids, exists, aux);
    }
    NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
    {
        add_if_stale(list, "Logical_Router", &lr->header_.uuid, lr->name,
                     &lr->external_ids, exists, aux);
    }
    NBREC_LOGICAL_ROUTER_PORT_FOR_EACH(lrp, nb->idl)
    {
        add_if_stale(list, "Logical_Router_Port", &lrp->header_.uuid,
                     lrp->name, &lrp->external_ids, exists, aux);
    }
    NBREC_LOGICAL_ROUTER_STATIC_ROUTE_FOR_EACH(route, nb->idl)
    {
        add_if_stale(list, "Logical_Router_Static_Route", &route->header_.uuid,
                     route->ip_prefix, &route->external_ids, exists, aux);
    }
    NBREC_LOGICAL_ROUTER_POLICY_FOR_EACH(policy, nb->idl)
    {
        add_if_stale(list, "Logical_Router_Policy", &policy->header_.uuid,
                     policy->match, &policy->external_ids, exists, aux);
    }
    NBREC_ACL_FOR_EACH(acl, nb->idl)
    {
        add_if_stale(list, "ACL", &acl->header_.uuid, acl->match,
                     &acl->external_ids, exists, aux);
    }
    NBREC_PORT_GROUP_FOR_EACH(pg, nb->idl)
    {
        add_if_stale(list, "Port_Group", &pg->header_.uuid, pg->name,
                     &pg->external_ids, exists, aux);
    }
    NBREC_ADDRESS_SET_FOR_EACH(as, nb->idl)
    {
        add_if_stale(list, "Address_Set", &as->header_.uuid, as->name,
                     &as->external_ids, exists, aux);
    }
    NBREC_DHCP_OPTIONS_FOR_EACH(dhcp, nb->idl)
    {
        add_if_stale(list, "DHCP_Options", &dhcp->header_.uuid, dhcp->cidr,
                     &dhcp->external_ids, exists, aux);
    }
}

void
ovn_stale_list_destroy(struct ovn_stale_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->rows[i].name);
        free(list->rows[i].owner_kind);
        free(list->rows[i].owner_name);
    }
    free(list->rows);
    memset(list, 0, sizeof *list);
}

/* Non-root rows disappear when nothing references them, so they are removed
 * from their referrers rather than deleted. */
static void
detach_switch_port(struct ovn_nb *nb,
                   const struct nbrec_logical_switch_port *lsp)
{
    const struct nbrec_logical_switch *ls;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        for (size_t i = 0; i < ls->n_ports; i++) {
            if (ls->ports[i] == lsp) {
                nbrec_logical_switch_update_ports_delvalue(ls, lsp);
            }
        }
    }
}

static void
detach_router_child(struct ovn_nb *nb, const struct ovsdb_idl_row *child)
{
    const struct nbrec_logical_router *lr;

    NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
    {
        for (size_t i = 0; i < lr->n_ports; i++) {
            if (&lr->ports[i]->header_ == child) {
                nbrec_logical_router_update_ports_delvalue(lr, lr->ports[i]);
            }
        }
        for (size_t i = 0; i < lr->n_static_routes; i++) {
            if (&lr->static_routes[i]->header_ == child) {
                nbrec_logical_router_update_static_routes_delvalue(
                    lr, lr->static_routes[i]);
            }
        }
        for (size_t i = 0; i < lr->n_policies; i++) {
            if (&lr->policies[i]->header_ == child) {
                nbrec_logical_router_update_policies_delvalue(lr,
                                                              lr->policies[i]);
            }
        }
    }
}

static void
detach_acl(struct ovn_nb *nb, const struct nbrec_acl *acl)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_port_group *pg;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        for (size_t i = 0; i < ls->n_acls; i++) {
            if (ls->acls[i] == acl) {
                nbrec_logical_switch_update_acls_delvalue(ls, acl);
            }
        }
    }
    NBREC_PORT_GROUP_FOR_EACH(pg, nb->idl)
    {
        for (size_t i = 0; i < pg->n_acls; i++) {
            if (pg->acls[i] == acl) {
                nbrec_port_group_update_acls_delvalue(pg, acl);
            }
        }
    }
}

void
ovn_delete_stale(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                 const struct ovn_stale_list *list)
{
    (void)txn;
    for (size_t i = 0; i < list->n; i++) {
        const struct ovn_stale_row *row = &list->rows[i];
        const struct uuid *uuid = &row->uuid;
        const void *found;

        if (!strcmp(row->table, "Logical_Switch")) {
            if ((found = nbrec_logical_switch_get_for_uuid(nb->idl, uuid))) {
                nbrec_logical_switch_delete(found);
            }
        } else if (!strcmp(row->table, "Logical_Router")) {
            if ((found = nbrec_logical_router_get_for_uuid(nb->idl, uuid))) {
                nbrec_logical_router_delete(found);
            }
        } else if (!strcmp(row->table, "Port_Group")) {
            if ((found = nbrec_port_group_get_for_uuid(nb->idl, uuid))) {
                nbrec_port_group_delete(found);
            }
        } else if (!strcmp(row->table, "Address_Set")) {
            if ((found = nbrec_address_set_get_for_uuid(nb->idl, uuid))) {
                nbrec_address_set_delete(found);
            }
        } else if (!strcmp(row->table, "DHCP_Options")) {
            if ((found = nbrec_dhcp_options_get_for_uuid(nb->idl, uuid))) {
                nbrec_dhcp_options_delete(found);
            }
        } else if (!strcmp(row->table, "Logical_Switch_Port")) {
            if ((found =
                     nbrec_logical_switch_port_get_for_uuid(nb->idl, uuid))) {
                detach_switch_port(nb, found);
            }
        } else if (!strcmp(row->table, "ACL")) {
            if ((found = nbrec_acl_get_for_uuid(nb->idl, uuid))) {
                detach_acl(nb, found);
            }
        } else {
            const struct nbrec_logical_router_port *lrp =
                nbrec_logical_router_port_get_for_uuid(nb->idl, uuid);
            const struct nbrec_logical_router_static_route *route =
                nbrec_logical_router_static_route_get_for_uuid(nb->idl, uuid);
            const struct nbrec_logical_router_policy *policy =
                nbrec_logical_router_policy_get_for_uuid(nb->idl, uuid);

            if (lrp) {
                detach_router_child(nb, &lrp->header_);
            } else if (route) {
                detach_router_child(nb, &route->header_);
            } else if (policy) {
                detach_router_child(nb, &policy->header_);
            }
        }
    }
}

int
ovn_delete_stale_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       void *list, struct kovn_error *err)
{
    (void)err;
    ovn_delete_stale(nb, txn, list);
    return 0;
}
