/* DHCP_Options helpers; see dhcp.h. */
#include <config.h>

#include "ovn/dhcp.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "smap.h"

const struct nbrec_dhcp_options *
ovn_dhcp_options_find(struct ovn_nb *nb, const struct net_cidr *cidr,
                      const struct ovn_owner *owner)
{
    const struct nbrec_dhcp_options *row;
    char text[NET_CIDR_STRLEN];

    net_cidr_format(cidr, text);
    NBREC_DHCP_OPTIONS_FOR_EACH(row, nb->idl)
    {
        if (!strcmp(row->cidr, text) &&
            ovn_owner_matches(&row->external_ids, owner)) {
            return row;
        }
    }
    return NULL;
}

const struct nbrec_dhcp_options *
ovn_dhcp_options_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const struct net_cidr *cidr,
                        const struct smap *options,
                        const struct ovn_owner *owner, struct kovn_error *err)
{
    const struct nbrec_dhcp_options *row;
    char text[NET_CIDR_STRLEN];

    net_cidr_format(cidr, text);
    struct net_addr network = net_cidr_first(cidr);
    if (!net_addr_equals(&network, &cidr->addr)) {
        kovn_error_set(err, -EINVAL,
                       "DHCP_Options \"%s\": cidr has host bits set", text);
        return NULL;
    }
    row = ovn_dhcp_options_find(nb, cidr, owner);
    if (!row) {
        struct nbrec_dhcp_options *new = nbrec_dhcp_options_insert(txn);
        struct smap ids = SMAP_INITIALIZER(&ids);

        nbrec_dhcp_options_set_cidr(new, text);
        ovn_owner_tag(&ids, owner);
        nbrec_dhcp_options_set_external_ids(new, &ids);
        smap_destroy(&ids);
        row = new;
    }
    if (!smap_equal(&row->options, options)) {
        nbrec_dhcp_options_set_options(row, options);
    }
    return row;
}

int
ovn_dhcp_options_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                        const struct net_cidr *cidr,
                        const struct ovn_owner *owner)
{
    const struct nbrec_dhcp_options *row =
        ovn_dhcp_options_find(nb, cidr, owner);

    (void)txn;
    if (row) {
        nbrec_dhcp_options_delete(row);
    }
    return 0;
}
