/* The subcommands of kubectl-kovn and the options main() parses for them.
 * Each command prints its own output and returns the process exit code. */
#ifndef KOVN_CLI_COMMANDS_H
#define KOVN_CLI_COMMANDS_H 1

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, as documented in the usage text. */
#define CLI_EXIT_OK       0
#define CLI_EXIT_FINDINGS 1 /* check found something. */
#define CLI_EXIT_ERROR    2 /* Usage error, or the work could not be done. */

/* How long to wait for OVN NB to answer or confirm a transaction. */
#define CLI_OVN_TIMEOUT_MS 15000

enum cli_output {
    CLI_OUTPUT_TABLE,
    CLI_OUTPUT_JSON,
    CLI_OUTPUT_DOT, /* Graphviz DOT text [topology] */
    CLI_OUTPUT_SVG, /* DOT laid out by libgvc [topology] */
};

struct cli_options {
    const char *kubeconfig; /* --kubeconfig, or NULL for kubectl's lookup. */
    const char *context;    /* --context, or NULL for current-context. */
    enum cli_output output;
    const char *ovn_nb; /* --ovn-nb or $KOVN_OVN_NB; NULL: skip OVN. */
    const char *default_vpc;
    const char *default_subnet;
    bool dry_run;
    /* --kube-ovn: the cluster is (or was) run by Kube-OVN; check reports
     * what kovn-controller --adopt-kube-ovn would take over. */
    bool kube_ovn;
    const char *vpc;       /* --vpc: only this Vpc [topology] */
    const char *namespace; /* --namespace: only this namespace [topology] */
    /* --quiet/--no-progress: no progress line on stderr even on a
     * terminal (there is none when stderr is not one). */
    bool quiet;
    const char *ovn_sb; /* --ovn-sb or $KOVN_OVN_SB [trace] */
    /* --ovs or $KOVN_OVS: the pod's node's OVS run dir or ovs-vswitchd
     * control socket, for ofproto/trace; NULL: skip it [trace] */
    const char *ovs;
    bool verbose; /* -v: also the raw output of tools [trace] */
    char **args;  /* The arguments after the command. */
    size_t n_args;
};

int cli_orphans_command(const struct cli_options *options);
int cli_check_command(const struct cli_options *options);
int cli_gc_command(const struct cli_options *options);
int cli_compat_command(const struct cli_options *options);
int cli_topology_command(const struct cli_options *options);
int cli_trace_command(const struct cli_options *options);

#endif /* KOVN_CLI_COMMANDS_H */
