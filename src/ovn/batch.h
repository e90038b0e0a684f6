/* A batching writer for OVN NB: many small, independent changes (one pod's
 * switch port each) committed together, without blocking the poll loop.
 *
 * One transaction per change makes the cost of adding N ports to a switch
 * grow with N squared: every commit makes the server and the IDL copy and
 * re-parse the switch's whole "ports" set.  Here every change submitted
 * while a transaction is in flight waits, and all of them go into the next
 * one (up to a bound), so the set is re-parsed once per transaction.
 *
 * The semantics are those of ovn_nb_transact(), per change: each build
 * function reads the replica (and the rows earlier changes of the same
 * transaction inserted) and writes only differences; "try again" and a lost
 * connection rebuild every change of the transaction from the refreshed
 * replica; each change gets its own outcome through its 'done' callback,
 * called exactly once, always from ovn_batch_run() or ovn_batch_destroy()
 * and never from ovn_batch_submit().
 *
 * One bad change does not fail the others: a build error fails only that
 * change (a build function given to ovn_batch_submit() must fail before it
 * writes anything, as the ensure helpers do; one that may not is given to
 * ovn_batch_submit_partial()), and when the server rejects a transaction of
 * several changes, each of them is retried alone so that only the culprit
 * gets the error. */
#ifndef KOVN_OVN_BATCH_H
#define KOVN_OVN_BATCH_H 1

#include <stddef.h>
#include <stdint.h>

#include "ovn/nb.h"

struct kovn_error;
struct ovn_batch;

/* The outcome of one change: 0, or a negative errno with 'err' saying why
 * (-ETIMEDOUT, -ECANCELED when the batch is destroyed, -EPROTO when the
 * server rejected it, or the build function's error).  Owns 'aux': the
 * callback frees it. */
typedef void ovn_batch_done_fn(void *aux, int error,
                               const struct kovn_error *err);

struct ovn_batch_stats {
    uint64_t txns;      /* Transactions that reached the server. */
    uint64_t changes;   /* Changes completed successfully. */
    uint64_t failures;  /* Changes completed with an error. */
    uint64_t try_again; /* Transactions rebuilt after "try again". */
    double txn_seconds; /* Time transactions spent in flight. */
};

/* 'max_changes' bounds one transaction's size; 'timeout_ms' bounds how long
 * a change may wait, queued and in flight, before it fails. */
struct ovn_batch *ovn_batch_create(struct ovn_nb *nb, size_t max_changes,
                                   long long timeout_ms);
/* Makes a transaction start 'linger_ms' after the previous one that
 * changed something was answered (0, the default: at once), unless half
 * of 'max_changes' is queued.  Each transaction that adds a port costs the
 * server and every replica a pass over the switch's whole port set, so under a
 * stream of changes a few milliseconds of waiting buy fewer, larger
 * transactions; a change after a quiet spell still goes at once. */
void ovn_batch_set_linger(struct ovn_batch *batch, long long linger_ms);

/* Completes every change still queued or in flight with -ECANCELED. */
void ovn_batch_destroy(struct ovn_batch *batch);

/* Queues a change.  'build' may run several times (rebuilds) and must be
 * idempotent; 'aux' stays valid until 'done' is called with it. */
void ovn_batch_submit(struct ovn_batch *batch, ovn_nb_build_fn *build,
                      void *aux, ovn_batch_done_fn *done);

/* As ovn_batch_submit(), for a change whose build may fail after it has
 * written part of its rows (several ensure steps).  It shares transactions
 * all the same; if its build fails, the transaction is dropped and the
 * other changes in it are built again into a new one. */
void ovn_batch_submit_partial(struct ovn_batch *batch, ovn_nb_build_fn *build,
                              void *aux, ovn_batch_done_fn *done);

/* Call after ovn_nb_run(): completes the transaction in flight, if any,
 * and sends the next one. */
void ovn_batch_run(struct ovn_batch *batch);
void ovn_batch_wait(struct ovn_batch *batch);

size_t ovn_batch_queued(const struct ovn_batch *batch);
size_t ovn_batch_in_flight(const struct ovn_batch *batch);
const struct ovn_batch_stats *ovn_batch_stats(const struct ovn_batch *batch);

#endif /* KOVN_OVN_BATCH_H */
