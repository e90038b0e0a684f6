/* Garbage collection on a timer (--gc-interval): OVN rows tagged
 * vendor=kovn whose owner object is gone, and, only with
 * --gc-orphaned-subnets, orphaned subnets no IP uses that have been
 * orphans for longer than --orphan-grace. */
#ifndef KOVN_CONTROLLER_GC_H
#define KOVN_CONTROLLER_GC_H 1

#include <stdbool.h>

struct controller;
struct ovn_owner;

/* Whether the owner of a row exists in the controller's caches (an
 * ovn_owner_exists_fn with the controller as 'ctl'); a kind it does not
 * know counts as existing, so a row is only ever deleted when its owner
 * is known to be gone. */
bool gc_owner_exists(const struct ovn_owner *owner, void *ctl);

/* Runs a sweep when one is due.  Call while leading. */
void gc_run(struct controller *ctl);
void gc_wait(const struct controller *ctl);

#endif /* KOVN_CONTROLLER_GC_H */
