/* An IP object (kubeovn.io/v1 IP) in typed form: decoded once where the
 * informer hands it over, so nothing downstream walks its JSON.  Named
 * "<pod>.<namespace>" (crd_ip_port_name()), as Kube-OVN names them and
 * the pod's switch port. */
#ifndef KOVN_CRD_IP_H
#define KOVN_CRD_IP_H 1

struct json;

struct crd_ip {
    char *name;
    /* spec fields, "" when absent. */
    char *pod;       /* spec.podName */
    char *namespace; /* spec.namespace */
    char *subnet;    /* spec.subnet */
    char *v4;        /* spec.v4IpAddress */
    char *v6;        /* spec.v6IpAddress */
    char *mac;       /* spec.macAddress */
    char *addresses; /* spec.ipAddress: "a" or "a,b", older objects' only */
    char *node;      /* spec.nodeName */
};

/* Decodes 'obj'; fields of the wrong type read as absent (an IP object is
 * never refused here: who holds an address is decided by its fields). */
void crd_ip_from_json(const struct json *obj, struct crd_ip *ip);
void crd_ip_destroy(struct crd_ip *ip);

/* spec.subnet of IP object 'obj' without a copy (for an informer index),
 * or NULL when absent or empty. */
const char *crd_ip_subnet_of(const struct json *obj);

/* "namespace/pod" of the pod it belongs to, or NULL when it names none;
 * the caller frees it. */
char *crd_ip_pod_key(const struct crd_ip *ip);

/* "<pod>.<namespace>": the name of a pod's IP object and switch port. */
char *crd_ip_port_name(const char *pod, const char *ns);
/* "node-<name>": a node's switch port on the join subnet. */
char *crd_node_port_name(const char *node);

#endif /* KOVN_CRD_IP_H */
