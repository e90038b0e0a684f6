/* The topology as JSON; see topology_json.h. */
#include <config.h>

#include "crd/topology_json.h"

#include "crd/topology.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"

static struct json *
problems_json(const struct topology_problems *problems)
{
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < problems->n; i++) {
        struct json *p = json_object_create();
        json_object_put_string(p, "reason", problems->items[i].reason);
        json_object_put_string(p, "message", problems->items[i].message);
        json_array_add(array, p);
    }
    return array;
}

static struct json *
names_json(const char *const *names, size_t n)
{
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < n; i++) {
        json_array_add(array, json_string_create(names[i]));
    }
    return array;
}

/* Counts past 2^53 (IPv6) lose precision as JSON numbers, as Kube-OVN's
 * own status counts do; past 2^63 they are written as reals. */
static struct json *
u128_json(net_u128 value)
{
    if (value <= INT64_MAX) {
        return json_integer_create((long long int)value);
    }
    return json_real_create((double)value);
}

struct json *
topology_vpc_json(const struct topology_vpc *tv)
{
    struct json *o = json_object_create();
    struct json *peerings = json_array_create_empty();

    json_object_put_string(o, "name", tv->name);
    json_object_put(o, "missing", json_boolean_create(tv->missing));
    json_object_put(o, "deleting",
                    json_boolean_create(tv->vpc && tv->vpc->deleting));
    json_object_put_string(o, "defaultSubnet",
                           tv->vpc ? tv->vpc->default_subnet : "");
    json_object_put(o, "subnets", names_json(tv->subnets, tv->n_subnets));
    for (size_t i = 0; i < tv->n_peerings; i++) {
        struct json *p = json_object_create();
        json_object_put_string(p, "remoteVpc", tv->peerings[i].remote_vpc);
        json_object_put_string(p, "localConnectIP",
                               tv->peerings[i].local_connect_ip);
        json_object_put(p, "problem",
                        tv->peerings[i].problem
                            ? json_string_create(tv->peerings[i].problem)
                            : json_null_create());
        json_array_add(peerings, p);
    }
    json_object_put(o, "vpcPeerings", peerings);
    json_object_put(o, "problems", problems_json(&tv->problems));
    return o;
}

struct json *
topology_subnet_json(const struct topology_subnet *ts)
{
    const struct subnet *s = ts->subnet;
    struct json *o = json_object_create();
    struct json *gateway = json_object_create();
    char *gateways = subnet_is_valid(s) ? subnet_gateways_text(s) : NULL;

    json_object_put_string(o, "name", s->name);
    json_object_put_string(o, "vpc", s->vpc);
    json_object_put_string(o, "cidrBlock", s->cidr_block ? s->cidr_block : "");
    json_object_put_string(o, "state", subnet_state_reason(ts->state));
    json_object_put(o, "default", json_boolean_create(s->is_default));
    json_object_put_string(gateway, "ips", gateways ? gateways : "");
    json_object_put_string(gateway, "type",
                           s->gateway_type ? s->gateway_type : "");
    json_object_put(gateway, "nodes",
                    names_json((const char *const *)s->gateway_nodes.names,
                               s->gateway_nodes.n));
    json_object_put_string(gateway, "active",
                           s->active_gateway ? s->active_gateway : "");
    json_object_put(o, "gateway", gateway);
    json_object_put(o, "usedIPs", json_integer_create(ts->used));
    json_object_put(o, "usableIPs", u128_json(ts->usable));
    json_object_put(o, "namespaces",
                    names_json(ts->namespaces, ts->n_namespaces));
    json_object_put(o, "problems", problems_json(&ts->problems));
    free(gateways);
    return o;
}

struct json *
topology_namespace_json(const struct topology_namespace *ns)
{
    struct json *o = json_object_create();
    struct json *subnets = json_array_create_empty();
    struct json *skipped = json_array_create_empty();
    struct json *pods = json_array_create_empty();

    json_object_put_string(o, "name", ns->name);
    for (size_t i = 0; i < ns->n_bindings; i++) {
        struct json *b = json_object_create();
        json_object_put_string(b, "subnet", ns->bindings[i].subnet);
        json_object_put_string(
            b, "boundBy", topology_bound_by_name(ns->bindings[i].bound_by));
        json_array_add(subnets, b);
    }
    for (size_t i = 0; i < ns->n_skipped; i++) {
        struct json *b = json_object_create();
        json_object_put_string(b, "subnet", ns->skipped[i].subnet);
        json_object_put_string(b, "reason",
                               subnet_state_reason(ns->skipped[i].state));
        json_array_add(skipped, b);
    }
    for (size_t i = 0; i < ns->n_pods; i++) {
        struct json *p = json_object_create();
        json_object_put_string(p, "subnet", ns->pods[i].subnet);
        json_object_put_string(p, "node", ns->pods[i].node);
        json_object_put(p, "pods", json_integer_create(ns->pods[i].n));
        json_array_add(pods, p);
    }
    json_object_put(o, "subnets", subnets);
    json_object_put(o, "skippedSubnets", skipped);
    json_object_put(o, "pods", pods);
    json_object_put(o, "problems", problems_json(&ns->problems));
    return o;
}

static struct json *
stale_json(const struct topology *topology)
{
    const struct topology_stale_owner *owners;
    struct json *array;
    size_t n;

    owners = topology_stale_owners(topology, &n);
    if (!topology_ovn_read(topology)) {
        return json_null_create();
    }
    array = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        struct json *o = json_object_create();
        struct json *rows = json_array_create_empty();

        json_object_put_string(o, "ownerKind", owners[i].kind);
        json_object_put_string(o, "ownerName", owners[i].name);
        for (size_t j = 0; j < owners[i].n_rows; j++) {
            struct json *row = json_object_create();
            json_object_put_string(row, "table", owners[i].rows[j].table);
            json_object_put_string(row, "name", owners[i].rows[j].name);
            json_array_add(rows, row);
        }
        json_object_put(o, "rows", rows);
        json_object_put(o, "problems", problems_json(&owners[i].problems));
        json_array_add(array, o);
    }
    return array;
}

struct json *
topology_to_json(const struct topology *topology)
{
    struct json *root = json_object_create();
    struct json *array;
    size_t n;

    const struct topology_vpc *vpcs = topology_vpcs(topology, &n);
    array = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        json_array_add(array, topology_vpc_json(&vpcs[i]));
    }
    json_object_put(root, "vpcs", array);

    const struct topology_subnet *subnets = topology_subnets(topology, &n);
    array = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        json_array_add(array, topology_subnet_json(&subnets[i]));
    }
    json_object_put(root, "subnets", array);

    const struct topology_namespace *nss = topology_namespaces(topology, &n);
    array = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        json_array_add(array, topology_namespace_json(&nss[i]));
    }
    json_object_put(root, "namespaces", array);
    json_object_put(root, "staleOvnRows", stale_json(topology));
    json_object_put(root, "problems",
                    json_integer_create(topology_n_problems(topology)));
    return root;
}
