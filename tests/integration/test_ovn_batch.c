/* Integration tests for the batching NB writer (src/ovn/batch.c) against a
 * real ovsdb-server: many ports in few transactions, one bad change failing
 * alone, and a connection lost with a transaction in flight. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/batch.h"
#include "ovn/nb.h"
#include "ovn/switch.h"
#include "ovn_sandbox.h"
#include "timeval.h"
#include "util.h"

#define TIMEOUT_MS 60000

static struct ovn_sandbox sandbox;

enum change_kind {
    GOOD,          /* A port on the test's switch. */
    NO_SWITCH,     /* A port on a switch that does not exist: build fails. */
    SERVER_REJECT, /* A second port named "dup": the name index rejects it. */
    HALF_WRITTEN,  /* Writes its port, then fails: must leave no trace. */
};

struct change {
    enum change_kind kind;
    const char *switch_name;
    char name[64];
    int calls; /* Times 'done' ran: must end at exactly 1. */
    int error;
    int *remaining;
};

static int
build_change(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
             struct kovn_error *err)
{
    struct change *c = aux;
    struct ovn_owner owner = {OVN_OWNER_POD, c->name};
    struct net_mac mac = {.bytes = {0x0a, 0, 0, 0, 1, 2}};

    if (c->kind == SERVER_REJECT) {
        /* Written blindly, not ensured: the server must refuse it. */
        const struct nbrec_logical_switch *ls =
            ovn_switch_find(nb, c->switch_name);
        struct nbrec_logical_switch_port *lsp =
            nbrec_logical_switch_port_insert(txn);

        nbrec_logical_switch_port_set_name(lsp, "dup");
        nbrec_logical_switch_update_ports_addvalue(ls, lsp);
        return 0;
    }
    struct ovn_switch_port_spec spec = {
        .name = c->name,
        .switch_name = c->kind == NO_SWITCH ? "missing" : c->switch_name,
        .mac = &mac,
    };
    if (!ovn_switch_port_ensure(nb, txn, &spec, &owner, err)) {
        return err->code;
    }
    if (c->kind == HALF_WRITTEN) {
        return kovn_error_set(err, -EINVAL, "%s: second step failed", c->name);
    }
    return 0;
}

static void
change_done(void *aux, int error, const struct kovn_error *err)
{
    struct change *c = aux;

    (void)err;
    c->calls++;
    c->error = error;
    --*c->remaining;
}

static int
build_switch(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
             struct kovn_error *err)
{
    struct ovn_owner owner = {OVN_OWNER_SUBNET, aux};
    struct ovn_switch_spec ls = {.name = aux};

    return ovn_switch_ensure(nb, txn, &ls, &owner, err) ? 0 : err->code;
}

static void
make_switch(struct ovn_nb *nb, const char *name)
{
    struct kovn_error err = {0};

    if (ovn_nb_transact(nb, build_switch, CONST_CAST(char *, name), TIMEOUT_MS,
                        NULL, &err)) {
        fail_msg("switch %s: %s", name, err.msg);
    }
}

/* Runs the poll loop until every submitted change is done. */
static void
run_until_done(struct ovn_nb *nb, struct ovn_batch *batch,
               const int *remaining)
{
    long long deadline = time_msec() + TIMEOUT_MS;

    while (*remaining > 0) {
        if (time_msec() > deadline) {
            fail_msg("%d changes not done in %d ms", *remaining, TIMEOUT_MS);
        }
        ovn_nb_run(nb);
        ovn_batch_run(batch);
        if (*remaining <= 0) {
            /* Done in this pass: nothing may wake the loop again. */
            break;
        }
        ovn_nb_wait(nb);
        ovn_batch_wait(batch);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static struct change *
make_changes(size_t n, const char *switch_name, const char *prefix,
             int *remaining)
{
    struct change *changes = xcalloc(n, sizeof *changes);

    for (size_t i = 0; i < n; i++) {
        changes[i].kind = GOOD;
        changes[i].switch_name = switch_name;
        snprintf(changes[i].name, sizeof changes[i].name, "%s%zu.ns", prefix,
                 i);
        changes[i].remaining = remaining;
    }
    return changes;
}

/* Occurrences of 'needle' in the output of ovn-nbctl lsp-list 'ls'. */
static int
ports_matching(const char *ls, const char *needle)
{
    char *out =
        sandbox_run("ovn-nbctl --db=%s lsp-list %s", sandbox.nb_unix, ls);
    int n = 0;

    assert_non_null(out);
    for (const char *p = out; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    free(out);
    return n;
}

static void
test_ports_due_together_share_one_transaction(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 300;
    struct change *changes = make_changes(300, "many", "m", &remaining);

    (void)state;
    make_switch(nb, "many");
    for (size_t i = 0; i < 200; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    ovn_batch_run(batch);
    /* Sent without waiting for the answer; what comes meanwhile queues. */
    assert_int_equal(ovn_batch_in_flight(batch), 200);
    for (size_t i = 200; i < 300; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    assert_int_equal(ovn_batch_queued(batch), 100);
    run_until_done(nb, batch, &remaining);

    for (size_t i = 0; i < 300; i++) {
        assert_int_equal(changes[i].calls, 1);
        assert_int_equal(changes[i].error, 0);
    }
    assert_int_equal(ovn_batch_stats(batch)->txns, 2);
    assert_int_equal(ports_matching("many", ".ns)"), 300);

    /* Converged: submitting again sends nothing. */
    remaining = 300;
    for (size_t i = 0; i < 300; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    run_until_done(nb, batch, &remaining);
    assert_int_equal(ovn_batch_stats(batch)->txns, 2);
    free(changes);
    ovn_batch_destroy(batch);
    ovn_nb_destroy(nb);
}

static void
test_a_bad_change_fails_alone_and_the_rest_commit(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 1;
    struct change *dup = make_changes(1, "mixed", "dup", &remaining);
    struct change *changes;

    (void)state;
    make_switch(nb, "mixed");
    /* An existing "dup" port, so that inserting another one is refused. */
    snprintf(dup->name, sizeof dup->name, "dup");
    ovn_batch_submit(batch, build_change, dup, change_done);
    run_until_done(nb, batch, &remaining);
    assert_int_equal(dup->error, 0);

    remaining = 40;
    changes = make_changes(40, "mixed", "x", &remaining);
    changes[7].kind = NO_SWITCH;
    changes[23].kind = SERVER_REJECT;
    for (size_t i = 0; i < 40; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    run_until_done(nb, batch, &remaining);

    for (size_t i = 0; i < 40; i++) {
        assert_int_equal(changes[i].calls, 1);
        if (i == 7) {
            assert_int_equal(changes[i].error, -ENOENT);
        } else if (i == 23) {
            assert_int_equal(changes[i].error, -EPROTO);
        } else {
            assert_int_equal(changes[i].error, 0);
        }
    }
    /* 38 good ports and the first "dup". */
    assert_int_equal(ports_matching("mixed", ".ns)"), 38);
    assert_int_equal(ports_matching("mixed", "(dup)"), 1);
    assert_int_equal(ports_matching("mixed", "(x7.ns)"), 0);
    assert_int_equal(ovn_batch_stats(batch)->failures, 2);
    free(changes);
    free(dup);
    ovn_batch_destroy(batch);
    ovn_nb_destroy(nb);
}

static void
test_partial_changes_share_a_transaction_and_a_failed_one_is_dropped(
    void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 30;
    struct change *changes = make_changes(30, "partial", "p", &remaining);

    (void)state;
    make_switch(nb, "partial");
    changes[0].kind = HALF_WRITTEN;
    changes[12].kind = HALF_WRITTEN;
    changes[29].kind = HALF_WRITTEN;
    changes[20].kind = NO_SWITCH;
    for (size_t i = 0; i < 30; i++) {
        ovn_batch_submit_partial(batch, build_change, &changes[i],
                                 change_done);
    }
    run_until_done(nb, batch, &remaining);

    for (size_t i = 0; i < 30; i++) {
        assert_int_equal(changes[i].calls, 1);
        if (changes[i].kind == HALF_WRITTEN) {
            assert_int_equal(changes[i].error, -EINVAL);
        } else if (i == 20) {
            assert_int_equal(changes[i].error, -ENOENT);
        } else {
            assert_int_equal(changes[i].error, 0);
        }
    }
    /* The 26 good ones, together; nothing of the half-written ones, which
     * were first, in the middle and last of the transaction. */
    assert_int_equal(ovn_batch_stats(batch)->txns, 1);
    assert_int_equal(ovn_batch_stats(batch)->failures, 4);
    assert_int_equal(ports_matching("partial", ".ns)"), 26);
    assert_int_equal(ports_matching("partial", "(p0.ns)"), 0);
    assert_int_equal(ports_matching("partial", "(p12.ns)"), 0);
    assert_int_equal(ports_matching("partial", "(p29.ns)"), 0);
    free(changes);
    ovn_batch_destroy(batch);
    ovn_nb_destroy(nb);
}

/* With a linger, changes that follow a transaction closely wait and go
 * together; a change after a quiet spell goes at once. */
static void
test_linger_gathers_a_stream_of_changes(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 1;
    struct change *changes = make_changes(5, "linger", "l", &remaining);
    long long start;

    (void)state;
    make_switch(nb, "linger");
    ovn_batch_set_linger(batch, 2000);

    start = time_msec();
    ovn_batch_submit(batch, build_change, &changes[0], change_done);
    ovn_batch_run(batch);
    assert_int_equal(ovn_batch_in_flight(batch), 1); /* Sent at once. */
    run_until_done(nb, batch, &remaining);
    start = time_msec();

    remaining = 3;
    for (size_t i = 1; i < 4; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
        ovn_batch_run(batch);
        assert_int_equal(ovn_batch_in_flight(batch), 0);
    }
    run_until_done(nb, batch, &remaining);
    assert_true(time_msec() - start >= 2000);
    assert_int_equal(ovn_batch_stats(batch)->txns, 2);

    /* Quiet for longer than the linger: the next change goes at once. */
    xsleep(3);
    remaining = 1;
    ovn_batch_submit(batch, build_change, &changes[4], change_done);
    ovn_batch_run(batch);
    assert_int_equal(ovn_batch_in_flight(batch), 1);
    run_until_done(nb, batch, &remaining);
    assert_int_equal(ovn_batch_stats(batch)->txns, 3);
    assert_int_equal(ports_matching("linger", ".ns)"), 5);

    /* Changes that find their rows converged send nothing, so they do not
     * make the next ones linger: a controller's restart re-checks every
     * pod's port, and 20 ms per round of them made that seconds. */
    xsleep(3);
    for (size_t i = 0; i < 5; i++) {
        remaining = 1;
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
        ovn_batch_run(batch);
        assert_int_equal(remaining, 0);
        assert_int_equal(changes[i].error, 0);
    }
    assert_int_equal(ovn_batch_stats(batch)->txns, 3);
    free(changes);
    ovn_batch_destroy(batch);
    ovn_nb_destroy(nb);
}

/* Sends 'sig' to the standalone NB ovsdb-server, by its pid file. */
static void
nb_server_signal(int sig)
{
    char *path = xasprintf("%s/ovnnb_db.pid", sandbox.dir);
    FILE *f = fopen(path, "r");
    long pid = 0;

    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    free(path);
    assert_true(pid > 1);
    assert_int_equal(kill((pid_t)pid, sig), 0);
}

static void
test_lost_connection_mid_batch_rebuilds_from_the_replica(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 200;
    struct change *changes = make_changes(200, "lost", "l", &remaining);

    (void)state;
    make_switch(nb, "lost");
    for (size_t i = 0; i < 200; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    /* The server is frozen, so the transaction is sent but never
     * answered; then it dies.  The IDL must call it "try again" and the
     * batch rebuild it on the restarted server. */
    nb_server_signal(SIGSTOP);
    ovn_batch_run(batch);
    assert_int_equal(ovn_batch_in_flight(batch), 200);
    assert_int_equal(sandbox_ovn(&sandbox, "kill-member", "nb \"\" KILL"), 0);
    assert_int_equal(sandbox_ovn(&sandbox, "start-member", "nb \"\""), 0);
    run_until_done(nb, batch, &remaining);

    for (size_t i = 0; i < 200; i++) {
        assert_int_equal(changes[i].calls, 1);
        assert_int_equal(changes[i].error, 0);
    }
    assert_true(ovn_batch_stats(batch)->try_again >= 1);
    assert_int_equal(ports_matching("lost", ".ns)"), 200);
    free(changes);
    ovn_batch_destroy(batch);
    ovn_nb_destroy(nb);
}

static void
test_destroy_completes_pending_changes_as_cancelled(void **state)
{
    struct ovn_nb *nb = ovn_nb_create(sandbox.nb_remote);
    struct ovn_batch *batch = ovn_batch_create(nb, 1000, TIMEOUT_MS);
    int remaining = 3;
    struct change *changes = make_changes(3, "lost", "c", &remaining);

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        ovn_batch_submit(batch, build_change, &changes[i], change_done);
    }
    ovn_batch_destroy(batch);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(changes[i].calls, 1);
        assert_int_equal(changes[i].error, -ECANCELED);
    }
    assert_int_equal(remaining, 0);
    free(changes);
    ovn_nb_destroy(nb);
}

static int
setup(void **state)
{
    (void)state;
    ovn_sandbox_start(&sandbox, false);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    ovn_sandbox_stop(&sandbox);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports_due_together_share_one_transaction),
        cmocka_unit_test(test_a_bad_change_fails_alone_and_the_rest_commit),
        cmocka_unit_test(
            test_partial_changes_share_a_transaction_and_a_failed_one_is_dropped),
        cmocka_unit_test(test_linger_gathers_a_stream_of_changes),
        cmocka_unit_test(
            test_lost_connection_mid_batch_rebuilds_from_the_replica),
        cmocka_unit_test(test_destroy_completes_pending_changes_as_cancelled),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
