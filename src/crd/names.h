/* Names kovn shares with Kube-OVN and with users: finalizer, annotations
 * and defaults.  They are API: changing one breaks existing clusters. */
#ifndef KOVN_CRD_NAMES_H
#define KOVN_CRD_NAMES_H 1

/* The finalizer kovn-controller puts on Vpcs and Subnets. */
#define CRD_FINALIZER "kubeovn.io/kovn-controller"
/* Kube-OVN's finalizers on Vpcs and Subnets, current and before v1.13.
 * kovn-controller --adopt-kube-ovn replaces them with CRD_FINALIZER. */
#define CRD_KUBE_OVN_FINALIZER     "kubeovn.io/kube-ovn-controller"
#define CRD_KUBE_OVN_FINALIZER_OLD "kube-ovn-controller"
/* Lets a Subnet name a VPC that does not exist yet (migrations). */
#define CRD_ALLOW_MISSING_VPC "kovn.io/allow-missing-vpc"
/* Labels the throwaway IP object that makes the controller's first list of
 * IPs consistent yet served from the API server's watch cache (see
 * kube/informer.h, 'fence_object'); nothing else carries it. */
#define CRD_LIST_FENCE_LABEL "kovn.io/list-fence"

#define CRD_GROUP_VERSION "kubeovn.io/v1"
#define CRD_API_PATH      "/apis/kubeovn.io/v1"

/* The prefix of every annotation below. */
#define ANN_PREFIX "ovn.kubernetes.io/"

/* Namespace annotations written by the controller. */
#define ANN_LOGICAL_SWITCH "ovn.kubernetes.io/logical_switch"
#define ANN_CIDR           "ovn.kubernetes.io/cidr"
#define ANN_EXCLUDE_IPS    "ovn.kubernetes.io/exclude_ips"
#define ANN_IP_POOL        "ovn.kubernetes.io/ip_pool"

/* Pod annotations: the first three may be set by users (static
 * addresses); kovn-controller writes the rest when it allocates. */
#define ANN_IP_ADDRESS     "ovn.kubernetes.io/ip_address"
#define ANN_MAC_ADDRESS    "ovn.kubernetes.io/mac_address"
#define ANN_ALLOCATED      "ovn.kubernetes.io/allocated"
#define ANN_GATEWAY        "ovn.kubernetes.io/gateway"
#define ANN_LOGICAL_ROUTER "ovn.kubernetes.io/logical_router"
#define ANN_POD_NIC_TYPE   "ovn.kubernetes.io/pod_nic_type"
#define ANN_ROUTED         "ovn.kubernetes.io/routed"

/* Defaults at controller start, as Kube-OVN's. */
#define CRD_DEFAULT_VPC            "ovn-cluster"
#define CRD_DEFAULT_SUBNET         "ovn-default"
#define CRD_DEFAULT_SUBNET_CIDR    "10.16.0.0/16"
#define CRD_DEFAULT_SUBNET_GATEWAY "10.16.0.1"
#define CRD_JOIN_SUBNET            "join"
#define CRD_JOIN_SUBNET_CIDR       "100.64.0.0/16"

#endif /* KOVN_CRD_NAMES_H */
