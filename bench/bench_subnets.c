/* Benchmark: 1,000 subnets over 10 Vpcs with 10,000 namespaces bound to
 * them (Kube-OVN issue #4822: some 300 subnets made its controller's
 * start-up take over 30 minutes).  Two figures, each beside what the API
 * server alone costs in the same run.
 *
 * A real kube-apiserver and OVN NB (no northd: only the NB write path is
 * measured, northd would only compete for the CPUs) are started; then 10
 * Vpcs vpc-0..vpc-9, 100 Nodes node-000..node-099 (no status: no kubelet
 * runs) and 10,000 namespaces ns-00000..ns-09999 are created, many
 * requests in flight, before kovn-controller starts.  Its first start
 * binds every namespace to the default subnet; the run waits for that,
 * every Vpc Ready and the controller idle.
 *
 * 1. Subnet create to Ready.  subnet-SSSS (S = 0..999) is in vpc-(S/100)
 *    with CIDR 10.(100+S/100).(S%100).0/24 and lists the ten namespaces
 *    ns-(10S)..ns-(10S+9).  They are created at RATE per second (at most
 *    MAX_IN_FLIGHT requests outstanding): pacing keeps this a latency
 *    measurement rather than a queue drain, and leaves the API server room
 *    for the controller's writes (a finalizer, a status, a Vpc status and
 *    ten namespace patches per subnet).  Per subnet, latency is from
 *    sending its create to the first watch event, in an informer here,
 *    that shows its Ready condition True, split at the first event showing
 *    the controller's finalizer (its first write).  The API server's bare
 *    cost of the same writes, under the same load, is beside it: create to
 *    the first watch event showing the subnet at all, and the wall time
 *    from the first create to the last 201.  The run then waits until
 *    every namespace carries its subnet in ovn.kubernetes.io/logical_switch.
 *    The CPU of the controller, kube-apiserver, etcd and NB and the watch
 *    events per subnet (the controller's writes) say where the time goes.
 * 2. Cold start.  The controller is stopped (SIGTERM) and started again,
 *    N_RESTARTS times.  Measured from the exec to /readyz 200, and to all
 *    reconciled: its /metrics (polled every 50 ms) show every work queue
 *    empty with nothing in flight, and at least as many reconciles of
 *    subnets, namespaces, Vpcs and Nodes as there are of each; confirmed
 *    by the controller then going idle (< 10 ms CPU per 500 ms) with the
 *    counters unchanged.  The baseline is listing the same objects from
 *    here, one unpaged quorum read per kind, as the controller's informers
 *    list.  Watch events a start causes here are counted: a start that
 *    changes nothing writes nothing.
 * The result is verified after each figure: every subnet Ready, every
 * namespace bound to its own subnet.
 *
 *   bench_subnets KOVN_CONTROLLER
 * Only a real failure (something never Ready or bound, the controller
 * exiting) exits non-zero; a missed goal is printed as MISS. */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <errno.h>
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
#include "openvswitch/vlog.h"
#include "ovn_sandbox.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_VPCS          10
#define SUBNETS_PER_VPC 100
#define N_SUBNETS       (N_VPCS * SUBNETS_PER_VPC)
#define N_NODES         100
#define N_NAMESPACES    10000
#define NS_PER_SUBNET   (N_NAMESPACES / N_SUBNETS)
#define CLIENT_QPS      2000 /* Far above what the API server manages. */
#define RATE            20   /* Subnet creates per second. */
#define MAX_IN_FLIGHT   16   /* Subnet creates outstanding at once. */
/* A subnet not Ready this long after its create, or a namespace not bound
 * this long after its subnet's, has failed. */
#define READY_LIMIT_S 120.0
#define SETUP_LIMIT_S 600.0
#define START_LIMIT_S 300.0
/* Starts measured; the figure is their median (one start on two shared
 * cores varies). */
#define N_RESTARTS   3
#define GOAL_P99_MS  100.0
#define GOAL_START_S 3.0

struct sample {
    double sent;      /* Create request queued. */
    double acked;     /* Its 201 received. */
    double seen;      /* First watch event showing the subnet. */
    double finalized; /* First watch event showing its finalizer. */
    double ready;     /* First watch event with Ready=True. */
};

/* A controller start (bench_ctl_wait_reconciled()) and what it cost. */
struct start {
    struct bench_start b;
    int subnet_events, ns_events; /* Watch updates here during the start. */
    double server_cpu_s[BENCH_N_SERVERS]; /* From exec to idle. */
};

static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer, *reader;
static struct kube_informer *vpc_informer, *subnet_informer, *ns_informer;
static struct bench_ctl kovn;

static struct sample samples[N_SUBNETS];
static struct bench_bulk *subnet_bulk;
static int n_seen, n_ready;
/* Per namespace: whether the watch has shown it annotated at all, and
 * when bound to its own subnet (0: not yet). */
static bool ns_annotated[N_NAMESPACES];
static double ns_bound[N_NAMESPACES];
static int n_ns_annotated, n_ns_bound;
static int vpc_updates, subnet_updates, ns_updates;

/* For atexit(): the sandboxes' reapers stop the servers, this the
 * controller, however the benchmark ends (bench_fail() included). */
static void
controller_stop(void)
{
    bench_ctl_stop(&kovn);
}

/* One turn of the poll loop: everything runs, then sleeps until an event or
 * 'wake_ms'. */
static void
run_all(void)
{
    kube_client_run(writer);
    kube_client_run(reader);
    kube_informer_run(vpc_informer);
    kube_informer_run(subnet_informer);
    kube_informer_run(ns_informer);
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
    kube_client_wait(reader);
    kube_informer_wait(vpc_informer);
    kube_informer_wait(subnet_informer);
    kube_informer_wait(ns_informer);
    poll_timer_wait_until(wake_ms);
    poll_block();
}

static const struct bench_loop loop = {run_all, block_until};

static double
settle(void)
{
    return bench_ctl_settle(&kovn, &loop, SETUP_LIMIT_S);
}

/* --- Names and bodies. */

static void
subnet_name(int s, char buf[16])
{
    snprintf(buf, 16, "subnet-%04d", s);
}

static void
ns_name(int i, char buf[16])
{
    snprintf(buf, 16, "ns-%05d", i);
}

static char *
vpc_body(int v)
{
    return xasprintf("{\"apiVersion\":\"%s\",\"kind\":\"Vpc\",\"metadata\":"
                     "{\"name\":\"vpc-%d\"},\"spec\":{}}",
                     CRD_GROUP_VERSION, v);
}

static char *
node_body(int i)
{
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
                     "{\"name\":\"node-%03d\"}}",
                     i);
}

static char *
ns_body(int i)
{
    char name[16];

    ns_name(i, name);
    return xasprintf("{\"metadata\":{\"name\":\"%s\"}}", name);
}

static char *
subnet_body(int s)
{
    struct ds namespaces = DS_EMPTY_INITIALIZER;
    char name[16], ns[16];
    char *body;

    for (int i = s * NS_PER_SUBNET; i < (s + 1) * NS_PER_SUBNET; i++) {
        ns_name(i, ns);
        ds_put_format(&namespaces, "%s\"%s\"", namespaces.length ? "," : "",
                      ns);
    }
    subnet_name(s, name);
    body = xasprintf("{\"apiVersion\":\"%s\",\"kind\":\"Subnet\","
                     "\"metadata\":{\"name\":\"%s\"},\"spec\":{"
                     "\"vpc\":\"vpc-%d\",\"cidrBlock\":\"10.%d.%d.0/24\","
                     "\"protocol\":\"IPv4\",\"namespaces\":[%s]}}",
                     CRD_GROUP_VERSION, name, s / SUBNETS_PER_VPC,
                     100 + s / SUBNETS_PER_VPC, s % SUBNETS_PER_VPC,
                     ds_cstr(&namespaces));
    ds_destroy(&namespaces);
    return body;
}

/* --- What the watches show. */

static const struct json *
ready_condition(const struct json *obj)
{
    return kube_condition_find(
        json_member(json_member(obj, "status"), "conditions"), "Ready");
}

static bool
is_ready(const struct json *obj)
{
    const char *status = NULL;

    json_member_string(ready_condition(obj), "status", "", &status, NULL);
    return status && !strcmp(status, "True");
}

/* The controller's first write to a subnet. */
static bool
has_finalizer(const struct json *obj)
{
    const struct json *list =
        json_member(json_member(obj, "metadata"), "finalizers");

    for (size_t i = 0;
         list && list->type == JSON_ARRAY && i < json_array(list)->n; i++) {
        const struct json *f = json_array(list)->elems[i];
        if (f->type == JSON_STRING && !strcmp(json_string(f), CRD_FINALIZER)) {
            return true;
        }
    }
    return false;
}

static void
observe_subnet(const struct json *obj, bool update)
{
    int s = bench_index_of(kube_object_name(obj), "subnet-", N_SUBNETS);
    struct sample *x;

    subnet_updates += update;
    if (s < 0) {
        return;
    }
    x = &samples[s];
    double now = bench_now_seconds();
    if (!x->seen) {
        x->seen = now;
        n_seen++;
    }
    if (!x->finalized && has_finalizer(obj)) {
        x->finalized = now;
    }
    if (!x->ready && is_ready(obj)) {
        x->ready = now;
        n_ready++;
    }
}

static const struct bench_observer subnet_observer = {observe_subnet};

/* Whether namespace 'i' is bound to its own subnet in 'obj'. */
static bool
ns_is_bound(int i, const struct json *obj)
{
    const char *ls = kube_object_annotation(obj, ANN_LOGICAL_SWITCH);
    char want[16];

    subnet_name(i / NS_PER_SUBNET, want);
    return ls && !strcmp(ls, want);
}

static void
observe_namespace(const struct json *obj, bool update)
{
    int i = bench_index_of(kube_object_name(obj), "ns-", N_NAMESPACES);

    ns_updates += update;
    if (i < 0) {
        return;
    }
    double now = bench_now_seconds();
    if (!ns_annotated[i] && kube_object_annotation(obj, ANN_LOGICAL_SWITCH)) {
        ns_annotated[i] = true;
        n_ns_annotated++;
    }
    if (!ns_bound[i] && ns_is_bound(i, obj)) {
        ns_bound[i] = now;
        n_ns_bound++;
    }
}

static const struct bench_observer ns_observer = {observe_namespace};

static void
observe_vpc(const struct json *obj OVS_UNUSED, bool update)
{
    vpc_updates += update;
}

static const struct bench_observer vpc_observer = {observe_vpc};

static const char *const ns_fields[] = {
    "metadata.name", "metadata.resourceVersion", "metadata.annotations", NULL};

static void
prune(struct json *obj, void *fields)
{
    kube_object_prune(obj, fields);
}

/* Objects in 'informer' whose Ready condition is True. */
static int
count_ready(const struct kube_informer *informer)
{
    struct kube_store_cursor c;
    int n = 0;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(informer))
    {
        n += is_ready(c.object);
    }
    return n;
}

/* Every subnet Ready and every namespace bound to its own subnet, as the
 * stores show them now. */
static void
verify(const char *when)
{
    struct kube_store_cursor c;
    int n_subnets = 0, n_bound = 0, i;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(subnet_informer))
    {
        if (bench_index_of(c.key, "subnet-", N_SUBNETS) < 0) {
            continue;
        }
        if (!is_ready(c.object)) {
            const char *reason = NULL;

            json_member_string(ready_condition(c.object), "reason", "",
                               &reason, NULL);
            bench_fail(&kovn, "%s: subnet %s not Ready (%s)", when, c.key,
                       reason ? reason : "no condition");
        }
        n_subnets++;
    }
    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ns_informer))
    {
        i = bench_index_of(c.key, "ns-", N_NAMESPACES);
        if (i < 0) {
            continue;
        }
        if (!ns_is_bound(i, c.object)) {
            const char *ls =
                kube_object_annotation(c.object, ANN_LOGICAL_SWITCH);
            bench_fail(&kovn, "%s: namespace %s has logical_switch %s", when,
                       c.key, ls ? ls : "(none)");
        }
        n_bound++;
    }
    if (n_subnets != N_SUBNETS || n_bound != N_NAMESPACES) {
        bench_fail(
            &kovn,
            "%s: %d subnets Ready and %d namespaces bound, want %d and %d",
            when, n_subnets, n_bound, N_SUBNETS, N_NAMESPACES);
    }
}

/* --- Creating objects. */

/* Requests of 'bulk', the setup's, from the poll loop. */
static void
bulk_run(struct bench_bulk *bulk)
{
    bulk->client = writer;
    bulk->ctl = &kovn;
    bench_bulk_run(bulk, &loop, SETUP_LIMIT_S);
}

static void
subnet_sent(int s, double now)
{
    samples[s].sent = now;
}

static void
subnet_acked(int s, const struct kube_response *response OVS_UNUSED,
             double now)
{
    samples[s].acked = now;
}

static bool
setup_done(void)
{
    return kube_informer_has_synced(vpc_informer) &&
           n_ns_annotated >= N_NAMESPACES &&
           count_ready(vpc_informer) >= N_VPCS + 1;
}

static void
setup_progress(char *text, size_t size)
{
    snprintf(text, size, "%d of %d namespaces annotated, %d Vpcs Ready",
             n_ns_annotated, N_NAMESPACES, count_ready(vpc_informer));
}

static bool
all_bound(void)
{
    return n_ns_bound >= N_NAMESPACES;
}

static void
bound_progress(char *text, size_t size)
{
    snprintf(text, size, "%d of %d namespaces bound to their subnets",
             n_ns_bound, N_NAMESPACES);
}

static int
samples_sent(void)
{
    return subnet_bulk ? subnet_bulk->sent : 0;
}

static void
progress(double elapsed)
{
    long rss, hwm;

    bench_proc_memory(kovn.pid, &rss, &hwm);
    printf("  +%.0f s: %d subnets sent, %d seen, %d Ready, %d namespaces "
           "bound; controller VmRSS %.1f MiB, load %.2f\n",
           elapsed, samples_sent(), n_seen, n_ready, n_ns_bound, rss / 1024.0,
           bench_load_average());
    fflush(stdout);
}

/* --- The controller's starts. */

/* Starts the controller, logging to DIR/'log_name', and measures its start
 * into 's': to /readyz 200, to every Vpc, subnet, namespace and Node
 * reconciled, to idle. */
static void
start_controller(const char *exe, const char *log_name, struct start *s)
{
    int subnet_updates0 = subnet_updates, ns_updates0 = ns_updates;
    const double want[BENCH_N_QUEUES] = {
        [BENCH_Q_VPC] = kube_informer_count(vpc_informer),
        [BENCH_Q_SUBNET] = kube_informer_count(subnet_informer),
        [BENCH_Q_NAMESPACE] = kube_informer_count(ns_informer),
        [BENCH_Q_NODE] = N_NODES,
    };
    double servers[BENCH_N_SERVERS];
    double start;
    char log[256];
    int error;

    memset(s, 0, sizeof *s);
    bench_server_cpu(k8s.dir, ovn.dir, servers);
    snprintf(log, sizeof log, "%s/%s", k8s.dir, log_name);
    start = bench_now_seconds();
    error = bench_ctl_start(&kovn, exe, ovn.nb_unix, k8s.controller_kubeconfig,
                            log);
    if (error) {
        bench_fail(&kovn, "starting %s: %s", exe, ovs_strerror(-error));
    }
    bench_ctl_wait_reconciled(&kovn, &loop, start, want, START_LIMIT_S, &s->b);
    bench_server_cpu(k8s.dir, ovn.dir, s->server_cpu_s);
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        s->server_cpu_s[i] -= servers[i];
    }
    s->subnet_events = subnet_updates - subnet_updates0;
    s->ns_events = ns_updates - ns_updates0;
    bench_ctl_print_log_lines(&kovn, " ms after start", log_name);
}

/* --- Figure 1. */

struct fig1 {
    double bare_s;  /* First create to last 201. */
    double seen_s;  /* First create to the last subnet seen. */
    double ready_s; /* First create to the last subnet Ready. */
    double bound_s; /* First create to the last namespace bound. */
    double settle_s;
    double ctl_cpu_s; /* Controller CPU until all Ready... */
    double all_cpu_s; /* ...and until all bound and idle. */
    double gen_cpu_s;
    /* The servers' CPU, until all bound and idle. */
    double server_cpu_s[BENCH_N_SERVERS];
    int vpc_events, subnet_events, ns_events; /* Watch updates here. */
    double load;
    long rss_kib, hwm_kib;
    struct bench_ctl_stats before, after;
};

static void
figure1(struct fig1 *f)
{
    struct bench_bulk subnets = {.what = "subnets",
                                 .path = CRD_API_PATH "/subnets",
                                 .n = N_SUBNETS,
                                 .body = subnet_body,
                                 .rate = RATE,
                                 .window = MAX_IN_FLIGHT,
                                 .on_sent = subnet_sent,
                                 .on_acked = subnet_acked,
                                 .client = writer,
                                 .ctl = &kovn};
    int port = bench_ctl_metrics_port(&kovn);
    double ctl_cpu, gen_cpu, start, next_check = 0, next_progress;
    double seen[N_SUBNETS], ready[N_SUBNETS];
    double servers[BENCH_N_SERVERS];
    int vpc_events = vpc_updates, subnet_events = subnet_updates;
    int ns_events = ns_updates;

    memset(f, 0, sizeof *f);
    if (!bench_ctl_stats_get(port, &f->before)) {
        bench_fail(&kovn, "the controller's /metrics did not answer");
    }
    subnet_bulk = &subnets;
    bench_server_cpu(k8s.dir, ovn.dir, servers);
    ctl_cpu = bench_proc_cpu(kovn.pid);
    gen_cpu = bench_self_cpu();
    start = bench_now_seconds();
    next_progress = start + 10;
    for (;;) {
        run_all();
        bench_bulk_fill(&subnets);
        if (subnets.done >= N_SUBNETS && n_ready >= N_SUBNETS) {
            break;
        }
        double now = bench_now_seconds();
        if (now >= next_check) {
            for (int s = 0; s < subnets.sent; s++) {
                if (!samples[s].ready &&
                    now - samples[s].sent > READY_LIMIT_S) {
                    char name[16];

                    subnet_name(s, name);
                    bench_fail(
                        &kovn,
                        "subnet %s not Ready %.0f s after its create (%s "
                        "by the watch)",
                        name, READY_LIMIT_S,
                        samples[s].finalized ? "finalizer seen"
                        : samples[s].seen    ? "seen"
                                             : "not even seen");
                }
            }
            next_check = now + 1;
        }
        if (now >= next_progress) {
            progress(now - start);
            next_progress = now + 10;
        }
        block_until(bench_bulk_due_ms(&subnets));
    }
    f->ctl_cpu_s = bench_proc_cpu(kovn.pid) - ctl_cpu;
    f->gen_cpu_s = bench_self_cpu() - gen_cpu;
    f->load = bench_load_average();
    for (int s = 0; s < N_SUBNETS; s++) {
        seen[s] = samples[s].seen;
        ready[s] = samples[s].ready;
    }
    f->bare_s = subnets.last_acked - subnets.first_sent;
    f->seen_s = bench_latest(seen, N_SUBNETS) - subnets.first_sent;
    f->ready_s = bench_latest(ready, N_SUBNETS) - subnets.first_sent;
    bench_wait_for(&kovn, &loop, "namespaces", all_bound, bound_progress,
                   READY_LIMIT_S);
    f->bound_s = bench_latest(ns_bound, N_NAMESPACES) - subnets.first_sent;
    f->settle_s = settle();
    f->all_cpu_s = bench_proc_cpu(kovn.pid) - ctl_cpu;
    bench_server_cpu(k8s.dir, ovn.dir, f->server_cpu_s);
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        f->server_cpu_s[i] -= servers[i];
    }
    f->vpc_events = vpc_updates - vpc_events;
    f->subnet_events = subnet_updates - subnet_events;
    f->ns_events = ns_updates - ns_events;
    bench_proc_memory(kovn.pid, &f->rss_kib, &f->hwm_kib);
    if (!bench_ctl_stats_get(port, &f->after)) {
        bench_fail(&kovn, "the controller's /metrics did not answer");
    }
    subnet_bulk = NULL;
    verify("after the subnets' creation");
    printf("figure 1 done: %d subnets Ready %.2f s after the first create, "
           "every namespace bound %.2f s after it, idle %.2f s later\n",
           N_SUBNETS, f->ready_s, f->bound_s, f->settle_s);
    fflush(stdout);
}

/* --- Report. */

struct latency {
    double p50, p99, max;
};

/* The p50, p99 and max of 'f' over every subnet's sample, in ms. */
static struct latency
latency(double (*f)(const struct sample *))
{
    double v[N_SUBNETS];
    struct latency l;

    for (int s = 0; s < N_SUBNETS; s++) {
        v[s] = f(&samples[s]) * 1000;
    }
    bench_p50_p99(v, N_SUBNETS, &l.p50, &l.p99);
    l.max = v[N_SUBNETS - 1];
    return l;
}

static double
sent_to_acked(const struct sample *x)
{
    return x->acked - x->sent;
}

static double
sent_to_seen(const struct sample *x)
{
    return x->seen - x->sent;
}

static double
sent_to_ready(const struct sample *x)
{
    return x->ready - x->sent;
}

static double
seen_to_finalized(const struct sample *x)
{
    return x->finalized - x->seen;
}

static double
finalized_to_ready(const struct sample *x)
{
    return x->ready - x->finalized;
}

static void
print_row(const char *what, int n, double seconds, double cpu, long hwm_kib,
          double ratio)
{
    bench_print_row(47, what, n, seconds, cpu, hwm_kib, ratio);
}

static void
print_latency(const char *what, struct latency l)
{
    printf("  %-45s %8.1f %8.1f %8.1f\n", what, l.p50, l.p99, l.max);
}

static void
print_start(const char *what, const struct start *s)
{
    printf(
        "%-18s %7.2f %10.2f %6.2f %6.2f %6.2f %6.2f %5.2f %4.0f %6.0f %6.0f "
        "%5.1f %5.1f %6d %6d\n",
        what, s->b.ready_s, s->b.reconciled_s, s->b.idle_s, s->b.cpu_s,
        s->server_cpu_s[BENCH_APISERVER], s->server_cpu_s[BENCH_ETCD],
        s->server_cpu_s[BENCH_NB], s->b.stats.q[BENCH_Q_VPC].reconciles,
        s->b.stats.q[BENCH_Q_SUBNET].reconciles,
        s->b.stats.q[BENCH_Q_NAMESPACE].reconciles, s->b.rss_kib / 1024.0,
        s->b.hwm_kib / 1024.0, s->subnet_events, s->ns_events);
}

/* The controller's work between 'before' (NULL: its start) and 'after',
 * per queue. */
static void
print_work(const char *what, const struct bench_ctl_stats *before,
           const struct bench_ctl_stats *after)
{
    static const struct bench_ctl_stats zero;
    const struct bench_ctl_stats *b = before ? before : &zero;

    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        const struct bench_queue_stats *x = &b->q[q], *y = &after->q[q];
        double gets = y->gets - x->gets, dones = y->dones - x->dones;

        if (y->reconciles == x->reconciles) {
            continue;
        }
        printf("  %-20s %-10s %10.0f %7.0f %8.0f %12.1f %12.1f\n", what,
               bench_queue_name(q), y->reconciles - x->reconciles,
               y->errors - x->errors, y->retries - x->retries,
               gets ? (y->wait_s - x->wait_s) * 1000 / gets : 0,
               dones ? (y->work_s - x->work_s) * 1000 / dones : 0);
    }
    double txns = after->txns - b->txns;
    printf("  %-20s %-10s %10.0f %7s %8s %12s %12.1f\n", what, "OVN NB txn",
           txns, "", "", "",
           txns ? (after->txn_s - b->txn_s) * 1000 / txns : 0);
    printf("  %-20s %-10s %10.0f\n", what, "Events",
           after->events - b->events);
}

static int
compare_reconciled(const void *a_, const void *b_)
{
    const struct start *a = a_, *b = b_;

    return a->b.reconciled_s < b->b.reconciled_s
               ? -1
               : a->b.reconciled_s > b->b.reconciled_s;
}

static void
print_goal(const char *what, double value, double goal, const char *unit)
{
    printf("%s: %s %.*f %s (goal < %.0f %s)\n", value < goal ? "PASS" : "MISS",
           what, value < 10 ? 2 : 1, value, unit, goal, unit);
}

static void
report(const struct fig1 *f, const struct start *first,
       const struct start restarts[N_RESTARTS], double list_s,
       const size_t n_listed[4])
{
    struct latency to_ready = latency(sent_to_ready);
    struct latency to_seen = latency(sent_to_seen);
    struct latency to_ack = latency(sent_to_acked);
    struct latency to_finalized = latency(seen_to_finalized);
    struct latency to_status = latency(finalized_to_ready);
    struct start sorted[N_RESTARTS];
    long rss, hwm, worst_hwm = f->hwm_kib;
    int n_objects = n_listed[0] + n_listed[1] + n_listed[2] + n_listed[3];

    memcpy(sorted, restarts, sizeof sorted);
    qsort(sorted, N_RESTARTS, sizeof *sorted, compare_reconciled);
    const struct start *median = &sorted[N_RESTARTS / 2];
    double ready_min = restarts[0].b.ready_s, ready_max = ready_min;
    for (int i = 0; i < N_RESTARTS; i++) {
        ready_min = MIN(ready_min, restarts[i].b.ready_s);
        ready_max = MAX(ready_max, restarts[i].b.ready_s);
        worst_hwm = MAX(worst_hwm, restarts[i].b.hwm_kib);
    }
    bench_proc_memory(kovn.pid, &rss, &hwm);

    printf("\n%d subnets over %d Vpcs, %d namespaces (%d per subnet), %d "
           "Nodes; subnets created at %d/s, at most %d requests in flight; "
           "load average %.2f after figure 1 on %ld CPUs\n",
           N_SUBNETS, N_VPCS, N_NAMESPACES, NS_PER_SUBNET, N_NODES, RATE,
           MAX_IN_FLIGHT, f->load, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-47s %6s %8s %8s %9s %10s %6s\n", "phase", "work", "time s",
           "ops/s", "ctl CPU", "ctl VmHWM", "ratio");
    print_row("1. baseline: subnet creates, first to last 201", N_SUBNETS,
              f->bare_s, -1, 0, 1.0);
    print_row("   ... all seen by the watch", N_SUBNETS, f->seen_s, -1, 0,
              f->seen_s / f->bare_s);
    print_row("1. controller: all subnets Ready", N_SUBNETS, f->ready_s,
              f->ctl_cpu_s, f->hwm_kib, f->ready_s / f->bare_s);
    print_row("   ... all namespaces bound to them", N_NAMESPACES, f->bound_s,
              f->all_cpu_s, 0, f->bound_s / f->bare_s);
    print_row("2. baseline: list what the controller lists", n_objects, list_s,
              -1, 0, 1.0);
    print_row("2. controller start to /readyz, median", n_objects,
              median->b.ready_s, -1, 0, median->b.ready_s / list_s);
    print_row("2. controller start to all reconciled, median", n_objects,
              median->b.reconciled_s, median->b.cpu_s, median->b.hwm_kib,
              median->b.reconciled_s / list_s);
    printf("(time: from the first create, or from the controller's exec; "
           "work: subnets, namespaces to bind, or objects listed; ctl CPU: "
           "the controller's user+system seconds, in figure 1 until all Ready "
           "and until all bound and idle, for a start from exec to idle; ctl "
           "VmHWM: its peak RSS since its start; ratio: against the baseline "
           "above it, for figure 2 one unpaged quorum read each of %zu "
           "namespaces, %zu subnets, %zu Vpcs and %zu Nodes from here)\n",
           n_listed[0], n_listed[1], n_listed[2], n_listed[3]);

    printf("\nfigure 1, per subnet, ms %47s %8s %8s\n", "p50", "p99", "max");
    print_latency("create -> 201", to_ack);
    print_latency("create -> seen by the watch (baseline)", to_seen);
    print_latency("create -> Ready=True (controller)", to_ready);
    print_latency("  seen -> finalizer seen", to_finalized);
    print_latency("  finalizer seen -> Ready=True (NB, status)", to_status);
    printf("ratios: p99 create->Ready / p99 create->seen %.2f; all Ready / "
           "bare create time %.2f\n",
           to_ready.p99 / to_seen.p99, f->ready_s / f->bare_s);
    printf("CPU in figure 1 until all bound and idle: controller %.2f s "
           "(%.2f ms per subnet)",
           f->all_cpu_s, f->all_cpu_s * 1000 / N_SUBNETS);
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        printf(", %s %.2f s", bench_server_name(i), f->server_cpu_s[i]);
    }
    printf(", this load generator %.2f s (until all Ready)\n", f->gen_cpu_s);
    printf("watch events per subnet created (the controller's writes): "
           "%.2f of subnets, %.2f of namespaces, %.2f of Vpcs\n",
           (double)f->subnet_events / N_SUBNETS,
           (double)f->ns_events / N_SUBNETS,
           (double)f->vpc_events / N_SUBNETS);

    printf("\n%-18s %7s %10s %6s %6s %6s %6s %5s %4s %6s %6s %5s %5s %6s "
           "%6s\n",
           "controller start", "/readyz", "reconciled", "idle", "CPU",
           "apisrv", "etcd", "NB", "vpc", "subnet", "ns", "VmRSS", "VmHWM",
           "subnet", "ns");
    printf("%-18s %7s %10s %6s %27s %18s %11s %13s\n", "", "s", "s", "s",
           "CPU s, exec to idle", "reconciles", "MiB at idle", "watch events");
    print_start("first (no subnets)", first);
    for (int i = 0; i < N_RESTARTS; i++) {
        char what[32];

        snprintf(what, sizeof what, "restart %d", i + 1);
        print_start(what, &restarts[i]);
    }
    printf("(from the exec: /readyz 200; reconciled: /metrics show every "
           "queue empty, nothing in flight, and as many reconciles as "
           "objects; idle: < 10 ms CPU per 500 ms after that, counters "
           "unchanged; CPU: of the controller and the servers; watch events: "
           "updates of subnets and namespaces seen here during the start, "
           "i.e. what it wrote)\n");
    printf("cold start, median of %d: /readyz %.2f s (spread %.2f..%.2f), "
           "all reconciled %.2f s (spread %.2f..%.2f)\n",
           N_RESTARTS, median->b.ready_s, ready_min, ready_max,
           median->b.reconciled_s, sorted[0].b.reconciled_s,
           sorted[N_RESTARTS - 1].b.reconciled_s);
    printf("controller VmHWM: %.1f MiB at most (VmRSS %.1f MiB at the end); "
           "this load generator: RSS %.1f MiB\n",
           worst_hwm / 1024.0, rss / 1024.0, bench_rss_kib() / 1024.0);

    printf("\ncontroller work, from its /metrics:\n");
    printf("  %-20s %-10s %10s %7s %8s %12s %12s\n", "", "queue", "reconciles",
           "errors", "retries", "avg wait ms", "avg work ms");
    print_work("first start", NULL, &f->before);
    print_work("figure 1", &f->before, &f->after);
    print_work("restart (median)", NULL, &median->b.stats);
    printf("(wait: in the queue before a reconcile; work: from its start to "
           "its end, API writes and NB transactions included; OVN NB txn: "
           "transactions and their mean time; Events: Kubernetes Events the "
           "controller recorded)\n");
    printf("controller log warnings, by kind:\n");
    bench_print_log_warnings(k8s.dir, "controller.log");
    for (int i = 0; i < N_RESTARTS; i++) {
        char log_name[64];

        snprintf(log_name, sizeof log_name, "controller-restart-%d.log",
                 i + 1);
        bench_print_log_warnings(k8s.dir, log_name);
    }

    printf("\n");
    print_goal("subnet create -> Ready p99", to_ready.p99, GOAL_P99_MS, "ms");
    print_goal("controller cold start to all reconciled, median",
               median->b.reconciled_s, GOAL_START_S, "s");
    fflush(stdout);
}

int
main(int argc, char *argv[])
{
    struct bench_bulk vpcs = {.what = "Vpcs",
                              .path = CRD_API_PATH "/vpcs",
                              .n = N_VPCS,
                              .body = vpc_body};
    struct bench_bulk nodes = {.what = "Nodes",
                               .path = "/api/v1/nodes",
                               .n = N_NODES,
                               .body = node_body};
    struct bench_bulk namespaces = {.what = "namespaces",
                                    .path = "/api/v1/namespaces",
                                    .n = N_NAMESPACES,
                                    .body = ns_body};
    struct start first, restarts[N_RESTARTS];
    struct fig1 f;
    size_t n_listed[4];
    double t, list_s;
    const char *exe;

    exe = bench_controller_arg(argc, argv);

    t = bench_now_seconds();
    k8s_sandbox_start(&k8s, false);
    ovn_sandbox_start_without_northd(&ovn);
    atexit(controller_stop);

    writer = bench_kube_client(&kovn, k8s.kubeconfig, CLIENT_QPS);
    reader = bench_kube_client(&kovn, k8s.kubeconfig, 200);
    struct kube_informer_options vpc_options = {.path = CRD_API_PATH "/vpcs",
                                                .watch_timeout_s = 1800};
    struct kube_informer_handlers vpc_handlers =
        bench_observer_handlers(&vpc_observer);
    vpc_informer = kube_informer_create(reader, &vpc_options, &vpc_handlers);
    struct kube_informer_options subnet_options = {
        .path = CRD_API_PATH "/subnets", .watch_timeout_s = 1800};
    struct kube_informer_handlers subnet_handlers =
        bench_observer_handlers(&subnet_observer);
    subnet_informer =
        kube_informer_create(reader, &subnet_options, &subnet_handlers);
    struct kube_informer_options ns_options = {.path = "/api/v1/namespaces",
                                               .watch_timeout_s = 1800,
                                               .transform = prune,
                                               .transform_aux =
                                                   (void *)ns_fields};
    struct kube_informer_handlers ns_handlers =
        bench_observer_handlers(&ns_observer);
    ns_informer = kube_informer_create(reader, &ns_options, &ns_handlers);

    bulk_run(&vpcs);
    bulk_run(&nodes);
    bulk_run(&namespaces);
    printf("sandboxes ready and %d Vpcs, %d Nodes, %d namespaces created in "
           "%.1f s (namespaces: %.1f s, %.0f/s)\n",
           N_VPCS, N_NODES, N_NAMESPACES, bench_now_seconds() - t,
           namespaces.last_acked - namespaces.first_sent,
           N_NAMESPACES / (namespaces.last_acked - namespaces.first_sent));
    fflush(stdout);

    start_controller(exe, "controller.log", &first);
    t = bench_wait_for(&kovn, &loop, "first start", setup_done, setup_progress,
                       SETUP_LIMIT_S);
    printf("controller first start: /readyz after %.2f s, all reconciled "
           "(%d namespaces annotated, Vpcs Ready) after %.2f s; waited %.2f "
           "s more for the watches\n",
           first.b.ready_s, N_NAMESPACES, first.b.reconciled_s, t);
    fflush(stdout);

    figure1(&f);

    for (int i = 0; i < N_RESTARTS; i++) {
        char log_name[64];

        bench_ctl_stop(&kovn);
        snprintf(log_name, sizeof log_name, "controller-restart-%d.log",
                 i + 1);
        start_controller(exe, log_name, &restarts[i]);
    }
    verify("after the restarts");

    /* The baseline of a start: the lists its informers make. */
    list_s = bench_time_list(&kovn, writer, "/api/v1/namespaces", "",
                             &n_listed[0]) +
             bench_time_list(&kovn, writer, CRD_API_PATH "/subnets", "",
                             &n_listed[1]) +
             bench_time_list(&kovn, writer, CRD_API_PATH "/vpcs", "",
                             &n_listed[2]) +
             bench_time_list(&kovn, writer, "/api/v1/nodes", "", &n_listed[3]);

    report(&f, &first, restarts, list_s, n_listed);

    kube_informer_destroy(ns_informer);
    kube_informer_destroy(subnet_informer);
    kube_informer_destroy(vpc_informer);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    controller_stop();
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    return 0;
}
