/* Aggregating Event recorder; see events.h. */
#include <config.h>

#include "kube/events.h"

#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(kube_events);

/* client-go's EventSourceObjectSpamFilter defaults. */
#define SPAM_BURST     25
#define SPAM_REFILL_MS (5 * 60 * 1000)
/* Bound on remembered (object, reason, message) series. */
#define SERIES_MAX  4096
#define MESSAGE_MAX 1024

struct event_series {
    char *key;
    char *namespace;
    char *name; /* The Event object's name once created. */
    char *first_timestamp;
    struct json *involved;
    char *type, *reason, *message;
    unsigned long long count;      /* Occurrences recorded. */
    unsigned long long count_sent; /* Count the server has. */
    bool in_flight;
    struct kube_recorder *recorder;
};

struct spam_bucket {
    double tokens;
    long long updated;
};

struct kube_recorder {
    struct kube_client *client;
    char *component;
    char *default_namespace;
    struct shash series;  /* key -> struct event_series. */
    struct shash buckets; /* object key -> struct spam_bucket. */
    size_t in_flight;
    struct kube_event_stats stats;
};

struct kube_recorder *
kube_recorder_create(struct kube_client *client, const char *component,
                     const char *default_namespace)
{
    struct kube_recorder *r = xzalloc(sizeof *r);

    r->client = client;
    r->component = xstrdup(component);
    r->default_namespace = xstrdup(default_namespace);
    shash_init(&r->series);
    shash_init(&r->buckets);
    return r;
}

static void
series_free(struct event_series *s)
{
    free(s->key);
    free(s->namespace);
    free(s->name);
    free(s->first_timestamp);
    json_destroy(s->involved);
    free(s->type);
    free(s->reason);
    free(s->message);
    free(s);
}

void
kube_recorder_destroy(struct kube_recorder *r)
{
    struct shash_node *node;

    if (!r) {
        return;
    }
    /* In-flight writes keep a pointer to their series: their callbacks
     * must not run after this, which kube_client_destroy() guarantees
     * when the client goes first or with us. */
    SHASH_FOR_EACH(node, &r->series)
    {
        series_free(node->data);
    }
    shash_destroy(&r->series);
    shash_destroy_free_data(&r->buckets);
    free(r->component);
    free(r->default_namespace);
    free(r);
}

static bool
spam_allows(struct kube_recorder *r, const char *object_key)
{
    struct spam_bucket *b = shash_find_data(&r->buckets, object_key);
    long long now = time_msec();

    if (!b) {
        b = xmalloc(sizeof *b);
        b->tokens = SPAM_BURST;
        b->updated = now;
        shash_add(&r->buckets, object_key, b);
    }
    b->tokens = MIN(SPAM_BURST,
                    b->tokens + (double)(now - b->updated) / SPAM_REFILL_MS);
    b->updated = now;
    if (b->tokens < 1.0) {
        return false;
    }
    b->tokens -= 1.0;
    return true;
}

static void send_series(struct event_series *s);

static void
write_done(struct kube_response *response, void *s_)
{
    struct event_series *s = s_;
    struct kube_recorder *r = s->recorder;

    s->in_flight = false;
    r->in_flight--;
    if (!response->error &&
        (response->status == 200 || response->status == 201)) {
        const struct json *metadata =
            shash_find_data(json_object(response->body), "metadata");
        const struct json *name =
            metadata && metadata->type == JSON_OBJECT
                ? shash_find_data(json_object(metadata), "name")
                : NULL;

        if (!s->name && name && name->type == JSON_STRING) {
            s->name = xstrdup(json_string(name));
        }
    } else {
        r->stats.failed++;
        VLOG_WARN("event %s/%s: %ld %s", s->reason, s->message,
                  response->status, response->message);
        if (response->status == 404 && s->name) {
            /* The Event expired (TTL): start a new one. */
            free(s->name);
            s->name = NULL;
        }
        /* No retry storm: the failed write's occurrences are given up and
         * the next occurrence writes again. */
    }
    if (s->count != s->count_sent) {
        send_series(s);
    }
}

static void
send_series(struct event_series *s)
{
    struct kube_recorder *r = s->recorder;
    char now[KUBE_RFC3339_LEN], *path;
    struct json *body = json_object_create();

    kube_rfc3339_now(now);
    s->in_flight = true;
    r->in_flight++;
    if (!s->name) {
        struct json *metadata = json_object_create();
        struct json *source = json_object_create();
        struct timeval tv;

        gettimeofday(&tv, NULL);
        /* client-go's naming: involved object name plus a unique hex
         * suffix. */
        json_object_put(
            metadata, "name",
            json_string_create_nocopy(xasprintf(
                "%s.%llx",
                json_string(shash_find_data(json_object(s->involved), "name")),
                (unsigned long long)tv.tv_sec * 1000000000ULL +
                    (unsigned long long)tv.tv_usec * 1000 +
                    (unsigned long long)r->stats.created)));
        json_object_put_string(metadata, "namespace", s->namespace);
        json_object_put_string(source, "component", r->component);
        json_object_put(body, "metadata", metadata);
        json_object_put(body, "involvedObject", json_clone(s->involved));
        json_object_put_string(body, "type", s->type);
        json_object_put_string(body, "reason", s->reason);
        json_object_put_string(body, "message", s->message);
        json_object_put(body, "source", source);
        json_object_put_string(body, "firstTimestamp", s->first_timestamp);
        json_object_put_string(body, "lastTimestamp", now);
        json_object_put(body, "count",
                        json_integer_create((long long)s->count));
        path = xasprintf("/api/v1/namespaces/%s/events", s->namespace);
        s->count_sent = s->count;
        r->stats.created++;
        kube_client_send(r->client, "POST", path, body, NULL, write_done, s);
    } else {
        json_object_put(body, "count",
                        json_integer_create((long long)s->count));
        json_object_put_string(body, "lastTimestamp", now);
        path = xasprintf("/api/v1/namespaces/%s/events/%s", s->namespace,
                         s->name);
        s->count_sent = s->count;
        r->stats.patched++;
        kube_client_send(r->client, "PATCH", path, body,
                         "application/merge-patch+json", write_done, s);
    }
    free(path);
    json_destroy(body);
}

void
kube_recorder_event(struct kube_recorder *r,
                    const struct kube_event_object *object, const char *type,
                    const char *reason, const char *message)
{
    const char *ns = object->namespace && *object->namespace
                         ? object->namespace
                         : r->default_namespace;
    char *object_key = xasprintf("%s/%s/%s/%s", object->kind, ns, object->name,
                                 object->uid ? object->uid : "");
    char *short_message = xmemdup0(message, strnlen(message, MESSAGE_MAX));
    char *key =
        xasprintf("%s|%s|%s|%s", object_key, type, reason, short_message);
    struct event_series *s;

    r->stats.recorded++;
    s = shash_find_data(&r->series, key);
    if (!s && !spam_allows(r, object_key)) {
        r->stats.dropped++;
        goto out;
    }
    if (!s) {
        char now[KUBE_RFC3339_LEN];
        struct json *involved = json_object_create();

        if (shash_count(&r->series) >= SERIES_MAX) {
            /* Forget idle series first; a busy recorder drops instead. */
            struct shash_node *node, *next;

            SHASH_FOR_EACH_SAFE(node, next, &r->series)
            {
                struct event_series *old = node->data;

                if (!old->in_flight) {
                    shash_delete(&r->series, node);
                    series_free(old);
                }
            }
            if (shash_count(&r->series) >= SERIES_MAX) {
                r->stats.dropped++;
                json_destroy(involved);
                goto out;
            }
        }
        s = xzalloc(sizeof *s);
        s->recorder = r;
        s->key = xstrdup(key);
        s->namespace = xstrdup(ns);
        kube_rfc3339_now(now);
        s->first_timestamp = xstrdup(now);
        json_object_put_string(involved, "apiVersion", object->api_version);
        json_object_put_string(involved, "kind", object->kind);
        if (object->namespace && *object->namespace) {
            json_object_put_string(involved, "namespace", object->namespace);
        }
        json_object_put_string(involved, "name", object->name);
        if (object->uid) {
            json_object_put_string(involved, "uid", object->uid);
        }
        s->involved = involved;
        s->type = xstrdup(type);
        s->reason = xstrdup(reason);
        s->message = xstrdup(short_message);
        shash_add(&r->series, key, s);
    }
    s->count++;
    if (!s->in_flight) {
        send_series(s);
    }
out:
    free(object_key);
    free(short_message);
    free(key);
}

size_t
kube_recorder_pending(const struct kube_recorder *r)
{
    size_t pending = r->in_flight;
    struct shash_node *node;

    SHASH_FOR_EACH(node, &r->series)
    {
        const struct event_series *s = node->data;

        pending += !s->in_flight && s->count != s->count_sent;
    }
    return pending;
}

const struct kube_event_stats *
kube_recorder_stats(const struct kube_recorder *r)
{
    return &r->stats;
}
