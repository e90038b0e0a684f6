/* Inclusive address ranges and Kube-OVN's excludeIps items.
 *
 * An excludeIps item is either one address ("10.16.0.1") or an inclusive
 * range written "first..last" ("10.16.0.1..10.16.0.10").  A list of them is
 * kept sorted and merged (net_range_list_normalize) so that membership is a
 * binary search and the canonical text is stable for OVN's
 * other_config:exclude_ips and for namespace annotations. */
#ifndef KOVN_NET_RANGE_H
#define KOVN_NET_RANGE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"

#define NET_RANGE_STRLEN (2 * NET_ADDR_STRLEN + 2)

/* Upper bound on items in one list, against a manifest that tries to make
 * the controller allocate without limit. */
#define NET_RANGE_LIST_MAX 65536

struct net_range {
    struct net_addr first;
    struct net_addr last; /* Inclusive; same family as 'first'. */
};

int net_range_parse_len(const char *s, size_t len, struct net_range *range,
                        struct kovn_error *err);
int net_range_parse(const char *s, struct net_range *range,
                    struct kovn_error *err);
/* "a" for a single address, "a..b" otherwise. */
size_t net_range_format(const struct net_range *range,
                        char buf[NET_RANGE_STRLEN]);

bool net_range_contains(const struct net_range *range,
                        const struct net_addr *addr);
bool net_range_overlaps(const struct net_range *a, const struct net_range *b);
/* Number of addresses in 'range' minus one. */
net_u128 net_range_last_offset(const struct net_range *range);

/* A growable list of ranges. */
struct net_range_list {
    struct net_range *ranges;
    size_t n;
    size_t allocated;
};

void net_range_list_init(struct net_range_list *list);
void net_range_list_destroy(struct net_range_list *list);
void net_range_list_add(struct net_range_list *list,
                        const struct net_range *range);

/* Parses 'sep'-separated items ("a,b..c") from 's' into 'list', appending.
 * Empty items are errors; on error 'list' is left as it was. */
int net_range_list_parse(const char *s, char sep, struct net_range_list *list,
                         struct kovn_error *err);

/* Sorts and merges overlapping or adjacent ranges. */
void net_range_list_normalize(struct net_range_list *list);

/* For a normalized list. */
bool net_range_list_contains(const struct net_range_list *list,
                             const struct net_addr *addr);

/* Appends the items of 'list' joined by 'sep' to 'out' (a malloc'd string,
 * returned; caller frees). */
char *net_range_list_format(const struct net_range_list *list, char sep);

#endif /* KOVN_NET_RANGE_H */
