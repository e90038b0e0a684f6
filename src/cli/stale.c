/* Stale kovn rows in OVN NB, judged against the listed cluster; see
 * stale.h. */
#include <config.h>

#include "cli/stale.h"

#include <string.h>

#include "base/error.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "util.h"

static bool
never_exists(const struct ovn_owner *owner, void *aux)
{
    (void)owner;
    (void)aux;
    return false;
}

int
cli_stale_open(struct cli_stale *stale, const char *remote,
               struct kovn_error *err)
{
    int error;

    memset(&stale->owned, 0, sizeof stale->owned);
    stale->nb = ovn_nb_create(remote);
    error = ovn_nb_wait_ready(stale->nb, CLI_OVN_TIMEOUT_MS, err);
    if (error) {
        kovn_error_prefix(err, "%s: ", remote);
        return error;
    }
    /* Every owned row, whatever its owner: judged after the lists. */
    ovn_list_stale(stale->nb, never_exists, NULL, &stale->owned);
    return 0;
}

void
cli_stale_close(struct cli_stale *stale)
{
    ovn_stale_list_destroy(&stale->owned);
    ovn_nb_destroy(stale->nb);
    stale->nb = NULL;
}

bool
cli_stale_owner_exists(const struct ovn_owner *owner, void *cluster_)
{
    const struct cli_cluster *cluster = cluster_;
    const char *kind = owner->kind, *name = owner->name;

    if (!strcmp(kind, OVN_OWNER_VPC)) {
        return crd_model_vpc(cluster->model, name) != NULL;
    } else if (!strcmp(kind, OVN_OWNER_SUBNET)) {
        return crd_model_subnet(cluster->model, name) != NULL;
    } else if (!strcmp(kind, OVN_OWNER_POD)) {
        return sset_contains(&cluster->pods, name);
    } else if (!strcmp(kind, OVN_OWNER_NODE)) {
        return sset_contains(&cluster->nodes, name);
    }
    /* An owner kind this CLI does not know (a newer controller's): never
     * judged gone, since deleting what one does not understand is how
     * outages start. */
    return true;
}

static bool
owner_exists(const struct cli_cluster *cluster,
             const struct ovn_stale_row *row)
{
    struct ovn_owner owner = {row->owner_kind, row->owner_name};

    return cli_stale_owner_exists(&owner, CONST_CAST(void *, cluster));
}

void
cli_stale_find(const struct cli_stale *stale,
               const struct cli_cluster *cluster, struct ovn_stale_list *out)
{
    for (size_t i = 0; i < stale->owned.n; i++) {
        const struct ovn_stale_row *row = &stale->owned.rows[i];
        struct ovn_stale_row *copy;

        if (owner_exists(cluster, row)) {
            continue;
        }
        if (out->n == out->allocated) {
            out->rows =
                x2nrealloc(out->rows, &out->allocated, sizeof *out->rows);
        }
        copy = &out->rows[out->n++];
        copy->table = row->table;
        copy->uuid = row->uuid;
        copy->name = xstrdup(row->name);
        copy->owner_kind = xstrdup(row->owner_kind);
        copy->owner_name = xstrdup(row->owner_name);
    }
}

int
cli_stale_delete(struct cli_stale *stale, const struct ovn_stale_list *rows,
                 struct kovn_error *err)
{
    int error;

    if (!rows->n) {
        return 0;
    }
    error = ovn_nb_transact(stale->nb, ovn_delete_stale_build,
                            CONST_CAST(void *, rows), CLI_OVN_TIMEOUT_MS, NULL,
                            err);
    if (error) {
        kovn_error_prefix(err, "deleting stale OVN rows: ");
    }
    return error;
}

char *
cli_stale_row_name(const struct ovn_stale_row *row)
{
    if (*row->name) {
        return xstrdup(row->name);
    }
    return xasprintf(UUID_FMT, UUID_ARGS(&row->uuid));
}
