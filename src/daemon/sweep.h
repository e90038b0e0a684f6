/* Once at start, after the pod informer synced: removal of the ports of
 * pods deleted while the daemon was down, and of veths an interrupted ADD
 * left without a port.  Attachments an operation is working on are left
 * alone. */
#ifndef KOVN_DAEMON_SWEEP_H
#define KOVN_DAEMON_SWEEP_H 1

#include <stdbool.h>

struct daemon;

/* The start-up sweep, once the pod informer synced. */
void sweep_run(struct daemon *);

#endif /* KOVN_DAEMON_SWEEP_H */
