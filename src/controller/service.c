/* The Service reconciler: a Service's VIPs ("ClusterIP:port" -> ready
 * endpoints) in the default VPC's load balancers, one per protocol and
 * session affinity under Kube-OVN's names (cluster-tcp-loadbalancer,
 * cluster-udp-session-loadbalancer, ...), carried by every switch of the
 * default VPC.  The VIPs a Service no longer has go: the controller
 * remembers which it wrote (struct controller's service_vips), so a
 * reconcile touches its own VIPs only.  After a start, the first write
 * also removes every VIP whose address is no Service's ClusterIP
 * (Services deleted while the controller was down): who owns a VIP is
 * looked up by its address.
 * Custom VPCs get no Service load balancing yet. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/controller.h"
#include "controller/nbwrite.h"
#include "controller/queue.h"
#include "crd/model.h"
#include "crd/service.h"
#include "kube/informer.h"
#include "openvswitch/vlog.h"
#include "ovn/lb.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn/owner.h"
#include "ovn/switch.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(service);

#define LB_PREFIX "cluster-"
#define LB_SUFFIX "-loadbalancer"

static char *
lb_name(const struct crd_service_vip *v)
{
    return xasprintf(LB_PREFIX "%s%s" LB_SUFFIX, v->protocol,
                     v->session_affinity ? "-session" : "");
}

static bool
is_service_lb(const struct nbrec_load_balancer *lb,
              const struct ovn_owner *owner)
{
    size_t len = strlen(lb->name);

    return ovn_owner_matches(&lb->external_ids, owner) &&
           !strncmp(lb->name, LB_PREFIX, strlen(LB_PREFIX)) &&
           len > strlen(LB_SUFFIX) &&
           !strcmp(lb->name + len - strlen(LB_SUFFIX), LB_SUFFIX);
}

/* Every switch of the default VPC carries 'lb'. */
static void
attach_everywhere(const struct controller *ctl, struct ovn_nb *nb,
                  const struct nbrec_load_balancer *lb)
{
    const struct sset *subnets =
        crd_model_subnets_of_vpc(ctl->model, ctl->opts.default_vpc);
    const char *name;

    if (!subnets) {
        return;
    }
    SSET_FOR_EACH(name, subnets)
    {
        const struct nbrec_logical_switch *ls = ovn_switch_find(nb, name);
        if (ls) {
            ovn_lb_attach(ls, lb);
        }
    }
}

/* Whether the VIP 'vip' should go: its address is no Service's ClusterIP,
 * or it is this Service's and not among 'wanted' ("lb\tvip"). */
static bool
vip_is_stale(const struct controller *ctl, const char *key, const char *lb,
             const char *vip, const struct sset *wanted)
{
    char *address = xmalloc(strlen(vip) + 1);
    bool stale = true;

    if (crd_service_vip_address(vip, address)) {
        const struct sset *owners = kube_informer_by_index(
            ctl->service_informer, CTRL_SERVICE_BY_CLUSTER_IP, address);
        if (owners && !sset_is_empty(owners)) {
            char *entry = xasprintf("%s\t%s", lb, vip);
            stale =
                sset_contains(owners, key) && !sset_contains(wanted, entry);
            free(entry);
        }
    }
    free(address);
    return stale;
}

/* The first time after start: every VIP of the VPC's load balancers whose
 * address is no Service's ClusterIP (Services deleted while the
 * controller was down).  Collected first: a partial map update does not
 * change the row's parsed vips until the transaction commits. */
static void
sweep_all(const struct controller *ctl, struct ovn_nb *nb, const char *key,
          const struct ovn_owner *owner, const struct sset *wanted)
{
    const struct nbrec_load_balancer *lb;

    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        struct sset stale = SSET_INITIALIZER(&stale);
        const struct smap_node *vip;
        const char *name;

        if (!is_service_lb(lb, owner)) {
            continue;
        }
        SMAP_FOR_EACH(vip, &lb->vips)
        {
            if (vip_is_stale(ctl, key, lb->name, vip->key, wanted)) {
                sset_add(&stale, vip->key);
            }
        }
        SSET_FOR_EACH(name, &stale)
        {
            ovn_lb_set_vip(lb, name, NULL);
        }
        sset_destroy(&stale);
    }
}

/* Removes the VIPs Service 'key' may still have and no longer wants, and
 * remembers what it may have now: what it wants, and what this write
 * removes (until a later write finds it gone: the transaction may
 * fail). */
static void
remove_stale(struct controller *ctl, struct ovn_nb *nb, const char *key,
             const struct ovn_owner *owner, const struct sset *wanted)
{
    struct sset *had = shash_find_data(&ctl->service_vips, key);
    struct sset *now = xmalloc(sizeof *now);
    const char *entry;

    if (!ctl->service_vips_swept) {
        sweep_all(ctl, nb, key, owner, wanted);
    }
    sset_clone(now, wanted);
    if (had) {
        SSET_FOR_EACH(entry, had)
        {
            const char *tab = strchr(entry, '\t');
            char *lb_name = tab ? xmemdup0(entry, tab - entry) : NULL;
            const struct nbrec_load_balancer *lb =
                lb_name ? ovn_lb_find(nb, lb_name) : NULL;

            if (lb && !sset_contains(wanted, entry) &&
                smap_get(&lb->vips, tab + 1)) {
                ovn_lb_set_vip(lb, tab + 1, NULL);
                sset_add(now, entry);
            }
            free(lb_name);
        }
        sset_destroy(had);
        free(had);
        shash_find_and_delete(&ctl->service_vips, key);
    }
    if (sset_is_empty(now)) {
        sset_destroy(now);
        free(now);
    } else {
        shash_add(&ctl->service_vips, key, now);
    }
}

static int
build_service(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
              const struct ctrl_nb_target *w, struct kovn_error *err)
{
    struct controller *ctl = w->ctl;
    struct ovn_owner owner = {OVN_OWNER_VPC, ctl->opts.default_vpc};
    struct sset wanted = SSET_INITIALIZER(&wanted);
    struct crd_service_vips vips;
    int error = 0;

    crd_service_vips(kube_informer_get(ctl->service_informer, w->key),
                     kube_informer_get(ctl->endpoints_informer, w->key),
                     &vips);
    for (size_t i = 0; i < vips.n && !error; i++) {
        const struct crd_service_vip *v = &vips.vips[i];
        char *name = lb_name(v);
        const struct nbrec_load_balancer *lb =
            ovn_lb_ensure(nb, txn, name, v->protocol, v->session_affinity,
                          CRD_SERVICE_AFFINITY_TIMEOUT_S, &owner, err);

        if (lb) {
            attach_everywhere(ctl, nb, lb);
            ovn_lb_set_vip(lb, v->vip, v->backends);
            sset_add_and_free(&wanted, xasprintf("%s\t%s", name, v->vip));
        } else {
            error = err && err->code ? err->code : -EINVAL;
        }
        free(name);
    }
    crd_service_vips_destroy(&vips);
    if (!error) {
        remove_stale(ctl, nb, w->key, &owner, &wanted);
    }
    sset_destroy(&wanted);
    return error;
}

static enum ctrl_result
written_step(struct controller *ctl, struct ctrl_job *job, const char *key,
             void *aux OVS_UNUSED, int error, const struct kovn_error *err)
{
    (void)job;
    if (error) {
        VLOG_WARN("service %s: load balancers: %s", key, err ? err->msg : "");
        return CTRL_RETRY;
    }
    ctl->service_vips_swept = true;
    return CTRL_DONE;
}

enum ctrl_result
service_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;

    return ctrl_nb_write_object(ctl, job, key, NULL, build_service,
                                written_step);
}
