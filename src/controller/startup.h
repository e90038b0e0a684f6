/* What kovn-controller puts in place before it reconciles: its CRDs
 * (embedded in the binary, created only when absent) and the default VPC
 * and subnets (created only when absent, never overwritten, so a user's
 * edits survive restarts). */
#ifndef KOVN_CONTROLLER_STARTUP_H
#define KOVN_CONTROLLER_STARTUP_H 1

#include <stdbool.h>

struct controller;
struct kovn_error;
struct kube_client;

/* Creates each embedded CRD that the API server lacks (blocking).  Returns
 * 0 or the first error. */
int startup_apply_crds(struct kube_client *client, struct kovn_error *err);

/* Starts creating whichever defaults are missing from the synced caches;
 * call from the main loop while leading.  Returns true once all exist.
 * Requests go out asynchronously so that the controller's own admission
 * webhook can answer the API server meanwhile. */
bool startup_ensure_defaults(struct controller *ctl);

#endif /* KOVN_CONTROLLER_STARTUP_H */
