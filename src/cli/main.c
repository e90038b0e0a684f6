/* kubectl-kovn: finds and cleans up what kovn cannot reconcile.  Also a
 * kubectl plugin: on PATH, `kubectl kovn ...` runs it.  This file only
 * parses the command line and dispatches to commands.h. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "crd/names.h"
#include "openvswitch/vlog.h"
#include "util.h"

static const char usage_text[] =
    "Usage: kubectl-kovn COMMAND [FLAGS]\n"
    "       kubectl kovn COMMAND [FLAGS]   (as a kubectl plugin)\n"
    "\n"
    "Finds and cleans up what kovn cannot reconcile.\n"
    "\n"
    "Commands:\n"
    "  orphans  List subnets whose VPC does not exist, with the pods still\n"
    "           using them and what to do about each.\n"
    "  check    Pre-upgrade check: orphaned subnets, VPCs and subnets\n"
    "           stuck deleting and why, stale OVN rows (with --ovn-nb),\n"
    "           namespaces whose annotations are missing or wrong or name\n"
    "           a missing subnet.  With --kube-ovn, also Kube-OVN's OVN\n"
    "           rows, addresses a takeover could not keep, and what it\n"
    "           would adopt.\n"
    "  gc       Delete orphaned subnets no pod uses and, with --ovn-nb,\n"
    "           kovn's OVN rows whose owner is gone.\n"
    "  topology The Vpcs, their subnets, the namespaces each binds (and\n"
    "           how) with pods per node, gateways, VPC peerings, and every\n"
    "           problem with its reason: orphaned or invalid subnets, Vpc\n"
    "           deletions blocked by subnets, namespaces with no usable\n"
    "           subnet, subnets at least 90% full, stale OVN rows (with\n"
    "           --ovn-nb).  A text tree, or -o json|dot|svg (svg laid out\n"
    "           by Graphviz).\n"
    "  trace NAMESPACE/POD DESTINATION [tcp|udp|icmp] [PORT]\n"
    "           Where a packet from the pod goes in OVN and why: ovn-trace\n"
    "           over the logical flows, explained in kovn's terms (the\n"
    "           Subnets and Vpcs crossed, the Service load balancer, the\n"
    "           route or policy route, the ACL and whose it is: a\n"
    "           NetworkPolicy, a private Subnet).  DESTINATION is an IP\n"
    "           address, NAMESPACE/POD, or a Service as svc/NAMESPACE/NAME\n"
    "           (or NAMESPACE/NAME when no pod has that name).  Default:\n"
    "           tcp to the Service's first port, else to port 80.  Needs\n"
    "           --ovn-nb and --ovn-sb; -v also prints ovn-trace's output.\n"
    "           With --ovs, also ofproto/trace on the pod's node: what its\n"
    "           OVS datapath does (output to which port or tunnel, or\n"
    "           drop), and whether that disagrees with OVN.\n"
    "  compat   Which fields of Kube-OVN's v1 API kovn implements (a\n"
    "           Markdown table; objects using the others get condition\n"
    "           Supported=False).\n"
    "  help     Show this help.\n"
    "\n"
    "Flags:\n"
    "      --kubeconfig PATH      kubeconfig to use (default: $KUBECONFIG,\n"
    "                             then ~/.kube/config, as kubectl)\n"
    "      --context NAME         kubeconfig context (default: current)\n"
    "  -o, --output FORMAT        table (default) or json   [orphans, check]\n"
    "                             tree (default), json, dot or svg\n"
    "                                                       [topology]\n"
    "      --vpc NAME             only this Vpc, its subnets and their\n"
    "                             namespaces                [topology]\n"
    "      --namespace NAME       only this namespace, its subnets (used or\n"
    "                             set aside) and their Vpcs [topology]\n"
    "      --ovn-nb REMOTE        OVN NB database, e.g. tcp:10.0.0.1:6641\n"
    "                             (default: $KOVN_OVN_NB; unset: OVN is not\n"
    "                             looked at)   [check, gc, topology,\n"
    "                             trace]\n"
    "      --ovn-sb REMOTE        OVN SB database, for ovn-trace (default:\n"
    "                             $KOVN_OVN_SB)             [trace]\n"
    "      --ovs PATH             the pod's node's OVS run dir (with\n"
    "                             ovs-vswitchd's control socket and\n"
    "                             db.sock) or ovs-vswitchd's control socket,\n"
    "                             for ofproto/trace (default: $KOVN_OVS;\n"
    "                             unset or not answering: skipped)\n"
    "                                                       [trace]\n"
    "      --kube-ovn             the cluster runs Kube-OVN: report what\n"
    "                             kovn-controller --adopt-kube-ovn would\n"
    "                             adopt and what stands in its way [check]\n"
    "      --dry-run              print what would be deleted, change\n"
    "                             nothing                   [gc]\n"
    "      --default-vpc NAME     the cluster's default VPC, for subnets\n"
    "                             without spec.vpc (default " CRD_DEFAULT_VPC
    ")\n"
    "      --default-subnet NAME  the cluster's default subnet "
    "(default " CRD_DEFAULT_SUBNET ")\n"
    "  -q, --quiet, --no-progress no progress line on stderr (there is\n"
    "                             none when stderr is not a terminal)\n"
    "  -v, --verbose              log OVN and connection details to stderr\n"
    "                             [trace: and print ovn-trace's and\n"
    "                             ofproto/trace's output]\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Exit status: 0 success (check: nothing found), 1 check found problems,\n"
    "2 usage error or failure (API server or OVN unreachable, ...).\n";

enum {
    OPT_KUBECONFIG = 256,
    OPT_CONTEXT,
    OPT_OVN_NB,
    OPT_DRY_RUN,
    OPT_DEFAULT_VPC,
    OPT_DEFAULT_SUBNET,
    OPT_KUBE_OVN,
    OPT_VPC,
    OPT_NAMESPACE,
    OPT_OVN_SB,
    OPT_OVS,
};

/* Which flags each command accepts beyond the common ones. */
enum {
    ALLOW_OUTPUT = 1 << 0,
    ALLOW_OVN_NB = 1 << 1,
    ALLOW_DRY_RUN = 1 << 2,
    ALLOW_KUBE_OVN = 1 << 3,
    ALLOW_FILTERS = 1 << 4,
    /* -o tree|dot|svg rather than table|json. */
    ALLOW_GRAPH = 1 << 5,
    ALLOW_OVN_SB = 1 << 6,
    /* Positional arguments after the command. */
    ALLOW_ARGS = 1 << 7,
    ALLOW_OVS = 1 << 8,
};

struct command {
    const char *name;
    int (*run)(const struct cli_options *);
    unsigned int allowed;
};

static const char *const flag_names[] = {"-o/--output",
                                         "--ovn-nb",
                                         "--dry-run",
                                         "--kube-ovn",
                                         "--vpc/--namespace",
                                         "",
                                         "--ovn-sb",
                                         "",
                                         "--ovs"};

static const struct command commands[] = {
    {"orphans", cli_orphans_command, ALLOW_OUTPUT},
    {"check", cli_check_command, ALLOW_OUTPUT | ALLOW_OVN_NB | ALLOW_KUBE_OVN},
    {"gc", cli_gc_command, ALLOW_OVN_NB | ALLOW_DRY_RUN},
    {"compat", cli_compat_command, 0},
    {"topology", cli_topology_command,
     ALLOW_OUTPUT | ALLOW_OVN_NB | ALLOW_FILTERS | ALLOW_GRAPH},
    {"trace", cli_trace_command,
     ALLOW_OVN_NB | ALLOW_OVN_SB | ALLOW_ARGS | ALLOW_OVS},
};

static int
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kubectl-kovn: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage_text);
    return CLI_EXIT_ERROR;
}

/* A flag left out takes environment variable 'name' (when set and not
 * empty), for commands that accept the flag. */
static void
from_env(const char **value, const struct command *command, unsigned int flag,
         const char *name)
{
    const char *env = getenv(name);

    if (!*value && (command->allowed & flag) && env && *env) {
        *value = env;
    }
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
        {"context", required_argument, NULL, OPT_CONTEXT},
        {"output", required_argument, NULL, 'o'},
        {"ovn-nb", required_argument, NULL, OPT_OVN_NB},
        {"ovn-sb", required_argument, NULL, OPT_OVN_SB},
        {"ovs", required_argument, NULL, OPT_OVS},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"kube-ovn", no_argument, NULL, OPT_KUBE_OVN},
        {"vpc", required_argument, NULL, OPT_VPC},
        {"namespace", required_argument, NULL, OPT_NAMESPACE},
        {"default-vpc", required_argument, NULL, OPT_DEFAULT_VPC},
        {"default-subnet", required_argument, NULL, OPT_DEFAULT_SUBNET},
        {"quiet", no_argument, NULL, 'q'},
        {"no-progress", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_options options = {
        .output = CLI_OUTPUT_TABLE,
        .default_vpc = CRD_DEFAULT_VPC,
        .default_subnet = CRD_DEFAULT_SUBNET,
    };
    const struct command *command = NULL;
    const char *output = NULL;
    unsigned int given = 0;
    bool verbose = false;
    int c;

    set_program_name(argv[0]);
    opterr = 0; /* Our own messages, then the usage. */
    while ((c = getopt_long(argc, argv, ":o:qvh", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_KUBECONFIG:
            options.kubeconfig = optarg;
            break;
        case OPT_CONTEXT:
            options.context = optarg;
            break;
        case 'o':
            output = optarg;
            given |= ALLOW_OUTPUT;
            break;
        case OPT_OVN_NB:
            options.ovn_nb = optarg;
            given |= ALLOW_OVN_NB;
            break;
        case OPT_OVN_SB:
            options.ovn_sb = optarg;
            given |= ALLOW_OVN_SB;
            break;
        case OPT_OVS:
            options.ovs = optarg;
            given |= ALLOW_OVS;
            break;
        case OPT_DRY_RUN:
            options.dry_run = true;
            given |= ALLOW_DRY_RUN;
            break;
        case OPT_KUBE_OVN:
            options.kube_ovn = true;
            given |= ALLOW_KUBE_OVN;
            break;
        case OPT_VPC:
            options.vpc = optarg;
            given |= ALLOW_FILTERS;
            break;
        case OPT_NAMESPACE:
            options.namespace = optarg;
            given |= ALLOW_FILTERS;
            break;
        case OPT_DEFAULT_VPC:
            options.default_vpc = optarg;
            break;
        case OPT_DEFAULT_SUBNET:
            options.default_subnet = optarg;
            break;
        case 'q':
            options.quiet = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return CLI_EXIT_OK;
        case ':':
            return usage_error("flag %s needs a value", argv[optind - 1]);
        default:
            if (optopt) {
                char flag[3] = {'-', (char)optopt, '\0'};
                return usage_error("unknown flag %s", flag);
            }
            return usage_error("unknown flag %s", argv[optind - 1]);
        }
    }

    if (optind == argc) {
        return usage_error("%s", "no command given");
    }
    if (!strcmp(argv[optind], "help")) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(argv[optind], commands[i].name)) {
            command = &commands[i];
        }
    }
    if (!command) {
        return usage_error("unknown command \"%s\"", argv[optind]);
    }
    if (command->allowed & ALLOW_ARGS) {
        options.args = &argv[optind + 1];
        options.n_args = argc - optind - 1;
    } else if (optind + 1 < argc) {
        return usage_error("unexpected argument \"%s\"", argv[optind + 1]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
        if (given & ~command->allowed & (1u << i)) {
            fprintf(stderr, "kubectl-kovn: %s does not apply to %s\n\n%s",
                    flag_names[i], command->name, usage_text);
            return CLI_EXIT_ERROR;
        }
    }
    if (output && !strcmp(output, "json")) {
        options.output = CLI_OUTPUT_JSON;
    } else if (output && (command->allowed & ALLOW_GRAPH)) {
        if (!strcmp(output, "dot")) {
            options.output = CLI_OUTPUT_DOT;
        } else if (!strcmp(output, "svg")) {
            options.output = CLI_OUTPUT_SVG;
        } else if (strcmp(output, "tree")) {
            return usage_error("unknown output format \"%s\" (tree, json, "
                               "dot or svg)",
                               output);
        }
    } else if (output && strcmp(output, "table")) {
        return usage_error("unknown output format \"%s\" (table or json)",
                           output);
    }
    from_env(&options.ovn_nb, command, ALLOW_OVN_NB, "KOVN_OVN_NB");
    from_env(&options.ovn_sb, command, ALLOW_OVN_SB, "KOVN_OVN_SB");
    from_env(&options.ovs, command, ALLOW_OVS, "KOVN_OVS");
    options.verbose = verbose;
    if (!*options.default_vpc || !*options.default_subnet) {
        return usage_error("%s", "--default-vpc and --default-subnet need a "
                                 "name");
    }

    /* OVS libraries log reconnects and the like; a CLI shows only its own
     * messages unless asked. */
    vlog_set_levels(NULL, VLF_SYSLOG, VLL_OFF);
    vlog_set_levels(NULL, VLF_FILE, VLL_OFF);
    vlog_set_levels(NULL, VLF_CONSOLE, verbose ? VLL_INFO : VLL_OFF);
    return command->run(&options);
}
