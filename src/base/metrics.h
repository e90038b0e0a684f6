/* A registry of metrics rendered in the Prometheus text exposition format
 * (version 0.0.4) for /metrics.  Components set current values (counters
 * only grow, by convention of the caller); rendering groups samples by
 * family with one HELP and TYPE line each, in name order, so output is
 * stable. */
#ifndef KOVN_BASE_METRICS_H
#define KOVN_BASE_METRICS_H 1

#include <stddef.h>
#include <stdint.h>

struct kovn_error;
struct metrics_registry;

enum metric_type {
    METRIC_COUNTER,
    METRIC_GAUGE,
    METRIC_HISTOGRAM,
};

struct metrics_registry *metrics_registry_create(void);
void metrics_registry_destroy(struct metrics_registry *registry);

/* Sets the sample of family 'name' with label set 'labels' (already in
 * `key="value",...` form, see metrics_put_label(); "" for none).  The first
 * call for a family fixes its type and help.  Returns -EINVAL for a name
 * that is not a Prometheus metric name or a type that differs from the
 * family's. */
int metrics_set(struct metrics_registry *registry, const char *name,
                enum metric_type type, const char *help, const char *labels,
                double value, struct kovn_error *err);

/* Appends one histogram series of family 'name' (labels as for
 * metrics_set()): 'counts[i]' observations fell in (bounds[i-1],
 * bounds[i]], 'count' and 'sum' cover all observations including those
 * above the last bound.  Rendered as the _bucket (cumulative, with le),
 * _sum and _count samples Prometheus expects. */
int metrics_set_histogram(struct metrics_registry *registry, const char *name,
                          const char *help, const char *labels,
                          const double *bounds, const uint64_t *counts,
                          size_t n_bounds, uint64_t count, double sum,
                          struct kovn_error *err);

/* Appends `key="value"` (comma-separated after the first) to the malloc'd
 * string '*labels' (NULL to start), escaping the value as the format
 * requires. */
void metrics_put_label(char **labels, const char *key, const char *value);

/* The whole registry as exposition text (malloc'd). */
char *metrics_render(const struct metrics_registry *registry);

#endif /* KOVN_BASE_METRICS_H */
