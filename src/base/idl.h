/* What kovn's OVSDB clients (ovn/nb.c for the OVN Northbound database,
 * daemon/ovs.c for a node's Open vSwitch database) do with an OVS
 * 'struct ovsdb_idl' beyond their own schema: tell whether the replica is
 * usable, block in the poll loop until it is (or until some other condition
 * on it holds), and commit a transaction with retries.
 *
 * The retry loop is what makes "ensure" writers safe: a transaction is
 * built by a callback that compares the replica with the desired state, and
 * after "try again" (the replica was stale) or a lost connection it is
 * built again from the refreshed replica, until it commits or a deadline
 * passes.  Blocking calls run the poll loop of the calling thread; they
 * belong on the thread that owns the IDL. */
#ifndef KOVN_BASE_IDL_H
#define KOVN_BASE_IDL_H 1

#include <stdbool.h>

struct kovn_error;
struct ovsdb_idl;
struct ovsdb_idl_txn;

/* True once connected with a replica loaded (for an IDL created leader-only,
 * connected to the leader). */
bool kovn_idl_is_ready(const struct ovsdb_idl *);

/* A condition on the replica, checked after each ovsdb_idl_run(). */
typedef bool kovn_idl_cond_fn(const struct ovsdb_idl *, void *aux);

/* Runs 'idl' in the poll loop until 'cond' holds (0) or the absolute time
 * 'deadline' (time_msec()) passes (-ETIMEDOUT, with no message: the caller
 * knows what was awaited).  'cond' is checked at least once. */
int kovn_idl_wait_until(struct ovsdb_idl *, kovn_idl_cond_fn *cond, void *aux,
                        long long deadline);

/* Blocks until kovn_idl_is_ready() or 'timeout_ms' passes: -ETIMEDOUT with
 * "'server' not reachable within N ms". */
int kovn_idl_wait_ready(struct ovsdb_idl *, const char *server,
                        long long timeout_ms, struct kovn_error *err);

/* Fills 'txn' with the changes towards a desired state, reading the replica.
 * Returns 0 or a negative errno with 'err' set; on error nothing is sent. */
typedef int kovn_idl_build_fn(struct ovsdb_idl_txn *txn, void *aux,
                              struct kovn_error *err);

/* One transaction for kovn_idl_transact(). */
struct kovn_idl_request {
    /* In. */
    const char *what;    /* Starts the transaction messages: "OVN NB". */
    const char *server;  /* Names it when unreachable; null means 'what'. */
    const char *comment; /* The transaction's comment in the log. */
    kovn_idl_build_fn *build; /* Must be idempotent (it may run again). */
    void *aux;
    long long timeout_ms;
    /* Incremented for each transaction that reached the server (anything
     * but "unchanged"), if non-null. */
    unsigned long long *n_sent;

    /* Out, on success. */
    bool changed; /* False: already converged, nothing was sent. */
    /* With 'changed', the new value of the column 'build' passed to
     * ovsdb_idl_txn_increment(), if it did. */
    long long increment;
};

/* Waits for the replica, runs 'req->build' in a transaction and commits it,
 * blocking in the poll loop for at most 'req->timeout_ms'.  "Try again" and
 * lost connections rebuild the transaction from the refreshed replica.
 * Returns 0, -ETIMEDOUT, or the error of 'build' or of the server (-EPROTO
 * for a constraint violation, -EIO otherwise) with 'err' set. */
int kovn_idl_transact(struct ovsdb_idl *, struct kovn_idl_request *req,
                      struct kovn_error *err);

#endif /* KOVN_BASE_IDL_H */
