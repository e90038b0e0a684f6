/* kubeconfig and in-cluster configuration; see kubeconfig.h. */
#include <config.h>

#include "kube/kubeconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/file.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"
#include "json/access.h"
#include "json/yaml_reader.h"

/* A token or certificate file larger than this is not one. */
#define SECRET_FILE_MAX      (1024 * 1024)
#define KUBECONFIG_FILES_MAX 64

/* One loaded kubeconfig file. */
struct config_file {
    char *source;   /* File name, for messages. */
    char *base_dir; /* Directory relative paths resolve against. */
    struct json *doc;
};

/* A named entry of clusters/users/contexts and the file it came from. */
struct named_entry {
    const struct json *body; /* The "cluster", "user" or "context" object. */
    const struct config_file *file;
    char *path; /* "clusters[2]", for messages. */
};

void
kube_config_init(struct kube_config *config)
{
    memset(config, 0, sizeof *config);
}

void
kube_config_destroy(struct kube_config *config)
{
    free(config->server);
    free(config->ca_file);
    free(config->ca_pem);
    free(config->cert_file);
    free(config->cert_pem);
    free(config->key_file);
    free(config->key_pem);
    free(config->token);
    free(config->token_file);
    free(config->tls_server_name);
    free(config->namespace);
    free(config->context);
    memset(config, 0, sizeof *config);
}

static char *
resolve_path(const char *base_dir, const char *path)
{
    if (path[0] == '/' || !base_dir) {
        return xstrdup(path);
    }
    return xasprintf("%s/%s", base_dir, path);
}

static char *
strip_trailing_space(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                 s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

/* 'server' without trailing blanks and slashes, as requests append paths
 * to it. */
static char *
normalize_server(const char *server)
{
    char *url = strip_trailing_space(xstrdup(server));
    size_t n = strlen(url);

    while (n && url[n - 1] == '/') {
        url[--n] = '\0';
    }
    return url;
}

/* A bearer token goes into an HTTP header as it is: it must not be empty
 * (trimming a file of blanks leaves nothing) nor carry blanks or control
 * characters (a newline would end the header). */
static int
check_token(const char *what, const char *token, struct kovn_error *err)
{
    if (!*token) {
        return kovn_error_set(err, -EINVAL, "%s: empty token", what);
    }
    for (const char *p = token; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return kovn_error_set(err, -EINVAL,
                                  "%s: the token holds a blank or control "
                                  "character (byte %td)",
                                  what, p - token);
        }
    }
    return 0;
}

/* True for "http(s)://HOST..." with a HOST of printable characters other
 * than spaces: what libcurl can connect to. */
static bool
server_has_host(const char *url)
{
    size_t scheme = !strncmp(url, "https://", 8)  ? 8
                    : !strncmp(url, "http://", 7) ? 7
                                                  : 0;
    const char *host = url + scheme;
    size_t host_len = strcspn(host, "/");

    if (!scheme || !host_len) {
        return false;
    }
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Collects the entries of list 'list_name' ("clusters") from 'file' into
 * 'entries' (name -> struct named_entry), keeping earlier files' entries. */
static int
collect_entries(const struct config_file *file, const char *list_name,
                const char *body_name, struct shash *entries,
                struct kovn_error *err)
{
    const struct json *list;
    int error;

    error = json_member_array(file->doc, list_name, "", &list, err);
    if (error || !list) {
        goto out;
    }
    for (size_t i = 0; i < json_array(list)->n; i++) {
        const struct json *item = json_array(list)->elems[i];
        char *path = xasprintf("%s[%zu]", list_name, i);
        const struct json *body;
        const char *name;

        if (item->type != JSON_OBJECT) {
            error =
                kovn_error_set(err, -EINVAL, "%s: expected an object", path);
        } else {
            error = json_member_string(item, "name", path, &name, err);
            if (!error && !name) {
                error = kovn_error_set(err, -EINVAL, "%s: missing name", path);
            }
            if (!error) {
                error = json_member_object(item, body_name, path, &body, err);
            }
        }
        if (error) {
            free(path);
            goto out;
        }
        if (!shash_find(entries, name)) {
            struct named_entry *entry = xmalloc(sizeof *entry);

            entry->body = body;
            entry->file = file;
            entry->path = path;
            shash_add(entries, name, entry);
        } else {
            free(path);
        }
    }
out:
    if (error) {
        kovn_error_prefix(err, "%s: ", file->source);
    }
    return error;
}

static void
destroy_entries(struct shash *entries)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, entries)
    {
        struct named_entry *entry = node->data;

        free(entry->path);
        free(entry);
    }
    shash_destroy(entries);
}

/* Sets '*file_out' or '*pem_out' from a "<x>" file field or "<x>-data"
 * base64 field of 'body'. */
static int
file_or_data(const struct named_entry *entry, const char *section,
             const char *field, char **file_out, char **pem_out,
             size_t *pem_len, struct kovn_error *err)
{
    char *data_field = xasprintf("%s-data", field);
    char *path = xasprintf("%s.%s", entry->path, section);
    const char *file, *data;
    int error;

    error = json_member_string(entry->body, field, path, &file, err);
    if (!error) {
        error = json_member_string(entry->body, data_field, path, &data, err);
    }
    if (!error && data && *data) {
        char *what = xasprintf("%s.%s", path, data_field);

        error = base64_decode(what, data, strlen(data), pem_out, pem_len, err);
        free(what);
    } else if (!error && file && *file) {
        *file_out = resolve_path(entry->file->base_dir, file);
    }
    if (error) {
        kovn_error_prefix(err, "%s: ", entry->file->source);
    }
    free(data_field);
    free(path);
    return error;
}

static int
apply_cluster(const struct named_entry *entry, struct kube_config *config,
              struct kovn_error *err)
{
    char *path = xasprintf("%s.cluster", entry->path);
    const char *server, *server_name;
    char *url = NULL;
    int error;

    error = json_member_string(entry->body, "server", path, &server, err);
    if (!error && (!server || !*server)) {
        error = kovn_error_set(err, -EINVAL, "%s.server: missing", path);
    }
    if (!error) {
        /* Judged as it will be used: trimmed first, since trimming can
         * leave no host ("https:// " is "https:" once trimmed). */
        url = normalize_server(server);
        if (!server_has_host(url)) {
            error = kovn_error_set(err, -EINVAL,
                                   "%s.server: \"%.128s\" is not an http(s) "
                                   "URL with a host",
                                   path, server);
        }
    }
    if (!error) {
        error = json_member_bool(entry->body, "insecure-skip-tls-verify", path,
                                 &config->insecure, err);
    }
    if (!error) {
        error = json_member_string(entry->body, "tls-server-name", path,
                                   &server_name, err);
    }
    if (error) {
        kovn_error_prefix(err, "%s: ", entry->file->source);
        free(url);
    } else {
        config->server = url;
        config->tls_server_name = nullable_xstrdup(server_name);
        error = file_or_data(entry, "cluster", "certificate-authority",
                             &config->ca_file, &config->ca_pem,
                             &config->ca_pem_len, err);
    }
    free(path);
    return error;
}

static int
apply_user(const struct named_entry *entry, struct kube_config *config,
           struct kovn_error *err)
{
    char *path = xasprintf("%s.user", entry->path);
    const char *token, *token_file;
    int error;

    error = json_member_string(entry->body, "token", path, &token, err);
    if (!error) {
        error = json_member_string(entry->body, "tokenFile", path, &token_file,
                                   err);
    }
    if (error) {
        kovn_error_prefix(err, "%s: ", entry->file->source);
        goto out;
    }
    if (token && *token) {
        config->token = xstrdup(token);
        error = check_token("token", config->token, err);
    } else if (token_file && *token_file) {
        config->token_file = resolve_path(entry->file->base_dir, token_file);
        error = file_read("tokenFile", config->token_file, SECRET_FILE_MAX,
                          &config->token, NULL, err);
        if (!error) {
            strip_trailing_space(config->token);
            error = check_token("tokenFile", config->token, err);
        }
    }
    if (error) {
        kovn_error_prefix(err, "%s: %s.", entry->file->source, path);
        goto out;
    }
    error =
        file_or_data(entry, "user", "client-certificate", &config->cert_file,
                     &config->cert_pem, &config->cert_pem_len, err);
    if (!error) {
        error = file_or_data(entry, "user", "client-key", &config->key_file,
                             &config->key_pem, &config->key_pem_len, err);
    }
    if (!error && !(config->cert_file || config->cert_pem) !=
                      !(config->key_file || config->key_pem)) {
        error = kovn_error_set(err, -EINVAL,
                               "%s: %s: client-certificate and client-key "
                               "must be given together",
                               entry->file->source, path);
    }
out:
    free(path);
    return error;
}

static int
merge_files(struct config_file *files, size_t n_files, const char *context,
            struct kube_config *config, struct kovn_error *err)
{
    struct shash clusters = SHASH_INITIALIZER(&clusters);
    struct shash users = SHASH_INITIALIZER(&users);
    struct shash contexts = SHASH_INITIALIZER(&contexts);
    const char *current = context;
    const struct named_entry *ctx, *cluster, *user;
    const char *cluster_name, *user_name, *namespace;
    int error = 0;

    for (size_t i = 0; i < n_files && !error; i++) {
        const char *file_current;

        if (files[i].doc->type != JSON_OBJECT) {
            error = kovn_error_set(err, -EINVAL,
                                   "%s: expected a mapping at the top level",
                                   files[i].source);
            break;
        }
        error =
            collect_entries(&files[i], "clusters", "cluster", &clusters, err);
        if (!error) {
            error = collect_entries(&files[i], "users", "user", &users, err);
        }
        if (!error) {
            error = collect_entries(&files[i], "contexts", "context",
                                    &contexts, err);
        }
        if (!error) {
            error = json_member_string(files[i].doc, "current-context", "",
                                       &file_current, err);
            if (error) {
                kovn_error_prefix(err, "%s: ", files[i].source);
            } else if (!current && file_current && *file_current) {
                current = file_current;
            }
        }
    }
    if (error) {
        goto out;
    }
    if (!current) {
        error = kovn_error_set(err, -ENOENT,
                               "%s: no current-context and none requested",
                               files[0].source);
        goto out;
    }
    ctx = shash_find_data(&contexts, current);
    if (!ctx) {
        error =
            kovn_error_set(err, -ENOENT, "%s: context \"%.128s\" not found",
                           files[0].source, current);
        goto out;
    }
    char *ctx_path = xasprintf("%s.context", ctx->path);
    error =
        json_member_string(ctx->body, "cluster", ctx_path, &cluster_name, err);
    if (!error) {
        error =
            json_member_string(ctx->body, "user", ctx_path, &user_name, err);
    }
    if (!error) {
        error = json_member_string(ctx->body, "namespace", ctx_path,
                                   &namespace, err);
    }
    free(ctx_path);
    if (error) {
        kovn_error_prefix(err, "%s: ", ctx->file->source);
        goto out;
    }
    cluster = cluster_name ? shash_find_data(&clusters, cluster_name) : NULL;
    if (!cluster) {
        error = kovn_error_set(
            err, -ENOENT, "%s: %s: cluster \"%.128s\" not found",
            ctx->file->source, ctx->path, cluster_name ? cluster_name : "");
        goto out;
    }
    user = user_name ? shash_find_data(&users, user_name) : NULL;
    if (user_name && *user_name && !user) {
        error =
            kovn_error_set(err, -ENOENT, "%s: %s: user \"%.128s\" not found",
                           ctx->file->source, ctx->path, user_name);
        goto out;
    }
    error = apply_cluster(cluster, config, err);
    if (!error && user) {
        error = apply_user(user, config, err);
    }
    if (!error) {
        config->namespace =
            xstrdup(namespace && *namespace ? namespace : "default");
        config->context = xstrdup(current);
    }
out:
    if (error) {
        kube_config_destroy(config);
    }
    destroy_entries(&clusters);
    destroy_entries(&users);
    destroy_entries(&contexts);
    return error;
}

static char *
dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        return xstrdup(".");
    }
    /* "/config" lives in "/", not in "". */
    return xmemdup0(path, slash == path ? 1 : (size_t)(slash - path));
}

int
kube_config_parse(const char *source, const char *base_dir, const char *text,
                  size_t len, const char *context, struct kube_config *config,
                  struct kovn_error *err)
{
    struct config_file file = {.source = CONST_CAST(char *, source),
                               .base_dir = CONST_CAST(char *, base_dir)};
    int error;

    kube_config_init(config);
    error = json_from_yaml(source, text, len, &file.doc, err);
    if (!error) {
        error = merge_files(&file, 1, context, config, err);
        json_destroy(file.doc);
    }
    return error;
}

int
kube_config_load_files(const char *const *paths, size_t n_paths,
                       const char *context, struct kube_config *config,
                       struct kovn_error *err)
{
    struct config_file *files = xcalloc(n_paths ? n_paths : 1, sizeof *files);
    size_t n_files = 0;
    int error = 0;

    kube_config_init(config);
    if (n_paths > KUBECONFIG_FILES_MAX) {
        free(files);
        return kovn_error_set(err, -E2BIG, "more than %d kubeconfig files",
                              KUBECONFIG_FILES_MAX);
    }
    for (size_t i = 0; i < n_paths; i++) {
        struct config_file *file = &files[n_files];
        size_t len;
        char *text;

        error = file_read("kubeconfig", paths[i], YAML_MAX_BYTES, &text, &len,
                          err);
        if (error == -ENOENT && n_paths > 1) {
            error = 0;
            continue;
        }
        if (error) {
            break;
        }
        error = json_from_yaml(paths[i], text, len, &file->doc, err);
        free(text);
        if (error) {
            break;
        }
        file->source = xstrdup(paths[i]);
        file->base_dir = dir_of(paths[i]);
        n_files++;
    }
    if (!error && !n_files) {
        error = kovn_error_set(err, -ENOENT,
                               "none of the %zu kubeconfig "
                               "files exists",
                               n_paths);
    }
    if (!error) {
        error = merge_files(files, n_files, context, config, err);
    }
    for (size_t i = 0; i < n_files; i++) {
        free(files[i].source);
        free(files[i].base_dir);
        json_destroy(files[i].doc);
    }
    free(files);
    return error;
}

int
kube_config_in_cluster(const char *sa_dir, struct kube_config *config,
                       struct kovn_error *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    char *name;
    int error;

    kube_config_init(config);
    if (!host || !*host || !port || !*port) {
        return kovn_error_set(err, -ENOENT,
                              "not in a cluster: KUBERNETES_SERVICE_HOST and "
                              "KUBERNETES_SERVICE_PORT are not set");
    }
    config->server = xasprintf(
        strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
    if (!server_has_host(config->server)) {
        error = kovn_error_set(err, -EINVAL,
                               "KUBERNETES_SERVICE_HOST \"%.64s\" and "
                               "KUBERNETES_SERVICE_PORT \"%.16s\" make no URL",
                               host, port);
        goto out;
    }
    config->token_file = xasprintf("%s/token", sa_dir);
    error = file_read("service account token", config->token_file,
                      SECRET_FILE_MAX, &config->token, NULL, err);
    if (error) {
        goto out;
    }
    strip_trailing_space(config->token);
    error = check_token(config->token_file, config->token, err);
    if (error) {
        goto out;
    }
    config->ca_file = xasprintf("%s/ca.crt", sa_dir);
    struct stat st;
    if (stat(config->ca_file, &st)) {
        error = kovn_error_set(err, -errno, "service account CA \"%s\": %s",
                               config->ca_file, strerror(errno));
        goto out;
    }
    name = xasprintf("%s/namespace", sa_dir);
    if (file_read("service account namespace", name, 253, &config->namespace,
                  NULL, NULL)) {
        config->namespace = xstrdup("default");
    }
    if (!*strip_trailing_space(config->namespace)) {
        /* A blank file names no namespace: the default, as for none. */
        free(config->namespace);
        config->namespace = xstrdup("default");
    }
    free(name);
    config->context = xstrdup("in-cluster");
out:
    if (error) {
        kube_config_destroy(config);
    }
    return error;
}

int
kube_config_load(const char *kubeconfig, const char *context,
                 struct kube_config *config, struct kovn_error *err)
{
    const char *env = getenv("KUBECONFIG");
    const char *home = getenv("HOME");
    int error;

    if (kubeconfig && *kubeconfig) {
        return kube_config_load_files(&kubeconfig, 1, context, config, err);
    }
    if (env && *env) {
        char *copy = xstrdup(env), *save = NULL;
        const char *paths[KUBECONFIG_FILES_MAX + 1];
        size_t n = 0;

        for (char *p = strtok_r(copy, ":", &save); p;
             p = strtok_r(NULL, ":", &save)) {
            if (n <= KUBECONFIG_FILES_MAX) {
                paths[n++] = p;
            }
        }
        error = kube_config_load_files(paths, n, context, config, err);
        free(copy);
        return error;
    }
    if (home && *home) {
        char *path = xasprintf("%s/.kube/config", home);
        struct stat st;

        if (!stat(path, &st)) {
            const char *one = path;

            error = kube_config_load_files(&one, 1, context, config, err);
            free(path);
            return error;
        }
        free(path);
    }
    return kube_config_in_cluster(KUBE_SERVICE_ACCOUNT_DIR, config, err);
}
