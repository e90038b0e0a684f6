/* Everything kovn-controller publishes on /metrics, read from its state
 * when scraped; see metrics.h. */
#include <config.h>

#include "controller/metrics.h"

#include <malloc.h>

#include "base/metrics.h"
#include "controller/controller.h"
#include "controller/counts.h"
#include "controller/nbwrite.h"
#include "controller/queue.h"
#include "kube/events.h"
#include "kube/rest.h"
#include "kube/window.h"
#include "ovn/batch.h"
#include "util.h"

static void
set_gauge(struct metrics_registry *r, const char *name, const char *help,
          const char *labels, double value)
{
    metrics_set(r, name, METRIC_GAUGE, help, labels, value, NULL);
}

void
ctrl_metrics_export(const struct controller *ctl, struct metrics_registry *r)
{
    const struct shash *subnets = crd_model_subnets(ctl->model);
    struct shash by_vpc_state = SHASH_INITIALIZER(&by_vpc_state);
    struct shash_node *node;
    size_t orphans = 0;

    SHASH_FOR_EACH(node, subnets)
    {
        const struct subnet *subnet = node->data;
        enum subnet_state state =
            crd_model_subnet_state(ctl->model, subnet, NULL);
        char *labels = NULL;

        orphans += !crd_model_vpc(ctl->model, subnet->vpc);
        metrics_put_label(&labels, "vpc", subnet->vpc);
        metrics_put_label(&labels, "state", subnet_state_reason(state));
        double *count = shash_find_data(&by_vpc_state, labels);
        if (!count) {
            count = xzalloc(sizeof *count);
            shash_add(&by_vpc_state, labels, count);
        }
        ++*count;
        free(labels);

        if (subnet_is_valid(subnet)) {
            for (size_t i = 0; i < subnet->n_cidrs; i++) {
                enum net_family family = subnet->cidrs[i].addr.family;
                const char *proto = family == NET_V4 ? "IPv4" : "IPv6";
                net_u128 used, available;

                ctrl_counts_subnet(ctl, subnet, family, &used, &available);

                labels = NULL;
                metrics_put_label(&labels, "subnet", subnet->name);
                metrics_put_label(&labels, "protocol", proto);
                set_gauge(r, "kovn_subnet_used_ips",
                          "Addresses of the subnet held by pods.", labels,
                          (double)used);
                set_gauge(r, "kovn_subnet_available_ips",
                          "Addresses of the subnet still free.", labels,
                          (double)available);
                free(labels);
            }
        }
    }
    SHASH_FOR_EACH(node, &by_vpc_state)
    {
        set_gauge(r, "kovn_subnets", "Subnets by VPC and state.", node->name,
                  *(double *)node->data);
    }
    shash_destroy_free_data(&by_vpc_state);
    set_gauge(r, "kovn_namespaces_unbound",
              "Namespaces that get no usable subnet (no annotations).", "",
              sset_count(&ctl->unbound_namespaces));
    set_gauge(r, "kovn_orphaned_subnets",
              "Subnets whose spec.vpc names a VPC that does not exist.", "",
              orphans);

    for (int i = 0; i < SUBNET_N_STATES; i++) {
        if (i == SUBNET_OK) {
            continue;
        }
        char *labels = NULL;
        metrics_put_label(&labels, "reason", subnet_state_reason(i));
        metrics_set(r, "kovn_namespace_subnet_skips_total", METRIC_COUNTER,
                    "Subnets set aside while binding a namespace, by reason.",
                    labels, ctl->skips_total[i], NULL);
        free(labels);
    }

    ctrl_queue_export(ctl->vpc_queue, r);
    ctrl_queue_export(ctl->subnet_queue, r);
    ctrl_queue_export(ctl->namespace_queue, r);
    ctrl_queue_export(ctl->pod_queue, r);
    ctrl_queue_export(ctl->node_queue, r);
    ctrl_queue_export(ctl->service_queue, r);
    ctrl_netpol_metrics(ctl, r);
    metrics_set(r, "kovn_allocations", METRIC_GAUGE, "Pods holding addresses.",
                "", addresses_count(&ctl->addresses), NULL);

    metrics_set_histogram(r, "kovn_ovn_txn_duration_seconds",
                          "OVN NB writes, from submit to NB's answer (also "
                          "those that changed nothing).",
                          "", ctrl_nb_txn_bounds(), ctl->txn_buckets,
                          CTRL_TXN_BUCKETS - 1, ctl->txn_count, ctl->txn_sum_s,
                          NULL);
    metrics_set(r, "kovn_ovn_txn_errors_total", METRIC_COUNTER,
                "OVN NB transactions that failed.", "", ctl->txn_errors, NULL);
    /* Live heap, beside RSS: what is held versus what fragmentation and
     * freed-but-kept pages add. */
    struct mallinfo2 mi = mallinfo2();
    metrics_set(r, "kovn_heap_in_use_bytes", METRIC_GAUGE,
                "Bytes allocated on the heap and not freed.", "",
                (double)(mi.uordblks + mi.hblkhd), NULL);
    const struct kube_window *window = kube_client_window(ctl->client);
    metrics_set(r, "kovn_kube_client_window", METRIC_GAUGE,
                "Requests the API client may keep in flight now (its "
                "adaptive window).",
                "", (double)kube_window_limit(window), NULL);
    metrics_set(r, "kovn_kube_client_window_cuts_total", METRIC_COUNTER,
                "Times the API server's answers (429, 503, 504, timeouts, "
                "answers over 5 s) halved the window.",
                "", (double)window->cuts, NULL);
    const struct ovn_batch_stats *bs = ovn_batch_stats(ctl->nb_batch);
    metrics_set(r, "kovn_ovn_batch_txns_total", METRIC_COUNTER,
                "OVN NB transactions sent by the batched writer (all of the "
                "controller's).",
                "", bs->txns, NULL);
    metrics_set(r, "kovn_ovn_batch_changes_total", METRIC_COUNTER,
                "Pod port changes committed through the batch.", "",
                bs->changes, NULL);
    metrics_set(r, "kovn_ovn_batch_failures_total", METRIC_COUNTER,
                "Pod port changes that failed.", "", bs->failures, NULL);
    metrics_set(r, "kovn_ovn_batch_seconds_total", METRIC_COUNTER,
                "Time batched transactions spent in flight.", "",
                bs->txn_seconds, NULL);
    metrics_set(r, "kovn_gc_deleted_ovn_rows_total", METRIC_COUNTER,
                "Stale OVN rows removed by the owner sweep.", "",
                ctl->gc_deleted_rows, NULL);
    metrics_set(r, "kovn_gc_deleted_subnets_total", METRIC_COUNTER,
                "Orphaned subnets deleted by --gc-orphaned-subnets.", "",
                ctl->gc_deleted_subnets, NULL);
    const struct kube_event_stats *ev = kube_recorder_stats(ctl->recorder);
    metrics_set(r, "kovn_events_recorded_total", METRIC_COUNTER,
                "Kubernetes Events recorded (before aggregation).", "",
                ev->recorded, NULL);
}
