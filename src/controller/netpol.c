/* The NetworkPolicy reconciler: each policy becomes, in OVN NB, a port
 * group of the switch ports of the pods it selects, the address sets of
 * its rules' peer pods and the ACLs on the port group, all computed by
 * netpol_compute() (crd/netpol.h) and written through the one NB write
 * path (nbwrite.h).  Rows carry the owner kovn-netpol=<namespace/name>;
 * a deleted policy's port group (its ACLs go with it) and address sets
 * are removed by the policy's last reconcile, or by the owner sweep if
 * the controller was down then.
 *
 * What the dependency graph marks for a policy: its own change, pods of
 * its namespace (of every namespace when it selects namespaces), their IP
 * objects (a pod's switch port exists once its IP object does), namespace
 * labels and the join subnet.  Nothing here recomputes every policy.
 *
 * A policy with parts kovn cannot express gets a Warning Event
 * "PolicyNotFullyApplied" naming the fields, once per distinct text. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "base/metrics.h"
#include "controller/controller.h"
#include "controller/nbwrite.h"
#include "controller/queue.h"
#include "crd/deps.h"
#include "crd/model.h"
#include "crd/netpol.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/acl.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn/owner.h"
#include "ovn/switch.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netpol);

/* Longest Event message: the API server takes 1 KB notes well. */
#define NETPOL_EVENT_MAX 1000

/* ---- Informer handlers ---- */

static void
netpol_changed(struct controller *ctl, const char *key, const struct json *obj)
{
    struct deps_change *change =
        deps_change_begin(&ctl->deps_world, DEPS_IN_NETPOL, key, NULL);
    struct netpol *np = NULL;

    if (obj) {
        struct kovn_error err = {0};

        np = xmalloc(sizeof *np);
        if (netpol_from_json(obj, np, &err)) {
            VLOG_WARN("networkpolicy %s: %s", key, err.msg);
            free(np);
            np = NULL;
        }
    }
    crd_netpols_put(&ctl->netpols, key, np);
    deps_change_end(change, NULL, &ctl->deps_sink);
}

void
ctrl_netpol_add(const char *key, const struct json *obj, void *ctl)
{
    netpol_changed(ctl, key, obj);
}

void
ctrl_netpol_update(const char *key, const struct json *old,
                   const struct json *new, void *ctl)
{
    (void)old;
    netpol_changed(ctl, key, new);
}

void
ctrl_netpol_del(const char *key, const struct json *obj, void *ctl)
{
    (void)obj;
    netpol_changed(ctl, key, NULL);
}

/* ---- The world a policy reads: the pod and namespace stores ---- */

struct pod_walk {
    netpol_pod_fn *fn;
    void *aux;
};

static void
visit_pod(const struct json *obj, const struct pod_walk *walk)
{
    struct netpol_pod pod;

    netpol_pod_from_json(obj, &pod);
    walk->fn(&pod, walk->aux);
    netpol_pod_destroy(&pod);
}

static void
world_for_each_pod(const void *ctl_, const char *ns, netpol_pod_fn *fn,
                   void *aux)
{
    const struct controller *ctl = ctl_;
    struct pod_walk walk = {fn, aux};

    if (!ns) {
        struct kube_store_cursor c;

        KUBE_STORE_FOR_EACH(&c, kube_informer_store(ctl->pod_informer))
        {
            visit_pod(c.object, &walk);
        }
        return;
    }

    const struct sset *keys =
        kube_informer_by_index(ctl->pod_informer, CTRL_POD_BY_NAMESPACE, ns);
    const char *key;

    if (!keys) {
        return;
    }
    SSET_FOR_EACH(key, keys)
    {
        struct json *obj = kube_informer_get_copy(ctl->pod_informer, key);

        if (obj) {
            visit_pod(obj, &walk);
            json_destroy(obj);
        }
    }
}

static struct netpol_world
world(const struct controller *ctl)
{
    const struct subnet *join =
        ctl->opts.join_subnet
            ? crd_model_subnet(ctl->model, ctl->opts.join_subnet)
            : NULL;

    return (struct netpol_world){
        .for_each_pod = world_for_each_pod,
        /* The graph's walk over the namespace store: the same callback
         * type. */
        .for_each_namespace = ctl->deps_world.for_each_namespace,
        .node_cidrs = join ? join->cidrs : NULL,
        .n_node_cidrs = join ? join->n_cidrs : 0,
        .aux = ctl,
    };
}

/* ---- The NB write ---- */

/* Removes this policy's address sets that are not in 'keep'. */
static void
delete_stale_sets(struct ovn_nb *nb, const struct ovn_owner *owner,
                  const struct sset *keep)
{
    const struct nbrec_address_set *as, *next;

    NBREC_ADDRESS_SET_FOR_EACH_SAFE(as, next, nb->idl)
    {
        if (ovn_owner_matches(&as->external_ids, owner) &&
            !sset_contains(keep, as->name)) {
            nbrec_address_set_delete(as);
        }
    }
}

/* Port group 'name' must be free or this policy's: two policies whose
 * names map to one port group ("a-b" in "c", "a" in "b-c") cannot both
 * have it. */
static int
check_owner(struct ovn_nb *nb, const char *name, const struct ovn_owner *owner,
            struct kovn_error *err)
{
    const struct nbrec_port_group *pg = ovn_port_group_find(nb, name);
    struct ovn_owner current;

    if (pg && ovn_owner_get(&pg->external_ids, &current) &&
        (strcmp(current.kind, owner->kind) ||
         strcmp(current.name, owner->name))) {
        return kovn_error_set(err, -EEXIST, "port group %s belongs to %s %s",
                              name, current.kind, current.name);
    }
    return 0;
}

/* Remembers what the last build of 'key' could not express. */
static void
set_compute_warnings(struct controller *ctl, const char *key,
                     const struct svec *warnings)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < warnings->n; i++) {
        ds_put_format(&s, "%s%s", i ? "; " : "", warnings->names[i]);
    }
    free(shash_replace(&ctl->netpol_compute_warnings, key, ds_steal_cstr(&s)));
}

static int
build_netpol(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
             const struct ctrl_nb_target *w, struct kovn_error *err)
{
    struct controller *ctl = w->ctl;
    const struct netpol *np = crd_netpols_get(&ctl->netpols, w->key);
    struct ovn_owner owner = {OVN_OWNER_NETPOL, w->key};
    struct sset keep = SSET_INITIALIZER(&keep);
    struct netpol_world nw = world(ctl);
    struct netpol_acls acls;
    struct ovn_acl_spec *specs = NULL;
    const char **ports = NULL;
    size_t n_ports = 0;
    int error = 0;

    if (!np) {
        /* Gone: its port group (the ACLs go with it) and its sets. */
        char *slash = strchr(w->key, '/');
        char *ns = slash ? xmemdup0(w->key, slash - w->key) : xstrdup("");
        char *pg = netpol_port_group_name(ns, slash ? slash + 1 : w->key);

        if (!check_owner(nb, pg, &owner, NULL)) {
            error = ovn_port_group_delete(nb, txn, pg, err);
        }
        delete_stale_sets(nb, &owner, &keep);
        free(pg);
        free(ns);
        goto out_no_acls;
    }

    netpol_compute(np, &nw, &acls);
    set_compute_warnings(ctl, w->key, &acls.warnings);
    error = check_owner(nb, acls.port_group, &owner, err);
    if (error) {
        goto out;
    }
    /* Only ports already in NB: a pod's port is written after its
     * annotations, and its IP object, which marks this policy again, after
     * its port. */
    ports = xcalloc(acls.ports.n ? acls.ports.n : 1, sizeof *ports);
    for (size_t i = 0; i < acls.ports.n; i++) {
        if (ovn_switch_port_find(nb, acls.ports.names[i])) {
            ports[n_ports++] = acls.ports.names[i];
        }
    }
    if (!ovn_port_group_ensure(nb, txn, acls.port_group, ports, n_ports,
                               &owner, err)) {
        error = err && err->code ? err->code : -EINVAL;
        goto out;
    }
    for (size_t i = 0; i < acls.n_sets; i++) {
        const struct netpol_address_set *set = &acls.sets[i];

        if (!ovn_address_set_ensure(nb, txn, set->name, set->addrs,
                                    set->n_addrs, &owner, err)) {
            error = err && err->code ? err->code : -EINVAL;
            goto out;
        }
        sset_add(&keep, set->name);
    }
    specs = xcalloc(acls.n_acls ? acls.n_acls : 1, sizeof *specs);
    for (size_t i = 0; i < acls.n_acls; i++) {
        specs[i] = (struct ovn_acl_spec){
            .direction = acls.acls[i].direction,
            .priority = acls.acls[i].priority,
            .match = acls.acls[i].match,
            .action = acls.acls[i].action,
        };
    }
    error = ovn_acls_set_for_port_group(nb, txn, acls.port_group, specs,
                                        acls.n_acls, &owner, err);
    if (!error) {
        delete_stale_sets(nb, &owner, &keep);
    }
out:
    free(specs);
    free(ports);
    netpol_acls_destroy(&acls);
out_no_acls:
    sset_destroy(&keep);
    return error;
}

/* A Warning Event when what kovn leaves out of the policy changed. */
static void
report(struct controller *ctl, const char *key)
{
    const struct netpol *np = crd_netpols_get(&ctl->netpols, key);
    const char *computed = shash_find_data(&ctl->netpol_compute_warnings, key);
    struct svec warnings = SVEC_EMPTY_INITIALIZER;
    struct ds msg = DS_EMPTY_INITIALIZER;
    char *last;

    if (!np) {
        free(shash_find_and_delete(&ctl->netpol_warned, key));
        free(shash_find_and_delete(&ctl->netpol_compute_warnings, key));
        return;
    }
    netpol_warnings(np, &warnings);
    for (size_t i = 0; i < warnings.n; i++) {
        ds_put_format(&msg, "%s%s", i ? "; " : "", warnings.names[i]);
    }
    if (computed && *computed) {
        ds_put_format(&msg, "%s%s", msg.length ? "; " : "", computed);
    }
    svec_destroy(&warnings);
    last = shash_find_data(&ctl->netpol_warned, key);
    if (msg.length && (!last || strcmp(last, ds_cstr(&msg)))) {
        struct kube_event_object object = {
            .api_version = "networking.k8s.io/v1",
            .kind = "NetworkPolicy",
            .namespace = np->namespace,
            .name = np->name,
            .uid = np->uid,
        };
        char *text = xasprintf("kovn left out (traffic they would allow "
                               "stays denied): %s",
                               ds_cstr(&msg));

        if (strlen(text) > NETPOL_EVENT_MAX) {
            strcpy(text + NETPOL_EVENT_MAX - 3, "...");
        }
        VLOG_WARN("networkpolicy %s: %s", key, text);
        kube_recorder_event(ctl->recorder, &object, "Warning",
                            "PolicyNotFullyApplied", text);
        free(text);
    }
    free(shash_replace(&ctl->netpol_warned, key,
                       msg.length ? ds_steal_cstr(&msg) : xstrdup("")));
    ds_destroy(&msg);
}

static enum ctrl_result
written_step(struct controller *ctl, struct ctrl_job *job, const char *key,
             void *aux OVS_UNUSED, int error, const struct kovn_error *err)
{
    (void)job;
    if (error) {
        VLOG_WARN("networkpolicy %s: %s", key, err ? err->msg : "");
        return CTRL_RETRY;
    }
    report(ctl, key);
    return CTRL_DONE;
}

enum ctrl_result
netpol_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;

    return ctrl_nb_write_object(ctl, job, key, NULL, build_netpol,
                                written_step);
}

void
ctrl_netpol_init(struct controller *ctl)
{
    crd_netpols_init(&ctl->netpols);
    shash_init(&ctl->netpol_warned);
    shash_init(&ctl->netpol_compute_warnings);
    ctl->deps_world.netpols = &ctl->netpols;
}

void
ctrl_netpol_destroy(struct controller *ctl)
{
    crd_netpols_destroy(&ctl->netpols);
    shash_destroy_free_data(&ctl->netpol_warned);
    shash_destroy_free_data(&ctl->netpol_compute_warnings);
}

void
ctrl_netpol_metrics(const struct controller *ctl, struct metrics_registry *r)
{
    struct shash_node *node;
    size_t unsupported = 0;

    SHASH_FOR_EACH(node, &ctl->netpol_warned)
    {
        const char *text = node->data;
        unsupported += *text != '\0';
    }
    metrics_set(r, "kovn_network_policies", METRIC_GAUGE,
                "NetworkPolicies known to the controller.", "",
                shash_count(&ctl->netpols.by_key), NULL);
    metrics_set(r, "kovn_network_policies_not_fully_applied", METRIC_GAUGE,
                "NetworkPolicies with parts kovn left out (see their "
                "Events).",
                "", unsupported, NULL);
    ctrl_queue_export(ctl->netpol_queue, r);
}
