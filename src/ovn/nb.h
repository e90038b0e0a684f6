/* A connection to the OVN Northbound database through the generated IDL.
 *
 * The IDL keeps an in-memory replica of only the tables and columns kovn
 * uses, follows the Raft leader among a comma-separated list of remotes
 * (writes go to the leader only), reconnects with backoff and resumes with
 * monitor_cond_since.  Writes are built by "ensure" helpers that compare the
 * replica with the desired state and write only differences, so rebuilding
 * a transaction after "try again" or a lost connection never duplicates a
 * row and an already-converged state sends no transaction at all. */
#ifndef KOVN_OVN_NB_H
#define KOVN_OVN_NB_H 1

#include <stdbool.h>

#include "ovn/ovn-nb-idl.h"

struct kovn_error;
struct ovsdb_idl_txn;

struct ovn_nb {
    struct ovsdb_idl *idl;
    /* Name indexes over the replica; they also see rows inserted by the
     * transaction being built. */
    struct ovsdb_idl_index *switch_by_name;
    struct ovsdb_idl_index *switch_port_by_name;
    struct ovsdb_idl_index *router_by_name;
    struct ovsdb_idl_index *router_port_by_name;
    struct ovsdb_idl_index *port_group_by_name;
    struct ovsdb_idl_index *address_set_by_name;
    /* Transactions that reached the server (anything but "unchanged"). */
    unsigned long long n_txns_sent;
};

/* 'remotes' is an OVSDB remote list such as
 * "tcp:127.0.0.1:6641,tcp:127.0.0.1:6643" or "unix:/run/ovnnb_db.sock". */
struct ovn_nb *ovn_nb_create(const char *remotes);
void ovn_nb_destroy(struct ovn_nb *nb);

void ovn_nb_run(struct ovn_nb *nb);
void ovn_nb_wait(struct ovn_nb *nb);
/* True once connected to a (leader) server with a replica loaded. */
bool ovn_nb_is_ready(const struct ovn_nb *nb);

/* Fills 'txn' with the changes towards a desired state, reading the replica.
 * Returns 0 or a negative errno with 'err' set; on error nothing is sent. */
typedef int ovn_nb_build_fn(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                            void *aux, struct kovn_error *err);

enum ovn_txn_outcome {
    OVN_TXN_CHANGED,   /* The database was changed. */
    OVN_TXN_UNCHANGED, /* Already converged: nothing was sent. */
};

/* Runs 'build' in a transaction and commits it, blocking in the poll loop
 * for at most 'timeout_ms'.  "Try again" and lost connections rebuild the
 * transaction from the refreshed replica, so 'build' must be idempotent.
 * Returns 0, -ETIMEDOUT, or the error of 'build' or of the server (a
 * constraint violation, for example) with 'err' set. */
int ovn_nb_transact(struct ovn_nb *nb, ovn_nb_build_fn *build, void *aux,
                    long long timeout_ms, enum ovn_txn_outcome *outcome,
                    struct kovn_error *err);

/* Blocks until ovn_nb_is_ready() or 'timeout_ms' passes. */
int ovn_nb_wait_ready(struct ovn_nb *nb, long long timeout_ms,
                      struct kovn_error *err);

#endif /* KOVN_OVN_NB_H */
