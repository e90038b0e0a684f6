/* Benchmark: NetworkPolicies into OVN port groups, address sets and ACLs.
 * 500 policies over 5,000 pods, beside the API server's own time to
 * create the same policies.
 *
 * A real kube-apiserver (no kube-controller-manager, no scheduler: pods
 * name their node, and no pod garbage collector removes them) and OVN NB
 * (no northd: only the NB write path is measured) are started, then
 * kovn-controller.  NB is read through an IDL replica here that monitors
 * the switch ports' names, the port groups' names, ports and ACLs and the
 * ACLs' priorities, nothing else.
 *
 * Set-up (not a figure): 50 namespaces bns-00..bns-49 (label team=tN,
 * N = namespace % 5), 100 pods each (p-NNNN: app=aK with K = pod % 10,
 * role=rR with R = pod % 5, a container port named http), created as fast
 * as the API server answers; the run waits until every pod's switch port is
 * in NB and the controller is idle.
 *
 * Figure.  10 policies per namespace, pol-K selecting app=aK (10 pods):
 *   K = 0, 5: ingress from role=r0 pods of namespaces with the namespace's
 *             team label (a namespaceSelector peer: 10 namespaces);
 *   K = 9:    ingress from role=r4 pods, and egress to app=a0 pods;
 *   others:   ingress from role=r(K % 5) pods on port 80.
 * POSTed BENCH_BULK_WINDOW at a time.  The controller's figure is from the
 * first create until NB holds every policy's port group with its 10 ports
 * and its ACLs (3, or 6 for K = 9: drop, the nodes' allow, the peers'
 * allow per direction); the baseline, in the same run, is the API
 * server's: first create to last 201.  Then the controller's CPU, its
 * VmHWM, and the time until it is idle.
 *
 * Figure 2.  With the policies in place, 500 more pods (10 per namespace,
 * one more for each policy's selector, p-5NNN) are created the same way:
 * from the first create until every port group holds its 11 pods, beside
 * the API server's first create to last 201.  Each pod's events (create,
 * addresses, IP object) mark the policies of its namespace and the 100
 * with a namespaceSelector peer: the incremental path under churn.
 *
 *   bench_netpol KOVN_CONTROLLER
 * Only a real failure (a policy never right, the controller exiting) exits
 * non-zero. */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crd/names.h"
#include "crd/netpol.h"
#include "k8s_sandbox.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn_sandbox.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

#define N_NS          50
#define PODS_PER_NS   100
#define N_PODS        (N_NS * PODS_PER_NS)
#define POLS_PER_NS   10
#define N_POLICIES    (N_NS * POLS_PER_NS)
#define N_TEAMS       5
#define CLIENT_QPS    2000 /* Far above what the API server manages. */
#define SETUP_LIMIT_S 600.0
#define NB_LIMIT_S    300.0
#define NODE          "bench-node"

static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer;
static struct ovsdb_idl *nb;
static unsigned int nb_seqno;
static struct bench_ctl kovn;

/* Per policy: its port group's name, the ACLs it is to have, and when the
 * replica first showed it complete (0: not yet). */
static char *pg_names[N_POLICIES];
static double pol_done[N_POLICIES];
static int n_pols_done;
static bool measuring;
static int n_lsps; /* Pods' switch ports in the replica. */
/* Ports each port group is to hold: 10, then 11 in figure 2. */
static size_t want_ports = PODS_PER_NS / POLS_PER_NS;

static void
controller_stop(void)
{
    bench_ctl_stop(&kovn);
}

static int
expected_acls(int k)
{
    return k == POLS_PER_NS - 1 ? 6 : 3;
}

/* Looks at the replica: the pods' ports while setting up, the policies'
 * port groups while measuring. */
static void
check_nb(void)
{
    if (!measuring) {
        const struct nbrec_logical_switch_port *lsp;
        int n = 0;

        NBREC_LOGICAL_SWITCH_PORT_FOR_EACH(lsp, nb)
        {
            n += strstr(lsp->name, ".bns-") != NULL;
        }
        n_lsps = n;
        return;
    }

    const struct nbrec_port_group *pg;
    double now = bench_now_seconds();
    struct shash by_name = SHASH_INITIALIZER(&by_name);

    NBREC_PORT_GROUP_FOR_EACH(pg, nb)
    {
        shash_add(&by_name, pg->name, pg);
    }
    for (int p = 0; p < N_POLICIES; p++) {
        if (pol_done[p]) {
            continue;
        }
        pg = shash_find_data(&by_name, pg_names[p]);
        if (pg && pg->n_ports == want_ports &&
            (int)pg->n_acls == expected_acls(p % POLS_PER_NS)) {
            pol_done[p] = now;
            n_pols_done++;
        }
    }
    shash_destroy(&by_name);
}

static void
run_all(void)
{
    kube_client_run(writer);
    ovsdb_idl_run(nb);
    if (ovsdb_idl_get_seqno(nb) != nb_seqno) {
        nb_seqno = ovsdb_idl_get_seqno(nb);
        check_nb();
    }
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
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

/* --- Objects. */

static char *
ns_body(int n)
{
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                     "\"metadata\":{\"name\":\"bns-%02d\",\"labels\":"
                     "{\"team\":\"t%d\"}}}",
                     n, n % N_TEAMS);
}

static char *
sa_path(int n)
{
    return xasprintf("/api/v1/namespaces/bns-%02d/serviceaccounts", n);
}

static char *
sa_body(int n OVS_UNUSED)
{
    return xstrdup("{\"metadata\":{\"name\":\"default\"}}");
}

static char *
pod_path(int i)
{
    return xasprintf("/api/v1/namespaces/bns-%02d/pods", i / PODS_PER_NS);
}

static char *
pod_body(int i)
{
    return xasprintf(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
        "\"name\":\"p-%04d\",\"labels\":{\"app\":\"a%d\",\"role\":\"r%d\"}},"
        "\"spec\":{\"nodeName\":\"" NODE "\","
        "\"automountServiceAccountToken\":false,"
        "\"containers\":[{\"name\":\"c\",\"image\":\"none\",\"ports\":"
        "[{\"name\":\"http\",\"containerPort\":8080}]}]}}",
        i, i % 10, i % 5);
}

/* Figure 2's pods: 10 more per namespace, p-5000 onwards. */
#define N_MORE_PODS (N_NS * POLS_PER_NS)

static char *
more_pod_path(int i)
{
    return xasprintf("/api/v1/namespaces/bns-%02d/pods", i / POLS_PER_NS);
}

static char *
more_pod_body(int i)
{
    return xasprintf(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
        "\"name\":\"p-%04d\",\"labels\":{\"app\":\"a%d\",\"role\":\"r%d\"}},"
        "\"spec\":{\"nodeName\":\"" NODE "\","
        "\"automountServiceAccountToken\":false,"
        "\"containers\":[{\"name\":\"c\",\"image\":\"none\"}]}}",
        N_PODS + i, i % POLS_PER_NS, i % 5);
}

static char *
pol_path(int p)
{
    return xasprintf("/apis/networking.k8s.io/v1/namespaces/bns-%02d/"
                     "networkpolicies",
                     p / POLS_PER_NS);
}

static char *
pol_body(int p)
{
    int n = p / POLS_PER_NS, k = p % POLS_PER_NS;
    const char *head =
        "{\"apiVersion\":\"networking.k8s.io/v1\","
        "\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":"
        "\"pol-%d\"},\"spec\":{\"podSelector\":{\"matchLabels\":"
        "{\"app\":\"a%d\"}},";
    char *h = xasprintf(head, k, k);
    char *body;

    if (k == 0 || k == 5) {
        body = xasprintf(
            "%s\"ingress\":[{\"from\":[{\"namespaceSelector\":{"
            "\"matchLabels\":"
            "{\"team\":\"t%d\"}},\"podSelector\":{\"matchLabels\":{\"role\":"
            "\"r0\"}}}]}]}}",
            h, n % N_TEAMS);
    } else if (k == POLS_PER_NS - 1) {
        body = xasprintf(
            "%s\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":"
            "{\"role\":\"r4\"}}}]}],\"egress\":[{\"to\":[{\"podSelector\":"
            "{\"matchLabels\":{\"app\":\"a0\"}}}]}]}}",
            h);
    } else {
        body = xasprintf(
            "%s\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":"
            "{\"role\":\"r%d\"}}}],\"ports\":[{\"port\":80}]}]}}",
            h, k % 5);
    }
    free(h);
    return body;
}

/* --- Phases. */

static void
create_all(const char *what, const char *path, char *(*path_of)(int),
           char *(*body)(int), int n)
{
    struct bench_bulk bulk = {.what = what,
                              .path = path,
                              .path_of = path_of,
                              .body = body,
                              .n = n,
                              .client = writer,
                              .ctl = &kovn};

    bench_bulk_run(&bulk, &loop, SETUP_LIMIT_S);
}

static bool
pods_in_nb(void)
{
    return n_lsps >= N_PODS;
}

static void
pods_progress(char *text, size_t size)
{
    snprintf(text, size, "%d of %d pods' switch ports in NB", n_lsps, N_PODS);
}

static void
start_controller(const char *exe)
{
    double start = bench_now_seconds();
    char log[256];
    int port = 0, error;

    snprintf(log, sizeof log, "%s/controller.log", k8s.dir);
    error = bench_ctl_start(&kovn, exe, ovn.nb_unix, k8s.controller_kubeconfig,
                            log);
    if (error) {
        bench_fail(&kovn, "starting %s: %s", exe, ovs_strerror(-error));
    }
    for (;;) {
        run_all();
        if (!port) {
            port = bench_ctl_metrics_port(&kovn);
        }
        if (port && bench_http_get(port, "/readyz", NULL) == 200) {
            break;
        }
        if (bench_now_seconds() - start > SETUP_LIMIT_S) {
            bench_fail(&kovn, "the controller was not ready");
        }
        block_until(time_msec() + 10);
    }
    printf("controller: /readyz %.2f s after its start\n",
           bench_now_seconds() - start);
    fflush(stdout);
}

struct figure {
    double bare_s; /* First create to last 201. */
    double nb_s;   /* First create to the last policy complete in NB. */
    double idle_s; /* First create to the controller idle after it. */
    double ctl_cpu, ctl_cpu_all;
    long hwm_kib;
    double load;
};

static void
figure(struct figure *f)
{
    struct bench_bulk pols = {.what = "NetworkPolicies",
                              .path_of = pol_path,
                              .body = pol_body,
                              .n = N_POLICIES,
                              .client = writer,
                              .ctl = &kovn};
    double start, cpu0 = bench_proc_cpu(kovn.pid), next_progress;
    long rss;

    memset(f, 0, sizeof *f);
    measuring = true;
    start = bench_now_seconds();
    next_progress = start + 10;
    while (pols.done < N_POLICIES || n_pols_done < N_POLICIES) {
        run_all();
        bench_bulk_fill(&pols);
        double now = bench_now_seconds();
        if (now - start > NB_LIMIT_S) {
            bench_fail(&kovn,
                       "%d of %d creates answered, %d of %d policies "
                       "complete in NB after %.0f s",
                       pols.done, N_POLICIES, n_pols_done, N_POLICIES,
                       NB_LIMIT_S);
        }
        if (now >= next_progress) {
            bench_proc_memory(kovn.pid, &rss, &f->hwm_kib);
            printf("  +%.0f s: %d of %d creates answered, %d policies "
                   "complete in NB; controller VmRSS %.1f MiB\n",
                   now - start, pols.done, N_POLICIES, n_pols_done,
                   rss / 1024.0);
            fflush(stdout);
            next_progress = now + 10;
        }
        block_until(bench_bulk_due_ms(&pols));
    }
    f->ctl_cpu = bench_proc_cpu(kovn.pid) - cpu0;
    f->load = bench_load_average();
    f->bare_s = pols.last_acked - pols.first_sent;
    f->nb_s = bench_latest(pol_done, N_POLICIES) - pols.first_sent;
    settle();
    f->idle_s = bench_now_seconds() - pols.first_sent;
    f->ctl_cpu_all = bench_proc_cpu(kovn.pid) - cpu0;
    bench_proc_memory(kovn.pid, &rss, &f->hwm_kib);
}

struct figure2 {
    double bare_s, nb_s, idle_s, ctl_cpu;
    long hwm_kib;
};

static void
figure2(struct figure2 *f)
{
    struct bench_bulk pods = {.what = "more pods",
                              .path_of = more_pod_path,
                              .body = more_pod_body,
                              .n = N_MORE_PODS,
                              .client = writer,
                              .ctl = &kovn};
    double start, cpu0 = bench_proc_cpu(kovn.pid);
    long rss;

    memset(f, 0, sizeof *f);
    memset(pol_done, 0, sizeof pol_done);
    n_pols_done = 0;
    want_ports = PODS_PER_NS / POLS_PER_NS + 1;
    start = bench_now_seconds();
    while (pods.done < N_MORE_PODS || n_pols_done < N_POLICIES) {
        run_all();
        bench_bulk_fill(&pods);
        if (bench_now_seconds() - start > NB_LIMIT_S) {
            bench_fail(&kovn,
                       "%d of %d creates answered, %d of %d port groups "
                       "with their new pod after %.0f s",
                       pods.done, N_MORE_PODS, n_pols_done, N_POLICIES,
                       NB_LIMIT_S);
        }
        block_until(bench_bulk_due_ms(&pods));
    }
    f->ctl_cpu = bench_proc_cpu(kovn.pid) - cpu0;
    f->bare_s = pods.last_acked - pods.first_sent;
    f->nb_s = bench_latest(pol_done, N_POLICIES) - pods.first_sent;
    settle();
    f->idle_s = bench_now_seconds() - pods.first_sent;
    bench_proc_memory(kovn.pid, &rss, &f->hwm_kib);
}

static void
print_row(const char *what, int n, double seconds, double cpu, long hwm_kib,
          double ratio)
{
    bench_print_row(50, what, n, seconds, cpu, hwm_kib, ratio);
}

int
main(int argc, char *argv[])
{
    struct figure f;
    struct figure2 f2;
    const char *exe;
    double t, setup_s;
    long rss, hwm_before;

    exe = bench_controller_arg(argc, argv);
    t = bench_now_seconds();
    k8s_sandbox_start(&k8s, false);
    ovn_sandbox_start_without_northd(&ovn);
    atexit(controller_stop);
    writer = bench_kube_client(&kovn, k8s.kubeconfig, CLIENT_QPS);
    nb = ovsdb_idl_create(ovn.nb_unix, &nbrec_idl_class, false, true);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_port_col_name);
    ovsdb_idl_add_column(nb, &nbrec_port_group_col_name);
    ovsdb_idl_add_column(nb, &nbrec_port_group_col_ports);
    ovsdb_idl_add_column(nb, &nbrec_port_group_col_acls);
    ovsdb_idl_add_column(nb, &nbrec_acl_col_priority);
    for (int n = 0; n < N_NS; n++) {
        for (int k = 0; k < POLS_PER_NS; k++) {
            char ns[16], name[16];

            snprintf(ns, sizeof ns, "bns-%02d", n);
            snprintf(name, sizeof name, "pol-%d", k);
            pg_names[n * POLS_PER_NS + k] = netpol_port_group_name(ns, name);
        }
    }
    while (!ovsdb_idl_has_ever_connected(nb)) {
        run_all();
        block_until(time_msec() + 100);
    }
    printf("sandboxes ready in %.1f s\n", bench_now_seconds() - t);
    fflush(stdout);

    start_controller(exe);
    t = bench_now_seconds();
    create_all("namespaces", "/api/v1/namespaces", NULL, ns_body, N_NS);
    create_all("service accounts", NULL, sa_path, sa_body, N_NS);
    create_all("pods", NULL, pod_path, pod_body, N_PODS);
    bench_wait_for(&kovn, &loop, "every pod's switch port in NB", pods_in_nb,
                   pods_progress, SETUP_LIMIT_S);
    settle();
    setup_s = bench_now_seconds() - t;
    bench_proc_memory(kovn.pid, &rss, &hwm_before);
    printf("set-up: %d namespaces, %d pods wired in NB, controller idle: "
           "%.1f s; controller VmHWM %.1f MiB\n",
           N_NS, N_PODS, setup_s, hwm_before / 1024.0);
    fflush(stdout);

    figure(&f);
    figure2(&f2);

    printf("\n%d NetworkPolicies over %d pods in %d namespaces (%d per "
           "namespace, each selecting %d pods; %d with a namespaceSelector "
           "peer, %d with egress too), %d creates in flight; load average "
           "%.2f, on %ld CPUs\n",
           N_POLICIES, N_PODS, N_NS, POLS_PER_NS, PODS_PER_NS / POLS_PER_NS,
           2 * N_NS, N_NS, BENCH_BULK_WINDOW, f.load,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-50s %6s %8s %8s %9s %10s %6s\n", "phase", "work", "time s",
           "ops/s", "ctl CPU", "ctl VmHWM", "ratio");
    print_row("1. baseline: policy creates, first to last 201", N_POLICIES,
              f.bare_s, -1, 0, 1.0);
    print_row("1. controller: every port group + ACLs in NB", N_POLICIES,
              f.nb_s, f.ctl_cpu, f.hwm_kib, f.nb_s / f.bare_s);
    print_row("   ... and the controller idle", N_POLICIES, f.idle_s,
              f.ctl_cpu_all, 0, f.idle_s / f.bare_s);
    print_row("2. baseline: 500 more pods, first to last 201", N_MORE_PODS,
              f2.bare_s, -1, 0, 1.0);
    print_row("2. controller: each in its policy's port group", N_MORE_PODS,
              f2.nb_s, f2.ctl_cpu, f2.hwm_kib, f2.nb_s / f2.bare_s);
    print_row("   ... and the controller idle", N_MORE_PODS, f2.idle_s, -1, 0,
              f2.idle_s / f2.bare_s);
    printf("controller VmHWM %.1f MiB before the policies (5,000 pods), "
           "%.1f MiB after\n",
           hwm_before / 1024.0, f.hwm_kib / 1024.0);

    for (int p = 0; p < N_POLICIES; p++) {
        free(pg_names[p]);
    }
    ovsdb_idl_destroy(nb);
    kube_client_destroy(writer);
    controller_stop();
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    return 0;
}
