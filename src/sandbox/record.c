/* Sandbox records in the state directory; see record.h. */
#include <config.h>

#include "sandbox/record.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "cni/protocol.h"
#include "openvswitch/json.h"
#include "sset.h"
#include "util.h"
#include "json/access.h"

void
record_init(struct record *r)
{
    memset(r, 0, sizeof *r);
}

void
record_destroy(struct record *r)
{
    free(r->uid);
    free(r->namespace);
    free(r->name);
    free(r->id);
    free(r->netns);
    json_destroy(r->result);
    record_init(r);
}

struct json *
record_to_json(const struct record *r)
{
    struct json *json = json_object_create();

    json_object_put_string(json, "uid", r->uid);
    json_object_put_string(json, "namespace", r->namespace);
    json_object_put_string(json, "name", r->name);
    json_object_put_string(json, "id", r->id);
    json_object_put_string(json, "netns", r->netns);
    if (r->result) {
        json_object_put(json, "result", json_clone(r->result));
    }
    return json;
}

static bool
uid_ok(const char *uid)
{
    if (!*uid) {
        return false;
    }
    for (const char *p = uid; *p; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '-')) {
            return false;
        }
    }
    return true;
}

static int
get_field(const struct json *json, const char *key, char **out,
          struct kovn_error *err)
{
    const char *s = NULL;
    int error = json_member_string(json, key, key, &s, err);

    if (error) {
        return error;
    }
    if (!s || !*s || strlen(s) > RECORD_FIELD_MAX) {
        return kovn_error_set(err, -EINVAL, "%s: expected 1 to %d characters",
                              key, RECORD_FIELD_MAX);
    }
    *out = xstrdup(s);
    return 0;
}

int
record_from_json(const struct json *json, struct record *out,
                 struct kovn_error *err)
{
    const struct json *result = NULL;
    int error;

    record_init(out);
    if (!json || json->type != JSON_OBJECT) {
        return kovn_error_set(err, -EBADMSG, "expected a JSON object");
    }
    if ((error = get_field(json, "uid", &out->uid, err)) ||
        (error = get_field(json, "namespace", &out->namespace, err)) ||
        (error = get_field(json, "name", &out->name, err)) ||
        (error = get_field(json, "id", &out->id, err)) ||
        (error = get_field(json, "netns", &out->netns, err)) ||
        (error = json_member_object(json, "result", "result", &result, err))) {
        goto out;
    }
    if (!uid_ok(out->uid)) {
        error = kovn_error_set(err, -EINVAL, "uid: expected [A-Za-z0-9-]");
        goto out;
    }
    error = cni_container_id_check("id", out->id, err);
    if (!error) {
        error = cni_path_check("netns", out->netns, err);
    }
    if (!error && result) {
        out->result = json_clone(result);
    }
out:
    if (error) {
        record_destroy(out);
    }
    return error;
}

int
record_save(const char *dir, const struct record *r, struct kovn_error *err)
{
    char *file = xasprintf("%s/%s%s", dir, r->uid, RECORD_SUFFIX);
    char *tmp = xasprintf("%s.tmp", file);
    struct json *json = record_to_json(r);
    char *text = json_to_string(json, 0);
    int error = 0;
    FILE *f;

    if (mkdir(dir, 0700) && errno != EEXIST) {
        error =
            kovn_error_set(err, -errno, "mkdir %s: %s", dir, strerror(errno));
        goto out;
    }
    f = fopen(tmp, "we");
    if (!f) {
        error = kovn_error_set(err, -errno, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fputs(text, f);
    if (fflush(f) || fsync(fileno(f))) {
        error = kovn_error_set(err, -errno, "%s: %s", tmp, strerror(errno));
    }
    if (fclose(f) && !error) {
        error = kovn_error_set(err, -errno, "%s: %s", tmp, strerror(errno));
    }
    if (!error && rename(tmp, file)) {
        error = kovn_error_set(err, -errno, "rename %s: %s", file,
                               strerror(errno));
    }
    if (error) {
        unlink(tmp);
    }
out:
    json_destroy(json);
    free(text);
    free(tmp);
    free(file);
    return error;
}

int
record_load(const char *dir, const char *uid, struct record *out,
            struct kovn_error *err)
{
    char *file = xasprintf("%s/%s%s", dir, uid, RECORD_SUFFIX);
    struct json *json = NULL;
    char *text = NULL;
    int error;

    record_init(out);
    error =
        file_read("sandbox record", file, RECORD_FILE_MAX, &text, NULL, err);
    if (!error) {
        json = json_from_string(text);
        error = record_from_json(json, out, err);
        if (error) {
            kovn_error_prefix(err, "%s: ", file);
        } else if (strcmp(out->uid, uid)) {
            error = kovn_error_set(err, -EINVAL, "%s: uid %s in it", file,
                                   out->uid);
            record_destroy(out);
        }
    }
    json_destroy(json);
    free(text);
    free(file);
    return error;
}

int
record_remove(const char *dir, const char *uid, struct kovn_error *err)
{
    char *file = xasprintf("%s/%s%s", dir, uid, RECORD_SUFFIX);
    int error = 0;

    if (unlink(file) && errno != ENOENT) {
        error = kovn_error_set(err, -errno, "unlink %s: %s", file,
                               strerror(errno));
    }
    free(file);
    return error;
}

int
record_list(const char *dir, struct sset *uids, struct kovn_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        return errno == ENOENT ? 0
                               : kovn_error_set(err, -errno, "opendir %s: %s",
                                                dir, strerror(errno));
    }
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name), slen = strlen(RECORD_SUFFIX);

        if (len > slen && !strcmp(de->d_name + len - slen, RECORD_SUFFIX)) {
            char *uid = xmemdup0(de->d_name, len - slen);
            if (uid_ok(uid)) {
                sset_add(uids, uid);
            }
            free(uid);
        }
    }
    closedir(d);
    return 0;
}
