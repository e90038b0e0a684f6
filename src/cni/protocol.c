/* CNI facts and the kovn-cni <-> kovn-daemon wire protocol; see
 * protocol.h. */
#include <config.h>

#include "cni/protocol.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

/* Domain names, search entries, resolver options in a result's "dns". */
#define DNS_STRING_MAX 253

const char *const cni_supported_versions[] = {
    "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
};
const size_t cni_n_supported_versions = ARRAY_SIZE(cni_supported_versions);

static const char *const command_names[] = {
    [CNI_ADD] = "ADD",       [CNI_DEL] = "DEL", [CNI_CHECK] = "CHECK",
    [CNI_STATUS] = "STATUS", [CNI_GC] = "GC",   [CNI_VERSION] = "VERSION",
};

const char *
cni_command_to_string(enum cni_command command)
{
    return (size_t)command < ARRAY_SIZE(command_names) ? command_names[command]
                                                       : "(unknown)";
}

bool
cni_command_from_string(const char *s, enum cni_command *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(command_names); i++) {
        if (!strcmp(s, command_names[i])) {
            *out = (enum cni_command)i;
            return true;
        }
    }
    return false;
}

/* Position of 'version' among the supported versions (oldest 0), or -1. */
static int
version_rank(const char *version)
{
    for (size_t i = 0; i < cni_n_supported_versions; i++) {
        if (!strcmp(version, cni_supported_versions[i])) {
            return (int)i;
        }
    }
    return -1;
}

bool
cni_version_supported(const char *version)
{
    return version && version_rank(version) >= 0;
}

const char *
cni_command_min_version(enum cni_command command)
{
    return command == CNI_CHECK                         ? "0.4.0"
           : command == CNI_STATUS || command == CNI_GC ? "1.1.0"
                                                        : "0.3.0";
}

bool
cni_version_has_command(const char *version, enum cni_command command)
{
    return version_rank(version) >=
           version_rank(cni_command_min_version(command));
}

static int
unsupported_version(const char *what, const char *version,
                    struct kovn_error *err)
{
    return kovn_error_set(err, -EPROTONOSUPPORT,
                          "%s \"%.32s\" is not supported; kovn-cni speaks "
                          "0.3.0, 0.3.1, 0.4.0, 1.0.0 and 1.1.0",
                          what, version);
}

/* Names. */

int
cni_ifname_check(const char *what, const char *ifname, struct kovn_error *err)
{
    size_t len;

    if (!ifname || !*ifname) {
        return kovn_error_set(err, -EINVAL, "%s: required", what);
    }
    len = strlen(ifname);
    if (len > CNI_IFNAME_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%.32s\": %zu bytes, an interface name "
                              "has at most %d",
                              what, ifname, len, CNI_IFNAME_MAX);
    }
    if (!strcmp(ifname, ".") || !strcmp(ifname, "..")) {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%s\": not a valid interface name", what,
                              ifname);
    }
    for (const char *p = ifname; *p; p++) {
        if (*p == '/' || *p == ':' || isspace((unsigned char)*p)) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%s\": an interface name cannot "
                                  "contain '/', ':' or whitespace",
                                  what, ifname);
        }
    }
    return 0;
}

int
cni_container_id_check(const char *what, const char *id,
                       struct kovn_error *err)
{
    size_t len;

    if (!id || !*id) {
        return kovn_error_set(err, -EINVAL, "%s: required", what);
    }
    len = strlen(id);
    if (len > CNI_CONTAINER_ID_MAX) {
        return kovn_error_set(err, -E2BIG, "%s: %zu bytes, limit %d", what,
                              len, CNI_CONTAINER_ID_MAX);
    }
    if (!isalnum((unsigned char)id[0])) {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%.64s\": must start with a letter or "
                              "digit",
                              what, id);
    }
    for (const char *p = id; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("_.-", *p)) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%.64s\": only letters, digits, '_', "
                                  "'.' and '-' are allowed",
                                  what, id);
        }
    }
    return 0;
}

int
cni_path_check(const char *what, const char *path, struct kovn_error *err)
{
    size_t len;

    if (!path || !*path) {
        return kovn_error_set(err, -EINVAL, "%s: required", what);
    }
    len = strlen(path);
    if (len > CNI_PATH_MAX) {
        return kovn_error_set(err, -E2BIG, "%s: %zu bytes, limit %d", what,
                              len, CNI_PATH_MAX);
    }
    if (path[0] != '/') {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%.64s\": must be an absolute path", what,
                              path);
    }
    return 0;
}

/* A DNS-1123 label (namespaces) when 'label', else a subdomain (pod
 * names): lowercase alphanumerics and '-' (and '.' for subdomains),
 * alphanumeric at both ends. */
static int
dns_name_check(const char *what, const char *name, bool label,
               struct kovn_error *err)
{
    size_t len, max = label ? 63 : 253;

    if (!name || !*name) {
        return kovn_error_set(err, -EINVAL, "%s: required", what);
    }
    len = strlen(name);
    if (len > max) {
        return kovn_error_set(err, -EINVAL, "%s: %zu bytes, limit %zu", what,
                              len, max);
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!alnum &&
            (i == 0 || i == len - 1 || (c != '-' && (label || c != '.')))) {
            return kovn_error_set(
                err, -EINVAL, "%s \"%.64s\": not a valid Kubernetes %s", what,
                name, label ? "namespace" : "pod name");
        }
    }
    return 0;
}

/* Member access. */

/* Member 'key' of 'object' as a fresh copy in '*out' (NULL when absent),
 * at most 'max' bytes; 'required' makes absence an error. */
static int
member_string(const struct json *object, const char *key, const char *path,
              bool required, size_t max, char **out, struct kovn_error *err)
{
    const char *s;
    int error = json_member_string(object, key, path, &s, err);
    size_t len;

    *out = NULL;
    if (error) {
        return error;
    }
    if (!s) {
        return required ? kovn_error_set(err, -EINVAL, "%s%s%s: required",
                                         path, *path ? "." : "", key)
                        : 0;
    }
    len = strlen(s);
    if (len > max) {
        return kovn_error_set(err, -E2BIG, "%s%s%s: %zu bytes, limit %zu",
                              path, *path ? "." : "", key, len, max);
    }
    *out = xstrdup(s);
    return 0;
}

/* Integer member 'key' in [min, max]; '*out' is 0 when absent. */
static int
member_int(const struct json *object, const char *key, const char *path,
           long long int min, long long int max, long long int *out,
           struct kovn_error *err)
{
    const struct json *member = json_member(object, key);

    *out = 0;
    if (!member || member->type == JSON_NULL) {
        return 0;
    }
    if (member->type != JSON_INTEGER) {
        return kovn_error_set(
            err, -EINVAL, "%s%s%s: expected an integer, got %s", path,
            *path ? "." : "", key, json_type_to_string(member->type));
    }
    if (json_integer(member) < min || json_integer(member) > max) {
        return kovn_error_set(err, -EINVAL,
                              "%s%s%s: %lld is not in %lld..%lld", path,
                              *path ? "." : "", key,
                              (long long int)json_integer(member), min, max);
    }
    *out = json_integer(member);
    return 0;
}

/* Array member 'key' with at most 'max' elements; '*out' NULL when
 * absent. */
static int
member_array(const struct json *object, const char *key, const char *path,
             size_t max, const struct json_array **out, struct kovn_error *err)
{
    const struct json *array;
    int error = json_member_array(object, key, path, &array, err);

    *out = NULL;
    if (error || !array) {
        return error;
    }
    if (json_array(array)->n > max) {
        return kovn_error_set(err, -E2BIG, "%s%s%s: %zu items, limit %zu",
                              path, *path ? "." : "", key,
                              json_array(array)->n, max);
    }
    *out = json_array(array);
    return 0;
}

/* Lines. */

static int
json_from_line(const char *what, const char *line, size_t len,
               struct json **out, struct kovn_error *err)
{
    struct json *json;
    char *text;

    *out = NULL;
    if (len && line[len - 1] == '\n') {
        len--;
    }
    if (!len) {
        return kovn_error_set(err, -EBADMSG, "%s: empty line", what);
    }
    if (len > CNI_LINE_MAX) {
        return kovn_error_set(err, -E2BIG, "%s: %zu bytes, limit %d", what,
                              len, CNI_LINE_MAX);
    }
    if (memchr(line, '\0', len)) {
        return kovn_error_set(err, -EBADMSG, "%s: contains a NUL byte", what);
    }
    text = xmemdup0(line, len);
    json = json_from_string(text);
    free(text);
    /* OVS parses only objects and arrays at the top level and returns a
     * string holding the error otherwise. */
    if (json->type == JSON_STRING) {
        kovn_error_set(err, -EBADMSG, "%s: not JSON: %s", what,
                       json_string(json));
        json_destroy(json);
        return -EBADMSG;
    }
    *out = json;
    return 0;
}

static int
expect_object(const char *what, const struct json *json,
              struct kovn_error *err)
{
    if (!json || json->type != JSON_OBJECT) {
        return kovn_error_set(
            err, -EBADMSG, "%s: expected a JSON object, got %s", what,
            json ? json_type_to_string(json->type) : "nothing");
    }
    return 0;
}

/* Network config. */

void
cni_config_init(struct cni_config *config)
{
    memset(config, 0, sizeof *config);
}

void
cni_config_destroy(struct cni_config *config)
{
    json_destroy(config->json);
    free(config->cni_version);
    free(config->name);
    free(config->type);
    free(config->daemon_socket);
    free(config->log_file);
    for (size_t i = 0; i < config->n_valid_attachments; i++) {
        free(config->valid_attachments[i].container_id);
        free(config->valid_attachments[i].ifname);
    }
    free(config->valid_attachments);
    cni_config_init(config);
}

static int
parse_attachments(const struct json *json, struct cni_config *config,
                  struct kovn_error *err)
{
    /* libcni also writes the list under the name an earlier draft of the
     * spec used; either will do. */
    const char *key = json_member(json, "cni.dev/valid-attachments")
                          ? "cni.dev/valid-attachments"
                          : "cni.dev/attachments";
    const struct json_array *items;
    int error =
        member_array(json, key, "", CNI_GC_ATTACHMENTS_MAX, &items, err);

    if (error || !items) {
        return error;
    }
    config->has_valid_attachments = true;
    config->valid_attachments =
        xcalloc(items->n ? items->n : 1, sizeof *config->valid_attachments);
    for (size_t i = 0; i < items->n; i++) {
        struct cni_attachment *a = &config->valid_attachments[i];
        char path[64];

        config->n_valid_attachments++;
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        if (items->elems[i]->type != JSON_OBJECT) {
            return kovn_error_set(err, -EINVAL,
                                  "%s: expected an object, got %s", path,
                                  json_type_to_string(items->elems[i]->type));
        }
        error = member_string(items->elems[i], "containerID", path, true,
                              CNI_CONTAINER_ID_MAX, &a->container_id, err);
        if (!error) {
            error = member_string(items->elems[i], "ifname", path, true,
                                  CNI_IFNAME_MAX, &a->ifname, err);
        }
        if (!error) {
            error =
                cni_container_id_check("containerID", a->container_id, err);
        }
        if (!error) {
            error = cni_ifname_check("ifname", a->ifname, err);
        }
        if (error) {
            kovn_error_prefix(err, "%s.", path);
            return error;
        }
    }
    return 0;
}

int
cni_config_from_json(const struct json *json, struct cni_config *config,
                     struct kovn_error *err)
{
    long long int mtu;
    int error;

    cni_config_init(config);
    error = expect_object("network config", json, err);
    if (error) {
        return error;
    }
    config->json = json_clone(json);

    error = member_string(json, "cniVersion", "", true, 32,
                          &config->cni_version, err);
    if (error) {
        return error;
    }
    if (!cni_version_supported(config->cni_version)) {
        return unsupported_version("cniVersion", config->cni_version, err);
    }

    error = member_string(json, "name", "", true, 253, &config->name, err);
    if (!error) {
        error = cni_container_id_check("name", config->name, err);
    }
    if (error) {
        return error;
    }

    error = member_string(json, "type", "", true, 253, &config->type, err);
    if (error) {
        return error;
    }
    if (strcmp(config->type, CNI_PLUGIN_TYPE)) {
        return kovn_error_set(
            err, -EINVAL, "type \"%.64s\": this plugin is " CNI_PLUGIN_TYPE,
            config->type);
    }

    error = member_string(json, "daemonSocket", "", false, CNI_SOCKET_PATH_MAX,
                          &config->daemon_socket, err);
    if (error) {
        return error;
    }
    if (!config->daemon_socket) {
        config->daemon_socket = xstrdup(CNI_DEFAULT_SOCKET);
    } else if (config->daemon_socket[0] != '/') {
        return kovn_error_set(err, -EINVAL,
                              "daemonSocket \"%.64s\": must be an absolute "
                              "path",
                              config->daemon_socket);
    }

    /* 68 is the smallest MTU IPv4 allows (RFC 791). */
    error = member_int(json, "mtu", "", 68, 65535, &mtu, err);
    if (error) {
        return error;
    }
    config->mtu = (unsigned int)mtu;

    error = member_string(json, "logFile", "", false, CNI_PATH_MAX,
                          &config->log_file, err);
    if (!error && config->log_file) {
        error = cni_path_check("logFile", config->log_file, err);
    }
    if (error) {
        return error;
    }

    error =
        json_member_object(json, "prevResult", "", &config->prev_result, err);
    if (!error) {
        error = json_member_object(json, "runtimeConfig", "",
                                   &config->runtime_config, err);
    }
    if (!error) {
        error = parse_attachments(json, config, err);
    }
    return error;
}

/* CNI_ARGS. */

void
cni_args_init(struct cni_args *args)
{
    shash_init(&args->pairs);
    args->pod_namespace = NULL;
    args->pod_name = NULL;
    args->pod_infra_container_id = NULL;
}

void
cni_args_destroy(struct cni_args *args)
{
    shash_destroy_free_data(&args->pairs);
    cni_args_init(args);
}

int
cni_args_parse(const char *text, struct cni_args *args, struct kovn_error *err)
{
    size_t len = text ? strlen(text) : 0;
    const char *p = text;

    cni_args_init(args);
    if (len > CNI_ARGS_MAX) {
        return kovn_error_set(err, -E2BIG, "CNI_ARGS: %zu bytes, limit %d",
                              len, CNI_ARGS_MAX);
    }
    while (p && *p) {
        const char *end = strchr(p, ';');
        size_t seg_len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', seg_len);

        if (seg_len) {
            size_t key_len = eq ? (size_t)(eq - p) : 0;
            char *key;

            if (!eq || !key_len) {
                return kovn_error_set(err, -EINVAL,
                                      "CNI_ARGS: \"%.*s\" is not KEY=VALUE",
                                      (int)MIN(seg_len, 64), p);
            }
            for (size_t i = 0; i < key_len; i++) {
                if (!isalnum((unsigned char)p[i]) && p[i] != '_') {
                    return kovn_error_set(err, -EINVAL,
                                          "CNI_ARGS: key \"%.*s\": only "
                                          "letters, digits and '_' are "
                                          "allowed",
                                          (int)MIN(key_len, 64), p);
                }
            }
            if (shash_count(&args->pairs) >= CNI_ARGS_PAIRS_MAX) {
                return kovn_error_set(err, -E2BIG,
                                      "CNI_ARGS: more than %d pairs",
                                      CNI_ARGS_PAIRS_MAX);
            }
            key = xmemdup0(p, key_len);
            if (shash_find(&args->pairs, key)) {
                kovn_error_set(err, -EINVAL, "CNI_ARGS: %.64s given twice",
                               key);
                free(key);
                return -EINVAL;
            }
            shash_add_nocopy(&args->pairs, key,
                             xmemdup0(eq + 1, seg_len - key_len - 1));
        }
        p = end ? end + 1 : NULL;
    }
    args->pod_namespace = shash_find_data(&args->pairs, "K8S_POD_NAMESPACE");
    args->pod_name = shash_find_data(&args->pairs, "K8S_POD_NAME");
    args->pod_infra_container_id =
        shash_find_data(&args->pairs, "K8S_POD_INFRA_CONTAINER_ID");
    return 0;
}

/* Requests. */

void
cni_request_init(struct cni_request *request)
{
    memset(request, 0, sizeof *request);
    cni_config_init(&request->config);
}

void
cni_request_destroy(struct cni_request *request)
{
    free(request->container_id);
    free(request->netns);
    free(request->ifname);
    free(request->pod_namespace);
    free(request->pod_name);
    free(request->cni_version);
    cni_config_destroy(&request->config);
    cni_request_init(request);
}

/* Field labels name the wire member and where the plugin got it, so that
 * one message serves the daemon's log and the runtime's error alike. */
#define LABEL_CONTAINER_ID  "containerId (CNI_CONTAINERID)"
#define LABEL_NETNS         "netns (CNI_NETNS)"
#define LABEL_IFNAME        "ifname (CNI_IFNAME)"
#define LABEL_POD_NAMESPACE "podNamespace (K8S_POD_NAMESPACE in CNI_ARGS)"
#define LABEL_POD_NAME      "podName (K8S_POD_NAME in CNI_ARGS)"

int
cni_request_validate(const struct cni_request *r, struct kovn_error *err)
{
    int error;

    if (r->command == CNI_VERSION || r->command > CNI_VERSION) {
        return kovn_error_set(err, -EINVAL,
                              "command %s is answered by the plugin and never "
                              "sent to the daemon",
                              cni_command_to_string(r->command));
    }
    if (!r->cni_version) {
        return kovn_error_set(err, -EINVAL, "cniVersion: required");
    }
    if (!cni_version_supported(r->cni_version)) {
        return unsupported_version("cniVersion", r->cni_version, err);
    }
    if (!r->config.json) {
        return kovn_error_set(err, -EINVAL, "config: required");
    }
    if (!r->config.cni_version ||
        strcmp(r->cni_version, r->config.cni_version)) {
        return kovn_error_set(err, -EINVAL,
                              "cniVersion \"%s\" differs from the config's",
                              r->cni_version);
    }
    if (!cni_version_has_command(r->cni_version, r->command)) {
        return kovn_error_set(
            err, -EPROTONOSUPPORT, "cniVersion %s has no %s (it came with %s)",
            r->cni_version, cni_command_to_string(r->command),
            cni_command_min_version(r->command));
    }

    switch (r->command) {
    case CNI_ADD:
    case CNI_CHECK:
    case CNI_DEL:
        error =
            cni_container_id_check(LABEL_CONTAINER_ID, r->container_id, err);
        if (error) {
            return error;
        }
        error = cni_ifname_check(LABEL_IFNAME, r->ifname, err);
        if (error) {
            return error;
        }
        if (r->command != CNI_DEL) {
            error = cni_path_check(LABEL_NETNS, r->netns, err);
        } else if (r->netns && strlen(r->netns) > CNI_PATH_MAX) {
            error = kovn_error_set(err, -E2BIG, LABEL_NETNS ": limit %d bytes",
                                   CNI_PATH_MAX);
        }
        if (error) {
            return error;
        }
        if (r->command == CNI_ADD) {
            error = dns_name_check(LABEL_POD_NAMESPACE, r->pod_namespace, true,
                                   err);
            if (!error) {
                error =
                    dns_name_check(LABEL_POD_NAME, r->pod_name, false, err);
            }
            if (error) {
                return error;
            }
        }
        if (r->command == CNI_CHECK && !r->config.prev_result) {
            return kovn_error_set(err, -EINVAL,
                                  "CHECK needs the ADD result as prevResult "
                                  "in the network config");
        }
        break;

    case CNI_GC:
        if (!r->config.has_valid_attachments) {
            return kovn_error_set(err, -EINVAL,
                                  "GC needs cni.dev/valid-attachments in the "
                                  "network config");
        }
        break;

    case CNI_STATUS:
    case CNI_VERSION:
    default:
        break;
    }
    return 0;
}

int
cni_request_from_json(const struct json *json, struct cni_request *r,
                      struct kovn_error *err)
{
    const struct json *config;
    char *command = NULL;
    int error;

    cni_request_init(r);
    error = expect_object("request", json, err);
    if (!error) {
        error = member_string(json, "command", "", true, 16, &command, err);
    }
    if (error) {
        goto out;
    }
    if (!cni_command_from_string(command, &r->command)) {
        error =
            kovn_error_set(err, -EINVAL, "command \"%s\": unknown", command);
        goto out;
    }
    if (r->command == CNI_VERSION) {
        /* Checked here too, so that the message does not depend on what
         * else is wrong with the request. */
        error = cni_request_validate(r, err);
        goto out;
    }

    error =
        member_string(json, "cniVersion", "", true, 32, &r->cni_version, err);
    if (error) {
        goto out;
    }
    error = json_member_object(json, "config", "", &config, err);
    if (error) {
        goto out;
    }
    if (config) {
        error = cni_config_from_json(config, &r->config, err);
        if (error) {
            kovn_error_prefix(err, "config.");
            goto out;
        }
    }

    if (r->command == CNI_ADD || r->command == CNI_DEL ||
        r->command == CNI_CHECK) {
        static const struct {
            const char *key;
            size_t offset;
        } fields[] = {
            {"containerId", offsetof(struct cni_request, container_id)},
            {"netns", offsetof(struct cni_request, netns)},
            {"ifname", offsetof(struct cni_request, ifname)},
            {"podNamespace", offsetof(struct cni_request, pod_namespace)},
            {"podName", offsetof(struct cni_request, pod_name)},
        };

        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
            char **field = (char **)((char *)r + fields[i].offset);

            error = member_string(json, fields[i].key, "", false, CNI_PATH_MAX,
                                  field, err);
            if (error) {
                goto out;
            }
        }
    }
    error = cni_request_validate(r, err);

out:
    free(command);
    return error;
}

static void
put_string_if(struct json *object, const char *key, const char *value)
{
    if (value) {
        json_object_put_string(object, key, value);
    }
}

struct json *
cni_request_to_json(const struct cni_request *r)
{
    struct json *json = json_object_create();

    json_object_put_string(json, "command", cni_command_to_string(r->command));
    put_string_if(json, "containerId", r->container_id);
    put_string_if(json, "netns", r->netns);
    put_string_if(json, "ifname", r->ifname);
    put_string_if(json, "podNamespace", r->pod_namespace);
    put_string_if(json, "podName", r->pod_name);
    put_string_if(json, "cniVersion", r->cni_version);
    if (r->config.json) {
        json_object_put(json, "config", json_clone(r->config.json));
    }
    return json;
}

int
cni_request_from_line(const char *line, size_t len, struct cni_request *r,
                      struct kovn_error *err)
{
    struct json *json;
    int error = json_from_line("request", line, len, &json, err);

    if (error) {
        cni_request_init(r);
        return error;
    }
    error = cni_request_from_json(json, r, err);
    json_destroy(json);
    return error;
}

/* '*json' serialized as one line in '*out', or -E2BIG. */
static int
json_to_line(const char *what, const struct json *json, char **out,
             struct kovn_error *err)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    json_to_ds(json, 0, &ds);
    if (ds.length > CNI_LINE_MAX) {
        kovn_error_set(err, -E2BIG, "%s: %zu bytes, limit %d", what, ds.length,
                       CNI_LINE_MAX);
        ds_destroy(&ds);
        *out = NULL;
        return -E2BIG;
    }
    ds_put_char(&ds, '\n');
    *out = ds_steal_cstr(&ds);
    return 0;
}

int
cni_request_to_line(const struct cni_request *r, char **out,
                    struct kovn_error *err)
{
    struct json *json = cni_request_to_json(r);
    int error = json_to_line("request", json, out, err);

    json_destroy(json);
    return error;
}

/* Results. */

void
cni_result_init(struct cni_result *result)
{
    memset(result, 0, sizeof *result);
    svec_init(&result->dns.nameservers);
    svec_init(&result->dns.search);
    svec_init(&result->dns.options);
}

void
cni_result_destroy(struct cni_result *result)
{
    for (size_t i = 0; i < result->n_interfaces; i++) {
        free(result->interfaces[i].name);
        free(result->interfaces[i].sandbox);
    }
    free(result->interfaces);
    free(result->ips);
    free(result->routes);
    svec_destroy(&result->dns.nameservers);
    free(result->dns.domain);
    svec_destroy(&result->dns.search);
    svec_destroy(&result->dns.options);
    cni_result_init(result);
}

size_t
cni_result_add_interface(struct cni_result *result, const char *name,
                         const struct net_mac *mac, const char *sandbox)
{
    struct cni_interface *iface;

    result->interfaces =
        xrealloc(result->interfaces,
                 (result->n_interfaces + 1) * sizeof *result->interfaces);
    iface = &result->interfaces[result->n_interfaces];
    memset(iface, 0, sizeof *iface);
    iface->name = xstrdup(name);
    if (mac) {
        iface->has_mac = true;
        iface->mac = *mac;
    }
    iface->sandbox = nullable_xstrdup(sandbox);
    return result->n_interfaces++;
}

size_t
cni_result_add_ip(struct cni_result *result, const struct net_cidr *address,
                  const struct net_addr *gateway, int interface)
{
    struct cni_ip *ip;

    result->ips =
        xrealloc(result->ips, (result->n_ips + 1) * sizeof *result->ips);
    ip = &result->ips[result->n_ips];
    memset(ip, 0, sizeof *ip);
    ip->address = *address;
    if (gateway) {
        ip->has_gateway = true;
        ip->gateway = *gateway;
    }
    ip->interface = interface;
    return result->n_ips++;
}

size_t
cni_result_add_route(struct cni_result *result, const struct net_cidr *dst,
                     const struct net_addr *gw)
{
    struct cni_route *route;

    result->routes = xrealloc(result->routes,
                              (result->n_routes + 1) * sizeof *result->routes);
    route = &result->routes[result->n_routes];
    memset(route, 0, sizeof *route);
    route->dst = *dst;
    if (gw) {
        route->has_gw = true;
        route->gw = *gw;
    }
    return result->n_routes++;
}

/* Parses optional address member 'key' of 'object' into '*addr', requiring
 * 'family'. */
static int
member_addr(const struct json *object, const char *key, const char *path,
            enum net_family family, bool *present, struct net_addr *addr,
            struct kovn_error *err)
{
    const char *s;
    int error = json_member_string(object, key, path, &s, err);

    *present = false;
    if (error || !s) {
        return error;
    }
    error = net_addr_parse(s, addr, err);
    if (error) {
        kovn_error_prefix(err, "%s.%s ", path, key);
        return error;
    }
    if (addr->family != family) {
        return kovn_error_set(
            err, -EINVAL, "%s.%s \"%s\": an %s address for an %s one", path,
            key, s, net_family_name(addr->family), net_family_name(family));
    }
    *present = true;
    return 0;
}

static int
member_cidr(const struct json *object, const char *key, const char *path,
            enum net_cidr_mode mode, struct net_cidr *cidr,
            struct kovn_error *err)
{
    const char *s;
    int error = json_member_string(object, key, path, &s, err);

    if (error) {
        return error;
    }
    if (!s) {
        return kovn_error_set(err, -EINVAL, "%s.%s: required", path, key);
    }
    error = net_cidr_parse(s, mode, cidr, err);
    if (error) {
        kovn_error_prefix(err, "%s.%s ", path, key);
    }
    return error;
}

static int
parse_interface(const struct json *json, const char *path,
                struct cni_interface *iface, struct kovn_error *err)
{
    long long int mtu;
    char *mac = NULL;
    int error;

    error = member_string(json, "name", path, true, CNI_IFNAME_MAX,
                          &iface->name, err);
    if (!error) {
        error = cni_ifname_check("name", iface->name, err);
        if (error) {
            kovn_error_prefix(err, "%s.", path);
        }
    }
    if (!error) {
        error = member_string(json, "mac", path, false, 64, &mac, err);
    }
    if (!error && mac) {
        error = net_mac_parse(mac, &iface->mac, err);
        if (error) {
            kovn_error_prefix(err, "%s.mac ", path);
        }
        iface->has_mac = !error;
    }
    if (!error) {
        error = member_string(json, "sandbox", path, false, CNI_PATH_MAX,
                              &iface->sandbox, err);
    }
    if (!error) {
        error = member_int(json, "mtu", path, 68, 65535, &mtu, err);
        iface->mtu = (unsigned int)mtu;
    }
    free(mac);
    return error;
}

static int
parse_ip(const struct json *json, const char *path, size_t n_interfaces,
         struct cni_ip *ip, struct kovn_error *err)
{
    const char *version;
    long long int index;
    int error;

    error = member_cidr(json, "address", path, NET_CIDR_INTERFACE,
                        &ip->address, err);
    if (!error) {
        error = member_addr(json, "gateway", path, ip->address.addr.family,
                            &ip->has_gateway, &ip->gateway, err);
    }
    if (!error) {
        error = json_member_string(json, "version", path, &version, err);
    }
    if (!error && version &&
        strcmp(version, ip->address.addr.family == NET_V4 ? "4" : "6")) {
        error = kovn_error_set(
            err, -EINVAL, "%s.version \"%.8s\": the address is %s", path,
            version, net_family_name(ip->address.addr.family));
    }
    if (error) {
        return error;
    }
    ip->interface = -1;
    if (json_member(json, "interface") &&
        json_member(json, "interface")->type != JSON_NULL) {
        if (!n_interfaces) {
            return kovn_error_set(err, -EINVAL,
                                  "%s.interface: the result has no "
                                  "interfaces",
                                  path);
        }
        error = member_int(json, "interface", path, 0,
                           (long long int)n_interfaces - 1, &index, err);
        ip->interface = (int)index;
    }
    return error;
}

static int
parse_route(const struct json *json, const char *path, struct cni_route *route,
            struct kovn_error *err)
{
    int error =
        member_cidr(json, "dst", path, NET_CIDR_NETWORK, &route->dst, err);

    if (!error) {
        error = member_addr(json, "gw", path, route->dst.addr.family,
                            &route->has_gw, &route->gw, err);
    }
    return error;
}

/* String array member 'key' of 'dns' into 'out'; addresses are checked and
 * stored canonically when 'addresses'. */
static int
parse_dns_list(const struct json *dns, const char *key, bool addresses,
               struct svec *out, struct kovn_error *err)
{
    const struct json_array *items;
    int error =
        member_array(dns, key, "dns", CNI_RESULT_ITEMS_MAX, &items, err);

    for (size_t i = 0; !error && items && i < items->n; i++) {
        const struct json *item = items->elems[i];

        if (item->type != JSON_STRING) {
            return kovn_error_set(err, -EINVAL,
                                  "dns.%s[%zu]: expected a string, got %s",
                                  key, i, json_type_to_string(item->type));
        }
        if (strlen(json_string(item)) > DNS_STRING_MAX) {
            return kovn_error_set(err, -E2BIG,
                                  "dns.%s[%zu]: longer than %d bytes", key, i,
                                  DNS_STRING_MAX);
        }
        if (addresses) {
            struct net_addr addr;
            char buf[NET_ADDR_STRLEN];

            error = net_addr_parse(json_string(item), &addr, err);
            if (error) {
                kovn_error_prefix(err, "dns.%s[%zu] ", key, i);
                return error;
            }
            net_addr_format(&addr, buf);
            svec_add(out, buf);
        } else {
            svec_add(out, json_string(item));
        }
    }
    return error;
}

static int
parse_dns(const struct json *json, struct cni_dns *dns, struct kovn_error *err)
{
    const struct json *object;
    int error = json_member_object(json, "dns", "", &object, err);

    if (error || !object) {
        return error;
    }
    error =
        parse_dns_list(object, "nameservers", true, &dns->nameservers, err);
    if (!error) {
        error = member_string(object, "domain", "dns", false, DNS_STRING_MAX,
                              &dns->domain, err);
    }
    if (!error) {
        error = parse_dns_list(object, "search", false, &dns->search, err);
    }
    if (!error) {
        error = parse_dns_list(object, "options", false, &dns->options, err);
    }
    return error;
}

/* Array member 'key' of 'json' with at most 'max' elements, all objects;
 * '*items' NULL when absent. */
static int
result_items(const struct json *json, const char *key, size_t max,
             const struct json_array **items, struct kovn_error *err)
{
    int error = member_array(json, key, "", max, items, err);

    for (size_t i = 0; !error && *items && i < (*items)->n; i++) {
        if ((*items)->elems[i]->type != JSON_OBJECT) {
            error = kovn_error_set(
                err, -EINVAL, "%s[%zu]: expected an object, got %s", key, i,
                json_type_to_string((*items)->elems[i]->type));
        }
    }
    return error;
}

/* Each parse below counts an element in the result before parsing it, so
 * that destroying the result frees a half-parsed one. */
int
cni_result_from_json(const struct json *json, struct cni_result *result,
                     struct kovn_error *err)
{
    const struct json_array *items;
    char path[48];
    int error;

    cni_result_init(result);
    if (!json || json->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL, "expected an object, got %s",
                              json ? json_type_to_string(json->type)
                                   : "nothing");
    }

    error =
        result_items(json, "interfaces", CNI_RESULT_ITEMS_MAX, &items, err);
    if (!error && items) {
        result->interfaces =
            xcalloc(MAX(items->n, 1), sizeof *result->interfaces);
        for (size_t i = 0; !error && i < items->n; i++) {
            snprintf(path, sizeof path, "interfaces[%zu]", i);
            result->n_interfaces++;
            error = parse_interface(items->elems[i], path,
                                    &result->interfaces[i], err);
        }
    }

    /* After the interfaces: an IP's index must point into them. */
    if (!error) {
        error = result_items(json, "ips", CNI_RESULT_ITEMS_MAX, &items, err);
    }
    if (!error && items) {
        result->ips = xcalloc(MAX(items->n, 1), sizeof *result->ips);
        for (size_t i = 0; !error && i < items->n; i++) {
            snprintf(path, sizeof path, "ips[%zu]", i);
            result->n_ips++;
            error = parse_ip(items->elems[i], path, result->n_interfaces,
                             &result->ips[i], err);
        }
    }

    if (!error) {
        error =
            result_items(json, "routes", CNI_RESULT_ROUTES_MAX, &items, err);
    }
    if (!error && items) {
        result->routes = xcalloc(MAX(items->n, 1), sizeof *result->routes);
        for (size_t i = 0; !error && i < items->n; i++) {
            snprintf(path, sizeof path, "routes[%zu]", i);
            result->n_routes++;
            error =
                parse_route(items->elems[i], path, &result->routes[i], err);
        }
    }

    if (!error) {
        error = parse_dns(json, &result->dns, err);
    }
    return error;
}

static struct json *
svec_to_json(const struct svec *svec)
{
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < svec->n; i++) {
        json_array_add(array, json_string_create(svec->names[i]));
    }
    return array;
}

static void
put_addr(struct json *object, const char *key, const struct net_addr *addr)
{
    char buf[NET_ADDR_STRLEN];

    net_addr_format(addr, buf);
    json_object_put_string(object, key, buf);
}

static void
put_cidr(struct json *object, const char *key, const struct net_cidr *cidr)
{
    char buf[NET_CIDR_STRLEN];

    net_cidr_format(cidr, buf);
    json_object_put_string(object, key, buf);
}

struct json *
cni_result_to_json(const struct cni_result *result, const char *cni_version)
{
    int rank = version_rank(cni_version);
    /* 1.0.0 dropped "version" from IPs; 1.1.0 added an interface's MTU. */
    bool ip_versions = rank < version_rank("1.0.0");
    bool iface_mtu = rank >= version_rank("1.1.0");
    struct json *json = json_object_create();
    struct json *dns = json_object_create();

    ovs_assert(rank >= 0);
    json_object_put_string(json, "cniVersion", cni_version);
    if (result->n_interfaces) {
        struct json *array = json_array_create_empty();

        for (size_t i = 0; i < result->n_interfaces; i++) {
            const struct cni_interface *iface = &result->interfaces[i];
            struct json *obj = json_object_create();

            json_object_put_string(obj, "name", iface->name);
            if (iface->has_mac) {
                char buf[NET_MAC_STRLEN];

                net_mac_format(&iface->mac, buf);
                json_object_put_string(obj, "mac", buf);
            }
            if (iface->mtu && iface_mtu) {
                json_object_put(obj, "mtu", json_integer_create(iface->mtu));
            }
            put_string_if(obj, "sandbox", iface->sandbox);
            json_array_add(array, obj);
        }
        json_object_put(json, "interfaces", array);
    }
    if (result->n_ips) {
        struct json *array = json_array_create_empty();

        for (size_t i = 0; i < result->n_ips; i++) {
            const struct cni_ip *ip = &result->ips[i];
            struct json *obj = json_object_create();

            if (ip_versions) {
                json_object_put_string(
                    obj, "version",
                    ip->address.addr.family == NET_V4 ? "4" : "6");
            }
            put_cidr(obj, "address", &ip->address);
            if (ip->has_gateway) {
                put_addr(obj, "gateway", &ip->gateway);
            }
            if (ip->interface >= 0) {
                json_object_put(obj, "interface",
                                json_integer_create(ip->interface));
            }
            json_array_add(array, obj);
        }
        json_object_put(json, "ips", array);
    }
    if (result->n_routes) {
        struct json *array = json_array_create_empty();

        for (size_t i = 0; i < result->n_routes; i++) {
            const struct cni_route *route = &result->routes[i];
            struct json *obj = json_object_create();

            put_cidr(obj, "dst", &route->dst);
            if (route->has_gw) {
                put_addr(obj, "gw", &route->gw);
            }
            json_array_add(array, obj);
        }
        json_object_put(json, "routes", array);
    }
    if (result->dns.nameservers.n) {
        json_object_put(dns, "nameservers",
                        svec_to_json(&result->dns.nameservers));
    }
    put_string_if(dns, "domain", result->dns.domain);
    if (result->dns.search.n) {
        json_object_put(dns, "search", svec_to_json(&result->dns.search));
    }
    if (result->dns.options.n) {
        json_object_put(dns, "options", svec_to_json(&result->dns.options));
    }
    json_object_put(json, "dns", dns);
    return json;
}

/* Errors and VERSION. */

struct json *
cni_error_to_json(const struct cni_error *error, const char *cni_version)
{
    struct json *json = json_object_create();

    json_object_put_string(json, "cniVersion", cni_version);
    json_object_put(json, "code", json_integer_create(error->code));
    json_object_put_string(json, "msg", error->msg ? error->msg : "");
    put_string_if(json, "details", error->details);
    return json;
}

struct json *
cni_version_info_to_json(const char *cni_version)
{
    struct json *json = json_object_create();
    struct json *versions = json_array_create_empty();

    for (size_t i = 0; i < cni_n_supported_versions; i++) {
        json_array_add(versions,
                       json_string_create(cni_supported_versions[i]));
    }
    json_object_put_string(json, "cniVersion", cni_version);
    json_object_put(json, "supportedVersions", versions);
    return json;
}

/* Responses. */

void
cni_response_init(struct cni_response *r)
{
    memset(&r->error, 0, sizeof r->error);
    r->has_result = false;
    cni_result_init(&r->result);
}

void
cni_response_destroy(struct cni_response *r)
{
    free(r->error.msg);
    free(r->error.details);
    cni_result_destroy(&r->result);
    cni_response_init(r);
}

/* A copy of 's' cut to CNI_MSG_MAX bytes, not inside a UTF-8 sequence. */
static char *
truncated_copy(const char *s)
{
    size_t len = strlen(s);

    if (len > CNI_MSG_MAX) {
        len = CNI_MSG_MAX;
        while (len && ((unsigned char)s[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    return xmemdup0(s, len);
}

void
cni_response_set_error(struct cni_response *r, int code, const char *msg,
                       const char *details)
{
    cni_response_destroy(r);
    r->error.code = code;
    r->error.msg = truncated_copy(msg ? msg : "");
    r->error.details = details ? truncated_copy(details) : NULL;
}

struct json *
cni_response_to_json(const struct cni_response *r, const char *cni_version)
{
    struct json *json = json_object_create();

    if (r->error.code) {
        struct json *error = json_object_create();

        json_object_put(error, "code", json_integer_create(r->error.code));
        json_object_put_string(error, "msg", r->error.msg ? r->error.msg : "");
        put_string_if(error, "details", r->error.details);
        json_object_put(json, "error", error);
    } else if (r->has_result) {
        json_object_put(json, "result",
                        cni_result_to_json(&r->result, cni_version));
    }
    return json;
}

int
cni_response_from_json(const struct json *json, struct cni_response *r,
                       struct kovn_error *err)
{
    const struct json *error_obj, *result;
    long long int code;
    int error;

    cni_response_init(r);
    error = expect_object("response", json, err);
    if (!error) {
        error = json_member_object(json, "error", "", &error_obj, err);
    }
    if (!error) {
        error = json_member_object(json, "result", "", &result, err);
    }
    if (error) {
        return error;
    }
    if (error_obj && result) {
        return kovn_error_set(err, -EINVAL,
                              "response has both an error and a result");
    }
    if (error_obj) {
        error = member_int(error_obj, "code", "error", 1, INT_MAX, &code, err);
        if (!error && !code) {
            error = kovn_error_set(err, -EINVAL, "error.code: required");
        }
        if (!error) {
            error = member_string(error_obj, "msg", "error", true, CNI_MSG_MAX,
                                  &r->error.msg, err);
        }
        if (!error) {
            error = member_string(error_obj, "details", "error", false,
                                  CNI_MSG_MAX, &r->error.details, err);
        }
        if (error) {
            cni_response_destroy(r);
            return error;
        }
        r->error.code = (int)code;
    } else if (result) {
        error = cni_result_from_json(result, &r->result, err);
        if (error) {
            kovn_error_prefix(err, "result.");
            return error;
        }
        r->has_result = true;
    }
    return 0;
}

char *
cni_response_to_line(const struct cni_response *r, const char *cni_version)
{
    struct json *json = cni_response_to_json(r, cni_version);
    char *line;

    if (json_to_line("response", json, &line, NULL)) {
        /* Only a result at its limits with the longest names gets here;
         * the plugin must still get a well-formed answer. */
        struct cni_response too_big;

        cni_response_init(&too_big);
        cni_response_set_error(&too_big, CNI_ERR_DAEMON,
                               "the result is too large to send", NULL);
        json_destroy(json);
        json = cni_response_to_json(&too_big, cni_version);
        int error = json_to_line("response", json, &line, NULL);

        ovs_assert(!error);
        cni_response_destroy(&too_big);
    }
    json_destroy(json);
    return line;
}

int
cni_response_from_line(const char *line, size_t len, struct cni_response *r,
                       struct kovn_error *err)
{
    struct json *json;
    int error = json_from_line("response", line, len, &json, err);

    if (error) {
        cni_response_init(r);
        return error;
    }
    error = cni_response_from_json(json, r, err);
    json_destroy(json);
    return error;
}
