/* The controller's address book; see addresses.h. */
#include <config.h>

#include "controller/addresses.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "crd/pod.h"
#include "crd/subnet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

/* Nodes' keys in 'allocs'; see addresses_node_key(). */
#define NODE_KEY_PREFIX "node:"

VLOG_DEFINE_THIS_MODULE(addresses);

struct addr_space {
    struct ipam_subnet *ipam;
    char *signature; /* The addressing it was built from. */
    size_t holders;  /* Allocations recorded in it. */
};

void
addresses_init(struct addresses *book)
{
    shash_init(&book->subnets);
    shash_init(&book->allocs);
    book->macs = ipam_macs_create();
}

static void
space_destroy(struct addr_space *space)
{
    if (space) {
        ipam_subnet_destroy(space->ipam);
        free(space->signature);
        free(space);
    }
}

static void
alloc_destroy(struct pod_alloc *alloc)
{
    free(alloc->key);
    free(alloc->subnet);
    free(alloc);
}

void
addresses_destroy(struct addresses *book)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &book->subnets)
    {
        space_destroy(node->data);
    }
    shash_destroy(&book->subnets);
    SHASH_FOR_EACH(node, &book->allocs)
    {
        alloc_destroy(node->data);
    }
    shash_destroy(&book->allocs);
    ipam_macs_destroy(book->macs);
}

static char *
addressing_signature(const struct subnet *subnet)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s|", subnet->cidr_block);
    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        char buf[NET_ADDR_STRLEN];
        net_addr_format(&subnet->gateways[i], buf);
        ds_put_format(&s, "%s,", buf);
    }
    char *excl = net_range_list_format(&subnet->exclude_ips, ',');
    ds_put_format(&s, "|%s", excl);
    free(excl);
    return ds_steal_cstr(&s);
}

void
addresses_sync_subnet(struct addresses *book, const struct subnet *subnet)
{
    struct addr_space *space = shash_find_data(&book->subnets, subnet->name);
    struct shash_node *node;
    char *sig;

    if (!subnet_is_valid(subnet)) {
        return; /* Keep what it had: its pods still hold addresses. */
    }
    sig = addressing_signature(subnet);
    if (space && !strcmp(space->signature, sig)) {
        free(sig);
        return;
    }

    struct ipam_subnet_spec spec = {
        .name = subnet->name,
        .cidrs = subnet->cidrs,
        .gateways = subnet->gateways,
        .n_cidrs = subnet->n_cidrs,
        .excludes = &subnet->exclude_ips,
    };
    if (!space) {
        space = xzalloc(sizeof *space);
        shash_add(&book->subnets, subnet->name, space);
    } else {
        ipam_subnet_destroy(space->ipam);
        free(space->signature);
    }
    space->ipam = ipam_subnet_create(&spec);
    space->signature = sig;
    space->holders = 0;

    /* Addresses held before the change stay held where they still fit. */
    SHASH_FOR_EACH(node, &book->allocs)
    {
        struct pod_alloc *alloc = node->data;
        struct kovn_error err;

        if (strcmp(alloc->subnet, subnet->name)) {
            continue;
        }
        space->holders++;
        if (ipam_take(space->ipam, alloc->addrs.addrs, alloc->addrs.n, &err)) {
            VLOG_WARN("subnet %s changed: pod %s keeps addresses the new "
                      "spec does not allow: %s",
                      subnet->name, alloc->key, err.msg);
        }
    }
}

void
addresses_drop_subnet(struct addresses *book, const char *name)
{
    struct addr_space *space = shash_find_and_delete(&book->subnets, name);

    space_destroy(space);
}

struct ipam_subnet *
addresses_ipam(const struct addresses *book, const char *subnet)
{
    const struct addr_space *space = shash_find_data(&book->subnets, subnet);

    return space ? space->ipam : NULL;
}

const struct pod_alloc *
addresses_find(const struct addresses *book, const char *key)
{
    return shash_find_data(&book->allocs, key);
}

char *
addresses_node_key(const char *node)
{
    return xasprintf(NODE_KEY_PREFIX "%s", node);
}

const struct pod_alloc *
addresses_find_node(const struct addresses *book, const char *node)
{
    char *key = addresses_node_key(node);
    const struct pod_alloc *alloc = addresses_find(book, key);

    free(key);
    return alloc;
}

const struct net_addr *
pod_alloc_address(const struct pod_alloc *alloc, enum net_family family)
{
    for (size_t i = 0; alloc && i < alloc->addrs.n; i++) {
        if (alloc->addrs.addrs[i].family == family) {
            return &alloc->addrs.addrs[i];
        }
    }
    return NULL;
}

static void
record(struct addresses *book, const char *key, const char *subnet,
       const struct ipam_addrs *addrs, const struct net_mac *mac)
{
    struct pod_alloc *alloc = xzalloc(sizeof *alloc);
    struct addr_space *space = shash_find_data(&book->subnets, subnet);

    if (space) {
        space->holders++;
    }
    alloc->key = xstrdup(key);
    alloc->subnet = xstrdup(subnet);
    alloc->addrs = *addrs;
    alloc->mac = *mac;
    shash_add(&book->allocs, key, alloc);
}

int
addresses_take(struct addresses *book, const char *key, const char *subnet,
               const struct ipam_addrs *addrs, const struct net_mac *mac,
               struct kovn_error *err)
{
    struct ipam_subnet *ipam = addresses_ipam(book, subnet);
    int error;

    if (shash_find(&book->allocs, key)) {
        return kovn_error_set(err, -EEXIST, "pod %s already holds addresses",
                              key);
    }
    if (!ipam) {
        return kovn_error_set(err, -ENOENT, "subnet %s has no usable spec",
                              subnet);
    }
    if ((error = ipam_take(ipam, addrs->addrs, addrs->n, err))) {
        return error;
    }
    if (ipam_mac_take(book->macs, mac)) {
        char buf[NET_MAC_STRLEN];
        ipam_release(ipam, addrs->addrs, addrs->n);
        net_mac_format(mac, buf);
        return kovn_error_set(err, -EADDRINUSE, "MAC %s is in use", buf);
    }
    record(book, key, subnet, addrs, mac);
    return 0;
}

int
addresses_restore(struct addresses *book, const char *key, const char *subnet,
                  const struct ipam_addrs *addrs, const struct net_mac *mac,
                  bool *kept, struct kovn_error *err)
{
    int error = addresses_take(book, key, subnet, addrs, mac, err);

    *kept = false;
    if (error != -EINVAL) {
        return error;
    }
    if (ipam_mac_take(book->macs, mac)) {
        char buf[NET_MAC_STRLEN];
        net_mac_format(mac, buf);
        return kovn_error_set(err, -EADDRINUSE, "MAC %s is in use", buf);
    }
    record(book, key, subnet, addrs, mac);
    *kept = true;
    return 0;
}

int
addresses_alloc(struct addresses *book, const char *key, const char *subnet,
                const struct net_range_list *pool, const struct net_mac *mac)
{
    struct ipam_subnet *ipam = addresses_ipam(book, subnet);
    struct ipam_addrs addrs;
    struct net_mac chosen;
    int error;

    if (!ipam) {
        return -ENOENT;
    }
    if (addresses_at_port_limit(book, subnet)) {
        return -EDQUOT;
    }
    if (mac && ipam_mac_take(book->macs, mac)) {
        return -EADDRINUSE;
    }
    if ((error = ipam_alloc(ipam, pool, &addrs))) {
        if (mac) {
            ipam_mac_release(book->macs, mac);
        }
        return error;
    }
    if (mac) {
        chosen = *mac;
    } else {
        ipam_mac_alloc(book->macs, &chosen);
    }
    record(book, key, subnet, &addrs, &chosen);
    return 0;
}

void
addresses_release(struct addresses *book, const char *key)
{
    struct pod_alloc *alloc = shash_find_and_delete(&book->allocs, key);

    if (alloc) {
        struct addr_space *space =
            shash_find_data(&book->subnets, alloc->subnet);

        if (space) {
            ipam_release(space->ipam, alloc->addrs.addrs, alloc->addrs.n);
            space->holders -= space->holders > 0;
        }
        ipam_mac_release(book->macs, &alloc->mac);
        alloc_destroy(alloc);
    }
}

size_t
addresses_holders(const struct addresses *book, const char *subnet)
{
    const struct addr_space *space = shash_find_data(&book->subnets, subnet);

    return space ? space->holders : 0;
}

void
addresses_pod_ip_names(const struct addresses *book, const char *subnet,
                       struct sset *names)
{
    const struct shash_node *node;

    if (!addresses_holders(book, subnet)) {
        return;
    }
    SHASH_FOR_EACH(node, &book->allocs)
    {
        const struct pod_alloc *alloc = node->data;

        if (!strcmp(alloc->subnet, subnet) &&
            strncmp(alloc->key, NODE_KEY_PREFIX, strlen(NODE_KEY_PREFIX))) {
            sset_add_and_free(names, crd_pod_port_name(alloc->key));
        }
    }
}

bool
addresses_at_port_limit(const struct addresses *book, const char *subnet)
{
    return book->pod_limit &&
           addresses_holders(book, subnet) >= book->pod_limit;
}

size_t
addresses_count(const struct addresses *book)
{
    return shash_count(&book->allocs);
}
