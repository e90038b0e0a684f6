/* IPPool parsing; see ippool.h. */
#include <config.h>

#include "crd/ippool.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "kube/object.h"
#include "net/cidr.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "json/access.h"

void
ippool_destroy(struct ippool *pool)
{
    if (!pool) {
        return;
    }
    free(pool->name);
    free(pool->subnet);
    sset_destroy(&pool->namespaces);
    net_range_list_destroy(&pool->ips);
    free(pool->error);
    memset(pool, 0, sizeof *pool);
}

int
ippool_parse_item(const char *text, struct net_range *range,
                  struct kovn_error *err)
{
    if (strchr(text, '/')) {
        struct net_cidr cidr;
        if (net_cidr_parse(text, NET_CIDR_NETWORK, &cidr, err)) {
            return -EINVAL;
        }
        range->first = net_cidr_first(&cidr);
        range->last = net_cidr_last(&cidr);
        return 0;
    }
    return net_range_parse(text, range, err);
}

static int
parse_spec(struct ippool *pool, const struct json *spec,
           struct kovn_error *err)
{
    const struct json *array;
    const char *subnet;
    int error;

    if ((error = json_member_string(spec, "subnet", "spec", &subnet, err)) ||
        (error = json_member_string_set(spec, "namespaces", "spec",
                                        IPPOOL_MAX_NAMESPACES,
                                        &pool->namespaces, err)) ||
        (error = json_member_array(spec, "ips", "spec", &array, err))) {
        return error;
    }
    if (subnet) {
        free(pool->subnet);
        pool->subnet = xstrdup(subnet);
    }
    size_t n = array ? json_array(array)->n : 0;
    if (n > NET_RANGE_LIST_MAX) {
        return kovn_error_set(err, -EINVAL, "spec.ips: %zu items, limit %d", n,
                              NET_RANGE_LIST_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        const struct json *item = json_array(array)->elems[i];
        struct net_range range;

        if (item->type != JSON_STRING) {
            return kovn_error_set(err, -EINVAL,
                                  "spec.ips[%zu]: expected a string", i);
        }
        if (ippool_parse_item(json_string(item), &range, err)) {
            kovn_error_prefix(err, "spec.ips[%zu]: ", i);
            return -EINVAL;
        }
        net_range_list_add(&pool->ips, &range);
    }
    net_range_list_normalize(&pool->ips);
    return 0;
}

int
ippool_from_json(const struct json *obj, struct ippool *pool,
                 struct kovn_error *err)
{
    const struct json *spec = json_member(obj, "spec");
    const char *name = kube_object_name(obj);
    struct kovn_error local;
    int error;

    memset(pool, 0, sizeof *pool);
    sset_init(&pool->namespaces);
    net_range_list_init(&pool->ips);
    if (!name || !*name) {
        return kovn_error_set(err, -EINVAL, "IPPool has no metadata.name");
    }
    pool->name = xstrdup(name);
    pool->subnet = xstrdup("");
    kovn_error_clear(&local);
    if (spec && spec->type != JSON_OBJECT) {
        error = kovn_error_set(&local, -EINVAL, "spec: expected an object");
    } else {
        error = parse_spec(pool, spec, &local);
    }
    if (error) {
        pool->error = xstrdup(local.msg);
        kovn_error_set(err, -EDOM, "%s", local.msg);
        return -EDOM;
    }
    return 0;
}
