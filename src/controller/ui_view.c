/* The /ui picture from kovn-controller's caches; see ui_view.h. */
#include <config.h>

#include "controller/ui_view.h"

#include <string.h>

#include "controller/controller.h"
#include "controller/counts.h"
#include "controller/gc.h"
#include "crd/names.h"
#include "crd/pod.h"
#include "crd/topology.h"
#include "crd/topology_json.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/store.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovn/owner.h"
#include "ovn/stale.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "json/access.h"

static void
add_namespaces(struct topology *topology, const struct controller *ctl)
{
    struct kube_store_cursor c;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ctl->namespace_informer))
    {
        struct smap labels = SMAP_INITIALIZER(&labels);

        kube_object_labels(c.object, &labels);
        topology_add_namespace(topology, c.key, &labels);
        smap_destroy(&labels);
    }
}

static void
add_pods(struct topology *topology, const struct controller *ctl)
{
    struct kube_store_cursor c;

    KUBE_STORE_FOR_EACH(&c, kube_informer_store(ctl->pod_informer))
    {
        struct crd_pod pod;

        crd_pod_from_json(c.object, &pod);
        if (!pod.host_network) {
            topology_add_pods(topology, pod.namespace,
                              crd_pod_annotation(&pod, ANN_LOGICAL_SWITCH),
                              pod.node, 1);
        }
        crd_pod_destroy(&pod);
    }
}

static void
add_stale_rows(struct topology *topology, struct controller *ctl)
{
    struct ovn_stale_list rows = {0};

    if (!ctl->nb || !ovsdb_idl_has_ever_connected(ctl->nb->idl)) {
        return;
    }
    topology_set_ovn_read(topology);
    ovn_list_stale(ctl->nb, gc_owner_exists, ctl, &rows);
    for (size_t i = 0; i < rows.n; i++) {
        const struct ovn_stale_row *row = &rows.rows[i];
        char *name = *row->name ? xstrdup(row->name)
                                : xasprintf(UUID_FMT, UUID_ARGS(&row->uuid));

        topology_add_stale_row(topology, row->table, name, row->owner_kind,
                               row->owner_name);
        free(name);
    }
    ovn_stale_list_destroy(&rows);
}

struct topology *
ui_view_topology(struct controller *ctl)
{
    struct topology *topology = topology_create(ctl->model);
    struct shash_node *node;

    add_namespaces(topology, ctl);
    add_pods(topology, ctl);
    SHASH_FOR_EACH(node, crd_model_subnets(ctl->model))
    {
        topology_add_used(topology, node->name,
                          ctrl_counts_ips_in_subnet(ctl, node->name));
    }
    add_stale_rows(topology, ctl);
    topology_build(topology, NULL, NULL);
    return topology;
}

char *
ui_view_fingerprint(const struct controller *ctl)
{
    const struct kube_informer *informers[] = {
        ctl->vpc_informer, ctl->subnet_informer, ctl->namespace_informer,
        ctl->pod_informer, ctl->ip_informer,
    };
    struct ds out = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ARRAY_SIZE(informers); i++) {
        const char *rv = kube_informer_resource_version(informers[i]);

        /* Counts too: a relist can drop objects at an unchanged version. */
        ds_put_format(&out, "%s/%zu ", rv ? rv : "",
                      kube_informer_count(informers[i]));
    }
    if (ctl->nb) {
        ds_put_format(&out, "nb %u", ovsdb_idl_get_seqno(ctl->nb->idl));
    }
    return ds_steal_cstr(&out);
}

/* Owner-selecting "exists" callback: every row owned by 'aux' counts as
 * gone, so ovn_list_stale() lists exactly that owner's rows. */
static bool
owner_differs(const struct ovn_owner *owner, void *target_)
{
    const struct ovn_owner *target = target_;

    return strcmp(owner->kind, target->kind) ||
           strcmp(owner->name, target->name);
}

static struct json *
owned_rows_json(struct controller *ctl, const char *owner_kind,
                const char *name)
{
    struct ovn_owner target = {owner_kind, name};
    struct ovn_stale_list rows = {0};
    struct json *array = json_array_create_empty();

    if (!ctl->nb) {
        return array;
    }
    ovn_list_stale(ctl->nb, owner_differs, &target, &rows);
    for (size_t i = 0; i < rows.n; i++) {
        struct json *row = json_object_create();
        char *row_name =
            *rows.rows[i].name
                ? xstrdup(rows.rows[i].name)
                : xasprintf(UUID_FMT, UUID_ARGS(&rows.rows[i].uuid));

        json_object_put_string(row, "table", rows.rows[i].table);
        json_object_put_string(row, "name", row_name);
        json_array_add(array, row);
        free(row_name);
    }
    ovn_stale_list_destroy(&rows);
    return array;
}

/* status.conditions of the informer's object 'name', or []. */
static struct json *
conditions_json(const struct kube_informer *informer, const char *name)
{
    const struct json *obj = kube_informer_get(informer, name);
    const struct json *conditions = NULL;

    json_member_array(json_member(obj, "status"), "conditions", "",
                      &conditions, NULL);
    return conditions ? json_clone(conditions) : json_array_create_empty();
}

/* Completes an item of topology_json's with what a click shows. */
static struct json *
with_details(struct json *object, const char *kind, struct json *conditions,
             struct json *ovn)
{
    json_object_put_string(object, "kind", kind);
    json_object_put(object, "conditions", conditions);
    json_object_put(object, "ovn", ovn);
    return object;
}

struct json *
ui_view_object(struct controller *ctl, const char *kind, const char *name)
{
    struct topology *topology = ui_view_topology(ctl);
    const struct topology_namespace *ns;
    const struct topology_subnet *ts;
    const struct topology_vpc *tv;
    struct json *object = NULL;

    if (!strcmp(kind, "vpc") && (tv = topology_find_vpc(topology, name))) {
        object = with_details(topology_vpc_json(tv), "Vpc",
                              conditions_json(ctl->vpc_informer, name),
                              owned_rows_json(ctl, OVN_OWNER_VPC, name));
    } else if (!strcmp(kind, "subnet") &&
               (ts = topology_find_subnet(topology, name))) {
        object = with_details(topology_subnet_json(ts), "Subnet",
                              conditions_json(ctl->subnet_informer, name),
                              owned_rows_json(ctl, OVN_OWNER_SUBNET, name));
    } else if (!strcmp(kind, "ns") &&
               (ns = topology_find_namespace(topology, name))) {
        /* No rows: its pods' are many, and each pod's own. */
        object =
            with_details(topology_namespace_json(ns), "Namespace",
                         json_array_create_empty(), json_array_create_empty());
    }
    topology_destroy(topology);
    return object;
}
