/* Kube-OVN's Vpc (kubeovn.io/v1) in typed form: the VPC's router and the
 * routes and namespaces its spec asks for.  As for subnets, identity and
 * placement are parsed even when the routes are invalid. */
#ifndef KOVN_CRD_VPC_H
#define KOVN_CRD_VPC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "sset.h"

struct json;
struct kovn_error;

#define VPC_MAX_ROUTES 1024
/* spec.vpcPeerings: each is a router port pair in Kube-OVN. */
#define VPC_MAX_PEERINGS 256

struct vpc_static_route {
    const char *policy; /* OVN's "dst-ip" or "src-ip". */
    struct net_cidr prefix;
    struct net_addr nexthop;
};

struct vpc_policy_route {
    int64_t priority; /* 0..32767, as OVN allows. */
    char *match;
    const char *action;      /* "allow", "drop" or "reroute". */
    struct net_addr nexthop; /* Only for "reroute". */
};

/* spec.vpcPeerings[]: kovn does not implement peering yet (see crd/support.c)
 * but parses it, so that `kubectl kovn topology` can show what is asked. */
struct vpc_peering {
    char *remote_vpc;       /* remoteVpc */
    char *local_connect_ip; /* localConnectIP as written, "" if absent. */
};

struct vpc {
    char *name;
    char *uid;
    bool deleting;
    bool has_finalizer;
    /* Kube-OVN's (either name): a cluster being taken over. */
    bool has_kube_ovn_finalizer;
    struct sset namespaces; /* spec.namespaces */
    char *default_subnet;   /* spec.defaultSubnet, "" if none. */
    bool enable_external;

    struct vpc_static_route *static_routes;
    size_t n_static_routes;
    struct vpc_policy_route *policy_routes;
    size_t n_policy_routes;
    /* Items without a remoteVpc string are left out: the field is not
     * implemented, so it never makes the Vpc invalid but for its limit. */
    struct vpc_peering *peerings;
    size_t n_peerings;

    char *error; /* NULL when the spec is valid. */
};

/* As subnet_from_json(): 0, -EINVAL without a name, -EDOM for an invalid
 * spec with 'vpc->error' set.  'vpc' is always initialized. */
int vpc_from_json(const struct json *obj, struct vpc *vpc,
                  struct kovn_error *err);
void vpc_destroy(struct vpc *vpc);

#endif /* KOVN_CRD_VPC_H */
