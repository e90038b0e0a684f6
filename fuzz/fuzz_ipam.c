/* Fuzz target for src/ipam: the input picks a small subnet (IPv4, IPv6 or
 * dual stack; /24../32 and /120../128; gateway and excludeIps anywhere,
 * even outside the CIDR), then a sequence of operations on it (alloc,
 * alloc from a pool, take one or two addresses, release, release twice,
 * and bulk take/release of every other address to fragment the free list
 * fast).  A plain per-address model runs beside it; after every operation
 * the result, the exact address handed out, every address's state, the
 * counts and the number of free ranges must agree, and at the end the
 * status range strings too.
 *
 * Input layout: byte 0 shape, bytes 1..6 gateway and excludes, then one
 * operation per byte followed by its argument bytes. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ipam/ipam.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_IPAM_MAX_INPUT 4096
#define MARGIN              8

#define CHECK(COND)                                                          \
    do {                                                                     \
        if (!(COND)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #COND);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

struct fam {
    enum net_family family;
    net_u128 base;
    int size; /* 1..256 */
    uint8_t usable[256];
    uint8_t allocated[256];
    int n_usable, n_used;
    bool has_cursor;
    int cursor;
    uint8_t in_pool[256];
};

struct input {
    const uint8_t *p, *end;
};

static unsigned int
next_byte(struct input *in)
{
    return in->p < in->end ? *in->p++ : 0;
}

/* An offset from the CIDR's start, up to MARGIN addresses outside. */
static int
next_offset(struct input *in, const struct fam *f)
{
    return (int)(next_byte(in) % (unsigned int)(f->size + 2 * MARGIN)) -
           MARGIN;
}

static struct net_addr
fam_addr(const struct fam *f, int off)
{
    return net_addr_from_u128(f->family, f->base + (net_u128)(__int128)off);
}

static bool
fam_is_free(const struct fam *f, int off)
{
    return off >= 0 && off < f->size && f->usable[off] && !f->allocated[off];
}

static int
fam_runs(const struct fam *f)
{
    int runs = 0;

    for (int off = 0; off < f->size; off++) {
        runs += fam_is_free(f, off) && !fam_is_free(f, off - 1);
    }
    return runs;
}

static int
fam_predict(const struct fam *f, bool pool)
{
    int start = f->has_cursor ? f->cursor + 1 : 0;

    for (int k = 0; k < f->size; k++) {
        int off = (start + k) % f->size;

        if (fam_is_free(f, off) && (!pool || f->in_pool[off])) {
            return off;
        }
    }
    return -1;
}

static char *
fam_ranges(const struct fam *f, bool used)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[NET_ADDR_STRLEN];

    for (int off = 0; off < f->size;) {
        int end = off;

        if (!f->usable[off] || f->allocated[off] != used) {
            off++;
            continue;
        }
        while (end + 1 < f->size && f->usable[end + 1] &&
               f->allocated[end + 1] == used) {
            end++;
        }
        if (ds.length) {
            ds_put_char(&ds, ',');
        }
        struct net_addr a = fam_addr(f, off);
        ds_put_buffer(&ds, buf, net_addr_format(&a, buf));
        if (end != off) {
            a = fam_addr(f, end);
            ds_put_char(&ds, '-');
            ds_put_buffer(&ds, buf, net_addr_format(&a, buf));
        }
        off = end + 1;
    }
    return ds_steal_cstr(&ds);
}

static void
check_counts(const struct ipam_subnet *subnet, struct fam *fams, int n_fams)
{
    for (int i = 0; i < n_fams; i++) {
        const struct fam *f = &fams[i];

        CHECK(ipam_used(subnet, f->family) == (net_u128)f->n_used);
        CHECK(ipam_available(subnet, f->family) ==
              (net_u128)(f->n_usable - f->n_used));
        CHECK(ipam_n_free_ranges(subnet, f->family) == (size_t)fam_runs(f));
    }
}

/* Every address's state, the free list's invariants and, if 'strings',
 * the status range strings. */
static void
check_all(const struct ipam_subnet *subnet, struct fam *fams, int n_fams,
          bool strings)
{
    check_counts(subnet, fams, n_fams);
    for (int i = 0; i < n_fams; i++) {
        const struct fam *f = &fams[i];

        for (int off = -MARGIN; off < f->size + MARGIN; off++) {
            struct net_addr a = fam_addr(f, off);
            bool want = off >= 0 && off < f->size && f->allocated[off];

            CHECK(ipam_is_allocated(subnet, &a) == want);
        }
        if (strings) {
            for (int used = 0; used < 2; used++) {
                char *want = fam_ranges(f, used);
                char *got = used ? ipam_used_ranges(subnet, f->family)
                                 : ipam_available_ranges(subnet, f->family);

                CHECK(!strcmp(want, got));
                free(want);
                free(got);
            }
        }
    }
    ipam_subnet_check(subnet);
}

static void
op_alloc(struct ipam_subnet *subnet, struct fam *fams, int n_fams,
         struct input *in, bool with_pool)
{
    struct net_range_list pool;
    int want[2];
    bool full = false;
    struct ipam_addrs out;

    net_range_list_init(&pool);
    if (with_pool) {
        /* One range per family, then normalized as callers must. */
        for (int i = 0; i < n_fams; i++) {
            struct fam *f = &fams[i];
            int first = next_offset(in, f);
            int len = (int)(next_byte(in) % 32);
            struct net_range r = {fam_addr(f, first),
                                  fam_addr(f, first + len)};

            net_range_list_add(&pool, &r);
            for (int off = 0; off < f->size; off++) {
                f->in_pool[off] = off >= first && off <= first + len;
            }
        }
        net_range_list_normalize(&pool);
    }
    for (int i = 0; i < n_fams; i++) {
        want[i] = fam_predict(&fams[i], with_pool);
        full |= want[i] < 0;
    }

    int error = ipam_alloc(subnet, with_pool ? &pool : NULL, &out);
    if (full) {
        CHECK(error == -ENOSPC && out.n == 0);
    } else {
        CHECK(!error && out.n == (size_t)n_fams);
        for (int i = 0; i < n_fams; i++) {
            struct fam *f = &fams[i];
            struct net_addr a = fam_addr(f, want[i]);

            CHECK(net_addr_equals(&a, &out.addrs[i]));
            f->allocated[want[i]] = 1;
            f->n_used++;
            f->has_cursor = true;
            f->cursor = want[i];
        }
    }
    net_range_list_destroy(&pool);
}

static void
op_take(struct ipam_subnet *subnet, struct fam *fams, int n_fams,
        struct input *in, int n)
{
    struct net_addr addrs[2];
    struct fam *which[2];
    int offs[2];
    bool seen[2] = {false, false};
    int want = 0;
    struct kovn_error err = {0};

    for (int k = 0; k < n; k++) {
        unsigned int b = next_byte(in);

        which[k] = &fams[b % (unsigned int)n_fams];
        offs[k] = next_offset(in, which[k]);
        addrs[k] = fam_addr(which[k], offs[k]);
    }
    for (int k = 0; k < n && !want; k++) {
        int idx = (int)(which[k] - fams);

        if (seen[idx] || offs[k] < 0 || offs[k] >= which[k]->size ||
            !which[k]->usable[offs[k]]) {
            want = -EINVAL;
        }
        seen[idx] = true;
    }
    for (int k = 0; k < n && !want; k++) {
        if (which[k]->allocated[offs[k]]) {
            want = -EADDRINUSE;
        }
    }
    CHECK(ipam_take(subnet, addrs, (size_t)n, &err) == want);
    CHECK(!want || err.msg[0]);
    for (int k = 0; k < n && !want; k++) {
        which[k]->allocated[offs[k]] = 1;
        which[k]->n_used++;
    }
}

static void
release_one(struct ipam_subnet *subnet, struct fam *f, int off, int times)
{
    struct net_addr a = fam_addr(f, off);

    for (int t = 0; t < times; t++) {
        ipam_release(subnet, &a, 1);
    }
    if (off >= 0 && off < f->size && f->allocated[off]) {
        f->allocated[off] = 0;
        f->n_used--;
    }
}

/* Takes (or releases) every other address of a stretch: many small free
 * ranges at once, so that the free list's internal blocks split, merge
 * and rebalance even on short inputs. */
static void
op_bulk(struct ipam_subnet *subnet, struct fam *f, struct input *in, bool take)
{
    int start = next_offset(in, f);
    int count = (int)next_byte(in);

    for (int k = 0; k < count; k++) {
        int off = start + 2 * k;

        if (off >= f->size + MARGIN) {
            break;
        }
        if (take) {
            struct net_addr a = fam_addr(f, off);
            int want = !(off >= 0 && off < f->size && f->usable[off])
                           ? -EINVAL
                           : (f->allocated[off] ? -EADDRINUSE : 0);

            CHECK(ipam_take(subnet, &a, 1, NULL) == want);
            if (!want) {
                f->allocated[off] = 1;
                f->n_used++;
            }
        } else {
            release_one(subnet, f, off, 1);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, data + size};
    struct fam fams[2];
    struct net_cidr cidrs[2];
    struct net_addr gws[2];
    struct net_range_list excludes;
    int n_fams;
    long n_ops = 0;

    if (size > FUZZ_IPAM_MAX_INPUT) {
        return 0;
    }

    /* Shape: IPv4, IPv6 or both; prefix lengths; gateway or not. */
    unsigned int shape = next_byte(&in);
    unsigned int mode = shape % 3;
    n_fams = mode == 2 ? 2 : 1;
    memset(fams, 0, sizeof fams);
    memset(gws, 0, sizeof gws);
    for (int i = 0; i < n_fams; i++) {
        struct fam *f = &fams[i];
        bool v6 = mode == 1 || i == 1;
        unsigned int host_bits = (shape / 3 + (unsigned int)i) % 9;

        f->family = v6 ? NET_V6 : NET_V4;
        f->base = v6 ? (net_u128)0xfd00 << 112 : (net_u128)0x0a000000;
        f->size = 1 << host_bits;
        cidrs[i].addr = net_addr_from_u128(f->family, f->base);
        cidrs[i].prefix = (v6 ? 128 : 32) - host_bits;
    }
    net_range_list_init(&excludes);
    for (int i = 0; i < n_fams; i++) {
        unsigned int b = next_byte(&in);

        if (b & 1) {
            gws[i] = fam_addr(&fams[i], next_offset(&in, &fams[i]));
        }
    }
    unsigned int n_excludes = next_byte(&in) % 4;
    for (unsigned int k = 0; k < n_excludes; k++) {
        struct fam *f = &fams[next_byte(&in) % (unsigned int)n_fams];
        int first = next_offset(&in, f);
        int len = (int)(next_byte(&in) % 64);
        struct net_range r = {fam_addr(f, first), fam_addr(f, first + len)};

        net_range_list_add(&excludes, &r);
    }
    net_range_list_normalize(&excludes);

    /* The model's rules, address by address. */
    for (int i = 0; i < n_fams; i++) {
        struct fam *f = &fams[i];
        bool host_route = f->family == NET_V4 && f->size <= 2;

        for (int off = 0; off < f->size; off++) {
            struct net_addr a = fam_addr(f, off);
            bool network = off == 0 && !host_route;
            bool broadcast =
                f->family == NET_V4 && off == f->size - 1 && !host_route;

            f->usable[off] = !network && !broadcast &&
                             !net_addr_equals(&a, &gws[i]) &&
                             !net_range_list_contains(&excludes, &a);
            f->n_usable += f->usable[off];
        }
    }

    struct ipam_subnet_spec spec = {
        .name = "fuzz",
        .cidrs = cidrs,
        .gateways = gws,
        .n_cidrs = (size_t)n_fams,
        .excludes = &excludes,
    };
    struct ipam_subnet *subnet = ipam_subnet_create(&spec);
    net_range_list_destroy(&excludes);
    check_all(subnet, fams, n_fams, true);

    while (in.p < in.end) {
        unsigned int op = next_byte(&in) % 8;
        struct fam *f = &fams[next_byte(&in) % (unsigned int)n_fams];

        switch (op) {
        case 0:
            op_alloc(subnet, fams, n_fams, &in, false);
            break;
        case 1:
            op_alloc(subnet, fams, n_fams, &in, true);
            break;
        case 2:
            op_take(subnet, fams, n_fams, &in, 1);
            break;
        case 3:
            op_take(subnet, fams, n_fams, &in, 2);
            break;
        case 4:
            release_one(subnet, f, next_offset(&in, f), 1);
            break;
        case 5:
            release_one(subnet, f, next_offset(&in, f), 2);
            break;
        case 6:
            op_bulk(subnet, f, &in, true);
            break;
        default:
            op_bulk(subnet, f, &in, false);
            break;
        }
        /* Counts catch most slips at once; the full sweep (a few hundred
         * lookups) now and then keeps the fuzzer fast. */
        check_counts(subnet, fams, n_fams);
        if (++n_ops % 8 == 0) {
            check_all(subnet, fams, n_fams, false);
        }
    }
    check_all(subnet, fams, n_fams, true);
    ipam_subnet_destroy(subnet);
    return 0;
}
