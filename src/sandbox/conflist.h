/* A CNI network configuration list (".conflist"), as a container runtime
 * reads it from /etc/cni/net.d: the list's name and cniVersion and its
 * plugins in order, and the network config each plugin gets on stdin
 * (libcni's buildOneConfig: the plugin's own object plus the list's "name"
 * and "cniVersion" and, when chaining, "prevResult").
 *
 * The file is local configuration, but it is parsed with the same hard
 * limits as peer input (and fuzzed): a typo must be a clear error. */
#ifndef KOVN_SANDBOX_CONFLIST_H
#define KOVN_SANDBOX_CONFLIST_H 1

#include <stddef.h>

struct json;
struct kovn_error;

#define CONFLIST_FILE_MAX    (1024 * 1024)
#define CONFLIST_PLUGINS_MAX 32
/* A plugin type is a file name in CNI_PATH. */
#define CONFLIST_TYPE_MAX 255

struct conflist_plugin {
    char *type;        /* A file name: no '/', not "." or "..". */
    struct json *conf; /* The plugin's object as written. */
};

struct conflist {
    char *cni_version;
    char *name;
    struct conflist_plugin *plugins; /* At least one. */
    size_t n_plugins;
};

void conflist_init(struct conflist *);
void conflist_destroy(struct conflist *);

/* Returns 0 or -EINVAL/-E2BIG/-EBADMSG with a message naming the field;
 * 'out' is always safe to destroy. */
int conflist_from_json(const struct json *, struct conflist *out,
                       struct kovn_error *);
/* Reads and parses file 'name'. */
int conflist_load(const char *name, struct conflist *out, struct kovn_error *);

/* The config plugin 'i' reads on stdin; 'prev_result' (may be NULL) is
 * copied in.  The caller destroys the result. */
struct json *conflist_plugin_config(const struct conflist *, size_t i,
                                    const struct json *prev_result);

#endif /* KOVN_SANDBOX_CONFLIST_H */
