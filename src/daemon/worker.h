/* A pool of worker threads for kovn-daemon's blocking work (netlink in pod
 * namespaces), handing results back to the poll-loop thread.
 *
 * The poll-loop thread submits a job: 'work' runs on some worker thread and
 * must touch nothing but its 'aux'; 'done' then runs on the poll-loop thread
 * from worker_pool_run(), which worker_pool_wait() wakes through an OVS
 * latch.  Jobs do not block one another beyond the number of threads, so one
 * slow pod namespace holds up one thread, not the daemon. */
#ifndef KOVN_DAEMON_WORKER_H
#define KOVN_DAEMON_WORKER_H 1

#include <stddef.h>

struct worker_pool;

typedef void worker_fn(void *aux);

struct worker_pool *worker_pool_create(size_t n_threads);
/* Stops the threads after the jobs they are running; jobs not started are
 * dropped without their 'done' (the daemon is exiting). */
void worker_pool_destroy(struct worker_pool *);

void worker_submit(struct worker_pool *, worker_fn *work, worker_fn *done,
                   void *aux);

/* Calls 'done' of every finished job, on the calling (poll-loop) thread. */
void worker_pool_run(struct worker_pool *);
void worker_pool_wait(struct worker_pool *);

/* Jobs submitted whose 'done' has not run yet. */
size_t worker_pool_pending(const struct worker_pool *);

#endif /* KOVN_DAEMON_WORKER_H */
