/* An informer's local store: objects keyed "namespace/name", held compact.
 *
 * A pod decoded into an OVS JSON tree costs some 100-160 bytes of heap per
 * member (a node, a hash node, a malloc'd key, allocator overhead): a
 * 2.8 KB pod takes 9 KB, and a controller watching 10,000 pods and their IP
 * objects spends most of its memory there.  The store keeps each object as
 * its serialized JSON text instead (its size plus about a hundred bytes)
 * and decodes it again when it is read.  Decoding a pruned pod costs a few
 * microseconds; reconcilers read a handful of objects per pass, so that is
 * cheaper than keeping every tree resident.
 *
 * Objects read with kube_store_get() are decoded once and cached until
 * kube_store_flush(), which the informer calls at the start of each of its
 * runs: a pointer from the store stays valid for the rest of the poll-loop
 * pass, as before, even if that object changes meanwhile.  Walks over the
 * whole store use a cursor that holds one decoded object at a time, so that
 * going over 10,000 pods does not decode them all at once.
 *
 * A store given a dictionary (a sample of its kind of object) keeps each
 * text packed against it and the first object stored (base/textpack.h):
 * a pruned pod's 580 bytes become about 100, for a microsecond per put and
 * per read.
 *
 * Secondary indexes map a value computed from each object (its node, its
 * subnet) to the keys having it; each entry remembers its index values so
 * that an update or delete does not need the old object decoded. */
#ifndef KOVN_KUBE_STORE_H
#define KOVN_KUBE_STORE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"

struct json;
struct sset;
struct textpack;

/* Returns the index value of 'object' (pointing into it) or NULL. */
typedef const char *kube_index_fn(const struct json *object);

struct kube_store {
    struct shash entries; /* key -> struct store_entry *. */
    struct shash indexes; /* name -> struct store_index *. */
    size_t n_indexes;
    unsigned int generation; /* Of the current kube_store_mark_all(). */

    struct shash cache;    /* key -> decoded struct json *. */
    struct json **retired; /* Decoded, no longer current, still lent out. */
    size_t n_retired, allocated_retired;
    struct json *cursor_object; /* The cursor's current object. */

    char *dictionary;        /* Until the first put. */
    struct textpack *packer; /* From the first put, if a dictionary. */
    char *scratch;           /* For packing and unpacking. */
    size_t scratch_size;
    size_t data_bytes; /* See kube_store_data_bytes(). */
};

void kube_store_init(struct kube_store *);
void kube_store_destroy(struct kube_store *);

/* Adds a secondary index; only before the first object is put. */
void kube_store_add_index(struct kube_store *, const char *name,
                          kube_index_fn *);

/* Keeps objects packed against 'sample', the serialized JSON of an object
 * like those to be stored, and the first object put (see above); only
 * before the first put. */
void kube_store_set_dictionary(struct kube_store *, const char *sample);

/* Stores 'object' (read, not taken) under 'key', replacing what was there.
 * If 'old' is nonnull, '*old' receives the replaced object decoded (owned by
 * the caller) or NULL if there was none.  Returns true if 'key' was new. */
bool kube_store_put(struct kube_store *, const char *key,
                    const struct json *object, struct json **old);
/* Removes 'key'.  If 'old' is nonnull, '*old' receives the removed object
 * decoded (owned by the caller).  Returns false if 'key' was absent. */
bool kube_store_delete(struct kube_store *, const char *key,
                       struct json **old);

/* The object under 'key' (decoded, cached until kube_store_flush()) or
 * NULL. */
const struct json *kube_store_get(const struct kube_store *, const char *key);
/* The object under 'key' decoded afresh, owned by the caller, or NULL: for
 * loops over many keys, which kube_store_get() would all keep cached. */
struct json *kube_store_get_copy(const struct kube_store *, const char *key);
bool kube_store_contains(const struct kube_store *, const char *key);
size_t kube_store_count(const struct kube_store *);
/* The bytes the objects take in the store's own records (texts, packed or
 * not, resourceVersions, index slots), without the keys and indexes. */
size_t kube_store_data_bytes(const struct kube_store *);
/* metadata.resourceVersion of the object under 'key', without decoding it;
 * NULL if absent or it has none. */
const char *kube_store_resource_version(const struct kube_store *,
                                        const char *key);
/* The keys, in no particular order: shash_node 'name's; the 'data' is the
 * store's own. */
const struct shash *kube_store_keys(const struct kube_store *);
/* Keys whose index 'name' has 'value', or NULL if none. */
const struct sset *kube_store_by_index(const struct kube_store *,
                                       const char *name, const char *value);

/* Frees what kube_store_get() lent out. */
void kube_store_flush(struct kube_store *);

/* Mark and sweep, for a relist that replaces the store: after
 * kube_store_mark_all(), every put or kube_store_touch() marks its key, and
 * kube_store_unmarked() gives the keys that were neither. */
void kube_store_mark_all(struct kube_store *);
void kube_store_touch(struct kube_store *, const char *key);
void kube_store_unmarked(const struct kube_store *, struct sset *keys);

/* A walk over every object, one decoded at a time:
 *
 *     struct kube_store_cursor c;
 *     KUBE_STORE_FOR_EACH (&c, store) {
 *         use(c.key, c.object);
 *     }
 *
 * 'c.object' is valid until the next step; the walk may end early with
 * 'break'.  The store must not change during the walk, and walks over one
 * store do not nest. */
struct kube_store_cursor {
    const struct kube_store *store;
    const struct shash_node *node;
    const char *key;
    const struct json *object;
};

void kube_store_cursor_start(struct kube_store_cursor *,
                             const struct kube_store *);
bool kube_store_cursor_next(struct kube_store_cursor *);

#define KUBE_STORE_FOR_EACH(CURSOR, STORE)       \
    for (kube_store_cursor_start(CURSOR, STORE); \
         kube_store_cursor_next(CURSOR);)

#endif /* KOVN_KUBE_STORE_H */
