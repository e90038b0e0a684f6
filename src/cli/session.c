/* Opening a command's client, OVN rows and cluster lists; see session.h. */
#include <config.h>

#include "cli/session.h"

#include <string.h>

#include "cli/commands.h"
#include "kube/rest.h"

int
cli_session_open(struct cli_session *session,
                 const struct cli_options *options, unsigned int load,
                 struct kovn_error *err)
{
    int error;

    memset(session, 0, sizeof *session);
    error = cli_cluster_client(options->kubeconfig, options->context,
                               &session->client, err);
    if (error) {
        return error;
    }
    if (options->ovn_nb) {
        session->ovn = true;
        load |= CLI_LOAD_OWNERS;
        error = cli_stale_open(&session->stale, options->ovn_nb, err);
        if (error) {
            return error;
        }
    }
    session->loaded = true;
    return cli_cluster_load(&session->cluster, session->client,
                            options->default_vpc, options->default_subnet,
                            load, err);
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
    kube_client_destroy(session->client);
    memset(session, 0, sizeof *session);
}
