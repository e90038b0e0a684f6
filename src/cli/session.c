/* Opening a command's client, OVN rows and cluster lists; see session.h. */
#include <config.h>

#include "cli/session.h"

#include <string.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "kube/rest.h"

int
cli_session_open(struct cli_session *session,
                 const struct cli_options *options, unsigned int load,
                 struct kovn_error *err)
{
    int error;

    memset(session, 0, sizeof *session);
    session->progress = cli_progress_create(stderr, options->quiet);
    error = cli_cluster_client(options->kubeconfig, options->context,
                               &session->client, err);
    if (error) {
        return error;
    }
    if (options->ovn_nb) {
        session->ovn = true;
        load |= CLI_LOAD_OWNERS;
        cli_progress_phase(session->progress, "reading OVN NB");
        error = cli_stale_open(&session->stale, options->ovn_nb, err);
        cli_progress_clear(session->progress);
        if (error) {
            return error;
        }
    }
    session->loaded = true;
    error = cli_cluster_load(&session->cluster, session->client,
                             options->default_vpc, options->default_subnet,
                             load, session->progress, err);
    if (!error && session->ovn && options->kube_ovn) {
        /* The replica is as it was read before the lists (the CLI does not
         * run the IDL meanwhile), so the verdicts are as safe as stale.h
         * explains. */
        ovn_adopt_list(session->stale.nb, options->default_vpc,
                       cli_stale_owner_exists, &session->cluster,
                       &session->kube_ovn_rows);
    }
    return error;
}

void
cli_session_close(struct cli_session *session)
{
    if (session->loaded) {
        cli_cluster_destroy(&session->cluster);
    }
    if (session->ovn) {
        cli_stale_close(&session->stale);
    }
    ovn_adopt_list_destroy(&session->kube_ovn_rows);
    kube_client_destroy(session->client);
    cli_progress_destroy(session->progress);
    memset(session, 0, sizeof *session);
}
