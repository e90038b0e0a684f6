/* kovn-controller's shared state: one Kubernetes client, one OVN NB
 * connection, the informers and typed model they feed, and one work queue
 * per kind.  Everything runs on one poll-loop thread that owns all of it
 * (controller_run() / controller_wait()), so nothing here is locked. */
#ifndef KOVN_CONTROLLER_CONTROLLER_H
#define KOVN_CONTROLLER_CONTROLLER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller/addresses.h"
#include "crd/deps.h"
#include "crd/model.h"
#include "crd/netpol.h"
#include "openvswitch/shash.h"
#include "ovn/nb.h"
#include "sset.h"

struct json;
struct kovn_error;
struct kube_client;
struct kube_informer;
struct kube_lease;
struct kube_recorder;
struct metrics_registry;
struct ovn_batch;
struct ovn_nb;
struct ctrl_queue;
struct controller;

/* An input of the dependency graph known by key alone; the aux of its
 * informer's handlers. */
struct ctrl_keyed_input {
    struct controller *ctl;
    enum deps_input input;
};

struct controller_options {
    const char *default_vpc;
    const char *default_subnet;
    const char *default_cidr;
    const char *default_gateway;
    const char *join_subnet;
    const char *join_cidr;
    bool create_defaults;

    bool gc_orphaned_subnets;
    long long orphan_grace_ms;
    long long gc_interval_ms;

    const char *event_namespace; /* Events of cluster-scoped objects. */
    /* Ports one OVN logical switch holds (crd/subnet.h): a subnet attaches
     * at most subnet_port_capacity() of it pods. */
    size_t switch_port_limit;
    /* Under a stream of changes, the next NB transaction waits this long
     * after the previous one's answer (ovn_batch_set_linger()). */
    long long nb_linger_ms;
    /* --adopt-kube-ovn: take over Kube-OVN's NB rows and finalizers
     * (controller/adopt.h). */
    bool adopt_kube_ovn;
};

/* Where the takeover of Kube-OVN's NB rows stands (controller/adopt.h). */
enum ctrl_adopt_state {
    CTRL_ADOPT_IDLE,
    CTRL_ADOPT_IN_FLIGHT,
    CTRL_ADOPT_DONE,
};

/* OVN transaction latency buckets, in seconds. */
#define CTRL_TXN_BUCKETS 12

struct controller {
    struct controller_options opts;
    struct kube_client *client;
    struct ovn_nb *nb;
    /* Pod ports go through it: one NB transaction for all the ports due,
     * not one blocking transaction per pod. */
    struct ovn_batch *nb_batch;
    struct kube_recorder *recorder;

    struct kube_informer *vpc_informer;
    struct kube_informer *subnet_informer;
    struct kube_informer *namespace_informer;
    struct kube_informer *ippool_informer;
    struct kube_informer *ip_informer;
    struct kube_informer *pod_informer;
    struct kube_informer *node_informer;
    struct kube_informer *service_informer;
    struct kube_informer *endpoints_informer;
    struct kube_informer *netpol_informer;
    struct ctrl_keyed_input keyed[DEPS_N_INPUTS];

    /* Parsed Vpcs, Subnets and IPPools, kept in step with the informers. */
    struct crd_model *model;
    /* The dependency graph's view of the model and where its marks go:
     * every informer change reaches the queues through it. */
    struct deps_world deps_world;
    struct deps_sink deps_sink;

    struct ctrl_queue *vpc_queue;
    struct ctrl_queue *subnet_queue;
    struct ctrl_queue *namespace_queue;
    struct ctrl_queue *pod_queue;
    struct ctrl_queue *node_queue;
    struct ctrl_queue *service_queue;
    struct ctrl_queue *netpol_queue;

    /* IPAM and who holds what; rebuilt by pod_restore() before the first
     * pod is reconciled, and again each time leadership is regained.
     * 'n_restores' counts the rebuilds. */
    struct addresses addresses;
    bool restored;
    unsigned int n_restores;
    /* With --adopt-kube-ovn, reconcilers wait for CTRL_ADOPT_DONE. */
    enum ctrl_adopt_state adopt_state;
    long long adopt_retry_ms;
    /* Cold start: when the controller started, and which of its informers
     * (and NB) have been logged as ready, bit by bit. */
    long long start_ms;
    unsigned int ready_logged;

    /* "subnet\treason" pairs already logged as skipped for a namespace, so
     * each is logged once, not once per namespace. */
    struct sset skips_logged;
    uint64_t skips_total[SUBNET_N_STATES];
    /* Namespaces that got no subnet at their last reconcile. */
    struct sset unbound_namespaces;
    /* Pods ("namespace/name") whose last allocation failed: a change of
     * their namespace's binding retries them at once (deps.h), not after
     * their backoff, which grows to minutes. */
    struct sset waiting_pods;
    /* Per Service ("namespace/name"), the "lb\tvip" entries it may have in
     * the load balancers (struct sset *): what a reconcile must remove when
     * the Service changes or goes.  VIPs of Services deleted while the
     * controller was down go in one full sweep, the first after start. */
    struct shash service_vips;
    bool service_vips_swept;
    /* NetworkPolicies in typed form (netpol.c); per policy, what its last
     * Event said was left out ("" for nothing) and what its last build
     * could not express against the pods. */
    struct crd_netpols netpols;
    struct shash netpol_warned;
    struct shash netpol_compute_warnings;

    /* OVN transaction latency histogram. */
    uint64_t txn_buckets[CTRL_TXN_BUCKETS];
    uint64_t txn_count;
    double txn_sum_s;
    uint64_t txn_errors;

    long long next_gc_ms;
    uint64_t gc_deleted_rows;
    uint64_t gc_deleted_subnets;
};

/* Informer paths. */
#define CTRL_VPCS_PATH       "/apis/kubeovn.io/v1/vpcs"
#define CTRL_SUBNETS_PATH    "/apis/kubeovn.io/v1/subnets"
#define CTRL_IPPOOLS_PATH    "/apis/kubeovn.io/v1/ippools"
#define CTRL_IPS_PATH        "/apis/kubeovn.io/v1/ips"
#define CTRL_NAMESPACES_PATH "/api/v1/namespaces"
#define CTRL_PODS_PATH       "/api/v1/pods"
#define CTRL_NODES_PATH      "/api/v1/nodes"
#define CTRL_SERVICES_PATH   "/api/v1/services"
#define CTRL_ENDPOINTS_PATH  "/api/v1/endpoints"
#define CTRL_NETPOLS_PATH    "/apis/networking.k8s.io/v1/networkpolicies"

/* Index of IP objects by spec.subnet. */
#define CTRL_IP_BY_SUBNET "subnet"
/* Pods by spec.nodeName. */
#define CTRL_POD_BY_NODE "node"
/* Services by spec.clusterIP: whose is a VIP found in a load balancer. */
#define CTRL_SERVICE_BY_CLUSTER_IP "clusterIP"
/* Pods by metadata.namespace: the pods a NetworkPolicy reads. */
#define CTRL_POD_BY_NAMESPACE "namespace"

void controller_init(struct controller *ctl,
                     const struct controller_options *opts,
                     struct kube_client *client, struct ovn_nb *nb);
void controller_destroy(struct controller *ctl);

bool controller_synced(const struct controller *ctl);
/* Reconciles only while 'active' (elected leader, defaults in place). */
void controller_run(struct controller *ctl, bool active);
void controller_wait(struct controller *ctl, bool active);
/* Leadership is lost: while another replica leads, it allocates and
 * releases addresses this one's book does not see, so the book is rebuilt
 * from IP objects and annotations before this one reconciles again.  (A
 * stale book hands out an address a pod of the other leader's term holds,
 * or refuses that pod its own.) */
void controller_stopped_leading(struct controller *ctl);

/* Reconcilers (vpc_ctrl.c, subnet_ctrl.c, namespace_ctrl.c). */
struct ctrl_job;
enum ctrl_result vpc_reconcile(const char *key, struct ctrl_job *job,
                               void *ctl);
enum ctrl_result subnet_reconcile(const char *key, struct ctrl_job *job,
                                  void *ctl);
enum ctrl_result namespace_reconcile(const char *key, struct ctrl_job *job,
                                     void *ctl);
enum ctrl_result pod_reconcile(const char *key, struct ctrl_job *job,
                               void *ctl);

enum ctrl_result node_reconcile(const char *key, struct ctrl_job *job,
                                void *ctl);
enum ctrl_result service_reconcile(const char *key, struct ctrl_job *job,
                                   void *ctl);

/* netpol.c: the NetworkPolicy reconciler, its informer's handlers, its
 * state in struct controller and its metrics. */
enum ctrl_result netpol_reconcile(const char *key, struct ctrl_job *job,
                                  void *ctl);
void ctrl_netpol_add(const char *key, const struct json *obj, void *ctl);
void ctrl_netpol_update(const char *key, const struct json *old,
                        const struct json *new, void *ctl);
void ctrl_netpol_del(const char *key, const struct json *obj, void *ctl);
void ctrl_netpol_init(struct controller *ctl);
void ctrl_netpol_destroy(struct controller *ctl);
void ctrl_netpol_metrics(const struct controller *ctl,
                         struct metrics_registry *r);

/* pod.c, node.c: the start-up restores. */
void pod_restore(struct controller *ctl);
void node_restore(struct controller *ctl);

#endif /* KOVN_CONTROLLER_CONTROLLER_H */
