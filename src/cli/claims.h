/* Address claims a takeover restores, and where they cannot all hold.
 *
 * kovn-controller rebuilds its address book at start from IP objects
 * first, then from the annotations of pods that have none (pod_restore()).
 * Before a takeover, kubectl kovn check --kube-ovn asks of Kube-OVN's
 * claims what would stop a pod from keeping its address and MAC: a claim
 * outside its subnet (or of a subnet that does not exist or is invalid),
 * an address or MAC claimed for two pods, a pod whose annotations
 * disagree with its IP object (the IP object wins, so the pod's
 * annotations would change).  The verdicts are one pure function,
 * cli_claims_check(), tested on its own. */
#ifndef KOVN_CLI_CLAIMS_H
#define KOVN_CLI_CLAIMS_H 1

#include <stdbool.h>
#include <stddef.h>

struct crd_model;

struct cli_claim {
    bool from_ip; /* An IP object's (else a pod's annotations). */
    char *name;   /* The IP object's name, or the pod's "namespace/name". */
    char *pod;    /* "namespace/name" it is for; "" if it names none. */
    char *subnet;
    char *addresses; /* "a" or "a,b" */
    char *mac;       /* "" if none */
};

struct cli_claims {
    struct cli_claim *list;
    size_t n, allocated;
};

void cli_claims_init(struct cli_claims *);
void cli_claims_destroy(struct cli_claims *);
/* Copies the strings (NULL reads as ""). */
void cli_claims_add(struct cli_claims *, bool from_ip, const char *name,
                    const char *pod, const char *subnet, const char *addresses,
                    const char *mac);

/* Called once per problem: 'kind' is "IP" or "Pod", 'name' the claim's,
 * 'problem' a new string the callee owns. */
typedef void cli_claim_problem_fn(const char *kind, const char *name,
                                  char *problem, void *aux);

/* Judges 'claims' against the subnets of 'model' in restore order (IP
 * objects by name, then pods by key), as the controller would restore
 * them; reports each claim that would not hold. */
void cli_claims_check(const struct cli_claims *claims,
                      const struct crd_model *model,
                      cli_claim_problem_fn *report, void *aux);

#endif /* KOVN_CLI_CLAIMS_H */
