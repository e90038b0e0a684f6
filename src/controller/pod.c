/* The Pod reconciler: each pod gets addresses and a MAC from its subnet's
 * IPAM, written first to its annotations (one patch), then an OVN
 * Logical_Switch_Port "<pod>.<namespace>" and an IP object of the same
 * name; a pod that is gone or finished gives all of it back.
 *
 * The annotation patch comes first because it is what survives a crash:
 * at start the address book is rebuilt from IP objects and annotations, so
 * an address is either recorded there (and never handed out again) or was
 * never visible to anyone.  A pod that cannot get an address (its subnet
 * full or unusable, its static address taken) gets an Event and its own
 * backoff; no other pod waits for it. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/addresses.h"
#include "controller/controller.h"
#include "controller/ports.h"
#include "controller/queue.h"
#include "controller/status.h"
#include "crd/ip.h"
#include "crd/names.h"
#include "crd/pod.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/batch.h"
#include "ovn/owner.h"
#include "ovn/switch.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pod);

static void
pod_event(struct controller *ctl, const struct crd_pod *pod, const char *type,
          const char *reason, const char *message)
{
    struct kube_event_object object = {
        .api_version = "v1",
        .kind = "Pod",
        .namespace = pod->namespace,
        .name = pod->name,
        .uid = pod->uid,
    };

    kube_recorder_event(ctl->recorder, &object, type, reason, message);
}

/* Parses "a" or "a,b" (one address per family, an optional "/prefix"
 * ignored as Kube-OVN does). */
static int
parse_addresses(const char *text, struct ipam_addrs *out,
                struct kovn_error *err)
{
    const char *p = text;

    out->n = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *slash = memchr(p, '/', len);

        if (out->n == 2) {
            return kovn_error_set(
                err, -EINVAL, "\"%s\": at most one address per family", text);
        }
        if (net_addr_parse_len(p, slash ? (size_t)(slash - p) : len,
                               &out->addrs[out->n], err)) {
            return -EINVAL;
        }
        if (out->n && out->addrs[0].family == out->addrs[1].family) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%s\": two addresses of one family", text);
        }
        out->n++;
        if (!comma) {
            break;
        }
        p = comma + 1;
    }
    if (out->n == 2 && out->addrs[0].family == NET_V6) {
        struct net_addr tmp = out->addrs[0];
        out->addrs[0] = out->addrs[1];
        out->addrs[1] = tmp;
    }
    return 0;
}

/* The subnets a pod may use, in order, as the namespace gets them. */
static void
namespace_subnets(struct controller *ctl, const char *ns, struct svec *out)
{
    const struct json *obj = kube_informer_get(ctl->namespace_informer, ns);
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct ns_binding binding;

    kube_object_labels(obj, &labels);
    crd_model_bind_namespace(ctl->model, ns, &labels, &binding, NULL, NULL);
    svec_append(out, &binding.subnets);
    ns_binding_destroy(&binding);
    smap_destroy(&labels);
}

/* Checks that pod-named 'subnet' can be used; sets 'msg' if not. */
static bool
subnet_usable(struct controller *ctl, const char *name, char **msg)
{
    const struct subnet *subnet = crd_model_subnet(ctl->model, name);
    enum subnet_state state;

    if (!subnet) {
        *msg = xasprintf("subnet \"%s\" does not exist", name);
        return false;
    }
    state = crd_model_subnet_state(ctl->model, subnet, NULL);
    if (state != SUBNET_OK) {
        *msg = xasprintf("subnet \"%s\" is not usable: %s", name,
                         subnet_state_reason(state));
        return false;
    }
    return true;
}

/* A pod-level ip_pool: a list of addresses/ranges/CIDRs (Kube-OVN's static
 * pool), or of IPPool names.  Fills 'pool' and, for IPPools, 'subnets'. */
static int
parse_pod_pool(struct controller *ctl, const char *text,
               struct net_range_list *pool, struct svec *subnets,
               struct kovn_error *err)
{
    char *copy = xstrdup(text), *save = NULL;
    int error = 0;

    for (char *item = strtok_r(copy, ",; ", &save); item && !error;
         item = strtok_r(NULL, ",; ", &save)) {
        struct net_range range;
        const struct ippool *ippool =
            shash_find_data(crd_model_ippools(ctl->model), item);

        if (ippool) {
            if (ippool->error) {
                error = kovn_error_set(err, -EINVAL, "IPPool %s: %s", item,
                                       ippool->error);
                break;
            }
            for (size_t i = 0; i < ippool->ips.n; i++) {
                net_range_list_add(pool, &ippool->ips.ranges[i]);
            }
            if (*ippool->subnet &&
                !svec_contains_unsorted(subnets, ippool->subnet)) {
                svec_add(subnets, ippool->subnet);
            }
        } else if (!ippool_parse_item(item, &range, NULL)) {
            net_range_list_add(pool, &range);
        } else {
            error = kovn_error_set(err, -EINVAL,
                                   "ip_pool item \"%s\" is neither an "
                                   "address, a range, a CIDR nor an IPPool",
                                   item);
        }
    }
    free(copy);
    net_range_list_normalize(pool);
    return error;
}

/* The namespace's IPPools: their subnets come first, restricted to their
 * addresses. */
static void
namespace_pools(struct controller *ctl, const char *ns,
                struct net_range_list *pool, struct svec *subnets)
{
    const struct sset *names = crd_model_ippools_listing(ctl->model, ns);
    const char *name;

    if (!names) {
        return;
    }
    SSET_FOR_EACH(name, names)
    {
        const struct ippool *ippool =
            shash_find_data(crd_model_ippools(ctl->model), name);
        if (!ippool->error && *ippool->subnet) {
            for (size_t i = 0; i < ippool->ips.n; i++) {
                net_range_list_add(pool, &ippool->ips.ranges[i]);
            }
            if (!svec_contains_unsorted(subnets, ippool->subnet)) {
                svec_add(subnets, ippool->subnet);
            }
        }
    }
    net_range_list_normalize(pool);
}

/* Why 'subnet' takes no more pods though it has free addresses: what its
 * OVN switch holds. */
static char *
port_limit_text(const struct controller *ctl, const char *subnet)
{
    return xasprintf("subnet %s has %zu pods and nodes, as many as one OVN "
                     "logical switch can attach (%zu ports, its router port "
                     "included: OVN's limit, --switch-port-limit)",
                     subnet, addresses_holders(&ctl->addresses, subnet),
                     ctl->opts.switch_port_limit);
}

/* Allocates for 'pod'; on failure records an Event and returns false. */
static bool
allocate(struct controller *ctl, const struct crd_pod *pod)
{
    const char *key = pod->key;
    const char *ns = pod->namespace;
    const char *want_ls = crd_pod_annotation(pod, ANN_LOGICAL_SWITCH);
    const char *want_ip = crd_pod_annotation(pod, ANN_IP_ADDRESS);
    const char *want_mac = crd_pod_annotation(pod, ANN_MAC_ADDRESS);
    const char *want_pool = crd_pod_annotation(pod, ANN_IP_POOL);
    struct svec candidates = SVEC_EMPTY_INITIALIZER;
    struct net_range_list pool;
    struct kovn_error err;
    struct net_mac mac;
    char *msg = NULL;
    const char *reason = "AllocationFailed";
    bool ok = false;

    net_range_list_init(&pool);
    kovn_error_clear(&err);
    if (want_mac && net_mac_parse(want_mac, &mac, &err)) {
        msg = xasprintf("annotation %s: %s", ANN_MAC_ADDRESS, err.msg);
        goto out;
    }
    if (want_ls) {
        if (!subnet_usable(ctl, want_ls, &msg)) {
            goto out;
        }
        svec_add(&candidates, want_ls);
    }
    if (want_pool) {
        if (parse_pod_pool(ctl, want_pool, &pool, &candidates, &err)) {
            msg = xasprintf("annotation %s: %s", ANN_IP_POOL, err.msg);
            goto out;
        }
    } else if (!candidates.n) {
        namespace_pools(ctl, ns, &pool, &candidates);
        if (!candidates.n) {
            net_range_list_destroy(&pool);
            net_range_list_init(&pool);
        }
    }
    if (!candidates.n) {
        namespace_subnets(ctl, ns, &candidates);
    }
    if (!candidates.n) {
        msg = xasprintf("namespace %s has no usable subnet", ns);
        goto out;
    }

    if (want_ip) {
        struct ipam_addrs addrs;
        const char *subnet = NULL;

        if (parse_addresses(want_ip, &addrs, &err)) {
            msg = xasprintf("annotation %s: %s", ANN_IP_ADDRESS, err.msg);
            goto out;
        }
        /* The first candidate subnet that contains the address. */
        for (size_t i = 0; i < candidates.n && !subnet; i++) {
            const struct subnet *s =
                crd_model_subnet(ctl->model, candidates.names[i]);
            if (s && subnet_is_valid(s) &&
                subnet_contains(s, &addrs.addrs[0])) {
                subnet = s->name;
            }
        }
        if (!subnet) {
            msg = xasprintf("static address %s is in none of the pod's "
                            "subnets",
                            want_ip);
            goto out;
        }
        if (addresses_at_port_limit(&ctl->addresses, subnet)) {
            reason = "SubnetFull";
            msg = port_limit_text(ctl, subnet);
            goto out;
        }
        if (!want_mac) {
            ipam_mac_alloc(ctl->addresses.macs, &mac);
            ipam_mac_release(ctl->addresses.macs, &mac);
        }
        int error =
            addresses_take(&ctl->addresses, key, subnet, &addrs, &mac, &err);
        if (error) {
            reason = error == -EADDRINUSE ? "IPConflict" : reason;
            msg = xasprintf("static address %s in subnet %s: %s", want_ip,
                            subnet, err.msg);
            goto out;
        }
        ok = true;
        goto out;
    }

    struct ds full = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < candidates.n && !ok; i++) {
        const char *subnet = candidates.names[i];
        char *why = NULL;
        int error;

        if (!subnet_usable(ctl, subnet, &why)) {
            ds_put_format(&full, "%s%s", full.length ? "; " : "", why);
            free(why);
            continue;
        }
        error = addresses_alloc(&ctl->addresses, key, subnet,
                                pool.n ? &pool : NULL, want_mac ? &mac : NULL);
        if (!error) {
            ok = true;
        } else if (error == -EADDRINUSE) {
            reason = "IPConflict";
            msg = xasprintf("MAC %s is in use by another pod", want_mac);
            break;
        } else {
            if (error == -ENOSPC || error == -EDQUOT) {
                char *text =
                    error == -EDQUOT
                        ? port_limit_text(ctl, subnet)
                        : xasprintf("subnet %s has no free "
                                    "address%s",
                                    subnet, pool.n ? " in the pool" : "");

                char *event = xasprintf("%s; trying the namespace's next "
                                        "subnet",
                                        text);

                pod_event(ctl, pod, "Warning", "SubnetFull", event);
                free(event);
                free(text);
            }
            ds_put_format(&full, "%s%s: %s", full.length ? "; " : "", subnet,
                          error == -ENOSPC   ? "full"
                          : error == -EDQUOT ? "at OVN's port limit"
                                             : "no IPAM");
        }
    }
    if (!ok && !msg) {
        msg = xasprintf("no address available: %s", ds_cstr(&full));
    }
    ds_destroy(&full);

out:
    if (ok) {
        sset_find_and_delete(&ctl->waiting_pods, key);
    } else {
        VLOG_INFO("pod %s: %s", key, msg);
        pod_event(ctl, pod, "Warning", reason, msg);
        sset_add(&ctl->waiting_pods, key);
    }
    free(msg);
    svec_destroy(&candidates);
    net_range_list_destroy(&pool);
    return ok;
}

/* The annotations the pod should carry, added to 'out'. */
static void
desired_annotations(struct controller *ctl, const struct pod_alloc *alloc,
                    struct smap *out)
{
    const struct subnet *subnet = crd_model_subnet(ctl->model, alloc->subnet);
    char mac[NET_MAC_STRLEN];
    char *ips = ctrl_addrs_text(&alloc->addrs);

    net_mac_format(&alloc->mac, mac);
    smap_add(out, ANN_ALLOCATED, "true");
    smap_add_nocopy(out, xstrdup(ANN_IP_ADDRESS), ips);
    smap_add(out, ANN_MAC_ADDRESS, mac);
    smap_add(out, ANN_LOGICAL_SWITCH, alloc->subnet);
    smap_add(out, ANN_POD_NIC_TYPE, "veth-pair");
    if (subnet) {
        smap_add(out, ANN_CIDR, subnet->cidr_block);
        smap_add_nocopy(out, xstrdup(ANN_GATEWAY),
                        subnet_gateways_text(subnet));
        smap_add(out, ANN_LOGICAL_ROUTER, subnet->vpc);
    }
}

static struct json *
ip_object(const struct crd_pod *pod, const struct pod_alloc *alloc,
          const char *name)
{
    struct json *obj = json_object_create();
    struct json *meta = json_object_create();
    struct json *spec = json_object_create();
    char mac[NET_MAC_STRLEN];
    char *ips = ctrl_addrs_text(&alloc->addrs);

    json_object_put_string(obj, "apiVersion", CRD_GROUP_VERSION);
    json_object_put_string(obj, "kind", "IP");
    json_object_put_string(meta, "name", name);
    json_object_put(obj, "metadata", meta);
    json_object_put_string(spec, "podName", pod->name);
    json_object_put_string(spec, "namespace", pod->namespace);
    json_object_put_string(spec, "subnet", alloc->subnet);
    if (*pod->node) {
        json_object_put_string(spec, "nodeName", pod->node);
    }
    json_object_put_string(spec, "ipAddress", ips);
    for (size_t i = 0; i < alloc->addrs.n; i++) {
        char buf[NET_ADDR_STRLEN];
        net_addr_format(&alloc->addrs.addrs[i], buf);
        json_object_put_string(spec,
                               alloc->addrs.addrs[i].family == NET_V4
                                   ? "v4IpAddress"
                                   : "v6IpAddress",
                               buf);
    }
    net_mac_format(&alloc->mac, mac);
    json_object_put_string(spec, "macAddress", mac);
    json_object_put(spec, "attachSubnets", json_array_create_empty());
    json_object_put(spec, "attachIps", json_array_create_empty());
    json_object_put(spec, "attachMacs", json_array_create_empty());
    json_object_put_string(spec, "podType", "pod");
    json_object_put(obj, "spec", spec);
    free(ips);
    return obj;
}

static void
release_after_delete(void *ctl_, const char *key)
{
    struct controller *ctl = ctl_;
    const struct pod_alloc *alloc = addresses_find(&ctl->addresses, key);

    if (alloc) {
        /* Its subnet's counts change. */
        ctrl_queue_add_after(ctl->subnet_queue, alloc->subnet, 1000);
    }
    addresses_release(&ctl->addresses, key);
}

/* A port change handed to the NB batch.  It carries a copy of the
 * allocation: the original may go (its subnet deleted) while the change
 * waits for its transaction. */
struct port_change {
    struct controller *ctl;
    struct ctrl_job *job;
    char *name; /* "<pod>.<namespace>" */
    struct pod_alloc alloc;
    bool delete;
};

static int
port_change_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
                  struct kovn_error *err)
{
    const struct port_change *c = aux;
    struct ctrl_port pb = {.alloc = &c->alloc,
                           .name = c->name,
                           .owner_kind = OVN_OWNER_POD,
                           .owner = c->alloc.key,
                           .delete = c->delete};

    return ctrl_port_build(nb, txn, &pb, err);
}

static enum ctrl_result ip_object_step(struct controller *, const char *key,
                                       struct ctrl_job *);
static enum ctrl_result cleanup_ip_step(struct controller *, const char *key,
                                        struct ctrl_job *);

static void
port_change_done(void *aux, int error, const struct kovn_error *err)
{
    struct port_change *c = aux;
    struct ctrl_job *job = c->job;
    enum ctrl_result result;

    if (error) {
        VLOG_INFO("pod %s: %s port: %s", c->alloc.key,
                  c->delete ? "deleting" : "", err ? err->msg : "");
        c->ctl->txn_errors++;
        result = CTRL_RETRY;
    } else if (c->delete) {
        result = cleanup_ip_step(c->ctl, c->alloc.key, job);
    } else {
        result = ip_object_step(c->ctl, c->alloc.key, job);
    }
    free(c->name);
    free(c->alloc.key);
    free(c->alloc.subnet);
    free(c);
    ctrl_job_resume(job, result);
}

/* Queues the port's ensure (or delete) in the NB batch and holds the job
 * until its transaction is done; the next step runs from there. */
static enum ctrl_result
submit_port(struct controller *ctl, const char *key, struct ctrl_job *job,
            const struct pod_alloc *alloc)
{
    struct port_change *c = xzalloc(sizeof *c);

    c->ctl = ctl;
    c->job = job;
    c->name = crd_pod_port_name(key);
    c->alloc.key = xstrdup(key);
    c->delete = !alloc;
    if (alloc) {
        c->alloc.subnet = xstrdup(alloc->subnet);
        c->alloc.addrs = alloc->addrs;
        c->alloc.mac = alloc->mac;
    }
    ctrl_job_hold(job);
    ovn_batch_submit(ctl->nb_batch, port_change_build, c, port_change_done);
    return CTRL_PENDING;
}

static enum ctrl_result
cleanup_ip_step(struct controller *ctl, const char *key, struct ctrl_job *job)
{
    char *name = crd_pod_port_name(key);
    enum ctrl_result result = CTRL_DONE;

    if (kube_informer_contains(ctl->ip_informer, name)) {
        char *path = xasprintf(CTRL_IPS_PATH "/%s", name);
        ctrl_job_send(job, ctl->client, "DELETE", path, NULL, NULL, true);
        ctrl_job_on_success(job, release_after_delete, ctl);
        free(path);
        result = CTRL_PENDING;
    } else {
        release_after_delete(ctl, key);
    }
    free(name);
    return result;
}

static enum ctrl_result
cleanup(struct controller *ctl, const char *key, struct ctrl_job *job,
        const char *name)
{
    if (ovn_switch_port_find(ctl->nb, name)) {
        return submit_port(ctl, key, job, NULL);
    }
    return cleanup_ip_step(ctl, key, job);
}

/* True if IP object 'ip' records 'alloc' for 'pod' (its node aside).
 * Addresses are compared parsed, as restore_ip() reads them, so that
 * another writer's spelling (Kube-OVN's) is no difference. */
static bool
ip_object_matches(const struct crd_ip *ip, const struct crd_pod *pod,
                  const struct pod_alloc *alloc)
{
    struct ipam_addrs addrs = {.n = 0};
    struct kovn_error err;
    struct net_mac mac;
    char *text;
    int error;

    if (strcmp(ip->pod, pod->name) || strcmp(ip->namespace, pod->namespace) ||
        strcmp(ip->subnet, alloc->subnet) ||
        net_mac_parse(ip->mac, &mac, &err) ||
        !net_mac_equals(&mac, &alloc->mac)) {
        return false;
    }
    text = *ip->v4 || *ip->v6
               ? xasprintf("%s%s%s", ip->v4, *ip->v4 && *ip->v6 ? "," : "",
                           ip->v6)
               : xstrdup(ip->addresses);
    error = parse_addresses(text, &addrs, &err);
    free(text);
    if (error || addrs.n != alloc->addrs.n) {
        return false;
    }
    for (size_t i = 0; i < addrs.n; i++) {
        if (!net_addr_equals(&addrs.addrs[i], &alloc->addrs.addrs[i])) {
            return false;
        }
    }
    return true;
}

/* 3. The IP object, once the port is in. */
static enum ctrl_result
ip_object_step(struct controller *ctl, const char *key, struct ctrl_job *job)
{
    const struct json *pod_json = kube_informer_get(ctl->pod_informer, key);
    const struct pod_alloc *alloc = addresses_find(&ctl->addresses, key);
    enum ctrl_result result = CTRL_DONE;
    char *name = crd_pod_port_name(key);
    struct crd_pod pod;
    struct crd_ip ip;

    if (!pod_json || !alloc) {
        /* Gone meanwhile: its delete event has requeued the key. */
        free(name);
        return CTRL_DONE;
    }
    crd_pod_from_json(pod_json, &pod);
    const struct json *ip_json = kube_informer_get(ctl->ip_informer, name);
    if (!ip_json) {
        struct json *obj = ip_object(&pod, alloc, name);
        ctrl_job_send(job, ctl->client, "POST", CTRL_IPS_PATH, obj, NULL,
                      false);
        /* Already there, written by this job's previous pass: the pod's own
         * update event requeued it before the IP object's event came back.
         * That event requeues the pod again, to check the object. */
        ctrl_job_ok_if_exists(job);
        json_destroy(obj);
        result = CTRL_PENDING;
        goto out;
    }
    crd_ip_from_json(ip_json, &ip);
    if (!ip_object_matches(&ip, &pod, alloc)) {
        /* Another pod's of the same name, whose delete did not get
         * through before this one was given new addresses (a controller
         * killed or a leader change in between): left alone, it would
         * name addresses no pod holds, and win over the pod's at the next
         * restore.  The allocation is what the annotations and the port
         * carry, so the object follows it. */
        struct json *obj = ip_object(&pod, alloc, name);
        struct json *spec = shash_find_data(json_object(obj), "spec");
        struct json *patch = json_object_create();
        char *path = xasprintf(CTRL_IPS_PATH "/%s", name);

        VLOG_INFO("pod %s: IP object %s says %s %s in %s, rewritten to the "
                  "pod's allocation",
                  key, name, ip.addresses, ip.mac, ip.subnet);
        if (!shash_find(json_object(spec), "v4IpAddress")) {
            json_object_put(spec, "v4IpAddress", json_null_create());
        }
        if (!shash_find(json_object(spec), "v6IpAddress")) {
            json_object_put(spec, "v6IpAddress", json_null_create());
        }
        json_object_put(patch, "spec", json_clone(spec));
        ctrl_job_send(job, ctl->client, "PATCH", path, patch,
                      "application/merge-patch+json", false);
        json_destroy(patch);
        json_destroy(obj);
        free(path);
        result = CTRL_PENDING;
    } else if (*pod.node && strcmp(ip.node, pod.node)) {
        /* Scheduled after the IP object was written. */
        struct json *patch = json_object_create();
        struct json *spec = json_object_create();
        char *path = xasprintf(CTRL_IPS_PATH "/%s", name);

        json_object_put_string(spec, "nodeName", pod.node);
        json_object_put(patch, "spec", spec);
        ctrl_job_send(job, ctl->client, "PATCH", path, patch,
                      "application/merge-patch+json", false);
        json_destroy(patch);
        free(path);
        result = CTRL_PENDING;
    }
    crd_ip_destroy(&ip);
out:
    crd_pod_destroy(&pod);
    free(name);
    return result;
}

/* 2. The switch port, once the annotations are written (or at once when
 * they already were). */
static enum ctrl_result
port_step(struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const char *key = ctrl_job_key(job);
    const struct pod_alloc *alloc = addresses_find(&ctl->addresses, key);

    if (!alloc || !kube_informer_contains(ctl->pod_informer, key)) {
        /* Released or gone meanwhile; whatever did it requeued the key. */
        return CTRL_DONE;
    }
    return submit_port(ctl, key, job, alloc);
}

enum ctrl_result
pod_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *pod_json = kube_informer_get(ctl->pod_informer, key);
    char *name = crd_pod_port_name(key);
    const struct pod_alloc *alloc;
    enum ctrl_result result = CTRL_DONE;
    struct crd_pod pod;

    if (!pod_json) {
        sset_find_and_delete(&ctl->waiting_pods, key);
        result = cleanup(ctl, key, job, name);
        free(name);
        return result;
    }
    crd_pod_from_json(pod_json, &pod);
    if (pod.finished || pod.host_network) {
        sset_find_and_delete(&ctl->waiting_pods, key);
    }
    if (pod.finished) {
        result = cleanup(ctl, key, job, name);
        goto out;
    }
    if (pod.host_network) {
        goto out;
    }
    alloc = addresses_find(&ctl->addresses, key);
    if (!alloc) {
        if (!allocate(ctl, &pod)) {
            result = CTRL_RETRY;
            goto out;
        }
        alloc = addresses_find(&ctl->addresses, key);
        ctrl_queue_add_after(ctl->subnet_queue, alloc->subnet, 1000);
    }

    /* 1. Annotations: the durable record of the allocation.  The port and
     * the IP object follow in the same job as soon as the patch is in,
     * not a queue pass later when its watch event comes back. */
    struct smap want = SMAP_INITIALIZER(&want);
    char *path =
        xasprintf("/api/v1/namespaces/%s/pods/%s", pod.namespace, pod.name);

    desired_annotations(ctl, alloc, &want);
    result = ctrl_patch_annotations(ctl, job, path, &pod.annotations, &want);
    smap_destroy(&want);
    free(path);
    if (result == CTRL_PENDING) {
        ctrl_job_then(job, port_step, ctl);
        goto out;
    }
    result = port_step(job, ctl);
out:
    crd_pod_destroy(&pod);
    free(name);
    return result;
}

/* Restores one allocation from an IP object; returns the pod key or NULL. */
static char *
restore_ip(struct controller *ctl, const struct crd_ip *ip)
{
    struct ipam_addrs addrs = {.n = 0};
    struct kovn_error err;
    struct net_mac mac;
    char *key = crd_ip_pod_key(ip);
    bool kept;

    if (!key || !*ip->subnet) {
        VLOG_WARN("IP %s: no podName/namespace/subnet, ignored", ip->name);
        free(key);
        return NULL;
    }
    kovn_error_clear(&err);
    if (*ip->v4 || *ip->v6) {
        char *text =
            xasprintf("%s%s%s", ip->v4, *ip->v4 && *ip->v6 ? "," : "", ip->v6);
        int error = parse_addresses(text, &addrs, &err);
        free(text);
        if (error) {
            goto bad;
        }
    } else if (parse_addresses(ip->addresses, &addrs, &err)) {
        goto bad;
    }
    if (net_mac_parse(ip->mac, &mac, &err)) {
        /* Old objects without a MAC keep their addresses all the same. */
        ipam_mac_alloc(ctl->addresses.macs, &mac);
        ipam_mac_release(ctl->addresses.macs, &mac);
    }
    if (addresses_restore(&ctl->addresses, key, ip->subnet, &addrs, &mac,
                          &kept, &err)) {
        goto bad;
    }
    if (kept) {
        VLOG_WARN("IP %s: pod %s keeps addresses its subnet's spec no "
                  "longer allows: %s",
                  ip->name, key, err.msg);
    }
    return key;
bad:
    VLOG_WARN("IP %s: cannot restore: %s", ip->name, err.msg);
    return key;
}

/* Restores one allocation from a pod's own annotations (a pod whose IP
 * object was never written), or reports a disagreement with its IP
 * object. */
static void
restore_pod(struct controller *ctl, const struct crd_pod *pod)
{
    const char *allocated = crd_pod_annotation(pod, ANN_ALLOCATED);
    const char *ip_text = crd_pod_annotation(pod, ANN_IP_ADDRESS);
    const char *mac_text = crd_pod_annotation(pod, ANN_MAC_ADDRESS);
    const char *subnet = crd_pod_annotation(pod, ANN_LOGICAL_SWITCH);
    const struct pod_alloc *alloc = addresses_find(&ctl->addresses, pod->key);
    struct ipam_addrs addrs;
    struct kovn_error err;
    struct net_mac mac;
    bool kept;

    if (!allocated || strcmp(allocated, "true") || !ip_text || !subnet ||
        parse_addresses(ip_text, &addrs, &err)) {
        return;
    }
    if (alloc) {
        char *have = ctrl_addrs_text(&alloc->addrs);
        if (strcmp(have, ip_text) || strcmp(alloc->subnet, subnet)) {
            char *msg = xasprintf("annotations say %s in %s but IP object "
                                  "says %s in %s; the IP object wins",
                                  ip_text, subnet, have, alloc->subnet);
            VLOG_WARN("pod %s: %s", pod->key, msg);
            pod_event(ctl, pod, "Warning", "AddressMismatch", msg);
            free(msg);
        }
        free(have);
        return;
    }
    if (!mac_text || net_mac_parse(mac_text, &mac, &err)) {
        ipam_mac_alloc(ctl->addresses.macs, &mac);
        ipam_mac_release(ctl->addresses.macs, &mac);
    }
    if (addresses_restore(&ctl->addresses, pod->key, subnet, &addrs, &mac,
                          &kept, &err)) {
        VLOG_WARN("pod %s: cannot restore %s from annotations: %s", pod->key,
                  ip_text, err.msg);
    } else if (kept) {
        VLOG_WARN("pod %s keeps %s, which its subnet's spec no longer "
                  "allows: %s",
                  pod->key, ip_text, err.msg);
    }
}

void
pod_restore(struct controller *ctl)
{
    long long start = time_msec();
    struct kube_store_cursor c;

    /* IP objects first: where they and annotations disagree, they win. */
    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ctl->ip_informer))
    {
        struct crd_ip ip;

        crd_ip_from_json(c.object, &ip);
        char *key = restore_ip(ctl, &ip);
        crd_ip_destroy(&ip);
        if (key) {
            /* A pod that vanished while we were down is cleaned up. */
            ctrl_queue_add(ctl->pod_queue, key);
            free(key);
        }
    }
    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ctl->pod_informer))
    {
        struct crd_pod pod;

        crd_pod_from_json(c.object, &pod);
        restore_pod(ctl, &pod);
        crd_pod_destroy(&pod);
        ctrl_queue_add(ctl->pod_queue, c.key);
    }
    VLOG_INFO("restored %zu allocations from %zu IP objects and %zu pods in "
              "%lld ms",
              addresses_count(&ctl->addresses),
              kube_informer_count(ctl->ip_informer),
              kube_informer_count(ctl->pod_informer), time_msec() - start);
}
