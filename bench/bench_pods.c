/* Benchmark "P1": 10,000 pods bound to 100 Nodes, created through a real
 * kube-apiserver with a real kovn-controller running, against the API
 * server doing the same writes alone, in the same run; then the
 * controller's memory and its cold start with 10,000 allocations to
 * restore.
 *
 * A Kubernetes sandbox with kube-controller-manager (pods need their
 * namespace's default ServiceAccount) and an OVN NB without northd (only
 * the NB write path is measured; northd would only compete for this
 * machine's CPUs) are started, then 100 Nodes node-000..node-099 (no
 * status: no kubelet runs).  Pod i is "pod-NNNNN", bound to node-(i % 100)
 * (spec.nodeName: no scheduler involved), in the first namespace of a pair
 * for i < 5,000 and in the second for the rest, on the default subnet.
 *
 * 1. Baseline, with no controller: a load generator here sends, per pod in
 *    base-a/base-b, the writes the controller's pod reconciler makes: POST
 *    the pod, PATCH it with the controller's eight annotations (one merge
 *    patch), POST its IP object; WINDOW pods in flight at once.  Its time
 *    is from the first request to the last response.  The baseline pods
 *    and IP objects are then deleted (gracePeriodSeconds 0: no kubelet
 *    finishes a graceful delete) before the controller starts, so that it
 *    allocates for the measured pods only.
 * 2. The controller starts; once /readyz answers, its default subnet is in
 *    NB and it is idle, the same 10,000 pods (POST only, same window) are
 *    created in bench-a/bench-b.  Measured from the first POST until every
 *    pod carries the annotations and has its IP object (both seen by
 *    watches here) and its Logical_Switch_Port is in NB (a replica here,
 *    counted every 50 ms).  The watches and the NB replica run in both
 *    phases, so that the only difference is the controller.
 * 3. The controller is stopped (SIGTERM) and started again, 3 times: the
 *    time to its "restored N allocations" log line, to /readyz 200, and
 *    until it is idle again after going over every pod; its VmHWM and
 *    VmRSS.  Then once more with the NB server stopped until the
 *    controller has listed pods and IP objects: NB's first load last, the
 *    order of its highest memory peak, which a busy NB server gives too.
 * 4. The controller is stopped, the measured pods and IP objects deleted,
 *    and the baseline runs again.  The same writes do not cost the API
 *    server the same from one phase to the next (a second baseline took
 *    1% to 29% longer than the first, with as much more API server and
 *    etcd CPU), and a drift that way counts against the controller's
 *    phase, run second: the phase is compared with the mean of the
 *    baselines before and after it, and both are printed.
 * The result is verified: 10,000 IP objects with unique addresses, each the
 * address in its pod's annotation, and 10,000 ports.
 *
 * $KOVN_P1_EXTRA_WATCH: one more client watches pods and IP objects in
 * every phase, to price a watcher (one run: a second watcher in the
 * baseline cost the API server no measurable CPU).
 *
 *   bench_pods KOVN_CONTROLLER
 * With $KOVN_BENCH_PERF=FILE, `perf record` samples the controller with
 * call graphs during phase 2 into FILE (some 100 MB). */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "crd/names.h"
#include "k8s_sandbox.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn_sandbox.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_PODS         10000
#define N_NODES        100
#define PODS_PER_NS    (N_PODS / 2)
#define WINDOW         64   /* Pods in flight at once. */
#define CLIENT_QPS     2000 /* Far above what the API server manages. */
#define POD_LIMIT_S    600.0
#define SETUP_LIMIT_S  300.0
#define START_LIMIT_S  60.0
#define GOAL_RATIO     1.1
#define GOAL_RSS_MIB   40.0
#define GOAL_RESTART_S 3.0
/* Restarts measured; the cold-start figure is their median (one start on
 * two shared cores varies by a second). */
#define N_RESTARTS      3
#define PROGRESS_EVERY  10.0
#define LSP_CHECK_EVERY 0.05

/* Steps of one pod's writes, as the baseline makes them. */
enum step { STEP_POD, STEP_PATCH, STEP_IP, N_STEPS };
static const char *const step_names[N_STEPS] = {"POST pod", "PATCH pod",
                                                "POST IP"};

/* One set of N_PODS pods over two namespaces. */
struct run {
    const char *title;
    const char *namespaces[2];
    /* Per pod, seconds (bench_now_seconds()). */
    double *sent;             /* Its first request sent. */
    double *acked;            /* Its last response. */
    double *annotated;        /* First watch event carrying the annotations. */
    double *ip_seen;          /* First watch event showing its IP object. */
    double *step_ms[N_STEPS]; /* Latency of each request, ms. */
    int n_annotated, n_ips;
    double first_sent, last_acked, last_annotated, last_ip, lsps_done;
    int n_lsps;
    double ctl_cpu_s, gen_cpu_s, load;
    double server_cpu_s[BENCH_N_SERVERS]; /* During the timed writes. */
    long ctl_rss_kib, ctl_hwm_kib;
};

static struct run baseline = {.title = "baseline",
                              .namespaces = {"base-a", "base-b"}};
/* The first baseline, once the second one (after the controller phase)
 * has taken 'baseline''s place. */
static struct run baseline_before;
static struct run measured = {.title = "controller",
                              .namespaces = {"bench-a", "bench-b"}};

/* A controller start, until it is ready and then idle. */
struct start {
    double restored_s; /* Exec to its "restored" log line. */
    double ready_s;    /* Exec to /readyz 200. */
    double idle_s;     /* Ready to idle (< 10 ms CPU per 500 ms). */
    double cpu_s;      /* CPU from exec to idle. */
    size_t n_allocs, n_ips, n_pods;
    long long restore_ms; /* As it logs it. */
    long ready_rss_kib, ready_hwm_kib, idle_rss_kib, idle_hwm_kib;
};

static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer, *reader;
static struct kube_informer *pod_informer, *ip_informer;
/* $KOVN_P1_EXTRA_WATCH set: one more client watches pods and IP objects
 * and does nothing with them, through every phase.  Its baseline, against
 * one without, prices what any controller's watches cost the API server
 * (the controller phase has one more watcher than the baseline). */
static struct kube_client *extra_client;
static struct kube_informer *extra_informers[2];
/* Names of switches and ports only: a replica of Logical_Switch.ports
 * would re-parse the whole set, 10,000 references, on every port added,
 * and compete with the controller for the CPUs. */
static struct ovsdb_idl *nb;
static struct bench_ctl kovn;
static pid_t perf_pid;
/* The NB ovsdb-server while a restart holds it stopped (SIGSTOP). */
static pid_t nb_paused_pid;
static char *metrics_phase, *metrics_restart;

static void fail(const char *fmt, ...) OVS_PRINTF_FORMAT(1, 2) OVS_NO_RETURN;

/* Reports the failure with the end of the controller's log and exits; the
 * atexit handler stops the controller and the sandboxes' reapers stop the
 * servers. */
static void
fail(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    bench_vfail(&kovn, fmt, args);
}

static void
nb_resume(void)
{
    if (nb_paused_pid > 0) {
        kill(nb_paused_pid, SIGCONT);
        nb_paused_pid = 0;
    }
}

/* Stops the NB ovsdb-server (by its pid file) so that the controller's
 * first NB load arrives after its Kubernetes lists: the order that gives
 * its highest memory peak, the monitor reply's JSON tree (16 MB of heap
 * for 10,000 ports, by heaptrack) on top of full stores.  A busy NB server
 * (after this phase's 20,000 changes it may be compacting its log) does it
 * unasked. */
static void
nb_pause(void)
{
    char *path = xasprintf("%s/ovnnb_db.pid", ovn.dir);
    pid_t pid = bench_read_pid(path);

    if (!pid) {
        fail("cannot read %s", path);
    }
    free(path);
    if (kill(pid, SIGSTOP)) {
        fail("stopping the NB server %d: %s", pid, ovs_strerror(errno));
    }
    nb_paused_pid = pid;
}

static void
stop_children(void)
{
    if (perf_pid > 0) {
        kill(perf_pid, SIGINT);
        waitpid(perf_pid, NULL, 0);
        perf_pid = 0;
    }
    nb_resume();
    bench_ctl_stop(&kovn);
}

/* One turn of the poll loop: everything runs, then sleeps until an event or
 * 'wake_ms'. */
static void
run_all(void)
{
    kube_client_run(writer);
    kube_client_run(reader);
    kube_informer_run(pod_informer);
    kube_informer_run(ip_informer);
    if (extra_client) {
        kube_client_run(extra_client);
        kube_informer_run(extra_informers[0]);
        kube_informer_run(extra_informers[1]);
    }
    ovsdb_idl_run(nb);
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
    kube_client_wait(reader);
    kube_informer_wait(pod_informer);
    kube_informer_wait(ip_informer);
    if (extra_client) {
        kube_client_wait(extra_client);
        kube_informer_wait(extra_informers[0]);
        kube_informer_wait(extra_informers[1]);
    }
    ovsdb_idl_wait(nb);
    poll_timer_wait_until(wake_ms);
    poll_block();
}

static void
run_for(double seconds)
{
    double until = bench_now_seconds() + seconds;

    while (bench_now_seconds() < until) {
        run_all();
        block_until(time_msec() + 50);
    }
}

/* A blocking request that must answer 'want'; returns the body. */
static struct json *
call(const char *method, const char *path, const char *body, long want)
{
    struct kube_response response;
    struct kovn_error err;
    struct json *json = body ? json_from_string(body) : NULL;
    struct json *result;

    if (kube_client_call(writer, method, path, json, NULL, &response, &err)) {
        fail("%s %s: %s", method, path, err.msg);
    }
    json_destroy(json);
    if (response.status != want) {
        fail("%s %s: %ld %s %s", method, path, response.status,
             response.reason, response.message);
    }
    result = response.body;
    response.body = NULL;
    kube_response_destroy(&response);
    return result;
}

/* --- Pods and their names. */

static const char *
pod_namespace(const struct run *run, int i)
{
    return run->namespaces[i / PODS_PER_NS];
}

static void
pod_name(int i, char buf[16])
{
    snprintf(buf, 16, "pod-%05d", i);
}

/* The run and index of pod 'name' in 'ns', or NULL. */
static struct run *
pod_of(const char *ns, const char *name, int *indexp)
{
    struct run *runs[] = {&baseline, &measured};
    char *end;
    long i;

    if (!ns || !name || strncmp(name, "pod-", 4)) {
        return NULL;
    }
    i = strtol(name + 4, &end, 10);
    if (end == name + 4 || *end || i < 0 || i >= N_PODS) {
        return NULL;
    }
    for (size_t r = 0; r < ARRAY_SIZE(runs); r++) {
        if (!strcmp(ns, pod_namespace(runs[r], i))) {
            *indexp = i;
            return runs[r];
        }
    }
    return NULL;
}

/* The run and index of IP object 'name' ("<pod>.<namespace>"), or NULL. */
static struct run *
ip_of(const char *name, int *indexp)
{
    const char *dot = name ? strchr(name, '.') : NULL;
    char pod[32];

    if (!dot || dot - name >= (ptrdiff_t)sizeof pod) {
        return NULL;
    }
    memcpy(pod, name, dot - name);
    pod[dot - name] = '\0';
    return pod_of(dot + 1, pod, indexp);
}

static bool
is_measured_port(const char *name)
{
    int i;

    return ip_of(name, &i) == &measured;
}

/* The fake allocation of baseline pod i: what the controller would hand
 * out, the same sizes on the wire. */
static void
fake_addresses(int i, char ip[16], char mac[18])
{
    unsigned int host = 2 + i;

    snprintf(ip, 16, "10.16.%u.%u", (host >> 8) & 255, host & 255);
    snprintf(mac, 18, "00:00:00:%02x:%02x:%02x", 0x5a, (host >> 8) & 255,
             host & 255);
}

static char *
pod_body(const struct run *run, int i)
{
    char name[16];

    pod_name(i, name);
    /* The toleration keeps the node lifecycle controller's taints on these
     * kubelet-less Nodes from evicting anything during the run. */
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
                     "\"name\":\"%s\",\"namespace\":\"%s\"},\"spec\":{"
                     "\"nodeName\":\"node-%03d\",\"containers\":[{\"name\":"
                     "\"c\",\"image\":\"none\"}],\"tolerations\":[{"
                     "\"operator\":\"Exists\"}]}}",
                     name, pod_namespace(run, i), i % N_NODES);
}

/* The controller's annotation patch, from pod.c desired_annotations(). */
static char *
patch_body(int i)
{
    char ip[16], mac[18];

    fake_addresses(i, ip, mac);
    return xasprintf("{\"metadata\":{\"annotations\":{"
                     "\"%s\":\"true\",\"%s\":\"%s\",\"%s\":\"%s\","
                     "\"%s\":\"%s\",\"%s\":\"%s\",\"%s\":\"%s\","
                     "\"%s\":\"%s\",\"%s\":\"veth-pair\"}}}",
                     ANN_ALLOCATED, ANN_IP_ADDRESS, ip, ANN_MAC_ADDRESS, mac,
                     ANN_CIDR, CRD_DEFAULT_SUBNET_CIDR, ANN_GATEWAY,
                     CRD_DEFAULT_SUBNET_GATEWAY, ANN_LOGICAL_SWITCH,
                     CRD_DEFAULT_SUBNET, ANN_LOGICAL_ROUTER, CRD_DEFAULT_VPC,
                     ANN_POD_NIC_TYPE);
}

/* The controller's IP object, from pod.c ip_object(). */
static char *
ip_body(const struct run *run, int i)
{
    char name[16], ip[16], mac[18];

    pod_name(i, name);
    fake_addresses(i, ip, mac);
    return xasprintf(
        "{\"apiVersion\":\"%s\",\"kind\":\"IP\",\"metadata\":{\"name\":"
        "\"%s.%s\"},\"spec\":{\"podName\":\"%s\",\"namespace\":\"%s\","
        "\"subnet\":\"%s\",\"nodeName\":\"node-%03d\",\"ipAddress\":\"%s\","
        "\"v4IpAddress\":\"%s\",\"macAddress\":\"%s\",\"attachSubnets\":[],"
        "\"attachIps\":[],\"attachMacs\":[],\"podType\":\"pod\"}}",
        CRD_GROUP_VERSION, name, pod_namespace(run, i), name,
        pod_namespace(run, i), CRD_DEFAULT_SUBNET, i % N_NODES, ip, ip, mac);
}

/* --- The load generator: each pod's requests in sequence, WINDOW pods at
 * once. */

enum load_kind {
    LOAD_BASELINE, /* POST pod, PATCH annotations, POST IP. */
    LOAD_CREATE,   /* POST pod. */
    LOAD_DELETE,   /* DELETE pod (grace 0), DELETE IP. */
};

struct load {
    enum load_kind kind;
    struct run *run;
    int next, in_flight, done;
};

struct pod_op {
    struct load *load;
    int i, step;
    double step_sent;
};

static int
load_steps(const struct load *load)
{
    return load->kind == LOAD_BASELINE ? N_STEPS
           : load->kind == LOAD_CREATE ? 1
                                       : 2;
}

static void load_fill(struct load *);
static void send_step(struct pod_op *);

static void
op_done(struct kube_response *response, void *op_)
{
    struct pod_op *op = op_;
    struct load *load = op->load;
    struct run *run = load->run;
    double now = bench_now_seconds();
    long want = load->kind == LOAD_DELETE ? 200
                : op->step == STEP_PATCH  ? 200
                                          : 201;
    bool gone = load->kind == LOAD_DELETE && response->status == 404;

    if (response->status != want && !gone) {
        char name[16];

        pod_name(op->i, name);
        fail("%s/%s, request %d: %ld %s %s", pod_namespace(run, op->i), name,
             op->step + 1, response->status, response->reason,
             response->message);
    }
    if (load->kind != LOAD_DELETE) {
        run->step_ms[op->step][op->i] = (now - op->step_sent) * 1000;
    }
    if (++op->step < load_steps(load)) {
        send_step(op);
        return;
    }
    if (load->kind != LOAD_DELETE) {
        run->acked[op->i] = now;
        run->last_acked = MAX(run->last_acked, now);
    }
    free(op);
    load->in_flight--;
    load->done++;
    load_fill(load);
}

static void
send_step(struct pod_op *op)
{
    const struct run *run = op->load->run;
    const char *ns = pod_namespace(run, op->i);
    const char *method, *content_type = NULL;
    char name[16], *path, *body = NULL;
    struct json *json;

    pod_name(op->i, name);
    if (op->load->kind == LOAD_DELETE) {
        method = "DELETE";
        if (op->step == 0) {
            path = xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
            body = xstrdup("{\"gracePeriodSeconds\":0}");
        } else {
            path = xasprintf(CRD_API_PATH "/ips/%s.%s", name, ns);
        }
    } else if (op->step == STEP_POD) {
        method = "POST";
        path = xasprintf("/api/v1/namespaces/%s/pods", ns);
        body = pod_body(run, op->i);
    } else if (op->step == STEP_PATCH) {
        method = "PATCH";
        path = xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
        body = patch_body(op->i);
        content_type = "application/merge-patch+json";
    } else {
        method = "POST";
        path = xstrdup(CRD_API_PATH "/ips");
        body = ip_body(run, op->i);
    }
    json = body ? json_from_string(body) : NULL;
    op->step_sent = bench_now_seconds();
    kube_client_send(writer, method, path, json, content_type, op_done, op);
    json_destroy(json);
    free(body);
    free(path);
}

static void
load_fill(struct load *load)
{
    while (load->in_flight < WINDOW && load->next < N_PODS) {
        struct pod_op *op = xzalloc(sizeof *op);

        op->load = load;
        op->i = load->next++;
        load->in_flight++;
        send_step(op);
        if (load->kind != LOAD_DELETE) {
            load->run->sent[op->i] = op->step_sent;
        }
    }
}

/* Runs 'kind' over 'run's pods until every pod's last response. */
static void
load_run(enum load_kind kind, struct run *run)
{
    struct load load = {.kind = kind, .run = run};
    double start = bench_now_seconds();
    double next_progress = start + PROGRESS_EVERY;

    load_fill(&load);
    while (load.done < N_PODS) {
        run_all();
        if (kind == LOAD_BASELINE && bench_now_seconds() >= next_progress) {
            printf("  %s +%.0f s: %d pods written, load %.2f\n", run->title,
                   bench_now_seconds() - start, load.done,
                   bench_load_average());
            fflush(stdout);
            next_progress += PROGRESS_EVERY;
        }
        if (bench_now_seconds() - start > POD_LIMIT_S) {
            fail("%s: %d of %d pods done after %.0f s", run->title, load.done,
                 N_PODS, POD_LIMIT_S);
        }
        block_until(time_msec() + 100);
    }
}

/* --- What the watches and the NB replica show. */

static bool
fully_annotated(const struct json *pod)
{
    static const char *const keys[] = {
        ANN_ALLOCATED,      ANN_IP_ADDRESS,   ANN_MAC_ADDRESS,
        ANN_CIDR,           ANN_GATEWAY,      ANN_LOGICAL_SWITCH,
        ANN_LOGICAL_ROUTER, ANN_POD_NIC_TYPE,
    };

    for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
        const char *value = kube_object_annotation(pod, keys[k]);
        if (!value || !*value) {
            return false;
        }
    }
    return true;
}

static void
observe_pod(const struct json *pod, bool update OVS_UNUSED)
{
    struct run *run;
    int i;

    run = pod_of(kube_object_namespace(pod), kube_object_name(pod), &i);
    if (run && !run->annotated[i] && fully_annotated(pod)) {
        double now = bench_now_seconds();

        run->annotated[i] = now;
        run->last_annotated = now;
        run->n_annotated++;
    }
}

static const struct bench_observer pod_observer = {observe_pod};

/* Only its first appearance counts: updates change nothing here. */
static void
observe_ip(const struct json *obj, bool update OVS_UNUSED)
{
    struct run *run;
    int i;

    run = ip_of(kube_object_name(obj), &i);
    if (run && !run->ip_seen[i]) {
        double now = bench_now_seconds();

        run->ip_seen[i] = now;
        run->last_ip = now;
        run->n_ips++;
    }
}

static const struct bench_observer ip_observer = {observe_ip};

static const char *const pod_fields[] = {"metadata.name", "metadata.namespace",
                                         "metadata.resourceVersion",
                                         "metadata.annotations", NULL};
static const char *const ip_fields[] = {
    "metadata.name", "metadata.resourceVersion", "spec.ipAddress", NULL};

static const char *
ip_address(const struct json *ip)
{
    const char *addr = NULL;

    json_member_string(json_member(ip, "spec"), "ipAddress", "spec", &addr,
                       NULL);
    return addr;
}

/* Logical_Switch_Ports of the measured pods in the NB replica. */
static int
count_ports(void)
{
    const struct nbrec_logical_switch_port *lsp;
    int n = 0;

    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH(lsp, nb)
    {
        n += is_measured_port(lsp->name);
    }
    return n;
}

static bool
have_switch(const char *name)
{
    const struct nbrec_logical_switch *ls;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb)
    {
        if (!strcmp(ls->name, name)) {
            return true;
        }
    }
    return false;
}

/* Objects of 'run' still in the informers' stores. */
static int
count_left(const struct run *run)
{
    const struct shash_node *node;
    struct kube_store_cursor c;
    int n = 0, i;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(pod_informer))
    {
        n += pod_of(kube_object_namespace(c.object),
                    kube_object_name(c.object), &i) == run;
    }
    SHASH_FOR_EACH(node, kube_store_keys(kube_informer_store(ip_informer)))
    {
        n += ip_of(node->name, &i) == run;
    }
    return n;
}

/* --- The controller. */

static const struct bench_loop loop = {run_all, block_until};

static double
settle(double limit_s)
{
    return bench_ctl_settle(&kovn, &loop, limit_s);
}

/* Starts the controller, logging to DIR/'log_name', and waits for its
 * "restored" line and /readyz 200, then until it is idle.  If 'nb_late',
 * the NB server stays stopped until the controller has listed its pods
 * and IP objects. */
static void
start_controller(const char *exe, const char *log_name, bool nb_late,
                 struct start *s)
{
    char log[256], line[4096];
    double start;
    int port = 0, error;

    memset(s, 0, sizeof *s);
    snprintf(log, sizeof log, "%s/%s", k8s.dir, log_name);
    if (nb_late) {
        nb_pause();
    }
    start = bench_now_seconds();
    error = bench_ctl_start(&kovn, exe, ovn.nb_unix, k8s.controller_kubeconfig,
                            log);
    if (error) {
        fail("starting %s: %s", exe, ovs_strerror(-error));
    }
    while (!s->restored_s || !s->ready_s) {
        run_all();
        double now = bench_now_seconds();
        if (nb_paused_pid &&
            bench_ctl_log_find(&kovn, "pods ready ", line, sizeof line) &&
            bench_ctl_log_find(&kovn, "ips ready ", line, sizeof line)) {
            nb_resume();
        }
        if (!s->restored_s &&
            bench_ctl_log_find(&kovn, "restored ", line, sizeof line)) {
            s->restored_s = now - start;
            if (sscanf(strstr(line, "restored "),
                       "restored %zu allocations from %zu IP objects and "
                       "%zu pods in %lld ms",
                       &s->n_allocs, &s->n_ips, &s->n_pods,
                       &s->restore_ms) != 4) {
                fail("cannot parse the controller's line \"%s\"", line);
            }
        }
        if (!port) {
            port = bench_ctl_metrics_port(&kovn);
        }
        if (port && !s->ready_s &&
            bench_http_get(port, "/readyz", NULL) == 200) {
            /* When the answer arrived: a busy controller answers late. */
            s->ready_s = bench_now_seconds() - start;
            bench_proc_memory(kovn.pid, &s->ready_rss_kib, &s->ready_hwm_kib);
        }
        if (now - start > START_LIMIT_S) {
            fail("the controller was not ready %.0f s after its start "
                 "(restored: %s, metrics port: %d)",
                 START_LIMIT_S, s->restored_s ? "yes" : "no", port);
        }
        block_until(time_msec() + 5);
    }
    /* The parts of the start, as the controller logged them. */
    bench_ctl_print_log_lines(&kovn, " ms after start", log_name);
    s->idle_s = settle(SETUP_LIMIT_S);
    s->cpu_s = bench_proc_cpu(kovn.pid);
    bench_proc_memory(kovn.pid, &s->idle_rss_kib, &s->idle_hwm_kib);
}

static void
perf_start(void)
{
    const char *file = getenv("KOVN_BENCH_PERF");
    char pid[16];

    if (!file || !*file) {
        return;
    }
    snprintf(pid, sizeof pid, "%d", (int)kovn.pid);
    perf_pid = fork();
    if (perf_pid < 0) {
        fail("fork: %s", ovs_strerror(errno));
    }
    if (perf_pid == 0) {
        closefrom(3);
        /* DWARF call graphs: release builds have no frame pointers. */
        execlp("perf", "perf", "record", "-q", "-F", "200", "--call-graph",
               "dwarf,8192", "-o", file, "-p", pid, (char *)NULL);
        _exit(127);
    }
}

static void
perf_stop(void)
{
    if (perf_pid > 0) {
        kill(perf_pid, SIGINT);
        waitpid(perf_pid, NULL, 0);
        perf_pid = 0;
        printf("perf samples of the controller in %s\n",
               getenv("KOVN_BENCH_PERF"));
    }
}

/* --- Phases. */

static void
alloc_run(struct run *run)
{
    run->sent = xcalloc(N_PODS, sizeof *run->sent);
    run->acked = xcalloc(N_PODS, sizeof *run->acked);
    run->annotated = xcalloc(N_PODS, sizeof *run->annotated);
    run->ip_seen = xcalloc(N_PODS, sizeof *run->ip_seen);
    for (int s = 0; s < N_STEPS; s++) {
        run->step_ms[s] = xcalloc(N_PODS, sizeof *run->step_ms[s]);
    }
}

static void
free_run(struct run *run)
{
    free(run->sent);
    free(run->acked);
    free(run->annotated);
    free(run->ip_seen);
    for (int s = 0; s < N_STEPS; s++) {
        free(run->step_ms[s]);
    }
}

static void
progress(const struct run *run, int n_lsps)
{
    long rss = 0, hwm = 0;

    if (kovn.pid) {
        bench_proc_memory(kovn.pid, &rss, &hwm);
    }
    printf("  %s +%.0f s: %d pods annotated, %d IP objects, %d ports; "
           "controller VmRSS %.1f MiB, load %.2f\n",
           run->title, bench_now_seconds() - run->first_sent, run->n_annotated,
           run->n_ips, n_lsps, rss / 1024.0, bench_load_average());
    fflush(stdout);
}

/* The servers' CPU over a run's timed writes: where the controller phase
 * spends more than the baseline beyond the controller's own CPU. */
static void
server_cpu_start(struct run *run)
{
    bench_server_cpu(k8s.dir, ovn.dir, run->server_cpu_s);
}

static void
server_cpu_stop(struct run *run)
{
    double now[BENCH_N_SERVERS];

    bench_server_cpu(k8s.dir, ovn.dir, now);
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        run->server_cpu_s[i] = now[i] - run->server_cpu_s[i];
    }
}

/* Deletes 'run''s pods and IP objects, waiting until the watches show
 * them gone. */
static void
delete_run(struct run *run)
{
    struct load cleanup = {.kind = LOAD_DELETE, .run = run};
    double start = bench_now_seconds();

    load_fill(&cleanup);
    while (cleanup.done < N_PODS || count_left(run) > 0) {
        run_all();
        if (bench_now_seconds() - start > POD_LIMIT_S) {
            fail("deleting the %s's pods and IP objects: %d left", run->title,
                 count_left(run));
        }
        block_until(time_msec() + 100);
    }
}

static void
run_baseline(void)
{
    double gen_cpu = bench_self_cpu();
    double start = bench_now_seconds();

    server_cpu_start(&baseline);
    baseline.first_sent = start;
    load_run(LOAD_BASELINE, &baseline);
    server_cpu_stop(&baseline);
    baseline.gen_cpu_s = bench_self_cpu() - gen_cpu;
    baseline.load = bench_load_average();
    /* For the record: until the watches have shown all of it. */
    while (baseline.n_annotated < N_PODS || baseline.n_ips < N_PODS) {
        run_all();
        if (bench_now_seconds() - start > POD_LIMIT_S) {
            fail("baseline: the watches show %d annotated pods and %d IP "
                 "objects of %d",
                 baseline.n_annotated, baseline.n_ips, N_PODS);
        }
        block_until(time_msec() + 100);
    }
}

static void
run_measured(void)
{
    struct load load = {.kind = LOAD_CREATE, .run = &measured};
    double ctl_cpu = bench_proc_cpu(kovn.pid), gen_cpu = bench_self_cpu();
    double next_ports = 0, next_check = 0, next_progress;
    unsigned int seqno = 0;

    perf_start();
    server_cpu_start(&measured);
    measured.first_sent = bench_now_seconds();
    next_progress = measured.first_sent + PROGRESS_EVERY;
    load_fill(&load);
    for (;;) {
        run_all();
        double now = bench_now_seconds();
        if (now >= next_ports && ovsdb_idl_get_seqno(nb) != seqno) {
            seqno = ovsdb_idl_get_seqno(nb);
            measured.n_lsps = count_ports();
            if (measured.n_lsps >= N_PODS && !measured.lsps_done) {
                measured.lsps_done = now;
            }
            next_ports = now + LSP_CHECK_EVERY;
        }
        if (load.done >= N_PODS && measured.n_annotated >= N_PODS &&
            measured.n_ips >= N_PODS && measured.lsps_done) {
            break;
        }
        if (now >= next_check) {
            for (int i = 0; i < load.next; i++) {
                if (!measured.annotated[i] &&
                    now - measured.sent[i] > POD_LIMIT_S) {
                    char name[16];
                    pod_name(i, name);
                    fail("pod %s/%s not annotated %.0f s after its create",
                         pod_namespace(&measured, i), name, POD_LIMIT_S);
                }
            }
            if (now - measured.first_sent > 2 * POD_LIMIT_S) {
                fail("after %.0f s: %d pods annotated, %d IP objects, %d "
                     "ports of %d",
                     2 * POD_LIMIT_S, measured.n_annotated, measured.n_ips,
                     measured.n_lsps, N_PODS);
            }
            next_check = now + 1;
        }
        if (now >= next_progress) {
            progress(&measured, measured.n_lsps);
            next_progress = now + PROGRESS_EVERY;
        }
        block_until(time_msec() + 50);
    }
    perf_stop();
    server_cpu_stop(&measured);
    measured.ctl_cpu_s = bench_proc_cpu(kovn.pid) - ctl_cpu;
    measured.gen_cpu_s = bench_self_cpu() - gen_cpu;
    measured.load = bench_load_average();
    bench_proc_memory(kovn.pid, &measured.ctl_rss_kib, &measured.ctl_hwm_kib);
}

/* Every measured pod's IP object exists, has an address no other has, and
 * that is the address in the pod's annotation; every port is in NB. */
static void
verify(void)
{
    struct sset addresses = SSET_INITIALIZER(&addresses);
    struct kube_store_cursor c;
    int n_ips = 0, n_ports, i;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ip_informer))
    {
        const char *addr = ip_address(c.object);

        if (ip_of(c.key, &i) != &measured) {
            continue;
        }
        n_ips++;
        if (!addr || !sset_add(&addresses, addr)) {
            fail("IP %s: address %s missing or not unique", c.key,
                 addr ? addr : "(none)");
        }
    }
    if (n_ips != N_PODS || sset_count(&addresses) != N_PODS) {
        fail("%d IP objects with %zu distinct addresses, want %d", n_ips,
             sset_count(&addresses), N_PODS);
    }
    for (i = 0; i < N_PODS; i++) {
        char name[16], *key, *ip_name;
        struct json *pod, *ip;
        const char *annotated, *addr;

        pod_name(i, name);
        key = xasprintf("%s/%s", pod_namespace(&measured, i), name);
        ip_name = xasprintf("%s.%s", name, pod_namespace(&measured, i));
        pod = kube_informer_get_copy(pod_informer, key);
        ip = kube_informer_get_copy(ip_informer, ip_name);
        annotated = pod ? kube_object_annotation(pod, ANN_IP_ADDRESS) : NULL;
        addr = ip ? ip_address(ip) : NULL;
        if (!annotated || !addr || strcmp(annotated, addr)) {
            fail("pod %s: annotation %s, IP object %s", key,
                 annotated ? annotated : "(none)", addr ? addr : "(none)");
        }
        json_destroy(pod);
        json_destroy(ip);
        free(key);
        free(ip_name);
    }
    n_ports = count_ports();
    if (n_ports != N_PODS) {
        fail("%d ports in NB, want %d", n_ports, N_PODS);
    }
    sset_destroy(&addresses);
}

/* --- Setup. */

static void
wait_service_account(const char *ns)
{
    char *path =
        xasprintf("/api/v1/namespaces/%s/serviceaccounts/default", ns);
    double start = bench_now_seconds();

    for (;;) {
        struct kube_response response;
        struct kovn_error err;
        const struct json *secrets = NULL;

        if (!kube_client_call(writer, "GET", path, NULL, NULL, &response,
                              &err)) {
            secrets = json_member(response.body, "secrets");
            bool ready = response.status == 200 && secrets &&
                         secrets->type == JSON_ARRAY &&
                         json_array(secrets)->n > 0;
            kube_response_destroy(&response);
            if (ready) {
                break;
            }
        }
        if (bench_now_seconds() - start > START_LIMIT_S) {
            fail("no default ServiceAccount with a token in %s after %.0f s",
                 ns, START_LIMIT_S);
        }
        usleep(200 * 1000);
    }
    free(path);
}

static void
setup(void)
{
    const struct run *runs[] = {&baseline, &measured};

    for (size_t r = 0; r < ARRAY_SIZE(runs); r++) {
        for (int n = 0; n < 2; n++) {
            char *body = xasprintf("{\"metadata\":{\"name\":\"%s\"}}",
                                   runs[r]->namespaces[n]);
            json_destroy(call("POST", "/api/v1/namespaces", body, 201));
            free(body);
        }
    }
    for (int i = 0; i < N_NODES; i++) {
        char *body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Node\","
                               "\"metadata\":{\"name\":\"node-%03d\"}}",
                               i);
        json_destroy(call("POST", "/api/v1/nodes", body, 201));
        free(body);
    }
    for (size_t r = 0; r < ARRAY_SIZE(runs); r++) {
        for (int n = 0; n < 2; n++) {
            wait_service_account(runs[r]->namespaces[n]);
        }
    }
}

/* --- Report. */

/* The p50 and p99 of the N_PODS values 'f(i)'. */
static void
p50_p99(const struct run *run, double (*f)(const struct run *, int),
        double *p50, double *p99)
{
    double *v = xmalloc(N_PODS * sizeof *v);

    for (int i = 0; i < N_PODS; i++) {
        v[i] = f(run, i);
    }
    bench_p50_p99(v, N_PODS, p50, p99);
    free(v);
}

static double
step_pod(const struct run *run, int i)
{
    return run->step_ms[STEP_POD][i];
}

static double
step_patch(const struct run *run, int i)
{
    return run->step_ms[STEP_PATCH][i];
}

static double
step_ip(const struct run *run, int i)
{
    return run->step_ms[STEP_IP][i];
}

static double
to_annotated(const struct run *run, int i)
{
    return (run->annotated[i] - run->sent[i]) * 1000;
}

static double
annotated_to_ip(const struct run *run, int i)
{
    return (run->ip_seen[i] - run->annotated[i]) * 1000;
}

static double
to_ip(const struct run *run, int i)
{
    return (run->ip_seen[i] - run->sent[i]) * 1000;
}

static void
print_row(const char *what, double seconds, double cpu, long hwm_kib,
          double ratio)
{
    bench_print_row(42, what, N_PODS, seconds, cpu, hwm_kib, ratio);
}

static void
print_start(const char *what, const struct start *s)
{
    printf("%-26s %6zu %6zu %8.2f %7lld %8.2f %8.2f %7.2f s %6.1f / %4.1f "
           "%6.1f MiB\n",
           what, s->n_allocs, s->n_pods, s->restored_s, s->restore_ms,
           s->ready_s, s->idle_s, s->cpu_s, s->ready_rss_kib / 1024.0,
           s->idle_rss_kib / 1024.0, s->idle_hwm_kib / 1024.0);
}

/* The controller's metrics this benchmark reads, one per line, indented;
 * the caller frees. */
static char *
controller_metrics(void)
{
    static const char *const prefixes[] = {
        "kovn_reconciles_total{controller=\"pod\"",
        "kovn_reconcile_errors_total{controller=\"pod\"",
        "kovn_workqueue_retries_total{name=\"pod\"",
        "kovn_ovn_txn_duration_seconds_sum",
        "kovn_ovn_txn_duration_seconds_count",
        "kovn_ovn_txn_errors_total",
        "kovn_ovn_batch_",
        "kovn_heap_",
        "kovn_allocations",
        "kovn_kube_client_window",
    };

    return bench_ctl_metrics(&kovn, prefixes, ARRAY_SIZE(prefixes));
}

static int
compare_ready(const void *a_, const void *b_)
{
    const struct start *a = a_, *b = b_;
    double ta = MAX(a->ready_s, a->restored_s);
    double tb = MAX(b->ready_s, b->restored_s);

    return ta < tb ? -1 : ta > tb;
}

static void
report(const struct start *first, const struct start restarts[N_RESTARTS],
       const struct start *nb_late, size_t n_pods, size_t n_ips,
       double paged_s, double cached_s)
{
    double before_s = baseline_before.last_acked - baseline_before.first_sent;
    double after_s = baseline.last_acked - baseline.first_sent;
    double base_s = (before_s + after_s) / 2;
    double base_seen_s =
        (MAX(baseline_before.last_annotated, baseline_before.last_ip) -
         baseline_before.first_sent +
         MAX(baseline.last_annotated, baseline.last_ip) -
         baseline.first_sent) /
        2;
    double ann_s = measured.last_annotated - measured.first_sent;
    double ip_s = measured.last_ip - measured.first_sent;
    double lsp_s = measured.lsps_done - measured.first_sent;
    double total_s = MAX(MAX(ann_s, ip_s), lsp_s);
    double ack_s = measured.last_acked - measured.first_sent;
    double ratio = total_s / base_s;
    double p50, p99;

    printf("\nP1: %d pods on %d Nodes in 2 namespaces, %d pods in flight; "
           "load average %.2f / %.2f (baseline / controller phase) on %ld "
           "CPUs\n",
           N_PODS, N_NODES, WINDOW, baseline_before.load, measured.load,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-42s %6s %8s %8s %9s %10s %6s\n", "phase", "pods", "time s",
           "pods/s", "ctl CPU", "ctl VmHWM", "ratio");
    print_row("baseline: before the controller phase", before_s, -1, 0,
              before_s / base_s);
    print_row("baseline: after it", after_s, -1, 0, after_s / base_s);
    print_row("baseline: API writes alone (3 per pod), mean", base_s, -1, 0,
              1.0);
    print_row("  ... until the watches showed all of it", base_seen_s, -1, 0,
              base_seen_s / base_s);
    print_row("controller: pods created (POST only)", ack_s, -1, 0,
              ack_s / base_s);
    print_row("  all annotated", ann_s, -1, 0, ann_s / base_s);
    print_row("  all ports in NB", lsp_s, -1, 0, lsp_s / base_s);
    print_row("  all IP objects", ip_s, -1, 0, ip_s / base_s);
    print_row("controller: total (P1)", total_s, measured.ctl_cpu_s,
              measured.ctl_hwm_kib, ratio);
    printf("(time: from the first request; ctl CPU: the controller's "
           "user+system seconds during the phase; ctl VmHWM: its peak RSS "
           "since its start just before; ratio: against the mean of the "
           "baselines' first request to last response)\n");

    printf("\n%-26s %6s %6s %8s %7s %8s %8s %9s %13s %10s\n",
           "controller start", "allocs", "pods", "restored", "restore",
           "/readyz", "idle", "CPU", "VmRSS ready/", "VmHWM");
    printf("%-26s %6s %6s %8s %7s %8s %8s %9s %13s %10s\n", "", "", "", "s",
           "ms", "s", "after s", "to idle", "idle MiB", "");
    print_start("first (Nodes only)", first);
    struct start sorted[N_RESTARTS];
    long worst_restart_hwm = 0;
    for (int i = 0; i < N_RESTARTS; i++) {
        char what[32];

        snprintf(what, sizeof what, "restart %d (pods restored)", i + 1);
        print_start(what, &restarts[i]);
        sorted[i] = restarts[i];
        worst_restart_hwm = MAX(worst_restart_hwm, restarts[i].idle_hwm_kib);
    }
    print_start("restart, NB loads last", nb_late);
    worst_restart_hwm = MAX(worst_restart_hwm, nb_late->idle_hwm_kib);
    qsort(sorted, N_RESTARTS, sizeof *sorted, compare_ready);
    const struct start *again = &sorted[N_RESTARTS / 2];
    printf("(restored, /readyz: seconds from exec to the \"restored\" log "
           "line and to /readyz 200 on the metrics port; restore: the time "
           "the controller logs for it; idle: from ready until < 10 ms CPU "
           "per 500 ms, after re-checking every pod; CPU: from exec to "
           "idle; NB loads last: the NB server stopped until the controller "
           "has listed pods and IP objects, for the memory peak; its start "
           "times are not a cold start's)\n");

    printf("\nwhere the time goes, p50 / p99 in ms:\n");
    for (int s = 0; s < N_STEPS; s++) {
        double (*f[])(const struct run *, int) = {step_pod, step_patch,
                                                  step_ip};
        p50_p99(&baseline_before, f[s], &p50, &p99);
        printf("  baseline %-32s %8.1f / %8.1f\n", step_names[s], p50, p99);
    }
    p50_p99(&measured, step_pod, &p50, &p99);
    printf("  controller %-30s %8.1f / %8.1f\n", "POST pod", p50, p99);
    p50_p99(&measured, to_annotated, &p50, &p99);
    printf("  controller %-30s %8.1f / %8.1f\n", "create -> annotated", p50,
           p99);
    p50_p99(&measured, annotated_to_ip, &p50, &p99);
    printf("  controller %-30s %8.1f / %8.1f\n", "annotated -> IP object", p50,
           p99);
    p50_p99(&measured, to_ip, &p50, &p99);
    printf("  controller %-30s %8.1f / %8.1f\n", "create -> IP object", p50,
           p99);
    printf("CPU of this load generator: %.2f / %.2f s baselines, %.2f s "
           "controller phase; controller CPU %.2f s for %d pods (%.2f ms per "
           "pod)\n",
           baseline_before.gen_cpu_s, baseline.gen_cpu_s, measured.gen_cpu_s,
           measured.ctl_cpu_s, N_PODS, measured.ctl_cpu_s * 1000 / N_PODS);
    printf("servers' CPU, baseline before / controller phase / baseline "
           "after:");
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        printf("%s %s %.2f / %.2f / %.2f s", i ? "," : "",
               bench_server_name(i), baseline_before.server_cpu_s[i],
               measured.server_cpu_s[i], baseline.server_cpu_s[i]);
    }
    printf("\n");
    printf("controller memory: VmRSS %.1f MiB after the phase\n",
           measured.ctl_rss_kib / 1024.0);
    printf("listing the %zu pods and %zu IP objects from here, one list "
           "after the other: %.2f s in pages of 500 (as the informers list), "
           "%.2f s with resourceVersion=0 (the watch cache)\n",
           n_pods, n_ips, paged_s, cached_s);

    double worst_hwm = MAX(measured.ctl_hwm_kib, worst_restart_hwm) / 1024.0;
    printf("\nratio total/baseline: %.2f (goal <= %.1f: %s)\n", ratio,
           GOAL_RATIO, ratio <= GOAL_RATIO ? "met" : "MISSED");
    printf("controller VmHWM: %.1f MiB (goal < %.0f MiB: %s)\n", worst_hwm,
           GOAL_RSS_MIB, worst_hwm < GOAL_RSS_MIB ? "met" : "MISSED");
    printf("cold start with %zu allocations to restore, median of %d: "
           "/readyz after %.2f s, \"restored\" after %.2f s (goal < %.0f s: "
           "%s)\n",
           again->n_allocs, N_RESTARTS, again->ready_s, again->restored_s,
           GOAL_RESTART_S,
           MAX(again->ready_s, again->restored_s) < GOAL_RESTART_S ? "met"
                                                                   : "MISSED");
    printf("this load generator: RSS %.1f MiB\n", bench_rss_kib() / 1024.0);
    printf("controller metrics after the phase:\n%s", metrics_phase);
    printf("controller metrics after the restart (every pod re-checked):\n%s",
           metrics_restart);
    fflush(stdout);
}

int
main(int argc, char *argv[])
{
    struct start first, restarts[N_RESTARTS], nb_late;
    const char *exe;
    double t;

    exe = bench_controller_arg(argc, argv);
    alloc_run(&baseline);
    alloc_run(&measured);

    t = bench_now_seconds();
    k8s_sandbox_start(&k8s, true);
    ovn_sandbox_start_without_northd(&ovn);
    atexit(stop_children);

    writer = bench_kube_client(&kovn, k8s.kubeconfig, CLIENT_QPS);
    reader = bench_kube_client(&kovn, k8s.kubeconfig, 200);
    pod_informer =
        bench_informer(reader, "/api/v1/pods", pod_fields, &pod_observer);
    ip_informer =
        bench_informer(reader, CRD_API_PATH "/ips", ip_fields, &ip_observer);
    if (getenv("KOVN_P1_EXTRA_WATCH")) {
        static const char *const name_only[] = {"metadata.name", NULL};

        extra_client = bench_kube_client(&kovn, k8s.kubeconfig, 200);
        extra_informers[0] =
            bench_informer(extra_client, "/api/v1/pods", name_only, NULL);
        extra_informers[1] =
            bench_informer(extra_client, CRD_API_PATH "/ips", name_only, NULL);
        printf("an extra client watches pods and IP objects throughout\n");
    }
    nb = ovsdb_idl_create(ovn.nb_unix, &nbrec_idl_class, false, true);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_col_name);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_port_col_name);

    setup();
    while (!kube_informer_has_synced(pod_informer) ||
           !kube_informer_has_synced(ip_informer) ||
           !ovsdb_idl_has_ever_connected(nb)) {
        run_all();
        block_until(time_msec() + 100);
    }
    printf("sandboxes, %d Nodes and 4 namespaces ready in %.1f s\n", N_NODES,
           bench_now_seconds() - t);
    fflush(stdout);

    run_baseline();
    /* Gone before the controller starts: it would allocate for them. */
    delete_run(&baseline);
    printf("baseline done in %.2f s; its pods and IP objects deleted\n",
           baseline.last_acked - baseline.first_sent);
    fflush(stdout);

    start_controller(exe, "controller.log", false, &first);
    t = bench_now_seconds();
    while (!have_switch(CRD_DEFAULT_SUBNET)) {
        run_all();
        if (bench_now_seconds() - t > START_LIMIT_S) {
            fail("no switch %s in NB %.0f s after the controller was ready",
                 CRD_DEFAULT_SUBNET, START_LIMIT_S);
        }
        block_until(time_msec() + 100);
    }
    first.idle_s += settle(SETUP_LIMIT_S);
    printf("controller ready %.2f s after its start, idle %.2f s later\n",
           first.ready_s, first.idle_s);
    fflush(stdout);

    run_measured();
    printf("controller phase done in %.2f s\n",
           MAX(MAX(measured.last_annotated, measured.last_ip),
               measured.lsps_done) -
               measured.first_sent);
    fflush(stdout);
    settle(SETUP_LIMIT_S);
    verify();

    metrics_phase = controller_metrics();
    for (int i = 0; i < N_RESTARTS; i++) {
        char log_name[64];

        bench_ctl_stop(&kovn);
        snprintf(log_name, sizeof log_name, "controller-restart-%d.log",
                 i + 1);
        start_controller(exe, log_name, false, &restarts[i]);
    }
    bench_ctl_stop(&kovn);
    start_controller(exe, "controller-restart-nb-late.log", true, &nb_late);
    run_for(1);
    verify();
    metrics_restart = controller_metrics();
    printf("verified: %d IP objects with distinct addresses matching their "
           "pods' annotations, %d ports in NB, before and after the "
           "restart\n",
           N_PODS, N_PODS);

    /* For the cold start: what its lists cost the API server. */
    size_t n_pods, n_ips;
    double paged_s =
        bench_time_list(&kovn, writer, "/api/v1/pods", "limit=500", &n_pods) +
        bench_time_list(&kovn, writer, CRD_API_PATH "/ips", "limit=500",
                        &n_ips);
    double cached_s = bench_time_list(&kovn, writer, "/api/v1/pods",
                                      "resourceVersion=0", &n_pods) +
                      bench_time_list(&kovn, writer, CRD_API_PATH "/ips",
                                      "resourceVersion=0", &n_ips);

    /* The baseline again, after the controller phase and without the
     * controller: the same writes do not cost the API server the same from
     * one phase to the next, so the phase in between is compared with the
     * mean of the two. */
    bench_ctl_stop(&kovn);
    delete_run(&measured);
    baseline_before = baseline;
    baseline =
        (struct run){.title = "baseline", .namespaces = {"base-a", "base-b"}};
    alloc_run(&baseline);
    run_baseline();
    printf("second baseline done in %.2f s\n",
           baseline.last_acked - baseline.first_sent);
    fflush(stdout);

    report(&first, restarts, &nb_late, n_pods, n_ips, paged_s, cached_s);

    kube_informer_destroy(ip_informer);
    kube_informer_destroy(pod_informer);
    kube_informer_destroy(extra_informers[0]);
    kube_informer_destroy(extra_informers[1]);
    kube_client_destroy(extra_client);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    ovsdb_idl_destroy(nb);
    stop_children();
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    free_run(&baseline_before);
    free_run(&baseline);
    free_run(&measured);
    free(metrics_phase);
    free(metrics_restart);
    return 0;
}
