/* Pod and node-port plumbing over daemon/netlink; see plumb.h. */
#include <config.h>

#include "daemon/plumb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "daemon/netlink.h"
#include "hash.h"
#include "sset.h"
#include "util.h"

/* 11 hex digits: 44 bits, so that two attachments on one node colliding is
 * about as likely as a 2^-22 event per pair among thousands. */
#define NAME_DIGITS 11

void
plumb_names(const char *container_id, const char *ifname,
            char host[IF_NAMESIZE], char peer[IF_NAMESIZE])
{
    uint32_t a = hash_string(container_id, 0x6b6f766e);
    uint32_t b = hash_string(ifname, a);
    uint64_t h = ((uint64_t)hash_string(container_id, b) << 32) | b;

    h &= (UINT64_C(1) << (NAME_DIGITS * 4)) - 1;
    snprintf(host, IF_NAMESIZE, PLUMB_HOST_PREFIX "%011" PRIx64, h);
    snprintf(peer, IF_NAMESIZE, PLUMB_PEER_PREFIX "%011" PRIx64, h);
}

void
plumb_peer_name(const char *host, char peer[IF_NAMESIZE])
{
    snprintf(peer, IF_NAMESIZE, PLUMB_PEER_PREFIX "%s",
             host + strlen(PLUMB_HOST_PREFIX));
}

bool
plumb_is_host_name(const char *name)
{
    size_t prefix = strlen(PLUMB_HOST_PREFIX);

    return strlen(name) == prefix + NAME_DIGITS &&
           !strncmp(name, PLUMB_HOST_PREFIX, prefix) &&
           strspn(name + prefix, "0123456789abcdef") == NAME_DIGITS;
}

int
plumb_pod_add_host(const struct plumb_pod *pod, struct net_mac *host_mac,
                   struct kovn_error *err)
{
    struct netlink_ns *host = NULL, *ns = NULL;
    struct netlink_link link = {0};
    int error;

    error = netlink_ns_open(NULL, &host, err);
    if (error) {
        goto out;
    }
    error = netlink_ns_open(pod->netns, &ns, err);
    if (error) {
        goto out;
    }

    /* Whatever an interrupted ADD left: deleting either end of a pair
     * deletes both, wherever the peer is by now (the temporary peer name
     * is what daemons before the direct creation below left). */
    error = netlink_link_delete(host, pod->host, true, err);
    if (!error) {
        error = netlink_link_delete(host, pod->peer, true, err);
    }
    if (!error) {
        error = netlink_link_delete(ns, pod->peer, true, err);
    }
    if (error) {
        goto out;
    }

    /* The pod end is born in the pod with its name and MAC, and goes up
     * now: every change the host's namespace sees (each one makes
     * ovs-vswitchd reconfigure) happens before the port is added. */
    error = netlink_veth_create_across(host, pod->host, ns, pod->ifname,
                                       &pod->net.mac, pod->mtu, err);
    if (!error) {
        error = netlink_link_set_up(ns, pod->ifname, true, err);
    }
    if (!error) {
        error = netlink_link_set_up(host, pod->host, true, err);
    }
    if (!error) {
        error = netlink_link_lookup(host, pod->host, &link, err);
        *host_mac = link.mac;
    }

out:
    netlink_link_destroy(&link);
    netlink_ns_close(ns);
    netlink_ns_close(host);
    return error;
}

int
plumb_pod_add_peer(const struct plumb_pod *pod, struct kovn_error *err)
{
    struct netlink_ns *ns = NULL;
    int error;

    error = netlink_ns_open(pod->netns, &ns, err);
    if (!error) {
        error = netlink_set_tx_checksum(ns, pod->ifname, false, err);
    }
    for (size_t i = 0; !error && i < pod->net.n_ips; i++) {
        error = netlink_addr_add(ns, pod->ifname, &pod->net.ips[i], err);
    }
    /* Routes via a gateway need the link up (its connected route). */
    for (size_t i = 0; !error && i < pod->net.n_ips; i++) {
        error = netlink_route_add(ns, pod->ifname, NULL, &pod->net.gateways[i],
                                  err);
    }
    netlink_ns_close(ns);
    return error;
}

int
plumb_pod_del(const char *host_name, const char *peer_name,
              struct kovn_error *err)
{
    struct netlink_ns *host = NULL;
    int error;

    error = netlink_ns_open(NULL, &host, err);
    if (!error) {
        error = netlink_link_delete(host, host_name, true, err);
    }
    if (!error) {
        error = netlink_link_delete(host, peer_name, true, err);
    }
    netlink_ns_close(host);
    return error;
}

static bool
link_has_addr(const struct netlink_link *link, const struct net_cidr *addr)
{
    for (size_t i = 0; i < link->n_addrs; i++) {
        if (net_addr_equals(&link->addrs[i].addr, &addr->addr) &&
            link->addrs[i].prefix == addr->prefix) {
            return true;
        }
    }
    return false;
}

int
plumb_pod_check(const struct plumb_pod *pod, struct kovn_error *err)
{
    struct netlink_ns *host = NULL, *ns = NULL;
    struct netlink_link link = {0}, host_link = {0};
    int error;

    error = netlink_ns_open(NULL, &host, err);
    if (!error) {
        error = netlink_ns_open(pod->netns, &ns, err);
    }
    if (!error) {
        error = netlink_link_lookup(ns, pod->ifname, &link, err);
    }
    if (error) {
        goto out;
    }
    if (!net_mac_equals(&link.mac, &pod->net.mac)) {
        char want[NET_MAC_STRLEN], have[NET_MAC_STRLEN];

        net_mac_format(&pod->net.mac, want);
        net_mac_format(&link.mac, have);
        error = kovn_error_set(err, -EINVAL, "%s in %s has MAC %s, not %s",
                               pod->ifname, pod->netns, have, want);
        goto out;
    }
    if (!link.up) {
        error = kovn_error_set(err, -EINVAL, "%s in %s is down", pod->ifname,
                               pod->netns);
        goto out;
    }
    for (size_t i = 0; i < pod->net.n_ips; i++) {
        if (!link_has_addr(&link, &pod->net.ips[i])) {
            char buf[NET_CIDR_STRLEN];

            net_cidr_format(&pod->net.ips[i], buf);
            error = kovn_error_set(err, -EINVAL, "%s in %s lacks address %s",
                                   pod->ifname, pod->netns, buf);
            goto out;
        }
    }
    error = netlink_link_lookup(host, pod->host, &host_link, err);
    if (!error && !host_link.up) {
        error = kovn_error_set(err, -EINVAL, "host end %s is down", pod->host);
    }

out:
    netlink_link_destroy(&host_link);
    netlink_link_destroy(&link);
    netlink_ns_close(ns);
    netlink_ns_close(host);
    return error;
}

int
plumb_node_port(const char *ifname, const struct pod_net *net,
                const struct net_cidr *routes, size_t n_routes,
                struct kovn_error *err)
{
    struct netlink_ns *host = NULL;
    int error;

    error = netlink_ns_open(NULL, &host, err);
    if (!error) {
        error = netlink_link_set_mac(host, ifname, &net->mac, err);
    }
    for (size_t i = 0; !error && i < net->n_ips; i++) {
        error = netlink_addr_add(host, ifname, &net->ips[i], err);
    }
    if (!error) {
        /* The host's TCP goes through the userspace datapath too. */
        error = netlink_set_tx_checksum(host, ifname, false, err);
    }
    if (!error) {
        error = netlink_link_set_up(host, ifname, true, err);
    }
    for (size_t i = 0; !error && i < n_routes; i++) {
        for (size_t j = 0; j < net->n_ips; j++) {
            if (net->gateways[j].family == routes[i].addr.family) {
                error = netlink_route_add(host, ifname, &routes[i],
                                          &net->gateways[j], err);
                break;
            }
        }
    }
    netlink_ns_close(host);
    return error;
}

void
plumb_list_host_links(struct sset *out)
{
    struct if_nameindex *names = if_nameindex();

    for (struct if_nameindex *p = names; p && p->if_index; p++) {
        if (plumb_is_host_name(p->if_name)) {
            sset_add(out, p->if_name);
        }
    }
    if (names) {
        if_freenameindex(names);
    }
}
