/* Address allocation for one subnet; see ipam.h.
 *
 * Each address family of a subnet keeps the set of its free addresses
 * (span_set.h) plus what never enters that set: the network address, the
 * IPv4 broadcast address, the gateway and the excludeIps ranges, clipped to
 * the CIDR ("holes").  Every address of the CIDR is thus exactly one of
 * hole, free or allocated, and the allocated ones are never stored: they
 * are what remains, which is what keeps a large, lightly used subnet
 * small. */
#include <config.h>

#include "ipam/ipam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ipam/span_set.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

struct ipam_family {
    enum net_family family;
    struct net_cidr cidr;
    net_u128 lo, hi; /* The CIDR's first and last address. */

    /* What is never handed out, inside [lo, hi]. */
    bool reserve_network;   /* Except an IPv4 /31 or /32 (RFC 3021). */
    bool reserve_broadcast; /* IPv4 only, same exception. */
    bool has_gateway;
    net_u128 gateway;
    struct span *excludes; /* Clipped, sorted, merged: for error messages. */
    size_t n_excludes;
    struct span *holes; /* All of the above, sorted and merged. */
    size_t n_holes;

    net_u128 n_usable; /* Addresses in [lo, hi] outside the holes. */
    struct span_set free;

    /* The last address ipam_alloc() handed out: the next one starts after
     * it, so that a released address is not reused at once. */
    bool has_cursor;
    net_u128 cursor;
};

struct ipam_subnet {
    char *name;
    struct ipam_family fams[2]; /* IPv4 first. */
    size_t n_fams;
};

/* Why an address cannot be handed out. */
enum usability {
    USABLE,
    OUTSIDE,
    NETWORK,
    BROADCAST,
    GATEWAY,
    EXCLUDED,
};

static int
compare_spans(const void *a_, const void *b_)
{
    const struct span *a = a_, *b = b_;

    if (a->first != b->first) {
        return a->first < b->first ? -1 : 1;
    }
    return a->last < b->last ? -1 : a->last > b->last;
}

/* Sorts 'spans' and merges overlapping or adjacent ones; returns the new
 * count. */
static size_t
normalize_spans(struct span *spans, size_t n)
{
    size_t n_out = 0;

    qsort(spans, n, sizeof *spans, compare_spans);
    for (size_t i = 0; i < n; i++) {
        struct span *prev = n_out ? &spans[n_out - 1] : NULL;

        /* Sorted by first, so spans[i].first >= prev->first. */
        if (prev && (spans[i].first <= prev->last ||
                     spans[i].first - prev->last == 1)) {
            if (spans[i].last > prev->last) {
                prev->last = spans[i].last;
            }
        } else {
            spans[n_out++] = spans[i];
        }
    }
    return n_out;
}

static void
family_init(struct ipam_family *f, const struct net_cidr *cidr,
            const struct net_addr *gateway,
            const struct net_range_list *excludes)
{
    struct net_addr first = net_cidr_first(cidr);
    struct net_addr last = net_cidr_last(cidr);
    size_t n_items = excludes ? excludes->n : 0;
    bool host_route = cidr->addr.family == NET_V4 && cidr->prefix >= 31;

    memset(f, 0, sizeof *f);
    f->family = cidr->addr.family;
    f->cidr = *cidr;
    f->lo = net_addr_to_u128(&first);
    f->hi = net_addr_to_u128(&last);
    f->reserve_network = !host_route;
    f->reserve_broadcast = f->family == NET_V4 && !host_route;
    if (gateway && gateway->family == f->family &&
        net_cidr_contains(cidr, gateway)) {
        f->has_gateway = true;
        f->gateway = net_addr_to_u128(gateway);
    }

    f->excludes = xmalloc((n_items + 1) * sizeof *f->excludes);
    for (size_t i = 0; i < n_items; i++) {
        const struct net_range *r = &excludes->ranges[i];
        net_u128 a, b;

        if (r->first.family != f->family || r->last.family != f->family) {
            continue;
        }
        a = net_addr_to_u128(&r->first);
        b = net_addr_to_u128(&r->last);
        a = a > f->lo ? a : f->lo;
        b = b < f->hi ? b : f->hi;
        if (a <= b) {
            f->excludes[f->n_excludes++] = (struct span){a, b};
        }
    }
    f->n_excludes = normalize_spans(f->excludes, f->n_excludes);

    f->holes = xmalloc((f->n_excludes + 3) * sizeof *f->holes);
    memcpy(f->holes, f->excludes, f->n_excludes * sizeof *f->holes);
    f->n_holes = f->n_excludes;
    if (f->reserve_network) {
        f->holes[f->n_holes++] = (struct span){f->lo, f->lo};
    }
    if (f->reserve_broadcast) {
        f->holes[f->n_holes++] = (struct span){f->hi, f->hi};
    }
    if (f->has_gateway) {
        f->holes[f->n_holes++] = (struct span){f->gateway, f->gateway};
    }
    f->n_holes = normalize_spans(f->holes, f->n_holes);

    /* Free = the CIDR minus the holes.  Careful at the top: an IPv6 /0
     * ends at 2^128 - 1, where "last + 1" wraps. */
    span_set_init(&f->free);
    net_u128 next = f->lo;
    bool done = false;
    for (size_t i = 0; i < f->n_holes && !done; i++) {
        if (f->holes[i].first > next) {
            span_set_append(&f->free, next, f->holes[i].first - 1);
        }
        if (f->holes[i].last == f->hi) {
            done = true;
        } else {
            next = f->holes[i].last + 1;
        }
    }
    if (!done) {
        span_set_append(&f->free, next, f->hi);
    }
    f->n_usable = f->free.n_members;
}

static void
family_destroy(struct ipam_family *f)
{
    span_set_destroy(&f->free);
    free(f->excludes);
    free(f->holes);
}

struct ipam_subnet *
ipam_subnet_create(const struct ipam_subnet_spec *spec)
{
    struct ipam_subnet *subnet = xzalloc(sizeof *subnet);

    ovs_assert(spec->n_cidrs >= 1 && spec->n_cidrs <= 2);
    ovs_assert(spec->n_cidrs < 2 ||
               spec->cidrs[0].addr.family != spec->cidrs[1].addr.family);
    subnet->name = xstrdup(spec->name ? spec->name : "");
    for (size_t i = 0; i < spec->n_cidrs; i++) {
        /* IPv4 first whatever the order given. */
        size_t idx =
            spec->n_cidrs == 2 && spec->cidrs[i].addr.family == NET_V6;

        family_init(&subnet->fams[idx], &spec->cidrs[i],
                    spec->gateways ? &spec->gateways[i] : NULL,
                    spec->excludes);
    }
    subnet->n_fams = spec->n_cidrs;
    return subnet;
}

void
ipam_subnet_destroy(struct ipam_subnet *subnet)
{
    if (subnet) {
        for (size_t i = 0; i < subnet->n_fams; i++) {
            family_destroy(&subnet->fams[i]);
        }
        free(subnet->name);
        free(subnet);
    }
}

static const struct ipam_family *
family_of(const struct ipam_subnet *subnet, enum net_family family)
{
    for (size_t i = 0; i < subnet->n_fams; i++) {
        if (subnet->fams[i].family == family) {
            return &subnet->fams[i];
        }
    }
    return NULL;
}

/* The first of sorted, disjoint 'spans' that ends at or after 'value'. */
static size_t
span_lower_bound(const struct span *spans, size_t n, net_u128 value)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (spans[mid].last < value) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool
in_spans(const struct span *spans, size_t n, net_u128 value)
{
    size_t i = span_lower_bound(spans, n, value);

    return i < n && spans[i].first <= value;
}

static enum usability
usability(const struct ipam_family *f, net_u128 value)
{
    if (value < f->lo || value > f->hi) {
        return OUTSIDE;
    } else if (f->reserve_network && value == f->lo) {
        return NETWORK;
    } else if (f->reserve_broadcast && value == f->hi) {
        return BROADCAST;
    } else if (f->has_gateway && value == f->gateway) {
        return GATEWAY;
    } else if (in_spans(f->excludes, f->n_excludes, value)) {
        return EXCLUDED;
    }
    return USABLE;
}

/* The smallest address of 'family' >= 'value' in normalized 'pool'. */
static bool
pool_next(const struct net_range_list *pool, enum net_family family,
          net_u128 value, net_u128 *member)
{
    struct net_addr addr = net_addr_from_u128(family, value);
    size_t lo = 0, hi = pool->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (net_addr_compare(&pool->ranges[mid].last, &addr) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == pool->n || pool->ranges[lo].first.family != family) {
        return false;
    }

    net_u128 first = net_addr_to_u128(&pool->ranges[lo].first);

    *member = first > value ? first : value;
    return true;
}

/* The smallest free address >= 'value' that is also in 'pool' (if any),
 * with where its span is.  Hops alternately to the next free span and the
 * next pool range, so each round skips at least one of them. */
static bool
find_free(const struct ipam_family *f, const struct net_range_list *pool,
          net_u128 value, net_u128 *found, struct span_set_pos *pos)
{
    for (;;) {
        net_u128 member, span_last, pooled;

        if (!span_set_next(&f->free, value, &member, &span_last, pos)) {
            return false;
        }
        if (!pool) {
            *found = member;
            return true;
        }
        if (!pool_next(pool, f->family, member, &pooled)) {
            return false;
        }
        if (pooled <= span_last) {
            *found = pooled;
            return true;
        }
        value = pooled;
    }
}

/* Kube-OVN's order: the next free address after the cursor, wrapping to
 * the lowest. */
static bool
pick(const struct ipam_family *f, const struct net_range_list *pool,
     net_u128 *found, struct span_set_pos *pos)
{
    if (f->has_cursor && f->cursor < f->hi &&
        find_free(f, pool, f->cursor + 1, found, pos)) {
        return true;
    }
    return find_free(f, pool, f->lo, found, pos);
}

int
ipam_alloc(struct ipam_subnet *subnet, const struct net_range_list *pool,
           struct ipam_addrs *out)
{
    struct span_set_pos pos[2];
    net_u128 picked[2];

    out->n = 0;
    /* Pick every family before changing any, for all or nothing.  The
     * families' sets are separate, so each position stays valid. */
    for (size_t i = 0; i < subnet->n_fams; i++) {
        if (!pick(&subnet->fams[i], pool, &picked[i], &pos[i])) {
            return -ENOSPC;
        }
    }
    for (size_t i = 0; i < subnet->n_fams; i++) {
        struct ipam_family *f = &subnet->fams[i];

        span_set_remove_at(&f->free, &pos[i], picked[i]);
        f->has_cursor = true;
        f->cursor = picked[i];
        out->addrs[i] = net_addr_from_u128(f->family, picked[i]);
    }
    out->n = subnet->n_fams;
    return 0;
}

/* Fills 'err' with why 'value' of family 'f' cannot be taken. */
static int
unusable_error(const struct ipam_subnet *subnet, const struct ipam_family *f,
               net_u128 value, enum usability why, struct kovn_error *err)
{
    struct net_addr addr = net_addr_from_u128(f->family, value);
    char buf[NET_ADDR_STRLEN], cidr[NET_CIDR_STRLEN];
    const char *name = subnet->name;

    net_addr_format(&addr, buf);
    net_cidr_format(&f->cidr, cidr);
    switch (why) {
    case OUTSIDE:
        return kovn_error_set(err, -EINVAL, "%s is outside subnet %s (%s)",
                              buf, name, cidr);
    case NETWORK:
        return kovn_error_set(err, -EINVAL,
                              "%s is the network address of subnet %s (%s) "
                              "and is reserved",
                              buf, name, cidr);
    case BROADCAST:
        return kovn_error_set(err, -EINVAL,
                              "%s is the broadcast address of subnet %s (%s) "
                              "and is reserved",
                              buf, name, cidr);
    case GATEWAY:
        return kovn_error_set(err, -EINVAL,
                              "%s is the gateway of subnet %s and is reserved",
                              buf, name);
    case EXCLUDED:
        return kovn_error_set(
            err, -EINVAL, "%s is in the excludeIps of subnet %s", buf, name);
    case USABLE:
    default:
        OVS_NOT_REACHED();
    }
}

int
ipam_take(struct ipam_subnet *subnet, const struct net_addr *addrs, size_t n,
          struct kovn_error *err)
{
    struct ipam_family *fams[2] = {NULL, NULL};
    net_u128 values[2] = {0, 0};
    char buf[NET_ADDR_STRLEN];

    /* Check everything before taking anything. */
    for (size_t i = 0; i < n; i++) {
        const struct net_addr *addr = &addrs[i];
        struct ipam_family *f =
            CONST_CAST(struct ipam_family *, family_of(subnet, addr->family));

        if (!f) {
            net_addr_format(addr, buf);
            return kovn_error_set(
                err, -EINVAL, "%s is outside subnet %s: it has no %s CIDR",
                buf, subnet->name, net_family_name(addr->family));
        }

        size_t idx = (size_t)(f - subnet->fams);

        if (fams[idx]) {
            net_addr_format(addr, buf);
            return kovn_error_set(err, -EINVAL,
                                  "%s: more than one %s address given for "
                                  "subnet %s",
                                  buf, net_family_name(f->family),
                                  subnet->name);
        }
        fams[idx] = f;
        values[idx] = net_addr_to_u128(addr);

        enum usability why = usability(f, values[idx]);

        if (why != USABLE) {
            return unusable_error(subnet, f, values[idx], why, err);
        }
    }
    struct span_set_pos pos[2];
    for (size_t i = 0; i < 2; i++) {
        net_u128 member, span_last;

        if (fams[i] && (!span_set_next(&fams[i]->free, values[i], &member,
                                       &span_last, &pos[i]) ||
                        member != values[i])) {
            struct net_addr addr =
                net_addr_from_u128(fams[i]->family, values[i]);

            net_addr_format(&addr, buf);
            return kovn_error_set(err, -EADDRINUSE,
                                  "%s is already allocated in subnet %s", buf,
                                  subnet->name);
        }
    }
    /* One position per family's own set: taking one leaves the other's
     * valid. */
    for (size_t i = 0; i < 2; i++) {
        if (fams[i]) {
            span_set_remove_at(&fams[i]->free, &pos[i], values[i]);
        }
    }
    return 0;
}

void
ipam_release(struct ipam_subnet *subnet, const struct net_addr *addrs,
             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ipam_family *f = CONST_CAST(struct ipam_family *,
                                           family_of(subnet, addrs[i].family));
        net_u128 value;

        if (!f) {
            continue;
        }
        value = net_addr_to_u128(&addrs[i]);
        if (usability(f, value) == USABLE) {
            span_set_insert(&f->free, value); /* No-op if already free. */
        }
    }
}

bool
ipam_is_allocated(const struct ipam_subnet *subnet,
                  const struct net_addr *addr)
{
    const struct ipam_family *f = family_of(subnet, addr->family);
    net_u128 value;

    if (!f) {
        return false;
    }
    value = net_addr_to_u128(addr);
    return usability(f, value) == USABLE &&
           !span_set_contains(&f->free, value);
}

net_u128
ipam_available(const struct ipam_subnet *subnet, enum net_family family)
{
    const struct ipam_family *f = family_of(subnet, family);

    return f ? f->free.n_members : 0;
}

net_u128
ipam_used(const struct ipam_subnet *subnet, enum net_family family)
{
    const struct ipam_family *f = family_of(subnet, family);

    return f ? f->n_usable - f->free.n_members : 0;
}

size_t
ipam_n_free_ranges(const struct ipam_subnet *subnet, enum net_family family)
{
    const struct ipam_family *f = family_of(subnet, family);

    return f ? f->free.n_spans : 0;
}

/* Appends "first" or "first-last" to 'ds', after a comma unless first. */
static void
put_range(struct ds *ds, enum net_family family, net_u128 first, net_u128 last)
{
    char buf[NET_ADDR_STRLEN];
    struct net_addr addr;

    if (ds->length) {
        ds_put_char(ds, ',');
    }
    addr = net_addr_from_u128(family, first);
    ds_put_buffer(ds, buf, net_addr_format(&addr, buf));
    if (last != first) {
        ds_put_char(ds, '-');
        addr = net_addr_from_u128(family, last);
        ds_put_buffer(ds, buf, net_addr_format(&addr, buf));
    }
}

char *
ipam_available_ranges(const struct ipam_subnet *subnet, enum net_family family)
{
    const struct ipam_family *f = family_of(subnet, family);
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (f) {
        struct span_set_pos pos = {0, 0};
        const struct span *span;

        while ((span = span_set_next_span(&f->free, &pos))) {
            put_range(&ds, family, span->first, span->last);
        }
    }
    return ds_steal_cstr(&ds);
}

char *
ipam_used_ranges(const struct ipam_subnet *subnet, enum net_family family)
{
    const struct ipam_family *f = family_of(subnet, family);
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (!f) {
        return ds_steal_cstr(&ds);
    }

    /* Used = the gaps between the holes and the free spans, which are
     * disjoint and each sorted: walk both in order of their first
     * address. */
    struct span_set_pos pos = {0, 0};
    const struct span *free_span = span_set_next_span(&f->free, &pos);
    size_t hole = 0;
    net_u128 next = f->lo;
    bool done = false;

    while (!done) {
        const struct span *s;

        if (hole < f->n_holes &&
            (!free_span || f->holes[hole].first < free_span->first)) {
            s = &f->holes[hole++];
        } else if (free_span) {
            s = free_span;
            free_span = span_set_next_span(&f->free, &pos);
        } else {
            break;
        }
        if (s->first > next) {
            put_range(&ds, family, next, s->first - 1);
        }
        if (s->last == f->hi) {
            done = true;
        } else {
            next = s->last + 1;
        }
    }
    if (!done) {
        put_range(&ds, family, next, f->hi);
    }
    return ds_steal_cstr(&ds);
}

void
ipam_subnet_check(const struct ipam_subnet *subnet)
{
    for (size_t i = 0; i < subnet->n_fams; i++) {
        const struct ipam_family *f = &subnet->fams[i];
        struct span_set_pos pos = {0, 0};
        const struct span *span;

        span_set_check(&f->free);
        ovs_assert(f->free.n_members <= f->n_usable);
        /* Free addresses are inside the CIDR and outside every hole. */
        while ((span = span_set_next_span(&f->free, &pos))) {
            ovs_assert(span->first >= f->lo && span->last <= f->hi);

            size_t h = span_lower_bound(f->holes, f->n_holes, span->first);

            ovs_assert(h == f->n_holes || f->holes[h].first > span->last);
        }
    }
}
