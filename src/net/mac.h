/* Ethernet MAC addresses as Kubernetes users write them in
 * ovn.kubernetes.io/mac_address: six colon-separated two-digit hex bytes. */
#ifndef KOVN_NET_MAC_H
#define KOVN_NET_MAC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kovn_error;

#define NET_MAC_STRLEN 18

struct net_mac {
    uint8_t bytes[6];
};

/* Accepts exactly "xx:xx:xx:xx:xx:xx" (either case).  Rejects the all-zero,
 * broadcast and multicast addresses, which cannot be a port's address. */
int net_mac_parse(const char *s, struct net_mac *mac, struct kovn_error *err);
/* Lowercase canonical form. */
size_t net_mac_format(const struct net_mac *mac, char buf[NET_MAC_STRLEN]);
bool net_mac_equals(const struct net_mac *a, const struct net_mac *b);

#endif /* KOVN_NET_MAC_H */
