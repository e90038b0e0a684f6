/* Unit tests for src/net/cidr. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "net/cidr.h"

static struct net_cidr
cidr(const char *s)
{
    struct kovn_error err = {0};
    struct net_cidr c;

    if (net_cidr_parse(s, NET_CIDR_NETWORK, &c, &err)) {
        fail_msg("\"%s\" rejected: %s", s, err.msg);
    }
    return c;
}

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    assert_int_equal(net_addr_parse(s, &a, NULL), 0);
    return a;
}

static void
assert_rejected(const char *in, enum net_cidr_mode mode, const char *message)
{
    struct kovn_error err = {0};
    struct net_cidr c;

    assert_int_equal(net_cidr_parse(in, mode, &c, &err), -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, message);
    }
}

static void
test_cidr_rejects_prefix_over_32(void **state)
{
    struct kovn_error err = {0};
    struct net_cidr c;

    (void)state;
    assert_int_equal(
        net_cidr_parse("10.16.0.0/33", NET_CIDR_NETWORK, &c, &err), -EINVAL);
    kovn_error_prefix(&err, "cidrBlock ");
    assert_string_equal(err.msg,
                        "cidrBlock \"10.16.0.0/33\": prefix length 33 > 32");
    assert_rejected("fd00::/129", NET_CIDR_NETWORK, "prefix length 129 > 128");
    assert_rejected("10.0.0.0/99999999999999999999", NET_CIDR_NETWORK, "> 32");
}

static void
test_cidr_rejects_host_bits_with_suggestion(void **state)
{
    (void)state;
    assert_rejected("10.16.0.1/16", NET_CIDR_NETWORK,
                    "host bits set, did you mean 10.16.0.0/16?");
    assert_rejected("fd00::1/64", NET_CIDR_NETWORK, "did you mean fd00::/64?");
}

static void
test_cidr_interface_mode_keeps_host_bits(void **state)
{
    struct net_cidr c;
    char buf[NET_CIDR_STRLEN];

    (void)state;
    assert_int_equal(
        net_cidr_parse("10.16.0.1/16", NET_CIDR_INTERFACE, &c, NULL), 0);
    net_cidr_format(&c, buf);
    assert_string_equal(buf, "10.16.0.1/16");
}

static void
test_cidr_rejects_malformed_prefix(void **state)
{
    (void)state;
    assert_rejected("10.0.0.0", NET_CIDR_NETWORK, "missing");
    assert_rejected("10.0.0.0/", NET_CIDR_NETWORK, "empty prefix");
    assert_rejected("10.0.0.0/08", NET_CIDR_NETWORK, "leading zero");
    assert_rejected("10.0.0.0/8x", NET_CIDR_NETWORK, "not a decimal");
    assert_rejected("10.0.0.0/-8", NET_CIDR_NETWORK, "not a decimal");
    assert_rejected("10.0.0.256/24", NET_CIDR_NETWORK, "256 > 255");
}

static void
test_cidr_formats_canonically(void **state)
{
    struct net_cidr c = cidr("FD00:0:0:0::/64");
    char buf[NET_CIDR_STRLEN];

    (void)state;
    net_cidr_format(&c, buf);
    assert_string_equal(buf, "fd00::/64");
    c = cidr("0.0.0.0/0");
    net_cidr_format(&c, buf);
    assert_string_equal(buf, "0.0.0.0/0");
}

static void
test_cidr_contains_only_its_family_and_range(void **state)
{
    struct net_cidr c = cidr("10.16.0.0/16");
    struct net_addr a;

    (void)state;
    a = addr("10.16.255.255");
    assert_true(net_cidr_contains(&c, &a));
    a = addr("10.17.0.0");
    assert_false(net_cidr_contains(&c, &a));
    a = addr("::a10:1");
    assert_false(net_cidr_contains(&c, &a));
    c = cidr("0.0.0.0/0");
    a = addr("1.2.3.4");
    assert_true(net_cidr_contains(&c, &a));
    c = cidr("::/0");
    a = addr("fd00::1");
    assert_true(net_cidr_contains(&c, &a));
}

static void
test_cidr_overlap_is_symmetric(void **state)
{
    struct net_cidr a = cidr("10.16.0.0/16");
    struct net_cidr b = cidr("10.16.128.0/17");
    struct net_cidr c = cidr("10.17.0.0/16");
    struct net_cidr d = cidr("fd00::/64");

    (void)state;
    assert_true(net_cidr_overlaps(&a, &b));
    assert_true(net_cidr_overlaps(&b, &a));
    assert_false(net_cidr_overlaps(&a, &c));
    assert_false(net_cidr_overlaps(&c, &b));
    assert_false(net_cidr_overlaps(&a, &d));
}

static void
test_cidr_first_last_and_size(void **state)
{
    struct net_cidr c = cidr("100.64.0.0/16");
    struct net_addr first = net_cidr_first(&c), last = net_cidr_last(&c);
    char buf[NET_ADDR_STRLEN];

    (void)state;
    net_addr_format(&first, buf);
    assert_string_equal(buf, "100.64.0.0");
    net_addr_format(&last, buf);
    assert_string_equal(buf, "100.64.255.255");
    assert_true(net_cidr_last_offset(&c) == 65535);
    c = cidr("::/0");
    assert_true(net_cidr_last_offset(&c) == ~(net_u128)0);
    last = net_cidr_last(&c);
    net_addr_format(&last, buf);
    assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr_rejects_prefix_over_32),
        cmocka_unit_test(test_cidr_rejects_host_bits_with_suggestion),
        cmocka_unit_test(test_cidr_interface_mode_keeps_host_bits),
        cmocka_unit_test(test_cidr_rejects_malformed_prefix),
        cmocka_unit_test(test_cidr_formats_canonically),
        cmocka_unit_test(test_cidr_contains_only_its_family_and_range),
        cmocka_unit_test(test_cidr_overlap_is_symmetric),
        cmocka_unit_test(test_cidr_first_last_and_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
