/* Integration tests for src/daemon/netlink: real network namespaces (made
 * with `ip netns add`), a veth pair between two of them built and configured
 * only through the module, and TCP connections across it, opened with
 * sockets that the module creates inside each namespace (the machine has no
 * ping).  Covers addresses and routes of both families, MAC, MTU, lookup
 * for CNI CHECK, TX checksum offload, and the error paths a CNI server
 * reports.  Needs root.  The group teardown deletes the links, then the
 * namespaces, whatever the tests did. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "daemon/netlink.h"
#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"

/* Names carry the pid so that concurrent or leftover runs do not collide;
 * "knl" + up to 7 digits + 2 letters stays within 15 characters. */
static char ns_a_name[64], ns_b_name[64];
static char ns_a_path[128], ns_b_path[128];
static char veth_a[IF_NAMESIZE], veth_b[IF_NAMESIZE];
static char veth_x[IF_NAMESIZE], veth_y[IF_NAMESIZE];

static struct netlink_ns *root, *ns_a, *ns_b;

static const char mac_a_s[] = "0a:98:00:00:00:01";
static const char mac_b_s[] = "0a:98:00:00:00:02";

static int
run(const char *fmt, ...)
{
    char cmd[512];
    va_list args;

    va_start(args, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, args);
    va_end(args);
    return system(cmd);
}

static struct net_cidr
cidr(const char *s)
{
    struct net_cidr c;

    assert_int_equal(net_cidr_parse(s, NET_CIDR_INTERFACE, &c, NULL), 0);
    return c;
}

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    assert_int_equal(net_addr_parse(s, &a, NULL), 0);
    return a;
}

static struct net_mac
mac(const char *s)
{
    struct net_mac m;

    assert_int_equal(net_mac_parse(s, &m, NULL), 0);
    return m;
}

/* Asserts that 'call' returned 0, printing the module's message if not. */
#define CHECK_OK(CALL)                                \
    do {                                              \
        struct kovn_error err_ = {0};                 \
        int rc_ = (CALL);                             \
        if (rc_) {                                    \
            print_error("%s: %s\n", #CALL, err_.msg); \
        }                                             \
        assert_int_equal(rc_, 0);                     \
    } while (0)
#define OUT_ERR (&err_)

static void
delete_links(void)
{
    /* Deleting one end of a veth deletes both, wherever the other is. */
    if (ns_a) {
        netlink_link_delete(ns_a, "eth0", true, NULL);
        netlink_link_delete(ns_a, veth_a, true, NULL);
        netlink_link_delete(ns_a, "eth7", true, NULL);
    }
    if (ns_b) {
        netlink_link_delete(ns_b, "eth0", true, NULL);
        netlink_link_delete(ns_b, veth_b, true, NULL);
    }
    if (root) {
        netlink_link_delete(root, veth_a, true, NULL);
        netlink_link_delete(root, veth_b, true, NULL);
        netlink_link_delete(root, veth_x, true, NULL);
        netlink_link_delete(root, veth_y, true, NULL);
    }
}

static int
teardown(void **state)
{
    (void)state;
    delete_links();
    netlink_ns_close(ns_a);
    netlink_ns_close(ns_b);
    netlink_ns_close(root);
    ns_a = ns_b = root = NULL;
    run("ip netns del %s 2>/dev/null", ns_a_name);
    run("ip netns del %s 2>/dev/null", ns_b_name);
    return 0;
}

static int
setup(void **state)
{
    struct kovn_error err = {0};
    int pid = getpid();

    snprintf(ns_a_name, sizeof ns_a_name, "kovn-nl-a-%d", pid);
    snprintf(ns_b_name, sizeof ns_b_name, "kovn-nl-b-%d", pid);
    snprintf(ns_a_path, sizeof ns_a_path, "/var/run/netns/%s", ns_a_name);
    snprintf(ns_b_path, sizeof ns_b_path, "/var/run/netns/%s", ns_b_name);
    snprintf(veth_a, sizeof veth_a, "knl%da", pid);
    snprintf(veth_b, sizeof veth_b, "knl%db", pid);
    snprintf(veth_x, sizeof veth_x, "knl%dx", pid);
    snprintf(veth_y, sizeof veth_y, "knl%dy", pid);

    if (geteuid() != 0) {
        fprintf(stderr, "test_netlink needs root\n");
        return -1;
    }
    if (run("ip netns add %s", ns_a_name) ||
        run("ip netns add %s", ns_b_name) ||
        netlink_ns_open(NULL, &root, &err) ||
        netlink_ns_open(ns_a_path, &ns_a, &err) ||
        netlink_ns_open(ns_b_path, &ns_b, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        teardown(state);
        return -1;
    }
    return 0;
}

/* The identity of the calling thread's network namespace. */
static void
own_netns(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/thread-self/ns/net", buf, size - 1);

    assert_true(n > 0);
    buf[n] = '\0';
}

static void
set_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = 3};

    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv),
                     0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv),
                     0);
}

static void __attribute__((format(printf, 2, 3)))
report(bool expected_ok, const char *fmt, ...)
{
    va_list args;

    if (expected_ok) {
        va_start(args, fmt);
        vfprintf(stderr, fmt, args);
        va_end(args);
    }
}

static socklen_t
sockaddr_for(const char *ip, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
        return sizeof *sin6;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
        return sizeof *sin;
    }
}

/* Connects over TCP from a socket in 'from' to a listener on 'ip' in 'to'
 * and exchanges a message each way.  Returns whether that worked, and says
 * why on stderr when that is not what the caller 'expected'. */
static bool
tcp_talks(struct netlink_ns *from, struct netlink_ns *to, const char *ip,
          bool expected)
{
    struct sockaddr_storage ss;
    int listener = -1, client = -1, server = -1;
    char buf[16];
    socklen_t len;
    bool ok = false;
    int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
    int port;

    CHECK_OK(
        netlink_ns_socket(to, family, SOCK_STREAM, 0, &listener, OUT_ERR));
    CHECK_OK(
        netlink_ns_socket(from, family, SOCK_STREAM, 0, &client, OUT_ERR));
    set_timeouts(listener);
    set_timeouts(client);

    len = sockaddr_for(ip, 0, &ss);
    if (bind(listener, (struct sockaddr *)&ss, len) || listen(listener, 1)) {
        report(expected, "bind/listen %s: %s\n", ip, strerror(errno));
        goto out;
    }
    len = sizeof ss;
    assert_int_equal(getsockname(listener, (struct sockaddr *)&ss, &len), 0);
    port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                   : ((struct sockaddr_in6 *)&ss)->sin6_port);

    len = sockaddr_for(ip, port, &ss);
    if (connect(client, (struct sockaddr *)&ss, len)) {
        report(expected, "connect %s port %d: %s\n", ip, port,
               strerror(errno));
        goto out;
    }
    server = accept(listener, NULL, NULL);
    if (server < 0) {
        report(expected, "accept on %s: %s\n", ip, strerror(errno));
        goto out;
    }
    if (send(client, "ping", 4, 0) != 4 || recv(server, buf, 4, 0) != 4 ||
        memcmp(buf, "ping", 4) || send(server, "pong", 4, 0) != 4 ||
        recv(client, buf, 4, 0) != 4 || memcmp(buf, "pong", 4)) {
        report(expected, "exchange with %s: %s\n", ip, strerror(errno));
        goto out;
    }
    ok = true;

out:
    close(listener);
    close(client);
    if (server >= 0) {
        close(server);
    }
    return ok;
}

static bool
has_addr(const struct netlink_link *link, const char *s)
{
    struct net_cidr want = cidr(s);

    for (size_t i = 0; i < link->n_addrs; i++) {
        if (link->addrs[i].prefix == want.prefix &&
            net_addr_equals(&link->addrs[i].addr, &want.addr)) {
            return true;
        }
    }
    return false;
}

/* What kovn-daemon does for a pod, on each end: the peer arrives under its
 * temporary name, is renamed to eth0 and configured. */
static void
plumb(struct netlink_ns *ns, const char *tmp_name, const char *mac_s,
      const char *v4, const char *v6)
{
    struct net_mac m = mac(mac_s);
    struct net_cidr a4 = cidr(v4), a6 = cidr(v6);

    CHECK_OK(netlink_link_rename(ns, tmp_name, "eth0", OUT_ERR));
    CHECK_OK(netlink_link_set_mac(ns, "eth0", &m, OUT_ERR));
    CHECK_OK(netlink_link_set_mtu(ns, "eth0", 1400, OUT_ERR));
    CHECK_OK(netlink_link_set_up(ns, "eth0", true, OUT_ERR));
    CHECK_OK(netlink_link_set_up(ns, "lo", true, OUT_ERR));
    CHECK_OK(netlink_addr_add(ns, "eth0", &a4, OUT_ERR));
    CHECK_OK(netlink_addr_add(ns, "eth0", &a6, OUT_ERR));
    /* A retried CNI ADD adds the same address again. */
    CHECK_OK(netlink_addr_add(ns, "eth0", &a4, OUT_ERR));
}

static void
test_netlink_veth_between_namespaces_carries_tcp(void **state)
{
    char before[64], after[64];
    struct netlink_link link;
    struct net_mac want_mac;
    struct net_cidr dst;
    struct net_addr gw;
    bool on;

    (void)state;
    own_netns(before, sizeof before);

    CHECK_OK(netlink_veth_create(root, veth_a, veth_b, 1400, OUT_ERR));
    CHECK_OK(netlink_link_lookup(root, veth_a, &link, OUT_ERR));
    assert_int_equal(link.mtu, 1400);
    assert_false(link.up);
    assert_string_equal(link.name, veth_a);
    netlink_link_destroy(&link);

    CHECK_OK(netlink_link_move(root, veth_a, ns_a_path, OUT_ERR));
    CHECK_OK(netlink_link_move(root, veth_b, ns_b_path, OUT_ERR));
    plumb(ns_a, veth_a, mac_a_s, "10.98.0.1/24", "fd98::1/64");
    plumb(ns_b, veth_b, mac_b_s, "10.98.0.2/24", "fd98::2/64");

    /* What CNI CHECK sees. */
    CHECK_OK(netlink_link_lookup(ns_a, "eth0", &link, OUT_ERR));
    want_mac = mac(mac_a_s);
    assert_true(link.ifindex > 0);
    assert_string_equal(link.name, "eth0");
    assert_true(net_mac_equals(&link.mac, &want_mac));
    assert_int_equal(link.mtu, 1400);
    assert_true(link.up);
    assert_true(has_addr(&link, "10.98.0.1/24"));
    assert_true(has_addr(&link, "fd98::1/64"));
    assert_false(has_addr(&link, "10.98.0.2/24"));
    netlink_link_destroy(&link);

    /* The userspace datapath case: checksum offload off on the pod end. */
    CHECK_OK(netlink_get_tx_checksum(ns_a, "eth0", &on, OUT_ERR));
    assert_true(on);
    CHECK_OK(netlink_set_tx_checksum(ns_a, "eth0", false, OUT_ERR));
    CHECK_OK(netlink_get_tx_checksum(ns_a, "eth0", &on, OUT_ERR));
    assert_false(on);

    /* On-link, both families, both directions. */
    assert_true(tcp_talks(ns_a, ns_b, "10.98.0.2", true));
    assert_true(tcp_talks(ns_b, ns_a, "10.98.0.1", true));
    assert_true(tcp_talks(ns_a, ns_b, "fd98::2", true));
    assert_true(tcp_talks(ns_b, ns_a, "fd98::1", true));

    /* Addresses off the link, reachable only through the routes. */
    dst = cidr("10.99.0.1/32");
    CHECK_OK(netlink_addr_add(ns_b, "lo", &dst, OUT_ERR));
    dst = cidr("fd99::1/128");
    CHECK_OK(netlink_addr_add(ns_b, "lo", &dst, OUT_ERR));
    dst = cidr("10.97.0.1/32");
    CHECK_OK(netlink_addr_add(ns_a, "lo", &dst, OUT_ERR));
    dst = cidr("fd97::1/128");
    CHECK_OK(netlink_addr_add(ns_a, "lo", &dst, OUT_ERR));
    assert_false(tcp_talks(ns_a, ns_b, "10.99.0.1", false));

    /* A prefix route with host bits set and a device, then again (replace);
     * a default IPv6 route without a device. */
    dst = cidr("10.99.0.7/24");
    gw = addr("10.98.0.2");
    CHECK_OK(netlink_route_add(ns_a, "eth0", &dst, &gw, OUT_ERR));
    CHECK_OK(netlink_route_add(ns_a, "eth0", &dst, &gw, OUT_ERR));
    gw = addr("fd98::2");
    CHECK_OK(netlink_route_add(ns_a, NULL, NULL, &gw, OUT_ERR));
    /* A default IPv4 route without a device, a prefix IPv6 route with. */
    gw = addr("10.98.0.1");
    CHECK_OK(netlink_route_add(ns_b, NULL, NULL, &gw, OUT_ERR));
    dst = cidr("fd97::/64");
    gw = addr("fd98::1");
    CHECK_OK(netlink_route_add(ns_b, "eth0", &dst, &gw, OUT_ERR));

    assert_true(tcp_talks(ns_a, ns_b, "10.99.0.1", true));
    assert_true(tcp_talks(ns_a, ns_b, "fd99::1", true));
    assert_true(tcp_talks(ns_b, ns_a, "10.97.0.1", true));
    assert_true(tcp_talks(ns_b, ns_a, "fd97::1", true));
    assert_int_equal(run("ip netns exec %s ip -4 route show default "
                         "| grep -q 'via 10.98.0.1 dev eth0'",
                         ns_b_name),
                     0);

    /* None of this moved the test's own thread. */
    own_netns(after, sizeof after);
    assert_string_equal(before, after);

    /* Deleting the pod end removes the pair from both namespaces. */
    CHECK_OK(netlink_link_delete(ns_a, "eth0", false, OUT_ERR));
    assert_int_equal(netlink_link_lookup(ns_b, "eth0", &link, NULL), -ENODEV);
    netlink_link_destroy(&link);
}

/* The ADD path's pair: the pod end born in the pod, named and addressed. */
static void
test_netlink_veth_created_across_namespaces_has_name_mac_and_mtu(void **state)
{
    struct net_mac want = mac(mac_b_s);
    struct netlink_link link;
    struct kovn_error err = {0};

    (void)state;
    CHECK_OK(netlink_veth_create_across(root, veth_x, ns_a, "eth7", &want,
                                        1300, OUT_ERR));
    CHECK_OK(netlink_link_lookup(ns_a, "eth7", &link, OUT_ERR));
    assert_true(net_mac_equals(&link.mac, &want));
    assert_int_equal(link.mtu, 1300);
    assert_false(link.up);
    netlink_link_destroy(&link);
    CHECK_OK(netlink_link_lookup(root, veth_x, &link, OUT_ERR));
    assert_int_equal(link.mtu, 1300);
    netlink_link_destroy(&link);
    /* Never on the host, not even for a moment it could be seen later. */
    assert_int_equal(netlink_link_lookup(root, "eth7", &link, NULL), -ENODEV);
    netlink_link_destroy(&link);

    /* A retried ADD whose pair is still there hears so, by name. */
    assert_int_equal(
        netlink_veth_create_across(root, veth_y, ns_a, "eth7", NULL, 0, &err),
        -EEXIST);
    print_message("taken pod name reads: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "eth7"));
    assert_int_equal(netlink_link_lookup(root, veth_y, &link, NULL), -ENODEV);
    netlink_link_destroy(&link);

    /* Deleting the host end takes the pod end with it. */
    CHECK_OK(netlink_link_delete(root, veth_x, false, OUT_ERR));
    assert_int_equal(netlink_link_lookup(ns_a, "eth7", &link, NULL), -ENODEV);
    netlink_link_destroy(&link);
}

static void
test_netlink_errors_name_link_and_namespace(void **state)
{
    struct kovn_error err = {0};
    char missing[160];
    char tmpfile[] = "/tmp/kovn-nl-notns-XXXXXX";
    struct netlink_ns *ns = NULL;
    struct net_cidr a4 = cidr("10.98.0.9/24");
    struct net_cidr v6 = cidr("fd98::/64");
    struct net_addr gw4 = addr("10.98.0.1");
    struct netlink_link link;
    int fd;

    (void)state;
    snprintf(missing, sizeof missing, "/var/run/netns/kovn-nl-missing-%d",
             getpid());

    /* A pod whose namespace is gone. */
    assert_int_equal(netlink_ns_open(missing, &ns, &err), -ENOENT);
    assert_null(ns);
    assert_non_null(strstr(err.msg, missing));

    /* A file that is not a namespace (a stale /var/run/netns entry). */
    fd = mkstemp(tmpfile);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(netlink_ns_open(tmpfile, &ns, &err), -EINVAL);
    unlink(tmpfile);
    assert_non_null(strstr(err.msg, "not a network namespace"));

    CHECK_OK(netlink_veth_create(root, veth_x, veth_y, 0, OUT_ERR));
    assert_int_equal(netlink_link_move(root, veth_y, missing, &err), -ENOENT);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, veth_y));

    /* The pair exists already. */
    assert_int_equal(netlink_veth_create(root, veth_x, veth_y, 0, &err),
                     -EEXIST);
    assert_non_null(strstr(err.msg, veth_x));

    /* Names the kernel would refuse or truncate. */
    assert_int_equal(
        netlink_veth_create(root, "0123456789abcdef", veth_y, 0, &err),
        -EINVAL);
    assert_non_null(strstr(err.msg, "0123456789abcdef"));
    assert_int_equal(netlink_link_set_up(root, "", true, &err), -EINVAL);

    /* A missing link, in another namespace. */
    assert_int_equal(netlink_addr_add(ns_a, "nosuch0", &a4, &err), -ENODEV);
    assert_non_null(strstr(err.msg, "\"nosuch0\""));
    assert_non_null(strstr(err.msg, ns_a_path));
    assert_int_equal(netlink_link_set_mtu(ns_a, "nosuch0", 1400, &err),
                     -ENODEV);
    assert_non_null(strstr(err.msg, "\"nosuch0\""));
    assert_int_equal(netlink_link_lookup(ns_a, "nosuch0", &link, &err),
                     -ENODEV);
    netlink_link_destroy(&link);
    assert_int_equal(netlink_set_tx_checksum(ns_a, "nosuch0", false, &err),
                     -ENODEV);
    assert_non_null(strstr(err.msg, "\"nosuch0\""));

    /* What the kernel refuses, with its reason. */
    assert_int_equal(netlink_link_set_mtu(root, veth_x, 70000, &err), -EINVAL);
    assert_non_null(strstr(err.msg, veth_x));
    print_message("kernel refusal reads: %s\n", err.msg);
    assert_int_equal(netlink_route_add(root, veth_x, &v6, &gw4, &err),
                     -EINVAL);
    /* The name is taken. */
    assert_int_equal(netlink_link_rename(root, veth_x, "lo", &err), -EEXIST);
    assert_non_null(strstr(err.msg, veth_x));

    /* CNI DEL twice. */
    CHECK_OK(netlink_link_delete(root, veth_x, false, OUT_ERR));
    CHECK_OK(netlink_link_delete(root, veth_x, true, OUT_ERR));
    assert_int_equal(netlink_link_delete(root, veth_x, false, &err), -ENODEV);
    assert_non_null(strstr(err.msg, veth_x));
    /* The peer went with it. */
    CHECK_OK(netlink_link_delete(ns_a, veth_y, true, OUT_ERR));
    assert_int_equal(netlink_link_lookup(root, veth_y, &link, NULL), -ENODEV);
    netlink_link_destroy(&link);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netlink_veth_between_namespaces_carries_tcp),
        cmocka_unit_test(
            test_netlink_veth_created_across_namespaces_has_name_mac_and_mtu),
        cmocka_unit_test(test_netlink_errors_name_link_and_namespace),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
