/* A set of 128-bit integers (the free addresses of one address family of a
 * subnet) kept as sorted, disjoint, non-adjacent inclusive spans.
 *
 * Memory grows with the number of spans, never with the number of members,
 * so a fresh /8 or IPv6 /64 is one span.  The spans live in small sorted
 * blocks ("leaves" of at most SPAN_LEAF_MAX spans) under one sorted array of
 * leaf pointers: lookups are two binary searches, and an insertion or
 * removal moves at most one leaf's spans (plus, once per leaf split or
 * merge, the leaf array), instead of half of one flat array.  A flat array
 * costs a memmove of the whole tail on every release in the middle, which on
 * a fragmented /16 (thousands of holes) is microseconds per operation.
 *
 * Internal to src/ipam. */
#ifndef KOVN_IPAM_SPAN_SET_H
#define KOVN_IPAM_SPAN_SET_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"

struct span {
    net_u128 first;
    net_u128 last; /* Inclusive. */
};

struct span_leaf;

struct span_set {
    struct span_leaf **leaves; /* Sorted, none empty. */
    net_u128 *lasts;           /* lasts[i]: last member in leaves[i]. */
    size_t n_leaves;
    size_t allocated; /* Capacity of 'leaves' and 'lasts'. */
    size_t n_spans;
    net_u128 n_members;

    /* Where the last removal happened: allocation walks upwards from the
     * last address handed out, so the next lookup usually lands there
     * again and can skip both searches.  Only a guess, checked before
     * use. */
    size_t hint_leaf;
    size_t hint_idx;
};

void span_set_init(struct span_set *set);
void span_set_destroy(struct span_set *set);

/* Adds [first, last] after every current member, not adjacent to the last
 * one: for building a set in order. */
void span_set_append(struct span_set *set, net_u128 first, net_u128 last);

bool span_set_contains(const struct span_set *set, net_u128 value);

/* Where a span is, valid until the set changes: from span_set_next() to
 * span_set_remove_at(), and for iteration. */
struct span_set_pos {
    size_t leaf;
    size_t idx;
};

/* The smallest member >= 'value': true with it in '*member', the last
 * member of its span in '*span_last' and, if 'pos' is non-null, where that
 * span is; false if there is none. */
bool span_set_next(const struct span_set *set, net_u128 value,
                   net_u128 *member, net_u128 *span_last,
                   struct span_set_pos *pos);

/* 'value' must be a member. */
void span_set_remove(struct span_set *set, net_u128 value);
/* The same without a second search: 'pos' is what span_set_next() just
 * returned for the span holding 'value', with no change since. */
void span_set_remove_at(struct span_set *set, const struct span_set_pos *pos,
                        net_u128 value);
/* Adds 'value'; returns false, changing nothing, if it is a member. */
bool span_set_insert(struct span_set *set, net_u128 value);

/* In-order iteration over the spans:
 *
 *     struct span_set_pos pos = {0, 0};
 *     const struct span *span;
 *     while ((span = span_set_next_span(set, &pos))) { ... }
 *
 * The set must not change during the iteration. */
const struct span *span_set_next_span(const struct span_set *set,
                                      struct span_set_pos *pos);

/* Checks every invariant and aborts if one fails (for tests and fuzzing). */
void span_set_check(const struct span_set *set);

#endif /* KOVN_IPAM_SPAN_SET_H */
