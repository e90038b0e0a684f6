/* Periodic garbage collection; see gc.h. */
#include <config.h>

#include "controller/gc.h"

#include <string.h>
#include <time.h>

#include "base/error.h"
#include "controller/controller.h"
#include "controller/counts.h"
#include "controller/nbwrite.h"
#include "crd/names.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovn/stale.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(gc);

/* Owners the controller can vouch for from its caches; a kind it does not
 * know counts as existing: a row is only ever deleted when its owner is
 * known to be gone. */
bool
gc_owner_exists(const struct ovn_owner *owner, void *ctl_)
{
    struct controller *ctl = ctl_;

    if (!strcmp(owner->kind, OVN_OWNER_VPC)) {
        return kube_informer_contains(ctl->vpc_informer, owner->name);
    }
    if (!strcmp(owner->kind, OVN_OWNER_SUBNET)) {
        return kube_informer_contains(ctl->subnet_informer, owner->name);
    }
    if (!strcmp(owner->kind, OVN_OWNER_POD)) {
        return kube_informer_contains(ctl->pod_informer, owner->name);
    }
    if (!strcmp(owner->kind, OVN_OWNER_NODE)) {
        return kube_informer_contains(ctl->node_informer, owner->name);
    }
    if (!strcmp(owner->kind, OVN_OWNER_NETPOL)) {
        return kube_informer_contains(ctl->netpol_informer, owner->name);
    }
    return true;
}

static void
free_stale_list(void *list)
{
    ovn_stale_list_destroy(list);
    free(list);
}

static enum ctrl_result
stale_deleted(struct controller *ctl, struct ctrl_job *job, const char *key,
              void *list_, int error, const struct kovn_error *err)
{
    const struct ovn_stale_list *list = list_;

    (void)job;
    (void)key;
    if (error) {
        VLOG_WARN("gc: deleting stale OVN rows: %s", err ? err->msg : "");
    } else {
        ctl->gc_deleted_rows += list->n;
    }
    return CTRL_DONE;
}

static void
sweep_ovn(struct controller *ctl)
{
    struct ovn_stale_list list = {NULL, 0, 0};

    ovn_list_stale(ctl->nb, gc_owner_exists, ctl, &list);
    for (size_t i = 0; i < list.n; i++) {
        VLOG_INFO("gc: deleting %s %s (owner %s %s is gone)",
                  list.rows[i].table, list.rows[i].name,
                  list.rows[i].owner_kind, list.rows[i].owner_name);
    }
    if (list.n) {
        struct ovn_stale_list *rows = xmemdup(&list, sizeof list);
        ctrl_nb_write(ctl, NULL, "gc", ovn_delete_stale_build, rows,
                      free_stale_list, stale_deleted);
    } else {
        ovn_stale_list_destroy(&list);
    }
}

static void
delete_done(struct kube_response *response, void *name)
{
    if (response->status >= 300 && response->status != 404) {
        VLOG_WARN("gc: deleting orphaned subnet %s: %ld %s", (char *)name,
                  response->status, response->message);
    }
    free(name);
}

/* Seconds since the subnet's Ready condition turned VpcNotFound, or -1. */
static long long
orphaned_for_s(const struct json *obj)
{
    const struct json *cond = kube_condition_find(
        json_member(json_member(obj, "status"), "conditions"), "Ready");
    const char *reason = NULL, *since = NULL;
    struct tm tm;

    json_member_string(cond, "reason", "", &reason, NULL);
    json_member_string(cond, "lastTransitionTime", "", &since, NULL);
    if (!reason || strcmp(reason, "VpcNotFound") || !since) {
        return -1;
    }
    memset(&tm, 0, sizeof tm);
    if (!strptime(since, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        return -1;
    }
    return (long long)(time(NULL) - timegm(&tm));
}

static void
sweep_orphans(struct controller *ctl)
{
    struct sset asked = SSET_INITIALIZER(&asked);
    struct kube_store_cursor pod;
    struct shash_node *node;

    /* A pod that names a subnet (even one it could not get an address
     * from) uses it as much as one holding an address there. */
    KUBE_STORE_FOR_EACH(&pod, kube_informer_store(ctl->pod_informer))
    {
        const char *ls =
            kube_object_annotation(pod.object, ANN_LOGICAL_SWITCH);
        if (ls) {
            sset_add(&asked, ls);
        }
    }

    SHASH_FOR_EACH(node, crd_model_subnets(ctl->model))
    {
        const struct subnet *subnet = node->data;
        const struct json *obj;
        long long age;

        if (subnet->deleting || crd_model_vpc(ctl->model, subnet->vpc) ||
            ctrl_counts_ips_in_subnet(ctl, subnet->name) ||
            sset_contains(&asked, subnet->name)) {
            continue;
        }
        obj = kube_informer_get(ctl->subnet_informer, subnet->name);
        age = orphaned_for_s(obj);
        if (age < 0 || age * 1000 < ctl->opts.orphan_grace_ms) {
            continue;
        }
        VLOG_INFO("gc: deleting subnet %s: orphan of missing vpc %s for %llds "
                  "and unused",
                  subnet->name, subnet->vpc, age);
        char *path = xasprintf(CTRL_SUBNETS_PATH "/%s", subnet->name);
        kube_client_send(ctl->client, "DELETE", path, NULL, NULL, delete_done,
                         xstrdup(subnet->name));
        free(path);
        ctl->gc_deleted_subnets++;
    }
    sset_destroy(&asked);
}

void
gc_run(struct controller *ctl)
{
    if (time_msec() < ctl->next_gc_ms) {
        return;
    }
    ctl->next_gc_ms = time_msec() + ctl->opts.gc_interval_ms;
    sweep_ovn(ctl);
    if (ctl->opts.gc_orphaned_subnets) {
        sweep_orphans(ctl);
    }
}

void
gc_wait(const struct controller *ctl)
{
    poll_timer_wait_until(ctl->next_gc_ms);
}
