/* A subnet's address counts: from its IPAM once the address book is
 * restored, from its IP objects before; see counts.h. */
#include <config.h>

#include "controller/counts.h"

#include "controller/controller.h"
#include "kube/informer.h"
#include "openvswitch/json.h"
#include "json/access.h"

size_t
ctrl_counts_ips_in_subnet(const struct controller *ctl, const char *subnet)
{
    const struct sset *ips =
        kube_informer_by_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, subnet);
    return ips ? sset_count(ips) : 0;
}

/* Addresses of 'family' in use in 'subnet', from its IP objects. */
static size_t
used_ips(const struct controller *ctl, const char *subnet,
         enum net_family family)
{
    const struct sset *ips =
        kube_informer_by_index(ctl->ip_informer, CTRL_IP_BY_SUBNET, subnet);
    const char *key;
    size_t n = 0;

    if (!ips) {
        return 0;
    }
    SSET_FOR_EACH(key, ips)
    {
        struct json *ip = kube_informer_get_copy(ctl->ip_informer, key);
        const char *addr = NULL;

        json_member_string(json_member(ip, "spec"),
                           family == NET_V4 ? "v4IpAddress" : "v6IpAddress",
                           "spec", &addr, NULL);
        n += addr && *addr;
        json_destroy(ip);
    }
    return n;
}

void
ctrl_counts_subnet(const struct controller *ctl, const struct subnet *subnet,
                   enum net_family family, net_u128 *used, net_u128 *available)
{
    struct ipam_subnet *ipam = addresses_ipam(&ctl->addresses, subnet->name);

    if (ipam && ctl->restored) {
        *used = ipam_used(ipam, family);
        *available = ipam_available(ipam, family);
    } else {
        /* Before the address book is restored, IP objects are the best
         * count there is. */
        net_u128 usable = subnet_usable_count(subnet, family);
        *used = used_ips(ctl, subnet->name, family);
        *available = usable > *used ? usable - *used : 0;
    }
}
