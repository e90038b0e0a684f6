/* kovn-controller's informers, model upkeep and enqueue rules; see
 * controller.h.
 *
 * Informer handlers keep the typed model in step and enqueue exactly the
 * keys a change can affect: a subnet change requeues that subnet, its
 * VPC, the subnets whose overlap verdict it may flip, and the namespaces it
 * lists or selects (only when something a namespace sees changed); a VPC
 * change requeues its subnets and the namespaces it lists.  Nothing is
 * polled and nothing unrelated is requeued. */
#include <config.h>

#include "controller/controller.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>

#include "base/error.h"
#include "base/metrics.h"
#include "controller/prune.h"
#include "controller/queue.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/podproto.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/batch.h"
#include "ovn/nb.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(controller);

static const double txn_bounds[CTRL_TXN_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

void
controller_enqueue_namespace(struct controller *ctl, const char *ns)
{
    ctrl_queue_add(ctl->namespace_queue, ns);
}

/* Namespaces 'subnet' lists or selects. */
static void
subnet_namespaces(const struct controller *ctl, const struct subnet *subnet,
                  struct sset *out)
{
    const char *ns;

    SSET_FOR_EACH(ns, &subnet->namespaces)
    {
        sset_add(out, ns);
    }
    if (subnet->n_selectors) {
        struct kube_store_cursor ns;

        KUBE_STORE_FOR_EACH(&ns, kube_informer_store(ctl->namespace_informer))
        {
            struct smap labels;

            smap_init(&labels);
            kube_object_labels(ns.object, &labels);
            if (subnet_selects_namespace(subnet, ns.key, &labels)) {
                sset_add(out, ns.key);
            }
            smap_destroy(&labels);
        }
    }
}

static void
enqueue_all_namespaces(struct controller *ctl)
{
    struct shash_node *node;

    SHASH_FOR_EACH(
        node, kube_store_keys(kube_informer_store(ctl->namespace_informer)))
    {
        controller_enqueue_namespace(ctl, node->name);
    }
}

void
controller_enqueue_subnet_namespaces(struct controller *ctl,
                                     const struct subnet *subnet)
{
    struct sset namespaces = SSET_INITIALIZER(&namespaces);
    const char *ns;

    if (!strcmp(subnet->name, ctl->opts.default_subnet)) {
        /* Namespaces without a subnet of their own fall back to it. */
        enqueue_all_namespaces(ctl);
    }
    subnet_namespaces(ctl, subnet, &namespaces);
    SSET_FOR_EACH(ns, &namespaces)
    {
        controller_enqueue_namespace(ctl, ns);
    }
    sset_destroy(&namespaces);
}

/* What namespaces see of a subnet; a change of anything else (status,
 * finalizers) needs no namespace reconcile. */
static char *
subnet_signature(const struct subnet *subnet)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *ns;

    ds_put_format(&s, "%s|%d|%s|%s|%s|", subnet->vpc, subnet->deleting,
                  subnet->error ? subnet->error : "",
                  subnet->cidr_block ? subnet->cidr_block : "",
                  subnet->exclude_ips_text ? subnet->exclude_ips_text : "");
    SSET_FOR_EACH(ns, &subnet->namespaces)
    {
        ds_put_format(&s, "%s,", ns);
    }
    for (size_t i = 0; i < subnet->n_selectors; i++) {
        char *text = kube_selector_format(&subnet->selectors[i]);
        ds_put_format(&s, "|%s", text);
        free(text);
    }
    return ds_steal_cstr(&s);
}

static void
forget_logged_skips(struct controller *ctl, const char *subnet)
{
    for (int i = 0; i < SUBNET_N_STATES; i++) {
        char *key = xasprintf("%s\t%s", subnet, subnet_state_reason(i));
        sset_find_and_delete(&ctl->skips_logged, key);
        free(key);
    }
}

/* Subnets of 'vpc' whose CIDRs overlap 'subnet': their overlap verdict may
 * change with it. */
static void
enqueue_overlapping(struct controller *ctl, const struct subnet *subnet)
{
    const struct sset *peers =
        crd_model_subnets_of_vpc(ctl->model, subnet->vpc);
    const char *name;

    if (!peers || !subnet_is_valid(subnet)) {
        return;
    }
    SSET_FOR_EACH(name, peers)
    {
        const struct subnet *peer = crd_model_subnet(ctl->model, name);
        if (peer != subnet && subnet_is_valid(peer) &&
            subnet_overlaps(peer, subnet)) {
            ctrl_queue_add(ctl->subnet_queue, name);
            controller_enqueue_subnet_namespaces(ctl, peer);
        }
    }
}

/* Private subnets let the join subnet's CIDRs in: their ACLs follow it. */
static void
enqueue_private_subnets(struct controller *ctl)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, crd_model_subnets(ctl->model))
    {
        const struct subnet *subnet = node->data;
        if (subnet->private_) {
            ctrl_queue_add(ctl->subnet_queue, node->name);
        }
    }
}

static void
subnet_changed(struct controller *ctl, const char *name,
               const struct json *obj)
{
    const struct subnet *old = crd_model_subnet(ctl->model, name);
    char *old_sig = NULL, *new_sig = NULL;
    const struct subnet *new;

    if (old) {
        old_sig = subnet_signature(old);
        ctrl_queue_add(ctl->vpc_queue, old->vpc);
        enqueue_overlapping(ctl, old);
    }

    /* The namespaces it bound before are recomputed too if what they see
     * changed; collect them before the old form goes. */
    struct sset before = SSET_INITIALIZER(&before);
    if (old) {
        subnet_namespaces(ctl, old, &before);
    }
    bool was_default = old && !strcmp(old->name, ctl->opts.default_subnet);

    new = obj ? crd_model_put_subnet(ctl->model, obj) : NULL;
    if (!obj) {
        crd_model_remove_subnet(ctl->model, name);
        addresses_drop_subnet(&ctl->addresses, name);
    }
    if (new) {
        addresses_sync_subnet(&ctl->addresses, new);
        new_sig = subnet_signature(new);
        ctrl_queue_add(ctl->vpc_queue, new->vpc);
        enqueue_overlapping(ctl, new);
    }
    if (!old_sig || !new_sig || strcmp(old_sig, new_sig)) {
        const char *ns;

        forget_logged_skips(ctl, name);
        SSET_FOR_EACH(ns, &before)
        {
            controller_enqueue_namespace(ctl, ns);
        }
        if (new) {
            controller_enqueue_subnet_namespaces(ctl, new);
        } else if (was_default) {
            enqueue_all_namespaces(ctl);
        }
    }
    ctrl_queue_add(ctl->subnet_queue, name);
    if (!strcmp(name, ctl->opts.join_subnet)) {
        enqueue_private_subnets(ctl);
    }
    sset_destroy(&before);
    free(old_sig);
    free(new_sig);
}

static void
subnet_add(const char *key, const struct json *obj, void *ctl)
{
    subnet_changed(ctl, key, obj);
}

static void
subnet_update(const char *key, const struct json *old, const struct json *new,
              void *ctl)
{
    (void)old;
    subnet_changed(ctl, key, new);
}

static void
subnet_del(const char *key, const struct json *obj, void *ctl)
{
    (void)obj;
    subnet_changed(ctl, key, NULL);
}

static char *
vpc_signature(const struct vpc *vpc)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *ns;

    ds_put_format(&s, "%d|%s|", vpc->deleting, vpc->default_subnet);
    SSET_FOR_EACH(ns, &vpc->namespaces)
    {
        ds_put_format(&s, "%s,", ns);
    }
    return ds_steal_cstr(&s);
}

/* The subnets of 'vpc' and their namespaces: a VPC appearing or going
 * turns them from orphans into working subnets or back. */
static void
enqueue_vpc_subnets(struct controller *ctl, const char *vpc)
{
    const struct sset *subnets = crd_model_subnets_of_vpc(ctl->model, vpc);
    const char *name;

    if (subnets) {
        SSET_FOR_EACH(name, subnets)
        {
            ctrl_queue_add(ctl->subnet_queue, name);
            forget_logged_skips(ctl, name);
            controller_enqueue_subnet_namespaces(
                ctl, crd_model_subnet(ctl->model, name));
        }
    }
}

static void
vpc_changed(struct controller *ctl, const char *name, const struct json *obj)
{
    const struct vpc *old = crd_model_vpc(ctl->model, name);
    struct sset namespaces = SSET_INITIALIZER(&namespaces);
    char *old_sig = old ? vpc_signature(old) : NULL;
    char *new_sig = NULL;
    const struct vpc *new;
    const char *ns;

    if (old) {
        SSET_FOR_EACH(ns, &old->namespaces)
        {
            sset_add(&namespaces, ns);
        }
    }
    new = obj ? crd_model_put_vpc(ctl->model, obj) : NULL;
    if (!obj) {
        crd_model_remove_vpc(ctl->model, name);
    }
    if (new) {
        new_sig = vpc_signature(new);
        SSET_FOR_EACH(ns, &new->namespaces)
        {
            sset_add(&namespaces, ns);
        }
    }
    if (!old != !new) {
        enqueue_vpc_subnets(ctl, name);
    }
    if (!old_sig || !new_sig || strcmp(old_sig, new_sig)) {
        SSET_FOR_EACH(ns, &namespaces)
        {
            controller_enqueue_namespace(ctl, ns);
        }
    }
    ctrl_queue_add(ctl->vpc_queue, name);
    sset_destroy(&namespaces);
    free(old_sig);
    free(new_sig);
}

static void
vpc_add(const char *key, const struct json *obj, void *ctl)
{
    vpc_changed(ctl, key, obj);
}

static void
vpc_update(const char *key, const struct json *old, const struct json *new,
           void *ctl)
{
    (void)old;
    vpc_changed(ctl, key, new);
}

static void
vpc_del(const char *key, const struct json *obj, void *ctl)
{
    (void)obj;
    vpc_changed(ctl, key, NULL);
}

static void
ippool_changed(struct controller *ctl, const char *name,
               const struct json *obj)
{
    const struct shash *pools = crd_model_ippools(ctl->model);
    const struct ippool *old = shash_find_data(pools, name);
    const struct ippool *new;
    const char *ns;

    if (old) {
        SSET_FOR_EACH(ns, &old->namespaces)
        {
            controller_enqueue_namespace(ctl, ns);
        }
    }
    new = obj ? crd_model_put_ippool(ctl->model, obj) : NULL;
    if (!obj) {
        crd_model_remove_ippool(ctl->model, name);
    }
    if (new) {
        SSET_FOR_EACH(ns, &new->namespaces)
        {
            controller_enqueue_namespace(ctl, ns);
        }
    }
}

static void
ippool_add(const char *key, const struct json *obj, void *ctl)
{
    ippool_changed(ctl, key, obj);
}

static void
ippool_update(const char *key, const struct json *old, const struct json *new,
              void *ctl)
{
    (void)old;
    ippool_changed(ctl, key, new);
}

static void
ippool_del(const char *key, const struct json *obj, void *ctl)
{
    (void)obj;
    ippool_changed(ctl, key, NULL);
}

static const char *
ip_subnet(const struct json *ip)
{
    const char *subnet = NULL;

    json_member_string(json_member(ip, "spec"), "subnet", "spec", &subnet,
                       NULL);
    return subnet && *subnet ? subnet : NULL;
}

static void
ip_touch(struct controller *ctl, const struct json *ip)
{
    const char *subnet = ip_subnet(ip);
    const struct json *spec = json_member(ip, "spec");
    const char *pod = NULL, *ns = NULL;

    if (subnet) {
        /* Counts are batched: one status write per second per subnet,
         * not one per pod; a subnet waiting to be deleted only waits. */
        ctrl_queue_add_after(ctl->subnet_queue, subnet, 1000);
    }
    json_member_string(spec, "podName", "spec", &pod, NULL);
    json_member_string(spec, "namespace", "spec", &ns, NULL);
    if (pod && ns && *pod && *ns) {
        char *key = xasprintf("%s/%s", ns, pod);
        ctrl_queue_add(ctl->pod_queue, key);
        free(key);
    }
}

static void
ip_add(const char *key, const struct json *obj, void *ctl)
{
    (void)key;
    ip_touch(ctl, obj);
}

static void
ip_update(const char *key, const struct json *old, const struct json *new,
          void *ctl)
{
    (void)key;
    ip_touch(ctl, old);
    ip_touch(ctl, new);
}

static void
ip_del(const char *key, const struct json *obj, void *ctl)
{
    (void)key;
    ip_touch(ctl, obj);
}

static void
namespace_add(const char *key, const struct json *obj, void *ctl)
{
    (void)obj;
    controller_enqueue_namespace(ctl, key);
}

static void
namespace_update(const char *key, const struct json *old,
                 const struct json *new, void *ctl)
{
    (void)old;
    (void)new;
    controller_enqueue_namespace(ctl, key);
}

static void
namespace_del(const char *key, const struct json *obj, void *ctl)
{
    (void)key;
    (void)obj;
    (void)ctl;
}

static void
pod_add(const char *key, const struct json *obj, void *ctl_)
{
    struct controller *ctl = ctl_;
    (void)obj;
    ctrl_queue_add(ctl->pod_queue, key);
}

static void
pod_update(const char *key, const struct json *old, const struct json *new,
           void *ctl_)
{
    struct controller *ctl = ctl_;
    (void)old;
    (void)new;
    ctrl_queue_add(ctl->pod_queue, key);
}

static void
pod_del(const char *key, const struct json *obj, void *ctl_)
{
    struct controller *ctl = ctl_;
    (void)obj;
    ctrl_queue_add(ctl->pod_queue, key);
}

static void
node_changed(const char *key, const struct json *obj, void *ctl_)
{
    struct controller *ctl = ctl_;
    (void)obj;
    ctrl_queue_add(ctl->node_queue, key);
}

static void
node_update(const char *key, const struct json *old, const struct json *new,
            void *ctl_)
{
    (void)old;
    node_changed(key, new, ctl_);
}

static struct kube_informer *
informer(struct controller *ctl, const char *path,
         void (*add)(const char *, const struct json *, void *),
         void (*update)(const char *, const struct json *, const struct json *,
                        void *),
         void (*del)(const char *, const struct json *, void *))
{
    struct kube_informer_options options = {
        .path = path,
        /* A periodic full pass catches anything a handler got wrong
         * without polling anything in between. */
        .resync_ms = 10 * 60 * 1000,
        /* One streamed request instead of 20 sequential pages for 10k
         * pods (the cold-start goal), and as consistent: the address
         * book's restore needs every annotation and IP object whose write
         * was acknowledged before the list.  (A write still in flight from
         * a killed controller can land after any list; the leader lease's
         * delay is what bounds that.) */
        .list_unpaged = true,
    };
    struct kube_informer_handlers handlers = {add, update, del, ctl};
    struct json *fence = NULL;

    if (!strcmp(path, CTRL_PODS_PATH)) {
        options.transform = ctrl_prune_pod;
        options.store_dictionary = ctrl_pod_dictionary;
        /* For 10,000 pods, JSON was the larger part of a cold start: the
         * API server's encoding and this process's parsing. */
        options.list_protobuf = kube_pod_from_protobuf;
    } else if (!strcmp(path, CTRL_IPS_PATH)) {
        options.transform = ctrl_prune_ip;
        options.store_dictionary = ctrl_ip_dictionary;
        /* From etcd, 10,000 IP objects cost the API server 2.5 s of
         * decoding (custom resources are decoded field by field): most of
         * a cold start.  Its watch cache has them decoded. */
        fence = json_from_string(
            "{\"apiVersion\":\"" CRD_GROUP_VERSION "\",\"kind\":\"IP\","
            "\"metadata\":{\"generateName\":\"kovn-list-fence-\","
            "\"labels\":{\"" CRD_LIST_FENCE_LABEL "\":\"\"}}}");
        options.fence_object = fence;
        options.fence_selector = CRD_LIST_FENCE_LABEL;
        options.label_selector = "!" CRD_LIST_FENCE_LABEL;
    } else if (!strcmp(path, CTRL_NODES_PATH)) {
        options.transform = ctrl_prune_node;
    }

    struct kube_informer *inf =
        kube_informer_create(ctl->client, &options, &handlers);
    json_destroy(fence);
    return inf;
}

void
controller_init(struct controller *ctl, const struct controller_options *opts,
                struct kube_client *client, struct ovn_nb *nb)
{
    memset(ctl, 0, sizeof *ctl);
    ctl->opts = *opts;
    ctl->client = client;
    ctl->nb = nb;
    /* 1,000 ports make a transaction of a few hundred KB; the 10 s bound
     * is ovn_nb_transact()'s. */
    ctl->nb_batch = ovn_batch_create(nb, 1000, 10 * 1000);
    ctl->model = crd_model_create(opts->default_vpc, opts->default_subnet);
    ctl->recorder =
        kube_recorder_create(client, "kovn-controller", opts->event_namespace);
    sset_init(&ctl->skips_logged);

    ctl->vpc_queue = ctrl_queue_create("vpc", 4, vpc_reconcile, ctl);
    ctl->subnet_queue = ctrl_queue_create("subnet", 8, subnet_reconcile, ctl);
    ctl->namespace_queue =
        ctrl_queue_create("namespace", 32, namespace_reconcile, ctl);
    /* A pod's job now spans its patch, port and IP object (three round
     * trips), so more of them are in flight to keep the API server as
     * busy as before. */
    ctl->pod_queue = ctrl_queue_create("pod", 256, pod_reconcile, ctl);
    ctl->node_queue = ctrl_queue_create("node", 8, node_reconcile, ctl);
    addresses_init(&ctl->addresses);

    ctl->vpc_informer =
        informer(ctl, CTRL_VPCS_PATH, vpc_add, vpc_update, vpc_del);
    ctl->subnet_informer = informer(ctl, CTRL_SUBNETS_PATH, subnet_add,
                                    subnet_update, subnet_del);
    ctl->namespace_informer =
        informer(ctl, CTRL_NAMESPACES_PATH, namespace_add, namespace_update,
                 namespace_del);
    ctl->ippool_informer = informer(ctl, CTRL_IPPOOLS_PATH, ippool_add,
                                    ippool_update, ippool_del);
    ctl->ip_informer = informer(ctl, CTRL_IPS_PATH, ip_add, ip_update, ip_del);
    ctl->pod_informer =
        informer(ctl, CTRL_PODS_PATH, pod_add, pod_update, pod_del);
    ctl->node_informer = informer(ctl, CTRL_NODES_PATH, node_changed,
                                  node_update, node_changed);
    kube_informer_add_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, ip_subnet);
    ctl->next_gc_ms = time_msec() + opts->gc_interval_ms;
    ctl->start_ms = time_msec();
}

void
controller_destroy(struct controller *ctl)
{
    /* First: it completes its changes' held jobs into the live queues. */
    ovn_batch_destroy(ctl->nb_batch);
    kube_informer_destroy(ctl->vpc_informer);
    kube_informer_destroy(ctl->subnet_informer);
    kube_informer_destroy(ctl->namespace_informer);
    kube_informer_destroy(ctl->ippool_informer);
    kube_informer_destroy(ctl->ip_informer);
    kube_informer_destroy(ctl->pod_informer);
    kube_informer_destroy(ctl->node_informer);
    ctrl_queue_destroy(ctl->node_queue);
    ctrl_queue_destroy(ctl->pod_queue);
    addresses_destroy(&ctl->addresses);
    ctrl_queue_destroy(ctl->vpc_queue);
    ctrl_queue_destroy(ctl->subnet_queue);
    ctrl_queue_destroy(ctl->namespace_queue);
    kube_recorder_destroy(ctl->recorder);
    crd_model_destroy(ctl->model);
    sset_destroy(&ctl->skips_logged);
}

bool
controller_synced(const struct controller *ctl)
{
    return kube_informer_has_synced(ctl->vpc_informer) &&
           kube_informer_has_synced(ctl->subnet_informer) &&
           kube_informer_has_synced(ctl->namespace_informer) &&
           kube_informer_has_synced(ctl->ippool_informer) &&
           kube_informer_has_synced(ctl->ip_informer) &&
           kube_informer_has_synced(ctl->pod_informer) &&
           kube_informer_has_synced(ctl->node_informer) &&
           ovn_nb_is_ready(ctl->nb);
}

/* Logs when each informer and NB first become ready: the parts of a cold
 * start, which /readyz waits for all of. */
static void
log_ready_parts(struct controller *ctl)
{
    const struct {
        const char *name;
        struct kube_informer *informer;
    } parts[] = {
        {"vpcs", ctl->vpc_informer},
        {"subnets", ctl->subnet_informer},
        {"namespaces", ctl->namespace_informer},
        {"ippools", ctl->ippool_informer},
        {"ips", ctl->ip_informer},
        {"pods", ctl->pod_informer},
        {"nodes", ctl->node_informer},
        {"OVN NB", NULL},
    };

    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        bool ready = parts[i].informer
                         ? kube_informer_has_synced(parts[i].informer)
                         : ovn_nb_is_ready(ctl->nb);
        if (ready && !(ctl->ready_logged & (1u << i))) {
            ctl->ready_logged |= 1u << i;
            VLOG_INFO("%s ready %lld ms after start", parts[i].name,
                      time_msec() - ctl->start_ms);
        }
    }
}

void
controller_run(struct controller *ctl, bool active)
{
    kube_informer_run(ctl->vpc_informer);
    kube_informer_run(ctl->subnet_informer);
    kube_informer_run(ctl->namespace_informer);
    kube_informer_run(ctl->ippool_informer);
    kube_informer_run(ctl->ip_informer);
    kube_informer_run(ctl->pod_informer);
    kube_informer_run(ctl->node_informer);
    ovn_nb_run(ctl->nb);

    /* Reconciling before every cache is full would act on a partial view
     * (a VPC not yet listed looks deleted), and allocating before the
     * address book is restored could hand out an address twice. */
    if (!ctl->restored) {
        log_ready_parts(ctl);
    }
    active = active && controller_synced(ctl);
    if (active && !ctl->restored) {
        pod_restore(ctl);
        node_restore(ctl);
        ctl->restored = true;
    }
    ctrl_queue_run(ctl->vpc_queue, active);
    ctrl_queue_run(ctl->subnet_queue, active);
    ctrl_queue_run(ctl->namespace_queue, active);
    ctrl_queue_run(ctl->pod_queue, active);
    ctrl_queue_run(ctl->node_queue, active);
    /* After the queues, so the ports they submitted go out this turn. */
    ovn_batch_run(ctl->nb_batch);
}

void
controller_wait(struct controller *ctl, bool active)
{
    kube_informer_wait(ctl->vpc_informer);
    kube_informer_wait(ctl->subnet_informer);
    kube_informer_wait(ctl->namespace_informer);
    kube_informer_wait(ctl->ippool_informer);
    kube_informer_wait(ctl->ip_informer);
    kube_informer_wait(ctl->pod_informer);
    kube_informer_wait(ctl->node_informer);
    ovn_nb_wait(ctl->nb);
    ovn_batch_wait(ctl->nb_batch);
    active = active && controller_synced(ctl);
    ctrl_queue_wait(ctl->vpc_queue, active);
    ctrl_queue_wait(ctl->subnet_queue, active);
    ctrl_queue_wait(ctl->namespace_queue, active);
    ctrl_queue_wait(ctl->pod_queue, active);
    ctrl_queue_wait(ctl->node_queue, active);
}

size_t
controller_ips_in_subnet(const struct controller *ctl, const char *subnet)
{
    const struct sset *ips =
        kube_informer_by_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, subnet);
    return ips ? sset_count(ips) : 0;
}

int
controller_nb_transact(struct controller *ctl, ovn_nb_build_fn *build,
                       void *aux, struct kovn_error *err)
{
    long long start = time_msec();
    enum ovn_txn_outcome outcome;
    int error = ovn_nb_transact(ctl->nb, build, aux, 10 * 1000, &outcome, err);
    double seconds = (time_msec() - start) / 1000.0;
    size_t i;

    if (error) {
        ctl->txn_errors++;
        return error;
    }
    if (outcome == OVN_TXN_CHANGED) {
        for (i = 0; i < CTRL_TXN_BUCKETS - 1 && seconds > txn_bounds[i]; i++) {
            continue;
        }
        ctl->txn_buckets[i]++;
        ctl->txn_count++;
        ctl->txn_sum_s += seconds;
    }
    return 0;
}

static void
set_gauge(struct metrics_registry *r, const char *name, const char *help,
          const char *labels, double value)
{
    metrics_set(r, name, METRIC_GAUGE, help, labels, value, NULL);
}

/* Addresses of 'family' in use in 'subnet', from its IP objects. */
static size_t
used_ips(const struct controller *ctl, const char *subnet,
         enum net_family family)
{
    const struct sset *ips =
        kube_informer_by_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, subnet);
    const char *key;
    size_t n = 0;

    if (!ips) {
        return 0;
    }
    SSET_FOR_EACH(key, ips)
    {
        struct json *ip = kube_informer_get_copy(ctl->ip_informer, key);
        const char *addr = NULL;

        json_member_string(json_member(ip, "spec"),
                           family == NET_V4 ? "v4IpAddress" : "v6IpAddress",
                           "spec", &addr, NULL);
        n += addr && *addr;
        json_destroy(ip);
    }
    return n;
}

void
controller_subnet_counts(const struct controller *ctl,
                         const struct subnet *subnet, enum net_family family,
                         net_u128 *used, net_u128 *available)
{
    struct ipam_subnet *ipam = addresses_ipam(&ctl->addresses, subnet->name);

    if (ipam && ctl->restored) {
        *used = ipam_used(ipam, family);
        *available = ipam_available(ipam, family);
    } else {
        /* Before the address book is restored, IP objects are the best
         * count there is. */
        net_u128 usable = subnet_usable_count(subnet, family);
        *used = used_ips(ctl, subnet->name, family);
        *available = usable > *used ? usable - *used : 0;
    }
}

void
controller_export_metrics(const struct controller *ctl,
                          struct metrics_registry *r)
{
    const struct shash *subnets = crd_model_subnets(ctl->model);
    struct shash by_vpc_state = SHASH_INITIALIZER(&by_vpc_state);
    struct shash_node *node;
    size_t orphans = 0;

    SHASH_FOR_EACH(node, subnets)
    {
        const struct subnet *subnet = node->data;
        enum subnet_state state =
            crd_model_subnet_state(ctl->model, subnet, NULL);
        char *labels = NULL;

        orphans += !crd_model_vpc(ctl->model, subnet->vpc);
        metrics_put_label(&labels, "vpc", subnet->vpc);
        metrics_put_label(&labels, "state", subnet_state_reason(state));
        double *count = shash_find_data(&by_vpc_state, labels);
        if (!count) {
            count = xzalloc(sizeof *count);
            shash_add(&by_vpc_state, labels, count);
        }
        ++*count;
        free(labels);

        if (subnet_is_valid(subnet)) {
            for (size_t i = 0; i < subnet->n_cidrs; i++) {
                enum net_family family = subnet->cidrs[i].addr.family;
                const char *proto = family == NET_V4 ? "IPv4" : "IPv6";
                net_u128 used, available;

                controller_subnet_counts(ctl, subnet, family, &used,
                                         &available);

                labels = NULL;
                metrics_put_label(&labels, "subnet", subnet->name);
                metrics_put_label(&labels, "protocol", proto);
                set_gauge(r, "kovn_subnet_used_ips",
                          "Addresses of the subnet held by pods.", labels,
                          (double)used);
                set_gauge(r, "kovn_subnet_available_ips",
                          "Addresses of the subnet still free.", labels,
                          (double)available);
                free(labels);
            }
        }
    }
    SHASH_FOR_EACH(node, &by_vpc_state)
    {
        set_gauge(r, "kovn_subnets", "Subnets by VPC and state.", node->name,
                  *(double *)node->data);
    }
    shash_destroy_free_data(&by_vpc_state);
    set_gauge(r, "kovn_orphaned_subnets",
              "Subnets whose spec.vpc names a VPC that does not exist.", "",
              orphans);

    for (int i = 0; i < SUBNET_N_STATES; i++) {
        if (i == SUBNET_OK) {
            continue;
        }
        char *labels = NULL;
        metrics_put_label(&labels, "reason", subnet_state_reason(i));
        metrics_set(r, "kovn_namespace_subnet_skips_total", METRIC_COUNTER,
                    "Subnets set aside while binding a namespace, by reason.",
                    labels, ctl->skips_total[i], NULL);
        free(labels);
    }

    ctrl_queue_export(ctl->vpc_queue, r);
    ctrl_queue_export(ctl->subnet_queue, r);
    ctrl_queue_export(ctl->namespace_queue, r);
    ctrl_queue_export(ctl->pod_queue, r);
    ctrl_queue_export(ctl->node_queue, r);
    metrics_set(r, "kovn_allocations", METRIC_GAUGE, "Pods holding addresses.",
                "", addresses_count(&ctl->addresses), NULL);

    metrics_set_histogram(r, "kovn_ovn_txn_duration_seconds",
                          "OVN NB transactions that changed the database.", "",
                          txn_bounds, ctl->txn_buckets, CTRL_TXN_BUCKETS - 1,
                          ctl->txn_count, ctl->txn_sum_s, NULL);
    metrics_set(r, "kovn_ovn_txn_errors_total", METRIC_COUNTER,
                "OVN NB transactions that failed.", "", ctl->txn_errors, NULL);
    /* Live heap, beside RSS: what is held versus what fragmentation and
     * freed-but-kept pages add. */
    struct mallinfo2 mi = mallinfo2();
    metrics_set(r, "kovn_heap_in_use_bytes", METRIC_GAUGE,
                "Bytes allocated on the heap and not freed.", "",
                (double)(mi.uordblks + mi.hblkhd), NULL);
    const struct ovn_batch_stats *bs = ovn_batch_stats(ctl->nb_batch);
    metrics_set(r, "kovn_ovn_batch_txns_total", METRIC_COUNTER,
                "Batched OVN NB transactions (pod ports) sent.", "", bs->txns,
                NULL);
    metrics_set(r, "kovn_ovn_batch_changes_total", METRIC_COUNTER,
                "Pod port changes committed through the batch.", "",
                bs->changes, NULL);
    metrics_set(r, "kovn_ovn_batch_failures_total", METRIC_COUNTER,
                "Pod port changes that failed.", "", bs->failures, NULL);
    metrics_set(r, "kovn_ovn_batch_seconds_total", METRIC_COUNTER,
                "Time batched transactions spent in flight.", "",
                bs->txn_seconds, NULL);
    metrics_set(r, "kovn_gc_deleted_ovn_rows_total", METRIC_COUNTER,
                "Stale OVN rows removed by the owner sweep.", "",
                ctl->gc_deleted_rows, NULL);
    metrics_set(r, "kovn_gc_deleted_subnets_total", METRIC_COUNTER,
                "Orphaned subnets deleted by --gc-orphaned-subnets.", "",
                ctl->gc_deleted_subnets, NULL);
    const struct kube_event_stats *ev = kube_recorder_stats(ctl->recorder);
    metrics_set(r, "kovn_events_recorded_total", METRIC_COUNTER,
                "Kubernetes Events recorded (before aggregation).", "",
                ev->recorded, NULL);
}
