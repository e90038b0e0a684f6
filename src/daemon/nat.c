/* Masquerade rules; see nat.h. */
#include <config.h>

#include "daemon/nat.h"

#include <string.h>

#include "crd/subnet.h"
#include "openvswitch/dynamic-string.h"
#include "sset.h"
#include "util.h"

static bool
in_default_vpc(const struct nat_node *node, const struct subnet *subnet)
{
    return subnet_is_valid(subnet) && !subnet->deleting &&
           !strcmp(subnet->vpc, node->default_vpc);
}

static bool
masqueraded_here(const struct nat_node *node, const struct subnet *subnet)
{
    if (!in_default_vpc(node, subnet) || !subnet->nat_outgoing ||
        (node->join_subnet && !strcmp(subnet->name, node->join_subnet))) {
        return false;
    }
    return strcmp(subnet->gateway_type, "centralized")
               ? true
               : !strcmp(subnet->active_gateway, node->node);
}

static void
add_v4(struct sset *set, const struct net_cidr *cidr)
{
    char text[NET_CIDR_STRLEN];

    if (cidr->addr.family == NET_V4) {
        net_cidr_format(cidr, text);
        sset_add(set, text);
    }
}

static void
put_set(struct ds *s, const char *name, const struct sset *elements)
{
    ds_put_format(s,
                  "    set %s {\n"
                  "        type ipv4_addr; flags interval; auto-merge;\n",
                  name);
    if (!sset_is_empty(elements)) {
        const char **sorted = sset_sort(elements);

        ds_put_cstr(s, "        elements = { ");
        for (size_t i = 0; sorted[i]; i++) {
            ds_put_format(s, "%s%s", i ? ", " : "", sorted[i]);
        }
        ds_put_cstr(s, " }\n");
        free(sorted);
    }
    ds_put_cstr(s, "    }\n");
}

char *
nat_ruleset(const struct nat_node *node, const struct subnet *const *subnets,
            size_t n_subnets)
{
    struct sset sources = SSET_INITIALIZER(&sources);
    struct sset cluster = SSET_INITIALIZER(&cluster);
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < node->n_cluster_cidrs; i++) {
        add_v4(&cluster, &node->cluster_cidrs[i]);
    }
    for (size_t i = 0; i < n_subnets; i++) {
        const struct subnet *subnet = subnets[i];

        for (size_t c = 0; in_default_vpc(node, subnet) && c < subnet->n_cidrs;
             c++) {
            add_v4(&cluster, &subnet->cidrs[c]);
            if (masqueraded_here(node, subnet)) {
                add_v4(&sources, &subnet->cidrs[c]);
            }
        }
    }
    /* Declaring the table first makes the delete succeed when it is not
     * there yet; the delete empties it of whatever an older ruleset had. */
    ds_put_format(&s, "table ip %s\ndelete table ip %s\ntable ip %s {\n",
                  node->table, node->table, node->table);
    put_set(&s, "cluster", &cluster);
    put_set(&s, "nat_sources", &sources);
    ds_put_cstr(&s, "    chain postrouting {\n"
                    "        type nat hook postrouting priority srcnat; "
                    "policy accept;\n"
                    "        ip saddr @nat_sources ip daddr != @cluster "
                    "masquerade\n"
                    "    }\n"
                    "}\n");
    sset_destroy(&sources);
    sset_destroy(&cluster);
    return ds_steal_cstr(&s);
}

char *
nat_ruleset_delete(const char *table)
{
    return xasprintf("table ip %s\ndelete table ip %s\n", table, table);
}
