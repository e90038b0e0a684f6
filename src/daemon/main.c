/* kovn-daemon: flags, then the poll loop of one node's agent (see
 * daemon.h): CNI requests, the node port, OVS ports. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cmdline.h"
#include "base/error.h"
#include "cni/protocol.h"
#include "daemon/daemon.h"
#include "daemon/ovs.h"
#include "kube/kubeconfig.h"
#include "kube/rest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(main);

#define MAX_ROUTES 8

struct flags {
    const char *kubeconfig;
    const char *ovs_db;
    struct daemon_options d;
    struct net_cidr routes[MAX_ROUTES];
    char node_name[256];
};

enum {
    OPT_KUBECONFIG = 256,
    OPT_NODE_NAME,
    OPT_OVS_DB,
    OPT_CNI_SOCKET,
    OPT_BRIDGE,
    OPT_NODE_PORT,
    OPT_CLUSTER_CIDR,
    OPT_ANNOTATION_TIMEOUT,
    OPT_INSTALLED_TIMEOUT,
    OPT_OVS_TIMEOUT,
    OPT_MTU,
    OPT_WORKERS,
    OPT_MAX_CONNS,
    OPT_DEFAULT_VPC,
    OPT_JOIN_SUBNET,
    OPT_NAT_TABLE,
};

static void
usage(void)
{
    printf("usage: kovn-daemon [OPTION]...\n"
           "kovn's node agent: serves kovn-cni, plumbs pods into br-int.\n\n"
           "  --kubeconfig=PATH           kubeconfig (default: $KUBECONFIG, "
           "~/.kube/config, in-cluster)\n"
           "  --node-name=NAME            this node (default: the hostname)\n"
           "  --ovs-db=REMOTE             local vswitch database "
           "(unix:/run/openvswitch/db.sock)\n"
           "  --cni-socket=PATH           CNI socket, mode 0600 "
           "(" CNI_DEFAULT_SOCKET ")\n"
           "  --bridge=NAME               integration bridge (br-int)\n"
           "  --node-port=NAME            the node's port (ovn0)\n"
           "  --cluster-cidr=CIDR[,CIDR]  routed via the node port "
           "(10.16.0.0/16)\n"
           "  --annotation-timeout=D      ADD waits for the pod's address "
           "(60s)\n"
           "  --installed-timeout=D       ...and for OVN's flows (30s)\n"
           "  --ovs-timeout=D             one OVS transaction (10s)\n"
           "  --mtu=N                     pod MTU unless the config sets one "
           "(kernel default)\n"
           "  --workers=N                 netlink worker threads (4)\n"
           "  --max-connections=N         CNI connections at once (1024)\n"
           "  --default-vpc=NAME          the VPC whose egress leaves through "
           "nodes (ovn-cluster)\n"
           "  --join-subnet=NAME          the nodes' subnet, never "
           "masqueraded (join)\n"
           "  --nat-table=NAME            nftables table (family ip) the "
           "daemon owns (kovn)\n"
           "  --log-file=PATH             log there too\n"
           "  --pidfile=PATH              write the pid there\n"
           "  -v, --verbose               debug logging\n"
           "  -h, --help\n"
           "Durations: a number with ms, s, m or h (plain numbers are "
           "seconds).\n");
}

static size_t
parse_cidrs(const char *text, struct net_cidr *out)
{
    char *copy = xstrdup(text), *save = NULL;
    size_t n = 0;

    for (char *s = strtok_r(copy, ",", &save); s;
         s = strtok_r(NULL, ",", &save)) {
        struct kovn_error err;

        if (n >= MAX_ROUTES) {
            ovs_fatal(0, "--cluster-cidr: at most %d CIDRs", MAX_ROUTES);
        }
        if (net_cidr_parse(s, NET_CIDR_NETWORK, &out[n++], &err)) {
            ovs_fatal(0, "--cluster-cidr: %s", err.msg);
        }
    }
    free(copy);
    return n;
}

static void
parse_flag(int option, const char *name, const char *arg, void *f_)
{
    struct flags *f = f_;

    switch (option) {
    case OPT_KUBECONFIG:
        f->kubeconfig = arg;
        break;
    case OPT_NODE_NAME:
        f->d.node_name = arg;
        break;
    case OPT_OVS_DB:
        f->ovs_db = arg;
        break;
    case OPT_CNI_SOCKET:
        f->d.cni_socket = arg;
        break;
    case OPT_BRIDGE:
        f->d.bridge = arg;
        break;
    case OPT_NODE_PORT:
        f->d.node_port = arg;
        break;
    case OPT_CLUSTER_CIDR:
        f->d.n_node_routes = parse_cidrs(arg, f->routes);
        break;
    case OPT_ANNOTATION_TIMEOUT:
        f->d.annotation_timeout_ms = cmdline_duration(name, arg);
        break;
    case OPT_INSTALLED_TIMEOUT:
        f->d.installed_timeout_ms = cmdline_duration(name, arg);
        break;
    case OPT_OVS_TIMEOUT:
        f->d.ovs_timeout_ms = cmdline_duration(name, arg);
        break;
    case OPT_MTU:
        f->d.mtu = cmdline_int(name, arg, 68, 65535);
        break;
    case OPT_WORKERS:
        f->d.n_workers = cmdline_int(name, arg, 1, 64);
        break;
    case OPT_DEFAULT_VPC:
        f->d.default_vpc = arg;
        break;
    case OPT_JOIN_SUBNET:
        f->d.join_subnet = arg;
        break;
    case OPT_NAT_TABLE:
        f->d.nat_table = arg;
        break;
    case OPT_MAX_CONNS:
        f->d.max_conns = cmdline_int(name, arg, 1, 65536);
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
        {"ovs-db", required_argument, NULL, OPT_OVS_DB},
        {"cni-socket", required_argument, NULL, OPT_CNI_SOCKET},
        {"bridge", required_argument, NULL, OPT_BRIDGE},
        {"node-port", required_argument, NULL, OPT_NODE_PORT},
        {"cluster-cidr", required_argument, NULL, OPT_CLUSTER_CIDR},
        {"annotation-timeout", required_argument, NULL,
         OPT_ANNOTATION_TIMEOUT},
        {"installed-timeout", required_argument, NULL, OPT_INSTALLED_TIMEOUT},
        {"ovs-timeout", required_argument, NULL, OPT_OVS_TIMEOUT},
        {"mtu", required_argument, NULL, OPT_MTU},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNS},
        {"default-vpc", required_argument, NULL, OPT_DEFAULT_VPC},
        {"join-subnet", required_argument, NULL, OPT_JOIN_SUBNET},
        {"nat-table", required_argument, NULL, OPT_NAT_TABLE},
        CMDLINE_OPTIONS_LOG_PIDFILE,
        CMDLINE_OPTIONS_VERBOSE_HELP,
        {NULL, 0, NULL, 0},
    };

    memset(f, 0, sizeof *f);
    f->ovs_db = "unix:/run/openvswitch/db.sock";
    f->d = (struct daemon_options){
        .bridge = "br-int",
        .cni_socket = CNI_DEFAULT_SOCKET,
        .node_port = "ovn0",
        .annotation_timeout_ms = 60 * 1000,
        .installed_timeout_ms = 30 * 1000,
        .ovs_timeout_ms = 10 * 1000,
        .n_workers = 4,
        .max_conns = 1024,
        .default_vpc = "ovn-cluster",
        .join_subnet = "join",
        .nat_table = "kovn",
    };
    f->d.n_node_routes = parse_cidrs("10.16.0.0/16", f->routes);
    if (gethostname(f->node_name, sizeof f->node_name - 1)) {
        ovs_fatal(errno, "gethostname");
    }
    f->d.node_name = f->node_name;

    cmdline_parse(argc, argv, options, usage, parse_flag, f);
    if (!f->d.node_name[0]) {
        ovs_fatal(0, "--node-name is empty");
    }
    f->d.node_routes = f->routes;
}

int
main(int argc, char *argv[])
{
    struct kube_config config;
    struct kube_client *client;
    struct node_ovs *ovs;
    struct daemon d;
    struct kovn_error err;
    struct flags f;

    cmdline_init(argv[0]);
    parse_flags(argc, argv, &f);
    cmdline_start_daemon();
    cmdline_catch_stop_signals();

    kube_config_init(&config);
    if (kube_config_load(f.kubeconfig, NULL, &config, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    struct kube_client_options copts = {
        .qps = 100,
        .burst = 200,
        .user_agent = "kovn-daemon",
    };
    client = kube_client_create(&config, &copts, &err);
    if (!client) {
        ovs_fatal(0, "%s", err.msg);
    }
    ovs = node_ovs_create(f.ovs_db);
    if (daemon_init(&d, &f.d, client, ovs, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    VLOG_INFO("kovn-daemon started for node %s; CNI on %s, OVS at %s",
              f.d.node_name, f.d.cni_socket, f.ovs_db);

    while (!cmdline_stop_requested()) {
        kube_client_run(client);
        daemon_run(&d);

        kube_client_wait(client);
        daemon_wait(&d);
        cmdline_stop_wait();
        poll_block();
    }

    VLOG_INFO("stopping");
    daemon_destroy(&d);
    node_ovs_destroy(ovs);
    kube_client_destroy(client);
    kube_config_destroy(&config);
    return 0;
}
