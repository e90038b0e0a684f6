/* IPv4 and IPv6 addresses: strict parsing, canonical formatting, ordering
 * and arithmetic.
 *
 * Parsing is strict because these strings come from users' manifests and
 * end up in OVN and in other controllers' hands: an IPv4 octet with a leading
 * zero ("010") is octal to some parsers and decimal to others, so it is
 * rejected; IPv4-mapped IPv6 addresses ("::ffff:10.0.0.1") are rejected with
 * a hint to write the IPv4 form, because treating them as either family
 * silently would put an address in the wrong subnet.  Zone indexes ("%eth0")
 * have no meaning in a subnet and are rejected too.
 *
 * Formatting is canonical (RFC 5952 for IPv6: lowercase, no leading zeros,
 * the longest run of two or more zero groups compressed), so that two equal
 * addresses always print the same and can be compared as strings by OVN. */
#ifndef KOVN_NET_ADDR_H
#define KOVN_NET_ADDR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kovn_error;

/* Longest formatted address plus its terminating null byte. */
#define NET_ADDR_STRLEN 40

enum net_family {
    NET_V4 = 4,
    NET_V6 = 6,
};

/* Address bits as one unsigned 128-bit integer, most significant bit first,
 * so that ordering and offsets are plain integer operations. */
typedef unsigned __int128 net_u128;

struct net_addr {
    enum net_family family;
    uint8_t bytes[16]; /* Network order.  IPv4 uses bytes[0..3], rest 0. */
};

/* Parses 'len' bytes at 's' (which need not be null-terminated) as an IPv4
 * or IPv6 address.  Returns 0 or -EINVAL with a message in 'err'. */
int net_addr_parse_len(const char *s, size_t len, struct net_addr *addr,
                       struct kovn_error *err);
int net_addr_parse(const char *s, struct net_addr *addr,
                   struct kovn_error *err);

/* Writes the canonical form of 'addr' into 'buf' and returns its length. */
size_t net_addr_format(const struct net_addr *addr, char buf[NET_ADDR_STRLEN]);

/* Orders all IPv4 addresses before all IPv6 addresses, then numerically. */
int net_addr_compare(const struct net_addr *a, const struct net_addr *b);
bool net_addr_equals(const struct net_addr *a, const struct net_addr *b);

/* 32 or 128. */
unsigned int net_family_bits(enum net_family family);
const char *net_family_name(enum net_family family);

net_u128 net_addr_to_u128(const struct net_addr *addr);
/* 'value' must fit in the family's width. */
struct net_addr net_addr_from_u128(enum net_family family, net_u128 value);

/* Adds 'delta' to 'addr'.  Returns false, leaving 'addr' unchanged, when the
 * result would not fit in the address family. */
bool net_addr_add(struct net_addr *addr, net_u128 delta);

/* Formats a 128-bit count in decimal (up to 39 digits) into 'buf'. */
size_t net_u128_format(net_u128 value, char buf[NET_ADDR_STRLEN]);

#endif /* KOVN_NET_ADDR_H */
