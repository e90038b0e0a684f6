/* Kube-OVN's NB rows taken over at start; see adopt.h. */
#include <config.h>

#include "controller/adopt.h"

#include "base/error.h"
#include "controller/controller.h"
#include "controller/gc.h"
#include "controller/nbwrite.h"
#include "openvswitch/vlog.h"
#include "ovn/adopt.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(adopt);

/* A failed transaction is tried again after this long. */
#define ADOPT_RETRY_MS 2000

static void
free_list(void *list)
{
    ovn_adopt_list_destroy(list);
    free(list);
}

static enum ctrl_result
adopted_step(struct controller *ctl, struct ctrl_job *job, const char *key,
             void *list_, int error, const struct kovn_error *err)
{
    const struct ovn_adopt_list *list = list_;

    (void)job;
    (void)key;
    if (error) {
        VLOG_WARN("adopting Kube-OVN's OVN rows: %s; trying again",
                  err ? err->msg : "OVN error");
        ctl->adopt_state = CTRL_ADOPT_IDLE;
        ctl->adopt_retry_ms = time_msec() + ADOPT_RETRY_MS;
        return CTRL_DONE;
    }
    VLOG_INFO("adopted Kube-OVN's OVN rows: %zu adopted, %zu stale "
              "(adopted for the owner sweep), %zu left alone (owner "
              "missing), %zu in conflict (duplicate names), %zu not kovn's "
              "kind",
              list->counts[OVN_ADOPT], list->counts[OVN_ADOPT_STALE],
              list->counts[OVN_ADOPT_ORPHAN], list->counts[OVN_ADOPT_CONFLICT],
              list->counts[OVN_ADOPT_FOREIGN]);
    for (size_t i = 0; i < list->n; i++) {
        const struct ovn_adopt_row *row = &list->rows[i];

        if (row->verdict == OVN_ADOPT_ORPHAN ||
            row->verdict == OVN_ADOPT_CONFLICT) {
            VLOG_WARN("%s %s: %s", row->table, row->name, row->why);
        }
    }
    ctl->adopt_state = CTRL_ADOPT_DONE;
    return CTRL_DONE;
}

bool
adopt_kube_ovn_run(struct controller *ctl)
{
    struct ovn_adopt_list *list;

    if (ctl->adopt_state == CTRL_ADOPT_DONE) {
        return true;
    }
    if (ctl->adopt_state == CTRL_ADOPT_IN_FLIGHT ||
        time_msec() < ctl->adopt_retry_ms) {
        return false;
    }
    /* Judged now, against the synced caches; the build re-reads each row
     * and leaves any that is no longer Kube-OVN's. */
    list = xzalloc(sizeof *list);
    ovn_adopt_list(ctl->nb, ctl->opts.default_vpc, gc_owner_exists, ctl, list);
    ctl->adopt_state = CTRL_ADOPT_IN_FLIGHT;
    ctrl_nb_write(ctl, NULL, "kube-ovn", ovn_adopt_build, list, free_list,
                  adopted_step);
    return false;
}
