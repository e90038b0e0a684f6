/* kovn-cni, the CNI plugin the container runtime executes: it turns one
 * invocation (CNI_* environment plus the network config on stdin) into one
 * request to kovn-daemon and the daemon's answer into the spec's output
 * (a result or an error object on stdout, exit status 0 or 1).
 *
 * The plugin holds no state and plumbs nothing: everything but VERSION is
 * the daemon's work.  How failures map to the spec's error codes:
 *
 *   4  CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME or CNI_ARGS
 *      missing or invalid for the command
 *   6  stdin is not a JSON object
 *   1  the config's cniVersion is not one kovn-cni speaks, or predates the
 *      command (CHECK needs 0.4.0, STATUS and GC 1.1.0)
 *   7  anything else wrong with the config (also: CHECK without prevResult,
 *      GC without cni.dev/valid-attachments, a config over CNI_CONFIG_MAX)
 *   11 kovn-daemon cannot be reached (not running yet, restarting): the
 *      runtime retries.  DEL too: DEL is idempotent in the daemon, not
 *      here; succeeding without the daemon would leak the pod's port and
 *      address, while an error makes the runtime call DEL again later.
 *   50 STATUS when kovn-daemon cannot be reached ("plugin not available")
 *   5  the connection broke or timed out mid-exchange, or the daemon's
 *      answer is not a valid response
 *   the daemon's own code when it answers with an error. */
#ifndef KOVN_CNI_PLUGIN_H
#define KOVN_CNI_PLUGIN_H 1

#include <stdio.h>

/* Connecting to a unix socket only waits when the daemon's backlog is full;
 * a daemon that slow is as good as down. */
#define CNI_PLUGIN_CONNECT_TIMEOUT_MS 5000
/* ADD waits for the daemon to plumb the port and OVN to install flows.
 * Kubelet gives up on RunPodSandbox after 2 minutes (its default
 * --runtime-request-timeout); failing a little earlier means the runtime
 * sees kovn's reason instead of a bare deadline. */
#define CNI_PLUGIN_RESPONSE_TIMEOUT_MS 110000

/* The CNI_* environment of one invocation; NULL for unset variables. */
struct cni_plugin_env {
    const char *command;      /* CNI_COMMAND */
    const char *container_id; /* CNI_CONTAINERID */
    const char *netns;        /* CNI_NETNS */
    const char *ifname;       /* CNI_IFNAME */
    const char *args;         /* CNI_ARGS */
    const char *path;         /* CNI_PATH: unused, kovn-cni delegates to no
                               * other plugin. */
};

/* Reads the CNI_* variables of this process. */
void cni_plugin_env_from_process(struct cni_plugin_env *);

/* Runs one invocation, reading the network config from 'in' and writing the
 * output to 'out'.  Returns the exit status: 0 on success, 1 when an error
 * object was written. */
int cni_plugin_run(const struct cni_plugin_env *, FILE *in, FILE *out);

#endif /* KOVN_CNI_PLUGIN_H */
