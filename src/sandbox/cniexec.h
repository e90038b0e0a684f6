/* One CNI plugin invocation as a container runtime makes it (libcni's
 * invoke.ExecPlugin): the binary <dir>/<type> found in CNI_PATH, run with
 * the CNI_* environment and the network config on stdin, its stdout read
 * as a result or a CNI error object.
 *
 * The plugin runs as a child process in its own process group whose pipes
 * are watched by the OVS poll loop, so a slow or hung plugin never blocks
 * the loop: cniexec_run() makes progress without blocking, and a plugin
 * past its timeout is killed with its group.  Output is bounded
 * (CNI_LINE_MAX on stdout, CNIEXEC_STDERR_MAX kept of stderr). */
#ifndef KOVN_SANDBOX_CNIEXEC_H
#define KOVN_SANDBOX_CNIEXEC_H 1

#include <stdbool.h>
#include <stddef.h>

#include "cni/protocol.h"

struct json;
struct kovn_error;

#define CNIEXEC_STDERR_MAX 4096

struct cniexec_request {
    enum cni_command command; /* ADD, DEL or CHECK. */
    const char *path;         /* CNI_PATH: ':'-separated directories. */
    const char *type;         /* The plugin's file name. */
    const char *container_id;
    const char *netns;
    const char *ifname;
    const char *args;          /* CNI_ARGS. */
    const struct json *config; /* Written to stdin. */
    long long timeout_ms;
};

/* What one invocation came to. */
struct cniexec_outcome {
    /* 0; -EPROTO when the plugin reported an error (in 'cni_error') or
     * printed something that is not a valid answer; -ETIMEDOUT; -E2BIG for
     * output over the limit. */
    int error;
    struct json *result;        /* ADD success: the result object. */
    struct cni_error cni_error; /* 'msg' set whenever 'error' is. */
};

void cniexec_outcome_init(struct cniexec_outcome *);
void cniexec_outcome_destroy(struct cniexec_outcome *);

/* Turns what a plugin printed and its exit code into an outcome, as libcni
 * does: exit 0 is success (for ADD stdout must be a valid result of a
 * supported version); otherwise stdout should hold {"code","msg",
 * "details"}, and if it does not, the message says the exit code and
 * quotes 'stderr_text'.  Returns outcome->error. */
int cniexec_parse_output(enum cni_command, int exit_code, const char *out,
                         size_t len, const char *stderr_text,
                         struct cniexec_outcome *outcome);

struct cniexec;

/* Finds the plugin and starts it.  Returns 0, -ENOENT when no directory of
 * CNI_PATH has an executable 'type', or a fork/pipe error, with 'err'
 * set. */
int cniexec_start(const struct cniexec_request *, struct cniexec **out,
                  struct kovn_error *err);
/* Moves data and reaps the child without blocking; true once finished. */
bool cniexec_run(struct cniexec *);
void cniexec_wait(struct cniexec *);
/* Valid once cniexec_run() returned true. */
const struct cniexec_outcome *cniexec_outcome(const struct cniexec *);
/* Kills the plugin's process group if it still runs, reaps it, frees. */
void cniexec_destroy(struct cniexec *);

#endif /* KOVN_SANDBOX_CNIEXEC_H */
