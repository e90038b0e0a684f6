/* Everything one command run works on: the API client, the listed
 * cluster and, when an OVN NB remote is given, kovn's OVN rows, opened in
 * the order that keeps the verdicts safe (OVN rows before the lists they
 * are judged against; see stale.h). */
#ifndef KOVN_CLI_SESSION_H
#define KOVN_CLI_SESSION_H 1

#include <stdbool.h>

#include "cli/cluster.h"
#include "cli/stale.h"
#include "ovn/adopt.h"

struct cli_options;
struct cli_progress;
struct kovn_error;
struct kube_client;

struct cli_session {
    struct kube_client *client;
    struct cli_cluster cluster;
    bool loaded; /* 'cluster' is initialized. */
    struct cli_stale stale;
    bool ovn; /* 'stale' is open: an OVN NB remote was given. */
    /* --kube-ovn with an OVN NB remote: Kube-OVN's rows, judged against
     * the lists as kovn-controller --adopt-kube-ovn would judge them. */
    struct ovn_adopt_list kube_ovn_rows;
    /* On stderr if it is a terminal and --quiet was not given: the lists
     * as they are read, then whatever the command reports on it. */
    struct cli_progress *progress;
};

/* Connects as 'options' say and lists what 'load' (enum cli_load bits)
 * asks for; an OVN NB remote in 'options' adds CLI_LOAD_OWNERS.  Close
 * 'session' even on error. */
int cli_session_open(struct cli_session *session,
                     const struct cli_options *options, unsigned int load,
                     struct kovn_error *err);
void cli_session_close(struct cli_session *session);

#endif /* KOVN_CLI_SESSION_H */
