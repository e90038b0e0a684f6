/* Unit tests for src/ipam: what is never handed out, Kube-OVN's allocation
 * order, static addresses, dual stack, pools, status counts and ranges,
 * memory on large subnets, and MACs. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "ipam/ipam.h"
#include "openvswitch/hmap.h"
#include "util.h"

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    assert_int_equal(net_addr_parse(s, &a, NULL), 0);
    return a;
}

/* A subnet from text: "cidr[,cidr]", "gw[,gw]" (or "" for none) and an
 * excludeIps list ("" for none). */
static struct ipam_subnet *
subnet_new(const char *cidrs, const char *gateways, const char *excludes)
{
    struct net_cidr cidr[2];
    struct net_addr gw[2];
    struct net_range_list list;
    struct ipam_subnet_spec spec = {
        .name = "test",
        .cidrs = cidr,
        .gateways = gw,
        .excludes = &list,
    };
    char *copy = xstrdup(cidrs), *save = NULL;
    struct ipam_subnet *subnet;

    memset(gw, 0, sizeof gw);
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        assert_true(spec.n_cidrs < 2);
        assert_int_equal(
            net_cidr_parse(tok, NET_CIDR_NETWORK, &cidr[spec.n_cidrs], NULL),
            0);
        spec.n_cidrs++;
    }
    free(copy);
    copy = xstrdup(gateways);
    size_t i = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        gw[i++] = addr(tok);
    }
    free(copy);
    net_range_list_init(&list);
    assert_int_equal(net_range_list_parse(excludes, ',', &list, NULL), 0);
    net_range_list_normalize(&list);
    subnet = ipam_subnet_create(&spec);
    net_range_list_destroy(&list);
    return subnet;
}

/* Allocates one address (single-stack) and returns it formatted. */
static const char *
alloc_one(struct ipam_subnet *subnet, const struct net_range_list *pool)
{
    static char buf[NET_ADDR_STRLEN];
    struct ipam_addrs out;
    int error = ipam_alloc(subnet, pool, &out);

    if (error) {
        assert_int_equal(error, -ENOSPC);
        assert_int_equal(out.n, 0);
        return "ENOSPC";
    }
    assert_int_equal(out.n, 1);
    net_addr_format(&out.addrs[0], buf);
    return buf;
}

static void
release_one(struct ipam_subnet *subnet, const char *s)
{
    struct net_addr a = addr(s);

    ipam_release(subnet, &a, 1);
}

static int
take_one(struct ipam_subnet *subnet, const char *s, struct kovn_error *err)
{
    struct net_addr a = addr(s);

    return ipam_take(subnet, &a, 1, err);
}

static void
assert_take_rejected(struct ipam_subnet *subnet, const char *s, int code,
                     const char *why)
{
    struct kovn_error err = {0};

    assert_int_equal(take_one(subnet, s, &err), code);
    if (!strstr(err.msg, s) || !strstr(err.msg, why)) {
        fail_msg("take %s: message \"%s\" lacks the address or \"%s\"", s,
                 err.msg, why);
    }
}

static void
assert_ranges(const struct ipam_subnet *subnet, enum net_family family,
              const char *used, const char *available)
{
    char *u = ipam_used_ranges(subnet, family);
    char *a = ipam_available_ranges(subnet, family);

    assert_string_equal(u, used);
    assert_string_equal(a, available);
    free(u);
    free(a);
}

static struct net_range_list
pool_new(const char *text)
{
    struct net_range_list pool;

    net_range_list_init(&pool);
    assert_int_equal(net_range_list_parse(text, ',', &pool, NULL), 0);
    net_range_list_normalize(&pool);
    return pool;
}

static void
test_ipam_excludes_network_and_broadcast(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/29", "", "");

    assert_ranges(s, NET_V4, "", "10.0.0.1-10.0.0.6");
    for (int i = 1; i <= 6; i++) {
        char want[NET_ADDR_STRLEN];

        snprintf(want, sizeof want, "10.0.0.%d", i);
        assert_string_equal(alloc_one(s, NULL), want);
    }
    assert_string_equal(alloc_one(s, NULL), "ENOSPC");
    assert_false(ipam_is_allocated(s, &(struct net_addr){0}));
    struct net_addr network = addr("10.0.0.0"), bcast = addr("10.0.0.7");
    assert_false(ipam_is_allocated(s, &network));
    assert_false(ipam_is_allocated(s, &bcast));
    ipam_subnet_destroy(s);
}

static void
test_ipam_excludes_gateway(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/29", "10.0.0.3", "");

    assert_true(ipam_available(s, NET_V4) == 5);
    assert_ranges(s, NET_V4, "", "10.0.0.1-10.0.0.2,10.0.0.4-10.0.0.6");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.1");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.2");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.4");
    struct net_addr gw = addr("10.0.0.3");
    assert_false(ipam_is_allocated(s, &gw));
    /* Releasing the gateway is ignored: it never becomes free. */
    release_one(s, "10.0.0.3");
    assert_true(ipam_available(s, NET_V4) == 2);
    ipam_subnet_destroy(s);
}

static void
test_ipam_excludes_exclude_ips_clipped_to_cidr(void **state)
{
    (void)state;
    /* Items outside the CIDR and of the other family are ignored; an item
     * straddling the CIDR's end is clipped. */
    struct ipam_subnet *s = subnet_new(
        "10.0.0.0/24", "10.0.0.1",
        "9.0.0.0..10.0.0.3,10.0.0.10,10.0.0.250..10.0.1.20,fd00::1");

    assert_true(ipam_available(s, NET_V4) == 254 - 1 - 2 - 1 - 5);
    assert_ranges(s, NET_V4, "", "10.0.0.4-10.0.0.9,10.0.0.11-10.0.0.249");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.4");
    assert_take_rejected(s, "10.0.0.10", -EINVAL, "excludeIps");
    assert_take_rejected(s, "10.0.0.2", -EINVAL, "excludeIps");
    assert_take_rejected(s, "10.0.0.252", -EINVAL, "excludeIps");
    ipam_subnet_destroy(s);
}

static void
test_ipam_host_routes_use_every_address(void **state)
{
    (void)state;
    /* RFC 3021: both addresses of a /31 are hosts; a /32 is one host. */
    struct ipam_subnet *s = subnet_new("10.0.0.0/31", "", "");

    assert_true(ipam_available(s, NET_V4) == 2);
    assert_string_equal(alloc_one(s, NULL), "10.0.0.0");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.1");
    assert_string_equal(alloc_one(s, NULL), "ENOSPC");
    ipam_subnet_destroy(s);

    s = subnet_new("10.0.0.7/32", "", "");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.7");
    assert_string_equal(alloc_one(s, NULL), "ENOSPC");
    ipam_subnet_destroy(s);
}

static void
test_ipam_ipv6_reserves_only_network(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("fd00::/125", "fd00::1", "");

    assert_true(ipam_available(s, NET_V6) == 6);
    assert_ranges(s, NET_V6, "", "fd00::2-fd00::7");
    assert_take_rejected(s, "fd00::", -EINVAL, "network address");
    assert_int_equal(take_one(s, "fd00::7", NULL), 0);
    assert_ranges(s, NET_V6, "fd00::7", "fd00::2-fd00::6");
    ipam_subnet_destroy(s);
}

static void
test_ipam_allocates_sequentially_without_immediate_reuse(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/29", "10.0.0.1", "");

    assert_string_equal(alloc_one(s, NULL), "10.0.0.2");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.3");
    release_one(s, "10.0.0.2");
    /* The released address waits until the cursor wraps around. */
    assert_string_equal(alloc_one(s, NULL), "10.0.0.4");
    release_one(s, "10.0.0.4");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.5");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.6");
    /* End of the subnet: wrap to the lowest free address. */
    assert_string_equal(alloc_one(s, NULL), "10.0.0.2");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.4");
    assert_string_equal(alloc_one(s, NULL), "ENOSPC");
    release_one(s, "10.0.0.5");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.5");
    ipam_subnet_destroy(s);
}

static void
test_ipam_alloc_skips_taken_addresses(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/24", "10.0.0.1", "");

    assert_int_equal(take_one(s, "10.0.0.3", NULL), 0);
    assert_int_equal(take_one(s, "10.0.0.4", NULL), 0);
    assert_string_equal(alloc_one(s, NULL), "10.0.0.2");
    assert_string_equal(alloc_one(s, NULL), "10.0.0.5");
    ipam_subnet_destroy(s);
}

static void
test_ipam_take_conflicts_and_errors(void **state)
{
    (void)state;
    struct ipam_subnet *s =
        subnet_new("10.16.0.0/16,fd00::/120", "10.16.0.1,fd00::1",
                   "10.16.0.100..10.16.0.110");
    struct kovn_error err = {0};

    assert_take_rejected(s, "10.17.0.5", -EINVAL, "outside");
    assert_take_rejected(s, "10.16.0.0", -EINVAL, "network address");
    assert_take_rejected(s, "10.16.255.255", -EINVAL, "broadcast");
    assert_take_rejected(s, "10.16.0.1", -EINVAL, "gateway");
    assert_take_rejected(s, "10.16.0.105", -EINVAL, "excludeIps");
    assert_take_rejected(s, "fd00::1", -EINVAL, "gateway");
    assert_take_rejected(s, "fd00::1:0", -EINVAL, "outside");
    assert_int_equal(take_one(s, "10.16.0.5", NULL), 0);
    assert_take_rejected(s, "10.16.0.5", -EADDRINUSE, "already allocated");

    /* All or nothing: the free IPv6 address stays free when the IPv4 one
     * is in use, or when one is invalid. */
    struct net_addr pair[2] = {addr("fd00::20"), addr("10.16.0.5")};
    assert_int_equal(ipam_take(s, pair, 2, &err), -EADDRINUSE);
    assert_false(ipam_is_allocated(s, &pair[0]));
    pair[1] = addr("10.16.0.0");
    assert_int_equal(ipam_take(s, pair, 2, &err), -EINVAL);
    assert_false(ipam_is_allocated(s, &pair[0]));
    /* One family given twice. */
    pair[1] = addr("fd00::21");
    assert_int_equal(ipam_take(s, pair, 2, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "more than one IPv6"));
    assert_false(ipam_is_allocated(s, &pair[0]));
    assert_false(ipam_is_allocated(s, &pair[1]));
    pair[1] = addr("10.16.0.6");
    assert_int_equal(ipam_take(s, pair, 2, &err), 0);
    assert_true(ipam_is_allocated(s, &pair[0]));
    assert_true(ipam_is_allocated(s, &pair[1]));
    ipam_subnet_destroy(s);

    /* A family the subnet does not have. */
    s = subnet_new("10.16.0.0/16", "10.16.0.1", "");
    assert_take_rejected(s, "fd00::5", -EINVAL, "no IPv6 CIDR");
    ipam_subnet_destroy(s);
}

static void
test_ipam_dual_stack_all_or_nothing(void **state)
{
    (void)state;
    /* Two IPv4 addresses (.5 and .6), plenty of IPv6 ones. */
    struct ipam_subnet *s = subnet_new(
        "10.0.0.0/29,fd00::/64", "10.0.0.1,fd00::1", "10.0.0.2..10.0.0.4");
    struct ipam_addrs out;
    char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];

    assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.addrs[0].family, NET_V4);
    assert_int_equal(out.addrs[1].family, NET_V6);
    net_addr_format(&out.addrs[0], a);
    net_addr_format(&out.addrs[1], b);
    assert_string_equal(a, "10.0.0.5");
    assert_string_equal(b, "fd00::2");
    assert_int_equal(take_one(s, "10.0.0.6", NULL), 0);
    /* IPv4 is full: no IPv6 address is consumed either. */
    assert_int_equal(ipam_alloc(s, NULL, &out), -ENOSPC);
    assert_int_equal(out.n, 0);
    assert_true(ipam_used(s, NET_V6) == 1);
    assert_true(ipam_used(s, NET_V4) == 2);
    release_one(s, "10.0.0.6");
    assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    net_addr_format(&out.addrs[0], a);
    net_addr_format(&out.addrs[1], b);
    assert_string_equal(a, "10.0.0.6");
    assert_string_equal(b, "fd00::3");
    ipam_subnet_destroy(s);

    /* The same with IPv6 full and IPv4 free. */
    s = subnet_new("10.0.0.0/24,fd00::/126", "10.0.0.1,fd00::1", "");
    assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    assert_int_equal(ipam_alloc(s, NULL, &out), -ENOSPC);
    assert_true(ipam_used(s, NET_V4) == 2);
    ipam_subnet_destroy(s);
}

static void
test_ipam_pool_restricts_allocation(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.16.0.0/16", "10.16.0.1", "");
    /* Other families and addresses outside the subnet are harmless. */
    struct net_range_list pool =
        pool_new("10.16.0.100..10.16.0.101,10.16.0.200,10.17.0.0..10.17.0.9,"
                 "fd00::1..fd00::5");

    assert_int_equal(take_one(s, "10.16.0.101", NULL), 0);
    assert_string_equal(alloc_one(s, &pool), "10.16.0.100");
    assert_string_equal(alloc_one(s, &pool), "10.16.0.200");
    assert_string_equal(alloc_one(s, &pool), "ENOSPC");
    /* Outside the pool the cursor carries on after the last one. */
    assert_string_equal(alloc_one(s, NULL), "10.16.0.201");
    release_one(s, "10.16.0.100");
    assert_string_equal(alloc_one(s, &pool), "10.16.0.100");
    net_range_list_destroy(&pool);

    /* A pool with no IPv4 address has nothing to give. */
    pool = pool_new("fd00::1..fd00::5");
    assert_string_equal(alloc_one(s, &pool), "ENOSPC");
    net_range_list_destroy(&pool);
    ipam_subnet_destroy(s);

    /* Dual stack: each family from its part of the pool, wrapping. */
    s = subnet_new("10.0.0.0/24,fd00::/120", "10.0.0.1,fd00::1", "");
    pool = pool_new("10.0.0.50,10.0.0.60,fd00::a0..fd00::a1");
    struct ipam_addrs out;
    char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];
    assert_int_equal(ipam_alloc(s, &pool, &out), 0);
    net_addr_format(&out.addrs[0], a);
    net_addr_format(&out.addrs[1], b);
    assert_string_equal(a, "10.0.0.50");
    assert_string_equal(b, "fd00::a0");
    assert_int_equal(ipam_alloc(s, &pool, &out), 0);
    release_one(s, "10.0.0.50");
    /* IPv6 is out of pool addresses: IPv4 keeps 10.0.0.50. */
    assert_int_equal(ipam_alloc(s, &pool, &out), -ENOSPC);
    struct net_addr v4 = addr("10.0.0.50");
    assert_false(ipam_is_allocated(s, &v4));
    net_range_list_destroy(&pool);
    ipam_subnet_destroy(s);
}

static void
test_ipam_counts_and_ranges(void **state)
{
    (void)state;
    struct ipam_subnet *s =
        subnet_new("10.16.0.0/24", "10.16.0.1", "10.16.0.10");

    assert_true(ipam_used(s, NET_V4) == 0);
    assert_true(ipam_available(s, NET_V4) == 252);
    assert_true(ipam_used(s, NET_V6) == 0);
    assert_true(ipam_available(s, NET_V6) == 0);
    for (int i = 0; i < 9; i++) {
        alloc_one(s, NULL);
    }
    assert_true(ipam_used(s, NET_V4) == 9);
    assert_true(ipam_available(s, NET_V4) == 243);
    assert_ranges(s, NET_V4, "10.16.0.2-10.16.0.9,10.16.0.11",
                  "10.16.0.12-10.16.0.254");
    release_one(s, "10.16.0.5");
    assert_ranges(s, NET_V4,
                  "10.16.0.2-10.16.0.4,10.16.0.6-10.16.0.9,10.16.0.11",
                  "10.16.0.5,10.16.0.12-10.16.0.254");
    char *none = ipam_used_ranges(s, NET_V6);
    assert_string_equal(none, "");
    free(none);
    ipam_subnet_destroy(s);

    /* Counts beyond 64 bits. */
    s = subnet_new("fd00::/64", "fd00::1", "");
    assert_true(ipam_available(s, NET_V6) == ((net_u128)1 << 64) - 2);
    assert_string_equal(alloc_one(s, NULL), "fd00::2");
    assert_ranges(s, NET_V6, "fd00::2", "fd00::3-fd00::ffff:ffff:ffff:ffff");
    ipam_subnet_destroy(s);

    s = subnet_new("::/0", "", "");
    assert_true(ipam_available(s, NET_V6) == ~(net_u128)0);
    assert_int_equal(
        take_one(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL), 0);
    assert_ranges(s, NET_V6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                  "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
    assert_string_equal(alloc_one(s, NULL), "::1");
    ipam_subnet_destroy(s);

    /* The cursor at the very top of the address space wraps safely. */
    s = subnet_new("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126", "", "");
    assert_string_equal(alloc_one(s, NULL),
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd");
    assert_string_equal(alloc_one(s, NULL),
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
    assert_string_equal(alloc_one(s, NULL),
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    release_one(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd");
    assert_string_equal(alloc_one(s, NULL),
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd");
    assert_string_equal(alloc_one(s, NULL), "ENOSPC");
    ipam_subnet_destroy(s);
}

static void
test_ipam_release_is_idempotent_and_ignores_foreign(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/24", "10.0.0.1", "10.0.0.20");
    struct net_addr twice[2] = {addr("10.0.0.2"), addr("10.0.0.2")};

    assert_string_equal(alloc_one(s, NULL), "10.0.0.2");
    ipam_release(s, twice, 2);
    ipam_release(s, twice, 1);
    assert_true(ipam_available(s, NET_V4) == 252);
    release_one(s, "10.0.0.0");
    release_one(s, "10.0.0.1");
    release_one(s, "10.0.0.20");
    release_one(s, "10.0.0.255");
    release_one(s, "10.9.9.9");
    release_one(s, "fd00::1");
    assert_true(ipam_available(s, NET_V4) == 252);
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 2);
    ipam_subnet_check(s);
    ipam_subnet_destroy(s);
}

static void
test_ipam_slash8_costs_bytes(void **state)
{
    (void)state;
    struct ipam_subnet *s = subnet_new("10.0.0.0/8", "10.0.0.1", "");
    struct ipam_addrs out;

    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1);
    for (int i = 0; i < 200000; i++) {
        assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1);
    assert_true(ipam_used(s, NET_V4) == 200000);
    /* Releases in the middle make holes, and filling them merges them. */
    for (int i = 0; i < 1000; i++) {
        struct net_addr a = addr("10.0.0.2");

        assert_true(net_addr_add(&a, (net_u128)(i * 97 + 13)));
        ipam_release(s, &a, 1);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1001);
    ipam_subnet_check(s);
    for (int i = 0; i < 1000; i++) {
        struct net_addr a = addr("10.0.0.2");

        assert_true(net_addr_add(&a, (net_u128)(i * 97 + 13)));
        assert_int_equal(ipam_take(s, &a, 1, NULL), 0);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1);
    /* Releasing everything, in order, leaves one range again. */
    for (int i = 0; i < 200000; i++) {
        struct net_addr a = addr("10.0.0.2");

        assert_true(net_addr_add(&a, (net_u128)i));
        ipam_release(s, &a, 1);
        assert_true(ipam_n_free_ranges(s, NET_V4) <= 2);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1);
    ipam_subnet_check(s);
    ipam_subnet_destroy(s);

    s = subnet_new("fd00::/64", "fd00::1", "");
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(ipam_alloc(s, NULL, &out), 0);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V6), 1);
    ipam_subnet_destroy(s);
}

static void
test_ipam_fragmented_subnet_stays_consistent(void **state)
{
    (void)state;
    /* Every other address taken: the free list is at its most
     * fragmented, across many internal blocks; then released in a
     * scattered order so blocks merge back. */
    struct ipam_subnet *s = subnet_new("10.0.0.0/16", "10.0.0.1", "");
    const int n = 32000;

    for (int i = 0; i < n; i++) {
        struct net_addr a = addr("10.0.0.2");

        assert_true(net_addr_add(&a, (net_u128)(2 * i)));
        assert_int_equal(ipam_take(s, &a, 1, NULL), 0);
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), n);
    ipam_subnet_check(s);
    for (int i = 0; i < n; i++) {
        struct net_addr a = addr("10.0.0.2");
        int k = (int)(((long)i * 7919) % n);

        assert_true(net_addr_add(&a, (net_u128)(2 * k)));
        ipam_release(s, &a, 1);
        if (i % 1000 == 0) {
            ipam_subnet_check(s);
        }
    }
    assert_int_equal(ipam_n_free_ranges(s, NET_V4), 1);
    assert_true(ipam_used(s, NET_V4) == 0);
    ipam_subnet_check(s);
    ipam_subnet_destroy(s);
}

struct mac_seen {
    struct hmap_node node;
    uint64_t key;
};

static void
test_ipam_mac_unique(void **state)
{
    (void)state;
    struct ipam_macs *macs = ipam_macs_create();
    struct hmap seen = HMAP_INITIALIZER(&seen);
    struct net_mac mac, first;
    const int n = 50000;

    for (int i = 0; i < n; i++) {
        uint64_t key = 0;
        struct mac_seen *node;

        ipam_mac_alloc(macs, &mac);
        if (!i) {
            first = mac;
        }
        assert_int_equal(mac.bytes[0], 0x02);
        assert_int_equal(mac.bytes[1], 0x00);
        assert_int_equal(mac.bytes[2], 0x00);
        for (int j = 0; j < 6; j++) {
            key = key << 8 | mac.bytes[j];
        }
        HMAP_FOR_EACH_WITH_HASH(node, node, (uint32_t)key, &seen)
        {
            assert_true(node->key != key);
        }
        node = xmalloc(sizeof *node);
        node->key = key;
        hmap_insert(&seen, &node->node, (uint32_t)key);
    }
    assert_int_equal(ipam_macs_count(macs), n);

    /* Taken MACs collide; released ones can be taken again. */
    assert_int_equal(ipam_mac_take(macs, &first), -EADDRINUSE);
    ipam_mac_release(macs, &first);
    ipam_mac_release(macs, &first);
    assert_int_equal(ipam_macs_count(macs), n - 1);
    assert_int_equal(ipam_mac_take(macs, &first), 0);
    struct net_mac user = {{0x0a, 0x58, 0x0a, 0x10, 0x00, 0x05}};
    assert_int_equal(ipam_mac_take(macs, &user), 0);
    assert_int_equal(ipam_mac_take(macs, &user), -EADDRINUSE);
    assert_int_equal(ipam_macs_count(macs), n + 1);

    struct mac_seen *node;
    HMAP_FOR_EACH_POP(node, node, &seen)
    {
        free(node);
    }
    hmap_destroy(&seen);
    ipam_macs_destroy(macs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipam_excludes_network_and_broadcast),
        cmocka_unit_test(test_ipam_excludes_gateway),
        cmocka_unit_test(test_ipam_excludes_exclude_ips_clipped_to_cidr),
        cmocka_unit_test(test_ipam_host_routes_use_every_address),
        cmocka_unit_test(test_ipam_ipv6_reserves_only_network),
        cmocka_unit_test(
            test_ipam_allocates_sequentially_without_immediate_reuse),
        cmocka_unit_test(test_ipam_alloc_skips_taken_addresses),
        cmocka_unit_test(test_ipam_take_conflicts_and_errors),
        cmocka_unit_test(test_ipam_dual_stack_all_or_nothing),
        cmocka_unit_test(test_ipam_pool_restricts_allocation),
        cmocka_unit_test(test_ipam_counts_and_ranges),
        cmocka_unit_test(test_ipam_release_is_idempotent_and_ignores_foreign),
        cmocka_unit_test(test_ipam_slash8_costs_bytes),
        cmocka_unit_test(test_ipam_fragmented_subnet_stays_consistent),
        cmocka_unit_test(test_ipam_mac_unique),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
