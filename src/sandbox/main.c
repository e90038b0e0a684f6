/* kovn-sandboxd: flags, then the poll loop that runs the node heartbeat
 * and the pod sandboxes of one node (local mode's kubelet + containerd
 * network part). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "daemon.h"
#include "fatal-signal.h"
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

static long long
parse_duration(const char *flag, const char *text)
{
    char *end;
    double value = strtod(text, &end);
    double scale = !strcmp(end, "ms")           ? 1
                   : !strcmp(end, "s") || !*end ? 1000
                   : !strcmp(end, "m")          ? 60 * 1000
                                                : -1;

    if (end == text || scale < 0 || value <= 0 || value * scale > 1e12) {
        ovs_fatal(0, "--%s=%s: expected a duration such as 30s", flag, text);
    }
    return (long long)(value * scale);
}

static void
parse_flags(int argc, char *argv[], struct flags *f)
{
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
        OPT_LOG_FILE,
        OPT_PIDFILE,
    };
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
        {"log-file", required_argument, NULL, OPT_LOG_FILE},
        {"pidfile", required_argument, NULL, OPT_PIDFILE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
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
    for (;;) {
        int c = getopt_long(argc, argv, "vh", options, NULL);
        if (c == -1) {
            break;
        }
        const char *name = c >= 256 ? options[c - 256].name : "";
        switch (c) {
        case OPT_KUBECONFIG:
            f->kubeconfig = optarg;
            break;
        case OPT_NODE_NAME:
            f->node_name = optarg;
            break;
        case OPT_NODE_IP:
            f->node_ip = optarg;
            break;
        case OPT_CNI_CONF:
            f->cni_conf = optarg;
            break;
        case OPT_CNI_BIN_DIR:
            f->cni_bin_dir = optarg;
            break;
        case OPT_CNI_TIMEOUT:
            f->cni_timeout_ms = parse_duration(name, optarg);
            break;
        case OPT_NETNS_DIR:
            f->netns_dir = optarg;
            break;
        case OPT_NETNS_PREFIX:
            f->netns_prefix = optarg;
            break;
        case OPT_STATE_DIR:
            f->state_dir = optarg;
            break;
        case OPT_STATUS_INTERVAL:
            f->status_interval_ms = parse_duration(name, optarg);
            break;
        case OPT_LEASE_RENEW:
            f->lease_renew_ms = parse_duration(name, optarg);
            break;
        case OPT_RETRY_BASE:
            f->retry_base_ms = parse_duration(name, optarg);
            break;
        case OPT_LOG_FILE:
            if (vlog_set_log_file(optarg)) {
                ovs_fatal(0, "--log-file=%s: cannot open", optarg);
            }
            vlog_set_levels(NULL, VLF_FILE, VLL_INFO);
            break;
        case OPT_PIDFILE:
            set_pidfile(optarg);
            break;
        case 'v':
            vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_DBG);
            break;
        case 'h':
            usage();
            exit(EXIT_SUCCESS);
        default:
            exit(2);
        }
    }
    if (optind < argc) {
        ovs_fatal(0, "unexpected argument \"%s\" (see --help)", argv[optind]);
    }
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

static int stop_pipe[2] = {-1, -1};

static void
on_stop_signal(int sig)
{
    char c = (char)sig;
    ssize_t n = write(stop_pipe[1], &c, 1);
    (void)n;
}

static void
catch_stop_signals(void)
{
    struct sigaction sa;

    if (pipe(stop_pipe)) {
        ovs_fatal(errno, "pipe");
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static bool
stop_requested(void)
{
    struct pollfd pfd = {.fd = stop_pipe[0], .events = POLLIN};

    return poll(&pfd, 1, 0) > 0;
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

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_INFO);
    fatal_ignore_sigpipe();
    parse_flags(argc, argv, &f);
    daemonize_start(false);
    catch_stop_signals();

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
    daemonize_complete();
    VLOG_INFO("kovn-sandboxd started: node %s (%s), CNI network \"%s\" "
              "(%zu plugins), netns in %s",
              f.node_name, node_ip, conflist.name, conflist.n_plugins,
              f.netns_dir);

    while (!stop_requested()) {
        kube_client_run(client);
        heartbeat_run(hb);
        pods_run(pods);

        kube_client_wait(client);
        heartbeat_wait(hb);
        pods_wait(pods);
        poll_fd_wait(stop_pipe[0], POLLIN);
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
