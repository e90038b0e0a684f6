/* CNI network configuration lists; see conflist.h. */
#include <config.h>

#include "sandbox/conflist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/file.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"
#include "json/access.h"

void
conflist_init(struct conflist *list)
{
    memset(list, 0, sizeof *list);
}

void
conflist_destroy(struct conflist *list)
{
    for (size_t i = 0; i < list->n_plugins; i++) {
        free(list->plugins[i].type);
        json_destroy(list->plugins[i].conf);
    }
    free(list->plugins);
    free(list->cni_version);
    free(list->name);
    conflist_init(list);
}

static int
check_type(const char *type, size_t i, struct kovn_error *err)
{
    size_t len = strlen(type);

    if (!len || len > CONFLIST_TYPE_MAX || strchr(type, '/') ||
        !strcmp(type, ".") || !strcmp(type, "..")) {
        return kovn_error_set(err, -EINVAL,
                              "plugins[%zu].type: expected a file name of "
                              "1 to %d bytes without '/'",
                              i, CONFLIST_TYPE_MAX);
    }
    return 0;
}

int
conflist_from_json(const struct json *json, struct conflist *out,
                   struct kovn_error *err)
{
    const char *version = NULL, *name = NULL;
    const struct json *plugins = NULL;
    int error;

    conflist_init(out);
    if (!json || json->type != JSON_OBJECT) {
        return kovn_error_set(err, -EBADMSG,
                              "network config list: expected a JSON object");
    }
    error =
        json_member_string(json, "cniVersion", "cniVersion", &version, err);
    if (!error) {
        error = json_member_string(json, "name", "name", &name, err);
    }
    if (!error) {
        error = json_member_array(json, "plugins", "plugins", &plugins, err);
    }
    if (error) {
        goto out;
    }
    if (!version || !*version || !name || !*name) {
        error = kovn_error_set(err, -EINVAL, "%s: required",
                               !version || !*version ? "cniVersion" : "name");
        goto out;
    }
    if (!plugins || !json_array(plugins)->n) {
        error = kovn_error_set(err, -EINVAL, "plugins: at least one needed");
        goto out;
    }
    if (json_array(plugins)->n > (size_t)CONFLIST_PLUGINS_MAX) {
        error = kovn_error_set(err, -E2BIG, "plugins: more than %d",
                               CONFLIST_PLUGINS_MAX);
        goto out;
    }
    out->cni_version = xstrdup(version);
    out->name = xstrdup(name);
    out->plugins = xcalloc(json_array(plugins)->n, sizeof *out->plugins);
    for (size_t i = 0; i < json_array(plugins)->n; i++) {
        const struct json *p = json_array(plugins)->elems[i];
        const char *type = NULL;

        if (p->type != JSON_OBJECT) {
            error = kovn_error_set(err, -EINVAL,
                                   "plugins[%zu]: expected an object", i);
            goto out;
        }
        error = json_member_string(p, "type", "type", &type, err);
        if (!error && !type) {
            error =
                kovn_error_set(err, -EINVAL, "plugins[%zu].type: required", i);
        }
        if (!error) {
            error = check_type(type, i, err);
        }
        if (error) {
            goto out;
        }
        out->plugins[i].type = xstrdup(type);
        out->plugins[i].conf = json_deep_clone(p);
        out->n_plugins++;
    }
out:
    if (error) {
        conflist_destroy(out);
    }
    return error;
}

int
conflist_load(const char *name, struct conflist *out, struct kovn_error *err)
{
    struct json *json = NULL;
    char *text = NULL;
    int error;

    conflist_init(out);
    error = file_read("CNI config list", name, CONFLIST_FILE_MAX, &text, NULL,
                      err);
    if (error) {
        goto out;
    }
    json = json_from_string(text);
    if (json->type == JSON_STRING) {
        error =
            kovn_error_set(err, -EBADMSG, "%s: %s", name, json_string(json));
        goto out;
    }
    error = conflist_from_json(json, out, err);
    if (error) {
        kovn_error_prefix(err, "%s: ", name);
    }
out:
    json_destroy(json);
    free(text);
    return error;
}

struct json *
conflist_plugin_config(const struct conflist *list, size_t i,
                       const struct json *prev_result)
{
    /* A deep copy: json_clone() shares, and this one is edited. */
    struct json *conf = json_deep_clone(list->plugins[i].conf);

    json_object_put_string(conf, "name", list->name);
    json_object_put_string(conf, "cniVersion", list->cni_version);
    if (prev_result) {
        json_object_put(conf, "prevResult", json_clone(prev_result));
    } else {
        json_destroy(shash_find_and_delete(json_object(conf), "prevResult"));
    }
    return conf;
}
