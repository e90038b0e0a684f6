/* Pods from protobuf; see podproto.h.  Field numbers are those of
 * k8s.io/api/core/v1 and k8s.io/apimachinery/pkg/apis/meta/v1
 * generated.proto, stable since v1: protobuf never renumbers a field. */
#include <config.h>

#include "kube/podproto.h"

#include <errno.h>
#include <time.h>

#include "base/error.h"
#include "kube/protobuf.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"

enum member_kind {
    MEMBER_STRING,
    MEMBER_BOOL,
    MEMBER_TIME,    /* meta/v1 Time {seconds = 1, nanos = 2}. */
    MEMBER_MAP,     /* map<string, string>: entries {key = 1, value = 2}. */
    MEMBER_MESSAGE, /* A nested message, into an object of its own. */
    MEMBER_INT,     /* int32, always written (JSON has no omitempty). */
    MEMBER_LIST,    /* A repeated message: each one an object in an array. */
};

struct message;

struct member {
    uint32_t number;
    const char *name;
    enum member_kind kind;
    const struct message *message; /* MEMBER_MESSAGE. */
};

struct message {
    const char *name;
    const struct member *members;
    size_t n_members;
};

#define MESSAGE(NAME, MEMBERS)             \
    {                                      \
        NAME, MEMBERS, ARRAY_SIZE(MEMBERS) \
    }

static const struct member object_meta_members[] = {
    {1, "name", MEMBER_STRING, NULL},
    {2, "generateName", MEMBER_STRING, NULL},
    {3, "namespace", MEMBER_STRING, NULL},
    {5, "uid", MEMBER_STRING, NULL},
    {6, "resourceVersion", MEMBER_STRING, NULL},
    {9, "deletionTimestamp", MEMBER_TIME, NULL},
    {11, "labels", MEMBER_MAP, NULL},
    {12, "annotations", MEMBER_MAP, NULL},
};
static const struct message object_meta =
    MESSAGE("ObjectMeta", object_meta_members);

/* Only what names a port: NetworkPolicy's named ports. */
static const struct member container_port_members[] = {
    {1, "name", MEMBER_STRING, NULL},
    {3, "containerPort", MEMBER_INT, NULL},
    {4, "protocol", MEMBER_STRING, NULL},
};
static const struct message container_port =
    MESSAGE("ContainerPort", container_port_members);

static const struct member container_members[] = {
    {6, "ports", MEMBER_LIST, &container_port},
};
static const struct message container =
    MESSAGE("Container", container_members);

static const struct member pod_spec_members[] = {
    {2, "containers", MEMBER_LIST, &container},
    {3, "restartPolicy", MEMBER_STRING, NULL},
    {10, "nodeName", MEMBER_STRING, NULL},
    {11, "hostNetwork", MEMBER_BOOL, NULL},
};
static const struct message pod_spec = MESSAGE("PodSpec", pod_spec_members);

static const struct member pod_status_members[] = {
    {1, "phase", MEMBER_STRING, NULL},
};
static const struct message pod_status =
    MESSAGE("PodStatus", pod_status_members);

static const struct member pod_members[] = {
    {1, "metadata", MEMBER_MESSAGE, &object_meta},
    {2, "spec", MEMBER_MESSAGE, &pod_spec},
    {3, "status", MEMBER_MESSAGE, &pod_status},
};
static const struct message pod = MESSAGE("Pod", pod_members);

const char *const kube_pod_protobuf_fields[] = {
    "metadata.name",
    "metadata.generateName",
    "metadata.namespace",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.deletionTimestamp",
    "metadata.labels",
    "metadata.annotations",
    "spec.containers.ports.name",
    "spec.containers.ports.containerPort",
    "spec.containers.ports.protocol",
    "spec.restartPolicy",
    "spec.nodeName",
    "spec.hostNetwork",
    "status.phase",
    NULL,
};

static void
remove_member(struct json *object, const char *name)
{
    struct json *old = shash_find_and_delete(json_object(object), name);

    json_destroy(old);
}

/* A string value, or NULL with 'err' set. */
static char *
text(const struct pb_field *field, const char *what, struct kovn_error *err)
{
    /* An absent map key or value is an empty string. */
    char *s = pb_text_dup(field, SIZE_MAX);

    if (!s) {
        kovn_error_set(err, -EPROTO, "%s is not UTF-8 text", what);
    }
    return s;
}

/* meta/v1 Time as its JSON form, RFC 3339 in UTC to the second. */
static char *
time_text(const struct pb_field *field, struct kovn_error *err)
{
    struct pb_reader r = pb_reader(field->data, field->len);
    struct pb_field f;
    int64_t seconds = 0;
    struct tm tm;
    int more;

    while ((more = pb_read_field(&r, &f)) > 0) {
        if (f.number == 1 && f.wire == PB_VARINT) {
            seconds = (int64_t)f.varint;
        }
    }
    if (more < 0) {
        kovn_error_set(err, -EPROTO, "malformed Time");
        return NULL;
    }
    time_t t = seconds;
    /* Go refuses to encode years outside 0..9999 as JSON. */
    if ((int64_t)t != seconds || !gmtime_r(&t, &tm) || tm.tm_year < -1900 ||
        tm.tm_year > 9999 - 1900) {
        kovn_error_set(err, -EPROTO, "Time %lld out of range",
                       (long long)seconds);
        return NULL;
    }
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

static int
map_entry(struct json *object, const char *name, const struct pb_field *field,
          struct kovn_error *err)
{
    struct pb_reader r = pb_reader(field->data, field->len);
    struct pb_field f, key = {0}, value = {0};
    int more;

    while ((more = pb_read_field(&r, &f)) > 0) {
        if ((f.number == 1 || f.number == 2) && f.wire != PB_LEN) {
            more = -1;
            break;
        }
        if (f.number == 1) {
            key = f;
        } else if (f.number == 2) {
            value = f;
        }
    }
    if (more < 0) {
        return kovn_error_set(err, -EPROTO, "malformed %s entry", name);
    }
    char *k = text(&key, name, err);
    char *v = k ? text(&value, name, err) : NULL;
    if (!v) {
        free(k);
        return -EPROTO;
    }
    struct json *map = shash_find_data(json_object(object), name);
    if (!map) {
        map = json_object_create();
        json_object_put(object, name, map);
    }
    json_object_put_nocopy(map, k, json_string_create_nocopy(v));
    return 0;
}

static int decode(const struct message *message, const uint8_t *data,
                  size_t len, struct json *object, struct kovn_error *err);

static int
member(const struct member *m, const struct pb_field *field,
       struct json *object, struct kovn_error *err)
{
    enum pb_wire wire =
        m->kind == MEMBER_BOOL || m->kind == MEMBER_INT ? PB_VARINT : PB_LEN;
    char *s = NULL;

    if (field->wire != wire) {
        return kovn_error_set(err, -EPROTO, "%s has wire type %d", m->name,
                              field->wire);
    }
    switch (m->kind) {
    case MEMBER_STRING:
    case MEMBER_TIME:
        s = m->kind == MEMBER_STRING ? text(field, m->name, err)
                                     : time_text(field, err);
        if (!s) {
            return -EPROTO;
        }
        /* As in JSON, where these are omitempty: the last one counts. */
        if (*s) {
            json_object_put(object, m->name, json_string_create_nocopy(s));
        } else {
            free(s);
            remove_member(object, m->name);
        }
        return 0;
    case MEMBER_BOOL:
        if (field->varint) {
            json_object_put(object, m->name, json_boolean_create(true));
        } else {
            remove_member(object, m->name);
        }
        return 0;
    case MEMBER_INT:
        /* int32 is sign-extended to 64 bits on the wire. */
        json_object_put(object, m->name,
                        json_integer_create((int32_t)field->varint));
        return 0;
    case MEMBER_LIST: {
        struct json *list = shash_find_data(json_object(object), m->name);
        struct json *item = json_object_create();

        if (!list) {
            list = json_array_create_empty();
            json_object_put(object, m->name, list);
        }
        json_array_add(list, item);
        return decode(m->message, field->data, field->len, item, err);
    }
    case MEMBER_MAP:
        return map_entry(object, m->name, field, err);
    case MEMBER_MESSAGE: {
        /* A message given twice is merged, as protobuf parsers do. */
        struct json *child = shash_find_data(json_object(object), m->name);

        if (!child) {
            child = json_object_create();
            json_object_put(object, m->name, child);
        }
        return decode(m->message, field->data, field->len, child, err);
    }
    }
    OVS_NOT_REACHED();
}

static int
decode(const struct message *message, const uint8_t *data, size_t len,
       struct json *object, struct kovn_error *err)
{
    struct pb_reader r = pb_reader(data, len);
    struct pb_field field;
    int more;

    while ((more = pb_read_field(&r, &field)) > 0) {
        for (size_t i = 0; i < message->n_members; i++) {
            const struct member *m = &message->members[i];

            if (m->number == field.number) {
                int error = member(m, &field, object, err);

                if (error) {
                    kovn_error_prefix(err, "%s: ", message->name);
                    return error;
                }
                break;
            }
        }
    }
    if (more < 0) {
        return kovn_error_set(err, -EPROTO, "malformed %s message",
                              message->name);
    }
    return 0;
}

struct json *
kube_pod_from_protobuf(const void *data, size_t len, struct kovn_error *err)
{
    struct json *object = json_object_create();

    for (size_t i = 0; i < pod.n_members; i++) {
        json_object_put(object, pod.members[i].name, json_object_create());
    }
    if (decode(&pod, data, len, object, err)) {
        json_destroy(object);
        return NULL;
    }
    return object;
}
