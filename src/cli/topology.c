/* `kubectl kovn topology`: the cluster's Vpcs, Subnets and namespaces with
 * pods per node, gateways, peerings and every problem (crd/topology.h), as
 * a text tree (default), JSON, DOT or SVG. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "crd/topology.h"
#include "crd/topology_dot.h"
#include "crd/topology_json.h"
#include "crd/topology_svg.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

static void
print_problems(const char *indent, const struct topology_problems *problems)
{
    for (size_t i = 0; i < problems->n; i++) {
        printf("%s! %s: %s\n", indent, problems->items[i].reason,
               problems->items[i].message);
    }
}

static void
print_namespace_line(const char *indent, const struct topology_namespace *ns,
                     const char *subnet, const char *bound_by)
{
    printf("%sNamespace %s (%s)", indent, ns->name, bound_by);
    for (size_t i = 0; i < ns->n_pods; i++) {
        if (!strcmp(ns->pods[i].subnet, subnet)) {
            printf(" %s=%zu",
                   *ns->pods[i].node ? ns->pods[i].node : "(unscheduled)",
                   ns->pods[i].n);
        }
    }
    putchar('\n');
}

static void
print_subnet(const struct topology *topology, const struct topology_subnet *ts,
             bool last)
{
    const struct subnet *s = ts->subnet;
    const char *branch = last ? "`-- " : "|-- ";
    const char *indent = last ? "    " : "|   ";

    printf("%sSubnet %s", branch, s->name);
    if (subnet_is_valid(s)) {
        char *gateways = subnet_gateways_text(s);
        char usable[NET_ADDR_STRLEN];

        net_u128_format(ts->usable, usable);
        printf("  %s  gw %s %s%s%s  %zu/%s IPs", s->cidr_block, gateways,
               s->gateway_type, *s->active_gateway ? " on " : "",
               s->active_gateway, ts->used, usable);
        free(gateways);
    }
    putchar('\n');
    print_problems(indent, &ts->problems);
    for (size_t i = 0; i < ts->n_namespaces; i++) {
        const struct topology_namespace *ns =
            topology_find_namespace(topology, ts->namespaces[i]);
        char *prefix = xasprintf("%s%s", indent,
                                 i + 1 == ts->n_namespaces ? "`-- " : "|-- ");

        for (size_t j = 0; j < ns->n_bindings; j++) {
            if (!strcmp(ns->bindings[j].subnet, s->name)) {
                print_namespace_line(
                    prefix, ns, s->name,
                    topology_bound_by_name(ns->bindings[j].bound_by));
            }
        }
        free(prefix);
    }
}

static void
print_tree(const struct topology *topology)
{
    const struct topology_vpc *vpcs;
    const struct topology_namespace *nss;
    const struct topology_stale_owner *stale;
    size_t n, n_problems = topology_n_problems(topology);
    bool header = false;

    vpcs = topology_vpcs(topology, &n);
    for (size_t i = 0; i < n; i++) {
        const struct topology_vpc *tv = &vpcs[i];

        printf("Vpc %s%s", tv->name,
               tv->missing         ? "  (missing)"
               : tv->vpc->deleting ? "  (deleting)"
                                   : "");
        for (size_t j = 0; j < tv->n_peerings; j++) {
            printf("%s%s%s%s",
                   j ? ", " : "  peers: ", tv->peerings[j].remote_vpc,
                   tv->peerings[j].problem ? " !" : "",
                   tv->peerings[j].problem ? tv->peerings[j].problem : "");
        }
        putchar('\n');
        print_problems("    ", &tv->problems);
        for (size_t j = 0; j < tv->n_subnets; j++) {
            print_subnet(topology,
                         topology_find_subnet(topology, tv->subnets[j]),
                         j + 1 == tv->n_subnets);
        }
    }

    nss = topology_namespaces(topology, &n);
    for (size_t i = 0; i < n; i++) {
        if (nss[i].problems.n || nss[i].n_skipped) {
            if (!header) {
                printf("Namespaces with subnets set aside or none usable\n");
                header = true;
            }
            printf("    Namespace %s", nss[i].name);
            for (size_t j = 0; j < nss[i].n_skipped; j++) {
                printf("%s%s (%s)",
                       j ? ", " : "  set aside: ", nss[i].skipped[j].subnet,
                       subnet_state_reason(nss[i].skipped[j].state));
            }
            putchar('\n');
            print_problems("        ", &nss[i].problems);
        }
    }

    stale = topology_stale_owners(topology, &n);
    if (!topology_ovn_read(topology)) {
        printf("Stale OVN rows: not looked at (give --ovn-nb)\n");
    } else if (n) {
        printf("Stale OVN rows\n");
        for (size_t i = 0; i < n; i++) {
            printf("    %s %s:", stale[i].kind, stale[i].name);
            for (size_t j = 0; j < stale[i].n_rows; j++) {
                printf("%s %s %s", j ? "," : "", stale[i].rows[j].table,
                       stale[i].rows[j].name);
            }
            putchar('\n');
            print_problems("        ", &stale[i].problems);
        }
    }
    printf("%zu problem%s.\n", n_problems, n_problems == 1 ? "" : "s");
}

/* The topology of the listed cluster: its namespaces, pod and IP counts
 * and, with OVN, the stale rows. */
static struct topology *
topology_of(const struct cli_session *session,
            const struct cli_options *options)
{
    const struct cli_cluster *cluster = &session->cluster;
    struct topology *topology = topology_create(cluster->model);
    struct shash_node *node;

    SHASH_FOR_EACH(node, &cluster->namespaces)
    {
        const struct cli_namespace *ns = node->data;
        topology_add_namespace(topology, ns->name, &ns->labels);
    }
    SHASH_FOR_EACH(node, &cluster->pod_counts)
    {
        const struct cli_pod_count *count = node->data;
        topology_add_pods(topology, count->ns, count->subnet, count->node,
                          count->n);
    }
    SHASH_FOR_EACH(node, &cluster->ips_by_subnet)
    {
        topology_add_used(topology, node->name, *(size_t *)node->data);
    }
    if (session->ovn) {
        struct ovn_stale_list rows = {0};

        topology_set_ovn_read(topology);
        cli_stale_find(&session->stale, cluster, &rows);
        for (size_t i = 0; i < rows.n; i++) {
            char *name = cli_stale_row_name(&rows.rows[i]);
            topology_add_stale_row(topology, rows.rows[i].table, name,
                                   rows.rows[i].owner_kind,
                                   rows.rows[i].owner_name);
            free(name);
        }
        ovn_stale_list_destroy(&rows);
    }
    topology_build(topology, options->vpc, options->namespace);
    return topology;
}

int
cli_topology_command(const struct cli_options *options)
{
    struct kovn_error err = {0};
    struct cli_session session;
    struct topology *topology;
    struct ds out = DS_EMPTY_INITIALIZER;
    int status = CLI_EXIT_OK;

    if (cli_session_open(&session, options,
                         CLI_LOAD_NAMESPACES | CLI_LOAD_COUNTS, &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        cli_session_close(&session);
        return CLI_EXIT_ERROR;
    }
    topology = topology_of(&session, options);
    if (options->output == CLI_OUTPUT_JSON) {
        struct json *json = topology_to_json(topology);
        char *text = json_to_string(json, JSSF_PRETTY | JSSF_SORT);

        printf("%s\n", text);
        free(text);
        json_destroy(json);
    } else if (options->output == CLI_OUTPUT_DOT) {
        topology_to_dot(topology, &out);
        fputs(ds_cstr(&out), stdout);
    } else if (options->output == CLI_OUTPUT_SVG) {
        struct ds svg = DS_EMPTY_INITIALIZER;

        topology_to_dot(topology, &out);
        if (topology_svg_render(ds_cstr(&out), &svg, &err)) {
            fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
            status = CLI_EXIT_ERROR;
        } else {
            fwrite(svg.string, 1, svg.length, stdout);
        }
        ds_destroy(&svg);
    } else {
        print_tree(topology);
    }
    ds_destroy(&out);
    topology_destroy(topology);
    cli_session_close(&session);
    return status;
}
