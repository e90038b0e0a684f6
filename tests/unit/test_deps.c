/* Random-order model test of the dependency graph (crd/deps.c).
 *
 * Each seed generates a sequence of creates, updates and deletes of Vpcs
 * (with and without namespaces/defaultSubnet), Subnets (namespaces,
 * selectors, overlapping, invalid, orphaned, deleting, private, the
 * default and join subnets), Namespaces (created, relabelled, deleted) and
 * IPPools, in random order.  Every change goes through the graph exactly
 * as the controller's informer handlers send it, into a model of the work
 * queues; dirty keys are reconciled at random moments (some right away,
 * some many events later).  After the sequence the queues are drained and
 * every output must equal a computation from scratch: a new model built
 * from the final objects alone.
 *
 * A failing seed is printed with its events; keep it in regression_seeds
 * so that it runs first from then on. */
#include <config.h>

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_json.h"

#include "crd/deps.h"
#include "crd/model.h"
#include "crd/names.h"
#include "crd/netpol.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

#define DEFAULT_VPC    "ovn-cluster"
#define DEFAULT_SUBNET "ovn-default"
#define JOIN_SUBNET    "join"

#define N_NS      8
#define N_SUBNETS 8 /* Plus the default and join subnets. */
#define N_VPCS    4 /* Plus the default VPC. */
#define N_POOLS   3
#define N_EVENTS  60
#define N_SEEDS   2000

/* Seeds that once failed, run first. */
static const uint32_t regression_seeds[] = {
    1862, /* "other" of an overlap followed the order of a hash. */
};

/* ---- A small deterministic generator (xorshift32). ---- */

static uint32_t rng;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return n ? rng % n : 0;
}

static bool
coin(uint32_t one_in)
{
    return rnd(one_in) == 0;
}

/* ---- The cluster: the objects as the API server would hold them. ---- */

struct cluster {
    struct json *subnets[N_SUBNETS + 2];
    struct json *vpcs[N_VPCS + 1];
    struct json *pools[N_POOLS];
    bool ns_present[N_NS];
    struct smap ns_labels[N_NS];
};

static const char *
subnet_name(int i)
{
    static const char *const names[N_SUBNETS + 2] = {
        "sn0", "sn1", "sn2", "sn3",          "sn4",
        "sn5", "sn6", "sn7", DEFAULT_SUBNET, JOIN_SUBNET,
    };
    return names[i];
}

static const char *
vpc_name(int i)
{
    static const char *const names[N_VPCS + 1] = {"vpc0", "vpc1", "vpc2",
                                                  "vpc3", DEFAULT_VPC};
    return names[i];
}

static const char *
ns_name(int i)
{
    static const char *const names[N_NS] = {"ns0", "ns1", "ns2", "ns3",
                                            "ns4", "ns5", "ns6", "ns7"};
    return names[i];
}

static void
put_ns_list(struct ds *s, const char *key)
{
    int n = 0;

    ds_put_format(s, "\"%s\":[", key);
    for (int i = 0; i < N_NS; i++) {
        if (coin(4)) {
            ds_put_format(s, "%s\"%s\"", n++ ? "," : "", ns_name(i));
        }
    }
    ds_put_cstr(s, "]");
}

static void
put_metadata(struct ds *s, const char *name)
{
    static const char *const times[] = {"2026-01-01T00:00:00Z",
                                        "2026-01-01T00:00:01Z",
                                        "2026-01-01T00:00:02Z", ""};
    const char *created = times[rnd(ARRAY_SIZE(times))];

    ds_put_format(s, "\"metadata\":{\"name\":\"%s\"", name);
    if (*created) {
        ds_put_format(s, ",\"creationTimestamp\":\"%s\"", created);
    }
    ds_put_cstr(s, ",\"finalizers\":[\"kubeovn.io/kovn-controller\"]");
    if (coin(8)) {
        ds_put_cstr(s, ",\"deletionTimestamp\":\"2026-01-02T00:00:00Z\"");
    }
    ds_put_cstr(s, "}");
}

static struct json *
gen_subnet(int i)
{
    static const char *const cidrs[] = {
        "10.0.0.0/24",
        "10.0.0.0/16",
        "10.1.0.0/24",
        "10.2.0.0/24",
        "10.0.0.300/24",
        "fd00::/64",
        "10.3.0.0/24,fd00:3::/64",
    };
    static const char *const vpcs[] = {"vpc0", "vpc1",      "vpc2", "vpc3",
                                       "",     DEFAULT_VPC, "ghost"};
    static const char *const labels[] = {"team", "env"};
    static const char *const values[] = {"a", "b"};
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&s, "{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":\"Subnet\",");
    put_metadata(&s, subnet_name(i));
    ds_put_format(&s, ",\"spec\":{\"vpc\":\"%s\",\"cidrBlock\":\"%s\",",
                  vpcs[rnd(ARRAY_SIZE(vpcs))], cidrs[rnd(ARRAY_SIZE(cidrs))]);
    put_ns_list(&s, "namespaces");
    if (coin(3)) {
        ds_put_format(&s,
                      ",\"namespaceSelectors\":[{\"matchLabels\":"
                      "{\"%s\":\"%s\"}}]",
                      labels[rnd(2)], values[rnd(2)]);
    }
    if (coin(3)) {
        ds_put_cstr(&s, ",\"excludeIps\":[\"10.0.0.5\"]");
    }
    if (coin(4)) {
        ds_put_cstr(&s, ",\"private\":true");
    }
    ds_put_cstr(&s, "}}");
    struct json *json = json_from_string(ds_cstr(&s));
    ds_destroy(&s);
    return json;
}

static struct json *
gen_vpc(int i)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&s, "{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":\"Vpc\",");
    put_metadata(&s, vpc_name(i));
    ds_put_cstr(&s, ",\"spec\":{");
    put_ns_list(&s, "namespaces");
    if (coin(2)) {
        ds_put_format(&s, ",\"defaultSubnet\":\"%s\"",
                      subnet_name(rnd(N_SUBNETS + 2)));
    }
    ds_put_cstr(&s, "}}");
    struct json *json = json_from_string(ds_cstr(&s));
    ds_destroy(&s);
    return json;
}

static struct json *
gen_pool(int i)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s,
                  "{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":\"IPPool\","
                  "\"metadata\":{\"name\":\"pool%d\"},\"spec\":{"
                  "\"subnet\":\"%s\",\"ips\":[\"%s\"],",
                  i, subnet_name(rnd(N_SUBNETS + 2)),
                  coin(4) ? "not-an-ip" : "10.0.0.7");
    put_ns_list(&s, "namespaces");
    ds_put_cstr(&s, "}}");
    struct json *json = json_from_string(ds_cstr(&s));
    ds_destroy(&s);
    return json;
}

static void
gen_labels(struct smap *labels)
{
    smap_clear(labels);
    if (coin(2)) {
        smap_add(labels, "team", coin(2) ? "a" : "b");
    }
    if (coin(2)) {
        smap_add(labels, "env", coin(2) ? "a" : "b");
    }
}

/* ---- The world the graph reads: the model and the namespaces. ---- */

struct world {
    struct deps_world deps;
    struct crd_model *model;
    const struct cluster *cluster;
};

static void
for_each_namespace(const void *aux, deps_namespace_fn *fn, void *fn_aux)
{
    const struct cluster *c = aux;

    for (int i = 0; i < N_NS; i++) {
        if (c->ns_present[i]) {
            fn(ns_name(i), &c->ns_labels[i], fn_aux);
        }
    }
}

static void
world_init(struct world *w, const struct cluster *c)
{
    w->model = crd_model_create(DEFAULT_VPC, DEFAULT_SUBNET);
    w->cluster = c;
    w->deps = (struct deps_world){
        .model = w->model,
        .join_subnet = JOIN_SUBNET,
        .for_each_namespace = for_each_namespace,
        .aux = c,
    };
}

/* ---- The outputs, computed as the reconcilers compute them. ---- */

static char *
compute_namespace(const struct world *w, int i)
{
    struct ns_binding b;

    if (!w->cluster->ns_present[i]) {
        return NULL;
    }
    crd_model_bind_namespace(w->model, ns_name(i), &w->cluster->ns_labels[i],
                             &b, NULL, NULL);
    char *out = xasprintf("ls=%s cidr=%s excl=%s pool=%s", b.logical_switch,
                          b.cidr, b.exclude_ips, b.ip_pool);
    ns_binding_destroy(&b);
    return out;
}

static char *
compute_subnet(const struct world *w, const char *name)
{
    const struct subnet *subnet = crd_model_subnet(w->model, name);
    const struct subnet *other, *join;
    enum subnet_state state;

    if (!subnet) {
        return NULL;
    }
    state = crd_model_subnet_state(w->model, subnet, &other);
    join = crd_model_subnet(w->model, JOIN_SUBNET);
    return xasprintf("%s other=%s private-join=%s", subnet_state_reason(state),
                     other ? other->name : "",
                     subnet->private_ && join && subnet_is_valid(join) &&
                             !join->deleting
                         ? join->cidr_block
                         : "");
}

static char *
compute_vpc(const struct world *w, const char *name)
{
    const struct vpc *vpc = crd_model_vpc(w->model, name);
    const struct sset *subnets = crd_model_subnets_of_vpc(w->model, name);
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!vpc) {
        return NULL;
    }
    ds_put_format(&s, "default=%s subnets=", vpc->default_subnet);
    if (subnets) {
        const char **sorted = sset_sort(subnets);
        for (size_t i = 0; sorted[i]; i++) {
            ds_put_format(&s, "%s,", sorted[i]);
        }
        free(sorted);
    }
    return ds_steal_cstr(&s);
}

/* Every key an output can have in this test. */
static void
output_keys(enum deps_output out, struct sset *keys)
{
    switch (out) {
    case DEPS_OUT_NAMESPACE:
        for (int i = 0; i < N_NS; i++) {
            sset_add(keys, ns_name(i));
        }
        break;
    case DEPS_OUT_SUBNET:
        for (int i = 0; i < N_SUBNETS + 2; i++) {
            sset_add(keys, subnet_name(i));
        }
        break;
    case DEPS_OUT_VPC:
        for (int i = 0; i < N_VPCS + 1; i++) {
            sset_add(keys, vpc_name(i));
        }
        /* Subnets may name VPCs that never exist. */
        sset_add(keys, "ghost");
        break;
    case DEPS_OUT_POD:
    case DEPS_OUT_NODE:
    case DEPS_OUT_SERVICE:
    case DEPS_OUT_NETPOL:
    case DEPS_N_OUTPUTS:
        break;
    }
}

static char *
compute(const struct world *w, enum deps_output out, const char *key)
{
    switch (out) {
    case DEPS_OUT_NAMESPACE:
        for (int i = 0; i < N_NS; i++) {
            if (!strcmp(key, ns_name(i))) {
                return compute_namespace(w, i);
            }
        }
        return NULL;
    case DEPS_OUT_SUBNET:
        return compute_subnet(w, key);
    case DEPS_OUT_VPC:
        return compute_vpc(w, key);
    case DEPS_OUT_POD:
    case DEPS_OUT_NODE:
    case DEPS_OUT_SERVICE:
    case DEPS_OUT_NETPOL:
    case DEPS_N_OUTPUTS:
        break;
    }
    return NULL;
}

/* ---- The controller's side: queues of dirty keys, stored outputs. ---- */

struct controller_model {
    struct world world;
    struct sset dirty[DEPS_N_OUTPUTS];
    struct shash stored[DEPS_N_OUTPUTS]; /* key -> char * */
};

static void
sink_mark(void *aux, enum deps_output out, const char *key, long long delay)
{
    struct controller_model *cm = aux;

    (void)delay;
    sset_add(&cm->dirty[out], key);
}

static void
sink_mark_all(void *aux, enum deps_output out)
{
    struct controller_model *cm = aux;

    output_keys(out, &cm->dirty[out]);
}

static void
reconcile_key(struct controller_model *cm, enum deps_output out,
              const char *key)
{
    char *value = compute(&cm->world, out, key);

    free(shash_find_and_delete(&cm->stored[out], key));
    if (value) {
        shash_add(&cm->stored[out], key, value);
    }
}

/* Reconciles each dirty key with probability 1/'one_in'. */
static void
reconcile_some(struct controller_model *cm, uint32_t one_in)
{
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        const char *key, *next;

        SSET_FOR_EACH_SAFE(key, next, &cm->dirty[out])
        {
            if (coin(one_in)) {
                reconcile_key(cm, out, key);
                sset_delete(&cm->dirty[out], SSET_NODE_FROM_NAME(key));
            }
        }
    }
}

static const char *
pool_name(int i)
{
    static const char *const names[N_POOLS] = {"pool0", "pool1", "pool2"};
    return names[i];
}

static void
put_subnet(struct crd_model *model, const struct json *obj)
{
    crd_model_put_subnet(model, obj);
}

static void
put_vpc(struct crd_model *model, const struct json *obj)
{
    crd_model_put_vpc(model, obj);
}

static void
put_ippool(struct crd_model *model, const struct json *obj)
{
    crd_model_put_ippool(model, obj);
}

/* A custom resource kind the generator creates, updates and deletes. */
struct gen_kind {
    enum deps_input input;
    const char *label;
    int count;
    uint32_t delete_one_in;
    const char *(*name)(int i);
    struct json *(*gen)(int i);
    void (*put)(struct crd_model *, const struct json *);
    void (*remove)(struct crd_model *, const char *name);
};

static const struct gen_kind subnet_kind = {
    .input = DEPS_IN_SUBNET,
    .label = "subnet",
    .count = N_SUBNETS + 2,
    .delete_one_in = 4,
    .name = subnet_name,
    .gen = gen_subnet,
    .put = put_subnet,
    .remove = crd_model_remove_subnet,
};
static const struct gen_kind vpc_kind = {
    .input = DEPS_IN_VPC,
    .label = "vpc",
    .count = N_VPCS + 1,
    .delete_one_in = 3,
    .name = vpc_name,
    .gen = gen_vpc,
    .put = put_vpc,
    .remove = crd_model_remove_vpc,
};
static const struct gen_kind ippool_kind = {
    .input = DEPS_IN_IPPOOL,
    .label = "ippool",
    .count = N_POOLS,
    .delete_one_in = 3,
    .name = pool_name,
    .gen = gen_pool,
    .put = put_ippool,
    .remove = crd_model_remove_ippool,
};

/* Puts or deletes one object of 'kind' (kept in 'objs'), through the
 * graph. */
static void
apply_object(struct controller_model *cm, const struct gen_kind *kind,
             struct json **objs, const struct deps_sink *sink,
             struct ds *trace)
{
    struct crd_model *model = cm->world.model;
    int i = rnd(kind->count);
    const char *name = kind->name(i);
    struct deps_change *change =
        deps_change_begin(&cm->world.deps, kind->input, name, NULL);

    json_destroy(objs[i]);
    objs[i] = NULL;
    if (coin(kind->delete_one_in)) {
        kind->remove(model, name);
        ds_put_format(trace, "  delete %s %s\n", kind->label, name);
    } else {
        objs[i] = kind->gen(i);
        kind->put(model, objs[i]);
        char *text = json_to_string(objs[i], 0);
        ds_put_format(trace, "  put %s\n", text);
        free(text);
    }
    deps_change_end(change, NULL, sink);
}

/* Applies one change to the cluster and the model, through the graph. */
static void
apply(struct controller_model *cm, struct cluster *c, struct ds *trace)
{
    struct deps_sink sink = {sink_mark, sink_mark_all, cm};
    uint32_t kind = rnd(4);

    if (kind == 0) {
        int i = rnd(N_NS);
        struct deps_change *change = deps_change_begin(
            &cm->world.deps, DEPS_IN_NAMESPACE, ns_name(i), NULL);
        if (c->ns_present[i] && coin(4)) {
            c->ns_present[i] = false;
            smap_clear(&c->ns_labels[i]);
            ds_put_format(trace, "  delete ns %s\n", ns_name(i));
        } else {
            c->ns_present[i] = true;
            gen_labels(&c->ns_labels[i]);
            struct smap_node *label;
            ds_put_format(trace, "  put ns %s {", ns_name(i));
            SMAP_FOR_EACH(label, &c->ns_labels[i])
            {
                ds_put_format(trace, "%s=%s,", label->key, label->value);
            }
            ds_put_cstr(trace, "}\n");
        }
        deps_change_end(change, NULL, &sink);
    } else if (kind == 1) {
        apply_object(cm, &subnet_kind, c->subnets, &sink, trace);
    } else if (kind == 2) {
        apply_object(cm, &vpc_kind, c->vpcs, &sink, trace);
    } else {
        apply_object(cm, &ippool_kind, c->pools, &sink, trace);
    }
}

/* A model holding only the final objects, inserted in a fixed order. */
static void
fresh_world(struct world *w, const struct cluster *c)
{
    world_init(w, c);
    for (int i = 0; i < N_VPCS + 1; i++) {
        if (c->vpcs[i]) {
            crd_model_put_vpc(w->model, c->vpcs[i]);
        }
    }
    for (int i = N_SUBNETS + 1; i >= 0; i--) {
        if (c->subnets[i]) {
            crd_model_put_subnet(w->model, c->subnets[i]);
        }
    }
    for (int i = 0; i < N_POOLS; i++) {
        if (c->pools[i]) {
            crd_model_put_ippool(w->model, c->pools[i]);
        }
    }
}

/* Runs one seed; returns the number of outputs that differ. */
static int
run_seed(uint32_t seed)
{
    struct cluster c;
    struct controller_model cm;
    struct world fresh;
    struct ds trace = DS_EMPTY_INITIALIZER;
    int mismatches = 0;

    rng = seed * 2654435761u + 1;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < N_NS; i++) {
        smap_init(&c.ns_labels[i]);
    }
    world_init(&cm.world, &c);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_init(&cm.dirty[out]);
        shash_init(&cm.stored[out]);
    }

    for (int e = 0; e < N_EVENTS; e++) {
        apply(&cm, &c, &trace);
        /* Sometimes at once, sometimes long after. */
        reconcile_some(&cm, 1 + rnd(8));
    }
    reconcile_some(&cm, 1);

    fresh_world(&fresh, &c);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        struct sset keys = SSET_INITIALIZER(&keys);
        const char *key;

        output_keys(out, &keys);
        SSET_FOR_EACH(key, &keys)
        {
            char *want = compute(&fresh, out, key);
            const char *got = shash_find_data(&cm.stored[out], key);

            if ((want == NULL) != (got == NULL) ||
                (want && strcmp(want, got))) {
                if (!mismatches) {
                    fprintf(stderr, "seed %" PRIu32 ": events:\n%s", seed,
                            ds_cstr(&trace));
                }
                fprintf(stderr,
                        "seed %" PRIu32 ": %s %s is stale:\n  kept:  %s\n"
                        "  fresh: %s\n",
                        seed, deps_output_name(out), key, got ? got : "(none)",
                        want ? want : "(none)");
                mismatches++;
            }
            free(want);
        }
        sset_destroy(&keys);
    }

    crd_model_destroy(fresh.model);
    crd_model_destroy(cm.world.model);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_destroy(&cm.dirty[out]);
        shash_destroy_free_data(&cm.stored[out]);
    }
    for (int i = 0; i < N_NS; i++) {
        smap_destroy(&c.ns_labels[i]);
    }
    for (int i = 0; i < N_SUBNETS + 2; i++) {
        json_destroy(c.subnets[i]);
    }
    for (int i = 0; i < N_VPCS + 1; i++) {
        json_destroy(c.vpcs[i]);
    }
    for (int i = 0; i < N_POOLS; i++) {
        json_destroy(c.pools[i]);
    }
    ds_destroy(&trace);
    return mismatches;
}

static void
test_deps_regression_seeds(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(regression_seeds); i++) {
        assert_int_equal(run_seed(regression_seeds[i]), 0);
    }
}

static void
test_deps_random_order_converges(void **state)
{
    int failed = 0;

    (void)state;
    for (uint32_t seed = 1; seed <= N_SEEDS; seed++) {
        failed += run_seed(seed) != 0;
    }
    assert_int_equal(failed, 0);
}

/* Pods whose allocation failed, in test_deps_vpc_default_subnet_created_last.
 */
static void
for_each_waiting_pod(const void *aux, const char *ns, deps_pod_fn *fn,
                     void *fn_aux)
{
    static const char *const pods[] = {"ns2/web", "ns3/db"};

    (void)aux;
    for (size_t i = 0; i < ARRAY_SIZE(pods); i++) {
        if (!ns || !strncmp(pods[i], ns, strlen(ns))) {
            fn(pods[i], fn_aux);
        }
    }
}

/* Kube-OVN's documented example, in the order that broke: the namespace,
 * then a Vpc naming it with defaultSubnet, then that subnet.  A pod of
 * the namespace that could get no address is retried when the subnet
 * comes, not when its backoff ends. */
static void
test_deps_vpc_default_subnet_created_last(void **state)
{
    struct cluster c;
    struct controller_model cm;
    struct deps_sink sink = {sink_mark, sink_mark_all, &cm};
    struct deps_change *change;

    (void)state;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < N_NS; i++) {
        smap_init(&c.ns_labels[i]);
    }
    world_init(&cm.world, &c);
    cm.world.deps.for_each_waiting_pod = for_each_waiting_pod;
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_init(&cm.dirty[out]);
    }

    c.ns_present[2] = true;
    struct json *vpc = json_from_string(
        "{\"metadata\":{\"name\":\"vpc1\"},"
        "\"spec\":{\"namespaces\":[\"ns2\"],\"defaultSubnet\":\"sn3\"}}");
    change = deps_change_begin(&cm.world.deps, DEPS_IN_VPC, "vpc1", NULL);
    crd_model_put_vpc(cm.world.model, vpc);
    deps_change_end(change, NULL, &sink);
    assert_true(sset_contains(&cm.dirty[DEPS_OUT_NAMESPACE], "ns2"));
    sset_clear(&cm.dirty[DEPS_OUT_NAMESPACE]);

    struct json *subnet = json_from_string(
        "{\"metadata\":{\"name\":\"sn3\"},\"spec\":{\"vpc\":\"vpc1\","
        "\"cidrBlock\":\"10.222.3.0/24\",\"protocol\":\"IPv4\"}}");
    change = deps_change_begin(&cm.world.deps, DEPS_IN_SUBNET, "sn3", NULL);
    crd_model_put_subnet(cm.world.model, subnet);
    deps_change_end(change, NULL, &sink);
    assert_true(sset_contains(&cm.dirty[DEPS_OUT_NAMESPACE], "ns2"));
    assert_true(sset_contains(&cm.dirty[DEPS_OUT_VPC], "vpc1"));
    assert_true(sset_contains(&cm.dirty[DEPS_OUT_SUBNET], "sn3"));
    assert_true(sset_contains(&cm.dirty[DEPS_OUT_POD], "ns2/web"));
    assert_false(sset_contains(&cm.dirty[DEPS_OUT_POD], "ns3/db"));

    /* A status write changes nothing namespaces see: no namespace work. */
    sset_clear(&cm.dirty[DEPS_OUT_NAMESPACE]);
    sset_clear(&cm.dirty[DEPS_OUT_VPC]);
    sset_clear(&cm.dirty[DEPS_OUT_POD]);
    change = deps_change_begin(&cm.world.deps, DEPS_IN_SUBNET, "sn3", NULL);
    crd_model_put_subnet(cm.world.model, subnet);
    deps_change_end(change, NULL, &sink);
    assert_true(sset_is_empty(&cm.dirty[DEPS_OUT_NAMESPACE]));
    assert_true(sset_is_empty(&cm.dirty[DEPS_OUT_VPC]));
    assert_true(sset_is_empty(&cm.dirty[DEPS_OUT_POD]));

    json_destroy(vpc);
    json_destroy(subnet);
    crd_model_destroy(cm.world.model);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_destroy(&cm.dirty[out]);
    }
    for (int i = 0; i < N_NS; i++) {
        smap_destroy(&c.ns_labels[i]);
    }
}

/* Marks by output, "*" for every key. */
static struct sset egress_marks[DEPS_N_OUTPUTS];

static void
egress_mark(void *aux, enum deps_output out, const char *key, long long delay)
{
    (void)aux;
    (void)delay;
    sset_add(&egress_marks[out], key);
}

static void
egress_mark_all(void *aux, enum deps_output out)
{
    (void)aux;
    sset_add(&egress_marks[out], "*");
}

/* Reports one change of a keyed input with its JSON before and after. */
static void
keyed_change(const struct deps_world *w, enum deps_input input,
             const char *key, const char *before, const char *after)
{
    struct deps_sink sink = {egress_mark, egress_mark_all, NULL};
    struct json *old = before ? json_from_string(before) : NULL;
    struct json *new = after ? json_from_string(after) : NULL;

    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_clear(&egress_marks[out]);
    }
    deps_change_end(deps_change_begin(w, input, key, old), new, &sink);
    json_destroy(old);
    json_destroy(new);
}

#define NODE_JSON(READY, BEAT)                                            \
    "{\"metadata\":{\"name\":\"n1\",\"labels\":{\"gw\":\"yes\"}},"        \
    "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" READY \
    "\",\"lastHeartbeatTime\":\"" BEAT "\"}]}}"
#define POD_JSON(NODE, IP, PHASE)                                           \
    "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns1\",\"annotations\":{" \
    "\"ovn.kubernetes.io/ip_address\":\"" IP "\"}},"                        \
    "\"spec\":{\"nodeName\":\"" NODE "\"},\"status\":{\"phase\":\"" PHASE   \
    "\"}}"

/* Egress: a node's readiness moves centralized subnets' gateways, a pod's
 * node and address move node address sets, the default VPC's subnets'
 * gateway type moves every node's; heartbeats and phases move nothing. */
static void
test_deps_egress_edges(void **state)
{
    struct cluster c;
    struct world w;
    struct json *cent = json_from_string(
        "{\"metadata\":{\"name\":\"cent\"},\"spec\":{"
        "\"cidrBlock\":\"10.30.0.0/24\",\"gatewayType\":\"centralized\"}}");
    struct json *dist =
        json_from_string("{\"metadata\":{\"name\":\"dist\"},\"spec\":{"
                         "\"cidrBlock\":\"10.31.0.0/24\"}}");

    (void)state;
    memset(&c, 0, sizeof c);
    world_init(&w, &c);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_init(&egress_marks[out]);
    }
    crd_model_put_subnet(w.model, cent);
    crd_model_put_subnet(w.model, dist);

    keyed_change(&w.deps, DEPS_IN_NODE, "n1", NODE_JSON("True", "t1"),
                 NODE_JSON("False", "t2"));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_SUBNET], "cent"));
    assert_false(sset_contains(&egress_marks[DEPS_OUT_SUBNET], "dist"));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_NODE], "n1"));
    keyed_change(&w.deps, DEPS_IN_NODE, "n1", NODE_JSON("True", "t1"),
                 NODE_JSON("True", "t2"));
    assert_true(sset_is_empty(&egress_marks[DEPS_OUT_SUBNET]));
    keyed_change(&w.deps, DEPS_IN_NODE, "n1", NULL, NODE_JSON("True", "t1"));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_SUBNET], "cent"));

    /* Created bound but without an address: nothing for its node yet. */
    keyed_change(&w.deps, DEPS_IN_POD, "ns1/p", NULL,
                 POD_JSON("n1", "", "Pending"));
    assert_true(sset_is_empty(&egress_marks[DEPS_OUT_NODE]));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_POD], "ns1/p"));
    keyed_change(&w.deps, DEPS_IN_POD, "ns1/p", POD_JSON("n1", "", "Pending"),
                 POD_JSON("n1", "10.31.0.5", "Pending"));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_NODE], "n1"));
    assert_true(sset_contains(&egress_marks[DEPS_OUT_POD], "ns1/p"));
    keyed_change(&w.deps, DEPS_IN_POD, "ns1/p",
                 POD_JSON("n1", "10.31.0.5", "Pending"),
                 POD_JSON("n1", "10.31.0.5", "Running"));
    assert_true(sset_is_empty(&egress_marks[DEPS_OUT_NODE]));
    keyed_change(&w.deps, DEPS_IN_POD, "ns1/p",
                 POD_JSON("n1", "10.31.0.5", "Running"), NULL);
    assert_true(sset_contains(&egress_marks[DEPS_OUT_NODE], "n1"));

    struct deps_sink sink = {egress_mark, egress_mark_all, NULL};
    struct json *central = json_from_string(
        "{\"metadata\":{\"name\":\"dist\"},\"spec\":{"
        "\"cidrBlock\":\"10.31.0.0/24\",\"gatewayType\":\"centralized\"}}");
    sset_clear(&egress_marks[DEPS_OUT_NODE]);
    struct deps_change *change =
        deps_change_begin(&w.deps, DEPS_IN_SUBNET, "dist", NULL);
    crd_model_put_subnet(w.model, central);
    deps_change_end(change, NULL, &sink);
    assert_true(sset_contains(&egress_marks[DEPS_OUT_NODE], "*"));
    sset_clear(&egress_marks[DEPS_OUT_NODE]);
    change = deps_change_begin(&w.deps, DEPS_IN_SUBNET, "dist", NULL);
    crd_model_put_subnet(w.model, central);
    deps_change_end(change, NULL, &sink);
    assert_true(sset_is_empty(&egress_marks[DEPS_OUT_NODE]));

    json_destroy(central);
    json_destroy(cent);
    json_destroy(dist);
    crd_model_destroy(w.model);
    for (int out = 0; out < DEPS_N_OUTPUTS; out++) {
        sset_destroy(&egress_marks[out]);
    }
}

/* ---- NetworkPolicies: the same check for the policy edges. ----
 *
 * Pods (labels, an address or none), namespaces (labels) and policies
 * (created, changed, deleted) change in random order; each change goes
 * through the graph as the controller reports it; marked policies are
 * reconciled at random moments into a stored copy of their rows
 * (netpol_compute() rendered as text).  At the end every policy's stored
 * rows must equal its rows computed now. */

#define NP_N_NS     3
#define NP_N_PODS   9
#define NP_N_POLS   5
#define NP_N_EVENTS 40
#define NP_N_SEEDS  1000

/* Policies a generator picks from, in the namespace of the policy. */
static const char *const np_templates[] = {
    "{'podSelector': {'matchLabels': {'app': 'x'}}}",
    "{'podSelector': {'matchLabels': {'app': 'y'}}, 'ingress': [{'from':"
    " [{'podSelector': {'matchLabels': {'app': 'x'}}}]}]}",
    "{'podSelector': {}, 'ingress': [{'from': [{'namespaceSelector':"
    " {'matchLabels': {'team': 'a'}}}]}]}",
    "{'podSelector': {'matchLabels': {'app': 'z'}}, 'ingress': [{'from':"
    " [{'namespaceSelector': {'matchLabels': {'team': 'b'}},"
    " 'podSelector': {'matchLabels': {'app': 'y'}}}]}]}",
    "{'podSelector': {'matchLabels': {'app': 'x'}}, 'policyTypes':"
    " ['Egress'], 'egress': [{'to': [{'podSelector': {}}]}]}",
};

struct np_cluster {
    struct smap ns_labels[NP_N_NS];
    struct netpol_pod pods[NP_N_PODS];
    struct crd_netpols pols;
    struct deps_world world;
    struct sset dirty;
    struct shash stored; /* Policy key -> rows (char *). */
};

static void
np_ns_name(int i, char buf[8])
{
    snprintf(buf, 8, "n%d", i);
}

static void
np_pol_key(int i, char buf[16])
{
    snprintf(buf, 16, "n%d/pol%d", i % NP_N_NS, i);
}

static void
np_for_each_pod(const void *c_, const char *ns, netpol_pod_fn *fn, void *aux)
{
    const struct np_cluster *c = c_;

    for (int i = 0; i < NP_N_PODS; i++) {
        if (!ns || !strcmp(ns, c->pods[i].namespace)) {
            fn(&c->pods[i], aux);
        }
    }
}

static void
np_for_each_namespace(const void *c_, netpol_namespace_fn *fn, void *aux)
{
    const struct np_cluster *c = c_;

    for (int i = 0; i < NP_N_NS; i++) {
        char name[8];

        np_ns_name(i, name);
        fn(name, &c->ns_labels[i], aux);
    }
}

/* A policy's rows as text, or NULL when it does not exist. */
static char *
np_compute(const struct np_cluster *c, const char *key)
{
    const struct netpol *np = crd_netpols_get(&c->pols, key);
    struct netpol_world w = {np_for_each_pod, np_for_each_namespace, NULL, 0,
                             c};
    struct netpol_acls out;
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!np) {
        return NULL;
    }
    netpol_compute(np, &w, &out);
    for (size_t i = 0; i < out.ports.n; i++) {
        ds_put_format(&s, "%s ", out.ports.names[i]);
    }
    for (size_t i = 0; i < out.n_sets; i++) {
        ds_put_format(&s, "|%s:", out.sets[i].name);
        for (size_t k = 0; k < out.sets[i].n_addrs; k++) {
            char buf[NET_CIDR_STRLEN];
            net_cidr_format(&out.sets[i].addrs[k], buf);
            ds_put_format(&s, "%s,", buf);
        }
    }
    for (size_t i = 0; i < out.n_acls; i++) {
        ds_put_format(&s, "|%s", out.acls[i].match);
    }
    netpol_acls_destroy(&out);
    return ds_steal_cstr(&s);
}

static void
np_mark(void *c_, enum deps_output out, const char *key, long long delay)
{
    struct np_cluster *c = c_;

    (void)delay;
    if (out == DEPS_OUT_NETPOL) {
        sset_add(&c->dirty, key);
    }
}

static void
np_mark_all(void *c_, enum deps_output out)
{
    struct np_cluster *c = c_;

    if (out == DEPS_OUT_NETPOL) {
        for (int i = 0; i < NP_N_POLS; i++) {
            char key[16];
            np_pol_key(i, key);
            sset_add(&c->dirty, key);
        }
    }
}

static void
np_reconcile_some(struct np_cluster *c, uint32_t one_in)
{
    const char *key;

    SSET_FOR_EACH_SAFE(key, &c->dirty)
    {
        if (!rnd(one_in)) {
            char *rows = np_compute(c, key);

            free(shash_find_and_delete(&c->stored, key));
            if (rows) {
                shash_add_nocopy(&c->stored, xstrdup(key), rows);
            }
            sset_delete(&c->dirty, SSET_NODE_FROM_NAME(key));
        }
    }
}

static const char *
np_pick(const char *const *values, size_t n)
{
    return values[rnd(n)];
}

/* The pod as the controller hands it to the graph: its pruned JSON. */
static struct json *
np_pod_json(const struct netpol_pod *pod)
{
    struct json *meta = json_object_create();
    struct json *labels = json_object_create();
    struct json *ann = json_object_create();
    struct json *obj = json_object_create();
    const struct smap_node *node;

    SMAP_FOR_EACH(node, &pod->labels)
    {
        json_object_put_string(labels, node->key, node->value);
    }
    if (pod->n_addrs) {
        char text[NET_ADDR_STRLEN];

        net_addr_format(&pod->addrs[0], text);
        json_object_put_string(ann, ANN_ALLOCATED, "true");
        json_object_put_string(ann, ANN_IP_ADDRESS, text);
    }
    json_object_put_string(meta, "name", pod->name);
    json_object_put_string(meta, "namespace", pod->namespace);
    json_object_put(meta, "labels", labels);
    json_object_put(meta, "annotations", ann);
    json_object_put(obj, "metadata", meta);
    return obj;
}

/* One random change, reported to the graph around it. */
static void
np_apply(struct np_cluster *c, const struct deps_sink *sink, struct ds *trace)
{
    static const char *const apps[] = {"x", "y", "z"};
    static const char *const teams[] = {"a", "b", ""};
    struct deps_change *change;
    uint32_t what = rnd(3);

    if (what == 0) { /* A pod's labels or address. */
        struct netpol_pod *pod = &c->pods[rnd(NP_N_PODS)];
        char *key = xasprintf("%s/%s", pod->namespace, pod->name);

        struct json *before = np_pod_json(pod);
        change = deps_change_begin(&c->world, DEPS_IN_POD, key, before);
        if (rnd(3)) {
            smap_replace(&pod->labels, "app", np_pick(apps, ARRAY_SIZE(apps)));
        } else {
            pod->n_addrs = !pod->n_addrs;
        }
        ds_put_format(trace, "  pod %s app=%s addrs=%zu\n", key,
                      smap_get(&pod->labels, "app"), pod->n_addrs);
        struct json *after = np_pod_json(pod);
        deps_change_end(change, after, sink);
        json_destroy(before);
        json_destroy(after);
        free(key);
    } else if (what == 1) { /* A namespace's labels. */
        int i = rnd(NP_N_NS);
        const char *team = np_pick(teams, ARRAY_SIZE(teams));
        char name[8];

        np_ns_name(i, name);
        change = deps_change_begin(&c->world, DEPS_IN_NAMESPACE, name,
                                   &c->ns_labels[i]);
        smap_clear(&c->ns_labels[i]);
        if (*team) {
            smap_add(&c->ns_labels[i], "team", team);
        }
        ds_put_format(trace, "  namespace %s team=%s\n", name, team);
        deps_change_end(change, &c->ns_labels[i], sink);
    } else { /* A policy created, changed or deleted. */
        int i = rnd(NP_N_POLS);
        char key[16];
        struct netpol *np = NULL;

        np_pol_key(i, key);
        change = deps_change_begin(&c->world, DEPS_IN_NETPOL, key, NULL);
        if (rnd(4)) {
            size_t t = rnd(ARRAY_SIZE(np_templates));
            char *slash = strchr(key, '/');
            char *text =
                xasprintf("{'metadata': {'namespace': '%.*s',"
                          " 'name': '%s'}, 'spec': %s}",
                          (int)(slash - key), key, slash + 1, np_templates[t]);
            struct json *obj = j(text);

            np = xmalloc(sizeof *np);
            assert_int_equal(0, netpol_from_json(obj, np, NULL));
            json_destroy(obj);
            free(text);
            ds_put_format(trace, "  policy %s template %zu\n", key, t);
        } else {
            ds_put_format(trace, "  policy %s deleted\n", key);
        }
        crd_netpols_put(&c->pols, key, np);
        deps_change_end(change, NULL, sink);
    }
}

static int
np_run_seed(uint32_t seed)
{
    struct np_cluster c;
    struct deps_sink sink = {np_mark, np_mark_all, &c};
    struct ds trace = DS_EMPTY_INITIALIZER;
    int mismatches = 0;

    rng = seed * 2654435761u + 7;
    memset(&c, 0, sizeof c);
    crd_netpols_init(&c.pols);
    sset_init(&c.dirty);
    shash_init(&c.stored);
    c.world = (struct deps_world){
        .model = crd_model_create(DEFAULT_VPC, DEFAULT_SUBNET),
        .join_subnet = JOIN_SUBNET,
        .for_each_namespace = np_for_each_namespace,
        .netpols = &c.pols,
        .aux = &c,
    };
    for (int i = 0; i < NP_N_NS; i++) {
        smap_init(&c.ns_labels[i]);
    }
    for (int i = 0; i < NP_N_PODS; i++) {
        struct netpol_pod *pod = &c.pods[i];
        char ns[8];

        np_ns_name(i % NP_N_NS, ns);
        pod->namespace = xstrdup(ns);
        pod->name = xasprintf("p%d", i);
        smap_init(&pod->labels);
        smap_add(&pod->labels, "app", "x");
        char *addr = xasprintf("10.16.0.%d", 10 + i);
        assert_int_equal(0, net_addr_parse(addr, &pod->addrs[0], NULL));
        free(addr);
        pod->n_addrs = 1;
    }

    for (int e = 0; e < NP_N_EVENTS; e++) {
        np_apply(&c, &sink, &trace);
        np_reconcile_some(&c, 1 + rnd(8));
    }
    np_reconcile_some(&c, 1);
    for (int i = 0; i < NP_N_POLS; i++) {
        char key[16];
        np_pol_key(i, key);
        char *want = np_compute(&c, key);
        const char *got = shash_find_data(&c.stored, key);

        if ((want == NULL) != (got == NULL) || (want && strcmp(want, got))) {
            fprintf(stderr,
                    "seed %" PRIu32 ": policy %s is stale:\n  kept:  %s\n"
                    "  fresh: %s\nevents:\n%s",
                    seed, key, got ? got : "(none)", want ? want : "(none)",
                    ds_cstr(&trace));
            mismatches++;
        }
        free(want);
    }

    crd_model_destroy(CONST_CAST(struct crd_model *, c.world.model));
    crd_netpols_destroy(&c.pols);
    sset_destroy(&c.dirty);
    shash_destroy_free_data(&c.stored);
    for (int i = 0; i < NP_N_NS; i++) {
        smap_destroy(&c.ns_labels[i]);
    }
    for (int i = 0; i < NP_N_PODS; i++) {
        netpol_pod_destroy(&c.pods[i]);
    }
    ds_destroy(&trace);
    return mismatches;
}

static void
test_deps_netpol_random_order_converges(void **state)
{
    int failed = 0;

    (void)state;
    for (uint32_t seed = 1; seed <= NP_N_SEEDS; seed++) {
        failed += np_run_seed(seed) != 0;
    }
    assert_int_equal(failed, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deps_vpc_default_subnet_created_last),
        cmocka_unit_test(test_deps_egress_edges),
        cmocka_unit_test(test_deps_regression_seeds),
        cmocka_unit_test(test_deps_random_order_converges),
        cmocka_unit_test(test_deps_netpol_random_order_converges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
