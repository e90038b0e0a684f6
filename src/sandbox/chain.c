/* Running a network config list's plugins in order; see chain.h. */
#include <config.h>

#include "sandbox/chain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "sandbox/conflist.h"
#include "util.h"

struct chain {
    enum cni_command command;
    const struct conflist *list;
    char *path, *container_id, *netns, *ifname, *args;
    struct json *cached; /* Or NULL. */
    long long timeout_ms;

    size_t step;          /* Plugins done so far. */
    struct json *prev;    /* ADD: the last plugin's result. */
    struct cniexec *exec; /* The plugin running, if any. */
    bool finished;
    struct cniexec_outcome outcome;
};

struct chain *
chain_start(const struct chain_request *r)
{
    struct chain *c = xzalloc(sizeof *c);

    c->command = r->command;
    c->list = r->list;
    c->path = xstrdup(r->path);
    c->container_id = xstrdup(r->container_id);
    c->netns = xstrdup(r->netns);
    c->ifname = xstrdup(r->ifname);
    c->args = xstrdup(r->args);
    c->cached = r->cached ? json_clone(r->cached) : NULL;
    c->timeout_ms = r->timeout_ms;
    cniexec_outcome_init(&c->outcome);
    return c;
}

static const char *
verb(enum cni_command command)
{
    return command == CNI_ADD   ? "add"
           : command == CNI_DEL ? "delete"
                                : "check";
}

/* Ends the chain with 'o' (whose contents are moved). */
static void
end(struct chain *c, struct cniexec_outcome *o, const char *type)
{
    c->finished = true;
    c->outcome = *o;
    cniexec_outcome_init(o);
    if (c->outcome.error) {
        char *msg = xasprintf("plugin type=\"%s\" name=\"%s\" failed (%s): "
                              "%s",
                              type, c->list->name, verb(c->command),
                              c->outcome.cni_error.msg);
        free(c->outcome.cni_error.msg);
        c->outcome.cni_error.msg = msg;
    }
}

static size_t
plugin_index(const struct chain *c)
{
    return c->command == CNI_DEL ? c->list->n_plugins - 1 - c->step : c->step;
}

bool
chain_run(struct chain *c)
{
    while (!c->finished) {
        if (!c->exec) {
            if (c->step >= c->list->n_plugins) {
                struct cniexec_outcome ok;

                cniexec_outcome_init(&ok);
                ok.result = c->prev;
                c->prev = NULL;
                end(c, &ok, "");
                break;
            }
            size_t i = plugin_index(c);
            const struct json *prev =
                c->command == CNI_ADD ? c->prev : c->cached;
            struct json *config = conflist_plugin_config(c->list, i, prev);
            struct cniexec_request req = {
                .command = c->command,
                .path = c->path,
                .type = c->list->plugins[i].type,
                .container_id = c->container_id,
                .netns = c->netns,
                .ifname = c->ifname,
                .args = c->args,
                .config = config,
                .timeout_ms = c->timeout_ms,
            };
            struct kovn_error err;
            int error = cniexec_start(&req, &c->exec, &err);

            json_destroy(config);
            if (error) {
                struct cniexec_outcome o;

                cniexec_outcome_init(&o);
                o.error = error;
                o.cni_error.code = CNI_ERR_IO;
                o.cni_error.msg = xstrdup(err.msg);
                end(c, &o, c->list->plugins[i].type);
                break;
            }
        }
        if (!cniexec_run(c->exec)) {
            break;
        }
        size_t i = plugin_index(c);
        struct cniexec_outcome *o =
            CONST_CAST(struct cniexec_outcome *, cniexec_outcome(c->exec));
        if (o->error) {
            end(c, o, c->list->plugins[i].type);
        } else if (c->command == CNI_ADD) {
            json_destroy(c->prev);
            c->prev = o->result;
            o->result = NULL;
        }
        cniexec_destroy(c->exec);
        c->exec = NULL;
        c->step++;
    }
    return c->finished;
}

void
chain_wait(struct chain *c)
{
    if (c->finished) {
        poll_immediate_wake();
    } else if (c->exec) {
        cniexec_wait(c->exec);
    } else {
        poll_immediate_wake();
    }
}

const struct cniexec_outcome *
chain_outcome(const struct chain *c)
{
    return &c->outcome;
}

void
chain_destroy(struct chain *c)
{
    if (!c) {
        return;
    }
    cniexec_destroy(c->exec);
    cniexec_outcome_destroy(&c->outcome);
    json_destroy(c->prev);
    json_destroy(c->cached);
    free(c->path);
    free(c->container_id);
    free(c->netns);
    free(c->ifname);
    free(c->args);
    free(c);
}
