/* Unit tests for src/crd/netpol: NetworkPolicy decoding (fields, defaults,
 * limits, the field named by each warning) and the port group, address
 * sets and ACLs a policy becomes against a small world of pods. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_json.h"

#include "base/error.h"
#include "crd/netpol.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* ---- A world of pods and namespaces ---- */

struct world {
    struct netpol_pod pods[16];
    size_t n_pods;
    const char *ns_names[8];
    struct smap ns_labels[8];
    size_t n_ns;
    struct net_cidr join;
};

static void
world_for_each_pod(const void *w_, const char *ns, netpol_pod_fn *fn,
                   void *aux)
{
    const struct world *w = w_;

    for (size_t i = 0; i < w->n_pods; i++) {
        if (!ns || !strcmp(ns, w->pods[i].namespace)) {
            fn(&w->pods[i], aux);
        }
    }
}

static void
world_for_each_namespace(const void *w_, netpol_namespace_fn *fn, void *aux)
{
    const struct world *w = w_;

    for (size_t i = 0; i < w->n_ns; i++) {
        fn(w->ns_names[i], &w->ns_labels[i], aux);
    }
}

/* 'labels' is "k=v,k2=v2" or "". */
static void
add_ns(struct world *w, const char *name, const char *labels)
{
    struct smap *l = &w->ns_labels[w->n_ns];
    char *copy = xstrdup(labels), *save = NULL;

    smap_init(l);
    for (char *kv = strtok_r(copy, ",", &save); kv;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        smap_add(l, kv, eq + 1);
    }
    free(copy);
    w->ns_names[w->n_ns++] = name;
}

static void
add_pod(struct world *w, const char *json_text)
{
    struct json *obj = j(json_text);

    netpol_pod_from_json(obj, &w->pods[w->n_pods++]);
    json_destroy(obj);
}

static void
world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    assert_int_equal(
        0, net_cidr_parse("100.64.0.0/16", NET_CIDR_NETWORK, &w->join, NULL));
    add_ns(w, "a", "team=red");
    add_ns(w, "b", "team=blue");
    add_ns(w, "c", "team=red,env=prod");
    add_pod(w, "{'metadata': {'name': 'web', 'namespace': 'a',"
               " 'labels': {'app': 'web'}, 'annotations': {"
               " 'ovn.kubernetes.io/allocated': 'true',"
               " 'ovn.kubernetes.io/ip_address': '10.16.0.10'}},"
               " 'spec': {'containers': [{'ports': ["
               "  {'name': 'http', 'containerPort': 8080, 'protocol': 'TCP'},"
               "  {'containerPort': 9999}]}]}}");
    add_pod(w, "{'metadata': {'name': 'db', 'namespace': 'a',"
               " 'labels': {'app': 'db'}, 'annotations': {"
               " 'ovn.kubernetes.io/allocated': 'true',"
               " 'ovn.kubernetes.io/ip_address': '10.16.0.11,fd00::b'}},"
               " 'spec': {'containers': [{'ports': ["
               "  {'name': 'http', 'containerPort': 8081}]}]}}");
    add_pod(w, "{'metadata': {'name': 'client', 'namespace': 'b',"
               " 'labels': {'app': 'client'}, 'annotations': {"
               " 'ovn.kubernetes.io/allocated': 'true',"
               " 'ovn.kubernetes.io/ip_address': '10.16.0.20'}}}");
    add_pod(w, "{'metadata': {'name': 'client', 'namespace': 'c',"
               " 'labels': {'app': 'client'}, 'annotations': {"
               " 'ovn.kubernetes.io/allocated': 'true',"
               " 'ovn.kubernetes.io/ip_address': '10.16.0.30/16'}}}");
    /* Not allocated yet: selected, but has no address or port. */
    add_pod(w, "{'metadata': {'name': 'new', 'namespace': 'a',"
               " 'labels': {'app': 'web'}}}");
}

static void
world_destroy(struct world *w)
{
    for (size_t i = 0; i < w->n_pods; i++) {
        netpol_pod_destroy(&w->pods[i]);
    }
    for (size_t i = 0; i < w->n_ns; i++) {
        smap_destroy(&w->ns_labels[i]);
    }
}

static struct netpol_world
nworld(const struct world *w)
{
    return (struct netpol_world){
        .for_each_pod = world_for_each_pod,
        .for_each_namespace = world_for_each_namespace,
        .node_cidrs = &w->join,
        .n_node_cidrs = 1,
        .aux = w,
    };
}

/* Parses a policy "ns/name" with 'spec'. */
static void
parse(const char *spec, struct netpol *np)
{
    char *text = xasprintf("{'metadata': {'name': 'p-1', 'namespace': 'a',"
                           " 'uid': 'u1'}, 'spec': %s}",
                           spec);
    struct json *obj = j(text);
    struct kovn_error err = {0};

    assert_int_equal(0, netpol_from_json(obj, np, &err));
    json_destroy(obj);
    free(text);
}

/* The ACLs as "dir prio action match" lines, the address sets as
 * "set name: a b" lines, the ports as "ports: x y". */
static char *
render(const struct netpol_acls *out)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "pg %s\nports:", out->port_group);
    for (size_t i = 0; i < out->ports.n; i++) {
        ds_put_format(&s, " %s", out->ports.names[i]);
    }
    ds_put_char(&s, '\n');
    for (size_t i = 0; i < out->n_sets; i++) {
        ds_put_format(&s, "set %s:", out->sets[i].name);
        for (size_t k = 0; k < out->sets[i].n_addrs; k++) {
            char buf[NET_CIDR_STRLEN];
            net_cidr_format(&out->sets[i].addrs[k], buf);
            ds_put_format(&s, " %s", buf);
        }
        ds_put_char(&s, '\n');
    }
    for (size_t i = 0; i < out->n_acls; i++) {
        ds_put_format(&s, "%s %d %s %s\n", out->acls[i].direction,
                      out->acls[i].priority, out->acls[i].action,
                      out->acls[i].match);
    }
    return ds_steal_cstr(&s);
}

/* Computes policy 'spec' in namespace a against the standard world. */
static char *
compute(const char *spec)
{
    struct world w;
    struct netpol np;
    struct netpol_acls out;
    struct netpol_world nw;
    char *text;

    world_init(&w);
    nw = nworld(&w);
    parse(spec, &np);
    netpol_compute(&np, &nw, &out);
    text = render(&out);
    netpol_acls_destroy(&out);
    netpol_destroy(&np);
    world_destroy(&w);
    return text;
}

static void
expect(const char *spec, const char *want)
{
    char *got = compute(spec);

    if (strcmp(got, want)) {
        fail_msg("spec %s\n--- got\n%s--- want\n%s", spec, got, want);
    }
    free(got);
}

/* Joins the policy's warnings with "|". */
static char *
warnings(const char *spec)
{
    struct svec w = SVEC_EMPTY_INITIALIZER;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct netpol np;

    parse(spec, &np);
    netpol_warnings(&np, &w);
    for (size_t i = 0; i < w.n; i++) {
        ds_put_format(&s, "%s%s", i ? "|" : "", w.names[i]);
    }
    svec_destroy(&w);
    netpol_destroy(&np);
    return ds_steal_cstr(&s);
}

static void
expect_warning(const char *spec, const char *fragment)
{
    char *got = warnings(spec);

    if (!strstr(got, fragment)) {
        fail_msg("spec %s: warnings \"%s\" lack \"%s\"", spec, got, fragment);
    }
    free(got);
}

/* ---- Decoding ---- */

static void
test_netpol_policy_types_default(void **state)
{
    struct netpol np;

    (void)state;
    parse("{'podSelector': {}}", &np);
    assert_true(np.applies[NETPOL_INGRESS]);
    assert_false(np.applies[NETPOL_EGRESS]);
    netpol_destroy(&np);

    /* Egress joins the default only when there are egress rules. */
    parse("{'podSelector': {}, 'egress': [{}]}", &np);
    assert_true(np.applies[NETPOL_INGRESS]);
    assert_true(np.applies[NETPOL_EGRESS]);
    netpol_destroy(&np);

    parse("{'podSelector': {}, 'egress': []}", &np);
    assert_false(np.applies[NETPOL_EGRESS]);
    netpol_destroy(&np);

    parse("{'podSelector': {}, 'policyTypes': ['Egress'],"
          " 'ingress': [{}]}",
          &np);
    assert_false(np.applies[NETPOL_INGRESS]);
    assert_true(np.applies[NETPOL_EGRESS]);
    assert_string_equal("a/p-1", np.key);
    netpol_destroy(&np);
}

static void
test_netpol_parses_rules(void **state)
{
    struct netpol np;
    const struct netpol_rule *r;

    (void)state;
    parse("{'podSelector': {'matchLabels': {'app': 'web'}},"
          " 'ingress': [{'from': [{'podSelector': {}, 'namespaceSelector':"
          "   {'matchLabels': {'team': 'red'}}},"
          "  {'ipBlock': {'cidr': '10.1.2.3/16', 'except': ['10.1.1.0/24']}}],"
          "  'ports': [{'port': 80}, {'protocol': 'UDP', 'port': 'dns'},"
          "   {'protocol': 'SCTP', 'port': 100, 'endPort': 200}, {}]}]}",
          &np);
    assert_null(np.error);
    assert_true(np.selects_namespaces);
    assert_int_equal(1, np.n_rules[NETPOL_INGRESS]);
    r = &np.rules[NETPOL_INGRESS][0];
    assert_null(r->error);
    assert_int_equal(2, r->n_peers);
    assert_true(r->peers[0].has_pod_selector);
    assert_true(r->peers[0].has_ns_selector);
    assert_true(r->peers[1].is_ip_block);
    char buf[NET_CIDR_STRLEN];
    net_cidr_format(&r->peers[1].cidr, buf);
    assert_string_equal("10.1.0.0/16", buf); /* Host bits cleared. */
    assert_int_equal(1, r->peers[1].n_except);
    assert_int_equal(4, r->n_ports);
    assert_int_equal(NETPOL_TCP, r->ports[0].proto); /* Default TCP. */
    assert_int_equal(80, r->ports[0].port);
    assert_string_equal("dns", r->ports[1].name);
    assert_int_equal(NETPOL_UDP, r->ports[1].proto);
    assert_int_equal(200, r->ports[2].end_port);
    assert_int_equal(0, r->ports[3].port);
    netpol_destroy(&np);
}

static void
test_netpol_rejects_non_policy(void **state)
{
    struct json *obj = j("{'metadata': {'name': 'x'}}");
    struct kovn_error err = {0};
    struct netpol np;

    (void)state;
    assert_int_equal(-EINVAL, netpol_from_json(obj, &np, &err));
    assert_non_null(strstr(err.msg, "metadata.namespace"));
    json_destroy(obj);
    obj = j("[1]");
    assert_int_equal(-EINVAL, netpol_from_json(obj, &np, &err));
    json_destroy(obj);
}

/* A bad rule is left out and named; the rest of the policy stands. */
static void
test_netpol_bad_rule_is_named_and_left_out(void **state)
{
    struct netpol np;

    (void)state;
    expect_warning("{'podSelector': {}, 'ingress': [{}, {'ports':"
                   " [{'port': 80}, {'protocol': 'ICMP'}]}]}",
                   "spec.ingress[1].ports[1].protocol: \"ICMP\"");
    expect_warning("{'podSelector': {}, 'egress': [{'to': [{'ipBlock':"
                   " {'cidr': '10.0.0.0/33'}}]}]}",
                   "spec.egress[0].to[0].ipBlock.cidr");
    expect_warning("{'podSelector': {}, 'ingress': [{'from':"
                   " [{'podSelector': {'matchExpressions': [{'key': 'a',"
                   " 'operator': 'Bogus'}]}}]}]}",
                   "spec.ingress[0].from[0].podSelector: ");
    expect_warning("{'podSelector': {}, 'ingress': [{'from': [{}]}]}",
                   "spec.ingress[0].from[0]: needs podSelector");
    expect_warning("{'podSelector': {}, 'ingress': [{'ports':"
                   " [{'port': 'http', 'endPort': 90}]}]}",
                   "spec.ingress[0].ports[0].endPort: only with a numeric");
    expect_warning("{'podSelector': {}, 'ingress': [{'ports':"
                   " [{'port': 90, 'endPort': 80}]}]}",
                   "spec.ingress[0].ports[0].endPort: expected 90..65535");
    expect_warning("{'podSelector': {}, 'ingress': [{'ports':"
                   " [{'port': 'Not_A_Name'}]}]}",
                   "spec.ingress[0].ports[0].port");
    expect_warning("{'podSelector': {}, 'ingress': [{'ports':"
                   " [{'port': 70000}]}]}",
                   "spec.ingress[0].ports[0].port: expected 1..65535");

    parse("{'podSelector': {}, 'ingress': [{}, {'ports':"
          " [{'protocol': 'ICMP'}]}]}",
          &np);
    assert_null(np.rules[NETPOL_INGRESS][0].error);
    assert_non_null(np.rules[NETPOL_INGRESS][1].error);
    assert_int_equal(0, np.rules[NETPOL_INGRESS][1].n_ports);
    netpol_destroy(&np);

    /* The bad rule allows nothing: only the good one's ACL is there. */
    expect("{'podSelector': {'matchLabels': {'app': 'db'}},"
           " 'ingress': [{'ports': [{'protocol': 'ICMP'}]},"
           "  {'ports': [{'port': 5432}]}]}",
           "pg p.1.a\n"
           "ports: db.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && ip && "
           "(tcp.dst == 5432)\n");
}

static void
test_netpol_limits(void **state)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct netpol np;

    (void)state;
    /* One peer too many. */
    ds_put_cstr(&s, "{'podSelector': {}, 'ingress': [{'from': [");
    for (int i = 0; i <= NETPOL_PEERS_MAX; i++) {
        ds_put_format(&s, "%s{'podSelector': {}}", i ? "," : "");
    }
    ds_put_cstr(&s, "]}]}");
    expect_warning(ds_cstr(&s), "spec.ingress[0].from: more than 64 peers");
    ds_clear(&s);

    ds_put_cstr(&s, "{'podSelector': {}, 'egress': [{'ports': [");
    for (int i = 0; i <= NETPOL_PORTS_MAX; i++) {
        ds_put_format(&s, "%s{'port': %d}", i ? "," : "", i + 1);
    }
    ds_put_cstr(&s, "]}]}");
    expect_warning(ds_cstr(&s), "spec.egress[0].ports: more than 64 ports");
    ds_clear(&s);

    ds_put_cstr(&s, "{'podSelector': {}, 'ingress': [{'from': [{'ipBlock':"
                    " {'cidr': '10.0.0.0/8', 'except': [");
    for (int i = 0; i <= NETPOL_EXCEPT_MAX; i++) {
        ds_put_format(&s, "%s'10.%d.0.0/16'", i ? "," : "", i);
    }
    ds_put_cstr(&s, "]}}]}]}");
    expect_warning(ds_cstr(&s), "ipBlock.except: more than 32 CIDRs");
    ds_clear(&s);

    /* Rules past the limit: the first 64 stand, the rest are one warning
     * and the parse stops there (a huge list costs no memory). */
    ds_put_cstr(&s, "{'podSelector': {}, 'ingress': [");
    for (int i = 0; i < NETPOL_RULES_MAX + 10; i++) {
        ds_put_format(&s, "%s{}", i ? "," : "");
    }
    ds_put_cstr(&s, "]}");
    parse(ds_cstr(&s), &np);
    assert_int_equal(NETPOL_RULES_MAX + 1, np.n_rules[NETPOL_INGRESS]);
    assert_null(np.rules[NETPOL_INGRESS][NETPOL_RULES_MAX - 1].error);
    assert_non_null(strstr(np.rules[NETPOL_INGRESS][NETPOL_RULES_MAX].error,
                           "more than 64 rules"));
    netpol_destroy(&np);
    ds_destroy(&s);
}

/* A policy whose pods cannot be known selects none. */
static void
test_netpol_bad_pod_selector_selects_nothing(void **state)
{
    (void)state;
    expect_warning("{'podSelector': {'matchExpressions': [{'key': 'a',"
                   " 'operator': 'In'}]}}",
                   "spec.podSelector: ");
    expect_warning("{'ingress': []}", "spec.podSelector: required");
    expect_warning("{'podSelector': {}, 'policyTypes': ['Sideways']}",
                   "spec.policyTypes[0]: expected Ingress or Egress");
    expect("{'podSelector': {'matchExpressions': [{'key': 'a',"
           " 'operator': 'In'}]}}",
           "pg p.1.a\nports:\n");
    expect("{'podSelector': {}, 'policyTypes': ['Sideways']}",
           "pg p.1.a\nports:\n");
}

static void
test_netpol_port_group_name(void **state)
{
    char *n;

    (void)state;
    n = netpol_port_group_name("kube-system", "allow-dns");
    assert_string_equal("allow.dns.kube.system", n);
    free(n);
    n = netpol_port_group_name("a", "1st");
    assert_string_equal("_1st.a", n);
    free(n);
}

static void
test_netpol_pod_decode(void **state)
{
    struct world w;
    char buf[NET_ADDR_STRLEN];

    (void)state;
    world_init(&w);
    /* web: one address, one named port (the unnamed one is no name). */
    assert_int_equal(1, w.pods[0].n_addrs);
    assert_int_equal(1, w.pods[0].n_ports);
    assert_string_equal("http", w.pods[0].ports[0].name);
    assert_int_equal(8080, w.pods[0].ports[0].number);
    /* db: dual stack. */
    assert_int_equal(2, w.pods[1].n_addrs);
    net_addr_format(&w.pods[1].addrs[1], buf);
    assert_string_equal("fd00::b", buf);
    /* A "/prefix" is ignored. */
    net_addr_format(&w.pods[3].addrs[0], buf);
    assert_string_equal("10.16.0.30", buf);
    /* Not allocated: no address. */
    assert_int_equal(0, w.pods[4].n_addrs);
    assert_string_equal("web", smap_get(&w.pods[4].labels, "app"));
    world_destroy(&w);

    /* Host network: no address of its own. */
    struct json *obj =
        j("{'metadata': {'name': 'h', 'namespace': 'a',"
          " 'annotations': {'ovn.kubernetes.io/allocated':"
          " 'true', 'ovn.kubernetes.io/ip_address': '1.2.3.4'}},"
          " 'spec': {'hostNetwork': true}}");
    struct netpol_pod pod;
    netpol_pod_from_json(obj, &pod);
    assert_int_equal(0, pod.n_addrs);
    netpol_pod_destroy(&pod);
    json_destroy(obj);
}

/* ---- Computing ---- */

static void
test_netpol_deny_all_ingress(void **state)
{
    (void)state;
    /* Selected pods without an address get no port (yet). */
    expect("{'podSelector': {}}",
           "pg p.1.a\n"
           "ports: db.a web.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n");
    /* An empty rule allows everything. */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && ip\n");
}

static void
test_netpol_egress_deny(void **state)
{
    (void)state;
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'policyTypes': ['Egress']}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "from-lport 2000 drop inport == @p.1.a && ip\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == 100.64.0.0/16\n");
}

static void
test_netpol_pod_selector_peer(void **state)
{
    (void)state;
    /* Peers in the policy's namespace only: not client in b or c. */
    expect("{'podSelector': {'matchLabels': {'app': 'db'}},"
           " 'ingress': [{'from': [{'podSelector': {'matchLabels':"
           " {'app': 'web'}}}]}]}",
           "pg p.1.a\n"
           "ports: db.a\n"
           "set p.1.a.ingress.allow.0.ip4: 10.16.0.10/32\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == $p.1.a.ingress.allow.0.ip4\n");
    /* Dual-stack peers get a set per family. */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{'from': [{'podSelector': {'matchLabels':"
           " {'app': 'db'}}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "set p.1.a.ingress.allow.0.ip4: 10.16.0.11/32\n"
           "set p.1.a.ingress.allow.0.ip6: fd00::b/128\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == $p.1.a.ingress.allow.0.ip4\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip6.src == $p.1.a.ingress.allow.0.ip6\n");
    /* No peer pod: no set and no allow, the drop stands. */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{'from': [{'podSelector': {'matchLabels':"
           " {'app': 'nobody'}}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n");
}

static void
test_netpol_namespace_selector_peer(void **state)
{
    (void)state;
    /* team=red: namespaces a and c; only c has a client. */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{'from': [{'namespaceSelector': {'matchLabels':"
           " {'team': 'red'}}, 'podSelector': {'matchLabels':"
           " {'app': 'client'}}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "set p.1.a.ingress.allow.0.ip4: 10.16.0.30/32\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == $p.1.a.ingress.allow.0.ip4\n");
    /* Namespace selector alone: every pod of b. */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{'from': [{'namespaceSelector': {'matchLabels':"
           " {'team': 'blue'}}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "set p.1.a.ingress.allow.0.ip4: 10.16.0.20/32\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == $p.1.a.ingress.allow.0.ip4\n");
}

static void
test_netpol_ip_block_except(void **state)
{
    (void)state;
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'policyTypes': ['Egress'],"
           " 'egress': [{'to': [{'ipBlock': {'cidr': '10.16.0.0/16',"
           " 'except': ['10.16.0.20/32', '10.16.1.0/24', 'fd00::/8']}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "from-lport 2000 drop inport == @p.1.a && ip\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == 100.64.0.0/16\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == 10.16.0.0/16 && "
           "ip4.dst != {10.16.0.20/32, 10.16.1.0/24}\n");
}

static void
test_netpol_ports(void **state)
{
    (void)state;
    /* Port-only rule: from anywhere, to these ports. */
    expect("{'podSelector': {'matchLabels': {'app': 'db'}},"
           " 'ingress': [{'ports': [{'port': 5432}, {'protocol': 'UDP'},"
           " {'port': 100, 'endPort': 110}, {'protocol': 'SCTP',"
           " 'port': 7, 'endPort': 7}]}]}",
           "pg p.1.a\n"
           "ports: db.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && ip && "
           "(tcp.dst == 5432 || udp || (tcp.dst >= 100 && tcp.dst <= 110)"
           " || sctp.dst == 7)\n");
}

static void
test_netpol_named_ports(void **state)
{
    (void)state;
    /* Ingress: the selected pods' names; web and db call 8080 and 8081
     * "http", so both numbers open. */
    expect("{'podSelector': {}, 'ingress': [{'ports': [{'port': 'http'}]}]}",
           "pg p.1.a\n"
           "ports: db.a web.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && ip && "
           "(tcp.dst == 8080 || tcp.dst == 8081)\n");
    /* A name no selected pod has, or one of another protocol, opens
     * nothing. */
    expect("{'podSelector': {}, 'ingress': [{'ports': [{'port': 'gopher'},"
           " {'protocol': 'UDP', 'port': 'http'}]}]}",
           "pg p.1.a\n"
           "ports: db.a web.a\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n");
    /* Egress: the peers' names (db's), not the selected pod's (web's). */
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'policyTypes': ['Egress'], 'egress': [{'to': [{'podSelector':"
           " {'matchLabels': {'app': 'db'}}}], 'ports': [{'port': 'http'}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "set p.1.a.egress.allow.0.ip4: 10.16.0.11/32\n"
           "set p.1.a.egress.allow.0.ip6: fd00::b/128\n"
           "from-lport 2000 drop inport == @p.1.a && ip\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == 100.64.0.0/16\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == $p.1.a.egress.allow.0.ip4 && (tcp.dst == 8081)\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip6.dst == $p.1.a.egress.allow.0.ip6 && (tcp.dst == 8081)\n");
}

/* Several rules and both directions: each rule has its own sets. */
static void
test_netpol_both_directions(void **state)
{
    (void)state;
    expect("{'podSelector': {'matchLabels': {'app': 'web'}},"
           " 'ingress': [{'from': [{'namespaceSelector': {}}],"
           "   'ports': [{'port': 80}]},"
           "  {'from': [{'ipBlock': {'cidr': '192.168.0.0/24'}}]}],"
           " 'egress': [{'to': [{'podSelector': {'matchLabels':"
           "  {'app': 'web'}}}]}]}",
           "pg p.1.a\n"
           "ports: web.a\n"
           "set p.1.a.ingress.allow.0.ip4: 10.16.0.10/32 10.16.0.11/32 "
           "10.16.0.20/32 10.16.0.30/32\n"
           "set p.1.a.ingress.allow.0.ip6: fd00::b/128\n"
           "set p.1.a.egress.allow.0.ip4: 10.16.0.10/32\n"
           "to-lport 2000 drop outport == @p.1.a && ip\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 100.64.0.0/16\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == $p.1.a.ingress.allow.0.ip4 && (tcp.dst == 80)\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip6.src == $p.1.a.ingress.allow.0.ip6 && (tcp.dst == 80)\n"
           "to-lport 2001 allow-related outport == @p.1.a && "
           "ip4.src == 192.168.0.0/24\n"
           "from-lport 2000 drop inport == @p.1.a && ip\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == 100.64.0.0/16\n"
           "from-lport 2001 allow-related inport == @p.1.a && "
           "ip4.dst == $p.1.a.egress.allow.0.ip4\n");
}

/* A match past NETPOL_MATCH_MAX is left out with a warning, never handed
 * to OVN to refuse the whole write. */
static void
test_netpol_long_match_is_left_out(void **state)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct world w;
    struct netpol np;
    struct netpol_acls out;
    struct netpol_world nw;

    (void)state;
    ds_put_cstr(&s, "{'podSelector': {}, 'ingress': [{'from': [");
    for (int i = 0; i < NETPOL_PEERS_MAX; i++) {
        ds_put_format(&s,
                      "%s{'ipBlock': {'cidr': 'fd%02x:1234:5678:9abc::/64',"
                      " 'except': [",
                      i ? "," : "", i);
        for (int k = 0; k < NETPOL_EXCEPT_MAX; k++) {
            ds_put_format(&s, "%s'fd%02x:1234:5678:9abc:1234:5678:%x:0/112'",
                          k ? "," : "", i, k + 1);
        }
        ds_put_cstr(&s, "]}}");
    }
    ds_put_cstr(&s, "], 'ports': [");
    for (int i = 0; i < NETPOL_PORTS_MAX; i++) {
        ds_put_format(&s, "%s{'protocol': 'SCTP', 'port': %d, 'endPort': %d}",
                      i ? "," : "", 1000 + i, 2000 + i);
    }
    ds_put_cstr(&s, "]}]}");
    world_init(&w);
    nw = nworld(&w);
    parse(ds_cstr(&s), &np);
    netpol_compute(&np, &nw, &out);
    assert_int_equal(2, out.n_acls); /* The drop and the nodes' allow. */
    assert_int_equal(NETPOL_PEERS_MAX, out.warnings.n);
    assert_non_null(
        strstr(out.warnings.names[0], "spec.ingress[0]: match longer than"));
    netpol_acls_destroy(&out);
    netpol_destroy(&np);
    world_destroy(&w);
    ds_destroy(&s);
}

static void
test_netpol_set_replaces(void **state)
{
    struct crd_netpols set;
    struct netpol *np = xmalloc(sizeof *np);

    (void)state;
    crd_netpols_init(&set);
    parse("{'podSelector': {}}", np);
    crd_netpols_put(&set, "a/p-1", np);
    assert_ptr_equal(np, crd_netpols_get(&set, "a/p-1"));
    np = xmalloc(sizeof *np);
    parse("{'podSelector': {}, 'egress': [{}]}", np);
    crd_netpols_put(&set, "a/p-1", np);
    assert_true(crd_netpols_get(&set, "a/p-1")->applies[NETPOL_EGRESS]);
    crd_netpols_put(&set, "a/p-1", NULL);
    assert_null(crd_netpols_get(&set, "a/p-1"));
    crd_netpols_destroy(&set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netpol_policy_types_default),
        cmocka_unit_test(test_netpol_parses_rules),
        cmocka_unit_test(test_netpol_rejects_non_policy),
        cmocka_unit_test(test_netpol_bad_rule_is_named_and_left_out),
        cmocka_unit_test(test_netpol_limits),
        cmocka_unit_test(test_netpol_bad_pod_selector_selects_nothing),
        cmocka_unit_test(test_netpol_port_group_name),
        cmocka_unit_test(test_netpol_pod_decode),
        cmocka_unit_test(test_netpol_deny_all_ingress),
        cmocka_unit_test(test_netpol_egress_deny),
        cmocka_unit_test(test_netpol_pod_selector_peer),
        cmocka_unit_test(test_netpol_namespace_selector_peer),
        cmocka_unit_test(test_netpol_ip_block_except),
        cmocka_unit_test(test_netpol_ports),
        cmocka_unit_test(test_netpol_named_ports),
        cmocka_unit_test(test_netpol_both_directions),
        cmocka_unit_test(test_netpol_long_match_is_left_out),
        cmocka_unit_test(test_netpol_set_replaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
