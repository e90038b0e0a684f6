/* Removing kovn's pod ports and veths by name; see reap.h. */
#include <config.h>

#include "daemon/reap.h"

#include <errno.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/ovs.h"
#include "daemon/plumb.h"
#include "daemon/worker.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(reap);

struct reap_job {
    struct sset links;
    int error;
    struct kovn_error err;
    reap_done_fn *done;
    void *aux;
};

void
reap_list(const struct daemon *d, struct sset *ports, struct sset *links)
{
    struct sset all = SSET_INITIALIZER(&all);
    const char *name;

    node_ovs_list_ports(d->ovs, d->opts.bridge, &all);
    SSET_FOR_EACH(name, &all)
    {
        if (strcmp(name, d->opts.node_port)) {
            sset_add(ports, name);
        }
    }
    sset_destroy(&all);
    plumb_list_host_links(links);
}

static void
delete_links(void *job_)
{
    struct reap_job *job = job_;
    const char *host;

    kovn_error_clear(&job->err);
    SSET_FOR_EACH(host, &job->links)
    {
        char peer[IF_NAMESIZE];
        struct kovn_error err;
        int error;

        plumb_peer_name(host, peer);
        error = plumb_pod_del(host, peer, &err);
        if (error && !job->error) {
            job->error = error;
            job->err = err;
        }
    }
}

static void
links_deleted(void *job_)
{
    struct reap_job *job = job_;

    job->done(job->error, job->err.msg, job->aux);
    sset_destroy(&job->links);
    free(job);
}

void
reap_delete(struct daemon *d, const struct sset *ports,
            const struct sset *links, reap_done_fn *done, void *aux)
{
    struct reap_job *job = xzalloc(sizeof *job);
    const char *name;

    sset_clone(&job->links, links);
    job->done = done;
    job->aux = aux;
    SSET_FOR_EACH(name, ports)
    {
        struct kovn_error err;
        int error = node_ovs_port_delete(d->ovs, d->opts.bridge, name,
                                         d->opts.ovs_timeout_ms, &err);
        if (error) {
            VLOG_WARN("deleting port %s: %s", name, err.msg);
        } else {
            VLOG_INFO("deleted port %s", name);
        }
    }
    worker_submit(d->workers, delete_links, links_deleted, job);
}
