/* Removal of kovn's pod ports and veth host ends by name, shared by the
 * start-up sweep and CNI GC (each decides which names are stale). */
#ifndef KOVN_DAEMON_REAP_H
#define KOVN_DAEMON_REAP_H 1

struct daemon;
struct sset;

/* Deletes the OVS ports in 'ports' and then, on a worker thread, the veth
 * host ends in 'links'; calls 'done' on the poll-loop thread with 0 or an
 * error.  Takes over nothing: copies the sets. */
typedef void reap_done_fn(int error, const char *msg, void *aux);
void reap_delete(struct daemon *, const struct sset *ports,
                 const struct sset *links, reap_done_fn *done, void *aux);

/* Kovn's pod ports on the bridge (not the node port) and pod veth host
 * ends, each into its set. */
void reap_list(const struct daemon *, struct sset *ports, struct sset *links);

#endif /* KOVN_DAEMON_REAP_H */
