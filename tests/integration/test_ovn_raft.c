/* src/ovn against a 3-member Raft NB cluster: the leader is killed with
 * SIGKILL while 1,000 ports are being created one transaction each; every
 * port must exist exactly once afterwards. */
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
#include "openvswitch/vlog.h"
#include "ovn/nb.h"
#include "ovn/switch.h"
#include "ovn_sandbox.h"

#define N_PORTS    1000
#define KILL_AT    300
#define TIMEOUT_MS 60000

static struct ovn_sandbox sandbox;

struct port_job {
    int index;
};

static int
build_switch(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
             struct kovn_error *err)
{
    struct ovn_owner owner = {OVN_OWNER_SUBNET, "raft"};
    struct ovn_switch_spec ls = {.name = "raft"};

    (void)aux;
    return ovn_switch_ensure(nb, txn, &ls, &owner, err) ? 0 : err->code;
}

static int
build_port(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
           struct kovn_error *err)
{
    const struct port_job *job = aux;
    char name[32], pod[48];
    struct net_mac mac = {
        {0x0a, 0x58, 0, 0, (uint8_t)(job->index >> 8), (uint8_t)job->index}};
    struct net_addr ip = net_addr_from_u128(NET_V4, (net_u128)0x0a100000 + 10 +
                                                        (net_u128)job->index);

    snprintf(name, sizeof name, "rp-%d", job->index);
    snprintf(pod, sizeof pod, "default/rp-%d", job->index);
    struct ovn_owner owner = {OVN_OWNER_POD, pod};
    struct ovn_switch_port_spec port = {.name = name,
                                        .switch_name = "raft",
                                        .mac = &mac,
                                        .ips = &ip,
                                        .n_ips = 1};
    return ovn_switch_port_ensure(nb, txn, &port, &owner, err) ? 0 : err->code;
}

static pid_t
read_pid(int member)
{
    char path[256];
    FILE *f;
    int pid = 0;

    snprintf(path, sizeof path, "%s/ovnnb_db%d.pid", sandbox.dir, member);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    return pid;
}

static void
test_leader_killed_during_1000_creations_leaves_each_port_once(void **state)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    int leader = sandbox_raft_leader(&sandbox, "nb");
    pid_t leader_pid, killer = 0;
    int survivor, new_leader;
    char *out;

    (void)state;
    assert_true(leader >= 1 && leader <= 3);
    leader_pid = read_pid(leader);
    assert_int_equal(
        ovn_nb_transact(nb, build_switch, NULL, TIMEOUT_MS, NULL, &err), 0);
    for (int i = 0; i < N_PORTS; i++) {
        struct port_job job = {i};

        if (i == KILL_AT) {
            /* Killed from another process so that the kill lands while
             * transactions are in flight, not between them. */
            killer = fork();
            assert_true(killer >= 0);
            if (!killer) {
                usleep(20 * 1000);
                kill(leader_pid, SIGKILL);
                _exit(0);
            }
        }
        if (ovn_nb_transact(nb, build_port, &job, TIMEOUT_MS, NULL, &err)) {
            fail_msg("port %d: %s", i, err.msg);
        }
    }
    assert_int_equal(waitpid(killer, NULL, 0), killer);
    assert_true(kill(leader_pid, 0) != 0);

    new_leader = sandbox_raft_leader(&sandbox, "nb");
    assert_true(new_leader != 0 && new_leader != leader);
    survivor = leader == 1 ? 2 : 1;
    out = sandbox_run("ovn-nbctl --no-leader-only "
                      "--db=unix:%s/ovnnb_db%d.sock --bare --columns=name "
                      "find Logical_Switch_Port | grep . | sort | uniq -c | "
                      "awk '{print $1}' | sort | uniq -c",
                      sandbox.dir, survivor);
    assert_non_null(out);
    /* Every name occurs exactly once: one histogram line "1000 1". */
    char expected[32];
    snprintf(expected, sizeof expected, "%d 1\n", N_PORTS);
    char *trimmed = out;
    while (*trimmed == ' ') {
        trimmed++;
    }
    assert_string_equal(trimmed, expected);
    free(out);

    out = sandbox_run("ovn-nbctl --no-leader-only "
                      "--db=unix:%s/ovnnb_db%d.sock lsp-list raft | wc -l",
                      sandbox.dir, survivor);
    assert_non_null(out);
    assert_int_equal(atoi(out), N_PORTS);
    free(out);
    ovn_nb_destroy(nb);
}

static int
setup_raft(void **state)
{
    (void)state;
    ovn_sandbox_start(&sandbox, true);
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
            test_leader_killed_during_1000_creations_leaves_each_port_once),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
    return cmocka_run_group_tests(tests, setup_raft, teardown_sandbox);
}
