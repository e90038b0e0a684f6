/* Benchmark: Services into OVN load balancers.  1,000 Services with 10
 * endpoints each into NB, beside the API server's own time to create them;
 * then endpoint changes one by one, each to its NB row, beside the watch
 * latency of the same writes.
 *
 * A real kube-apiserver (no kube-controller-manager: nothing else writes
 * Endpoints) and OVN NB (no northd: only the NB write path is measured)
 * are started, then kovn-controller; the run waits for its /readyz, for
 * the default switch in NB and for the controller to go idle.  (The
 * kubernetes Service has no Endpoints here: the API server does not write
 * its loopback address into them.)  NB is read through an IDL replica here
 * that monitors the load balancers' names and vips and the switches' load
 * balancers, nothing else.
 *
 * 1. Services into NB.  Service svc-NNNN (N = 0..999) in namespace default
 *    has one TCP port 80 -> 8080 and no selector, its ClusterIP allocated
 *    by the API server; Endpoints svc-NNNN lists 10 ready addresses in
 *    10.16.0.0/16 (nothing is contacted) with port 8080.  Each Service is
 *    POSTed right before its Endpoints, BENCH_BULK_WINDOW requests in
 *    flight, as fast as the API server answers.  The controller's figure is
 *    from the first create until NB shows every Service's VIP
 *    "ClusterIP:80" in cluster-tcp-loadbalancer with its 10 backends
 *    (sorted, as kovn writes them); per Service, from its Endpoints' create
 *    (the later of the two).  The baseline, in the same run and under the
 *    same load, is the API server's: the first create to the last 201, and
 *    per object create to the first watch event here that shows it.
 * 2. Endpoint changes.  Once the controller is idle again, N_CHANGES merge
 *    patches of an Endpoints' subsets, CHANGE_RATE per second, each
 *    replacing one address of a different Service with a new one.  Per
 *    change, from sending it to the replica showing the VIP's new backend
 *    list, beside sending it to the watch event that shows the new address.
 *    Pacing makes this a latency rather than a queue drain.  The issue sets
 *    no goal for it: the figures are printed.
 * The controller's CPU and VmHWM, the servers' CPU, the NB transactions
 * from its /metrics and this process's CPU (the replica re-parses the
 * vips map on every change of it) say where the time goes.  The result is
 * verified after each figure: every VIP with its expected backends, the
 * load balancer carried by the default switch.
 *
 *   bench_services KOVN_CONTROLLER
 * Only a real failure (a VIP never right, the controller exiting) exits
 * non-zero. */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crd/names.h"
#include "k8s_sandbox.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn_sandbox.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_SERVICES     1000
#define N_BACKENDS     10
#define N_OBJECTS      (2 * N_SERVICES) /* A Service and its Endpoints. */
#define SERVICE_PORT   80
#define TARGET_PORT    8080
#define N_CHANGES      500
#define CHANGE_RATE    20   /* Endpoint changes per second. */
#define CHANGE_WINDOW  16   /* Changes outstanding at once. */
#define CLIENT_QPS     2000 /* Far above what the API server manages. */
#define NAMESPACE      "default"
#define LB_NAME        "cluster-tcp-loadbalancer"
#define SETUP_LIMIT_S  300.0
#define NB_LIMIT_S     300.0 /* Figure 1, from the first create. */
#define CHANGE_LIMIT_S 60.0  /* One change, from its send. */

static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer, *reader;
static struct kube_informer *svc_informer, *eps_informer;
/* Load balancers' names and vips and switches' load balancers only. */
static struct ovsdb_idl *nb;
static unsigned int nb_seqno;
static bool nb_check_due; /* Something to look for has become known. */
static struct bench_ctl kovn;

/* Figure 1, per object: index 2S is Service S, 2S + 1 its Endpoints. */
static double obj_sent[N_OBJECTS], obj_acked[N_OBJECTS], obj_seen[N_OBJECTS];
static int n_obj_seen;
/* Per Service: its VIP "ClusterIP:80" (the ClusterIP from the 201), the
 * addresses its Endpoints list now (third and fourth octets), the backend
 * list NB should show, and when the replica first showed it (0: not yet). */
static char *vips[N_SERVICES];
static uint16_t addrs[N_SERVICES][N_BACKENDS];
static char *want[N_SERVICES];
static double vip_done[N_SERVICES];
static int n_vips_done;
/* What the replica is to show and has not yet: Services with a known VIP,
 * changes sent.  Only they are looked up on each change of the replica,
 * so that this process does not compete with the controller for the CPUs
 * by going over every Service each time. */
static int pending_vips[N_SERVICES], n_pending_vips;
static int pending_changes[N_CHANGES], n_pending_changes;

/* Figure 2, per change: the Service whose Endpoints it changes, the new
 * address, its merge patch, and when it was sent, answered, seen by the
 * watch and shown by the replica. */
struct change {
    int svc;
    uint16_t addr;
    char *patch;
    char *want; /* The VIP's backends after it. */
    double sent, acked, seen, done;
};
static struct change changes[N_CHANGES];
static int change_of[N_SERVICES]; /* -1: none. */
static bool changing;             /* Figure 2 under way. */
static int n_changes_done;

/* What the controller's /metrics say about its NB writes: each reconcile
 * that reached NB is one write, and one transaction of its own
 * (submitted alone); a write that changes nothing sends none. */
struct ctl_stats {
    double writes, write_s, write_errors;
    double txns;       /* Transactions sent to the server. */
    double reconciles; /* Of Services; -1: not exported. */
};

/* A phase's resource use: the controller's, the servers', this
 * process's. */
struct usage {
    double ctl_cpu, gen_cpu, server_cpu[BENCH_N_SERVERS];
    struct ctl_stats stats;
};

static void check_nb(void);

static void
controller_stop(void)
{
    bench_ctl_stop(&kovn);
}

/* One turn of the poll loop.  The replica is looked at as soon as it
 * changes, so that a figure's end is when NB showed it here. */
static void
run_all(void)
{
    kube_client_run(writer);
    kube_client_run(reader);
    kube_informer_run(svc_informer);
    kube_informer_run(eps_informer);
    ovsdb_idl_run(nb);
    if (ovsdb_idl_get_seqno(nb) != nb_seqno || nb_check_due) {
        nb_seqno = ovsdb_idl_get_seqno(nb);
        nb_check_due = false;
        check_nb();
    }
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
    kube_client_wait(reader);
    kube_informer_wait(svc_informer);
    kube_informer_wait(eps_informer);
    ovsdb_idl_wait(nb);
    poll_timer_wait_until(wake_ms);
    poll_block();
}

static const struct bench_loop loop = {run_all, block_until};

static double
settle(void)
{
    return bench_ctl_settle(&kovn, &loop, SETUP_LIMIT_S);
}

/* --- Names, addresses and bodies. */

static void
svc_name(int s, char buf[16])
{
    snprintf(buf, 16, "svc-%04d", s);
}

/* Address 'a' of 10.16.0.0/16 by its last two octets. */
static void
addr_text(uint16_t a, char buf[16])
{
    snprintf(buf, 16, "10.16.%d.%d", a >> 8, a & 0xff);
}

/* Service S's address I at first: 10.16.1.1 onwards, none of them the
 * default subnet's gateway. */
static uint16_t
first_addr(int s, int i)
{
    int n = s * N_BACKENDS + i;

    return (1 + n / 250) << 8 | (1 + n % 250);
}

/* The address change C brings: 10.16.200.1 onwards, none used before. */
static uint16_t
change_addr(int c)
{
    return (200 + c / 250) << 8 | (1 + c % 250);
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The backend list kovn writes for 'a': "ip:port" sorted as strings. */
static char *
backends_of(const uint16_t a[N_BACKENDS])
{
    char text[N_BACKENDS][32], *sorted[N_BACKENDS];
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int i = 0; i < N_BACKENDS; i++) {
        char ip[16];

        addr_text(a[i], ip);
        snprintf(text[i], sizeof text[i], "%s:%d", ip, TARGET_PORT);
        sorted[i] = text[i];
    }
    qsort(sorted, N_BACKENDS, sizeof *sorted, compare_strings);
    for (int i = 0; i < N_BACKENDS; i++) {
        ds_put_format(&s, "%s%s", i ? "," : "", sorted[i]);
    }
    return ds_steal_cstr(&s);
}

static char *
subsets_json(const uint16_t a[N_BACKENDS])
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&s, "[{\"addresses\":[");
    for (int i = 0; i < N_BACKENDS; i++) {
        char ip[16];

        addr_text(a[i], ip);
        ds_put_format(&s, "%s{\"ip\":\"%s\"}", i ? "," : "", ip);
    }
    ds_put_format(&s, "],\"ports\":[{\"port\":%d,\"protocol\":\"TCP\"}]}]",
                  TARGET_PORT);
    return ds_steal_cstr(&s);
}

static char *
object_path(int i)
{
    return xstrdup(i % 2 ? "/api/v1/namespaces/" NAMESPACE "/endpoints"
                         : "/api/v1/namespaces/" NAMESPACE "/services");
}

static char *
object_body(int i)
{
    int s = i / 2;
    char name[16];

    svc_name(s, name);
    if (i % 2 == 0) {
        return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Service\","
                         "\"metadata\":{\"name\":\"%s\"},\"spec\":{"
                         "\"ports\":[{\"port\":%d,\"targetPort\":%d,"
                         "\"protocol\":\"TCP\"}]}}",
                         name, SERVICE_PORT, TARGET_PORT);
    }
    char *subsets = subsets_json(addrs[s]);
    char *body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\","
                           "\"metadata\":{\"name\":\"%s\"},\"subsets\":%s}",
                           name, subsets);
    free(subsets);
    return body;
}

static void
object_sent(int i, double now)
{
    obj_sent[i] = now;
}

/* The ClusterIP is taken from the 201, not the watch, so that NB showing
 * a VIP before the watch shows its Service is still seen. */
static void
object_acked(int i, const struct kube_response *response, double now)
{
    obj_acked[i] = now;
    if (i % 2 == 0) {
        const char *ip = NULL;

        json_member_string(json_member(response->body, "spec"), "clusterIP",
                           "spec", &ip, NULL);
        if (!ip || !*ip || !strcmp(ip, "None")) {
            bench_fail(&kovn, "Service #%d was given no ClusterIP", i / 2);
        }
        vips[i / 2] = xasprintf("%s:%d", ip, SERVICE_PORT);
        pending_vips[n_pending_vips++] = i / 2;
        nb_check_due = true;
    }
}

/* Every change of figure 2, before it starts: its Service, its new
 * address, its patch (a merge patch replaces a list whole, so it carries
 * every address) and the backends NB is to show after it. */
static void
plan_changes(void)
{
    for (int s = 0; s < N_SERVICES; s++) {
        change_of[s] = -1;
    }
    for (int c = 0; c < N_CHANGES; c++) {
        struct change *x = &changes[c];
        /* 7 is prime to N_SERVICES: each change a different Service,
         * spread over all of them. */
        int s = c * 7 % N_SERVICES;
        uint16_t a[N_BACKENDS];

        memcpy(a, addrs[s], sizeof a);
        a[c % N_BACKENDS] = change_addr(c);
        char *subsets = subsets_json(a);
        x->svc = s;
        x->addr = change_addr(c);
        x->patch = xasprintf("{\"subsets\":%s}", subsets);
        x->want = backends_of(a);
        change_of[s] = c;
        free(subsets);
    }
}

static char *
change_path(int c)
{
    char name[16];

    svc_name(changes[c].svc, name);
    return xasprintf("/api/v1/namespaces/" NAMESPACE "/endpoints/%s", name);
}

static char *
change_body(int c)
{
    return xstrdup(changes[c].patch);
}

static void
change_sent(int c, double now)
{
    changes[c].sent = now;
    pending_changes[n_pending_changes++] = c;
    nb_check_due = true;
}

static void
change_acked(int c, const struct kube_response *response OVS_UNUSED,
             double now)
{
    changes[c].acked = now;
}

/* --- What the watches show. */

static void
observe_service(const struct json *obj, bool update OVS_UNUSED)
{
    int s = bench_index_of(kube_object_name(obj), "svc-", N_SERVICES);

    if (s >= 0 && !obj_seen[2 * s]) {
        obj_seen[2 * s] = bench_now_seconds();
        n_obj_seen++;
    }
}

static const struct bench_observer svc_observer = {observe_service};

static bool
endpoints_has(const struct json *obj, uint16_t a)
{
    const struct json *subsets = json_member(obj, "subsets");
    char ip[16];

    addr_text(a, ip);
    for (size_t i = 0;
         subsets && subsets->type == JSON_ARRAY && i < json_array(subsets)->n;
         i++) {
        const struct json *list =
            json_member(json_array(subsets)->elems[i], "addresses");

        for (size_t j = 0;
             list && list->type == JSON_ARRAY && j < json_array(list)->n;
             j++) {
            const char *have = NULL;

            json_member_string(json_array(list)->elems[j], "ip", "ip", &have,
                               NULL);
            if (have && !strcmp(have, ip)) {
                return true;
            }
        }
    }
    return false;
}

static void
observe_endpoints(const struct json *obj, bool update OVS_UNUSED)
{
    int s = bench_index_of(kube_object_name(obj), "svc-", N_SERVICES);
    double now = bench_now_seconds();

    if (s < 0) {
        return;
    }
    if (!obj_seen[2 * s + 1]) {
        obj_seen[2 * s + 1] = now;
        n_obj_seen++;
    }
    int c = changing ? change_of[s] : -1;
    if (c >= 0 && changes[c].sent && !changes[c].seen &&
        endpoints_has(obj, changes[c].addr)) {
        changes[c].seen = now;
    }
}

static const struct bench_observer eps_observer = {observe_endpoints};

/* --- What NB shows. */

static const struct nbrec_load_balancer *
find_lb(const char *name)
{
    const struct nbrec_load_balancer *lb;

    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb)
    {
        if (!strcmp(lb->name, name)) {
            return lb;
        }
    }
    return NULL;
}

/* Marks what the replica now shows: Services' VIPs with their backends,
 * changes sent and now in NB. */
static void
check_nb(void)
{
    const struct nbrec_load_balancer *lb = find_lb(LB_NAME);
    double now = bench_now_seconds();

    if (!lb) {
        return;
    }
    for (int i = 0; i < n_pending_vips;) {
        int s = pending_vips[i];
        const char *have = smap_get(&lb->vips, vips[s]);

        if (have && !strcmp(have, want[s])) {
            vip_done[s] = now;
            n_vips_done++;
            pending_vips[i] = pending_vips[--n_pending_vips];
        } else {
            i++;
        }
    }
    for (int i = 0; i < n_pending_changes;) {
        struct change *x = &changes[pending_changes[i]];
        const char *have = smap_get(&lb->vips, vips[x->svc]);

        if (have && !strcmp(have, x->want)) {
            x->done = now;
            n_changes_done++;
            pending_changes[i] = pending_changes[--n_pending_changes];
        } else {
            i++;
        }
    }
}

static bool
default_switch_in_nb(void)
{
    const struct nbrec_logical_switch *ls;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb)
    {
        if (!strcmp(ls->name, CRD_DEFAULT_SUBNET)) {
            return true;
        }
    }
    return false;
}

static void
default_switch_progress(char *text, size_t size)
{
    snprintf(text, size, "no switch %s", CRD_DEFAULT_SUBNET);
}

/* Every Service's VIP with the backends its Endpoints list now, and the
 * load balancer carried by the default switch.  Returns the VIPs the row
 * holds. */
static size_t
verify(const char *when)
{
    const struct nbrec_load_balancer *lb = find_lb(LB_NAME);
    const struct nbrec_logical_switch *ls;
    bool carried = false;

    if (!lb) {
        bench_fail(&kovn, "%s: no %s in NB", when, LB_NAME);
    }
    for (int s = 0; s < N_SERVICES; s++) {
        char *expect = backends_of(addrs[s]);
        const char *have = smap_get(&lb->vips, vips[s]);

        if (!have || strcmp(have, expect)) {
            bench_fail(&kovn, "%s: VIP %s is \"%s\", want \"%s\"", when,
                       vips[s], have ? have : "(none)", expect);
        }
        free(expect);
    }
    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb)
    {
        for (size_t i = 0;
             !strcmp(ls->name, CRD_DEFAULT_SUBNET) && i < ls->n_load_balancer;
             i++) {
            carried |= ls->load_balancer[i] == lb;
        }
    }
    if (!carried) {
        bench_fail(&kovn, "%s: switch %s does not carry %s", when,
                   CRD_DEFAULT_SUBNET, LB_NAME);
    }
    return smap_count(&lb->vips);
}

/* --- The controller. */

static bool
ctl_stats_get(struct ctl_stats *st)
{
    int port = bench_ctl_metrics_port(&kovn);
    char *body = NULL;

    if (!port || bench_http_get(port, "/metrics", &body) != 200) {
        free(body);
        return false;
    }
    st->writes = bench_metric(body, "kovn_ovn_txn_duration_seconds_count");
    st->write_s = bench_metric(body, "kovn_ovn_txn_duration_seconds_sum");
    st->write_errors = bench_metric(body, "kovn_ovn_txn_errors_total");
    st->txns = bench_metric(body, "kovn_ovn_batch_txns_total");
    st->reconciles =
        bench_metric(body, "kovn_reconciles_total{controller=\"service\"}");
    free(body);
    return true;
}

static void
usage_get(struct usage *u)
{
    u->ctl_cpu = bench_proc_cpu(kovn.pid);
    u->gen_cpu = bench_self_cpu();
    bench_server_cpu(k8s.dir, ovn.dir, u->server_cpu);
    if (!ctl_stats_get(&u->stats)) {
        bench_fail(&kovn, "the controller's /metrics did not answer");
    }
}

/* 'b' minus 'a', into 'b'. */
static void
usage_since(const struct usage *a, struct usage *b)
{
    b->ctl_cpu -= a->ctl_cpu;
    b->gen_cpu -= a->gen_cpu;
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        b->server_cpu[i] -= a->server_cpu[i];
    }
    b->stats.writes -= a->stats.writes;
    b->stats.write_s -= a->stats.write_s;
    b->stats.write_errors -= a->stats.write_errors;
    b->stats.txns -= a->stats.txns;
    b->stats.reconciles = a->stats.reconciles < 0 || b->stats.reconciles < 0
                              ? -1
                              : b->stats.reconciles - a->stats.reconciles;
}

/* Starts the controller and waits for its /readyz, for the default
 * switch in NB (Service VIPs go to the load balancers it carries) and for
 * the controller to go idle. */
static void
start_controller(const char *exe)
{
    double start = bench_now_seconds(), ready_s = 0, switch_s;
    char log[256];
    int port = 0, error;

    snprintf(log, sizeof log, "%s/controller.log", k8s.dir);
    error = bench_ctl_start(&kovn, exe, ovn.nb_unix, k8s.controller_kubeconfig,
                            log);
    if (error) {
        bench_fail(&kovn, "starting %s: %s", exe, ovs_strerror(-error));
    }
    while (!ready_s) {
        run_all();
        if (!port) {
            port = bench_ctl_metrics_port(&kovn);
        }
        if (port && bench_http_get(port, "/readyz", NULL) == 200) {
            ready_s = bench_now_seconds() - start;
        }
        if (bench_now_seconds() - start > SETUP_LIMIT_S) {
            bench_fail(&kovn,
                       "the controller was not ready %.0f s after its "
                       "start",
                       SETUP_LIMIT_S);
        }
        block_until(time_msec() + 10);
    }
    switch_s = bench_wait_for(&kovn, &loop, "the default switch in NB",
                              default_switch_in_nb, default_switch_progress,
                              SETUP_LIMIT_S);
    printf("controller: /readyz %.2f s after its start, switch %s in NB "
           "%.2f s later, idle %.2f s after that\n",
           ready_s, CRD_DEFAULT_SUBNET, switch_s, settle());
    fflush(stdout);
}

/* --- Figure 1. */

struct fig1 {
    double bare_s;    /* First create to last 201. */
    double seen_s;    /* First create to the last object seen. */
    double nb_s;      /* First create to the last VIP right in NB. */
    double idle_s;    /* First create to the controller idle after it. */
    struct usage u;   /* Until the last VIP... */
    struct usage all; /* ...and until idle. */
    long hwm_kib;
    double load;
    size_t n_vips;
};

static void
fig1_progress(double elapsed, const struct bench_bulk *bulk)
{
    long rss, hwm;

    bench_proc_memory(kovn.pid, &rss, &hwm);
    printf("  +%.0f s: %d of %d creates answered, %d seen, %d VIPs right in "
           "NB; controller VmRSS %.1f MiB, load %.2f\n",
           elapsed, bulk->done, N_OBJECTS, n_obj_seen, n_vips_done,
           rss / 1024.0, bench_load_average());
    fflush(stdout);
}

static void
figure1(struct fig1 *f)
{
    struct bench_bulk objects = {.what = "Services and Endpoints",
                                 .path_of = object_path,
                                 .body = object_body,
                                 .n = N_OBJECTS,
                                 .on_sent = object_sent,
                                 .on_acked = object_acked,
                                 .client = writer,
                                 .ctl = &kovn};
    struct usage before;
    double start, next_progress;
    long rss;

    memset(f, 0, sizeof *f);
    for (int s = 0; s < N_SERVICES; s++) {
        for (int i = 0; i < N_BACKENDS; i++) {
            addrs[s][i] = first_addr(s, i);
        }
        want[s] = backends_of(addrs[s]);
    }
    usage_get(&before);
    start = bench_now_seconds();
    next_progress = start + 10;
    while (objects.done < N_OBJECTS || n_vips_done < N_SERVICES ||
           n_obj_seen < N_OBJECTS) {
        run_all();
        bench_bulk_fill(&objects);
        double now = bench_now_seconds();
        if (now - start > NB_LIMIT_S) {
            bench_fail(&kovn,
                       "%d of %d creates answered, %d of %d seen, %d of %d "
                       "VIPs right in NB after %.0f s",
                       objects.done, N_OBJECTS, n_obj_seen, N_OBJECTS,
                       n_vips_done, N_SERVICES, NB_LIMIT_S);
        }
        if (now >= next_progress) {
            fig1_progress(now - start, &objects);
            next_progress = now + 10;
        }
        block_until(bench_bulk_due_ms(&objects));
    }
    usage_get(&f->u);
    usage_since(&before, &f->u);
    f->load = bench_load_average();
    f->bare_s = objects.last_acked - objects.first_sent;
    f->seen_s = bench_latest(obj_seen, N_OBJECTS) - objects.first_sent;
    f->nb_s = bench_latest(vip_done, N_SERVICES) - objects.first_sent;
    settle();
    f->idle_s = bench_now_seconds() - objects.first_sent;
    usage_get(&f->all);
    usage_since(&before, &f->all);
    bench_proc_memory(kovn.pid, &rss, &f->hwm_kib);
    f->n_vips = verify("after figure 1");
    printf("figure 1 done: %d VIPs right in NB %.2f s after the first "
           "create, controller idle %.2f s after it\n",
           N_SERVICES, f->nb_s, f->idle_s);
    fflush(stdout);
}

/* --- Figure 2. */

struct fig2 {
    double acked_s, seen_s, nb_s; /* From the first change sent. */
    struct usage u;               /* Until the last change in NB. */
    long hwm_kib;
    double load;
};

static void
figure2(struct fig2 *f)
{
    struct bench_bulk patches = {
        .what = "Endpoints changes",
        .method = "PATCH",
        .content_type = "application/merge-patch+json",
        .status = 200,
        .path_of = change_path,
        .body = change_body,
        .n = N_CHANGES,
        .rate = CHANGE_RATE,
        .window = CHANGE_WINDOW,
        .on_sent = change_sent,
        .on_acked = change_acked,
        .client = writer,
        .ctl = &kovn,
    };
    struct usage before;
    double acked[N_CHANGES], seen[N_CHANGES], done[N_CHANGES];
    double next_check = 0;
    long rss;

    memset(f, 0, sizeof *f);
    plan_changes();
    changing = true;
    usage_get(&before);
    for (;;) {
        int n_seen = 0;

        run_all();
        bench_bulk_fill(&patches);
        for (int c = 0; c < patches.sent; c++) {
            n_seen += changes[c].seen > 0;
        }
        if (patches.done >= N_CHANGES && n_changes_done >= N_CHANGES &&
            n_seen >= N_CHANGES) {
            break;
        }
        double now = bench_now_seconds();
        if (now >= next_check) {
            for (int c = 0; c < patches.sent; c++) {
                const struct change *x = &changes[c];

                if ((!x->done || !x->seen) && now - x->sent > CHANGE_LIMIT_S) {
                    bench_fail(&kovn,
                               "change %d (VIP %s) not %s %.0f s after it "
                               "was sent",
                               c, vips[x->svc],
                               x->done ? "seen by the watch" : "in NB",
                               CHANGE_LIMIT_S);
                }
            }
            next_check = now + 1;
        }
        block_until(bench_bulk_due_ms(&patches));
    }
    usage_get(&f->u);
    usage_since(&before, &f->u);
    f->load = bench_load_average();
    bench_proc_memory(kovn.pid, &rss, &f->hwm_kib);
    for (int c = 0; c < N_CHANGES; c++) {
        acked[c] = changes[c].acked;
        seen[c] = changes[c].seen;
        done[c] = changes[c].done;
        addrs[changes[c].svc][c % N_BACKENDS] = changes[c].addr;
    }
    f->acked_s = bench_latest(acked, N_CHANGES) - patches.first_sent;
    f->seen_s = bench_latest(seen, N_CHANGES) - patches.first_sent;
    f->nb_s = bench_latest(done, N_CHANGES) - patches.first_sent;
    settle();
    verify("after figure 2");
    printf("figure 2 done: %d changes at %d/s, the last in NB %.2f s after "
           "the first was sent\n",
           N_CHANGES, CHANGE_RATE, f->nb_s);
    fflush(stdout);
}

/* --- Report. */

struct latency {
    double p50, p99, max;
};

/* The p50, p99 and max of to[i] - from[i] over 'n' samples, in ms. */
static struct latency
latency(const double *from, const double *to, int n)
{
    double *v = xmalloc(n * sizeof *v);
    struct latency l;

    for (int i = 0; i < n; i++) {
        v[i] = (to[i] - from[i]) * 1000;
    }
    bench_p50_p99(v, n, &l.p50, &l.p99);
    l.max = v[n - 1];
    free(v);
    return l;
}

static void
print_latency(const char *what, struct latency l)
{
    printf("  %-56s %8.1f %8.1f %8.1f\n", what, l.p50, l.p99, l.max);
}

static void
print_row(const char *what, int n, double seconds, double cpu, long hwm_kib,
          double ratio)
{
    bench_print_row(50, what, n, seconds, cpu, hwm_kib, ratio);
}

static void
print_usage(const char *what, const struct usage *u, int n, const char *per)
{
    printf("%s: controller %.2f s (%.2f ms per %s)", what, u->ctl_cpu,
           u->ctl_cpu * 1000 / n, per);
    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        printf(", %s %.2f s", bench_server_name(i), u->server_cpu[i]);
    }
    printf(", this load generator %.2f s\n", u->gen_cpu);
    char reconciles[32] = "not in /metrics";

    if (u->stats.reconciles >= 0) {
        snprintf(reconciles, sizeof reconciles, "%.0f", u->stats.reconciles);
    }
    printf("  controller: Service reconciles %s; NB writes %.0f (%.2f per "
           "%s), mean %.2f ms from submit to answer, %.0f failed; %.0f "
           "transactions sent\n",
           reconciles, u->stats.writes, u->stats.writes / n, per,
           u->stats.writes ? u->stats.write_s * 1000 / u->stats.writes : 0,
           u->stats.write_errors, u->stats.txns);
}

static void
report(const struct fig1 *f1, const struct fig2 *f2)
{
    double pair_sent[N_SERVICES], pair_seen[N_SERVICES];
    double kind_sent[2][N_SERVICES], kind_acked[2][N_SERVICES],
        kind_seen[2][N_SERVICES];
    double c_sent[N_CHANGES], c_acked[N_CHANGES], c_seen[N_CHANGES],
        c_done[N_CHANGES];
    long rss, hwm;

    for (int s = 0; s < N_SERVICES; s++) {
        pair_sent[s] = obj_sent[2 * s + 1];
        pair_seen[s] = MAX(obj_seen[2 * s], obj_seen[2 * s + 1]);
        for (int k = 0; k < 2; k++) {
            kind_sent[k][s] = obj_sent[2 * s + k];
            kind_acked[k][s] = obj_acked[2 * s + k];
            kind_seen[k][s] = obj_seen[2 * s + k];
        }
    }
    for (int c = 0; c < N_CHANGES; c++) {
        c_sent[c] = changes[c].sent;
        c_acked[c] = changes[c].acked;
        c_seen[c] = changes[c].seen;
        c_done[c] = changes[c].done;
    }
    struct latency to_ack = latency(obj_sent, obj_acked, N_OBJECTS);
    struct latency to_seen = latency(obj_sent, obj_seen, N_OBJECTS);
    struct latency svc_to_ack =
        latency(kind_sent[0], kind_acked[0], N_SERVICES);
    struct latency eps_to_ack =
        latency(kind_sent[1], kind_acked[1], N_SERVICES);
    struct latency svc_to_seen =
        latency(kind_sent[0], kind_seen[0], N_SERVICES);
    struct latency eps_to_seen =
        latency(kind_sent[1], kind_seen[1], N_SERVICES);
    struct latency pair_to_seen = latency(pair_sent, pair_seen, N_SERVICES);
    struct latency pair_to_nb = latency(pair_sent, vip_done, N_SERVICES);
    struct latency change_to_ack = latency(c_sent, c_acked, N_CHANGES);
    struct latency change_to_seen = latency(c_sent, c_seen, N_CHANGES);
    struct latency change_to_nb = latency(c_sent, c_done, N_CHANGES);
    bench_proc_memory(kovn.pid, &rss, &hwm);

    printf("\n%d Services x %d endpoints in namespace %s (one TCP port, "
           "ClusterIPs from 10.96.0.0/12): %d creates, %d in flight; then "
           "%d Endpoints changes at %d/s; load average %.2f after figure 1, "
           "%.2f after figure 2, on %ld CPUs\n",
           N_SERVICES, N_BACKENDS, NAMESPACE, N_OBJECTS, BENCH_BULK_WINDOW,
           N_CHANGES, CHANGE_RATE, f1->load, f2->load,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-50s %6s %8s %8s %9s %10s %6s\n", "phase", "work", "time s",
           "ops/s", "ctl CPU", "ctl VmHWM", "ratio");
    print_row("1. baseline: creates, first to last 201", N_OBJECTS, f1->bare_s,
              -1, 0, 1.0);
    print_row("   ... all seen by the watch", N_OBJECTS, f1->seen_s, -1, 0,
              f1->seen_s / f1->bare_s);
    print_row("1. controller: every VIP in NB with its backends", N_SERVICES,
              f1->nb_s, f1->u.ctl_cpu, f1->hwm_kib, f1->nb_s / f1->bare_s);
    print_row("   ... and the controller idle", N_SERVICES, f1->idle_s,
              f1->all.ctl_cpu, 0, f1->idle_s / f1->bare_s);
    print_row("2. baseline: changes, first sent to last seen", N_CHANGES,
              f2->seen_s, -1, 0, 1.0);
    print_row("2. controller: ... to the last in NB", N_CHANGES, f2->nb_s,
              f2->u.ctl_cpu, f2->hwm_kib, f2->nb_s / f2->seen_s);
    printf("(time: from the first request; work: objects created, Services, "
           "or changes; ctl CPU: the controller's user+system seconds in "
           "that time, for \"idle\" until it is idle (< 10 ms per 500 ms); "
           "ctl VmHWM: its peak RSS since its start; ratio: against the "
           "baseline above it; figure 2 is paced at %d/s, so its time is "
           "the pace's)\n",
           CHANGE_RATE);

    printf("\nlatency, ms %61s %8s %8s\n", "p50", "p99", "max");
    printf("figure 1, per object or Service:\n");
    print_latency("create -> 201, both kinds", to_ack);
    print_latency("  Service create -> 201", svc_to_ack);
    print_latency("  Endpoints create -> 201", eps_to_ack);
    print_latency("create -> seen by the watch, both kinds (baseline)",
                  to_seen);
    print_latency("  Service create -> seen by the watch", svc_to_seen);
    print_latency("  Endpoints create -> seen by the watch", eps_to_seen);
    print_latency("Endpoints create -> both seen (baseline)", pair_to_seen);
    print_latency("Endpoints create -> VIP in NB, 10 backends (controller)",
                  pair_to_nb);
    printf("figure 2, per change:\n");
    print_latency("PATCH -> 200", change_to_ack);
    print_latency("PATCH -> seen by the watch (baseline)", change_to_seen);
    print_latency("PATCH -> new backends in NB (controller)", change_to_nb);
    printf("ratios: figure 1, all VIPs in NB / first create to last 201 "
           "%.2f, p99 create->NB / p99 create->both seen %.2f; figure 2, p99 "
           "change->NB / p99 change->seen %.2f\n",
           f1->nb_s / f1->bare_s, pair_to_nb.p99 / pair_to_seen.p99,
           change_to_nb.p99 / change_to_seen.p99);

    printf("\nCPU seconds\n");
    print_usage("figure 1 until every VIP in NB", &f1->u, N_SERVICES,
                "Service");
    print_usage("figure 1 until the controller idle", &f1->all, N_SERVICES,
                "Service");
    print_usage("figure 2", &f2->u, N_CHANGES, "change");
    printf("controller VmHWM %.1f MiB, VmRSS %.1f MiB at the end; %s holds "
           "%zu VIPs; this load generator: RSS %.1f MiB\n",
           hwm / 1024.0, rss / 1024.0, LB_NAME, f1->n_vips,
           bench_rss_kib() / 1024.0);
    printf("controller log warnings, by kind:\n");
    bench_print_log_warnings(k8s.dir, "controller.log");
    printf(
        "\nRESULT: %d Services x %d endpoints into NB in %.2f s, %.2fx "
        "the API server's %.2f s to create them; endpoint change -> NB "
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms (watch p99 %.1f ms, %.2fx)\n",
        N_SERVICES, N_BACKENDS, f1->nb_s, f1->nb_s / f1->bare_s, f1->bare_s,
        change_to_nb.p50, change_to_nb.p99, change_to_nb.max,
        change_to_seen.p99, change_to_nb.p99 / change_to_seen.p99);
    fflush(stdout);
}

int
main(int argc, char *argv[])
{
    struct fig1 f1;
    struct fig2 f2;
    const char *exe;
    double t;

    exe = bench_controller_arg(argc, argv);

    t = bench_now_seconds();
    k8s_sandbox_start(&k8s, false);
    ovn_sandbox_start_without_northd(&ovn);
    atexit(controller_stop);

    writer = bench_kube_client(&kovn, k8s.kubeconfig, CLIENT_QPS);
    reader = bench_kube_client(&kovn, k8s.kubeconfig, 200);
    struct kube_informer_options svc_options = {
        .path = "/api/v1/namespaces/" NAMESPACE "/services",
        .watch_timeout_s = 1800};
    struct kube_informer_handlers svc_handlers =
        bench_observer_handlers(&svc_observer);
    svc_informer = kube_informer_create(reader, &svc_options, &svc_handlers);
    struct kube_informer_options eps_options = {
        .path = "/api/v1/namespaces/" NAMESPACE "/endpoints",
        .watch_timeout_s = 1800};
    struct kube_informer_handlers eps_handlers =
        bench_observer_handlers(&eps_observer);
    eps_informer = kube_informer_create(reader, &eps_options, &eps_handlers);
    nb = ovsdb_idl_create(ovn.nb_unix, &nbrec_idl_class, false, true);
    ovsdb_idl_add_column(nb, &nbrec_load_balancer_col_name);
    ovsdb_idl_add_column(nb, &nbrec_load_balancer_col_vips);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_col_name);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_col_load_balancer);
    while (!kube_informer_has_synced(svc_informer) ||
           !kube_informer_has_synced(eps_informer) ||
           !ovsdb_idl_has_ever_connected(nb)) {
        run_all();
        if (bench_now_seconds() - t > SETUP_LIMIT_S) {
            bench_fail(&kovn, "informers or NB replica not ready");
        }
        block_until(time_msec() + 100);
    }
    printf("sandboxes ready in %.1f s\n", bench_now_seconds() - t);
    fflush(stdout);

    start_controller(exe);
    figure1(&f1);
    figure2(&f2);
    report(&f1, &f2);

    for (int s = 0; s < N_SERVICES; s++) {
        free(vips[s]);
        free(want[s]);
    }
    for (int c = 0; c < N_CHANGES; c++) {
        free(changes[c].patch);
        free(changes[c].want);
    }
    ovsdb_idl_destroy(nb);
    kube_informer_destroy(eps_informer);
    kube_informer_destroy(svc_informer);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    controller_stop();
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    return 0;
}
