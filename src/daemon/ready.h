/* kovn-daemon's readiness, answered to CNI STATUS: a query over the
 * daemon's state, kept apart from the loop that changes it so that the
 * request handlers can ask without calling back into daemon.c. */
#ifndef KOVN_DAEMON_READY_H
#define KOVN_DAEMON_READY_H 1

#include <stdbool.h>

struct daemon;
struct kovn_error;

/* Ready for pods: chassis configured, informers synced, node port up.
 * Otherwise false with the reason in 'why'. */
bool ready_check(const struct daemon *, struct kovn_error *why);

#endif /* KOVN_DAEMON_READY_H */
