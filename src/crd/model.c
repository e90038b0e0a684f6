/* Typed cluster model and namespace binding; see model.h. */
#include <config.h>

#include "crd/model.h"

#include <errno.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"

struct crd_model {
    char *default_vpc;
    char *default_subnet;
    struct shash subnets; /* name -> struct subnet * */
    struct shash vpcs;    /* name -> struct vpc * */
    struct shash ippools; /* name -> struct ippool * */

    /* Indexes: key -> struct sset * of object names. */
    struct shash subnets_by_vpc;
    struct shash subnets_by_ns;
    struct shash vpcs_by_ns;
    struct shash ippools_by_ns;
    struct sset selector_subnets;

    /* Bumped by every change of a subnet: the overlap verdicts memoized in
     * the subnets are valid for one generation.  Without the memo each
     * namespace bind scanned every subnet of a VPC per candidate. */
    unsigned long long generation;
};

const char *
subnet_state_reason(enum subnet_state state)
{
    switch (state) {
    case SUBNET_OK:
        return "Ready";
    case SUBNET_DELETING:
        return "Deleting";
    case SUBNET_VPC_NOT_FOUND:
        return "VpcNotFound";
    case SUBNET_INVALID:
        return "InvalidSpec";
    case SUBNET_OVERLAP:
        return "CIDROverlap";
    }
    return "Unknown";
}

static void
index_add(struct shash *index, const char *key, const char *name)
{
    struct sset *set = shash_find_data(index, key);

    if (!set) {
        set = xmalloc(sizeof *set);
        sset_init(set);
        shash_add(index, key, set);
    }
    sset_add(set, name);
}

static void
index_remove(struct shash *index, const char *key, const char *name)
{
    struct shash_node *node = shash_find(index, key);

    if (node) {
        struct sset *set = node->data;
        sset_find_and_delete(set, name);
        if (sset_is_empty(set)) {
            sset_destroy(set);
            free(set);
            shash_delete(index, node);
        }
    }
}

static void
index_destroy(struct shash *index)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, index)
    {
        sset_destroy(node->data);
        free(node->data);
    }
    shash_destroy(index);
}

struct crd_model *
crd_model_create(const char *default_vpc, const char *default_subnet)
{
    struct crd_model *model = xzalloc(sizeof *model);

    model->default_vpc = xstrdup(default_vpc);
    model->default_subnet = xstrdup(default_subnet);
    shash_init(&model->subnets);
    shash_init(&model->vpcs);
    shash_init(&model->ippools);
    shash_init(&model->subnets_by_vpc);
    shash_init(&model->subnets_by_ns);
    shash_init(&model->vpcs_by_ns);
    shash_init(&model->ippools_by_ns);
    sset_init(&model->selector_subnets);
    return model;
}

void
crd_model_destroy(struct crd_model *model)
{
    struct shash_node *node, *next;

    if (!model) {
        return;
    }
    SHASH_FOR_EACH_SAFE(node, next, &model->subnets)
    {
        crd_model_remove_subnet(model, node->name);
    }
    SHASH_FOR_EACH_SAFE(node, next, &model->vpcs)
    {
        crd_model_remove_vpc(model, node->name);
    }
    SHASH_FOR_EACH_SAFE(node, next, &model->ippools)
    {
        crd_model_remove_ippool(model, node->name);
    }
    shash_destroy(&model->subnets);
    shash_destroy(&model->vpcs);
    shash_destroy(&model->ippools);
    index_destroy(&model->subnets_by_vpc);
    index_destroy(&model->subnets_by_ns);
    index_destroy(&model->vpcs_by_ns);
    index_destroy(&model->ippools_by_ns);
    sset_destroy(&model->selector_subnets);
    free(model->default_vpc);
    free(model->default_subnet);
    free(model);
}

const char *
crd_model_default_vpc(const struct crd_model *model)
{
    return model->default_vpc;
}

const char *
crd_model_default_subnet(const struct crd_model *model)
{
    return model->default_subnet;
}

void
crd_model_remove_subnet(struct crd_model *model, const char *name)
{
    struct shash_node *node = shash_find(&model->subnets, name);
    const char *ns;

    if (!node) {
        return;
    }
    struct subnet *subnet = node->data;
    model->generation++;
    index_remove(&model->subnets_by_vpc, subnet->vpc, subnet->name);
    SSET_FOR_EACH(ns, &subnet->namespaces)
    {
        index_remove(&model->subnets_by_ns, ns, subnet->name);
    }
    sset_find_and_delete(&model->selector_subnets, subnet->name);
    shash_delete(&model->subnets, node);
    subnet_destroy(subnet);
    free(subnet);
}

const struct subnet *
crd_model_put_subnet(struct crd_model *model, const struct json *obj)
{
    struct subnet *subnet = xmalloc(sizeof *subnet);
    const char *ns;

    if (subnet_from_json(obj, model->default_vpc, subnet, NULL) == -EINVAL) {
        subnet_destroy(subnet);
        free(subnet);
        return NULL;
    }
    crd_model_remove_subnet(model, subnet->name);
    model->generation++;
    shash_add(&model->subnets, subnet->name, subnet);
    index_add(&model->subnets_by_vpc, subnet->vpc, subnet->name);
    SSET_FOR_EACH(ns, &subnet->namespaces)
    {
        index_add(&model->subnets_by_ns, ns, subnet->name);
    }
    if (subnet->n_selectors) {
        sset_add(&model->selector_subnets, subnet->name);
    }
    return subnet;
}

void
crd_model_remove_vpc(struct crd_model *model, const char *name)
{
    struct shash_node *node = shash_find(&model->vpcs, name);
    const char *ns;

    if (!node) {
        return;
    }
    struct vpc *vpc = node->data;
    SSET_FOR_EACH(ns, &vpc->namespaces)
    {
        index_remove(&model->vpcs_by_ns, ns, vpc->name);
    }
    shash_delete(&model->vpcs, node);
    vpc_destroy(vpc);
    free(vpc);
}

const struct vpc *
crd_model_put_vpc(struct crd_model *model, const struct json *obj)
{
    struct vpc *vpc = xmalloc(sizeof *vpc);
    const char *ns;

    if (vpc_from_json(obj, vpc, NULL) == -EINVAL) {
        vpc_destroy(vpc);
        free(vpc);
        return NULL;
    }
    crd_model_remove_vpc(model, vpc->name);
    shash_add(&model->vpcs, vpc->name, vpc);
    SSET_FOR_EACH(ns, &vpc->namespaces)
    {
        index_add(&model->vpcs_by_ns, ns, vpc->name);
    }
    return vpc;
}

void
crd_model_remove_ippool(struct crd_model *model, const char *name)
{
    struct shash_node *node = shash_find(&model->ippools, name);
    const char *ns;

    if (!node) {
        return;
    }
    struct ippool *pool = node->data;
    SSET_FOR_EACH(ns, &pool->namespaces)
    {
        index_remove(&model->ippools_by_ns, ns, pool->name);
    }
    shash_delete(&model->ippools, node);
    ippool_destroy(pool);
    free(pool);
}

const struct ippool *
crd_model_put_ippool(struct crd_model *model, const struct json *obj)
{
    struct ippool *pool = xmalloc(sizeof *pool);
    const char *ns;

    if (ippool_from_json(obj, pool, NULL) == -EINVAL) {
        ippool_destroy(pool);
        free(pool);
        return NULL;
    }
    crd_model_remove_ippool(model, pool->name);
    shash_add(&model->ippools, pool->name, pool);
    SSET_FOR_EACH(ns, &pool->namespaces)
    {
        index_add(&model->ippools_by_ns, ns, pool->name);
    }
    return pool;
}

const struct subnet *
crd_model_subnet(const struct crd_model *model, const char *name)
{
    return shash_find_data(&model->subnets, name);
}

const struct vpc *
crd_model_vpc(const struct crd_model *model, const char *name)
{
    return shash_find_data(&model->vpcs, name);
}

const struct shash *
crd_model_subnets(const struct crd_model *model)
{
    return &model->subnets;
}

const struct shash *
crd_model_vpcs(const struct crd_model *model)
{
    return &model->vpcs;
}

const struct shash *
crd_model_ippools(const struct crd_model *model)
{
    return &model->ippools;
}

const struct sset *
crd_model_subnets_of_vpc(const struct crd_model *model, const char *vpc)
{
    return shash_find_data(&model->subnets_by_vpc, vpc);
}

const struct sset *
crd_model_selector_subnets(const struct crd_model *model)
{
    return &model->selector_subnets;
}

const struct sset *
crd_model_subnets_listing(const struct crd_model *model, const char *ns)
{
    return shash_find_data(&model->subnets_by_ns, ns);
}

const struct sset *
crd_model_vpcs_listing(const struct crd_model *model, const char *ns)
{
    return shash_find_data(&model->vpcs_by_ns, ns);
}

const struct sset *
crd_model_ippools_listing(const struct crd_model *model, const char *ns)
{
    return shash_find_data(&model->ippools_by_ns, ns);
}

enum subnet_state
crd_model_subnet_state(const struct crd_model *model,
                       const struct subnet *subnet,
                       const struct subnet **other)
{
    const struct sset *peers;
    const char *name;

    if (other) {
        *other = NULL;
    }
    if (subnet->deleting) {
        return SUBNET_DELETING;
    }
    if (!crd_model_vpc(model, subnet->vpc)) {
        return SUBNET_VPC_NOT_FOUND;
    }
    if (!subnet_is_valid(subnet)) {
        return SUBNET_INVALID;
    }
    if (subnet->overlap_gen != model->generation + 1) {
        struct subnet *memo = CONST_CAST(struct subnet *, subnet);

        memo->overlap_with = NULL;
        peers = crd_model_subnets_of_vpc(model, subnet->vpc);
        SSET_FOR_EACH(name, peers)
        {
            const struct subnet *peer = crd_model_subnet(model, name);
            /* The oldest of them, so that the subnet named in its
             * condition does not depend on the order of a hash. */
            if (peer != subnet && subnet_is_valid(peer) &&
                subnet_overlaps(peer, subnet) &&
                subnet_is_older(peer, subnet) &&
                (!memo->overlap_with ||
                 subnet_is_older(peer, memo->overlap_with))) {
                memo->overlap_with = peer;
            }
        }
        /* +1 so that a fresh subnet (0) never looks memoized. */
        memo->overlap_gen = model->generation + 1;
    }
    if (subnet->overlap_with) {
        if (other) {
            *other = subnet->overlap_with;
        }
        return SUBNET_OVERLAP;
    }
    return SUBNET_OK;
}

/* Appends 'name' to 'candidates' unless it is there already. */
static void
add_candidate(struct svec *candidates, const char *name)
{
    if (!svec_contains_unsorted(candidates, name)) {
        svec_add(candidates, name);
    }
}

static void
binding_format(const struct crd_model *model, const char *ns,
               struct ns_binding *binding)
{
    struct ds ls = DS_EMPTY_INITIALIZER;
    struct ds cidr = DS_EMPTY_INITIALIZER;
    struct ds excl = DS_EMPTY_INITIALIZER;
    struct ds pools = DS_EMPTY_INITIALIZER;
    const struct sset *listing;
    const char *name;
    size_t i;

    SVEC_FOR_EACH(i, name, &binding->subnets)
    {
        const struct subnet *subnet = crd_model_subnet(model, name);
        ds_put_format(&ls, "%s%s", i ? "," : "", subnet->name);
        ds_put_format(&cidr, "%s%s", i ? ";" : "", subnet->cidr_block);
        ds_put_format(&excl, "%s%s", i ? ";" : "", subnet->exclude_ips_text);
    }
    listing = crd_model_ippools_listing(model, ns);
    if (listing) {
        const char **sorted = sset_sort(listing);
        for (i = 0; sorted[i]; i++) {
            const struct ippool *pool =
                shash_find_data(&model->ippools, sorted[i]);
            if (!pool->error) {
                ds_put_format(&pools, "%s%s", pools.length ? "," : "",
                              pool->name);
            }
        }
        free(sorted);
    }
    binding->logical_switch = ds_steal_cstr(&ls);
    binding->cidr = ds_steal_cstr(&cidr);
    binding->exclude_ips = ds_steal_cstr(&excl);
    binding->ip_pool = ds_steal_cstr(&pools);
}

void
crd_model_bind_namespace(const struct crd_model *model, const char *ns,
                         const struct smap *labels, struct ns_binding *binding,
                         crd_skip_fn *skip, void *aux)
{
    const struct vpc *vpc = NULL;
    struct svec candidates = SVEC_EMPTY_INITIALIZER;
    const struct sset *listing;
    const char *name;
    size_t i;

    svec_init(&binding->subnets);

    /* A namespace listed by several VPCs belongs to the first by name, so
     * the answer does not depend on the order objects arrived in. */
    listing = crd_model_vpcs_listing(model, ns);
    if (listing && !sset_is_empty(listing)) {
        const char **sorted = sset_sort(listing);
        vpc = crd_model_vpc(model, sorted[0]);
        free(sorted);
        if (*vpc->default_subnet) {
            svec_add(&candidates, vpc->default_subnet);
        }
    }

    struct svec matched = SVEC_EMPTY_INITIALIZER;
    listing = crd_model_subnets_listing(model, ns);
    if (listing) {
        SSET_FOR_EACH(name, listing)
        {
            svec_add(&matched, name);
        }
    }
    SSET_FOR_EACH(name, &model->selector_subnets)
    {
        const struct subnet *subnet = crd_model_subnet(model, name);
        if (!sset_contains(&subnet->namespaces, ns) &&
            subnet_selects_namespace(subnet, ns, labels)) {
            svec_add(&matched, name);
        }
    }
    svec_sort(&matched);
    SVEC_FOR_EACH(i, name, &matched)
    {
        add_candidate(&candidates, name);
    }
    svec_destroy(&matched);

    /* Every unusable subnet is set aside before anything binds, so one bad
     * subnet changes nothing for the namespace but its own absence. */
    SVEC_FOR_EACH(i, name, &candidates)
    {
        const struct subnet *subnet = crd_model_subnet(model, name);
        enum subnet_state state;

        if (!subnet) {
            continue; /* A Vpc's defaultSubnet that does not exist (yet). */
        }
        state = crd_model_subnet_state(model, subnet, NULL);
        if (state == SUBNET_OK) {
            svec_add(&binding->subnets, name);
        } else if (skip) {
            skip(subnet, state, aux);
        }
    }
    svec_destroy(&candidates);

    if (!binding->subnets.n && (!vpc || !*vpc->default_subnet)) {
        const struct subnet *subnet =
            crd_model_subnet(model, model->default_subnet);
        if (subnet &&
            crd_model_subnet_state(model, subnet, NULL) == SUBNET_OK) {
            svec_add(&binding->subnets, subnet->name);
        }
    }
    binding_format(model, ns, binding);
}

void
ns_binding_destroy(struct ns_binding *binding)
{
    svec_destroy(&binding->subnets);
    free(binding->logical_switch);
    free(binding->cidr);
    free(binding->exclude_ips);
    free(binding->ip_pool);
}
