/* The network picture of a cluster, gathered from crd_model's verdicts; see
 * topology.h. */
#include <config.h>

#include "crd/topology.h"

#include <stdarg.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"

struct topology {
    const struct crd_model *model;

    /* Facts added before the build. */
    struct shash ns_labels; /* Namespace name -> struct smap * (copy). */
    struct shash pods;      /* "ns\tsubnet\tnode" -> struct pod_count * */
    struct shash used;      /* Subnet name -> size_t * */
    bool ovn_read;
    struct shash stale; /* "kind\tname" -> struct topology_stale_owner * */

    /* The result. */
    struct topology_vpc *vpcs;
    size_t n_vpcs;
    struct topology_subnet *subnets;
    size_t n_subnets;
    struct topology_namespace *namespaces;
    size_t n_namespaces;
    struct topology_stale_owner *stale_owners;
    size_t n_stale_owners;
};

struct pod_count {
    char *ns, *subnet, *node;
    size_t n;
};

const char *
topology_bound_by_name(enum topology_bound_by bound_by)
{
    switch (bound_by) {
    case TOPOLOGY_BOUND_NAMESPACES:
        return "namespaces";
    case TOPOLOGY_BOUND_SELECTOR:
        return "namespaceSelectors";
    case TOPOLOGY_BOUND_VPC_DEFAULT:
        return "vpcDefaultSubnet";
    case TOPOLOGY_BOUND_CLUSTER_DEFAULT:
        return "default";
    }
    return "unknown";
}

static void OVS_PRINTF_FORMAT(3, 4)
    problem_add(struct topology_problems *problems, const char *reason,
                const char *format, ...)
{
    struct topology_problem *p;
    va_list args;

    if (problems->n == problems->allocated) {
        problems->items = x2nrealloc(problems->items, &problems->allocated,
                                     sizeof *problems->items);
    }
    p = &problems->items[problems->n++];
    p->reason = xstrdup(reason);
    va_start(args, format);
    p->message = xvasprintf(format, args);
    va_end(args);
}

static void
problems_destroy(struct topology_problems *problems)
{
    for (size_t i = 0; i < problems->n; i++) {
        free(problems->items[i].reason);
        free(problems->items[i].message);
    }
    free(problems->items);
}

static void
stale_owner_destroy(struct topology_stale_owner *owner)
{
    for (size_t i = 0; i < owner->n_rows; i++) {
        free(owner->rows[i].table);
        free(owner->rows[i].name);
    }
    free(owner->rows);
    free(owner->kind);
    free(owner->name);
    problems_destroy(&owner->problems);
}

struct topology *
topology_create(const struct crd_model *model)
{
    struct topology *topology = xzalloc(sizeof *topology);

    topology->model = model;
    shash_init(&topology->ns_labels);
    shash_init(&topology->pods);
    shash_init(&topology->used);
    shash_init(&topology->stale);
    return topology;
}

void
topology_destroy(struct topology *topology)
{
    struct shash_node *node;

    if (!topology) {
        return;
    }
    SHASH_FOR_EACH(node, &topology->ns_labels)
    {
        smap_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&topology->ns_labels);
    SHASH_FOR_EACH(node, &topology->pods)
    {
        struct pod_count *count = node->data;
        free(count->ns);
        free(count->subnet);
        free(count->node);
        free(count);
    }
    shash_destroy(&topology->pods);
    shash_destroy_free_data(&topology->used);
    /* The stale owners moved into 'stale_owners' at the build, or are
     * still here. */
    SHASH_FOR_EACH(node, &topology->stale)
    {
        stale_owner_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&topology->stale);
    for (size_t i = 0; i < topology->n_stale_owners; i++) {
        stale_owner_destroy(&topology->stale_owners[i]);
    }
    free(topology->stale_owners);

    for (size_t i = 0; i < topology->n_vpcs; i++) {
        free(topology->vpcs[i].subnets);
        free(topology->vpcs[i].peerings);
        problems_destroy(&topology->vpcs[i].problems);
    }
    free(topology->vpcs);
    for (size_t i = 0; i < topology->n_subnets; i++) {
        free(topology->subnets[i].namespaces);
        problems_destroy(&topology->subnets[i].problems);
    }
    free(topology->subnets);
    for (size_t i = 0; i < topology->n_namespaces; i++) {
        struct topology_namespace *ns = &topology->namespaces[i];
        free(ns->name);
        free(ns->bindings);
        free(ns->skipped);
        free(ns->pods);
        problems_destroy(&ns->problems);
    }
    free(topology->namespaces);
    free(topology);
}

void
topology_add_namespace(struct topology *topology, const char *name,
                       const struct smap *labels)
{
    struct smap *copy = xmalloc(sizeof *copy);

    if (labels) {
        smap_clone(copy, labels);
    } else {
        smap_init(copy);
    }
    copy = shash_replace(&topology->ns_labels, name, copy);
    if (copy) {
        smap_destroy(copy);
        free(copy);
    }
}

void
topology_add_pods(struct topology *topology, const char *ns,
                  const char *subnet, const char *node, size_t n)
{
    char *key;
    struct pod_count *count;

    subnet = subnet ? subnet : "";
    node = node ? node : "";
    key = xasprintf("%s\t%s\t%s", ns, subnet, node);
    count = shash_find_data(&topology->pods, key);
    if (!count) {
        count = xzalloc(sizeof *count);
        count->ns = xstrdup(ns);
        count->subnet = xstrdup(subnet);
        count->node = xstrdup(node);
        shash_add(&topology->pods, key, count);
    }
    count->n += n;
    free(key);
}

void
topology_add_used(struct topology *topology, const char *subnet, size_t n)
{
    size_t *count = shash_find_data(&topology->used, subnet);

    if (!count) {
        count = xzalloc(sizeof *count);
        shash_add(&topology->used, subnet, count);
    }
    *count += n;
}

void
topology_set_ovn_read(struct topology *topology)
{
    topology->ovn_read = true;
}

void
topology_add_stale_row(struct topology *topology, const char *table,
                       const char *name, const char *owner_kind,
                       const char *owner_name)
{
    char *key = xasprintf("%s\t%s", owner_kind, owner_name);
    struct topology_stale_owner *owner =
        shash_find_data(&topology->stale, key);

    topology->ovn_read = true;
    if (!owner) {
        owner = xzalloc(sizeof *owner);
        owner->kind = xstrdup(owner_kind);
        owner->name = xstrdup(owner_name);
        shash_add(&topology->stale, key, owner);
    }
    free(key);
    owner->rows =
        xrealloc(owner->rows, (owner->n_rows + 1) * sizeof *owner->rows);
    owner->rows[owner->n_rows].table = xstrdup(table);
    owner->rows[owner->n_rows].name = xstrdup(name);
    owner->n_rows++;
}

/* How 'ns' came to 'subnet' (which crd_model_bind_namespace() gave it). */
static enum topology_bound_by
bound_by(const struct crd_model *model, const char *ns,
         const struct smap *labels, const struct subnet *subnet)
{
    const struct sset *listing;
    const char *name;

    if (sset_contains(&subnet->namespaces, ns)) {
        return TOPOLOGY_BOUND_NAMESPACES;
    }
    if (subnet->n_selectors && subnet_selects_namespace(subnet, ns, labels)) {
        return TOPOLOGY_BOUND_SELECTOR;
    }
    listing = crd_model_vpcs_listing(model, ns);
    if (listing) {
        SSET_FOR_EACH(name, listing)
        {
            const struct vpc *vpc = crd_model_vpc(model, name);
            if (vpc && !strcmp(vpc->default_subnet, subnet->name)) {
                return TOPOLOGY_BOUND_VPC_DEFAULT;
            }
        }
    }
    return TOPOLOGY_BOUND_CLUSTER_DEFAULT;
}

static void
collect_skip(const struct subnet *subnet, enum subnet_state state, void *ns_)
{
    struct topology_namespace *ns = ns_;

    ns->skipped =
        xrealloc(ns->skipped, (ns->n_skipped + 1) * sizeof *ns->skipped);
    ns->skipped[ns->n_skipped].subnet = subnet->name;
    ns->skipped[ns->n_skipped].state = state;
    ns->n_skipped++;
}

static void
no_usable_subnet(const struct crd_model *model, struct topology_namespace *ns)
{
    struct ds why = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ns->n_skipped; i++) {
        ds_put_format(&why, "%s%s (%s)",
                      i ? ", " : "set aside: ", ns->skipped[i].subnet,
                      subnet_state_reason(ns->skipped[i].state));
    }
    if (!why.length) {
        const struct sset *listing = crd_model_vpcs_listing(model, ns->name);
        const char **sorted = listing ? sset_sort(listing) : NULL;
        const struct vpc *vpc =
            sorted ? crd_model_vpc(model, sorted[0]) : NULL;

        if (vpc && *vpc->default_subnet) {
            ds_put_format(&why,
                          "Vpc %s lists it, and its defaultSubnet %s "
                          "does not exist",
                          vpc->name, vpc->default_subnet);
        } else {
            ds_put_format(&why,
                          "no subnet names it and the default subnet "
                          "%s is missing or unusable",
                          crd_model_default_subnet(model));
        }
        free(sorted);
    }
    problem_add(&ns->problems, "NoUsableSubnet", "no usable subnet: %s",
                ds_cstr(&why));
    ds_destroy(&why);
}

/* Binds namespace 'name' and fills 'ns' (pods come later). */
static void
bind_namespace(const struct crd_model *model, const char *name,
               const struct smap *labels, struct topology_namespace *ns)
{
    struct ns_binding binding;
    const char *subnet_name;
    size_t i;

    memset(ns, 0, sizeof *ns);
    ns->name = xstrdup(name);
    crd_model_bind_namespace(model, name, labels, &binding, collect_skip, ns);
    ns->bindings = xcalloc(MAX(binding.subnets.n, 1), sizeof *ns->bindings);
    SVEC_FOR_EACH(i, subnet_name, &binding.subnets)
    {
        const struct subnet *subnet = crd_model_subnet(model, subnet_name);
        ns->bindings[i].subnet = subnet->name;
        ns->bindings[i].bound_by = bound_by(model, name, labels, subnet);
    }
    ns->n_bindings = binding.subnets.n;
    ns_binding_destroy(&binding);
    if (!ns->n_bindings) {
        no_usable_subnet(model, ns);
    }
}

static bool
ns_uses_subnet(const struct topology_namespace *ns, const char *subnet)
{
    for (size_t i = 0; i < ns->n_bindings; i++) {
        if (!strcmp(ns->bindings[i].subnet, subnet)) {
            return true;
        }
    }
    for (size_t i = 0; i < ns->n_skipped; i++) {
        if (!strcmp(ns->skipped[i].subnet, subnet)) {
            return true;
        }
    }
    return false;
}

/* Hands the pod counts to their namespaces, sorted by subnet then node
 * (the keys sort that way within a namespace). */
static void
assign_pods(struct topology *topology, struct shash *by_name)
{
    const struct shash_node **sorted = shash_sort(&topology->pods);
    size_t n = shash_count(&topology->pods);

    for (size_t i = 0; i < n; i++) {
        const struct pod_count *count = sorted[i]->data;
        struct topology_namespace *ns = shash_find_data(by_name, count->ns);

        if (ns) {
            ns->pods = xrealloc(ns->pods, (ns->n_pods + 1) * sizeof *ns->pods);
            ns->pods[ns->n_pods].subnet = count->subnet;
            ns->pods[ns->n_pods].node = count->node;
            ns->pods[ns->n_pods].n = count->n;
            ns->n_pods++;
        }
    }
    free(sorted);
}

static void
subnet_problems(const struct crd_model *model, struct topology_subnet *ts,
                const struct shash *used)
{
    const struct subnet *subnet = ts->subnet;
    const size_t *n_used = shash_find_data(used, subnet->name);

    ts->state = crd_model_subnet_state(model, subnet, &ts->overlaps);
    ts->used = n_used ? *n_used : 0;
    switch (ts->state) {
    case SUBNET_VPC_NOT_FOUND:
        problem_add(&ts->problems, subnet_state_reason(ts->state),
                    "spec.vpc names Vpc %s, which does not exist%s",
                    subnet->vpc,
                    subnet->allow_missing_vpc
                        ? " (it waits for it: " CRD_ALLOW_MISSING_VPC ")"
                        : ": create it or move the subnet's pods");
        break;
    case SUBNET_INVALID:
        problem_add(&ts->problems, subnet_state_reason(ts->state), "%s",
                    subnet->error);
        break;
    case SUBNET_OVERLAP:
        problem_add(&ts->problems, subnet_state_reason(ts->state),
                    "overlaps older subnet %s of Vpc %s", ts->overlaps->name,
                    subnet->vpc);
        break;
    case SUBNET_OK:
    case SUBNET_DELETING:
        break;
    }
    if (!subnet_is_valid(subnet)) {
        return;
    }
    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        net_u128 n = subnet_usable_count(subnet, subnet->cidrs[i].addr.family);
        if (!i || n < ts->usable) {
            ts->usable = n;
        }
    }
    /* Past 2^100 usable addresses no count of IP objects comes near, and
     * the product below could overflow. */
    if (ts->used && ts->usable < ((net_u128)1 << 100) &&
        (net_u128)ts->used * 100 >=
            ts->usable * (net_u128)TOPOLOGY_NEAR_FULL_PERCENT) {
        char usable[NET_ADDR_STRLEN];

        net_u128_format(ts->usable, usable);
        problem_add(&ts->problems, "NearFull",
                    "%zu of %s usable addresses in use (at least %d%%)",
                    ts->used, usable, TOPOLOGY_NEAR_FULL_PERCENT);
    }
}

static void
vpc_problems(const struct topology *topology, struct topology_vpc *tv)
{
    const struct vpc *vpc = tv->vpc;
    const struct sset *subnets;

    if (!vpc) {
        return;
    }
    if (vpc->error) {
        problem_add(&tv->problems, "InvalidSpec", "%s", vpc->error);
    }
    subnets = crd_model_subnets_of_vpc(topology->model, vpc->name);
    if (vpc->deleting && subnets && !sset_is_empty(subnets)) {
        const char **sorted = sset_sort(subnets);
        struct ds names = DS_EMPTY_INITIALIZER;

        for (size_t i = 0; sorted[i]; i++) {
            ds_put_format(&names, "%s%s", i ? ", " : "", sorted[i]);
        }
        /* The words of the controller's condition (controller/vpc.c). */
        problem_add(&tv->problems, "SubnetsExist",
                    "deletion blocked by subnets: %s", ds_cstr(&names));
        ds_destroy(&names);
        free(sorted);
    }
    tv->peerings = xcalloc(MAX(vpc->n_peerings, 1), sizeof *tv->peerings);
    tv->n_peerings = vpc->n_peerings;
    for (size_t i = 0; i < vpc->n_peerings; i++) {
        struct topology_peering *p = &tv->peerings[i];
        const struct vpc *remote;
        bool mutual = false;

        p->remote_vpc = vpc->peerings[i].remote_vpc;
        p->local_connect_ip = vpc->peerings[i].local_connect_ip;
        remote = crd_model_vpc(topology->model, p->remote_vpc);
        for (size_t j = 0; remote && j < remote->n_peerings; j++) {
            mutual |= !strcmp(remote->peerings[j].remote_vpc, vpc->name);
        }
        if (!remote) {
            p->problem = "PeerVpcNotFound";
            problem_add(&tv->problems, p->problem,
                        "spec.vpcPeerings names Vpc %s, which does not exist",
                        p->remote_vpc);
        } else if (!mutual) {
            p->problem = "PeeringNotMutual";
            problem_add(&tv->problems, p->problem,
                        "Vpc %s does not list %s in its spec.vpcPeerings",
                        p->remote_vpc, vpc->name);
        }
    }
}

/* What the filters keep, as sets of names. */
struct view {
    struct sset vpcs, subnets, namespaces;
};

static void
compute_view(const struct topology *topology, const struct shash *by_name,
             const char *vpc_filter, const char *ns_filter, struct view *view)
{
    const struct crd_model *model = topology->model;
    struct shash_node *node;

    sset_init(&view->vpcs);
    sset_init(&view->subnets);
    sset_init(&view->namespaces);

    SHASH_FOR_EACH(node, crd_model_subnets(model))
    {
        const struct subnet *subnet = node->data;
        const struct topology_namespace *ns =
            ns_filter ? shash_find_data(by_name, ns_filter) : NULL;

        if (vpc_filter && strcmp(subnet->vpc, vpc_filter)) {
            continue;
        }
        if (ns_filter && (!ns || !ns_uses_subnet(ns, subnet->name))) {
            continue;
        }
        sset_add(&view->subnets, subnet->name);
        sset_add(&view->vpcs, subnet->vpc);
    }
    if (!ns_filter) {
        SHASH_FOR_EACH(node, crd_model_vpcs(model))
        {
            if (!vpc_filter || !strcmp(node->name, vpc_filter)) {
                sset_add(&view->vpcs, node->name);
            }
        }
    }
    SHASH_FOR_EACH(node, by_name)
    {
        const struct topology_namespace *ns = node->data;
        const char *subnet;
        bool keep = !vpc_filter;

        if (ns_filter) {
            keep = !strcmp(ns->name, ns_filter);
        } else if (vpc_filter) {
            SSET_FOR_EACH(subnet, &view->subnets)
            {
                keep |= ns_uses_subnet(ns, subnet);
            }
        }
        if (keep) {
            sset_add(&view->namespaces, ns->name);
        }
    }
}

static const char **
names_in(const struct sset *set, size_t *n)
{
    *n = sset_count(set);
    return sset_sort(set);
}

static void
build_stale(struct topology *topology, const char *vpc_filter,
            const char *ns_filter)
{
    const struct shash_node **sorted = shash_sort(&topology->stale);
    size_t n = shash_count(&topology->stale);

    topology->stale_owners =
        xcalloc(MAX(n, 1), sizeof *topology->stale_owners);
    for (size_t i = 0; i < n; i++) {
        struct topology_stale_owner *owner = sorted[i]->data;
        bool keep = true;

        if (vpc_filter) {
            keep = !strcmp(owner->kind, "vpc") &&
                   !strcmp(owner->name, vpc_filter);
        }
        if (ns_filter) {
            size_t len = strlen(ns_filter);
            keep = keep && !strcmp(owner->kind, "pod") &&
                   !strncmp(owner->name, ns_filter, len) &&
                   owner->name[len] == '/';
        }
        if (!owner->problems.n) {
            problem_add(&owner->problems, "StaleOvnRows",
                        "%zu OVN row%s owned by %s %s, which is gone: "
                        "kubectl kovn gc removes them",
                        owner->n_rows, owner->n_rows == 1 ? "" : "s",
                        owner->kind, owner->name);
        }
        if (keep) {
            topology->stale_owners[topology->n_stale_owners++] = *owner;
            /* The copy owns the memory now. */
            memset(owner, 0, sizeof *owner);
        }
    }
    free(sorted);
}

void
topology_build(struct topology *topology, const char *vpc_filter,
               const char *ns_filter)
{
    const struct crd_model *model = topology->model;
    const struct shash_node **sorted;
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    struct topology_namespace *all;
    struct view view;
    const char **names;
    size_t n_all, n;

    /* Every namespace, bound: the filters need the bindings. */
    sorted = shash_sort(&topology->ns_labels);
    n_all = shash_count(&topology->ns_labels);
    all = xcalloc(MAX(n_all, 1), sizeof *all);
    for (size_t i = 0; i < n_all; i++) {
        bind_namespace(model, sorted[i]->name, sorted[i]->data, &all[i]);
        shash_add(&by_name, all[i].name, &all[i]);
    }
    free(sorted);
    assign_pods(topology, &by_name);
    compute_view(topology, &by_name, vpc_filter, ns_filter, &view);

    /* Namespaces in view, moved out of 'all'. */
    topology->namespaces = xcalloc(MAX(n_all, 1), sizeof *all);
    for (size_t i = 0; i < n_all; i++) {
        if (sset_contains(&view.namespaces, all[i].name)) {
            topology->namespaces[topology->n_namespaces++] = all[i];
        } else {
            free(all[i].name);
            free(all[i].bindings);
            free(all[i].skipped);
            free(all[i].pods);
            problems_destroy(&all[i].problems);
        }
    }

    names = names_in(&view.subnets, &n);
    topology->subnets = xcalloc(MAX(n, 1), sizeof *topology->subnets);
    for (size_t i = 0; i < n; i++) {
        struct topology_subnet *ts = &topology->subnets[i];

        ts->subnet = crd_model_subnet(model, names[i]);
        subnet_problems(model, ts, &topology->used);
        ts->namespaces =
            xcalloc(MAX(topology->n_namespaces, 1), sizeof *ts->namespaces);
        for (size_t j = 0; j < topology->n_namespaces; j++) {
            const struct topology_namespace *ns = &topology->namespaces[j];
            for (size_t k = 0; k < ns->n_bindings; k++) {
                if (!strcmp(ns->bindings[k].subnet, names[i])) {
                    ts->namespaces[ts->n_namespaces++] = ns->name;
                }
            }
        }
    }
    topology->n_subnets = n;
    free(names);

    names = names_in(&view.vpcs, &n);
    topology->vpcs = xcalloc(MAX(n, 1), sizeof *topology->vpcs);
    for (size_t i = 0; i < n; i++) {
        struct topology_vpc *tv = &topology->vpcs[i];
        const struct sset *subnets = crd_model_subnets_of_vpc(model, names[i]);
        const char *name;

        tv->vpc = crd_model_vpc(model, names[i]);
        tv->missing = !tv->vpc;
        /* A placeholder's name lives in the subnets naming it. */
        tv->name = tv->vpc ? tv->vpc->name : NULL;
        tv->subnets = xcalloc(MAX(subnets ? sset_count(subnets) : 0, 1),
                              sizeof *tv->subnets);
        if (subnets) {
            const char **sorted_subnets = sset_sort(subnets);
            for (size_t j = 0; sorted_subnets[j]; j++) {
                name = sorted_subnets[j];
                if (sset_contains(&view.subnets, name)) {
                    const struct subnet *s = crd_model_subnet(model, name);
                    tv->subnets[tv->n_subnets++] = s->name;
                    if (!tv->name) {
                        tv->name = s->vpc;
                    }
                }
            }
            free(sorted_subnets);
        }
        vpc_problems(topology, tv);
    }
    topology->n_vpcs = n;
    free(names);

    build_stale(topology, vpc_filter, ns_filter);

    shash_destroy(&by_name);
    free(all);
    sset_destroy(&view.vpcs);
    sset_destroy(&view.subnets);
    sset_destroy(&view.namespaces);
}

const struct topology_vpc *
topology_vpcs(const struct topology *topology, size_t *n)
{
    *n = topology->n_vpcs;
    return topology->vpcs;
}

const struct topology_subnet *
topology_subnets(const struct topology *topology, size_t *n)
{
    *n = topology->n_subnets;
    return topology->subnets;
}

const struct topology_namespace *
topology_namespaces(const struct topology *topology, size_t *n)
{
    *n = topology->n_namespaces;
    return topology->namespaces;
}

const struct topology_stale_owner *
topology_stale_owners(const struct topology *topology, size_t *n)
{
    *n = topology->n_stale_owners;
    return topology->ovn_read ? topology->stale_owners : NULL;
}

bool
topology_ovn_read(const struct topology *topology)
{
    return topology->ovn_read;
}

const struct topology_vpc *
topology_find_vpc(const struct topology *topology, const char *name)
{
    for (size_t i = 0; i < topology->n_vpcs; i++) {
        if (!strcmp(topology->vpcs[i].name, name)) {
            return &topology->vpcs[i];
        }
    }
    return NULL;
}

const struct topology_subnet *
topology_find_subnet(const struct topology *topology, const char *name)
{
    for (size_t i = 0; i < topology->n_subnets; i++) {
        if (!strcmp(topology->subnets[i].subnet->name, name)) {
            return &topology->subnets[i];
        }
    }
    return NULL;
}

const struct topology_namespace *
topology_find_namespace(const struct topology *topology, const char *name)
{
    for (size_t i = 0; i < topology->n_namespaces; i++) {
        if (!strcmp(topology->namespaces[i].name, name)) {
            return &topology->namespaces[i];
        }
    }
    return NULL;
}

size_t
topology_n_problems(const struct topology *topology)
{
    size_t n = 0;

    for (size_t i = 0; i < topology->n_vpcs; i++) {
        n += topology->vpcs[i].problems.n;
    }
    for (size_t i = 0; i < topology->n_subnets; i++) {
        n += topology->subnets[i].problems.n;
    }
    for (size_t i = 0; i < topology->n_namespaces; i++) {
        n += topology->namespaces[i].problems.n;
    }
    for (size_t i = 0; i < topology->n_stale_owners; i++) {
        n += topology->stale_owners[i].problems.n;
    }
    return n;
}
