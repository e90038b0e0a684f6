/* kovn-controller's one write path into OVN NB.  Every reconciler (Vpc,
 * Subnet, Node, the owner sweep; pods through their own batched port
 * changes) hands its change to the non-blocking NB batch (ovn/batch.h) and
 * holds its job; the poll loop goes on serving informers, the webhook and
 * /healthz while NB is slow or stopped, as ovn-northd's main loop does
 * with ovsdb_idl_loop_commit_and_wait().  When NB answers, the
 * reconciler's next step runs with the outcome.
 *
 * Failure isolation is kept: each write is its own transaction, so a
 * build that fails after writing part of its rows fails alone and nothing
 * of it reaches NB. */
#ifndef KOVN_CONTROLLER_NBWRITE_H
#define KOVN_CONTROLLER_NBWRITE_H 1

#include "controller/queue.h"
#include "ovn/nb.h"

struct controller;
struct kovn_error;

/* The next step after an NB write, with the write's 'aux': 'error' is 0 or a
 * negative errno with 'err' saying why.  'job' is the held job (NULL for a
 * write without one); the result ends the hold: CTRL_DONE, CTRL_RETRY, or
 * CTRL_PENDING after sending an API write. */
typedef enum ctrl_result ctrl_nb_then_fn(struct controller *ctl,
                                         struct ctrl_job *job, const char *key,
                                         void *aux, int error,
                                         const struct kovn_error *err);

/* Queues 'build' with 'aux' (owned from here on, freed with 'free_aux' if
 * nonnull) and, if 'job' is nonnull, holds the job until 'then' has run.
 * 'build' may run more than once (rebuilt after "try again") and reads the
 * replica as it is then: look objects up by 'key', do not keep pointers
 * into informer stores.  Returns CTRL_PENDING. */
enum ctrl_result ctrl_nb_write(struct controller *ctl, struct ctrl_job *job,
                               const char *key, ovn_nb_build_fn *build,
                               void *aux, void (*free_aux)(void *),
                               ctrl_nb_then_fn *then);

/* A reconciler's write of one object's rows.  What the build reads is
 * looked up when it runs (by 'key' in the controller's model and address
 * book), since NB may answer long after the reconcile: the target carries
 * names, never pointers into the model.  'detail' is one more name a build
 * needs that the model may no longer have (a deleted subnet's VPC, whose
 * router holds its port), "" otherwise. */
struct ctrl_nb_target;
typedef int ctrl_nb_build_fn(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                             const struct ctrl_nb_target *target,
                             struct kovn_error *err);
struct ctrl_nb_target {
    struct controller *ctl;
    char *key;
    char *detail;
    ctrl_nb_build_fn *build;
};

/* ctrl_nb_write() of 'build' for the object 'key'. */
enum ctrl_result ctrl_nb_write_object(struct controller *ctl,
                                      struct ctrl_job *job, const char *key,
                                      const char *detail,
                                      ctrl_nb_build_fn *build,
                                      ctrl_nb_then_fn *then);

/* Records one NB write's latency (seconds, or error) in the controller's
 * histogram. */
void ctrl_nb_observe(struct controller *ctl, double seconds, int error);
/* The histogram's CTRL_TXN_BUCKETS - 1 upper bounds, in seconds. */
const double *ctrl_nb_txn_bounds(void);

#endif /* KOVN_CONTROLLER_NBWRITE_H */
