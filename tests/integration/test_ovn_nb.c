/* Integration tests for src/ovn against real ovsdb-server and ovn-northd
 * processes (standalone and 3-member Raft). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/acl.h"
#include "ovn/dhcp.h"
#include "ovn/lb.h"
#include "ovn/nb.h"
#include "ovn/router.h"
#include "ovn/stale.h"
#include "ovn/switch.h"
#include "ovn_sandbox.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

#define TIMEOUT_MS 30000

static struct ovn_sandbox sandbox;

static struct net_cidr
cidr(const char *s, enum net_cidr_mode mode)
{
    struct net_cidr c;

    assert_int_equal(net_cidr_parse(s, mode, &c, NULL), 0);
    return c;
}

static struct net_mac
mac(const char *s)
{
    struct net_mac m;

    assert_int_equal(net_mac_parse(s, &m, NULL), 0);
    return m;
}

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    assert_int_equal(net_addr_parse(s, &a, NULL), 0);
    return a;
}

/* Waits up to 10 s for a shell command's output to contain 'needle'. */
static bool
eventually_contains(const char *needle, const char *fmt, const char *arg)
{
    for (int i = 0; i < 100; i++) {
        char *out = sandbox_run(fmt, arg);
        bool found = out && strstr(out, needle);

        free(out);
        if (found) {
            return true;
        }
        usleep(100 * 1000);
    }
    return false;
}

static int
count_lines_matching(const char *needle, const char *out)
{
    int n = 0;

    for (const char *p = out; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    return n;
}

/* A VPC with one subnet and one pod port, as the controller will write. */
struct topology {
    const char *router;
    const char *switch_name;
    const char *subnet_owner;
    const char *port;
};

static int
build_topology(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux_,
               struct kovn_error *err)
{
    const struct topology *t = aux_;
    struct ovn_owner vpc = {OVN_OWNER_VPC, t->router};
    struct ovn_owner subnet = {OVN_OWNER_SUBNET, t->subnet_owner};
    struct ovn_owner pod = {OVN_OWNER_POD, "default/pod1"};
    struct net_cidr v4 = cidr("10.16.0.0/16", NET_CIDR_NETWORK);
    struct net_cidr v6 = cidr("fd00:10:16::/64", NET_CIDR_NETWORK);
    struct net_cidr gw[2] = {cidr("10.16.0.1/16", NET_CIDR_INTERFACE),
                             cidr("fd00:10:16::1/64", NET_CIDR_INTERFACE)};
    struct net_range_list exclude;
    struct net_mac router_mac = mac("0a:58:0a:10:00:01");
    struct net_mac pod_mac = mac("0a:58:0a:10:00:05");
    struct net_addr pod_ips[2] = {addr("10.16.0.5"), addr("fd00:10:16::5")};
    int error = 0;

    net_range_list_init(&exclude);
    assert_int_equal(net_range_list_parse("10.16.0.1,10.16.0.100..10.16.0.110",
                                          ',', &exclude, NULL),
                     0);
    struct ovn_switch_spec ls = {.name = t->switch_name,
                                 .subnet = &v4,
                                 .ipv6_prefix = &v6,
                                 .exclude_ips = &exclude};
    struct ovn_router_port_pair_spec pair = {.router_name = t->router,
                                             .switch_name = t->switch_name,
                                             .mac = &router_mac,
                                             .networks = gw,
                                             .n_networks = 2};
    struct ovn_switch_port_spec port = {.name = t->port,
                                        .switch_name = t->switch_name,
                                        .mac = &pod_mac,
                                        .ips = pod_ips,
                                        .n_ips = 2,
                                        .port_security = true};

    if (!ovn_router_ensure(nb, txn, t->router, &vpc, err) ||
        !ovn_switch_ensure(nb, txn, &ls, &subnet, err)) {
        error = err->code;
    } else {
        error = ovn_router_port_pair_ensure(nb, txn, &pair, &subnet, err);
    }
    if (!error && !ovn_switch_port_ensure(nb, txn, &port, &pod, err)) {
        error = err->code;
    }
    net_range_list_destroy(&exclude);
    return error;
}

static void
test_ensure_creates_topology_that_northd_turns_into_datapaths(void **state)
{
    struct topology t = {"vpc1", "subnet1", "subnet1", "pod1.default"};
    struct kovn_error err = {0};
    enum ovn_txn_outcome outcome;
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    char *show;

    (void)state;
    if (ovn_nb_transact(nb, build_topology, &t, TIMEOUT_MS, &outcome, &err)) {
        fail_msg("transact: %s", err.msg);
    }
    assert_int_equal(outcome, OVN_TXN_CHANGED);

    show = sandbox_run("ovn-nbctl --db=%s show", sandbox.nb_unix);
    assert_non_null(show);
    assert_non_null(strstr(show, "switch"));
    assert_non_null(strstr(show, "(subnet1)"));
    assert_non_null(strstr(show, "port subnet1-vpc1"));
    assert_non_null(strstr(show, "router-port: vpc1-subnet1"));
    assert_non_null(strstr(show, "port pod1.default"));
    assert_non_null(strstr(show, "addresses: [\"0a:58:0a:10:00:05 10.16.0.5 "
                                 "fd00:10:16::5\"]"));
    assert_non_null(strstr(show, "router"));
    assert_non_null(strstr(show, "(vpc1)"));
    assert_non_null(strstr(show, "port vpc1-subnet1"));
    assert_non_null(strstr(show, "networks: [\"10.16.0.1/16\", "
                                 "\"fd00:10:16::1/64\"]"));
    free(show);

    char *config = sandbox_run("ovn-nbctl --db=%s get Logical_Switch subnet1 "
                               "other_config",
                               sandbox.nb_unix);
    assert_non_null(config);
    assert_non_null(strstr(config, "subnet=\"10.16.0.0/16\""));
    assert_non_null(strstr(config, "ipv6_prefix=\"fd00:10:16::\""));
    assert_non_null(
        strstr(config, "exclude_ips=\"10.16.0.1 10.16.0.100..10.16.0.110\""));
    free(config);

    assert_true(eventually_contains("name=subnet1",
                                    "ovn-sbctl --db=%s --no-leader-only "
                                    "--columns=external_ids list "
                                    "Datapath_Binding",
                                    sandbox.sb_remote));
    assert_true(eventually_contains("name=vpc1",
                                    "ovn-sbctl --db=%s --no-leader-only "
                                    "--columns=external_ids list "
                                    "Datapath_Binding",
                                    sandbox.sb_remote));
    assert_true(eventually_contains("pod1.default",
                                    "ovn-sbctl --db=%s --no-leader-only "
                                    "--columns=logical_port list "
                                    "Port_Binding",
                                    sandbox.sb_remote));
    ovn_nb_destroy(nb);
}

static void
test_ensure_twice_sends_no_transaction(void **state)
{
    struct topology t = {"vpc2", "subnet2", "subnet2", "pod2.default"};
    struct kovn_error err = {0};
    enum ovn_txn_outcome outcome;
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    unsigned long long sent;
    char *list;

    (void)state;
    assert_int_equal(
        ovn_nb_transact(nb, build_topology, &t, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    sent = nb->n_txns_sent;

    /* Same desired state, also from a fresh connection (fresh replica). */
    assert_int_equal(
        ovn_nb_transact(nb, build_topology, &t, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    assert_true(nb->n_txns_sent == sent);
    ovn_nb_destroy(nb);
    nb = ovn_nb_create(sandbox.nb_remote);
    assert_int_equal(
        ovn_nb_transact(nb, build_topology, &t, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    assert_true(nb->n_txns_sent == 0);

    list = sandbox_run("ovn-nbctl --db=%s --columns=name list "
                       "Logical_Switch subnet2 && "
                       "ovn-nbctl --db=%s --columns=name find Logical_Switch "
                       "name=subnet2; ovn-nbctl --db=%s --columns=name find "
                       "Logical_Router name=vpc2; ovn-nbctl --db=%s "
                       "--columns=name find Logical_Router_Port "
                       "name=vpc2-subnet2; ovn-nbctl --db=%s --columns=name "
                       "find Logical_Switch_Port name=pod2.default",
                       sandbox.nb_unix, sandbox.nb_unix, sandbox.nb_unix,
                       sandbox.nb_unix, sandbox.nb_unix);
    assert_non_null(list);
    /* "list" prints subnet2 once, each "find" once more. */
    assert_int_equal(count_lines_matching("\"subnet2\"", list) +
                         count_lines_matching(": subnet2\n", list),
                     2);
    assert_int_equal(count_lines_matching("vpc2\n", list), 1);
    assert_int_equal(count_lines_matching("vpc2-subnet2", list), 1);
    assert_int_equal(count_lines_matching("pod2.default", list), 1);
    free(list);
    ovn_nb_destroy(nb);
}

/* A port an earlier build left in switch "move-a", tagged with the legacy
 * external_ids:ls key, ensured on "move-b": it leaves "move-a", joins
 * "move-b" and loses the key; ensuring it again changes nothing. */
static int
build_moved_port(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
                 struct kovn_error *err)
{
    struct ovn_owner pod = {OVN_OWNER_POD, "default/mover"};
    struct ovn_owner subnet = {OVN_OWNER_SUBNET, "move-b"};
    struct ovn_switch_spec ls = {.name = "move-b"};
    struct net_mac pod_mac = mac("0a:58:0a:11:00:05");
    struct net_addr ip = addr("10.17.0.5");
    struct ovn_switch_port_spec port = {.name = "mover.default",
                                        .switch_name = "move-b",
                                        .mac = &pod_mac,
                                        .ips = &ip,
                                        .n_ips = 1,
                                        .port_security = true};

    (void)aux;
    if (!ovn_switch_ensure(nb, txn, &ls, &subnet, err) ||
        !ovn_switch_port_ensure(nb, txn, &port, &pod, err)) {
        return err->code;
    }
    return 0;
}

static void
test_moved_port_changes_switch_and_drops_legacy_key(void **state)
{
    struct kovn_error err = {0};
    enum ovn_txn_outcome outcome;
    struct ovn_nb *nb;
    char *out;

    (void)state;
    out = sandbox_run(
        "ovn-nbctl --db=%s ls-add move-a -- set logical_switch move-a "
        "external_ids:vendor=kovn external_ids:kovn-subnet=move-a -- "
        "lsp-add move-a mover.default -- "
        "lsp-set-addresses mover.default '0a:58:0a:11:00:05 10.17.0.5' -- "
        "set logical_switch_port mover.default external_ids:vendor=kovn "
        "external_ids:kovn-pod=default/mover external_ids:ls=move-a",
        sandbox.nb_unix);
    assert_non_null(out);
    free(out);

    nb = ovn_nb_create(sandbox.nb_remote);
    assert_int_equal(ovn_nb_transact(nb, build_moved_port, NULL, TIMEOUT_MS,
                                     &outcome, &err),
                     0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    out = sandbox_run("ovn-nbctl --db=%s lsp-list move-a; echo =; "
                      "ovn-nbctl --db=%s lsp-list move-b; echo =; "
                      "ovn-nbctl --db=%s get logical_switch_port "
                      "mover.default external_ids",
                      sandbox.nb_unix, sandbox.nb_unix, sandbox.nb_unix);
    assert_non_null(out);
    /* move-a lists nothing, move-b the port, whose ids lack ls. */
    assert_true(!strncmp(out, "=\n", 2));
    assert_non_null(strstr(out, "(mover.default)\n=\n"));
    assert_null(strstr(out, "ls="));
    assert_non_null(strstr(out, "vendor=kovn"));
    free(out);

    assert_int_equal(ovn_nb_transact(nb, build_moved_port, NULL, TIMEOUT_MS,
                                     &outcome, &err),
                     0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    ovn_nb_destroy(nb);
}

/* Owner existence as the controller would report it: the subnets listed in
 * 'gone' were deleted, every other owner still exists. */
static bool
owner_exists(const struct ovn_owner *owner, void *aux)
{
    const char *const *gone = aux;

    if (strcmp(owner->kind, OVN_OWNER_SUBNET)) {
        return true;
    }
    for (; *gone; gone++) {
        if (!strcmp(*gone, owner->name)) {
            return false;
        }
    }
    return true;
}

struct stale_setup {
    const char *names[2];
};

static int
build_two_switches(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux_,
                   struct kovn_error *err)
{
    const struct stale_setup *setup = aux_;

    for (int i = 0; i < 2; i++) {
        struct ovn_owner owner = {OVN_OWNER_SUBNET, setup->names[i]};
        struct ovn_switch_spec ls = {.name = setup->names[i]};

        if (!ovn_switch_ensure(nb, txn, &ls, &owner, err)) {
            return err->code;
        }
    }
    return 0;
}

static int
build_delete_stale(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
                   struct kovn_error *err)
{
    (void)err;
    ovn_delete_stale(nb, txn, aux);
    return 0;
}

static void
test_stale_listing_finds_only_orphaned_kovn_rows(void **state)
{
    struct stale_setup setup = {{"live-subnet", "gone-subnet"}};
    const char *gone[] = {"gone-subnet", NULL};
    struct ovn_stale_list stale = {0};
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    char *out;

    (void)state;
    /* A foreign switch whose keys look like ours but lack vendor=kovn, and
     * one with no external_ids at all. */
    out = sandbox_run("ovn-nbctl --db=%s ls-add foreign -- set "
                      "Logical_Switch foreign "
                      "external_ids:kovn-subnet=gone-subnet && "
                      "ovn-nbctl --db=%s ls-add bare",
                      sandbox.nb_unix, sandbox.nb_unix);
    assert_non_null(out);
    free(out);
    assert_int_equal(ovn_nb_transact(nb, build_two_switches, &setup,
                                     TIMEOUT_MS, NULL, &err),
                     0);

    ovn_list_stale(nb, owner_exists, gone, &stale);
    assert_int_equal(stale.n, 1);
    assert_string_equal(stale.rows[0].table, "Logical_Switch");
    assert_string_equal(stale.rows[0].name, "gone-subnet");
    assert_string_equal(stale.rows[0].owner_kind, OVN_OWNER_SUBNET);
    assert_string_equal(stale.rows[0].owner_name, "gone-subnet");

    assert_int_equal(ovn_nb_transact(nb, build_delete_stale, &stale,
                                     TIMEOUT_MS, NULL, &err),
                     0);
    ovn_stale_list_destroy(&stale);
    out = sandbox_run("ovn-nbctl --db=%s ls-list", sandbox.nb_unix);
    assert_non_null(out);
    assert_null(strstr(out, "gone-subnet"));
    assert_non_null(strstr(out, "(live-subnet)"));
    assert_non_null(strstr(out, "(foreign)"));
    assert_non_null(strstr(out, "(bare)"));
    free(out);
    ovn_nb_destroy(nb);
}

struct bad_input {
    const char *switch_name;
    const char *port_name;
    const char *port_switch;
    const char *mac;
};

static int
build_bad(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux_,
          struct kovn_error *err)
{
    const struct bad_input *in = aux_;
    struct ovn_owner owner = {OVN_OWNER_SUBNET, "bad"};

    if (in->switch_name) {
        struct ovn_switch_spec ls = {.name = in->switch_name};

        return ovn_switch_ensure(nb, txn, &ls, &owner, err) ? 0 : err->code;
    }
    struct net_mac m = mac(in->mac);
    struct ovn_switch_port_spec port = {
        .name = in->port_name, .switch_name = in->port_switch, .mac = &m};
    return ovn_switch_port_ensure(nb, txn, &port, &owner, err) ? 0 : err->code;
}

static void
assert_bad(struct ovn_nb *nb, const struct bad_input *in, int code,
           const char *message)
{
    struct kovn_error err = {0};

    assert_int_equal(
        ovn_nb_transact(nb, build_bad, (void *)in, TIMEOUT_MS, NULL, &err),
        code);
    if (!strstr(err.msg, message)) {
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
    }
}

/* Runs 'nb' until its replica has the switch 'name' (written by someone
 * else), up to 10 s. */
static bool
replica_has_switch(struct ovn_nb *nb, const char *name)
{
    long long deadline = time_msec() + 10 * 1000;

    for (;;) {
        ovn_nb_run(nb);
        if (ovn_switch_find(nb, name)) {
            return true;
        }
        if (time_msec() >= deadline) {
            return false;
        }
        ovn_nb_wait(nb);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static void
test_bad_input_is_an_error_naming_row_and_field(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    char *out;

    (void)state;
    assert_bad(nb, &(struct bad_input){.switch_name = "bad name\""}, -EINVAL,
               "Logical_Switch \"bad name\"\": name: character 0x20");
    assert_bad(nb, &(struct bad_input){.switch_name = ""}, -EINVAL,
               "Logical_Switch: empty name");
    assert_bad(nb,
               &(struct bad_input){.port_name = "p1",
                                   .port_switch = "no-such-switch",
                                   .mac = "0a:00:00:00:00:01"},
               -ENOENT,
               "Logical_Switch_Port \"p1\": switch \"no-such-switch\" does "
               "not exist");
    /* A row kovn does not own is never modified. */
    out = sandbox_run("ovn-nbctl --db=%s ls-add theirs", sandbox.nb_unix);
    free(out);
    /* Else, on a busy machine, the transaction can be built before the
     * replica has seen the row, and creates a second "theirs". */
    assert_true(replica_has_switch(nb, "theirs"));
    assert_bad(nb, &(struct bad_input){.switch_name = "theirs"}, -EPERM,
               "Logical_Switch \"theirs\" exists and is not managed by kovn");
    out = sandbox_run("ovn-nbctl --db=%s get Logical_Switch theirs "
                      "external_ids",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_string_equal(out, "{}\n");
    free(out);
    ovn_nb_destroy(nb);
}

static int
build_port_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
                  struct kovn_error *err)
{
    const struct topology *t = aux;
    int error = ovn_switch_port_delete(nb, txn, t->port, err);

    if (!error) {
        error = ovn_router_port_pair_delete(nb, txn, t->router, t->switch_name,
                                            err);
    }
    return error;
}

static int
build_switch_router_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                           void *aux, struct kovn_error *err)
{
    const struct topology *t = aux;
    int error = ovn_switch_delete(nb, txn, t->switch_name, err);

    return error ? error : ovn_router_delete(nb, txn, t->router, err);
}

static void
test_delete_removes_ports_then_switch_and_router(void **state)
{
    struct topology t = {"vpc3", "subnet3", "subnet3", "pod3.default"};
    struct kovn_error err = {0};
    enum ovn_txn_outcome outcome;
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    char *out;

    (void)state;
    assert_int_equal(
        ovn_nb_transact(nb, build_topology, &t, TIMEOUT_MS, NULL, &err), 0);
    assert_int_equal(
        ovn_nb_transact(nb, build_port_delete, &t, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    out = sandbox_run("ovn-nbctl --db=%s show", sandbox.nb_unix);
    assert_non_null(out);
    assert_null(strstr(out, "pod3.default"));
    assert_null(strstr(out, "vpc3-subnet3"));
    assert_null(strstr(out, "subnet3-vpc3"));
    assert_non_null(strstr(out, "(subnet3)"));
    free(out);
    /* Deleting what is gone is not an error and sends nothing. */
    assert_int_equal(
        ovn_nb_transact(nb, build_port_delete, &t, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    assert_int_equal(ovn_nb_transact(nb, build_switch_router_delete, &t,
                                     TIMEOUT_MS, &outcome, &err),
                     0);
    out = sandbox_run("ovn-nbctl --db=%s show", sandbox.nb_unix);
    assert_non_null(out);
    assert_null(strstr(out, "subnet3"));
    assert_null(strstr(out, "vpc3"));
    free(out);
    ovn_nb_destroy(nb);
}

struct one_port {
    const char *name;
};

static int
build_switch_for_ports(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
                       struct kovn_error *err)
{
    struct ovn_owner owner = {OVN_OWNER_SUBNET, aux};
    struct ovn_switch_spec ls = {.name = aux};

    return ovn_switch_ensure(nb, txn, &ls, &owner, err) ? 0 : err->code;
}

static int
build_one_port(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
               struct kovn_error *err)
{
    const struct one_port *p = aux;
    struct ovn_owner owner = {OVN_OWNER_POD, p->name};
    struct net_mac m = mac("0a:00:00:00:00:01");
    struct ovn_switch_port_spec port = {
        .name = p->name, .switch_name = "ports", .mac = &m};

    return ovn_switch_port_ensure(nb, txn, &port, &owner, err) ? 0 : err->code;
}

static void
test_nb_restart_reconnects_and_next_ensure_works(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct one_port p = {"after-restart"};
    enum ovn_txn_outcome outcome;
    char *out;

    (void)state;
    assert_int_equal(ovn_nb_transact(nb, build_switch_for_ports, "ports",
                                     TIMEOUT_MS, NULL, &err),
                     0);
    assert_int_equal(sandbox_ovn(&sandbox, "kill-member", "nb \"\" KILL"), 0);
    assert_int_equal(sandbox_ovn(&sandbox, "start-member", "nb \"\""), 0);
    if (ovn_nb_transact(nb, build_one_port, &p, TIMEOUT_MS, &outcome, &err)) {
        fail_msg("after restart: %s", err.msg);
    }
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    out = sandbox_run("ovn-nbctl --db=%s lsp-list ports", sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "(after-restart)"));
    free(out);
    ovn_nb_destroy(nb);
}

/* Network-policy style rows: a port group of two pods, an address set, and
 * ACLs on the group; then a smaller ACL set replaces the larger one. */
struct policy_case {
    size_t n_acls;
};

static int
build_policy(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
             struct kovn_error *err)
{
    const struct policy_case *c = aux;
    struct ovn_owner subnet = {OVN_OWNER_SUBNET, "polsub"};
    struct ovn_switch_spec ls = {.name = "polsub"};
    struct net_mac m1 = mac("0a:00:00:00:01:01");
    struct net_mac m2 = mac("0a:00:00:00:01:02");
    struct ovn_switch_port_spec p1 = {
        .name = "pa.ns", .switch_name = "polsub", .mac = &m1};
    struct ovn_switch_port_spec p2 = {
        .name = "pb.ns", .switch_name = "polsub", .mac = &m2};
    const char *ports[] = {"pa.ns", "pb.ns"};
    struct net_cidr allowed[] = {cidr("10.1.0.0/16", NET_CIDR_NETWORK),
                                 cidr("10.2.0.5/32", NET_CIDR_NETWORK)};
    struct ovn_acl_spec acls[] = {
        {"to-lport", 2000, "outport == @pg_ns && ip4.src == $as_ns",
         "allow-related"},
        {"to-lport", 1900, "outport == @pg_ns && ip", "drop"},
    };

    if (!ovn_switch_ensure(nb, txn, &ls, &subnet, err) ||
        !ovn_switch_port_ensure(nb, txn, &p1, &subnet, err) ||
        !ovn_switch_port_ensure(nb, txn, &p2, &subnet, err) ||
        !ovn_port_group_ensure(nb, txn, "pg_ns", ports, 2, &subnet, err) ||
        !ovn_address_set_ensure(nb, txn, "as_ns", allowed, 2, &subnet, err)) {
        return err->code;
    }
    return ovn_acls_set_for_port_group(nb, txn, "pg_ns", acls, c->n_acls,
                                       &subnet, err);
}

static void
test_port_group_address_set_and_acls_converge(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct policy_case two = {2}, one = {1};
    enum ovn_txn_outcome outcome;
    char *out;

    (void)state;
    assert_int_equal(
        ovn_nb_transact(nb, build_policy, &two, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    assert_int_equal(
        ovn_nb_transact(nb, build_policy, &two, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);

    out = sandbox_run("ovn-nbctl --db=%s acl-list pg_ns", sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "to-lport  2000 (outport == @pg_ns && ip4.src "
                                "== $as_ns) allow-related"));
    assert_non_null(strstr(out, "to-lport  1900 (outport == @pg_ns && ip) "
                                "drop"));
    free(out);
    out = sandbox_run("ovn-nbctl --db=%s --bare --columns=addresses list "
                      "Address_Set as_ns",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "10.1.0.0/16"));
    assert_non_null(strstr(out, "10.2.0.5"));
    assert_null(strstr(out, "10.2.0.5/32"));
    free(out);
    out = sandbox_run("ovn-nbctl --db=%s --bare --columns=ports list "
                      "Port_Group pg_ns | wc -w",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_int_equal(atoi(out), 2);
    free(out);

    assert_int_equal(
        ovn_nb_transact(nb, build_policy, &one, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    out = sandbox_run("ovn-nbctl --db=%s acl-list pg_ns", sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "2000"));
    assert_null(strstr(out, "1900"));
    free(out);
    ovn_nb_destroy(nb);
}

static int
build_bad_acl(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
              struct kovn_error *err)
{
    struct ovn_owner subnet = {OVN_OWNER_SUBNET, "polsub"};
    const struct ovn_acl_spec *acl = aux;

    return ovn_acls_set_for_switch(nb, txn, "polsub", acl, 1, &subnet, err);
}

static void
test_bad_acl_is_rejected_naming_the_field(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_acl_spec bad_action = {"to-lport", 100, "ip", "permit"};
    struct ovn_acl_spec bad_priority = {"to-lport", 40000, "ip", "drop"};
    struct ovn_acl_spec bad_direction = {"inbound", 100, "ip", "drop"};

    (void)state;
    assert_int_equal(ovn_nb_transact(nb, build_bad_acl, &bad_action,
                                     TIMEOUT_MS, NULL, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "Logical_Switch \"polsub\": action "
                                    "\"permit\""));
    assert_int_equal(ovn_nb_transact(nb, build_bad_acl, &bad_priority,
                                     TIMEOUT_MS, NULL, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "priority 40000 not in 0..32767"));
    assert_int_equal(ovn_nb_transact(nb, build_bad_acl, &bad_direction,
                                     TIMEOUT_MS, NULL, &err),
                     -EINVAL);
    assert_non_null(strstr(err.msg, "direction \"inbound\""));
    ovn_nb_destroy(nb);
}

static int
build_routes(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
             struct kovn_error *err)
{
    struct ovn_owner vpc = {OVN_OWNER_VPC, "vpc-routes"};
    struct net_cidr all = cidr("0.0.0.0/0", NET_CIDR_NETWORK);
    struct net_addr gw = addr("100.64.0.1");
    struct net_addr hop = addr("100.64.0.2");
    struct net_cidr prefix = cidr("10.16.0.0/16", NET_CIDR_NETWORK);
    struct smap options = SMAP_INITIALIZER(&options);
    int error;

    (void)aux;
    if (!ovn_router_ensure(nb, txn, "vpc-routes", &vpc, err)) {
        return err->code;
    }
    error = ovn_static_route_ensure(nb, txn, "vpc-routes", "dst-ip", &all, &gw,
                                    &vpc, err);
    if (!error) {
        error = ovn_policy_ensure(nb, txn, "vpc-routes", 31000,
                                  "ip4.dst == 10.0.0.0/8", "reroute", &hop,
                                  &vpc, err);
    }
    if (!error) {
        smap_add(&options, "lease_time", "3600");
        smap_add(&options, "router", "10.16.0.1");
        smap_add(&options, "server_id", "10.16.0.1");
        smap_add(&options, "server_mac", "0a:58:0a:10:00:01");
        if (!ovn_dhcp_options_ensure(nb, txn, &prefix, &options, &vpc, err)) {
            error = err->code;
        }
    }
    smap_destroy(&options);
    return error;
}

static void
test_static_route_policy_and_dhcp_options_converge(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    enum ovn_txn_outcome outcome;
    char *out;

    (void)state;
    assert_int_equal(
        ovn_nb_transact(nb, build_routes, NULL, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    assert_int_equal(
        ovn_nb_transact(nb, build_routes, NULL, TIMEOUT_MS, &outcome, &err),
        0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    out = sandbox_run("ovn-nbctl --db=%s lr-route-list vpc-routes && "
                      "ovn-nbctl --db=%s lr-policy-list vpc-routes && "
                      "ovn-nbctl --db=%s dhcp-options-list",
                      sandbox.nb_unix, sandbox.nb_unix, sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "0.0.0.0/0"));
    assert_non_null(strstr(out, "100.64.0.1 dst-ip"));
    assert_non_null(strstr(out, "31000"));
    assert_non_null(strstr(out, "ip4.dst == 10.0.0.0/8"));
    assert_non_null(strstr(out, "reroute"));
    assert_non_null(strstr(out, "100.64.0.2"));
    free(out);
    out = sandbox_run("ovn-nbctl --db=%s --bare --columns=options find "
                      "DHCP_Options cidr=\"10.16.0.0/16\"",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "lease_time=3600"));
    free(out);
    ovn_nb_destroy(nb);
}

/* One VIP of the TCP load balancer on switch lb-ls, or its removal
 * ('backends' NULL); 'session' asks for the session-affinity one. */
struct lb_case {
    const char *name;
    bool session;
    const char *backends;
};

static int
build_lb(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
         struct kovn_error *err)
{
    const struct lb_case *c = aux;
    struct ovn_owner vpc = {OVN_OWNER_VPC, "vpc-lb"};
    struct ovn_switch_spec spec = {.name = "lb-ls"};
    const struct nbrec_logical_switch *ls =
        ovn_switch_ensure(nb, txn, &spec, &vpc, err);
    const struct nbrec_load_balancer *lb =
        ls ? ovn_lb_ensure(nb, txn, c->name, "tcp", c->session, 10800, &vpc,
                           err)
           : NULL;

    if (!lb) {
        return err->code;
    }
    ovn_lb_attach(ls, lb);
    ovn_lb_set_vip(lb, "10.96.0.10:53", c->backends);
    return 0;
}

static void
test_load_balancer_vips_converge(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct lb_case set = {"cluster-tcp-loadbalancer", false,
                          "10.16.0.4:53,10.16.0.5:53"};
    struct lb_case unset = {"cluster-tcp-loadbalancer", false, NULL};
    struct lb_case session = {"cluster-tcp-session-loadbalancer", true,
                              "10.16.0.4:53"};
    struct lb_case foreign = {"foreign-lb", false, "10.16.0.4:53"};
    enum ovn_txn_outcome outcome;
    char *out;

    (void)state;
    assert_int_equal(
        ovn_nb_transact(nb, build_lb, &set, TIMEOUT_MS, &outcome, &err), 0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    assert_int_equal(
        ovn_nb_transact(nb, build_lb, &set, TIMEOUT_MS, &outcome, &err), 0);
    assert_int_equal(outcome, OVN_TXN_UNCHANGED);
    out = sandbox_run("ovn-nbctl --db=%s ls-lb-list lb-ls", sandbox.nb_unix);
    assert_non_null(out);
    /* ls-lb-list cuts names to 16 characters. */
    assert_non_null(strstr(out, "cluster-tcp-load"));
    assert_non_null(strstr(out, "10.96.0.10:53"));
    assert_non_null(strstr(out, "10.16.0.4:53,10.16.0.5:53"));
    free(out);

    /* Removing the VIP keeps the load balancer on the switch. */
    assert_int_equal(
        ovn_nb_transact(nb, build_lb, &unset, TIMEOUT_MS, &outcome, &err), 0);
    assert_int_equal(outcome, OVN_TXN_CHANGED);
    out = sandbox_run("ovn-nbctl --db=%s --bare --columns=vips list "
                      "Load_Balancer cluster-tcp-loadbalancer",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_null(strstr(out, "10.96.0.10"));
    free(out);

    assert_int_equal(
        ovn_nb_transact(nb, build_lb, &session, TIMEOUT_MS, &outcome, &err),
        0);
    out = sandbox_run("ovn-nbctl --db=%s --bare --columns=options list "
                      "Load_Balancer cluster-tcp-session-loadbalancer",
                      sandbox.nb_unix);
    assert_non_null(out);
    assert_non_null(strstr(out, "affinity_timeout=10800"));
    free(out);

    /* A load balancer of that name that is not kovn's is left alone. */
    out = sandbox_run("ovn-nbctl --db=%s lb-add foreign-lb 10.96.0.20:80 "
                      "10.16.0.9:80",
                      sandbox.nb_unix);
    free(out);
    assert_int_equal(
        ovn_nb_transact(nb, build_lb, &foreign, TIMEOUT_MS, NULL, &err),
        -EPERM);
    assert_non_null(strstr(err.msg, "foreign-lb"));
    ovn_nb_destroy(nb);
}

static int
setup_standalone(void **state)
{
    (void)state;
    ovn_sandbox_start(&sandbox, false);
    return 0;
}

static int
teardown_sandbox(void **state)
{
    (void)state;
    ovn_sandbox_stop(&sandbox);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_ensure_creates_topology_that_northd_turns_into_datapaths),
        cmocka_unit_test(test_ensure_twice_sends_no_transaction),
        cmocka_unit_test(test_moved_port_changes_switch_and_drops_legacy_key),
        cmocka_unit_test(test_stale_listing_finds_only_orphaned_kovn_rows),
        cmocka_unit_test(test_bad_input_is_an_error_naming_row_and_field),
        cmocka_unit_test(test_delete_removes_ports_then_switch_and_router),
        cmocka_unit_test(test_port_group_address_set_and_acls_converge),
        cmocka_unit_test(test_bad_acl_is_rejected_naming_the_field),
        cmocka_unit_test(test_static_route_policy_and_dhcp_options_converge),
        cmocka_unit_test(test_load_balancer_vips_converge),
        cmocka_unit_test(test_nb_restart_reconnects_and_next_ensure_works),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    return cmocka_run_group_tests(tests, setup_standalone, teardown_sandbox);
}
