/* kovn-controller's wiring: informers feed the typed model, and every
 * change goes through the dependency graph (crd/deps.h), which marks the
 * outputs it can affect; marks become work queue keys.  Which change
 * requeues what is declared in that graph's one table, not here: these
 * handlers only report "this input changed" before and after applying it
 * to the model. */
#include <config.h>

#include "controller/controller.h"
#include "crd/subnet.h"

#include <errno.h>
#include <string.h>

#include "controller/adopt.h"
#include "controller/prune.h"
#include "controller/queue.h"
#include "crd/deps.h"
#include "crd/ip.h"
#include "crd/pod.h"
#include "crd/service.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/podproto.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/batch.h"
#include "ovn/nb.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(controller);

static struct ctrl_queue *
output_queue(struct controller *ctl, enum deps_output output)
{
    switch (output) {
    case DEPS_OUT_NAMESPACE:
        return ctl->namespace_queue;
    case DEPS_OUT_SUBNET:
        return ctl->subnet_queue;
    case DEPS_OUT_VPC:
        return ctl->vpc_queue;
    case DEPS_OUT_POD:
        return ctl->pod_queue;
    case DEPS_OUT_SERVICE:
        return ctl->service_queue;
    case DEPS_OUT_NETPOL:
        return ctl->netpol_queue;
    case DEPS_OUT_NODE:
    case DEPS_N_OUTPUTS:
    default:
        return ctl->node_queue;
    }
}

static void
mark_output(void *ctl_, enum deps_output output, const char *key,
            long long delay_ms)
{
    struct controller *ctl = ctl_;
    struct ctrl_queue *queue = output_queue(ctl, output);

    if (delay_ms) {
        ctrl_queue_add_after(queue, key, delay_ms);
    } else {
        ctrl_queue_add(queue, key);
    }
}

static void
enqueue_keys(struct ctrl_queue *queue, const struct shash *keys)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, keys)
    {
        ctrl_queue_add(queue, node->name);
    }
}

/* An output without an incremental handler for some input: recompute
 * every key of it. */
static void
mark_all_outputs(void *ctl_, enum deps_output output)
{
    struct controller *ctl = ctl_;
    struct ctrl_queue *queue = output_queue(ctl, output);

    switch (output) {
    case DEPS_OUT_NAMESPACE:
        enqueue_keys(queue, kube_store_keys(
                                kube_informer_store(ctl->namespace_informer)));
        break;
    case DEPS_OUT_SUBNET:
        enqueue_keys(queue, crd_model_subnets(ctl->model));
        break;
    case DEPS_OUT_VPC:
        enqueue_keys(queue, crd_model_vpcs(ctl->model));
        break;
    case DEPS_OUT_POD:
        enqueue_keys(queue,
                     kube_store_keys(kube_informer_store(ctl->pod_informer)));
        break;
    case DEPS_OUT_SERVICE:
        enqueue_keys(queue, kube_store_keys(
                                kube_informer_store(ctl->service_informer)));
        break;
    case DEPS_OUT_NETPOL:
        enqueue_keys(queue, &ctl->netpols.by_key);
        break;
    case DEPS_OUT_NODE:
    case DEPS_N_OUTPUTS:
    default:
        enqueue_keys(queue,
                     kube_store_keys(kube_informer_store(ctl->node_informer)));
        break;
    }
}

/* The graph's view of the namespaces: the informer's store. */
static void
for_each_namespace(const void *ctl_, deps_namespace_fn *fn, void *aux)
{
    const struct controller *ctl = ctl_;
    struct kube_store_cursor ns;

    KUBE_STORE_FOR_EACH(&ns, kube_informer_store(ctl->namespace_informer))
    {
        struct smap labels = SMAP_INITIALIZER(&labels);

        kube_object_labels(ns.object, &labels);
        fn(ns.key, &labels, aux);
        smap_destroy(&labels);
    }
}

/* The graph's view of the pods waiting for an address. */
static void
for_each_waiting_pod(const void *ctl_, const char *ns, deps_pod_fn *fn,
                     void *aux)
{
    const struct controller *ctl = ctl_;
    size_t ns_len = ns ? strlen(ns) : 0;
    const char *pod;

    SSET_FOR_EACH(pod, &ctl->waiting_pods)
    {
        if (!ns || (!strncmp(pod, ns, ns_len) && pod[ns_len] == '/')) {
            fn(pod, aux);
        }
    }
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

static void
subnet_changed(struct controller *ctl, const char *name,
               const struct json *obj)
{
    struct deps_change *change =
        deps_change_begin(&ctl->deps_world, DEPS_IN_SUBNET, name, NULL);
    const struct subnet *subnet = NULL;

    if (obj) {
        subnet = crd_model_put_subnet(ctl->model, obj);
    } else {
        crd_model_remove_subnet(ctl->model, name);
        addresses_drop_subnet(&ctl->addresses, name);
    }
    if (subnet) {
        addresses_sync_subnet(&ctl->addresses, subnet);
    }
    if (deps_change_end(change, NULL, &ctl->deps_sink)) {
        /* What namespaces see of it changed: a skip is news again. */
        forget_logged_skips(ctl, name);
    }
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

static void
vpc_changed(struct controller *ctl, const char *name, const struct json *obj)
{
    struct deps_change *change =
        deps_change_begin(&ctl->deps_world, DEPS_IN_VPC, name, NULL);

    if (obj) {
        crd_model_put_vpc(ctl->model, obj);
    } else {
        crd_model_remove_vpc(ctl->model, name);
    }
    if (deps_change_end(change, NULL, &ctl->deps_sink)) {
        const struct sset *subnets =
            crd_model_subnets_of_vpc(ctl->model, name);
        const char *subnet;

        if (subnets) {
            SSET_FOR_EACH(subnet, subnets)
            {
                forget_logged_skips(ctl, subnet);
            }
        }
    }
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
    struct deps_change *change =
        deps_change_begin(&ctl->deps_world, DEPS_IN_IPPOOL, name, NULL);

    if (obj) {
        crd_model_put_ippool(ctl->model, obj);
    } else {
        crd_model_remove_ippool(ctl->model, name);
    }
    deps_change_end(change, NULL, &ctl->deps_sink);
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

/* IP objects are decoded once, here, for the graph. */
static void
ip_changed(struct controller *ctl, const char *key, const struct json *old,
           const struct json *new)
{
    struct crd_ip before, after;
    struct deps_change *change;

    if (old) {
        crd_ip_from_json(old, &before);
    }
    if (new) {
        crd_ip_from_json(new, &after);
    }
    change = deps_change_begin(&ctl->deps_world, DEPS_IN_IP, key,
                               old ? &before : NULL);
    deps_change_end(change, new ? &after : NULL, &ctl->deps_sink);
    if (old) {
        crd_ip_destroy(&before);
    }
    if (new) {
        crd_ip_destroy(&after);
    }
}

static void
ip_add(const char *key, const struct json *obj, void *ctl)
{
    ip_changed(ctl, key, NULL, obj);
}

static void
ip_update(const char *key, const struct json *old, const struct json *new,
          void *ctl)
{
    ip_changed(ctl, key, old, new);
}

static void
ip_del(const char *key, const struct json *obj, void *ctl)
{
    ip_changed(ctl, key, obj, NULL);
}

static struct kube_informer *
informer(struct controller *ctl, const char *path,
         void (*add)(const char *, const struct json *, void *),
         void (*update)(const char *, const struct json *, const struct json *,
                        void *),
         void (*del)(const char *, const struct json *, void *), void *aux)
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
    struct kube_informer_handlers handlers = {add, update, del, aux};
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
    } else if (!strcmp(path, CTRL_SERVICES_PATH)) {
        options.transform = ctrl_prune_service;
    } else if (!strcmp(path, CTRL_ENDPOINTS_PATH)) {
        options.transform = ctrl_prune_endpoints;
    }

    struct kube_informer *inf =
        kube_informer_create(ctl->client, &options, &handlers);
    json_destroy(fence);
    return inf;
}

/* Inputs the model does not hold (namespaces, pods, nodes, Services,
 * Endpoints).  Pods and Nodes hand the graph their pruned JSON before and
 * after (deps.h); for the others the key is all it needs.  The informer's
 * aux is the input's struct ctrl_keyed_input. */
static void
keyed_changed(const struct ctrl_keyed_input *input, const char *key,
              const struct json *old, const struct json *new)
{
    bool objects = input->input == DEPS_IN_POD || input->input == DEPS_IN_NODE;
    struct deps_change *change = deps_change_begin(
        &input->ctl->deps_world, input->input, key, objects ? old : NULL);

    deps_change_end(change, objects ? new : NULL, &input->ctl->deps_sink);
}

static void
keyed_add(const char *key, const struct json *obj, void *input)
{
    keyed_changed(input, key, NULL, obj);
}

static void
keyed_update(const char *key, const struct json *old, const struct json *new,
             void *input)
{
    keyed_changed(input, key, old, new);
}

static void
keyed_del(const char *key, const struct json *obj, void *input)
{
    keyed_changed(input, key, obj, NULL);
}

static struct kube_informer *
keyed_informer(struct controller *ctl, const char *path, enum deps_input input)
{
    ctl->keyed[input] = (struct ctrl_keyed_input){ctl, input};
    return informer(ctl, path, keyed_add, keyed_update, keyed_del,
                    &ctl->keyed[input]);
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
    ovn_batch_set_linger(ctl->nb_batch, opts->nb_linger_ms);
    ctl->model = crd_model_create(opts->default_vpc, opts->default_subnet);
    ctl->deps_world = (struct deps_world){
        .model = ctl->model,
        .join_subnet = opts->join_subnet,
        .for_each_namespace = for_each_namespace,
        .for_each_waiting_pod = for_each_waiting_pod,
        .aux = ctl,
    };
    ctl->deps_sink = (struct deps_sink){mark_output, mark_all_outputs, ctl};
    ctl->recorder =
        kube_recorder_create(client, "kovn-controller", opts->event_namespace);
    sset_init(&ctl->skips_logged);
    sset_init(&ctl->unbound_namespaces);
    sset_init(&ctl->waiting_pods);
    shash_init(&ctl->service_vips);
    ctrl_netpol_init(ctl);

    ctl->vpc_queue = ctrl_queue_create("vpc", 4, vpc_reconcile, ctl);
    ctl->subnet_queue = ctrl_queue_create("subnet", 8, subnet_reconcile, ctl);
    ctl->namespace_queue =
        ctrl_queue_create("namespace", 32, namespace_reconcile, ctl);
    /* A pod's job now spans its patch, port and IP object (three round
     * trips), so more of them are in flight to keep the API server as
     * busy as before. */
    ctl->pod_queue = ctrl_queue_create("pod", 256, pod_reconcile, ctl);
    ctl->node_queue = ctrl_queue_create("node", 8, node_reconcile, ctl);
    ctl->service_queue =
        ctrl_queue_create("service", 32, service_reconcile, ctl);
    ctl->netpol_queue = ctrl_queue_create("netpol", 32, netpol_reconcile, ctl);
    addresses_init(&ctl->addresses);
    if (!ctl->opts.switch_port_limit) {
        ctl->opts.switch_port_limit = OVN_SWITCH_PORT_LIMIT;
    }
    ctl->addresses.pod_limit =
        subnet_port_capacity(ctl->opts.switch_port_limit);

    ctl->vpc_informer =
        informer(ctl, CTRL_VPCS_PATH, vpc_add, vpc_update, vpc_del, ctl);
    ctl->subnet_informer = informer(ctl, CTRL_SUBNETS_PATH, subnet_add,
                                    subnet_update, subnet_del, ctl);
    ctl->namespace_informer =
        keyed_informer(ctl, CTRL_NAMESPACES_PATH, DEPS_IN_NAMESPACE);
    ctl->ippool_informer = informer(ctl, CTRL_IPPOOLS_PATH, ippool_add,
                                    ippool_update, ippool_del, ctl);
    ctl->ip_informer =
        informer(ctl, CTRL_IPS_PATH, ip_add, ip_update, ip_del, ctl);
    ctl->pod_informer = keyed_informer(ctl, CTRL_PODS_PATH, DEPS_IN_POD);
    ctl->node_informer = keyed_informer(ctl, CTRL_NODES_PATH, DEPS_IN_NODE);
    ctl->service_informer =
        keyed_informer(ctl, CTRL_SERVICES_PATH, DEPS_IN_SERVICE);
    ctl->endpoints_informer =
        keyed_informer(ctl, CTRL_ENDPOINTS_PATH, DEPS_IN_ENDPOINTS);
    kube_informer_add_index(ctl->service_informer, CTRL_SERVICE_BY_CLUSTER_IP,
                            crd_service_cluster_ip);
    ctl->netpol_informer = informer(ctl, CTRL_NETPOLS_PATH, ctrl_netpol_add,
                                    ctrl_netpol_update, ctrl_netpol_del, ctl);
    kube_informer_add_index(ctl->pod_informer, CTRL_POD_BY_NAMESPACE,
                            kube_object_namespace);
    kube_informer_add_index(ctl->ip_informer, CTRL_IP_BY_SUBNET,
                            crd_ip_subnet_of);
    kube_informer_add_index(ctl->pod_informer, CTRL_POD_BY_NODE,
                            crd_pod_node_of);
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
    kube_informer_destroy(ctl->service_informer);
    kube_informer_destroy(ctl->endpoints_informer);
    kube_informer_destroy(ctl->netpol_informer);
    ctrl_queue_destroy(ctl->netpol_queue);
    ctrl_queue_destroy(ctl->service_queue);
    ctrl_queue_destroy(ctl->node_queue);
    ctrl_queue_destroy(ctl->pod_queue);
    addresses_destroy(&ctl->addresses);
    ctrl_queue_destroy(ctl->vpc_queue);
    ctrl_queue_destroy(ctl->subnet_queue);
    ctrl_queue_destroy(ctl->namespace_queue);
    kube_recorder_destroy(ctl->recorder);
    crd_model_destroy(ctl->model);
    sset_destroy(&ctl->skips_logged);
    sset_destroy(&ctl->unbound_namespaces);
    sset_destroy(&ctl->waiting_pods);
    struct shash_node *node;
    SHASH_FOR_EACH(node, &ctl->service_vips)
    {
        sset_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&ctl->service_vips);
    ctrl_netpol_destroy(ctl);
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
           kube_informer_has_synced(ctl->service_informer) &&
           kube_informer_has_synced(ctl->endpoints_informer) &&
           kube_informer_has_synced(ctl->netpol_informer) &&
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
        {"services", ctl->service_informer},
        {"endpoints", ctl->endpoints_informer},
        {"networkpolicies", ctl->netpol_informer},
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

/* An empty book with an IPAM for every subnet in the model, as the
 * informers' events built it at start. */
static void
rebuild_addresses(struct controller *ctl)
{
    struct shash_node *node;

    addresses_destroy(&ctl->addresses);
    addresses_init(&ctl->addresses);
    ctl->addresses.pod_limit =
        subnet_port_capacity(ctl->opts.switch_port_limit);
    SHASH_FOR_EACH(node, crd_model_subnets(ctl->model))
    {
        addresses_sync_subnet(&ctl->addresses, node->data);
    }
}

void
controller_stopped_leading(struct controller *ctl)
{
    ctl->restored = false;
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
    kube_informer_run(ctl->service_informer);
    kube_informer_run(ctl->endpoints_informer);
    kube_informer_run(ctl->netpol_informer);
    ovn_nb_run(ctl->nb);

    /* Reconciling before every cache is full would act on a partial view
     * (a VPC not yet listed looks deleted), and allocating before the
     * address book is restored could hand out an address twice. */
    if (!ctl->restored) {
        log_ready_parts(ctl);
    }
    active = active && controller_synced(ctl);
    if (active && !ctl->restored) {
        if (ctl->n_restores) {
            rebuild_addresses(ctl);
        }
        pod_restore(ctl);
        node_restore(ctl);
        ctl->restored = true;
        ctl->n_restores++;
    }
    if (active && ctl->opts.adopt_kube_ovn) {
        /* Kube-OVN's rows become kovn's before any reconciler writes NB:
         * otherwise each would refuse them as someone else's. */
        active = adopt_kube_ovn_run(ctl);
    }
    ctrl_queue_run(ctl->vpc_queue, active);
    ctrl_queue_run(ctl->subnet_queue, active);
    ctrl_queue_run(ctl->namespace_queue, active);
    ctrl_queue_run(ctl->pod_queue, active);
    ctrl_queue_run(ctl->node_queue, active);
    ctrl_queue_run(ctl->service_queue, active);
    ctrl_queue_run(ctl->netpol_queue, active);
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
    kube_informer_wait(ctl->service_informer);
    kube_informer_wait(ctl->endpoints_informer);
    kube_informer_wait(ctl->netpol_informer);
    ovn_nb_wait(ctl->nb);
    ovn_batch_wait(ctl->nb_batch);
    active = active && controller_synced(ctl);
    if (active && ctl->opts.adopt_kube_ovn &&
        ctl->adopt_state != CTRL_ADOPT_DONE) {
        if (ctl->adopt_state == CTRL_ADOPT_IDLE) {
            poll_timer_wait_until(ctl->adopt_retry_ms);
        }
        active = false;
    }
    ctrl_queue_wait(ctl->vpc_queue, active);
    ctrl_queue_wait(ctl->subnet_queue, active);
    ctrl_queue_wait(ctl->namespace_queue, active);
    ctrl_queue_wait(ctl->pod_queue, active);
    ctrl_queue_wait(ctl->node_queue, active);
    ctrl_queue_wait(ctl->service_queue, active);
    ctrl_queue_wait(ctl->netpol_queue, active);
}
