/* Garbage collection on a timer (--gc-interval): OVN rows tagged
 * vendor=kovn whose owner object is gone, and, only with
 * --gc-orphaned-subnets, orphaned subnets no IP uses that have been
 * orphans for longer than --orphan-grace. */
#ifndef KOVN_CONTROLLER_GC_H
#define KOVN_CONTROLLER_GC_H 1

struct controller;

/* Runs a sweep when one is due.  Call while leading. */
void gc_run(struct controller *ctl);
void gc_wait(const struct controller *ctl);

#endif /* KOVN_CONTROLLER_GC_H */
