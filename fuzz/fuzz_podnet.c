/* Fuzz target for kovn-daemon's annotation parser (daemon/podnet): the
 * input is four '\n'-separated annotation values (ip_address, mac_address,
 * cidr, gateway), and also, when it is JSON, a whole object.  Never
 * crashes; an accepted network has one address per family at most, each
 * with a gateway of its family in its prefix, and formats back into
 * values that parse to the same. */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "daemon/podnet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const struct pod_net *a, const struct pod_net *b)
{
    if (a->n_ips != b->n_ips || !net_mac_equals(&a->mac, &b->mac)) {
        return false;
    }
    for (size_t i = 0; i < a->n_ips; i++) {
        if (!net_addr_equals(&a->ips[i].addr, &b->ips[i].addr) ||
            a->ips[i].prefix != b->ips[i].prefix ||
            !net_addr_equals(&a->gateways[i], &b->gateways[i])) {
            return false;
        }
    }
    return true;
}

static void
check(const struct pod_net *net)
{
    struct ds ip = DS_EMPTY_INITIALIZER, cidr = DS_EMPTY_INITIALIZER;
    struct ds gw = DS_EMPTY_INITIALIZER;
    char mac[NET_MAC_STRLEN];
    struct pod_net again;

    if (net->n_ips < 1 || net->n_ips > POD_NET_MAX_IPS) {
        abort();
    }
    for (size_t i = 0; i < net->n_ips; i++) {
        struct net_cidr network = net->ips[i];
        char buf[NET_CIDR_STRLEN];

        if (net->gateways[i].family != net->ips[i].addr.family ||
            pod_net_ip(net, net->ips[i].addr.family) != &net->ips[i]) {
            abort();
        }
        network.addr = net_cidr_first(&net->ips[i]);
        net_addr_format(&net->ips[i].addr, buf);
        ds_put_format(&ip, "%s%s", i ? "," : "", buf);
        net_cidr_format(&network, buf);
        ds_put_format(&cidr, "%s%s", i ? "," : "", buf);
        net_addr_format(&net->gateways[i], buf);
        ds_put_format(&gw, "%s%s", i ? "," : "", buf);
    }
    net_mac_format(&net->mac, mac);
    if (pod_net_parse(ds_cstr(&ip), mac, ds_cstr(&cidr), ds_cstr(&gw), &again,
                      NULL) ||
        !same(&again, net)) {
        abort();
    }
    ds_destroy(&ip);
    ds_destroy(&cidr);
    ds_destroy(&gw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    char *fields[4] = {NULL, NULL, NULL, NULL};
    struct kovn_error err;
    struct pod_net net;
    struct json *json;
    char *p = text;

    for (int i = 0; i < 4 && p; i++) {
        char *nl = strchr(p, '\n');

        fields[i] = p;
        if (nl) {
            *nl = '\0';
        }
        p = nl ? nl + 1 : NULL;
    }
    kovn_error_clear(&err);
    if (!pod_net_parse(fields[0], fields[1], fields[2], fields[3], &net,
                       &err)) {
        check(&net);
    } else if (!err.msg[0]) {
        abort();
    }
    free(text);

    text = xmemdup0((const char *)data, size);
    json = json_from_string(text);
    if (json->type == JSON_OBJECT && !pod_net_from_object(json, &net, NULL)) {
        check(&net);
    }
    json_destroy(json);
    free(text);
    return 0;
}
