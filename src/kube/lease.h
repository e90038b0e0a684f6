/* Leader election with a coordination.k8s.io/v1 Lease, as client-go does
 * it: try to acquire or renew every retry period; another holder's lease
 * counts as expired only after it has not changed for a lease duration by
 * *our* clock (no trust in clocks across machines); a leader that cannot
 * renew within the renew deadline steps down before anyone else may take
 * over.  Runs on the OVS poll loop with one request in flight at a time. */
#ifndef KOVN_KUBE_LEASE_H
#define KOVN_KUBE_LEASE_H 1

#include <stdbool.h>

struct json;
struct kube_client;

struct kube_lease_options {
    const char *namespace;       /* e.g. "kube-system". */
    const char *name;            /* e.g. "kovn-controller". */
    const char *identity;        /* NULL: "<hostname>_<pid>". */
    long long lease_duration_ms; /* 0: 15 s. */
    long long renew_deadline_ms; /* 0: 10 s. */
    long long retry_period_ms;   /* 0: 2 s. */
    /* metadata.ownerReferences written with every renew (copied), e.g. a
     * node's heartbeat Lease owned by its Node so that it goes with it;
     * NULL: none. */
    const struct json *owner_references;
    void (*started_leading)(void *aux);
    void (*stopped_leading)(void *aux);
    void *aux;
};

struct kube_lease;

struct kube_lease *kube_lease_create(struct kube_client *client,
                                     const struct kube_lease_options *);
/* Steps down (without releasing the Lease early) and frees. */
void kube_lease_destroy(struct kube_lease *lease);

/* Gives up leadership at once, for a clean shutdown (client-go's
 * ReleaseOnCancel): if we hold the Lease, blocks until it is rewritten
 * with no holder, so a standby takes over within one retry period instead
 * of a whole lease duration.  Returns 0 or the failed call's error. */
int kube_lease_release(struct kube_lease *lease);

void kube_lease_run(struct kube_lease *lease);
void kube_lease_wait(struct kube_lease *lease);

bool kube_lease_is_leader(const struct kube_lease *lease);
const char *kube_lease_identity(const struct kube_lease *lease);

#endif /* KOVN_KUBE_LEASE_H */
