/* Benchmark "scale" (issue 24): kovn-controller at cluster sizes, in three
 * shapes, each beside the API server's bare write time for the same
 * objects measured in the same run:
 *   S1: 1,000 subnets in 20 Vpcs, 100 Nodes, 10,000 pods;
 *   S2: 100 subnets, 1,000 Nodes, 30,000 pods;
 *   S3: one /15 subnet filled to OVN's port limit (32,767 ports on a
 *       switch: 32,766 pods and its router port), then one pod more.
 * $KOVN_SCALE (default 1) multiplies every count (Vpcs, subnets, Nodes,
 * pods and, for S3, the port limit, given to the controller as
 * --switch-port-limit), so that the same run fits a development machine;
 * $KOVN_SHAPES ("S1,S3") picks shapes (default all).
 *
 * Each shape gets its own Kubernetes sandbox (etcd and kube-apiserver
 * only: the benchmark makes each namespace's default ServiceAccount, and
 * pods do not mount its token) and OVN NB (no northd: only the NB write
 * path is measured, northd would only compete for the CPUs).  Nodes are
 * plain Node objects: nothing runs on them, pods are bound by
 * spec.nodeName and need not run.  Subnet s lists namespace ns-s (S1, S2)
 * or the one namespace (S3); pod i is in namespace i % namespaces, on
 * node i % Nodes.
 *
 * 1. Setup: Vpcs, subnets, namespaces and their ServiceAccounts, Nodes.
 * 2. Bare time, no controller: per pod, the writes the controller's pod
 *    reconciler makes (pod.c): POST the pod, PATCH it with the
 *    controller's annotations, POST its IP object; each kind in bulk, 64
 *    requests in flight.  The bare time is the sum of the three, first
 *    request to last answer.  Those pods and IP objects are then deleted.
 * 3. The controller starts and wires the setup (every subnet's switch,
 *    every Node's join port): timed as "first start".
 * 4. All wired: the same pods (POST only, same window); from the first
 *    POST until every pod has ovn.kubernetes.io/allocated "true" (a watch
 *    here) and its Logical_Switch_Port is in NB (a replica here, the time
 *    each port appeared, by change tracking).  NB transactions per pod:
 *    the controller's kovn_ovn_batch_txns_total over the phase (until it
 *    is idle again), divided by the pods.
 *    S3: then one pod more, which must get no address and a SubnetFull
 *    Event naming OVN's limit; timed from its POST to the Event; it is
 *    deleted afterwards.
 * 5. Cold start: the controller is stopped (SIGTERM) and started again,
 *    N_RESTARTS times; from exec to all reconciled: /readyz 200, then its
 *    /metrics show every work queue empty with nothing in flight and at
 *    least one reconcile per Vpc, subnet, namespace, Node and pod (as
 *    listed from the API server), confirmed by the controller going idle
 *    (< 10 ms CPU per 500 ms) with no reconcile and no NB transaction in
 *    between (bench_ctl_wait_reconciled()).  The figure is the median.
 * 6. S2: new Node to its join port and annotations, N_NEW_NODES Nodes
 *    added one at a time with the shape's Nodes present: from the POST
 *    until the watch shows the Node's allocated and ip_address
 *    annotations and the replica shows its port node-<name>; p50/p99.
 * Controller VmHWM: the highest of the first process (after phase 4) and
 * the restarted ones, from /proc/PID/status.
 *
 * The figures and their goals close the report, PASS or MISS; goals are
 * those of the full shapes.  Only a real failure (something never wired,
 * the controller exiting, an API error) exits non-zero.
 *
 *   bench_scale KOVN_CONTROLLER */
#include <config.h>

#include "bench_k8s.h"
#include "bench_util.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "crd/ip.h"
#include "crd/names.h"
#include "crd/subnet.h"
#include "k8s_sandbox.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn_sandbox.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define CLIENT_QPS     2000 /* Far above what the API server manages. */
#define SETUP_LIMIT_S  900.0
#define START_LIMIT_S  300.0
#define NODE_LIMIT_S   30.0
#define EVENT_LIMIT_S  60.0
#define N_RESTARTS     3
#define N_NEW_NODES    50
#define PROGRESS_EVERY 10.0
#define MAX_FIGURES    32

/* Goals (issue 24), for the full shapes. */
#define GOAL_RATIO       1.5
#define GOAL_START_S1_S  3.0
#define GOAL_START_S2_S  5.0
#define GOAL_NODE_P99_MS 200.0
#define GOAL_HWM_MIB     100.0
/* "Well under 1" NB transaction per pod. */
#define GOAL_TXNS_PER_POD 0.5

struct shape {
    const char *name;
    const char *title;
    /* Counts at scale 1. */
    int n_vpcs; /* 0: the subnets are in the default Vpc. */
    int n_subnets, n_nodes, n_pods;
    int prefix;          /* Of each subnet's CIDR. */
    unsigned int base;   /* First subnet's network address. */
    bool fill;           /* S3: pods up to the port limit, then one more. */
    bool new_nodes;      /* S2: new Node latency. */
    double goal_start_s; /* 0: none. */
    bool goal_hwm;
};

static const struct shape shapes[] = {
    {"S1", "1,000 subnets in 20 Vpcs, 100 Nodes, 10,000 pods", 20, 1000, 100,
     10000, 24, 0x0a640000 /* 10.100.0.0 */, false, false, GOAL_START_S1_S,
     false},
    {"S2", "1,000 Nodes, 100 subnets, 30,000 pods", 0, 100, 1000, 30000, 22,
     0x0a640000, false, true, GOAL_START_S2_S, true},
    {"S3", "one /15 subnet filled to OVN's port limit", 0, 1, 100, 0, 15,
     0x0ac80000 /* 10.200.0.0 */, true, false, 0, false},
};

/* A shape at the run's scale, and what was measured. */
struct run {
    const struct shape *shape;
    int n_vpcs, n_subnets, n_namespaces, n_nodes, n_pods;
    int port_limit; /* S3: given to the controller; else 0 (its default). */
    /* Per measured pod, seconds (bench_now_seconds()); 0: not yet. */
    double *sent, *allocated, *ported;
    int n_allocated, n_ported, n_node_ports;
    double bare_s[3]; /* POST pods, PATCH pods, POST IP objects. */
    double bare_total_s;
    double first_sent, last_acked, wired_s, allocated_s, ported_s;
    double ctl_cpu_s, load;
    long hwm_kib;                /* Highest VmHWM of any controller process. */
    long rss_kib, wired_hwm_kib; /* After phase 4. */
    double txns_per_pod, writes_per_pod;
    double reconciles[BENCH_N_QUEUES]; /* During the pods' phase. */
    struct bench_start first, restarts[N_RESTARTS];
    const struct bench_start *median;
    /* S3. */
    double full_event_s;
    char *full_message;
    /* S2. */
    double node_sent[N_NEW_NODES], node_annotated[N_NEW_NODES],
        node_ported[N_NEW_NODES];
    double node_p50_ms, node_p99_ms;
};

static double scale = 1.0;
static const char *exe;
static struct k8s_sandbox k8s;
static struct ovn_sandbox ovn;
static struct kube_client *writer, *reader;
static struct kube_informer *pod_informer, *node_informer;
/* Names of switches and ports only, changes tracked: the time each port
 * appears without scanning 30,000 ports. */
static struct ovsdb_idl *nb;
static struct bench_ctl kovn;
static struct run *cur;
static char *new_node_port_prefix; /* "node-new-". */
static char *node_port_prefix;     /* "node-node-". */

struct figure {
    const char *shape;
    char what[64];
    char value[32];
    char goal[32];
    const char *result; /* "PASS", "MISS" or "-". */
};
static struct figure figures[MAX_FIGURES];
static int n_figures;

static void
stop_children(void)
{
    bench_ctl_stop(&kovn);
}

/* --- The poll loop. */

static void
observe_nb(void)
{
    const struct nbrec_logical_switch_port *lsp;
    size_t len = strlen(new_node_port_prefix);
    double now = bench_now_seconds();

    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH_TRACKED(lsp, nb)
    {
        char pod[32];
        const char *dot;
        int i;

        if (!nbrec_logical_switch_port_is_new(lsp) ||
            nbrec_logical_switch_port_is_deleted(lsp)) {
            continue;
        }
        if (!strncmp(lsp->name, new_node_port_prefix, len)) {
            i = bench_index_of(lsp->name, new_node_port_prefix, N_NEW_NODES);
            if (i >= 0 && !cur->node_ported[i]) {
                cur->node_ported[i] = now;
            }
            continue;
        }
        if (!strncmp(lsp->name, node_port_prefix, strlen(node_port_prefix))) {
            cur->n_node_ports++;
            continue;
        }
        dot = strchr(lsp->name, '.');
        if (!dot || dot - lsp->name >= (ptrdiff_t)sizeof pod) {
            continue;
        }
        memcpy(pod, lsp->name, dot - lsp->name);
        pod[dot - lsp->name] = '\0';
        i = bench_index_of(pod, "pod-", cur->n_pods);
        if (i >= 0 && !cur->ported[i]) {
            cur->ported[i] = now;
            cur->n_ported++;
        }
    }
    ovsdb_idl_track_clear(nb);
}

static void
run_all(void)
{
    kube_client_run(writer);
    kube_client_run(reader);
    kube_informer_run(pod_informer);
    kube_informer_run(node_informer);
    ovsdb_idl_run(nb);
    observe_nb();
    bench_ctl_check(&kovn);
}

static void
block_until(long long wake_ms)
{
    kube_client_wait(writer);
    kube_client_wait(reader);
    kube_informer_wait(pod_informer);
    kube_informer_wait(node_informer);
    ovsdb_idl_wait(nb);
    poll_timer_wait_until(wake_ms);
    poll_block();
}

static const struct bench_loop loop = {run_all, block_until};

/* --- Names and bodies. */

static int
scaled(int n)
{
    return n ? MAX(1, (int)lround(n * scale)) : 0;
}

static const char *
vpc_of(int s, char buf[16])
{
    if (!cur->n_vpcs) {
        return CRD_DEFAULT_VPC;
    }
    snprintf(buf, 16, "vpc-%02d", s % cur->n_vpcs);
    return buf;
}

static void
ns_name(int n, char buf[16])
{
    snprintf(buf, 16, "ns-%04d", n);
}

/* Pod i's namespace and its subnet (namespace n is subnet n's). */
static int
ns_of_pod(int i)
{
    return i % cur->n_namespaces;
}

static unsigned int
subnet_network(int s)
{
    return cur->shape->base +
           (unsigned int)s * (1u << (32 - cur->shape->prefix));
}

static void
format_ip(unsigned int addr, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255,
             (addr >> 8) & 255, addr & 255);
}

static char *
vpc_body(int v)
{
    return xasprintf("{\"apiVersion\":\"%s\",\"kind\":\"Vpc\",\"metadata\":"
                     "{\"name\":\"vpc-%02d\"},\"spec\":{}}",
                     CRD_GROUP_VERSION, v);
}

static char *
subnet_body(int s)
{
    char vpc[16], net[16], gw[16], ns[16];

    format_ip(subnet_network(s), net);
    format_ip(subnet_network(s) + 1, gw);
    ns_name(s % cur->n_namespaces, ns);
    return xasprintf("{\"apiVersion\":\"%s\",\"kind\":\"Subnet\","
                     "\"metadata\":{\"name\":\"subnet-%04d\"},\"spec\":{"
                     "\"vpc\":\"%s\",\"cidrBlock\":\"%s/%d\",\"gateway\":"
                     "\"%s\",\"protocol\":\"IPv4\",\"namespaces\":[\"%s\"]}}",
                     CRD_GROUP_VERSION, s, vpc_of(s, vpc), net,
                     cur->shape->prefix, gw, ns);
}

static char *
ns_body(int n)
{
    char ns[16];

    ns_name(n, ns);
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                     "\"metadata\":{\"name\":\"%s\"}}",
                     ns);
}

static char *
sa_path(int n)
{
    char ns[16];

    ns_name(n, ns);
    return xasprintf("/api/v1/namespaces/%s/serviceaccounts", ns);
}

static char *
sa_body(int n OVS_UNUSED)
{
    return xstrdup("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\","
                   "\"metadata\":{\"name\":\"default\"}}");
}

static char *
node_body(int i)
{
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
                     "{\"name\":\"node-%04d\"}}",
                     i);
}

static char *
new_node_body(int i)
{
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
                     "{\"name\":\"new-%03d\"}}",
                     i);
}

/* Pod i of the baseline ("base-") or the measured run ("pod-"). */
static void
pod_name(const char *prefix, int i, char buf[16])
{
    snprintf(buf, 16, "%s%05d", prefix, i);
}

static char *
pod_path(int i)
{
    char ns[16];

    ns_name(ns_of_pod(i), ns);
    return xasprintf("/api/v1/namespaces/%s/pods", ns);
}

/* automountServiceAccountToken false: no controller-manager makes tokens
 * here.  The toleration keeps anything from acting on these kubelet-less
 * Nodes' pods. */
static char *
pod_body_named(const char *prefix, int i)
{
    char name[16], ns[16];

    pod_name(prefix, i, name);
    ns_name(ns_of_pod(i), ns);
    return xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
                     "\"name\":\"%s\",\"namespace\":\"%s\"},\"spec\":{"
                     "\"nodeName\":\"node-%04d\",\"containers\":[{\"name\":"
                     "\"c\",\"image\":\"none\"}],"
                     "\"automountServiceAccountToken\":false,"
                     "\"tolerations\":[{\"operator\":\"Exists\"}]}}",
                     name, ns, i % cur->n_nodes);
}

static char *
pod_body(int i)
{
    return pod_body_named("pod-", i);
}

static char *
base_pod_body(int i)
{
    return pod_body_named("base-", i);
}

static char *
base_pod_path(int i)
{
    char name[16], ns[16];

    pod_name("base-", i, name);
    ns_name(ns_of_pod(i), ns);
    return xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
}

/* What the controller would hand base pod i: an address of its subnet,
 * the same sizes on the wire. */
static void
fake_addresses(int i, char ip[16], char mac[18])
{
    unsigned int host =
        subnet_network(ns_of_pod(i)) + 2 + i / cur->n_namespaces;

    format_ip(host, ip);
    snprintf(mac, 18, "00:00:00:%02x:%02x:%02x", (host >> 16) & 255,
             (host >> 8) & 255, host & 255);
}

/* The controller's annotation patch, from pod.c desired_annotations(). */
static char *
patch_body(int i)
{
    char ip[16], mac[18], net[16], gw[16], vpc[16], subnet[24];
    int s = ns_of_pod(i);

    fake_addresses(i, ip, mac);
    format_ip(subnet_network(s), net);
    format_ip(subnet_network(s) + 1, gw);
    snprintf(subnet, sizeof subnet, "subnet-%04d", s);
    return xasprintf("{\"metadata\":{\"annotations\":{"
                     "\"%s\":\"true\",\"%s\":\"%s\",\"%s\":\"%s\","
                     "\"%s\":\"%s/%d\",\"%s\":\"%s\",\"%s\":\"%s\","
                     "\"%s\":\"%s\",\"%s\":\"veth-pair\"}}}",
                     ANN_ALLOCATED, ANN_IP_ADDRESS, ip, ANN_MAC_ADDRESS, mac,
                     ANN_CIDR, net, cur->shape->prefix, ANN_GATEWAY, gw,
                     ANN_LOGICAL_SWITCH, subnet, ANN_LOGICAL_ROUTER,
                     vpc_of(s, vpc), ANN_POD_NIC_TYPE);
}

static char *
ip_name(int i)
{
    char name[16], ns[16];

    pod_name("base-", i, name);
    ns_name(ns_of_pod(i), ns);
    return crd_ip_port_name(name, ns);
}

static char *
ip_path(int i)
{
    char *name = ip_name(i);
    char *path = xasprintf(CRD_API_PATH "/ips/%s", name);

    free(name);
    return path;
}

/* The controller's IP object, from pod.c ip_object(). */
static char *
ip_body(int i)
{
    char name[16], ns[16], ip[16], mac[18];
    char *object = ip_name(i);
    char *body;

    pod_name("base-", i, name);
    ns_name(ns_of_pod(i), ns);
    fake_addresses(i, ip, mac);
    body = xasprintf(
        "{\"apiVersion\":\"%s\",\"kind\":\"IP\",\"metadata\":{\"name\":"
        "\"%s\"},\"spec\":{\"podName\":\"%s\",\"namespace\":\"%s\","
        "\"subnet\":\"subnet-%04d\",\"nodeName\":\"node-%04d\","
        "\"ipAddress\":\"%s\",\"v4IpAddress\":\"%s\",\"macAddress\":\"%s\","
        "\"attachSubnets\":[],\"attachIps\":[],\"attachMacs\":[],"
        "\"podType\":\"pod\"}}",
        CRD_GROUP_VERSION, object, name, ns, ns_of_pod(i), i % cur->n_nodes,
        ip, ip, mac);
    free(object);
    return body;
}

static char *
delete_body(int i OVS_UNUSED)
{
    return xstrdup("{\"gracePeriodSeconds\":0}");
}

/* --- What the watches show. */

static bool
annotated(const struct json *obj)
{
    const char *allocated = kube_object_annotation(obj, ANN_ALLOCATED);
    const char *ip = kube_object_annotation(obj, ANN_IP_ADDRESS);

    return allocated && !strcmp(allocated, "true") && ip && *ip;
}

static void
observe_pod(const struct json *pod, bool update OVS_UNUSED)
{
    int i = bench_index_of(kube_object_name(pod), "pod-", cur->n_pods);

    if (i >= 0 && !cur->allocated[i] && annotated(pod)) {
        cur->allocated[i] = bench_now_seconds();
        cur->n_allocated++;
    }
}

static const struct bench_observer pod_observer = {observe_pod};

static void
observe_node(const struct json *node, bool update OVS_UNUSED)
{
    int i = bench_index_of(kube_object_name(node), "new-", N_NEW_NODES);

    if (i >= 0 && !cur->node_annotated[i] && annotated(node)) {
        cur->node_annotated[i] = bench_now_seconds();
    }
}

static const struct bench_observer node_observer = {observe_node};

static const char *const object_fields[] = {
    "metadata.name", "metadata.namespace", "metadata.resourceVersion",
    "metadata.annotations", NULL};

/* --- Steps. */

static void
bulk_run(struct bench_bulk *bulk, double limit_s)
{
    bulk->client = writer;
    bulk->ctl = &kovn;
    bench_bulk_run(bulk, &loop, limit_s);
}

static double
bulk_time(const struct bench_bulk *bulk)
{
    return bulk->last_acked - bulk->first_sent;
}

static double
pod_limit_s(void)
{
    return 300 + cur->n_pods * 0.1;
}

static void
setup(void)
{
    struct bench_bulk steps[] = {
        {.what = "Vpcs",
         .path = CRD_API_PATH "/vpcs",
         .n = cur->n_vpcs,
         .body = vpc_body},
        {.what = "namespaces",
         .path = "/api/v1/namespaces",
         .n = cur->n_namespaces,
         .body = ns_body},
        {.what = "ServiceAccounts",
         .path_of = sa_path,
         .n = cur->n_namespaces,
         .body = sa_body},
        {.what = "subnets",
         .path = CRD_API_PATH "/subnets",
         .n = cur->n_subnets,
         .body = subnet_body},
        {.what = "Nodes",
         .path = "/api/v1/nodes",
         .n = cur->n_nodes,
         .body = node_body},
    };

    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        if (steps[i].n) {
            bulk_run(&steps[i], SETUP_LIMIT_S);
        }
    }
}

static void
baseline(void)
{
    struct bench_bulk steps[] = {
        {.what = "base pods",
         .path_of = pod_path,
         .n = cur->n_pods,
         .body = base_pod_body},
        {.what = "base pod annotations",
         .method = "PATCH",
         .content_type = "application/merge-patch+json",
         .status = 200,
         .path_of = base_pod_path,
         .n = cur->n_pods,
         .body = patch_body},
        {.what = "base IP objects",
         .path = CRD_API_PATH "/ips",
         .n = cur->n_pods,
         .body = ip_body},
    };
    struct bench_bulk cleanup[] = {
        {.what = "base pods",
         .method = "DELETE",
         .status = 200,
         .path_of = base_pod_path,
         .n = cur->n_pods,
         .body = delete_body},
        {.what = "base IP objects",
         .method = "DELETE",
         .status = 200,
         .path_of = ip_path,
         .n = cur->n_pods,
         .body = delete_body},
    };

    cur->bare_total_s = 0;
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        bulk_run(&steps[i], pod_limit_s());
        cur->bare_s[i] = bulk_time(&steps[i]);
        cur->bare_total_s += cur->bare_s[i];
    }
    /* Gone before the controller starts: it would allocate for them. */
    for (size_t i = 0; i < ARRAY_SIZE(cleanup); i++) {
        bulk_run(&cleanup[i], pod_limit_s());
    }
}

/* One reconcile per object the API server lists. */
static void
want_reconciles(double want[BENCH_N_QUEUES])
{
    static const char *const paths[BENCH_N_QUEUES] = {
        [BENCH_Q_VPC] = CRD_API_PATH "/vpcs",
        [BENCH_Q_SUBNET] = CRD_API_PATH "/subnets",
        [BENCH_Q_NAMESPACE] = "/api/v1/namespaces",
        [BENCH_Q_NODE] = "/api/v1/nodes",
        [BENCH_Q_POD] = "/api/v1/pods",
    };

    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        size_t n;

        bench_time_list(&kovn, writer, paths[q], "", &n);
        want[q] = n;
    }
}

/* Starts the controller, logging to DIR/'log_name', and waits until it
 * has reconciled everything and is idle. */
static void
start_controller(const char *log_name, struct bench_start *s)
{
    const char *extra[3] = {NULL};
    double want[BENCH_N_QUEUES];
    char log[256], limit[16];
    double start;
    int error;

    want_reconciles(want);
    if (cur->port_limit) {
        snprintf(limit, sizeof limit, "%d", cur->port_limit);
        extra[0] = "--switch-port-limit";
        extra[1] = limit;
    }
    snprintf(log, sizeof log, "%s/%s", k8s.dir, log_name);
    start = bench_now_seconds();
    error = bench_ctl_start_args(&kovn, exe, ovn.nb_unix,
                                 k8s.controller_kubeconfig, log, extra);
    if (error) {
        bench_fail(&kovn, "starting %s: %s", exe, ovs_strerror(-error));
    }
    bench_ctl_wait_reconciled(&kovn, &loop, start, want, START_LIMIT_S, s);
    cur->hwm_kib = MAX(cur->hwm_kib, s->hwm_kib);
}

static int
count_switches(void)
{
    const struct nbrec_logical_switch *ls;
    int n = 0;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb)
    {
        n += !strncmp(ls->name, "subnet-", 7);
    }
    return n;
}

static void
pod_sent(int i, double now)
{
    cur->sent[i] = now;
}

static void
progress(double start)
{
    long rss, hwm;

    bench_proc_memory(kovn.pid, &rss, &hwm);
    printf("  +%.0f s: %d pods allocated, %d ports in NB of %d; controller "
           "VmRSS %.1f MiB, load %.2f\n",
           bench_now_seconds() - start, cur->n_allocated, cur->n_ported,
           cur->n_pods, rss / 1024.0, bench_load_average());
    fflush(stdout);
}

static void
wire_pods(void)
{
    struct bench_bulk pods = {.what = "pods",
                              .path_of = pod_path,
                              .n = cur->n_pods,
                              .body = pod_body,
                              .on_sent = pod_sent,
                              .client = writer,
                              .ctl = &kovn};
    struct bench_ctl_stats before, after;
    double ctl_cpu = bench_proc_cpu(kovn.pid);
    int port = bench_ctl_metrics_port(&kovn);
    double start = bench_now_seconds(), next_progress;

    if (!bench_ctl_stats_get(port, &before)) {
        bench_fail(&kovn, "no /metrics from the controller");
    }
    next_progress = start + PROGRESS_EVERY;
    for (;;) {
        run_all();
        bench_bulk_fill(&pods);
        if (pods.done >= cur->n_pods && cur->n_allocated >= cur->n_pods &&
            cur->n_ported >= cur->n_pods) {
            break;
        }
        double now = bench_now_seconds();
        if (now >= next_progress) {
            progress(start);
            next_progress = now + PROGRESS_EVERY;
        }
        if (now - start > pod_limit_s()) {
            bench_fail(&kovn,
                       "after %.0f s: %d pods created, %d allocated, %d "
                       "ports of %d",
                       pod_limit_s(), pods.done, cur->n_allocated,
                       cur->n_ported, cur->n_pods);
        }
        block_until(bench_bulk_due_ms(&pods));
    }
    cur->first_sent = pods.first_sent;
    cur->last_acked = pods.last_acked;
    cur->allocated_s =
        bench_latest(cur->allocated, cur->n_pods) - cur->first_sent;
    cur->ported_s = bench_latest(cur->ported, cur->n_pods) - cur->first_sent;
    cur->wired_s = MAX(cur->allocated_s, cur->ported_s);
    cur->ctl_cpu_s = bench_proc_cpu(kovn.pid) - ctl_cpu;
    cur->load = bench_load_average();
    bench_proc_memory(kovn.pid, &cur->rss_kib, &cur->wired_hwm_kib);
    cur->hwm_kib = MAX(cur->hwm_kib, cur->wired_hwm_kib);

    /* The transactions that follow the last port (status counts) count
     * too. */
    bench_ctl_settle(&kovn, &loop, START_LIMIT_S);
    if (!bench_ctl_stats_get(port, &after)) {
        bench_fail(&kovn, "no /metrics from the controller");
    }
    cur->txns_per_pod = (after.nb_txns - before.nb_txns) / cur->n_pods;
    cur->writes_per_pod = (after.txns - before.txns) / cur->n_pods;
    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        cur->reconciles[q] = after.q[q].reconciles - before.q[q].reconciles;
    }
}

/* The message of the SubnetFull Event of pod 'name' in 'ns', or NULL
 * (the caller frees). */
static char *
subnet_full_event(const char *ns, const char *name)
{
    char *path = xasprintf("/api/v1/namespaces/%s/events?fieldSelector="
                           "involvedObject.name%%3D%s,reason%%3DSubnetFull",
                           ns, name);
    struct kube_response response;
    struct kovn_error err;
    char *message = NULL;

    if (kube_client_call(writer, "GET", path, NULL, NULL, &response, &err)) {
        bench_fail(&kovn, "GET %s: %s", path, err.msg);
    }
    if (response.status != 200) {
        bench_fail(&kovn, "GET %s: %ld %s", path, response.status,
                   response.message);
    }
    const struct json *items = json_member(response.body, "items");
    if (items && items->type == JSON_ARRAY && json_array(items)->n) {
        const char *text = NULL;

        json_member_string(json_array(items)->elems[0], "message", "", &text,
                           NULL);
        message = xstrdup(text ? text : "");
    }
    kube_response_destroy(&response);
    free(path);
    return message;
}

/* A blocking request that must answer 'want'. */
static void
call(const char *method, const char *path, const char *body, long want)
{
    struct json *json = body ? json_from_string(body) : NULL;
    struct kube_response response;
    struct kovn_error err;

    if (kube_client_call(writer, method, path, json, NULL, &response, &err)) {
        bench_fail(&kovn, "%s %s: %s", method, path, err.msg);
    }
    if (response.status != want) {
        bench_fail(&kovn, "%s %s: %ld %s %s", method, path, response.status,
                   response.reason, response.message);
    }
    kube_response_destroy(&response);
    json_destroy(json);
}

/* S3: one pod past the limit gets no address and a SubnetFull Event
 * naming OVN's limit; then it is deleted. */
static void
one_pod_more(void)
{
    int i = cur->n_pods; /* Past the measured ones: the watch ignores it. */
    char *path = pod_path(i), *body = pod_body(i), *one, *key;
    char name[16], ns[16];
    double start;

    pod_name("pod-", i, name);
    ns_name(ns_of_pod(i), ns);
    start = bench_now_seconds();
    call("POST", path, body, 201);
    while (!(cur->full_message = subnet_full_event(ns, name))) {
        run_all();
        if (bench_now_seconds() - start > EVENT_LIMIT_S) {
            bench_fail(&kovn,
                       "no SubnetFull Event for %s/%s %.0f s after its "
                       "create",
                       ns, name, EVENT_LIMIT_S);
        }
        block_until(time_msec() + 50);
    }
    cur->full_event_s = bench_now_seconds() - start;

    key = xasprintf("%s/%s", ns, name);
    struct json *pod = kube_informer_get_copy(pod_informer, key);
    if (pod && annotated(pod)) {
        bench_fail(&kovn, "%s got an address past the port limit", key);
    }
    json_destroy(pod);
    /* Gone, so that the cold start has nothing waiting. */
    one = xasprintf("%s/%s", path, name);
    call("DELETE", one, "{\"gracePeriodSeconds\":0}", 200);
    bench_ctl_settle(&kovn, &loop, START_LIMIT_S);
    free(one);
    free(key);
    free(body);
    free(path);
}

static int
compare_reconciled(const void *a_, const void *b_)
{
    const struct bench_start *a = a_, *b = b_;

    return a->reconciled_s < b->reconciled_s
               ? -1
               : a->reconciled_s > b->reconciled_s;
}

static void
cold_starts(void)
{
    static struct bench_start sorted[N_RESTARTS];

    for (int i = 0; i < N_RESTARTS; i++) {
        char log_name[64];

        bench_ctl_stop(&kovn);
        snprintf(log_name, sizeof log_name, "controller-%s-restart-%d.log",
                 cur->shape->name, i + 1);
        start_controller(log_name, &cur->restarts[i]);
        printf("  restart %d: /readyz after %.2f s, all reconciled after "
               "%.2f s, idle after %.2f s; VmHWM %.1f MiB\n",
               i + 1, cur->restarts[i].ready_s, cur->restarts[i].reconciled_s,
               cur->restarts[i].idle_s, cur->restarts[i].hwm_kib / 1024.0);
        fflush(stdout);
        sorted[i] = cur->restarts[i];
    }
    qsort(sorted, N_RESTARTS, sizeof *sorted, compare_reconciled);
    cur->median = &sorted[N_RESTARTS / 2];
}

/* S2: Nodes added one at a time, each until its annotations and its join
 * port are there. */
static void
new_nodes(void)
{
    double latency_ms[N_NEW_NODES];

    for (int i = 0; i < N_NEW_NODES; i++) {
        char *body = new_node_body(i);
        double start = bench_now_seconds();

        cur->node_sent[i] = start;
        call("POST", "/api/v1/nodes", body, 201);
        free(body);
        while (!cur->node_annotated[i] || !cur->node_ported[i]) {
            run_all();
            if (bench_now_seconds() - start > NODE_LIMIT_S) {
                bench_fail(&kovn, "node new-%03d: %s %s after %.0f s", i,
                           cur->node_annotated[i] ? "" : "no annotations",
                           cur->node_ported[i] ? "" : "no join port",
                           NODE_LIMIT_S);
            }
            block_until(time_msec() + 5);
        }
        latency_ms[i] =
            (MAX(cur->node_annotated[i], cur->node_ported[i]) - start) * 1000;
    }
    bench_p50_p99(latency_ms, N_NEW_NODES, &cur->node_p50_ms,
                  &cur->node_p99_ms);
}

/* --- The report. */

static void OVS_PRINTF_FORMAT(4, 5) add_figure(const char *what, bool has_goal,
                                               bool pass, const char *fmt, ...)
{
    struct figure *f;
    va_list args;

    if (n_figures >= MAX_FIGURES) {
        return;
    }
    f = &figures[n_figures++];
    f->shape = cur->shape->name;
    snprintf(f->what, sizeof f->what, "%s", what);
    va_start(args, fmt);
    vsnprintf(f->value, sizeof f->value, fmt, args);
    va_end(args);
    f->result = !has_goal ? "-" : pass ? "PASS" : "MISS";
}

static void
set_goal(const char *fmt, double goal)
{
    snprintf(figures[n_figures - 1].goal, sizeof figures[0].goal, fmt, goal);
}

static void
print_row(const char *what, long n, double seconds, double cpu, long hwm,
          double ratio)
{
    bench_print_row(44, what, n, seconds, cpu, hwm, ratio);
}

static void
report_shape(void)
{
    const struct run *r = cur;
    double ratio = r->wired_s / r->bare_total_s;
    double hwm_mib = r->hwm_kib / 1024.0;

    printf("\n%s: %s, at scale %.3g: %d Vpcs, %d subnets /%d, %d Nodes, %d "
           "pods%s; load average %.2f on %ld CPUs\n",
           r->shape->name, r->shape->title, scale, r->n_vpcs, r->n_subnets,
           r->shape->prefix, r->n_nodes, r->n_pods,
           r->port_limit ? " (--switch-port-limit scaled)" : "", r->load,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-44s %6s %8s %8s %9s %10s %6s\n", "phase", "n", "time s", "ops/s",
           "ctl CPU", "ctl VmHWM", "ratio");
    print_row("bare: POST pods", r->n_pods, r->bare_s[0], -1, 0,
              r->bare_s[0] / r->bare_total_s);
    print_row("bare: PATCH pod annotations", r->n_pods, r->bare_s[1], -1, 0,
              r->bare_s[1] / r->bare_total_s);
    print_row("bare: POST IP objects", r->n_pods, r->bare_s[2], -1, 0,
              r->bare_s[2] / r->bare_total_s);
    print_row("bare: total (baseline)", r->n_pods, r->bare_total_s, -1, 0,
              1.0);
    print_row("controller: pods created (POST only)", r->n_pods,
              r->last_acked - r->first_sent, -1, 0,
              (r->last_acked - r->first_sent) / r->bare_total_s);
    print_row("  all allocated (annotation)", r->n_pods, r->allocated_s, -1, 0,
              r->allocated_s / r->bare_total_s);
    print_row("  all ports in NB", r->n_pods, r->ported_s, -1, 0,
              r->ported_s / r->bare_total_s);
    print_row("controller: all wired", r->n_pods, r->wired_s, r->ctl_cpu_s,
              r->wired_hwm_kib, ratio);
    print_row("first start: setup reconciled", r->n_subnets + r->n_nodes,
              r->first.reconciled_s, r->first.cpu_s, r->first.hwm_kib, -1);
    print_row("cold start: /readyz (median)", r->n_pods, r->median->ready_s,
              -1, 0, -1);
    print_row("cold start: all reconciled (median)", r->n_pods,
              r->median->reconciled_s, r->median->cpu_s, r->median->hwm_kib,
              -1);
    printf("(time: from the first request; ctl CPU: the controller's "
           "user+system seconds in the phase (from exec for starts); ratio: "
           "against the bare total; setup: %d Node join ports and %d subnet "
           "switches in NB)\n",
           r->n_node_ports, count_switches());
    printf("NB: %.3f transactions per pod (%.3f object writes per pod, "
           "batched)\n",
           r->txns_per_pod, r->writes_per_pod);
    printf("reconciles while the pods were wired (until idle):");
    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        printf("%s %.0f %s", q ? "," : "", r->reconciles[q],
               bench_queue_name(q));
    }
    printf("\n");
    if (r->shape->fill) {
        printf("port limit %d: %d pods attached; pod %d waited with "
               "SubnetFull after %.2f s: \"%s\"\n",
               r->port_limit ? r->port_limit : OVN_SWITCH_PORT_LIMIT,
               r->n_pods, r->n_pods + 1, r->full_event_s, r->full_message);
    }
    if (r->shape->new_nodes) {
        printf("new Node -> annotations + join port, %d Nodes added one at a "
               "time with %d present: p50 %.1f ms, p99 %.1f ms\n",
               N_NEW_NODES, r->n_nodes, r->node_p50_ms, r->node_p99_ms);
    }
    fflush(stdout);

    add_figure("all wired / bare", true, ratio <= GOAL_RATIO, "%.2f", ratio);
    set_goal("<= %.1f", GOAL_RATIO);
    add_figure("cold start to all reconciled", r->shape->goal_start_s > 0,
               r->median->reconciled_s < r->shape->goal_start_s, "%.2f s",
               r->median->reconciled_s);
    if (r->shape->goal_start_s > 0) {
        set_goal("< %.0f s", r->shape->goal_start_s);
    }
    add_figure("NB transactions per pod", true,
               r->txns_per_pod < GOAL_TXNS_PER_POD, "%.3f", r->txns_per_pod);
    set_goal("< %.1f", GOAL_TXNS_PER_POD);
    add_figure("controller VmHWM", r->shape->goal_hwm, hwm_mib < GOAL_HWM_MIB,
               "%.1f MiB", hwm_mib);
    if (r->shape->goal_hwm) {
        set_goal("< %.0f MiB", GOAL_HWM_MIB);
    }
    if (r->shape->new_nodes) {
        add_figure("new Node -> join port + annotations p99", true,
                   r->node_p99_ms < GOAL_NODE_P99_MS, "%.1f ms",
                   r->node_p99_ms);
        set_goal("< %.0f ms", GOAL_NODE_P99_MS);
    }
    if (r->shape->fill) {
        bool names_limit = strstr(r->full_message, "OVN logical switch");
        add_figure("pod past the limit: SubnetFull Event", true, names_limit,
                   "%.2f s", r->full_event_s);
        snprintf(figures[n_figures - 1].goal, sizeof figures[0].goal,
                 "names OVN's limit");
    }
}

static void
report_figures(void)
{
    printf("\nscale %.3g (goals are for scale 1)\n", scale);
    printf("%-5s %-42s %12s %18s %6s\n", "shape", "figure", "value", "goal",
           "result");
    for (int i = 0; i < n_figures; i++) {
        const struct figure *f = &figures[i];

        printf("%-5s %-42s %12s %18s %6s\n", f->shape, f->what, f->value,
               f->goal[0] ? f->goal : "-", f->result);
    }
    fflush(stdout);
}

/* --- A shape, from sandboxes to report. */

static void
run_shape(const struct shape *shape)
{
    struct run *r = xzalloc(sizeof *r);
    double t = bench_now_seconds();

    cur = r;
    r->shape = shape;
    r->n_vpcs = scaled(shape->n_vpcs);
    r->n_subnets = scaled(shape->n_subnets);
    r->n_namespaces = r->n_subnets;
    r->n_nodes = scaled(shape->n_nodes);
    if (shape->fill) {
        int limit = MAX(8, (int)lround(OVN_SWITCH_PORT_LIMIT * scale));

        limit = MIN(limit, OVN_SWITCH_PORT_LIMIT);
        r->port_limit = limit < OVN_SWITCH_PORT_LIMIT ? limit : 0;
        r->n_pods = (int)subnet_port_capacity(limit);
    } else {
        r->n_pods = scaled(shape->n_pods);
    }
    r->sent = xcalloc(r->n_pods, sizeof *r->sent);
    r->allocated = xcalloc(r->n_pods, sizeof *r->allocated);
    r->ported = xcalloc(r->n_pods, sizeof *r->ported);

    k8s_sandbox_start(&k8s, false);
    ovn_sandbox_start_without_northd(&ovn);
    writer = bench_kube_client(&kovn, k8s.kubeconfig, CLIENT_QPS);
    reader = bench_kube_client(&kovn, k8s.kubeconfig, 200);
    pod_informer =
        bench_informer(reader, "/api/v1/pods", object_fields, &pod_observer);
    node_informer =
        bench_informer(reader, "/api/v1/nodes", object_fields, &node_observer);
    nb = ovsdb_idl_create(ovn.nb_unix, &nbrec_idl_class, false, true);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_col_name);
    ovsdb_idl_add_column(nb, &nbrec_logical_switch_port_col_name);
    ovsdb_idl_track_add_column(nb, &nbrec_logical_switch_port_col_name);

    setup();
    while (!kube_informer_has_synced(pod_informer) ||
           !kube_informer_has_synced(node_informer) ||
           !ovsdb_idl_has_ever_connected(nb)) {
        run_all();
        block_until(time_msec() + 100);
    }
    printf("%s: sandboxes, %d Vpcs, %d subnets, %d namespaces, %d Nodes "
           "ready in %.1f s\n",
           shape->name, r->n_vpcs, r->n_subnets, r->n_namespaces, r->n_nodes,
           bench_now_seconds() - t);
    fflush(stdout);

    baseline();
    printf("%s: bare writes of %d pods done in %.2f s; deleted again\n",
           shape->name, r->n_pods, r->bare_total_s);
    fflush(stdout);

    char log_name[64];
    snprintf(log_name, sizeof log_name, "controller-%s.log", shape->name);
    start_controller(log_name, &r->first);
    if (count_switches() != r->n_subnets || r->n_node_ports != r->n_nodes) {
        bench_fail(&kovn,
                   "after the first start: %d subnet switches, %d "
                   "node ports in NB, want %d and %d",
                   count_switches(), r->n_node_ports, r->n_subnets,
                   r->n_nodes);
    }
    printf("%s: controller's first start reconciled the setup in %.2f s\n",
           shape->name, r->first.reconciled_s);
    fflush(stdout);

    wire_pods();
    printf("%s: %d pods wired in %.2f s (%.2f x bare)\n", shape->name,
           r->n_pods, r->wired_s, r->wired_s / r->bare_total_s);
    fflush(stdout);
    if (shape->fill) {
        one_pod_more();
    }
    cold_starts();
    if (shape->new_nodes) {
        new_nodes();
    }
    report_shape();

    kube_informer_destroy(node_informer);
    kube_informer_destroy(pod_informer);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    ovsdb_idl_destroy(nb);
    bench_ctl_stop(&kovn);
    ovn_sandbox_stop(&ovn);
    k8s_sandbox_stop(&k8s);
    free(r->sent);
    free(r->allocated);
    free(r->ported);
    free(r->full_message);
    free(r);
    cur = NULL;
}

int
main(int argc, char *argv[])
{
    const char *scale_text = getenv("KOVN_SCALE");
    const char *which = getenv("KOVN_SHAPES");

    exe = bench_controller_arg(argc, argv);
    if (scale_text && *scale_text) {
        char *end;

        scale = strtod(scale_text, &end);
        if (*end || !(scale > 0 && scale <= 1)) {
            ovs_fatal(0, "KOVN_SCALE=%s: want a number in (0, 1]", scale_text);
        }
    }
    atexit(stop_children);
    new_node_port_prefix = crd_node_port_name("new-");
    node_port_prefix = crd_node_port_name("node-");
    for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
        if (!which || !*which || strstr(which, shapes[i].name)) {
            run_shape(&shapes[i]);
        }
    }
    report_figures();
    free(new_node_port_prefix);
    free(node_port_prefix);
    return 0;
}
