/* Worker threads with a job queue and a result queue; see worker.h. */
#include <config.h>

#include "daemon/worker.h"

#include <pthread.h>
#include <stdbool.h>

#include "latch.h"
#include "openvswitch/list.h"
#include "ovs-thread.h"
#include "util.h"

struct job {
    struct ovs_list node;
    worker_fn *work;
    worker_fn *done;
    void *aux;
};

struct worker_pool {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    struct ovs_list todo;     /* Guarded by 'mutex'. */
    struct ovs_list finished; /* Guarded by 'mutex'. */
    bool stopping;            /* Guarded by 'mutex'. */
    struct latch latch;       /* Set when 'finished' gains a job. */
    pthread_t *threads;
    size_t n_threads;
    size_t pending; /* Poll-loop thread only. */
};

static void *
worker_main(void *pool_)
{
    struct worker_pool *pool = pool_;

    pthread_mutex_lock(&pool->mutex);
    for (;;) {
        while (!pool->stopping && ovs_list_is_empty(&pool->todo)) {
            pthread_cond_wait(&pool->cond, &pool->mutex);
        }
        if (pool->stopping) {
            break;
        }
        struct job *job =
            CONTAINER_OF(ovs_list_pop_front(&pool->todo), struct job, node);
        pthread_mutex_unlock(&pool->mutex);
        job->work(job->aux);
        pthread_mutex_lock(&pool->mutex);
        ovs_list_push_back(&pool->finished, &job->node);
        latch_set(&pool->latch);
    }
    pthread_mutex_unlock(&pool->mutex);
    return NULL;
}

struct worker_pool *
worker_pool_create(size_t n_threads)
{
    struct worker_pool *pool = xzalloc(sizeof *pool);

    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->cond, NULL);
    ovs_list_init(&pool->todo);
    ovs_list_init(&pool->finished);
    latch_init(&pool->latch);
    pool->n_threads = MAX(n_threads, 1);
    pool->threads = xcalloc(pool->n_threads, sizeof *pool->threads);
    for (size_t i = 0; i < pool->n_threads; i++) {
        pool->threads[i] = ovs_thread_create("kovn-worker", worker_main, pool);
    }
    return pool;
}

static void
free_jobs(struct ovs_list *list)
{
    struct job *job;

    LIST_FOR_EACH_POP(job, node, list)
    {
        free(job);
    }
}

void
worker_pool_destroy(struct worker_pool *pool)
{
    if (!pool) {
        return;
    }
    pthread_mutex_lock(&pool->mutex);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->mutex);
    for (size_t i = 0; i < pool->n_threads; i++) {
        xpthread_join(pool->threads[i], NULL);
    }
    free_jobs(&pool->todo);
    free_jobs(&pool->finished);
    latch_destroy(&pool->latch);
    pthread_cond_destroy(&pool->cond);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->threads);
    free(pool);
}

void
worker_submit(struct worker_pool *pool, worker_fn *work, worker_fn *done,
              void *aux)
{
    struct job *job = xmalloc(sizeof *job);

    *job = (struct job){.work = work, .done = done, .aux = aux};
    pool->pending++;
    pthread_mutex_lock(&pool->mutex);
    ovs_list_push_back(&pool->todo, &job->node);
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->mutex);
}

void
worker_pool_run(struct worker_pool *pool)
{
    struct ovs_list finished;
    struct job *job;

    latch_poll(&pool->latch);
    ovs_list_init(&finished);
    pthread_mutex_lock(&pool->mutex);
    ovs_list_push_back_all(&finished, &pool->finished);
    pthread_mutex_unlock(&pool->mutex);

    LIST_FOR_EACH_POP(job, node, &finished)
    {
        pool->pending--;
        job->done(job->aux);
        free(job);
    }
}

void
worker_pool_wait(struct worker_pool *pool)
{
    latch_wait(&pool->latch);
}

size_t
worker_pool_pending(const struct worker_pool *pool)
{
    return pool->pending;
}
