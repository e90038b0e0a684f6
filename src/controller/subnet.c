/* The Subnet reconciler: validate, then a Logical_Switch attached to its
 * VPC's router; status conditions and address counts; deletion only once
 * no IP uses the subnet.
 *
 * A subnet that cannot work (orphaned, invalid, overlapping an older
 * subnet of its VPC) gets a condition saying why and one Event on the
 * transition, touches nothing in OVN, and is not requeued: the informer
 * events of whatever it waits for (its VPC appearing, its spec being
 * fixed, the other subnet going) requeue it. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "base/error.h"
#include "controller/controller.h"
#include "controller/counts.h"
#include "controller/egress.h"
#include "controller/nbwrite.h"
#include "controller/queue.h"
#include "controller/status.h"
#include "hash.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovn/acl.h"
#include "ovn/adopt.h"
#include "ovn/lb.h"
#include "ovn/nb.h"
#include "ovn/owner.h"
#include "ovn/router.h"
#include "ovn/switch.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(subnet);

#define MAX_NAMED 10

/* The router port's MAC, derived from its name so that every controller
 * start computes the same one and a restart changes nothing in NB.
 * Locally administered, unicast. */
static struct net_mac
router_port_mac(const char *vpc, const char *subnet)
{
    char *name = ovn_router_port_name(vpc, subnet);
    uint32_t h1 = hash_string(name, 0);
    uint32_t h2 = hash_string(name, h1);
    struct net_mac mac = {{0x0e, h1 >> 24, h1 >> 16, h1 >> 8, h1, h2}};

    free(name);
    return mac;
}

/* What build_subnet() needs besides the subnet: the nodes' addresses,
 * which a private subnet still lets in (kubelet probes, the node reaching
 * its pods through ovn0). */
struct subnet_build {
    const struct controller *ctl;
    const struct subnet *subnet;
    const struct subnet *join; /* NULL if the join subnet is not usable. */
};

/* Kube-OVN's priorities for private subnets: the drop sits below the
 * allows, and the node allow above both. */
#define ACL_PRIVATE_DROP_PRIORITY  1000
#define ACL_PRIVATE_ALLOW_PRIORITY 1001
#define ACL_NODE_ALLOW_PRIORITY    3000

static const char *
ip_match_prefix(const struct net_cidr *cidr)
{
    return cidr->addr.family == NET_V4 ? "ip4" : "ip6";
}

static void
add_acl(struct ovn_acl_spec *acls, size_t *n, struct svec *matches,
        int64_t priority, const char *action, char *match)
{
    svec_add_nocopy(matches, match);
    acls[(*n)++] = (struct ovn_acl_spec){
        .direction = "to-lport",
        .priority = priority,
        .match = match,
        .action = action,
    };
}

static char *
src_dst_match(const struct net_cidr *src, const struct net_cidr *dst)
{
    char s[NET_CIDR_STRLEN], d[NET_CIDR_STRLEN];

    net_cidr_format(src, s);
    net_cidr_format(dst, d);
    return xasprintf("%s.src == %s && %s.dst == %s", ip_match_prefix(src), s,
                     ip_match_prefix(dst), d);
}

/* A private subnet talks only to itself, its allowSubnets CIDRs (of the
 * same family) and the nodes, as in Kube-OVN.  to-lport ACLs apply on every
 * port of the switch, the router port too, so one set of rules filters
 * both what enters the subnet (towards a pod) and what leaves it (towards
 * the router): each allowed peer gets a rule per direction.  The allows are
 * allow-related, so replies follow conntrack.  A subnet that is not private
 * carries no kovn ACLs, so turning 'private' off removes them. */
static int
build_private_acls(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                   const struct subnet_build *b, const struct ovn_owner *owner,
                   struct kovn_error *err)
{
    const struct subnet *subnet = b->subnet;
    size_t n_join = b->join ? b->join->n_cidrs : 0;
    /* The drop, then per own CIDR: same subnet, and both directions for
     * each allowed and each join CIDR (an upper bound: families that do
     * not match are skipped). */
    size_t max =
        1 + subnet->n_cidrs * (1 + 2 * (subnet->n_allow_subnets + n_join));
    struct ovn_acl_spec *acls = xcalloc(max, sizeof *acls);
    struct svec matches = SVEC_EMPTY_INITIALIZER;
    size_t n = 0;
    int error;

    if (subnet->private_) {
        add_acl(acls, &n, &matches, ACL_PRIVATE_DROP_PRIORITY, "drop",
                xstrdup("ip"));
        for (size_t i = 0; i < subnet->n_cidrs; i++) {
            const struct net_cidr *own = &subnet->cidrs[i];

            add_acl(acls, &n, &matches, ACL_PRIVATE_ALLOW_PRIORITY,
                    "allow-related", src_dst_match(own, own));
            for (size_t j = 0; j < subnet->n_allow_subnets; j++) {
                const struct net_cidr *allowed = &subnet->allow_subnets[j];
                if (allowed->addr.family == own->addr.family) {
                    add_acl(acls, &n, &matches, ACL_PRIVATE_ALLOW_PRIORITY,
                            "allow-related", src_dst_match(allowed, own));
                    add_acl(acls, &n, &matches, ACL_PRIVATE_ALLOW_PRIORITY,
                            "allow-related", src_dst_match(own, allowed));
                }
            }
            for (size_t j = 0; b->join && j < b->join->n_cidrs; j++) {
                const struct net_cidr *join = &b->join->cidrs[j];
                if (join->addr.family == own->addr.family) {
                    add_acl(acls, &n, &matches, ACL_NODE_ALLOW_PRIORITY,
                            "allow-related", src_dst_match(join, own));
                    add_acl(acls, &n, &matches, ACL_NODE_ALLOW_PRIORITY,
                            "allow-related", src_dst_match(own, join));
                }
            }
        }
    }
    error =
        ovn_acls_set_for_switch(nb, txn, subnet->name, acls, n, owner, err);
    svec_destroy(&matches);
    free(acls);
    return error;
}

static int
build_subnet_rows(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                  const struct subnet_build *build, struct kovn_error *err)
{
    const struct subnet *subnet = build->subnet;
    struct ovn_owner vpc_owner = {OVN_OWNER_VPC, subnet->vpc};
    struct ovn_owner owner = {OVN_OWNER_SUBNET, subnet->name};
    const struct net_cidr *v4 = NULL, *v6 = NULL;
    struct net_cidr networks[2];
    struct net_range_list v4_excludes;
    const struct nbrec_logical_switch *ls;
    int error = 0;

    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        if (subnet->cidrs[i].addr.family == NET_V4) {
            v4 = &subnet->cidrs[i];
        } else if (subnet->cidrs[i].prefix == 64) {
            v6 = &subnet->cidrs[i];
        }
        networks[i].addr = subnet->gateways[i];
        networks[i].prefix = subnet->cidrs[i].prefix;
    }
    net_range_list_init(&v4_excludes);
    for (size_t i = 0; i < subnet->exclude_ips.n; i++) {
        if (subnet->exclude_ips.ranges[i].first.family == NET_V4) {
            net_range_list_add(&v4_excludes, &subnet->exclude_ips.ranges[i]);
        }
    }

    struct ovn_switch_spec spec = {
        .name = subnet->name,
        .subnet = v4,
        .ipv6_prefix = v6,
        .exclude_ips = v4_excludes.n ? &v4_excludes : NULL,
    };
    if (!ovn_router_ensure(nb, txn, subnet->vpc, &vpc_owner, err) ||
        !(ls = ovn_switch_ensure(nb, txn, &spec, &owner, err))) {
        error = err && err->code ? err->code : -EINVAL;
        goto out;
    }

    /* A subnet moved to another VPC leaves its old router port pair. */
    char *prefix = xasprintf("%s-", subnet->name);
    char *wanted = ovn_router_peer_port_name(subnet->name, subnet->vpc);
    for (size_t i = 0; i < ls->n_ports && !error; i++) {
        const struct nbrec_logical_switch_port *lsp = ls->ports[i];
        if (!strcmp(lsp->type, "router") &&
            ovn_owner_is_ours(&lsp->external_ids) &&
            !strncmp(lsp->name, prefix, strlen(prefix)) &&
            strcmp(lsp->name, wanted)) {
            error = ovn_router_port_pair_delete(
                nb, txn, lsp->name + strlen(prefix), subnet->name, err);
        }
    }
    free(prefix);
    free(wanted);
    if (error) {
        goto out;
    }

    struct net_mac mac = router_port_mac(subnet->vpc, subnet->name);
    char *lrp_name = ovn_router_port_name(subnet->vpc, subnet->name);
    const struct nbrec_logical_router_port *lrp =
        ovn_router_port_find(nb, lrp_name);

    /* A port adopted from Kube-OVN keeps its MAC: it is the gateway MAC in
     * every pod's ARP cache, and a new one would cut them off until the
     * entries expire. */
    struct net_mac kept;
    if (lrp && smap_get(&lrp->external_ids, OVN_ADOPTED_KEY) &&
        ovn_owner_matches(&lrp->external_ids, &owner) &&
        !net_mac_parse(lrp->mac, &kept, NULL)) {
        mac = kept;
    }
    free(lrp_name);
    struct ovn_router_port_pair_spec pair = {
        .router_name = subnet->vpc,
        .switch_name = subnet->name,
        .mac = &mac,
        .networks = networks,
        .n_networks = subnet->n_cidrs,
    };
    error = ovn_router_port_pair_ensure(nb, txn, &pair, &owner, err);
    if (!error) {
        error = build_private_acls(nb, txn, build, &owner, err);
    }
    if (!error) {
        error = egress_write_subnet(nb, txn, build->ctl, subnet->name,
                                    subnet->vpc, false, err);
    }
    if (!error) {
        /* Its VPC's Service load balancers, which translate a pod's packet
         * to a ClusterIP on its own switch. */
        ovn_lb_attach_owned(nb, ls, &vpc_owner);
    }
out:
    net_range_list_destroy(&v4_excludes);
    return error;
}

static const struct subnet *join_subnet(struct controller *ctl);

static int
build_subnet(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
             const struct ctrl_nb_target *w, struct kovn_error *err)
{
    const struct subnet *subnet = crd_model_subnet(w->ctl->model, w->key);

    if (!subnet ||
        crd_model_subnet_state(w->ctl->model, subnet, NULL) != SUBNET_OK) {
        return 0; /* Its next reconcile decides; nothing to write now. */
    }
    struct subnet_build build = {w->ctl, subnet, join_subnet(w->ctl)};
    return build_subnet_rows(nb, txn, &build, err);
}

static int
build_subnet_delete(struct ovn_nb *nb, struct ovsdb_idl_txn *txn,
                    const struct ctrl_nb_target *w, struct kovn_error *err)
{
    const char *vpc = w->detail; /* Its router holds the subnet's port. */
    int error = 0;

    if (ovn_router_find(nb, vpc)) {
        error = egress_write_subnet(nb, txn, w->ctl, w->key, vpc, true, err);
        if (!error) {
            error = ovn_router_port_pair_delete(nb, txn, vpc, w->key, err);
        }
    }
    if (!error) {
        error = ovn_switch_delete(nb, txn, w->key, err);
    }
    return error == -EPERM ? 0 : error;
}

static void
put_or_remove(struct json *status, const char *key, const char *value)
{
    if (*value) {
        json_object_put_string(status, key, value);
    } else {
        json_destroy(shash_find_and_delete(json_object(status), key));
    }
}

/* Counts are JSON numbers, as Kube-OVN's schema (type: number) wants them;
 * an IPv6 count beyond 2^53 is written as the nearest double, which is
 * what Kube-OVN's float64 holds too. */
static struct json *
count_json(net_u128 n)
{
    if (n < ((net_u128)1 << 53)) {
        return json_integer_create((long long)n);
    }
    return json_real_create((double)n);
}

static void
put_counts(struct controller *ctl, const struct subnet *subnet,
           struct json *status)
{
    static const struct {
        enum net_family family;
        const char *available, *using, *available_range, *using_range;
    } fams[] = {
        {NET_V4, "v4availableIPs", "v4usingIPs", "v4availableIPrange",
         "v4usingIPrange"},
        {NET_V6, "v6availableIPs", "v6usingIPs", "v6availableIPrange",
         "v6usingIPrange"},
    };
    struct ipam_subnet *ipam = addresses_ipam(&ctl->addresses, subnet->name);

    for (size_t f = 0; f < 2; f++) {
        net_u128 used, available;

        ctrl_counts_subnet(ctl, subnet, fams[f].family, &used, &available);
        json_object_put(status, fams[f].available, count_json(available));
        json_object_put(status, fams[f].using, count_json(used));
        if (ipam) {
            char *free_text = ipam_available_ranges(ipam, fams[f].family);
            char *used_text = ipam_used_ranges(ipam, fams[f].family);

            /* Empty ranges are left out, never written as "". */
            put_or_remove(status, fams[f].available_range, free_text);
            put_or_remove(status, fams[f].using_range, used_text);
            free(free_text);
            free(used_text);
        }
    }
}

/* The IPs that keep 'subnet' from being deleted: its IP objects, and the
 * pods in the address book whose IP object is not there (yet): a pod
 * annotated by a controller killed before it posted the IP object holds
 * its address all the same, and its subnet must wait for it. */
static char *
ip_users(struct controller *ctl, const char *subnet, size_t *n)
{
    const struct sset *ips =
        kube_informer_by_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, subnet);
    struct sset users;

    if (ips) {
        sset_clone(&users, ips);
    } else {
        sset_init(&users);
    }
    addresses_pod_ip_names(&ctl->addresses, subnet, &users);
    *n = sset_count(&users);
    char *list = *n ? ctrl_name_list(&users, MAX_NAMED) : xstrdup("");
    sset_destroy(&users);
    return list;
}

/* Its rows are gone: the finalizer goes, if it is still there. */
static enum ctrl_result
rows_removed_step(struct controller *ctl, struct ctrl_job *job,
                  const char *key, void *aux OVS_UNUSED, int error,
                  const struct kovn_error *err)
{
    const struct json *obj = kube_informer_get(ctl->subnet_informer, key);
    const struct subnet *subnet = crd_model_subnet(ctl->model, key);

    if (error) {
        VLOG_WARN("subnet %s: deleting OVN rows: %s", key,
                  err ? err->msg : "");
        return CTRL_RETRY;
    }
    if (!obj || !subnet || !subnet->deleting ||
        !ctrl_finalizer_held(ctl, subnet->has_finalizer,
                             subnet->has_kube_ovn_finalizer)) {
        return CTRL_DONE;
    }
    VLOG_INFO("subnet %s: OVN rows removed, releasing finalizer", key);
    char *path = xasprintf(CTRL_SUBNETS_PATH "/%s", key);
    enum ctrl_result result = ctrl_finalizer_remove(ctl, job, path, obj);
    free(path);
    return result;
}

static enum ctrl_result
reconcile_deleting(struct controller *ctl, struct ctrl_job *job,
                   const char *path, const struct json *obj,
                   const struct subnet *subnet)
{
    size_t n;

    if (!ctrl_finalizer_held(ctl, subnet->has_finalizer,
                             subnet->has_kube_ovn_finalizer)) {
        return CTRL_DONE;
    }
    char *users = ip_users(ctl, subnet->name, &n);
    if (n) {
        struct json *status = ctrl_status_copy(obj);
        char *msg =
            xasprintf("waiting for %zu IPs to be released: %s", n, users);

        ctrl_status_not_ready(ctl, job, "Subnet", obj, status, "IPsInUse",
                              "DeleteBlocked", msg);
        free(msg);
        free(users);
        /* The IP objects' delete events, and releases in the address
         * book, requeue this subnet. */
        return ctrl_crd_status_write(ctl, job, "Subnet", path, obj, status);
    }
    free(users);
    /* An orphan or invalid subnet never got OVN rows of its own, but one
     * whose VPC went away under it may still have some. */
    return ctrl_nb_write_object(ctl, job, subnet->name, subnet->vpc,
                                build_subnet_delete, rows_removed_step);
}

/* Sets Validated for a subnet that cannot work; returns the reason for
 * its Ready condition, with the message in '*msgp'. */
static const char *
not_ready(struct controller *ctl, const struct subnet *subnet,
          enum subnet_state state, const struct subnet *other,
          struct json *status, char **msgp)
{
    const char *reason = subnet_state_reason(state);
    char *msg;

    if (state == SUBNET_VPC_NOT_FOUND) {
        msg = xasprintf("vpc \"%s\" does not exist: create it, or move the "
                        "subnet to an existing VPC",
                        subnet->vpc);
        ctrl_status_condition(
            status, "Validated", subnet_is_valid(subnet) ? "True" : "False",
            subnet_is_valid(subnet) ? "Validated" : "InvalidSpec",
            subnet->error);
    } else if (state == SUBNET_OVERLAP) {
        msg = xasprintf("spec.cidrBlock \"%s\" overlaps subnet \"%s\" (%s) "
                        "in vpc \"%s\", which is older and keeps it",
                        subnet->cidr_block, other->name, other->cidr_block,
                        subnet->vpc);
        ctrl_status_condition(status, "Validated", "False", reason, msg);
    } else {
        msg = xstrdup(subnet->error);
        ctrl_status_condition(status, "Validated", "False", reason, msg);
    }
    (void)ctl;
    *msgp = msg;
    return reason;
}

static const struct subnet *
join_subnet(struct controller *ctl)
{
    const struct subnet *join =
        crd_model_subnet(ctl->model, ctl->opts.join_subnet);

    return join && subnet_is_valid(join) && !join->deleting ? join : NULL;
}

/* The conditions of a subnet that cannot work, saying why. */
static enum ctrl_result
write_not_ready(struct controller *ctl, struct ctrl_job *job, const char *path,
                const struct json *obj, const struct subnet *subnet)
{
    const struct subnet *other;
    enum subnet_state state =
        crd_model_subnet_state(ctl->model, subnet, &other);
    struct json *status = ctrl_status_copy(obj);
    char *msg;
    const char *reason = not_ready(ctl, subnet, state, other, status, &msg);

    if (ctrl_status_not_ready(ctl, job, "Subnet", obj, status, reason, reason,
                              msg)) {
        VLOG_INFO("subnet %s: not ready: %s: %s", subnet->name, reason, msg);
    }
    free(msg);
    kube_condition_remove(shash_find_data(json_object(status), "conditions"),
                          "Error");
    return ctrl_crd_status_write(ctl, job, "Subnet", path, obj, status);
}

static bool
has_own_switch(struct controller *ctl, const struct subnet *subnet)
{
    const struct nbrec_logical_switch *ls =
        ovn_switch_find(ctl->nb, subnet->name);
    struct ovn_owner owner = {OVN_OWNER_SUBNET, subnet->name};

    return ls && ovn_owner_matches(&ls->external_ids, &owner);
}

static enum ctrl_result
unusable_removed_step(struct controller *ctl, struct ctrl_job *job,
                      const char *key, void *aux OVS_UNUSED, int error,
                      const struct kovn_error *err)
{
    const struct json *obj = kube_informer_get(ctl->subnet_informer, key);
    const struct subnet *subnet = crd_model_subnet(ctl->model, key);

    if (error) {
        VLOG_WARN("subnet %s: removing OVN rows: %s", key,
                  err ? err->msg : "");
        return CTRL_RETRY;
    }
    if (!obj || !subnet || subnet->deleting ||
        crd_model_subnet_state(ctl->model, subnet, NULL) == SUBNET_OK) {
        return CTRL_DONE; /* Its events requeued it. */
    }
    VLOG_INFO("subnet %s: not usable, its OVN rows removed", key);
    char *path = xasprintf(CTRL_SUBNETS_PATH "/%s", key);
    enum ctrl_result result = write_not_ready(ctl, job, path, obj, subnet);
    free(path);
    return result;
}

/* A centralized subnet says which node its egress leaves through, or why
 * none can serve (GatewayReady); others carry neither.  A change of
 * gateway is an Event: a Warning when none is left, Normal on fail-over. */
static void
put_gateway_status(struct controller *ctl, struct ctrl_job *job,
                   const struct json *obj, const struct subnet *subnet,
                   struct json *status)
{
    if (!egress_subnet_has_gateway(ctl, subnet) ||
        strcmp(subnet->gateway_type, "centralized")) {
        json_destroy(
            shash_find_and_delete(json_object(status), "activateGateway"));
        kube_condition_remove(
            shash_find_data(json_object(status), "conditions"),
            "GatewayReady");
        return;
    }
    char *why;
    char *active = egress_active_gateway(ctl, subnet, &why);
    const char *before = subnet->active_gateway;

    if (active) {
        char *msg = *why ? xasprintf("egress through node \"%s\"; passed "
                                     "over: %s",
                                     active, why)
                         : xasprintf("egress through node \"%s\"", active);

        json_object_put_string(status, "activateGateway", active);
        ctrl_status_condition(status, "GatewayReady", "True", "GatewayActive",
                              msg);
        if (*before && strcmp(before, active)) {
            ctrl_job_event(ctl, job, "Subnet", obj, "Normal",
                           "GatewayFailover", msg);
        }
        free(msg);
    } else {
        json_destroy(
            shash_find_and_delete(json_object(status), "activateGateway"));
        ctrl_status_condition(status, "GatewayReady", "False", "NoGatewayNode",
                              why);
        if (strcmp(ctrl_condition_reason(obj, "GatewayReady"),
                   "NoGatewayNode")) {
            ctrl_job_event(ctl, job, "Subnet", obj, "Warning", "NoGatewayNode",
                           why);
        }
    }
    free(active);
    free(why);
}

/* Condition WithinPortLimit: whether every usable address can get a pod,
 * or its switch reaches OVN's port limit first (crd/subnet.h).  Turning
 * False is also a Warning Event. */
static void
put_port_limit(struct controller *ctl, struct ctrl_job *job,
               const struct json *obj, const struct subnet *subnet,
               struct json *status)
{
    char *msg = subnet_port_limit_message(subnet, ctl->opts.switch_port_limit);

    if (msg) {
        ctrl_status_condition(status, "WithinPortLimit", "False",
                              "ExceedsOvnPortLimit", msg);
        if (strcmp(ctrl_condition_reason(obj, "WithinPortLimit"),
                   "ExceedsOvnPortLimit")) {
            ctrl_job_event(ctl, job, "Subnet", obj, "Warning",
                           "ExceedsOvnPortLimit", msg);
        }
    } else {
        ctrl_status_condition(status, "WithinPortLimit", "True",
                              "WithinOvnPortLimit", NULL);
    }
    free(msg);
}

/* After the switch's write: status with its outcome. */
static enum ctrl_result
rows_written_step(struct controller *ctl, struct ctrl_job *job,
                  const char *key, void *aux OVS_UNUSED, int error,
                  const struct kovn_error *err)
{
    const struct json *obj = kube_informer_get(ctl->subnet_informer, key);
    const struct subnet *subnet = crd_model_subnet(ctl->model, key);
    enum ctrl_result result;

    if (!obj || !subnet || subnet->deleting || !subnet->has_finalizer ||
        crd_model_subnet_state(ctl->model, subnet, NULL) != SUBNET_OK) {
        /* It changed while NB was written: its events requeued it. */
        return error ? CTRL_RETRY : CTRL_DONE;
    }
    char *path = xasprintf(CTRL_SUBNETS_PATH "/%s", key);
    struct json *status = ctrl_status_copy(obj);
    struct json *conditions;

    ctrl_status_condition(status, "Validated", "True", "Validated", NULL);
    if (error) {
        const char *msg = err ? err->msg : "OVN error";

        VLOG_WARN("subnet %s: OVN: %s", key, msg);
        ctrl_status_condition(status, "Ready", "False", "OVNError", msg);
        ctrl_status_condition(status, "Error", "True", "OVNError", msg);
        ctrl_job_retry_after_write(job);
        result = ctrl_crd_status_write(ctl, job, "Subnet", path, obj, status);
        result = result == CTRL_DONE ? CTRL_RETRY : result;
    } else {
        ctrl_status_condition(status, "Ready", "True", "Ready", NULL);
        conditions = shash_find_data(json_object(status), "conditions");
        kube_condition_remove(conditions, "Error");
        put_counts(ctl, subnet, status);
        put_port_limit(ctl, job, obj, subnet, status);
        put_gateway_status(ctl, job, obj, subnet, status);
        result = ctrl_crd_status_write(ctl, job, "Subnet", path, obj, status);
    }
    free(path);
    return result;
}

enum ctrl_result
subnet_reconcile(const char *key, struct ctrl_job *job, void *ctl_)
{
    struct controller *ctl = ctl_;
    const struct json *obj = kube_informer_get(ctl->subnet_informer, key);
    const struct subnet *subnet = crd_model_subnet(ctl->model, key);
    char *path = xasprintf(CTRL_SUBNETS_PATH "/%s", key);
    enum ctrl_result result;

    if (!obj || !subnet) {
        result = CTRL_DONE; /* Rows left behind go in the owner sweep. */
        goto out;
    }
    if (ctl->opts.adopt_kube_ovn && subnet->has_kube_ovn_finalizer) {
        /* Taken over from Kube-OVN: its finalizer becomes kovn's; the
         * update this makes requeues the object. */
        result = ctrl_finalizer_adopt(ctl, job, path, obj, subnet->deleting);
        if (result != CTRL_DONE) {
            goto out;
        }
    }
    if (subnet->deleting) {
        result = reconcile_deleting(ctl, job, path, obj, subnet);
        goto out;
    }
    if (!subnet->has_finalizer) {
        result = ctrl_finalizer_add(ctl, job, path, obj);
        goto out;
    }
    if (crd_model_subnet_state(ctl->model, subnet, NULL) == SUBNET_OK) {
        /* Kube-OVN's defaults, written back once, pinned to what was read
         * so that a user's concurrent edit wins (409) over a default.  Only
         * a usable subnet: the webhook would refuse an orphan's update, and
         * its status must come first. */
        struct json *defaults = subnet_spec_defaults(subnet, obj);

        if (defaults) {
            struct json *meta = json_object_create();
            struct json *patch = json_object_create();

            json_object_put_string(meta, "resourceVersion",
                                   kube_object_resource_version(obj));
            json_object_put(patch, "metadata", meta);
            json_object_put(patch, "spec", defaults);
            result = ctrl_merge_patch(ctl, job, path, patch);
            goto out;
        }
    }

    if (crd_model_subnet_state(ctl->model, subnet, NULL) != SUBNET_OK) {
        /* Rows it got while it was usable go, unless pods still hold
         * addresses there: a fresh start would not write them either. */
        if (has_own_switch(ctl, subnet) &&
            !ctrl_counts_ips_in_subnet(ctl, key)) {
            result = ctrl_nb_write_object(ctl, job, key, subnet->vpc,
                                          build_subnet_delete,
                                          unusable_removed_step);
        } else {
            result = write_not_ready(ctl, job, path, obj, subnet);
        }
        goto out;
    }

    result = ctrl_nb_write_object(ctl, job, key, NULL, build_subnet,
                                  rows_written_step);
out:
    free(path);
    return result;
}
