/* Replica readiness, blocking waits and the transaction retry loop over an
 * OVS IDL; see idl.h. */
#include <config.h>

#include "base/idl.h"

#include <errno.h>

#include "base/error.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(kovn_idl);

/* How long to wait for the replica to change after "try again" before
 * rebuilding anyway: a reconnect to an unchanged database (monitor_cond_since
 * with nothing new) does not bump the IDL's sequence number. */
#define RETRY_INTERVAL_MS 100

bool
kovn_idl_is_ready(const struct ovsdb_idl *idl)
{
    return ovsdb_idl_is_connected(idl) && ovsdb_idl_has_ever_connected(idl);
}

int
kovn_idl_wait_until(struct ovsdb_idl *idl, kovn_idl_cond_fn *cond, void *aux,
                    long long deadline)
{
    for (;;) {
        ovsdb_idl_run(idl);
        if (cond(idl, aux)) {
            return 0;
        }
        if (time_msec() >= deadline) {
            return -ETIMEDOUT;
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
is_ready(const struct ovsdb_idl *idl, void *aux OVS_UNUSED)
{
    return kovn_idl_is_ready(idl);
}

int
kovn_idl_wait_ready(struct ovsdb_idl *idl, const char *server,
                    long long timeout_ms, struct kovn_error *err)
{
    if (kovn_idl_wait_until(idl, is_ready, NULL, time_msec() + timeout_ms)) {
        return kovn_error_set(err, -ETIMEDOUT,
                              "%s not reachable within %lld ms", server,
                              timeout_ms);
    }
    return 0;
}

/* Blocks until 'txn' has a final status or 'deadline' passes. */
static enum ovsdb_idl_txn_status
commit_until(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
             long long deadline)
{
    for (;;) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);

        if (status != TXN_INCOMPLETE || time_msec() >= deadline) {
            return status;
        }
        ovsdb_idl_run(idl);
        ovsdb_idl_wait(idl);
        ovsdb_idl_txn_wait(txn);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
changed_since(const struct ovsdb_idl *idl, void *seqno_)
{
    const unsigned int *seqno = seqno_;

    return ovsdb_idl_get_seqno(idl) != *seqno && kovn_idl_is_ready(idl);
}

/* After "try again": waits until the replica changed or a short interval
 * passed, whichever is first. */
static void
wait_for_retry(struct ovsdb_idl *idl, unsigned int seqno, long long deadline)
{
    long long until = MIN(time_msec() + RETRY_INTERVAL_MS, deadline);

    kovn_idl_wait_until(idl, changed_since, &seqno, until);
}

int
kovn_idl_transact(struct ovsdb_idl *idl, struct kovn_idl_request *req,
                  struct kovn_error *err)
{
    long long deadline = time_msec() + req->timeout_ms;
    const char *server = req->server ? req->server : req->what;
    int error;

    req->changed = false;
    req->increment = 0;
    for (;;) {
        struct ovsdb_idl_txn *txn;
        enum ovsdb_idl_txn_status status;
        unsigned int seqno;

        error = kovn_idl_wait_ready(idl, server,
                                    MAX(0, deadline - time_msec()), err);
        if (error) {
            return error;
        }
        seqno = ovsdb_idl_get_seqno(idl);
        txn = ovsdb_idl_txn_create(idl);
        ovsdb_idl_txn_add_comment(txn, "%s", req->comment);
        error = req->build(txn, req->aux, err);
        if (error) {
            ovsdb_idl_txn_abort(txn);
            ovsdb_idl_txn_destroy(txn);
            return error;
        }
        status = commit_until(idl, txn, deadline);
        if (req->n_sent && status != TXN_UNCHANGED &&
            status != TXN_UNCOMMITTED) {
            (*req->n_sent)++;
        }
        switch (status) {
        case TXN_SUCCESS:
            req->changed = true;
            req->increment = ovsdb_idl_txn_get_increment_new_value(txn);
            ovsdb_idl_txn_destroy(txn);
            return 0;
        case TXN_UNCHANGED:
            ovsdb_idl_txn_destroy(txn);
            return 0;
        case TXN_INCOMPLETE:
            ovsdb_idl_txn_destroy(txn);
            return kovn_error_set(err, -ETIMEDOUT,
                                  "%s transaction not confirmed within "
                                  "%lld ms",
                                  req->what, req->timeout_ms);
        case TXN_TRY_AGAIN:
            ovsdb_idl_txn_destroy(txn);
            VLOG_DBG("%s transaction: try again", req->what);
            wait_for_retry(idl, seqno, deadline);
            break;
        case TXN_ERROR:
            error =
                kovn_error_set(err, -EPROTO, "%s rejected the transaction: %s",
                               req->what, ovsdb_idl_txn_get_error(txn));
            ovsdb_idl_txn_destroy(txn);
            return error;
        case TXN_ABORTED:
        case TXN_NOT_LOCKED:
        case TXN_UNCOMMITTED:
        default:
            ovsdb_idl_txn_destroy(txn);
            return kovn_error_set(err, -EIO, "%s transaction %s", req->what,
                                  ovsdb_idl_txn_status_to_string(status));
        }
        if (time_msec() >= deadline) {
            return kovn_error_set(err, -ETIMEDOUT,
                                  "%s transaction kept failing for %lld ms",
                                  req->what, req->timeout_ms);
        }
    }
}
