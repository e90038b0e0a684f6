/* Service VIPs; see service.h. */
#include <config.h>

#include "crd/service.h"

#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "sset.h"
#include "util.h"
#include "json/access.h"

/* Ports and addresses kovn reads per Service; a peer's bigger lists are
 * cut, not trusted to be bounded. */
#define SERVICE_PORTS_MAX  256
#define ENDPOINT_ADDRS_MAX 10000

static const char *
string_member(const struct json *obj, const char *key)
{
    const char *s = NULL;

    json_member_string(obj, key, key, &s, NULL);
    return s;
}

static bool
int_member(const struct json *obj, const char *key, int *out)
{
    const struct json *v = json_member(obj, key);

    if (!v || v->type != JSON_INTEGER || json_integer(v) < 1 ||
        json_integer(v) > 65535) {
        return false;
    }
    *out = json_integer(v);
    return true;
}

static size_t
array_size(const struct json *a)
{
    return a && a->type == JSON_ARRAY ? json_array(a)->n : 0;
}

static const struct json *
array_at(const struct json *a, size_t i)
{
    return json_array(a)->elems[i];
}

static const char *
protocol_name(const char *protocol)
{
    return !protocol || !strcmp(protocol, "TCP") ? "tcp"
           : !strcmp(protocol, "UDP")            ? "udp"
           : !strcmp(protocol, "SCTP")           ? "sctp"
                                                 : NULL;
}

const char *
crd_service_cluster_ip(const struct json *svc)
{
    const char *ip = string_member(json_member(svc, "spec"), "clusterIP");

    return ip && *ip && strcmp(ip, "None") ? ip : NULL;
}

/* "ip:port", bracketed for IPv6, or NULL if 'ip' is not an address. */
static char *
host_port(const char *ip, int port)
{
    struct net_addr addr;
    char text[NET_ADDR_STRLEN];

    if (!ip || net_addr_parse(ip, &addr, NULL)) {
        return NULL;
    }
    net_addr_format(&addr, text);
    return addr.family == NET_V6 ? xasprintf("[%s]:%d", text, port)
                                 : xasprintf("%s:%d", text, port);
}

/* The ready backends of service port 'name'/'protocol', sorted. */
static char *
backends_of(const struct json *endpoints, const char *name,
            const char *protocol)
{
    const struct json *subsets = json_member(endpoints, "subsets");
    struct sset backends = SSET_INITIALIZER(&backends);
    size_t n_addrs = 0;

    for (size_t i = 0; i < array_size(subsets); i++) {
        const struct json *subset = array_at(subsets, i);
        const struct json *ports = json_member(subset, "ports");
        const struct json *addrs = json_member(subset, "addresses");
        int port = 0;

        for (size_t j = 0; j < array_size(ports) && !port; j++) {
            const struct json *p = array_at(ports, j);
            const char *pname = string_member(p, "name");
            const char *proto = protocol_name(string_member(p, "protocol"));

            if (!strcmp(pname ? pname : "", name) && proto &&
                !strcmp(proto, protocol) && !int_member(p, "port", &port)) {
                port = 0;
            }
        }
        for (size_t j = 0; port && j < array_size(addrs); j++) {
            char *backend =
                host_port(string_member(array_at(addrs, j), "ip"), port);
            if (backend && n_addrs++ < ENDPOINT_ADDRS_MAX) {
                sset_add(&backends, backend);
            }
            free(backend);
        }
    }
    if (sset_is_empty(&backends)) {
        sset_destroy(&backends);
        return NULL;
    }
    const char **sorted = sset_sort(&backends);
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; sorted[i]; i++) {
        ds_put_format(&s, "%s%s", i ? "," : "", sorted[i]);
    }
    free(sorted);
    sset_destroy(&backends);
    return ds_steal_cstr(&s);
}

void
crd_service_vips(const struct json *svc, const struct json *endpoints,
                 struct crd_service_vips *out)
{
    const struct json *spec = json_member(svc, "spec");
    const char *cluster_ip = crd_service_cluster_ip(svc);
    const char *affinity = string_member(spec, "sessionAffinity");
    const struct json *ports = json_member(spec, "ports");
    size_t n_ports = array_size(ports);

    out->vips = NULL;
    out->n = 0;
    if (!svc || !endpoints || !cluster_ip) {
        return;
    }
    n_ports = MIN(n_ports, SERVICE_PORTS_MAX);
    out->vips = xcalloc(n_ports ? n_ports : 1, sizeof *out->vips);
    for (size_t i = 0; i < n_ports; i++) {
        const struct json *p = array_at(ports, i);
        const char *name = string_member(p, "name");
        const char *protocol = protocol_name(string_member(p, "protocol"));
        int port;

        if (!protocol || !int_member(p, "port", &port)) {
            continue;
        }
        char *vip = host_port(cluster_ip, port);
        char *backends =
            vip ? backends_of(endpoints, name ? name : "", protocol) : NULL;
        if (!backends) {
            free(vip);
            continue;
        }
        struct crd_service_vip *v = &out->vips[out->n++];
        v->protocol = protocol;
        v->session_affinity = affinity && !strcmp(affinity, "ClientIP");
        v->vip = vip;
        v->backends = backends;
    }
}

void
crd_service_vips_destroy(struct crd_service_vips *vips)
{
    for (size_t i = 0; i < vips->n; i++) {
        free(vips->vips[i].vip);
        free(vips->vips[i].backends);
    }
    free(vips->vips);
    vips->vips = NULL;
    vips->n = 0;
}

bool
crd_service_vip_address(const char *vip, char *buf)
{
    const char *colon = strrchr(vip, ':');

    if (!colon) {
        return false;
    }
    if (vip[0] == '[' && colon > vip && colon[-1] == ']') {
        memcpy(buf, vip + 1, colon - vip - 2);
        buf[colon - vip - 2] = '\0';
    } else {
        memcpy(buf, vip, colon - vip);
        buf[colon - vip] = '\0';
    }
    return true;
}
