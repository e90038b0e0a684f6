/* OVN NB connection and replica; the transaction retry loop is
 * base/idl.c's.  See nb.h. */
#include <config.h>

#include "ovn/nb.h"

#include "base/error.h"
#include "base/idl.h"
#include "ovsdb-idl.h"
#include "util.h"

struct ovn_nb *
ovn_nb_create(const char *remotes)
{
    struct ovn_nb *nb = xzalloc(sizeof *nb);

    /* The generated class holds only the columns kovn uses (ovn-nb.ann),
     * so all of it is replicated. */
    nb->idl = ovsdb_idl_create(remotes, &nbrec_idl_class, true, true);
    ovsdb_idl_set_leader_only(nb->idl, true);
    /* Skip rewriting values that are already there, so that an ensure of a
     * converged state produces an empty, unsent transaction. */
    ovsdb_idl_set_write_changed_only_all(nb->idl, true);

    nb->switch_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_logical_switch_col_name);
    nb->switch_port_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_logical_switch_port_col_name);
    nb->router_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_logical_router_col_name);
    nb->router_port_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_logical_router_port_col_name);
    nb->port_group_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_port_group_col_name);
    nb->address_set_by_name =
        ovsdb_idl_index_create1(nb->idl, &nbrec_address_set_col_name);
    return nb;
}

void
ovn_nb_destroy(struct ovn_nb *nb)
{
    if (nb) {
        ovsdb_idl_destroy(nb->idl);
        free(nb);
    }
}

void
ovn_nb_run(struct ovn_nb *nb)
{
    ovsdb_idl_run(nb->idl);
}

void
ovn_nb_wait(struct ovn_nb *nb)
{
    ovsdb_idl_wait(nb->idl);
}

bool
ovn_nb_is_ready(const struct ovn_nb *nb)
{
    return kovn_idl_is_ready(nb->idl);
}

int
ovn_nb_wait_ready(struct ovn_nb *nb, long long timeout_ms,
                  struct kovn_error *err)
{
    return kovn_idl_wait_ready(nb->idl, "OVN NB", timeout_ms, err);
}

struct nb_build {
    struct ovn_nb *nb;
    ovn_nb_build_fn *build;
    void *aux;
};

static int
nb_build(struct ovsdb_idl_txn *txn, void *b_, struct kovn_error *err)
{
    struct nb_build *b = b_;

    return b->build(b->nb, txn, b->aux, err);
}

int
ovn_nb_transact(struct ovn_nb *nb, ovn_nb_build_fn *build, void *aux,
                long long timeout_ms, enum ovn_txn_outcome *outcome,
                struct kovn_error *err)
{
    struct nb_build b = {nb, build, aux};
    struct kovn_idl_request req = {
        .what = "OVN NB",
        .comment = "kovn",
        .build = nb_build,
        .aux = &b,
        .timeout_ms = timeout_ms,
        .n_sent = &nb->n_txns_sent,
    };
    int error = kovn_idl_transact(nb->idl, &req, err);

    if (!error && outcome) {
        *outcome = req.changed ? OVN_TXN_CHANGED : OVN_TXN_UNCHANGED;
    }
    return error;
}
