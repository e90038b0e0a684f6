/* The decisions of kovn's validating admission webhook
 * (admission.k8s.io/v1 AdmissionReview), kept apart from the HTTPS server
 * so that they are pure functions of (request, cluster model) that tests
 * and fuzzers can drive directly.
 *
 * The webhook refuses what would break the cluster before it reaches the
 * controller: a Subnet that is invalid, names a missing or dying Vpc,
 * overlaps a subnet of its Vpc, or moves while pods use it; and deleting a
 * Vpc that still has subnets.  Everything else, notably metadata-only
 * updates of a Subnet (the controller removing its finalizer from a broken
 * subnet), is allowed, so that the webhook can never wedge cleanup. */
#ifndef KOVN_CONTROLLER_WEBHOOK_H
#define KOVN_CONTROLLER_WEBHOOK_H 1

#include <stddef.h>

struct crd_model;
struct json;
struct kovn_error;

/* Most subnet names a Vpc deletion denial lists. */
#define WEBHOOK_MAX_LISTED_SUBNETS 20
/* Longest denial message, in bytes: names in it come from the request. */
#define WEBHOOK_MAX_MESSAGE 4096

struct webhook_ctx {
    const struct crd_model *model; /* Current cluster state. */
    /* Number of IP objects (pods) using subnet 'subnet'.  May be NULL,
     * which counts none. */
    size_t (*ips_in_subnet)(const char *subnet, void *aux);
    void *aux;
    /* Ports one OVN switch holds (crd/subnet.h); 0 means
     * OVN_SWITCH_PORT_LIMIT. */
    size_t switch_port_limit;
};

/* Decides one AdmissionReview request 'review'.  Returns the
 * AdmissionReview response (the caller destroys it), or NULL with -EINVAL
 * and a message in 'err' for a body that is not an AdmissionReview v1
 * request (the server answers 400).  Never modifies 'review'. */
struct json *webhook_review(const struct webhook_ctx *ctx,
                            const struct json *review, struct kovn_error *err);

#endif /* KOVN_CONTROLLER_WEBHOOK_H */
