/* Pod plumbing over rtnetlink with libmnl; see netlink.h.
 *
 * A 'struct netlink_ns' owns one NETLINK_ROUTE socket created inside its
 * namespace.  Each operation builds one request in a small stack buffer,
 * sends it with NLM_F_ACK, and reads replies into the handle's receive
 * buffer until the ACK (or, for dumps, NLMSG_DONE) with the request's
 * sequence number arrives.  The socket asks for extended ACKs so that the
 * kernel's reason for a refusal ends up in the error message. */
#include <config.h>

#include "daemon/netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "ovs-thread.h"
#include "util.h"

/* The kernel never sends a netlink message larger than this to a socket that
 * reads with a buffer this size (it caps its dump chunks at 32 KiB), so a
 * truncated read (-ENOSPC) means a kernel bug rather than a big reply. */
#define NETLINK_RECV_SIZE 32768

/* Every request fits: the largest is a veth creation carrying two names of
 * at most 15 characters and a handful of fixed-size attributes. */
#define NETLINK_REQ_SIZE 1024

/* Longest kernel extended-ACK message we keep. */
#define NETLINK_KMSG_SIZE 128

struct netlink_ns {
    char *path; /* Null for the caller's own namespace. */
    int ns_fd;  /* Open on 'path', or -1. */
    struct mnl_socket *nl;
    unsigned int portid;
    unsigned int seq;
    char *buf; /* NETLINK_RECV_SIZE bytes for replies. */

    /* The kernel's explanation (extended ACK) of the last refusal. */
    char kmsg[NETLINK_KMSG_SIZE];
};

/* Formats the error for an operation in 'ns': "<op> in netns <path>:
 * <strerror> (kernel: <kmsg>)" and returns 'code'. */
static int
ns_verror(const struct netlink_ns *ns, struct kovn_error *err, int code,
          const char *kmsg, const char *fmt, va_list args)
{
    char op[KOVN_ERROR_MAX];

    vsnprintf(op, sizeof op, fmt, args);
    return kovn_error_set(
        err, code, "%s%s%s: %s%s%s%s", op, ns->path ? " in netns " : "",
        ns->path ? ns->path : "", strerror(-code),
        kmsg && kmsg[0] ? " (kernel: " : "", kmsg && kmsg[0] ? kmsg : "",
        kmsg && kmsg[0] ? ")" : "");
}

/* An error found without the kernel's word on it. */
static int __attribute__((format(printf, 4, 5)))
ns_error(const struct netlink_ns *ns, struct kovn_error *err, int code,
         const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    code = ns_verror(ns, err, code, NULL, fmt, args);
    va_end(args);
    return code;
}

/* The outcome of a request to the kernel: 0, or 'code' with a message that
 * names the operation and gives the kernel's reason if it sent one. */
static int __attribute__((format(printf, 4, 5)))
ns_result(const struct netlink_ns *ns, struct kovn_error *err, int code,
          const char *fmt, ...)
{
    va_list args;

    if (!code) {
        return 0;
    }
    va_start(args, fmt);
    code = ns_verror(ns, err, code, ns->kmsg, fmt, args);
    va_end(args);
    return code;
}

/* The kernel's rules (dev_valid_name()), checked here so that a bad name is
 * a clear error and never silently truncated into an attribute. */
static int
check_ifname(const struct netlink_ns *ns, const char *name,
             struct kovn_error *err)
{
    size_t len = name ? strnlen(name, IF_NAMESIZE) : 0;

    if (!len || len >= IF_NAMESIZE || !strcmp(name, ".") ||
        !strcmp(name, "..") || strpbrk(name, "/: \t\n\r\v\f")) {
        return ns_error(ns, err, -EINVAL,
                        "interface name \"%.*s\" (1 to %d characters, no "
                        "'/', ':' or spaces)",
                        IF_NAMESIZE * 2, name ? name : "", IF_NAMESIZE - 1);
    }
    return 0;
}

/* Running code inside another network namespace. */

struct ns_socket_req {
    int ns_fd;
    int domain, type, protocol;
    int fd;       /* The socket, or -1. */
    int error;    /* Positive errno. */
    bool entered; /* setns() succeeded: distinguishes the failing step. */
};

/* Runs on a helper thread that exists only for this: setns() moves only the
 * calling thread, and that thread dies right after, so no thread of ours
 * (and in particular not the caller) is ever left in the pod's namespace. */
static void *
ns_socket_main(void *req_)
{
    struct ns_socket_req *req = req_;

    if (setns(req->ns_fd, CLONE_NEWNET)) {
        req->error = errno;
        return NULL;
    }
    req->entered = true;
    req->fd = socket(req->domain, req->type | SOCK_CLOEXEC, req->protocol);
    if (req->fd < 0) {
        req->error = errno;
    }
    return NULL;
}

/* Creates a socket inside the namespace open at 'ns_fd' ('path' names it in
 * messages), or in the caller's own when 'ns_fd' is -1. */
static int
socket_in_ns(int ns_fd, const char *path, int domain, int type, int protocol,
             int *fdp, struct kovn_error *err)
{
    struct ns_socket_req req = {
        .ns_fd = ns_fd,
        .domain = domain,
        .type = type,
        .protocol = protocol,
        .fd = -1,
    };
    sigset_t all, saved;
    pthread_t thread;
    int error;

    *fdp = -1;
    if (ns_fd < 0) {
        int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

        if (fd < 0) {
            return kovn_error_set(err, -errno, "socket: %s", strerror(errno));
        }
        *fdp = fd;
        return 0;
    }

    /* The helper inherits this mask: a process signal must not run its
     * handler on a thread that sits in another namespace. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    error = pthread_create(&thread, NULL, ns_socket_main, &req);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (error) {
        return kovn_error_set(err, -error, "netns %s: helper thread: %s", path,
                              strerror(error));
    }
    xpthread_join(thread, NULL);

    if (!req.entered) {
        /* setns() says EINVAL for a file that is not a network namespace,
         * such as /proc/PID/ns/mnt. */
        return kovn_error_set(err, -req.error, "netns %s: %s", path,
                              req.error == EINVAL ? "not a network namespace"
                                                  : strerror(req.error));
    }
    if (req.fd < 0) {
        return kovn_error_set(err, -req.error, "netns %s: socket: %s", path,
                              strerror(req.error));
    }
    *fdp = req.fd;
    return 0;
}

/* Opens 'path' as a network namespace file for setns() or IFLA_NET_NS_FD.
 * 'what' starts the error message. */
static int
open_netns_path(const char *path, int *fdp, const char *what,
                struct kovn_error *err)
{
    struct statfs st;
    int fd;

    *fdp = -1;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return kovn_error_set(err, -errno, "%snetns %s: %s", what, path,
                              strerror(errno));
    }
    /* A /var/run/netns entry whose bind mount is gone is an ordinary empty
     * file: say so instead of the kernel's bare EINVAL later. */
    if (fstatfs(fd, &st) || st.f_type != NSFS_MAGIC) {
        close(fd);
        return kovn_error_set(
            err, -EINVAL, "%snetns %s: not a network namespace", what, path);
    }
    *fdp = fd;
    return 0;
}

int
netlink_ns_open(const char *path, struct netlink_ns **nsp,
                struct kovn_error *err)
{
    struct netlink_ns *ns = xzalloc(sizeof *ns);
    int one = 1;
    int error;
    int fd;

    *nsp = NULL;
    ns->ns_fd = -1;
    if (path) {
        ns->path = xstrdup(path);
        error = open_netns_path(path, &ns->ns_fd, "", err);
        if (error) {
            goto out;
        }
    }
    error = socket_in_ns(ns->ns_fd, path, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
                         &fd, err);
    if (error) {
        goto out;
    }
    ns->nl = mnl_socket_fdopen(fd);
    if (!ns->nl) {
        error = kovn_error_set(err, -errno, "netns %s: netlink socket: %s",
                               netlink_ns_name(ns), strerror(errno));
        close(fd);
        goto out;
    }
    if (mnl_socket_bind(ns->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        error = kovn_error_set(err, -errno, "netns %s: netlink bind: %s",
                               netlink_ns_name(ns), strerror(errno));
        goto out;
    }
    /* Both are conveniences (kernel reasons in messages, ACKs that do not
     * echo the request) that older kernels lack: failure is fine. */
    mnl_socket_setsockopt(ns->nl, NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(ns->nl, NETLINK_CAP_ACK, &one, sizeof one);
    ns->portid = mnl_socket_get_portid(ns->nl);
    ns->seq = (unsigned int)time(NULL);
    ns->buf = xmalloc(NETLINK_RECV_SIZE);
    *nsp = ns;
    ns = NULL;

out:
    netlink_ns_close(ns);
    return error;
}

void
netlink_ns_close(struct netlink_ns *ns)
{
    if (ns) {
        if (ns->nl) {
            mnl_socket_close(ns->nl);
        }
        if (ns->ns_fd >= 0) {
            close(ns->ns_fd);
        }
        free(ns->path);
        free(ns->buf);
        free(ns);
    }
}

const char *
netlink_ns_name(const struct netlink_ns *ns)
{
    return ns->path ? ns->path : "the current netns";
}

int
netlink_ns_socket(const struct netlink_ns *ns, int domain, int type,
                  int protocol, int *fd, struct kovn_error *err)
{
    return socket_in_ns(ns->ns_fd, netlink_ns_name(ns), domain, type, protocol,
                        fd, err);
}

/* One request, its replies and its ACK. */

/* Called for each reply message other than the ACK or NLMSG_DONE. */
typedef void netlink_reply_cb(const struct nlmsghdr *, void *aux);

static int
ext_ack_attr_cb(const struct nlattr *attr, void *kmsg)
{
    if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
        !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING)) {
        snprintf(kmsg, NETLINK_KMSG_SIZE, "%s", mnl_attr_get_str(attr));
        return MNL_CB_STOP;
    }
    return MNL_CB_OK;
}

/* Returns the errno carried by NLMSG_ERROR 'msg' (0 for an ACK) and copies
 * the kernel's extended-ACK message, if any, into 'kmsg'. */
static int
parse_error_msg(const struct nlmsghdr *msg, char *kmsg)
{
    const struct nlmsgerr *e = mnl_nlmsg_get_payload(msg);
    size_t offset;

    if (mnl_nlmsg_get_payload_len(msg) < sizeof *e) {
        return -EBADMSG;
    }
    if (e->error && (msg->nlmsg_flags & NLM_F_ACK_TLVS)) {
        /* The TLVs follow the echoed request, which is only its header
         * when capped. */
        offset = sizeof *e;
        if (!(msg->nlmsg_flags & NLM_F_CAPPED)) {
            offset += e->msg.nlmsg_len - sizeof e->msg;
        }
        if (offset <= mnl_nlmsg_get_payload_len(msg)) {
            mnl_attr_parse(msg, offset, ext_ack_attr_cb, kmsg);
        }
    }
    return e->error > 0 ? -EPROTO : e->error;
}

/* Sends 'req' (whose type and flags the caller set; this adds NLM_F_REQUEST,
 * NLM_F_ACK unless it is a dump, and the sequence number), passes each reply
 * to 'cb' and returns the kernel's verdict: 0 or a negative errno, with its
 * explanation, if any, in ns->kmsg. */
static int
transact(struct netlink_ns *ns, struct nlmsghdr *req, netlink_reply_cb *cb,
         void *aux)
{
    bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    unsigned int seq = ++ns->seq;

    ns->kmsg[0] = '\0';
    /* The kernel sends no ACK after a dump: NLMSG_DONE ends it. */
    req->nlmsg_flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
    req->nlmsg_seq = seq;
    if (mnl_socket_sendto(ns->nl, req, req->nlmsg_len) < 0) {
        return -errno;
    }

    for (;;) {
        ssize_t n = mnl_socket_recvfrom(ns->nl, ns->buf, NETLINK_RECV_SIZE);
        const struct nlmsghdr *msg = (const struct nlmsghdr *)ns->buf;
        int len;

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        for (len = n; mnl_nlmsg_ok(msg, len);
             msg = mnl_nlmsg_next(msg, &len)) {
            /* Skip anything but replies to this request: a reply to an
             * earlier one that an error cut short can still be queued. */
            if (msg->nlmsg_seq != seq || msg->nlmsg_pid != ns->portid) {
                continue;
            }
            if (msg->nlmsg_type == NLMSG_ERROR) {
                return parse_error_msg(msg, ns->kmsg);
            } else if (msg->nlmsg_type == NLMSG_DONE) {
                int error = 0;

                if (mnl_nlmsg_get_payload_len(msg) >= sizeof error) {
                    memcpy(&error, mnl_nlmsg_get_payload(msg), sizeof error);
                }
                return error > 0 ? -EPROTO : error;
            } else if (msg->nlmsg_type >= NLMSG_MIN_TYPE && cb) {
                cb(msg, aux);
            }
        }
    }
}

/* Starts a request of 'type' with 'flags' in 'buf' (NETLINK_REQ_SIZE
 * bytes), zeroed first so that attribute padding, which libmnl skips, does
 * not carry stack garbage to the kernel. */
static struct nlmsghdr *
put_request(char *buf, int type, int flags)
{
    struct nlmsghdr *req;

    memset(buf, 0, NETLINK_REQ_SIZE);
    req = mnl_nlmsg_put_header(buf);
    req->nlmsg_type = type;
    req->nlmsg_flags = flags;
    return req;
}

/* Starts a request of 'type' with 'flags' and an ifinfomsg for link
 * 'ifindex' (0: the kernel looks it up by the IFLA_IFNAME attribute). */
static struct nlmsghdr *
put_link_request(char *buf, int type, int flags, int ifindex)
{
    struct nlmsghdr *req = put_request(buf, type, flags);
    struct ifinfomsg *ifm;

    ifm = mnl_nlmsg_put_extra_header(req, sizeof *ifm);
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = ifindex;
    return req;
}

static void
link_reply_cb(const struct nlmsghdr *msg, void *link_)
{
    const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(msg);
    struct netlink_link *link = link_;
    const struct nlattr *attr;

    if (msg->nlmsg_type != RTM_NEWLINK ||
        mnl_nlmsg_get_payload_len(msg) < sizeof *ifm) {
        return;
    }
    link->ifindex = ifm->ifi_index;
    link->up = (ifm->ifi_flags & IFF_UP) != 0;
    mnl_attr_for_each(attr, msg, sizeof *ifm)
    {
        switch (mnl_attr_get_type(attr)) {
        case IFLA_IFNAME:
            if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING)) {
                snprintf(link->name, sizeof link->name, "%s",
                         mnl_attr_get_str(attr));
            }
            break;
        case IFLA_MTU:
            if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
                link->mtu = mnl_attr_get_u32(attr);
            }
            break;
        case IFLA_ADDRESS:
            if (mnl_attr_get_payload_len(attr) == sizeof link->mac.bytes) {
                memcpy(link->mac.bytes, mnl_attr_get_payload(attr),
                       sizeof link->mac.bytes);
            }
            break;
        }
    }
}

/* Fills the link fields of 'link' (not its addresses) for 'ifname'. */
static int
link_get(struct netlink_ns *ns, const char *ifname, struct netlink_link *link)
{
    char buf[NETLINK_REQ_SIZE];
    struct nlmsghdr *req = put_link_request(buf, RTM_GETLINK, 0, 0);
    int error;

    mnl_attr_put_strz(req, IFLA_IFNAME, ifname);
    mnl_attr_put_u32(req, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    link->ifindex = 0;
    error = transact(ns, req, link_reply_cb, link);
    if (!error && link->ifindex <= 0) {
        error = -EBADMSG;
    }
    return error;
}

/* The index of 'ifname', for requests that cannot name the link. */
static int
link_index(struct netlink_ns *ns, const char *ifname, int *ifindex)
{
    struct netlink_link link = {.ifindex = 0};
    int error = link_get(ns, ifname, &link);

    *ifindex = link.ifindex;
    return error;
}

/* Starts an RTM_SETLINK that finds the link by its name 'ifname'; the
 * caller adds what to change.  The kernel treats a name equal to the
 * current one as no rename. */
static struct nlmsghdr *
set_link_start(char *buf, const char *ifname)
{
    struct nlmsghdr *req = put_link_request(buf, RTM_SETLINK, 0, 0);

    mnl_attr_put_strz(req, IFLA_IFNAME, ifname);
    return req;
}

/* Creates the pair 'host' (in 'ns') <-> 'peer', the peer in the namespace
 * 'peer_ns' (null: 'ns' too) with 'peer_mac' if non-null. */
static int
veth_create(struct netlink_ns *ns, const char *host,
            const struct netlink_ns *peer_ns, const char *peer,
            const struct net_mac *peer_mac, unsigned int mtu,
            struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    struct nlattr *info, *data, *peer_nest;
    struct ifinfomsg *peer_ifm;
    struct nlmsghdr *req;
    int error;

    error = check_ifname(ns, host, err);
    if (!error) {
        error = check_ifname(peer_ns ? peer_ns : ns, peer, err);
    }
    if (error) {
        return error;
    }

    req = put_link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    mnl_attr_put_strz(req, IFLA_IFNAME, host);
    if (mtu) {
        mnl_attr_put_u32(req, IFLA_MTU, mtu);
    }
    info = mnl_attr_nest_start(req, IFLA_LINKINFO);
    mnl_attr_put_strz(req, IFLA_INFO_KIND, "veth");
    data = mnl_attr_nest_start(req, IFLA_INFO_DATA);
    /* The peer is described like a link of its own: an ifinfomsg, then
     * its attributes. */
    peer_nest = mnl_attr_nest_start(req, VETH_INFO_PEER);
    peer_ifm = mnl_nlmsg_get_payload_tail(req);
    memset(peer_ifm, 0, sizeof *peer_ifm);
    peer_ifm->ifi_family = AF_UNSPEC;
    req->nlmsg_len += MNL_ALIGN(sizeof *peer_ifm);
    mnl_attr_put_strz(req, IFLA_IFNAME, peer);
    if (mtu) {
        mnl_attr_put_u32(req, IFLA_MTU, mtu);
    }
    if (peer_mac) {
        mnl_attr_put(req, IFLA_ADDRESS, sizeof peer_mac->bytes,
                     peer_mac->bytes);
    }
    if (peer_ns && peer_ns->ns_fd >= 0) {
        mnl_attr_put_u32(req, IFLA_NET_NS_FD, peer_ns->ns_fd);
    }
    mnl_attr_nest_end(req, peer_nest);
    mnl_attr_nest_end(req, data);
    mnl_attr_nest_end(req, info);

    error = transact(ns, req, NULL, NULL);
    return ns_result(ns, err, error,
                     "create veth pair \"%s\" <-> \"%s\"%s%s (MTU %u)", host,
                     peer, peer_ns ? " in netns " : "",
                     peer_ns ? netlink_ns_name(peer_ns) : "", mtu);
}

int
netlink_veth_create(struct netlink_ns *ns, const char *host, const char *peer,
                    unsigned int mtu, struct kovn_error *err)
{
    return veth_create(ns, host, NULL, peer, NULL, mtu, err);
}

int
netlink_veth_create_across(struct netlink_ns *ns, const char *host,
                           const struct netlink_ns *peer_ns, const char *peer,
                           const struct net_mac *peer_mac, unsigned int mtu,
                           struct kovn_error *err)
{
    return veth_create(ns, host, peer_ns, peer, peer_mac, mtu, err);
}

int
netlink_link_move(struct netlink_ns *ns, const char *ifname,
                  const char *target_path, struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    char what[64];
    struct nlmsghdr *req;
    int target_fd;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    snprintf(what, sizeof what, "move link \"%s\" to ", ifname);
    error = open_netns_path(target_path, &target_fd, what, err);
    if (error) {
        return error;
    }
    /* The kernel keeps the name when it is free in the target and refuses
     * (-EEXIST) otherwise, since this name has no "%d" to try others. */
    req = set_link_start(buf, ifname);
    mnl_attr_put_u32(req, IFLA_NET_NS_FD, target_fd);
    error = transact(ns, req, NULL, NULL);
    close(target_fd);
    return ns_result(ns, err, error, "move link \"%s\" to netns %s", ifname,
                     target_path);
}

int
netlink_link_rename(struct netlink_ns *ns, const char *ifname,
                    const char *new_name, struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    struct nlmsghdr *req;
    int ifindex;
    int error;

    error = check_ifname(ns, ifname, err);
    if (!error) {
        error = check_ifname(ns, new_name, err);
    }
    if (error) {
        return error;
    }
    /* IFLA_IFNAME now carries the new name, so the link goes by index. */
    error = link_index(ns, ifname, &ifindex);
    if (!error) {
        req = put_link_request(buf, RTM_SETLINK, 0, ifindex);
        mnl_attr_put_strz(req, IFLA_IFNAME, new_name);
        error = transact(ns, req, NULL, NULL);
    }
    return ns_result(ns, err, error, "rename link \"%s\" to \"%s\"", ifname,
                     new_name);
}

int
netlink_link_set_mac(struct netlink_ns *ns, const char *ifname,
                     const struct net_mac *mac, struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    char mac_s[NET_MAC_STRLEN];
    struct nlmsghdr *req;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    req = set_link_start(buf, ifname);
    mnl_attr_put(req, IFLA_ADDRESS, sizeof mac->bytes, mac->bytes);
    error = transact(ns, req, NULL, NULL);
    net_mac_format(mac, mac_s);
    return ns_result(ns, err, error, "set MAC %s on \"%s\"", mac_s, ifname);
}

int
netlink_link_set_mtu(struct netlink_ns *ns, const char *ifname,
                     unsigned int mtu, struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    struct nlmsghdr *req;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    req = set_link_start(buf, ifname);
    mnl_attr_put_u32(req, IFLA_MTU, mtu);
    error = transact(ns, req, NULL, NULL);
    return ns_result(ns, err, error, "set MTU %u on \"%s\"", mtu, ifname);
}

int
netlink_link_set_up(struct netlink_ns *ns, const char *ifname, bool up,
                    struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    struct ifinfomsg *ifm;
    struct nlmsghdr *req;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    req = set_link_start(buf, ifname);
    ifm = mnl_nlmsg_get_payload(req);
    ifm->ifi_change = IFF_UP;
    ifm->ifi_flags = up ? IFF_UP : 0;
    error = transact(ns, req, NULL, NULL);
    return ns_result(ns, err, error, "set link \"%s\" %s", ifname,
                     up ? "up" : "down");
}

int
netlink_link_delete(struct netlink_ns *ns, const char *ifname, bool missing_ok,
                    struct kovn_error *err)
{
    char buf[NETLINK_REQ_SIZE];
    struct nlmsghdr *req;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    req = put_link_request(buf, RTM_DELLINK, 0, 0);
    mnl_attr_put_strz(req, IFLA_IFNAME, ifname);
    error = transact(ns, req, NULL, NULL);
    if (error == -ENODEV && missing_ok) {
        return 0;
    }
    return ns_result(ns, err, error, "delete link \"%s\"", ifname);
}

static int
family_to_af(enum net_family family)
{
    return family == NET_V4 ? AF_INET : AF_INET6;
}

static size_t
family_len(enum net_family family)
{
    return family == NET_V4 ? 4 : 16;
}

int
netlink_addr_add(struct netlink_ns *ns, const char *ifname,
                 const struct net_cidr *addr, struct kovn_error *err)
{
    enum net_family family = addr->addr.family;
    char buf[NETLINK_REQ_SIZE];
    char cidr_s[NET_CIDR_STRLEN];
    struct ifaddrmsg *ifa;
    struct nlmsghdr *req;
    int ifindex;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    if ((family != NET_V4 && family != NET_V6) ||
        addr->prefix > net_family_bits(family)) {
        return ns_error(ns, err, -EINVAL,
                        "add address to \"%s\": not an IPv4 or IPv6 "
                        "address with a valid prefix length",
                        ifname);
    }
    net_cidr_format(addr, cidr_s);
    error = link_index(ns, ifname, &ifindex);
    if (!error) {
        uint32_t flags = family == NET_V6 ? IFA_F_NODAD : 0;

        req = put_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
        ifa = mnl_nlmsg_put_extra_header(req, sizeof *ifa);
        ifa->ifa_family = family_to_af(family);
        ifa->ifa_prefixlen = addr->prefix;
        ifa->ifa_flags = flags;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = ifindex;
        mnl_attr_put(req, IFA_LOCAL, family_len(family), addr->addr.bytes);
        mnl_attr_put(req, IFA_ADDRESS, family_len(family), addr->addr.bytes);
        mnl_attr_put_u32(req, IFA_FLAGS, flags);
        error = transact(ns, req, NULL, NULL);
    }
    return ns_result(ns, err, error, "add address %s to \"%s\"", cidr_s,
                     ifname);
}

int
netlink_route_add(struct netlink_ns *ns, const char *ifname,
                  const struct net_cidr *dst, const struct net_addr *gw,
                  struct kovn_error *err)
{
    enum net_family family = gw->family;
    char buf[NETLINK_REQ_SIZE];
    char dst_s[NET_CIDR_STRLEN];
    char gw_s[NET_ADDR_STRLEN];
    char dev_s[IF_NAMESIZE + 8];
    struct nlmsghdr *req;
    struct rtmsg *rtm;
    int ifindex = 0;
    int error = 0;

    if (ifname) {
        error = check_ifname(ns, ifname, err);
        if (error) {
            return error;
        }
        snprintf(dev_s, sizeof dev_s, " dev \"%s\"", ifname);
    } else {
        dev_s[0] = '\0';
    }
    if ((family != NET_V4 && family != NET_V6) ||
        (dst && (dst->addr.family != family ||
                 dst->prefix > net_family_bits(family)))) {
        return ns_error(ns, err, -EINVAL,
                        "add route%s: destination and gateway must be "
                        "IPv4 or IPv6 alike, with a valid prefix length",
                        dev_s);
    }
    if (dst) {
        net_cidr_format(dst, dst_s);
    } else {
        snprintf(dst_s, sizeof dst_s, "default");
    }
    net_addr_format(gw, gw_s);

    if (ifname) {
        error = link_index(ns, ifname, &ifindex);
    }
    if (!error) {
        req = put_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
        rtm = mnl_nlmsg_put_extra_header(req, sizeof *rtm);
        rtm->rtm_family = family_to_af(family);
        rtm->rtm_dst_len = dst ? dst->prefix : 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_BOOT;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        if (dst) {
            /* The kernel refuses a destination with host bits set. */
            struct net_addr network = net_cidr_first(dst);

            mnl_attr_put(req, RTA_DST, family_len(family), network.bytes);
        }
        mnl_attr_put(req, RTA_GATEWAY, family_len(family), gw->bytes);
        if (ifindex) {
            mnl_attr_put_u32(req, RTA_OIF, ifindex);
        }
        error = transact(ns, req, NULL, NULL);
    }
    return ns_result(ns, err, error, "add route %s via %s%s", dst_s, gw_s,
                     dev_s);
}

struct addr_dump {
    struct netlink_link *link;
    size_t allocated;
};

static void
addr_reply_cb(const struct nlmsghdr *msg, void *dump_)
{
    const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(msg);
    struct addr_dump *dump = dump_;
    struct netlink_link *link = dump->link;
    const struct nlattr *local = NULL, *address = NULL;
    const struct nlattr *attr;
    const struct nlattr *use;
    struct net_cidr cidr;

    /* A dump covers every link: the kernel filters by index only for
     * sockets in strict mode. */
    if (msg->nlmsg_type != RTM_NEWADDR ||
        mnl_nlmsg_get_payload_len(msg) < sizeof *ifa ||
        ifa->ifa_index != (unsigned int)link->ifindex ||
        (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)) {
        return;
    }
    mnl_attr_for_each(attr, msg, sizeof *ifa)
    {
        if (mnl_attr_get_type(attr) == IFA_LOCAL) {
            local = attr;
        } else if (mnl_attr_get_type(attr) == IFA_ADDRESS) {
            address = attr;
        }
    }
    /* IFA_LOCAL is the link's own address; IFA_ADDRESS is the peer's on a
     * point-to-point link and the only one IPv6 usually sends. */
    use = local ? local : address;
    memset(&cidr, 0, sizeof cidr);
    cidr.addr.family = ifa->ifa_family == AF_INET ? NET_V4 : NET_V6;
    cidr.prefix = ifa->ifa_prefixlen;
    if (!use ||
        mnl_attr_get_payload_len(use) != family_len(cidr.addr.family) ||
        cidr.prefix > net_family_bits(cidr.addr.family)) {
        return;
    }
    memcpy(cidr.addr.bytes, mnl_attr_get_payload(use),
           family_len(cidr.addr.family));
    if (link->n_addrs == dump->allocated) {
        link->addrs =
            x2nrealloc(link->addrs, &dump->allocated, sizeof *link->addrs);
    }
    link->addrs[link->n_addrs++] = cidr;
}

int
netlink_link_lookup(struct netlink_ns *ns, const char *ifname,
                    struct netlink_link *link, struct kovn_error *err)
{
    struct addr_dump dump = {.link = link};
    char buf[NETLINK_REQ_SIZE];
    struct ifaddrmsg *ifa;
    struct nlmsghdr *req;
    int error;

    memset(link, 0, sizeof *link);
    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    error = link_get(ns, ifname, link);
    if (!error) {
        req = put_request(buf, RTM_GETADDR, NLM_F_DUMP);
        ifa = mnl_nlmsg_put_extra_header(req, sizeof *ifa);
        ifa->ifa_family = AF_UNSPEC;
        ifa->ifa_index = link->ifindex;
        error = transact(ns, req, addr_reply_cb, &dump);
    }
    return ns_result(ns, err, error, "look up link \"%s\"", ifname);
}

void
netlink_link_destroy(struct netlink_link *link)
{
    if (link) {
        free(link->addrs);
        link->addrs = NULL;
        link->n_addrs = 0;
    }
}

/* Issues ethtool command 'cmd' for 'ifname' with 'value' in and out. */
static int
ethtool_value(struct netlink_ns *ns, const char *ifname, uint32_t cmd,
              uint32_t *value)
{
    struct ethtool_value ev = {.cmd = cmd, .data = *value};
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
    ifr.ifr_data = (void *)&ev;
    /* Any socket reaches the device ioctls of the namespace it lives in;
     * the netlink socket saves a second one (ethtool(8) falls back to a
     * netlink socket the same way). */
    if (ioctl(mnl_socket_get_fd(ns->nl), SIOCETHTOOL, &ifr) < 0) {
        return -errno;
    }
    *value = ev.data;
    return 0;
}

int
netlink_set_tx_checksum(struct netlink_ns *ns, const char *ifname, bool on,
                        struct kovn_error *err)
{
    uint32_t value = on;
    int error;

    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    error = ethtool_value(ns, ifname, ETHTOOL_STXCSUM, &value);
    if (error) {
        return ns_error(ns, err, error,
                        "turn TX checksum offload %s on \"%s\"",
                        on ? "on" : "off", ifname);
    }
    return 0;
}

int
netlink_get_tx_checksum(struct netlink_ns *ns, const char *ifname, bool *on,
                        struct kovn_error *err)
{
    uint32_t value = 0;
    int error;

    *on = false;
    error = check_ifname(ns, ifname, err);
    if (error) {
        return error;
    }
    error = ethtool_value(ns, ifname, ETHTOOL_GTXCSUM, &value);
    if (error) {
        return ns_error(ns, err, error, "read TX checksum offload of \"%s\"",
                        ifname);
    }
    *on = value != 0;
    return 0;
}
