/* kovn-controller --adopt-kube-ovn: taking over a cluster Kube-OVN ran.
 *
 * Once, after the caches are synced and the address book is restored from
 * Kube-OVN's IP objects and pod annotations (pod_restore(), which reads
 * them as they are), and before any reconciler writes NB, Kube-OVN's NB
 * rows are re-tagged as kovn's in one transaction (ovn/adopt.h says which).
 * Reconcilers then update them in place.  Kube-OVN's finalizers on Vpcs and
 * Subnets are replaced by kovn's as each is reconciled
 * (ctrl_finalizer_adopt()).
 *
 * It is a flag, not automatic: adopting rows another controller still
 * writes would make two controllers fight over them, so it is asked for
 * only once Kube-OVN's controller is stopped. */
#ifndef KOVN_CONTROLLER_ADOPT_H
#define KOVN_CONTROLLER_ADOPT_H 1

#include <stdbool.h>

struct controller;

/* Sends the adoption transaction the first time it is called and returns
 * true once NB has it (every later call returns true at once).  Call from
 * the main loop while leading, once synced and restored; reconcilers must
 * not run before it returns true. */
bool adopt_kube_ovn_run(struct controller *ctl);

#endif /* KOVN_CONTROLLER_ADOPT_H */
