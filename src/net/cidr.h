/* CIDR blocks ("10.16.0.0/16", "fd00::/64"): parse, format, containment and
 * overlap.
 *
 * A subnet's cidrBlock names a network, so host bits set there are almost
 * always a typo ("10.16.0.1/16"): NET_CIDR_NETWORK rejects them and says
 * which network was probably meant.  NET_CIDR_INTERFACE accepts them for the
 * "address/prefix" form used by router port networks. */
#ifndef KOVN_NET_CIDR_H
#define KOVN_NET_CIDR_H 1

#include <stdbool.h>

#include "net/addr.h"

#define NET_CIDR_STRLEN (NET_ADDR_STRLEN + 4)

enum net_cidr_mode {
    NET_CIDR_NETWORK,   /* Host bits must be zero. */
    NET_CIDR_INTERFACE, /* Host bits may be set: an address in a network. */
};

struct net_cidr {
    struct net_addr addr;
    unsigned int prefix;
};

int net_cidr_parse_len(const char *s, size_t len, enum net_cidr_mode mode,
                       struct net_cidr *cidr, struct kovn_error *err);
int net_cidr_parse(const char *s, enum net_cidr_mode mode,
                   struct net_cidr *cidr, struct kovn_error *err);
size_t net_cidr_format(const struct net_cidr *cidr, char buf[NET_CIDR_STRLEN]);

/* The network (host bits cleared) and broadcast-like last address. */
struct net_addr net_cidr_first(const struct net_cidr *cidr);
struct net_addr net_cidr_last(const struct net_cidr *cidr);

bool net_cidr_contains(const struct net_cidr *cidr,
                       const struct net_addr *addr);
bool net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b);

/* Number of addresses in 'cidr' minus one (a /0 IPv6 block has 2^128
 * addresses, one more than fits in 128 bits). */
net_u128 net_cidr_last_offset(const struct net_cidr *cidr);

#endif /* KOVN_NET_CIDR_H */
