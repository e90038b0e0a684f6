/* Typed JSON member access; see access.h. */
#include <config.h>

#include "json/access.h"

#include <errno.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "sset.h"

const struct json *
json_member(const struct json *object, const char *key)
{
    if (!object || object->type != JSON_OBJECT) {
        return NULL;
    }
    return shash_find_data(json_object(object), key);
}

static int
typed_member(const struct json *object, const char *key, const char *path,
             enum json_type type, const struct json **out,
             struct kovn_error *err)
{
    const struct json *member = json_member(object, key);

    *out = NULL;
    if (!member || member->type == JSON_NULL) {
        return 0;
    }
    if (member->type != type) {
        return kovn_error_set(
            err, -EINVAL, "%s%s%s: expected %s %s, got %s", path,
            *path ? "." : "", key,
            type == JSON_OBJECT || type == JSON_ARRAY ? "an" : "a",
            json_type_to_string(type), json_type_to_string(member->type));
    }
    *out = member;
    return 0;
}

int
json_member_string(const struct json *object, const char *key,
                   const char *path, const char **out, struct kovn_error *err)
{
    const struct json *member;
    int error = typed_member(object, key, path, JSON_STRING, &member, err);

    *out = member ? json_string(member) : NULL;
    return error;
}

int
json_member_bool(const struct json *object, const char *key, const char *path,
                 bool *out, struct kovn_error *err)
{
    const struct json *member = json_member(object, key);

    *out = false;
    if (!member || member->type == JSON_NULL) {
        return 0;
    }
    if (member->type != JSON_TRUE && member->type != JSON_FALSE) {
        return kovn_error_set(
            err, -EINVAL, "%s%s%s: expected a boolean, got %s", path,
            *path ? "." : "", key, json_type_to_string(member->type));
    }
    *out = member->type == JSON_TRUE;
    return 0;
}

int
json_member_object(const struct json *object, const char *key,
                   const char *path, const struct json **out,
                   struct kovn_error *err)
{
    return typed_member(object, key, path, JSON_OBJECT, out, err);
}

int
json_member_array(const struct json *object, const char *key, const char *path,
                  const struct json **out, struct kovn_error *err)
{
    return typed_member(object, key, path, JSON_ARRAY, out, err);
}

int
json_member_string_set(const struct json *object, const char *key,
                       const char *path, size_t max, struct sset *out,
                       struct kovn_error *err)
{
    const struct json *array;
    int error = json_member_array(object, key, path, &array, err);

    if (error || !array) {
        return error;
    }
    const struct json_array *items = json_array(array);
    if (items->n > max) {
        return kovn_error_set(err, -EINVAL, "%s%s%s: %zu items, limit %zu",
                              path, *path ? "." : "", key, items->n, max);
    }
    for (size_t i = 0; i < items->n; i++) {
        if (items->elems[i]->type != JSON_STRING) {
            return kovn_error_set(err, -EINVAL,
                                  "%s%s%s[%zu]: expected a string, got %s",
                                  path, *path ? "." : "", key, i,
                                  json_type_to_string(items->elems[i]->type));
        }
        sset_add(out, json_string(items->elems[i]));
    }
    return 0;
}
