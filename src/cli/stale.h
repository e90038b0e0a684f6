/* kovn's OVN NB rows whose owning object is gone, as check and gc see
 * them.
 *
 * The rows are read before the Kubernetes objects are listed and judged
 * only afterwards: a row is stale only if it existed before the lists
 * began and its owner was missing from them, so a pod created while the
 * CLI runs can never have its fresh port taken for stale. */
#ifndef KOVN_CLI_STALE_H
#define KOVN_CLI_STALE_H 1

#include "ovn/stale.h"

struct cli_cluster;
struct kovn_error;

struct cli_stale {
    struct ovn_nb *nb;
    struct ovn_stale_list owned; /* Every kovn row with an owner key. */
};

/* Connects to 'remote' and reads kovn's rows.  '*stale' is always
 * initialized: close it even on error. */
int cli_stale_open(struct cli_stale *stale, const char *remote,
                   struct kovn_error *err);
void cli_stale_close(struct cli_stale *stale);

/* Appends to 'out' the rows read at open whose owner 'cluster' lacks. */
void cli_stale_find(const struct cli_stale *stale,
                    const struct cli_cluster *cluster,
                    struct ovn_stale_list *out);

/* Whether 'owner' is in the listed cluster (a struct cli_cluster *): an
 * ovn_owner_exists_fn.  Pods and nodes need CLI_LOAD_OWNERS. */
bool cli_stale_owner_exists(const struct ovn_owner *owner, void *cluster);

/* Deletes the rows of 'rows' in one transaction. */
int cli_stale_delete(struct cli_stale *stale,
                     const struct ovn_stale_list *rows,
                     struct kovn_error *err);

/* The row's name ("stale-ls"), or its UUID where it has none; the caller
 * frees it. */
char *cli_stale_row_name(const struct ovn_stale_row *row);

#endif /* KOVN_CLI_STALE_H */
