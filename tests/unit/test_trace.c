/* Unit tests for `kubectl kovn trace`'s pure parts: the ovn-trace output
 * parser (ovn/trace.h) and the explanation in kovn's terms
 * (cli/trace_explain.h).  The golden files are real ovn-trace 23.03
 * output over a topology laid out as kovn lays it out (see
 * golden/trace.md); the integration test test_trace.sh runs the
 * whole command against a live cluster. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "cli/trace_explain.h"
#include "openvswitch/dynamic-string.h"
#include "ovn/owner.h"
#include "ovn/trace.h"
#include "test_golden.h"
#include "util.h"

static const char *golden_dir;

static char *
read_golden(const char *name)
{
    return test_golden_read(golden_dir, name);
}

static struct net_cidr
cidr(const char *s)
{
    struct net_cidr c;
    assert_int_equal(net_cidr_parse(s, NET_CIDR_NETWORK, &c, NULL), 0);
    return c;
}

/* The NB rows of the golden topology, owned as kovn owns its rows. */
static void
golden_facts(struct trace_facts *f)
{
    static const char *const pods[] = {"a", "b", "d"};
    struct net_cidr c;

    trace_facts_init(f);
    trace_facts_add_datapath(f, "ovn-default", false, OVN_OWNER_SUBNET,
                             "ovn-default");
    trace_facts_add_datapath(f, "s2", false, OVN_OWNER_SUBNET, "s2");
    trace_facts_add_datapath(f, "v1s", false, OVN_OWNER_SUBNET, "v1s");
    trace_facts_add_datapath(f, "ovn-cluster", true, OVN_OWNER_VPC,
                             "ovn-cluster");
    trace_facts_add_datapath(f, "vpc1", true, OVN_OWNER_VPC, "vpc1");
    for (size_t i = 0; i < ARRAY_SIZE(pods); i++) {
        char *port = xasprintf("%s.demo", pods[i]);
        char *key = xasprintf("demo/%s", pods[i]);
        trace_facts_add_port(f, port, "ovn-default", OVN_OWNER_POD, key);
        free(port);
        free(key);
    }
    trace_facts_add_port(f, "c.demo", "s2", OVN_OWNER_POD, "demo/c");
    trace_facts_add_port(f, "x.demo", "v1s", OVN_OWNER_POD, "demo/x");
    trace_facts_add_port(f, "ovn-cluster-s2", "ovn-cluster", OVN_OWNER_SUBNET,
                         "s2");
    trace_facts_add_acl(f, "deny.srv.demo", "to-lport", 2000,
                        "outport == @deny.srv.demo && ip", "drop",
                        OVN_OWNER_NETPOL, "demo/deny-srv");
    trace_facts_add_acl(f, "deny.srv.demo", "to-lport", 2001,
                        "outport == @deny.srv.demo && ip4.src == 10.16.0.99",
                        "allow-related", OVN_OWNER_NETPOL, "demo/deny-srv");
    /* Another private subnet's drop: same priority and match. */
    trace_facts_add_acl(f, "other", "to-lport", 1000, "ip", "drop",
                        OVN_OWNER_SUBNET, "other");
    trace_facts_add_acl(f, "s2", "to-lport", 1000, "ip", "drop",
                        OVN_OWNER_SUBNET, "s2");
    trace_facts_add_lb(f, "cluster-tcp-loadbalancer", "10.96.0.20:80",
                       "10.16.0.12:8080");
    trace_facts_add_lb(f, "cluster-tcp-loadbalancer", "10.96.0.30:80",
                       "10.17.0.10:8080");
    trace_facts_add_route(f, "vpc1", "10.50.0.0/16", "10.30.0.253",
                          OVN_OWNER_VPC, "vpc1");
    c = cidr("10.16.0.0/16");
    trace_facts_add_subnet(f, "ovn-default", "ovn-cluster", &c, 1);
    c = cidr("10.17.0.0/16");
    trace_facts_add_subnet(f, "s2", "ovn-cluster", &c, 1);
    c = cidr("10.30.0.0/24");
    trace_facts_add_subnet(f, "v1s", "vpc1", &c, 1);
}

/* Explains golden file 'name' traced to 'dst' (a Service when 'service'
 * is not NULL) and checks the verdict; returns the steps joined by
 * newlines, for the caller to check (the caller frees it). */
static char *
explain_golden(const char *name, const char *dst, const char *service,
               const char *vip, enum trace_verdict want, const char *verdict)
{
    struct trace_explanation e;
    struct kovn_error err = {0};
    struct trace_facts facts;
    struct ovn_trace trace;
    struct ds steps = DS_EMPTY_INITIALIZER;
    char *text = read_golden(name);

    golden_facts(&facts);
    trace_facts_set_destination(&facts, dst, service, vip);
    assert_int_equal(ovn_trace_parse(text, strlen(text), &trace, &err), 0);
    trace_explain(&trace, &facts, &e);
    for (size_t i = 0; i < e.steps.n; i++) {
        ds_put_format(&steps, "%s\n", e.steps.names[i]);
    }
    if (strcmp(e.verdict_text, verdict) || e.verdict != want) {
        print_error("steps:\n%s\nverdict %d: %s\n", ds_cstr(&steps), e.verdict,
                    e.verdict_text);
    }
    assert_string_equal(e.verdict_text, verdict);
    assert_int_equal(e.verdict, want);
    trace_explanation_destroy(&e);
    ovn_trace_destroy(&trace);
    trace_facts_destroy(&facts);
    free(text);
    return ds_steal_cstr(&steps);
}

static void
test_trace_parses_real_output(void **state)
{
    struct kovn_error err = {0};
    struct ovn_trace trace;
    char *text = read_golden("trace_netpol_drop.txt");
    const struct ovn_trace_step *s, *last;

    (void)state;
    assert_int_equal(ovn_trace_parse(text, strlen(text), &trace, &err), 0);
    assert_non_null(trace.flow);
    assert_true(!strncmp(trace.flow, "tcp,reg14=0x2,", 14));
    s = &trace.steps[0];
    assert_string_equal(s->datapath, "ovn-default");
    assert_string_equal(s->inport, "a.demo");
    assert_string_equal(s->outport, "");
    assert_false(s->egress);
    assert_int_equal(s->table, 0);
    assert_string_equal(s->stage, "ls_in_check_port_sec");
    assert_string_equal(s->match, "1");
    assert_int_equal(s->priority, 50);
    assert_string_equal(s->uuid, "c971395d");
    assert_int_equal(s->actions.n, 2);
    assert_string_equal(s->actions.names[0],
                        "reg0[15] = check_in_port_sec();");

    last = &trace.steps[trace.n_steps - 1];
    assert_true(last->egress);
    assert_string_equal(last->outport, "b.demo");
    assert_string_equal(last->stage, "ls_out_acl");
    assert_string_equal(last->match,
                        "reg0[9] == 1 && (outport == @deny.srv.demo && ip)");
    assert_int_equal(last->priority, 3000);
    assert_true(ovn_trace_step_drops(last));
    ovn_trace_destroy(&trace);
    free(text);
}

static void
test_trace_parses_odd_lines(void **state)
{
    static const char text[] =
        "ingress(dp=\"ls\\\"x\", inport=\"p\")\n"
        "---\n"
        " 3. ls_in_x: no match (implicit drop)\n"
        " 4. no match (implicit drop)\n"
        " 5. (northd.c:1): a == {1, 2}, priority 7, uuid 0badc0de\n"
        "    *** no load balancing destination (use --lb-dst)\n"
        "multicast(dp=\"ls\", mcgroup=\"_MC_flood\")\n"
        "\n"
        "        egress(dp=\"ls\", inport=\"p\", outport=\"q\")\n"
        "        ------\n"
        "             9. ls_out_y (northd.c:2): 1, priority 0, uuid 1\n"
        "                /* output to \"q\", type \"\" */\n"
        "300. not a table\n";
    struct kovn_error err = {0};
    struct ovn_trace trace;
    char *port, *type;

    (void)state;
    assert_int_equal(ovn_trace_parse(text, strlen(text), &trace, &err), 0);
    assert_int_equal(trace.n_steps, 4);
    assert_string_equal(trace.steps[0].datapath, "ls\"x");
    assert_true(trace.steps[0].no_match);
    assert_string_equal(trace.steps[0].stage, "ls_in_x");
    assert_true(trace.steps[1].no_match);
    assert_string_equal(trace.steps[1].stage, "");
    assert_string_equal(trace.steps[2].stage, "");
    assert_string_equal(trace.steps[2].match, "a == {1, 2}");
    assert_int_equal(trace.steps[2].priority, 7);
    assert_string_equal(trace.steps[2].actions.names[0],
                        "*** no load balancing destination (use --lb-dst)");
    assert_string_equal(trace.steps[3].outport, "q");
    assert_true(trace.steps[3].egress);
    /* "300. not a table" is an action line of the last step. */
    assert_int_equal(trace.steps[3].actions.n, 2);
    assert_true(
        ovn_trace_output_line(trace.steps[3].actions.names[0], &port, &type));
    assert_string_equal(port, "q");
    assert_string_equal(type, "");
    free(port);
    free(type);
    ovn_trace_destroy(&trace);
}

static void
test_trace_rejects_what_is_no_trace(void **state)
{
    struct kovn_error err = {0};
    struct ovn_trace trace;

    (void)state;
    assert_int_equal(
        ovn_trace_parse("unknown datapath \"x\"\n", 21, &trace, &err),
        -EINVAL);
    ovn_trace_destroy(&trace);
    assert_int_equal(ovn_trace_parse("", 0, &trace, &err), -EINVAL);
    ovn_trace_destroy(&trace);
    assert_int_equal(
        ovn_trace_parse("x", OVN_TRACE_TEXT_MAX + 1, &trace, &err), -EFBIG);
    ovn_trace_destroy(&trace);
}

static void
test_trace_explains_delivery(void **state)
{
    char *steps;

    (void)state;
    steps = explain_golden("trace_delivered.txt", "10.16.0.12", NULL, NULL,
                           TRACE_DELIVERED,
                           "delivered to demo/d (Logical_Switch_Port d.demo "
                           "on subnet ovn-default)");
    assert_non_null(strstr(steps, "Subnet ovn-default: in from demo/a "
                                  "(Logical_Switch_Port a.demo on subnet "
                                  "ovn-default)\n"));
    free(steps);
}

static void
test_trace_explains_service(void **state)
{
    char *steps;

    (void)state;
    steps = explain_golden(
        "trace_service.txt", "10.96.0.20", "demo/web", "10.96.0.20:80",
        TRACE_DELIVERED,
        "delivered to demo/d (Logical_Switch_Port d.demo on subnet "
        "ovn-default) through Service demo/web (load balancer "
        "cluster-tcp-loadbalancer, VIP 10.96.0.20:80)");
    assert_non_null(strstr(steps, "Subnet ovn-default: Service demo/web: load "
                                  "balancer cluster-tcp-loadbalancer, VIP "
                                  "10.96.0.20:80 -> backends "
                                  "10.16.0.12:8080\n"));
    assert_non_null(strstr(steps, "Vpc ovn-cluster: in from Subnet "
                                  "ovn-default (port "
                                  "ovn-cluster-ovn-default)\n"));
    free(steps);
}

static void
test_trace_explains_network_policy_drop(void **state)
{
    (void)state;
    free(explain_golden("trace_netpol_drop.txt", "10.16.0.11", NULL, NULL,
                        TRACE_DROPPED,
                        "dropped by NetworkPolicy demo/deny-srv (ACL "
                        "priority 2000, to-lport)"));
}

static void
test_trace_explains_private_subnet_drop(void **state)
{
    char *steps;

    (void)state;
    steps = explain_golden("trace_private_drop.txt", "10.96.0.30", NULL, NULL,
                           TRACE_DROPPED,
                           "dropped by Subnet s2 private (ACL priority 1000, "
                           "to-lport)");
    /* Not the Service's: the VIP was given as an address. */
    assert_non_null(strstr(steps, "Subnet ovn-default: load balancer "
                                  "cluster-tcp-loadbalancer, VIP "
                                  "10.96.0.30:80 -> backends "
                                  "10.17.0.10:8080\n"));
    assert_non_null(strstr(steps, "Vpc ovn-cluster: route 10.17.0.0/16 to "
                                  "Subnet s2 (directly connected)\n"));
    free(steps);
}

static void
test_trace_explains_vpc_isolation(void **state)
{
    (void)state;
    free(explain_golden("trace_no_route.txt", "10.16.0.11", NULL, NULL,
                        TRACE_DROPPED,
                        "dropped by VPC isolation: Vpc vpc1 has no route to "
                        "10.16.0.11 (Subnet ovn-default of Vpc "
                        "ovn-cluster)"));
    /* An address in no subnet: just no route. */
    free(explain_golden("trace_no_route.txt", "192.0.2.1", NULL, NULL,
                        TRACE_DROPPED,
                        "dropped by Vpc vpc1: no route to 192.0.2.1"));
}

static void
test_trace_explains_static_route_and_arp(void **state)
{
    char *steps;

    (void)state;
    steps = explain_golden("trace_static_arp.txt", "10.50.0.5", NULL, NULL,
                           TRACE_LEFT,
                           "leaves OVN: an ARP request for the next hop (no "
                           "MAC binding yet)");
    assert_non_null(strstr(steps, "Vpc vpc1: static route 10.50.0.0/16 via "
                                  "10.30.0.253 (Vpc vpc1 "
                                  "spec.staticRoutes)\n"));
    /* The flood of the ARP request reaches x.demo: not a delivery. */
    assert_null(strstr(steps, "delivered"));
    free(steps);
}

static void
test_trace_microflow(void **state)
{
    struct trace_packet p = {
        .inport = "a.demo",
        .eth_src = "00:00:00:00:00:0a",
        .eth_dst = "00:00:00:aa:00:01",
        .protocol = "tcp",
        .src_port = 40000,
        .dst_port = 80,
    };
    char *flow;

    (void)state;
    assert_int_equal(net_addr_parse("10.16.0.10", &p.src, NULL), 0);
    assert_int_equal(net_addr_parse("10.96.0.10", &p.dst, NULL), 0);
    flow = trace_microflow(&p);
    assert_string_equal(flow, "inport == \"a.demo\" && eth.src == "
                              "00:00:00:00:00:0a && eth.dst == "
                              "00:00:00:aa:00:01 && ip4.src == 10.16.0.10 "
                              "&& ip4.dst == 10.96.0.10 && ip.ttl == 64 && "
                              "tcp.src == 40000 && tcp.dst == 80");
    free(flow);
    p.protocol = "icmp";
    assert_int_equal(net_addr_parse("fd00::1", &p.src, NULL), 0);
    assert_int_equal(net_addr_parse("fd00::2", &p.dst, NULL), 0);
    flow = trace_microflow(&p);
    assert_non_null(strstr(flow, "ip6.src == fd00::1 && ip6.dst == fd00::2 "
                                 "&& ip.ttl == 64 && icmp6.type == 128 && "
                                 "icmp6.code == 0"));
    free(flow);
}

int
main(int argc, char *argv[])
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_parses_real_output),
        cmocka_unit_test(test_trace_parses_odd_lines),
        cmocka_unit_test(test_trace_rejects_what_is_no_trace),
        cmocka_unit_test(test_trace_explains_delivery),
        cmocka_unit_test(test_trace_explains_service),
        cmocka_unit_test(test_trace_explains_network_policy_drop),
        cmocka_unit_test(test_trace_explains_private_subnet_drop),
        cmocka_unit_test(test_trace_explains_vpc_isolation),
        cmocka_unit_test(test_trace_explains_static_route_and_arp),
        cmocka_unit_test(test_trace_microflow),
    };

    golden_dir = argc > 1 ? argv[1] : ".";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
