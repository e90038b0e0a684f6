/* The controller's NB write path; see nbwrite.h. */
#include <config.h>

#include "controller/nbwrite.h"

#include "base/error.h"
#include "controller/controller.h"
#include "ovn/batch.h"
#include "timeval.h"
#include "util.h"

static const double txn_bounds[CTRL_TXN_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

struct nb_write {
    struct controller *ctl;
    struct ctrl_job *job;
    char *key;
    ovn_nb_build_fn *build;
    void *aux;
    void (*free_aux)(void *);
    ctrl_nb_then_fn *then;
    long long submitted;
};

static int
write_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *w_,
            struct kovn_error *err)
{
    struct nb_write *w = w_;

    return w->build(nb, txn, w->aux, err);
}

static void
write_done(void *w_, int error, const struct kovn_error *err)
{
    struct nb_write *w = w_;
    enum ctrl_result result;

    ctrl_nb_observe(w->ctl, (time_msec() - w->submitted) / 1000.0, error);
    result = w->then(w->ctl, w->job, w->key, w->aux, error, err);
    if (w->job) {
        ctrl_job_resume(w->job, result);
    }
    if (w->free_aux) {
        w->free_aux(w->aux);
    }
    free(w->key);
    free(w);
}

enum ctrl_result
ctrl_nb_write(struct controller *ctl, struct ctrl_job *job, const char *key,
              ovn_nb_build_fn *build, void *aux, void (*free_aux)(void *),
              ctrl_nb_then_fn *then)
{
    struct nb_write *w = xzalloc(sizeof *w);

    w->ctl = ctl;
    w->job = job;
    w->key = xstrdup(key);
    w->build = build;
    w->aux = aux;
    w->free_aux = free_aux;
    w->then = then;
    w->submitted = time_msec();
    if (job) {
        ctrl_job_hold(job);
    }
    ovn_batch_submit_partial(ctl->nb_batch, write_build, w, write_done);
    return CTRL_PENDING;
}

static int
build_target(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *target_,
             struct kovn_error *err)
{
    const struct ctrl_nb_target *target = target_;

    return target->build(nb, txn, target, err);
}

static void
free_target(void *target_)
{
    struct ctrl_nb_target *target = target_;

    free(target->key);
    free(target->detail);
    free(target);
}

enum ctrl_result
ctrl_nb_write_object(struct controller *ctl, struct ctrl_job *job,
                     const char *key, const char *detail,
                     ctrl_nb_build_fn *build, ctrl_nb_then_fn *then)
{
    struct ctrl_nb_target *target = xmalloc(sizeof *target);

    target->ctl = ctl;
    target->key = xstrdup(key);
    target->detail = xstrdup(detail ? detail : "");
    target->build = build;
    return ctrl_nb_write(ctl, job, key, build_target, target, free_target,
                         then);
}

void
ctrl_nb_observe(struct controller *ctl, double seconds, int error)
{
    size_t i;

    if (error) {
        ctl->txn_errors++;
        return;
    }
    for (i = 0; i < CTRL_TXN_BUCKETS - 1 && seconds > txn_bounds[i]; i++) {
        continue;
    }
    ctl->txn_buckets[i]++;
    ctl->txn_count++;
    ctl->txn_sum_s += seconds;
}

const double *
ctrl_nb_txn_bounds(void)
{
    return txn_bounds;
}
