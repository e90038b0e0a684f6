/* Paged lists of a cluster's objects, reduced to what the commands need;
 * see cluster.h. */
#include <config.h>

#include "cli/cluster.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/progress.h"
#include "crd/names.h"
#include "kube/kubeconfig.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

/* The namespace annotations kovn-controller writes, the ones worth
 * keeping from each namespace. */
static const char *const ns_annotations[] = {
    ANN_LOGICAL_SWITCH,
    ANN_CIDR,
    ANN_EXCLUDE_IPS,
    ANN_IP_POOL,
};

typedef void item_fn(struct cli_cluster *cluster, const struct json *item);

int
cli_cluster_client(const char *kubeconfig, const char *context,
                   struct kube_client **client, struct kovn_error *err)
{
    struct kube_client_options options = {.user_agent = "kubectl-kovn"};
    struct kube_config config;
    int error;

    *client = NULL;
    kube_config_init(&config);
    error = kube_config_load(kubeconfig, context, &config, err);
    if (error) {
        const char *env = getenv("KUBECONFIG");

        /* kube_config_load() fell back to the in-cluster account: say
         * what was looked for before it. */
        if (!kubeconfig && !(env && *env) && err &&
            strstr(err->msg, "KUBERNETES_SERVICE_HOST")) {
            kovn_error_prefix(err, "no kubeconfig (--kubeconfig, $KUBECONFIG, "
                                   "~/.kube/config) and ");
        }
    } else {
        *client = kube_client_create(&config, &options, err);
        if (!*client) {
            error = err && err->code ? err->code : -EINVAL;
        }
    }
    kube_config_destroy(&config);
    return error;
}

int
cli_cluster_http_error(const struct kube_response *response, const char *what,
                       const char *hint, struct kovn_error *err)
{
    int code = -EPROTO;

    if (response->status == 401) {
        code = -EACCES;
        hint = hint ? hint : "check the kubeconfig's credentials";
    } else if (response->status == 403) {
        code = -EACCES;
    } else if (response->status == 404) {
        code = -ENOENT;
    }
    return kovn_error_set(
        err, code, "%s: HTTP %ld %s: %s%s%s", what, response->status,
        *response->reason ? response->reason : "error",
        *response->message ? response->message : "no message",
        hint ? "; " : "", hint ? hint : "");
}

/* Continue tokens are opaque: escape everything but unreserved bytes. */
static void
put_query_escaped(struct ds *ds, const char *s)
{
    for (; *s; s++) {
        unsigned char c = *s;

        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            ds_put_char(ds, c);
        } else {
            ds_put_format(ds, "%%%02X", c);
        }
    }
}

/* GETs 'path' page by page and hands each item to 'fn', counting pages
 * and items on 'progress' as they arrive.  'what' names the resource in
 * errors; its part before the first dot in the progress line. */
static int
list_all(struct cli_cluster *cluster, struct kube_client *client,
         const char *path, const char *what, item_fn *fn,
         struct cli_progress *progress, struct kovn_error *err)
{
    struct kube_response response = {0};
    struct ds url = DS_EMPTY_INITIALIZER;
    char *kind = xmemdup0(what, strcspn(what, "."));
    size_t n_items = 0, n_pages = 0;
    char *cont = NULL;
    int error;

    cli_progress_read(progress, kind, 0, 0);

    do {
        const struct json *items = NULL, *metadata = NULL;
        const char *next = NULL;

        ds_clear(&url);
        ds_put_format(&url, "%s?limit=%d", path, CLI_PAGE_SIZE);
        if (cont) {
            ds_put_cstr(&url, "&continue=");
            put_query_escaped(&url, cont);
        }
        kube_response_destroy(&response);
        error = kube_client_call(client, "GET", ds_cstr(&url), NULL, NULL,
                                 &response, err);
        if (error) {
            kovn_error_prefix(err, "listing %s: ", what);
            break;
        }
        if (response.status != 200) {
            char *context = xasprintf("listing %s", what);
            const char *hint = NULL;

            if (response.status == 404 && strstr(path, "kubeovn.io")) {
                hint = "are kovn's CRDs installed (deploy/crd-*.yaml)?";
            } else if (response.status == 410) {
                hint = "the list expired while paging, run again";
            }
            error = cli_cluster_http_error(&response, context, hint, err);
            free(context);
            break;
        }
        if (json_member_array(response.body, "items", "items", &items, err) ||
            json_member_object(response.body, "metadata", "metadata",
                               &metadata, err) ||
            json_member_string(metadata, "continue", "metadata.continue",
                               &next, err)) {
            error = -EPROTO;
            kovn_error_prefix(err, "listing %s: ", what);
            break;
        }
        n_items += items ? json_array(items)->n : 0;
        if (n_items > CLI_LIST_MAX) {
            error =
                kovn_error_set(err, -EFBIG, "listing %s: more than %d objects",
                               what, CLI_LIST_MAX);
            break;
        }
        for (size_t i = 0; items && i < json_array(items)->n; i++) {
            fn(cluster, json_array(items)->elems[i]);
        }
        cli_progress_read(progress, kind, n_items, ++n_pages);
        free(cont);
        cont = next && *next ? xstrdup(next) : NULL;
    } while (cont);

    kube_response_destroy(&response);
    free(cont);
    free(kind);
    ds_destroy(&url);
    return error;
}

void
cli_cluster_finalizers(const struct json *obj, struct svec *out)
{
    const struct json *list =
        json_member(json_member(obj, "metadata"), "finalizers");

    for (size_t i = 0;
         list && list->type == JSON_ARRAY && i < json_array(list)->n; i++) {
        const struct json *item = json_array(list)->elems[i];
        if (item->type == JSON_STRING) {
            svec_add(out, json_string(item));
        }
    }
}

static void
deleting_vpc_free(struct cli_deleting_vpc *vpc)
{
    if (vpc) {
        free(vpc->deletion_timestamp);
        svec_destroy(&vpc->finalizers);
        free(vpc);
    }
}

/* When and by what finalizers object 'obj', being deleted, is held. */
static void
read_deletion(const struct json *obj, char **deletion_timestamp,
              struct svec *finalizers)
{
    const char *deleted_at = NULL;

    json_member_string(json_member(obj, "metadata"), "deletionTimestamp", "",
                       &deleted_at, NULL);
    *deletion_timestamp = xstrdup(deleted_at ? deleted_at : "");
    svec_init(finalizers);
    cli_cluster_finalizers(obj, finalizers);
}

static void
add_vpc(struct cli_cluster *cluster, const struct json *obj)
{
    struct cli_deleting_vpc *deleting;
    const struct vpc *vpc;

    vpc = crd_model_put_vpc(cluster->model, obj);
    if (!vpc || !vpc->deleting) {
        return;
    }
    /* Why a Vpc is stuck is told by its finalizers and the subnets still
     * naming it; the latter are in the model already. */
    deleting = xzalloc(sizeof *deleting);
    read_deletion(obj, &deleting->deletion_timestamp, &deleting->finalizers);
    /* A list names each object once; a server that repeats one gets the
     * last copy. */
    deleting_vpc_free(
        shash_replace(&cluster->deleting_vpcs, vpc->name, deleting));
}

static void
deleting_subnet_free(struct cli_deleting_subnet *subnet)
{
    if (subnet) {
        free(subnet->deletion_timestamp);
        svec_destroy(&subnet->finalizers);
        sset_destroy(&subnet->ips);
        free(subnet);
    }
}

static void
add_subnet(struct cli_cluster *cluster, const struct json *obj)
{
    struct cli_deleting_subnet *deleting;
    const struct subnet *subnet;

    subnet = crd_model_put_subnet(cluster->model, obj);
    if (!subnet || !subnet->deleting) {
        return;
    }
    deleting = xzalloc(sizeof *deleting);
    read_deletion(obj, &deleting->deletion_timestamp, &deleting->finalizers);
    sset_init(&deleting->ips);
    deleting_subnet_free(
        shash_replace(&cluster->deleting_subnets, subnet->name, deleting));
}

static void
add_ippool(struct cli_cluster *cluster, const struct json *obj)
{
    crd_model_put_ippool(cluster->model, obj);
}

static void
add_user(struct cli_cluster *cluster, const char *subnet, const char *ns,
         const char *pod)
{
    struct sset *users;

    if (!subnet || !sset_contains(&cluster->orphans, subnet)) {
        return;
    }
    users = shash_find_data(&cluster->users, subnet);
    if (!users) {
        users = xmalloc(sizeof *users);
        sset_init(users);
        shash_add(&cluster->users, subnet, users);
    }
    sset_add_and_free(users, xasprintf("%s/%s", ns, pod));
}

static void
add_ip(struct cli_cluster *cluster, const struct json *obj)
{
    const struct json *spec = json_member(obj, "spec");
    const char *subnet = NULL, *ns = NULL, *pod = NULL;
    const char *name = kube_object_name(obj);

    json_member_string(spec, "subnet", "", &subnet, NULL);
    json_member_string(spec, "namespace", "", &ns, NULL);
    json_member_string(spec, "podName", "", &pod, NULL);
    cluster->n_ips++;
    if ((cluster->load & CLI_LOAD_COUNTS) && subnet && *subnet) {
        size_t *count = shash_find_data(&cluster->ips_by_subnet, subnet);
        if (!count) {
            count = xzalloc(sizeof *count);
            shash_add(&cluster->ips_by_subnet, subnet, count);
        }
        (*count)++;
    }
    if ((cluster->load & CLI_LOAD_CLAIMS) && name) {
        const char *v4 = NULL, *v6 = NULL, *addresses = NULL, *mac = NULL;
        char *pod_key =
            ns && *ns && pod && *pod ? xasprintf("%s/%s", ns, pod) : NULL;
        char *both;

        /* As the controller restores it: v4/v6 first, then ipAddress. */
        json_member_string(spec, "v4IpAddress", "", &v4, NULL);
        json_member_string(spec, "v6IpAddress", "", &v6, NULL);
        json_member_string(spec, "ipAddress", "", &addresses, NULL);
        json_member_string(spec, "macAddress", "", &mac, NULL);
        v4 = v4 ? v4 : "";
        v6 = v6 ? v6 : "";
        both = xasprintf("%s%s%s", v4, *v4 && *v6 ? "," : "", v6);
        cli_claims_add(&cluster->claims, true, name, pod_key, subnet,
                       *both ? both : addresses, mac);
        free(both);
        free(pod_key);
    }
    if (subnet && name) {
        struct cli_deleting_subnet *deleting =
            shash_find_data(&cluster->deleting_subnets, subnet);

        if (deleting) {
            sset_add_and_free(&deleting->ips,
                              xasprintf("%s\t%s%s%s", name,
                                        ns && *ns ? ns : "",
                                        ns && *ns && pod && *pod ? "/" : "",
                                        ns && *ns && pod && *pod ? pod : ""));
        }
    }
    if (ns && *ns && pod && *pod) {
        add_user(cluster, subnet, ns, pod);
    } else if (name) {
        /* Named "<pod>.<namespace>"; a namespace has no dots. */
        const char *dot = strrchr(name, '.');
        char *pod_name = xstrdup(name);

        if (dot) {
            pod_name[dot - name] = '\0';
        }
        add_user(cluster, subnet, dot ? dot + 1 : "", pod_name);
        free(pod_name);
    }
}

/* Counts pod 'obj' of namespace 'ns' by subnet and node, unless it is on
 * the host's network (no address of kovn's). */
static void
count_pod(struct cli_cluster *cluster, const struct json *obj, const char *ns)
{
    const struct json *spec = json_member(obj, "spec");
    const char *subnet = kube_object_annotation(obj, ANN_LOGICAL_SWITCH);
    const char *node = NULL;
    bool host = false;
    struct cli_pod_count *count;
    char *key;

    json_member_bool(spec, "hostNetwork", "", &host, NULL);
    if (host) {
        return;
    }
    json_member_string(spec, "nodeName", "", &node, NULL);
    subnet = subnet ? subnet : "";
    node = node ? node : "";
    key = xasprintf("%s\t%s\t%s", ns, subnet, node);
    count = shash_find_data(&cluster->pod_counts, key);
    if (!count) {
        count = xzalloc(sizeof *count);
        count->ns = xstrdup(ns);
        count->subnet = xstrdup(subnet);
        count->node = xstrdup(node);
        shash_add(&cluster->pod_counts, key, count);
    }
    count->n++;
    free(key);
}

static void
add_pod(struct cli_cluster *cluster, const struct json *obj)
{
    const char *name = kube_object_name(obj);
    const char *ns = kube_object_namespace(obj);

    if (!name || !ns) {
        return;
    }
    if (cluster->load & CLI_LOAD_COUNTS) {
        count_pod(cluster, obj, ns);
    }
    /* Pods carry the same annotation as namespaces: the subnet they are
     * (to be) on. */
    add_user(cluster, kube_object_annotation(obj, ANN_LOGICAL_SWITCH), ns,
             name);
    if (cluster->load & (CLI_LOAD_OWNERS | CLI_LOAD_IPS)) {
        sset_add_and_free(&cluster->pods, xasprintf("%s/%s", ns, name));
    }
    const char *allocated = kube_object_annotation(obj, ANN_ALLOCATED);
    if ((cluster->load & CLI_LOAD_CLAIMS) && allocated &&
        !strcmp(allocated, "true")) {
        char *key = xasprintf("%s/%s", ns, name);

        cli_claims_add(&cluster->claims, false, key, key,
                       kube_object_annotation(obj, ANN_LOGICAL_SWITCH),
                       kube_object_annotation(obj, ANN_IP_ADDRESS),
                       kube_object_annotation(obj, ANN_MAC_ADDRESS));
        free(key);
    }
}

static void
member_strings(const struct json *object, struct smap *out)
{
    struct shash_node *node;

    if (!object || object->type != JSON_OBJECT) {
        return;
    }
    SHASH_FOR_EACH(node, json_object(object))
    {
        const struct json *value = node->data;
        if (value->type == JSON_STRING) {
            smap_add(out, node->name, json_string(value));
        }
    }
}

static void
add_namespace(struct cli_cluster *cluster, const struct json *obj)
{
    const char *name = kube_object_name(obj);
    const char *phase = NULL;
    struct cli_namespace *ns;

    json_member_string(json_member(obj, "status"), "phase", "", &phase, NULL);
    if (!name || kube_object_is_deleting(obj) ||
        (phase && !strcmp(phase, "Terminating")) ||
        shash_find(&cluster->namespaces, name)) {
        return;
    }
    ns = xzalloc(sizeof *ns);
    ns->name = xstrdup(name);
    smap_init(&ns->labels);
    smap_init(&ns->annotations);
    member_strings(json_member(json_member(obj, "metadata"), "labels"),
                   &ns->labels);
    for (size_t i = 0; i < ARRAY_SIZE(ns_annotations); i++) {
        const char *value = kube_object_annotation(obj, ns_annotations[i]);
        if (value) {
            smap_add(&ns->annotations, ns_annotations[i], value);
        }
    }
    shash_add(&cluster->namespaces, ns->name, ns);
}

static void
add_node(struct cli_cluster *cluster, const struct json *obj)
{
    const char *name = kube_object_name(obj);

    if (name) {
        sset_add(&cluster->nodes, name);
    }
}

static void
find_orphans(struct cli_cluster *cluster)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, crd_model_subnets(cluster->model))
    {
        const struct subnet *subnet = node->data;
        if (!crd_model_vpc(cluster->model, subnet->vpc)) {
            sset_add(&cluster->orphans, subnet->name);
        }
    }
}

/* Whether a pod list is needed to tell leftover IPs from IPs in use. */
static bool
deleting_subnets_hold_ips(const struct cli_cluster *cluster)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &cluster->deleting_subnets)
    {
        const struct cli_deleting_subnet *subnet = node->data;
        if (!sset_is_empty(&subnet->ips)) {
            return true;
        }
    }
    return false;
}

int
cli_cluster_load(struct cli_cluster *cluster, struct kube_client *client,
                 const char *default_vpc, const char *default_subnet,
                 unsigned int load, struct cli_progress *progress,
                 struct kovn_error *err)
{
    bool users;
    int error;

    cluster->model = crd_model_create(default_vpc, default_subnet);
    cluster->load = load;
    sset_init(&cluster->orphans);
    shash_init(&cluster->users);
    shash_init(&cluster->deleting_vpcs);
    shash_init(&cluster->deleting_subnets);
    cluster->n_ips = 0;
    cli_claims_init(&cluster->claims);
    shash_init(&cluster->namespaces);
    sset_init(&cluster->pods);
    sset_init(&cluster->nodes);
    shash_init(&cluster->pod_counts);
    shash_init(&cluster->ips_by_subnet);

    cli_progress_phase(progress, "listing");
    /* Subnets before Vpcs: a Vpc created between the two lists can then
     * only make a subnet look fine, never an orphan. */
    error = list_all(cluster, client, CRD_API_PATH "/subnets",
                     "subnets.kubeovn.io", add_subnet, progress, err);
    if (!error) {
        error = list_all(cluster, client, CRD_API_PATH "/vpcs",
                         "vpcs.kubeovn.io", add_vpc, progress, err);
    }
    if (error) {
        goto out;
    }
    find_orphans(cluster);
    /* Who uses a subnet matters only for orphans: with none, the IPs and
     * (possibly many) pods need not be listed for it. */
    users = (load & CLI_LOAD_USERS) && !sset_is_empty(&cluster->orphans);

    if (load & CLI_LOAD_IPPOOLS) {
        error = list_all(cluster, client, CRD_API_PATH "/ippools",
                         "ippools.kubeovn.io", add_ippool, progress, err);
    }
    if (!error && (users || (load & (CLI_LOAD_IPS | CLI_LOAD_CLAIMS |
                                     CLI_LOAD_COUNTS)))) {
        error = list_all(cluster, client, CRD_API_PATH "/ips",
                         "ips.kubeovn.io", add_ip, progress, err);
    }
    if (!error &&
        (users || (load & (CLI_LOAD_OWNERS | CLI_LOAD_COUNTS)) ||
         ((load & CLI_LOAD_IPS) && deleting_subnets_hold_ips(cluster)))) {
        error = list_all(cluster, client, "/api/v1/pods", "pods", add_pod,
                         progress, err);
    }
    if (!error && (load & CLI_LOAD_NAMESPACES)) {
        error = list_all(cluster, client, "/api/v1/namespaces", "namespaces",
                         add_namespace, progress, err);
    }
    if (!error && (load & CLI_LOAD_OWNERS)) {
        error = list_all(cluster, client, "/api/v1/nodes", "nodes", add_node,
                         progress, err);
    }
out:
    /* The caller prints next: its errors or its results. */
    cli_progress_clear(progress);
    return error;
}

void
cli_cluster_destroy(struct cli_cluster *cluster)
{
    struct shash_node *node;

    crd_model_destroy(cluster->model);
    sset_destroy(&cluster->orphans);
    SHASH_FOR_EACH(node, &cluster->users)
    {
        sset_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&cluster->users);
    SHASH_FOR_EACH(node, &cluster->deleting_vpcs)
    {
        deleting_vpc_free(node->data);
    }
    shash_destroy(&cluster->deleting_vpcs);
    SHASH_FOR_EACH(node, &cluster->deleting_subnets)
    {
        deleting_subnet_free(node->data);
    }
    shash_destroy(&cluster->deleting_subnets);
    cli_claims_destroy(&cluster->claims);
    SHASH_FOR_EACH(node, &cluster->namespaces)
    {
        struct cli_namespace *ns = node->data;
        free(ns->name);
        smap_destroy(&ns->labels);
        smap_destroy(&ns->annotations);
        free(ns);
    }
    shash_destroy(&cluster->namespaces);
    sset_destroy(&cluster->pods);
    sset_destroy(&cluster->nodes);
    SHASH_FOR_EACH(node, &cluster->pod_counts)
    {
        struct cli_pod_count *count = node->data;
        free(count->ns);
        free(count->subnet);
        free(count->node);
        free(count);
    }
    shash_destroy(&cluster->pod_counts);
    shash_destroy_free_data(&cluster->ips_by_subnet);
}

size_t
cli_cluster_n_users(const struct cli_cluster *cluster, const char *name)
{
    const struct sset *users = shash_find_data(&cluster->users, name);

    return users ? sset_count(users) : 0;
}
