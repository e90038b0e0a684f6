/* OVN load balancers for Kubernetes Services, as Kube-OVN lays them out:
 * one Load_Balancer per protocol and session affinity for a VPC, whose
 * vips map "VIP:port" to "backend:port,...", carried by every switch of
 * the VPC so that a pod's packet to a ClusterIP is translated on its own
 * switch. */
#ifndef KOVN_OVN_LB_H
#define KOVN_OVN_LB_H 1

#include <stdbool.h>

#include "ovn/nb.h"
#include "ovn/owner.h"

struct kovn_error;

const struct nbrec_load_balancer *ovn_lb_find(struct ovn_nb *nb,
                                              const char *name);

/* Load balancer 'name' for 'protocol' ("tcp", "udp" or "sctp"); with
 * 'session_affinity', a client keeps its backend for 'affinity_timeout_s'
 * seconds.  -EPERM (in 'err') if a row of that name is not kovn's. */
const struct nbrec_load_balancer *
ovn_lb_ensure(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, const char *name,
              const char *protocol, bool session_affinity,
              int affinity_timeout_s, const struct ovn_owner *owner,
              struct kovn_error *err);

/* Sets (or, with 'backends' NULL, removes) one VIP of 'lb', writing only
 * if it changes. */
void ovn_lb_set_vip(const struct nbrec_load_balancer *lb, const char *vip,
                    const char *backends);

/* Makes switch 'ls' carry 'lb'. */
void ovn_lb_attach(const struct nbrec_logical_switch *ls,
                   const struct nbrec_load_balancer *lb);
/* Makes switch 'ls' carry every kovn load balancer of 'owner' (a VPC's,
 * for a switch of that VPC). */
void ovn_lb_attach_owned(struct ovn_nb *nb,
                         const struct nbrec_logical_switch *ls,
                         const struct ovn_owner *owner);

#endif /* KOVN_OVN_LB_H */
