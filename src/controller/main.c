/* kovn-controller: flags, then the poll loop that runs the informers,
 * reconcilers, leader election, garbage collection and HTTP endpoints. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cmdline.h"
#include "base/error.h"
#include "controller/controller.h"
#include "controller/gc.h"
#include "controller/server.h"
#include "controller/startup.h"
#include "crd/names.h"
#include "crd/subnet.h"
#include "kube/kubeconfig.h"
#include "kube/lease.h"
#include "kube/rest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/nb.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(main);

struct flags {
    const char *kubeconfig;
    const char *ovn_nb;
    struct controller_options ctl;
    bool apply_crds;
    bool leader_elect;
    const char *lease_namespace;
    const char *lease_name;
    long long lease_duration_ms, renew_deadline_ms, retry_period_ms;
    struct server_options server;
    double qps;
    int burst;
    /* Until the webhook's certificate and key are known to be there. */
    const char *webhook_address;
    int webhook_port; /* -1: no webhook. */
};

enum {
    OPT_KUBECONFIG = 256,
    OPT_OVN_NB,
    OPT_DEFAULT_VPC,
    OPT_DEFAULT_SUBNET,
    OPT_DEFAULT_CIDR,
    OPT_DEFAULT_GATEWAY,
    OPT_JOIN_SUBNET,
    OPT_JOIN_CIDR,
    OPT_NO_DEFAULTS,
    OPT_NO_CRDS,
    OPT_GC_ORPHANS,
    OPT_ADOPT_KUBE_OVN,
    OPT_ORPHAN_GRACE,
    OPT_GC_INTERVAL,
    OPT_NO_LEADER,
    OPT_LEASE_NS,
    OPT_LEASE_NAME,
    OPT_LEASE_DURATION,
    OPT_RENEW,
    OPT_RETRY,
    OPT_METRICS_ADDR,
    OPT_METRICS_PORT,
    OPT_WEBHOOK_PORT,
    OPT_WEBHOOK_ADDR,
    OPT_WEBHOOK_CERT,
    OPT_WEBHOOK_KEY,
    OPT_EVENT_NS,
    OPT_QPS,
    OPT_BURST,
    OPT_PORT_LIMIT,
    OPT_NB_LINGER,
};

static void
usage(void)
{
    printf("usage: kovn-controller [OPTION]...\n"
           "Reconciles kubeovn.io Vpcs, Subnets and Namespaces into OVN.\n\n"
           "  --kubeconfig=PATH          kubeconfig (default: $KUBECONFIG, "
           "~/.kube/config, in-cluster)\n"
           "  --ovn-nb=REMOTES           OVN NB remotes, e.g. "
           "unix:/run/ovn/ovnnb_db.sock (required)\n"
           "  --default-vpc=NAME         default VPC (ovn-cluster)\n"
           "  --default-subnet=NAME      default subnet (ovn-default)\n"
           "  --default-cidr=CIDR        its CIDR (10.16.0.0/16)\n"
           "  --default-gateway=IP       its gateway (10.16.0.1)\n"
           "  --join-subnet=NAME         node subnet (join; \"\" for none)\n"
           "  --join-cidr=CIDR           its CIDR (100.64.0.0/16)\n"
           "  --no-create-defaults       do not create the defaults\n"
           "  --no-apply-crds            do not create absent CRDs\n"
           "  --gc-orphaned-subnets      delete unused orphaned subnets\n"
           "  --adopt-kube-ovn           take over Kube-OVN's OVN rows and "
           "finalizers\n"
           "                             (stop kube-ovn-controller first)\n"
           "  --orphan-grace=DURATION    ...after this long (10m)\n"
           "  --gc-interval=DURATION     OVN owner sweep period (360s)\n"
           "  --no-leader-elect          run without a Lease\n"
           "  --lease-namespace=NS       Lease namespace (kube-system)\n"
           "  --lease-name=NAME          Lease name (kovn-controller)\n"
           "  --lease-duration=DURATION  (15s)  --renew-deadline=D (10s)  "
           "--retry-period=D (2s)\n"
           "  --metrics-address=IP       /metrics, /healthz, /readyz and the "
           "/ui page\n"
           "                             (127.0.0.1; elsewhere /ui asks for "
           "a token that\n"
           "                             may list subnets)\n"
           "  --metrics-port=PORT        (10660; 0 picks one)\n"
           "  --webhook-port=PORT        admission webhook HTTPS port (off)\n"
           "  --webhook-address=IP       (127.0.0.1)\n"
           "  --webhook-cert=FILE --webhook-key=FILE   its PEM files\n"
           "  --event-namespace=NS       Events of cluster objects (default)\n"
           "  --switch-port-limit=N      ports one OVN logical switch holds "
           "(32767;\n"
           "                             4095 with VXLAN encapsulation)\n"
           "  --ovn-nb-linger=DURATION   under a stream of NB changes, "
           "wait this long\n"
           "                             after each answer before the next "
           "transaction\n"
           "                             (50ms; 0: at once)\n"
           "  --kube-api-qps=N --kube-api-burst=N  a fixed client rate "
           "limit (default:\n"
           "                             none; requests in flight adapt "
           "to the API\n"
           "                             server's answers, up to 64)\n"
           "  -v, --verbose              debug logging\n"
           "  -h, --help\n"
           "Durations: a number with ms, s, m or h (plain numbers are "
           "seconds).\n");
}

static void
parse_flag(int option, const char *name, const char *arg, void *f_)
{
    struct flags *f = f_;

    switch (option) {
    case OPT_KUBECONFIG:
        f->kubeconfig = arg;
        break;
    case OPT_OVN_NB:
        f->ovn_nb = arg;
        break;
    case OPT_DEFAULT_VPC:
        f->ctl.default_vpc = arg;
        break;
    case OPT_DEFAULT_SUBNET:
        f->ctl.default_subnet = arg;
        break;
    case OPT_DEFAULT_CIDR:
        f->ctl.default_cidr = arg;
        break;
    case OPT_DEFAULT_GATEWAY:
        f->ctl.default_gateway = arg;
        break;
    case OPT_JOIN_SUBNET:
        f->ctl.join_subnet = arg;
        break;
    case OPT_JOIN_CIDR:
        f->ctl.join_cidr = arg;
        break;
    case OPT_NO_DEFAULTS:
        f->ctl.create_defaults = false;
        break;
    case OPT_NO_CRDS:
        f->apply_crds = false;
        break;
    case OPT_GC_ORPHANS:
        f->ctl.gc_orphaned_subnets = true;
        break;
    case OPT_ADOPT_KUBE_OVN:
        f->ctl.adopt_kube_ovn = true;
        break;
    case OPT_ORPHAN_GRACE:
        f->ctl.orphan_grace_ms = cmdline_duration(name, arg);
        break;
    case OPT_GC_INTERVAL:
        f->ctl.gc_interval_ms = cmdline_duration(name, arg);
        if (f->ctl.gc_interval_ms < 100) {
            ovs_fatal(0, "--gc-interval must be at least 100ms");
        }
        break;
    case OPT_NO_LEADER:
        f->leader_elect = false;
        break;
    case OPT_LEASE_NS:
        f->lease_namespace = arg;
        break;
    case OPT_LEASE_NAME:
        f->lease_name = arg;
        break;
    case OPT_LEASE_DURATION:
        f->lease_duration_ms = cmdline_duration(name, arg);
        break;
    case OPT_RENEW:
        f->renew_deadline_ms = cmdline_duration(name, arg);
        break;
    case OPT_RETRY:
        f->retry_period_ms = cmdline_duration(name, arg);
        break;
    case OPT_METRICS_ADDR:
        f->server.metrics_address = arg;
        break;
    case OPT_METRICS_PORT:
        f->server.metrics_port = cmdline_int(name, arg, 0, 65535);
        break;
    case OPT_WEBHOOK_PORT:
        f->webhook_port = cmdline_int(name, arg, 0, 65535);
        break;
    case OPT_WEBHOOK_ADDR:
        f->webhook_address = arg;
        break;
    case OPT_WEBHOOK_CERT:
        f->server.webhook_cert = arg;
        break;
    case OPT_WEBHOOK_KEY:
        f->server.webhook_key = arg;
        break;
    case OPT_EVENT_NS:
        f->ctl.event_namespace = arg;
        break;
    case OPT_QPS:
        f->qps = cmdline_int(name, arg, 1, 100000);
        break;
    case OPT_BURST:
        f->burst = cmdline_int(name, arg, 1, 100000);
        break;
    case OPT_NB_LINGER:
        f->ctl.nb_linger_ms = cmdline_duration(name, arg);
        break;
    case OPT_PORT_LIMIT:
        f->ctl.switch_port_limit =
            cmdline_int(name, arg, 2, OVN_SWITCH_PORT_LIMIT);
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
        {"ovn-nb", required_argument, NULL, OPT_OVN_NB},
        {"default-vpc", required_argument, NULL, OPT_DEFAULT_VPC},
        {"default-subnet", required_argument, NULL, OPT_DEFAULT_SUBNET},
        {"default-cidr", required_argument, NULL, OPT_DEFAULT_CIDR},
        {"default-gateway", required_argument, NULL, OPT_DEFAULT_GATEWAY},
        {"join-subnet", required_argument, NULL, OPT_JOIN_SUBNET},
        {"join-cidr", required_argument, NULL, OPT_JOIN_CIDR},
        {"no-create-defaults", no_argument, NULL, OPT_NO_DEFAULTS},
        {"no-apply-crds", no_argument, NULL, OPT_NO_CRDS},
        {"gc-orphaned-subnets", no_argument, NULL, OPT_GC_ORPHANS},
        {"adopt-kube-ovn", no_argument, NULL, OPT_ADOPT_KUBE_OVN},
        {"orphan-grace", required_argument, NULL, OPT_ORPHAN_GRACE},
        {"gc-interval", required_argument, NULL, OPT_GC_INTERVAL},
        {"no-leader-elect", no_argument, NULL, OPT_NO_LEADER},
        {"lease-namespace", required_argument, NULL, OPT_LEASE_NS},
        {"lease-name", required_argument, NULL, OPT_LEASE_NAME},
        {"lease-duration", required_argument, NULL, OPT_LEASE_DURATION},
        {"renew-deadline", required_argument, NULL, OPT_RENEW},
        {"retry-period", required_argument, NULL, OPT_RETRY},
        {"metrics-address", required_argument, NULL, OPT_METRICS_ADDR},
        {"metrics-port", required_argument, NULL, OPT_METRICS_PORT},
        {"webhook-port", required_argument, NULL, OPT_WEBHOOK_PORT},
        {"webhook-address", required_argument, NULL, OPT_WEBHOOK_ADDR},
        {"webhook-cert", required_argument, NULL, OPT_WEBHOOK_CERT},
        {"webhook-key", required_argument, NULL, OPT_WEBHOOK_KEY},
        {"event-namespace", required_argument, NULL, OPT_EVENT_NS},
        {"switch-port-limit", required_argument, NULL, OPT_PORT_LIMIT},
        {"ovn-nb-linger", required_argument, NULL, OPT_NB_LINGER},
        {"kube-api-qps", required_argument, NULL, OPT_QPS},
        {"kube-api-burst", required_argument, NULL, OPT_BURST},
        CMDLINE_OPTIONS_VERBOSE_HELP,
        {NULL, 0, NULL, 0},
    };

    *f = (struct flags){
        .ctl =
            {
                .default_vpc = CRD_DEFAULT_VPC,
                .default_subnet = CRD_DEFAULT_SUBNET,
                .default_cidr = CRD_DEFAULT_SUBNET_CIDR,
                .default_gateway = CRD_DEFAULT_SUBNET_GATEWAY,
                .join_subnet = CRD_JOIN_SUBNET,
                .join_cidr = CRD_JOIN_SUBNET_CIDR,
                .create_defaults = true,
                .orphan_grace_ms = 10 * 60 * 1000,
                .gc_interval_ms = 360 * 1000,
                .event_namespace = "default",
                .switch_port_limit = OVN_SWITCH_PORT_LIMIT,
                .nb_linger_ms = 50,
            },
        .apply_crds = true,
        .leader_elect = true,
        .lease_namespace = "kube-system",
        .lease_name = "kovn-controller",
        .server =
            {
                .metrics_address = "127.0.0.1",
                .metrics_port = 10660,
                .webhook_address = NULL,
            },
        .qps = KUBE_CLIENT_NO_RATE,
        .burst = 1000,
        .webhook_address = "127.0.0.1",
        .webhook_port = -1,
    };
    cmdline_parse(argc, argv, options, usage, parse_flag, f);
    if (!f->ovn_nb) {
        ovs_fatal(0, "--ovn-nb is required (see --help)");
    }
    if (f->webhook_port >= 0) {
        if (!f->server.webhook_cert || !f->server.webhook_key) {
            ovs_fatal(0, "--webhook-port needs --webhook-cert and "
                         "--webhook-key");
        }
        f->server.webhook_address = f->webhook_address;
        f->server.webhook_port = f->webhook_port;
    }
}

struct leading {
    bool leader;
    struct controller *ctl;
};

static void
started_leading(void *l)
{
    VLOG_INFO("became the leader: reconciling");
    ((struct leading *)l)->leader = true;
}

static void
stopped_leading(void *l)
{
    /* Workers stop at once; reconciles in flight finish their writes,
     * which carry resourceVersion preconditions against a new leader's. */
    struct leading *leading = l;

    VLOG_WARN("lost leadership: reconcilers stopped");
    leading->leader = false;
    controller_stopped_leading(leading->ctl);
}

int
main(int argc, char *argv[])
{
    struct kube_config config;
    struct kube_client *client;
    struct controller ctl;
    struct server *server;
    struct kube_lease *lease = NULL;
    struct leading leading = {false, &ctl};
    struct kovn_error err;
    struct flags f;
    bool defaults_done = false;

    cmdline_init(argv[0]);
    parse_flags(argc, argv, &f);
    cmdline_catch_stop_signals();

    kube_config_init(&config);
    if (kube_config_load(f.kubeconfig, NULL, &config, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    struct kube_client_options copts = {
        .qps = f.qps,
        .burst = f.burst,
        .user_agent = "kovn-controller",
    };
    client = kube_client_create(&config, &copts, &err);
    if (!client) {
        ovs_fatal(0, "%s", err.msg);
    }
    if (f.apply_crds) {
        int error;
        /* The API server may still be starting; CRDs come before all. */
        for (int attempt = 0; (error = startup_apply_crds(client, &err));
             attempt++) {
            if (attempt >= 30) {
                ovs_fatal(0, "applying CRDs: %s", err.msg);
            }
            VLOG_WARN("applying CRDs: %s (retrying)", err.msg);
            sleep(1);
        }
    }

    struct ovn_nb *nb = ovn_nb_create(f.ovn_nb);
    controller_init(&ctl, &f.ctl, client, nb);
    if (server_create(&f.server, &ctl, &server, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    if (f.leader_elect) {
        struct kube_lease_options lopts = {
            .namespace = f.lease_namespace,
            .name = f.lease_name,
            .lease_duration_ms = f.lease_duration_ms,
            .renew_deadline_ms = f.renew_deadline_ms,
            .retry_period_ms = f.retry_period_ms,
            .started_leading = started_leading,
            .stopped_leading = stopped_leading,
            .aux = &leading,
        };
        lease = kube_lease_create(client, &lopts);
        VLOG_INFO("leader election as %s on lease %s/%s",
                  kube_lease_identity(lease), f.lease_namespace, f.lease_name);
    } else {
        leading.leader = true;
    }
    VLOG_INFO("kovn-controller started; metrics on %s:%d",
              f.server.metrics_address ? f.server.metrics_address : "-",
              server_metrics_port(server));

    while (!cmdline_stop_requested()) {
        bool synced = controller_synced(&ctl);

        if (lease) {
            kube_lease_run(lease);
        }
        kube_client_run(client);
        if (leading.leader && synced && !defaults_done) {
            defaults_done =
                !f.ctl.create_defaults || startup_ensure_defaults(&ctl);
            if (defaults_done) {
                VLOG_INFO("caches synced and defaults in place");
            }
        }
        bool ready = leading.leader && synced && defaults_done;
        /* The webhook must answer while the defaults are being created:
         * the API server asks it about them.  Nothing reconciles before
         * they exist: every namespace would be found without a subnet
         * (10,000 Warning Events on a first start) and every node without
         * a join address, then all of it again once they came. */
        server_run(server, leading.leader && synced);
        controller_run(&ctl, ready);
        if (ready) {
            gc_run(&ctl);
        }

        if (lease) {
            kube_lease_wait(lease);
        }
        kube_client_wait(client);
        controller_wait(&ctl, ready);
        server_wait(server);
        if (ready) {
            gc_wait(&ctl);
        }
        if (leading.leader && synced && !defaults_done) {
            poll_timer_wait(200);
        }
        cmdline_stop_wait();
        poll_block();
    }

    /* A clean stop hands the Lease over at once; kill -9 cannot, and then
     * a standby waits out the lease duration. */
    VLOG_INFO("stopping");
    if (lease && kube_lease_release(lease)) {
        VLOG_WARN("could not release the lease; a standby takes over when "
                  "it expires");
    }
    server_destroy(server);
    kube_lease_destroy(lease);
    controller_destroy(&ctl);
    ovn_nb_destroy(nb);
    kube_client_destroy(client);
    kube_config_destroy(&config);
    return 0;
}
