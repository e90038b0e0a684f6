/* Unit tests for src/daemon/nat: which subnets a node masquerades, and the
 * nftables script that says so. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "crd/subnet.h"
#include "daemon/nat.h"
#include "openvswitch/json.h"

static struct subnet subnets[8];
static const struct subnet *ptrs[8];
static size_t n_subnets;

static void
add_subnet(const char *json)
{
    struct json *obj = json_from_string(json);
    struct subnet *s = &subnets[n_subnets];

    assert_true(obj->type == JSON_OBJECT);
    subnet_from_json(obj, "ovn-cluster", s, NULL);
    ptrs[n_subnets++] = s;
    json_destroy(obj);
}

static void
clear_subnets(void)
{
    for (size_t i = 0; i < n_subnets; i++) {
        subnet_destroy(&subnets[i]);
    }
    n_subnets = 0;
}

/* The line of set 'name' listing its elements, or "" if it has none. */
static char *
set_elements(const char *script, const char *name)
{
    char *head = xasprintf("set %s {", name);
    const char *set = strstr(script, head);
    const char *end = set ? strchr(set, '}') : NULL;
    const char *elements = set ? strstr(set, "elements = { ") : NULL;
    char *out;

    free(head);
    assert_non_null(set);
    if (!elements || elements > end) {
        return xstrdup("");
    }
    elements += strlen("elements = { ");
    out = xmemdup0(elements, strcspn(elements, "}") - 1);
    return out;
}

static const struct nat_node node1 = {
    .node = "node1",
    .default_vpc = "ovn-cluster",
    .join_subnet = "join",
    .table = "kovn",
};

static void
test_nat_masquerades_gateway_subnets_only(void **state)
{
    (void)state;
    add_subnet("{\"metadata\":{\"name\":\"ovn-default\"},\"spec\":{"
               "\"cidrBlock\":\"10.16.0.0/16\",\"natOutgoing\":true}}");
    add_subnet("{\"metadata\":{\"name\":\"join\"},\"spec\":{"
               "\"cidrBlock\":\"100.64.0.0/16\",\"natOutgoing\":true}}");
    add_subnet("{\"metadata\":{\"name\":\"plain\"},\"spec\":{"
               "\"cidrBlock\":\"10.17.0.0/24\"}}");
    add_subnet("{\"metadata\":{\"name\":\"here\"},\"spec\":{"
               "\"cidrBlock\":\"10.18.0.0/24\",\"natOutgoing\":true,"
               "\"gatewayType\":\"centralized\"},"
               "\"status\":{\"activateGateway\":\"node1\"}}");
    add_subnet("{\"metadata\":{\"name\":\"there\"},\"spec\":{"
               "\"cidrBlock\":\"10.19.0.0/24\",\"natOutgoing\":true,"
               "\"gatewayType\":\"centralized\"},"
               "\"status\":{\"activateGateway\":\"node2\"}}");
    add_subnet("{\"metadata\":{\"name\":\"custom\"},\"spec\":{\"vpc\":\"v\","
               "\"cidrBlock\":\"10.20.0.0/24\",\"natOutgoing\":true}}");
    add_subnet("{\"metadata\":{\"name\":\"bad\"},\"spec\":{"
               "\"cidrBlock\":\"10.21.0.0/33\",\"natOutgoing\":true}}");
    add_subnet("{\"metadata\":{\"name\":\"dual\"},\"spec\":{"
               "\"protocol\":\"Dual\",\"natOutgoing\":true,"
               "\"cidrBlock\":\"10.22.0.0/24,fd00::/120\"}}");

    char *script = nat_ruleset(&node1, ptrs, n_subnets);
    char *sources = set_elements(script, "nat_sources");
    char *cluster = set_elements(script, "cluster");

    /* Distributed natOutgoing subnets of the default VPC, and the
     * centralized one whose active gateway this node is; never the join
     * subnet, a custom VPC, an invalid subnet or IPv6. */
    assert_string_equal(sources, "10.16.0.0/16, 10.18.0.0/24, 10.22.0.0/24");
    /* Every default-VPC CIDR stays unmasqueraded as a destination. */
    assert_string_equal(cluster, "10.16.0.0/16, 10.17.0.0/24, 10.18.0.0/24, "
                                 "10.19.0.0/24, 10.22.0.0/24, 100.64.0.0/16");
    /* One transaction that replaces the table, whatever was in it. */
    assert_non_null(strstr(
        script, "table ip kovn\ndelete table ip kovn\ntable ip kovn {"));
    assert_non_null(strstr(script, "ip saddr @nat_sources ip daddr != "
                                   "@cluster masquerade"));
    free(sources);
    free(cluster);
    free(script);
    clear_subnets();
}

static void
test_nat_empty_sets_have_no_elements(void **state)
{
    struct net_cidr cluster;
    struct nat_node node = node1;

    (void)state;
    net_cidr_parse("10.96.0.0/12", NET_CIDR_NETWORK, &cluster, NULL);
    node.cluster_cidrs = &cluster;
    node.n_cluster_cidrs = 1;

    char *script = nat_ruleset(&node, ptrs, 0);
    char *sources = set_elements(script, "nat_sources");
    char *dests = set_elements(script, "cluster");

    /* nft refuses "elements = { }". */
    assert_string_equal(sources, "");
    assert_string_equal(dests, "10.96.0.0/12");
    free(sources);
    free(dests);
    free(script);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nat_masquerades_gateway_subnets_only),
        cmocka_unit_test(test_nat_empty_sets_have_no_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
