/* Fuzz target for the Subnet, Vpc, IPPool, IP and Pod decoders: any JSON
 * gives a clean result or a clear error, never a crash or a leak, a subnet
 * that parses as valid has self-consistent addressing, and an IP or a Pod
 * decodes with every string present (never NULL), and a Node has at most
 * one InternalIP per family. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crd/ip.h"
#include "crd/ippool.h"
#include "crd/node.h"
#include "crd/pod.h"
#include "crd/service.h"
#include "crd/subnet.h"
#include "crd/vpc.h"
#include "openvswitch/json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_subnet(const struct json *obj)
{
    struct subnet subnet;
    int rc = subnet_from_json(obj, "ovn-cluster", &subnet, NULL);

    if (rc == 0) {
        if (subnet.error || !subnet.n_cidrs || subnet.n_cidrs > 2 ||
            !subnet.exclude_ips_text) {
            abort();
        }
        for (size_t i = 0; i < subnet.n_cidrs; i++) {
            if (!net_cidr_contains(&subnet.cidrs[i], &subnet.gateways[i])) {
                abort();
            }
        }
    } else if (rc == -EDOM && (!subnet.error || !subnet.vpc)) {
        abort();
    }
    subnet_destroy(&subnet);
}

static void
check_ip_and_pod(const struct json *obj)
{
    struct crd_ip ip;
    struct crd_pod pod;

    crd_ip_from_json(obj, &ip);
    if (!ip.name || !ip.pod || !ip.namespace || !ip.subnet || !ip.v4 ||
        !ip.v6 || !ip.mac || !ip.addresses || !ip.node) {
        abort();
    }
    free(crd_ip_pod_key(&ip));
    crd_ip_destroy(&ip);

    crd_pod_from_json(obj, &pod);
    if (!pod.key || !pod.namespace || !pod.name || !pod.uid || !pod.node) {
        abort();
    }
    free(crd_pod_port_name(pod.key));
    crd_pod_destroy(&pod);

    /* The same object as Service and as Endpoints: every field either
     * reads. */
    struct crd_service_vips vips;
    crd_service_vips(obj, obj, &vips);
    for (size_t i = 0; i < vips.n; i++) {
        if (!vips.vips[i].vip || !vips.vips[i].backends ||
            !*vips.vips[i].backends) {
            abort();
        }
    }
    crd_service_vips_destroy(&vips);

    struct crd_node node;
    crd_node_from_json(obj, &node);
    if (node.n_internal_ips > 2 ||
        (node.n_internal_ips == 2 &&
         node.internal_ips[0].family == node.internal_ips[1].family)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *obj = json_from_string(text);
    struct vpc vpc;
    struct ippool pool;

    check_subnet(obj);
    if (vpc_from_json(obj, &vpc, NULL) == -EDOM && !vpc.error) {
        abort();
    }
    vpc_destroy(&vpc);
    if (ippool_from_json(obj, &pool, NULL) == -EDOM && !pool.error) {
        abort();
    }
    ippool_destroy(&pool);
    check_ip_and_pod(obj);
    json_destroy(obj);
    free(text);
    return 0;
}
