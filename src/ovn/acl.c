/* Port_Group, Address_Set and ACL helpers; see acl.h. */
#include <config.h>

#include "ovn/acl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "ovn/switch.h"
#include "net/ovn_name.h"
#include "smap.h"
#include "util.h"

/* Longest ACL match kovn writes; OVN has no fixed limit, but a match this
 * long from a manifest is a mistake, not a policy. */
#define ACL_MATCH_MAX    4096
#define ACL_PRIORITY_MAX 32767

const struct nbrec_port_group *
ovn_port_group_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_port_group *key =
        nbrec_port_group_index_init_row(nb->port_group_by_name);
    const struct nbrec_port_group *row;

    nbrec_port_group_index_set_name(key, name);
    row = nbrec_port_group_index_find(nb->port_group_by_name, key);
    nbrec_port_group_index_destroy_row(key);
    return row;
}

const struct nbrec_address_set *
ovn_address_set_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_address_set *key =
        nbrec_address_set_index_init_row(nb->address_set_by_name);
    const struct nbrec_address_set *row;

    nbrec_address_set_index_set_name(key, name);
    row = nbrec_address_set_index_find(nb->address_set_by_name, key);
    nbrec_address_set_index_destroy_row(key);
    return row;
}

const struct nbrec_port_group *
ovn_port_group_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *name, const char *const *port_names,
                      size_t n_ports, const struct ovn_owner *owner,
                      struct kovn_error *err)
{
    const struct nbrec_port_group *pg;
    struct nbrec_logical_switch_port **ports;
    bool same;
    struct smap ids;

    if (ovn_name_check_identifier("Port_Group", name, err)) {
        return NULL;
    }
    ports = xcalloc(n_ports ? n_ports : 1, sizeof *ports);
    for (size_t i = 0; i < n_ports; i++) {
        ports[i] = CONST_CAST(struct nbrec_logical_switch_port *,
                              ovn_switch_port_find(nb, port_names[i]));
        if (!ports[i]) {
            kovn_error_set(err, -ENOENT,
                           "Port_Group \"%s\": ports: Logical_Switch_Port "
                           "\"%s\" does not exist",
                           name, port_names[i]);
            free(ports);
            return NULL;
        }
    }
    pg = ovn_port_group_find(nb, name);
    if (pg && !ovn_owner_is_ours(&pg->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "Port_Group \"%s\" exists and is not managed by kovn",
                       name);
        free(ports);
        return NULL;
    }
    if (!pg) {
        struct nbrec_port_group *new = nbrec_port_group_insert(txn);

        nbrec_port_group_set_name(new, name);
        pg = new;
    }
    /* Sets are unordered: equal sizes and every wanted port present. */
    same = pg->n_ports == n_ports;
    for (size_t i = 0; same && i < n_ports; i++) {
        bool found = false;

        for (size_t j = 0; !found && j < pg->n_ports; j++) {
            found = pg->ports[j] == ports[i];
        }
        same = found;
    }
    if (!same) {
        nbrec_port_group_set_ports(pg, ports, n_ports);
    }
    free(ports);
    ovn_owner_ids(&ids, &pg->external_ids, owner);
    if (!smap_equal(&ids, &pg->external_ids)) {
        nbrec_port_group_set_external_ids(pg, &ids);
    }
    smap_destroy(&ids);
    return pg;
}

int
ovn_port_group_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                      const char *name, struct kovn_error *err)
{
    const struct nbrec_port_group *pg = ovn_port_group_find(nb, name);

    (void)txn;
    if (!pg) {
        return 0;
    }
    if (!ovn_owner_is_ours(&pg->external_ids)) {
        return kovn_error_set(
            err, -EPERM, "Port_Group \"%s\" is not managed by kovn", name);
    }
    nbrec_port_group_delete(pg);
    return 0;
}

const struct nbrec_address_set *
ovn_address_set_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const char *name, const struct net_cidr *addresses,
                       size_t n_addresses, const struct ovn_owner *owner,
                       struct kovn_error *err)
{
    const struct nbrec_address_set *as;
    char **strings;
    bool same;
    struct smap ids;

    if (ovn_name_check_identifier("Address_Set", name, err)) {
        return NULL;
    }
    as = ovn_address_set_find(nb, name);
    if (as && !ovn_owner_is_ours(&as->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "Address_Set \"%s\" exists and is not managed by kovn",
                       name);
        return NULL;
    }
    if (!as) {
        struct nbrec_address_set *new = nbrec_address_set_insert(txn);

        nbrec_address_set_set_name(new, name);
        as = new;
    }
    strings = xcalloc(n_addresses ? n_addresses : 1, sizeof *strings);
    for (size_t i = 0; i < n_addresses; i++) {
        const struct net_cidr *c = &addresses[i];

        strings[i] = xmalloc(NET_CIDR_STRLEN);
        if (c->prefix == net_family_bits(c->addr.family)) {
            net_addr_format(&c->addr, strings[i]);
        } else {
            net_cidr_format(c, strings[i]);
        }
    }
    same = as->n_addresses == n_addresses;
    for (size_t i = 0; same && i < n_addresses; i++) {
        bool found = false;

        for (size_t j = 0; !found && j < as->n_addresses; j++) {
            found = !strcmp(as->addresses[j], strings[i]);
        }
        same = found;
    }
    if (!same) {
        nbrec_address_set_set_addresses(as, (const char **)strings,
                                        n_addresses);
    }
    for (size_t i = 0; i < n_addresses; i++) {
        free(strings[i]);
    }
    free(strings);
    ovn_owner_ids(&ids, &as->external_ids, owner);
    if (!smap_equal(&ids, &as->external_ids)) {
        nbrec_address_set_set_external_ids(as, &ids);
    }
    smap_destroy(&ids);
    return as;
}

int
ovn_address_set_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const char *name, struct kovn_error *err)
{
    const struct nbrec_address_set *as = ovn_address_set_find(nb, name);

    (void)txn;
    if (!as) {
        return 0;
    }
    if (!ovn_owner_is_ours(&as->external_ids)) {
        return kovn_error_set(
            err, -EPERM, "Address_Set \"%s\" is not managed by kovn", name);
    }
    nbrec_address_set_delete(as);
    return 0;
}

int
ovn_acl_validate(const char *where, const struct ovn_acl_spec *acl,
                 struct kovn_error *err)
{
    static const char *const actions[] = {
        "allow", "allow-related", "allow-stateless", "drop", "reject", "pass",
    };
    bool action_ok = false;

    if (strcmp(acl->direction, "from-lport") &&
        strcmp(acl->direction, "to-lport")) {
        return kovn_error_set(err, -EINVAL,
                              "ACL on %s: direction \"%s\" is not "
                              "from-lport or to-lport",
                              where, acl->direction);
    }
    if (acl->priority < 0 || acl->priority > ACL_PRIORITY_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "ACL on %s: priority %lld not in 0..%d", where,
                              (long long)acl->priority, ACL_PRIORITY_MAX);
    }
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
        action_ok = action_ok || !strcmp(acl->action, actions[i]);
    }
    if (!action_ok) {
        return kovn_error_set(err, -EINVAL,
                              "ACL on %s: action \"%s\" is not one of allow, "
                              "allow-related, allow-stateless, drop, reject, "
                              "pass",
                              where, acl->action);
    }
    if (!acl->match[0] || strlen(acl->match) > ACL_MATCH_MAX ||
        strpbrk(acl->match, "\n\r")) {
        return kovn_error_set(err, -EINVAL,
                              "ACL on %s: match must be 1 to %d bytes on one "
                              "line",
                              where, ACL_MATCH_MAX);
    }
    return 0;
}

static bool
acl_equals(const struct nbrec_acl *row, const struct ovn_acl_spec *spec)
{
    return row->priority == spec->priority &&
           !strcmp(row->direction, spec->direction) &&
           !strcmp(row->match, spec->match) &&
           !strcmp(row->action, spec->action);
}

/* Computes which of 'current' (kovn's rows only) to keep and which specs to
 * insert; calls 'add'/'remove' on the parent row. */
static int
set_acls(struct ovsdb_idl_txn *txn, const char *where,
         struct nbrec_acl **current, size_t n_current,
         const struct ovn_acl_spec *acls, size_t n_acls,
         const struct ovn_owner *owner, const void *parent,
         void (*add)(const void *, const struct nbrec_acl *),
         void (*remove)(const void *, const struct nbrec_acl *),
         struct kovn_error *err)
{
    bool *used = xcalloc(n_current ? n_current : 1, sizeof *used);
    int error = 0;

    for (size_t i = 0; i < n_acls; i++) {
        error = ovn_acl_validate(where, &acls[i], err);
        if (error) {
            goto out;
        }
    }
    for (size_t i = 0; i < n_acls; i++) {
        bool found = false;

        for (size_t j = 0; !found && j < n_current; j++) {
            if (!used[j] && ovn_owner_is_ours(&current[j]->external_ids) &&
                acl_equals(current[j], &acls[i])) {
                used[j] = found = true;
            }
        }
        if (!found) {
            struct nbrec_acl *acl = nbrec_acl_insert(txn);
            struct smap ids = SMAP_INITIALIZER(&ids);

            nbrec_acl_set_direction(acl, acls[i].direction);
            nbrec_acl_set_priority(acl, acls[i].priority);
            nbrec_acl_set_match(acl, acls[i].match);
            nbrec_acl_set_action(acl, acls[i].action);
            ovn_owner_tag(&ids, owner);
            nbrec_acl_set_external_ids(acl, &ids);
            smap_destroy(&ids);
            add(parent, acl);
        }
    }
    for (size_t j = 0; j < n_current; j++) {
        if (!used[j] && ovn_owner_is_ours(&current[j]->external_ids)) {
            remove(parent, current[j]);
        }
    }
out:
    free(used);
    return error;
}

static void
switch_add_acl(const void *ls, const struct nbrec_acl *acl)
{
    nbrec_logical_switch_update_acls_addvalue(ls, acl);
}

static void
switch_remove_acl(const void *ls, const struct nbrec_acl *acl)
{
    nbrec_logical_switch_update_acls_delvalue(ls, acl);
}

static void
port_group_add_acl(const void *pg, const struct nbrec_acl *acl)
{
    nbrec_port_group_update_acls_addvalue(pg, acl);
}

static void
port_group_remove_acl(const void *pg, const struct nbrec_acl *acl)
{
    nbrec_port_group_update_acls_delvalue(pg, acl);
}

int
ovn_acls_set_for_switch(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const char *switch_name,
                        const struct ovn_acl_spec *acls, size_t n_acls,
                        const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_logical_switch *ls = ovn_switch_find(nb, switch_name);
    char where[128];

    snprintf(where, sizeof where, "Logical_Switch \"%.100s\"", switch_name);
    if (!ls) {
        return kovn_error_set(err, -ENOENT, "ACL on %s: switch does not exist",
                              where);
    }
    return set_acls(txn, where, ls->acls, ls->n_acls, acls, n_acls, owner, ls,
                    switch_add_acl, switch_remove_acl, err);
}

int
ovn_acls_set_for_port_group(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            const char *port_group_name,
                            const struct ovn_acl_spec *acls, size_t n_acls,
                            const struct ovn_owner *owner,
                            struct kovn_error *err)
{
    const struct nbrec_port_group *pg =
        ovn_port_group_find(nb, port_group_name);
    char where[128];

    snprintf(where, sizeof where, "Port_Group \"%.100s\"", port_group_name);
    if (!pg) {
        return kovn_error_set(err, -ENOENT,
                              "ACL on %s: port group does not exist", where);
    }
    return set_acls(txn, where, pg->acls, pg->n_acls, acls, n_acls, owner, pg,
                    port_group_add_acl, port_group_remove_acl, err);
}
