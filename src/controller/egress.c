/* Egress routing of the default VPC; see egress.h. */
#include <config.h>

#include "controller/egress.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/addresses.h"
#include "controller/controller.h"
#include "crd/model.h"
#include "crd/node.h"
#include "crd/subnet.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/selector.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovn/acl.h"
#include "ovn/owner.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

void
egress_policies_init(struct egress_policies *p)
{
    memset(p, 0, sizeof *p);
    svec_init(&p->matches);
}

void
egress_policies_destroy(struct egress_policies *p)
{
    free(p->specs);
    svec_destroy(&p->matches);
}

void
egress_policies_add(struct egress_policies *p, int64_t priority, char *match,
                    const char *action, const struct net_addr *nexthop)
{
    if (p->n == p->allocated) {
        p->specs = x2nrealloc(p->specs, &p->allocated, sizeof *p->specs);
    }
    svec_add_nocopy(&p->matches, match);
    p->specs[p->n++] =
        (struct ovn_policy_spec){priority, match, action, nexthop};
}

static const char *
ip_field(enum net_family family)
{
    return family == NET_V4 ? "ip4" : "ip6";
}

bool
egress_subnet_has_gateway(const struct controller *ctl,
                          const struct subnet *subnet)
{
    return !strcmp(subnet->vpc, ctl->opts.default_vpc) &&
           (!ctl->opts.join_subnet ||
            strcmp(subnet->name, ctl->opts.join_subnet));
}

static bool
is_centralized(const struct subnet *subnet)
{
    return !strcmp(subnet->gateway_type, "centralized");
}

/* Why node 'name' cannot be a gateway now, or NULL if it can. */
static const char *
gateway_unusable(const struct controller *ctl, const char *name)
{
    const struct json *obj = kube_informer_get(ctl->node_informer, name);
    struct crd_node node;

    if (!obj) {
        return "does not exist";
    }
    crd_node_from_json(obj, &node);
    if (!node.ready) {
        return "is not Ready";
    }
    return addresses_find_node(&ctl->addresses, name)
               ? NULL
               : "has no join address yet";
}

/* spec.gatewayNode's names in order, then the nodes the selectors pick,
 * by name: the order of fail-over. */
static void
gateway_candidates(const struct controller *ctl, const struct subnet *subnet,
                   struct svec *out)
{
    struct sset seen = SSET_INITIALIZER(&seen);
    struct sset selected = SSET_INITIALIZER(&selected);
    const char *name;
    size_t i;

    SVEC_FOR_EACH(i, name, &subnet->gateway_nodes)
    {
        if (sset_add(&seen, name)) {
            svec_add(out, name);
        }
    }
    if (subnet->n_gateway_selectors) {
        struct kube_store_cursor node;

        KUBE_STORE_FOR_EACH(&node, kube_informer_store(ctl->node_informer))
        {
            struct smap labels = SMAP_INITIALIZER(&labels);

            kube_object_labels(node.object, &labels);
            for (size_t s = 0; s < subnet->n_gateway_selectors; s++) {
                if (kube_selector_matches(&subnet->gateway_selectors[s],
                                          &labels)) {
                    sset_add(&selected, node.key);
                    break;
                }
            }
            smap_destroy(&labels);
        }
    }
    const char **sorted = sset_sort(&selected);
    for (i = 0; sorted[i]; i++) {
        if (sset_add(&seen, sorted[i])) {
            svec_add(out, sorted[i]);
        }
    }
    free(sorted);
    sset_destroy(&selected);
    sset_destroy(&seen);
}

char *
egress_active_gateway(const struct controller *ctl,
                      const struct subnet *subnet, char **why)
{
    struct svec candidates = SVEC_EMPTY_INITIALIZER;
    struct ds skipped = DS_EMPTY_INITIALIZER;
    char *active = NULL;
    const char *name;
    size_t i;

    gateway_candidates(ctl, subnet, &candidates);
    SVEC_FOR_EACH(i, name, &candidates)
    {
        const char *reason = gateway_unusable(ctl, name);

        if (!reason) {
            active = xstrdup(name);
            break;
        }
        ds_put_format(&skipped, "%snode \"%s\" %s", skipped.length ? "; " : "",
                      name, reason);
    }
    if (!candidates.n) {
        ds_put_cstr(&skipped, "spec.gatewayNode names no node and "
                              "spec.gatewayNodeSelectors select none");
    }
    svec_destroy(&candidates);
    *why = ds_steal_cstr(&skipped);
    return active;
}

int
egress_write_subnet(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                    const struct controller *ctl, const char *subnet_name,
                    const char *vpc, bool delete, struct kovn_error *err)
{
    const struct subnet *subnet = crd_model_subnet(ctl->model, subnet_name);
    struct ovn_owner owner = {OVN_OWNER_SUBNET, subnet_name};
    struct egress_policies policies;
    const struct pod_alloc *gateway = NULL;
    int error;

    if (!ovn_router_find(nb, vpc)) {
        return 0; /* Nothing of it there; a new router starts empty. */
    }
    egress_policies_init(&policies);
    if (!delete &&subnet && !strcmp(vpc, ctl->opts.default_vpc)) {
        if (egress_subnet_has_gateway(ctl, subnet) && is_centralized(subnet)) {
            char *why;
            char *active = egress_active_gateway(ctl, subnet, &why);

            if (active) {
                gateway = addresses_find_node(&ctl->addresses, active);
            }
            free(active);
            free(why);
        }
        for (size_t i = 0; i < subnet->n_cidrs; i++) {
            const struct net_cidr *cidr = &subnet->cidrs[i];
            const char *ip = ip_field(cidr->addr.family);
            const struct net_addr *nexthop =
                pod_alloc_address(gateway, cidr->addr.family);
            char text[NET_CIDR_STRLEN];

            net_cidr_format(cidr, text);
            egress_policies_add(&policies, EGRESS_IN_CLUSTER_PRIORITY,
                                xasprintf("%s.dst == %s", ip, text), "allow",
                                NULL);
            if (nexthop) {
                egress_policies_add(&policies, EGRESS_GATEWAY_PRIORITY,
                                    xasprintf("%s.src == %s", ip, text),
                                    "reroute", nexthop);
            }
        }
    }
    error = ovn_policies_set(nb, txn, vpc, policies.specs, policies.n, &owner,
                             err);
    egress_policies_destroy(&policies);
    return error;
}

/* Addresses of one family, as /32 or /128 prefixes. */
struct cidr_list {
    struct net_cidr *cidrs;
    size_t n, allocated;
};

static void
cidr_list_add(struct cidr_list *list, const struct net_addr *addr)
{
    if (list->n == list->allocated) {
        list->cidrs =
            x2nrealloc(list->cidrs, &list->allocated, sizeof *list->cidrs);
    }
    list->cidrs[list->n].addr = *addr;
    list->cidrs[list->n].prefix = addr->family == NET_V4 ? 32 : 128;
    list->n++;
}

/* The addresses of node 'name''s pods whose egress leaves through it, per
 * family (NET_V4, NET_V6).  One pass for both families, and one subnet
 * lookup per run of pods in the same subnet: a node reconciles at every
 * change of its pods' addresses, so this runs for each new pod. */
static void
distributed_pod_addresses(const struct controller *ctl, const char *name,
                          struct cidr_list out[2])
{
    const struct sset *pods =
        kube_informer_by_index(ctl->pod_informer, CTRL_POD_BY_NODE, name);
    const char *last_subnet = NULL;
    bool last_distributed = false;
    const char *pod;

    memset(out, 0, 2 * sizeof *out);
    if (!pods) {
        return;
    }
    SSET_FOR_EACH(pod, pods)
    {
        const struct pod_alloc *alloc = addresses_find(&ctl->addresses, pod);

        if (!alloc) {
            continue;
        }
        if (!last_subnet || strcmp(last_subnet, alloc->subnet)) {
            const struct subnet *subnet =
                crd_model_subnet(ctl->model, alloc->subnet);

            last_subnet = alloc->subnet;
            last_distributed = subnet &&
                               egress_subnet_has_gateway(ctl, subnet) &&
                               !is_centralized(subnet);
        }
        if (!last_distributed) {
            continue;
        }
        for (size_t i = 0; i < alloc->addrs.n; i++) {
            const struct net_addr *addr = &alloc->addrs.addrs[i];

            cidr_list_add(&out[addr->family == NET_V4 ? 0 : 1], addr);
        }
    }
}

int
egress_write_node(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const struct controller *ctl, const char *name,
                  const struct pod_alloc *join,
                  struct egress_policies *policies, struct kovn_error *err)
{
    static const enum net_family families[] = {NET_V4, NET_V6};
    struct ovn_owner owner = {OVN_OWNER_NODE, name};
    struct cidr_list addresses[2];
    int error = 0;

    distributed_pod_addresses(ctl, name, addresses);
    for (size_t f = 0; f < 2 && !error; f++) {
        const struct net_addr *nexthop = pod_alloc_address(join, families[f]);
        char *as = crd_node_address_set_name(name, families[f]);

        if (!nexthop) {
            if (ovn_address_set_find(nb, as)) {
                error = ovn_address_set_delete(nb, txn, as, err);
            }
            free(as);
            continue;
        }
        if (!ovn_address_set_ensure(nb, txn, as, addresses[f].cidrs,
                                    addresses[f].n, &owner, err)) {
            error = err && err->code ? err->code : -EINVAL;
        } else {
            egress_policies_add(
                policies, EGRESS_GATEWAY_PRIORITY,
                xasprintf("%s.src == $%s", ip_field(families[f]), as),
                "reroute", nexthop);
        }
        free(as);
    }
    free(addresses[0].cidrs);
    free(addresses[1].cidrs);
    return error;
}
