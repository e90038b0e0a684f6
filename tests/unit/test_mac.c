/* Unit tests for src/net/mac. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "net/mac.h"

static void
assert_rejected(const char *in, const char *message)
{
    struct kovn_error err = {0};
    struct net_mac mac;

    assert_int_equal(net_mac_parse(in, &mac, &err), -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, message);
    }
}

static void
test_mac_parses_either_case_and_formats_lowercase(void **state)
{
    struct net_mac a, b;
    char buf[NET_MAC_STRLEN];

    (void)state;
    assert_int_equal(net_mac_parse("0A:58:0a:10:00:05", &a, NULL), 0);
    assert_int_equal(net_mac_parse("0a:58:0a:10:00:05", &b, NULL), 0);
    assert_true(net_mac_equals(&a, &b));
    net_mac_format(&a, buf);
    assert_string_equal(buf, "0a:58:0a:10:00:05");
}

static void
test_mac_rejects_malformed(void **state)
{
    (void)state;
    assert_rejected("0a:58:0a:10:00", "must look like");
    assert_rejected("0a-58-0a-10-00-05", "must look like");
    assert_rejected("0a:58:0a:10:00:0g", "must look like");
    assert_rejected("0a:58:0a:10:00:05:", "must look like");
    assert_rejected("", "must look like");
}

static void
test_mac_rejects_multicast_and_zero(void **state)
{
    (void)state;
    assert_rejected("ff:ff:ff:ff:ff:ff", "multicast or broadcast");
    assert_rejected("01:00:5e:00:00:01", "multicast or broadcast");
    assert_rejected("00:00:00:00:00:00", "all-zero");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac_parses_either_case_and_formats_lowercase),
        cmocka_unit_test(test_mac_rejects_malformed),
        cmocka_unit_test(test_mac_rejects_multicast_and_zero),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
