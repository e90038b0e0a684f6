/* Whether kovn-daemon can take pods; see ready.h. */
#include <config.h>

#include "daemon/ready.h"

#include <errno.h>

#include "daemon/daemon.h"
#include "kube/informer.h"

bool
ready_check(const struct daemon *d, struct kovn_error *why)
{
    if (d->chassis_error) {
        kovn_error_set(why, d->chassis_error, "%s", d->chassis_err.msg);
        return false;
    }
    if (!kube_informer_has_synced(d->pods) ||
        !kube_informer_has_synced(d->node)) {
        kovn_error_set(why, -EAGAIN, "pod and node caches not synced yet");
        return false;
    }
    if (!d->node_port_ready) {
        kovn_error_set(why, -EAGAIN, "%s", d->node_port_err.msg);
        return false;
    }
    return true;
}
