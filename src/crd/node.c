/* Node decoding; see node.h. */
#include <config.h>

#include "crd/node.h"

#include <string.h>

#include "kube/object.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

void
crd_node_from_json(const struct json *obj, struct crd_node *node)
{
    const struct json *addresses =
        json_member(json_member(obj, "status"), "addresses");

    memset(node, 0, sizeof *node);
    node->ready = kube_condition_is_true(
        json_member(json_member(obj, "status"), "conditions"), "Ready");
    if (!addresses || addresses->type != JSON_ARRAY) {
        return;
    }
    for (size_t i = 0; i < json_array(addresses)->n; i++) {
        const struct json *entry = json_array(addresses)->elems[i];
        const char *type = NULL, *address = NULL;
        struct net_addr addr;

        if (json_member_string(entry, "type", "address", &type, NULL) ||
            json_member_string(entry, "address", "address", &address, NULL) ||
            !type || !address || strcmp(type, "InternalIP") ||
            net_addr_parse(address, &addr, NULL)) {
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < node->n_internal_ips; j++) {
            seen = seen || node->internal_ips[j].family == addr.family;
        }
        if (!seen && node->n_internal_ips < 2) {
            node->internal_ips[node->n_internal_ips++] = addr;
        }
    }
    if (node->n_internal_ips == 2 && node->internal_ips[0].family == NET_V6) {
        struct net_addr v6 = node->internal_ips[0];
        node->internal_ips[0] = node->internal_ips[1];
        node->internal_ips[1] = v6;
    }
}

char *
crd_node_address_set_name(const char *name, enum net_family family)
{
    char *as =
        xasprintf("kovn.node.%s_ip%c", name, family == NET_V4 ? '4' : '6');

    for (char *p = as; *p; p++) {
        if (*p == '-') {
            *p = '_';
        }
    }
    return as;
}
