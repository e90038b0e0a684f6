/* Model test for src/ipam: a million random operations (alloc, alloc from a
 * pool, take, release, release twice) on a small IPv4 subnet and on a
 * dual-stack one, each checked against a plain bitmap model of the same
 * subnet built independently from its spec.
 *
 * The model predicts the exact address Kube-OVN's order hands out (next
 * free after the cursor, wrapping), the exact error of a take, and when
 * -ENOSPC is due, so any drift in the range bookkeeping (a lost or
 * duplicated address, a reserved address leaking out, a miscounted range)
 * shows up at the operation that caused it.  Counts and the touched
 * addresses are compared after every operation, everything (every
 * address, the status range strings, internal invariants) every few
 * thousand.  Set KOVN_TEST_SEED to replay another sequence. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "ipam/ipam.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* The small-leaves build runs fewer: its point is structure, not volume. */
#ifndef N_OPS
#define N_OPS 1000000
#endif
#define N_POOLS          4
#define FULL_CHECK_EVERY 4096
/* Takes and releases also aim a little outside the CIDR. */
#define MARGIN 4

struct model_family {
    enum net_family family;
    unsigned int prefix;
    net_u128 base; /* The CIDR's first address. */
    size_t size;   /* Addresses in the CIDR. */
    uint8_t *usable;
    uint8_t *allocated;
    uint64_t *free_bits; /* usable && !allocated */
    uint64_t *pool_bits[N_POOLS];
    size_t n_words;
    size_t n_usable, n_used;
    size_t n_runs; /* Maximal runs of free addresses. */
    bool has_cursor;
    size_t cursor;
    /* Allocated offsets, for picking one at random. */
    size_t *list;
    size_t *list_pos;
    size_t n_list;
};

struct model {
    struct ipam_subnet *subnet;
    struct model_family fams[2];
    size_t n_fams;
    struct net_range_list pools[N_POOLS];
    uint64_t rng;
    long op; /* Index of the operation being checked, for messages. */

    /* What the run went through, printed at its end to show that the
     * interesting states were reached. */
    long n_allocs, n_pool_allocs, n_enospc, n_takes, n_take_inval,
        n_take_inuse, n_releases;
    size_t max_runs;
};

static uint64_t
next_random(struct model *m)
{
    /* splitmix64: good enough and the same on every platform. */
    uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t
rnd(struct model *m, size_t n)
{
    return (size_t)(next_random(m) % n);
}

static struct net_addr
family_addr(const struct model_family *f, long off)
{
    return net_addr_from_u128(f->family, f->base + (net_u128)(__int128)off);
}

static bool
is_free(const struct model_family *f, size_t off)
{
    return f->free_bits[off / 64] >> (off % 64) & 1;
}

static void
set_allocated(struct model_family *f, size_t off, bool allocated)
{
    bool left = off > 0 && is_free(f, off - 1);
    bool right = off + 1 < f->size && is_free(f, off + 1);
    size_t joined = 1 - left - right; /* Runs one free address adds. */

    f->allocated[off] = allocated;
    if (allocated) {
        f->free_bits[off / 64] &= ~(1ULL << (off % 64));
        f->n_runs -= joined;
        f->n_used++;
        f->list_pos[off] = f->n_list;
        f->list[f->n_list++] = off;
    } else {
        f->free_bits[off / 64] |= 1ULL << (off % 64);
        f->n_runs += joined;
        f->n_used--;
        size_t last = f->list[--f->n_list];
        f->list[f->list_pos[off]] = last;
        f->list_pos[last] = f->list_pos[off];
    }
}

/* The first free offset >= 'start' (in pool 'pool' unless negative). */
static size_t
find_free(const struct model_family *f, int pool, size_t start)
{
    for (size_t w = start / 64; w < f->n_words; w++) {
        uint64_t bits = f->free_bits[w];

        if (pool >= 0) {
            bits &= f->pool_bits[pool][w];
        }
        if (w == start / 64) {
            bits &= ~0ULL << (start % 64);
        }
        if (bits) {
            return w * 64 + (size_t)__builtin_ctzll(bits);
        }
    }
    return SIZE_MAX;
}

static size_t
predict(const struct model_family *f, int pool)
{
    size_t off = SIZE_MAX;

    if (f->has_cursor && f->cursor + 1 < f->size) {
        off = find_free(f, pool, f->cursor + 1);
    }
    return off != SIZE_MAX ? off : find_free(f, pool, 0);
}

static void
family_init(struct model *m, struct model_family *f, const char *cidr_s,
            const char *gw_s, const struct net_range_list *excludes,
            struct net_cidr *cidr, struct net_addr *gw)
{
    assert_int_equal(net_cidr_parse(cidr_s, NET_CIDR_NETWORK, cidr, NULL), 0);
    memset(gw, 0, sizeof *gw);
    if (*gw_s) {
        assert_int_equal(net_addr_parse(gw_s, gw, NULL), 0);
    }

    struct net_addr first = net_cidr_first(cidr);

    memset(f, 0, sizeof *f);
    f->family = cidr->addr.family;
    f->prefix = cidr->prefix;
    f->base = net_addr_to_u128(&first);
    f->size = (size_t)net_cidr_last_offset(cidr) + 1;
    f->n_words = (f->size + 63) / 64;
    f->usable = xzalloc(f->size);
    f->allocated = xzalloc(f->size);
    f->free_bits = xzalloc(f->n_words * sizeof *f->free_bits);
    f->list = xmalloc(f->size * sizeof *f->list);
    f->list_pos = xmalloc(f->size * sizeof *f->list_pos);

    /* The rules, written out plainly for each address. */
    bool host_route = f->family == NET_V4 && f->prefix >= 31;
    for (size_t off = 0; off < f->size; off++) {
        struct net_addr a = family_addr(f, (long)off);
        bool network = off == 0 && !host_route;
        bool broadcast =
            f->family == NET_V4 && off == f->size - 1 && !host_route;
        bool usable = !network && !broadcast && !net_addr_equals(&a, gw) &&
                      !net_range_list_contains(excludes, &a);

        f->usable[off] = usable;
        if (usable) {
            f->n_usable++;
            f->free_bits[off / 64] |= 1ULL << (off % 64);
            if (!off || !f->usable[off - 1]) {
                f->n_runs++;
            }
        }
    }
    for (int p = 0; p < N_POOLS; p++) {
        f->pool_bits[p] = xzalloc(f->n_words * sizeof *f->pool_bits[p]);
        for (size_t off = 0; off < f->size; off++) {
            struct net_addr a = family_addr(f, (long)off);

            if (net_range_list_contains(&m->pools[p], &a)) {
                f->pool_bits[p][off / 64] |= 1ULL << (off % 64);
            }
        }
    }
}

static void
family_destroy(struct model_family *f)
{
    free(f->usable);
    free(f->allocated);
    free(f->free_bits);
    for (int p = 0; p < N_POOLS; p++) {
        free(f->pool_bits[p]);
    }
    free(f->list);
    free(f->list_pos);
}

/* A random range of 1..16 addresses near the CIDR of 'f' (of either
 * family, sometimes partly outside). */
static void
add_random_range(struct model *m, struct net_range_list *list,
                 const struct model_family *f)
{
    long first = (long)rnd(m, f->size + 2 * MARGIN) - MARGIN;
    long len = (long)rnd(m, 16);
    struct net_range r;

    if (f->base == 0 && first < 0) {
        first = 0;
    }
    r.first = family_addr(f, first);
    r.last = family_addr(f, first + len);
    net_range_list_add(list, &r);
}

static void
model_init(struct model *m, const char *cidrs[], const char *gws[],
           size_t n_fams, const char *excludes_s, uint64_t seed)
{
    struct net_cidr cidr[2];
    struct net_addr gw[2];
    struct net_range_list excludes;

    memset(m, 0, sizeof *m);
    m->rng = seed;
    m->n_fams = n_fams;
    net_range_list_init(&excludes);
    assert_int_equal(net_range_list_parse(excludes_s, ',', &excludes, NULL),
                     0);
    net_range_list_normalize(&excludes);

    /* Pools need the CIDRs: parse them first with empty pools, then fill
     * the pools and redo the families. */
    for (int p = 0; p < N_POOLS; p++) {
        net_range_list_init(&m->pools[p]);
    }
    for (size_t i = 0; i < n_fams; i++) {
        family_init(m, &m->fams[i], cidrs[i], gws[i], &excludes, &cidr[i],
                    &gw[i]);
    }
    for (int p = 0; p < N_POOLS; p++) {
        size_t n = 1 + rnd(m, 6);

        /* Both families, so that dual-stack pool allocations can work. */
        for (size_t k = 0; k < n_fams; k++) {
            add_random_range(m, &m->pools[p], &m->fams[k]);
        }
        for (size_t k = 0; k < n; k++) {
            add_random_range(m, &m->pools[p], &m->fams[rnd(m, n_fams)]);
        }
        net_range_list_normalize(&m->pools[p]);
    }
    for (size_t i = 0; i < n_fams; i++) {
        family_destroy(&m->fams[i]);
        family_init(m, &m->fams[i], cidrs[i], gws[i], &excludes, &cidr[i],
                    &gw[i]);
    }

    struct ipam_subnet_spec spec = {
        .name = "model",
        .cidrs = cidr,
        .gateways = gw,
        .n_cidrs = n_fams,
        .excludes = &excludes,
    };
    m->subnet = ipam_subnet_create(&spec);
    net_range_list_destroy(&excludes);
}

static void
model_destroy(struct model *m)
{
    ipam_subnet_destroy(m->subnet);
    for (size_t i = 0; i < m->n_fams; i++) {
        family_destroy(&m->fams[i]);
    }
    for (int p = 0; p < N_POOLS; p++) {
        net_range_list_destroy(&m->pools[p]);
    }
}

static void
check_address(struct model *m, struct model_family *f, long off)
{
    struct net_addr a = family_addr(f, off);
    bool want = off >= 0 && (size_t)off < f->size && f->allocated[off];

    if (ipam_is_allocated(m->subnet, &a) != want) {
        char buf[NET_ADDR_STRLEN];

        net_addr_format(&a, buf);
        fail_msg("op %ld: %s is %s in ipam, %s in the model", m->op, buf,
                 want ? "free" : "allocated", want ? "allocated" : "free");
    }
}

static void
check_counts(struct model *m)
{
    for (size_t i = 0; i < m->n_fams; i++) {
        struct model_family *f = &m->fams[i];

        if (ipam_used(m->subnet, f->family) != f->n_used ||
            ipam_available(m->subnet, f->family) != f->n_usable - f->n_used) {
            fail_msg("op %ld: %s used/available %zu/%zu, model %zu/%zu", m->op,
                     net_family_name(f->family),
                     (size_t)ipam_used(m->subnet, f->family),
                     (size_t)ipam_available(m->subnet, f->family), f->n_used,
                     f->n_usable - f->n_used);
        }
        if (ipam_n_free_ranges(m->subnet, f->family) != f->n_runs) {
            fail_msg("op %ld: %s has %zu free ranges, model %zu", m->op,
                     net_family_name(f->family),
                     ipam_n_free_ranges(m->subnet, f->family), f->n_runs);
        }
    }
}

/* Kube-OVN's status format from the model: runs where 'want(off)'. */
static char *
model_ranges(const struct model_family *f, bool used)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[NET_ADDR_STRLEN];

    for (size_t off = 0; off < f->size;) {
        if (!f->usable[off] || f->allocated[off] != used) {
            off++;
            continue;
        }

        size_t end = off;
        while (end + 1 < f->size && f->usable[end + 1] &&
               f->allocated[end + 1] == used) {
            end++;
        }
        if (ds.length) {
            ds_put_char(&ds, ',');
        }
        struct net_addr a = family_addr(f, (long)off);
        ds_put_buffer(&ds, buf, net_addr_format(&a, buf));
        if (end != off) {
            a = family_addr(f, (long)end);
            ds_put_char(&ds, '-');
            ds_put_buffer(&ds, buf, net_addr_format(&a, buf));
        }
        off = end + 1;
    }
    return ds_steal_cstr(&ds);
}

static void
check_everything(struct model *m)
{
    ipam_subnet_check(m->subnet);
    check_counts(m);
    for (size_t i = 0; i < m->n_fams; i++) {
        struct model_family *f = &m->fams[i];

        for (long off = -MARGIN; off < (long)f->size + MARGIN; off++) {
            if (f->base == 0 && off < 0) {
                continue;
            }
            check_address(m, f, off);
        }
        for (int used = 0; used < 2; used++) {
            char *want = model_ranges(f, used);
            char *got = used ? ipam_used_ranges(m->subnet, f->family)
                             : ipam_available_ranges(m->subnet, f->family);

            if (strcmp(want, got)) {
                fail_msg("op %ld: %s %s ranges \"%s\", model \"%s\"", m->op,
                         net_family_name(f->family),
                         used ? "used" : "available", got, want);
            }
            free(want);
            free(got);
        }
    }
}

static void
op_alloc(struct model *m, int pool)
{
    size_t want[2];
    bool full = false;
    struct ipam_addrs out;
    int error;

    for (size_t i = 0; i < m->n_fams; i++) {
        want[i] = predict(&m->fams[i], pool);
        full |= want[i] == SIZE_MAX;
    }
    error = ipam_alloc(m->subnet, pool >= 0 ? &m->pools[pool] : NULL, &out);
    if (full) {
        if (error != -ENOSPC || out.n) {
            fail_msg("op %ld: alloc returned %d, model says full", m->op,
                     error);
        }
        m->n_enospc++;
        return;
    }
    if (error || out.n != m->n_fams) {
        fail_msg("op %ld: alloc returned %d with %zu addresses", m->op, error,
                 out.n);
    }
    for (size_t i = 0; i < m->n_fams; i++) {
        struct model_family *f = &m->fams[i];
        struct net_addr a = family_addr(f, (long)want[i]);

        if (!net_addr_equals(&a, &out.addrs[i])) {
            char got[NET_ADDR_STRLEN], exp[NET_ADDR_STRLEN];

            net_addr_format(&out.addrs[i], got);
            net_addr_format(&a, exp);
            fail_msg("op %ld: alloc gave %s, model expects %s", m->op, got,
                     exp);
        }
        set_allocated(f, want[i], true);
        f->has_cursor = true;
        f->cursor = want[i];
        check_address(m, f, (long)want[i]);
    }
    if (pool >= 0) {
        m->n_pool_allocs++;
    } else {
        m->n_allocs++;
    }
}

/* An address of one family near 'f': often allocated, often random. */
static long
pick_offset(struct model *m, const struct model_family *f)
{
    size_t r = rnd(m, 4);

    if (r == 0 && f->n_list) {
        return (long)f->list[rnd(m, f->n_list)];
    } else if (r <= 1 && f->base == 0) {
        return (long)rnd(m, f->size + MARGIN);
    } else if (r <= 1) {
        return (long)rnd(m, f->size + 2 * MARGIN) - MARGIN;
    }
    return (long)rnd(m, f->size);
}

static void
op_take(struct model *m)
{
    size_t n = 1 + rnd(m, 2);
    struct net_addr addrs[2];
    struct model_family *fams[2];
    long offs[2];
    int want = 0;
    bool seen[2] = {false, false};
    struct kovn_error err = {0};

    for (size_t k = 0; k < n; k++) {
        struct model_family *f = &m->fams[rnd(m, m->n_fams)];

        fams[k] = f;
        offs[k] = pick_offset(m, f);
        addrs[k] = family_addr(f, offs[k]);
        if (m->n_fams == 1 && !rnd(m, 16)) {
            /* A family the subnet lacks. */
            addrs[k] = net_addr_from_u128(NET_V6, ((net_u128)0xfd00 << 112) +
                                                      (net_u128)offs[k]);
            fams[k] = NULL;
        }
    }
    for (size_t k = 0; k < n; k++) {
        size_t idx = fams[k] ? (size_t)(fams[k] - m->fams) : 0;

        if (!fams[k] || seen[idx] || offs[k] < 0 ||
            (size_t)offs[k] >= fams[k]->size || !fams[k]->usable[offs[k]]) {
            want = -EINVAL;
            break;
        }
        seen[idx] = true;
    }
    for (size_t k = 0; k < n && !want; k++) {
        if (fams[k]->allocated[offs[k]]) {
            want = -EADDRINUSE;
        }
    }

    int error = ipam_take(m->subnet, addrs, n, &err);
    if (error != want || (error && !err.msg[0])) {
        fail_msg("op %ld: take of %zu returned %d (%s), model %d", m->op, n,
                 error, err.msg, want);
    }
    m->n_takes += !want;
    m->n_take_inval += want == -EINVAL;
    m->n_take_inuse += want == -EADDRINUSE;
    for (size_t k = 0; k < n; k++) {
        if (!want) {
            set_allocated(fams[k], (size_t)offs[k], true);
        }
        if (fams[k]) {
            check_address(m, fams[k], offs[k]);
        }
    }
}

static void
op_release(struct model *m, bool twice)
{
    size_t n = twice ? 2 : 1 + rnd(m, 2);
    struct net_addr addrs[2];
    struct model_family *fams[2];
    long offs[2];

    for (size_t k = 0; k < n; k++) {
        struct model_family *f = &m->fams[rnd(m, m->n_fams)];

        fams[k] = f;
        offs[k] = f->n_list && rnd(m, 4) ? (long)f->list[rnd(m, f->n_list)]
                                         : pick_offset(m, f);
        addrs[k] = family_addr(f, offs[k]);
    }
    if (twice) {
        /* The same address twice in one call, then once more. */
        fams[1] = fams[0];
        offs[1] = offs[0];
        addrs[1] = addrs[0];
    }
    ipam_release(m->subnet, addrs, n);
    if (twice) {
        ipam_release(m->subnet, addrs, 1);
    }
    for (size_t k = 0; k < n; k++) {
        struct model_family *f = fams[k];

        if (offs[k] >= 0 && (size_t)offs[k] < f->size &&
            f->allocated[offs[k]]) {
            set_allocated(f, (size_t)offs[k], false);
            m->n_releases++;
        }
        check_address(m, f, offs[k]);
    }
}

/* Runs 'n_ops' random operations in phases that mostly fill or mostly
 * drain the subnet, so that both the empty, the fragmented and the full
 * states are visited often. */
static void
run_model(struct model *m, long n_ops)
{
    /* Percent weights: alloc, pool alloc, take, release, release twice. */
    static const int weights[2][5] = {
        {45, 15, 15, 20, 5}, /* filling */
        {15, 5, 5, 55, 20},  /* draining */
    };
    size_t size = m->fams[0].size;
    int phase = 0;
    long phase_end = 0;

    check_everything(m);
    for (m->op = 0; m->op < n_ops; m->op++) {
        if (m->op >= phase_end) {
            phase = !phase;
            phase_end = m->op + (long)(size / 4 + rnd(m, 4 * size));
        }

        int r = (int)rnd(m, 100);
        int kind = 0;
        while (r >= weights[phase][kind]) {
            r -= weights[phase][kind++];
        }
        switch (kind) {
        case 0:
            op_alloc(m, -1);
            break;
        case 1:
            op_alloc(m, (int)rnd(m, N_POOLS));
            break;
        case 2:
            op_take(m);
            break;
        case 3:
            op_release(m, false);
            break;
        default:
            op_release(m, true);
            break;
        }
        check_counts(m);
        for (size_t i = 0; i < m->n_fams; i++) {
            m->max_runs = MAX(m->max_runs, m->fams[i].n_runs);
        }
        if (m->op % FULL_CHECK_EVERY == 0) {
            check_everything(m);
        }
    }
    check_everything(m);
    printf("%ld ops: %ld allocs, %ld from pools, %ld -ENOSPC, %ld takes, "
           "%ld -EINVAL, %ld -EADDRINUSE, %ld releases, up to %zu free "
           "ranges\n",
           n_ops, m->n_allocs, m->n_pool_allocs, m->n_enospc, m->n_takes,
           m->n_take_inval, m->n_take_inuse, m->n_releases, m->max_runs);
}

static uint64_t
seed(void)
{
    const char *s = getenv("KOVN_TEST_SEED");

    return s ? strtoull(s, NULL, 0) : 20240611;
}

static void
test_ipam_model_ipv4(void **state)
{
    (void)state;
    const char *cidrs[] = {"10.0.0.0/22"};
    const char *gws[] = {"10.0.0.1"};
    struct model m;

    model_init(&m, cidrs, gws, 1,
               "9.255.255.250..10.0.0.0,10.0.0.10..10.0.0.20,10.0.1.0,"
               "10.0.2.255..10.0.3.0,10.0.3.250..10.0.4.10,fd00::1",
               seed());
    run_model(&m, N_OPS);
    model_destroy(&m);
}

static void
test_ipam_model_dual_stack(void **state)
{
    (void)state;
    /* IPv6 has fewer usable addresses than IPv4 here, so each family in
     * turn is the one that runs out. */
    const char *cidrs[] = {"10.1.0.0/24", "fd00:1::/120"};
    const char *gws[] = {"10.1.0.1", "fd00:1::1"};
    struct model m;

    model_init(&m, cidrs, gws, 2,
               "10.1.0.100..10.1.0.109,fd00:1::80..fd00:1::c0,fd00:1::ff",
               seed() + 1);
    run_model(&m, N_OPS);
    model_destroy(&m);
}

static void
test_ipam_model_host_route(void **state)
{
    (void)state;
    /* Edge shapes: every address usable, and a tiny IPv6 block. */
    const char *cidrs[] = {"10.2.0.0/31", "fd00:2::/126"};
    const char *gws[] = {"", "fd00:2::3"};
    struct model m;

    model_init(&m, cidrs, gws, 2, "", seed() + 2);
    run_model(&m, N_OPS / 10);
    model_destroy(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipam_model_ipv4),
        cmocka_unit_test(test_ipam_model_dual_stack),
        cmocka_unit_test(test_ipam_model_host_route),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
