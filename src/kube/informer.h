/* An informer: a local, always-converging copy of one kind of Kubernetes
 * object (client-go's reflector + store), on the OVS poll loop.
 *
 * It lists (paged), then watches from the list's resourceVersion with
 * bookmarks, delivering add/update/delete to handlers as events arrive.  A
 * watch that ends is resumed from the last resourceVersion seen; "410
 * Gone"/"Expired" (the server no longer has that history) triggers a
 * relist, and a relist replaces the store while emitting exactly the
 * differences, so a delete missed while disconnected is still delivered.
 * Errors back off with jitter.  Objects are keyed "namespace/name" (or
 * "name" for cluster-scoped kinds) and can be indexed by any field; their
 * metadata.managedFields are dropped on the way in.  The store keeps them
 * serialized (see store.h): an object read from it is valid until this
 * informer's next kube_informer_run(), and handlers' objects until they
 * return. */
#ifndef KOVN_KUBE_INFORMER_H
#define KOVN_KUBE_INFORMER_H 1

#include <stdbool.h>
#include <stddef.h>

#include "kube/pblist.h"
#include "kube/store.h"

struct json;
struct kube_client;
struct sset;

struct kube_informer_handlers {
    void (*add)(const char *key, const struct json *object, void *aux);
    void (*update)(const char *key, const struct json *old,
                   const struct json *new, void *aux);
    void (*del)(const char *key, const struct json *object, void *aux);
    void *aux;
};

struct kube_informer_options {
    const char *path;           /* Collection, e.g. "/api/v1/pods". */
    const char *label_selector; /* NULL: all. */
    /* e.g. "spec.nodeName=node1", for a node agent's own pods; NULL: all. */
    const char *field_selector;
    int page_size;       /* List page size; 0: 500. */
    int watch_timeout_s; /* Server-side watch timeout; 0: 300. */
    long long resync_ms; /* Periodic update(obj, obj); 0: off. */
    /* Edits each object in place before it is stored (client-go's
     * SetTransform), e.g. kube_object_prune() to keep only the fields a
     * controller reads; NULL: none.  Indexes and handlers see the result.
     * It may run more than once on an object, so it must be idempotent. */
    void (*transform)(struct json *object, void *aux);
    void *transform_aux;
    /* Lists in one request, unpaged, decoded item by item as the body
     * streams in (so memory stays one item above what is stored).  As
     * consistent as paged lists (a quorum read from etcd), without one
     * sequential round trip per page: for 10,000 pods, about the time of
     * `curl` fetching the list.  'page_size' is then unused.  (Lists from
     * the watch cache, resourceVersion=0 or "not older than" a quorum
     * read's version, are not used: the first can miss acknowledged
     * writes, and before Kubernetes 1.27 the second waits for a write to
     * the same kind, minutes on an idle kind, and then fails; unless the
     * informer makes that write itself: see 'fence_object'.)
     * false: paged lists. */
    bool list_unpaged;
    /* A consistent first list at a fraction of the API server's cost,
     * for unpaged lists: a throwaway object of this kind ('metadata'
     * with "generateName" and a label that 'label_selector' excludes) and
     * a selector that matches it.  The informer creates it and lists at
     * that write's resourceVersion ("not older than"), which the API
     * server serves from its watch cache once the cache has seen the
     * write: so the list holds every write acknowledged before it, as a
     * quorum read does, without etcd reading and the API server decoding
     * every object (for custom resources the larger part: 4x the time).
     * Then it deletes the object and any that a crash left behind.  If a
     * step fails, the list is a quorum read; relists always are.  NULL:
     * quorum reads. */
    const struct json *fence_object;
    const char *fence_selector;
    /* Unpaged lists ('list_unpaged') ask for protobuf, JSON accepted too,
     * and this turns each protobuf item into the JSON object it would have
     * been, at least in the fields 'transform' keeps (as
     * kube_pod_from_protobuf() does for pods).  For 10,000 pods the API
     * server encodes a list in half the time, and none of the bytes a
     * controller does not keep (containers, volumes, conditions) is
     * parsed.  Custom resources have no protobuf form: the API server
     * answers JSON, decoded as JSON.  Watches stay JSON.  If an item
     * cannot be decoded, the informer logs it and lists JSON from then on.
     * NULL: JSON lists. */
    kube_protobuf_decode_fn *list_protobuf;
    /* The serialized JSON of a typical object (after 'transform'): the
     * store then keeps its objects packed against it, 5x smaller, at a
     * microsecond per object stored or read (see kube/store.h).  NULL:
     * plain text. */
    const char *store_dictionary;
};

struct kube_informer_stats {
    unsigned long long lists;
    unsigned long long watches;
    unsigned long long expired; /* 410s that forced a relist. */
    unsigned long long events;
    unsigned long long errors;
    unsigned long long fenced_lists;   /* First lists at a fence's version. */
    unsigned long long protobuf_lists; /* Lists answered in protobuf. */
};

struct kube_informer;

struct kube_informer *
kube_informer_create(struct kube_client *client,
                     const struct kube_informer_options *options,
                     const struct kube_informer_handlers *handlers);
/* Cancels the informer's request in flight: destroy informers (and
 * leases, recorders) before the client they use. */
void kube_informer_destroy(struct kube_informer *informer);

/* Adds a secondary index before the first kube_informer_run(). */
void kube_informer_add_index(struct kube_informer *informer, const char *name,
                             kube_index_fn *fn);

void kube_informer_run(struct kube_informer *informer);
void kube_informer_wait(struct kube_informer *informer);

bool kube_informer_has_synced(const struct kube_informer *informer);
/* The object under 'key' or NULL; valid until the next
 * kube_informer_run(). */
const struct json *kube_informer_get(const struct kube_informer *informer,
                                     const char *key);
/* The object under 'key', owned by the caller, or NULL: for loops over
 * many keys (an index's), which kube_informer_get() would all keep until
 * the next run. */
struct json *kube_informer_get_copy(const struct kube_informer *informer,
                                    const char *key);
/* Cheaper than kube_informer_get() when only presence matters. */
bool kube_informer_contains(const struct kube_informer *informer,
                            const char *key);
size_t kube_informer_count(const struct kube_informer *informer);
/* For walks with KUBE_STORE_FOR_EACH and for its keys. */
const struct kube_store *
kube_informer_store(const struct kube_informer *informer);
/* Keys whose index 'name' has 'value', or NULL if none. */
const struct sset *kube_informer_by_index(const struct kube_informer *,
                                          const char *name, const char *value);
const char *kube_informer_resource_version(const struct kube_informer *);
const struct kube_informer_stats *
kube_informer_stats(const struct kube_informer *informer);

#endif /* KOVN_KUBE_INFORMER_H */
