/* Unit tests for the OVS datapath part of `kubectl kovn trace`: the
 * ofproto/trace output parser (cli/ofproto_trace.h), the flow it is asked
 * about, and the summary line in kovn's terms (cli/trace_ovs.h).  The
 * golden ofproto_trace_*.txt files are real OVS 3.1 output on a chassis
 * of test_trace_ovs.sh (see golden/trace.md); the datapath actions of
 * tunnels and upcalls, which one chassis cannot show, are written after
 * OVS's format_odp_actions(). */
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
#include "cli/ofproto_trace.h"
#include "cli/trace_explain.h"
#include "cli/trace_ovs.h"
#include "openvswitch/dynamic-string.h"
#include "test_golden.h"
#include "util.h"

static const char *golden_dir;

static char *
read_golden(const char *name)
{
    return test_golden_read(golden_dir, name);
}

static void
parse_golden(const char *name, struct ofproto_trace *t)
{
    struct kovn_error err = {0};
    char *text = read_golden(name);

    assert_int_equal(ofproto_trace_parse(text, strlen(text), t, &err), 0);
    free(text);
}

static void
parse_text(const char *text, struct ofproto_trace *t)
{
    struct kovn_error err = {0};

    assert_int_equal(ofproto_trace_parse(text, strlen(text), t, &err), 0);
}

static void
test_ofproto_trace_output_to_a_port(void **state)
{
    struct ofproto_trace t;

    (void)state;
    parse_golden("ofproto_trace_output.txt", &t);
    assert_int_equal(t.passes.n, 1);
    assert_string_equal(t.passes.names[0], "kovnbe64e5717bc");
    assert_int_equal(t.n_outputs, 1);
    assert_string_equal(t.outputs[0].port, "kovnbe64e5717bc");
    assert_string_equal(t.outputs[0].tunnel_dst, "");
    assert_false(t.controller);
    assert_null(t.failure);
    assert_false(ofproto_trace_drops(&t));
    assert_true(!strncmp(t.flow, "tcp,in_port=kovnc38817b278f,", 28));
    ofproto_trace_destroy(&t);
}

/* Three passes (two conntrack zones); the ACL drops in the last. */
static void
test_ofproto_trace_network_policy_drop(void **state)
{
    struct ofproto_trace t;

    (void)state;
    parse_golden("ofproto_trace_netpol_drop.txt", &t);
    assert_int_equal(t.passes.n, 3);
    assert_string_equal(t.passes.names[0], "ct(zone=8),recirc(0x5)");
    assert_string_equal(t.passes.names[2], "drop");
    assert_int_equal(t.n_outputs, 0);
    assert_true(ofproto_trace_drops(&t));
    ofproto_trace_destroy(&t);
}

/* Routed off the subnet: rewritten, then out of the node's own port. */
static void
test_ofproto_trace_routed_to_node_port(void **state)
{
    struct ofproto_trace t;

    (void)state;
    parse_golden("ofproto_trace_node_port.txt", &t);
    assert_int_equal(t.passes.n, 2);
    assert_int_equal(t.n_outputs, 1);
    assert_string_equal(t.outputs[0].port, "ovn0");
    assert_false(ofproto_trace_drops(&t));
    ofproto_trace_destroy(&t);
}

static void
test_ofproto_trace_tunnels(void **state)
{
    struct ofproto_trace t;

    (void)state;
    /* Userspace datapath: the tunnel header is pushed, then the packet
     * leaves by the underlay's port (not the packet's destination). */
    parse_text("Datapath actions: clone(tnl_push(tnl_port(genev_sys_6081),"
               "header(size=58,type=5,eth(dst=aa:bb:cc:dd:ee:ff,src=11:22:"
               "33:44:55:66,dl_type=0x0800),ipv4(src=172.18.0.2,dst=172.18."
               "0.3,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,"
               "csum=0x0),geneve(oam,vni=0x1,options({class=0x102,type=0x80,"
               "len=4,0x10003}))),out_port(br-phy)),br-phy)\n",
               &t);
    assert_int_equal(t.n_outputs, 1);
    assert_string_equal(t.outputs[0].port, "genev_sys_6081");
    assert_string_equal(t.outputs[0].tunnel_dst, "172.18.0.3");
    ofproto_trace_destroy(&t);

    /* Kernel datapath: the tunnel key is set, then the tunnel port. */
    parse_text("Datapath actions: set(tunnel(tun_id=0x1,src=10.0.0.1,"
               "dst=10.0.0.2,ttl=64,tp_dst=6081,flags(df|csum|key))),"
               "genev_sys_6081,kovn0000000001\n",
               &t);
    assert_int_equal(t.n_outputs, 2);
    assert_string_equal(t.outputs[0].port, "genev_sys_6081");
    assert_string_equal(t.outputs[0].tunnel_dst, "10.0.0.2");
    /* A local port after it is no tunnel. */
    assert_string_equal(t.outputs[1].port, "kovn0000000001");
    assert_string_equal(t.outputs[1].tunnel_dst, "");
    ofproto_trace_destroy(&t);

    parse_text("Datapath actions: set(tunnel(tun_id=0x1,ipv6_dst=fd00::2,"
               "ttl=64)),3\n",
               &t);
    assert_string_equal(t.outputs[0].tunnel_dst, "fd00::2");
    ofproto_trace_destroy(&t);
}

static void
test_ofproto_trace_upcalls_branches_and_failures(void **state)
{
    struct ofproto_trace t;

    (void)state;
    parse_text("Datapath actions: userspace(pid=0,controller(reason=1,"
               "dont_send=0,continuation=0,recirc_id=1,rule_cookie="
               "0x1,controller_id=0,max_len=65535))\n",
               &t);
    assert_true(t.controller);
    assert_int_equal(t.n_outputs, 0);
    assert_false(ofproto_trace_drops(&t));
    ofproto_trace_destroy(&t);

    /* The packet fits: le() is its branch, gt() sends ICMP too-big. */
    parse_text("Datapath actions: check_pkt_len(size=1514,gt(userspace(pid="
               "0,controller(reason=1))),le(pop_vlan,clone(ct_clear,5),7))\n",
               &t);
    assert_false(t.controller);
    assert_int_equal(t.n_outputs, 2);
    assert_string_equal(t.outputs[0].port, "5");
    assert_string_equal(t.outputs[1].port, "7");
    ofproto_trace_destroy(&t);

    /* Duplicates once; unknown and bare actions are not outputs. */
    parse_text("Flow: x\nDatapath actions: meter(0),3,drop,ct_clear,3,"
               "<empty>,trunc(100),sample(sample=50%,actions(4))\n"
               "Datapath actions: 3\n",
               &t);
    assert_int_equal(t.n_outputs, 1);
    assert_string_equal(t.outputs[0].port, "3");
    assert_string_equal(t.flow, "x");
    ofproto_trace_destroy(&t);

    parse_text("Datapath actions: 4\nTranslation failed (Recursion too "
               "deep), packet is dropped.\n",
               &t);
    assert_string_equal(t.failure, "Recursion too deep");
    assert_true(ofproto_trace_drops(&t));
    ofproto_trace_destroy(&t);

    /* Unbalanced and deeply nested text ends, with what it could read. */
    parse_text("Datapath actions: clone(clone(clone(clone(clone(clone(clone("
               "clone(clone(clone(clone(clone(clone(clone(clone(clone(clone("
               "clone(9\nDatapath actions: clone(8,\n",
               &t);
    assert_int_equal(t.n_outputs, 1);
    assert_string_equal(t.outputs[0].port, "8");
    ofproto_trace_destroy(&t);
}

static void
test_ofproto_trace_rejects_what_is_no_trace(void **state)
{
    struct kovn_error err = {0};
    struct ofproto_trace t;
    struct ds text = DS_EMPTY_INITIALIZER;

    (void)state;
    assert_int_equal(ofproto_trace_parse("Flow: tcp\nFinal flow: unchanged\n",
                                         33, &t, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "Datapath actions"));
    ofproto_trace_destroy(&t);

    for (int i = 0; i <= OFPROTO_TRACE_PASSES_MAX; i++) {
        ds_put_cstr(&text, "Datapath actions: drop\n");
    }
    assert_int_equal(ofproto_trace_parse(text.string, text.length, &t, &err),
                     -EFBIG);
    ofproto_trace_destroy(&t);

    ds_clear(&text);
    ds_put_cstr(&text, "Datapath actions: ");
    for (int i = 0; i <= OFPROTO_TRACE_OUTPUTS_MAX; i++) {
        ds_put_format(&text, "%d,", i);
    }
    assert_int_equal(ofproto_trace_parse(text.string, text.length, &t, &err),
                     -EFBIG);
    assert_int_equal(t.n_outputs, OFPROTO_TRACE_OUTPUTS_MAX);
    ofproto_trace_destroy(&t);
    ds_destroy(&text);
}

static void
test_ofproto_trace_flow(void **state)
{
    struct trace_packet p = {
        .eth_src = "00:00:00:00:00:0a",
        .eth_dst = "00:00:00:aa:00:01",
        .protocol = "udp",
        .src_port = 40000,
        .dst_port = 53,
    };
    char *flow;

    (void)state;
    assert_int_equal(net_addr_parse("10.16.0.10", &p.src, NULL), 0);
    assert_int_equal(net_addr_parse("10.16.0.11", &p.dst, NULL), 0);
    flow = ofproto_trace_flow(&p, 7);
    assert_string_equal(flow, "in_port=7,dl_src=00:00:00:00:00:0a,dl_dst=00:"
                              "00:00:aa:00:01,udp,nw_src=10.16.0.10,nw_dst="
                              "10.16.0.11,nw_ttl=64,udp_src=40000,udp_dst=53");
    free(flow);

    p.protocol = "icmp";
    flow = ofproto_trace_flow(&p, 7);
    assert_non_null(strstr(flow, ",icmp,nw_src=10.16.0.10,nw_dst=10.16.0.11,"
                                 "nw_ttl=64,icmp_type=8,icmp_code=0"));
    free(flow);

    assert_int_equal(net_addr_parse("fd00::1", &p.src, NULL), 0);
    assert_int_equal(net_addr_parse("fd00::2", &p.dst, NULL), 0);
    flow = ofproto_trace_flow(&p, 7);
    assert_non_null(strstr(flow, ",icmp6,ipv6_src=fd00::1,ipv6_dst=fd00::2,"
                                 "nw_ttl=64,icmpv6_type=128,icmpv6_code=0"));
    free(flow);

    p.protocol = "tcp";
    flow = ofproto_trace_flow(&p, 7);
    assert_non_null(strstr(flow, ",tcp6,ipv6_src=fd00::1,ipv6_dst=fd00::2,"
                                 "nw_ttl=64,tcp_src=40000,tcp_dst=53"));
    free(flow);
}

/* The summary of 'actions' against OVN's 'verdict' (delivered to
 * 'ovn_port'), each line ending in "\n"; the caller frees it. */
static char *
summary(const char *actions, const struct cli_trace_ovs_port *ports,
        enum trace_verdict verdict, const char *ovn_port)
{
    struct trace_explanation e = {.verdict = verdict};
    struct cli_trace_ovs_port none[8] = {{0}};
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofproto_trace t;

    svec_init(&e.delivered_ports);
    if (ovn_port) {
        svec_add(&e.delivered_ports, ovn_port);
    }
    parse_text(actions, &t);
    assert_true(t.n_outputs <= ARRAY_SIZE(none));
    cli_trace_ovs_summary("n1", &t, ports ? ports : none, &e, &lines);
    for (size_t i = 0; i < lines.n; i++) {
        ds_put_format(&s, "%s\n", lines.names[i]);
    }
    svec_destroy(&lines);
    svec_destroy(&e.delivered_ports);
    ofproto_trace_destroy(&t);
    return ds_steal_cstr(&s);
}

static void
test_trace_ovs_summary(void **state)
{
    const struct cli_trace_ovs_port b[] = {{"b.demo", "demo/b"}};
    const struct cli_trace_ovs_port c[] = {{"c.demo", "demo/c"}};
    const struct cli_trace_ovs_port node[] = {{"node-n1", NULL}};
    char *s;

    (void)state;
    s = summary("Datapath actions: kovnb\n", b, TRACE_DELIVERED, "b.demo");
    assert_string_equal(
        s, "node n1: OVS datapath: output to port kovnb (pod demo/b)\n");
    free(s);

    s = summary("Datapath actions: ovn0\n", node, TRACE_DELIVERED, "node-n1");
    assert_string_equal(s, "node n1: OVS datapath: output to port ovn0 "
                           "(iface-id node-n1)\n");
    free(s);

    s = summary("Datapath actions: drop\n", NULL, TRACE_DROPPED, NULL);
    assert_string_equal(s, "node n1: OVS datapath: drop\n");
    free(s);

    /* What a user must be told: the two disagree. */
    s = summary("Datapath actions: drop\n", NULL, TRACE_DELIVERED, "b.demo");
    assert_non_null(strstr(s, "node n1: OVS datapath: drop\nOVS and OVN "
                              "disagree: OVN delivers the packet, the OVS "
                              "datapath of node n1 drops it"));
    free(s);

    s = summary("Datapath actions: kovnb\n", b, TRACE_DROPPED, NULL);
    assert_non_null(strstr(s, "\nOVS and OVN disagree: OVN drops the packet, "
                              "the OVS datapath of node n1 sends it on"));
    free(s);

    s = summary("Datapath actions: kovnc\n", c, TRACE_DELIVERED, "b.demo");
    assert_non_null(strstr(s, "\nOVS and OVN disagree: OVN delivers to "
                              "b.demo, the OVS datapath of node n1 to "
                              "c.demo\n"));
    free(s);

    /* A pod on another node: the tunnel is the datapath's part. */
    s = summary("Datapath actions: set(tunnel(tun_id=0x1,dst=10.0.0.2)),"
                "genev_sys_6081\n",
                NULL, TRACE_DELIVERED, "b.demo");
    assert_string_equal(s, "node n1: OVS datapath: output to tunnel to "
                           "10.0.0.2 (port genev_sys_6081)\n");
    free(s);

    s = summary("Datapath actions: userspace(pid=0,slow_path(controller))\n",
                NULL, TRACE_LEFT, NULL);
    assert_string_equal(s, "node n1: OVS datapath: to ovn-controller (an "
                           "upcall that handles the packet)\n");
    free(s);

    s = summary("Datapath actions: 3\nTranslation failed (Too many "
                "resubmits), packet is dropped.\n",
                NULL, TRACE_UNKNOWN, NULL);
    assert_string_equal(s, "node n1: OVS datapath: drop (translation "
                           "failed: Too many resubmits)\n");
    free(s);
}

int
main(int argc, char *argv[])
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ofproto_trace_output_to_a_port),
        cmocka_unit_test(test_ofproto_trace_network_policy_drop),
        cmocka_unit_test(test_ofproto_trace_routed_to_node_port),
        cmocka_unit_test(test_ofproto_trace_tunnels),
        cmocka_unit_test(test_ofproto_trace_upcalls_branches_and_failures),
        cmocka_unit_test(test_ofproto_trace_rejects_what_is_no_trace),
        cmocka_unit_test(test_ofproto_trace_flow),
        cmocka_unit_test(test_trace_ovs_summary),
    };

    golden_dir = argc > 1 ? argv[1] : ".";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
