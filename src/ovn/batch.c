/* The batching NB writer; see batch.h. */
#include <config.h>

#include "ovn/batch.h"

#include <errno.h>

#include "base/error.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ovn_batch);

/* As in nb.c: after "try again", wait this long for the replica to change
 * before rebuilding anyway (a reconnect to an unchanged database does not
 * bump the IDL's sequence number). */
#define RETRY_INTERVAL_MS 100

struct change {
    struct ovs_list node; /* In 'queued' or 'in_txn'. */
    ovn_nb_build_fn *build;
    void *aux;
    ovn_batch_done_fn *done;
    long long deadline;
    /* Its build may fail after writing part of its rows: such a failure
     * drops the whole transaction, and the others are built again. */
    bool partial;
    /* Set after the server rejected a transaction this change was part of:
     * it then goes into a transaction of its own, so that the error is
     * reported to the change that caused it and to no other. */
    bool alone;
};

struct ovn_batch {
    struct ovn_nb *nb;
    size_t max_changes;
    long long timeout_ms;

    struct ovs_list queued; /* struct change, oldest first. */
    size_t n_queued;

    /* A transaction starts 'linger_ms' after the previous one was
     * answered, unless half a transaction's worth of changes is queued. */
    long long linger_ms;
    long long last_done;

    struct ovsdb_idl_txn *txn; /* In flight, or NULL. */
    struct ovs_list in_txn;    /* Its changes. */
    size_t n_in_txn;
    long long txn_started;
    long long txn_deadline;

    /* After "try again": the IDL seqno then, and when to rebuild anyway. */
    bool retry_wait;
    unsigned int retry_seqno;
    long long retry_at;

    struct ovn_batch_stats stats;
};

struct ovn_batch *
ovn_batch_create(struct ovn_nb *nb, size_t max_changes, long long timeout_ms)
{
    struct ovn_batch *batch = xzalloc(sizeof *batch);

    batch->nb = nb;
    batch->max_changes = max_changes ? max_changes : 1;
    batch->timeout_ms = timeout_ms;
    ovs_list_init(&batch->queued);
    ovs_list_init(&batch->in_txn);
    return batch;
}

static void
complete(struct ovn_batch *batch, struct change *c, int error,
         const struct kovn_error *err)
{
    if (error) {
        batch->stats.failures++;
    } else {
        batch->stats.changes++;
    }
    c->done(c->aux, error, err);
    free(c);
}

/* Completes every change of the transaction in flight with 'error'. */
static void
complete_txn(struct ovn_batch *batch, int error, const struct kovn_error *err)
{
    struct change *c;

    LIST_FOR_EACH_POP(c, node, &batch->in_txn)
    {
        complete(batch, c, error, err);
    }
    batch->n_in_txn = 0;
}

/* Puts the transaction's changes back at the head of the queue, in their
 * order, to be rebuilt. */
static void
requeue_txn(struct ovn_batch *batch, bool alone)
{
    struct change *c;

    LIST_FOR_EACH_REVERSE_SAFE(c, node, &batch->in_txn)
    {
        ovs_list_remove(&c->node);
        c->alone = c->alone || alone;
        ovs_list_push_front(&batch->queued, &c->node);
        batch->n_queued++;
    }
    batch->n_in_txn = 0;
}

void
ovn_batch_set_linger(struct ovn_batch *batch, long long linger_ms)
{
    batch->linger_ms = MAX(linger_ms, 0);
}

/* True if the next transaction should wait for more changes. */
static bool
lingering(const struct ovn_batch *batch, long long now)
{
    return now < batch->last_done + batch->linger_ms &&
           batch->n_queued < batch->max_changes / 2;
}

void
ovn_batch_destroy(struct ovn_batch *batch)
{
    struct kovn_error err;
    struct change *c;

    if (!batch) {
        return;
    }
    kovn_error_set(&err, -ECANCELED, "OVN NB writer shut down");
    if (batch->txn) {
        ovsdb_idl_txn_destroy(batch->txn);
        batch->txn = NULL;
    }
    complete_txn(batch, -ECANCELED, &err);
    LIST_FOR_EACH_POP(c, node, &batch->queued)
    {
        complete(batch, c, -ECANCELED, &err);
    }
    free(batch);
}

static void
submit(struct ovn_batch *batch, ovn_nb_build_fn *build, void *aux,
       ovn_batch_done_fn *done, bool partial)
{
    struct change *c = xzalloc(sizeof *c);

    c->build = build;
    c->aux = aux;
    c->done = done;
    c->partial = partial;
    c->deadline = time_msec() + batch->timeout_ms;
    ovs_list_push_back(&batch->queued, &c->node);
    batch->n_queued++;
}

void
ovn_batch_submit(struct ovn_batch *batch, ovn_nb_build_fn *build, void *aux,
                 ovn_batch_done_fn *done)
{
    submit(batch, build, aux, done, false);
}

void
ovn_batch_submit_partial(struct ovn_batch *batch, ovn_nb_build_fn *build,
                         void *aux, ovn_batch_done_fn *done)
{
    submit(batch, build, aux, done, true);
}

/* Fails queued changes whose time is up (while disconnected, say). */
static void
expire_queued(struct ovn_batch *batch, long long now)
{
    struct change *c;

    LIST_FOR_EACH_SAFE(c, node, &batch->queued)
    {
        if (now >= c->deadline) {
            struct kovn_error err;

            kovn_error_set(&err, -ETIMEDOUT,
                           "OVN NB change not committed within %lld ms",
                           batch->timeout_ms);
            ovs_list_remove(&c->node);
            batch->n_queued--;
            complete(batch, c, -ETIMEDOUT, &err);
        }
    }
}

static struct ovsdb_idl_txn *
new_txn(const struct ovn_batch *batch)
{
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(batch->nb->idl);

    ovsdb_idl_txn_add_comment(txn, "kovn");
    return txn;
}

static void
drop_txn(struct ovsdb_idl_txn *txn)
{
    ovsdb_idl_txn_abort(txn);
    ovsdb_idl_txn_destroy(txn);
}

/* Builds the next transaction from the head of the queue.  A change whose
 * build fails is completed with that error; the others are moved to
 * 'in_txn'.  When the failed change was partial, what it wrote cannot be
 * taken out of the transaction alone: the transaction is dropped and the
 * changes already in it are built again into a new one.  That costs at
 * most one transaction's builds per failure, and failures are the rare
 * case, while sharing transactions is the common one: a Node's port, its
 * policies and address set, or a subnet's rows, each used to cost a
 * transaction of its own. */
static void
start_txn(struct ovn_batch *batch)
{
    struct ovsdb_idl_txn *txn = new_txn(batch);

    while (!ovs_list_is_empty(&batch->queued) &&
           batch->n_in_txn < batch->max_changes) {
        struct change *c =
            CONTAINER_OF(ovs_list_front(&batch->queued), struct change, node);
        struct kovn_error err;
        int error;

        if (c->alone && batch->n_in_txn) {
            break;
        }
        ovs_list_remove(&c->node);
        batch->n_queued--;
        kovn_error_clear(&err);
        error = c->build(batch->nb, txn, c->aux, &err);
        if (error) {
            bool drop = c->partial;

            complete(batch, c, error, &err);
            if (drop) {
                drop_txn(txn);
                requeue_txn(batch, false);
                txn = new_txn(batch);
            }
            continue;
        }
        ovs_list_push_back(&batch->in_txn, &c->node);
        batch->n_in_txn++;
        if (c->alone) {
            break;
        }
    }
    if (!batch->n_in_txn) {
        drop_txn(txn);
        return;
    }
    batch->txn = txn;
    batch->txn_started = time_msec();
    batch->txn_deadline = batch->txn_started + batch->timeout_ms;
}

/* Advances the transaction in flight; returns true if it finished. */
static bool
commit_txn(struct ovn_batch *batch)
{
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(batch->txn);
    struct kovn_error err;

    if (status == TXN_INCOMPLETE) {
        if (time_msec() < batch->txn_deadline) {
            return false;
        }
        /* The server may still apply it; a later ensure finds it done. */
        kovn_error_set(&err, -ETIMEDOUT,
                       "OVN NB transaction not confirmed within %lld ms",
                       batch->timeout_ms);
        ovsdb_idl_txn_destroy(batch->txn);
        batch->txn = NULL;
        batch->stats.txns++;
        complete_txn(batch, -ETIMEDOUT, &err);
        return true;
    }
    if (status != TXN_UNCHANGED && status != TXN_UNCOMMITTED) {
        batch->stats.txns++;
        batch->nb->n_txns_sent++;
        batch->stats.txn_seconds += (time_msec() - batch->txn_started) / 1e3;
    }
    /* A rebuild after "try again" does not linger, nor does what follows
     * a transaction that changed nothing: lingering spares the server and
     * the replicas work, and an unchanged one gave them none.  Re-checks of
     * converged rows (every pod's port at a restart) go at the speed of
     * their builds instead of one round per linger. */
    if (status == TXN_TRY_AGAIN) {
        batch->last_done = 0;
    } else if (status != TXN_UNCHANGED) {
        batch->last_done = time_msec();
    }
    switch (status) {
    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        complete_txn(batch, 0, NULL);
        break;
    case TXN_TRY_AGAIN:
        /* Lost connection or a stale replica: rebuild from the new one. */
        VLOG_DBG("NB batch of %zu: try again", batch->n_in_txn);
        batch->stats.try_again++;
        batch->retry_wait = true;
        batch->retry_seqno = ovsdb_idl_get_seqno(batch->nb->idl);
        batch->retry_at = time_msec() + RETRY_INTERVAL_MS;
        requeue_txn(batch, false);
        break;
    case TXN_ERROR:
        if (batch->n_in_txn > 1) {
            VLOG_INFO("NB batch of %zu rejected (%s); retrying each change "
                      "alone",
                      batch->n_in_txn, ovsdb_idl_txn_get_error(batch->txn));
            requeue_txn(batch, true);
        } else {
            kovn_error_set(&err, -EPROTO,
                           "OVN NB rejected the transaction: %s",
                           ovsdb_idl_txn_get_error(batch->txn));
            complete_txn(batch, -EPROTO, &err);
        }
        break;
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    case TXN_NOT_LOCKED:
    case TXN_UNCOMMITTED:
    default:
        kovn_error_set(&err, -EIO, "OVN NB transaction %s",
                       ovsdb_idl_txn_status_to_string(status));
        complete_txn(batch, -EIO, &err);
        break;
    }
    ovsdb_idl_txn_destroy(batch->txn);
    batch->txn = NULL;
    return true;
}

void
ovn_batch_run(struct ovn_batch *batch)
{
    /* Bounded: each pass either leaves a transaction in flight, or empties
     * or shortens the queue, or starts waiting for a retry.  Transactions
     * that change nothing complete within their pass, so several passes
     * keep each from taking a loop iteration. */
    for (int pass = 0; pass < 16; pass++) {
        long long now = time_msec();

        if (batch->txn && !commit_txn(batch)) {
            return;
        }
        expire_queued(batch, now);
        if (ovs_list_is_empty(&batch->queued) || !ovn_nb_is_ready(batch->nb)) {
            return;
        }
        if (batch->retry_wait) {
            if (ovsdb_idl_get_seqno(batch->nb->idl) == batch->retry_seqno &&
                now < batch->retry_at) {
                return;
            }
            batch->retry_wait = false;
        }
        if (lingering(batch, now)) {
            return;
        }
        start_txn(batch);
        /* Sent now: a transaction must not stay open until the next
         * ovsdb_idl_run(), which refuses to run with one. */
        if (batch->txn && !commit_txn(batch)) {
            return;
        }
    }
}

void
ovn_batch_wait(struct ovn_batch *batch)
{
    if (batch->txn) {
        ovsdb_idl_txn_wait(batch->txn);
        poll_timer_wait_until(batch->txn_deadline);
    } else if (!ovs_list_is_empty(&batch->queued)) {
        const struct change *first =
            CONTAINER_OF(ovs_list_front(&batch->queued), struct change, node);

        if (!ovn_nb_is_ready(batch->nb)) {
            /* The IDL wakes us on connection; expire on time. */
            poll_timer_wait_until(first->deadline);
        } else if (batch->retry_wait) {
            poll_timer_wait_until(batch->retry_at);
        } else if (lingering(batch, time_msec())) {
            poll_timer_wait_until(batch->last_done + batch->linger_ms);
        } else {
            poll_immediate_wake();
        }
    }
}

size_t
ovn_batch_queued(const struct ovn_batch *batch)
{
    return batch->n_queued;
}

size_t
ovn_batch_in_flight(const struct ovn_batch *batch)
{
    return batch->n_in_txn;
}

const struct ovn_batch_stats *
ovn_batch_stats(const struct ovn_batch *batch)
{
    return &batch->stats;
}
