/* Helpers shared by the benchmarks that run a real kovn-controller against
 * the Kubernetes and OVN sandboxes: the controller as a child process, its
 * log, its /readyz, its memory and CPU from /proc, the machine's load, and
 * API clients for load generators with requests sent in bulk.
 *
 * Everything is static inline so that a benchmark that uses only part of it
 * builds without unused-function warnings. */
#ifndef KOVN_BENCH_K8S_H
#define KOVN_BENCH_K8S_H 1

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#include "base/error.h"
#include "kube/informer.h"
#include "kube/kubeconfig.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "sandbox.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

/* A kovn-controller child process. */
struct bench_ctl {
    pid_t pid;     /* 0: not running. */
    char log[256]; /* Its stdout and stderr. */
};

/* Flags every benchmark's controller gets, before its own ones. */
#define BENCH_CTL_MAX_EXTRA 8

/* Starts 'exe' (--no-leader-elect, metrics on a free port) on OVN NB
 * remote 'nb' and 'kubeconfig', with the NULL-terminated flags 'extra'
 * (at most BENCH_CTL_MAX_EXTRA; NULL: none) after those, its output in
 * 'log' (truncated).  The child dies with this process (PDEATHSIG) even if
 * this one is killed, and keeps none of its descriptors: a sandbox's
 * reaper pipe or an API connection held open by the controller would
 * outlive their owner.  Returns 0 or a negative errno. */
static inline int
bench_ctl_start_args(struct bench_ctl *ctl, const char *exe, const char *nb,
                     const char *kubeconfig, const char *log,
                     const char *const *extra)
{
    const char *argv[9 + 2 * BENCH_CTL_MAX_EXTRA + 1];
    const char *env_flags = getenv("KOVN_BENCH_CTL_FLAGS");
    char *env_copy = NULL, *save = NULL;
    pid_t parent = getpid();
    size_t n = 0;
    pid_t pid;

    argv[n++] = exe;
    argv[n++] = "--no-leader-elect";
    argv[n++] = "--metrics-port";
    argv[n++] = "0";
    argv[n++] = "--ovn-nb";
    argv[n++] = nb;
    argv[n++] = "--kubeconfig";
    argv[n++] = kubeconfig;
    for (size_t i = 0; extra && extra[i]; i++) {
        if (i >= BENCH_CTL_MAX_EXTRA) {
            return -E2BIG;
        }
        argv[n++] = extra[i];
    }
    /* $KOVN_BENCH_CTL_FLAGS: more flags, space-separated, to compare a
     * setting with the default in otherwise identical runs. */
    if (env_flags) {
        env_copy = xstrdup(env_flags);
        for (char *flag = strtok_r(env_copy, " ", &save); flag;
             flag = strtok_r(NULL, " ", &save)) {
            if (n >= ARRAY_SIZE(argv) - 1) {
                free(env_copy);
                return -E2BIG;
            }
            argv[n++] = flag;
        }
    }
    argv[n] = NULL;

    snprintf(ctl->log, sizeof ctl->log, "%s", log);
    pid = fork();
    if (pid < 0) {
        free(env_copy);
        return -errno;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDONLY);

        if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 ||
            dup2(fd, 2) < 0) {
            _exit(126);
        }
        closefrom(3);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent) {
            _exit(125);
        }
        /* execv() promises not to write argv; its type predates const. */
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    free(env_copy);
    ctl->pid = pid;
    return 0;
}

/* bench_ctl_start_args() without flags of the benchmark's own. */
static inline int
bench_ctl_start(struct bench_ctl *ctl, const char *exe, const char *nb,
                const char *kubeconfig, const char *log)
{
    return bench_ctl_start_args(ctl, exe, nb, kubeconfig, log, NULL);
}

/* Stops the controller: SIGTERM, then SIGKILL after 5 s. */
static inline void
bench_ctl_stop(struct bench_ctl *ctl)
{
    if (ctl->pid <= 0) {
        return;
    }
    kill(ctl->pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(ctl->pid, NULL, WNOHANG) == ctl->pid) {
            ctl->pid = 0;
            return;
        }
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    kill(ctl->pid, SIGKILL);
    waitpid(ctl->pid, NULL, 0);
    ctl->pid = 0;
}

/* If the controller has exited, returns how (the caller frees) and forgets
 * it; otherwise NULL. */
static inline char *
bench_ctl_exited(struct bench_ctl *ctl)
{
    int status;

    if (ctl->pid <= 0 || waitpid(ctl->pid, &status, WNOHANG) != ctl->pid) {
        return NULL;
    }
    ctl->pid = 0;
    return WIFEXITED(status)
               ? xasprintf("kovn-controller exited with status %d",
                           WEXITSTATUS(status))
               : xasprintf("kovn-controller died of signal %d",
                           WTERMSIG(status));
}

/* Prints the last 'lines' lines of the controller's log to stderr. */
static inline void
bench_ctl_print_log_tail(const struct bench_ctl *ctl, int lines)
{
    char *tail;

    if (!ctl->log[0]) {
        return;
    }
    tail = sandbox_run("tail -n %d %s", lines, ctl->log);
    if (tail) {
        fprintf(stderr, "--- end of %s:\n%s", ctl->log, tail);
        free(tail);
    }
}

/* For a benchmark's fail(): prints "PROGRAM: FAILED: <message>" and the
 * end of the controller's log, and exits 1; atexit handlers stop the
 * controller, the sandboxes' reapers stop the servers. */
static inline void OVS_NO_RETURN OVS_PRINTF_FORMAT(2, 0)
    bench_vfail(const struct bench_ctl *ctl, const char *fmt, va_list args)
{
    fflush(stdout);
    fprintf(stderr, "%s: FAILED: ", program_name);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    bench_ctl_print_log_tail(ctl, 40);
    exit(1);
}

static inline void OVS_NO_RETURN OVS_PRINTF_FORMAT(2, 3)
    bench_fail(const struct bench_ctl *ctl, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    bench_vfail(ctl, fmt, args);
}

/* Fails the benchmark if the controller has exited. */
static inline void
bench_ctl_check(struct bench_ctl *ctl)
{
    char *how = bench_ctl_exited(ctl);

    if (how) {
        bench_fail(ctl, "%s", how);
    }
}

/* The first line of the controller's log that contains 'needle', copied
 * into 'line' (without its newline); false if there is none yet. */
static inline bool
bench_ctl_log_find(const struct bench_ctl *ctl, const char *needle, char *line,
                   size_t size)
{
    FILE *f = fopen(ctl->log, "r");
    bool found = false;
    char buf[4096];

    if (!f) {
        return false;
    }
    while (!found && fgets(buf, sizeof buf, f)) {
        if (strstr(buf, needle)) {
            buf[strcspn(buf, "\n")] = '\0';
            snprintf(line, size, "%s", buf);
            found = true;
        }
    }
    fclose(f);
    return found;
}

/* The port of the controller's metrics listener, from its start line; 0 if
 * it has not logged it yet. */
static inline int
bench_ctl_metrics_port(const struct bench_ctl *ctl)
{
    char line[4096];
    const char *p, *colon;

    if (!bench_ctl_log_find(ctl, "metrics on ", line, sizeof line)) {
        return 0;
    }
    p = strstr(line, "metrics on ") + strlen("metrics on ");
    colon = strrchr(p, ':');
    return colon ? atoi(colon + 1) : 0;
}

/* GETs http://127.0.0.1:'port''path' with HTTP/1.0 and a 1 s timeout.
 * Returns the status and, if 'body' is nonnull, the body (the caller
 * frees); or a negative errno. */
static inline int
bench_http_get(int port, const char *path, char **body)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval timeout = {1, 0};
    size_t len = 0, cap = 4096;
    char *buf = NULL, *request = NULL;
    int fd, status = -EPROTO;
    ssize_t n;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin)) {
        status = -errno;
        goto out;
    }
    request = xasprintf("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        status = -EIO;
        goto out;
    }
    buf = xmalloc(cap);
    while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    buf[len] = '\0';
    if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
        status = -EPROTO;
        goto out;
    }
    if (body) {
        const char *start = strstr(buf, "\r\n\r\n");
        *body = xstrdup(start ? start + 4 : "");
    }
out:
    free(request);
    free(buf);
    close(fd);
    return status;
}

/* VmRSS and VmHWM of 'pid' in KiB, from /proc/PID/status; 0 if gone. */
static inline void
bench_proc_memory(pid_t pid, long *rss, long *hwm)
{
    char path[64], line[256];
    FILE *f;

    *rss = *hwm = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return;
    }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "VmRSS: %ld", rss);
        sscanf(line, "VmHWM: %ld", hwm);
    }
    fclose(f);
}

/* The pid in the pid file 'path' (as scripts/k8s.sh and ovn.sh write
 * them), or 0. */
static inline pid_t
bench_read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    int pid = 0;

    if (f) {
        if (fscanf(f, "%d", &pid) != 1 || pid < 0) {
            pid = 0;
        }
        fclose(f);
    }
    return pid;
}

/* User+system CPU seconds 'pid' has used, from /proc/PID/stat. */
static inline double
bench_proc_cpu(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long utime = 0, stime = 0;
    const char *p;
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the parenthesized command name: state is field 3,
     * utime and stime are fields 14 and 15. */
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                     "%lu %lu",
                     &utime, &stime) != 2) {
        return 0;
    }
    return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/* The servers whose CPU a benchmark accounts for, by their pid files. */
enum bench_server { BENCH_APISERVER, BENCH_ETCD, BENCH_NB, BENCH_N_SERVERS };

static inline const char *
bench_server_name(int server)
{
    static const char *const names[BENCH_N_SERVERS] = {"kube-apiserver",
                                                       "etcd", "OVN NB"};

    return names[server];
}

/* The CPU seconds each server has used, those of the Kubernetes sandbox in
 * 'k8s_dir' and the OVN one in 'ovn_dir'; 0 for one not running. */
static inline void
bench_server_cpu(const char *k8s_dir, const char *ovn_dir,
                 double cpu[BENCH_N_SERVERS])
{
    char *paths[BENCH_N_SERVERS] = {
        [BENCH_APISERVER] = xasprintf("%s/kube-apiserver.pid", k8s_dir),
        [BENCH_ETCD] = xasprintf("%s/etcd.pid", k8s_dir),
        [BENCH_NB] = xasprintf("%s/ovnnb_db.pid", ovn_dir),
    };

    for (int i = 0; i < BENCH_N_SERVERS; i++) {
        pid_t pid = bench_read_pid(paths[i]);

        cpu[i] = pid ? bench_proc_cpu(pid) : 0;
        free(paths[i]);
    }
}

/* Whether the controller has gone idle: under 10 ms of CPU in a 500 ms
 * window, so that the work that follows what a benchmark waited for
 * (status writes, Events) does not spill into a timed phase. */
struct bench_idle {
    double window_start;
    double window_cpu;
};

static inline void
bench_idle_init(struct bench_idle *idle, pid_t pid)
{
    idle->window_start = bench_now_seconds();
    idle->window_cpu = bench_proc_cpu(pid);
}

/* True once a whole window has passed idle. */
static inline bool
bench_idle_check(struct bench_idle *idle, pid_t pid)
{
    double now = bench_now_seconds();

    if (now - idle->window_start >= 0.5) {
        double cpu = bench_proc_cpu(pid);

        if (cpu - idle->window_cpu < 0.01) {
            return true;
        }
        idle->window_start = now;
        idle->window_cpu = cpu;
    }
    return false;
}

/* A benchmark's poll loop, for the helpers here that wait in it: 'run'
 * runs everything once (and fails the benchmark if the controller has
 * exited), 'block' sleeps until an event or 'wake_ms'. */
struct bench_loop {
    void (*run)(void);
    void (*block)(long long wake_ms);
};

/* Runs 'loop' until the controller is idle (bench_idle), so that the work
 * that follows what a benchmark waited for does not spill into a timed
 * phase; fails the benchmark after 'limit_s'.  Returns the seconds it
 * took. */
static inline double
bench_ctl_settle(const struct bench_ctl *ctl, const struct bench_loop *loop,
                 double limit_s)
{
    double start = bench_now_seconds();
    struct bench_idle idle;

    bench_idle_init(&idle, ctl->pid);
    for (;;) {
        loop->run();
        double now = bench_now_seconds();
        if (bench_idle_check(&idle, ctl->pid)) {
            return now - start;
        }
        if (now - start > limit_s) {
            bench_fail(ctl, "the controller did not go idle within %.0f s",
                       limit_s);
        }
        loop->block(time_msec() + 100);
    }
}

/* Runs 'loop' until 'done()'; fails the benchmark after 'limit_s' with
 * 'what' and the counts 'progress()' gives.  Returns the seconds it
 * took. */
static inline double
bench_wait_for(const struct bench_ctl *ctl, const struct bench_loop *loop,
               const char *what, bool (*done)(void),
               void (*progress)(char *, size_t), double limit_s)
{
    double start = bench_now_seconds();

    for (;;) {
        loop->run();
        if (done()) {
            return bench_now_seconds() - start;
        }
        if (bench_now_seconds() - start > limit_s) {
            char text[128];

            progress(text, sizeof text);
            bench_fail(ctl, "%s: not done after %.0f s: %s", what, limit_s,
                       text);
        }
        loop->block(time_msec() + 100);
    }
}

/* The value of the sample 'series' in the Prometheus text 'body', the name
 * and labels exactly as the controller renders them
 * ("kovn_reconciles_total{controller=\"pod\"}"); -1 if it is absent. */
static inline double
bench_metric(const char *body, const char *series)
{
    size_t len = strlen(series);

    for (const char *line = body; line && *line;) {
        if (!strncmp(line, series, len) && line[len] == ' ') {
            return strtod(line + len + 1, NULL);
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return -1;
}

/* The controller's work queues, as its metrics label them. */
enum bench_queue {
    BENCH_Q_VPC,
    BENCH_Q_SUBNET,
    BENCH_Q_NAMESPACE,
    BENCH_Q_NODE,
    BENCH_Q_POD,
    BENCH_N_QUEUES
};

static inline const char *
bench_queue_name(int q)
{
    static const char *const names[BENCH_N_QUEUES] = {
        "vpc", "subnet", "namespace", "node", "pod"};

    return names[q];
}

/* What the controller's /metrics say about its work queues and NB
 * transactions. */
struct bench_ctl_stats {
    struct bench_queue_stats {
        double depth, waiting; /* Keys ready, keys delayed or backing off. */
        double gets, dones;    /* Keys taken, keys finished. */
        double reconciles, errors, retries;
        double wait_s, work_s; /* Summed queue wait and processing time. */
    } q[BENCH_N_QUEUES];
    double txns, txn_s; /* Object writes to NB, and their summed latency. */
    double nb_txns;     /* NB transactions (batches of those writes). */
    double events;      /* Kubernetes Events recorded. */
};

/* Reads the controller's /metrics on 'port' into 'st'; false if it does
 * not answer in time (a busy controller answers late). */
static inline bool
bench_ctl_stats_get(int port, struct bench_ctl_stats *st)
{
    char *body = NULL;

    memset(st, 0, sizeof *st);
    if (bench_http_get(port, "/metrics", &body) != 200) {
        free(body);
        return false;
    }
    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        struct bench_queue_stats *qs = &st->q[q];
        char series[128];

#define BENCH_SERIES(NAME, LABEL)                                  \
    (snprintf(series, sizeof series, "%s{%s=\"%s\"}", NAME, LABEL, \
              bench_queue_name(q)),                                \
     bench_metric(body, series))
        qs->depth = BENCH_SERIES("kovn_workqueue_depth", "name");
        qs->waiting = BENCH_SERIES("kovn_workqueue_waiting", "name");
        qs->gets = BENCH_SERIES("kovn_workqueue_queue_duration_seconds_count",
                                "name");
        qs->dones =
            BENCH_SERIES("kovn_workqueue_work_duration_seconds_count", "name");
        qs->wait_s =
            BENCH_SERIES("kovn_workqueue_queue_duration_seconds_sum", "name");
        qs->work_s =
            BENCH_SERIES("kovn_workqueue_work_duration_seconds_sum", "name");
        qs->retries = BENCH_SERIES("kovn_workqueue_retries_total", "name");
        qs->reconciles = BENCH_SERIES("kovn_reconciles_total", "controller");
        qs->errors = BENCH_SERIES("kovn_reconcile_errors_total", "controller");
#undef BENCH_SERIES
    }
    st->txns = bench_metric(body, "kovn_ovn_txn_duration_seconds_count");
    st->txn_s = bench_metric(body, "kovn_ovn_txn_duration_seconds_sum");
    st->nb_txns = bench_metric(body, "kovn_ovn_batch_txns_total");
    st->events = bench_metric(body, "kovn_events_recorded_total");
    free(body);
    return true;
}

/* Whether 'st' shows every work queue empty with nothing in flight, and
 * at least 'want[q]' reconciles of queue q since the controller's start
 * (one per object it has). */
static inline bool
bench_ctl_all_reconciled(const struct bench_ctl_stats *st,
                         const double want[BENCH_N_QUEUES])
{
    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        const struct bench_queue_stats *qs = &st->q[q];

        if (qs->depth != 0 || qs->waiting != 0 || qs->gets != qs->dones ||
            qs->reconciles < want[q]) {
            return false;
        }
    }
    return true;
}

/* Whether nothing was reconciled and no NB transaction made between 'a'
 * and 'b'. */
static inline bool
bench_ctl_same_work(const struct bench_ctl_stats *a,
                    const struct bench_ctl_stats *b)
{
    for (int q = 0; q < BENCH_N_QUEUES; q++) {
        if (a->q[q].reconciles != b->q[q].reconciles) {
            return false;
        }
    }
    return a->nb_txns == b->nb_txns;
}

/* A controller start, until ready and then all reconciled and idle. */
struct bench_start {
    double ready_s;        /* Exec to /readyz 200. */
    double reconciled_s;   /* Exec to every object reconciled, queues empty. */
    double idle_s;         /* Exec to idle, counters unchanged. */
    double cpu_s;          /* From exec to idle. */
    long rss_kib, hwm_kib; /* At idle. */
    struct bench_ctl_stats stats; /* When all reconciled. */
};

/* Waits, in 'loop', for the controller just started (at 'start', from
 * bench_now_seconds()) to answer /readyz 200 and then to have reconciled
 * everything: its /metrics (polled every 50 ms) show every work queue
 * empty with nothing in flight and at least 'want[q]' reconciles of each
 * queue; confirmed by the controller then going idle (bench_idle) with
 * its reconciles and NB transactions unchanged.  Polling /metrics costs
 * the controller CPU, so none runs while the idle check does; the
 * counters after it tell whether anything more was done in between, and
 * if so, the start was complete only then.  Fails the benchmark after
 * 'limit_s'. */
static inline void
bench_ctl_wait_reconciled(struct bench_ctl *ctl, const struct bench_loop *loop,
                          double start, const double want[BENCH_N_QUEUES],
                          double limit_s, struct bench_start *s)
{
    double reconciled_at = 0;
    int port = 0;

    memset(s, 0, sizeof *s);
    while (!s->ready_s) {
        loop->run();
        if (!port) {
            port = bench_ctl_metrics_port(ctl);
        }
        if (port && bench_http_get(port, "/readyz", NULL) == 200) {
            /* When the answer arrived: a busy controller answers late. */
            s->ready_s = bench_now_seconds() - start;
        }
        if (bench_now_seconds() - start > limit_s) {
            bench_fail(ctl,
                       "the controller was not ready %.0f s after its start "
                       "(metrics port: %d)",
                       limit_s, port);
        }
        loop->block(time_msec() + 5);
    }
    for (;;) {
        struct bench_ctl_stats st;

        loop->run();
        bool done = bench_ctl_stats_get(port, &st) &&
                    bench_ctl_all_reconciled(&st, want);
        double now = bench_now_seconds();
        if (done && reconciled_at && bench_ctl_same_work(&s->stats, &st)) {
            break;
        }
        if (done) {
            reconciled_at = now;
            s->stats = st;
            bench_ctl_settle(ctl, loop, limit_s);
            continue;
        }
        reconciled_at = 0;
        if (now - start > limit_s) {
            struct ds text = DS_EMPTY_INITIALIZER;

            for (int q = 0; q < BENCH_N_QUEUES; q++) {
                ds_put_format(&text, "%s%s %.0f of %.0f (depth %.0f)",
                              q ? ", " : "", bench_queue_name(q),
                              st.q[q].reconciles, want[q], st.q[q].depth);
            }
            bench_fail(ctl,
                       "the controller had not reconciled everything %.0f s "
                       "after its start (reconciles: %s)",
                       limit_s, ds_cstr(&text));
        }
        loop->block(time_msec() + 50);
    }
    s->reconciled_s = reconciled_at - start;
    s->idle_s = bench_now_seconds() - start;
    s->cpu_s = bench_proc_cpu(ctl->pid);
    bench_proc_memory(ctl->pid, &s->rss_kib, &s->hwm_kib);
}

/* The lines of the controller's /metrics that start with one of the 'n'
 * 'prefixes', each indented, for a report; the caller frees. */
static inline char *
bench_ctl_metrics(const struct bench_ctl *ctl, const char *const *prefixes,
                  size_t n)
{
    int port = bench_ctl_metrics_port(ctl);
    struct ds out = DS_EMPTY_INITIALIZER;
    char *body = NULL;

    if (port && bench_http_get(port, "/metrics", &body) == 200) {
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            for (size_t i = 0; i < n; i++) {
                if (!strncmp(line, prefixes[i], strlen(prefixes[i]))) {
                    ds_put_format(&out, "  %s\n", line);
                }
            }
        }
    }
    free(body);
    return ds_steal_cstr(&out);
}

/* Prints the controller's log lines that contain 'needle' (from their
 * message on), each after "  'label': ": e.g. the parts of a cold start
 * as the controller times them. */
static inline void
bench_ctl_print_log_lines(const struct bench_ctl *ctl, const char *needle,
                          const char *label)
{
    FILE *f = fopen(ctl->log, "r");
    char line[4096];

    while (f && fgets(line, sizeof line, f)) {
        const char *info = strstr(line, "|INFO|");
        if (strstr(line, needle)) {
            printf("  %s: %s", label, info ? info + 6 : line);
        }
    }
    if (f) {
        fclose(f);
    }
}

/* The warnings and errors in the controller's log 'dir'/'log_name',
 * counted by kind (numbers in messages folded), most frequent first. */
static inline void
bench_print_log_warnings(const char *dir, const char *log_name)
{
    char *out = sandbox_run(
        "grep -E '\\|(WARN|ERR|EMER)\\|' %s/%s | cut -d'|' -f3,4,5- | "
        "sed -E 's/[0-9]+/N/g' | cut -c1-100 | sort | uniq -c | sort -rn | "
        "head -5",
        dir, log_name);

    printf("  %s: %s", log_name, out && *out ? "\n" : "no warnings\n");
    if (out && *out) {
        printf("%s", out);
    }
    free(out);
}

static inline int
bench_compare_doubles(const void *a_, const void *b_)
{
    double a = *(const double *)a_, b = *(const double *)b_;

    return a < b ? -1 : a > b;
}

/* Sorts the 'n' (> 0) values of 'v' and returns their nearest-rank p50
 * and p99. */
static inline void
bench_p50_p99(double *v, size_t n, double *p50, double *p99)
{
    qsort(v, n, sizeof *v, bench_compare_doubles);
    *p50 = v[(size_t)(0.50 * n + 0.999999) - 1];
    *p99 = v[(size_t)(0.99 * n + 0.999999) - 1];
}

/* The 1-minute load average: how busy the machine is besides this run. */
static inline double
bench_load_average(void)
{
    double load = 0;
    FILE *f = fopen("/proc/loadavg", "r");

    if (f) {
        if (fscanf(f, "%lf", &load) != 1) {
            load = 0;
        }
        fclose(f);
    }
    return load;
}

/* Informer handlers for a benchmark that looks at each object as it
 * arrives or changes: 'observe' gets the object and whether the watch
 * reported it as an update. */
struct bench_observer {
    void (*observe)(const struct json *object, bool update);
};

static inline void
bench_observer_add(const char *key OVS_UNUSED, const struct json *object,
                   void *observer)
{
    ((const struct bench_observer *)observer)->observe(object, false);
}

static inline void
bench_observer_update(const char *key OVS_UNUSED,
                      const struct json *old OVS_UNUSED,
                      const struct json *new, void *observer)
{
    ((const struct bench_observer *)observer)->observe(new, true);
}

/* The handlers that call 'observer', which outlives the informer. */
static inline struct kube_informer_handlers
bench_observer_handlers(const struct bench_observer *observer)
{
    if (!observer) {
        return (struct kube_informer_handlers){.add = NULL};
    }
    return (struct kube_informer_handlers){
        .add = bench_observer_add,
        .update = bench_observer_update,
        .aux = CONST_CAST(struct bench_observer *, observer),
    };
}

static inline void
bench_prune(struct json *obj, void *fields)
{
    kube_object_prune(obj, fields);
}

/* An informer on 'client' of the collection 'path' that keeps only the
 * NULL-terminated 'fields' of each object (kube_object_prune() paths; NULL:
 * all) and shows each to 'observer' (NULL: to nobody); both outlive it. */
static inline struct kube_informer *
bench_informer(struct kube_client *client, const char *path,
               const char *const *fields,
               const struct bench_observer *observer)
{
    struct kube_informer_options options = {
        .path = path,
        .watch_timeout_s = 3600,
        .transform = fields ? bench_prune : NULL,
        .transform_aux = (void *)fields,
    };
    struct kube_informer_handlers handlers = bench_observer_handlers(observer);

    return kube_informer_create(client, &options, &handlers);
}

/* A client of 'kubeconfig' allowed 'qps' requests per second (and as many
 * at once); fails the benchmark if there can be none. */
static inline struct kube_client *
bench_kube_client(const struct bench_ctl *ctl, const char *kubeconfig,
                  double qps)
{
    struct kube_client_options options = {
        .qps = qps, .burst = (int)qps, .timeout_ms = 60000};
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;

    if (kube_config_load(kubeconfig, NULL, &config, &err)) {
        bench_fail(ctl, "%s", err.msg);
    }
    client = kube_client_create(&config, &options, &err);
    kube_config_destroy(&config);
    if (!client) {
        bench_fail(ctl, "%s", err.msg);
    }
    return client;
}

/* Many requests of one kind sent from a benchmark's poll loop: creates by
 * default, at most 'window' outstanding at once and, with a 'rate', paced,
 * so that a figure is a latency rather than a queue drain.  Any answer but
 * the expected status fails the benchmark. */
struct bench_bulk {
    const char *what;         /* "namespaces", for messages. */
    const char *method;       /* NULL: "POST". */
    const char *content_type; /* NULL: JSON. */
    long status;              /* Expected answer; 0: 201. */
    const char *path;         /* Where every request goes, or NULL... */
    char *(*path_of)(int i);  /* ...request i's (the caller frees). */
    char *(*body)(int i);     /* Request i's (the caller frees). */
    int n;
    double rate; /* Requests per second; 0: as the window allows. */
    int window;  /* Outstanding at most; 0: BENCH_BULK_WINDOW. */
    void (*on_sent)(int i, double now);
    void (*on_acked)(int i, const struct kube_response *, double now);
    struct kube_client *client;
    const struct bench_ctl *ctl; /* For bench_fail(). */
    /* Progress. */
    int sent, done;
    double first_sent, last_acked;
};

/* Enough to keep the API server busy on two cores. */
#define BENCH_BULK_WINDOW 64

struct bench_bulk_op {
    struct bench_bulk *bulk;
    int i;
};

static inline void
bench_bulk_answered(struct kube_response *response, void *op_)
{
    struct bench_bulk_op *op = op_;
    struct bench_bulk *bulk = op->bulk;
    double now = bench_now_seconds();

    if (response->status != (bulk->status ? bulk->status : 201)) {
        bench_fail(bulk->ctl, "%s %s #%d: %ld %s %s",
                   bulk->method ? bulk->method : "POST", bulk->what, op->i,
                   response->status, response->reason, response->message);
    }
    if (bulk->on_acked) {
        bulk->on_acked(op->i, response, now);
    }
    bulk->last_acked = now;
    bulk->done++;
    free(op);
}

static inline int
bench_bulk_window(const struct bench_bulk *bulk)
{
    return bulk->window ? bulk->window : BENCH_BULK_WINDOW;
}

/* Sends what is due: the next requests while fewer than the window are
 * outstanding and, with a rate, their time has come. */
static inline void
bench_bulk_fill(struct bench_bulk *bulk)
{
    double now = bench_now_seconds();

    while (bulk->sent < bulk->n &&
           bulk->sent - bulk->done < bench_bulk_window(bulk) &&
           (!bulk->rate || !bulk->sent ||
            now >= bulk->first_sent + bulk->sent / bulk->rate)) {
        struct bench_bulk_op *op = xmalloc(sizeof *op);
        char *path = bulk->path ? NULL : bulk->path_of(bulk->sent);
        char *body = bulk->body(bulk->sent);
        struct json *json = json_from_string(body);

        op->bulk = bulk;
        op->i = bulk->sent++;
        if (!op->i) {
            bulk->first_sent = now;
        }
        if (bulk->on_sent) {
            bulk->on_sent(op->i, now);
        }
        kube_client_send(bulk->client, bulk->method ? bulk->method : "POST",
                         path ? path : bulk->path, json, bulk->content_type,
                         bench_bulk_answered, op);
        json_destroy(json);
        free(body);
        free(path);
    }
    kube_client_run(bulk->client);
}

/* When the next request of 'bulk' is due, for the poll loop's timer; with
 * the window full, an answer wakes the loop first. */
static inline long long
bench_bulk_due_ms(const struct bench_bulk *bulk)
{
    long long next = time_msec() + 100;

    if (bulk->rate && bulk->sent < bulk->n &&
        bulk->sent - bulk->done < bench_bulk_window(bulk)) {
        double due = bulk->first_sent + bulk->sent / bulk->rate;
        next = MIN(next, time_msec() +
                             (long long)((due - bench_now_seconds()) * 1000));
    }
    return next;
}

/* Sends every request of 'bulk' from 'loop' and waits for the last
 * answer; fails the benchmark after 'limit_s'. */
static inline void
bench_bulk_run(struct bench_bulk *bulk, const struct bench_loop *loop,
               double limit_s)
{
    double start = bench_now_seconds();

    for (;;) {
        loop->run();
        bench_bulk_fill(bulk);
        if (bulk->done >= bulk->n) {
            return;
        }
        if (bench_now_seconds() - start > limit_s) {
            bench_fail(bulk->ctl, "%s %s: %d of %d done after %.0f s",
                       bulk->method ? bulk->method : "POST", bulk->what,
                       bulk->done, bulk->n, limit_s);
        }
        loop->block(bench_bulk_due_ms(bulk));
    }
}

/* The command line of a benchmark that runs kovn-controller: "PROGRAM
 * KOVN_CONTROLLER".  Sets up OVS's program name and logging (errors only,
 * so that nothing but the report reaches the console) and returns the
 * controller's path, or exits with a usage message. */
static inline const char *
bench_controller_arg(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
    if (argc != 2) {
        ovs_fatal(0, "usage: %s KOVN_CONTROLLER", argv[0]);
    }
    if (access(argv[1], X_OK)) {
        ovs_fatal(errno, "%s", argv[1]);
    }
    return argv[1];
}

/* Seconds for 'client' to GET every object of 'path' with 'query':
 * "limit=500" lists in pages as a paged informer does (the API server
 * reads them from etcd), "" in one quorum read as an unpaged informer
 * does, "resourceVersion=0" from the API server's watch cache.  Sets
 * '*count' to the objects listed; fails the benchmark on an error. */
static inline double
bench_time_list(const struct bench_ctl *ctl, struct kube_client *client,
                const char *path, const char *query, size_t *count)
{
    bool paged = strstr(query, "limit=") != NULL;
    double start = bench_now_seconds();
    char *cont = NULL;

    *count = 0;
    do {
        char *url = xasprintf("%s?%s%s%s", path, query,
                              cont ? "&continue=" : "", cont ? cont : "");
        struct kube_response response;
        struct kovn_error err;
        const struct json *items;
        const char *next = NULL;

        if (kube_client_call(client, "GET", url, NULL, NULL, &response,
                             &err)) {
            bench_fail(ctl, "GET %s: %s", url, err.msg);
        }
        if (response.status != 200) {
            bench_fail(ctl, "GET %s: %ld %s %s", url, response.status,
                       response.reason, response.message);
        }
        items = json_member(response.body, "items");
        *count +=
            items && items->type == JSON_ARRAY ? json_array(items)->n : 0;
        json_member_string(json_member(response.body, "metadata"), "continue",
                           "", &next, NULL);
        free(cont);
        cont = next && *next ? xstrdup(next) : NULL;
        kube_response_destroy(&response);
        free(url);
    } while (paged && cont);
    free(cont);
    return bench_now_seconds() - start;
}

#endif /* KOVN_BENCH_K8S_H */
