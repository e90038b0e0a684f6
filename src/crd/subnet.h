/* Kube-OVN's Subnet (kubeovn.io/v1), parsed from its JSON into a typed form
 * once, at the boundary, and checked on its own.
 *
 * Parsing never gives up early on a bad spec: the fields that say where the
 * subnet belongs (name, vpc, namespaces, deletion state) are filled in even
 * when the addressing is invalid, so that the controller can still report
 * the subnet, skip it for the namespaces it names, and release it.  An
 * invalid subnet has 'error' set to a message a user can act on. */
#ifndef KOVN_CRD_SUBNET_H
#define KOVN_CRD_SUBNET_H 1

#include <stdbool.h>
#include <stddef.h>

#include "crd/names.h"
#include "kube/selector.h"
#include "net/addr.h"
#include "net/cidr.h"
#include "net/range.h"
#include "openvswitch/shash.h"
#include "sset.h"
#include "svec.h"

struct json;
struct smap;

/* Hard limits on what one Subnet may list. */
#define SUBNET_MAX_NAMESPACES 4096
#define SUBNET_MAX_SELECTORS  64
/* spec.allowSubnets: each item becomes ACL rows on the switch. */
#define SUBNET_MAX_ALLOW_SUBNETS 256
/* spec.gatewayNode: an ordered fail-over list. */
#define SUBNET_MAX_GATEWAY_NODES 64

enum subnet_protocol {
    SUBNET_IPV4,
    SUBNET_IPV6,
    SUBNET_DUAL,
};

struct subnet {
    char *name;
    char *uid;
    char *creation_timestamp; /* RFC 3339, "" if absent. */
    char *vpc;                /* spec.vpc, or the default VPC when empty. */
    bool deleting;            /* metadata.deletionTimestamp is set. */
    bool has_finalizer;
    /* Kube-OVN's (either name): a cluster being taken over. */
    bool has_kube_ovn_finalizer;
    bool allow_missing_vpc;
    bool is_default; /* spec.default */

    /* Addressing; meaningful only when 'error' is NULL. */
    enum subnet_protocol protocol;
    struct net_cidr cidrs[2];    /* IPv4 first. */
    struct net_addr gateways[2]; /* One per CIDR, same order. */
    size_t n_cidrs;
    char *cidr_block; /* spec.cidrBlock as written. */
    /* Addresses never handed out: spec.excludeIps, or the gateways when the
     * spec lists none (Kube-OVN's default), normalized. */
    struct net_range_list exclude_ips;
    char *exclude_ips_text; /* The same items as written, ","-joined. */

    struct sset namespaces;          /* spec.namespaces */
    struct kube_selector *selectors; /* spec.namespaceSelectors */
    size_t n_selectors;

    /* spec.private: only traffic from the subnet itself, from
     * 'allow_subnets' and from the nodes (join subnet) may reach it. */
    bool private_;
    struct net_cidr *allow_subnets; /* spec.allowSubnets, parsed. */
    size_t n_allow_subnets;
    bool nat_outgoing;
    char *gateway_type; /* "distributed" (default) or "centralized". */
    /* A centralized subnet's candidate gateways: spec.gatewayNode's names
     * in order of preference, then the nodes spec.gatewayNodeSelectors
     * select (by name). */
    struct svec gateway_nodes;
    struct kube_selector *gateway_selectors;
    size_t n_gateway_selectors;
    char *active_gateway; /* status.activateGateway, "" when absent. */
    char *provider;

    char *error; /* NULL if the spec is valid on its own. */

    /* crd_model's memo of the overlap check, valid while 'overlap_gen'
     * equals the model's generation. */
    unsigned long long overlap_gen;
    const struct subnet *overlap_with;
};

/* Parses Subnet 'obj' into 'subnet' (always initialized; destroy it even on
 * error).  A subnet without spec.vpc belongs to 'default_vpc'.  Returns 0,
 * -EINVAL when the object is not a Subnet at all (no name: 'subnet' is then
 * unusable), or -EDOM when only the spec is invalid ('subnet->error'
 * explains, and 'err' carries the same text). */
int subnet_from_json(const struct json *obj, const char *default_vpc,
                     struct subnet *subnet, struct kovn_error *err);
void subnet_destroy(struct subnet *subnet);

bool subnet_is_valid(const struct subnet *subnet);

/* Whether 'subnet' names namespace 'ns' in spec.namespaces or selects its
 * 'labels' (may be NULL) with one of spec.namespaceSelectors. */
bool subnet_selects_namespace(const struct subnet *subnet, const char *ns,
                              const struct smap *labels);

/* Whether two valid subnets share an address. */
bool subnet_overlaps(const struct subnet *a, const struct subnet *b);

/* Of two overlapping subnets in one VPC the older one keeps working and the
 * newer one is invalid, so that adding a subnet can never break a running
 * one.  True if 'a' is older (creation time, then name). */
bool subnet_is_older(const struct subnet *a, const struct subnet *b);

/* Whether 'addr' is one of the subnet's addresses that can be handed out:
 * inside a CIDR, not a network or IPv4 broadcast address, not a gateway. */
bool subnet_contains(const struct subnet *subnet, const struct net_addr *addr);

/* How many addresses of 'family' subnet_contains() accepts minus those in
 * the exclude list (saturating at 2^128 - 1). */
net_u128 subnet_usable_count(const struct subnet *subnet,
                             enum net_family family);

/* Ports one OVN logical switch holds: ovn-northd gives each port of a
 * switch a tunnel key, and Geneve carries 15 bits of it (keys 1..32767;
 * from 32768 on they name multicast groups).  VXLAN carries 12 bits, so
 * clusters with that encapsulation have 4095. */
#define OVN_SWITCH_PORT_LIMIT 32767
/* Ports of a subnet's switch that no pod or node holds: its router port. */
#define SUBNET_RESERVED_PORTS 1

/* How many pods (and, on join, nodes) a switch of 'port_limit' ports can
 * attach: the limit less the reserved ports. */
size_t subnet_port_capacity(size_t port_limit);

/* The pods a valid 'subnet' can address: its usable addresses, of the
 * smaller family when dual stack. */
net_u128 subnet_pod_addresses(const struct subnet *subnet);

/* When 'subnet' has more usable addresses than its switch can attach pods
 * under 'port_limit', what to tell the user (the caller frees it); else
 * NULL. */
char *subnet_port_limit_message(const struct subnet *subnet,
                                size_t port_limit);

/* The gateways as annotations write them: "10.16.0.1" or
 * "10.16.0.1,fd00::1" (malloc'd). */
char *subnet_gateways_text(const struct subnet *subnet);

const char *subnet_protocol_name(enum subnet_protocol protocol);

/* The spec defaults Kube-OVN writes back into a Subnet, so that `kubectl
 * get subnet` reads the same under kovn: vpc, provider "ovn", protocol
 * from the CIDRs, gateway, gatewayType "distributed", and the gateways
 * merged into excludeIps (items sorted bytewise, as Kube-OVN sorts them).
 * Returns the spec fields to set as a JSON object, or NULL when 'obj'
 * (whose parse is the valid 'subnet') already has them all. */
struct json *subnet_spec_defaults(const struct subnet *subnet,
                                  const struct json *obj);

#endif /* KOVN_CRD_SUBNET_H */
