/* Which of Kube-OVN's NB rows kovn adopts, and which it leaves or reports
 * (ovn_adopt_judge()): the decision kovn-controller --adopt-kube-ovn acts
 * on and kubectl kovn check --kube-ovn reports. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ovn/adopt.h"
#include "smap.h"
#include "sset.h"

/* Owners that exist, as "kind=name". */
static struct sset existing;

static bool
exists(const struct ovn_owner *owner, void *aux)
{
    char *key = xasprintf("%s=%s", owner->kind, owner->name);
    bool found = sset_contains(aux, key);

    free(key);
    return found;
}

struct verdict {
    enum ovn_adopt_verdict verdict;
    const char *kind;
    char *owner;
    char *why;
};

static struct verdict
judge(const char *table, const char *name, const char *type,
      const char *parent, const char *pod, bool duplicate)
{
    struct smap ids = SMAP_INITIALIZER(&ids);
    struct verdict v;

    smap_add(&ids, "vendor", "kube-ovn");
    if (pod) {
        smap_add(&ids, "pod", pod);
    }
    struct ovn_adopt_input in = {table, name, type, parent, &ids, duplicate};
    v.verdict = ovn_adopt_judge(&in, "ovn-cluster", exists, &existing, &v.kind,
                                &v.owner, &v.why);
    smap_destroy(&ids);
    return v;
}

static void
expect(struct verdict v, enum ovn_adopt_verdict verdict, const char *kind,
       const char *owner)
{
    assert_int_equal(v.verdict, verdict);
    if (kind) {
        assert_string_equal(v.kind, kind);
        assert_string_equal(v.owner, owner);
    } else {
        assert_null(v.kind);
        assert_null(v.owner);
    }
    assert_non_null(v.why);
    free(v.owner);
    free(v.why);
}

static int
setup(void **state)
{
    (void)state;
    sset_init(&existing);
    sset_add(&existing, "kovn-vpc=ovn-cluster");
    sset_add(&existing, "kovn-vpc=my-vpc");
    sset_add(&existing, "kovn-subnet=ovn-default");
    sset_add(&existing, "kovn-subnet=net-1");
    sset_add(&existing, "kovn-subnet=join");
    sset_add(&existing, "kovn-pod=default/web-0");
    sset_add(&existing, "kovn-pod=default/web.v2-0");
    sset_add(&existing, "kovn-node=node-1");
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    sset_destroy(&existing);
    return 0;
}

static void
test_adopt_routers_and_switches_of_existing_objects(void **state)
{
    (void)state;
    expect(judge("Logical_Router", "my-vpc", "", "", NULL, false), OVN_ADOPT,
           OVN_OWNER_VPC, "my-vpc");
    expect(judge("Logical_Switch", "net-1", "", "", NULL, false), OVN_ADOPT,
           OVN_OWNER_SUBNET, "net-1");
}

/* Port pairs are read through their parent: a subnet or VPC name with a
 * dash splits the right way. */
static void
test_adopt_router_port_pair_by_parent(void **state)
{
    (void)state;
    expect(judge("Logical_Router_Port", "my-vpc-net-1", "", "my-vpc", NULL,
                 false),
           OVN_ADOPT, OVN_OWNER_SUBNET, "net-1");
    expect(judge("Logical_Switch_Port", "net-1-my-vpc", "router", "net-1",
                 NULL, false),
           OVN_ADOPT, OVN_OWNER_SUBNET, "net-1");
    expect(judge("Logical_Router_Port", "ovn-cluster-join", "", "ovn-cluster",
                 NULL, false),
           OVN_ADOPT, OVN_OWNER_SUBNET, "join");
    /* Not "<router>-...": kovn cannot tell whose it is. */
    expect(judge("Logical_Router_Port", "lrp-0a1b", "", "my-vpc", NULL, false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Router_Port", "my-vpc-", "", "my-vpc", NULL, false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
}

static void
test_adopt_pod_port_by_pod_key(void **state)
{
    (void)state;
    expect(judge("Logical_Switch_Port", "web-0.default", "", "ovn-default",
                 "default/web-0", false),
           OVN_ADOPT, OVN_OWNER_POD, "default/web-0");
    /* Pod names may hold dots; the key says where the namespace is. */
    expect(judge("Logical_Switch_Port", "web.v2-0.default", "", "ovn-default",
                 "default/web.v2-0", false),
           OVN_ADOPT, OVN_OWNER_POD, "default/web.v2-0");
}

static void
test_stale_pod_and_node_ports_are_adopted_for_the_sweep(void **state)
{
    (void)state;
    expect(judge("Logical_Switch_Port", "gone-0.default", "", "ovn-default",
                 "default/gone-0", false),
           OVN_ADOPT_STALE, OVN_OWNER_POD, "default/gone-0");
    expect(judge("Logical_Switch_Port", "node-old", "", "join", NULL, false),
           OVN_ADOPT_STALE, OVN_OWNER_NODE, "old");
    expect(
        judge("Logical_Switch_Port", "node-node-1", "", "join", NULL, false),
        OVN_ADOPT, OVN_OWNER_NODE, "node-1");
}

/* Rows of a missing Vpc or Subnet are reported, never adopted: Kube-OVN
 * has switches no Subnet names, and kovn's sweep would delete them. */
static void
test_orphan_switches_and_routers_are_left_alone(void **state)
{
    (void)state;
    expect(judge("Logical_Switch", "external", "", "", NULL, false),
           OVN_ADOPT_ORPHAN, OVN_OWNER_SUBNET, "external");
    expect(judge("Logical_Router", "gone-vpc", "", "", NULL, false),
           OVN_ADOPT_ORPHAN, OVN_OWNER_VPC, "gone-vpc");
    expect(
        judge("Logical_Router_Port", "my-vpc-gone", "", "my-vpc", NULL, false),
        OVN_ADOPT_ORPHAN, OVN_OWNER_SUBNET, "gone");
}

static void
test_duplicate_names_conflict(void **state)
{
    (void)state;
    expect(judge("Logical_Switch", "net-1", "", "", NULL, true),
           OVN_ADOPT_CONFLICT, OVN_OWNER_SUBNET, "net-1");
    expect(judge("Logical_Router", "ovn-cluster", "", "", NULL, true),
           OVN_ADOPT_CONFLICT, OVN_OWNER_VPC, "ovn-cluster");
}

/* Attachment ports, typed ports and unknown names are Kube-OVN's. */
static void
test_foreign_ports_are_left_alone(void **state)
{
    (void)state;
    expect(judge("Logical_Switch_Port", "web-0.default.attach.kube-system", "",
                 "net-1", "default/web-0", false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch_Port", "localnet.net-1", "localnet", "net-1",
                 NULL, false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(
        judge("Logical_Switch_Port", "vip-1", "virtual", "net-1", NULL, false),
        OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch_Port", "net-1-other", "router", "net-2", NULL,
                 false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch_Port", "mystery", "", "net-1", NULL, false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch_Port", "web-0.default", "", "net-1",
                 "default/", false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch_Port", "web-0.default", "", "net-1", "a/b/c",
                 false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
    expect(judge("Logical_Switch", "", "", "", NULL, false), OVN_ADOPT_FOREIGN,
           NULL, NULL);
    expect(judge("ACL", "x", "", "", NULL, false), OVN_ADOPT_FOREIGN, NULL,
           NULL);
}

static void
test_cluster_load_balancers_belong_to_the_default_vpc(void **state)
{
    (void)state;
    expect(judge("Load_Balancer", "cluster-tcp-loadbalancer", "", "", NULL,
                 false),
           OVN_ADOPT, OVN_OWNER_VPC, "ovn-cluster");
    expect(judge("Load_Balancer", "cluster-udp-session-loadbalancer", "", "",
                 NULL, false),
           OVN_ADOPT, OVN_OWNER_VPC, "ovn-cluster");
    /* A custom VPC's: kovn gives custom VPCs no load balancers. */
    expect(judge("Load_Balancer", "vpc-my-vpc-tcp-load", "", "", NULL, false),
           OVN_ADOPT_FOREIGN, NULL, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adopt_routers_and_switches_of_existing_objects),
        cmocka_unit_test(test_adopt_router_port_pair_by_parent),
        cmocka_unit_test(test_adopt_pod_port_by_pod_key),
        cmocka_unit_test(
            test_stale_pod_and_node_ports_are_adopted_for_the_sweep),
        cmocka_unit_test(test_orphan_switches_and_routers_are_left_alone),
        cmocka_unit_test(test_duplicate_names_conflict),
        cmocka_unit_test(test_foreign_ports_are_left_alone),
        cmocka_unit_test(
            test_cluster_load_balancers_belong_to_the_default_vpc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
