/* Kubernetes object metadata, finalizer patches and conditions; see
 * object.h. */
#include <config.h>

#include "kube/object.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "util.h"
#include "json/access.h"

/* Member 'key' of 'object' if it is a string, else NULL. */
static const char *
member_string(const struct json *object, const char *key)
{
    const struct json *member = json_member(object, key);

    return member && member->type == JSON_STRING ? json_string(member) : NULL;
}

static const struct json *
metadata(const struct json *obj)
{
    return json_member(obj, "metadata");
}

const char *
kube_object_name(const struct json *obj)
{
    return member_string(metadata(obj), "name");
}

const char *
kube_object_namespace(const struct json *obj)
{
    return member_string(metadata(obj), "namespace");
}

const char *
kube_object_uid(const struct json *obj)
{
    return member_string(metadata(obj), "uid");
}

const char *
kube_object_resource_version(const struct json *obj)
{
    return member_string(metadata(obj), "resourceVersion");
}

int64_t
kube_object_generation(const struct json *obj)
{
    const struct json *generation = json_member(metadata(obj), "generation");

    return generation && generation->type == JSON_INTEGER
               ? json_integer(generation)
               : 0;
}

bool
kube_object_is_deleting(const struct json *obj)
{
    const struct json *ts = json_member(metadata(obj), "deletionTimestamp");

    return ts && ts->type != JSON_NULL;
}

const char *
kube_object_label(const struct json *obj, const char *key)
{
    return member_string(json_member(metadata(obj), "labels"), key);
}

const char *
kube_object_annotation(const struct json *obj, const char *key)
{
    return member_string(json_member(metadata(obj), "annotations"), key);
}

/* metadata.finalizers of 'obj' if it is an array, else NULL. */
static const struct json_array *
finalizers(const struct json *obj)
{
    const struct json *list = json_member(metadata(obj), "finalizers");

    return list && list->type == JSON_ARRAY ? json_array(list) : NULL;
}

bool
kube_object_has_finalizer(const struct json *obj, const char *name)
{
    const struct json_array *list = finalizers(obj);

    for (size_t i = 0; list && i < list->n; i++) {
        const struct json *elem = list->elems[i];

        if (elem->type == JSON_STRING && !strcmp(json_string(elem), name)) {
            return true;
        }
    }
    return false;
}

/* Builds {"metadata": {"finalizers": <list>, "resourceVersion": rv}} with
 * obj's string finalizers other than those of 'skip' (NULL-terminated),
 * then 'append' if non-null.
 * Non-string entries are dropped: the API server never stores them, and
 * sending them back would only get the patch rejected. */
static struct json *
finalizer_patch(const struct json *obj, const char *const skip[],
                const char *append)
{
    const struct json_array *old = finalizers(obj);
    const char *rv = kube_object_resource_version(obj);
    struct json *list = json_array_create_empty();
    struct json *meta = json_object_create();
    struct json *patch = json_object_create();

    for (size_t i = 0; old && i < old->n; i++) {
        const struct json *elem = old->elems[i];
        bool skipped = false;

        if (elem->type != JSON_STRING) {
            continue;
        }
        for (size_t j = 0; skip[j] && !skipped; j++) {
            skipped = !strcmp(json_string(elem), skip[j]);
        }
        if (!skipped) {
            json_array_add(list, json_string_create(json_string(elem)));
        }
    }
    if (append) {
        json_array_add(list, json_string_create(append));
    }
    json_object_put(meta, "finalizers", list);
    if (rv) {
        json_object_put_string(meta, "resourceVersion", rv);
    }
    json_object_put(patch, "metadata", meta);
    return patch;
}

struct json *
kube_finalizer_add_patch(const struct json *obj, const char *finalizer)
{
    if (kube_object_has_finalizer(obj, finalizer)) {
        return NULL;
    }
    static const char *const none[] = {NULL};

    return finalizer_patch(obj, none, finalizer);
}

struct json *
kube_finalizer_remove_patch(const struct json *obj, const char *finalizer)
{
    if (!kube_object_has_finalizer(obj, finalizer)) {
        return NULL;
    }
    const char *const drop[] = {finalizer, NULL};

    return finalizer_patch(obj, drop, NULL);
}

struct json *
kube_finalizer_replace_patch(const struct json *obj, const char *const drop[],
                             const char *add)
{
    bool change = false;

    if (add && kube_object_has_finalizer(obj, add)) {
        add = NULL; /* Kept where it is. */
    }
    for (size_t i = 0; drop[i] && !change; i++) {
        change = kube_object_has_finalizer(obj, drop[i]);
    }
    return change || add ? finalizer_patch(obj, drop, add) : NULL;
}

/* Kubernetes' condition reason rule,
 * ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$, without pulling in a regex
 * engine. */
static bool
is_valid_reason(const char *reason)
{
    size_t len = strlen(reason);

    if (!len || !((reason[0] >= 'A' && reason[0] <= 'Z') ||
                  (reason[0] >= 'a' && reason[0] <= 'z'))) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        char ch = reason[i];
        bool word_char = (ch >= 'A' && ch <= 'Z') ||
                         (ch >= 'a' && ch <= 'z') ||
                         (ch >= '0' && ch <= '9') || ch == '_';

        if (!word_char && ((ch != ',' && ch != ':') || i == len - 1)) {
            return false;
        }
    }
    return true;
}

static bool
is_valid_status(const char *status)
{
    return status && (!strcmp(status, "True") || !strcmp(status, "False") ||
                      !strcmp(status, "Unknown"));
}

int
kube_condition_validate(const struct kube_condition *c, struct kovn_error *err)
{
    if (!c->type || !*c->type) {
        return kovn_error_set(err, -EINVAL,
                              "condition type: must not be empty");
    }
    if (!is_valid_status(c->status)) {
        return kovn_error_set(
            err, -EINVAL,
            "condition %.64s status: \"%.64s\" is not True, False or Unknown",
            c->type, c->status ? c->status : "");
    }
    if (c->reason && *c->reason) {
        size_t len = strnlen(c->reason, KUBE_CONDITION_REASON_MAX + 1);

        if (len > KUBE_CONDITION_REASON_MAX) {
            return kovn_error_set(err, -EINVAL,
                                  "condition %.64s reason: longer than %d "
                                  "characters",
                                  c->type, KUBE_CONDITION_REASON_MAX);
        }
        if (!is_valid_reason(c->reason)) {
            return kovn_error_set(
                err, -EINVAL,
                "condition %.64s reason: \"%.64s\" must be CamelCase: a "
                "letter, "
                "then letters, digits, '_', ',' or ':', not ending in ',' or "
                "':'",
                c->type, c->reason);
        }
    }
    if (c->message && strnlen(c->message, KUBE_CONDITION_MESSAGE_MAX + 1) >
                          KUBE_CONDITION_MESSAGE_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "condition %.64s message: longer than %d bytes",
                              c->type, KUBE_CONDITION_MESSAGE_MAX);
    }
    if (c->observed_generation < 0) {
        return kovn_error_set(
            err, -EINVAL,
            "condition %.64s observedGeneration: must not be "
            "negative",
            c->type);
    }
    return 0;
}

static struct json_array *
conditions_array(const struct json *conditions)
{
    return conditions && conditions->type == JSON_ARRAY
               ? json_array(conditions)
               : NULL;
}

static bool
has_type(const struct json *condition, const char *type)
{
    const char *t = member_string(condition, "type");

    return t && !strcmp(t, type);
}

const struct json *
kube_condition_find(const struct json *conditions, const char *type)
{
    const struct json_array *array = conditions_array(conditions);

    for (size_t i = 0; array && i < array->n; i++) {
        if (has_type(array->elems[i], type)) {
            return array->elems[i];
        }
    }
    return NULL;
}

bool
kube_condition_is_true(const struct json *conditions, const char *type)
{
    const char *status =
        member_string(kube_condition_find(conditions, type), "status");

    return status && !strcmp(status, "True");
}

bool
kube_condition_remove(struct json *conditions, const char *type)
{
    struct json_array *array = conditions_array(conditions);
    size_t kept = 0;
    bool removed = false;

    for (size_t i = 0; array && i < array->n; i++) {
        if (has_type(array->elems[i], type)) {
            json_destroy(array->elems[i]);
            removed = true;
        } else {
            array->elems[kept++] = array->elems[i];
        }
    }
    if (array) {
        array->n = kept;
    }
    return removed;
}

/* Whether string member 'key' of 'condition' differs from 'value', an
 * absent member reading as "" as it does after a Go round trip. */
static bool
string_differs(const struct json *condition, const char *key,
               const char *value)
{
    const char *old = member_string(condition, key);

    return strcmp(old ? old : "", value ? value : "");
}

static int64_t
observed_generation(const struct json *condition)
{
    const struct json *g = json_member(condition, "observedGeneration");

    return g && g->type == JSON_INTEGER ? json_integer(g) : 0;
}

/* Empty strings are left out rather than written as "": they mean the same
 * to every reader, and some API server versions reject "" in custom
 * resources whose schema types the field as a string. */
static void
put_optional_string(struct json *object, const char *key, const char *value)
{
    if (value && *value) {
        json_object_put_string(object, key, value);
    } else if (json_member(object, key)) {
        json_destroy(shash_find_and_delete(json_object(object), key));
    }
}

/* Writes the fields 'c' owns into 'condition' (but not the times). */
static void
put_condition_fields(struct json *condition, const struct kube_condition *c)
{
    json_object_put_string(condition, "type", c->type);
    json_object_put_string(condition, "status", c->status);
    put_optional_string(condition, "reason", c->reason);
    put_optional_string(condition, "message", c->message);
    if (c->observed_generation) {
        json_object_put(condition, "observedGeneration",
                        json_integer_create(c->observed_generation));
    } else if (json_member(condition, "observedGeneration")) {
        json_destroy(shash_find_and_delete(json_object(condition),
                                           "observedGeneration"));
    }
}

bool
kube_condition_set(struct json *conditions, const struct kube_condition *c,
                   const char *now)
{
    struct json *old;
    bool status_changed;

    if (!conditions_array(conditions) || kube_condition_validate(c, NULL)) {
        return false;
    }

    old = CONST_CAST(struct json *, kube_condition_find(conditions, c->type));
    if (!old) {
        struct json *condition = json_object_create();

        put_condition_fields(condition, c);
        json_object_put_string(condition, "lastTransitionTime", now);
        json_object_put_string(condition, "lastUpdateTime", now);
        json_array_add(conditions, condition);
        return true;
    }

    status_changed = string_differs(old, "status", c->status);
    if (!status_changed && !string_differs(old, "reason", c->reason) &&
        !string_differs(old, "message", c->message) &&
        observed_generation(old) == c->observed_generation &&
        member_string(old, "lastTransitionTime")) {
        return false;
    }

    put_condition_fields(old, c);
    /* A condition that somehow lost its lastTransitionTime gets one, as
     * SetStatusCondition would give it. */
    if (status_changed || !member_string(old, "lastTransitionTime")) {
        json_object_put_string(old, "lastTransitionTime", now);
    }
    json_object_put_string(old, "lastUpdateTime", now);
    return true;
}

void
kube_rfc3339_format(time_t t, char buf[KUBE_RFC3339_LEN])
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, KUBE_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        /* Only for times gmtime() cannot represent; a valid timestamp is
         * better than garbage in an API object. */
        ovs_strlcpy(buf, "1970-01-01T00:00:00Z", KUBE_RFC3339_LEN);
    }
}

void
kube_rfc3339_now(char buf[KUBE_RFC3339_LEN])
{
    kube_rfc3339_format(time(NULL), buf);
}

char *
kube_object_key(const struct json *obj)
{
    const char *name = kube_object_name(obj);
    const char *namespace = kube_object_namespace(obj);

    if (!name || !*name) {
        return NULL;
    }
    return namespace && *namespace ? xasprintf("%s/%s", namespace, name)
                                   : xstrdup(name);
}

/* Prunes 'obj', whose path from the root is 'prefix' ("" at the root). */
static void
prune(struct json *obj, const char *prefix, const char *const paths[])
{
    struct shash_node *node, *next;
    size_t plen = strlen(prefix);

    if (obj->type != JSON_OBJECT) {
        return;
    }
    SHASH_FOR_EACH_SAFE(node, next, json_object(obj))
    {
        size_t nlen = strlen(node->name);
        bool keep = false, whole = false;

        for (size_t i = 0; paths[i] && !whole; i++) {
            const char *p = paths[i];

            /* Does 'p' start with "<prefix>.<name>" (or "<name>")? */
            if (plen && (strncmp(p, prefix, plen) || p[plen] != '.')) {
                continue;
            }
            p += plen ? plen + 1 : 0;
            if (strncmp(p, node->name, nlen)) {
                continue;
            }
            if (p[nlen] == '\0') {
                whole = true;
            } else if (p[nlen] == '.') {
                keep = true;
            }
        }
        if (whole) {
            continue;
        }
        if (!keep) {
            json_destroy(node->data);
            shash_delete(json_object(obj), node);
            continue;
        }
        char *child = plen ? xasprintf("%s.%s", prefix, node->name)
                           : xstrdup(node->name);
        struct json *value = node->data;
        if (value->type == JSON_ARRAY) {
            /* A path through an array applies to each of its items
             * ("spec.containers.ports.name"). */
            for (size_t i = 0; i < value->array.n; i++) {
                prune(value->array.elems[i], child, paths);
            }
        } else {
            prune(value, child, paths);
        }
        free(child);
    }
}

void
kube_object_prune(struct json *obj, const char *const paths[])
{
    if (obj) {
        prune(obj, "", paths);
    }
}

/* Adds the string members of metadata.'section' whose names start with
 * 'prefix' to 'out'. */
static void
metadata_strings(const struct json *obj, const char *section,
                 const char *prefix, struct smap *out)
{
    const struct json *m = json_member(json_member(obj, "metadata"), section);
    size_t prefix_len = strlen(prefix);
    struct shash_node *node;

    if (m && m->type == JSON_OBJECT) {
        SHASH_FOR_EACH(node, json_object(m))
        {
            const struct json *v = node->data;
            if (v->type == JSON_STRING &&
                !strncmp(node->name, prefix, prefix_len)) {
                smap_add(out, node->name, json_string(v));
            }
        }
    }
}

void
kube_object_labels(const struct json *obj, struct smap *labels)
{
    metadata_strings(obj, "labels", "", labels);
}

void
kube_object_annotations(const struct json *obj, const char *prefix,
                        struct smap *annotations)
{
    metadata_strings(obj, "annotations", prefix, annotations);
}
