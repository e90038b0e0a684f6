/* Fuzz target for the NetworkPolicy decoder and netpol_compute(): any JSON
 * gives a policy or a clear error, never a crash or a leak; a decoded
 * policy respects its limits (a rule is an error or has content, never
 * both); and its rows, computed against a world of one pod (the same input
 * read as a pod) and one namespace, stay within the ACL and match limits
 * with kovn's priorities and actions only. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crd/netpol.h"
#include "net/cidr.h"
#include "openvswitch/json.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one_pod(const void *pod, const char *ns, netpol_pod_fn *fn, void *aux)
{
    const struct netpol_pod *p = pod;

    if (!ns || !strcmp(ns, p->namespace)) {
        fn(p, aux);
    }
}

static void
one_namespace(const void *pod, netpol_namespace_fn *fn, void *aux)
{
    const struct netpol_pod *p = pod;

    /* The pod's labels stand for its namespace's. */
    fn(p->namespace, &p->labels, aux);
}

static void
check_rules(const struct netpol *np)
{
    for (int dir = 0; dir < NETPOL_N_DIRS; dir++) {
        if (np->n_rules[dir] > NETPOL_RULES_MAX + 1) {
            abort();
        }
        for (size_t i = 0; i < np->n_rules[dir]; i++) {
            const struct netpol_rule *r = &np->rules[dir][i];

            if ((r->error && (r->n_peers || r->n_ports)) ||
                r->n_peers > NETPOL_PEERS_MAX ||
                r->n_ports > NETPOL_PORTS_MAX) {
                abort();
            }
            for (size_t k = 0; k < r->n_ports; k++) {
                const struct netpol_port *p = &r->ports[k];
                if (p->port < 0 || p->port > 65535 ||
                    (p->end_port && p->end_port < p->port) ||
                    (p->name && p->port)) {
                    abort();
                }
            }
            for (size_t k = 0; k < r->n_peers; k++) {
                if (r->peers[k].n_except > NETPOL_EXCEPT_MAX) {
                    abort();
                }
            }
        }
    }
}

static void
check_rows(const struct netpol *np, const struct netpol_pod *pod)
{
    struct net_cidr join;
    struct netpol_world world = {
        .for_each_pod = one_pod,
        .for_each_namespace = one_namespace,
        .node_cidrs = &join,
        .n_node_cidrs = 1,
        .aux = pod,
    };
    struct netpol_acls out;

    if (net_cidr_parse("100.64.0.0/16", NET_CIDR_NETWORK, &join, NULL)) {
        abort();
    }
    netpol_compute(np, &world, &out);
    if (out.n_acls > NETPOL_ACLS_MAX || !out.port_group ||
        (np->error && (out.n_acls || out.ports.n))) {
        abort();
    }
    for (size_t i = 0; i < out.n_acls; i++) {
        const struct netpol_acl *a = &out.acls[i];

        if (strlen(a->match) > NETPOL_MATCH_MAX ||
            (a->priority != NETPOL_DROP_PRIORITY &&
             a->priority != NETPOL_ALLOW_PRIORITY) ||
            (strcmp(a->action, "drop") &&
             strcmp(a->action, "allow-related")) ||
            strpbrk(a->match, "\n\r")) {
            abort();
        }
    }
    for (size_t i = 0; i < out.n_sets; i++) {
        if (!out.sets[i].n_addrs) {
            abort(); /* An empty set is never referenced, so never made. */
        }
    }
    netpol_acls_destroy(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *obj = json_from_string(text);
    struct netpol_pod pod;
    struct netpol np;

    netpol_pod_from_json(obj, &pod);
    if (!pod.namespace || !pod.name || pod.n_addrs > 2 ||
        pod.n_ports > NETPOL_POD_PORTS_MAX) {
        abort();
    }
    if (!netpol_from_json(obj, &np, NULL)) {
        struct svec warnings = SVEC_EMPTY_INITIALIZER;

        if (!np.key || !np.namespace || !np.name || !np.uid) {
            abort();
        }
        check_rules(&np);
        netpol_warnings(&np, &warnings);
        svec_destroy(&warnings);
        check_rows(&np, &pod);
        netpol_destroy(&np);
    }
    netpol_pod_destroy(&pod);
    json_destroy(obj);
    free(text);
    return 0;
}
