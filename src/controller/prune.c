/* kovn-controller's informer transforms; see prune.h.  Adding a field a
 * reconciler reads means adding it here, or the reconciler sees it absent. */
#include <config.h>

#include "controller/prune.h"

#include <string.h>

#include "crd/names.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"
#include "json/access.h"

/* Pods: names, addresses in annotations, where and whether they run; their
 * labels and named container ports, which NetworkPolicies select and
 * resolve.  Of their annotations only those under ANN_PREFIX.  The pod
 * informer lists in protobuf, whose decoder (kube/podproto.c) must yield
 * each of these. */
const char *const ctrl_pod_fields[] = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.labels",
    "metadata.annotations",
    "metadata.deletionTimestamp",
    "spec.containers.ports.name",
    "spec.containers.ports.containerPort",
    "spec.containers.ports.protocol",
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

/* Nodes: their join address lives in annotations; their own addresses,
 * which pods reach through ovn0, in status.addresses. */
static const char *const node_fields[] = {
    "metadata.name",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.annotations",
    "metadata.deletionTimestamp",
    "metadata.labels", /* spec.gatewayNodeSelectors */
    "status.addresses",
    "status.conditions", /* Ready: a gateway's fail-over */
    NULL,
};

/* Services and Endpoints: what their load-balancer VIPs are made of. */
static const char *const service_fields[] = {
    "metadata.name",        "metadata.namespace",
    "metadata.uid",         "metadata.resourceVersion",
    "spec.clusterIP",       "spec.ports",
    "spec.sessionAffinity", NULL,
};
static const char *const endpoints_fields[] = {
    "metadata.name", "metadata.namespace",
    "metadata.uid",  "metadata.resourceVersion",
    "subsets",       NULL,
};

/* Only Kube-OVN's own annotations are read; others (a Deployment's, or
 * kubectl's last-applied-configuration, a copy of the whole manifest)
 * would only take memory. */
static void
prune_annotations(struct json *object, const char *prefix)
{
    const struct json *metadata = json_member(object, "metadata");
    struct json *annotations =
        CONST_CAST(struct json *, json_member(metadata, "annotations"));
    struct shash_node *node;
    size_t len = strlen(prefix);

    if (!annotations || annotations->type != JSON_OBJECT) {
        return;
    }
    SHASH_FOR_EACH_SAFE(node, json_object(annotations))
    {
        if (strncmp(node->name, prefix, len)) {
            json_destroy(node->data);
            shash_delete(json_object(annotations), node);
        }
    }
}

void
ctrl_prune_pod(struct json *pod, void *aux)
{
    (void)aux;
    kube_object_prune(pod, ctrl_pod_fields);
    prune_annotations(pod, ANN_PREFIX);
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

void
ctrl_prune_service(struct json *service, void *aux)
{
    (void)aux;
    kube_object_prune(service, service_fields);
}

void
ctrl_prune_endpoints(struct json *endpoints, void *aux)
{
    (void)aux;
    kube_object_prune(endpoints, endpoints_fields);
}

/* Store dictionaries: a pruned pod and IP object as kovn writes them, with
 * the default subnet's values; the store adds the first real object. */
const char ctrl_pod_dictionary[] =
    "{\"metadata\":{\"name\":\"\",\"namespace\":\"default\",\"uid\":\"\","
    "\"resourceVersion\":\"\",\"annotations\":{"
    "\"" ANN_ALLOCATED "\":\"true\","
    "\"" ANN_CIDR "\":\"10.16.0.0/16\","
    "\"" ANN_GATEWAY "\":\"10.16.0.1\","
    "\"" ANN_IP_ADDRESS "\":\"10.16.0.\","
    "\"" ANN_LOGICAL_ROUTER "\":\"ovn-cluster\","
    "\"" ANN_LOGICAL_SWITCH "\":\"ovn-default\","
    "\"" ANN_MAC_ADDRESS "\":\"00:00:00:\","
    "\"" ANN_POD_NIC_TYPE "\":\"veth-pair\","
    "\"" ANN_ROUTED "\":\"true\"},"
    "\"deletionTimestamp\":\"\"},"
    "\"spec\":{\"nodeName\":\"\",\"hostNetwork\":false,"
    "\"restartPolicy\":\"Always\"},"
    "\"status\":{\"phase\":\"Running\"}}";

const char ctrl_ip_dictionary[] =
    "{\"metadata\":{\"name\":\"\",\"uid\":\"\",\"resourceVersion\":\"\"},"
    "\"spec\":{\"podName\":\"\",\"namespace\":\"default\","
    "\"subnet\":\"ovn-default\",\"nodeName\":\"\","
    "\"ipAddress\":\"10.16.0.\",\"v4IpAddress\":\"10.16.0.\","
    "\"v6IpAddress\":\"\",\"macAddress\":\"00:00:00:\"}}";
