/* Node registration and heartbeats; see heartbeat.h. */
#include <config.h>

#include "sandbox/heartbeat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "kube/api.h"
#include "kube/lease.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(sandbox_heartbeat);

enum heartbeat_step {
    HB_GET,    /* Read the Node (or learn it is absent). */
    HB_STATUS, /* Write Ready conditions. */
    HB_TAINTS, /* Drop not-ready/unreachable taints. */
    HB_IDLE,   /* Registered: heartbeats on a timer. */
};

struct heartbeat {
    struct kube_client *client;
    char *node;
    char *node_ip;
    char *path;
    long long status_interval_ms;
    long long lease_renew_ms;
    int lease_duration_s;

    enum heartbeat_step step;
    struct kube_request *request; /* In flight, if any. */
    long long next;               /* When to do the next step. */
    long long failures;
    bool registered;
    struct json *node_obj; /* Last read or written Node. */
    struct kube_lease *lease;
};

/* Taints the node lifecycle controller sets on nodes that stop posting. */
static const char *const outage_taints[] = {
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
};

static const struct {
    const char *type, *status, *reason, *message;
} node_conditions[] = {
    {"MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"},
    {"DiskPressure", "False", "KubeletHasNoDiskPressure",
     "kubelet has no disk pressure"},
    {"PIDPressure", "False", "KubeletHasSufficientPID",
     "kubelet has sufficient PID available"},
    {"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
};

struct heartbeat *
heartbeat_create(struct kube_client *client, const struct heartbeat_options *o)
{
    struct heartbeat *hb = xzalloc(sizeof *hb);

    hb->client = client;
    hb->node = xstrdup(o->node_name);
    hb->node_ip = xstrdup(o->node_ip);
    hb->path = xasprintf("/api/v1/nodes/%s", o->node_name);
    hb->status_interval_ms =
        o->status_interval_ms ? o->status_interval_ms : 60 * 1000;
    hb->lease_renew_ms = o->lease_renew_ms ? o->lease_renew_ms : 10 * 1000;
    hb->lease_duration_s = o->lease_duration_s ? o->lease_duration_s : 40;
    hb->step = HB_GET;
    hb->next = time_msec();
    return hb;
}

void
heartbeat_destroy(struct heartbeat *hb)
{
    if (!hb) {
        return;
    }
    if (hb->request) {
        kube_request_cancel(hb->request);
    }
    kube_lease_destroy(hb->lease);
    json_destroy(hb->node_obj);
    free(hb->node);
    free(hb->node_ip);
    free(hb->path);
    free(hb);
}

bool
heartbeat_registered(const struct heartbeat *hb)
{
    return hb->registered;
}

/* A small file's first line, or 'dflt'. */
static char *
first_line(const char *file, const char *dflt)
{
    char *text = NULL;

    if (file_read("", file, 4096, &text, NULL, NULL)) {
        return xstrdup(dflt);
    }
    text[strcspn(text, "\n")] = '\0';
    return text;
}

static long long
mem_total_kib(void)
{
    long long kib = 0;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "re");

    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "MemTotal: %lld kB", &kib) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static const char *
goarch(const char *machine)
{
    return !strcmp(machine, "x86_64")    ? "amd64"
           : !strcmp(machine, "aarch64") ? "arm64"
                                         : machine;
}

/* The condition 'i' as of 'now'; 'transition' stamps lastTransitionTime. */
static struct json *
condition_json(size_t i, const char *now, bool transition)
{
    struct json *c = json_object_create();

    json_object_put_string(c, "type", node_conditions[i].type);
    json_object_put_string(c, "status", node_conditions[i].status);
    json_object_put_string(c, "reason", node_conditions[i].reason);
    json_object_put_string(c, "message", node_conditions[i].message);
    json_object_put_string(c, "lastHeartbeatTime", now);
    if (transition) {
        json_object_put_string(c, "lastTransitionTime", now);
    }
    return c;
}

/* Conditions as a list for a status write: a condition whose status the
 * Node does not already have gets a new lastTransitionTime. */
static struct json *
conditions_json(const struct json *node, const char *now)
{
    const struct json *have =
        json_member(json_member(node, "status"), "conditions");
    struct json *list = json_array_create_empty();

    for (size_t i = 0; i < ARRAY_SIZE(node_conditions); i++) {
        const struct json *c =
            kube_condition_find(have, node_conditions[i].type);
        const char *status = NULL;

        json_member_string(c, "status", "", &status, NULL);
        bool same = status && !strcmp(status, node_conditions[i].status);
        json_array_add(list, condition_json(i, now, !same));
    }
    return list;
}

static struct json *
resources_json(void)
{
    struct json *r = json_object_create();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    json_object_put_format(r, "cpu", "%ld", cpus > 0 ? cpus : 1);
    json_object_put_format(r, "memory", "%lldKi", mem_total_kib());
    json_object_put_string(r, "pods", "110");
    return r;
}

/* The whole status kubelet posts: capacity, addresses, nodeInfo and the
 * conditions (compared with 'node', the Node as last seen, or NULL). */
static struct json *
status_json(const struct heartbeat *hb, const struct json *node)
{
    struct json *status = json_object_create();
    struct json *addresses = json_array_create_empty();
    struct json *info = json_object_create();
    struct json *a;
    struct utsname u;
    char now[KUBE_RFC3339_LEN];

    kube_rfc3339_now(now);
    if (uname(&u)) {
        memset(&u, 0, sizeof u);
    }
    a = json_object_create();
    json_object_put_string(a, "type", "InternalIP");
    json_object_put_string(a, "address", hb->node_ip);
    json_array_add(addresses, a);
    a = json_object_create();
    json_object_put_string(a, "type", "Hostname");
    json_object_put_string(a, "address", hb->node);
    json_array_add(addresses, a);

    json_object_put_nocopy(
        info, xstrdup("machineID"),
        json_string_create_nocopy(first_line("/etc/machine-id", "")));
    json_object_put_nocopy(info, xstrdup("systemUUID"),
                           json_string_create_nocopy(first_line(
                               "/sys/class/dmi/id/product_uuid", "")));
    json_object_put_nocopy(info, xstrdup("bootID"),
                           json_string_create_nocopy(first_line(
                               "/proc/sys/kernel/random/boot_id", "")));
    json_object_put_string(info, "kernelVersion", u.release);
    json_object_put_nocopy(
        info, xstrdup("osImage"),
        json_string_create_nocopy(first_line("/etc/debian_version", "Linux")));
    json_object_put_string(info, "containerRuntimeVersion",
                           "kovn-sandboxd://0.1.0");
    json_object_put_string(info, "kubeletVersion", "v1.20.2");
    json_object_put_string(info, "kubeProxyVersion", "v1.20.2");
    json_object_put_string(info, "operatingSystem", "linux");
    json_object_put_string(info, "architecture", goarch(u.machine));

    json_object_put(status, "capacity", resources_json());
    json_object_put(status, "allocatable", resources_json());
    json_object_put(status, "addresses", addresses);
    json_object_put(status, "conditions", conditions_json(node, now));
    json_object_put(status, "nodeInfo", info);
    return status;
}

static struct json *
node_json(const struct heartbeat *hb)
{
    struct json *node = json_object_create();
    struct json *meta = json_object_create();
    struct json *labels = json_object_create();
    struct utsname u;

    if (uname(&u)) {
        memset(&u, 0, sizeof u);
    }
    json_object_put_string(labels, "kubernetes.io/hostname", hb->node);
    json_object_put_string(labels, "kubernetes.io/os", "linux");
    json_object_put_string(labels, "kubernetes.io/arch", goarch(u.machine));
    json_object_put_string(labels, "beta.kubernetes.io/os", "linux");
    json_object_put_string(labels, "beta.kubernetes.io/arch",
                           goarch(u.machine));
    json_object_put_string(meta, "name", hb->node);
    json_object_put(meta, "labels", labels);

    json_object_put_string(node, "apiVersion", "v1");
    json_object_put_string(node, "kind", "Node");
    json_object_put(node, "metadata", meta);
    json_object_put(node, "spec", json_object_create());
    json_object_put(node, "status", status_json(hb, NULL));
    return node;
}

static void
keep_node(struct heartbeat *hb, const struct kube_response *r)
{
    if (r->body && r->body->type == JSON_OBJECT) {
        json_destroy(hb->node_obj);
        hb->node_obj = json_clone(r->body);
    }
}

static void
retry(struct heartbeat *hb, const char *what, const struct kube_response *r)
{
    long long delay = MIN(200LL << MIN(hb->failures, 6), 10 * 1000);

    hb->failures++;
    VLOG_WARN("node %s: %s: %ld %s", hb->node, what, r->status, r->message);
    hb->next = time_msec() + delay;
}

static void
start_lease(struct heartbeat *hb)
{
    const char *uid = kube_object_uid(hb->node_obj);
    struct json *refs = json_array_create_empty();
    struct json *ref = json_object_create();

    json_object_put_string(ref, "apiVersion", "v1");
    json_object_put_string(ref, "kind", "Node");
    json_object_put_string(ref, "name", hb->node);
    json_object_put_string(ref, "uid", uid ? uid : "");
    json_array_add(refs, ref);

    struct kube_lease_options o = {
        .namespace = "kube-node-lease",
        .name = hb->node,
        .identity = hb->node,
        .lease_duration_ms = hb->lease_duration_s * 1000LL,
        .renew_deadline_ms = hb->lease_duration_s * 1000LL,
        .retry_period_ms = hb->lease_renew_ms,
        .owner_references = refs,
    };
    kube_lease_destroy(hb->lease);
    hb->lease = kube_lease_create(hb->client, &o);
    json_destroy(refs);
}

static bool
has_outage_taint(const struct json *node)
{
    const struct json *taints =
        json_member(json_member(node, "spec"), "taints");

    for (size_t i = 0;
         taints && taints->type == JSON_ARRAY && i < json_array(taints)->n;
         i++) {
        const char *key = NULL;

        json_member_string(json_array(taints)->elems[i], "key", "", &key,
                           NULL);
        for (size_t j = 0; key && j < ARRAY_SIZE(outage_taints); j++) {
            if (!strcmp(key, outage_taints[j])) {
                return true;
            }
        }
    }
    return false;
}

static void
done(struct kube_response *r, void *hb_)
{
    struct heartbeat *hb = hb_;
    long long now = time_msec();

    hb->request = NULL;
    switch (hb->step) {
    case HB_GET:
        if (r->status == 200 || r->status == 201) {
            keep_node(hb, r);
            if (r->status == 201) {
                VLOG_INFO("registered node %s (%s)", hb->node, hb->node_ip);
            }
            hb->step = HB_STATUS;
            hb->next = now;
        } else if (r->status == 404) {
            /* Absent: the next GET round creates it. */
            json_destroy(hb->node_obj);
            hb->node_obj = NULL;
            hb->next = now;
        } else {
            retry(hb, "read", r);
            return;
        }
        break;
    case HB_STATUS:
        if (r->status == 200) {
            keep_node(hb, r);
            hb->step = has_outage_taint(hb->node_obj) ? HB_TAINTS : HB_IDLE;
            hb->next =
                hb->step == HB_IDLE ? now + hb->status_interval_ms : now;
        } else if (r->status == 404) {
            hb->step = HB_GET;
            hb->registered = false;
            hb->next = now;
        } else {
            retry(hb, "status", r);
            return;
        }
        break;
    case HB_TAINTS:
        if (r->status == 200) {
            VLOG_INFO("node %s: removed outage taints", hb->node);
            keep_node(hb, r);
            hb->step = HB_IDLE;
            hb->next = now + hb->status_interval_ms;
        } else {
            /* 409: changed meanwhile; read again. */
            hb->step = HB_GET;
            retry(hb, "taints", r);
            return;
        }
        break;
    case HB_IDLE:
        OVS_NOT_REACHED();
    }
    hb->failures = 0;
    if (hb->step == HB_IDLE && !hb->registered) {
        hb->registered = true;
        start_lease(hb);
        VLOG_INFO("node %s is Ready; lease renewed every %llds", hb->node,
                  hb->lease_renew_ms / 1000);
    }
}

static void
get_done(struct kube_response *r, void *hb_)
{
    struct heartbeat *hb = hb_;

    if (r->status == 404 && !hb->node_obj) {
        /* Create it at once. */
        struct json *node = node_json(hb);

        hb->node_obj = json_object_create(); /* Marks "tried to create". */
        hb->request = kube_create(hb->client, "/api/v1/nodes", node, done, hb);
        json_destroy(node);
        return;
    }
    if (r->status == 404) {
        json_destroy(hb->node_obj);
        hb->node_obj = NULL;
    }
    done(r, hb);
}

static void
start_step(struct heartbeat *hb)
{
    struct json *patch = json_object_create();

    switch (hb->step) {
    case HB_GET:
        json_destroy(hb->node_obj);
        hb->node_obj = NULL;
        hb->request = kube_get(hb->client, hb->path, get_done, hb);
        break;
    case HB_IDLE:
        hb->step = HB_STATUS;
        /* fall through */
    case HB_STATUS: {
        /* Strategic merge: conditions and addresses merge by type,
         * fields kubelet does not own stay. */
        json_object_put(patch, "status", status_json(hb, hb->node_obj));
        hb->request = kube_patch_status(hb->client, hb->path,
                                        KUBE_PATCH_STRATEGIC, patch, done, hb);
        break;
    }
    case HB_TAINTS: {
        const struct json *taints =
            json_member(json_member(hb->node_obj, "spec"), "taints");
        struct json *keep = json_array_create_empty();
        struct json *meta = json_object_create();
        struct json *spec = json_object_create();

        for (size_t i = 0;
             taints && taints->type == JSON_ARRAY && i < json_array(taints)->n;
             i++) {
            const struct json *t = json_array(taints)->elems[i];
            const char *key = NULL;
            bool drop = false;

            json_member_string(t, "key", "", &key, NULL);
            for (size_t j = 0; key && j < ARRAY_SIZE(outage_taints); j++) {
                drop |= !strcmp(key, outage_taints[j]);
            }
            if (!drop) {
                json_array_add(keep, json_clone(t));
            }
        }
        /* The resourceVersion makes it conditional: taints another
         * controller adds meanwhile are not lost. */
        json_object_put_string(meta, "resourceVersion",
                               kube_object_resource_version(hb->node_obj)
                                   ? kube_object_resource_version(hb->node_obj)
                                   : "");
        json_object_put(spec, "taints", keep);
        json_object_put(patch, "metadata", meta);
        json_object_put(patch, "spec", spec);
        hb->request = kube_patch(hb->client, hb->path, KUBE_PATCH_MERGE, patch,
                                 done, hb);
        break;
    }
    }
    json_destroy(patch);
}

void
heartbeat_run(struct heartbeat *hb)
{
    if (hb->lease) {
        kube_lease_run(hb->lease);
    }
    if (!hb->request && time_msec() >= hb->next) {
        start_step(hb);
    }
}

void
heartbeat_wait(struct heartbeat *hb)
{
    if (hb->lease) {
        kube_lease_wait(hb->lease);
    }
    if (!hb->request) {
        poll_timer_wait_until(hb->next);
    }
}
