/* CNI requests in kovn-daemon: ADD, DEL, CHECK, STATUS and GC as small
 * state machines on the poll loop, the blocking parts on worker threads.
 *
 * ADD: wait (bounded) for the pod's address annotations in the informer,
 * remove a port an interrupted ADD left, (re)create the veth pair with the
 * pod end already in the pod (worker), then side by side: add the host end
 * to br-int with iface-id <pod>.<namespace> (sent without blocking the
 * loop, done once ovs-vswitchd applied it) and give the pod end its
 * addresses and routes (worker); once both are done, wait (bounded) for
 * ovn-installed, set the pod annotation routed=true, answer with the CNI
 * result.  DEL removes port and veth, and succeeds when they are already
 * gone.  CHECK verifies, against the prevResult, the OVS port (present,
 * with an OpenFlow port, iface-id <pod>.<namespace>, ovn-installed) and
 * the pod end (in the netns, up, with the result's MAC and addresses) and
 * the host end (up).  Requests about one attachment (container ID + interface)
 * run one after the other, in arrival order; different attachments run side by
 * side. */
#ifndef KOVN_DAEMON_OPS_H
#define KOVN_DAEMON_OPS_H 1

#include <stdbool.h>

struct cni_conn;
struct cni_request;
struct daemon;

/* The cni_server_request_fn of kovn-daemon; 'aux' is the daemon. */
void ops_request(struct cni_conn *, struct cni_request *, void *aux);

void ops_run(struct daemon *);
void ops_wait(struct daemon *);
/* Drops requests in progress without answering (the daemon is exiting;
 * workers are stopped). */
void ops_destroy(struct daemon *);

/* Whether an operation on the veth host end 'host' is in progress, so that
 * a sweep leaves it alone. */
bool ops_host_busy(const struct daemon *, const char *host);

#endif /* KOVN_DAEMON_OPS_H */
