/* Pod sandboxes and their status; see pods.h. */
#include <config.h>

#include "sandbox/pods.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/error.h"
#include "hash.h"
#include "kube/api.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "kube/workqueue.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sandbox/chain.h"
#include "sandbox/conflist.h"
#include "sandbox/netns.h"
#include "sandbox/podstatus.h"
#include "sandbox/record.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(sandbox_pods);

#define POD_IFNAME "eth0"

/* A sandbox we made (or found after a restart). */
struct sandbox {
    struct hmap_node node; /* In 'pods->sandboxes', by uid. */
    struct record rec;
    bool checked; /* ADD done or CHECK passed in this process. */
    bool failed;  /* ADD failed: tear down, then back off. */
    bool busy;    /* A pass is working on it. */
};

enum pass_kind {
    PASS_ADD,
    PASS_CHECK,
    PASS_DEL,
    PASS_STATUS,
    PASS_FINALIZE,
};

/* One reconcile of one pod key in flight. */
struct pass {
    struct ovs_list node; /* In 'pods->passes'. */
    struct pods *pods;
    char *key;
    enum pass_kind kind;
    struct sandbox *sb; /* ADD, CHECK, DEL. */
    struct chain *chain;
    struct kube_request *request;
    bool finished;
};

struct pods {
    struct kube_client *client;
    struct kube_recorder *recorder;
    struct pods_options o;
    char *netns_dir, *state_dir, *cni_path, *node_name, *node_ip, *prefix;
    struct kube_informer *informer;
    struct kube_workqueue *queue;
    struct hmap sandboxes;
    struct ovs_list passes;
    size_t n_passes;
    bool synced;
};

static const char *const pod_fields[] = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.deletionTimestamp",
    "spec.nodeName",
    "spec.hostNetwork",
    "spec.containers",
    "status",
    NULL,
};

static void
prune(struct json *pod, void *aux OVS_UNUSED)
{
    kube_object_prune(pod, pod_fields);
}

static void
enqueue(struct pods *pods, const char *key)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

    if (kube_workqueue_add(pods->queue, key)) {
        VLOG_WARN_RL(&rl, "work queue full: %s dropped", key);
    }
}

static void
on_add(const char *key, const struct json *obj OVS_UNUSED, void *pods)
{
    enqueue(pods, key);
}

static void
on_update(const char *key, const struct json *old OVS_UNUSED,
          const struct json *new OVS_UNUSED, void *pods)
{
    enqueue(pods, key);
}

static struct sandbox *
sandbox_find(const struct pods *pods, const char *uid)
{
    struct sandbox *sb;

    HMAP_FOR_EACH_WITH_HASH(sb, node, hash_string(uid, 0), &pods->sandboxes)
    {
        if (!strcmp(sb->rec.uid, uid)) {
            return sb;
        }
    }
    return NULL;
}

static struct sandbox *
sandbox_add(struct pods *pods, struct record *rec)
{
    struct sandbox *sb = xzalloc(sizeof *sb);

    sb->rec = *rec;
    record_init(rec);
    hmap_insert(&pods->sandboxes, &sb->node, hash_string(sb->rec.uid, 0));
    return sb;
}

static void
sandbox_free(struct pods *pods, struct sandbox *sb)
{
    hmap_remove(&pods->sandboxes, &sb->node);
    record_destroy(&sb->rec);
    free(sb);
}

static char *
sandbox_key(const struct sandbox *sb)
{
    return xasprintf("%s/%s", sb->rec.namespace, sb->rec.name);
}

/* Reads the records a previous run left, and removes namespaces no record
 * explains (made by a run that crashed before it could write one). */
static void
load_records(struct pods *pods)
{
    struct sset uids = SSET_INITIALIZER(&uids);
    struct sset names = SSET_INITIALIZER(&names);
    struct kovn_error err;
    const char *uid, *name;

    if (record_list(pods->state_dir, &uids, &err)) {
        VLOG_WARN("%s", err.msg);
    }
    SSET_FOR_EACH(uid, &uids)
    {
        struct record rec;

        if (record_load(pods->state_dir, uid, &rec, &err)) {
            VLOG_WARN("dropping unreadable sandbox record: %s", err.msg);
            record_remove(pods->state_dir, uid, NULL);
            continue;
        }
        VLOG_INFO("found sandbox %s of pod %s/%s (%s)", rec.id, rec.namespace,
                  rec.name, rec.result ? "to CHECK" : "ADD never finished");
        sandbox_add(pods, &rec);
    }
    if (netns_list(pods->netns_dir, pods->prefix, &names, &err)) {
        VLOG_WARN("%s", err.msg);
    }
    SSET_FOR_EACH(name, &names)
    {
        if (!sandbox_find(pods, name + strlen(pods->prefix))) {
            char *path = xasprintf("%s/%s", pods->netns_dir, name);

            VLOG_WARN("removing network namespace %s: no sandbox record",
                      path);
            if (netns_remove(path, &err)) {
                VLOG_WARN("%s", err.msg);
            }
            free(path);
        }
    }
    sset_destroy(&uids);
    sset_destroy(&names);
}

struct pods *
pods_create(struct kube_client *client, struct kube_recorder *recorder,
            const struct pods_options *o)
{
    struct pods *pods = xzalloc(sizeof *pods);
    struct kovn_error err;

    pods->client = client;
    pods->recorder = recorder;
    pods->o = *o;
    pods->netns_dir = xstrdup(o->netns_dir);
    pods->state_dir = xstrdup(o->state_dir);
    pods->cni_path = xstrdup(o->cni_path);
    pods->node_name = xstrdup(o->node_name);
    pods->node_ip = xstrdup(o->node_ip);
    pods->prefix = xstrdup(o->netns_prefix ? o->netns_prefix : "kovn-");
    if (!pods->o.max_parallel) {
        pods->o.max_parallel = 16;
    }
    hmap_init(&pods->sandboxes);
    ovs_list_init(&pods->passes);

    struct kube_workqueue_config qc = {
        .base_delay_ms = o->retry_base_ms ? o->retry_base_ms : 1000,
        .max_delay_ms = o->retry_max_ms ? o->retry_max_ms : 120 * 1000,
    };
    if (kube_workqueue_create(&qc, &pods->queue, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }

    char *selector = xasprintf("spec.nodeName=%s", o->node_name);
    struct kube_informer_options io = {
        .path = "/api/v1/pods",
        .field_selector = selector,
        .transform = prune,
    };
    struct kube_informer_handlers h = {
        .add = on_add,
        .update = on_update,
        .del = on_add,
        .aux = pods,
    };
    pods->informer = kube_informer_create(client, &io, &h);
    free(selector);
    load_records(pods);
    return pods;
}

static void
pass_free(struct pass *p)
{
    if (p->request) {
        kube_request_cancel(p->request);
    }
    chain_destroy(p->chain);
    if (p->sb) {
        p->sb->busy = false;
    }
    free(p->key);
    free(p);
}

void
pods_destroy(struct pods *pods)
{
    struct sandbox *sb;
    struct pass *p;

    if (!pods) {
        return;
    }
    LIST_FOR_EACH_POP(p, node, &pods->passes)
    {
        pass_free(p);
    }
    HMAP_FOR_EACH_SAFE(sb, node, &pods->sandboxes)
    {
        sandbox_free(pods, sb);
    }
    hmap_destroy(&pods->sandboxes);
    kube_informer_destroy(pods->informer);
    kube_workqueue_destroy(pods->queue);
    free(pods->netns_dir);
    free(pods->state_dir);
    free(pods->cni_path);
    free(pods->node_name);
    free(pods->node_ip);
    free(pods->prefix);
    free(pods);
}

/* Ends a pass: 'ok' forgets the key's failures; 'again' requeues it (at
 * once, or with backoff when !ok). */
static void
pass_end(struct pass *p, bool ok, bool again)
{
    struct pods *pods = p->pods;

    if (ok) {
        kube_workqueue_forget(pods->queue, p->key);
    }
    kube_workqueue_done(pods->queue, p->key);
    if (!ok) {
        kube_workqueue_add_rate_limited(pods->queue, p->key);
    } else if (again) {
        kube_workqueue_add(pods->queue, p->key);
    }
    p->finished = true;
}

static char *
cni_args(const struct sandbox *sb)
{
    return xasprintf("IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;"
                     "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
                     sb->rec.namespace, sb->rec.name, sb->rec.id, sb->rec.uid);
}

static void
start_chain(struct pass *p, enum cni_command command)
{
    struct pods *pods = p->pods;
    char *args = cni_args(p->sb);
    struct chain_request r = {
        .command = command,
        .list = pods->o.conflist,
        .path = pods->cni_path,
        .container_id = p->sb->rec.id,
        .netns = p->sb->rec.netns,
        .ifname = POD_IFNAME,
        .args = args,
        .cached = command == CNI_ADD ? NULL : p->sb->rec.result,
        .timeout_ms = pods->o.cni_timeout_ms,
    };

    p->sb->busy = true;
    p->chain = chain_start(&r);
    free(args);
}

static void
pod_event(struct pods *pods, const struct sandbox *sb, const char *type,
          const char *reason, const char *message)
{
    struct kube_event_object obj = {
        .api_version = "v1",
        .kind = "Pod",
        .namespace = sb->rec.namespace,
        .name = sb->rec.name,
        .uid = sb->rec.uid,
    };
    kube_recorder_event(pods->recorder, &obj, type, reason, message);
}

static char *
random_id(void)
{
    uint8_t bytes[32];
    char *id = xmalloc(2 * sizeof bytes + 1);

    if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) {
        ovs_fatal(errno, "getrandom");
    }
    for (size_t i = 0; i < sizeof bytes; i++) {
        sprintf(id + 2 * i, "%02x", bytes[i]);
    }
    return id;
}

/* Starts a new sandbox for 'pod': record, namespace, then CNI ADD. */
static void
start_sandbox(struct pass *p, const struct json *pod)
{
    struct pods *pods = p->pods;
    struct kovn_error err;
    struct record rec;
    char *name;

    record_init(&rec);
    rec.uid = xstrdup(kube_object_uid(pod));
    rec.namespace = xstrdup(kube_object_namespace(pod));
    rec.name = xstrdup(kube_object_name(pod));
    rec.id = random_id();
    name = xasprintf("%s%s", pods->prefix, rec.uid);
    rec.netns = xasprintf("%s/%s", pods->netns_dir, name);
    p->sb = sandbox_add(pods, &rec);
    /* The record first: a crash after this point leaves something a
     * restart can DEL by the same container ID. */
    if (record_save(pods->state_dir, &p->sb->rec, &err) ||
        netns_create(pods->netns_dir, name, &err)) {
        char *msg = xasprintf("Failed to create pod sandbox: %s", err.msg);

        VLOG_WARN("pod %s: %s", p->key, msg);
        pod_event(pods, p->sb, "Warning", "FailedCreatePodSandBox", msg);
        free(msg);
        p->sb->failed = true;
        pass_end(p, true, true); /* The next pass tears down. */
        p->sb = NULL;
    } else {
        VLOG_INFO("pod %s: sandbox %s in %s: CNI ADD", p->key, p->sb->rec.id,
                  p->sb->rec.netns);
        p->kind = PASS_ADD;
        start_chain(p, CNI_ADD);
    }
    free(name);
}

static void
request_done(struct kube_response *r, void *p_)
{
    struct pass *p = p_;

    p->request = NULL;
    if (p->kind == PASS_FINALIZE) {
        /* 404: gone already; 409: a new pod of that name (uid differs). */
        if (r->status == 200 || r->status == 202 || r->status == 404 ||
            r->status == 409) {
            VLOG_INFO("pod %s: finalized", p->key);
            pass_end(p, true, false);
        } else {
            VLOG_WARN("pod %s: delete: %ld %s", p->key, r->status, r->message);
            pass_end(p, false, true);
        }
    } else {
        if (r->status == 200) {
            pass_end(p, true, false);
        } else if (r->status == 404) {
            pass_end(p, true, false); /* Gone: the informer tells. */
        } else {
            VLOG_WARN("pod %s: status: %ld %s", p->key, r->status, r->message);
            pass_end(p, false, true);
        }
    }
}

static void
write_status(struct pass *p, const struct json *pod, const struct svec *ips,
             const char *id)
{
    struct pods *pods = p->pods;
    struct json *patch;
    char *path;

    if (podstatus_is_current(pod, pods->node_ip, ips)) {
        pass_end(p, true, false);
        return;
    }
    patch = podstatus_running_patch(pod, pods->node_ip, ips, id);
    path = xasprintf("/api/v1/namespaces/%s/pods/%s",
                     kube_object_namespace(pod), kube_object_name(pod));
    p->kind = PASS_STATUS;
    p->request = kube_patch_status(pods->client, path, KUBE_PATCH_MERGE, patch,
                                   request_done, p);
    free(path);
    json_destroy(patch);
}

static void
finalize(struct pass *p, const struct json *pod)
{
    char *path = xasprintf("/api/v1/namespaces/%s/pods/%s",
                           kube_object_namespace(pod), kube_object_name(pod));

    p->kind = PASS_FINALIZE;
    p->request = kube_delete(p->pods->client, path, kube_object_uid(pod), NULL,
                             0, request_done, p);
    free(path);
}

static void
teardown(struct pass *p, struct sandbox *sb)
{
    VLOG_INFO("pod %s/%s: sandbox %s: CNI DEL", sb->rec.namespace,
              sb->rec.name, sb->rec.id);
    p->sb = sb;
    p->kind = PASS_DEL;
    start_chain(p, CNI_DEL);
}

/* One reconcile of 'p->key': at most one asynchronous step. */
static void
pass_start(struct pass *p)
{
    struct pods *pods = p->pods;
    const struct json *pod = kube_informer_get(pods->informer, p->key);
    const char *uid = pod ? kube_object_uid(pod) : NULL;
    struct sandbox *sb;

    /* Sandboxes of this name that belong to no current pod go first. */
    HMAP_FOR_EACH(sb, node, &pods->sandboxes)
    {
        char *key = sandbox_key(sb);
        bool mine = !strcmp(key, p->key);

        free(key);
        if (mine && !sb->busy && (!uid || strcmp(sb->rec.uid, uid))) {
            teardown(p, sb);
            return;
        }
    }
    if (!pod || !uid) {
        pass_end(p, true, false);
        return;
    }
    sb = sandbox_find(pods, uid);
    if (sb && sb->busy) {
        pass_end(p, true, false); /* Requeued when that pass ends. */
        return;
    }
    if (kube_object_is_deleting(pod)) {
        if (sb) {
            teardown(p, sb);
        } else {
            finalize(p, pod);
        }
        return;
    }
    bool host_network = false;
    json_member_bool(json_member(pod, "spec"), "hostNetwork", "",
                     &host_network, NULL);
    if (host_network) {
        struct svec ips = SVEC_EMPTY_INITIALIZER;

        svec_add(&ips, pods->node_ip);
        write_status(p, pod, &ips, "host");
        svec_destroy(&ips);
        return;
    }
    if (!sb) {
        start_sandbox(p, pod);
        return;
    }
    if (sb->failed || !sb->rec.result) {
        /* A failed ADD, or one a crash interrupted: start over. */
        teardown(p, sb);
        return;
    }
    if (!sb->checked) {
        VLOG_INFO("pod %s: sandbox %s from a previous run: CNI CHECK", p->key,
                  sb->rec.id);
        p->sb = sb;
        p->kind = PASS_CHECK;
        start_chain(p, CNI_CHECK);
        return;
    }

    struct svec ips = SVEC_EMPTY_INITIALIZER;
    struct kovn_error err;
    if (podstatus_ips_from_result(sb->rec.result, POD_IFNAME, &ips, &err)) {
        VLOG_WARN("pod %s: %s", p->key, err.msg);
        pod_event(pods, sb, "Warning", "FailedCreatePodSandBox", err.msg);
        sb->failed = true;
        pass_end(p, true, true);
    } else {
        write_status(p, pod, &ips, sb->rec.id);
    }
    svec_destroy(&ips);
}

static void
chain_finished(struct pass *p)
{
    struct pods *pods = p->pods;
    const struct cniexec_outcome *o = chain_outcome(p->chain);
    struct sandbox *sb = p->sb;
    struct kovn_error err;

    sb->busy = false;
    switch (p->kind) {
    case PASS_ADD:
        if (o->error) {
            char *msg = xasprintf("Failed to create pod sandbox: failed to "
                                  "setup network for sandbox \"%s\": %s",
                                  sb->rec.id, o->cni_error.msg);

            VLOG_WARN("pod %s: %s", p->key, msg);
            pod_event(pods, sb, "Warning", "FailedCreatePodSandBox", msg);
            free(msg);
            sb->failed = true;
            pass_end(p, true, true);
            break;
        }
        sb->rec.result = json_clone(o->result);
        sb->checked = true;
        if (record_save(pods->state_dir, &sb->rec, &err)) {
            VLOG_WARN("pod %s: %s", p->key, err.msg);
        }
        VLOG_INFO("pod %s: sandbox %s ready", p->key, sb->rec.id);
        pass_end(p, true, true);
        break;
    case PASS_CHECK:
        if (o->error) {
            VLOG_WARN("pod %s: CHECK failed, rebuilding the sandbox: %s",
                      p->key, o->cni_error.msg);
            sb->failed = true;
        } else {
            sb->checked = true;
        }
        pass_end(p, true, true);
        break;
    case PASS_DEL: {
        if (o->error) {
            VLOG_WARN("pod %s: %s", p->key, o->cni_error.msg);
            pod_event(pods, sb, "Warning", "FailedKillPod", o->cni_error.msg);
            pass_end(p, false, true);
            break;
        }
        if (netns_remove(sb->rec.netns, &err) ||
            record_remove(pods->state_dir, sb->rec.uid, &err)) {
            VLOG_WARN("pod %s: %s", p->key, err.msg);
            pass_end(p, false, true);
            break;
        }
        bool failed = sb->failed;
        char *key = sandbox_key(sb);
        VLOG_INFO("pod %s: sandbox %s removed", key, sb->rec.id);
        sandbox_free(pods, sb);
        p->sb = NULL;
        /* After a failed ADD the pod retries with backoff; otherwise the
         * next pass goes on (finalize, or nothing). */
        pass_end(p, !failed, true);
        if (strcmp(key, p->key)) {
            enqueue(pods, key);
        }
        free(key);
        break;
    }
    case PASS_STATUS:
    case PASS_FINALIZE:
        OVS_NOT_REACHED();
    }
}

void
pods_run(struct pods *pods)
{
    struct pass *p;
    const char *key;

    kube_informer_run(pods->informer);
    kube_workqueue_run(pods->queue);
    if (!pods->synced && kube_informer_has_synced(pods->informer)) {
        struct sandbox *sb;

        pods->synced = true;
        VLOG_INFO("pods of node %s synced: %zu, sandboxes from before: %zu",
                  pods->node_name, kube_informer_count(pods->informer),
                  hmap_count(&pods->sandboxes));
        HMAP_FOR_EACH(sb, node, &pods->sandboxes)
        {
            char *k = sandbox_key(sb);
            enqueue(pods, k);
            free(k);
        }
    }
    LIST_FOR_EACH_SAFE(p, node, &pods->passes)
    {
        if (!p->finished && p->chain && chain_run(p->chain)) {
            chain_finished(p);
        }
        if (p->finished) {
            ovs_list_remove(&p->node);
            pods->n_passes--;
            pass_free(p);
        }
    }
    while (pods->synced && pods->n_passes < pods->o.max_parallel &&
           (key = kube_workqueue_get(pods->queue))) {
        p = xzalloc(sizeof *p);
        p->pods = pods;
        p->key = xstrdup(key);
        ovs_list_push_back(&pods->passes, &p->node);
        pods->n_passes++;
        pass_start(p);
        if (!p->finished && p->chain && chain_run(p->chain)) {
            chain_finished(p);
        }
        if (p->finished) {
            ovs_list_remove(&p->node);
            pods->n_passes--;
            pass_free(p);
        }
    }
}

void
pods_wait(struct pods *pods)
{
    struct pass *p;

    kube_informer_wait(pods->informer);
    if (pods->synced && pods->n_passes < pods->o.max_parallel) {
        kube_workqueue_wait(pods->queue);
    }
    LIST_FOR_EACH(p, node, &pods->passes)
    {
        if (p->finished) {
            poll_immediate_wake();
        } else if (p->chain) {
            chain_wait(p->chain);
        }
    }
}
