/* A pod's (or a node's) network as kovn-controller wrote it into the
 * object's annotations: ovn.kubernetes.io/ip_address ("10.16.0.5" or
 * "10.16.0.5,fd00::5" for dual stack), mac_address, cidr ("10.16.0.0/16" or
 * "10.16.0.0/16,fd00::/64") and gateway ("10.16.0.1" or
 * "10.16.0.1,fd00::1").  Parsed once, at the boundary, into typed
 * addresses with their prefix lengths, so that the plumbing works on
 * checked data.
 *
 * The annotations come from the API server, where anyone allowed to edit a
 * pod may write them: every list is bounded (at most one address per
 * family) and each address must lie in the CIDR of its family. */
#ifndef KOVN_DAEMON_PODNET_H
#define KOVN_DAEMON_PODNET_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"

struct json;
struct kovn_error;

/* One IPv4 and one IPv6 address at most. */
#define POD_NET_MAX_IPS 2
/* Longest annotation value read; real ones are under 100 bytes. */
#define POD_NET_VALUE_MAX 1024

struct pod_net {
    struct net_mac mac;
    size_t n_ips;
    /* The address with the prefix length of its subnet, host bits set
     * ("10.16.0.5/16"), and the subnet's gateway of the same family. */
    struct net_cidr ips[POD_NET_MAX_IPS];
    struct net_addr gateways[POD_NET_MAX_IPS];
};

/* Parses the four annotation values; any may be NULL (an error naming
 * it).  Returns 0, -EINVAL or -E2BIG with a message naming the
 * annotation. */
int pod_net_parse(const char *ip_address, const char *mac_address,
                  const char *cidr, const char *gateway, struct pod_net *out,
                  struct kovn_error *err);

/* The same from an object's annotations.  -EAGAIN (with a message) while
 * ovn.kubernetes.io/allocated is not "true": the controller has not
 * addressed it yet. */
int pod_net_from_object(const struct json *object, struct pod_net *out,
                        struct kovn_error *err);

/* The IP of family 'family', or NULL. */
const struct net_cidr *pod_net_ip(const struct pod_net *,
                                  enum net_family family);

#endif /* KOVN_DAEMON_PODNET_H */
