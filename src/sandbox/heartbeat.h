/* The node side of kubelet for kovn-sandboxd: registers the Node if it is
 * absent (labels, capacity, addresses, nodeInfo, Ready conditions), clears
 * the not-ready/unreachable taints a previous outage left, renews the
 * node's Lease in kube-node-lease every 10 s (holder = the node, 40 s,
 * owned by the Node) and patches the conditions' lastHeartbeatTime through
 * the status subresource every status interval, so that the node lifecycle
 * controller keeps the node Ready and untainted.  A Node deleted under us
 * is registered again. */
#ifndef KOVN_SANDBOX_HEARTBEAT_H
#define KOVN_SANDBOX_HEARTBEAT_H 1

#include <stdbool.h>

struct kube_client;

struct heartbeat_options {
    const char *node_name;
    const char *node_ip;          /* InternalIP. */
    long long status_interval_ms; /* 0: 60 s. */
    long long lease_renew_ms;     /* 0: 10 s. */
    int lease_duration_s;         /* 0: 40. */
};

struct heartbeat;

struct heartbeat *heartbeat_create(struct kube_client *,
                                   const struct heartbeat_options *);
void heartbeat_destroy(struct heartbeat *);
void heartbeat_run(struct heartbeat *);
void heartbeat_wait(struct heartbeat *);
/* True once the Node exists and says Ready. */
bool heartbeat_registered(const struct heartbeat *);

#endif /* KOVN_SANDBOX_HEARTBEAT_H */
