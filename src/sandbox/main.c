/* kovn-sandboxd: flags, then the poll loop that runs the node heartbeat
 * and the pod sandboxes of one node (local mode's kubelet + containerd
 * network part). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cmdline.h"
#include "base/error.h"
#include "kube/events.h"
#include "kube/kubeconfig.h"
#include "kube/rest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "sandbox/conflist.h"
#include "sandbox/heartbeat.h"
#include "sandbox/pods.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(main);

struct flags {
    const char *kubeconfig;
    const char *node_name;
    const char *node_ip;
    const char *cni_conf;
    const char *cni_bin_dir;
    const char *netns_dir;
    const char *netns_prefix;
    const char *state_dir;
    long long cni_timeout_ms;
    long long status_interval_ms;
    long long lease_renew_ms;
    long long retry_base_ms;
};

enum {
    OPT_KUBECONFIG = 256,
    OPT_NODE_NAME,
    OPT_NODE_IP,
    OPT_CNI_CONF,
    OPT_CNI_BIN_DIR,
    OPT_CNI_TIMEOUT,
    OPT_NETNS_DIR,
    OPT_NETNS_PREFIX,
    OPT_STATE_DIR,
    OPT_STATUS_INTERVAL,
    OPT_LEASE_RENEW,
    OPT_RETRY_BASE,
};

static void
usage(void)
{
    printf("usage: kovn-sandboxd [OPTION]...\n"
           "Local mode's kubelet network part for one node: registers the "
           "Node and keeps\nit Ready, gives each pod bound to it a network "
           "namespace wired by CNI.\n\n"
           "  --kubeconfig=PATH        kubeconfig (default: $KUBECONFIG, "
           "~/.kube/config)\n"
           "  --node-name=NAME         this node (default: the hostname)\n"
           "  --node-ip=IP             its InternalIP (default: the source "
           "address of\n"
           "                           the default route)\n"
           "  --cni-conf=FILE          CNI .conflist "
           "(/etc/cni/net.d/01-kovn.conflist)\n"
           "  --cni-bin-dir=DIRS       CNI_PATH (/opt/cni/bin)\n"
           "  --cni-timeout=DURATION   per plugin call (60s)\n"
           "  --netns-dir=DIR          sandbox namespaces (/var/run/netns)\n"
           "  --netns-prefix=PREFIX    their name prefix (kovn-)\n"
           "  --state-dir=DIR          sandbox records "
           "(/var/lib/kovn/sandboxd)\n"
           "  --node-status-interval=D status heartbeat period (60s)\n"
           "  --lease-renew-interval=D Lease renew period (10s)\n"
           "  --retry-base=DURATION    first backoff after a failure (1s)\n"
           "  --log-file=FILE          log there too\n"
           "  --pidfile=FILE           write the pid there\n"
           "  -v, --verbose            debug logging\n"
           "  -h, --help\n");
}

/* Durations are periods and timeouts: zero would spin or never wait. */
#define MIN_DURATION_MS 1

static void
parse_flag(int option, const char *name, const char *arg, void *f_)
{
    struct flags *f = f_;

    switch (option) {
    case OPT_KUBECONFIG:
        f->kubeconfig = arg;
        break;
    case OPT_NODE_NAME:
        f->node_name = arg;
        break;
    case OPT_NODE_IP:
        f->node_ip = arg;
        break;
    case OPT_CNI_CONF:
        f->cni_conf = arg;
        break;
    case OPT_CNI_BIN_DIR:
        f->cni_bin_dir = arg;
        break;
    case OPT_CNI_TIMEOUT:
        f->cni_timeout_ms = cmdline_duration_min(name, arg, MIN_DURATION_MS);
        break;
    case OPT_NETNS_DIR:
        f->netns_dir = arg;
        break;
    case OPT_NETNS_PREFIX:
        f->netns_prefix = arg;
        break;
    case OPT_STATE_DIR:
        f->state_dir = arg;
        break;
    case OPT_STATUS_INTERVAL:
        f->status_interval_ms =
            cmdline_duration_min(name, arg, MIN_DURATION_MS);
        break;
    case OPT_LEASE_RENEW:
        f->lease_renew_ms = cmdline_duration_min(name, arg, MIN_DURATION_MS);
        break;
    case OPT_RETRY_BASE:
        f->retry_base_ms = cmdline_duration_min(name, arg, MIN_DURATION_MS);
        break;
    default:
        OVS_NOT_REACHED();
    }
}

static void
parse_flags(int argc, char *argv[], struct flags *f)
{
    static const struct option options[] = {
        {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
        {"node-name", required_argument, NULL, OPT_NODE_NAME},
        {"node-ip", required_argument, NULL, OPT_NODE_IP},
        {"cni-conf", required_argument, NULL, OPT_CNI_CONF},
        {"cni-bin-dir", required_argument, NULL, OPT_CNI_BIN_DIR},
        {"cni-timeout", required_argument, NULL, OPT_CNI_TIMEOUT},
        {"netns-dir", required_argument, NULL, OPT_NETNS_DIR},
        {"netns-prefix", required_argument, NULL, OPT_NETNS_PREFIX},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"node-status-interval", required_argument, NULL, OPT_STATUS_INTERVAL},
        {"lease-renew-interval", required_argument, NULL, OPT_LEASE_RENEW},
        {"retry-base", required_argument, NULL, OPT_RETRY_BASE},
        CMDLINE_OPTIONS_LOG_PIDFILE,
        CMDLINE_OPTIONS_VERBOSE_HELP,
        {NULL, 0, NULL, 0},
    };

    *f = (struct flags){
        .cni_conf = "/etc/cni/net.d/01-kovn.conflist",
        .cni_bin_dir = "/opt/cni/bin",
        .netns_dir = "/var/run/netns",
        .netns_prefix = "kovn-",
        .state_dir = "/var/lib/kovn/sandboxd",
        .cni_timeout_ms = 60 * 1000,
        .status_interval_ms = 60 * 1000,
        .lease_renew_ms = 10 * 1000,
        .retry_base_ms = 1000,
    };
    cmdline_parse(argc, argv, options, usage, parse_flag, f);
    if (!strlen(f->netns_prefix) || strchr(f->netns_prefix, '/')) {
        ovs_fatal(0, "--netns-prefix: expected a non-empty name prefix");
    }
}

/* The address the kernel would use to leave the host: a connected UDP
 * socket sends nothing but picks the source. */
static char *
default_node_ip(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
    socklen_t len = sizeof sin;
    char buf[INET_ADDRSTRLEN] = "127.0.0.1";
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
    if (fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof sin) &&
        !getsockname(fd, (struct sockaddr *)&sin, &len)) {
        inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
    }
    if (fd >= 0) {
        close(fd);
    }
    return xstrdup(buf);
}

int
main(int argc, char *argv[])
{
    struct kube_config config;
    struct kube_client *client;
    struct conflist conflist;
    struct kovn_error err;
    struct flags f;
    char host[256];
    char *node_ip;

    cmdline_init(argv[0]);
    parse_flags(argc, argv, &f);
    cmdline_start_daemon();
    cmdline_catch_stop_signals();

    if (!f.node_name) {
        if (gethostname(host, sizeof host)) {
            ovs_fatal(errno, "gethostname");
        }
        host[sizeof host - 1] = '\0';
        f.node_name = host;
    }
    node_ip = f.node_ip ? xstrdup(f.node_ip) : default_node_ip();
    if (conflist_load(f.cni_conf, &conflist, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    kube_config_init(&config);
    if (kube_config_load(f.kubeconfig, NULL, &config, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    struct kube_client_options copts = {.user_agent = "kovn-sandboxd"};
    client = kube_client_create(&config, &copts, &err);
    if (!client) {
        ovs_fatal(0, "%s", err.msg);
    }
    struct kube_recorder *recorder =
        kube_recorder_create(client, "kubelet", "default");
    struct heartbeat_options hopts = {
        .node_name = f.node_name,
        .node_ip = node_ip,
        .status_interval_ms = f.status_interval_ms,
        .lease_renew_ms = f.lease_renew_ms,
    };
    struct heartbeat *hb = heartbeat_create(client, &hopts);
    struct pods_options popts = {
        .node_name = f.node_name,
        .node_ip = node_ip,
        .netns_dir = f.netns_dir,
        .netns_prefix = f.netns_prefix,
        .state_dir = f.state_dir,
        .cni_path = f.cni_bin_dir,
        .conflist = &conflist,
        .cni_timeout_ms = f.cni_timeout_ms,
        .retry_base_ms = f.retry_base_ms,
    };
    struct pods *pods = pods_create(client, recorder, &popts);
    VLOG_INFO("kovn-sandboxd started: node %s (%s), CNI network \"%s\" "
              "(%zu plugins), netns in %s",
              f.node_name, node_ip, conflist.name, conflist.n_plugins,
              f.netns_dir);

    while (!cmdline_stop_requested()) {
        kube_client_run(client);
        heartbeat_run(hb);
        pods_run(pods);

        kube_client_wait(client);
        heartbeat_wait(hb);
        pods_wait(pods);
        cmdline_stop_wait();
        poll_block();
    }

    /* Sandboxes stay: like containerd, a restart adopts them. */
    VLOG_INFO("stopping");
    pods_destroy(pods);
    heartbeat_destroy(hb);
    kube_recorder_destroy(recorder);
    kube_client_destroy(client);
    kube_config_destroy(&config);
    conflist_destroy(&conflist);
    free(node_ip);
    return 0;
}
