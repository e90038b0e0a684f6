/* Benchmark: informer initial sync of 10,000 pods (time, store memory)
 * beside the raw baseline of the same run: the curl command-line tool
 * downloading the same list in one request.  Then watch throughput: the
 * same 2,000 pod updates observed by the informer and by
 * `kubectl get pods -w --watch-only`, both watching while the updates are
 * written. */
#include <config.h>

#include "bench_util.h"
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/error.h"
#include "controller/prune.h"
#include "k8s_sandbox.h"
#include "kube/informer.h"
#include "kube/kubeconfig.h"
#include "kube/podproto.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

#define N_PODS      10000
#define N_UPDATES   2000
#define NS          "bench"
#define SYNC_ROUNDS 3

static struct k8s_sandbox sandbox;
static struct kube_client *reader;

static struct kube_client *
make_client(double qps)
{
    struct kovn_error err = {0};
    struct kube_client_options options = {
        .qps = qps, .burst = (int)qps, .timeout_ms = 120000};
    struct kube_config config;
    struct kube_client *client;

    if (kube_config_load(sandbox.kubeconfig, NULL, &config, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    client = kube_client_create(&config, &options, &err);
    kube_config_destroy(&config);
    return client;
}

static int n_done, n_failed;

static void
count_done(struct kube_response *response, void *aux)
{
    (void)aux;
    n_done++;
    if (response->status >= 300 || response->error) {
        if (!n_failed) {
            fprintf(stderr, "first failure: %ld %s\n", response->status,
                    response->message);
        }
        n_failed++;
    }
}

static void
drain(struct kube_client *client, int n)
{
    for (;;) {
        kube_client_run(client);
        if (n_done >= n) {
            break;
        }
        kube_client_wait(client);
        poll_block();
    }
    if (n_failed) {
        ovs_fatal(0, "%d requests failed", n_failed);
    }
    n_done = 0;
}

static void
create_pods(struct kube_client *client)
{
    for (int i = 0; i < N_PODS; i++) {
        char body[512];
        struct json *json;

        snprintf(
            body, sizeof body,
            "{\"metadata\":{\"name\":\"pod-%d\",\"labels\":{\"app\":"
            "\"bench\"},\"annotations\":{\"ovn.kubernetes.io/"
            "logical_switch\":\"ovn-default\"}},\"spec\":{\"containers\""
            ":[{\"name\":\"c\",\"image\":\"registry.local/pause:3.9\"}]}}",
            i);
        json = json_from_string(body);
        kube_client_send(client, "POST", "/api/v1/namespaces/" NS "/pods",
                         json, NULL, count_done, NULL);
        json_destroy(json);
        if (i % 500 == 499) {
            drain(client, 500);
        }
    }
}

static int n_updates_seen;

static void
on_update(const char *key, const struct json *old, const struct json *new,
          void *aux)
{
    (void)key;
    (void)old;
    (void)new;
    (void)aux;
    n_updates_seen++;
}

static bool
run_informer_until(struct kube_client *client, struct kube_informer *inf,
                   bool (*done)(struct kube_informer *))
{
    long long deadline = time_msec() + 300000;

    for (;;) {
        kube_client_run(client);
        kube_informer_run(inf);
        if (done(inf)) {
            return true;
        }
        if (time_msec() > deadline) {
            return false;
        }
        kube_client_wait(client);
        kube_informer_wait(inf);
        poll_block();
    }
}

static bool
synced(struct kube_informer *inf)
{
    return kube_informer_has_synced(inf);
}

/* One informer sync with 'options' on the reader client: seconds, and
 * this process's CPU seconds in 'cpu_s'.  A sync that holds fewer than
 * 'n_pods', or (for 'protobuf') was not answered in protobuf, would make
 * the figure a lie: it stops the benchmark. */
static double
timed_sync(const struct kube_informer_options *options, size_t n_pods,
           bool protobuf, double *cpu_s)
{
    double t = bench_now_seconds(), cpu = bench_self_cpu();
    struct kube_informer *inf = kube_informer_create(
        reader, options, &(struct kube_informer_handlers){0});

    if (!run_informer_until(reader, inf, synced)) {
        ovs_fatal(0, "unpaged-list informer did not sync");
    }
    double s = bench_now_seconds() - t;
    *cpu_s = bench_self_cpu() - cpu;
    if (kube_informer_count(inf) < n_pods) {
        ovs_fatal(0, "unpaged-list informer holds fewer pods");
    }
    if ((kube_informer_stats(inf)->protobuf_lists > 0) != protobuf) {
        ovs_fatal(0, "the list was %s protobuf", protobuf ? "not" : "");
    }
    kube_informer_destroy(inf);
    return s;
}

static int
compare_doubles(const void *a_, const void *b_)
{
    double a = *(const double *)a_, b = *(const double *)b_;

    return a < b ? -1 : a > b;
}

static double
median(double values[SYNC_ROUNDS])
{
    double sorted[SYNC_ROUNDS];

    memcpy(sorted, values, sizeof sorted);
    qsort(sorted, SYNC_ROUNDS, sizeof *sorted, compare_doubles);
    return sorted[SYNC_ROUNDS / 2];
}

static long
file_lines(const char *path)
{
    char *out = sandbox_run("wc -l < %s", path);
    long n = out ? atol(out) : 0;

    free(out);
    return n;
}

int
main(int argc OVS_UNUSED, char *argv[])
{
    struct kube_client *writer;
    struct kube_informer *inf;
    struct kube_response r;
    double t, sync_s, curl_s, inf_watch_s, kubectl_watch_s = 0;
    long rss_before, rss_after;
    size_t heap_before, heap_after;
    struct stat st;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
    /* Pods need the namespace's default service account, which
     * kube-controller-manager creates. */
    k8s_sandbox_start(&sandbox, true);
    writer = make_client(3000);
    struct json *ns = json_from_string("{\"metadata\":{\"name\":\"" NS "\"}}");
    kube_client_call(writer, "POST", "/api/v1/namespaces", ns, NULL, &r, NULL);
    json_destroy(ns);
    kube_response_destroy(&r);
    /* Wait for the namespace's default service account. */
    for (int i = 0; i < 300; i++) {
        kube_client_call(writer, "GET",
                         "/api/v1/namespaces/" NS "/serviceaccounts/default",
                         NULL, NULL, &r, NULL);
        /* Kubernetes 1.20 admits pods only once the account's token
         * secret exists. */
        const struct json *secrets = NULL;
        bool ready =
            r.status == 200 &&
            !json_member_array(r.body, "secrets", "", &secrets, NULL) &&
            secrets && json_array(secrets)->n;
        kube_response_destroy(&r);
        if (ready) {
            break;
        }
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    create_pods(writer);

    /* Baseline: curl downloads the same list in one request. */
    char *token_cmd = xasprintf("awk -F, '$2 == \"kovn-admin\" {print $1}' "
                                "%s/pki/tokens.csv",
                                sandbox.dir);
    char *token = sandbox_run("%s", token_cmd);
    token[strcspn(token, "\n")] = '\0';
    char *url = sandbox_run("cat %s/apiserver.url", sandbox.dir);
    url[strcspn(url, "\n")] = '\0';
    t = bench_now_seconds();
    free(sandbox_run("curl -sf --cacert %s/pki/ca.crt -H 'Authorization: "
                     "Bearer %s' -o %s/pods.json '%s/api/v1/pods'",
                     sandbox.dir, token, sandbox.dir, url));
    curl_s = bench_now_seconds() - t;
    char *json_path = xasprintf("%s/pods.json", sandbox.dir);
    stat(json_path, &st);

    reader = make_client(50);
    struct kube_informer_options options = {.path = "/api/v1/pods",
                                            .page_size = 500};
    struct kube_informer_handlers handlers = {.update = on_update};
    rss_before = bench_rss_kib();
    heap_before = mallinfo2().uordblks;
    t = bench_now_seconds();
    double cpu = bench_self_cpu();
    inf = kube_informer_create(reader, &options, &handlers);
    if (!run_informer_until(reader, inf, synced)) {
        ovs_fatal(0, "informer did not sync");
    }
    sync_s = bench_now_seconds() - t;
    double sync_cpu = bench_self_cpu() - cpu;
    rss_after = bench_rss_kib();
    /* Bytes in use on the heap: the store itself, without the freed list
     * pages that RSS still counts. */
    heap_after = mallinfo2().uordblks;

    /* The same sync with the transform kovn-controller uses for pods
     * (kube_object_prune to the ten fields it reads). */
    struct kube_informer_options pruned_options = options;
    pruned_options.transform = ctrl_prune_pod;
    size_t heap_pruned_before = mallinfo2().uordblks;
    t = bench_now_seconds();
    cpu = bench_self_cpu();
    struct kube_informer *pruned = kube_informer_create(
        reader, &pruned_options, &(struct kube_informer_handlers){0});
    if (!run_informer_until(reader, pruned, synced)) {
        ovs_fatal(0, "pruned informer did not sync");
    }
    double pruned_s = bench_now_seconds() - t;
    double pruned_cpu = bench_self_cpu() - cpu;
    size_t heap_pruned = mallinfo2().uordblks - heap_pruned_before;
    kube_informer_destroy(pruned);

    /* And as kovn-controller lists now: in one request, streamed and
     * pruned item by item; its items as JSON, and as protobuf (as the
     * controller's pod informer asks for them).  Three rounds of each,
     * alternating, the median reported: one sync varies by tenths of a
     * second on two shared cores. */
    struct kube_informer_options unpaged_options = pruned_options;
    unpaged_options.list_unpaged = true;
    struct kube_informer_options protobuf_options = unpaged_options;
    protobuf_options.list_protobuf = kube_pod_from_protobuf;
    double unpaged_runs[SYNC_ROUNDS], unpaged_cpus[SYNC_ROUNDS];
    double protobuf_runs[SYNC_ROUNDS], protobuf_cpus[SYNC_ROUNDS];
    for (int i = 0; i < SYNC_ROUNDS; i++) {
        unpaged_runs[i] =
            timed_sync(&unpaged_options, kube_informer_count(inf), false,
                       &unpaged_cpus[i]);
        protobuf_runs[i] =
            timed_sync(&protobuf_options, kube_informer_count(inf), true,
                       &protobuf_cpus[i]);
    }
    double unpaged_s = median(unpaged_runs),
           unpaged_cpu = median(unpaged_cpus);
    double protobuf_s = median(protobuf_runs);
    double protobuf_cpu = median(protobuf_cpus);

    /* Watch: kubectl and the informer both watch while the writer
     * labels N_UPDATES pods. */
    char *watch_log = xasprintf("%s/kubectl-watch.log", sandbox.dir);
    char *kubectl_pid = sandbox_run("kubectl --kubeconfig %s -n " NS
                                    " get pods -w --watch-only -o name > %s "
                                    "2>/dev/null </dev/null & echo $!; "
                                    "sleep 2",
                                    sandbox.kubeconfig, watch_log);
    t = bench_now_seconds();
    for (int i = 0; i < N_UPDATES; i++) {
        char path[96];
        struct json *patch = json_from_string(
            "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");

        snprintf(path, sizeof path, "/api/v1/namespaces/" NS "/pods/pod-%d",
                 i);
        kube_client_send(writer, "PATCH", path, patch,
                         "application/merge-patch+json", count_done, NULL);
        json_destroy(patch);
    }
    for (;;) {
        kube_client_run(writer);
        kube_client_run(reader);
        kube_informer_run(inf);
        if (n_updates_seen >= N_UPDATES) {
            break;
        }
        kube_client_wait(writer);
        kube_client_wait(reader);
        kube_informer_wait(inf);
        poll_block();
    }
    inf_watch_s = bench_now_seconds() - t;
    drain(writer, N_UPDATES);
    while (bench_now_seconds() - t < 300) {
        if (file_lines(watch_log) >= N_UPDATES) {
            kubectl_watch_s = bench_now_seconds() - t;
            break;
        }
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }

    printf("%-40s %10s %12s\n", "measurement", "seconds", "rate");
    printf("%-40s %10.3f %10.0f/s\n", "informer initial sync, 10k pods",
           sync_s, N_PODS / sync_s);
    printf("%-40s %10.3f %10.0f/s\n", "curl, same list in one request", curl_s,
           N_PODS / curl_s);
    printf("ratio informer/curl time: %.2f (goal: sync < 1 s)\n",
           sync_s / curl_s);
    double store_per_pod = (double)(heap_after - heap_before) / N_PODS;
    printf("list JSON %lld bytes (%.0f B/pod); store heap %zu KiB (%.0f "
           "B/pod, %.0f B/pod above JSON size; goal < 3072); RSS growth %ld "
           "KiB incl. freed list pages\n",
           (long long)st.st_size, (double)st.st_size / N_PODS,
           (heap_after - heap_before) / 1024, store_per_pod,
           store_per_pod - (double)st.st_size / N_PODS,
           rss_after - rss_before);
    printf("%-40s %10.3f %10.0f/s\n", "informer sync, pods pruned (ctl)",
           pruned_s, N_PODS / pruned_s);
    printf("pruned store heap %zu KiB (%.0f B/pod, %.2f of the full store)\n",
           heap_pruned / 1024, (double)heap_pruned / N_PODS,
           (double)heap_pruned / (double)(heap_after - heap_before));
    printf("%-40s %10.3f %10.0f/s\n", "informer sync, unpaged, pruned (ctl)",
           unpaged_s, N_PODS / unpaged_s);
    printf("ratio unpaged-list informer/curl time: %.2f (goal: sync < 1 s)\n",
           unpaged_s / curl_s);
    printf("%-40s %10.3f %10.0f/s\n", "informer sync, unpaged, protobuf (ctl)",
           protobuf_s, N_PODS / protobuf_s);
    printf("ratio protobuf/JSON unpaged sync: %.2f time, %.2f this "
           "process's CPU (medians of %d)\n",
           protobuf_s / unpaged_s, protobuf_cpu / unpaged_cpu, SYNC_ROUNDS);
    printf("this process's CPU during the syncs: full %.3f s, pruned %.3f s, "
           "unpaged pruned %.3f s, protobuf %.3f s (the rest of each sync is "
           "the API server)\n",
           sync_cpu, pruned_cpu, unpaged_cpu, protobuf_cpu);
    printf("%-40s %10.3f %10.0f/s\n", "informer, 2000 watched updates",
           inf_watch_s, N_UPDATES / inf_watch_s);
    if (kubectl_watch_s > 0) {
        printf("%-40s %10.3f %10.0f/s\n", "kubectl get -w, same updates",
               kubectl_watch_s, N_UPDATES / kubectl_watch_s);
    } else {
        printf("kubectl get -w did not see all updates within 300 s\n");
    }
    if (kubectl_pid) {
        free(sandbox_run("kill %d", atoi(kubectl_pid)));
        free(kubectl_pid);
    }
    kube_informer_destroy(inf);
    kube_client_destroy(reader);
    kube_client_destroy(writer);
    k8s_sandbox_stop(&sandbox);
    free(token_cmd);
    free(token);
    free(url);
    free(json_path);
    free(watch_log);
    return 0;
}
