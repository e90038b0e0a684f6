/* Kube-OVN's NB rows taken over in place; see adopt.h. */
#include <config.h>

#include "ovn/adopt.h"

#include <stdlib.h>
#include <string.h>

#include "ovn/stale.h"
#include "smap.h"
#include "util.h"

const char *
ovn_adopt_verdict_name(enum ovn_adopt_verdict verdict)
{
    switch (verdict) {
    case OVN_ADOPT:
        return "adopt";
    case OVN_ADOPT_STALE:
        return "stale";
    case OVN_ADOPT_ORPHAN:
        return "orphan";
    case OVN_ADOPT_CONFLICT:
        return "conflict";
    case OVN_ADOPT_FOREIGN:
    case OVN_ADOPT_N_VERDICTS:
    default:
        return "foreign";
    }
}

/* 'name' is "<prefix>-<rest>" with a non-empty rest: returns the rest. */
static const char *
after_prefix(const char *name, const char *prefix)
{
    size_t len = strlen(prefix);

    if (*prefix && !strncmp(name, prefix, len) && name[len] == '-' &&
        name[len + 1]) {
        return name + len + 1;
    }
    return NULL;
}

/* The default VPC's load balancers as Kube-OVN names them (and kovn
 * after it): "cluster-<protocol>[-session]-loadbalancer". */
static bool
is_cluster_lb_name(const char *name)
{
    static const char *const names[] = {
        "cluster-tcp-loadbalancer",
        "cluster-udp-loadbalancer",
        "cluster-sctp-loadbalancer",
        "cluster-tcp-session-loadbalancer",
        "cluster-udp-session-loadbalancer",
        "cluster-sctp-session-loadbalancer",
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(name, names[i])) {
            return true;
        }
    }
    return false;
}

/* The owner Kube-OVN's naming gives a switch port, or NULL. */
static char *
switch_port_owner(const struct ovn_adopt_input *in, const char **kind)
{
    const char *pod = smap_get(in->ids, "pod");
    const char *rest;

    if (!strcmp(in->type, "router")) {
        /* "<switch>-<router>" on its switch: the switch's subnet. */
        if (after_prefix(in->name, in->parent)) {
            *kind = OVN_OWNER_SUBNET;
            return xstrdup(in->parent);
        }
        return NULL;
    }
    if (*in->type) {
        return NULL; /* localnet, virtual, localport, vtep, ...  */
    }
    if (pod && *pod) {
        /* external_ids:pod is "namespace/name"; only the pod's primary
         * port is "<name>.<namespace>" (attachments add ".<provider>"). */
        const char *slash = strchr(pod, '/');
        char *want;
        bool primary;

        if (!slash || slash == pod || !slash[1] || strchr(slash + 1, '/')) {
            return NULL;
        }
        want = xasprintf("%s.%.*s", slash + 1, (int)(slash - pod), pod);
        primary = !strcmp(want, in->name);
        free(want);
        if (!primary) {
            return NULL;
        }
        *kind = OVN_OWNER_POD;
        return xstrdup(pod);
    }
    if ((rest = after_prefix(in->name, "node"))) {
        *kind = OVN_OWNER_NODE;
        return xstrdup(rest);
    }
    return NULL;
}

/* The owner Kube-OVN's naming gives a row, or NULL when it names none kovn
 * manages. */
static char *
row_owner(const struct ovn_adopt_input *in, const char *default_vpc,
          const char **kind)
{
    if (!in->name || !*in->name) {
        return NULL;
    }
    if (!strcmp(in->table, "Logical_Router")) {
        *kind = OVN_OWNER_VPC;
        return xstrdup(in->name);
    } else if (!strcmp(in->table, "Logical_Switch")) {
        *kind = OVN_OWNER_SUBNET;
        return xstrdup(in->name);
    } else if (!strcmp(in->table, "Logical_Router_Port")) {
        /* "<router>-<switch>" on its router: the switch's subnet. */
        const char *sw = after_prefix(in->name, in->parent);

        *kind = OVN_OWNER_SUBNET;
        return sw ? xstrdup(sw) : NULL;
    } else if (!strcmp(in->table, "Logical_Switch_Port")) {
        return switch_port_owner(in, kind);
    } else if (!strcmp(in->table, "Load_Balancer")) {
        *kind = OVN_OWNER_VPC;
        return is_cluster_lb_name(in->name) ? xstrdup(default_vpc) : NULL;
    }
    return NULL;
}

static const char *
owner_noun(const char *kind)
{
    return !strcmp(kind, OVN_OWNER_VPC)      ? "vpc"
           : !strcmp(kind, OVN_OWNER_SUBNET) ? "subnet"
           : !strcmp(kind, OVN_OWNER_POD)    ? "pod"
                                             : "node";
}

enum ovn_adopt_verdict
ovn_adopt_judge(const struct ovn_adopt_input *in, const char *default_vpc,
                ovn_owner_exists_fn *exists, void *aux, const char **kind,
                char **owner, char **why)
{
    enum ovn_adopt_verdict verdict;
    struct ovn_owner o;
    char *text;

    *kind = NULL;
    *owner = row_owner(in, default_vpc, kind);
    if (!*owner) {
        *kind = NULL;
        verdict = OVN_ADOPT_FOREIGN;
        text = xstrdup("not a kind of row kovn manages: left to Kube-OVN");
        goto out;
    }
    o.kind = *kind;
    o.name = *owner;
    if (in->duplicate) {
        verdict = OVN_ADOPT_CONFLICT;
        text = xasprintf("another %s is also named %s: kovn takes neither; "
                         "delete the one no %s %s uses",
                         in->table, in->name, owner_noun(*kind), *owner);
    } else if (exists(&o, aux)) {
        verdict = OVN_ADOPT;
        text = xasprintf("adopted for %s %s", owner_noun(*kind), *owner);
    } else if (!strcmp(*kind, OVN_OWNER_POD) ||
               !strcmp(*kind, OVN_OWNER_NODE)) {
        verdict = OVN_ADOPT_STALE;
        text = xasprintf("stale: %s %s is gone; adopted, then removed by "
                         "kovn's owner sweep or kubectl kovn gc",
                         owner_noun(*kind), *owner);
    } else {
        verdict = OVN_ADOPT_ORPHAN;
        text = xasprintf("stale: %s %s does not exist; kovn leaves it "
                         "alone (ovn-nbctl can delete it)",
                         owner_noun(*kind), *owner);
    }
out:
    if (why) {
        *why = text;
    } else {
        free(text);
    }
    return verdict;
}

void
ovn_adopt_list_destroy(struct ovn_adopt_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->rows[i].name);
        free(list->rows[i].owner_name);
        free(list->rows[i].why);
    }
    free(list->rows);
    memset(list, 0, sizeof *list);
}

static bool
is_kube_ovn(const struct smap *ids)
{
    const char *vendor = smap_get(ids, OVN_VENDOR_KEY);

    return vendor && !strcmp(vendor, OVN_KUBE_OVN_VENDOR);
}

/* How many rows of a table carry each name, to find duplicates: switch,
 * router and load balancer names are not unique in the schema. */
static void
count_name(struct smap *counts, const char *name)
{
    const char *n = smap_get(counts, name);

    smap_replace(counts, name, n ? "2" : "1");
}

static bool
is_duplicate(const struct smap *counts, const char *name)
{
    const char *n = smap_get(counts, name);

    return n && !strcmp(n, "2");
}

static void
judge_row(struct ovn_adopt_list *list, const char *table,
          const struct uuid *uuid, const struct ovn_adopt_input *in,
          const char *default_vpc, ovn_owner_exists_fn *exists, void *aux)
{
    struct ovn_adopt_row *row;

    if (list->n == list->allocated) {
        list->rows =
            x2nrealloc(list->rows, &list->allocated, sizeof *list->rows);
    }
    row = &list->rows[list->n++];
    row->table = table;
    row->uuid = *uuid;
    row->name = xstrdup(in->name ? in->name : "");
    row->verdict =
        ovn_adopt_judge(in, default_vpc, exists, aux, &row->owner_kind,
                        &row->owner_name, &row->why);
    list->counts[row->verdict]++;
}

static int
compare_rows(const void *a_, const void *b_)
{
    const struct ovn_adopt_row *a = a_, *b = b_;
    int c = strcmp(a->table, b->table);

    return c ? c : strcmp(a->name, b->name);
}

void
ovn_adopt_list(struct ovn_nb *nb, const char *default_vpc,
               ovn_owner_exists_fn *exists, void *aux,
               struct ovn_adopt_list *list)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_logical_router *lr;
    const struct nbrec_load_balancer *lb;
    struct smap ls_names = SMAP_INITIALIZER(&ls_names);
    struct smap lr_names = SMAP_INITIALIZER(&lr_names);
    struct smap lb_names = SMAP_INITIALIZER(&lb_names);
    size_t first = list->n;

    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        count_name(&ls_names, ls->name);
    }
    NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
    {
        count_name(&lr_names, lr->name);
    }
    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        count_name(&lb_names, lb->name);
    }

    /* Ports are judged through the switch or router holding them: their
     * owner is read from the parent's name.  Port names are unique in the
     * schema, so a port is never a duplicate. */
    NBREC_LOGICAL_SWITCH_FOR_EACH(ls, nb->idl)
    {
        if (is_kube_ovn(&ls->external_ids)) {
            struct ovn_adopt_input in = {
                "Logical_Switch",
                ls->name,
                "",
                "",
                &ls->external_ids,
                is_duplicate(&ls_names, ls->name),
            };
            judge_row(list, in.table, &ls->header_.uuid, &in, default_vpc,
                      exists, aux);
        }
        for (size_t i = 0; i < ls->n_ports; i++) {
            const struct nbrec_logical_switch_port *lsp = ls->ports[i];

            if (is_kube_ovn(&lsp->external_ids)) {
                struct ovn_adopt_input in = {
                    "Logical_Switch_Port", lsp->name, lsp->type, ls->name,
                    &lsp->external_ids,    false,
                };
                judge_row(list, in.table, &lsp->header_.uuid, &in, default_vpc,
                          exists, aux);
            }
        }
    }
    NBREC_LOGICAL_ROUTER_FOR_EACH(lr, nb->idl)
    {
        if (is_kube_ovn(&lr->external_ids)) {
            struct ovn_adopt_input in = {
                "Logical_Router",
                lr->name,
                "",
                "",
                &lr->external_ids,
                is_duplicate(&lr_names, lr->name),
            };
            judge_row(list, in.table, &lr->header_.uuid, &in, default_vpc,
                      exists, aux);
        }
        for (size_t i = 0; i < lr->n_ports; i++) {
            const struct nbrec_logical_router_port *lrp = lr->ports[i];

            if (is_kube_ovn(&lrp->external_ids)) {
                struct ovn_adopt_input in = {
                    "Logical_Router_Port", lrp->name, "", lr->name,
                    &lrp->external_ids,    false,
                };
                judge_row(list, in.table, &lrp->header_.uuid, &in, default_vpc,
                          exists, aux);
            }
        }
    }
    NBREC_LOAD_BALANCER_FOR_EACH(lb, nb->idl)
    {
        if (is_kube_ovn(&lb->external_ids)) {
            struct ovn_adopt_input in = {
                "Load_Balancer",
                lb->name,
                "",
                "",
                &lb->external_ids,
                is_duplicate(&lb_names, lb->name),
            };
            judge_row(list, in.table, &lb->header_.uuid, &in, default_vpc,
                      exists, aux);
        }
    }
    qsort(list->rows + first, list->n - first, sizeof *list->rows,
          compare_rows);
    smap_destroy(&ls_names);
    smap_destroy(&lr_names);
    smap_destroy(&lb_names);
}

/* The external_ids an adopted row gets: Kube-OVN's keys kept (they are
 * harmless and tell where the row came from), vendor and owner kovn's. */
static bool
adopted_ids(const struct smap *current, const struct ovn_adopt_row *row,
            struct smap *out)
{
    struct ovn_owner owner = {row->owner_kind, row->owner_name};

    if (!is_kube_ovn(current)) {
        return false; /* Adopted meanwhile, or changed hands: leave it. */
    }
    ovn_owner_ids(out, current, &owner);
    smap_replace(out, OVN_ADOPTED_KEY, OVN_KUBE_OVN_VENDOR);
    return true;
}

int
ovn_adopt_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *list_,
                struct kovn_error *err)
{
    const struct ovn_adopt_list *list = list_;

    (void)txn;
    (void)err;
    for (size_t i = 0; i < list->n; i++) {
        const struct ovn_adopt_row *row = &list->rows[i];
        const struct uuid *uuid = &row->uuid;
        struct smap ids;

        if (row->verdict != OVN_ADOPT && row->verdict != OVN_ADOPT_STALE) {
            continue;
        }
        if (!strcmp(row->table, "Logical_Switch")) {
            const struct nbrec_logical_switch *r =
                nbrec_logical_switch_get_for_uuid(nb->idl, uuid);
            if (r && adopted_ids(&r->external_ids, row, &ids)) {
                nbrec_logical_switch_set_external_ids(r, &ids);
                smap_destroy(&ids);
            }
        } else if (!strcmp(row->table, "Logical_Switch_Port")) {
            const struct nbrec_logical_switch_port *r =
                nbrec_logical_switch_port_get_for_uuid(nb->idl, uuid);
            if (r && adopted_ids(&r->external_ids, row, &ids)) {
                nbrec_logical_switch_port_set_external_ids(r, &ids);
                smap_destroy(&ids);
            }
        } else if (!strcmp(row->table, "Logical_Router")) {
            const struct nbrec_logical_router *r =
                nbrec_logical_router_get_for_uuid(nb->idl, uuid);
            if (r && adopted_ids(&r->external_ids, row, &ids)) {
                nbrec_logical_router_set_external_ids(r, &ids);
                smap_destroy(&ids);
            }
        } else if (!strcmp(row->table, "Logical_Router_Port")) {
            const struct nbrec_logical_router_port *r =
                nbrec_logical_router_port_get_for_uuid(nb->idl, uuid);
            if (r && adopted_ids(&r->external_ids, row, &ids)) {
                nbrec_logical_router_port_set_external_ids(r, &ids);
                smap_destroy(&ids);
            }
        } else if (!strcmp(row->table, "Load_Balancer")) {
            const struct nbrec_load_balancer *r =
                nbrec_load_balancer_get_for_uuid(nb->idl, uuid);
            if (r && adopted_ids(&r->external_ids, row, &ids)) {
                nbrec_load_balancer_set_external_ids(r, &ids);
                smap_destroy(&ids);
            }
        }
    }
    return 0;
}
