/* The Node reconciler: every Node gets an address on the join subnet, an
 * OVN switch port "node-<name>" there (the daemon plugs the node's ovn0
 * interface into it, so the host reaches pods of the default VPC), and the
 * annotations the daemon reads.  A deleted Node gives both back.  Its
 * address lives in the address book under addresses_node_key(). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/addresses.h"
#include "controller/controller.h"
#include "controller/egress.h"
#include "controller/nbwrite.h"
#include "controller/ports.h"
#include "controller/queue.h"
#include "controller/status.h"
#include "crd/ip.h"
#include "crd/names.h"
#include "crd/node.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/ovn-nb-idl.h"
#include "ovn/owner.h"
#include "ovn/router.h"
#include "ovn/switch.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(node);

/* Pods of the default VPC reach a node's own addresses through its ovn0:
 * one policy per InternalIP on the default VPC's router, rerouting to the
 * node's join address, at Kube-OVN's priority for node routes.  Policies
 * of this node for addresses it no longer has go. */
#define NODE_POLICY_PRIORITY 30000

/* The node's policies on the default VPC's router: to its InternalIPs, and
 * its pods' egress (egress.h); with its address sets. */
static int
write_node_policies(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                    const struct ctrl_nb_target *w,
                    const struct pod_alloc *alloc, bool delete,
                    struct kovn_error *err)
{
    const struct controller *ctl = w->ctl;
    const char *router_name = ctl->opts.default_vpc;
    const struct nbrec_logical_router *router =
        ovn_router_find(nb, router_name);
    struct ovn_owner owner = {OVN_OWNER_NODE, w->key};
    const struct json *obj =
        delete ? NULL : kube_informer_get(ctl->node_informer, w->key);
    struct egress_policies policies;
    int error;

    egress_policies_init(&policies);
    error = egress_write_node(nb, txn, ctl, w->key, obj ? alloc : NULL,
                              &policies, err);
    if (error || !router || !ovn_owner_is_ours(&router->external_ids)) {
        /* Written once the default VPC's router is there. */
        goto out;
    }
    if (obj) {
        struct crd_node node;

        crd_node_from_json(obj, &node);
        for (size_t i = 0; i < node.n_internal_ips; i++) {
            const struct net_addr *ip = &node.internal_ips[i];
            const struct net_addr *nexthop =
                pod_alloc_address(alloc, ip->family);
            char text[NET_ADDR_STRLEN];

            if (!nexthop) {
                continue; /* The join subnet has no address of its family. */
            }
            net_addr_format(ip, text);
            egress_policies_add(&policies, NODE_POLICY_PRIORITY,
                                xasprintf("%s.dst == %s",
                                          ip->family == NET_V4 ? "ip4" : "ip6",
                                          text),
                                "reroute", nexthop);
        }
    }
    error = ovn_policies_set(nb, txn, router_name, policies.specs, policies.n,
                             &owner, err);
out:
    egress_policies_destroy(&policies);
    return error;
}

/* The node's port and policies as the address book and the node informer
 * have them when the write is built, or their removal. */
static int
write_node_port(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                const struct ctrl_nb_target *w, bool delete,
                struct kovn_error *err)
{
    char *key = addresses_node_key(w->key);
    char *port = crd_node_port_name(w->key);
    const struct pod_alloc *alloc = addresses_find(&w->ctl->addresses, key);
    struct ctrl_port np = {.alloc = alloc,
                           .name = port,
                           .owner_kind = OVN_OWNER_NODE,
                           .owner = w->key,
                           .gateway = true,
                           .delete = delete};
    int error = delete || alloc ? ctrl_port_build(nb, txn, &np, err) : 0;

    if (!error) {
        error = write_node_policies(nb, txn, w, alloc, delete, err);
    }
    free(key);
    free(port);
    return error;
}

static int
build_node_port(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                const struct ctrl_nb_target *w, struct kovn_error *err)
{
    return write_node_port(nb, txn, w, false, err);
}

static int
build_node_port_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                       const struct ctrl_nb_target *w, struct kovn_error *err)
{
    return write_node_port(nb, txn, w, true, err);
}

static enum ctrl_result
port_deleted_step(struct controller *ctl, struct ctrl_job *job,
                  const char *name, void *aux OVS_UNUSED, int error,
                  const struct kovn_error *err)
{
    char *key = addresses_node_key(name);

    (void)job;
    if (error) {
        VLOG_WARN("node %s: deleting port: %s", name, err ? err->msg : "");
        free(key);
        return CTRL_RETRY;
    }
    if (!kube_informer_contains(ctl->node_informer, name)) {
        addresses_release(&ctl->addresses, key);
        ctrl_queue_add_after(ctl->subnet_queue, ctl->opts.join_subnet, 1000);
    }
    free(key);
    return CTRL_DONE;
}

static enum ctrl_result
port_written_step(struct controller *ctl, struct ctrl_job *job,
                  const char *name, void *aux OVS_UNUSED, int error,
                  const struct kovn_error *err)
{
    (void)job;
    if (error) {
        VLOG_INFO("node %s: port: %s", name, err ? err->msg : "");
        return CTRL_RETRY;
    }
    if (!ovn_router_find(ctl->nb, ctl->opts.default_vpc)) {
        /* The port is in; the policies to the node's addresses wait for
         * the default VPC's router, written by its own reconcile. */
        return CTRL_RETRY;
    }
    return CTRL_DONE;
}

/* Restores a Node's address from its annotations at start. */
void
node_restore(struct controller *ctl)
{
    struct kube_store_cursor node;

    KUBE_STORE_FOR_EACH(&node, kube_informer_store(ctl->node_informer))
    {
        const char *allocated =
            kube_object_annotation(node.object, ANN_ALLOCATED);
        const char *ip = kube_object_annotation(node.object, ANN_IP_ADDRESS);
        const char *mac = kube_object_annotation(node.object, ANN_MAC_ADDRESS);
        const char *ls =
            kube_object_annotation(node.object, ANN_LOGICAL_SWITCH);
        struct ipam_addrs addrs = {.n = 1};
        struct kovn_error err;
        struct net_mac m;

        if (!allocated || strcmp(allocated, "true") || !ip || !mac || !ls ||
            net_addr_parse(ip, &addrs.addrs[0], &err) ||
            net_mac_parse(mac, &m, &err)) {
            ctrl_queue_add(ctl->node_queue, node.key);
            continue;
        }
        char *key = addresses_node_key(node.key);
        if (addresses_take(&ctl->addresses, key, ls, &addrs, &m, &err)) {
            VLOG_WARN("node %s: cannot restore %s: %s", node.key, ip, err.msg);
        }
        free(key);
        ctrl_queue_add(ctl->node_queue, node.key);
    }
}

enum ctrl_result
node_reconcile(const char *name, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *node = kube_informer_get(ctl->node_informer, name);
    const char *join = ctl->opts.join_subnet;
    char *key = addresses_node_key(name);
    char *port = crd_node_port_name(name);
    enum ctrl_result result = CTRL_DONE;
    const struct pod_alloc *alloc;

    if (!join || !*join) {
        goto out;
    }
    if (!node) {
        if (ovn_switch_port_find(ctl->nb, port)) {
            result = ctrl_nb_write_object(ctl, job, name, NULL,
                                          build_node_port_delete,
                                          port_deleted_step);
            goto out;
        }
        addresses_release(&ctl->addresses, key);
        ctrl_queue_add_after(ctl->subnet_queue, join, 1000);
        goto out;
    }
    alloc = addresses_find(&ctl->addresses, key);
    if (!alloc) {
        int error = addresses_alloc(&ctl->addresses, key, join, NULL, NULL);
        if (error) {
            VLOG_WARN("node %s: no address on %s: %s", name, join,
                      ovs_strerror(-error));
            result = CTRL_RETRY;
            goto out;
        }
        alloc = addresses_find(&ctl->addresses, key);
        ctrl_queue_add_after(ctl->subnet_queue, join, 1000);
    }

    const struct subnet *subnet = crd_model_subnet(ctl->model, join);
    struct smap want = SMAP_INITIALIZER(&want);
    char mac[NET_MAC_STRLEN];

    net_mac_format(&alloc->mac, mac);
    smap_add(&want, ANN_ALLOCATED, "true");
    smap_add_nocopy(&want, xstrdup(ANN_IP_ADDRESS),
                    ctrl_addrs_text(&alloc->addrs));
    smap_add(&want, ANN_MAC_ADDRESS, mac);
    smap_add(&want, ANN_LOGICAL_SWITCH, join);
    if (subnet) {
        smap_add(&want, ANN_CIDR, subnet->cidr_block);
        smap_add_nocopy(&want, xstrdup(ANN_GATEWAY),
                        subnet_gateways_text(subnet));
    }

    struct smap have = SMAP_INITIALIZER(&have);
    char *path = xasprintf("/api/v1/nodes/%s", name);

    kube_object_annotations(node, ANN_PREFIX, &have);
    result = ctrl_patch_annotations(ctl, job, path, &have, &want);
    smap_destroy(&have);
    smap_destroy(&want);
    free(path);
    if (result == CTRL_PENDING) {
        goto out;
    }

    result = ctrl_nb_write_object(ctl, job, name, NULL, build_node_port,
                                  port_written_step);
out:
    free(key);
    free(port);
    return result;
}
