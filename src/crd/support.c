/* The compatibility table; see support.h. */
#include <config.h>

#include "crd/support.h"

#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"

#define I CRD_IMPLEMENTED
#define P CRD_PARTIAL
#define N CRD_NOT_IMPLEMENTED

static const struct crd_support_field fields[] = {
    {"Subnet", "spec.vpc", I, NULL, "absent: the default VPC"},
    {"Subnet", "spec.default", I, NULL, NULL},
    {"Subnet", "spec.protocol", P, NULL,
     "IPv4, IPv6, Dual; Mac is refused by the webhook"},
    {"Subnet", "spec.cidrBlock", I, NULL, NULL},
    {"Subnet", "spec.gateway", I, NULL, NULL},
    {"Subnet", "spec.excludeIps", I, NULL, NULL},
    {"Subnet", "spec.namespaces", I, NULL, NULL},
    {"Subnet", "spec.namespaceSelectors", I, NULL, NULL},
    {"Subnet", "spec.private", I, NULL, NULL},
    {"Subnet", "spec.allowSubnets", I, NULL, NULL},
    {"Subnet", "spec.gatewayType", I, NULL, "distributed, centralized"},
    {"Subnet", "spec.gatewayNode", P, NULL,
     "node names in fail-over order; the \"node:ip\" form counts as the node"},
    {"Subnet", "spec.gatewayNodeSelectors", I, NULL, NULL},
    {"Subnet", "spec.natOutgoing", P, NULL, "IPv4 only"},
    {"Subnet", "spec.provider", P, "ovn", "ovn only (no Multus attachments)"},
    {"Subnet", "spec.enableLb", P, "true",
     "Service load balancers are always on in the default VPC"},
    {"Subnet", "spec.disableGatewayCheck", I, NULL,
     "kovn never holds a pod back for a gateway check"},
    {"Subnet", "spec.allowEWTraffic", N, NULL, NULL},
    {"Subnet", "spec.natOutgoingPolicyRules", N, NULL, NULL},
    {"Subnet", "spec.externalEgressGateway", N, NULL, NULL},
    {"Subnet", "spec.policyRoutingPriority", N, NULL, NULL},
    {"Subnet", "spec.policyRoutingTableID", N, NULL, NULL},
    {"Subnet", "spec.routeTable", N, NULL, NULL},
    {"Subnet", "spec.vlan", N, NULL, "no underlay networks"},
    {"Subnet", "spec.logicalGateway", N, NULL, NULL},
    {"Subnet", "spec.disableInterConnection", N, NULL, NULL},
    {"Subnet", "spec.mtu", N, NULL, "the daemon's --mtu applies"},
    {"Subnet", "spec.enableDHCP", N, NULL, NULL},
    {"Subnet", "spec.dhcpV4Options", N, NULL, NULL},
    {"Subnet", "spec.dhcpV6Options", N, NULL, NULL},
    {"Subnet", "spec.enableIPv6RA", N, NULL, NULL},
    {"Subnet", "spec.ipv6RAConfigs", N, NULL, NULL},
    {"Subnet", "spec.enableEcmp", N, NULL, NULL},
    {"Subnet", "spec.enableExternalLBAddress", N, NULL, NULL},
    {"Subnet", "spec.enableMulticastSnoop", N, NULL, NULL},
    {"Subnet", "spec.nodeNetwork", N, NULL, NULL},
    {"Subnet", "spec.u2oInterconnection", N, NULL, NULL},
    {"Subnet", "spec.u2oInterconnectionIP", N, NULL, NULL},
    {"Subnet", "spec.u2oFeatures", N, NULL, NULL},
    {"Subnet", "spec.vips", N, NULL, NULL},
    {"Subnet", "spec.acls", N, NULL, NULL},

    {"Vpc", "spec.namespaces", I, NULL, NULL},
    {"Vpc", "spec.defaultSubnet", I, NULL, NULL},
    {"Vpc", "spec.staticRoutes", I, NULL, "policy, cidr, nextHopIP"},
    {"Vpc", "spec.staticRoutes[].ecmpMode", N, NULL, NULL},
    {"Vpc", "spec.staticRoutes[].bfdId", N, NULL, NULL},
    {"Vpc", "spec.staticRoutes[].routeTable", N, NULL, NULL},
    {"Vpc", "spec.policyRoutes", I, NULL, NULL},
    {"Vpc", "spec.vpcPeerings", N, NULL, NULL},
    {"Vpc", "spec.enableExternal", N, NULL, NULL},
    {"Vpc", "spec.extraExternalSubnets", N, NULL, NULL},
    {"Vpc", "spec.enableBfd", N, NULL, NULL},
    {"Vpc", "spec.bfdPort", N, NULL, NULL},

    {"IPPool", "spec.subnet", I, NULL, NULL},
    {"IPPool", "spec.ips", I, NULL, NULL},
    {"IPPool", "spec.namespaces", I, NULL, NULL},
    {"IPPool", "spec.enableAddressSet", N, NULL, NULL},
};

#undef I
#undef P
#undef N

const struct crd_support_field *
crd_support_fields(size_t *n)
{
    *n = ARRAY_SIZE(fields);
    return fields;
}

/* Whether 'value' says anything: defaults (false, 0, "", [], {}) do not. */
static bool
is_set(const struct json *value)
{
    switch (value ? value->type : JSON_NULL) {
    case JSON_NULL:
    case JSON_FALSE:
        return false;
    case JSON_INTEGER:
        return json_integer(value) != 0;
    case JSON_REAL:
        return json_real(value) != 0;
    case JSON_STRING:
        return *json_string(value);
    case JSON_ARRAY:
        return json_array(value)->n;
    case JSON_OBJECT:
        return shash_count(json_object(value));
    case JSON_TRUE:
    case JSON_N_TYPES:
    default:
        return true;
    }
}

/* Whether 'value' is the one a partly implemented field supports. */
static bool
is_supported_value(const struct json *value, const char *supported)
{
    if (value->type == JSON_STRING) {
        return !strcmp(json_string(value), supported);
    }
    if (value->type == JSON_TRUE) {
        return !strcmp(supported, "true");
    }
    return false;
}

/* Whether 'field' is set in 'spec': "spec.x" or "spec.list[].x" (set in
 * any item). */
static bool
field_set(const struct json *spec, const struct crd_support_field *field,
          const struct json **valuep)
{
    const char *path = field->path + strlen("spec.");
    const char *brackets = strstr(path, "[].");

    *valuep = NULL;
    if (!brackets) {
        const struct json *value = shash_find_data(json_object(spec), path);
        *valuep = value;
        /* A field with one supported value is asked for whenever it is
         * there: "enableLb: false" means something. */
        return field->supported_value ? value && value->type != JSON_NULL
                                      : is_set(value);
    }
    char *list = xmemdup0(path, brackets - path);
    const struct json *items = shash_find_data(json_object(spec), list);
    bool set = false;

    free(list);
    if (items && items->type == JSON_ARRAY) {
        for (size_t i = 0; !set && i < json_array(items)->n; i++) {
            const struct json *item = json_array(items)->elems[i];
            set = item->type == JSON_OBJECT &&
                  is_set(shash_find_data(json_object(item), brackets + 3));
        }
    }
    return set;
}

void
crd_unsupported_fields(const char *kind, const struct json *obj,
                       struct svec *out)
{
    const struct json *spec = obj && obj->type == JSON_OBJECT
                                  ? shash_find_data(json_object(obj), "spec")
                                  : NULL;

    if (!spec || spec->type != JSON_OBJECT) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct crd_support_field *f = &fields[i];
        const struct json *value;

        if (strcmp(f->kind, kind) || f->level == CRD_IMPLEMENTED ||
            !field_set(spec, f, &value)) {
            continue;
        }
        if (f->level == CRD_PARTIAL &&
            (!f->supported_value ||
             (value && is_supported_value(value, f->supported_value)))) {
            continue;
        }
        svec_add(out, f->path);
    }
}

char *
crd_unsupported_message(const struct svec *unsupported)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!unsupported->n) {
        return NULL;
    }
    for (size_t i = 0; i < unsupported->n; i++) {
        ds_put_format(&s, "%s%s", i ? ", " : "", unsupported->names[i]);
    }
    ds_put_cstr(&s, ": not implemented by kovn");
    return ds_steal_cstr(&s);
}

void
crd_support_markdown(struct ds *out)
{
    static const char *const levels[] = {"implemented", "partial",
                                         "not implemented"};

    ds_put_cstr(out, "| kind | field | kovn | note |\n"
                     "|------|-------|------|------|\n");
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct crd_support_field *f = &fields[i];

        ds_put_format(out, "| %s | `%s` | %s | %s |\n", f->kind, f->path,
                      levels[f->level], f->note ? f->note : "");
    }
}
