/* `kubectl kovn check`: the pre-upgrade check.  Lists everything kovn
 * would have to work around: orphaned subnets, VPCs whose deletion is
 * stuck and why, kovn's OVN rows whose owner is gone, and namespaces whose
 * annotations are missing or differ from what kovn-controller computes
 * for them.  Exit 0 when clean, 1 with findings, 2 when it cannot tell. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/age.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/orphans.h"
#include "cli/session.h"
#include "cli/table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

enum finding_kind {
    FINDING_ORPHAN,
    FINDING_VPC_DELETING,
    FINDING_STALE_ROW,
    FINDING_NAMESPACE,
    N_FINDING_KINDS,
};

struct finding {
    enum finding_kind kind;
    char *kind_name; /* "Subnet", "Vpc", an OVN table, "Namespace". */
    char *name;
    char *problem;
};

struct findings {
    struct finding *list;
    size_t n, allocated;
    size_t counts[N_FINDING_KINDS];
};

static void
add_finding(struct findings *f, enum finding_kind kind, const char *kind_name,
            const char *name, char *problem)
{
    struct finding *finding;

    if (f->n == f->allocated) {
        f->list = x2nrealloc(f->list, &f->allocated, sizeof *f->list);
    }
    finding = &f->list[f->n++];
    finding->kind = kind;
    finding->kind_name = xstrdup(kind_name);
    finding->name = xstrdup(name);
    finding->problem = problem;
    f->counts[kind]++;
}

static void
findings_destroy(struct findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->list[i].kind_name);
        free(f->list[i].name);
        free(f->list[i].problem);
    }
    free(f->list);
}

static void
check_orphans(const struct cli_cluster *cluster, struct findings *f)
{
    size_t n;
    struct cli_orphan *orphans = cli_orphans_collect(cluster, time(NULL), &n);

    for (size_t i = 0; i < n; i++) {
        const struct cli_orphan *o = &orphans[i];

        if (o->waits_for_vpc) {
            continue;
        }
        add_finding(f, FINDING_ORPHAN, "Subnet", o->subnet,
                    xasprintf("orphaned: vpc %s does not exist; %zu pod%s "
                              "use%s it; fix: %s",
                              o->vpc, o->pods, o->pods == 1 ? "" : "s",
                              o->pods == 1 ? "s" : "", o->action));
    }
    cli_orphans_free(orphans, n);
}

static void
put_list(struct ds *ds, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%s%s", i ? ", " : "", items[i]);
    }
}

static void
check_deleting_vpcs(const struct cli_cluster *cluster, struct findings *f)
{
    const struct shash_node **nodes = shash_sort(&cluster->deleting_vpcs);
    size_t n = shash_count(&cluster->deleting_vpcs);

    for (size_t i = 0; i < n; i++) {
        const struct cli_deleting_vpc *vpc = nodes[i]->data;
        const struct sset *subnets =
            crd_model_subnets_of_vpc(cluster->model, nodes[i]->name);
        struct svec foreign = SVEC_EMPTY_INITIALIZER;
        struct ds problem = DS_EMPTY_INITIALIZER;
        char age[CLI_AGE_LEN];
        const char *name;
        size_t j;

        cli_age_format(cli_age_seconds(vpc->deletion_timestamp, time(NULL)),
                       age);
        ds_put_format(&problem, "deleting for %s", age);
        if (subnets && !sset_is_empty(subnets)) {
            const char **sorted = sset_sort(subnets);

            ds_put_format(&problem, "; blocked by subnet%s ",
                          sset_count(subnets) == 1 ? "" : "s");
            put_list(&problem, sorted, sset_count(subnets));
            ds_put_format(&problem,
                          " still referencing it (delete %s or "
                          "point %s at another vpc)",
                          sset_count(subnets) == 1 ? "it" : "them",
                          sset_count(subnets) == 1 ? "it" : "them");
            free(sorted);
        }
        SVEC_FOR_EACH(j, name, &vpc->finalizers)
        {
            if (strcmp(name, CRD_FINALIZER)) {
                svec_add(&foreign, name);
            }
        }
        if (foreign.n) {
            ds_put_format(&problem, "; held by finalizer%s ",
                          foreign.n == 1 ? "" : "s");
            put_list(&problem, (const char *const *)foreign.names, foreign.n);
        }
        if ((!subnets || sset_is_empty(subnets)) && !foreign.n &&
            vpc->finalizers.n) {
            ds_put_cstr(&problem,
                        "; nothing references it but finalizer " CRD_FINALIZER
                        " is still set (is kovn-controller "
                        "running?)");
        }
        add_finding(f, FINDING_VPC_DELETING, "Vpc", nodes[i]->name,
                    ds_steal_cstr(&problem));
        svec_destroy(&foreign);
    }
    free(nodes);
}

static void
check_stale_rows(const struct cli_stale *stale,
                 const struct cli_cluster *cluster, struct findings *f)
{
    struct ovn_stale_list rows = {NULL, 0, 0};

    cli_stale_find(stale, cluster, &rows);
    for (size_t i = 0; i < rows.n; i++) {
        const struct ovn_stale_row *row = &rows.rows[i];
        char *name = cli_stale_row_name(row);

        add_finding(f, FINDING_STALE_ROW, row->table, name,
                    xasprintf("stale OVN row: owner %s %s is gone",
                              row->owner_kind, row->owner_name));
        free(name);
    }
    ovn_stale_list_destroy(&rows);
}

/* Appends to 'problem' how annotation 'key' differs from 'want'; absent
 * and "" are the same thing. */
static void
compare_annotation(const struct cli_namespace *ns, const char *key,
                   const char *want, struct svec *missing, struct ds *wrong)
{
    const char *have = smap_get(&ns->annotations, key);

    if (!strcmp(have ? have : "", want)) {
        return;
    }
    if (!have) {
        svec_add(missing, key);
    } else {
        ds_put_format(wrong, "%s%s is \"%s\", want \"%s\"",
                      wrong->length ? "; " : "", key, have, want);
    }
}

static char *
namespace_problem(const struct svec *missing, const struct ds *wrong,
                  const struct ns_binding *want)
{
    struct ds problem = DS_EMPTY_INITIALIZER;

    if (missing->n) {
        ds_put_format(&problem, "missing annotation%s ",
                      missing->n == 1 ? "" : "s");
        put_list(&problem, (const char *const *)missing->names, missing->n);
        ds_put_format(&problem,
                      " (want logical_switch=%s cidr=%s exclude_ips=%s",
                      want->logical_switch, want->cidr, want->exclude_ips);
        if (*want->ip_pool) {
            ds_put_format(&problem, " ip_pool=%s", want->ip_pool);
        }
        ds_put_char(&problem, ')');
    }
    if (wrong->length) {
        ds_put_format(&problem, "%s%s", problem.length ? "; " : "",
                      ds_cstr_ro(wrong));
    }
    return ds_steal_cstr(&problem);
}

static void
check_namespaces(const struct cli_cluster *cluster, struct findings *f)
{
    const struct shash_node **nodes = shash_sort(&cluster->namespaces);
    size_t n = shash_count(&cluster->namespaces);

    for (size_t i = 0; i < n; i++) {
        const struct cli_namespace *ns = nodes[i]->data;
        struct svec missing = SVEC_EMPTY_INITIALIZER;
        struct ds wrong = DS_EMPTY_INITIALIZER;
        struct ns_binding want;

        crd_model_bind_namespace(cluster->model, ns->name, &ns->labels, &want,
                                 NULL, NULL);
        compare_annotation(ns, ANN_LOGICAL_SWITCH, want.logical_switch,
                           &missing, &wrong);
        compare_annotation(ns, ANN_CIDR, want.cidr, &missing, &wrong);
        compare_annotation(ns, ANN_EXCLUDE_IPS, want.exclude_ips, &missing,
                           &wrong);
        /* Kube-OVN leaves ip_pool alone when no pool lists the namespace,
         * so only a pool that should be there is checked. */
        if (*want.ip_pool) {
            compare_annotation(ns, ANN_IP_POOL, want.ip_pool, &missing,
                               &wrong);
        }
        if (missing.n || wrong.length) {
            add_finding(f, FINDING_NAMESPACE, "Namespace", ns->name,
                        namespace_problem(&missing, &wrong, &want));
        }
        ds_destroy(&wrong);
        svec_destroy(&missing);
        ns_binding_destroy(&want);
    }
    free(nodes);
}

static const char *
plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void
print_table(const struct findings *f, bool ovn_checked)
{
    static const char *const headers[] = {"KIND", "NAME", "PROBLEM", NULL};
    const size_t *c = f->counts;

    if (f->n) {
        struct cli_table table;

        cli_table_init(&table, headers);
        for (size_t i = 0; i < f->n; i++) {
            const char *row[] = {f->list[i].kind_name, f->list[i].name,
                                 f->list[i].problem};
            cli_table_add_row(&table, row);
        }
        cli_table_print(&table, stdout);
        cli_table_destroy(&table);
        printf("\n%zu finding%s: %zu orphaned subnet%s, %zu vpc%s stuck "
               "deleting, %zu stale OVN row%s, %zu namespace%s with missing "
               "or wrong annotations\n",
               f->n, plural(f->n, "", "s"), c[FINDING_ORPHAN],
               plural(c[FINDING_ORPHAN], "", "s"), c[FINDING_VPC_DELETING],
               plural(c[FINDING_VPC_DELETING], "", "s"), c[FINDING_STALE_ROW],
               plural(c[FINDING_STALE_ROW], "", "s"), c[FINDING_NAMESPACE],
               plural(c[FINDING_NAMESPACE], "", "s"));
    } else {
        printf("No findings: no orphaned subnets, no vpcs stuck deleting, "
               "%snamespace annotations as kovn-controller would set them.\n",
               ovn_checked ? "no stale OVN rows, " : "");
    }
    if (!ovn_checked) {
        printf("OVN was not checked: give --ovn-nb REMOTE or set "
               "KOVN_OVN_NB.\n");
    }
}

static void
print_json(const struct findings *f, bool ovn_checked)
{
    struct json *root = json_object_create();
    struct json *list = json_array_create_empty();
    char *text;

    for (size_t i = 0; i < f->n; i++) {
        struct json *o = json_object_create();

        json_object_put_string(o, "kind", f->list[i].kind_name);
        json_object_put_string(o, "name", f->list[i].name);
        json_object_put_string(o, "problem", f->list[i].problem);
        json_array_add(list, o);
    }
    json_object_put(root, "findings", list);
    json_object_put(root, "ovn_checked", json_boolean_create(ovn_checked));
    text = json_to_string(root, JSSF_PRETTY | JSSF_SORT);
    printf("%s\n", text);
    free(text);
    json_destroy(root);
}

int
cli_check_command(const struct cli_options *options)
{
    struct findings f = {NULL, 0, 0, {0}};
    struct kovn_error err = {0};
    struct cli_session session;
    int status;

    if (cli_session_open(
            &session, options,
            CLI_LOAD_USERS | CLI_LOAD_IPPOOLS | CLI_LOAD_NAMESPACES, &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        cli_session_close(&session);
        return CLI_EXIT_ERROR;
    }
    check_orphans(&session.cluster, &f);
    check_deleting_vpcs(&session.cluster, &f);
    if (session.ovn) {
        check_stale_rows(&session.stale, &session.cluster, &f);
    }
    check_namespaces(&session.cluster, &f);

    if (options->output == CLI_OUTPUT_JSON) {
        print_json(&f, session.ovn);
    } else {
        print_table(&f, session.ovn);
    }
    status = f.n ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    findings_destroy(&f);
    cli_session_close(&session);
    return status;
}
