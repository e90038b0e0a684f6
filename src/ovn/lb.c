/* Load balancers; see lb.h. */
#include <config.h>

#include "ovn/lb.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "ovn/ovn-nb-idl.h"
#include "smap.h"
#include "util.h"

const struct nbrec_load_balancer *
ovn_lb_find(struct ovn_nb *nb, const char *name)
{
    const struct nbrec_load_balancer *lb;

    /* A handful of rows per VPC: no index needed. */
    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        if (!strcmp(lb->name, name)) {
            return lb;
        }
    }
    return NULL;
}

const struct nbrec_load_balancer *
ovn_lb_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, const char *name,
              const char *protocol, bool session_affinity,
              int affinity_timeout_s, const struct ovn_owner *owner,
              struct kovn_error *err)
{
    const struct nbrec_load_balancer *lb = ovn_lb_find(nb, name);
    struct smap options = SMAP_INITIALIZER(&options);
    struct smap ids;

    if (lb && !ovn_owner_is_ours(&lb->external_ids)) {
        kovn_error_set(
            err, -EPERM,
            "Load_Balancer \"%s\" exists and is not managed by kovn", name);
        return NULL;
    }
    if (!lb) {
        struct nbrec_load_balancer *new = nbrec_load_balancer_insert(txn);

        nbrec_load_balancer_set_name(new, name);
        lb = new;
    }
    if (!lb->protocol || strcmp(lb->protocol, protocol)) {
        nbrec_load_balancer_set_protocol(lb, protocol);
    }
    smap_clone(&options, &lb->options);
    if (session_affinity) {
        smap_replace_nocopy(&options, "affinity_timeout",
                            xasprintf("%d", affinity_timeout_s));
    } else {
        smap_remove(&options, "affinity_timeout");
    }
    if (!smap_equal(&options, &lb->options)) {
        nbrec_load_balancer_set_options(lb, &options);
    }
    smap_destroy(&options);
    ovn_owner_ids(&ids, &lb->external_ids, owner);
    if (!smap_equal(&ids, &lb->external_ids)) {
        nbrec_load_balancer_set_external_ids(lb, &ids);
    }
    smap_destroy(&ids);
    return lb;
}

void
ovn_lb_set_vip(const struct nbrec_load_balancer *lb, const char *vip,
               const char *backends)
{
    const char *have = smap_get(&lb->vips, vip);

    if (!backends) {
        if (have) {
            nbrec_load_balancer_update_vips_delkey(lb, vip);
        }
    } else if (!have || strcmp(have, backends)) {
        nbrec_load_balancer_update_vips_setkey(lb, vip, backends);
    }
}

void
ovn_lb_attach_owned(struct ovn_nb *nb, const struct nbrec_logical_switch *ls,
                    const struct ovn_owner *owner)
{
    const struct nbrec_load_balancer *lb;

    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        if (ovn_owner_matches(&lb->external_ids, owner)) {
            ovn_lb_attach(ls, lb);
        }
    }
}

void
ovn_lb_attach(const struct nbrec_logical_switch *ls,
              const struct nbrec_load_balancer *lb)
{
    for (size_t i = 0; i < ls->n_load_balancer; i++) {
        if (ls->load_balancer[i] == lb) {
            return;
        }
    }
    nbrec_logical_switch_update_load_balancer_addvalue(ls, lb);
}
