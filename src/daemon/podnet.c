/* Pod and node network annotations into typed addresses; see podnet.h. */
#include <config.h>

#include "daemon/podnet.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "crd/names.h"
#include "kube/object.h"
#include "util.h"

/* Splits 'value' at ',' into at most POD_NET_MAX_IPS non-empty items of
 * at most 'item_max' bytes.  Returns the count or a negative errno. */
static int
split(const char *what, const char *value, char items[][NET_CIDR_STRLEN + 1],
      struct kovn_error *err)
{
    size_t n = 0;
    const char *p = value;

    if (!value) {
        return kovn_error_set(err, -EINVAL, "%s is missing", what);
    }
    if (strlen(value) > POD_NET_VALUE_MAX) {
        return kovn_error_set(err, -E2BIG, "%s is longer than %d bytes", what,
                              POD_NET_VALUE_MAX);
    }
    for (;;) {
        size_t len = strcspn(p, ",");

        if (!len) {
            return kovn_error_set(err, -EINVAL, "%s \"%s\" has an empty item",
                                  what, value);
        }
        if (n >= POD_NET_MAX_IPS) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%s\" has more than %d items", what,
                                  value, POD_NET_MAX_IPS);
        }
        if (len > NET_CIDR_STRLEN) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%s\": item too long for an address",
                                  what, value);
        }
        memcpy(items[n], p, len);
        items[n][len] = '\0';
        n++;
        if (!p[len]) {
            return n;
        }
        p += len + 1;
    }
}

int
pod_net_parse(const char *ip_address, const char *mac_address,
              const char *cidr, const char *gateway, struct pod_net *out,
              struct kovn_error *err)
{
    char ips[POD_NET_MAX_IPS][NET_CIDR_STRLEN + 1];
    char cidrs[POD_NET_MAX_IPS][NET_CIDR_STRLEN + 1];
    char gws[POD_NET_MAX_IPS][NET_CIDR_STRLEN + 1];
    struct net_cidr nets[POD_NET_MAX_IPS];
    struct net_addr gw_addrs[POD_NET_MAX_IPS];
    int n_ips, n_cidrs, n_gws, error;

    memset(out, 0, sizeof *out);
    if (!mac_address) {
        return kovn_error_set(err, -EINVAL, ANN_MAC_ADDRESS " is missing");
    }
    if (strlen(mac_address) > POD_NET_VALUE_MAX) {
        return kovn_error_set(err, -E2BIG, ANN_MAC_ADDRESS " is too long");
    }
    error = net_mac_parse(mac_address, &out->mac, err);
    if (error) {
        kovn_error_prefix(err, ANN_MAC_ADDRESS ": ");
        return error;
    }
    n_ips = split(ANN_IP_ADDRESS, ip_address, ips, err);
    if (n_ips < 0) {
        return n_ips;
    }
    n_cidrs = split(ANN_CIDR, cidr, cidrs, err);
    if (n_cidrs < 0) {
        return n_cidrs;
    }
    n_gws = split(ANN_GATEWAY, gateway, gws, err);
    if (n_gws < 0) {
        return n_gws;
    }
    for (int i = 0; i < n_cidrs; i++) {
        error = net_cidr_parse(cidrs[i], NET_CIDR_NETWORK, &nets[i], err);
        if (error) {
            kovn_error_prefix(err, ANN_CIDR ": ");
            return error;
        }
    }
    for (int i = 0; i < n_gws; i++) {
        error = net_addr_parse(gws[i], &gw_addrs[i], err);
        if (error) {
            kovn_error_prefix(err, ANN_GATEWAY ": ");
            return error;
        }
    }

    /* Pair each address with the CIDR and gateway of its family, whatever
     * order the lists are in. */
    for (int i = 0; i < n_ips; i++) {
        struct net_addr addr;
        int c = -1, g = -1;

        error = net_addr_parse(ips[i], &addr, err);
        if (error) {
            kovn_error_prefix(err, ANN_IP_ADDRESS ": ");
            return error;
        }
        if (pod_net_ip(out, addr.family)) {
            return kovn_error_set(err, -EINVAL,
                                  ANN_IP_ADDRESS " \"%s\" has two IPv%d "
                                                 "addresses",
                                  ip_address, addr.family);
        }
        for (int j = 0; j < n_cidrs; j++) {
            if (nets[j].addr.family == addr.family) {
                c = j;
            }
        }
        for (int j = 0; j < n_gws; j++) {
            if (gw_addrs[j].family == addr.family) {
                g = j;
            }
        }
        if (c < 0 || !net_cidr_contains(&nets[c], &addr)) {
            return kovn_error_set(err, -EINVAL,
                                  ANN_IP_ADDRESS
                                  " %s is in no CIDR of " ANN_CIDR " \"%s\"",
                                  ips[i], cidr);
        }
        if (g < 0 || !net_cidr_contains(&nets[c], &gw_addrs[g]) ||
            net_addr_equals(&gw_addrs[g], &addr)) {
            return kovn_error_set(err, -EINVAL,
                                  ANN_GATEWAY " \"%s\" has no usable IPv%d "
                                              "gateway in %s for %s",
                                  gateway, addr.family, cidrs[c], ips[i]);
        }
        out->ips[out->n_ips] = (struct net_cidr){addr, nets[c].prefix};
        out->gateways[out->n_ips] = gw_addrs[g];
        out->n_ips++;
    }
    return 0;
}

int
pod_net_from_object(const struct json *object, struct pod_net *out,
                    struct kovn_error *err)
{
    const char *allocated = kube_object_annotation(object, ANN_ALLOCATED);

    memset(out, 0, sizeof *out);
    if (!allocated || strcmp(allocated, "true")) {
        return kovn_error_set(err, -EAGAIN,
                              "no address yet (" ANN_ALLOCATED " is not "
                              "\"true\")");
    }
    return pod_net_parse(kube_object_annotation(object, ANN_IP_ADDRESS),
                         kube_object_annotation(object, ANN_MAC_ADDRESS),
                         kube_object_annotation(object, ANN_CIDR),
                         kube_object_annotation(object, ANN_GATEWAY), out,
                         err);
}

const struct net_cidr *
pod_net_ip(const struct pod_net *net, enum net_family family)
{
    for (size_t i = 0; i < net->n_ips; i++) {
        if (net->ips[i].addr.family == family) {
            return &net->ips[i];
        }
    }
    return NULL;
}
