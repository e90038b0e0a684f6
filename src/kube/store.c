/* Compact object store; see store.h. */
#include <config.h>

#include "kube/store.h"

#include <stdint.h>
#include <string.h>

#include "base/textpack.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "sset.h"
#include "util.h"

/* One object: its resourceVersion and serialized text (packed if the store
 * has a dictionary), and the values it has in each index (pointing at the
 * index's own copy of the value), in one allocation:
 *
 *     [n_indexes] index values (or NULL), then 'rv_size' bytes of
 *     resourceVersion with its NUL, then 'data_size' bytes: the packed text
 *     or, in a store without dictionary, the text and its NUL. */
struct store_entry {
    unsigned int generation;
    uint32_t text_size; /* Of the serialized object, without NUL. */
    uint32_t data_size;
    uint32_t rv_size; /* 0: the object has no resourceVersion. */
    const char *index_values[];
};

struct store_index {
    size_t position; /* In each entry's 'index_values'. */
    kube_index_fn *fn;
    struct shash values; /* value -> struct sset of keys. */
};

void
kube_store_init(struct kube_store *store)
{
    memset(store, 0, sizeof *store);
    shash_init(&store->entries);
    shash_init(&store->indexes);
    shash_init(&store->cache);
}

void
kube_store_destroy(struct kube_store *store)
{
    struct shash_node *node;

    kube_store_flush(store);
    shash_destroy(&store->cache);
    free(store->retired);
    textpack_destroy(store->packer);
    free(store->dictionary);
    free(store->scratch);
    shash_destroy_free_data(&store->entries);
    SHASH_FOR_EACH(node, &store->indexes)
    {
        struct store_index *index = node->data;
        struct shash_node *value;

        SHASH_FOR_EACH(value, &index->values)
        {
            sset_destroy(value->data);
            free(value->data);
        }
        shash_destroy(&index->values);
        free(index);
    }
    shash_destroy(&store->indexes);
}

void
kube_store_add_index(struct kube_store *store, const char *name,
                     kube_index_fn *fn)
{
    struct store_index *index = xzalloc(sizeof *index);

    ovs_assert(shash_is_empty(&store->entries));
    index->position = store->n_indexes++;
    index->fn = fn;
    shash_init(&index->values);
    shash_add(&store->indexes, name, index);
}

void
kube_store_set_dictionary(struct kube_store *store, const char *sample)
{
    ovs_assert(shash_is_empty(&store->entries) && !store->packer);
    free(store->dictionary);
    store->dictionary = xstrdup(sample);
}

/* Bytes of an entry before its resourceVersion. */
static size_t
entry_head_size(const struct kube_store *store)
{
    return sizeof(struct store_entry) +
           store->n_indexes * sizeof(const char *);
}

static const char *
entry_rv(const struct kube_store *store, const struct store_entry *entry)
{
    return entry->rv_size ? (const char *)entry + entry_head_size(store)
                          : NULL;
}

static const char *
entry_data(const struct kube_store *store, const struct store_entry *entry)
{
    return (const char *)entry + entry_head_size(store) + entry->rv_size;
}

/* Room for 'size' bytes in the store's scratch buffer. */
static char *
scratch_reserve(const struct kube_store *store_, size_t size)
{
    /* Logically const: the scratch buffer holds nothing between calls. */
    struct kube_store *store = CONST_CAST(struct kube_store *, store_);

    if (size > store->scratch_size) {
        store->scratch_size = MAX(size, 2 * store->scratch_size);
        free(store->scratch);
        store->scratch = xmalloc(store->scratch_size);
    }
    return store->scratch;
}

static struct json *
decode(const struct kube_store *store, const struct store_entry *entry)
{
    const char *text = entry_data(store, entry);
    struct json *object;

    if (store->packer) {
        char *unpacked = scratch_reserve(store, entry->text_size + 1);

        /* The bytes are our own packing of a text of that size. */
        ovs_assert(!textpack_unpack(store->packer, text, entry->data_size,
                                    unpacked, entry->text_size));
        text = unpacked;
    }
    object = json_from_string(text);
    /* The text is our own serialization of a parsed object. */
    ovs_assert(object->type != JSON_STRING);
    return object;
}

/* Moves the cached decode of 'key', if any, to the retired list: whoever
 * holds it may use it until the next flush, but it is no longer current. */
static void
retire_cached(struct kube_store *store, const char *key)
{
    struct json *cached = shash_find_and_delete(&store->cache, key);

    if (cached) {
        if (store->n_retired >= store->allocated_retired) {
            store->retired =
                x2nrealloc(store->retired, &store->allocated_retired,
                           sizeof *store->retired);
        }
        store->retired[store->n_retired++] = cached;
    }
}

/* Adds 'key' under 'value' of 'index'; returns the index's copy of
 * 'value'. */
static const char *
index_add(struct store_index *index, const char *value, const char *key)
{
    struct shash_node *node = shash_find(&index->values, value);

    if (!node) {
        struct sset *keys = xmalloc(sizeof *keys);

        sset_init(keys);
        node = shash_add(&index->values, value, keys);
    }
    sset_add(node->data, key);
    return node->name;
}

static void
index_remove(struct store_index *index, const char *value, const char *key)
{
    struct shash_node *node = shash_find(&index->values, value);

    if (node) {
        struct sset *keys = node->data;

        sset_find_and_delete(keys, key);
        if (sset_is_empty(keys)) {
            shash_delete(&index->values, node);
            sset_destroy(keys);
            free(keys);
        }
    }
}

/* Moves 'key' in every index from the values in 'old' (NULL: none) to those
 * of 'object' (NULL: none), recording the latter in 'new'. */
static void
indexes_update(struct kube_store *store, const char *key,
               const struct store_entry *old, const struct json *object,
               struct store_entry *new)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &store->indexes)
    {
        struct store_index *index = node->data;
        const char *old_value =
            old ? old->index_values[index->position] : NULL;
        const char *new_value = object ? index->fn(object) : NULL;

        if (old_value && new_value && !strcmp(old_value, new_value)) {
            new->index_values[index->position] = old_value;
            continue;
        }
        if (new_value) {
            new_value = index_add(index, new_value, key);
        }
        if (old_value) {
            /* After the add: 'old_value' may be the string it shares. */
            index_remove(index, old_value, key);
        }
        if (new) {
            new->index_values[index->position] = new_value;
        }
    }
}

/* The first object put completes the dictionary: objects of one store
 * share its namespace, subnet, node names and the like, which a sample
 * written in advance cannot know. */
static void
packer_start(struct kube_store *store, const struct ds *first)
{
    struct ds dictionary = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&dictionary, store->dictionary);
    ds_put_buffer(&dictionary, first->string, first->length);
    store->packer = textpack_create(dictionary.string, dictionary.length);
    ds_destroy(&dictionary);
    free(store->dictionary);
    store->dictionary = NULL;
}

static void
entry_free(struct kube_store *store, struct store_entry *entry)
{
    store->data_bytes -=
        entry_head_size(store) + entry->rv_size + entry->data_size;
    free(entry);
}

static struct store_entry *
entry_create(struct kube_store *store, const struct json *object)
{
    const char *rv = kube_object_resource_version(object);
    size_t rv_size = rv ? strlen(rv) + 1 : 0;
    struct ds text = DS_EMPTY_INITIALIZER;
    size_t head = entry_head_size(store);
    const char *data;
    size_t data_size;
    struct store_entry *entry;
    char *bytes;

    json_to_ds(object, 0, &text);
    if (store->dictionary) {
        packer_start(store, &text);
    }
    if (store->packer) {
        char *packed = scratch_reserve(store, textpack_bound(text.length));

        data_size =
            textpack_pack(store->packer, text.string, text.length, packed);
        data = packed;
    } else {
        data = text.string;
        data_size = text.length + 1;
    }
    /* Far beyond any object the API server accepts (1.5 MB). */
    ovs_assert(text.length < UINT32_MAX && data_size < UINT32_MAX);
    entry = xmalloc(head + rv_size + data_size);
    memset(entry, 0, head);
    entry->generation = store->generation;
    entry->text_size = text.length;
    entry->data_size = data_size;
    entry->rv_size = rv_size;
    store->data_bytes += head + rv_size + data_size;
    bytes = (char *)entry + head;
    if (rv) {
        memcpy(bytes, rv, rv_size);
    }
    memcpy(bytes + rv_size, data, data_size);
    ds_destroy(&text);
    return entry;
}

bool
kube_store_put(struct kube_store *store, const char *key,
               const struct json *object, struct json **old)
{
    struct shash_node *node = shash_find(&store->entries, key);
    struct store_entry *entry = entry_create(store, object);

    if (old) {
        *old = node ? decode(store, node->data) : NULL;
    }
    if (!node) {
        node = shash_add(&store->entries, key, entry);
        indexes_update(store, node->name, NULL, object, entry);
        return true;
    }
    /* The index values of the old entry live in the indexes, not in it. */
    indexes_update(store, node->name, node->data, object, entry);
    entry_free(store, node->data);
    node->data = entry;
    retire_cached(store, key);
    return false;
}

bool
kube_store_delete(struct kube_store *store, const char *key, struct json **old)
{
    struct shash_node *node = shash_find(&store->entries, key);
    struct store_entry *entry;
    char *owned_key;

    if (old) {
        *old = node ? decode(store, node->data) : NULL;
    }
    if (!node) {
        return false;
    }
    entry = node->data;
    owned_key = shash_steal(&store->entries, node);
    indexes_update(store, owned_key, entry, NULL, NULL);
    retire_cached(store, owned_key);
    entry_free(store, entry);
    free(owned_key);
    return true;
}

const struct json *
kube_store_get(const struct kube_store *store_, const char *key)
{
    /* Logically const: decoding and caching do not change the contents. */
    struct kube_store *store = CONST_CAST(struct kube_store *, store_);
    const struct store_entry *entry;
    struct json *object = shash_find_data(&store->cache, key);

    if (object) {
        return object;
    }
    entry = shash_find_data(&store->entries, key);
    if (!entry) {
        return NULL;
    }
    object = decode(store, entry);
    shash_add(&store->cache, key, object);
    return object;
}

struct json *
kube_store_get_copy(const struct kube_store *store, const char *key)
{
    const struct store_entry *entry = shash_find_data(&store->entries, key);

    return entry ? decode(store, entry) : NULL;
}

bool
kube_store_contains(const struct kube_store *store, const char *key)
{
    return shash_find(&store->entries, key) != NULL;
}

size_t
kube_store_count(const struct kube_store *store)
{
    return shash_count(&store->entries);
}

size_t
kube_store_data_bytes(const struct kube_store *store)
{
    return store->data_bytes;
}

const char *
kube_store_resource_version(const struct kube_store *store, const char *key)
{
    const struct store_entry *entry = shash_find_data(&store->entries, key);

    return entry ? entry_rv(store, entry) : NULL;
}

const struct shash *
kube_store_keys(const struct kube_store *store)
{
    return &store->entries;
}

const struct sset *
kube_store_by_index(const struct kube_store *store, const char *name,
                    const char *value)
{
    const struct store_index *index = shash_find_data(&store->indexes, name);

    return index ? shash_find_data(&index->values, value) : NULL;
}

void
kube_store_flush(struct kube_store *store)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &store->cache)
    {
        json_destroy(node->data);
    }
    shash_clear(&store->cache);
    for (size_t i = 0; i < store->n_retired; i++) {
        json_destroy(store->retired[i]);
    }
    store->n_retired = 0;
    json_destroy(store->cursor_object);
    store->cursor_object = NULL;
}

void
kube_store_mark_all(struct kube_store *store)
{
    store->generation++;
}

void
kube_store_touch(struct kube_store *store, const char *key)
{
    struct store_entry *entry = shash_find_data(&store->entries, key);

    if (entry) {
        entry->generation = store->generation;
    }
}

void
kube_store_unmarked(const struct kube_store *store, struct sset *keys)
{
    struct shash_node *node;

    SHASH_FOR_EACH(node, &store->entries)
    {
        const struct store_entry *entry = node->data;

        if (entry->generation != store->generation) {
            sset_add(keys, node->name);
        }
    }
}

void
kube_store_cursor_start(struct kube_store_cursor *cursor,
                        const struct kube_store *store_)
{
    struct kube_store *store = CONST_CAST(struct kube_store *, store_);

    /* A walk left with 'break' left its last object behind. */
    json_destroy(store->cursor_object);
    store->cursor_object = NULL;
    cursor->store = store;
    cursor->node = NULL;
    cursor->key = NULL;
    cursor->object = NULL;
}

bool
kube_store_cursor_next(struct kube_store_cursor *cursor)
{
    struct kube_store *store = CONST_CAST(struct kube_store *, cursor->store);
    const struct hmap_node *next;

    json_destroy(store->cursor_object);
    store->cursor_object = NULL;
    next = cursor->node ? hmap_next(&store->entries.map, &cursor->node->node)
                        : hmap_first(&store->entries.map);
    if (!next) {
        cursor->node = NULL;
        cursor->key = NULL;
        cursor->object = NULL;
        return false;
    }
    cursor->node = CONTAINER_OF(next, struct shash_node, node);
    cursor->key = cursor->node->name;
    cursor->object = shash_find_data(&store->cache, cursor->key);
    if (!cursor->object) {
        store->cursor_object = decode(store, cursor->node->data);
        cursor->object = store->cursor_object;
    }
    return true;
}
