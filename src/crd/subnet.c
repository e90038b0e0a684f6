/* Subnet parsing and single-object checks; see subnet.h. */
#include <config.h>

#include "crd/subnet.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "kube/object.h"
#include "net/ovn_name.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "json/access.h"

static void
subnet_init(struct subnet *subnet)
{
    memset(subnet, 0, sizeof *subnet);
    net_range_list_init(&subnet->exclude_ips);
    sset_init(&subnet->namespaces);
    svec_init(&subnet->gateway_nodes);
}

void
subnet_destroy(struct subnet *subnet)
{
    if (!subnet) {
        return;
    }
    free(subnet->name);
    free(subnet->uid);
    free(subnet->creation_timestamp);
    free(subnet->vpc);
    free(subnet->cidr_block);
    net_range_list_destroy(&subnet->exclude_ips);
    free(subnet->exclude_ips_text);
    sset_destroy(&subnet->namespaces);
    for (size_t i = 0; i < subnet->n_selectors; i++) {
        kube_selector_destroy(&subnet->selectors[i]);
    }
    free(subnet->selectors);
    free(subnet->allow_subnets);
    free(subnet->gateway_type);
    svec_destroy(&subnet->gateway_nodes);
    for (size_t i = 0; i < subnet->n_gateway_selectors; i++) {
        kube_selector_destroy(&subnet->gateway_selectors[i]);
    }
    free(subnet->gateway_selectors);
    free(subnet->active_gateway);
    free(subnet->provider);
    free(subnet->error);
    memset(subnet, 0, sizeof *subnet);
}

bool
subnet_is_valid(const struct subnet *subnet)
{
    return !subnet->error;
}

const char *
subnet_protocol_name(enum subnet_protocol protocol)
{
    switch (protocol) {
    case SUBNET_IPV4:
        return "IPv4";
    case SUBNET_IPV6:
        return "IPv6";
    case SUBNET_DUAL:
        return "Dual";
    }
    return "?";
}

/* spec.cidrBlock: one network, or "v4,v6" for dual stack (either order). */
static int
parse_cidr_block(struct subnet *subnet, const char *text,
                 struct kovn_error *err)
{
    const char *comma = strchr(text, ',');
    struct net_cidr cidrs[2];
    size_t n = 0;

    if (!*text) {
        return kovn_error_set(err, -EINVAL, "spec.cidrBlock is required");
    }
    if (comma && strchr(comma + 1, ',')) {
        return kovn_error_set(err, -EINVAL,
                              "spec.cidrBlock \"%s\": at most two CIDRs "
                              "(one IPv4, one IPv6)",
                              text);
    }
    for (const char *p = text;; p = comma + 1) {
        comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (net_cidr_parse_len(p, len, NET_CIDR_NETWORK, &cidrs[n], err)) {
            kovn_error_prefix(err, "spec.cidrBlock: ");
            return -EINVAL;
        }
        n++;
        if (!comma) {
            break;
        }
    }
    if (n == 2 && cidrs[0].addr.family == cidrs[1].addr.family) {
        return kovn_error_set(err, -EINVAL,
                              "spec.cidrBlock \"%s\": two CIDRs must be one "
                              "IPv4 and one IPv6",
                              text);
    }
    if (n == 2 && cidrs[0].addr.family == NET_V6) {
        struct net_cidr tmp = cidrs[0];
        cidrs[0] = cidrs[1];
        cidrs[1] = tmp;
    }
    memcpy(subnet->cidrs, cidrs, n * sizeof cidrs[0]);
    subnet->n_cidrs = n;
    return 0;
}

static int
parse_protocol(struct subnet *subnet, const char *text, struct kovn_error *err)
{
    enum subnet_protocol derived = subnet->n_cidrs == 2 ? SUBNET_DUAL
                                   : subnet->cidrs[0].addr.family == NET_V4
                                       ? SUBNET_IPV4
                                       : SUBNET_IPV6;

    subnet->protocol = derived;
    if (!text || !*text) {
        return 0;
    }
    if (strcmp(text, subnet_protocol_name(derived))) {
        return kovn_error_set(err, -EINVAL,
                              "spec.protocol \"%s\" does not match "
                              "spec.cidrBlock \"%s\", which is %s",
                              text, subnet->cidr_block,
                              subnet_protocol_name(derived));
    }
    return 0;
}

static const struct net_cidr *
cidr_of_family(const struct subnet *subnet, enum net_family family,
               size_t *idx)
{
    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        if (subnet->cidrs[i].addr.family == family) {
            if (idx) {
                *idx = i;
            }
            return &subnet->cidrs[i];
        }
    }
    return NULL;
}

/* Network and IPv4 broadcast addresses are never usable. */
static bool
is_reserved(const struct net_cidr *cidr, const struct net_addr *addr)
{
    struct net_addr first = net_cidr_first(cidr);
    struct net_addr last = net_cidr_last(cidr);

    if (cidr->addr.family == NET_V4 && cidr->prefix >= 31) {
        return false; /* RFC 3021: both addresses of a /31 are hosts. */
    }
    return net_addr_equals(addr, &first) ||
           (cidr->addr.family == NET_V4 && net_addr_equals(addr, &last));
}

/* spec.gateway: one address per CIDR, ","-separated; default: the first
 * address after the network's. */
static int
parse_gateways(struct subnet *subnet, const char *text, struct kovn_error *err)
{
    bool seen[2] = {false, false};

    if (text && *text) {
        const char *p = text;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            struct net_addr gw;
            size_t idx;

            if (net_addr_parse_len(p, len, &gw, err)) {
                kovn_error_prefix(err, "spec.gateway: ");
                return -EINVAL;
            }
            const struct net_cidr *cidr =
                cidr_of_family(subnet, gw.family, &idx);
            char buf[NET_ADDR_STRLEN];
            net_addr_format(&gw, buf);
            if (!cidr || !net_cidr_contains(cidr, &gw)) {
                return kovn_error_set(err, -EINVAL,
                                      "spec.gateway %s is outside "
                                      "spec.cidrBlock \"%s\"",
                                      buf, subnet->cidr_block);
            }
            if (is_reserved(cidr, &gw)) {
                return kovn_error_set(err, -EINVAL,
                                      "spec.gateway %s is the network or "
                                      "broadcast address of \"%s\"",
                                      buf, subnet->cidr_block);
            }
            if (seen[idx]) {
                return kovn_error_set(err, -EINVAL,
                                      "spec.gateway \"%s\": two %s gateways",
                                      text, net_family_name(gw.family));
            }
            seen[idx] = true;
            subnet->gateways[idx] = gw;
            if (!comma) {
                break;
            }
            p = comma + 1;
        }
    }
    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        if (!seen[i]) {
            struct net_addr gw = net_cidr_first(&subnet->cidrs[i]);
            if (!net_addr_add(&gw, 1) ||
                !net_cidr_contains(&subnet->cidrs[i], &gw)) {
                return kovn_error_set(err, -EINVAL,
                                      "spec.cidrBlock \"%s\" has no room for "
                                      "a gateway",
                                      subnet->cidr_block);
            }
            subnet->gateways[i] = gw;
        }
    }
    return 0;
}

static int
parse_exclude_ips(struct subnet *subnet, const struct json *spec,
                  struct kovn_error *err)
{
    const struct json *array;
    struct ds text = DS_EMPTY_INITIALIZER;
    int error = json_member_array(spec, "excludeIps", "spec", &array, err);

    if (error) {
        goto out;
    }
    size_t n = array ? json_array(array)->n : 0;
    if (n > NET_RANGE_LIST_MAX) {
        error = kovn_error_set(err, -EINVAL,
                               "spec.excludeIps: %zu items, limit %d", n,
                               NET_RANGE_LIST_MAX);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct json *item = json_array(array)->elems[i];
        struct net_range range;

        if (item->type != JSON_STRING) {
            error = kovn_error_set(
                err, -EINVAL, "spec.excludeIps[%zu]: expected a string", i);
            goto out;
        }
        if (net_range_parse(json_string(item), &range, err)) {
            kovn_error_prefix(err, "spec.excludeIps[%zu]: ", i);
            error = -EINVAL;
            goto out;
        }
        const struct net_cidr *cidr =
            cidr_of_family(subnet, range.first.family, NULL);
        if (!cidr || !net_cidr_contains(cidr, &range.first) ||
            !net_cidr_contains(cidr, &range.last)) {
            error = kovn_error_set(err, -EINVAL,
                                   "spec.excludeIps[%zu] \"%s\" is outside "
                                   "spec.cidrBlock \"%s\"",
                                   i, json_string(item), subnet->cidr_block);
            goto out;
        }
        net_range_list_add(&subnet->exclude_ips, &range);
        ds_put_format(&text, "%s%s", i ? "," : "", json_string(item));
    }
    if (!n) {
        for (size_t i = 0; i < subnet->n_cidrs; i++) {
            struct net_range gw = {subnet->gateways[i], subnet->gateways[i]};
            char buf[NET_ADDR_STRLEN];

            net_range_list_add(&subnet->exclude_ips, &gw);
            net_addr_format(&subnet->gateways[i], buf);
            ds_put_format(&text, "%s%s", i ? "," : "", buf);
        }
    }
    net_range_list_normalize(&subnet->exclude_ips);
    subnet->exclude_ips_text = ds_steal_cstr(&text);
out:
    ds_destroy(&text);
    return error;
}

static int
parse_selector_list(const struct json *spec, const char *member,
                    struct kube_selector **selectors, size_t *n_selectors,
                    struct kovn_error *err)
{
    const struct json *array;
    int error = json_member_array(spec, member, "spec", &array, err);

    if (error || !array) {
        return error;
    }
    const struct json_array *items = json_array(array);
    if (items->n > SUBNET_MAX_SELECTORS) {
        return kovn_error_set(err, -EINVAL, "spec.%s: %zu items, limit %d",
                              member, items->n, SUBNET_MAX_SELECTORS);
    }
    *selectors = xcalloc(items->n ? items->n : 1, sizeof **selectors);
    for (size_t i = 0; i < items->n; i++) {
        ++*n_selectors;
        if (kube_selector_from_json(items->elems[i], &(*selectors)[i], err)) {
            kovn_error_prefix(err, "spec.%s[%zu]: ", member, i);
            return -EINVAL;
        }
    }
    return 0;
}

static int
parse_selectors(struct subnet *subnet, const struct json *spec,
                struct kovn_error *err)
{
    return parse_selector_list(spec, "namespaceSelectors", &subnet->selectors,
                               &subnet->n_selectors, err);
}

/* spec.gatewayNode is Kube-OVN's comma-separated list of node names in
 * order of preference; an item may be "node:address" (the address is for
 * external gateways, which kovn does not have yet: the node is what
 * counts). */
static int
parse_gateway_nodes(struct subnet *subnet, const char *text,
                    struct kovn_error *err)
{
    char *copy = xstrdup(text ? text : "");
    char *save = NULL;
    int error = 0;

    for (char *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':');
        struct kovn_error local;

        if (colon) {
            *colon = '\0';
        }
        item += strspn(item, " ");
        for (size_t len = strlen(item); len && item[len - 1] == ' ';) {
            item[--len] = '\0';
        }
        if (!*item) {
            continue;
        }
        if (subnet->gateway_nodes.n >= SUBNET_MAX_GATEWAY_NODES) {
            error = kovn_error_set(err, -EINVAL,
                                   "spec.gatewayNode: more than %d nodes",
                                   SUBNET_MAX_GATEWAY_NODES);
            break;
        }
        if (ovn_name_check("spec.gatewayNode item", item, &local)) {
            error = kovn_error_set(err, -EINVAL, "%s", local.msg);
            break;
        }
        svec_add(&subnet->gateway_nodes, item);
    }
    free(copy);
    return error;
}

/* The part of the spec that says where the subnet belongs; parsed even
 * when the addressing is wrong. */
static int
parse_placement(struct subnet *subnet, const struct json *obj,
                const struct json *spec, const char *default_vpc,
                struct kovn_error *err)
{
    const char *vpc, *text;
    int error;

    error = json_member_string(spec, "vpc", "spec", &vpc, err);
    subnet->vpc = xstrdup(vpc && *vpc ? vpc : default_vpc);
    if (error) {
        return error;
    }
    text = kube_object_annotation(obj, CRD_ALLOW_MISSING_VPC);
    subnet->allow_missing_vpc = text && !strcmp(text, "true");
    return json_member_string_set(spec, "namespaces", "spec",
                                  SUBNET_MAX_NAMESPACES, &subnet->namespaces,
                                  err);
}

/* Kube-OVN's allowSubnets are CIDRs ("10.17.0.0/16"), not subnet names.
 * They go into OVN ACL matches, so they are checked here rather than
 * becoming a northd parse error nobody sees. */
static int
parse_allow_subnets(struct subnet *subnet, const struct json *spec,
                    struct kovn_error *err)
{
    struct sset items = SSET_INITIALIZER(&items);
    const char *item;
    int error;

    error = json_member_string_set(spec, "allowSubnets", "spec",
                                   SUBNET_MAX_ALLOW_SUBNETS, &items, err);
    if (error) {
        goto out;
    }
    subnet->allow_subnets =
        xcalloc(sset_count(&items) ? sset_count(&items) : 1,
                sizeof *subnet->allow_subnets);
    SSET_FOR_EACH(item, &items)
    {
        struct net_cidr *cidr =
            &subnet->allow_subnets[subnet->n_allow_subnets];

        if (net_cidr_parse(item, NET_CIDR_NETWORK, cidr, err)) {
            kovn_error_prefix(err, "spec.allowSubnets: ");
            error = -EINVAL;
            goto out;
        }
        subnet->n_allow_subnets++;
    }
out:
    sset_destroy(&items);
    return error;
}

static int
parse_spec(struct subnet *subnet, const struct json *spec,
           struct kovn_error *err)
{
    const char *text;
    int error;

    if ((error = json_member_bool(spec, "default", "spec", &subnet->is_default,
                                  err)) ||
        (error = parse_selectors(subnet, spec, err)) ||
        (error = json_member_string(spec, "cidrBlock", "spec", &text, err))) {
        return error;
    }
    subnet->cidr_block = xstrdup(text ? text : "");
    if ((error = parse_cidr_block(subnet, subnet->cidr_block, err)) ||
        (error = json_member_string(spec, "protocol", "spec", &text, err)) ||
        (error = parse_protocol(subnet, text, err)) ||
        (error = json_member_string(spec, "gateway", "spec", &text, err)) ||
        (error = parse_gateways(subnet, text, err)) ||
        (error = parse_exclude_ips(subnet, spec, err)) ||
        (error = json_member_bool(spec, "private", "spec", &subnet->private_,
                                  err)) ||
        (error = parse_allow_subnets(subnet, spec, err)) ||
        (error = json_member_bool(spec, "natOutgoing", "spec",
                                  &subnet->nat_outgoing, err)) ||
        (error = json_member_string(spec, "provider", "spec", &text, err))) {
        return error;
    }
    subnet->provider = xstrdup(text && *text ? text : "ovn");
    if ((error =
             json_member_string(spec, "gatewayType", "spec", &text, err))) {
        return error;
    }
    if (text && *text && strcmp(text, "distributed") &&
        strcmp(text, "centralized")) {
        return kovn_error_set(err, -EINVAL,
                              "spec.gatewayType \"%s\": expected "
                              "\"distributed\" or \"centralized\"",
                              text);
    }
    subnet->gateway_type = xstrdup(text && *text ? text : "distributed");
    if ((error =
             json_member_string(spec, "gatewayNode", "spec", &text, err)) ||
        (error = parse_gateway_nodes(subnet, text, err))) {
        return error;
    }
    return parse_selector_list(spec, "gatewayNodeSelectors",
                               &subnet->gateway_selectors,
                               &subnet->n_gateway_selectors, err);
}

int
subnet_from_json(const struct json *obj, const char *default_vpc,
                 struct subnet *subnet, struct kovn_error *err)
{
    const struct json *spec = json_member(obj, "spec");
    const char *name = kube_object_name(obj);
    const char *text;
    struct kovn_error local;
    int error;

    subnet_init(subnet);
    if (!name || !*name) {
        return kovn_error_set(err, -EINVAL, "Subnet has no metadata.name");
    }
    subnet->name = xstrdup(name);
    text = kube_object_uid(obj);
    subnet->uid = xstrdup(text ? text : "");
    json_member_string(json_member(obj, "metadata"), "creationTimestamp",
                       "metadata", &text, NULL);
    subnet->creation_timestamp = xstrdup(text ? text : "");
    subnet->deleting = kube_object_is_deleting(obj);
    subnet->has_finalizer = kube_object_has_finalizer(obj, CRD_FINALIZER);
    subnet->has_kube_ovn_finalizer =
        kube_object_has_finalizer(obj, CRD_KUBE_OVN_FINALIZER) ||
        kube_object_has_finalizer(obj, CRD_KUBE_OVN_FINALIZER_OLD);
    /* Written by kovn-controller, read by every kovn-daemon: the node that
     * masquerades a centralized subnet's egress. */
    text = NULL;
    json_member_string(json_member(obj, "status"), "activateGateway", "status",
                       &text, NULL);
    subnet->active_gateway = xstrdup(text ? text : "");

    kovn_error_clear(&local);
    if (spec && spec->type != JSON_OBJECT) {
        error = kovn_error_set(&local, -EINVAL, "spec: expected an object");
    } else if (!(error = parse_placement(subnet, obj, spec, default_vpc,
                                         &local))) {
        error = ovn_name_check("Subnet", name, &local);
        if (!error) {
            error = parse_spec(subnet, spec, &local);
        }
    }
    if (!subnet->vpc) {
        subnet->vpc = xstrdup(default_vpc);
    }
    if (error) {
        subnet->error = xstrdup(local.msg);
        kovn_error_set(err, -EDOM, "%s", local.msg);
        return -EDOM;
    }
    return 0;
}

bool
subnet_selects_namespace(const struct subnet *subnet, const char *ns,
                         const struct smap *labels)
{
    if (sset_contains(&subnet->namespaces, ns)) {
        return true;
    }
    for (size_t i = 0; i < subnet->n_selectors; i++) {
        if (kube_selector_matches(&subnet->selectors[i], labels)) {
            return true;
        }
    }
    return false;
}

bool
subnet_overlaps(const struct subnet *a, const struct subnet *b)
{
    for (size_t i = 0; i < a->n_cidrs; i++) {
        for (size_t j = 0; j < b->n_cidrs; j++) {
            if (net_cidr_overlaps(&a->cidrs[i], &b->cidrs[j])) {
                return true;
            }
        }
    }
    return false;
}

bool
subnet_is_older(const struct subnet *a, const struct subnet *b)
{
    /* RFC 3339 in UTC with whole seconds sorts as text; a missing time
     * (an object not from the API server) counts as newest. */
    int cmp;

    if (!*a->creation_timestamp != !*b->creation_timestamp) {
        return *a->creation_timestamp;
    }
    cmp = strcmp(a->creation_timestamp, b->creation_timestamp);
    return cmp ? cmp < 0 : strcmp(a->name, b->name) < 0;
}

bool
subnet_contains(const struct subnet *subnet, const struct net_addr *addr)
{
    size_t idx;
    const struct net_cidr *cidr = cidr_of_family(subnet, addr->family, &idx);

    return cidr && net_cidr_contains(cidr, addr) && !is_reserved(cidr, addr) &&
           !net_addr_equals(addr, &subnet->gateways[idx]);
}

/* Addresses of 'range' inside 'cidr' that are not reserved or the gateway:
 * what an exclude item actually takes away. */
static net_u128
excluded_usable(const struct subnet *subnet, size_t idx,
                const struct net_range *range)
{
    const struct net_cidr *cidr = &subnet->cidrs[idx];
    net_u128 first = net_addr_to_u128(&range->first);
    net_u128 last = net_addr_to_u128(&range->last);
    struct net_addr lo = net_cidr_first(cidr), hi = net_cidr_last(cidr);
    net_u128 cfirst = net_addr_to_u128(&lo), clast = net_addr_to_u128(&hi);
    net_u128 gw = net_addr_to_u128(&subnet->gateways[idx]);
    net_u128 n;

    first = first > cfirst ? first : cfirst;
    last = last < clast ? last : clast;
    if (first > last) {
        return 0;
    }
    n = last - first + 1;
    if (gw >= first && gw <= last) {
        n--;
    }
    if (is_reserved(cidr, &lo) && cfirst >= first && cfirst <= last) {
        n--;
    }
    if (is_reserved(cidr, &hi) && clast != cfirst && clast >= first &&
        clast <= last) {
        n--;
    }
    return n;
}

net_u128
subnet_usable_count(const struct subnet *subnet, enum net_family family)
{
    size_t idx;
    const struct net_cidr *cidr = cidr_of_family(subnet, family, &idx);
    net_u128 n;

    if (!cidr) {
        return 0;
    }
    /* last_offset + 1 addresses; a /0 IPv6 block saturates. */
    n = net_cidr_last_offset(cidr);
    if (n != ~(net_u128)0) {
        n++;
    }
    struct net_addr lo = net_cidr_first(cidr), hi = net_cidr_last(cidr);
    n -= is_reserved(cidr, &lo);
    n -= is_reserved(cidr, &hi) && !net_addr_equals(&lo, &hi);
    n -= 1; /* The gateway. */
    for (size_t i = 0; i < subnet->exclude_ips.n; i++) {
        const struct net_range *range = &subnet->exclude_ips.ranges[i];
        if (range->first.family == family) {
            n -= excluded_usable(subnet, idx, range);
        }
    }
    return n;
}

size_t
subnet_port_capacity(size_t port_limit)
{
    return port_limit > SUBNET_RESERVED_PORTS
               ? port_limit - SUBNET_RESERVED_PORTS
               : 0;
}

net_u128
subnet_pod_addresses(const struct subnet *subnet)
{
    net_u128 n = ~(net_u128)0;

    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        net_u128 family_n =
            subnet_usable_count(subnet, subnet->cidrs[i].addr.family);

        n = family_n < n ? family_n : n;
    }
    return subnet->n_cidrs ? n : 0;
}

char *
subnet_port_limit_message(const struct subnet *subnet, size_t port_limit)
{
    size_t capacity = subnet_port_capacity(port_limit);
    net_u128 usable = subnet_pod_addresses(subnet);
    char usable_text[NET_ADDR_STRLEN];

    if (usable <= capacity) {
        return NULL;
    }
    net_u128_format(usable, usable_text);
    return xasprintf("%s has %s usable addresses, but one OVN logical switch "
                     "holds at most %zu ports (its router port is one): at "
                     "most %zu pods can attach; split it into subnets of at "
                     "most %zu addresses",
                     subnet->cidr_block, usable_text, port_limit, capacity,
                     capacity);
}

char *
subnet_gateways_text(const struct subnet *subnet)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < subnet->n_cidrs; i++) {
        char buf[NET_ADDR_STRLEN];
        net_addr_format(&subnet->gateways[i], buf);
        ds_put_format(&s, "%s%s", i ? "," : "", buf);
    }
    return ds_steal_cstr(&s);
}

static bool
spec_has(const struct json *spec, const char *key)
{
    const struct json *value = json_member(spec, key);

    return value && value->type != JSON_NULL &&
           (value->type != JSON_STRING || *json_string(value));
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return strcmp(*a, *b);
}

/* spec.excludeIps with every gateway no item covers added, sorted; NULL if
 * nothing is added. */
static struct json *
exclude_ips_with_gateways(const struct subnet *subnet, const struct json *spec)
{
    const struct json *array = json_member(spec, "excludeIps");
    size_t n = array && array->type == JSON_ARRAY ? json_array(array)->n : 0;
    struct svec items = SVEC_EMPTY_INITIALIZER;
    struct json *out = NULL;
    bool added = false;

    for (size_t i = 0; i < n; i++) {
        svec_add(&items, json_string(json_array(array)->elems[i]));
    }
    for (size_t g = 0; g < subnet->n_cidrs; g++) {
        const struct net_addr *gw = &subnet->gateways[g];
        bool covered = false;

        for (size_t i = 0; i < n && !covered; i++) {
            struct net_range range;

            covered = !net_range_parse(items.names[i], &range, NULL) &&
                      net_range_contains(&range, gw);
        }
        if (!covered) {
            char text[NET_ADDR_STRLEN];

            net_addr_format(gw, text);
            svec_add(&items, text);
            added = true;
        }
    }
    if (added) {
        qsort(items.names, items.n, sizeof *items.names, compare_strings);
        out = json_array_create_empty();
        for (size_t i = 0; i < items.n; i++) {
            json_array_add(out, json_string_create(items.names[i]));
        }
    }
    svec_destroy(&items);
    return out;
}

struct json *
subnet_spec_defaults(const struct subnet *subnet, const struct json *obj)
{
    const struct json *spec = json_member(obj, "spec");
    struct json *set = json_object_create();
    struct json *excludes;

    if (!spec_has(spec, "vpc")) {
        json_object_put_string(set, "vpc", subnet->vpc);
    }
    if (!spec_has(spec, "provider")) {
        json_object_put_string(set, "provider", subnet->provider);
    }
    if (!spec_has(spec, "protocol")) {
        json_object_put_string(set, "protocol",
                               subnet_protocol_name(subnet->protocol));
    }
    if (!spec_has(spec, "gateway")) {
        json_object_put_nocopy(
            set, xstrdup("gateway"),
            json_string_create_nocopy(subnet_gateways_text(subnet)));
    }
    if (!spec_has(spec, "gatewayType")) {
        json_object_put_string(set, "gatewayType", subnet->gateway_type);
    }
    if ((excludes = exclude_ips_with_gateways(subnet, spec))) {
        json_object_put(set, "excludeIps", excludes);
    }
    if (!shash_count(json_object(set))) {
        json_destroy(set);
        return NULL;
    }
    return set;
}
