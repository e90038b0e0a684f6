/* Logical_Switch and Logical_Switch_Port ensure/delete; see switch.h. */
#include <config.h>

#include "ovn/switch.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "net/ovn_name.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "util.h"

/* external_ids key on a port naming its switch, which Kube-OVN and earlier
 * kovn builds write.  kovn removes it: an ensure looks for the port in its
 * switch's port list anyway, and the key cost some 300 bytes of replica per
 * port (bench_ovn_nb: 2,362 -> 2,058 bytes). */
#define LEGACY_PORT_SWITCH_KEY "ls"

const struct nbrec_logical_switch *
ovn_switch_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_logical_switch *key =
        nbrec_logical_switch_index_init_row(nb->switch_by_name);
    const struct nbrec_logical_switch *row;

    nbrec_logical_switch_index_set_name(key, name);
    row = nbrec_logical_switch_index_find(nb->switch_by_name, key);
    nbrec_logical_switch_index_destroy_row(key);
    return row;
}

const struct nbrec_logical_switch_port *
ovn_switch_port_find(struct ovn_nb *nb, const char *name)
{
    struct nbrec_logical_switch_port *key =
        nbrec_logical_switch_port_index_init_row(nb->switch_port_by_name);
    const struct nbrec_logical_switch_port *row;

    nbrec_logical_switch_port_index_set_name(key, name);
    row = nbrec_logical_switch_port_index_find(nb->switch_port_by_name, key);
    nbrec_logical_switch_port_index_destroy_row(key);
    return row;
}

static void
set_config_key(struct smap *config, const char *key, const char *value)
{
    if (value) {
        smap_replace(config, key, value);
    } else {
        smap_remove(config, key);
    }
}

const struct nbrec_logical_switch *
ovn_switch_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const struct ovn_switch_spec *spec,
                  const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_logical_switch *ls;
    char subnet[NET_CIDR_STRLEN], prefix[NET_ADDR_STRLEN];
    char *exclude = NULL;
    struct smap config, ids;

    if (ovn_name_check("Logical_Switch", spec->name, err)) {
        return NULL;
    }
    if (spec->subnet && spec->subnet->addr.family != NET_V4) {
        kovn_error_set(err, -EINVAL,
                       "Logical_Switch \"%s\": other_config:subnet must be "
                       "IPv4",
                       spec->name);
        return NULL;
    }
    if (spec->ipv6_prefix && (spec->ipv6_prefix->addr.family != NET_V6 ||
                              spec->ipv6_prefix->prefix != 64)) {
        kovn_error_set(err, -EINVAL,
                       "Logical_Switch \"%s\": other_config:ipv6_prefix "
                       "must be an IPv6 /64",
                       spec->name);
        return NULL;
    }
    if (spec->exclude_ips) {
        for (size_t i = 0; i < spec->exclude_ips->n; i++) {
            const struct net_range *range = &spec->exclude_ips->ranges[i];

            if (range->first.family != NET_V4 || !spec->subnet) {
                char text[NET_RANGE_STRLEN];

                net_range_format(range, text);
                kovn_error_set(err, -EINVAL,
                               "Logical_Switch \"%s\": other_config:"
                               "exclude_ips item \"%s\" needs an IPv4 subnet "
                               "of the same family",
                               spec->name, text);
                return NULL;
            }
        }
    }

    ls = ovn_switch_find(nb, spec->name);
    if (ls && !ovn_owner_is_ours(&ls->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "Logical_Switch \"%s\" exists and is not managed by "
                       "kovn (no external_ids:vendor=kovn)",
                       spec->name);
        return NULL;
    }
    if (!ls) {
        struct nbrec_logical_switch *new = nbrec_logical_switch_insert(txn);

        nbrec_logical_switch_set_name(new, spec->name);
        ls = new;
    }

    smap_clone(&config, &ls->other_config);
    if (spec->subnet) {
        net_cidr_format(spec->subnet, subnet);
    }
    set_config_key(&config, "subnet", spec->subnet ? subnet : NULL);
    if (spec->ipv6_prefix) {
        net_addr_format(&spec->ipv6_prefix->addr, prefix);
    }
    set_config_key(&config, "ipv6_prefix", spec->ipv6_prefix ? prefix : NULL);
    if (spec->exclude_ips && spec->exclude_ips->n) {
        /* OVN separates exclude_ips items by spaces. */
        exclude = net_range_list_format(spec->exclude_ips, ' ');
    }
    set_config_key(&config, "exclude_ips", exclude);
    set_config_key(&config, "mac_only", spec->mac_only ? "true" : NULL);
    if (!smap_equal(&config, &ls->other_config)) {
        nbrec_logical_switch_set_other_config(ls, &config);
    }
    smap_destroy(&config);
    free(exclude);

    ovn_owner_ids(&ids, &ls->external_ids, owner);
    if (!smap_equal(&ids, &ls->external_ids)) {
        nbrec_logical_switch_set_external_ids(ls, &ids);
    }
    smap_destroy(&ids);
    return ls;
}

int
ovn_switch_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const char *name, struct kovn_error *err)
{
    const struct nbrec_logical_switch *ls = ovn_switch_find(nb, name);

    (void)txn;
    if (!ls) {
        return 0;
    }
    if (!ovn_owner_is_ours(&ls->external_ids)) {
        return kovn_error_set(
            err, -EPERM, "Logical_Switch \"%s\" is not managed by kovn", name);
    }
    nbrec_logical_switch_delete(ls);
    return 0;
}

/* "MAC IP1 IP2" for 'spec', or NULL for a router port without a MAC. */
static char *
port_address(const struct ovn_switch_port_spec *spec)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[NET_ADDR_STRLEN];

    if (!spec->mac) {
        return NULL;
    }
    net_mac_format(spec->mac, buf);
    ds_put_cstr(&s, buf);
    for (size_t i = 0; i < spec->n_ips; i++) {
        net_addr_format(&spec->ips[i], buf);
        ds_put_format(&s, " %s", buf);
    }
    return ds_steal_cstr(&s);
}

static bool
string_array_equals(char **a, size_t n_a, const char **b, size_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (size_t i = 0; i < n_a; i++) {
        if (strcmp(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

/* Removes 'lsp' from whichever switch lists it (other than 'keep'). */
static void
detach_port(struct ovn_nb *nb, const struct nbrec_logical_switch_port *lsp,
            const struct nbrec_logical_switch *keep)
{
    const struct nbrec_logical_switch *ls;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        if (ls == keep) {
            continue;
        }
        for (size_t i = 0; i < ls->n_ports; i++) {
            if (ls->ports[i] == lsp) {
                nbrec_logical_switch_update_ports_delvalue(ls, lsp);
                break;
            }
        }
    }
}

static bool
switch_has_port(const struct nbrec_logical_switch *ls,
                const struct nbrec_logical_switch_port *lsp)
{
    for (size_t i = 0; i < ls->n_ports; i++) {
        if (ls->ports[i] == lsp) {
            return true;
        }
    }
    return false;
}

const struct nbrec_logical_switch_port *
ovn_switch_port_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const struct ovn_switch_port_spec *spec,
                       const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_logical_switch *ls;
    const char *type = spec->type ? spec->type : "";
    const char *addresses[1];
    size_t n_addresses = 0;
    char *address = NULL;
    struct smap ids;

    if (ovn_name_check("Logical_Switch_Port", spec->name, err)) {
        return NULL;
    }
    if (!spec->mac && strcmp(type, "router")) {
        kovn_error_set(err, -EINVAL,
                       "Logical_Switch_Port \"%s\": addresses: a MAC is "
                       "required for type \"%s\"",
                       spec->name, type);
        return NULL;
    }
    for (size_t i = 0; i < spec->n_ips; i++) {
        for (size_t j = 0; j < i; j++) {
            if (net_addr_equals(&spec->ips[i], &spec->ips[j])) {
                char buf[NET_ADDR_STRLEN];

                net_addr_format(&spec->ips[i], buf);
                kovn_error_set(err, -EINVAL,
                               "Logical_Switch_Port \"%s\": addresses: %s "
                               "listed twice",
                               spec->name, buf);
                return NULL;
            }
        }
    }
    ls = ovn_switch_find(nb, spec->switch_name);
    if (!ls) {
        kovn_error_set(err, -ENOENT,
                       "Logical_Switch_Port \"%s\": switch \"%s\" does not "
                       "exist",
                       spec->name, spec->switch_name);
        return NULL;
    }

    lsp = ovn_switch_port_find(nb, spec->name);
    if (lsp && !ovn_owner_is_ours(&lsp->external_ids)) {
        kovn_error_set(err, -EPERM,
                       "Logical_Switch_Port \"%s\" exists and is not managed "
                       "by kovn",
                       spec->name);
        return NULL;
    }
    if (!lsp) {
        struct nbrec_logical_switch_port *new =
            nbrec_logical_switch_port_insert(txn);

        nbrec_logical_switch_port_set_name(new, spec->name);
        nbrec_logical_switch_update_ports_addvalue(ls, new);
        lsp = new;
    } else if (!switch_has_port(ls, lsp)) {
        /* The port moved (its pod came back on another subnet). */
        detach_port(nb, lsp, ls);
        nbrec_logical_switch_update_ports_addvalue(ls, lsp);
    }

    if (strcmp(lsp->type, type)) {
        nbrec_logical_switch_port_set_type(lsp, type);
    }
    address = port_address(spec);
    addresses[0] = address ? address : "router";
    n_addresses = 1;
    if (!string_array_equals(lsp->addresses, lsp->n_addresses, addresses,
                             n_addresses)) {
        nbrec_logical_switch_port_set_addresses(lsp, addresses, n_addresses);
    }
    if (spec->port_security && address) {
        if (!string_array_equals(lsp->port_security, lsp->n_port_security,
                                 addresses, 1)) {
            nbrec_logical_switch_port_set_port_security(lsp, addresses, 1);
        }
    } else if (lsp->n_port_security) {
        nbrec_logical_switch_port_set_port_security(lsp, NULL, 0);
    }
    if (lsp->dynamic_addresses) {
        nbrec_logical_switch_port_set_dynamic_addresses(lsp, NULL);
    }
    if (spec->options ? !smap_equal(spec->options, &lsp->options)
                      : !smap_is_empty(&lsp->options)) {
        struct smap empty = SMAP_INITIALIZER(&empty);

        nbrec_logical_switch_port_set_options(
            lsp, spec->options ? spec->options : &empty);
    }
    ovn_owner_ids(&ids, &lsp->external_ids, owner);
    smap_remove(&ids, LEGACY_PORT_SWITCH_KEY);
    if (!smap_equal(&ids, &lsp->external_ids)) {
        nbrec_logical_switch_port_set_external_ids(lsp, &ids);
    }
    smap_destroy(&ids);
    free(address);
    return lsp;
}

int
ovn_switch_port_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const char *name, struct kovn_error *err)
{
    const struct nbrec_logical_switch_port *lsp =
        ovn_switch_port_find(nb, name);

    (void)txn;
    if (!lsp) {
        return 0;
    }
    if (!ovn_owner_is_ours(&lsp->external_ids)) {
        return kovn_error_set(err, -EPERM,
                              "Logical_Switch_Port \"%s\" is not managed by "
                              "kovn",
                              name);
    }
    /* A port is not a root row: dropping the last reference deletes it. */
    detach_port(nb, lsp, NULL);
    return 0;
}
