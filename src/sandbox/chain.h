/* The plugins of a network config list run one after another for one
 * sandbox, as libcni's AddNetworkList/CheckNetworkList/DelNetworkList do:
 * ADD in list order with each plugin's result as the next one's
 * prevResult (none for the first); CHECK in list order and DEL in reverse
 * order, each with the cached result of the ADD as prevResult.  The first
 * failure ends the chain, its message naming the plugin the way
 * containerd reports it.  Asynchronous on the poll loop like cniexec. */
#ifndef KOVN_SANDBOX_CHAIN_H
#define KOVN_SANDBOX_CHAIN_H 1

#include <stdbool.h>

#include "sandbox/cniexec.h"

struct conflist;
struct json;

struct chain_request {
    enum cni_command command; /* ADD, CHECK or DEL. */
    const struct conflist *list;
    const char *path; /* CNI_PATH. */
    const char *container_id;
    const char *netns;
    const char *ifname;
    const char *args;          /* CNI_ARGS. */
    const struct json *cached; /* CHECK/DEL: the ADD's result or NULL. */
    long long timeout_ms;      /* Per plugin. */
};

struct chain;

/* Copies what it needs of 'request' (but not 'list', which must outlive
 * the chain). */
struct chain *chain_start(const struct chain_request *request);
bool chain_run(struct chain *);
void chain_wait(struct chain *);
/* Once chain_run() returned true: error 0 with the last plugin's result
 * (ADD), or the first failure. */
const struct cniexec_outcome *chain_outcome(const struct chain *);
void chain_destroy(struct chain *);

#endif /* KOVN_SANDBOX_CHAIN_H */
