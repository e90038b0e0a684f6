/* kovn's dependency table and its handlers; see deps.h.
 *
 * Each handler answers, for one input object in the current state of the
 * model, "which keys of this output read it?".  It may answer more keys
 * than needed (a reconcile that finds nothing changed writes nothing), but
 * never fewer: the random-order model test in tests/unit/test_deps.c
 * checks that against from-scratch computations. */
#include <config.h>

#include "crd/deps.h"

#include <string.h>

#include "crd/ip.h"
#include "crd/model.h"
#include "crd/names.h"
#include "crd/netpol.h"
#include "crd/node.h"
#include "crd/pod.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

/* Marks gathered by one handler in one state. */
struct marks {
    struct sset keys;
    bool all;
};

typedef void deps_handler_fn(const struct deps_world *, const char *key,
                             const void *object, struct marks *);
/* The fields of the input the output reads, or NULL while the input is
 * absent; the caller frees it. */
typedef char *deps_view_fn(const struct deps_world *, const char *key,
                           const void *object);

struct deps_edge {
    enum deps_input input;
    enum deps_output output;
    deps_handler_fn *handler; /* NULL: every key of the output. */
    deps_view_fn *view;       /* NULL: every change counts. */
    long long delay_ms;
    /* The handler names namespaces; the keys marked are those namespaces'
     * waiting pods (deps_world's for_each_waiting_pod). */
    bool via_waiting_pods;
};

/* ---- Views ---- */

static void
put_sset(struct ds *s, const struct sset *set)
{
    const char **sorted = sset_sort(set);

    for (size_t i = 0; sorted[i]; i++) {
        ds_put_format(s, "%s,", sorted[i]);
    }
    free(sorted);
}

/* What namespaces and overlapping peers see of a subnet. */
static char *
subnet_binding_view(const struct deps_world *w, const char *key,
                    const void *object)
{
    const struct subnet *subnet = crd_model_subnet(w->model, key);
    struct ds s = DS_EMPTY_INITIALIZER;

    (void)object;
    if (!subnet) {
        return NULL;
    }
    ds_put_format(&s, "%s|%d|%s|%s|%s|%s|", subnet->vpc, subnet->deleting,
                  subnet->error ? subnet->error : "",
                  subnet->cidr_block ? subnet->cidr_block : "",
                  subnet->exclude_ips_text ? subnet->exclude_ips_text : "",
                  subnet->creation_timestamp);
    put_sset(&s, &subnet->namespaces);
    for (size_t i = 0; i < subnet->n_selectors; i++) {
        char *text = kube_selector_format(&subnet->selectors[i]);
        ds_put_format(&s, "|%s", text);
        free(text);
    }
    return ds_steal_cstr(&s);
}

/* A VPC's status lists its subnets: it sees only which VPC one names. */
static char *
subnet_vpc_view(const struct deps_world *w, const char *key,
                const void *object)
{
    const struct subnet *subnet = crd_model_subnet(w->model, key);

    (void)object;
    return subnet ? xstrdup(subnet->vpc) : NULL;
}

/* What namespaces see of a VPC. */
static char *
vpc_binding_view(const struct deps_world *w, const char *key,
                 const void *object)
{
    const struct vpc *vpc = crd_model_vpc(w->model, key);
    struct ds s = DS_EMPTY_INITIALIZER;

    (void)object;
    if (!vpc) {
        return NULL;
    }
    ds_put_format(&s, "%s|", vpc->default_subnet);
    put_sset(&s, &vpc->namespaces);
    return ds_steal_cstr(&s);
}

/* Subnets see only whether their VPC exists. */
static char *
existence_view(const struct deps_world *w, const char *key, const void *object)
{
    (void)object;
    return crd_model_vpc(w->model, key) ? xstrdup("") : NULL;
}

static char *
ippool_view(const struct deps_world *w, const char *key, const void *object)
{
    const struct ippool *pool =
        shash_find_data(crd_model_ippools(w->model), key);
    struct ds s = DS_EMPTY_INITIALIZER;

    (void)object;
    if (!pool) {
        return NULL;
    }
    ds_put_format(&s, "%s|%s|", pool->error ? "error" : "",
                  pool->subnet ? pool->subnet : "");
    put_sset(&s, &pool->namespaces);
    return ds_steal_cstr(&s);
}

/* What a node's egress address sets and the gateway choice see of a
 * subnet: where it is, how it egresses, whether it works. */
static char *
subnet_egress_view(const struct deps_world *w, const char *key,
                   const void *object)
{
    const struct subnet *subnet = crd_model_subnet(w->model, key);

    (void)object;
    if (!subnet) {
        return NULL;
    }
    return xasprintf("%s|%s|%s|%s|%d", subnet->vpc, subnet->gateway_type,
                     subnet->error ? subnet->error : "",
                     subnet->cidr_block ? subnet->cidr_block : "",
                     subnet->deleting);
}

/* What a node's address sets read of a pod (its JSON): where it runs and
 * its addresses. */
static char *
pod_egress_view(const struct deps_world *w, const char *key,
                const void *object)
{
    const char *node, *ip, *ls;

    (void)w;
    (void)key;
    if (!object) {
        return NULL;
    }
    node = crd_pod_node_of(object);
    ip = kube_object_annotation(object, ANN_IP_ADDRESS);
    ls = kube_object_annotation(object, ANN_LOGICAL_SWITCH);
    /* A pod without an address or a node puts nothing in any node's sets:
     * a pod created bound (or scheduled) is no change to its node until
     * its address is written, one node reconcile per pod instead of two. */
    if (!node || !ip || !*ip) {
        return NULL;
    }
    return xasprintf("%s|%s|%s", node, ip, ls ? ls : "");
}

/* What the gateway choice reads of a node (its JSON): Ready, labels and
 * whether it has a join address. */
static char *
node_gateway_view(const struct deps_world *w, const char *key,
                  const void *object)
{
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct crd_node node;
    const char *ip;
    struct ds s = DS_EMPTY_INITIALIZER;

    (void)w;
    (void)key;
    if (!object) {
        return NULL;
    }
    crd_node_from_json(object, &node);
    ip = kube_object_annotation(object, ANN_IP_ADDRESS);
    ds_put_format(&s, "%d|%s|", node.ready, ip ? ip : "");
    kube_object_labels(object, &labels);
    const struct smap_node **sorted = smap_sort(&labels);
    for (size_t i = 0; i < smap_count(&labels); i++) {
        ds_put_format(&s, "%s=%s,", sorted[i]->key, sorted[i]->value);
    }
    free(sorted);
    smap_destroy(&labels);
    return ds_steal_cstr(&s);
}

/* What policies read of a pod (its JSON): labels, addresses, named
 * ports.  A phase or status change leaves it alone. */
static char *
pod_netpol_view(const struct deps_world *w, const char *key,
                const void *object)
{
    struct netpol_pod pod;
    struct ds s = DS_EMPTY_INITIALIZER;

    (void)w;
    (void)key;
    if (!object) {
        return NULL;
    }
    netpol_pod_from_json(object, &pod);
    const struct smap_node **sorted = smap_sort(&pod.labels);
    for (size_t i = 0; i < smap_count(&pod.labels); i++) {
        ds_put_format(&s, "%s=%s,", sorted[i]->key, sorted[i]->value);
    }
    free(sorted);
    for (size_t i = 0; i < pod.n_addrs; i++) {
        char text[NET_ADDR_STRLEN];

        net_addr_format(&pod.addrs[i], text);
        ds_put_format(&s, "|%s", text);
    }
    for (size_t i = 0; i < pod.n_ports; i++) {
        ds_put_format(&s, "|%s/%d/%d", pod.ports[i].name,
                      (int)pod.ports[i].proto, pod.ports[i].number);
    }
    netpol_pod_destroy(&pod);
    return ds_steal_cstr(&s);
}

/* ---- Handlers ---- */

static void
mark(struct marks *m, const char *key)
{
    if (key && *key) {
        sset_add(&m->keys, key);
    }
}

static void
same_key(const struct deps_world *w, const char *key, const void *object,
         struct marks *m)
{
    (void)w;
    (void)object;
    mark(m, key);
}

static void
default_vpc_of_join(const struct deps_world *w, const char *key,
                    const void *object, struct marks *m)
{
    (void)object;
    if (w->join_subnet && !strcmp(key, w->join_subnet)) {
        mark(m, crd_model_default_vpc(w->model));
    }
}

/* The default VPC's router carries every node's policies (pods reach node
 * addresses through it): when it comes or goes, every node is rewritten. */
static void
nodes_of_default_vpc(const struct deps_world *w, const char *key,
                     const void *object, struct marks *m)
{
    (void)object;
    if (!strcmp(key, crd_model_default_vpc(w->model))) {
        m->all = true;
    }
}

/* Centralized subnets choose their gateway among the nodes. */
static void
centralized_subnets(const struct deps_world *w, const char *key,
                    const void *object, struct marks *m)
{
    struct shash_node *node;

    (void)key;
    (void)object;
    SHASH_FOR_EACH(node, crd_model_subnets(w->model))
    {
        const struct subnet *subnet = node->data;
        if (subnet->gateway_type &&
            !strcmp(subnet->gateway_type, "centralized")) {
            mark(m, subnet->name);
        }
    }
}

/* A node's address sets list its pods. */
static void
node_of_pod(const struct deps_world *w, const char *key, const void *object,
            struct marks *m)
{
    (void)w;
    (void)key;
    if (object) {
        mark(m, crd_pod_node_of(object));
    }
}

/* Every node's address sets read the default VPC's subnets' gateway
 * type. */
static void
nodes_of_default_vpc_subnet(const struct deps_world *w, const char *key,
                            const void *object, struct marks *m)
{
    const struct subnet *subnet = crd_model_subnet(w->model, key);

    (void)object;
    if (subnet && !strcmp(subnet->vpc, crd_model_default_vpc(w->model))) {
        m->all = true;
    }
}

struct select_ctx {
    const struct subnet *subnet;
    struct marks *marks;
};

static void
mark_if_selected(const char *ns, const struct smap *labels, void *ctx_)
{
    struct select_ctx *ctx = ctx_;

    if (subnet_selects_namespace(ctx->subnet, ns, labels)) {
        mark(ctx->marks, ns);
    }
}

/* The namespaces for which subnet 'name' is a candidate: those it lists
 * or selects, and those listed by a VPC whose defaultSubnet it is (even
 * while it does not exist: its creation binds them).  The cluster default
 * subnet is every namespace's fallback. */
static void
namespaces_of_candidate(const struct deps_world *w, const char *name,
                        struct marks *m)
{
    const struct subnet *subnet = crd_model_subnet(w->model, name);
    struct shash_node *node;
    const char *ns;

    if (!strcmp(name, crd_model_default_subnet(w->model))) {
        m->all = true;
        return;
    }
    if (subnet) {
        SSET_FOR_EACH(ns, &subnet->namespaces)
        {
            mark(m, ns);
        }
        if (subnet->n_selectors) {
            struct select_ctx ctx = {subnet, m};
            w->for_each_namespace(w->aux, mark_if_selected, &ctx);
        }
    }
    SHASH_FOR_EACH(node, crd_model_vpcs(w->model))
    {
        const struct vpc *vpc = node->data;
        if (!strcmp(vpc->default_subnet, name)) {
            SSET_FOR_EACH(ns, &vpc->namespaces)
            {
                mark(m, ns);
            }
        }
    }
}

/* Calls 'fn' for each subnet of the same VPC whose CIDRs overlap subnet
 * 'name': the overlap verdict ("the older one keeps it") of each may
 * flip with it. */
static void
for_each_overlapping(const struct deps_world *w, const char *name,
                     void (*fn)(const struct deps_world *, const char *,
                                struct marks *),
                     struct marks *m)
{
    const struct subnet *subnet = crd_model_subnet(w->model, name);
    const struct sset *peers;
    const char *peer_name;

    if (!subnet || !subnet_is_valid(subnet)) {
        return;
    }
    peers = crd_model_subnets_of_vpc(w->model, subnet->vpc);
    SSET_FOR_EACH(peer_name, peers)
    {
        const struct subnet *peer = crd_model_subnet(w->model, peer_name);
        if (peer != subnet && subnet_is_valid(peer) &&
            subnet_overlaps(peer, subnet)) {
            fn(w, peer_name, m);
        }
    }
}

static void
namespaces_of_subnet(const struct deps_world *w, const char *key,
                     const void *object, struct marks *m)
{
    (void)object;
    namespaces_of_candidate(w, key, m);
    for_each_overlapping(w, key, namespaces_of_candidate, m);
}

/* A VPC's existence decides whether each of its subnets is usable; its
 * spec.namespaces and defaultSubnet bind the namespaces it lists. */
static void
namespaces_of_vpc(const struct deps_world *w, const char *key,
                  const void *object, struct marks *m)
{
    const struct vpc *vpc = crd_model_vpc(w->model, key);
    const struct sset *subnets = crd_model_subnets_of_vpc(w->model, key);
    const char *name;

    (void)object;
    if (vpc) {
        SSET_FOR_EACH(name, &vpc->namespaces)
        {
            mark(m, name);
        }
    }
    if (subnets) {
        SSET_FOR_EACH(name, subnets)
        {
            namespaces_of_candidate(w, name, m);
        }
    }
}

static void
namespaces_of_ippool(const struct deps_world *w, const char *key,
                     const void *object, struct marks *m)
{
    const struct ippool *pool =
        shash_find_data(crd_model_ippools(w->model), key);
    const char *ns;

    (void)object;
    if (pool) {
        SSET_FOR_EACH(ns, &pool->namespaces)
        {
            mark(m, ns);
        }
    }
}

static void
mark_one(const struct deps_world *w, const char *name, struct marks *m)
{
    (void)w;
    mark(m, name);
}

static void
overlapping_subnets(const struct deps_world *w, const char *key,
                    const void *object, struct marks *m)
{
    (void)object;
    for_each_overlapping(w, key, mark_one, m);
}

/* Private subnets let the join subnet's CIDRs in: their ACLs follow it. */
static void
private_subnets_of_join(const struct deps_world *w, const char *key,
                        const void *object, struct marks *m)
{
    struct shash_node *node;

    (void)object;
    if (!w->join_subnet || strcmp(key, w->join_subnet)) {
        return;
    }
    SHASH_FOR_EACH(node, crd_model_subnets(w->model))
    {
        const struct subnet *subnet = node->data;
        if (subnet->private_) {
            mark(m, subnet->name);
        }
    }
}

static void
subnets_of_vpc(const struct deps_world *w, const char *key, const void *object,
               struct marks *m)
{
    const struct sset *subnets = crd_model_subnets_of_vpc(w->model, key);
    const char *name;

    (void)object;
    if (subnets) {
        SSET_FOR_EACH(name, subnets)
        {
            mark(m, name);
        }
    }
}

static void
vpc_of_subnet(const struct deps_world *w, const char *key, const void *object,
              struct marks *m)
{
    const struct subnet *subnet = crd_model_subnet(w->model, key);

    (void)object;
    if (subnet) {
        mark(m, subnet->vpc);
    }
}

static void
subnet_of_ip(const struct deps_world *w, const char *key, const void *object,
             struct marks *m)
{
    const struct crd_ip *ip = object;

    (void)w;
    (void)key;
    if (ip) {
        mark(m, ip->subnet);
    }
}

static void
pod_of_ip(const struct deps_world *w, const char *key, const void *object,
          struct marks *m)
{
    const struct crd_ip *ip = object;

    (void)w;
    (void)key;
    if (ip) {
        char *pod = crd_ip_pod_key(ip);
        mark(m, pod);
        free(pod);
    }
}

/* A pod's events come in bursts (created, addresses, IP object, routed)
 * and each marks every policy with a namespaceSelector peer, whose
 * reconcile reads the pods of every namespace it selects: one reconcile
 * per burst, not one per event, at the cost of this much latency. */
#define NETPOL_POD_BATCH_MS 100

/* Marks the policies of namespace 'ns' and those that select namespaces:
 * what a change of a pod of 'ns' (labels, address, named ports) or of
 * 'ns' itself (labels) can alter.  Other policies read neither. */
static void
policies_reading_namespace(const struct deps_world *w, const char *ns,
                           size_t ns_len, struct marks *m)
{
    struct shash_node *node;

    if (!w->netpols) {
        return;
    }
    SHASH_FOR_EACH(node, &w->netpols->by_key)
    {
        const struct netpol *np = node->data;

        if (np->selects_namespaces || (strlen(np->namespace) == ns_len &&
                                       !strncmp(np->namespace, ns, ns_len))) {
            mark(m, np->key);
        }
    }
}

/* Pod "namespace/name". */
static void
policies_of_pod(const struct deps_world *w, const char *key,
                const void *object, struct marks *m)
{
    const char *slash = strchr(key, '/');

    (void)object;
    if (slash) {
        policies_reading_namespace(w, key, slash - key, m);
    }
}

/* A pod's IP object appears once its switch port is in NB: the port group
 * can take it then. */
static void
policies_of_ip(const struct deps_world *w, const char *key, const void *object,
               struct marks *m)
{
    const struct crd_ip *ip = object;

    (void)key;
    if (ip) {
        char *pod = crd_ip_pod_key(ip);
        policies_of_pod(w, pod, NULL, m);
        free(pod);
    }
}

static void
policies_of_namespace(const struct deps_world *w, const char *key,
                      const void *object, struct marks *m)
{
    (void)object;
    policies_reading_namespace(w, key, strlen(key), m);
}

/* Every policy lets the join subnet's CIDRs in. */
static void
policies_of_join(const struct deps_world *w, const char *key,
                 const void *object, struct marks *m)
{
    (void)object;
    if (w->join_subnet && !strcmp(key, w->join_subnet)) {
        m->all = true;
    }
}

/* The table.  Read it by output: each output's rows are everything it
 * reads. */
static const struct deps_edge edges[] = {
    /* Namespace annotations: a pure function of the namespace's labels,
     * the Subnets, the Vpcs and the IPPools (crd_model_bind_namespace). */
    {DEPS_IN_NAMESPACE, DEPS_OUT_NAMESPACE, same_key, NULL, 0, false},
    {DEPS_IN_SUBNET, DEPS_OUT_NAMESPACE, namespaces_of_subnet,
     subnet_binding_view, 0, false},
    {DEPS_IN_VPC, DEPS_OUT_NAMESPACE, namespaces_of_vpc, vpc_binding_view, 0,
     false},
    {DEPS_IN_IPPOOL, DEPS_OUT_NAMESPACE, namespaces_of_ippool, ippool_view, 0,
     false},

    /* Subnet status and OVN rows: its spec, its VPC's existence, the
     * overlap verdicts of its VPC's subnets, the join subnet (private
     * subnets' ACLs) and its IP objects (counts, deletion).  Counts are
     * written at most once a second, not once per pod. */
    {DEPS_IN_SUBNET, DEPS_OUT_SUBNET, same_key, NULL, 0, false},
    {DEPS_IN_SUBNET, DEPS_OUT_SUBNET, overlapping_subnets, subnet_binding_view,
     0, false},
    {DEPS_IN_SUBNET, DEPS_OUT_SUBNET, private_subnets_of_join,
     subnet_binding_view, 0, false},
    {DEPS_IN_VPC, DEPS_OUT_SUBNET, subnets_of_vpc, existence_view, 0, false},
    {DEPS_IN_IP, DEPS_OUT_SUBNET, subnet_of_ip, NULL, 1000, false},
    /* A centralized subnet's active gateway: the nodes' readiness, labels
     * and join addresses. */
    {DEPS_IN_NODE, DEPS_OUT_SUBNET, centralized_subnets, node_gateway_view, 0,
     false},

    /* VPC status and router: its spec, which subnets name it, and for the
     * default VPC the join subnet's gateway (its default route). */
    {DEPS_IN_VPC, DEPS_OUT_VPC, same_key, NULL, 0, false},
    {DEPS_IN_SUBNET, DEPS_OUT_VPC, default_vpc_of_join, subnet_binding_view, 0,
     false},
    {DEPS_IN_SUBNET, DEPS_OUT_VPC, vpc_of_subnet, subnet_vpc_view, 0, false},

    /* Pods: the pod and its IP object; a pod still waiting for an address
     * also reads its namespace's binding, as the annotations do. */
    {DEPS_IN_POD, DEPS_OUT_POD, same_key, NULL, 0, false},
    {DEPS_IN_IP, DEPS_OUT_POD, pod_of_ip, NULL, 0, false},
    {DEPS_IN_NAMESPACE, DEPS_OUT_POD, same_key, NULL, 0, true},
    {DEPS_IN_SUBNET, DEPS_OUT_POD, namespaces_of_subnet, subnet_binding_view,
     0, true},
    {DEPS_IN_VPC, DEPS_OUT_POD, namespaces_of_vpc, vpc_binding_view, 0, true},
    {DEPS_IN_IPPOOL, DEPS_OUT_POD, namespaces_of_ippool, ippool_view, 0, true},

    /* Nodes: the node, the default VPC's router that holds the policies
     * to its addresses, and for its egress address sets its pods and the
     * default VPC's subnets (which of them are distributed). */
    {DEPS_IN_NODE, DEPS_OUT_NODE, same_key, NULL, 0, false},
    {DEPS_IN_VPC, DEPS_OUT_NODE, nodes_of_default_vpc, existence_view, 0,
     false},
    {DEPS_IN_POD, DEPS_OUT_NODE, node_of_pod, pod_egress_view, 0, false},
    {DEPS_IN_SUBNET, DEPS_OUT_NODE, nodes_of_default_vpc_subnet,
     subnet_egress_view, 0, false},

    /* Services: the Service and its Endpoints (same key). */
    {DEPS_IN_SERVICE, DEPS_OUT_SERVICE, same_key, NULL, 0, false},
    {DEPS_IN_ENDPOINTS, DEPS_OUT_SERVICE, same_key, NULL, 0, false},

    /* NetworkPolicies: the policy; the labels, addresses and named ports
     * of the pods of its namespace (of every namespace when a peer has a
     * namespaceSelector), and namespaces' labels; a pod's switch port
     * (its IP object follows it); the join subnet (the nodes' CIDRs). */
    {DEPS_IN_NETPOL, DEPS_OUT_NETPOL, same_key, NULL, 0, false},
    {DEPS_IN_POD, DEPS_OUT_NETPOL, policies_of_pod, pod_netpol_view,
     NETPOL_POD_BATCH_MS, false},
    {DEPS_IN_IP, DEPS_OUT_NETPOL, policies_of_ip, NULL, NETPOL_POD_BATCH_MS,
     false},
    {DEPS_IN_NAMESPACE, DEPS_OUT_NETPOL, policies_of_namespace, NULL, 0,
     false},
    {DEPS_IN_SUBNET, DEPS_OUT_NETPOL, policies_of_join, subnet_binding_view, 0,
     false},
};

#define N_EDGES (sizeof edges / sizeof edges[0])

const char *
deps_input_name(enum deps_input input)
{
    static const char *const names[DEPS_N_INPUTS] = {
        "Namespace", "Subnet", "Vpc",     "IPPool",    "IP",
        "Pod",       "Node",   "Service", "Endpoints", "NetworkPolicy",
    };
    return input < DEPS_N_INPUTS ? names[input] : "?";
}

const char *
deps_output_name(enum deps_output output)
{
    static const char *const names[DEPS_N_OUTPUTS] = {
        "namespace annotations", "subnet status and OVN rows",
        "vpc status and router", "pod wiring",
        "node wiring",           "service load balancing",
        "network policy ACLs",
    };
    return output < DEPS_N_OUTPUTS ? names[output] : "?";
}

void
deps_for_each_edge(void (*fn)(enum deps_input, enum deps_output, bool, void *),
                   void *aux)
{
    for (size_t i = 0; i < N_EDGES; i++) {
        fn(edges[i].input, edges[i].output, edges[i].handler != NULL, aux);
    }
}

/* One edge's state across a change. */
struct edge_change {
    const struct deps_edge *edge;
    struct marks marks;
    char *view_before;
};

struct deps_change {
    const struct deps_world *world;
    enum deps_input input;
    char *key;
    struct edge_change edges[N_EDGES];
    size_t n_edges;
};

static void
run_handler(const struct deps_world *w, const struct deps_edge *edge,
            const char *key, const void *object, struct marks *m)
{
    if (edge->handler) {
        edge->handler(w, key, object, m);
    } else {
        m->all = true;
    }
}

struct deps_change *
deps_change_begin(const struct deps_world *world, enum deps_input input,
                  const char *key, const void *object)
{
    struct deps_change *c = xzalloc(sizeof *c);

    c->world = world;
    c->input = input;
    c->key = xstrdup(key);
    for (size_t i = 0; i < N_EDGES; i++) {
        if (edges[i].input != input) {
            continue;
        }
        struct edge_change *ec = &c->edges[c->n_edges++];
        ec->edge = &edges[i];
        sset_init(&ec->marks.keys);
        ec->view_before =
            edges[i].view ? edges[i].view(world, key, object) : NULL;
        run_handler(world, &edges[i], key, object, &ec->marks);
    }
    return c;
}

struct waiting_pod_ctx {
    const struct deps_edge *edge;
    const struct deps_sink *sink;
};

static void
mark_waiting_pod(const char *pod, void *ctx_)
{
    const struct waiting_pod_ctx *ctx = ctx_;

    ctx->sink->mark(ctx->sink->aux, ctx->edge->output, pod,
                    ctx->edge->delay_ms);
}

/* Maps the namespaces in 'm' to their pods still waiting for an address. */
static void
mark_waiting_pods(const struct deps_world *w, const struct deps_edge *edge,
                  const struct marks *m, const struct deps_sink *sink)
{
    struct waiting_pod_ctx ctx = {edge, sink};
    const char *ns;

    if (!w->for_each_waiting_pod) {
        return;
    }
    if (m->all) {
        w->for_each_waiting_pod(w->aux, NULL, mark_waiting_pod, &ctx);
        return;
    }
    SSET_FOR_EACH(ns, &m->keys)
    {
        w->for_each_waiting_pod(w->aux, ns, mark_waiting_pod, &ctx);
    }
}

bool
deps_change_end(struct deps_change *c, const void *object,
                const struct deps_sink *sink)
{
    bool viewed_change = false;

    for (size_t i = 0; i < c->n_edges; i++) {
        struct edge_change *ec = &c->edges[i];
        const struct deps_edge *edge = ec->edge;
        bool changed = true;

        if (edge->view) {
            char *after = edge->view(c->world, c->key, object);
            changed =
                !ec->view_before || !after || strcmp(ec->view_before, after);
            /* Absent before and after: nothing to see. */
            changed = changed && (ec->view_before || after);
            viewed_change = viewed_change || changed;
            free(after);
        }
        if (changed) {
            run_handler(c->world, edge, c->key, object, &ec->marks);
            if (edge->via_waiting_pods) {
                mark_waiting_pods(c->world, edge, &ec->marks, sink);
            } else if (ec->marks.all) {
                sink->mark_all(sink->aux, edge->output);
            } else {
                const char *key;
                SSET_FOR_EACH(key, &ec->marks.keys)
                {
                    sink->mark(sink->aux, edge->output, key, edge->delay_ms);
                }
            }
        }
        sset_destroy(&ec->marks.keys);
        free(ec->view_before);
    }
    free(c->key);
    free(c);
    return viewed_change;
}
