/* The informer transforms of kovn-controller: each kind is pruned to the
 * fields the reconcilers read, so that the stores of 10k pods and IP
 * objects stay small.  A library of its own, free of the reconcilers, so
 * that the informer benchmark measures exactly the controller's pruning. */
#ifndef KOVN_CONTROLLER_PRUNE_H
#define KOVN_CONTROLLER_PRUNE_H 1

struct json;

/* kube_informer_options.transform functions; 'aux' is unused. */
void ctrl_prune_pod(struct json *pod, void *aux);
void ctrl_prune_ip(struct json *ip, void *aux);
void ctrl_prune_node(struct json *node, void *aux);
void ctrl_prune_service(struct json *service, void *aux);
void ctrl_prune_endpoints(struct json *endpoints, void *aux);

/* The paths of a pod that ctrl_prune_pod() keeps (then only ANN_PREFIX
 * annotations): each must be one kube_pod_from_protobuf() decodes. */
extern const char *const ctrl_pod_fields[];

/* kube_informer_options.store_dictionary of the pod and IP informers. */
extern const char ctrl_pod_dictionary[];
extern const char ctrl_ip_dictionary[];

#endif /* KOVN_CONTROLLER_PRUNE_H */
