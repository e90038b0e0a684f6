/* The blocking plumbing of pods and of the node's own port: what a CNI ADD,
 * DEL and CHECK do to links, addresses and routes, as sequences of
 * daemon/netlink operations.  Everything here blocks and runs on
 * kovn-daemon's worker threads, never on the poll-loop thread.
 *
 * A pod's veth pair is named from its container ID and interface name, so
 * that every request about one attachment (a retried ADD after kovn-daemon
 * was killed, a DEL, a GC) finds the same links without any state: the
 * host end is "kovn" + 11 hex digits of a hash, the peer carries "kovp" +
 * the same digits (pairs of older daemons only: ADD creates the pod end
 * in the pod under its final name).  ADD starts by
 * deleting whatever pair an earlier, interrupted ADD left, so it converges
 * from any point it was interrupted at. */
#ifndef KOVN_DAEMON_PLUMB_H
#define KOVN_DAEMON_PLUMB_H 1

#include <net/if.h>
#include <stdbool.h>

#include "daemon/podnet.h"
#include "net/mac.h"

struct kovn_error;
struct sset;

#define PLUMB_HOST_PREFIX "kovn"
#define PLUMB_PEER_PREFIX "kovp"

/* Names of the host and (temporary) peer end for an attachment. */
void plumb_names(const char *container_id, const char *ifname,
                 char host[IF_NAMESIZE], char peer[IF_NAMESIZE]);
/* The peer name that goes with host end 'host' (a plumb_is_host_name()). */
void plumb_peer_name(const char *host, char peer[IF_NAMESIZE]);
/* Whether 'name' is a host end plumb_names() makes. */
bool plumb_is_host_name(const char *name);

struct plumb_pod {
    char host[IF_NAMESIZE];
    char peer[IF_NAMESIZE];
    char *netns;  /* Path of the pod's network namespace. */
    char *ifname; /* The pod's name for its end, e.g. "eth0". */
    struct pod_net net;
    unsigned int mtu; /* 0: the kernel's default. */
};

/* Adding a pod is two steps, so that OVS and ovn-controller can bind the
 * host end while the pod end is configured:
 *
 * plumb_pod_add_host() (re)creates the pod's veth pair: deletes whatever
 * pair an earlier, interrupted ADD left (in the host or in 'netns'),
 * creates the host end in the calling thread's namespace and the pod end
 * as 'ifname' in 'netns' with the MAC and MTU, sets both up and fills
 * 'host_mac' with the host end's address.  Then the host end may go on
 * br-int: nothing after this changes a link in the host's namespace.
 *
 * plumb_pod_add_peer(), after it succeeded, gives the pod end its
 * addresses, default routes via the gateways, and TX checksum offload off
 * (OVS's userspace datapath does not complete partial checksums). */
int plumb_pod_add_host(const struct plumb_pod *, struct net_mac *host_mac,
                       struct kovn_error *);
int plumb_pod_add_peer(const struct plumb_pod *, struct kovn_error *);

/* Deletes the pair by its host end; a missing one is success. */
int plumb_pod_del(const char *host, const char *peer, struct kovn_error *);

/* Checks that the pod end exists in 'netns' as 'ifname', up, with the MAC
 * and every address of 'net', and that the host end exists and is up. */
int plumb_pod_check(const struct plumb_pod *, struct kovn_error *);

/* Configures the node's internal OVS port 'ifname' (ovn0), which OVS
 * created: MAC and address of the node's join allocation, up, and a route
 * to each of 'routes' via the join gateway of its family. */
int plumb_node_port(const char *ifname, const struct pod_net *net,
                    const struct net_cidr *routes, size_t n_routes,
                    struct kovn_error *);

/* Adds the host ends of pod pairs present in the calling thread's
 * namespace to 'out'. */
void plumb_list_host_links(struct sset *out);

#endif /* KOVN_DAEMON_PLUMB_H */
