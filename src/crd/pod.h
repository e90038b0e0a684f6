/* A Pod in typed form, with the fields kovn-controller reads: decoded where
 * the pod leaves the informer's store, so the reconciler works on types and
 * never walks the pod's JSON.  The store keeps its compact form (10,000
 * pods are most of the controller's memory); the decode is a few small
 * copies per reconcile. */
#ifndef KOVN_CRD_POD_H
#define KOVN_CRD_POD_H 1

#include <stdbool.h>

#include "smap.h"

struct json;

struct crd_pod {
    char *key;       /* "namespace/name" */
    char *namespace; /* metadata.namespace, "" when absent */
    char *name;      /* metadata.name */
    char *uid;       /* metadata.uid */
    char *node;      /* spec.nodeName, "" until scheduled */
    bool host_network;
    /* Succeeded or Failed with a restartPolicy other than Always: its
     * address can go. */
    bool finished;
    /* The ovn.kubernetes.io/ annotations (string values), the only ones kovn
     * reads or writes. */
    struct smap annotations;
};

/* Decodes 'obj'; fields of the wrong type read as absent (a pod is never
 * refused: what it asks for is checked where it is used). */
void crd_pod_from_json(const struct json *obj, struct crd_pod *pod);
void crd_pod_destroy(struct crd_pod *pod);

/* spec.nodeName of a pod's JSON, NULL until scheduled: an informer index
 * (a node's egress address set lists its pods). */
const char *crd_pod_node_of(const struct json *obj);

/* The annotation 'key' when present and not empty, else NULL. */
const char *crd_pod_annotation(const struct crd_pod *pod, const char *key);

/* "<pod>.<namespace>" (crd_ip_port_name()) of the pod keyed
 * "namespace/name"; the caller frees it. */
char *crd_pod_port_name(const char *key);

#endif /* KOVN_CRD_POD_H */
