/* Controller work loop; see queue.h. */
#include <config.h>

#include "controller/queue.h"

#include <string.h>

#include "base/metrics.h"
#include "kube/events.h"
#include "kube/rest.h"
#include "kube/workqueue.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ctrl_queue);

/* Reconciles started per ctrl_queue_run(). */
#define CTRL_QUEUE_BATCH 128

struct job_event {
    struct ovs_list node;
    struct kube_recorder *recorder;
    char *api_version, *kind, *namespace, *name, *uid;
    char *type, *reason, *message;
};

struct ctrl_job {
    struct ovs_list node; /* In ctrl_queue's 'jobs'. */
    struct ctrl_queue *queue;
    char *key; /* Owned by the workqueue until done(). */
    struct kube_request *request;
    char *what; /* "PATCH /apis/..." for logs. */
    bool ok_if_gone;
    bool ok_if_exists;
    bool retry_after_write;
    void (*on_success)(void *aux, const char *key);
    void *on_success_aux;
    ctrl_step_fn *then; /* Next step after the write, or NULL. */
    void *then_aux;
    bool held;              /* Waiting for ctrl_job_resume(). */
    struct ovs_list events; /* struct job_event */
};

struct ctrl_queue {
    char *name;
    size_t max_in_flight;
    ctrl_reconcile_fn *reconcile;
    void *aux;
    struct kube_workqueue *wq;
    struct ovs_list jobs; /* Pending jobs. */
    size_t n_jobs;
    uint64_t reconciles;
    uint64_t errors;
};

struct ctrl_queue *
ctrl_queue_create(const char *name, size_t max_in_flight,
                  ctrl_reconcile_fn *reconcile, void *aux)
{
    struct ctrl_queue *queue = xzalloc(sizeof *queue);
    struct kube_workqueue_config config = {
        /* Keys are few and writes cheap: the overall limit only guards
         * against a hot loop, the per-key backoff does the real work. */
        .qps = 200,
        .burst = 1000,
    };

    queue->name = xstrdup(name);
    queue->max_in_flight = max_in_flight ? max_in_flight : 1;
    queue->reconcile = reconcile;
    queue->aux = aux;
    ovs_assert(!kube_workqueue_create(&config, &queue->wq, NULL));
    ovs_list_init(&queue->jobs);
    return queue;
}

static void
job_event_destroy(struct job_event *ev)
{
    free(ev->api_version);
    free(ev->kind);
    free(ev->namespace);
    free(ev->name);
    free(ev->uid);
    free(ev->type);
    free(ev->reason);
    free(ev->message);
    free(ev);
}

static void
job_destroy(struct ctrl_job *job)
{
    struct job_event *ev;

    LIST_FOR_EACH_POP(ev, node, &job->events)
    {
        job_event_destroy(ev);
    }
    free(job->what);
    free(job);
}

void
ctrl_queue_destroy(struct ctrl_queue *queue)
{
    struct ctrl_job *job;

    if (!queue) {
        return;
    }
    LIST_FOR_EACH_POP(job, node, &queue->jobs)
    {
        if (job->request) {
            kube_request_cancel(job->request);
        }
        job_destroy(job);
    }
    kube_workqueue_destroy(queue->wq);
    free(queue->name);
    free(queue);
}

void
ctrl_queue_add(struct ctrl_queue *queue, const char *key)
{
    if (kube_workqueue_add(queue->wq, key)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: queue full, dropping key %s", queue->name, key);
    }
}

void
ctrl_queue_add_after(struct ctrl_queue *queue, const char *key,
                     long long delay_ms)
{
    kube_workqueue_add_after(queue->wq, key, delay_ms);
}

/* Ends the reconcile of 'key' as a success or a failure. */
static void
finish(struct ctrl_queue *queue, const char *key, bool ok)
{
    if (ok) {
        kube_workqueue_forget(queue->wq, key);
    } else {
        queue->errors++;
        kube_workqueue_add_rate_limited(queue->wq, key);
    }
    kube_workqueue_done(queue->wq, key);
}

void
ctrl_queue_run(struct ctrl_queue *queue, bool active)
{
    kube_workqueue_run(queue->wq);
    /* At most a batch per pass: informers get to take in events between
     * batches, and what reconcilers read from the informers' stores (kept
     * decoded until the next pass) stays a batch's worth, not 10,000 pods'
     * when they all come due at once after a restart.  The workqueue's
     * wait wakes the loop again while keys are ready. */
    for (size_t n = 0; active && n < CTRL_QUEUE_BATCH &&
                       queue->n_jobs < queue->max_in_flight;
         n++) {
        const char *key = kube_workqueue_get(queue->wq);
        if (!key) {
            break;
        }

        struct ctrl_job *job = xzalloc(sizeof *job);
        job->queue = queue;
        job->key = CONST_CAST(char *, key);
        ovs_list_init(&job->events);
        queue->reconciles++;

        enum ctrl_result result = queue->reconcile(key, job, queue->aux);
        if (result == CTRL_PENDING && (job->request || job->held)) {
            ovs_list_push_back(&queue->jobs, &job->node);
            queue->n_jobs++;
            continue;
        }
        if (result == CTRL_PENDING) {
            VLOG_ERR("%s: %s: reconcile pending without a request",
                     queue->name, key);
            result = CTRL_RETRY;
        }
        finish(queue, key, result == CTRL_DONE);
        job_destroy(job);
    }
}

void
ctrl_queue_wait(struct ctrl_queue *queue, bool active)
{
    if (active && queue->n_jobs < queue->max_in_flight) {
        kube_workqueue_wait(queue->wq);
    }
}

size_t
ctrl_queue_in_flight(const struct ctrl_queue *queue)
{
    return queue->n_jobs;
}

unsigned int
ctrl_queue_requeues(const struct ctrl_queue *queue, const char *key)
{
    return kube_workqueue_num_requeues(queue->wq, key);
}

uint64_t
ctrl_queue_errors(const struct ctrl_queue *queue)
{
    return queue->errors;
}

void
ctrl_queue_export(const struct ctrl_queue *queue,
                  struct metrics_registry *registry)
{
    char *labels = NULL;

    kube_workqueue_export(queue->wq, queue->name, registry);
    metrics_put_label(&labels, "controller", queue->name);
    metrics_set(registry, "kovn_reconcile_errors_total", METRIC_COUNTER,
                "Reconciles that failed and were requeued with backoff.",
                labels, queue->errors, NULL);
    metrics_set(registry, "kovn_reconciles_total", METRIC_COUNTER,
                "Reconciles started.", labels, queue->reconciles, NULL);
    free(labels);
}

const char *
ctrl_job_key(const struct ctrl_job *job)
{
    return job->key;
}

static void
job_done(struct kube_response *response, void *job_)
{
    struct ctrl_job *job = job_;
    struct ctrl_queue *queue = job->queue;
    bool ok = (response->status >= 200 && response->status < 300) ||
              (job->ok_if_gone && response->status == 404) ||
              (job->ok_if_exists && response->status == 409);
    struct job_event *ev;

    job->request = NULL;
    if (ok) {
        LIST_FOR_EACH(ev, node, &job->events)
        {
            struct kube_event_object object = {
                .api_version = ev->api_version,
                .kind = ev->kind,
                .namespace = ev->namespace,
                .name = ev->name,
                .uid = ev->uid,
            };
            kube_recorder_event(ev->recorder, &object, ev->type, ev->reason,
                                ev->message);
        }
        if (job->on_success) {
            job->on_success(job->on_success_aux, job->key);
        }
    } else if (response->status == 409) {
        VLOG_DBG("%s: %s: %s: conflict, retrying", queue->name, job->key,
                 job->what);
    } else {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);
        VLOG_WARN_RL(&rl, "%s: %s: %s failed: %ld %s", queue->name, job->key,
                     job->what, response->status, response->message);
    }
    if (ok && job->then && response->status < 300) {
        ctrl_step_fn *then = job->then;

        /* The events and hooks of this write are spent; the next step
         * brings its own. */
        LIST_FOR_EACH_POP(ev, node, &job->events)
        {
            job_event_destroy(ev);
        }
        job->on_success = NULL;
        job->then = NULL;
        ctrl_job_resume(job, then(job, job->then_aux));
        return;
    }
    ovs_list_remove(&job->node);
    queue->n_jobs--;
    finish(queue, job->key, ok && !job->retry_after_write);
    job_destroy(job);
}

void
ctrl_job_ok_if_exists(struct ctrl_job *job)
{
    job->ok_if_exists = true;
}

void
ctrl_job_then(struct ctrl_job *job, ctrl_step_fn *fn, void *aux)
{
    job->then = fn;
    job->then_aux = aux;
}

void
ctrl_job_hold(struct ctrl_job *job)
{
    ovs_assert(!job->request);
    job->held = true;
}

void
ctrl_job_resume(struct ctrl_job *job, enum ctrl_result result)
{
    struct ctrl_queue *queue = job->queue;

    /* A holder that went on to another write or hold did so before
     * calling here: a send ended the hold, a new hold kept it. */
    if (result == CTRL_PENDING && (job->request || job->held)) {
        return;
    }
    if (result == CTRL_PENDING) {
        VLOG_ERR("%s: %s: step pending without a request", queue->name,
                 job->key);
        result = CTRL_RETRY;
    }
    ovs_list_remove(&job->node);
    queue->n_jobs--;
    finish(queue, job->key, result == CTRL_DONE && !job->retry_after_write);
    job_destroy(job);
}

void
ctrl_job_on_success(struct ctrl_job *job,
                    void (*fn)(void *aux, const char *key), void *aux)
{
    job->on_success = fn;
    job->on_success_aux = aux;
}

void
ctrl_job_retry_after_write(struct ctrl_job *job)
{
    job->retry_after_write = true;
}

void
ctrl_job_send(struct ctrl_job *job, struct kube_client *client,
              const char *method, const char *path, const struct json *body,
              const char *content_type, bool ok_if_gone)
{
    ovs_assert(!job->request);
    job->held = false; /* A write ends a hold. */
    free(job->what);
    job->what = xasprintf("%s %s", method, path);
    job->ok_if_gone = ok_if_gone;
    job->ok_if_exists = false;
    job->request = kube_client_send(client, method, path, body, content_type,
                                    job_done, job);
}

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void
ctrl_job_add_event(struct ctrl_job *job, struct kube_recorder *recorder,
                   const struct kube_event_object *object, const char *type,
                   const char *reason, const char *message)
{
    struct job_event *ev = xzalloc(sizeof *ev);

    ev->recorder = recorder;
    ev->api_version = dup_or_null(object->api_version);
    ev->kind = dup_or_null(object->kind);
    ev->namespace = dup_or_null(object->namespace);
    ev->name = dup_or_null(object->name);
    ev->uid = dup_or_null(object->uid);
    ev->type = xstrdup(type);
    ev->reason = xstrdup(reason);
    ev->message = xstrdup(message);
    ovs_list_push_back(&job->events, &ev->node);
}
