/* NetworkPolicy decoding and the ACLs a policy becomes; see netpol.h. */
#include <config.h>

#include "crd/netpol.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "crd/ip.h"
#include "crd/names.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "sset.h"
#include "util.h"
#include "json/access.h"

static const char *const dir_field[NETPOL_N_DIRS] = {"ingress", "egress"};
static const char *const dir_peers[NETPOL_N_DIRS] = {"from", "to"};
static const char *const proto_name[] = {"tcp", "udp", "sctp"};

/* ---- Decoding ---- */

static int
parse_proto(const char *s, enum netpol_proto *proto)
{
    static const char *const names[] = {"TCP", "UDP", "SCTP"};

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i])) {
            *proto = i;
            return 0;
        }
    }
    return -EINVAL;
}

/* An IANA_SVC_NAME as Kubernetes validates it: 1..15 lowercase letters,
 * digits and '-', at least one letter, no "--", not starting or ending
 * with '-'. */
static bool
is_port_name(const char *s)
{
    size_t len = strlen(s);
    bool letter = false;

    if (!len || len > 15 || s[0] == '-' || s[len - 1] == '-' ||
        strstr(s, "--")) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (islower((unsigned char)s[i])) {
            letter = true;
        } else if (!isdigit((unsigned char)s[i]) && s[i] != '-') {
            return false;
        }
    }
    return letter;
}

static bool
json_int(const struct json *j, long long min, long long max, int *out)
{
    if (!j || j->type != JSON_INTEGER || json_integer(j) < min ||
        json_integer(j) > max) {
        return false;
    }
    *out = json_integer(j);
    return true;
}

static int
parse_port(const struct json *j, const char *path, struct netpol_port *p,
           struct kovn_error *err)
{
    const struct json *port = json_member(j, "port");
    const struct json *end = json_member(j, "endPort");
    const char *proto = NULL;

    if (!j || j->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL, "%s: expected an object", path);
    }
    if (json_member_string(j, "protocol", path, &proto, err)) {
        return -EINVAL;
    }
    if (proto && parse_proto(proto, &p->proto)) {
        return kovn_error_set(err, -EINVAL,
                              "%s.protocol: \"%.32s\" is not TCP, UDP or SCTP",
                              path, proto);
    }
    if (port && port->type == JSON_STRING) {
        if (!is_port_name(json_string(port))) {
            return kovn_error_set(err, -EINVAL,
                                  "%s.port: \"%.32s\" is not a port name",
                                  path, json_string(port));
        }
        p->name = xstrdup(json_string(port));
    } else if (port && port->type != JSON_NULL &&
               !json_int(port, 1, 65535, &p->port)) {
        return kovn_error_set(
            err, -EINVAL, "%s.port: expected 1..65535 or a port name", path);
    }
    if (end && end->type != JSON_NULL) {
        if (!p->port) {
            return kovn_error_set(
                err, -EINVAL, "%s.endPort: only with a numeric port", path);
        }
        if (!json_int(end, p->port, 65535, &p->end_port)) {
            return kovn_error_set(
                err, -EINVAL, "%s.endPort: expected %d..65535", path, p->port);
        }
    }
    return 0;
}

static int
parse_cidr(const struct json *j, const char *path, struct net_cidr *cidr,
           struct kovn_error *err)
{
    if (!j || j->type != JSON_STRING) {
        return kovn_error_set(err, -EINVAL, "%s: expected a CIDR string",
                              path);
    }
    /* Kubernetes accepts host bits ("10.0.0.1/8") and means the network. */
    if (net_cidr_parse(json_string(j), NET_CIDR_INTERFACE, cidr, err)) {
        kovn_error_prefix(err, "%s: ", path);
        return -EINVAL;
    }
    cidr->addr = net_cidr_first(cidr);
    return 0;
}

static int
parse_ip_block(const struct json *j, const char *path, struct netpol_peer *p,
               struct kovn_error *err)
{
    const struct json *except = NULL;
    char *sub = xasprintf("%s.cidr", path);
    int error = parse_cidr(json_member(j, "cidr"), sub, &p->cidr, err);

    free(sub);
    if (error || json_member_array(j, "except", path, &except, err)) {
        return -EINVAL;
    }
    if (!except) {
        return 0;
    }
    if (except->array.n > NETPOL_EXCEPT_MAX) {
        return kovn_error_set(err, -EINVAL, "%s.except: more than %d CIDRs",
                              path, NETPOL_EXCEPT_MAX);
    }
    p->except =
        xcalloc(except->array.n ? except->array.n : 1, sizeof *p->except);
    for (size_t i = 0; i < except->array.n; i++) {
        sub = xasprintf("%s.except[%zu]", path, i);
        error = parse_cidr(except->array.elems[i], sub, &p->except[i], err);
        free(sub);
        if (error) {
            return -EINVAL;
        }
        p->n_except++;
    }
    return 0;
}

static int
parse_selector(const struct json *j, const char *key, const char *path,
               bool *has, struct kube_selector *sel, struct kovn_error *err)
{
    const struct json *s = json_member(j, key);

    kube_selector_init(sel);
    if (!s || s->type == JSON_NULL) {
        return 0;
    }
    *has = true;
    if (kube_selector_from_json(s, sel, err)) {
        kovn_error_prefix(err, "%s.%s: ", path, key);
        return -EINVAL;
    }
    return 0;
}

static int
parse_peer(const struct json *j, const char *path, struct netpol_peer *p,
           struct kovn_error *err)
{
    const struct json *block = json_member(j, "ipBlock");

    if (!j || j->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL, "%s: expected an object", path);
    }
    if (parse_selector(j, "podSelector", path, &p->has_pod_selector,
                       &p->pod_selector, err) ||
        parse_selector(j, "namespaceSelector", path, &p->has_ns_selector,
                       &p->ns_selector, err)) {
        return -EINVAL;
    }
    if (block && block->type != JSON_NULL) {
        char *sub = xasprintf("%s.ipBlock", path);
        int error;

        if (p->has_pod_selector || p->has_ns_selector) {
            error = kovn_error_set(err, -EINVAL,
                                   "%s: ipBlock cannot be combined with a "
                                   "selector",
                                   path);
        } else {
            p->is_ip_block = true;
            error = parse_ip_block(block, sub, p, err);
        }
        free(sub);
        return error;
    }
    if (!p->has_pod_selector && !p->has_ns_selector) {
        return kovn_error_set(err, -EINVAL,
                              "%s: needs podSelector, namespaceSelector or "
                              "ipBlock",
                              path);
    }
    return 0;
}

static void
peer_destroy(struct netpol_peer *p)
{
    kube_selector_destroy(&p->pod_selector);
    kube_selector_destroy(&p->ns_selector);
    free(p->except);
}

static void
rule_clear(struct netpol_rule *r)
{
    for (size_t i = 0; i < r->n_peers; i++) {
        peer_destroy(&r->peers[i]);
    }
    free(r->peers);
    for (size_t i = 0; i < r->n_ports; i++) {
        free(r->ports[i].name);
    }
    free(r->ports);
    r->peers = NULL;
    r->ports = NULL;
    r->n_peers = r->n_ports = 0;
}

static int
parse_rule(const struct json *j, enum netpol_dir dir, const char *path,
           struct netpol_rule *r, bool *selects_namespaces,
           struct kovn_error *err)
{
    const struct json *peers = NULL, *ports = NULL;

    if (!j || j->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL, "%s: expected an object", path);
    }
    if (json_member_array(j, dir_peers[dir], path, &peers, err) ||
        json_member_array(j, "ports", path, &ports, err)) {
        return -EINVAL;
    }
    if (peers && peers->array.n > NETPOL_PEERS_MAX) {
        return kovn_error_set(err, -EINVAL, "%s.%s: more than %d peers", path,
                              dir_peers[dir], NETPOL_PEERS_MAX);
    }
    if (ports && ports->array.n > NETPOL_PORTS_MAX) {
        return kovn_error_set(err, -EINVAL, "%s.ports: more than %d ports",
                              path, NETPOL_PORTS_MAX);
    }
    if (peers && peers->array.n) {
        r->peers = xcalloc(peers->array.n, sizeof *r->peers);
        for (size_t i = 0; i < peers->array.n; i++) {
            char *sub = xasprintf("%s.%s[%zu]", path, dir_peers[dir], i);
            struct netpol_peer *p = &r->peers[r->n_peers++];
            int error = parse_peer(peers->array.elems[i], sub, p, err);

            free(sub);
            if (error) {
                return error;
            }
            *selects_namespaces = *selects_namespaces || p->has_ns_selector;
        }
    }
    if (ports && ports->array.n) {
        r->ports = xcalloc(ports->array.n, sizeof *r->ports);
        for (size_t i = 0; i < ports->array.n; i++) {
            char *sub = xasprintf("%s.ports[%zu]", path, i);
            int error = parse_port(ports->array.elems[i], sub,
                                   &r->ports[r->n_ports++], err);

            free(sub);
            if (error) {
                return error;
            }
        }
    }
    return 0;
}

static void
parse_rules(const struct json *spec, enum netpol_dir dir, struct netpol *np)
{
    const struct json *rules = json_member(spec, dir_field[dir]);
    struct kovn_error err = {0};
    size_t n;

    if (!rules || rules->type == JSON_NULL) {
        return;
    }
    if (rules->type != JSON_ARRAY) {
        np->n_rules[dir] = 1;
        np->rules[dir] = xcalloc(1, sizeof *np->rules[dir]);
        np->rules[dir][0].error =
            xasprintf("spec.%s: expected an array", dir_field[dir]);
        return;
    }
    n = MIN(rules->array.n, NETPOL_RULES_MAX + 1);
    np->rules[dir] = xcalloc(n ? n : 1, sizeof *np->rules[dir]);
    for (size_t i = 0; i < n; i++) {
        struct netpol_rule *r = &np->rules[dir][np->n_rules[dir]++];
        char *path = xasprintf("spec.%s[%zu]", dir_field[dir], i);

        if (i == NETPOL_RULES_MAX) {
            /* One rule stands for all past the limit. */
            r->error =
                xasprintf("spec.%s: more than %d rules; rules from "
                          "[%d] on are left out",
                          dir_field[dir], NETPOL_RULES_MAX, NETPOL_RULES_MAX);
        } else if (parse_rule(rules->array.elems[i], dir, path, r,
                              &np->selects_namespaces, &err)) {
            rule_clear(r);
            r->error = xstrdup(err.msg);
        }
        free(path);
    }
}

/* policyTypes, or Kubernetes' default: Ingress, and Egress when the spec
 * has egress rules. */
static int
parse_types(const struct json *spec, struct netpol *np, struct kovn_error *err)
{
    const struct json *types = NULL;
    const struct json *egress = json_member(spec, "egress");

    if (json_member_array(spec, "policyTypes", "spec", &types, err)) {
        return -EINVAL;
    }
    if (!types) {
        np->applies[NETPOL_INGRESS] = true;
        np->applies[NETPOL_EGRESS] =
            egress && egress->type == JSON_ARRAY && egress->array.n;
        return 0;
    }
    if (types->array.n > NETPOL_N_DIRS * 4) {
        return kovn_error_set(err, -EINVAL, "spec.policyTypes: too many");
    }
    for (size_t i = 0; i < types->array.n; i++) {
        const struct json *t = types->array.elems[i];

        if (t->type == JSON_STRING && !strcmp(json_string(t), "Ingress")) {
            np->applies[NETPOL_INGRESS] = true;
        } else if (t->type == JSON_STRING &&
                   !strcmp(json_string(t), "Egress")) {
            np->applies[NETPOL_EGRESS] = true;
        } else {
            return kovn_error_set(err, -EINVAL,
                                  "spec.policyTypes[%zu]: expected Ingress "
                                  "or Egress",
                                  i);
        }
    }
    return 0;
}

int
netpol_from_json(const struct json *obj, struct netpol *np,
                 struct kovn_error *err)
{
    const char *name = kube_object_name(obj);
    const char *ns = kube_object_namespace(obj);
    const char *uid = kube_object_uid(obj);
    const struct json *spec = NULL;
    struct kovn_error spec_err = {0};

    memset(np, 0, sizeof *np);
    if (!obj || obj->type != JSON_OBJECT || !name || !*name || !ns || !*ns) {
        return kovn_error_set(err, -EINVAL,
                              "NetworkPolicy: metadata.name and "
                              "metadata.namespace are required");
    }
    np->namespace = xstrdup(ns);
    np->name = xstrdup(name);
    np->key = xasprintf("%s/%s", ns, name);
    np->uid = xstrdup(uid ? uid : "");
    kube_selector_init_nothing(&np->pod_selector);

    if (json_member_object(obj, "spec", "", &spec, &spec_err) || !spec) {
        np->error = xstrdup("spec: expected an object");
        return 0;
    }
    /* A policy whose pods or directions are unknown cannot be applied in
     * part: it selects nothing. */
    const struct json *sel = json_member(spec, "podSelector");
    if (!sel || sel->type == JSON_NULL) {
        np->error = xstrdup("spec.podSelector: required");
        return 0;
    }
    if (kube_selector_from_json(sel, &np->pod_selector, &spec_err)) {
        np->error = xasprintf("spec.podSelector: %s", spec_err.msg);
        return 0;
    }
    if (parse_types(spec, np, &spec_err)) {
        kube_selector_destroy(&np->pod_selector);
        kube_selector_init_nothing(&np->pod_selector);
        np->error = xstrdup(spec_err.msg);
        return 0;
    }
    for (int dir = 0; dir < NETPOL_N_DIRS; dir++) {
        parse_rules(spec, dir, np);
    }
    return 0;
}

void
netpol_destroy(struct netpol *np)
{
    if (!np) {
        return;
    }
    for (int dir = 0; dir < NETPOL_N_DIRS; dir++) {
        for (size_t i = 0; i < np->n_rules[dir]; i++) {
            rule_clear(&np->rules[dir][i]);
            free(np->rules[dir][i].error);
        }
        free(np->rules[dir]);
    }
    kube_selector_destroy(&np->pod_selector);
    free(np->key);
    free(np->namespace);
    free(np->name);
    free(np->uid);
    free(np->error);
    memset(np, 0, sizeof *np);
}

void
netpol_warnings(const struct netpol *np, struct svec *out)
{
    if (np->error) {
        svec_add(out, np->error);
    }
    for (int dir = 0; dir < NETPOL_N_DIRS; dir++) {
        for (size_t i = 0; i < np->n_rules[dir]; i++) {
            if (np->rules[dir][i].error) {
                svec_add(out, np->rules[dir][i].error);
            }
        }
    }
}

char *
netpol_port_group_name(const char *ns, const char *name)
{
    char *pg = xasprintf("%s%s.%s", isdigit((unsigned char)name[0]) ? "_" : "",
                         name, ns);

    for (char *p = pg; *p; p++) {
        if (*p == '-') {
            *p = '.';
        }
    }
    return pg;
}

/* ---- Pods ---- */

static void
pod_ports_from_json(const struct json *spec, struct netpol_pod *pod)
{
    const struct json *containers = json_member(spec, "containers");

    if (!containers || containers->type != JSON_ARRAY) {
        return;
    }
    for (size_t i = 0; i < containers->array.n; i++) {
        const struct json *ports =
            json_member(containers->array.elems[i], "ports");

        if (!ports || ports->type != JSON_ARRAY) {
            continue;
        }
        for (size_t k = 0; k < ports->array.n; k++) {
            const struct json *p = ports->array.elems[k];
            const struct json *name = json_member(p, "name");
            const struct json *proto = json_member(p, "protocol");
            struct netpol_container_port cp = {.proto = NETPOL_TCP};

            if (pod->n_ports >= NETPOL_POD_PORTS_MAX) {
                return;
            }
            if (!name || name->type != JSON_STRING ||
                !is_port_name(json_string(name)) ||
                !json_int(json_member(p, "containerPort"), 1, 65535,
                          &cp.number) ||
                (proto && (proto->type != JSON_STRING ||
                           parse_proto(json_string(proto), &cp.proto)))) {
                continue;
            }
            if (!pod->ports) {
                pod->ports = xcalloc(NETPOL_POD_PORTS_MAX, sizeof *pod->ports);
            }
            cp.name = xstrdup(json_string(name));
            pod->ports[pod->n_ports++] = cp;
        }
    }
}

void
netpol_pod_from_json(const struct json *obj, struct netpol_pod *pod)
{
    const struct json *spec = json_member(obj, "spec");
    const char *ns = kube_object_namespace(obj);
    const char *name = kube_object_name(obj);
    struct smap ann = SMAP_INITIALIZER(&ann);
    const struct json *host = json_member(spec, "hostNetwork");

    memset(pod, 0, sizeof *pod);
    pod->namespace = xstrdup(ns ? ns : "");
    pod->name = xstrdup(name ? name : "");
    smap_init(&pod->labels);
    kube_object_labels(obj, &pod->labels);
    kube_object_annotations(obj, ANN_PREFIX, &ann);

    const char *allocated = smap_get(&ann, ANN_ALLOCATED);
    const char *ips = smap_get(&ann, ANN_IP_ADDRESS);
    if (!(host && host->type == JSON_TRUE) && allocated &&
        !strcmp(allocated, "true") && ips) {
        /* "a" or "a,b", an optional "/prefix" ignored, as pod.c reads it. */
        for (const char *p = ips; *p && pod->n_addrs < 2;) {
            size_t len = strcspn(p, ",");
            size_t alen = strcspn(p, ",/");

            if (!net_addr_parse_len(p, MIN(len, alen),
                                    &pod->addrs[pod->n_addrs], NULL)) {
                pod->n_addrs++;
            }
            p += len + (p[len] == ',');
        }
    }
    smap_destroy(&ann);
    pod_ports_from_json(spec, pod);
}

void
netpol_pod_destroy(struct netpol_pod *pod)
{
    if (!pod) {
        return;
    }
    free(pod->namespace);
    free(pod->name);
    smap_destroy(&pod->labels);
    for (size_t i = 0; i < pod->n_ports; i++) {
        free(pod->ports[i].name);
    }
    free(pod->ports);
    memset(pod, 0, sizeof *pod);
}

/* ---- Computing a policy's rows ---- */

/* Addresses of a rule's peer pods, one set per family, and the named ports
 * those pods (or, for ingress, the selected pods) offer. */
struct addr_set {
    struct sset v4, v6;
};

struct compute {
    const struct netpol *np;
    const struct netpol_world *world;
    struct netpol_acls *out;
    /* Namespace -> labels (struct smap *), read once when a peer has a
     * namespaceSelector. */
    struct shash ns_labels;
    bool ns_loaded;
};

static void
addr_set_init(struct addr_set *s)
{
    sset_init(&s->v4);
    sset_init(&s->v6);
}

static void
addr_set_destroy(struct addr_set *s)
{
    sset_destroy(&s->v4);
    sset_destroy(&s->v6);
}

/* Named ports as "name/proto/number". */
static void
add_named_ports(const struct netpol_pod *pod, struct sset *named)
{
    for (size_t i = 0; i < pod->n_ports; i++) {
        const struct netpol_container_port *cp = &pod->ports[i];

        sset_add_and_free(
            named, xasprintf("%s/%d/%d", cp->name, cp->proto, cp->number));
    }
}

static void
add_pod_addrs(const struct netpol_pod *pod, struct addr_set *set)
{
    for (size_t i = 0; i < pod->n_addrs; i++) {
        char buf[NET_ADDR_STRLEN];

        net_addr_format(&pod->addrs[i], buf);
        sset_add(pod->addrs[i].family == NET_V4 ? &set->v4 : &set->v6, buf);
    }
}

struct selected_ctx {
    const struct netpol *np;
    struct svec *ports;
    struct sset *named;
};

static void
collect_selected(const struct netpol_pod *pod, void *ctx_)
{
    struct selected_ctx *ctx = ctx_;

    if (strcmp(pod->namespace, ctx->np->namespace) ||
        !kube_selector_matches(&ctx->np->pod_selector, &pod->labels)) {
        return;
    }
    if (pod->n_addrs) {
        svec_add_nocopy(ctx->ports,
                        crd_ip_port_name(pod->name, pod->namespace));
    }
    add_named_ports(pod, ctx->named);
}

static void
load_namespace(const char *ns, const struct smap *labels, void *ctx_)
{
    struct compute *c = ctx_;
    struct smap *copy = xmalloc(sizeof *copy);

    smap_clone(copy, labels);
    shash_replace(&c->ns_labels, ns, copy);
}

struct peer_ctx {
    const struct netpol_peer *peer;
    struct addr_set *addrs;
    struct sset *named;
};

static void
collect_peer(const struct netpol_pod *pod, void *ctx_)
{
    struct peer_ctx *ctx = ctx_;

    if (ctx->peer && ctx->peer->has_pod_selector &&
        !kube_selector_matches(&ctx->peer->pod_selector, &pod->labels)) {
        return;
    }
    add_pod_addrs(pod, ctx->addrs);
    if (ctx->named) {
        add_named_ports(pod, ctx->named);
    }
}

/* The pods of selector peer 'p' of policy 'np': their addresses into
 * 'addrs', their named ports into 'named' (when nonnull). */
static void
collect_peer_pods(struct compute *c, const struct netpol_peer *p,
                  struct addr_set *addrs, struct sset *named)
{
    struct peer_ctx ctx = {p, addrs, named};
    struct shash_node *node;

    if (!p->has_ns_selector) {
        c->world->for_each_pod(c->world->aux, c->np->namespace, collect_peer,
                               &ctx);
        return;
    }
    if (!c->ns_loaded) {
        c->world->for_each_namespace(c->world->aux, load_namespace, c);
        c->ns_loaded = true;
    }
    SHASH_FOR_EACH(node, &c->ns_labels)
    {
        if (kube_selector_matches(&p->ns_selector, node->data)) {
            c->world->for_each_pod(c->world->aux, node->name, collect_peer,
                                   &ctx);
        }
    }
}

/* The numbers named 'name' for 'proto' in 'named', into 'numbers'. */
static void
resolve_named(const struct sset *named, const char *name,
              enum netpol_proto proto, struct sset *numbers)
{
    size_t len = strlen(name);
    const char *entry;

    SSET_FOR_EACH(entry, named)
    {
        int p, n;

        if (!strncmp(entry, name, len) && entry[len] == '/' &&
            sscanf(entry + len + 1, "%d/%d", &p, &n) == 2 && p == (int)proto) {
            sset_add_and_free(numbers, xasprintf("%d", n));
        }
    }
}

/* The port part of a rule's match: "" for every port, else a disjunction
 * "(tcp.dst == 80 || udp)"; NULL when no port can match (only named ports
 * that no candidate pod has). */
static char *
ports_match(const struct netpol_rule *r, const struct sset *named)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n = 0;

    if (!r->n_ports) {
        return xstrdup("");
    }
    for (size_t i = 0; i < r->n_ports; i++) {
        const struct netpol_port *p = &r->ports[i];
        const char *proto = proto_name[p->proto];

        if (p->name) {
            struct sset numbers = SSET_INITIALIZER(&numbers);
            const char **sorted;

            resolve_named(named, p->name, p->proto, &numbers);
            sorted = sset_sort(&numbers);
            for (size_t k = 0; sorted[k]; k++) {
                ds_put_format(&s, "%s%s.dst == %s", n++ ? " || " : "", proto,
                              sorted[k]);
            }
            free(sorted);
            sset_destroy(&numbers);
        } else if (!p->port) {
            ds_put_format(&s, "%s%s", n++ ? " || " : "", proto);
        } else if (p->end_port && p->end_port != p->port) {
            ds_put_format(&s, "%s(%s.dst >= %d && %s.dst <= %d)",
                          n++ ? " || " : "", proto, p->port, proto,
                          p->end_port);
        } else {
            ds_put_format(&s, "%s%s.dst == %d", n++ ? " || " : "", proto,
                          p->port);
        }
    }
    if (!n) {
        ds_destroy(&s);
        return NULL;
    }
    char *m = xasprintf("(%s)", ds_cstr(&s));
    ds_destroy(&s);
    return m;
}

static void
add_acl(struct compute *c, enum netpol_dir dir, int priority,
        const char *action, char *match, const char *what)
{
    struct netpol_acls *out = c->out;

    if (out->n_acls >= NETPOL_ACLS_MAX) {
        svec_add_nocopy(&out->warnings,
                        xasprintf("%s: more than %d ACLs; left out", what,
                                  NETPOL_ACLS_MAX));
        free(match);
        return;
    }
    if (strlen(match) > NETPOL_MATCH_MAX) {
        svec_add_nocopy(&out->warnings,
                        xasprintf("%s: match longer than %d bytes; left out",
                                  what, NETPOL_MATCH_MAX));
        free(match);
        return;
    }
    out->acls = xrealloc(out->acls, (out->n_acls + 1) * sizeof *out->acls);
    out->acls[out->n_acls++] = (struct netpol_acl){
        .direction = dir == NETPOL_INGRESS ? "to-lport" : "from-lport",
        .priority = priority,
        .action = action,
        .match = match,
    };
}

static void
add_set(struct compute *c, char *name, const struct sset *addrs)
{
    struct netpol_acls *out = c->out;
    struct netpol_address_set *set;
    const char **sorted = sset_sort(addrs);
    size_t n = 0;

    out->sets = xrealloc(out->sets, (out->n_sets + 1) * sizeof *out->sets);
    set = &out->sets[out->n_sets++];
    set->name = name;
    set->addrs =
        xcalloc(sset_count(addrs) ? sset_count(addrs) : 1, sizeof *set->addrs);
    for (size_t i = 0; sorted[i]; i++) {
        struct net_addr a;

        if (!net_addr_parse(sorted[i], &a, NULL)) {
            set->addrs[n].addr = a;
            set->addrs[n++].prefix = net_family_bits(a.family);
        }
    }
    set->n_addrs = n;
    free(sorted);
}

static const char *
ipf(enum net_family family)
{
    return family == NET_V4 ? "ip4" : "ip6";
}

/* "ip4.src == 10.0.0.0/8 && ip4.src != {10.1.0.0/16}" */
static char *
ip_block_term(const struct netpol_peer *p, const char *field)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[NET_CIDR_STRLEN];
    size_t n = 0;

    net_cidr_format(&p->cidr, buf);
    ds_put_format(&s, "%s.%s == %s", ipf(p->cidr.addr.family), field, buf);
    for (size_t i = 0; i < p->n_except; i++) {
        if (p->except[i].addr.family != p->cidr.addr.family) {
            continue;
        }
        net_cidr_format(&p->except[i], buf);
        if (n++) {
            ds_put_format(&s, ", %s", buf);
        } else {
            ds_put_format(&s, " && %s.%s != {%s", ipf(p->cidr.addr.family),
                          field, buf);
        }
    }
    if (n) {
        ds_put_char(&s, '}');
    }
    return ds_steal_cstr(&s);
}

static void
compute_rule(struct compute *c, enum netpol_dir dir, size_t idx,
             const struct netpol_rule *r, const struct sset *selected_named)
{
    const char *port_dir = dir == NETPOL_INGRESS ? "outport" : "inport";
    const char *field = dir == NETPOL_INGRESS ? "src" : "dst";
    char *what = xasprintf("spec.%s[%zu]", dir_field[dir], idx);
    struct sset peer_named = SSET_INITIALIZER(&peer_named);
    struct addr_set addrs;
    bool has_selector_peers = false;
    char *ports;

    addr_set_init(&addrs);
    /* Named ports are the destination's: the selected pods' for ingress,
     * the peers' for egress (every pod's when the rule names no peer). */
    for (size_t i = 0; i < r->n_peers; i++) {
        if (!r->peers[i].is_ip_block) {
            has_selector_peers = true;
            collect_peer_pods(c, &r->peers[i], &addrs,
                              dir == NETPOL_EGRESS ? &peer_named : NULL);
        }
    }
    bool named = false;
    for (size_t i = 0; i < r->n_ports; i++) {
        named = named || r->ports[i].name;
    }
    if (dir == NETPOL_EGRESS && !r->n_peers && named) {
        struct addr_set unused;
        struct peer_ctx ctx = {NULL, &unused, &peer_named};

        addr_set_init(&unused);
        c->world->for_each_pod(c->world->aux, NULL, collect_peer, &ctx);
        addr_set_destroy(&unused);
    }
    ports =
        ports_match(r, dir == NETPOL_INGRESS ? selected_named : &peer_named);
    if (!ports) {
        goto out;
    }
    const char *and_ports = *ports ? " && " : "";
    if (!r->n_peers) {
        add_acl(c, dir, NETPOL_ALLOW_PRIORITY, "allow-related",
                xasprintf("%s == @%s && ip%s%s", port_dir, c->out->port_group,
                          and_ports, ports),
                what);
    }
    if (has_selector_peers) {
        const struct sset *fam[2] = {&addrs.v4, &addrs.v6};
        const enum net_family fams[2] = {NET_V4, NET_V6};

        for (int f = 0; f < 2; f++) {
            if (sset_is_empty(fam[f])) {
                continue;
            }
            char *as = xasprintf("%s.%s.allow.%zu.%s", c->out->port_group,
                                 dir_field[dir], idx, ipf(fams[f]));
            add_acl(c, dir, NETPOL_ALLOW_PRIORITY, "allow-related",
                    xasprintf("%s == @%s && %s.%s == $%s%s%s", port_dir,
                              c->out->port_group, ipf(fams[f]), field, as,
                              and_ports, ports),
                    what);
            add_set(c, as, fam[f]);
        }
    }
    for (size_t i = 0; i < r->n_peers; i++) {
        if (r->peers[i].is_ip_block) {
            char *term = ip_block_term(&r->peers[i], field);

            add_acl(c, dir, NETPOL_ALLOW_PRIORITY, "allow-related",
                    xasprintf("%s == @%s && %s%s%s", port_dir,
                              c->out->port_group, term, and_ports, ports),
                    what);
            free(term);
        }
    }
out:
    free(ports);
    free(what);
    addr_set_destroy(&addrs);
    sset_destroy(&peer_named);
}

void
netpol_compute(const struct netpol *np, const struct netpol_world *world,
               struct netpol_acls *out)
{
    struct sset selected_named = SSET_INITIALIZER(&selected_named);
    struct compute c = {np, world, out, SHASH_INITIALIZER(&c.ns_labels),
                        false};
    struct shash_node *node;

    memset(out, 0, sizeof *out);
    out->port_group = netpol_port_group_name(np->namespace, np->name);
    svec_init(&out->ports);
    svec_init(&out->warnings);
    if (np->error) {
        goto out;
    }

    struct selected_ctx sctx = {np, &out->ports, &selected_named};
    world->for_each_pod(world->aux, np->namespace, collect_selected, &sctx);
    svec_sort_unique(&out->ports);

    for (int dir = 0; dir < NETPOL_N_DIRS; dir++) {
        const char *port_dir = dir == NETPOL_INGRESS ? "outport" : "inport";
        const char *field = dir == NETPOL_INGRESS ? "src" : "dst";

        if (!np->applies[dir]) {
            continue;
        }
        add_acl(&c, dir, NETPOL_DROP_PRIORITY, "drop",
                xasprintf("%s == @%s && ip", port_dir, out->port_group),
                dir_field[dir]);
        /* The nodes (kubelet probes, the node's own connections) keep
         * reaching selected pods, and the pods the nodes. */
        for (size_t i = 0; i < world->n_node_cidrs; i++) {
            char buf[NET_CIDR_STRLEN];

            net_cidr_format(&world->node_cidrs[i], buf);
            add_acl(&c, dir, NETPOL_ALLOW_PRIORITY, "allow-related",
                    xasprintf(
                        "%s == @%s && %s.%s == %s", port_dir, out->port_group,
                        ipf(world->node_cidrs[i].addr.family), field, buf),
                    dir_field[dir]);
        }
        for (size_t i = 0; i < np->n_rules[dir]; i++) {
            if (!np->rules[dir][i].error) {
                compute_rule(&c, dir, i, &np->rules[dir][i], &selected_named);
            }
        }
    }
out:
    sset_destroy(&selected_named);
    SHASH_FOR_EACH(node, &c.ns_labels)
    {
        smap_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&c.ns_labels);
}

void
netpol_acls_destroy(struct netpol_acls *acls)
{
    if (!acls) {
        return;
    }
    free(acls->port_group);
    svec_destroy(&acls->ports);
    for (size_t i = 0; i < acls->n_sets; i++) {
        free(acls->sets[i].name);
        free(acls->sets[i].addrs);
    }
    free(acls->sets);
    for (size_t i = 0; i < acls->n_acls; i++) {
        free(acls->acls[i].match);
    }
    free(acls->acls);
    svec_destroy(&acls->warnings);
    memset(acls, 0, sizeof *acls);
}

/* ---- The set of policies ---- */

void
crd_netpols_init(struct crd_netpols *set)
{
    shash_init(&set->by_key);
}

void
crd_netpols_destroy(struct crd_netpols *set)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &set->by_key)
    {
        netpol_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&set->by_key);
}

void
crd_netpols_put(struct crd_netpols *set, const char *key, struct netpol *np)
{
    struct netpol *old = shash_find_and_delete(&set->by_key, key);

    if (old) {
        netpol_destroy(old);
        free(old);
    }
    if (np) {
        shash_add(&set->by_key, key, np);
    }
}

const struct netpol *
crd_netpols_get(const struct crd_netpols *set, const char *key)
{
    return shash_find_data(&set->by_key, key);
}
