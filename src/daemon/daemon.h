/* kovn-daemon's state and its poll loop: the one owner of everything
 * mutable (the OVS replica, the pod and node informers, the CNI server,
 * requests in progress), with blocking netlink work handed to worker
 * threads.  The modules beside it work on this struct: ops (CNI requests),
 * nodeport (the node's ovn0 port), sweep (at start, ports of pods that are
 * gone), reap (removing ports and veths, for sweep and CNI GC) and ready
 * (the STATUS answer).
 *
 * OVS writes (daemon/ovs) block the loop until ovs-vswitchd applied them,
 * milliseconds normally, at most --ovs-timeout, except an ADD's port, the
 * write on every pod's critical path, which is a state of the request like
 * waiting for ovn-installed and for pod annotations. */
#ifndef KOVN_DAEMON_DAEMON_H
#define KOVN_DAEMON_DAEMON_H 1

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "net/cidr.h"
#include "openvswitch/list.h"

struct cni_server;
struct kube_client;
struct kube_informer;
struct node_ovs;
struct worker_pool;

struct daemon_options {
    const char *node_name;
    const char *bridge;     /* br-int */
    const char *cni_socket; /* Created mode 0600. */
    const char *node_port;  /* ovn0 */
    /* Routed via the join gateway through the node port, so that the node
     * reaches pods: the default VPC's subnets. */
    const struct net_cidr *node_routes;
    size_t n_node_routes;
    long long annotation_timeout_ms; /* ADD waits this long for an address. */
    long long installed_timeout_ms;  /* ...and this long for OVN's flows. */
    long long ovs_timeout_ms;        /* For one OVS transaction. */
    unsigned int mtu;                /* Pod MTU unless the config says; 0. */
    /* Egress (egress.h): subnets of this VPC without spec.vpc, the join
     * subnet (never masqueraded), and the nftables table the daemon owns. */
    const char *default_vpc;
    const char *join_subnet;
    const char *nat_table;
    size_t n_workers;
    size_t max_conns;
};

struct daemon {
    struct daemon_options opts;
    struct kube_client *client;
    struct node_ovs *ovs;
    struct kube_informer *pods; /* This node's pods, "ns/name". */
    struct kube_informer *node; /* This node's Node object. */
    struct cni_server *server;
    struct worker_pool *workers;

    /* Chassis check: 0 once node_ovs_check_chassis() passed. */
    int chassis_error;
    struct kovn_error chassis_err;
    long long chassis_next_check;

    /* The node port: configured, or why not yet. */
    bool node_port_ready;
    bool node_port_busy; /* A worker is configuring it. */
    long long node_port_next_try;
    struct kovn_error node_port_err;

    /* Stale ports of pods gone while the daemon was down are removed once,
     * after the pod informer synced and before the first ADD. */
    bool swept;
    bool sweep_busy;

    /* Egress: the Subnets, the masquerade ruleset wanted and the one
     * last applied (egress.h). */
    struct kube_informer *subnets;
    char *nat_wanted;
    char *nat_applied;
    bool nat_dirty;
    bool nat_busy;
    long long nat_next_try;

    struct ovs_list ops; /* struct op, in arrival order. */
    unsigned long long n_adds, n_add_errors;
};

int daemon_init(struct daemon *, const struct daemon_options *,
                struct kube_client *, struct node_ovs *, struct kovn_error *);
void daemon_destroy(struct daemon *);
void daemon_run(struct daemon *);
void daemon_wait(struct daemon *);

#endif /* KOVN_DAEMON_DAEMON_H */
