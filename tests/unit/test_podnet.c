/* Unit tests for src/daemon/podnet: the pod and node address annotations
 * kovn-daemon plumbs from. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "daemon/podnet.h"
#include "openvswitch/json.h"

static void
assert_rejected(const char *ip, const char *mac, const char *cidr,
                const char *gw, int code, const char *message)
{
    struct kovn_error err = {0};
    struct pod_net net;

    assert_int_equal(pod_net_parse(ip, mac, cidr, gw, &net, &err), code);
    if (!strstr(err.msg, message)) {
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
    }
}

static void
test_podnet_single_stack_gets_prefix_and_gateway(void **state)
{
    struct pod_net net;
    char buf[NET_CIDR_STRLEN];

    (void)state;
    assert_int_equal(pod_net_parse("10.16.0.5", "0a:58:0a:10:00:05",
                                   "10.16.0.0/16", "10.16.0.1", &net, NULL),
                     0);
    assert_int_equal(net.n_ips, 1);
    net_cidr_format(&net.ips[0], buf);
    assert_string_equal(buf, "10.16.0.5/16");
    net_addr_format(&net.gateways[0], buf);
    assert_string_equal(buf, "10.16.0.1");
}

static void
test_podnet_dual_stack_pairs_by_family_in_any_order(void **state)
{
    struct pod_net net;
    char buf[NET_CIDR_STRLEN];

    (void)state;
    assert_int_equal(pod_net_parse("10.16.0.5,fd00::5", "0a:58:0a:10:00:05",
                                   "fd00::/64,10.16.0.0/16",
                                   "fd00::1,10.16.0.1", &net, NULL),
                     0);
    assert_int_equal(net.n_ips, 2);
    net_cidr_format(pod_net_ip(&net, NET_V6), buf);
    assert_string_equal(buf, "fd00::5/64");
    net_addr_format(&net.gateways[1], buf);
    assert_string_equal(buf, "fd00::1");
    net_cidr_format(pod_net_ip(&net, NET_V4), buf);
    assert_string_equal(buf, "10.16.0.5/16");
}

static void
test_podnet_rejects_inconsistent_annotations(void **state)
{
    (void)state;
    assert_rejected(NULL, "0a:58:0a:10:00:05", "10.16.0.0/16", "10.16.0.1",
                    -EINVAL, "ip_address is missing");
    assert_rejected("10.17.0.5", "0a:58:0a:10:00:05", "10.16.0.0/16",
                    "10.16.0.1", -EINVAL, "in no CIDR");
    assert_rejected("10.16.0.5", "0a:58:0a:10:00:05", "10.16.0.0/16",
                    "10.17.0.1", -EINVAL, "no usable IPv4 gateway");
    assert_rejected("10.16.0.5", "0a:58:0a:10:00:05", "10.16.0.0/16",
                    "10.16.0.5", -EINVAL, "no usable IPv4 gateway");
    assert_rejected("10.16.0.5,10.16.0.6", "0a:58:0a:10:00:05", "10.16.0.0/16",
                    "10.16.0.1", -EINVAL, "two IPv4");
    assert_rejected("10.16.0.5,,", "0a:58:0a:10:00:05", "10.16.0.0/16",
                    "10.16.0.1", -EINVAL, "empty item");
    assert_rejected("10.16.0.5", "ff:ff:ff:ff:ff:ff", "10.16.0.0/16",
                    "10.16.0.1", -EINVAL, "mac_address");
    assert_rejected("10.16.0.5", "0a:58:0a:10:00:05", "10.16.0.5/16",
                    "10.16.0.1", -EINVAL, "cidr");
}

static void
test_podnet_bounds_values(void **state)
{
    char big[POD_NET_VALUE_MAX + 2];

    (void)state;
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_rejected(big, "0a:58:0a:10:00:05", "10.16.0.0/16", "10.16.0.1",
                    -E2BIG, "longer than");
}

static void
test_podnet_waits_for_allocated(void **state)
{
    struct kovn_error err = {0};
    struct pod_net net;
    struct json *pod = json_from_string(
        "{\"metadata\":{\"annotations\":{"
        "\"ovn.kubernetes.io/ip_address\":\"10.16.0.5\","
        "\"ovn.kubernetes.io/mac_address\":\"0a:58:0a:10:00:05\","
        "\"ovn.kubernetes.io/cidr\":\"10.16.0.0/16\","
        "\"ovn.kubernetes.io/gateway\":\"10.16.0.1\"}}}");

    (void)state;
    assert_int_equal(pod_net_from_object(pod, &net, &err), -EAGAIN);
    assert_non_null(strstr(err.msg, "allocated"));
    json_destroy(pod);

    pod = json_from_string(
        "{\"metadata\":{\"annotations\":{"
        "\"ovn.kubernetes.io/allocated\":\"true\","
        "\"ovn.kubernetes.io/ip_address\":\"10.16.0.5\","
        "\"ovn.kubernetes.io/mac_address\":\"0a:58:0a:10:00:05\","
        "\"ovn.kubernetes.io/cidr\":\"10.16.0.0/16\","
        "\"ovn.kubernetes.io/gateway\":\"10.16.0.1\"}}}");
    assert_int_equal(pod_net_from_object(pod, &net, NULL), 0);
    assert_int_equal(net.n_ips, 1);
    json_destroy(pod);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_podnet_single_stack_gets_prefix_and_gateway),
        cmocka_unit_test(test_podnet_dual_stack_pairs_by_family_in_any_order),
        cmocka_unit_test(test_podnet_rejects_inconsistent_annotations),
        cmocka_unit_test(test_podnet_bounds_values),
        cmocka_unit_test(test_podnet_waits_for_allocated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
