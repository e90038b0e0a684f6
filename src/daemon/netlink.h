/* Pod plumbing over rtnetlink: veth pairs, moving links between network
 * namespaces, and configuring a link inside a pod's namespace (name, MAC,
 * MTU, up/down, addresses, routes, TX checksum offload).
 *
 * Every operation is synchronous (one request, one ACK) and therefore
 * blocking: kovn-daemon calls these from its worker threads, never from the
 * poll-loop thread.  Operations act on a 'struct netlink_ns', a handle to one
 * network namespace opened by path ("/var/run/netns/X", "/proc/PID/ns/net")
 * or to the caller's own namespace.  Opening it never moves the calling
 * thread: a short-lived helper thread enters the namespace and creates the
 * sockets there, and a socket stays in the namespace it was created in.
 *
 * Errors are 0 or a negative errno with a message in 'err' that names the
 * operation, the link and the namespace, plus the kernel's own explanation
 * (extended ACK) when it gives one, e.g.
 *   set MTU 70000 on "eth0" in netns /var/run/netns/pod1: Invalid argument
 *   (kernel: MTU too big)
 * A missing link is -ENODEV, a missing namespace path -ENOENT.
 *
 * A handle is used by one thread at a time. */
#ifndef KOVN_DAEMON_NETLINK_H
#define KOVN_DAEMON_NETLINK_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"

struct kovn_error;
struct netlink_ns;

/* Opens the namespace at 'path', or the calling thread's own namespace when
 * 'path' is null.  -ENOENT if 'path' does not exist, -EINVAL if it is not a
 * network namespace (for example a stale /var/run/netns entry whose bind
 * mount is gone). */
int netlink_ns_open(const char *path, struct netlink_ns **nsp,
                    struct kovn_error *err);
void netlink_ns_close(struct netlink_ns *);

/* The path given to netlink_ns_open(), or "the current netns". */
const char *netlink_ns_name(const struct netlink_ns *);

/* Creates a socket(domain, type | SOCK_CLOEXEC, protocol) inside 'ns' and
 * stores it in '*fd', for work that rtnetlink does not cover (a connectivity
 * probe from inside a pod, for example).  The caller closes it. */
int netlink_ns_socket(const struct netlink_ns *ns, int domain, int type,
                      int protocol, int *fd, struct kovn_error *err);

/* Creates the veth pair 'host' <-> 'peer' in 'ns', both ends with 'mtu'
 * (0 keeps the kernel's default) and down.  Names are 1 to 15 characters
 * (IFNAMSIZ - 1).  The peer is meant to carry a temporary, node-unique name
 * until it is moved into the pod and renamed there, because the pod's name
 * for it ("eth0") is taken on the host.  -EEXIST if either name exists. */
int netlink_veth_create(struct netlink_ns *ns, const char *host,
                        const char *peer, unsigned int mtu,
                        struct kovn_error *err);

/* Creates the veth pair 'host' in 'ns' <-> 'peer' directly in 'peer_ns',
 * with 'peer_mac' (if non-null) and 'mtu' (0: the kernel's default), both
 * ends down.  Cheaper than netlink_veth_create() + netlink_link_move() +
 * rename + set MAC: moving a link between namespaces waits for an RCU
 * grace period, and the pod's name for its end can be used at once.
 * -EEXIST if 'host' exists in 'ns' or 'peer' in 'peer_ns'. */
int netlink_veth_create_across(struct netlink_ns *ns, const char *host,
                               const struct netlink_ns *peer_ns,
                               const char *peer,
                               const struct net_mac *peer_mac,
                               unsigned int mtu, struct kovn_error *err);

/* Moves link 'ifname' from 'ns' into the namespace at 'target_path'.  The
 * link keeps its name, and is down afterwards. */
int netlink_link_move(struct netlink_ns *ns, const char *ifname,
                      const char *target_path, struct kovn_error *err);

/* Renames 'ifname' to 'new_name'.  Older kernels refuse (-EBUSY)
 * while the link is up, so rename before netlink_link_set_up(). */
int netlink_link_rename(struct netlink_ns *ns, const char *ifname,
                        const char *new_name, struct kovn_error *err);
int netlink_link_set_mac(struct netlink_ns *ns, const char *ifname,
                         const struct net_mac *mac, struct kovn_error *err);
int netlink_link_set_mtu(struct netlink_ns *ns, const char *ifname,
                         unsigned int mtu, struct kovn_error *err);
int netlink_link_set_up(struct netlink_ns *ns, const char *ifname, bool up,
                        struct kovn_error *err);

/* Deletes 'ifname' (for a veth, both ends).  With 'missing_ok', a link that
 * does not exist is success: CNI DEL must be idempotent. */
int netlink_link_delete(struct netlink_ns *ns, const char *ifname,
                        bool missing_ok, struct kovn_error *err);

/* Adds 'addr' (an interface address: host bits set, e.g. 10.16.0.5/16) to
 * 'ifname'.  Adding an address the link already has succeeds, so that a
 * retried CNI ADD converges.  IPv6 addresses skip duplicate address
 * detection: IPAM already made them unique, and DAD would keep them
 * unusable for a second after the pod starts. */
int netlink_addr_add(struct netlink_ns *ns, const char *ifname,
                     const struct net_cidr *addr, struct kovn_error *err);

/* Adds a route to 'dst' (null for the default route of 'gw''s family) via
 * gateway 'gw', out of 'ifname' if non-null.  An existing route to the same
 * destination is replaced.  IPv4 and IPv6; 'dst' and 'gw' must be of the same
 * family. */
int netlink_route_add(struct netlink_ns *ns, const char *ifname,
                      const struct net_cidr *dst, const struct net_addr *gw,
                      struct kovn_error *err);

/* What CNI CHECK compares against what ADD configured. */
struct netlink_link {
    int ifindex;
    char name[IF_NAMESIZE];
    struct net_mac mac; /* All zeros unless the link has a 6-byte address. */
    unsigned int mtu;
    bool up; /* Administratively up (IFF_UP). */

    /* Every address on the link, including IPv6 link-local ones, in the
     * kernel's order. */
    struct net_cidr *addrs;
    size_t n_addrs;
};

/* Fills 'link' with what 'ifname' in 'ns' looks like now.  The caller frees
 * it with netlink_link_destroy(), also on error. */
int netlink_link_lookup(struct netlink_ns *ns, const char *ifname,
                        struct netlink_link *link, struct kovn_error *err);
void netlink_link_destroy(struct netlink_link *);

/* Turns transmit checksum offload on 'ifname' on or off.  rtnetlink cannot:
 * this is the ethtool ioctl.  kovn turns it off on the pod's end of a veth
 * whose host end is on OVS's userspace datapath, which would otherwise
 * forward TCP segments with partial checksums that nobody completes. */
int netlink_set_tx_checksum(struct netlink_ns *ns, const char *ifname, bool on,
                            struct kovn_error *err);
int netlink_get_tx_checksum(struct netlink_ns *ns, const char *ifname,
                            bool *on, struct kovn_error *err);

#endif /* KOVN_DAEMON_NETLINK_H */
