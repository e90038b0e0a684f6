/* The pod status kubelet would report for a pod whose sandbox is up:
 * phase Running, hostIP, podIP(s), startTime, the PodScheduled,
 * Initialized, ContainersReady and Ready conditions and a running, ready
 * status for every container (there is no container runtime in local
 * mode: containers "run" as long as their sandbox does).  Pure functions,
 * so the status write is a diff of (desired, observed). */
#ifndef KOVN_SANDBOX_PODSTATUS_H
#define KOVN_SANDBOX_PODSTATUS_H 1

#include <stdbool.h>

struct json;
struct kovn_error;
struct svec;

/* The addresses of 'result' (a CNI result of any supported version) that
 * belong to interface 'ifname' inside the sandbox, or all of them when the
 * result does not say which interface an address is on; in result order,
 * as containerd picks them.  -EINVAL for a bad result or no address. */
int podstatus_ips_from_result(const struct json *result, const char *ifname,
                              struct svec *ips, struct kovn_error *);

/* True if 'pod' already reports Running and Ready with these addresses. */
bool podstatus_is_current(const struct json *pod, const char *host_ip,
                          const struct svec *pod_ips);

/* A merge patch for the status subresource making 'pod' Running and Ready
 * with 'pod_ips' (at least one); 'container_id' prefixes the containers'
 * IDs.  A startTime the pod already has is kept. */
struct json *podstatus_running_patch(const struct json *pod,
                                     const char *host_ip,
                                     const struct svec *pod_ips,
                                     const char *container_id);

#endif /* KOVN_SANDBOX_PODSTATUS_H */
