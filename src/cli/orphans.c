/* `kubectl kovn orphans`: the subnets whose VPC does not exist, how long
 * they have been around, how many pods still use them and what to do. */
#include <config.h>

#include "cli/orphans.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/age.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "cli/table.h"
#include "openvswitch/json.h"
#include "util.h"

struct cli_orphan *
cli_orphans_collect(const struct cli_cluster *cluster, time_t now, size_t *n)
{
    const char **names = sset_sort(&cluster->orphans);
    struct cli_orphan *orphans;

    *n = sset_count(&cluster->orphans);
    orphans = xcalloc(MAX(*n, 1), sizeof *orphans);
    for (size_t i = 0; i < *n; i++) {
        const struct subnet *subnet =
            crd_model_subnet(cluster->model, names[i]);
        struct cli_orphan *o = &orphans[i];

        o->subnet = subnet->name;
        o->vpc = subnet->vpc;
        o->uid = subnet->uid;
        o->age = cli_age_seconds(subnet->creation_timestamp, now);
        o->pods = cli_cluster_n_users(cluster, subnet->name);
        o->waits_for_vpc = subnet->allow_missing_vpc;
        if (o->waits_for_vpc) {
            o->action = xasprintf("none: waits for vpc %s (%s)", o->vpc,
                                  CRD_ALLOW_MISSING_VPC);
        } else if (!o->pods) {
            o->action = xstrdup("kubectl kovn gc");
        } else {
            o->action = xasprintf("create vpc %s or move its pods", o->vpc);
        }
    }
    free(names);
    return orphans;
}

void
cli_orphans_free(struct cli_orphan *orphans, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(orphans[i].action);
    }
    free(orphans);
}

static void
print_table(const struct cli_orphan *orphans, size_t n)
{
    static const char *const headers[] = {
        "SUBNET", "MISSING-VPC", "AGE", "PODS", "ACTION", NULL,
    };
    struct cli_table table;

    if (!n) {
        printf("No orphaned subnets.\n");
        return;
    }
    cli_table_init(&table, headers);
    for (size_t i = 0; i < n; i++) {
        char age[CLI_AGE_LEN], pods[32];

        cli_age_format(orphans[i].age, age);
        snprintf(pods, sizeof pods, "%zu", orphans[i].pods);
        const char *row[] = {
            orphans[i].subnet, orphans[i].vpc, age, pods, orphans[i].action,
        };
        cli_table_add_row(&table, row);
    }
    cli_table_print(&table, stdout);
    cli_table_destroy(&table);
}

static void
print_json(const struct cli_orphan *orphans, size_t n)
{
    struct json *array = json_array_create_empty();
    char *text;

    for (size_t i = 0; i < n; i++) {
        struct json *o = json_object_create();

        json_object_put_string(o, "subnet", orphans[i].subnet);
        json_object_put_string(o, "vpc", orphans[i].vpc);
        json_object_put(o, "age_seconds",
                        orphans[i].age < 0
                            ? json_null_create()
                            : json_integer_create(orphans[i].age));
        json_object_put(o, "pods", json_integer_create(orphans[i].pods));
        json_object_put_string(o, "action", orphans[i].action);
        json_array_add(array, o);
    }
    text = json_to_string(array, JSSF_PRETTY | JSSF_SORT);
    printf("%s\n", text);
    free(text);
    json_destroy(array);
}

int
cli_orphans_command(const struct cli_options *options)
{
    struct kovn_error err = {0};
    struct cli_session session;
    struct cli_orphan *orphans;
    size_t n;

    if (cli_session_open(&session, options, CLI_LOAD_USERS, &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        cli_session_close(&session);
        return CLI_EXIT_ERROR;
    }
    orphans = cli_orphans_collect(&session.cluster, time(NULL), &n);
    if (options->output == CLI_OUTPUT_JSON) {
        print_json(orphans, n);
    } else {
        print_table(orphans, n);
    }
    cli_orphans_free(orphans, n);
    cli_session_close(&session);
    return CLI_EXIT_OK;
}
