/* Integration tests for src/daemon/ovs: a real chassis (scripts/ovn.sh
 * start-node: ovsdb-server, ovs-vswitchd on the userspace datapath and
 * ovn-controller) against a real central OVN, with a pod made of a network
 * namespace and a veth pair whose host end "veth-p1-h" is plugged into
 * br-int only through the module.  The node runs in a network namespace of
 * its own (start-node --netns), so that another chassis in the caller's
 * namespace (one userspace ovs-vswitchd per namespace) cannot get in the
 * way and the fixed veth name cannot collide.  Needs root.  A reaper
 * process removes the veth, the namespaces, the node and the central
 * databases however the test exits. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "daemon/ovs.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn_sandbox.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "vswitch-idl.h"

#ifndef KOVN_SOURCE_ROOT_FOR_TESTS
#error "KOVN_SOURCE_ROOT_FOR_TESTS must be defined by the build"
#endif

#define TIMEOUT_MS   30000
#define INSTALLED_MS 5000
#define VETH         "veth-p1-h"
#define LSP          "p1"

static struct ovn_sandbox central;
static char node_dir[64];
static char node_ns[32], pod_ns[32];
static char ovs_db[128];
static char *cleanup_cmd;
static pid_t node_reaper;
static struct node_ovs *ovs;

/* Runs a shell command; true if it exited 0.  Output is discarded. */
static bool
sh(const char *fmt, const char *a, const char *b)
{
    char *out = sandbox_run(fmt, a, b);

    free(out);
    return out != NULL;
}

/* The output of `ovs-vsctl ARGS` against the node (caller frees), or null. */
static char *
vsctl(const char *args)
{
    return sandbox_run("ovs-vsctl --db=%s --timeout=10 %s 2>&1", ovs_db, args);
}

/* Runs the module's poll loop until 'cond' holds or 'timeout_ms' passes. */
static bool
run_until(bool (*cond)(void *), void *aux, long long timeout_ms)
{
    long long deadline = time_msec() + timeout_ms;

    for (;;) {
        node_ovs_run(ovs);
        if (cond(aux)) {
            return true;
        }
        if (time_msec() >= deadline) {
            return false;
        }
        node_ovs_wait(ovs);
        poll_timer_wait_until(MIN(deadline, time_msec() + 100));
        poll_block();
    }
}

static bool
chassis_incomplete(void *aux)
{
    (void)aux;
    return node_ovs_check_chassis(ovs, NULL, NULL) != 0;
}

static bool
chassis_complete(void *aux)
{
    (void)aux;
    return node_ovs_check_chassis(ovs, NULL, NULL) == 0;
}

/* The iface-id of VETH in the module's replica is 'aux'. */
static bool
iface_id_is(void *aux)
{
    const struct ovsrec_interface *iface;

    OVSREC_INTERFACE_FOR_EACH(iface, ovs->idl)
    {
        if (!strcmp(iface->name, VETH)) {
            const char *id = smap_get(&iface->external_ids, "iface-id");

            return id && !strcmp(id, aux);
        }
    }
    return false;
}

static bool
port_has_ofport(void *aux)
{
    return node_ovs_port_status(ovs, aux, NULL) == 0;
}

static bool
listed(const char *port)
{
    struct sset ports = SSET_INITIALIZER(&ports);
    bool found;

    node_ovs_list_ports(ovs, "br-int", &ports);
    found = sset_contains(&ports, port);
    sset_destroy(&ports);
    return found;
}

static void
test_node_is_an_ovn_chassis(void **state)
{
    struct node_ovs_chassis chassis;
    struct kovn_error err = {0};
    char system_id[96];

    (void)state;
    if (node_ovs_check_chassis(ovs, &chassis, &err)) {
        fail_msg("check chassis: %s", err.msg);
    }
    snprintf(system_id, sizeof system_id, "node-%s",
             strrchr(node_dir, '/') + 1);
    assert_string_equal(chassis.system_id, system_id);
    assert_string_equal(chassis.ovn_remote, central.sb_remote);
    assert_string_equal(chassis.encap_type, "geneve");
    assert_string_equal(chassis.encap_ip, "127.0.0.1");
    assert_string_equal(chassis.datapath_type, "netdev");
}

static void
test_port_ensure_is_idempotent_and_ovn_installs_it(void **state)
{
    struct kovn_error err = {0};
    unsigned long long n_txns;
    long long start;
    char *out;

    (void)state;
    /* Someone else's port on the same bridge, which kovn must not list. */
    out = vsctl("add-port br-int foreign -- set interface foreign "
                "type=internal");
    assert_non_null(out);
    free(out);

    start = time_msec();
    if (node_ovs_port_ensure(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS, &err)) {
        fail_msg("ensure: %s", err.msg);
    }
    printf("# ensure of %s took %lld ms\n", VETH, time_msec() - start);
    n_txns = ovs->n_txns_sent;
    assert_int_equal(n_txns, 1);
    /* ensure returns once ovs-vswitchd applied it: the port is open. */
    if (node_ovs_port_status(ovs, VETH, &err)) {
        fail_msg("status after ensure: %s", err.msg);
    }
    if (node_ovs_port_ensure(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS, &err)) {
        fail_msg("second ensure: %s", err.msg);
    }
    assert_int_equal(ovs->n_txns_sent, n_txns);

    out = vsctl("get interface " VETH " external_ids");
    assert_non_null(out);
    assert_non_null(strstr(out, "iface-id=" LSP));
    assert_non_null(strstr(out, NODE_OVS_OWNER_KEY "=" NODE_OVS_OWNER));
    free(out);
    out = vsctl("list-ports br-int");
    assert_non_null(out);
    assert_non_null(strstr(out, VETH "\n"));
    free(out);

    if (node_ovs_wait_installed(ovs, VETH, INSTALLED_MS, &err)) {
        fail_msg("wait installed: %s", err.msg);
    }
    printf("# %s ovn-installed %lld ms after the first ensure began\n", VETH,
           time_msec() - start);
    assert_true(node_ovs_port_installed(ovs, VETH));
    /* ovn-controller's key is not a difference the next ensure fixes. */
    if (node_ovs_port_ensure(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS, &err)) {
        fail_msg("ensure after install: %s", err.msg);
    }
    assert_int_equal(ovs->n_txns_sent, n_txns);

    assert_true(listed(VETH));
    assert_false(listed("foreign"));
    assert_false(listed("br-int"));
}

static void
test_ensure_fixes_a_changed_iface_id(void **state)
{
    struct kovn_error err = {0};
    unsigned long long n_txns = ovs->n_txns_sent;
    char *out;

    (void)state;
    out = vsctl("set interface " VETH " external_ids:iface-id=other");
    assert_non_null(out);
    free(out);
    assert_true(run_until(iface_id_is, "other", TIMEOUT_MS));
    if (node_ovs_port_ensure(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS, &err)) {
        fail_msg("ensure: %s", err.msg);
    }
    assert_true(iface_id_is(LSP));
    assert_true(ovs->n_txns_sent > n_txns);
    if (node_ovs_wait_installed(ovs, VETH, INSTALLED_MS, &err)) {
        fail_msg("wait installed after fix: %s", err.msg);
    }

    /* Rebinding an installed port: the old binding's ovn-installed must
     * not pass for the new one's, which never comes (no such LSP). */
    assert_true(node_ovs_port_installed(ovs, VETH));
    assert_int_equal(node_ovs_port_ensure(ovs, "br-int", VETH, "no-such-lsp",
                                          "", TIMEOUT_MS, &err),
                     0);
    assert_false(node_ovs_port_installed(ovs, VETH));
    assert_int_equal(node_ovs_wait_installed(ovs, VETH, 1000, &err),
                     -ETIMEDOUT);
    if (node_ovs_port_ensure(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS, &err)) {
        fail_msg("ensure back: %s", err.msg);
    }
    if (node_ovs_wait_installed(ovs, VETH, INSTALLED_MS, &err)) {
        fail_msg("wait installed after rebinding back: %s", err.msg);
    }
}

static void
test_port_delete_is_idempotent(void **state)
{
    struct kovn_error err = {0};
    unsigned long long n_txns;
    char *out;

    (void)state;
    if (node_ovs_port_delete(ovs, "br-int", VETH, TIMEOUT_MS, &err)) {
        fail_msg("delete: %s", err.msg);
    }
    n_txns = ovs->n_txns_sent;
    if (node_ovs_port_delete(ovs, "br-int", VETH, TIMEOUT_MS, &err)) {
        fail_msg("second delete: %s", err.msg);
    }
    assert_int_equal(ovs->n_txns_sent, n_txns);

    /* The Interface went with its Port (garbage collection). */
    assert_int_equal(node_ovs_port_status(ovs, VETH, &err), -ENOENT);
    assert_false(node_ovs_port_installed(ovs, VETH));
    assert_false(listed(VETH));
    out = vsctl("--bare --columns=name list interface");
    assert_non_null(out);
    assert_null(strstr(out, VETH));
    assert_non_null(strstr(out, "foreign"));
    free(out);
    /* ovs-vswitchd let go of the device, which stays for CNI DEL. */
    assert_true(sh("ip -n %s link show %s >/dev/null", node_ns, VETH));
}

static void
test_missing_bridge_is_a_clear_error(void **state)
{
    struct kovn_error err = {0};

    (void)state;
    assert_int_equal(
        node_ovs_port_ensure(ovs, "br-nope", VETH, LSP, "", TIMEOUT_MS, &err),
        -ENOENT);
    assert_non_null(strstr(err.msg, "bridge \"br-nope\" does not exist"));
    assert_non_null(strstr(err.msg, ovs_db));
    /* Nothing was half-created. */
    assert_int_equal(node_ovs_port_status(ovs, VETH, NULL), -ENOENT);

    /* Deleting what is not there is success, bridge or not. */
    assert_int_equal(
        node_ovs_port_delete(ovs, "br-nope", VETH, TIMEOUT_MS, &err), 0);
}

static void
test_port_on_another_bridge_is_refused(void **state)
{
    struct kovn_error err = {0};
    char *out;

    (void)state;
    assert_int_equal(node_ovs_port_ensure(ovs, "br-int", "kovn-x", "x",
                                          "internal", TIMEOUT_MS, &err),
                     0);
    out = vsctl("add-br br-other -- set bridge br-other datapath_type=netdev");
    assert_non_null(out);
    free(out);
    assert_true(run_until(port_has_ofport, "br-other", TIMEOUT_MS));
    assert_int_equal(node_ovs_port_ensure(ovs, "br-other", "kovn-x", "x",
                                          "internal", TIMEOUT_MS, &err),
                     -EEXIST);
    assert_string_equal(err.msg,
                        "port \"kovn-x\" is on bridge \"br-int\", not "
                        "\"br-other\"");
    assert_int_equal(
        node_ovs_port_delete(ovs, "br-other", "kovn-x", TIMEOUT_MS, &err),
        -EEXIST);
    assert_int_equal(
        node_ovs_port_delete(ovs, "br-int", "kovn-x", TIMEOUT_MS, &err), 0);
    out = vsctl("del-br br-other");
    assert_non_null(out);
    free(out);
}

static void
test_vswitchd_error_is_reported(void **state)
{
    struct kovn_error err = {0};

    (void)state;
    /* No such device on the node. */
    assert_int_equal(node_ovs_port_ensure(ovs, "br-int", "kovn-nodev", "x", "",
                                          TIMEOUT_MS, &err),
                     -EIO);
    printf("# %s\n", err.msg);
    assert_non_null(
        strstr(err.msg, "could not add port \"kovn-nodev\" to \"br-int\""));
    assert_non_null(strstr(err.msg, "No such device"));
    assert_int_equal(node_ovs_port_status(ovs, "kovn-nodev", NULL), -EIO);
    assert_true(listed("kovn-nodev"));
    assert_int_equal(
        node_ovs_port_delete(ovs, "br-int", "kovn-nodev", TIMEOUT_MS, &err),
        0);
    assert_false(listed("kovn-nodev"));
}

/* Runs the module's loop until no transaction of 't' is in progress. */
static void
poll_txns(struct node_ovs_txn **t, int *error, struct kovn_error *errs,
          size_t n)
{
    long long deadline = time_msec() + TIMEOUT_MS;

    for (;;) {
        bool busy = false;

        node_ovs_run(ovs);
        for (size_t i = 0; i < n; i++) {
            error[i] = node_ovs_txn_poll(t[i], &errs[i]);
            busy |= error[i] == -EINPROGRESS;
        }
        if (!busy) {
            return;
        }
        assert_true(time_msec() < deadline);
        node_ovs_wait(ovs);
        for (size_t i = 0; i < n; i++) {
            node_ovs_txn_wait(t[i]);
        }
        poll_block();
    }
}

static bool
veth_installed(void *aux)
{
    (void)aux;
    return node_ovs_port_installed(ovs, VETH);
}

/* kovn-daemon's ADDs: several ensures in flight at once, each with its
 * own outcome, the same as the blocking call's. */
static void
test_port_ensures_in_flight_together_each_complete(void **state)
{
    struct node_ovs_txn *t[3];
    struct kovn_error errs[3];
    unsigned long long n_txns;
    int error[3];

    (void)state;
    t[0] =
        node_ovs_port_ensure_start(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS);
    t[1] = node_ovs_port_ensure_start(ovs, "br-int", "kovn-nodev2", "x", "",
                                      TIMEOUT_MS);
    t[2] = node_ovs_port_ensure_start(ovs, "br-nope", "kovn-y", "y", "",
                                      TIMEOUT_MS);
    poll_txns(t, error, errs, 3);
    if (error[0]) {
        fail_msg("ensure: %s", errs[0].msg);
    }
    /* Applied: an OpenFlow port, and OVN binds it. */
    assert_int_equal(node_ovs_port_status(ovs, VETH, NULL), 0);
    assert_true(listed(VETH));
    assert_true(run_until(veth_installed, NULL, INSTALLED_MS * 6));
    assert_int_equal(error[1], -EIO);
    assert_non_null(strstr(
        errs[1].msg, "could not add port \"kovn-nodev2\" to \"br-int\""));
    assert_int_equal(error[2], -ENOENT);
    assert_non_null(strstr(errs[2].msg, "bridge \"br-nope\" does not exist"));
    assert_int_equal(node_ovs_port_status(ovs, "kovn-y", NULL), -ENOENT);
    /* The outcome stays. */
    assert_int_equal(node_ovs_txn_poll(t[1], &errs[1]), -EIO);
    for (size_t i = 0; i < 3; i++) {
        node_ovs_txn_destroy(t[i]);
    }

    /* A converged port: done without a transaction. */
    n_txns = ovs->n_txns_sent;
    t[0] =
        node_ovs_port_ensure_start(ovs, "br-int", VETH, LSP, "", TIMEOUT_MS);
    poll_txns(t, error, errs, 1);
    assert_int_equal(error[0], 0);
    assert_int_equal(ovs->n_txns_sent, n_txns);
    node_ovs_txn_destroy(t[0]);

    assert_int_equal(
        node_ovs_port_delete(ovs, "br-int", "kovn-nodev2", TIMEOUT_MS, errs),
        0);
    assert_int_equal(
        node_ovs_port_delete(ovs, "br-int", VETH, TIMEOUT_MS, errs), 0);
}

static void
test_wait_installed_without_lsp_times_out(void **state)
{
    struct kovn_error err = {0};
    long long start, took;

    (void)state;
    /* An internal port (as ovn0 is) whose iface-id names no LSP. */
    if (node_ovs_port_ensure(ovs, "br-int", "kovn-nolsp", "no-such-lsp",
                             "internal", TIMEOUT_MS, &err)) {
        fail_msg("ensure internal: %s", err.msg);
    }
    assert_true(run_until(port_has_ofport, "kovn-nolsp", TIMEOUT_MS));
    start = time_msec();
    assert_int_equal(node_ovs_wait_installed(ovs, "kovn-nolsp", 1500, &err),
                     -ETIMEDOUT);
    took = time_msec() - start;
    printf("# %s\n", err.msg);
    assert_true(took >= 1500 && took < 3000);
    assert_non_null(strstr(err.msg, "port \"kovn-nolsp\""));
    assert_non_null(strstr(err.msg, "iface-id \"no-such-lsp\""));
    assert_non_null(strstr(err.msg, "1500 ms"));
    assert_non_null(strstr(err.msg, "logical switch port \"no-such-lsp\""));

    /* A port that is not there at all says so. */
    assert_int_equal(node_ovs_wait_installed(ovs, "kovn-absent", 200, &err),
                     -ETIMEDOUT);
    assert_non_null(strstr(err.msg, "no such interface"));

    assert_int_equal(
        node_ovs_port_delete(ovs, "br-int", "kovn-nolsp", TIMEOUT_MS, &err),
        0);
}

/* Last: it takes the chassis settings away (and gives them back). */
static void
test_chassis_check_names_what_is_missing(void **state)
{
    struct kovn_error err = {0};
    char *out;

    (void)state;
    out = vsctl("remove open_vswitch . external_ids ovn-encap-type "
                "-- remove open_vswitch . external_ids ovn-encap-ip");
    assert_non_null(out);
    free(out);
    assert_true(run_until(chassis_incomplete, NULL, TIMEOUT_MS));
    assert_int_equal(node_ovs_check_chassis(ovs, NULL, &err), -ENOENT);
    printf("# %s\n", err.msg);
    assert_non_null(strstr(err.msg, "lack ovn-encap-type, ovn-encap-ip"));
    assert_null(strstr(err.msg, "system-id"));

    out = vsctl("set open_vswitch . external_ids:ovn-encap-type=geneve "
                "external_ids:ovn-encap-ip=127.0.0.1");
    assert_non_null(out);
    free(out);
    assert_true(run_until(chassis_complete, NULL, TIMEOUT_MS));
}

static int
setup(void **state)
{
    struct kovn_error err = {0};
    char *out;

    (void)state;
    ovn_sandbox_start(&central, false);

    snprintf(node_dir, sizeof node_dir, "/tmp/kovn-dovs.XXXXXX");
    if (!mkdtemp(node_dir)) {
        sandbox_die("mkdtemp");
    }
    snprintf(node_ns, sizeof node_ns, "kdovs%d-n", (int)getpid());
    snprintf(pod_ns, sizeof pod_ns, "kdovs%d-p", (int)getpid());
    snprintf(ovs_db, sizeof ovs_db, "unix:%s/db.sock", node_dir);
    /* The veth goes before its namespaces (deleting a namespace frees its
     * links asynchronously), stop-node before the node's namespace (it
     * removes the tap devices in there). */
    cleanup_cmd = xasprintf_("ip -n %s link del " VETH " 2>/dev/null; "
                             "ip netns del %s 2>/dev/null; "
                             "%s/scripts/ovn.sh stop-node %s >/dev/null 2>&1; "
                             "ip netns del %s 2>/dev/null; rm -rf %s",
                             node_ns, pod_ns, KOVN_SOURCE_ROOT_FOR_TESTS,
                             node_dir, node_ns, node_dir);
    node_reaper = sandbox_start_reaper(cleanup_cmd);

    if (!sh("ip netns add %s && ip netns add %s", node_ns, pod_ns)) {
        sandbox_die("ip netns add (needs root)");
    }
    out = sandbox_run("%s/scripts/ovn.sh start-node %s --nb %s --sb %s "
                      "--netns %s >%s/start-node.log 2>&1 "
                      "|| { cat %s/start-node.log >&2; exit 1; }",
                      KOVN_SOURCE_ROOT_FOR_TESTS, node_dir, central.nb_remote,
                      central.sb_remote, node_ns, node_dir, node_dir);
    if (!out) {
        sandbox_die("scripts/ovn.sh start-node failed");
    }
    free(out);

    out = sandbox_run("ovn-nbctl --db=%s ls-add ls1 "
                      "-- set logical_switch ls1 other_config:subnet=%s "
                      "-- lsp-add ls1 " LSP " "
                      "-- lsp-set-addresses " LSP " '%s'",
                      central.nb_unix, "10.97.0.0/24",
                      "00:00:00:00:02:01 10.97.0.11");
    if (!out) {
        sandbox_die("ovn-nbctl");
    }
    free(out);
    /* The pod: its end named eth0 in its own namespace, the host end in
     * the node's, where ovs-vswitchd runs. */
    out = sandbox_run(
        "ip -n %s link add " VETH " type veth peer name eth0 netns %s && "
        "ip -n %s link set eth0 address 00:00:00:00:02:01 && "
        "ip -n %s addr add 10.97.0.11/24 dev eth0 && "
        "ip -n %s link set eth0 up && ip -n %s link set " VETH " up",
        node_ns, pod_ns, pod_ns, pod_ns, pod_ns, node_ns);
    if (!out) {
        sandbox_die("veth");
    }
    free(out);

    ovs = node_ovs_create(ovs_db);
    if (node_ovs_wait_ready(ovs, TIMEOUT_MS, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        sandbox_die("node_ovs_wait_ready");
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    node_ovs_destroy(ovs);
    ovs = NULL;
    free(sandbox_run("%s", cleanup_cmd));
    free(cleanup_cmd);
    if (node_reaper > 0) {
        kill(node_reaper, SIGKILL);
        waitpid(node_reaper, NULL, 0);
    }
    ovn_sandbox_stop(&central);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_is_an_ovn_chassis),
        cmocka_unit_test(test_port_ensure_is_idempotent_and_ovn_installs_it),
        cmocka_unit_test(test_ensure_fixes_a_changed_iface_id),
        cmocka_unit_test(test_port_delete_is_idempotent),
        cmocka_unit_test(test_missing_bridge_is_a_clear_error),
        cmocka_unit_test(test_port_on_another_bridge_is_refused),
        cmocka_unit_test(test_vswitchd_error_is_reported),
        cmocka_unit_test(test_port_ensures_in_flight_together_each_complete),
        cmocka_unit_test(test_wait_installed_without_lsp_times_out),
        cmocka_unit_test(test_chassis_check_names_what_is_missing),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
