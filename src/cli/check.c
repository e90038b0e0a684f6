/* `kubectl kovn check`: the pre-upgrade check.  Lists everything kovn
 * would have to work around: orphaned subnets, VPCs and subnets whose
 * deletion is stuck and why, kovn's OVN rows whose owner is gone, and
 * namespaces whose annotations are missing, name a subnet that does not
 * exist or differ from what kovn-controller computes for them.  With
 * --kube-ovn it also judges Kube-OVN's OVN rows as kovn-controller
 * --adopt-kube-ovn would (ovn/adopt.h) and prints what a takeover would
 * do.  Exit 0 when clean, 1 with findings, 2 when it cannot tell. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/age.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/orphans.h"
#include "cli/progress.h"
#include "cli/session.h"
#include "cli/table.h"
#include "crd/names.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

enum finding_kind {
    FINDING_ORPHAN,
    FINDING_VPC_DELETING,
    FINDING_STALE_ROW,
    FINDING_NAMESPACE,
    FINDING_SUBNET_DELETING,
    FINDING_KUBE_OVN_ROW, /* --kube-ovn: stale, orphaned or conflicting. */
    FINDING_CLAIM,        /* --kube-ovn: an address that would not hold. */
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

static bool is_kube_ovn_finalizer(const char *name);

static void
check_deleting_vpcs(const struct cli_cluster *cluster, bool kube_ovn,
                    struct findings *f)
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
            for (j = 0; j < foreign.n; j++) {
                if (is_kube_ovn_finalizer(foreign.names[j])) {
                    ds_put_cstr(&problem,
                                kube_ovn ? " (Kube-OVN's: kovn-controller "
                                           "--adopt-kube-ovn takes it over)"
                                         : " (Kube-OVN's: see check "
                                           "--kube-ovn)");
                    break;
                }
            }
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

static bool
is_kube_ovn_finalizer(const char *name)
{
    return !strcmp(name, CRD_KUBE_OVN_FINALIZER) ||
           !strcmp(name, CRD_KUBE_OVN_FINALIZER_OLD);
}

/* Subnets being deleted: what holds each (IPs still naming it, whose pods
 * may be long gone, as in Kube-OVN issues #4243 and #6092; finalizers). */
static void
check_deleting_subnets(const struct cli_cluster *cluster, bool kube_ovn,
                       struct findings *f)
{
    const struct shash_node **nodes = shash_sort(&cluster->deleting_subnets);
    size_t n = shash_count(&cluster->deleting_subnets);

    for (size_t i = 0; i < n; i++) {
        const struct cli_deleting_subnet *subnet = nodes[i]->data;
        struct svec leftover = SVEC_EMPTY_INITIALIZER;
        struct ds problem = DS_EMPTY_INITIALIZER;
        char age[CLI_AGE_LEN];
        const char *ip, *name;
        size_t in_use = 0, j;
        bool kube_ovn_held = false;

        cli_age_format(cli_age_seconds(subnet->deletion_timestamp, time(NULL)),
                       age);
        ds_put_format(&problem, "deleting for %s", age);
        SSET_FOR_EACH(ip, &subnet->ips)
        {
            const char *tab = strchr(ip, '\t');
            const char *pod = tab ? tab + 1 : "";

            if (*pod && sset_contains(&cluster->pods, pod)) {
                in_use++;
            } else {
                svec_add_nocopy(
                    &leftover,
                    xmemdup0(ip, tab ? (size_t)(tab - ip) : strlen(ip)));
            }
        }
        if (in_use) {
            ds_put_format(&problem, "; %zu pod%s still use%s it", in_use,
                          in_use == 1 ? "" : "s", in_use == 1 ? "s" : "");
        }
        if (leftover.n) {
            svec_sort(&leftover);
            ds_put_format(&problem, "; %zu leftover IP%s whose pod is gone: ",
                          leftover.n, leftover.n == 1 ? "" : "s");
            put_list(&problem, (const char *const *)leftover.names,
                     MIN(leftover.n, 10));
            if (leftover.n > 10) {
                ds_put_format(&problem, ", and %zu more", leftover.n - 10);
            }
            ds_put_cstr(&problem, " (kovn-controller releases them; by "
                                  "hand: kubectl delete ip NAME)");
        }
        SVEC_FOR_EACH(j, name, &subnet->finalizers)
        {
            kube_ovn_held |= is_kube_ovn_finalizer(name);
        }
        if (subnet->finalizers.n) {
            ds_put_format(&problem, "; held by finalizer%s ",
                          subnet->finalizers.n == 1 ? "" : "s");
            put_list(&problem, (const char *const *)subnet->finalizers.names,
                     subnet->finalizers.n);
        }
        if (kube_ovn_held) {
            ds_put_cstr(&problem,
                        kube_ovn
                            ? " (Kube-OVN's: kovn-controller --adopt-kube-ovn "
                              "finishes the deletion)"
                            : " (Kube-OVN's: is kube-ovn-controller running? "
                              "see check --kube-ovn)");
        }
        add_finding(f, FINDING_SUBNET_DELETING, "Subnet", nodes[i]->name,
                    ds_steal_cstr(&problem));
        svec_destroy(&leftover);
    }
    free(nodes);
}

/* Kube-OVN's rows a takeover would not simply adopt. */
static void
check_kube_ovn_rows(const struct ovn_adopt_list *rows, struct findings *f)
{
    for (size_t i = 0; i < rows->n; i++) {
        const struct ovn_adopt_row *row = &rows->rows[i];

        if (row->verdict == OVN_ADOPT_STALE ||
            row->verdict == OVN_ADOPT_ORPHAN ||
            row->verdict == OVN_ADOPT_CONFLICT) {
            add_finding(f, FINDING_KUBE_OVN_ROW, row->table, row->name,
                        xasprintf("Kube-OVN row, %s", row->why));
        }
    }
}

static void
report_claim(const char *kind, const char *name, char *problem, void *f)
{
    add_finding(f, FINDING_CLAIM, kind, name, problem);
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

/* The subnets a namespace's logical_switch annotation names that do not
 * exist (Kube-OVN issue #5304: left behind when a subnet goes). */
static void
missing_subnets(const struct cli_cluster *cluster,
                const struct cli_namespace *ns, struct ds *out)
{
    const char *have = smap_get(&ns->annotations, ANN_LOGICAL_SWITCH);
    char *copy, *save = NULL;
    size_t n = 0;

    if (!have) {
        return;
    }
    copy = xstrdup(have);
    for (char *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (*name && !crd_model_subnet(cluster->model, name)) {
            ds_put_format(out, "%s%s", n++ ? ", " : "", name);
        }
    }
    free(copy);
}

static char *
namespace_problem(const struct svec *missing, const struct ds *wrong,
                  const struct ns_binding *want, const char *gone)
{
    struct ds problem = DS_EMPTY_INITIALIZER;

    if (*gone) {
        ds_put_format(&problem,
                      "annotation %s names subnet %s, which does not "
                      "exist; kovn-controller rewrites it to \"%s\"",
                      ANN_LOGICAL_SWITCH, gone, want->logical_switch);
    }

    if (missing->n) {
        ds_put_format(&problem, "%smissing annotation%s ",
                      problem.length ? "; " : "", missing->n == 1 ? "" : "s");
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
check_namespaces(const struct cli_cluster *cluster,
                 struct cli_progress *progress, struct findings *f)
{
    const struct shash_node **nodes = shash_sort(&cluster->namespaces);
    size_t n = shash_count(&cluster->namespaces);

    for (size_t i = 0; i < n; i++) {
        cli_progress_checked(progress, "namespaces", i, n);
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
        struct ds gone = DS_EMPTY_INITIALIZER;
        missing_subnets(cluster, ns, &gone);
        if (missing.n || wrong.length) {
            add_finding(
                f, FINDING_NAMESPACE, "Namespace", ns->name,
                namespace_problem(&missing, &wrong, &want, ds_cstr(&gone)));
        }
        ds_destroy(&gone);
        ds_destroy(&wrong);
        svec_destroy(&missing);
        ns_binding_destroy(&want);
    }
    cli_progress_checked(progress, "namespaces", n, n);
    free(nodes);
}

static const char *
plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* What kovn-controller --adopt-kube-ovn would do, counted. */
struct takeover {
    bool shown; /* --kube-ovn */
    bool ovn_checked;
    size_t rows[OVN_ADOPT_N_VERDICTS];
    struct shash adopted;  /* Table -> count (as a pointer-sized int). */
    size_t vpc_finalizers; /* Kube-OVN's finalizer on them. */
    size_t subnet_finalizers;
    size_t ips; /* IP objects: the address book. */
};

static void
takeover_init(struct takeover *t, const struct cli_session *session,
              bool kube_ovn)
{
    const struct cli_cluster *cluster = &session->cluster;
    const struct ovn_adopt_list *rows = &session->kube_ovn_rows;
    struct shash_node *node;

    memset(t, 0, sizeof *t);
    shash_init(&t->adopted);
    t->shown = kube_ovn;
    t->ovn_checked = session->ovn;
    t->ips = cluster->n_ips;
    memcpy(t->rows, rows->counts, sizeof t->rows);
    for (size_t i = 0; i < rows->n; i++) {
        if (rows->rows[i].verdict == OVN_ADOPT) {
            struct shash_node *c =
                shash_find(&t->adopted, rows->rows[i].table);
            if (!c) {
                c = shash_add(&t->adopted, rows->rows[i].table, NULL);
            }
            c->data = (void *)((uintptr_t)c->data + 1);
        }
    }
    SHASH_FOR_EACH(node, crd_model_vpcs(cluster->model))
    {
        const struct vpc *vpc = node->data;
        t->vpc_finalizers += vpc->has_kube_ovn_finalizer;
    }
    SHASH_FOR_EACH(node, crd_model_subnets(cluster->model))
    {
        const struct subnet *subnet = node->data;
        t->subnet_finalizers += subnet->has_kube_ovn_finalizer;
    }
}

static void
print_takeover(const struct takeover *t)
{
    const struct shash_node **tables = shash_sort(&t->adopted);

    printf("\nTakeover (kovn-controller --adopt-kube-ovn) would:\n");
    if (t->ovn_checked) {
        printf("  adopt %zu Kube-OVN OVN row%s in place (re-tagged, not "
               "recreated)%s",
               t->rows[OVN_ADOPT], plural(t->rows[OVN_ADOPT], "", "s"),
               shash_count(&t->adopted) ? ": " : "\n");
        for (size_t i = 0; i < shash_count(&t->adopted); i++) {
            printf("%zu %s%s", (size_t)(uintptr_t)tables[i]->data,
                   tables[i]->name,
                   i + 1 < shash_count(&t->adopted) ? ", " : "\n");
        }
        printf("  adopt %zu stale port%s for removal by kovn's owner sweep\n",
               t->rows[OVN_ADOPT_STALE],
               plural(t->rows[OVN_ADOPT_STALE], "", "s"));
        printf("  leave alone %zu row%s of a missing Vpc/Subnet, %zu in "
               "conflict, %zu of kinds kovn does not manage\n",
               t->rows[OVN_ADOPT_ORPHAN],
               plural(t->rows[OVN_ADOPT_ORPHAN], "", "s"),
               t->rows[OVN_ADOPT_CONFLICT], t->rows[OVN_ADOPT_FOREIGN]);
    } else {
        printf("  (OVN rows not judged: give --ovn-nb REMOTE)\n");
    }
    printf("  replace Kube-OVN's finalizer on %zu vpc%s and %zu subnet%s\n",
           t->vpc_finalizers, plural(t->vpc_finalizers, "", "s"),
           t->subnet_finalizers, plural(t->subnet_finalizers, "", "s"));
    printf("  restore addresses and MACs from %zu IP object%s and the pods' "
           "annotations\n",
           t->ips, plural(t->ips, "", "s"));
    free(tables);
}

static void
print_table(const struct findings *f, bool ovn_checked,
            const struct takeover *t)
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
               "or wrong annotations, %zu subnet%s stuck deleting",
               f->n, plural(f->n, "", "s"), c[FINDING_ORPHAN],
               plural(c[FINDING_ORPHAN], "", "s"), c[FINDING_VPC_DELETING],
               plural(c[FINDING_VPC_DELETING], "", "s"), c[FINDING_STALE_ROW],
               plural(c[FINDING_STALE_ROW], "", "s"), c[FINDING_NAMESPACE],
               plural(c[FINDING_NAMESPACE], "", "s"),
               c[FINDING_SUBNET_DELETING],
               plural(c[FINDING_SUBNET_DELETING], "", "s"));
        if (t->shown) {
            printf(", %zu Kube-OVN row%s stale or in conflict, %zu address "
                   "claim%s that would not hold",
                   c[FINDING_KUBE_OVN_ROW],
                   plural(c[FINDING_KUBE_OVN_ROW], "", "s"), c[FINDING_CLAIM],
                   plural(c[FINDING_CLAIM], "", "s"));
        }
        printf("\n");
    } else {
        printf("No findings: no orphaned subnets, no vpcs or subnets stuck "
               "deleting, %snamespace annotations as kovn-controller would "
               "set them.\n",
               ovn_checked ? "no stale OVN rows, " : "");
    }
    if (!ovn_checked) {
        printf("OVN was not checked: give --ovn-nb REMOTE or set "
               "KOVN_OVN_NB.\n");
    }
    if (t->shown) {
        print_takeover(t);
    }
}

static void
print_json(const struct findings *f, bool ovn_checked,
           const struct takeover *t)
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
    if (t->shown) {
        struct json *o = json_object_create();
        struct json *adopted = json_object_create();
        struct shash_node *node;

        SHASH_FOR_EACH(node, &t->adopted)
        {
            json_object_put(adopted, node->name,
                            json_integer_create((uintptr_t)node->data));
        }
        json_object_put(o, "adopt", adopted);
        for (int v = OVN_ADOPT_STALE; v < OVN_ADOPT_N_VERDICTS; v++) {
            json_object_put(o, ovn_adopt_verdict_name(v),
                            json_integer_create(t->rows[v]));
        }
        json_object_put(o, "vpc_finalizers",
                        json_integer_create(t->vpc_finalizers));
        json_object_put(o, "subnet_finalizers",
                        json_integer_create(t->subnet_finalizers));
        json_object_put(o, "ips", json_integer_create(t->ips));
        json_object_put(root, "takeover", o);
    }
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

    struct takeover takeover;

    if (cli_session_open(&session, options,
                         CLI_LOAD_USERS | CLI_LOAD_IPPOOLS |
                             CLI_LOAD_NAMESPACES | CLI_LOAD_IPS |
                             (options->kube_ovn ? CLI_LOAD_CLAIMS : 0),
                         &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        cli_session_close(&session);
        return CLI_EXIT_ERROR;
    }
    size_t n_subnets = shash_count(crd_model_subnets(session.cluster.model));
    size_t n_vpcs = shash_count(crd_model_vpcs(session.cluster.model));

    cli_progress_phase(session.progress, "checking");
    check_orphans(&session.cluster, &f);
    check_deleting_vpcs(&session.cluster, options->kube_ovn, &f);
    check_deleting_subnets(&session.cluster, options->kube_ovn, &f);
    cli_progress_checked(session.progress, "subnets", n_subnets, n_subnets);
    cli_progress_checked(session.progress, "vpcs", n_vpcs, n_vpcs);
    if (session.ovn) {
        check_stale_rows(&session.stale, &session.cluster, &f);
        check_kube_ovn_rows(&session.kube_ovn_rows, &f);
    }
    check_namespaces(&session.cluster, session.progress, &f);
    if (options->kube_ovn) {
        cli_claims_check(&session.cluster.claims, session.cluster.model,
                         report_claim, &f);
    }
    cli_progress_clear(session.progress);

    takeover_init(&takeover, &session, options->kube_ovn);
    if (options->output == CLI_OUTPUT_JSON) {
        print_json(&f, session.ovn, &takeover);
    } else {
        print_table(&f, session.ovn, &takeover);
    }
    shash_destroy(&takeover.adopted);
    status = f.n ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    findings_destroy(&f);
    cli_session_close(&session);
    return status;
}
