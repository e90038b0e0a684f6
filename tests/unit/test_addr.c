/* Unit tests for src/net/addr: strict parsing and canonical formatting. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "net/addr.h"

static void
assert_roundtrip(const char *in, const char *canonical)
{
    struct kovn_error err = {0};
    struct net_addr addr;
    char buf[NET_ADDR_STRLEN];

    if (net_addr_parse(in, &addr, &err)) {
        fail_msg("\"%s\" rejected: %s", in, err.msg);
    }
    net_addr_format(&addr, buf);
    assert_string_equal(buf, canonical);
}

static void
assert_rejected(const char *in, const char *message_part)
{
    struct kovn_error err = {0};
    struct net_addr addr;

    assert_int_equal(net_addr_parse(in, &addr, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    if (!strstr(err.msg, message_part)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg,
                 message_part);
    }
}

static void
test_addr_parses_ipv4(void **state)
{
    (void)state;
    assert_roundtrip("10.16.0.1", "10.16.0.1");
    assert_roundtrip("0.0.0.0", "0.0.0.0");
    assert_roundtrip("255.255.255.255", "255.255.255.255");
}

static void
test_addr_rejects_octet_over_255(void **state)
{
    (void)state;
    assert_rejected("10.0.0.256", "octet 256 > 255");
    assert_rejected("999.0.0.1", "> 255");
}

static void
test_addr_rejects_ipv4_leading_zero(void **state)
{
    (void)state;
    assert_rejected("10.016.0.1", "leading zero");
    assert_rejected("00.1.2.3", "leading zero");
}

static void
test_addr_rejects_malformed_ipv4(void **state)
{
    (void)state;
    assert_rejected("10.0.0", "4 dot-separated octets");
    assert_rejected("10.0.0.1.", "unexpected");
    assert_rejected("10.0.0.1 ", "unexpected");
    assert_rejected("10..0.1", "not a decimal");
    assert_rejected("1234.0.0.1", "more than 3 digits");
    assert_rejected("", "empty");
    assert_rejected("-1.0.0.0", "not a decimal");
}

static void
test_addr_formats_ipv6_canonically(void **state)
{
    (void)state;
    assert_roundtrip("FD00:0000:0000:0000:0000:0000:0000:0001", "fd00::1");
    assert_roundtrip("::", "::");
    assert_roundtrip("::1", "::1");
    assert_roundtrip("1::", "1::");
    /* RFC 5952 4.2.2: a single zero group is not compressed. */
    assert_roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
    /* RFC 5952 4.2.3: the first of two equal-length runs is compressed. */
    assert_roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    /* The longest run wins. */
    assert_roundtrip("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
    assert_roundtrip("fd00::10.16.0.1", "fd00::a10:1");
}

static void
test_addr_rejects_malformed_ipv6(void **state)
{
    (void)state;
    assert_rejected("1:2:3:4:5:6:7", "7 groups");
    assert_rejected("1:2:3:4:5:6:7:8:9", "more than 8 groups");
    assert_rejected("1::2::3", "more than one \"::\"");
    assert_rejected(":1::", "single ':'");
    assert_rejected("1::2:", "single ':'");
    assert_rejected("12345::", "more than 4 hex digits");
    assert_rejected("fe80::1%eth0", "zone index");
    assert_rejected("1:2:3:4:5:6:7::8", "at least one zero group");
    assert_rejected("::g", "unexpected \"g\"");
    assert_rejected("1:2:3:4:5:6:7:1.2.3.4", "too many groups");
    assert_rejected("::1.2.3.04", "leading zero");
}

static void
test_addr_rejects_ipv4_mapped_ipv6_with_hint(void **state)
{
    (void)state;
    assert_rejected("::ffff:10.0.0.1", "write it as 10.0.0.1");
    assert_rejected("::FFFF:a00:1", "write it as 10.0.0.1");
}

static void
test_addr_rejects_overlong_input(void **state)
{
    (void)state;
    assert_rejected("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa",
                    "too long");
}

static void
test_addr_orders_ipv4_before_ipv6(void **state)
{
    struct net_addr a, b, c;

    (void)state;
    assert_int_equal(net_addr_parse("255.255.255.255", &a, NULL), 0);
    assert_int_equal(net_addr_parse("::", &b, NULL), 0);
    assert_int_equal(net_addr_parse("10.0.0.1", &c, NULL), 0);
    assert_true(net_addr_compare(&a, &b) < 0);
    assert_true(net_addr_compare(&c, &a) < 0);
    assert_true(net_addr_equals(&c, &c));
}

static void
test_addr_add_carries_and_detects_overflow(void **state)
{
    struct net_addr a;
    char buf[NET_ADDR_STRLEN];

    (void)state;
    assert_int_equal(net_addr_parse("10.0.0.255", &a, NULL), 0);
    assert_true(net_addr_add(&a, 1));
    net_addr_format(&a, buf);
    assert_string_equal(buf, "10.0.1.0");

    assert_int_equal(net_addr_parse("255.255.255.254", &a, NULL), 0);
    assert_true(net_addr_add(&a, 1));
    assert_false(net_addr_add(&a, 1));
    net_addr_format(&a, buf);
    assert_string_equal(buf, "255.255.255.255");

    assert_int_equal(net_addr_parse("fd00::ffff:ffff", &a, NULL), 0);
    assert_true(net_addr_add(&a, 1));
    net_addr_format(&a, buf);
    assert_string_equal(buf, "fd00::1:0:0");
}

static void
test_u128_formats_largest_count(void **state)
{
    char buf[NET_ADDR_STRLEN];

    (void)state;
    net_u128_format(~(net_u128)0, buf);
    assert_string_equal(buf, "340282366920938463463374607431768211455");
    net_u128_format(0, buf);
    assert_string_equal(buf, "0");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parses_ipv4),
        cmocka_unit_test(test_addr_rejects_octet_over_255),
        cmocka_unit_test(test_addr_rejects_ipv4_leading_zero),
        cmocka_unit_test(test_addr_rejects_malformed_ipv4),
        cmocka_unit_test(test_addr_formats_ipv6_canonically),
        cmocka_unit_test(test_addr_rejects_malformed_ipv6),
        cmocka_unit_test(test_addr_rejects_ipv4_mapped_ipv6_with_hint),
        cmocka_unit_test(test_addr_rejects_overlong_input),
        cmocka_unit_test(test_addr_orders_ipv4_before_ipv6),
        cmocka_unit_test(test_addr_add_carries_and_detects_overflow),
        cmocka_unit_test(test_u128_formats_largest_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
