/* Unit tests for the topology model (src/crd/topology.c) and its JSON and
 * DOT forms, on one built cluster holding each kind of problem: an orphan,
 * an invalid subnet, a Vpc whose deletion subnets block, a namespace with
 * no usable subnet, peerings (mutual, one-sided, to a missing Vpc), a
 * near-full subnet and stale OVN rows.  The JSON is compared with
 * tests/unit/golden/topology.json (KOVN_UPDATE_GOLDEN=1 rewrites it). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_json.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "crd/topology.h"
#include "crd/topology_dot.h"
#include "crd/topology_json.h"
#include "crd/topology_svg.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "smap.h"
#include "util.h"

static const char *golden_path;

static const char *const vpcs[] = {
    "{'metadata':{'name':'ovn-cluster'}}",
    "{'metadata':{'name':'demo'},'spec':{'namespaces':['demo-a'],"
    "'defaultSubnet':'demo-sub','vpcPeerings':[{'remoteVpc':'other',"
    "'localConnectIP':'169.254.0.1/30'},{'remoteVpc':'ghost'}]}}",
    "{'metadata':{'name':'other'},'spec':{'vpcPeerings':[{'remoteVpc':"
    "'demo','localConnectIP':'169.254.0.2/30'}]}}",
    "{'metadata':{'name':'lonely'},'spec':{'vpcPeerings':[{'remoteVpc':"
    "'other'}]}}",
    "{'metadata':{'name':'dying','deletionTimestamp':'2024-01-01T00:00:00Z',"
    "'finalizers':['kubeovn.io/kovn-controller']}}",
    "{'metadata':{'name':'waiting'},'spec':{'namespaces':['unbound-ns'],"
    "'defaultSubnet':'not-yet'}}",
};

static const char *const subnets[] = {
    "{'metadata':{'name':'ovn-default'},'spec':{'cidrBlock':'10.16.0.0/16',"
    "'default':true}}",
    "{'metadata':{'name':'demo-sub'},'spec':{'vpc':'demo','cidrBlock':"
    "'10.20.0.0/24','namespaces':['demo-a'],'gatewayType':'centralized',"
    "'gatewayNode':'node1'},'status':{'activateGateway':'node1'}}",
    "{'metadata':{'name':'sel-sub'},'spec':{'vpc':'other','cidrBlock':"
    "'10.30.0.0/28','namespaceSelectors':[{'matchLabels':{'team':'x'}}]}}",
    "{'metadata':{'name':'orphan-sub'},'spec':{'vpc':'gone-vpc','cidrBlock':"
    "'10.60.0.0/24','namespaces':['lost']}}",
    "{'metadata':{'name':'bad-sub'},'spec':{'vpc':'demo','cidrBlock':"
    "'10.40.0.0/33','namespaces':['lost']}}",
    "{'metadata':{'name':'dying-sub'},'spec':{'vpc':'dying','cidrBlock':"
    "'10.50.0.0/24'}}",
};

struct fixture {
    struct crd_model *model;
    struct topology *topology;
};

static struct crd_model *
build_model(void)
{
    struct crd_model *model = crd_model_create("ovn-cluster", "ovn-default");

    for (size_t i = 0; i < ARRAY_SIZE(vpcs); i++) {
        struct json *obj = j(vpcs[i]);
        assert_non_null(crd_model_put_vpc(model, obj));
        json_destroy(obj);
    }
    for (size_t i = 0; i < ARRAY_SIZE(subnets); i++) {
        struct json *obj = j(subnets[i]);
        assert_non_null(crd_model_put_subnet(model, obj));
        json_destroy(obj);
    }
    return model;
}

/* The facts a cluster read would add. */
static struct topology *
build_topology(const struct crd_model *model, bool ovn, const char *vpc,
               const char *ns)
{
    struct topology *topology = topology_create(model);
    struct smap labels = SMAP_INITIALIZER(&labels);

    smap_add(&labels, "team", "x");
    topology_add_namespace(topology, "default", NULL);
    topology_add_namespace(topology, "demo-a", NULL);
    topology_add_namespace(topology, "team-x", &labels);
    topology_add_namespace(topology, "lost", NULL);
    topology_add_namespace(topology, "unbound-ns", NULL);
    smap_destroy(&labels);
    topology_add_pods(topology, "demo-a", "demo-sub", "node1", 3);
    topology_add_pods(topology, "demo-a", "demo-sub", "node2", 1);
    topology_add_pods(topology, "default", "ovn-default", "node1", 2);
    topology_add_pods(topology, "demo-a", "demo-sub", "node1", 1);
    topology_add_pods(topology, "team-x", "", "", 1);
    topology_add_used(topology, "demo-sub", 5);
    topology_add_used(topology, "ovn-default", 2);
    /* 10.30.0.0/28: 16 less network, broadcast and gateway. */
    topology_add_used(topology, "sel-sub", 12);
    if (ovn) {
        topology_set_ovn_read(topology);
        topology_add_stale_row(topology, "Logical_Switch", "old", "subnet",
                               "old");
        topology_add_stale_row(topology, "Logical_Router_Port", "old-demo",
                               "subnet", "old");
        topology_add_stale_row(topology, "Logical_Switch_Port", "p.demo-a",
                               "pod", "demo-a/p");
    }
    topology_build(topology, vpc, ns);
    return topology;
}

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);

    f->model = build_model();
    f->topology = build_topology(f->model, true, NULL, NULL);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    topology_destroy(f->topology);
    crd_model_destroy(f->model);
    free(f);
    return 0;
}

/* Whether 'problems' has exactly one problem, 'reason', whose message
 * contains 'text'. */
static void
assert_problem(const struct topology_problems *problems, const char *reason,
               const char *text)
{
    for (size_t i = 0; i < problems->n; i++) {
        if (!strcmp(problems->items[i].reason, reason)) {
            if (!strstr(problems->items[i].message, text)) {
                fail_msg("%s: \"%s\" lacks \"%s\"", reason,
                         problems->items[i].message, text);
            }
            return;
        }
    }
    fail_msg("no problem %s", reason);
}

static void
test_topology_marks_orphan_and_its_missing_vpc(void **state)
{
    struct fixture *f = *state;
    const struct topology_subnet *orphan =
        topology_find_subnet(f->topology, "orphan-sub");
    const struct topology_vpc *gone =
        topology_find_vpc(f->topology, "gone-vpc");

    assert_int_equal(orphan->state, SUBNET_VPC_NOT_FOUND);
    assert_problem(&orphan->problems, "VpcNotFound", "Vpc gone-vpc");
    assert_non_null(gone);
    assert_true(gone->missing);
    assert_null(gone->vpc);
    assert_int_equal(gone->n_subnets, 1);
    assert_string_equal(gone->subnets[0], "orphan-sub");
    assert_int_equal(gone->problems.n, 0);
}

static void
test_topology_marks_invalid_subnet_with_its_error(void **state)
{
    struct fixture *f = *state;
    const struct topology_subnet *bad =
        topology_find_subnet(f->topology, "bad-sub");

    assert_int_equal(bad->state, SUBNET_INVALID);
    assert_problem(&bad->problems, "InvalidSpec", bad->subnet->error);
    assert_true(bad->usable == 0);
}

static void
test_topology_vpc_deletion_blocked_by_subnets(void **state)
{
    struct fixture *f = *state;
    const struct topology_vpc *dying = topology_find_vpc(f->topology, "dying");

    assert_problem(&dying->problems, "SubnetsExist",
                   "blocked by subnets: dying-sub");
    assert_int_equal(topology_find_vpc(f->topology, "demo")->n_subnets, 2);
}

static void
test_topology_namespace_bindings_and_unbound(void **state)
{
    struct fixture *f = *state;
    const struct topology_namespace *ns;

    ns = topology_find_namespace(f->topology, "unbound-ns");
    assert_int_equal(ns->n_bindings, 0);
    assert_problem(&ns->problems, "NoUsableSubnet",
                   "defaultSubnet not-yet does not exist");

    /* Set aside both of its subnets, then the cluster default. */
    ns = topology_find_namespace(f->topology, "lost");
    assert_int_equal(ns->n_bindings, 1);
    assert_string_equal(ns->bindings[0].subnet, "ovn-default");
    assert_int_equal(ns->bindings[0].bound_by, TOPOLOGY_BOUND_CLUSTER_DEFAULT);
    assert_int_equal(ns->n_skipped, 2);
    assert_int_equal(ns->problems.n, 0);

    ns = topology_find_namespace(f->topology, "demo-a");
    assert_int_equal(ns->n_bindings, 1);
    assert_int_equal(ns->bindings[0].bound_by, TOPOLOGY_BOUND_NAMESPACES);
    assert_int_equal(ns->n_pods, 2);
    assert_string_equal(ns->pods[0].node, "node1");
    assert_int_equal(ns->pods[0].n, 4);

    ns = topology_find_namespace(f->topology, "team-x");
    assert_string_equal(ns->bindings[0].subnet, "sel-sub");
    assert_int_equal(ns->bindings[0].bound_by, TOPOLOGY_BOUND_SELECTOR);
}

static void
test_topology_peerings(void **state)
{
    struct fixture *f = *state;
    const struct topology_vpc *demo = topology_find_vpc(f->topology, "demo");
    const struct topology_vpc *lonely =
        topology_find_vpc(f->topology, "lonely");

    assert_int_equal(demo->n_peerings, 2);
    assert_string_equal(demo->peerings[0].remote_vpc, "other");
    assert_null(demo->peerings[0].problem);
    assert_string_equal(demo->peerings[1].problem, "PeerVpcNotFound");
    assert_problem(&demo->problems, "PeerVpcNotFound", "ghost");
    assert_problem(&lonely->problems, "PeeringNotMutual",
                   "other does not list lonely");
}

static void
test_topology_near_full_subnet(void **state)
{
    struct fixture *f = *state;
    const struct topology_subnet *sel =
        topology_find_subnet(f->topology, "sel-sub");
    const struct topology_subnet *demo =
        topology_find_subnet(f->topology, "demo-sub");

    assert_true(sel->usable == 13);
    assert_problem(&sel->problems, "NearFull", "12 of 13");
    assert_int_equal(demo->problems.n, 0);
    assert_string_equal(demo->subnet->active_gateway, "node1");
}

static void
test_topology_stale_rows_by_owner(void **state)
{
    struct fixture *f = *state;
    const struct topology_stale_owner *owners;
    struct topology *no_ovn;
    size_t n;

    owners = topology_stale_owners(f->topology, &n);
    assert_int_equal(n, 2);
    assert_string_equal(owners[0].kind, "pod");
    assert_string_equal(owners[1].name, "old");
    assert_int_equal(owners[1].n_rows, 2);
    assert_problem(&owners[1].problems, "StaleOvnRows", "2 OVN rows");

    no_ovn = build_topology(f->model, false, NULL, NULL);
    assert_null(topology_stale_owners(no_ovn, &n));
    assert_false(topology_ovn_read(no_ovn));
    topology_destroy(no_ovn);
}

static void
test_topology_filters(void **state)
{
    struct fixture *f = *state;
    struct topology *t;
    size_t n;

    t = build_topology(f->model, true, "demo", NULL);
    topology_vpcs(t, &n);
    assert_int_equal(n, 1);
    topology_subnets(t, &n);
    assert_int_equal(n, 2); /* demo-sub, bad-sub */
    assert_non_null(topology_find_namespace(t, "demo-a"));
    /* bad-sub was set aside in lost. */
    assert_non_null(topology_find_namespace(t, "lost"));
    assert_null(topology_find_namespace(t, "default"));
    topology_stale_owners(t, &n);
    assert_int_equal(n, 0);
    topology_destroy(t);

    t = build_topology(f->model, true, NULL, "lost");
    topology_namespaces(t, &n);
    assert_int_equal(n, 1);
    topology_subnets(t, &n);
    assert_int_equal(n, 3); /* bad-sub, orphan-sub, ovn-default */
    assert_non_null(topology_find_vpc(t, "gone-vpc"));
    assert_null(topology_find_vpc(t, "other"));
    topology_destroy(t);
}

static void
test_topology_json_matches_golden(void **state)
{
    struct fixture *f = *state;
    struct json *json = topology_to_json(f->topology);
    char *text = json_to_string(json, JSSF_PRETTY | JSSF_SORT);
    struct ds want = DS_EMPTY_INITIALIZER;
    FILE *file;

    assert_non_null(golden_path);
    if (getenv("KOVN_UPDATE_GOLDEN")) {
        file = fopen(golden_path, "w");
        assert_non_null(file);
        fprintf(file, "%s\n", text);
        fclose(file);
    }
    file = fopen(golden_path, "r");
    assert_non_null(file);
    for (int c; (c = getc(file)) != EOF;) {
        ds_put_char(&want, c);
    }
    fclose(file);
    ds_chomp(&want, '\n');
    assert_string_equal(text, ds_cstr(&want));
    ds_destroy(&want);
    free(text);
    json_destroy(json);
}

static void
test_topology_dot_marks_problems_red(void **state)
{
    struct fixture *f = *state;
    struct ds dot = DS_EMPTY_INITIALIZER;
    const char *s;

    topology_to_dot(f->topology, &dot);
    s = ds_cstr(&dot);
    assert_non_null(
        strstr(s, "\"subnet/orphan-sub\" [id=\"subnet/orphan-sub\""));
    assert_non_null(strstr(s, "[VpcNotFound]\", color=\"#d62728\""));
    assert_non_null(strstr(s, "tooltip=\"VpcNotFound: spec.vpc names Vpc "
                              "gone-vpc"));
    assert_non_null(strstr(s, "\"vpc/gone-vpc\" -> \"subnet/orphan-sub\""));
    /* The mutual peering once, the one-sided one in red. */
    assert_non_null(strstr(s, "\"vpc/demo\" -> \"vpc/other\" [style=dashed, "
                              "dir=both"));
    assert_null(strstr(s, "\"vpc/other\" -> \"vpc/demo\""));
    assert_non_null(strstr(s, "\"vpc/lonely\" -> \"vpc/other\" [style=dashed, "
                              "color=\"#d62728\""));
    assert_non_null(strstr(s, "label=\"set aside: InvalidSpec\""));
    ds_destroy(&dot);
}

/* Graphviz lays the DOT out into well-formed SVG with one node per Vpc
 * (placeholders included), Subnet, namespace and stale owner. */
static void
test_topology_svg_is_xml_with_one_node_per_object(void **state)
{
    struct fixture *f = *state;
    struct ds dot = DS_EMPTY_INITIALIZER, svg = DS_EMPTY_INITIALIZER;
    size_t n_vpcs, n_subnets, n_nss, n_stale;
    xmlXPathContextPtr xpath;
    xmlXPathObjectPtr nodes;
    xmlDocPtr doc;

    topology_vpcs(f->topology, &n_vpcs);
    topology_subnets(f->topology, &n_subnets);
    topology_namespaces(f->topology, &n_nss);
    topology_stale_owners(f->topology, &n_stale);
    topology_to_dot(f->topology, &dot);
    assert_int_equal(topology_svg_render(ds_cstr(&dot), &svg, NULL), 0);
    doc = xmlReadMemory(svg.string, svg.length, "topology.svg", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    xpath = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(xpath, BAD_CAST "s",
                       BAD_CAST "http://www.w3.org/2000/svg");
    nodes = xmlXPathEvalExpression(BAD_CAST "//s:g[@class='node']", xpath);
    assert_non_null(nodes);
    assert_int_equal(xmlXPathNodeSetGetLength(nodes->nodesetval),
                     n_vpcs + n_subnets + n_nss + n_stale);
    xmlXPathFreeObject(nodes);
    nodes = xmlXPathEvalExpression(BAD_CAST "//s:g[@id='subnet/orphan-sub']",
                                   xpath);
    assert_int_equal(xmlXPathNodeSetGetLength(nodes->nodesetval), 1);
    xmlXPathFreeObject(nodes);
    xmlXPathFreeContext(xpath);
    xmlFreeDoc(doc);

    /* Again, as kovn-controller's /ui renders every change: the same
     * picture from the process's one Graphviz context. */
    {
        struct ds again = DS_EMPTY_INITIALIZER;

        assert_int_equal(topology_svg_render(ds_cstr(&dot), &again, NULL), 0);
        assert_string_equal(ds_cstr(&again), ds_cstr(&svg));
        ds_destroy(&again);
    }
    ds_destroy(&dot);
    ds_destroy(&svg);
}

int
main(int argc, char *argv[])
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topology_marks_orphan_and_its_missing_vpc),
        cmocka_unit_test(test_topology_marks_invalid_subnet_with_its_error),
        cmocka_unit_test(test_topology_vpc_deletion_blocked_by_subnets),
        cmocka_unit_test(test_topology_namespace_bindings_and_unbound),
        cmocka_unit_test(test_topology_peerings),
        cmocka_unit_test(test_topology_near_full_subnet),
        cmocka_unit_test(test_topology_stale_rows_by_owner),
        cmocka_unit_test(test_topology_filters),
        cmocka_unit_test(test_topology_json_matches_golden),
        cmocka_unit_test(test_topology_dot_marks_problems_red),
        cmocka_unit_test(test_topology_svg_is_xml_with_one_node_per_object),
    };

    golden_path = argc > 1 ? argv[1] : NULL;
    return cmocka_run_group_tests(tests, setup, teardown);
}
