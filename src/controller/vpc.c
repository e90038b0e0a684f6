/* The Vpc reconciler: one OVN Logical_Router per VPC with the static and
 * policy routes of its spec, status (router, subnets, default), and the
 * deletion rule: a VPC that subnets still reference keeps its finalizer
 * and says which subnets block it. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/controller.h"
#include "controller/nbwrite.h"
#include "controller/queue.h"
#include "controller/status.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/nb.h"
#include "ovn/owner.h"
#include "ovn/router.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vpc);

/* At most this many blocking subnets are named in a message. */
#define MAX_NAMED 20

/* The routes a VPC's router should carry: its spec's, and for the default
 * VPC one default route per family to the join subnet's gateway, its own
 * port there, as Kube-OVN writes.  Without a route a packet is dropped
 * before the router's policies (to node addresses, egress) can reroute
 * it.  The caller frees '*routes'. */
static size_t
desired_routes(const struct controller *ctl, const struct vpc *vpc,
               struct vpc_static_route **routes)
{
    const struct subnet *join =
        ctl->opts.join_subnet
            ? crd_model_subnet(ctl->model, ctl->opts.join_subnet)
            : NULL;
    size_t n = vpc->n_static_routes;

    *routes = xmalloc((n + 2) * sizeof **routes);
    if (n) {
        memcpy(*routes, vpc->static_routes, n * sizeof **routes);
    }
    if (!strcmp(vpc->name, ctl->opts.default_vpc) && join &&
        subnet_is_valid(join) && !join->deleting) {
        for (size_t i = 0; i < join->n_cidrs; i++) {
            struct vpc_static_route *r = &(*routes)[n++];

            memset(r, 0, sizeof *r);
            r->policy = "dst-ip";
            net_cidr_parse(join->gateways[i].family == NET_V4 ? "0.0.0.0/0"
                                                              : "::/0",
                           NET_CIDR_NETWORK, &r->prefix, NULL);
            r->nexthop = join->gateways[i];
        }
    }
    return n;
}

static bool
route_desired(const struct vpc_static_route *routes, size_t n_routes,
              const struct nbrec_logical_router_static_route *route)
{
    for (size_t i = 0; i < n_routes; i++) {
        const struct vpc_static_route *r = &routes[i];
        char prefix[NET_CIDR_STRLEN], nexthop[NET_ADDR_STRLEN];

        net_cidr_format(&r->prefix, prefix);
        net_addr_format(&r->nexthop, nexthop);
        if (!strcmp(route->ip_prefix, prefix) &&
            !strcmp(route->nexthop, nexthop) &&
            !strcmp(route->policy ? route->policy : "dst-ip", r->policy)) {
            return true;
        }
    }
    return false;
}

/* The VPC of that name as the model has it when the write is built. */
static int
build_vpc(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
          const struct ctrl_nb_target *w, struct kovn_error *err)
{
    const struct vpc *vpc = crd_model_vpc(w->ctl->model, w->key);
    int error;

    if (!vpc || vpc->deleting || vpc->error) {
        return 0; /* Its next reconcile decides; nothing to write now. */
    }
    struct ovn_owner owner = {OVN_OWNER_VPC, vpc->name};
    const struct nbrec_logical_router *router;

    router = ovn_router_ensure(nb, txn, vpc->name, &owner, err);
    if (!router) {
        return err ? err->code : -EINVAL;
    }
    struct vpc_static_route *routes;
    size_t n_routes = desired_routes(w->ctl, vpc, &routes);

    error = 0;
    for (size_t i = 0; i < n_routes && !error; i++) {
        const struct vpc_static_route *r = &routes[i];
        error = ovn_static_route_ensure(nb, txn, vpc->name, r->policy,
                                        &r->prefix, &r->nexthop, &owner, err);
    }
    /* Routes it should no longer have; rows of others stay. */
    for (size_t i = 0; i < router->n_static_routes && !error; i++) {
        const struct nbrec_logical_router_static_route *route =
            router->static_routes[i];
        if (ovn_owner_matches(&route->external_ids, &owner) &&
            !route_desired(routes, n_routes, route)) {
            nbrec_logical_router_update_static_routes_delvalue(router, route);
            nbrec_logical_router_static_route_delete(route);
        }
    }
    free(routes);
    if (error) {
        return error;
    }
    struct ovn_policy_spec *specs =
        xcalloc(vpc->n_policy_routes + 1, sizeof *specs);
    for (size_t i = 0; i < vpc->n_policy_routes; i++) {
        const struct vpc_policy_route *p = &vpc->policy_routes[i];
        specs[i] = (struct ovn_policy_spec){
            p->priority, p->match, p->action,
            !strcmp(p->action, "reroute") ? &p->nexthop : NULL};
    }
    error = ovn_policies_set(nb, txn, vpc->name, specs, vpc->n_policy_routes,
                             &owner, err);
    free(specs);
    return error;
}

static int
build_vpc_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                 const struct ctrl_nb_target *w, struct kovn_error *err)
{
    int error = ovn_router_delete(nb, txn, w->key, err);

    /* A router of the same name that is not kovn's is left alone. */
    return error == -EPERM ? 0 : error;
}

static void
put_status_fields(struct controller *ctl, const struct vpc *vpc,
                  struct json *status)
{
    const struct sset *subnets =
        crd_model_subnets_of_vpc(ctl->model, vpc->name);
    struct json *names = json_array_create_empty();
    bool is_default = !strcmp(vpc->name, ctl->opts.default_vpc);
    const char *default_ls = *vpc->default_subnet ? vpc->default_subnet
                             : is_default         ? ctl->opts.default_subnet
                                                  : NULL;

    if (subnets) {
        const char **sorted = sset_sort(subnets);
        for (size_t i = 0; sorted[i]; i++) {
            json_array_add(names, json_string_create(sorted[i]));
        }
        free(sorted);
    }
    json_object_put(status, "subnets", names);
    json_object_put_string(status, "router", vpc->name);
    json_object_put(status, "default", json_boolean_create(is_default));
    json_object_put(status, "standby", json_boolean_create(true));
    /* Status says what is in effect: external gateways are not
     * implemented (crd/support.h), whatever the spec asks. */
    json_object_put(status, "enableExternal", json_boolean_create(false));
    if (default_ls) {
        json_object_put_string(status, "defaultLogicalSwitch", default_ls);
    }
}

static enum ctrl_result
deleted_step(struct controller *ctl, struct ctrl_job *job, const char *key,
             void *aux OVS_UNUSED, int error, const struct kovn_error *err)
{
    (void)ctl;
    (void)job;
    if (error) {
        VLOG_WARN("vpc %s: deleting router: %s", key, err ? err->msg : "");
        return CTRL_RETRY;
    }
    return CTRL_DONE;
}

/* The router is gone: the finalizer goes, if the VPC is still there to
 * carry it. */
static enum ctrl_result
router_removed_step(struct controller *ctl, struct ctrl_job *job,
                    const char *key, void *aux OVS_UNUSED, int error,
                    const struct kovn_error *err)
{
    const struct json *obj = kube_informer_get(ctl->vpc_informer, key);
    const struct vpc *vpc = crd_model_vpc(ctl->model, key);

    if (error) {
        VLOG_WARN("vpc %s: deleting router: %s", key, err ? err->msg : "");
        return CTRL_RETRY;
    }
    if (!obj || !vpc || !vpc->deleting ||
        !ctrl_finalizer_held(ctl, vpc->has_finalizer,
                             vpc->has_kube_ovn_finalizer)) {
        return CTRL_DONE; /* Its own events requeue it if there is more. */
    }
    VLOG_INFO("vpc %s: router removed, releasing finalizer", key);
    char *path = xasprintf(CTRL_VPCS_PATH "/%s", key);
    enum ctrl_result result = ctrl_finalizer_remove(ctl, job, path, obj);
    free(path);
    return result;
}

static enum ctrl_result
reconcile_deleting(struct controller *ctl, struct ctrl_job *job,
                   const char *path, const struct json *obj,
                   const struct vpc *vpc)
{
    const struct sset *subnets =
        crd_model_subnets_of_vpc(ctl->model, vpc->name);

    if (!ctrl_finalizer_held(ctl, vpc->has_finalizer,
                             vpc->has_kube_ovn_finalizer)) {
        return CTRL_DONE; /* Another finalizer holds it; nothing of ours. */
    }
    if (subnets && !sset_is_empty(subnets)) {
        struct json *status = ctrl_status_copy(obj);
        char *names = ctrl_name_list(subnets, MAX_NAMED);
        char *msg = xasprintf("blocked by subnets: %s", names);

        put_status_fields(ctl, vpc, status);
        ctrl_status_not_ready(ctl, job, "Vpc", obj, status, "SubnetsExist",
                              "DeleteBlocked", msg);
        free(names);
        free(msg);
        /* Requeued by the subnets' own events, not by polling. */
        return ctrl_crd_status_write(ctl, job, "Vpc", path, obj, status);
    }
    return ctrl_nb_write_object(ctl, job, vpc->name, NULL, build_vpc_delete,
                                router_removed_step);
}

/* After the router's write: status with its outcome. */
static enum ctrl_result
router_written_step(struct controller *ctl, struct ctrl_job *job,
                    const char *key, void *aux OVS_UNUSED, int error,
                    const struct kovn_error *err)
{
    const struct json *obj = kube_informer_get(ctl->vpc_informer, key);
    const struct vpc *vpc = crd_model_vpc(ctl->model, key);
    enum ctrl_result result;

    if (!obj || !vpc || vpc->deleting || vpc->error) {
        /* It changed while NB was written: its events requeued it. */
        return error ? CTRL_RETRY : CTRL_DONE;
    }
    char *path = xasprintf(CTRL_VPCS_PATH "/%s", key);
    struct json *status = ctrl_status_copy(obj);
    put_status_fields(ctl, vpc, status);
    if (error) {
        VLOG_WARN("vpc %s: OVN: %s", key, err ? err->msg : "");
        ctrl_status_condition(status, "Ready", "False", "OVNError",
                              err ? err->msg : "OVN error");
        ctrl_job_retry_after_write(job);
        result = ctrl_crd_status_write(ctl, job, "Vpc", path, obj, status);
        result = result == CTRL_DONE ? CTRL_RETRY : result;
    } else {
        ctrl_status_condition(status, "Ready", "True", "Reconciled", NULL);
        result = ctrl_crd_status_write(ctl, job, "Vpc", path, obj, status);
    }
    free(path);
    return result;
}

enum ctrl_result
vpc_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *obj = kube_informer_get(ctl->vpc_informer, key);
    const struct vpc *vpc = crd_model_vpc(ctl->model, key);
    char *path = xasprintf(CTRL_VPCS_PATH "/%s", key);
    enum ctrl_result result;

    if (!obj || !vpc) {
        /* Gone (deleted without our finalizer, or force-removed): its
         * router must not outlive it. */
        result = ctrl_nb_write_object(ctl, job, key, NULL, build_vpc_delete,
                                      deleted_step);
        goto out;
    }
    if (ctl->opts.adopt_kube_ovn && vpc->has_kube_ovn_finalizer) {
        /* Taken over from Kube-OVN: its finalizer becomes kovn's; the
         * update this makes requeues the object. */
        result = ctrl_finalizer_adopt(ctl, job, path, obj, vpc->deleting);
        if (result != CTRL_DONE) {
            goto out;
        }
    }
    if (vpc->deleting) {
        result = reconcile_deleting(ctl, job, path, obj, vpc);
        goto out;
    }
    if (!vpc->has_finalizer) {
        result = ctrl_finalizer_add(ctl, job, path, obj);
        goto out;
    }
    if (vpc->error) {
        struct json *status = ctrl_status_copy(obj);

        put_status_fields(ctl, vpc, status);
        ctrl_status_not_ready(ctl, job, "Vpc", obj, status, "InvalidSpec",
                              "InvalidSpec", vpc->error);
        result = ctrl_crd_status_write(ctl, job, "Vpc", path, obj, status);
        goto out;
    }
    result = ctrl_nb_write_object(ctl, job, key, NULL, build_vpc,
                                  router_written_step);
out:
    free(path);
    return result;
}
