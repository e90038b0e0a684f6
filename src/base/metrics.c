/* Prometheus text-format metrics registry; see metrics.h. */
#include <config.h>

#include "base/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "util.h"

struct metric_family {
    enum metric_type type;
    char *help;
    struct shash samples; /* labels -> double *. */
    struct ds histogram;  /* METRIC_HISTOGRAM: rendered sample lines. */
};

struct metrics_registry {
    struct shash families; /* name -> struct metric_family. */
};

struct metrics_registry *
metrics_registry_create(void)
{
    struct metrics_registry *registry = xmalloc(sizeof *registry);

    shash_init(&registry->families);
    return registry;
}

void
metrics_registry_destroy(struct metrics_registry *registry)
{
    struct shash_node *node;

    if (!registry) {
        return;
    }
    SHASH_FOR_EACH(node, &registry->families)
    {
        struct metric_family *family = node->data;

        shash_destroy_free_data(&family->samples);
        ds_destroy(&family->histogram);
        free(family->help);
        free(family);
    }
    shash_destroy(&registry->families);
    free(registry);
}

static bool
valid_name(const char *name)
{
    if (!*name || (*name >= '0' && *name <= '9')) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == ':')) {
            return false;
        }
    }
    return true;
}

static struct metric_family *
find_family(struct metrics_registry *registry, const char *name,
            enum metric_type type, const char *help, struct kovn_error *err)
{
    struct metric_family *family;

    if (!valid_name(name)) {
        kovn_error_set(err, -EINVAL,
                       "metric name \"%.64s\" is not [a-zA-Z_:]"
                       "[a-zA-Z0-9_:]*",
                       name);
        return NULL;
    }
    family = shash_find_data(&registry->families, name);
    if (!family) {
        family = xzalloc(sizeof *family);
        family->type = type;
        family->help = xstrdup(help ? help : "");
        shash_init(&family->samples);
        ds_init(&family->histogram);
        shash_add(&registry->families, name, family);
    } else if (family->type != type) {
        kovn_error_set(err, -EINVAL,
                       "metric \"%s\" already registered with another type",
                       name);
        return NULL;
    }
    return family;
}

int
metrics_set(struct metrics_registry *registry, const char *name,
            enum metric_type type, const char *help, const char *labels,
            double value, struct kovn_error *err)
{
    struct metric_family *family;
    double *sample;

    family = find_family(registry, name, type, help, err);
    if (!family) {
        return -EINVAL;
    }
    sample = shash_find_data(&family->samples, labels ? labels : "");
    if (!sample) {
        sample = xmalloc(sizeof *sample);
        shash_add(&family->samples, labels ? labels : "", sample);
    }
    *sample = value;
    return 0;
}

int
metrics_set_histogram(struct metrics_registry *registry, const char *name,
                      const char *help, const char *labels,
                      const double *bounds, const uint64_t *counts,
                      size_t n_bounds, uint64_t count, double sum,
                      struct kovn_error *err)
{
    struct metric_family *family =
        find_family(registry, name, METRIC_HISTOGRAM, help, err);
    const char *sep = labels && *labels ? "," : "";
    uint64_t cumulative = 0;

    if (!family) {
        return -EINVAL;
    }
    labels = labels ? labels : "";
    for (size_t i = 0; i < n_bounds; i++) {
        cumulative += counts[i];
        ds_put_format(&family->histogram,
                      "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name, labels,
                      sep, bounds[i], cumulative);
    }
    ds_put_format(&family->histogram,
                  "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels,
                  sep, count);
    ds_put_format(&family->histogram, "%s_sum%s%s%s %.9g\n", name,
                  *labels ? "{" : "", labels, *labels ? "}" : "", sum);
    ds_put_format(&family->histogram, "%s_count%s%s%s %" PRIu64 "\n", name,
                  *labels ? "{" : "", labels, *labels ? "}" : "", count);
    return 0;
}

void
metrics_put_label(char **labels, const char *key, const char *value)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (*labels) {
        ds_put_format(&s, "%s,", *labels);
    }
    ds_put_format(&s, "%s=\"", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"') {
            ds_put_char(&s, '\\');
            ds_put_char(&s, *p);
        } else if (*p == '\n') {
            ds_put_cstr(&s, "\\n");
        } else {
            ds_put_char(&s, *p);
        }
    }
    ds_put_char(&s, '"');
    free(*labels);
    *labels = ds_steal_cstr(&s);
}

static void
put_value(struct ds *s, double value)
{
    if (isnan(value)) {
        ds_put_cstr(s, "NaN");
    } else if (isinf(value)) {
        ds_put_cstr(s, value > 0 ? "+Inf" : "-Inf");
    } else if (value == (double)(long long)value && fabs(value) < 1e15) {
        ds_put_format(s, "%lld", (long long)value);
    } else {
        ds_put_format(s, "%.17g", value);
    }
}

char *
metrics_render(const struct metrics_registry *registry)
{
    const struct shash_node **families = shash_sort(&registry->families);
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < shash_count(&registry->families); i++) {
        const struct metric_family *family = families[i]->data;
        const struct shash_node **samples = shash_sort(&family->samples);
        const char *name = families[i]->name;

        ds_put_format(&s, "# HELP %s ", name);
        for (const char *p = family->help; *p; p++) {
            if (*p == '\\') {
                ds_put_cstr(&s, "\\\\");
            } else if (*p == '\n') {
                ds_put_cstr(&s, "\\n");
            } else {
                ds_put_char(&s, *p);
            }
        }
        ds_put_format(&s, "\n# TYPE %s %s\n", name,
                      family->type == METRIC_COUNTER     ? "counter"
                      : family->type == METRIC_HISTOGRAM ? "histogram"
                                                         : "gauge");
        ds_put_buffer(&s, family->histogram.string, family->histogram.length);
        for (size_t j = 0; j < shash_count(&family->samples); j++) {
            const char *labels = samples[j]->name;

            ds_put_cstr(&s, name);
            if (*labels) {
                ds_put_format(&s, "{%s}", labels);
            }
            ds_put_char(&s, ' ');
            put_value(&s, *(const double *)samples[j]->data);
            ds_put_char(&s, '\n');
        }
        free(samples);
    }
    free(families);
    return ds_steal_cstr(&s);
}
