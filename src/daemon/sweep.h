/* Removal of kovn's ports and veths that no attachment needs any more:
 * once at start for pods deleted while the daemon was down (and veths an
 * interrupted ADD left without a port), and for CNI GC with the runtime's
 * list of valid attachments. */
#ifndef KOVN_DAEMON_SWEEP_H
#define KOVN_DAEMON_SWEEP_H 1

#include <stdbool.h>

struct daemon;
struct sset;

/* The start-up sweep, once the pod informer synced. */
void sweep_run(struct daemon *);

/* Deletes the OVS ports in 'ports' and then, on a worker thread, the veth
 * host ends in 'links'; calls 'done' on the poll-loop thread with 0 or an
 * error.  Takes over nothing: copies the sets. */
typedef void sweep_done_fn(int error, const char *msg, void *aux);
void sweep_delete(struct daemon *, const struct sset *ports,
                  const struct sset *links, sweep_done_fn *done, void *aux);

/* Kovn's pod ports on the bridge (not the node port) and pod veth host
 * ends, each into its set. */
void sweep_list(const struct daemon *, struct sset *ports, struct sset *links);

#endif /* KOVN_DAEMON_SWEEP_H */
