/* A Pod's protobuf encoding (k8s.io/api/core/v1 Pod, as the API server
 * sends it) turned into the JSON object the same pod's JSON encoding would
 * have been, cut down to the fields kovn reads of pods:
 *
 *   metadata: name, generateName, namespace, uid, resourceVersion, labels,
 *             annotations, deletionTimestamp
 *   spec:     nodeName, hostNetwork, restartPolicy, containers[].ports[]
 *             (name, containerPort, protocol: for named ports)
 *   status:   phase
 *
 * Fields the JSON encoding omits when empty (all of these) are omitted
 * alike; "metadata", "spec" and "status" are always there, as in JSON.  So
 * a pod decoded here and the JSON pod pruned to these paths
 * (kube_object_prune()) are equal: a reader cannot tell which it got.
 * For informers whose transform keeps no more than this (see
 * kube_informer_options.list_protobuf): for 10,000 pods the API server
 * encodes protobuf in half the time of JSON, and no byte of a pod's
 * volumes or conditions, nor of its containers beyond their ports, is
 * parsed here. */
#ifndef KOVN_KUBE_PODPROTO_H
#define KOVN_KUBE_PODPROTO_H 1

#include <stddef.h>

struct json;
struct kovn_error;

/* The paths above, for kube_object_prune(). */
extern const char *const kube_pod_protobuf_fields[];

/* Decodes the Pod message in 'data'.  Returns the object, or NULL with
 * 'err' set when the bytes are not a well-formed Pod or hold a string that
 * is not UTF-8 text. */
struct json *kube_pod_from_protobuf(const void *data, size_t len,
                                    struct kovn_error *err);

#endif /* KOVN_KUBE_PODPROTO_H */
