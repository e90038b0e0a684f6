/* A Service with its Endpoints (v1) as the VIPs an OVN load balancer
 * carries: for each ClusterIP and port, "VIP:port" -> the ready endpoint
 * addresses with the port of the same name.  Headless Services (clusterIP
 * None), ExternalName Services and ports without ready endpoints have no
 * VIP.  NodePort, externalIPs and externalTrafficPolicy are not looked at:
 * only cluster-internal traffic is balanced. */
#ifndef KOVN_CRD_SERVICE_H
#define KOVN_CRD_SERVICE_H 1

#include <stdbool.h>
#include <stddef.h>

struct json;

/* Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds. */
#define CRD_SERVICE_AFFINITY_TIMEOUT_S 10800

struct crd_service_vip {
    const char *protocol; /* "tcp", "udp" or "sctp" (static strings). */
    bool session_affinity;
    char *vip;      /* "10.96.0.10:53", "[fd00::a]:53" */
    char *backends; /* "10.16.0.5:53,10.16.0.6:53", sorted */
};

struct crd_service_vips {
    struct crd_service_vip *vips;
    size_t n;
};

/* The VIPs of Service 'svc' with the addresses in 'endpoints' (either may
 * be NULL, which gives none).  Malformed parts are skipped, never an
 * error: a Service kovn cannot read gets no VIP. */
void crd_service_vips(const struct json *svc, const struct json *endpoints,
                      struct crd_service_vips *out);
void crd_service_vips_destroy(struct crd_service_vips *vips);

/* spec.clusterIP without a copy (for an informer index), or NULL when
 * absent, empty or "None". */
const char *crd_service_cluster_ip(const struct json *svc);

/* The address of VIP "a.b.c.d:port" or "[v6]:port" into 'buf' (at least
 * as long as 'vip'); false if it has no port. */
bool crd_service_vip_address(const char *vip, char *buf);

#endif /* KOVN_CRD_SERVICE_H */
