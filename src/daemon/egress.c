/* Masquerade and forwarding on the node; see egress.h. */
#include <config.h>

#include "daemon/egress.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "crd/subnet.h"
#include "daemon/daemon.h"
#include "daemon/nat.h"
#include "daemon/worker.h"
#include "kube/informer.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(egress);

#define EGRESS_RECHECK_MS 30000
#define EGRESS_RETRY_MS   2000
/* nft's complaints are short; more is cut. */
#define NFT_ERROR_MAX 1024

#define SUBNETS_PATH "/apis/kubeovn.io/v1/subnets"

struct nft_job {
    struct daemon *d;
    char *script;
    int error;
    char message[NFT_ERROR_MAX];
};

/* Runs `nft -f -` with 'script' on its stdin; its stderr is the message. */
static int
run_nft(const char *script, char *message, size_t size)
{
    int in[2], out[2];
    pid_t pid;
    int status, error = 0;
    size_t len = strlen(script), got = 0;

    message[0] = '\0';
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        snprintf(message, size, "pipe: %s", ovs_strerror(errno));
        return -errno;
    }
    pid = fork();
    if (pid < 0) {
        error = -errno;
        snprintf(message, size, "fork: %s", ovs_strerror(errno));
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return error;
    }
    if (!pid) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        execlp("nft", "nft", "-f", "-", (char *)NULL);
        dprintf(out[1], "cannot run nft: %s (install nftables)",
                strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    for (size_t done = 0; done < len;) {
        ssize_t n = write(in[1], script + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; /* nft exited early; its status says why. */
        }
        done += n;
    }
    close(in[1]);
    for (;;) {
        ssize_t n = read(out[0], message + got, size - 1 - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || (got += n) >= size - 1) {
            break;
        }
    }
    message[got] = '\0';
    close(out[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        continue;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        error = -EPROTO;
    }
    return error;
}

/* Gateways forward pods' packets between ovn0 and their uplinks. */
static void
enable_forwarding(void)
{
    static const char path[] = "/proc/sys/net/ipv4/ip_forward";
    char value = '0';
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        VLOG_WARN("%s: %s", path, ovs_strerror(errno));
        return;
    }
    if (read(fd, &value, 1) == 1 && value != '1') {
        if (pwrite(fd, "1\n", 2, 0) == 2) {
            VLOG_INFO("IPv4 forwarding enabled (gateway for pods' egress)");
        } else {
            VLOG_WARN("%s: %s", path, ovs_strerror(errno));
        }
    }
    close(fd);
}

static void
apply(void *job_)
{
    struct nft_job *job = job_;

    enable_forwarding();
    job->error = run_nft(job->script, job->message, sizeof job->message);
}

static void
applied(void *job_)
{
    struct nft_job *job = job_;
    struct daemon *d = job->d;

    d->nat_busy = false;
    if (job->error) {
        VLOG_WARN("masquerade rules (table ip %s): %s", d->opts.nat_table,
                  job->message);
        d->nat_next_try = time_msec() + EGRESS_RETRY_MS;
        free(job->script);
    } else {
        if (!d->nat_applied || strcmp(d->nat_applied, job->script)) {
            VLOG_INFO("masquerade rules applied (table ip %s)",
                      d->opts.nat_table);
        }
        free(d->nat_applied);
        d->nat_applied = job->script;
        d->nat_next_try = time_msec() + EGRESS_RECHECK_MS;
    }
    free(job);
}

static void
subnets_changed(struct daemon *d)
{
    d->nat_dirty = true;
}

static void
subnet_add(const char *key, const struct json *obj, void *d)
{
    (void)key;
    (void)obj;
    subnets_changed(d);
}

static void
subnet_update(const char *key, const struct json *old, const struct json *new,
              void *d)
{
    (void)key;
    (void)old;
    (void)new;
    subnets_changed(d);
}

static char *
current_ruleset(struct daemon *d)
{
    const struct kube_store *store = kube_informer_store(d->subnets);
    struct subnet *subnets =
        xcalloc(kube_store_count(store) + 1, sizeof *subnets);
    const struct subnet **valid =
        xcalloc(kube_store_count(store) + 1, sizeof *valid);
    struct kube_store_cursor c;
    size_t n = 0, n_valid = 0;

    KUBE_STORE_FOR_EACH(&c, store)
    {
        struct subnet *subnet = &subnets[n++];

        if (!subnet_from_json(c.object, d->opts.default_vpc, subnet, NULL)) {
            valid[n_valid++] = subnet;
        }
    }
    struct nat_node node = {
        .node = d->opts.node_name,
        .default_vpc = d->opts.default_vpc,
        .join_subnet = d->opts.join_subnet,
        .table = d->opts.nat_table,
        .cluster_cidrs = d->opts.node_routes,
        .n_cluster_cidrs = d->opts.n_node_routes,
    };
    char *script = nat_ruleset(&node, valid, n_valid);

    for (size_t i = 0; i < n; i++) {
        subnet_destroy(&subnets[i]);
    }
    free(subnets);
    free(valid);
    return script;
}

void
egress_init(struct daemon *d)
{
    struct kube_informer_options opts = {.path = SUBNETS_PATH};
    struct kube_informer_handlers handlers = {subnet_add, subnet_update,
                                              subnet_add, d};

    d->subnets = kube_informer_create(d->client, &opts, &handlers);
    d->nat_dirty = true;
}

void
egress_destroy(struct daemon *d)
{
    /* The rules stay: pods keep their egress while the daemon restarts. */
    kube_informer_destroy(d->subnets);
    d->subnets = NULL;
    free(d->nat_applied);
    free(d->nat_wanted);
    d->nat_applied = d->nat_wanted = NULL;
}

/* A changed ruleset is applied at once (or when the last failure's retry
 * is due); an unchanged one again every EGRESS_RECHECK_MS. */
void
egress_run(struct daemon *d)
{
    kube_informer_run(d->subnets);
    if (d->nat_busy || !kube_informer_has_synced(d->subnets)) {
        return;
    }
    if (d->nat_dirty) {
        d->nat_dirty = false;
        free(d->nat_wanted);
        d->nat_wanted = current_ruleset(d);
        if (!d->nat_applied || strcmp(d->nat_wanted, d->nat_applied)) {
            d->nat_next_try = 0;
        }
    }
    if (time_msec() < d->nat_next_try) {
        return;
    }
    struct nft_job *job = xzalloc(sizeof *job);

    job->d = d;
    job->script = xstrdup(d->nat_wanted);
    d->nat_busy = true;
    worker_submit(d->workers, apply, applied, job);
}

void
egress_wait(struct daemon *d)
{
    kube_informer_wait(d->subnets);
    if (!d->nat_busy && kube_informer_has_synced(d->subnets)) {
        poll_timer_wait_until(d->nat_next_try);
    }
}
