/* Vpc parsing; see vpc.h. */
#include <config.h>

#include "crd/vpc.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "crd/names.h"
#include "kube/object.h"
#include "net/ovn_name.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "json/access.h"

#define VPC_MAX_NAMESPACES 4096

void
vpc_destroy(struct vpc *vpc)
{
    if (!vpc) {
        return;
    }
    free(vpc->name);
    free(vpc->uid);
    sset_destroy(&vpc->namespaces);
    free(vpc->default_subnet);
    free(vpc->static_routes);
    for (size_t i = 0; i < vpc->n_policy_routes; i++) {
        free(vpc->policy_routes[i].match);
    }
    free(vpc->policy_routes);
    for (size_t i = 0; i < vpc->n_peerings; i++) {
        free(vpc->peerings[i].remote_vpc);
        free(vpc->peerings[i].local_connect_ip);
    }
    free(vpc->peerings);
    free(vpc->error);
    memset(vpc, 0, sizeof *vpc);
}

static int
parse_static_route(const struct json *item, size_t i,
                   struct vpc_static_route *route, struct kovn_error *err)
{
    const char *policy, *cidr, *nexthop;
    int error;

    if (item->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL,
                              "spec.staticRoutes[%zu]: expected an object", i);
    }
    if ((error = json_member_string(item, "policy", "spec.staticRoutes",
                                    &policy, err)) ||
        (error = json_member_string(item, "cidr", "spec.staticRoutes", &cidr,
                                    err)) ||
        (error = json_member_string(item, "nextHopIP", "spec.staticRoutes",
                                    &nexthop, err))) {
        return error;
    }
    if (!policy || !*policy || !strcmp(policy, "policyDst")) {
        route->policy = "dst-ip";
    } else if (!strcmp(policy, "policySrc")) {
        route->policy = "src-ip";
    } else {
        return kovn_error_set(err, -EINVAL,
                              "spec.staticRoutes[%zu].policy \"%s\": expected "
                              "\"policyDst\" or \"policySrc\"",
                              i, policy);
    }
    if (!cidr || net_cidr_parse(cidr, NET_CIDR_NETWORK, &route->prefix, err)) {
        if (!cidr) {
            kovn_error_set(err, -EINVAL, "cidr is required");
        }
        kovn_error_prefix(err, "spec.staticRoutes[%zu].", i);
        return -EINVAL;
    }
    if (!nexthop || net_addr_parse(nexthop, &route->nexthop, err)) {
        if (!nexthop) {
            kovn_error_set(err, -EINVAL, "nextHopIP is required");
        }
        kovn_error_prefix(err, "spec.staticRoutes[%zu].", i);
        return -EINVAL;
    }
    if (route->nexthop.family != route->prefix.addr.family) {
        return kovn_error_set(err, -EINVAL,
                              "spec.staticRoutes[%zu]: nextHopIP \"%s\" and "
                              "cidr \"%s\" are of different families",
                              i, nexthop, cidr);
    }
    return 0;
}

static int
parse_policy_route(const struct json *item, size_t i,
                   struct vpc_policy_route *route, struct kovn_error *err)
{
    const struct json *priority = json_member(item, "priority");
    const char *match, *action, *nexthop;
    int error;

    if (item->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL,
                              "spec.policyRoutes[%zu]: expected an object", i);
    }
    if (!priority || priority->type != JSON_INTEGER ||
        json_integer(priority) < 0 || json_integer(priority) > 32767) {
        return kovn_error_set(err, -EINVAL,
                              "spec.policyRoutes[%zu].priority: expected an "
                              "integer from 0 to 32767",
                              i);
    }
    route->priority = json_integer(priority);
    if ((error = json_member_string(item, "match", "spec.policyRoutes", &match,
                                    err)) ||
        (error = json_member_string(item, "action", "spec.policyRoutes",
                                    &action, err)) ||
        (error = json_member_string(item, "nextHopIP", "spec.policyRoutes",
                                    &nexthop, err))) {
        return error;
    }
    if (!match || !*match) {
        return kovn_error_set(err, -EINVAL,
                              "spec.policyRoutes[%zu].match is required", i);
    }
    route->match = xstrdup(match);
    if (action && !strcmp(action, "allow")) {
        route->action = "allow";
    } else if (action && !strcmp(action, "drop")) {
        route->action = "drop";
    } else if (action && !strcmp(action, "reroute")) {
        route->action = "reroute";
        if (!nexthop || net_addr_parse(nexthop, &route->nexthop, err)) {
            if (!nexthop) {
                kovn_error_set(err, -EINVAL, "is required for reroute");
            }
            kovn_error_prefix(err, "spec.policyRoutes[%zu].nextHopIP: ", i);
            return -EINVAL;
        }
    } else {
        return kovn_error_set(err, -EINVAL,
                              "spec.policyRoutes[%zu].action \"%s\": expected "
                              "allow, drop or reroute",
                              i, action ? action : "");
    }
    return 0;
}

static int
parse_routes(struct vpc *vpc, const struct json *spec, struct kovn_error *err)
{
    const struct json *array;
    int error = json_member_array(spec, "staticRoutes", "spec", &array, err);

    if (error) {
        return error;
    }
    size_t n = array ? json_array(array)->n : 0;
    if (n > VPC_MAX_ROUTES) {
        return kovn_error_set(err, -EINVAL,
                              "spec.staticRoutes: %zu items, "
                              "limit %d",
                              n, VPC_MAX_ROUTES);
    }
    vpc->static_routes = xcalloc(n ? n : 1, sizeof *vpc->static_routes);
    for (size_t i = 0; i < n; i++) {
        if ((error = parse_static_route(json_array(array)->elems[i], i,
                                        &vpc->static_routes[i], err))) {
            return error;
        }
        vpc->n_static_routes++;
    }

    if ((error =
             json_member_array(spec, "policyRoutes", "spec", &array, err))) {
        return error;
    }
    n = array ? json_array(array)->n : 0;
    if (n > VPC_MAX_ROUTES) {
        return kovn_error_set(err, -EINVAL,
                              "spec.policyRoutes: %zu items, "
                              "limit %d",
                              n, VPC_MAX_ROUTES);
    }
    vpc->policy_routes = xcalloc(n ? n : 1, sizeof *vpc->policy_routes);
    for (size_t i = 0; i < n; i++) {
        error =
            parse_policy_route(json_array(array)->elems[i], i,
                               &vpc->policy_routes[vpc->n_policy_routes], err);
        /* Counted even on error: parse_policy_route may have set 'match'. */
        vpc->n_policy_routes++;
        if (error) {
            return error;
        }
    }
    return 0;
}

static int
parse_peerings(struct vpc *vpc, const struct json *spec,
               struct kovn_error *err)
{
    const struct json *array;
    int error = json_member_array(spec, "vpcPeerings", "spec", &array, err);
    size_t n;

    if (error) {
        return error;
    }
    n = array ? json_array(array)->n : 0;
    if (n > VPC_MAX_PEERINGS) {
        return kovn_error_set(err, -EINVAL,
                              "spec.vpcPeerings: %zu items, "
                              "limit %d",
                              n, VPC_MAX_PEERINGS);
    }
    vpc->peerings = xcalloc(n ? n : 1, sizeof *vpc->peerings);
    for (size_t i = 0; i < n; i++) {
        const struct json *item = json_array(array)->elems[i];
        const char *remote = NULL, *local = NULL;

        if (item->type != JSON_OBJECT ||
            json_member_string(item, "remoteVpc", "", &remote, NULL) ||
            !remote || !*remote) {
            continue;
        }
        json_member_string(item, "localConnectIP", "", &local, NULL);
        vpc->peerings[vpc->n_peerings].remote_vpc = xstrdup(remote);
        vpc->peerings[vpc->n_peerings].local_connect_ip =
            xstrdup(local ? local : "");
        vpc->n_peerings++;
    }
    return 0;
}

int
vpc_from_json(const struct json *obj, struct vpc *vpc, struct kovn_error *err)
{
    const struct json *spec = json_member(obj, "spec");
    const char *name = kube_object_name(obj);
    const char *text;
    struct kovn_error local;
    int error;

    memset(vpc, 0, sizeof *vpc);
    sset_init(&vpc->namespaces);
    if (!name || !*name) {
        return kovn_error_set(err, -EINVAL, "Vpc has no metadata.name");
    }
    vpc->name = xstrdup(name);
    text = kube_object_uid(obj);
    vpc->uid = xstrdup(text ? text : "");
    vpc->deleting = kube_object_is_deleting(obj);
    vpc->has_finalizer = kube_object_has_finalizer(obj, CRD_FINALIZER);
    vpc->has_kube_ovn_finalizer =
        kube_object_has_finalizer(obj, CRD_KUBE_OVN_FINALIZER) ||
        kube_object_has_finalizer(obj, CRD_KUBE_OVN_FINALIZER_OLD);

    kovn_error_clear(&local);
    if (spec && spec->type != JSON_OBJECT) {
        error = kovn_error_set(&local, -EINVAL, "spec: expected an object");
    } else if (!(error = json_member_string_set(spec, "namespaces", "spec",
                                                VPC_MAX_NAMESPACES,
                                                &vpc->namespaces, &local)) &&
               !(error = json_member_string(spec, "defaultSubnet", "spec",
                                            &text, &local))) {
        vpc->default_subnet = xstrdup(text ? text : "");
        if (!(error = json_member_bool(spec, "enableExternal", "spec",
                                       &vpc->enable_external, &local)) &&
            !(error = ovn_name_check("Vpc", name, &local))) {
            error = parse_routes(vpc, spec, &local);
        }
        if (!error) {
            error = parse_peerings(vpc, spec, &local);
        }
    }
    if (!vpc->default_subnet) {
        vpc->default_subnet = xstrdup("");
    }
    if (error) {
        vpc->error = xstrdup(local.msg);
        kovn_error_set(err, -EDOM, "%s", local.msg);
        return -EDOM;
    }
    return 0;
}
