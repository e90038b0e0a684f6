/* Benchmark "P2": namespace annotation latency of a real kovn-controller
 * while 1,000 orphaned subnets (spec.vpc naming a Vpc that does not exist)
 * are present, beside the same load with no orphans in the same run.
 *
 * A real kube-apiserver and OVN NB (no northd) are started, then
 * kovn-controller as a child process.  1,000 valid subnets valid-NNNN are
 * created and reconciled first, so that the timed phases measure
 * namespaces only.  Phase A creates namespaces a-0..a-999 at a fixed rate;
 * then 1,000 orphans orphan-NNNN are created and processed; phase B
 * creates b-0..b-999 (each also listed by one orphan) at the same rate.
 * Pacing keeps this a latency measurement rather than a queue drain.
 *
 * For each namespace, latency is the time from sending its create request
 * to the first watch event that shows it carrying
 * ovn.kubernetes.io/logical_switch, observed by an informer in this
 * process.  The time from the create to the first watch event showing the
 * namespace at all is reported beside it: what the API server and the
 * watch cost without the controller.
 *
 *   bench_controller KOVN_CONTROLLER
 * With $KOVN_BENCH_CSV=FILE, every sample is also written to FILE. */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <errno.h>
#include <stdarg.h>
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
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovn_sandbox.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_NS             1000 /* Namespaces per phase. */
#define N_VALID          1000
#define N_ORPHANS        1000
#define N_GONE_VPCS      20
#define RATE             100 /* Namespace creates per second. */
#define MAX_IN_FLIGHT    100 /* Subnet creates outstanding at once. */
#define ANNOTATE_LIMIT_S 30.0
#define SETUP_LIMIT_S    600.0
#define GOAL_RATIO       1.2
#define GOAL_P99_MS      50.0

struct sample {
    double sent;      /* Create request queued. */
    double acked;     /* Its 201 received. */
    double seen;      /* First watch event showing the namespace. */
    double annotated; /* First watch event carrying logical_switch. */
};

struct phase {
    const char *title;
    char prefix; /* Namespaces are "<prefix>-<i>". */
    int orphans; /* Orphaned subnets present during the phase. */
    struct sample samples[N_NS];
    int n_sent, n_annotated;
    long ctl_rss_kib; /* Controller VmRSS after the phase. */
    double ctl_cpu_s; /* Controller user+system CPU during the phase. */
    double settle_s;  /* Waited for the controller to go idle before. */
    double load;      /* 1-minute load average after the phase. */
    double gen_cpu_s; /* This process's CPU during the phase. */
};

static struct phase phases[2] = {
    {.title = "A: baseline", .prefix = 'a', .orphans = 0},
    {.title = "B: with orphans", .prefix = 'b', .orphans = N_ORPHANS},
};

static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer, *reader;
static struct kube_informer *ns_informer, *subnet_informer;
static struct bench_ctl kovn;
static int n_done; /* Subnet creates completed. */

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
controller_start(const char *exe)
{
    char log[256];
    int error;

    snprintf(log, sizeof log, "%s/controller.log", k8s.dir);
    error = bench_ctl_start(&kovn, exe, ovn.nb_unix, k8s.controller_kubeconfig,
                            log);
    if (error) {
        fail("starting %s: %s", exe, ovs_strerror(-error));
    }
}

static void
controller_stop(void)
{
    bench_ctl_stop(&kovn);
}

static void
controller_memory(long *rss, long *hwm)
{
    bench_proc_memory(kovn.pid, rss, hwm);
}

static double
controller_cpu(void)
{
    return bench_proc_cpu(kovn.pid);
}

/* One turn of the poll loop: everything runs, then sleeps until an event or
 * 'wake_ms'. */
static void
run_all(void)
{
    kube_client_run(writer);
    kube_client_run(reader);
    kube_informer_run(ns_informer);
    kube_informer_run(subnet_informer);
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
    kube_client_wait(reader);
    kube_informer_wait(ns_informer);
    kube_informer_wait(subnet_informer);
    poll_timer_wait_until(wake_ms);
    poll_block();
}

static void
valid_cidr(int i, char *buf, size_t size)
{
    snprintf(buf, size, "10.%d.%d.0/24", 64 + i / 256, i % 256);
}

/* Orphans get CIDRs of their own: only the missing VPC makes them
 * unusable. */
static void
orphan_cidr(int i, char *buf, size_t size)
{
    snprintf(buf, size, "10.%d.%d.0/24", 96 + i / 256, i % 256);
}

/* --- Namespaces, as the informer sees them. */

static struct sample *
sample_of(const char *name, struct phase **phasep, int *indexp)
{
    char *end;
    long i;

    for (size_t p = 0; p < ARRAY_SIZE(phases); p++) {
        if (name && name[0] == phases[p].prefix && name[1] == '-') {
            i = strtol(name + 2, &end, 10);
            if (end != name + 2 && !*end && i >= 0 && i < N_NS) {
                *phasep = &phases[p];
                *indexp = i;
                return &phases[p].samples[i];
            }
        }
    }
    return NULL;
}

static void
observe_namespace(const struct json *obj, bool update OVS_UNUSED)
{
    struct phase *phase;
    struct sample *s;
    const char *ls;
    int i;

    s = sample_of(kube_object_name(obj), &phase, &i);
    if (!s) {
        return;
    }
    double now = bench_now_seconds();
    if (!s->seen) {
        s->seen = now;
    }
    ls = kube_object_annotation(obj, ANN_LOGICAL_SWITCH);
    if (ls && !s->annotated) {
        const char *cidr = kube_object_annotation(obj, ANN_CIDR);
        char want_ls[32], want_cidr[32];

        s->annotated = now;
        phase->n_annotated++;
        snprintf(want_ls, sizeof want_ls, "valid-%04d", i);
        valid_cidr(i, want_cidr, sizeof want_cidr);
        if (strcmp(ls, want_ls) || !cidr || strcmp(cidr, want_cidr)) {
            fail("namespace %c-%d annotated logical_switch=%s cidr=%s, "
                 "want %s %s",
                 phase->prefix, i, ls, cidr ? cidr : "(none)", want_ls,
                 want_cidr);
        }
    }
}

static const struct bench_observer ns_observer = {observe_namespace};

/* --- Subnets. */

static void
subnet_created(struct kube_response *response, void *aux OVS_UNUSED)
{
    if (response->status != 201) {
        fail("creating a subnet: %ld %s %s", response->status,
             response->reason, response->message);
    }
    n_done++;
}

/* 'namespaces' is the JSON array's contents, e.g. "\"a-1\",\"b-1\"". */
static void
send_subnet(const char *name, const char *vpc, const char *cidr,
            const char *namespaces)
{
    char body[512];
    struct json *json;

    snprintf(body, sizeof body,
             "{\"apiVersion\":\"kubeovn.io/v1\",\"kind\":\"Subnet\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"vpc\":\"%s\","
             "\"cidrBlock\":\"%s\",\"protocol\":\"IPv4\","
             "\"namespaces\":[%s]}}",
             name, vpc, cidr, namespaces);
    json = json_from_string(body);
    kube_client_send(writer, "POST", CRD_API_PATH "/subnets", json, NULL,
                     subnet_created, NULL);
    json_destroy(json);
}

/* Creates valid-NNNN (orphans false) or orphan-NNNN, at most MAX_IN_FLIGHT
 * requests outstanding. */
static void
create_subnets(bool orphans)
{
    int n = orphans ? N_ORPHANS : N_VALID;
    int sent = 0;
    double deadline = bench_now_seconds() + SETUP_LIMIT_S;

    n_done = 0;
    for (;;) {
        run_all();
        while (sent < n && sent - n_done < MAX_IN_FLIGHT) {
            char name[32], vpc[32], cidr[32], namespaces[48];

            /* Valid subnet i lists a-i and b-i; orphan i lists b-i too. */
            if (orphans) {
                snprintf(name, sizeof name, "orphan-%04d", sent);
                snprintf(vpc, sizeof vpc, "gone-%d", sent % N_GONE_VPCS);
                orphan_cidr(sent, cidr, sizeof cidr);
                snprintf(namespaces, sizeof namespaces, "\"b-%d\"", sent);
            } else {
                snprintf(name, sizeof name, "valid-%04d", sent);
                snprintf(vpc, sizeof vpc, "%s", CRD_DEFAULT_VPC);
                valid_cidr(sent, cidr, sizeof cidr);
                snprintf(namespaces, sizeof namespaces, "\"a-%d\",\"b-%d\"",
                         sent, sent);
            }
            send_subnet(name, vpc, cidr, namespaces);
            sent++;
        }
        kube_client_run(writer);
        if (n_done >= n) {
            return;
        }
        if (bench_now_seconds() > deadline) {
            fail("creating subnets: %d of %d done", n_done, n);
        }
        block_until(time_msec() + 100);
    }
}

/* Subnets in the informer whose name starts with 'prefix' and whose Ready
 * condition has 'status' (and 'reason', if nonnull). */
static int
count_subnets(const char *prefix, const char *status, const char *reason)
{
    struct kube_store_cursor c;
    size_t len = strlen(prefix);
    int n = 0;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(subnet_informer))
    {
        const struct json *obj = c.object;
        const struct json *cond;
        const char *s = NULL, *r = NULL;

        if (strncmp(c.key, prefix, len)) {
            continue;
        }
        cond = kube_condition_find(
            json_member(json_member(obj, "status"), "conditions"), "Ready");
        json_member_string(cond, "status", "", &s, NULL);
        json_member_string(cond, "reason", "", &r, NULL);
        if (s && !strcmp(s, status) &&
            (!reason || (r && !strcmp(r, reason)))) {
            n++;
        }
    }
    return n;
}

/* Waits until 'n' subnets match count_subnets(); returns the seconds it
 * took.  The store is scanned every 100 ms, not on every event, so that
 * this process does not compete with the controller for CPU. */
static double
wait_subnets(const char *what, const char *prefix, const char *status,
             const char *reason, int n, double limit_s)
{
    double start = bench_now_seconds();
    double next_check = 0;
    int have = 0;

    for (;;) {
        run_all();
        double now = bench_now_seconds();
        if (now >= next_check) {
            if (kube_informer_has_synced(subnet_informer)) {
                have = count_subnets(prefix, status, reason);
                if (have >= n) {
                    return now - start;
                }
            }
            next_check = now + 0.1;
        }
        if (now - start > limit_s) {
            fail("%s: %d of %d subnets %s* Ready=%s%s%s after %.0f s", what,
                 have, n, prefix, status, reason ? " reason " : "",
                 reason ? reason : "", limit_s);
        }
        block_until(time_msec() + 100);
    }
}

/* Waits until the controller is idle (under 10 ms of CPU in 500 ms):
 * the status writes and Events that follow the conditions a wait saw must
 * not spill into a timed phase.  Returns the seconds it took. */
static double
settle(void)
{
    static const struct bench_loop loop = {run_all, block_until};

    return bench_ctl_settle(&kovn, &loop, 60);
}

/* --- Namespace phases. */

static void
namespace_created(struct kube_response *response, void *s_)
{
    struct sample *s = s_;

    if (response->status != 201) {
        fail("creating a namespace: %ld %s %s", response->status,
             response->reason, response->message);
    }
    s->acked = bench_now_seconds();
}

static void
send_namespace(struct phase *phase, int i)
{
    char body[128], name[16];
    struct json *json;

    snprintf(name, sizeof name, "%c-%d", phase->prefix, i);
    snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"%s\"}}", name);
    json = json_from_string(body);
    phase->samples[i].sent = bench_now_seconds();
    kube_client_send(writer, "POST", "/api/v1/namespaces", json, NULL,
                     namespace_created, &phase->samples[i]);
    json_destroy(json);
}

/* Creates the phase's namespaces at RATE per second and runs until each is
 * annotated; fails on one that is not within ANNOTATE_LIMIT_S of its
 * create. */
static void
run_phase(struct phase *phase)
{
    phase->settle_s = settle();

    long long start_ms = time_msec();
    double next_check = 0;
    double ctl_cpu = controller_cpu(), gen_cpu = bench_self_cpu();

    for (;;) {
        long long due_ms;

        run_all();
        while (phase->n_sent < N_NS &&
               time_msec() >= start_ms + phase->n_sent * 1000LL / RATE) {
            send_namespace(phase, phase->n_sent++);
        }
        kube_client_run(writer);
        if (phase->n_annotated >= N_NS) {
            break;
        }
        double now = bench_now_seconds();
        if (now >= next_check) {
            for (int i = 0; i < phase->n_sent; i++) {
                const struct sample *s = &phase->samples[i];
                if (!s->annotated && now - s->sent > ANNOTATE_LIMIT_S) {
                    fail("namespace %c-%d not annotated %.0f s after its "
                         "create (%s by the watch)",
                         phase->prefix, i, ANNOTATE_LIMIT_S,
                         s->seen ? "seen" : "not even seen");
                }
            }
            next_check = now + 0.1;
        }
        due_ms = phase->n_sent < N_NS
                     ? start_ms + phase->n_sent * 1000LL / RATE
                     : time_msec() + 100;
        block_until(due_ms);
    }
    /* The last create responses may still be on their way. */
    while (kube_client_pending(writer)) {
        run_all();
        block_until(time_msec() + 100);
    }
    long hwm;
    controller_memory(&phase->ctl_rss_kib, &hwm);
    phase->ctl_cpu_s = controller_cpu() - ctl_cpu;
    phase->gen_cpu_s = bench_self_cpu() - gen_cpu;
    phase->load = bench_load_average();
}

struct result {
    double p50, p99, max;  /* Create to annotated, ms. */
    double ack50, ack99;   /* Create to its 201, ms. */
    double seen50, seen99; /* Create to first seen, ms. */
    double ctl50, ctl99;   /* First seen to annotated, ms. */
    double total;          /* First create to last annotation, s. */
};

/* Sorts 'v' and returns its p50 and p99. */
static void
p50_p99(double *v, double *p50, double *p99)
{
    bench_p50_p99(v, N_NS, p50, p99);
}

static struct result
summarize(const struct phase *phase)
{
    double lat[N_NS], ack[N_NS], seen[N_NS], ctl[N_NS];
    double first = phase->samples[0].sent, last = 0;
    struct result r;

    for (int i = 0; i < N_NS; i++) {
        const struct sample *s = &phase->samples[i];

        lat[i] = (s->annotated - s->sent) * 1000;
        ack[i] = (s->acked - s->sent) * 1000;
        seen[i] = (s->seen - s->sent) * 1000;
        ctl[i] = (s->annotated - s->seen) * 1000;
        last = MAX(last, s->annotated);
    }
    p50_p99(lat, &r.p50, &r.p99);
    r.max = lat[N_NS - 1];
    p50_p99(ack, &r.ack50, &r.ack99);
    p50_p99(seen, &r.seen50, &r.seen99);
    p50_p99(ctl, &r.ctl50, &r.ctl99);
    r.total = last - first;
    return r;
}

/* With $KOVN_BENCH_CSV set, writes every sample there (seconds relative to
 * the phase's first create) for looking at latency over time. */
static void
write_csv(void)
{
    const char *path = getenv("KOVN_BENCH_CSV");
    FILE *f;

    if (!path || !(f = fopen(path, "w"))) {
        return;
    }
    fprintf(f, "phase,i,sent,acked,seen,annotated\n");
    for (int p = 0; p < 2; p++) {
        double t0 = phases[p].samples[0].sent;
        /* CLOCK_MONOTONIC, to match other tools' traces (perf -k). */
        fprintf(f, "# phase %c starts at monotonic %.6f s\n", phases[p].prefix,
                t0);
        for (int i = 0; i < N_NS; i++) {
            const struct sample *s = &phases[p].samples[i];
            fprintf(f, "%c,%d,%.6f,%.6f,%.6f,%.6f\n", phases[p].prefix, i,
                    s->sent - t0, s->acked - t0, s->seen - t0,
                    s->annotated - t0);
        }
    }
    fclose(f);
}

static void
print_metrics(void)
{
    int port = bench_ctl_metrics_port(&kovn);
    char *out;

    if (!port) {
        return;
    }
    out = sandbox_run(
        "curl -sf http://127.0.0.1:%d/metrics | grep -E "
        "'^kovn_(reconciles_total|reconcile_errors_total)"
        "\\{controller=\"(namespace|subnet)\"|^kovn_workqueue_retries_total"
        "\\{name=\"namespace\"|^kovn_namespace_subnet_skips_total|"
        "^kovn_orphaned_subnets'",
        port);
    if (out) {
        printf("controller metrics at the end:\n%s", out);
        free(out);
    }
}

int
main(int argc, char *argv[])
{
    double valid_create_s, valid_ready_s, orphan_create_s, orphan_ready_s;
    struct result ra, rb;
    long rss, hwm;
    const char *exe;
    double t;

    exe = bench_controller_arg(argc, argv);

    k8s_sandbox_start(&k8s, false);
    ovn_sandbox_start_without_northd(&ovn);
    /* Before any client exists, so that the child inherits no sockets. */
    controller_start(exe);
    atexit(controller_stop);

    writer = bench_kube_client(&kovn, k8s.kubeconfig, 1000);
    reader = bench_kube_client(&kovn, k8s.kubeconfig, 50);
    struct kube_informer_options ns_options = {.path = "/api/v1/namespaces",
                                               .watch_timeout_s = 1800};
    struct kube_informer_handlers ns_handlers =
        bench_observer_handlers(&ns_observer);
    ns_informer = kube_informer_create(reader, &ns_options, &ns_handlers);
    struct kube_informer_options subnet_options = {
        .path = CRD_API_PATH "/subnets", .watch_timeout_s = 1800};
    struct kube_informer_handlers no_handlers = {0};
    subnet_informer =
        kube_informer_create(reader, &subnet_options, &no_handlers);

    t = wait_subnets("controller start", CRD_DEFAULT_SUBNET, "True", NULL, 1,
                     120);
    printf("controller ready (default subnet Ready) %.1f s after start\n", t);

    t = bench_now_seconds();
    create_subnets(false);
    valid_create_s = bench_now_seconds() - t;
    valid_ready_s = wait_subnets("valid subnets", "valid-", "True", NULL,
                                 N_VALID, SETUP_LIMIT_S) +
                    valid_create_s;

    run_phase(&phases[0]);

    t = bench_now_seconds();
    create_subnets(true);
    orphan_create_s = bench_now_seconds() - t;
    orphan_ready_s = wait_subnets("orphaned subnets", "orphan-", "False",
                                  "VpcNotFound", N_ORPHANS, SETUP_LIMIT_S) +
                     orphan_create_s;

    run_phase(&phases[1]);

    ra = summarize(&phases[0]);
    rb = summarize(&phases[1]);
    controller_memory(&rss, &hwm);
    write_csv();

    printf("\nsetup: %d valid subnets created in %.1f s, all Ready %.1f s "
           "after the first create (%.0f subnets/s)\n",
           N_VALID, valid_create_s, valid_ready_s, N_VALID / valid_ready_s);
    printf("setup: %d orphaned subnets over %d missing Vpcs created in %.1f "
           "s, all Ready=False VpcNotFound %.1f s after the first create\n",
           N_ORPHANS, N_GONE_VPCS, orphan_create_s, orphan_ready_s);
    printf("\nP2: namespaces created at %d/s (one POST every %d ms) with %d "
           "valid subnets; latency = create sent -> first watch event with "
           "%s\n",
           RATE, 1000 / RATE, N_VALID, ANN_LOGICAL_SWITCH);
    printf("%-16s %7s %5s %7s %7s %7s %8s %6s %8s %8s %9s\n", "phase",
           "orphans", "ns", "p50 ms", "p99 ms", "max ms", "total s", "ns/s",
           "ctl CPU", "gen CPU", "ctl RSS");
    for (int p = 0; p < 2; p++) {
        const struct result *r = p ? &rb : &ra;
        printf("%-16s %7d %5d %7.1f %7.1f %7.1f %8.2f %6.1f %6.2f s %6.2f s "
               "%5.1f MiB\n",
               phases[p].title, phases[p].orphans, N_NS, r->p50, r->p99,
               r->max, r->total, N_NS / r->total, phases[p].ctl_cpu_s,
               phases[p].gen_cpu_s, phases[p].ctl_rss_kib / 1024.0);
    }
    printf("(total: first create to last annotation; CPU: user+system "
           "seconds of the controller and of this load generator during the "
           "phase; ctl RSS: the controller's VmRSS after it)\n");
    printf("\nwhere the time goes, p50 / p99 in ms:\n");
    printf("%-16s %18s %18s %18s %9s %6s\n", "phase", "create->201",
           "create->seen", "seen->annotated", "idle wait", "load");
    for (int p = 0; p < 2; p++) {
        const struct result *r = p ? &rb : &ra;
        printf("%-16s %8.1f / %7.1f %8.1f / %7.1f %8.1f / %7.1f %7.1f s "
               "%6.2f\n",
               phases[p].title, r->ack50, r->ack99, r->seen50, r->seen99,
               r->ctl50, r->ctl99, phases[p].settle_s, phases[p].load);
    }
    printf("(create->201: the API server's write; create->seen: until the "
           "watch shows the namespace, without the controller; "
           "seen->annotated: the controller's reconcile, its PATCH and the "
           "watch event back; idle wait: before the phase, until the "
           "controller used < 10 ms CPU per 500 ms; load: 1-minute load "
           "average after the phase, on %ld CPUs)\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("ratio p99(B)/p99(A): %.2f (goal <= %.1f: %s)\n", rb.p99 / ra.p99,
           GOAL_RATIO, rb.p99 / ra.p99 <= GOAL_RATIO ? "met" : "MISSED");
    printf("p99(B): %.1f ms (goal <= %.0f ms: %s)\n", rb.p99, GOAL_P99_MS,
           rb.p99 <= GOAL_P99_MS ? "met" : "MISSED");
    printf("controller at the end: VmRSS %.1f MiB, VmHWM (peak) %.1f MiB; "
           "this load generator: RSS %.1f MiB\n",
           rss / 1024.0, hwm / 1024.0, bench_rss_kib() / 1024.0);
    print_metrics();
    fflush(stdout);

    kube_informer_destroy(subnet_informer);
    kube_informer_destroy(ns_informer);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    controller_stop();
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    return 0;
}
