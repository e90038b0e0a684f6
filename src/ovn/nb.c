/* OVN NB connection, replica and transaction retry loop; see nb.h. */
#include <config.h>

#include "ovn/nb.h"

#include <errno.h>

#include "base/error.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ovn_nb);

/* How long to wait for the replica to change after "try again" before
 * rebuilding anyway: a reconnect to an unchanged database (monitor_cond_since
 * with nothing new) does not bump the IDL's sequence number. */
#define RETRY_INTERVAL_MS 100

/* Only the columns kovn reads or writes are replicated. */
static const struct ovsdb_idl_column *const replicated_columns[] = {
    &nbrec_logical_switch_col_name,
    &nbrec_logical_switch_col_ports,
    &nbrec_logical_switch_col_acls,
    &nbrec_logical_switch_col_other_config,
    &nbrec_logical_switch_col_external_ids,

    &nbrec_logical_switch_port_col_name,
    &nbrec_logical_switch_port_col_type,
    &nbrec_logical_switch_port_col_addresses,
    &nbrec_logical_switch_port_col_port_security,
    &nbrec_logical_switch_port_col_dynamic_addresses,
    &nbrec_logical_switch_port_col_options,
    &nbrec_logical_switch_port_col_dhcpv4_options,
    &nbrec_logical_switch_port_col_dhcpv6_options,
    &nbrec_logical_switch_port_col_up,
    &nbrec_logical_switch_port_col_external_ids,

    &nbrec_logical_router_col_name,
    &nbrec_logical_router_col_ports,
    &nbrec_logical_router_col_static_routes,
    &nbrec_logical_router_col_policies,
    &nbrec_logical_router_col_options,
    &nbrec_logical_router_col_external_ids,

    &nbrec_logical_router_port_col_name,
    &nbrec_logical_router_port_col_mac,
    &nbrec_logical_router_port_col_networks,
    &nbrec_logical_router_port_col_options,
    &nbrec_logical_router_port_col_external_ids,

    &nbrec_logical_router_static_route_col_ip_prefix,
    &nbrec_logical_router_static_route_col_nexthop,
    &nbrec_logical_router_static_route_col_policy,
    &nbrec_logical_router_static_route_col_route_table,
    &nbrec_logical_router_static_route_col_external_ids,

    &nbrec_logical_router_policy_col_priority,
    &nbrec_logical_router_policy_col_match,
    &nbrec_logical_router_policy_col_action,
    &nbrec_logical_router_policy_col_nexthops,
    &nbrec_logical_router_policy_col_external_ids,

    &nbrec_acl_col_direction,
    &nbrec_acl_col_priority,
    &nbrec_acl_col_match,
    &nbrec_acl_col_action,
    &nbrec_acl_col_name,
    &nbrec_acl_col_external_ids,

    &nbrec_port_group_col_name,
    &nbrec_port_group_col_ports,
    &nbrec_port_group_col_acls,
    &nbrec_port_group_col_external_ids,

    &nbrec_address_set_col_name,
    &nbrec_address_set_col_addresses,
    &nbrec_address_set_col_external_ids,

    &nbrec_dhcp_options_col_cidr,
    &nbrec_dhcp_options_col_options,
    &nbrec_dhcp_options_col_external_ids,
};

struct ovn_nb *
ovn_nb_create(const char *remotes)
{
    struct ovn_nb *nb = xzalloc(sizeof *nb);

    nb->idl = ovsdb_idl_create(remotes, &nbrec_idl_class, false, true);
    ovsdb_idl_set_leader_only(nb->idl, true);
    for (size_t i = 0; i < ARRAY_SIZE(replicated_columns); i++) {
        ovsdb_idl_add_column(nb->idl, replicated_columns[i]);
    }
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
    return ovsdb_idl_is_connected(nb->idl) &&
           ovsdb_idl_has_ever_connected(nb->idl);
}

int
ovn_nb_wait_ready(struct ovn_nb *nb, long long timeout_ms,
                  struct kovn_error *err)
{
    long long deadline = time_msec() + timeout_ms;

    for (;;) {
        ovn_nb_run(nb);
        if (ovn_nb_is_ready(nb)) {
            return 0;
        }
        if (time_msec() >= deadline) {
            return kovn_error_set(err, -ETIMEDOUT,
                                  "OVN NB not reachable within %lld ms",
                                  timeout_ms);
        }
        ovn_nb_wait(nb);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Blocks until 'txn' has a final status or 'deadline' passes. */
static enum ovsdb_idl_txn_status
commit_until(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, long long deadline)
{
    for (;;) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);

        if (status != TXN_INCOMPLETE || time_msec() >= deadline) {
            return status;
        }
        ovn_nb_run(nb);
        ovn_nb_wait(nb);
        ovsdb_idl_txn_wait(txn);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* After "try again": waits until the replica changed or a short interval
 * passed, whichever is first. */
static void
wait_for_retry(struct ovn_nb *nb, unsigned int seqno, long long deadline)
{
    long long until = MIN(time_msec() + RETRY_INTERVAL_MS, deadline);

    while (time_msec() < until) {
        ovn_nb_run(nb);
        if (ovsdb_idl_get_seqno(nb->idl) != seqno && ovn_nb_is_ready(nb)) {
            return;
        }
        ovn_nb_wait(nb);
        poll_timer_wait_until(until);
        poll_block();
    }
}

int
ovn_nb_transact(struct ovn_nb *nb, ovn_nb_build_fn *build, void *aux,
                long long timeout_ms, enum ovn_txn_outcome *outcome,
                struct kovn_error *err)
{
    long long deadline = time_msec() + timeout_ms;
    int error;

    for (;;) {
        struct ovsdb_idl_txn *txn;
        enum ovsdb_idl_txn_status status;
        unsigned int seqno;

        error = ovn_nb_wait_ready(nb, MAX(0, deadline - time_msec()), err);
        if (error) {
            return error;
        }
        seqno = ovsdb_idl_get_seqno(nb->idl);
        txn = ovsdb_idl_txn_create(nb->idl);
        ovsdb_idl_txn_add_comment(txn, "kovn");
        error = build(nb, txn, aux, err);
        if (error) {
            ovsdb_idl_txn_abort(txn);
            ovsdb_idl_txn_destroy(txn);
            return error;
        }
        status = commit_until(nb, txn, deadline);
        if (status != TXN_UNCHANGED && status != TXN_UNCOMMITTED) {
            nb->n_txns_sent++;
        }
        switch (status) {
        case TXN_SUCCESS:
        case TXN_UNCHANGED:
            ovsdb_idl_txn_destroy(txn);
            if (outcome) {
                *outcome = status == TXN_SUCCESS ? OVN_TXN_CHANGED
                                                 : OVN_TXN_UNCHANGED;
            }
            return 0;
        case TXN_INCOMPLETE:
            ovsdb_idl_txn_destroy(txn);
            return kovn_error_set(err, -ETIMEDOUT,
                                  "OVN NB transaction not confirmed within "
                                  "%lld ms",
                                  timeout_ms);
        case TXN_TRY_AGAIN:
            ovsdb_idl_txn_destroy(txn);
            VLOG_DBG("NB transaction: try again");
            wait_for_retry(nb, seqno, deadline);
            break;
        case TXN_ERROR:
            error = kovn_error_set(err, -EPROTO,
                                   "OVN NB rejected the transaction: %s",
                                   ovsdb_idl_txn_get_error(txn));
            ovsdb_idl_txn_destroy(txn);
            return error;
        case TXN_ABORTED:
        case TXN_NOT_LOCKED:
        case TXN_UNCOMMITTED:
        default:
            ovsdb_idl_txn_destroy(txn);
            return kovn_error_set(err, -EIO, "OVN NB transaction %s",
                                  ovsdb_idl_txn_status_to_string(status));
        }
        if (time_msec() >= deadline) {
            return kovn_error_set(err, -ETIMEDOUT,
                                  "OVN NB transaction kept failing for %lld "
                                  "ms",
                                  timeout_ms);
        }
    }
}
