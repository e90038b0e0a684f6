/* `kubectl kovn trace` in kovn's terms: the microflow handed to ovn-trace,
 * and what the flows it printed (ovn/trace.h) mean for the objects a user
 * wrote: which Subnet and Vpc the packet crossed, which Service load
 * balancer rewrote it, which route or policy route carried it, which ACL
 * let it through or dropped it and whose it is (a NetworkPolicy, a private
 * Subnet), and where it ended.
 *
 * The logical flows ovn-northd makes carry neither kovn's names nor (in
 * the text) the NB row they came from, so each hit is matched back to the
 * NB rows by what northd copies into the flow: an ACL by direction,
 * priority (northd adds 1000) and its match text, a load balancer by the
 * VIP in the match, a route by prefix and next hop, a policy by priority
 * and match.  The rows come in as plain facts (struct trace_facts), so
 * this is pure and unit-tested with real ovn-trace output. */
#ifndef KOVN_CLI_TRACE_EXPLAIN_H
#define KOVN_CLI_TRACE_EXPLAIN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "svec.h"

struct ovn_trace;

/* northd's ACL priorities are the NB ones plus this. */
#define TRACE_ACL_PRIORITY_OFFSET 1000

/* An NB row's owner: an OVN_OWNER_* kind ("kovn-netpol") and name, or
 * kind "" for rows that are not kovn's. */
struct trace_owner {
    char *kind;
    char *name;
};

struct trace_acl {
    char *parent; /* The switch or port group carrying it. */
    char *direction;
    int64_t priority;
    char *match;
    char *action;
    struct trace_owner owner;
};

struct trace_lb {
    char *name;
    char *vip; /* "10.96.0.10:80", "[fd00::a]:80" */
    char *backends;
};

struct trace_route {
    char *router;
    char *prefix;
    char *nexthop;
    struct trace_owner owner;
};

struct trace_policy {
    char *router;
    int64_t priority;
    char *match;
    char *action;
    struct trace_owner owner;
};

/* A switch or router port; 'owner' is the pod of a pod's port, the
 * Subnet of a router port. */
struct trace_port {
    char *name;
    char *datapath;
    struct trace_owner owner;
};

/* A logical switch (owned by its Subnet) or router (by its Vpc). */
struct trace_datapath {
    char *name;
    bool router;
    struct trace_owner owner;
};

struct trace_subnet {
    char *name;
    char *vpc;
    struct net_cidr cidrs[2];
    size_t n_cidrs;
};

struct trace_facts {
    struct trace_acl *acls;
    size_t n_acls, allocated_acls;
    struct trace_lb *lbs;
    size_t n_lbs, allocated_lbs;
    struct trace_route *routes;
    size_t n_routes, allocated_routes;
    struct trace_policy *policies;
    size_t n_policies, allocated_policies;
    struct trace_port *ports;
    size_t n_ports, allocated_ports;
    struct trace_datapath *datapaths;
    size_t n_datapaths, allocated_datapaths;
    struct trace_subnet *subnets;
    size_t n_subnets, allocated_subnets;

    /* The traced destination: its address, and when it was given as a
     * Service, the Service ("ns/name") and its VIP ("ip:port"). */
    char *dst;
    char *service;
    char *service_vip;
};

void trace_facts_init(struct trace_facts *facts);
void trace_facts_destroy(struct trace_facts *facts);
/* Each copies its strings; 'owner_kind'/'owner_name' may be NULL. */
void trace_facts_add_acl(struct trace_facts *, const char *parent,
                         const char *direction, int64_t priority,
                         const char *match, const char *action,
                         const char *owner_kind, const char *owner_name);
void trace_facts_add_lb(struct trace_facts *, const char *name,
                        const char *vip, const char *backends);
void trace_facts_add_route(struct trace_facts *, const char *router,
                           const char *prefix, const char *nexthop,
                           const char *owner_kind, const char *owner_name);
void trace_facts_add_policy(struct trace_facts *, const char *router,
                            int64_t priority, const char *match,
                            const char *action, const char *owner_kind,
                            const char *owner_name);
void trace_facts_add_port(struct trace_facts *, const char *name,
                          const char *datapath, const char *owner_kind,
                          const char *owner_name);
void trace_facts_add_datapath(struct trace_facts *, const char *name,
                              bool router, const char *owner_kind,
                              const char *owner_name);
void trace_facts_add_subnet(struct trace_facts *, const char *name,
                            const char *vpc, const struct net_cidr *cidrs,
                            size_t n_cidrs);
void trace_facts_set_destination(struct trace_facts *, const char *dst,
                                 const char *service, const char *service_vip);

enum trace_verdict {
    TRACE_DELIVERED, /* To a pod's (or another VIF) port. */
    TRACE_DROPPED,
    TRACE_LEFT,    /* Out of OVN: a localnet, gateway or ARP request. */
    TRACE_UNKNOWN, /* ovn-trace shows neither. */
};

struct trace_explanation {
    struct svec steps; /* One line per thing worth saying, in order. */
    enum trace_verdict verdict;
    char *verdict_text; /* "dropped by NetworkPolicy demo/deny-all ..." */
    /* The Logical_Switch_Ports it was delivered to, for comparing with
     * where the OVS datapath sends it. */
    struct svec delivered_ports;
};

void trace_explain(const struct ovn_trace *trace,
                   const struct trace_facts *facts,
                   struct trace_explanation *out);
void trace_explanation_destroy(struct trace_explanation *);

/* The packet to trace. */
struct trace_packet {
    const char *inport;
    const char *eth_src;
    const char *eth_dst;
    struct net_addr src, dst; /* Same family. */
    const char *protocol;     /* "tcp", "udp" or "icmp". */
    int src_port, dst_port;   /* For tcp and udp. */
};

/* The ovn-trace microflow for 'packet'; the caller frees it. */
char *trace_microflow(const struct trace_packet *packet);

#endif /* KOVN_CLI_TRACE_EXPLAIN_H */
