/* kovn-controller's metrics: subnets by VPC and state, orphans, unbound
 * namespaces, address counts, queues, OVN writes, GC and Events. */
#ifndef KOVN_CONTROLLER_METRICS_H
#define KOVN_CONTROLLER_METRICS_H 1

struct controller;
struct metrics_registry;

/* Publishes all of the controller's metrics into 'registry'. */
void ctrl_metrics_export(const struct controller *ctl,
                         struct metrics_registry *registry);

#endif /* KOVN_CONTROLLER_METRICS_H */
