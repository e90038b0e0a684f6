/* kovn-controller's informer transforms; see prune.h.  Adding a field a
 * reconciler reads means adding it here, or the reconciler sees it absent. */
#include <config.h>

#include "controller/prune.h"

#include "kube/object.h"

/* Pods: names, addresses in annotations, where and whether they run.  Not
 * their labels: namespace binding matches the namespace's labels. */
static const char *const pod_fields[] = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.annotations",
    "metadata.deletionTimestamp",
    "spec.nodeName",
    "spec.hostNetwork",
    "spec.restartPolicy",
    "status.phase",
    NULL,
};

/* IP objects: what the restore, the nodeName check, the per-subnet index
 * and the counts read; managedFields above all go, which is most of an IP
 * object's size. */
static const char *const ip_fields[] = {
    "metadata.name",    "metadata.uid",    "metadata.resourceVersion",
    "spec.podName",     "spec.namespace",  "spec.subnet",
    "spec.nodeName",    "spec.ipAddress",  "spec.v4IpAddress",
    "spec.v6IpAddress", "spec.macAddress", NULL,
};

/* Nodes: their join address lives in annotations. */
static const char *const node_fields[] = {
    "metadata.name",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.annotations",
    "metadata.deletionTimestamp",
    NULL,
};

void
ctrl_prune_pod(struct json *pod, void *aux)
{
    (void)aux;
    kube_object_prune(pod, pod_fields);
}

void
ctrl_prune_ip(struct json *ip, void *aux)
{
    (void)aux;
    kube_object_prune(ip, ip_fields);
}

void
ctrl_prune_node(struct json *node, void *aux)
{
    (void)aux;
    kube_object_prune(node, node_fields);
}
