/* Kubernetes NetworkPolicy (networking.k8s.io/v1) in typed form, and the
 * OVN rows a policy becomes, as Kube-OVN writes them: one port group per
 * policy holding the switch ports of the pods it selects, a default drop
 * for each direction the policy covers (priority 2000) and allow-related
 * ACLs for its rules above it (2001), with the pod addresses of a rule's
 * peers in address sets.  Several policies selecting one pod add up: each
 * one's drop and allows apply, so a packet any of them allows passes.
 *
 * Decode once at the edge: netpol_from_json() turns a policy into a struct
 * with hard limits on what a manifest can ask for.  A rule kovn cannot
 * express (over a limit, an unknown protocol, an unparsable selector) is
 * left out, so the traffic it would allow stays denied by the policy's
 * default drop: kovn fails closed.  Each such rule leaves a warning naming
 * the field, which the controller reports as a Warning Event.  Only a
 * policy whose podSelector or policyTypes cannot be read is not applied
 * at all (it selects no pod).
 *
 * netpol_compute() is pure: given the pods and namespaces (through
 * callbacks) it returns the port group, address sets and ACLs.  Nothing
 * here talks to a server. */
#ifndef KOVN_CRD_NETPOL_H
#define KOVN_CRD_NETPOL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "kube/selector.h"
#include "net/cidr.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "svec.h"

struct json;
struct kovn_error;

/* Limits on one policy.  A manifest past one is a mistake or an attack,
 * not a policy; the rule concerned is left out with a warning. */
#define NETPOL_RULES_MAX  64  /* Per direction. */
#define NETPOL_PEERS_MAX  64  /* Per rule. */
#define NETPOL_PORTS_MAX  64  /* Per rule. */
#define NETPOL_EXCEPT_MAX 32  /* Per ipBlock. */
#define NETPOL_ACLS_MAX   512 /* ACLs of one policy's port group. */
/* Longest ACL match a policy gets (ovn/acl.c refuses more than 4096). */
#define NETPOL_MATCH_MAX 4000
/* Container ports of one pod read for named ports; more are ignored. */
#define NETPOL_POD_PORTS_MAX 128

/* Kube-OVN's priorities (pkg/util/const.go): a policy's default drop and
 * its allows.  Private subnets' switch ACLs use 1000, 1001 and 3000. */
#define NETPOL_DROP_PRIORITY  2000
#define NETPOL_ALLOW_PRIORITY 2001

enum netpol_dir {
    NETPOL_INGRESS,
    NETPOL_EGRESS,
    NETPOL_N_DIRS,
};

enum netpol_proto {
    NETPOL_TCP,
    NETPOL_UDP,
    NETPOL_SCTP,
};

struct netpol_port {
    enum netpol_proto proto;
    int port;     /* 1..65535, 0: every port (and then 'name' is NULL). */
    int end_port; /* port..end_port; 0: just 'port'. */
    char *name;   /* A named port (IANA_SVC_NAME), or NULL. */
};

struct netpol_peer {
    bool is_ip_block;
    /* Selector peers: a null pod selector selects every pod of the chosen
     * namespaces; a null namespace selector means the policy's own. */
    bool has_pod_selector, has_ns_selector;
    struct kube_selector pod_selector, ns_selector;
    /* ipBlock: host bits cleared, as Kubernetes reads it. */
    struct net_cidr cidr;
    struct net_cidr *except;
    size_t n_except;
};

struct netpol_rule {
    struct netpol_peer *peers; /* None: every peer. */
    size_t n_peers;
    struct netpol_port *ports; /* None: every port. */
    size_t n_ports;
    /* Set when the rule is left out (it allows nothing); says which field
     * and why.  The other members are then empty. */
    char *error;
};

struct netpol {
    char *key; /* "namespace/name" */
    char *namespace;
    char *name;
    char *uid;
    /* Set when the policy cannot be applied at all (it selects nothing). */
    char *error;
    struct kube_selector pod_selector;
    bool applies[NETPOL_N_DIRS]; /* policyTypes, or their default. */
    struct netpol_rule *rules[NETPOL_N_DIRS];
    size_t n_rules[NETPOL_N_DIRS];
    /* Whether some peer has a namespaceSelector: then any namespace's
     * labels and any pod may matter to it. */
    bool selects_namespaces;
};

/* Decodes 'obj'.  Returns 0, or -EINVAL with 'err' set when 'obj' is not a
 * NetworkPolicy object with a name and a namespace (then 'np' holds
 * nothing to destroy).  Problems inside the spec are not errors: they go
 * in 'np''s error fields (netpol_warnings() lists them). */
int netpol_from_json(const struct json *obj, struct netpol *np,
                     struct kovn_error *err);
void netpol_destroy(struct netpol *np);

/* Every problem kovn found in 'np', one line each ("spec.ingress[0].ports[1]
 * .protocol: ..."), into 'out'. */
void netpol_warnings(const struct netpol *np, struct svec *out);

/* "<name>.<namespace>" with '-' as '.', Kube-OVN's port group name ('_'
 * first when it would start with a digit: OVN names cannot); the caller
 * frees it.  Two policies can map to one name ("a-b"/"c", "a"/"b-c"): the
 * controller refuses the second (the row's owner says whose it is). */
char *netpol_port_group_name(const char *ns, const char *name);

/* ---- What a policy reads of pods ---- */

struct netpol_container_port {
    char *name;
    enum netpol_proto proto;
    int number;
};

struct netpol_pod {
    char *namespace;
    char *name;
    struct smap labels;
    /* Its addresses once kovn allocated them (ovn.kubernetes.io/allocated
     * and ip_address); none for host-network pods. */
    struct net_addr addrs[2];
    size_t n_addrs;
    /* Its containers' named ports (up to NETPOL_POD_PORTS_MAX). */
    struct netpol_container_port *ports;
    size_t n_ports;
};

/* Decodes the fields above from a pod object; never fails (a field of the
 * wrong type reads as absent). */
void netpol_pod_from_json(const struct json *obj, struct netpol_pod *pod);
void netpol_pod_destroy(struct netpol_pod *pod);

typedef void netpol_pod_fn(const struct netpol_pod *pod, void *aux);
typedef void netpol_namespace_fn(const char *ns, const struct smap *labels,
                                 void *aux);

struct netpol_world {
    /* Calls 'fn' for every pod of namespace 'ns' (of every namespace if
     * 'ns' is NULL). */
    void (*for_each_pod)(const void *world_aux, const char *ns,
                         netpol_pod_fn *fn, void *aux);
    /* Calls 'fn' for every namespace with its labels. */
    void (*for_each_namespace)(const void *world_aux, netpol_namespace_fn *fn,
                               void *aux);
    /* The nodes' addresses (the join subnet's CIDRs): traffic from them
     * into selected pods (kubelet probes) stays allowed, as in Kube-OVN. */
    const struct net_cidr *node_cidrs;
    size_t n_node_cidrs;
    const void *aux;
};

struct netpol_address_set {
    char *name;
    struct net_cidr *addrs; /* Host routes: one address each. */
    size_t n_addrs;
};

struct netpol_acl {
    const char *direction; /* "to-lport" (ingress), "from-lport" (egress) */
    int priority;
    const char *action; /* "drop" or "allow-related" */
    char *match;
};

struct netpol_acls {
    char *port_group;
    struct svec ports; /* Switch ports "<pod>.<namespace>", sorted. */
    struct netpol_address_set *sets;
    size_t n_sets;
    struct netpol_acl *acls;
    size_t n_acls;
    /* What could not be expressed against the current pods (a named port
     * no pod has is not a warning: it just matches nothing). */
    struct svec warnings;
};

/* The rows of policy 'np' against 'world'.  A policy with an error gets
 * an empty port group and no ACLs. */
void netpol_compute(const struct netpol *np, const struct netpol_world *world,
                    struct netpol_acls *out);
void netpol_acls_destroy(struct netpol_acls *acls);

/* ---- The policies, as the dependency graph reads them ---- */

struct crd_netpols {
    struct shash by_key; /* "namespace/name" -> struct netpol * */
};

void crd_netpols_init(struct crd_netpols *set);
void crd_netpols_destroy(struct crd_netpols *set);
/* Replaces or removes (np NULL) the policy 'key'; takes 'np'. */
void crd_netpols_put(struct crd_netpols *set, const char *key,
                     struct netpol *np);
const struct netpol *crd_netpols_get(const struct crd_netpols *set,
                                     const char *key);

#endif /* KOVN_CRD_NETPOL_H */
