/* Benchmark: src/ipam against a naive bitmap allocator doing the same work
 * in the same run (one bit per address of the CIDR, scanned a 64-bit word
 * at a time from the cursor: what an allocator without range lists does).
 *
 * Workloads:
 *   steady  a /16 with 60,000 addresses in use, then alternately release a
 *           random one and allocate the next (Kube-OVN order); ops/s counts
 *           each alloc and each release.
 *   restore a controller restart: 100,000 known allocations (random order)
 *           taken back into a fresh /15 and a fresh /8; time includes
 *           creating the subnet.
 *
 * heap_kib is the heap the structure holds at the end of the work
 * (malloc's own count, so memory freed and reused by an earlier row does
 * not blur it); peak_kib is the process's peak RSS so far; ratio is the
 * baseline's time over kovn's (above 1: kovn is faster).  A last row
 * restores into an IPv6 /64, which no bitmap can hold. */
#include <config.h>

#include "bench_util.h"
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam.h"
#include "util.h"

#define STEADY_IN_USE 60000
#define N_RESTORE     100000

/* Peak RSS from VmHWM: getrusage()'s ru_maxrss survives execve(), so
 * under `meson test` it would report the Python parent's peak. */
static long
peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;

    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

/* Bytes in use on the heap, small blocks and mmapped ones. */
static long
heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();

    return (long)(mi.uordblks + mi.hblkhd);
}

static uint64_t rng_state = 42;

static uint64_t
next_random(void)
{
    /* xorshift64*: cheap next to the work measured. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* The baseline: one bit per address of a CIDR (set = not available),
 * reserved addresses set from the start. */
struct bitmap_alloc {
    uint64_t *bits;
    uint32_t size;
    uint32_t cursor;
    bool has_cursor;
};

static void
bitmap_create(struct bitmap_alloc *b, uint32_t size, uint32_t gateway)
{
    b->size = size;
    b->bits = xzalloc((size / 64 + 1) * sizeof *b->bits);
    b->has_cursor = false;
    b->cursor = 0;
    b->bits[0] |= 1;                                       /* Network. */
    b->bits[(size - 1) / 64] |= 1ULL << ((size - 1) % 64); /* Broadcast. */
    b->bits[gateway / 64] |= 1ULL << (gateway % 64);
}

static void
bitmap_destroy(struct bitmap_alloc *b)
{
    free(b->bits);
}

static int64_t
bitmap_scan(const struct bitmap_alloc *b, uint32_t start)
{
    for (uint32_t w = start / 64; w < (b->size + 63) / 64; w++) {
        uint64_t free_bits = ~b->bits[w];

        if (w == start / 64) {
            free_bits &= ~0ULL << (start % 64);
        }
        if (free_bits) {
            uint32_t off = w * 64 + (uint32_t)__builtin_ctzll(free_bits);

            return off < b->size ? (int64_t)off : -1;
        }
    }
    return -1;
}

static int64_t
bitmap_alloc(struct bitmap_alloc *b)
{
    int64_t off = -1;

    if (b->has_cursor && b->cursor + 1 < b->size) {
        off = bitmap_scan(b, b->cursor + 1);
    }
    if (off < 0) {
        off = bitmap_scan(b, 0);
    }
    if (off >= 0) {
        b->bits[off / 64] |= 1ULL << (off % 64);
        b->cursor = (uint32_t)off;
        b->has_cursor = true;
    }
    return off;
}

static void
bitmap_release(struct bitmap_alloc *b, uint32_t off)
{
    b->bits[off / 64] &= ~(1ULL << (off % 64));
}

static int
bitmap_take(struct bitmap_alloc *b, uint32_t off)
{
    uint64_t bit = 1ULL << (off % 64);

    if (b->bits[off / 64] & bit) {
        return -1;
    }
    b->bits[off / 64] |= bit;
    return 0;
}

static struct ipam_subnet *
kovn_create(const char *cidr_s, const char *gw_s)
{
    struct net_cidr cidr;
    struct net_addr gw;

    if (net_cidr_parse(cidr_s, NET_CIDR_NETWORK, &cidr, NULL) ||
        net_addr_parse(gw_s, &gw, NULL)) {
        abort();
    }

    struct ipam_subnet_spec spec = {
        .name = "bench", .cidrs = &cidr, .gateways = &gw, .n_cidrs = 1};
    return ipam_subnet_create(&spec);
}

static void
print_header(void)
{
    printf("%-8s %-6s %-18s %10s %9s %12s %9s %9s %7s\n", "workload", "cidr",
           "implementation", "ops", "seconds", "ops/s", "heap_kib", "peak_kib",
           "ratio");
}

static void
print_row(const char *workload, const char *cidr, const char *impl, double ops,
          double seconds, long heap, double ratio)
{
    printf("%-8s %-6s %-18s %10.0f %9.4f %12.0f %9ld %9ld", workload, cidr,
           impl, ops, seconds, ops / seconds, heap / 1024, peak_rss_kib());
    if (ratio > 0) {
        printf(" %6.2fx", ratio);
    } else if (ratio < 0) {
        printf(" %7s", "n/a");
    }
    printf("\n");
}

/* Steady state on a /16: both allocators see the same random releases and
 * hand out the same addresses (checked once before timing). */
static void
bench_steady(long n_pairs)
{
    uint32_t *in_use = xmalloc(65536 * sizeof *in_use);
    const net_u128 base = 0x0a100000; /* 10.16.0.0 */
    size_t n;
    double kovn_s, bitmap_s;
    long kovn_heap, bitmap_heap;

    /* kovn */
    long heap0 = heap_bytes();
    struct ipam_subnet *subnet = kovn_create("10.16.0.0/16", "10.16.0.1");
    struct ipam_addrs out;
    for (n = 0; n < STEADY_IN_USE; n++) {
        if (ipam_alloc(subnet, NULL, &out)) {
            abort();
        }
        in_use[n] = (uint32_t)(net_addr_to_u128(&out.addrs[0]) - base);
    }
    rng_state = 42;
    double start = bench_now_seconds();
    for (long i = 0; i < n_pairs; i++) {
        size_t k = next_random() % n;
        struct net_addr a = net_addr_from_u128(NET_V4, base + in_use[k]);

        ipam_release(subnet, &a, 1);
        if (ipam_alloc(subnet, NULL, &out)) {
            abort();
        }
        in_use[k] = (uint32_t)(net_addr_to_u128(&out.addrs[0]) - base);
    }
    kovn_s = bench_now_seconds() - start;
    kovn_heap = heap_bytes() - heap0;
    size_t kovn_ranges = ipam_n_free_ranges(subnet, NET_V4);
    uint64_t kovn_check = 0;
    for (size_t k = 0; k < n; k++) {
        kovn_check += in_use[k] * (uint64_t)(k + 1);
    }
    ipam_subnet_destroy(subnet);

    /* Baseline, same sequence. */
    struct bitmap_alloc b;
    heap0 = heap_bytes();
    bitmap_create(&b, 65536, 1);
    for (n = 0; n < STEADY_IN_USE; n++) {
        in_use[n] = (uint32_t)bitmap_alloc(&b);
    }
    rng_state = 42;
    start = bench_now_seconds();
    for (long i = 0; i < n_pairs; i++) {
        size_t k = next_random() % n;
        int64_t off;

        bitmap_release(&b, in_use[k]);
        off = bitmap_alloc(&b);
        if (off < 0) {
            abort();
        }
        in_use[k] = (uint32_t)off;
    }
    bitmap_s = bench_now_seconds() - start;
    bitmap_heap = heap_bytes() - heap0;
    uint64_t bitmap_check = 0;
    for (size_t k = 0; k < n; k++) {
        bitmap_check += in_use[k] * (uint64_t)(k + 1);
    }
    bitmap_destroy(&b);
    if (kovn_check != bitmap_check) {
        fprintf(stderr, "steady: kovn and the bitmap handed out different "
                        "addresses\n");
        exit(1);
    }

    print_row("steady", "/16", "kovn ipam", 2.0 * n_pairs, kovn_s, kovn_heap,
              bitmap_s / kovn_s);
    print_row("steady", "/16", "bitmap baseline", 2.0 * n_pairs, bitmap_s,
              bitmap_heap, 0);
    printf("steady: %zu in use, %zu free ranges at the end, %.1f M "
           "alloc+release pairs/s (kovn)\n",
           n, kovn_ranges, n_pairs / kovn_s / 1e6);
    free(in_use);
}

/* Restore: 'N_RESTORE' distinct random offsets of a /'prefix' (usable
 * ones: not network, broadcast or gateway), taken back in random order. */
static void
bench_restore(const char *cidr_s, unsigned int prefix, int rounds)
{
    uint32_t size = 1u << (32 - prefix);
    uint32_t *offs = xmalloc(N_RESTORE * sizeof *offs);
    uint8_t *picked = xzalloc(size);
    struct net_addr *addrs = xmalloc(N_RESTORE * sizeof *addrs);
    struct net_cidr cidr;
    net_u128 base;
    double kovn_best = 1e9, bitmap_best = 1e9;
    long kovn_heap = 0, bitmap_heap = 0;
    size_t kovn_ranges = 0;

    if (net_cidr_parse(cidr_s, NET_CIDR_NETWORK, &cidr, NULL)) {
        abort();
    }
    base = net_addr_to_u128(&cidr.addr);
    rng_state = 7;
    for (size_t i = 0; i < N_RESTORE;) {
        uint32_t off = (uint32_t)(next_random() % size);

        if (off > 1 && off < size - 1 && !picked[off]) {
            picked[off] = 1;
            offs[i] = off;
            addrs[i] = net_addr_from_u128(NET_V4, base + off);
            i++;
        }
    }
    free(picked);

    struct net_addr gw = net_addr_from_u128(NET_V4, base + 1);
    char gw_s[NET_ADDR_STRLEN];
    net_addr_format(&gw, gw_s);
    for (int r = 0; r < rounds; r++) {
        long heap0 = heap_bytes();
        double start = bench_now_seconds();
        struct ipam_subnet *subnet = kovn_create(cidr_s, gw_s);

        for (size_t i = 0; i < N_RESTORE; i++) {
            if (ipam_take(subnet, &addrs[i], 1, NULL)) {
                abort();
            }
        }
        double t = bench_now_seconds() - start;
        kovn_best = t < kovn_best ? t : kovn_best;
        kovn_heap = heap_bytes() - heap0;
        kovn_ranges = ipam_n_free_ranges(subnet, NET_V4);
        if (ipam_used(subnet, NET_V4) != N_RESTORE) {
            abort();
        }
        ipam_subnet_destroy(subnet);

        struct bitmap_alloc b;
        heap0 = heap_bytes();
        start = bench_now_seconds();
        bitmap_create(&b, size, 1);
        for (size_t i = 0; i < N_RESTORE; i++) {
            if (bitmap_take(&b, offs[i])) {
                abort();
            }
        }
        t = bench_now_seconds() - start;
        bitmap_best = t < bitmap_best ? t : bitmap_best;
        bitmap_heap = heap_bytes() - heap0;
        bitmap_destroy(&b);
    }

    char label[8];
    snprintf(label, sizeof label, "/%u", prefix);
    print_row("restore", label, "kovn ipam", N_RESTORE, kovn_best, kovn_heap,
              bitmap_best / kovn_best);
    print_row("restore", label, "bitmap baseline", N_RESTORE, bitmap_best,
              bitmap_heap, 0);
    printf("restore %s: %d allocations in %.1f ms (best of %d), %zu free "
           "ranges\n",
           label, N_RESTORE, kovn_best * 1e3, rounds, kovn_ranges);
    free(offs);
    free(addrs);
}

/* The same restore into an IPv6 /64: random 64-bit host parts. */
static void
bench_restore_v6(int rounds)
{
    struct net_addr *addrs = xmalloc(N_RESTORE * sizeof *addrs);
    const net_u128 base = (net_u128)0xfd00 << 112;
    struct net_cidr cidr;
    struct net_addr gw;
    double best = 1e9;
    long heap = 0;

    rng_state = 11;
    for (size_t i = 0; i < N_RESTORE; i++) {
        /* Never 0 (network) or 1 (gateway); a repeat is one in 2^64. */
        addrs[i] = net_addr_from_u128(NET_V6, base + (next_random() | 2));
    }
    cidr.addr = net_addr_from_u128(NET_V6, base);
    cidr.prefix = 64;
    gw = net_addr_from_u128(NET_V6, base + 1);
    for (int r = 0; r < rounds; r++) {
        struct ipam_subnet_spec spec = {
            .name = "bench", .cidrs = &cidr, .gateways = &gw, .n_cidrs = 1};
        long heap0 = heap_bytes();
        double start = bench_now_seconds();
        struct ipam_subnet *subnet = ipam_subnet_create(&spec);
        size_t n_taken = 0;

        for (size_t i = 0; i < N_RESTORE; i++) {
            n_taken += !ipam_take(subnet, &addrs[i], 1, NULL);
        }
        double t = bench_now_seconds() - start;
        best = t < best ? t : best;
        heap = heap_bytes() - heap0;
        if (ipam_used(subnet, NET_V6) != n_taken) {
            abort();
        }
        ipam_subnet_destroy(subnet);
    }
    print_row("restore", "v6/64", "kovn ipam", N_RESTORE, best, heap, -1);
    printf("%-8s %-6s %-18s (2^64 bits: cannot exist)\n", "restore", "v6/64",
           "bitmap baseline");
    free(addrs);
}

int
main(int argc, char *argv[])
{
    long n_pairs = argc > 1 ? atol(argv[1]) : 5000000;

    print_header();
    bench_steady(n_pairs);
    bench_restore("10.0.0.0/15", 15, 5);
    bench_restore("10.0.0.0/8", 8, 5);
    bench_restore_v6(5);
    return 0;
}
