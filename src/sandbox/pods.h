/* The pod side of kubelet + containerd for kovn-sandboxd: for each pod
 * bound to this node (an informer with fieldSelector spec.nodeName), a
 * network namespace sandbox wired by the CNI plugins of the conflist,
 * then a Running and Ready status with the plugin's addresses; on graceful
 * delete, CNI DEL, the namespace removed and the pod finalized (delete
 * with grace 0 and a uid precondition).  Host-network pods get the node's
 * address and no sandbox.
 *
 * Each pod key is reconciled by a pass that compares the pod with the
 * sandbox records and does at most one asynchronous step (CNI ADD, CHECK
 * or DEL, a status write, the final delete), then requeues the key until
 * nothing is left to do; so failures back off per pod and never hold up
 * other pods.  Sandbox records persist in the state directory: after a
 * restart (even kill -9) sandboxes whose pod remains are CHECKed (and
 * rebuilt if CHECK fails), the others get DEL and are removed. */
#ifndef KOVN_SANDBOX_PODS_H
#define KOVN_SANDBOX_PODS_H 1

#include <stddef.h>

struct conflist;
struct kube_client;
struct kube_recorder;

struct pods_options {
    const char *node_name;
    const char *node_ip;
    const char *netns_dir;
    const char *netns_prefix; /* Namespace file name prefix ("kovn-"). */
    const char *state_dir;
    const char *cni_path; /* CNI_PATH. */
    const struct conflist *conflist;
    long long cni_timeout_ms;
    size_t max_parallel;     /* Pods worked on at once; 0: 16. */
    long long retry_base_ms; /* Backoff after a failure; 0: 1 s. */
    long long retry_max_ms;  /* Its cap; 0: 2 min. */
};

struct pods;

struct pods *pods_create(struct kube_client *, struct kube_recorder *,
                         const struct pods_options *);
void pods_destroy(struct pods *);
void pods_run(struct pods *);
void pods_wait(struct pods *);

#endif /* KOVN_SANDBOX_PODS_H */
