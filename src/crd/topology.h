/* The picture of a cluster's networks: Vpcs -> Subnets -> namespaces (and
 * how each is bound) -> pods per node, gateways, VPC peerings and stale OVN
 * rows, with every problem marked by a reason and a message a user can act
 * on.  Built from a crd_model plus a few facts the caller has read
 * (namespaces and their labels, pod and address counts, stale OVN rows);
 * no I/O, so kubectl-kovn builds it from one cluster read and the
 * controller can build it from its informers.
 *
 * Every decision about an object is crd_model's (crd_model_subnet_state(),
 * crd_model_bind_namespace()); this module only gathers them.  Objects are
 * kept in arrays sorted by name, so every rendering is stable.
 *
 * Problems and their reasons:
 *   Vpc:       InvalidSpec (spec.error), SubnetsExist (being deleted while
 *              subnets name it: the deletion is blocked by them),
 *              PeerVpcNotFound, PeeringNotMutual (spec.vpcPeerings).
 *   Subnet:    VpcNotFound (orphan), InvalidSpec, CIDROverlap (the reasons
 *              of subnet_state_reason()), NearFull (see below).
 *   Namespace: NoUsableSubnet.
 *   Stale OVN rows: StaleOvnRows, one per owner that is gone.
 * A Subnet named by no existing Vpc adds a placeholder Vpc marked 'missing'
 * (the orphan carries the problem, not the placeholder). */
#ifndef KOVN_CRD_TOPOLOGY_H
#define KOVN_CRD_TOPOLOGY_H 1

#include <stdbool.h>
#include <stddef.h>

#include "crd/model.h"
#include "net/addr.h"
#include "openvswitch/shash.h"

struct smap;

/* A subnet is near full when the addresses in use reach this share of its
 * usable addresses (subnet_usable_count(): CIDR minus network, broadcast,
 * gateway and excludeIps; for dual stack the smaller family).  90% leaves
 * room for a rolling update of a tenth of the subnet's pods, the usual
 * maxSurge, before allocations fail. */
#define TOPOLOGY_NEAR_FULL_PERCENT 90

/* How a namespace came to a subnet, in crd_model_bind_namespace()'s
 * terms. */
enum topology_bound_by {
    TOPOLOGY_BOUND_NAMESPACES,     /* The subnet's spec.namespaces. */
    TOPOLOGY_BOUND_SELECTOR,       /* Its spec.namespaceSelectors. */
    TOPOLOGY_BOUND_VPC_DEFAULT,    /* A Vpc listing it: spec.defaultSubnet. */
    TOPOLOGY_BOUND_CLUSTER_DEFAULT /* Nothing names it: the default. */
};

/* "namespaces", "namespaceSelectors", "vpcDefaultSubnet", "default". */
const char *topology_bound_by_name(enum topology_bound_by bound_by);

struct topology_problem {
    char *reason;  /* CamelCase, as condition reasons. */
    char *message; /* What is wrong and, where known, what to do. */
};

struct topology_problems {
    struct topology_problem *items;
    size_t n, allocated;
};

struct topology_peering {
    const char *remote_vpc; /* Point into the model's Vpc. */
    const char *local_connect_ip;
    const char *problem; /* The reason when broken, else NULL. */
};

struct topology_vpc {
    const char *name;
    const struct vpc *vpc; /* NULL for a missing Vpc's placeholder. */
    bool missing;
    const char **subnets; /* Names of the subnets in view, sorted. */
    size_t n_subnets;
    struct topology_peering *peerings;
    size_t n_peerings;
    struct topology_problems problems;
};

/* Pods of one namespace on one subnet and node. */
struct topology_pods {
    const char *subnet; /* "" for pods not given an address yet. */
    const char *node;   /* "" for pods not scheduled yet. */
    size_t n;
};

struct topology_subnet {
    const struct subnet *subnet;
    enum subnet_state state;
    const struct subnet *overlaps; /* For SUBNET_OVERLAP. */
    size_t used;                   /* Addresses in use (IP objects). */
    net_u128 usable;               /* 0 when the subnet is invalid. */
    const char **namespaces;       /* Bound namespaces in view, sorted. */
    size_t n_namespaces;
    struct topology_problems problems;
};

struct topology_binding {
    const char *subnet;
    enum topology_bound_by bound_by;
};

struct topology_skip {
    const char *subnet;
    enum subnet_state state;
};

struct topology_namespace {
    char *name;
    struct topology_binding *bindings; /* In binding order. */
    size_t n_bindings;
    struct topology_skip *skipped; /* Set aside, with why. */
    size_t n_skipped;
    struct topology_pods *pods; /* Sorted by subnet, then node. */
    size_t n_pods;
    struct topology_problems problems;
};

struct topology_stale_row {
    char *table;
    char *name; /* Row name, or its UUID where the table has none. */
};

/* OVN rows kovn owns whose owner is gone, grouped by owner. */
struct topology_stale_owner {
    char *kind; /* ovn/owner.h's kinds: "vpc", "subnet", "pod", "node". */
    char *name;
    struct topology_stale_row *rows;
    size_t n_rows;
    struct topology_problems problems;
};

struct topology;

/* Starts a topology of 'model', which must outlive it. */
struct topology *topology_create(const struct crd_model *model);
void topology_destroy(struct topology *topology);

/* Facts read by the caller, before topology_build().  'labels' may be
 * NULL.  Pod counts and address counts add up over calls. */
void topology_add_namespace(struct topology *topology, const char *name,
                            const struct smap *labels);
void topology_add_pods(struct topology *topology, const char *ns,
                       const char *subnet, const char *node, size_t n);
void topology_add_used(struct topology *topology, const char *subnet,
                       size_t n);
/* Marks that OVN NB was read: without it, stale rows are "not looked at",
 * not "none". */
void topology_set_ovn_read(struct topology *topology);
void topology_add_stale_row(struct topology *topology, const char *table,
                            const char *name, const char *owner_kind,
                            const char *owner_name);

/* Computes the picture, keeping only what concerns Vpc 'vpc' (its subnets
 * and their namespaces) and namespace 'ns' (its subnets, used or set
 * aside, and their Vpcs) when they are non-null.  Call once. */
void topology_build(struct topology *topology, const char *vpc,
                    const char *ns);

/* The result, sorted by name. */
const struct topology_vpc *topology_vpcs(const struct topology *topology,
                                         size_t *n);
const struct topology_subnet *topology_subnets(const struct topology *topology,
                                               size_t *n);
const struct topology_namespace *
topology_namespaces(const struct topology *topology, size_t *n);
/* NULL with '*n' 0 when OVN was not read. */
const struct topology_stale_owner *
topology_stale_owners(const struct topology *topology, size_t *n);
bool topology_ovn_read(const struct topology *topology);

const struct topology_vpc *topology_find_vpc(const struct topology *topology,
                                             const char *name);
const struct topology_subnet *
topology_find_subnet(const struct topology *topology, const char *name);
const struct topology_namespace *
topology_find_namespace(const struct topology *topology, const char *name);

/* Problems over every object in view. */
size_t topology_n_problems(const struct topology *topology);

#endif /* KOVN_CRD_TOPOLOGY_H */
