/* Address claims and where a takeover could not keep them; see claims.h. */
#include <config.h>

#include "cli/claims.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crd/model.h"
#include "crd/subnet.h"
#include "net/addr.h"
#include "openvswitch/shash.h"
#include "util.h"

void
cli_claims_init(struct cli_claims *claims)
{
    memset(claims, 0, sizeof *claims);
}

void
cli_claims_destroy(struct cli_claims *claims)
{
    for (size_t i = 0; i < claims->n; i++) {
        struct cli_claim *c = &claims->list[i];

        free(c->name);
        free(c->pod);
        free(c->subnet);
        free(c->addresses);
        free(c->mac);
    }
    free(claims->list);
    memset(claims, 0, sizeof *claims);
}

void
cli_claims_add(struct cli_claims *claims, bool from_ip, const char *name,
               const char *pod, const char *subnet, const char *addresses,
               const char *mac)
{
    struct cli_claim *c;

    if (claims->n == claims->allocated) {
        claims->list =
            x2nrealloc(claims->list, &claims->allocated, sizeof *claims->list);
    }
    c = &claims->list[claims->n++];
    c->from_ip = from_ip;
    c->name = xstrdup(name ? name : "");
    c->pod = xstrdup(pod ? pod : "");
    c->subnet = xstrdup(subnet ? subnet : "");
    c->addresses = xstrdup(addresses ? addresses : "");
    c->mac = xstrdup(mac ? mac : "");
}

/* IP objects first, each group by name: the order of the restore. */
static int
compare_claims(const void *a_, const void *b_)
{
    const struct cli_claim *const *a = a_, *const *b = b_;

    if ((*a)->from_ip != (*b)->from_ip) {
        return (*a)->from_ip ? -1 : 1;
    }
    return strcmp((*a)->name, (*b)->name);
}

static const char *
kind_of(const struct cli_claim *c)
{
    return c->from_ip ? "IP" : "Pod";
}

static char *
claimant(const struct cli_claim *c)
{
    return xasprintf("%s %s", c->from_ip ? "IP" : "pod", c->name);
}

/* Why the claim's addresses cannot be restored in its subnet, or NULL. */
static char *
misfit(const struct cli_claim *c, const struct crd_model *model)
{
    const struct subnet *subnet = crd_model_subnet(model, c->subnet);
    char *text = xstrdup(c->addresses), *save = NULL, *why = NULL;

    if (!*c->subnet || !*c->addresses) {
        why = xstrdup("names no subnet or no address");
    } else if (!subnet) {
        why = xasprintf("its subnet %s does not exist", c->subnet);
    } else if (!subnet_is_valid(subnet)) {
        why = xasprintf("its subnet %s is invalid", c->subnet);
    }
    for (char *a = strtok_r(text, ",", &save); a && !why;
         a = strtok_r(NULL, ",", &save)) {
        struct net_addr addr;
        char *slash = strchr(a, '/');

        if (slash) {
            *slash = '\0'; /* "a/prefix", as Kube-OVN may write it. */
        }
        if (net_addr_parse(a, &addr, NULL)) {
            why = xasprintf("\"%s\" is not an address", a);
        } else if (!subnet_contains(subnet, &addr)) {
            why = xasprintf("%s is not an address of subnet %s (%s)", a,
                            c->subnet, subnet->cidr_block);
        }
    }
    free(text);
    return why;
}

/* Records the addresses and the MAC of 'c' as taken, as the controller's
 * address book would, unless one of them is an earlier claim's of another
 * pod: then nothing is taken (the restore fails whole) and that claim is
 * returned, with '*mac' telling whether it was the MAC that collided. */
static const struct cli_claim *
take(const struct cli_claim *c, struct shash *taken, bool *mac)
{
    const struct cli_claim *other = NULL;
    char *text = xstrdup(c->addresses), *save = NULL;
    struct shash keys = SHASH_INITIALIZER(&keys);
    struct shash_node *node;

    for (char *a = strtok_r(text, ",", &save); a;
         a = strtok_r(NULL, ",", &save)) {
        char *slash = strchr(a, '/');
        char *key;

        if (slash) {
            *slash = '\0';
        }
        key = xasprintf("%s\t%s", c->subnet, a);
        shash_add_once(&keys, key, NULL);
        free(key);
    }
    if (*c->mac) {
        char *key = xasprintf("mac\t%s", c->mac);
        shash_add_once(&keys, key, c->mac);
        free(key);
    }
    /* Addresses are taken before the MAC, as in addresses_take(). */
    SHASH_FOR_EACH(node, &keys)
    {
        const struct cli_claim *holder = shash_find_data(taken, node->name);

        if (holder && strcmp(holder->pod, c->pod) &&
            (!other || (*mac && !node->data))) {
            other = holder;
            *mac = node->data != NULL;
        }
    }
    if (!other) {
        SHASH_FOR_EACH(node, &keys)
        {
            shash_add_once(taken, node->name, c);
        }
    }
    shash_destroy(&keys);
    free(text);
    return other;
}

void
cli_claims_check(const struct cli_claims *claims,
                 const struct crd_model *model, cli_claim_problem_fn *report,
                 void *aux)
{
    const struct cli_claim **order =
        xmalloc(MAX(claims->n, 1) * sizeof *order);
    struct shash by_pod = SHASH_INITIALIZER(&by_pod); /* IP claims */
    struct shash taken = SHASH_INITIALIZER(&taken);

    for (size_t i = 0; i < claims->n; i++) {
        order[i] = &claims->list[i];
    }
    qsort(order, claims->n, sizeof *order, compare_claims);

    for (size_t i = 0; i < claims->n; i++) {
        const struct cli_claim *c = order[i];
        const struct cli_claim *ip =
            c->from_ip || !*c->pod ? NULL : shash_find_data(&by_pod, c->pod);
        const struct cli_claim *other;
        bool mac = false;
        char *why;

        if (ip) {
            /* Restored from its IP object: the annotations only matter
             * where they disagree. */
            if (strcmp(ip->subnet, c->subnet) ||
                strcmp(ip->addresses, c->addresses) ||
                (*c->mac && strcmp(ip->mac, c->mac))) {
                report(kind_of(c), c->name,
                       xasprintf("annotations say %s %s in %s, IP object %s "
                                 "says %s %s in %s: the IP object wins and "
                                 "the pod's annotations change",
                                 c->addresses, c->mac, c->subnet, ip->name,
                                 ip->addresses, ip->mac, ip->subnet),
                       aux);
            }
            continue;
        }
        if (c->from_ip && *c->pod) {
            shash_add_once(&by_pod, c->pod, c);
        }
        why = misfit(c, model);
        if (why) {
            report(kind_of(c), c->name,
                   xasprintf("cannot be restored: %s; the pod, still "
                             "annotated with it, gets no port until it is "
                             "re-addressed",
                             why),
                   aux);
            free(why);
            continue;
        }
        other = take(c, &taken, &mac);
        if (other) {
            char *holder = claimant(other);

            report(kind_of(c), c->name,
                   xasprintf("%s %s%s%s is also %s's: the pod, still "
                             "annotated with it, gets no port (event "
                             "IPConflict) until one of them is re-addressed",
                             mac ? "MAC" : "address",
                             mac ? c->mac : c->addresses, mac ? "" : " in ",
                             mac ? "" : c->subnet, holder),
                   aux);
            free(holder);
        }
    }
    shash_destroy(&taken);
    shash_destroy(&by_pod);
    free(order);
}
