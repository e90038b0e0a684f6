/* Unit tests for src/net/range: excludeIps items and lists. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "net/range.h"

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    assert_int_equal(net_addr_parse(s, &a, NULL), 0);
    return a;
}

static void
assert_rejected(const char *in, const char *message)
{
    struct kovn_error err = {0};
    struct net_range r;

    assert_int_equal(net_range_parse(in, &r, &err), -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, message);
    }
}

static void
assert_normalizes_to(const char *in, const char *expected)
{
    struct kovn_error err = {0};
    struct net_range_list list;
    char *out;

    net_range_list_init(&list);
    if (net_range_list_parse(in, ',', &list, &err)) {
        fail_msg("\"%s\" rejected: %s", in, err.msg);
    }
    net_range_list_normalize(&list);
    out = net_range_list_format(&list, ',');
    assert_string_equal(out, expected);
    free(out);
    net_range_list_destroy(&list);
}

static void
test_range_parses_single_address_and_span(void **state)
{
    struct net_range r;
    char buf[NET_RANGE_STRLEN];

    (void)state;
    assert_int_equal(net_range_parse("10.16.0.1", &r, NULL), 0);
    assert_true(net_addr_equals(&r.first, &r.last));
    net_range_format(&r, buf);
    assert_string_equal(buf, "10.16.0.1");

    assert_int_equal(net_range_parse("10.16.0.1..10.16.0.10", &r, NULL), 0);
    net_range_format(&r, buf);
    assert_string_equal(buf, "10.16.0.1..10.16.0.10");
    assert_true(net_range_last_offset(&r) == 9);

    assert_int_equal(net_range_parse("fd00::1..fd00::ff", &r, NULL), 0);
    net_range_format(&r, buf);
    assert_string_equal(buf, "fd00::1..fd00::ff");
}

static void
test_range_rejects_reversed_mixed_and_malformed(void **state)
{
    (void)state;
    assert_rejected("10.16.0.10..10.16.0.1", "start is after its end");
    assert_rejected("10.16.0.1..fd00::1", "mixes IPv4 and IPv6");
    assert_rejected("10.16.0.1..", "empty IP address");
    assert_rejected("..10.16.0.1", "empty IP address");
    assert_rejected("10.16.0.1...10.16.0.2", "not a decimal");
    assert_rejected("10.16.0.1..10.16.0.300", "300 > 255");
}

static void
test_range_contains_and_overlaps(void **state)
{
    struct net_range a, b, c;
    struct net_addr x;

    (void)state;
    assert_int_equal(net_range_parse("10.0.0.1..10.0.0.5", &a, NULL), 0);
    assert_int_equal(net_range_parse("10.0.0.5..10.0.0.9", &b, NULL), 0);
    assert_int_equal(net_range_parse("10.0.0.6", &c, NULL), 0);
    assert_true(net_range_overlaps(&a, &b));
    assert_false(net_range_overlaps(&a, &c));
    x = addr("10.0.0.5");
    assert_true(net_range_contains(&a, &x));
    x = addr("10.0.0.0");
    assert_false(net_range_contains(&a, &x));
}

static void
test_range_list_merges_overlapping_and_adjacent(void **state)
{
    (void)state;
    assert_normalizes_to("10.0.0.5..10.0.0.9,10.0.0.1..10.0.0.5,10.0.0.10",
                         "10.0.0.1..10.0.0.10");
    assert_normalizes_to("10.0.0.20,10.0.0.1,fd00::2,fd00::1",
                         "10.0.0.1,10.0.0.20,fd00::1..fd00::2");
    assert_normalizes_to("255.255.255.255,255.255.255.250..255.255.255.255",
                         "255.255.255.250..255.255.255.255");
    assert_normalizes_to("", "");
}

static void
test_range_list_rejects_empty_item_and_keeps_list(void **state)
{
    struct kovn_error err = {0};
    struct net_range_list list;

    (void)state;
    net_range_list_init(&list);
    assert_int_equal(net_range_list_parse("10.0.0.1", ',', &list, NULL), 0);
    assert_int_equal(
        net_range_list_parse("10.0.0.2,,10.0.0.3", ',', &list, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "empty item 2"));
    assert_int_equal(list.n, 1);
    net_range_list_destroy(&list);
}

static void
test_range_list_lookup_by_binary_search(void **state)
{
    struct net_range_list list;
    struct net_addr x;

    (void)state;
    net_range_list_init(&list);
    assert_int_equal(net_range_list_parse("10.0.0.1..10.0.0.3;10.0.0.7;"
                                          "10.0.1.0..10.0.1.255",
                                          ';', &list, NULL),
                     0);
    net_range_list_normalize(&list);
    x = addr("10.0.0.7");
    assert_true(net_range_list_contains(&list, &x));
    x = addr("10.0.0.4");
    assert_false(net_range_list_contains(&list, &x));
    x = addr("10.0.1.128");
    assert_true(net_range_list_contains(&list, &x));
    x = addr("fd00::1");
    assert_false(net_range_list_contains(&list, &x));
    net_range_list_destroy(&list);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_parses_single_address_and_span),
        cmocka_unit_test(test_range_rejects_reversed_mixed_and_malformed),
        cmocka_unit_test(test_range_contains_and_overlaps),
        cmocka_unit_test(test_range_list_merges_overlapping_and_adjacent),
        cmocka_unit_test(test_range_list_rejects_empty_item_and_keeps_list),
        cmocka_unit_test(test_range_list_lookup_by_binary_search),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
