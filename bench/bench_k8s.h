/* Helpers shared by the benchmarks that run a real kovn-controller against
 * the Kubernetes and OVN sandboxes: the controller as a child process, its
 * log, its /readyz, its memory and CPU from /proc, the machine's load, and
 * API clients for load generators.
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

/* Starts 'exe' (--no-leader-elect, metrics on a free port) on OVN NB
 * remote 'nb' and 'kubeconfig', its output in 'log' (truncated).  The child
 * dies with this process (PDEATHSIG) even if this one is killed, and keeps
 * none of its descriptors: a sandbox's reaper pipe or an API connection
 * held open by the controller would outlive their owner.  Returns 0 or a
 * negative errno. */
static inline int
bench_ctl_start(struct bench_ctl *ctl, const char *exe, const char *nb,
                const char *kubeconfig, const char *log)
{
    pid_t parent = getpid();
    pid_t pid;

    snprintf(ctl->log, sizeof ctl->log, "%s", log);
    pid = fork();
    if (pid < 0) {
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
        execl(exe, exe, "--no-leader-elect", "--metrics-port", "0", "--ovn-nb",
              nb, "--kubeconfig", kubeconfig, (char *)NULL);
        _exit(127);
    }
    ctl->pid = pid;
    return 0;
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
    return (struct kube_informer_handlers){
        .add = bench_observer_add,
        .update = bench_observer_update,
        .aux = CONST_CAST(struct bench_observer *, observer),
    };
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
