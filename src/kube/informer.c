/* List+watch informer; see informer.h. */
#include <config.h>

#include "kube/informer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kube/list.h"
#include "kube/object.h"
#include "kube/pblist.h"
#include "kube/rest.h"
#include "kube/status.h"
#include "kube/store.h"
#include "kube/watch.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "random.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(kube_informer);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* An unpaged list streams without the client's per-request timeout (as
 * watches do); this bounds it instead, generously for 100k objects. */
#define LIST_STREAM_TIMEOUT_MS (5 * 60 * 1000)

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 30000

enum informer_state {
    INFORMER_START_LIST,  /* A list must be started. */
    INFORMER_FENCING,     /* The fence's create is in flight. */
    INFORMER_LISTING,     /* A list page is in flight. */
    INFORMER_START_WATCH, /* A watch must be started. */
    INFORMER_WATCHING,    /* A watch stream is open. */
    INFORMER_BACKOFF,     /* Waiting until 'retry_at', then 'after'. */
};

struct kube_informer {
    struct kube_client *client;
    struct kube_informer_options options;
    struct kube_informer_handlers handlers;
    char *path;
    char *selector;
    char *field_selector;
    struct json *fence_object; /* Until the first list sends it. */
    char *fence_selector;

    struct kube_store store;
    char *rv; /* Last resourceVersion seen. */
    bool synced;

    enum informer_state state;
    enum informer_state after; /* What BACKOFF leads to. */
    long long retry_at;
    long long backoff_ms;
    long long next_resync;

    /* Listing.  Listed objects go into the store as they arrive (a relist
     * of 10k pods held whole until its end would double the memory); the
     * store marks them, and those left unmarked at the end are deleted. */
    char *list_continue;
    struct kube_list_decoder list_decoder; /* list_unpaged. */
    /* list_protobuf: the list in flight, if its body is protobuf (known
     * from its first byte). */
    struct kube_pblist_decoder pb_decoder;
    enum { BODY_UNKNOWN, BODY_JSON, BODY_PROTOBUF } list_body;
    long long list_deadline; /* list_unpaged. */
    char *list_at;           /* The fence's resourceVersion, until listed. */
    bool listing_fenced;     /* The list in flight is at 'list_at'. */
    struct kube_request *fence_request; /* Listing fences to delete. */

    /* Watching. */
    struct kube_request *request;
    struct kube_watch_decoder decoder;
    bool watch_expired;
    bool watch_got_event;

    struct kube_informer_stats stats;
};

static void
set_string(char **dst, const char *value)
{
    free(*dst);
    *dst = value ? xstrdup(value) : NULL;
}

struct kube_informer *
kube_informer_create(struct kube_client *client,
                     const struct kube_informer_options *options,
                     const struct kube_informer_handlers *handlers)
{
    struct kube_informer *inf = xzalloc(sizeof *inf);

    inf->client = client;
    inf->options = *options;
    inf->path = xstrdup(options->path);
    inf->selector =
        options->label_selector ? xstrdup(options->label_selector) : NULL;
    inf->options.path = inf->path;
    inf->options.label_selector = inf->selector;
    inf->field_selector = nullable_xstrdup(options->field_selector);
    inf->options.field_selector = inf->field_selector;
    if (options->fence_object && options->fence_selector &&
        options->list_unpaged) {
        inf->fence_object = json_clone(options->fence_object);
        inf->fence_selector = xstrdup(options->fence_selector);
    }
    inf->options.fence_object = inf->fence_object;
    inf->options.fence_selector = inf->fence_selector;
    if (inf->options.page_size <= 0) {
        inf->options.page_size = 500;
    }
    if (inf->options.watch_timeout_s <= 0) {
        inf->options.watch_timeout_s = 300;
    }
    if (handlers) {
        inf->handlers = *handlers;
    }
    kube_store_init(&inf->store);
    if (options->store_dictionary) {
        kube_store_set_dictionary(&inf->store, options->store_dictionary);
    }
    /* The store keeps its own copy; the caller's may go. */
    inf->options.store_dictionary = NULL;
    kube_list_decoder_init(&inf->list_decoder, NULL, NULL);
    kube_pblist_decoder_init(&inf->pb_decoder, NULL, NULL, NULL);
    inf->state = INFORMER_START_LIST;
    inf->backoff_ms = BACKOFF_MIN_MS;
    return inf;
}

static void
stop_request(struct kube_informer *inf)
{
    if (inf->request) {
        kube_request_cancel(inf->request);
        inf->request = NULL;
    }
    kube_watch_decoder_destroy(&inf->decoder);
    kube_list_decoder_destroy(&inf->list_decoder);
    kube_pblist_decoder_destroy(&inf->pb_decoder);
}

void
kube_informer_destroy(struct kube_informer *inf)
{
    if (!inf) {
        return;
    }
    stop_request(inf);
    if (inf->fence_request) {
        kube_request_cancel(inf->fence_request);
    }
    kube_store_destroy(&inf->store);
    free(inf->path);
    free(inf->selector);
    free(inf->field_selector);
    json_destroy(inf->fence_object);
    free(inf->fence_selector);
    free(inf->list_at);
    free(inf->rv);
    free(inf->list_continue);
    free(inf);
}

void
kube_informer_add_index(struct kube_informer *inf, const char *name,
                        kube_index_fn *fn)
{
    kube_store_add_index(&inf->store, name, fn);
}

/* Drops metadata.managedFields: server-side-apply bookkeeping that no
 * controller reads and that is often the largest part of an object. */
static void
strip_managed_fields(struct json *object)
{
    struct json *metadata = shash_find_data(json_object(object), "metadata");

    if (metadata && metadata->type == JSON_OBJECT) {
        json_destroy(
            shash_find_and_delete(json_object(metadata), "managedFields"));
    }
}

/* Puts 'object' (owned) under 'key', calling add or update.  While
 * listing, an object the store already has at the same resourceVersion is
 * only marked as listed. */
static void
store_put(struct kube_informer *inf, const char *key, struct json *object)
{
    struct json *old = NULL;

    strip_managed_fields(object);
    if (inf->options.transform) {
        inf->options.transform(object, inf->options.transform_aux);
    }
    if (inf->state == INFORMER_LISTING) {
        const char *stored_rv = kube_store_resource_version(&inf->store, key);
        const char *rv = kube_object_resource_version(object);

        if (stored_rv && rv && !strcmp(stored_rv, rv)) {
            kube_store_touch(&inf->store, key);
            json_destroy(object);
            return;
        }
    }
    if (kube_store_put(&inf->store, key, object,
                       inf->handlers.update ? &old : NULL)) {
        if (inf->handlers.add) {
            inf->handlers.add(key, object, inf->handlers.aux);
        }
    } else if (inf->handlers.update) {
        inf->handlers.update(key, old, object, inf->handlers.aux);
    }
    json_destroy(old);
    json_destroy(object);
}

static void
store_delete(struct kube_informer *inf, const char *key)
{
    struct json *old = NULL;

    if (kube_store_delete(&inf->store, key, inf->handlers.del ? &old : NULL) &&
        inf->handlers.del) {
        inf->handlers.del(key, old, inf->handlers.aux);
    }
    json_destroy(old);
}

static void
enter_backoff(struct kube_informer *inf, enum informer_state after)
{
    /* Full jitter between half and all of the current backoff. */
    long long jitter =
        inf->backoff_ms / 2 +
        (long long)(random_uint32() % (uint32_t)(inf->backoff_ms / 2 + 1));

    inf->stats.errors++;
    inf->state = INFORMER_BACKOFF;
    inf->after = after;
    inf->retry_at = time_msec() + jitter;
    inf->backoff_ms = MIN(inf->backoff_ms * 2, BACKOFF_MAX_MS);
}

/* Appends "&NAME=..." with the selector's reserved characters
 * percent-encoded, if there is a selector. */
static void
put_query_selector(struct ds *path, const char *name, const char *selector)
{
    if (!selector) {
        return;
    }
    ds_put_format(path, "&%s=", name);
    for (const char *p = selector; *p; p++) {
        if (strchr("=,!()&%+#", *p) || *p == ' ') {
            ds_put_format(path, "%%%02X", (unsigned char)*p);
        } else {
            ds_put_char(path, *p);
        }
    }
}

static void
put_selectors(struct ds *path, const struct kube_informer *inf)
{
    put_query_selector(path, "labelSelector", inf->selector);
    put_query_selector(path, "fieldSelector", inf->field_selector);
}

static void send_list_page(struct kube_informer *inf);
static void list_page_done(struct kube_response *response, void *inf_);
static int list_stream_data(const char *data, size_t len, void *inf_);
static void list_stream_done(struct kube_response *response, void *inf_);

/* Takes a listed object (owned) into the store. */
static int
list_item(struct json *item, void *inf_)
{
    struct kube_informer *inf = inf_;
    char *key = kube_object_key(item);

    if (key) {
        store_put(inf, key, item);
        free(key);
    } else {
        json_destroy(item);
    }
    return 0;
}

/* The items of a successful list response, or NULL after logging that
 * 'what' failed. */
static const struct json *
response_items(const struct kube_response *response, const char *what,
               const char *path)
{
    const struct json *items = NULL;

    if (response->error || response->status != 200 ||
        json_member_array(response->body, "items", "", &items, NULL) ||
        !items) {
        VLOG_WARN_RL(&rl, "%s %s failed: %ld %s", what, path, response->status,
                     response->message ? response->message : "");
        return NULL;
    }
    return items;
}

static void
fence_deleted(struct kube_response *response, void *aux)
{
    (void)aux;
    if (response->status != 200 && response->status != 404) {
        VLOG_WARN_RL(&rl, "deleting a list fence failed: %ld %s",
                     response->status,
                     response->message ? response->message : "");
    }
}

/* Deletes each fence listed, one by one: a DELETE on the collection would
 * have the API server list it from etcd (its resourceVersion parameter is
 * taken as every deletion's precondition), the very cost fences avoid. */
static void
fences_listed(struct kube_response *response, void *inf_)
{
    struct kube_informer *inf = inf_;
    const struct json *items =
        response_items(response, "listing the list fences of", inf->path);

    inf->fence_request = NULL;
    if (!items) {
        return;
    }
    for (size_t i = 0; i < json_array(items)->n; i++) {
        const char *name = kube_object_name(json_array(items)->elems[i]);

        if (name) {
            char *path = xasprintf("%s/%s", inf->path, name);

            kube_client_send(inf->client, "DELETE", path, NULL, NULL,
                             fence_deleted, NULL);
            free(path);
        }
    }
}

static void
fence_created(struct kube_response *response, void *inf_)
{
    struct kube_informer *inf = inf_;
    const char *rv = NULL;

    inf->request = NULL;
    if (!response->error && response->status == 201) {
        rv = kube_object_resource_version(response->body);
    }
    if (rv && *rv) {
        struct ds path = DS_EMPTY_INITIALIZER;

        set_string(&inf->list_at, rv);
        /* This fence and any a crash left, from the watch cache too.  Any
         * order with the list is right: the list is not older than the
         * create, whatever it holds of the deletes. */
        ds_put_format(&path, "%s?resourceVersion=%s", inf->path, rv);
        put_query_selector(&path, "labelSelector", inf->fence_selector);
        inf->fence_request =
            kube_client_send(inf->client, "GET", ds_cstr(&path), NULL, NULL,
                             fences_listed, inf);
        ds_destroy(&path);
    } else {
        VLOG_WARN_RL(&rl,
                     "creating a list fence for %s failed (%ld %s): "
                     "listing from etcd",
                     inf->path, response->status,
                     response->message ? response->message : "");
    }
    inf->state = INFORMER_START_LIST;
}

/* Starts a list: the store marks what it lists from now on. */
static void
start_list(struct kube_informer *inf)
{
    if (inf->fence_object) {
        /* Only the first list is fenced. */
        inf->state = INFORMER_FENCING;
        inf->request =
            kube_client_send(inf->client, "POST", inf->path, inf->fence_object,
                             NULL, fence_created, inf);
        json_destroy(inf->fence_object);
        inf->fence_object = NULL;
        inf->options.fence_object = NULL;
        return;
    }
    set_string(&inf->list_continue, NULL);
    kube_store_mark_all(&inf->store);
    send_list_page(inf);
}

static void
send_list_page(struct kube_informer *inf)
{
    struct ds path = DS_EMPTY_INITIALIZER;

    if (inf->options.list_unpaged) {
        ds_put_cstr(&path, inf->path);
        put_selectors(&path, inf);
        inf->listing_fenced = inf->list_at != NULL;
        if (inf->list_at) {
            ds_put_format(&path, "&resourceVersion=%s", inf->list_at);
            set_string(&inf->list_at, NULL);
        }
        /* The first parameter's '&' starts the query. */
        if (path.string[strlen(inf->path)] == '&') {
            path.string[strlen(inf->path)] = '?';
        }
        inf->state = INFORMER_LISTING;
        kube_list_decoder_destroy(&inf->list_decoder);
        kube_list_decoder_init(&inf->list_decoder, list_item, inf);
        kube_pblist_decoder_destroy(&inf->pb_decoder);
        kube_pblist_decoder_init(&inf->pb_decoder, inf->options.list_protobuf,
                                 list_item, inf);
        inf->list_body = BODY_UNKNOWN;
        inf->list_deadline = time_msec() + LIST_STREAM_TIMEOUT_MS;
        inf->request =
            kube_client_stream(inf->client, ds_cstr(&path), list_stream_data,
                               list_stream_done, inf);
        if (inf->options.list_protobuf) {
            kube_request_accept(inf->request,
                                KUBE_PROTOBUF_MEDIA ", application/json");
        }
        ds_destroy(&path);
        return;
    }

    ds_put_format(&path, "%s?limit=%d", inf->path, inf->options.page_size);
    put_selectors(&path, inf);
    if (inf->list_continue) {
        ds_put_format(&path, "&continue=%s", inf->list_continue);
    }
    inf->state = INFORMER_LISTING;
    inf->request = kube_client_send(inf->client, "GET", ds_cstr(&path), NULL,
                                    NULL, list_page_done, inf);
    ds_destroy(&path);
}

/* Ends a list: what the store has and the list did not is deleted. */
static void
finish_list(struct kube_informer *inf, const char *list_rv)
{
    struct sset gone = SSET_INITIALIZER(&gone);
    const char *key;

    kube_store_unmarked(&inf->store, &gone);
    SSET_FOR_EACH(key, &gone)
    {
        store_delete(inf, key);
    }
    sset_destroy(&gone);
    set_string(&inf->rv, list_rv);
    inf->synced = true;
    inf->stats.lists++;
    if (inf->listing_fenced) {
        inf->stats.fenced_lists++;
    }
    inf->backoff_ms = BACKOFF_MIN_MS;
    inf->state = INFORMER_START_WATCH;
}

static void
list_page_done(struct kube_response *response, void *inf_)
{
    struct kube_informer *inf = inf_;
    const struct json *items = response_items(response, "list", inf->path);
    const struct json *metadata;
    const char *cont = NULL, *rv = NULL;

    inf->request = NULL;
    if (!items) {
        set_string(&inf->list_continue, NULL);
        enter_backoff(inf, INFORMER_START_LIST);
        return;
    }
    for (size_t i = 0; i < json_array(items)->n; i++) {
        struct json *item = json_array(items)->elems[i];

        json_array(items)->elems[i] = json_null_create();
        list_item(item, inf);
    }
    metadata = json_member(response->body, "metadata");
    json_member_string(metadata, "continue", "", &cont, NULL);
    json_member_string(metadata, "resourceVersion", "", &rv, NULL);
    if (cont && *cont) {
        set_string(&inf->list_continue, cont);
        send_list_page(inf);
        return;
    }
    /* The last page's resourceVersion is the list's. */
    set_string(&inf->list_continue, NULL);
    finish_list(inf, rv);
}

static int
list_stream_data(const char *data, size_t len, void *inf_)
{
    struct kube_informer *inf = inf_;
    struct kovn_error err;
    int error;

    kovn_error_clear(&err);
    if (inf->list_body == BODY_UNKNOWN && len) {
        inf->list_body =
            inf->options.list_protobuf && data[0] == KUBE_PROTOBUF_MAGIC[0]
                ? BODY_PROTOBUF
                : BODY_JSON;
    }
    if (inf->list_body == BODY_PROTOBUF) {
        error = kube_pblist_decoder_feed(&inf->pb_decoder, data, len, &err);
        if (error) {
            /* JSON from now on: a list that cannot be decoded must not
             * keep the informer from ever syncing. */
            VLOG_WARN("list %s: %s; listing JSON from now on", inf->path,
                      err.msg);
            inf->options.list_protobuf = NULL;
        }
        return error;
    }
    error = kube_list_decoder_feed(&inf->list_decoder, data, len, &err);
    if (error) {
        VLOG_WARN_RL(&rl, "list %s: %s", inf->path, err.msg);
    }
    return error;
}

static void
list_stream_done(struct kube_response *response, void *inf_)
{
    struct kube_informer *inf = inf_;
    const struct json *metadata = NULL;
    const char *rv = NULL;
    struct kovn_error err;

    inf->request = NULL;
    kovn_error_clear(&err);
    if (response->error || response->status != 200 ||
        (inf->list_body == BODY_PROTOBUF
             ? kube_pblist_decoder_finish(&inf->pb_decoder, &rv, &err)
             : kube_list_decoder_finish(&inf->list_decoder, &metadata,
                                        &err))) {
        VLOG_WARN_RL(&rl, "list %s failed: %ld %s%s", inf->path,
                     response->status,
                     response->message ? response->message : "", err.msg);
        kube_list_decoder_destroy(&inf->list_decoder);
        kube_pblist_decoder_destroy(&inf->pb_decoder);
        enter_backoff(inf, INFORMER_START_LIST);
        return;
    }
    if (inf->list_body == BODY_PROTOBUF) {
        inf->stats.protobuf_lists++;
    } else {
        json_member_string(metadata, "resourceVersion", "", &rv, NULL);
    }
    finish_list(inf, rv);
    kube_list_decoder_destroy(&inf->list_decoder);
    kube_pblist_decoder_destroy(&inf->pb_decoder);
}

static int
watch_event(enum kube_watch_type type, struct json *object, void *inf_)
{
    struct kube_informer *inf = inf_;
    const char *rv = kube_object_resource_version(object);
    char *key;

    inf->stats.events++;
    inf->watch_got_event = true;
    switch (type) {
    case KUBE_WATCH_ADDED:
    case KUBE_WATCH_MODIFIED:
        key = kube_object_key(object);
        if (rv) {
            set_string(&inf->rv, rv);
        }
        if (key) {
            store_put(inf, key, object);
            free(key);
            return 0;
        }
        break;
    case KUBE_WATCH_DELETED:
        key = kube_object_key(object);
        if (rv) {
            set_string(&inf->rv, rv);
        }
        if (key) {
            store_delete(inf, key);
            free(key);
        }
        break;
    case KUBE_WATCH_BOOKMARK:
        if (rv) {
            set_string(&inf->rv, rv);
        }
        break;
    case KUBE_WATCH_ERROR: {
        struct kube_status status;

        if (kube_status_from_json(object, &status)) {
            if (status.code == 410 || !strcmp(status.reason, "Expired") ||
                !strcmp(status.reason, "Gone")) {
                inf->watch_expired = true;
            }
            kube_status_destroy(&status);
        }
        json_destroy(object);
        return 1; /* Stop: the watch ends after an ERROR. */
    }
    }
    json_destroy(object);
    return 0;
}

static int
watch_data(const char *data, size_t len, void *inf_)
{
    struct kube_informer *inf = inf_;
    struct kovn_error err = {0};
    int retval = kube_watch_decoder_feed(&inf->decoder, data, len, &err);

    if (retval < 0) {
        VLOG_WARN("watch %s: %s", inf->path, err.msg);
    }
    return retval;
}

static void
watch_done(struct kube_response *response, void *inf_)
{
    struct kube_informer *inf = inf_;

    inf->request = NULL;
    kube_watch_decoder_destroy(&inf->decoder);
    if (inf->watch_expired || response->status == 410) {
        inf->stats.expired++;
        inf->state = INFORMER_START_LIST;
    } else if (response->status == 200 && !response->error) {
        /* The server ended the watch (timeoutSeconds): resume. */
        inf->state = INFORMER_START_WATCH;
    } else if (response->error == -ECANCELED && !inf->watch_expired) {
        /* Our decoder stopped on a malformed stream: relist to be safe. */
        enter_backoff(inf, INFORMER_START_LIST);
    } else {
        VLOG_WARN_RL(&rl, "watch %s ended: %ld %s", inf->path,
                     response->status,
                     response->message ? response->message : "");
        enter_backoff(inf, INFORMER_START_WATCH);
    }
    if (inf->watch_got_event) {
        inf->backoff_ms = BACKOFF_MIN_MS;
    }
}

static void
start_watch(struct kube_informer *inf)
{
    struct ds path = DS_EMPTY_INITIALIZER;
    /* Spread watch renewals of many informers over time. */
    int timeout = inf->options.watch_timeout_s +
                  (int)(random_uint32() %
                        (uint32_t)(inf->options.watch_timeout_s / 10 + 1));

    ds_put_format(&path,
                  "%s?watch=1&allowWatchBookmarks=true&timeoutSeconds=%d",
                  inf->path, timeout);
    if (inf->rv) {
        ds_put_format(&path, "&resourceVersion=%s", inf->rv);
    }
    put_selectors(&path, inf);
    kube_watch_decoder_init(&inf->decoder, watch_event, inf);
    inf->watch_expired = false;
    inf->watch_got_event = false;
    inf->state = INFORMER_WATCHING;
    inf->stats.watches++;
    inf->request = kube_client_stream(inf->client, ds_cstr(&path), watch_data,
                                      watch_done, inf);
    ds_destroy(&path);
}

void
kube_informer_run(struct kube_informer *inf)
{
    /* Objects lent out during the last pass are no longer in use. */
    kube_store_flush(&inf->store);
    if (inf->state == INFORMER_BACKOFF && time_msec() >= inf->retry_at) {
        inf->state = inf->after;
    }
    if (inf->state == INFORMER_LISTING && inf->options.list_unpaged &&
        time_msec() >= inf->list_deadline) {
        VLOG_WARN_RL(&rl, "list %s: no end after %d ms", inf->path,
                     LIST_STREAM_TIMEOUT_MS);
        stop_request(inf);
        enter_backoff(inf, INFORMER_START_LIST);
    }
    if (inf->state == INFORMER_START_LIST) {
        start_list(inf);
    } else if (inf->state == INFORMER_START_WATCH) {
        start_watch(inf);
    }
    if (inf->options.resync_ms > 0 && inf->synced &&
        time_msec() >= inf->next_resync) {
        struct kube_store_cursor cursor;

        inf->next_resync = time_msec() + inf->options.resync_ms;
        if (inf->handlers.update) {
            KUBE_STORE_FOR_EACH(&cursor, &inf->store)
            {
                inf->handlers.update(cursor.key, cursor.object, cursor.object,
                                     inf->handlers.aux);
            }
        }
    }
}

void
kube_informer_wait(struct kube_informer *inf)
{
    if (inf->state == INFORMER_BACKOFF) {
        poll_timer_wait_until(inf->retry_at);
    } else if (inf->state == INFORMER_START_LIST ||
               inf->state == INFORMER_START_WATCH) {
        poll_immediate_wake();
    } else if (inf->state == INFORMER_LISTING && inf->options.list_unpaged) {
        poll_timer_wait_until(inf->list_deadline);
    }
    if (inf->options.resync_ms > 0 && inf->synced) {
        poll_timer_wait_until(inf->next_resync);
    }
}

bool
kube_informer_has_synced(const struct kube_informer *inf)
{
    return inf->synced;
}

const struct json *
kube_informer_get(const struct kube_informer *inf, const char *key)
{
    return kube_store_get(&inf->store, key);
}

struct json *
kube_informer_get_copy(const struct kube_informer *inf, const char *key)
{
    return kube_store_get_copy(&inf->store, key);
}

bool
kube_informer_contains(const struct kube_informer *inf, const char *key)
{
    return kube_store_contains(&inf->store, key);
}

size_t
kube_informer_count(const struct kube_informer *inf)
{
    return kube_store_count(&inf->store);
}

const struct kube_store *
kube_informer_store(const struct kube_informer *inf)
{
    return &inf->store;
}

const struct sset *
kube_informer_by_index(const struct kube_informer *inf, const char *name,
                       const char *value)
{
    return kube_store_by_index(&inf->store, name, value);
}

const char *
kube_informer_resource_version(const struct kube_informer *inf)
{
    return inf->rv;
}

const struct kube_informer_stats *
kube_informer_stats(const struct kube_informer *inf)
{
    return &inf->stats;
}
