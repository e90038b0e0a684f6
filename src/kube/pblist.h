/* Incremental decoding of a Kubernetes list response in protobuf (the
 * bytes "k8s\0", then a runtime.Unknown whose 'raw' field holds the
 * list: {metadata = 1: ListMeta, items = 2: repeated object}) as its body
 * streams in, one item at a time: the protobuf twin of list.h.
 *
 * Each item's bytes are collected (up to KUBE_LIST_ITEM_MAX), turned into
 * JSON by the caller's decoder (e.g. kube_pod_from_protobuf()) and handed
 * over at once, so memory stays one item above what is kept.  A body that
 * is not such a list, or an item the decoder refuses, stops decoding with
 * an error. */
#ifndef KOVN_KUBE_PBLIST_H
#define KOVN_KUBE_PBLIST_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kube/list.h"
#include "kube/protobuf.h"
#include "openvswitch/dynamic-string.h"

struct kovn_error;

/* Turns one item's bytes into a JSON object, or returns NULL with 'err'
 * set. */
typedef struct json *kube_protobuf_decode_fn(const void *data, size_t len,
                                             struct kovn_error *err);

/* The list's metadata is small; more is not a list from an API server. */
#define KUBE_PBLIST_METADATA_MAX (64 * 1024)

struct kube_pblist_decoder {
    kube_protobuf_decode_fn *decode;
    kube_list_item_fn *item;
    void *aux;

    size_t n_magic; /* Bytes of the magic seen. */
    /* The tag and length of the field being read, as they arrive. */
    uint8_t head[2 * PB_VARINT_MAX];
    size_t n_head;
    /* 0: the Unknown envelope's fields; 1: the list's, in 'raw'. */
    int depth;
    uint64_t list_left; /* At depth 1: bytes of 'raw' not yet read. */
    /* The value being read: collected into 'value', or skipped. */
    enum {
        PBLIST_SKIP,
        PBLIST_ITEM,
        PBLIST_METADATA,
        PBLIST_ENCODING, /* Unknown.contentEncoding: must be empty. */
    } what;
    uint64_t value_left;
    struct ds value;
    bool have_raw;
    bool failed;
    char *resource_version; /* From the list's metadata, once read. */
    size_t n_items;
};

void kube_pblist_decoder_init(struct kube_pblist_decoder *decoder,
                              kube_protobuf_decode_fn *decode,
                              kube_list_item_fn *item, void *aux);
/* Frees what 'decoder' holds; it may be destroyed again or fed anew. */
void kube_pblist_decoder_destroy(struct kube_pblist_decoder *decoder);

/* Feeds 'len' bytes.  Returns 0, or -EPROTO / -E2BIG with 'err' set when the
 * body is malformed, an item cannot be decoded or is too big, or the
 * nonzero value 'item' returned. */
int kube_pblist_decoder_feed(struct kube_pblist_decoder *decoder,
                             const void *data, size_t len,
                             struct kovn_error *err);

/* At the end of the body: checks that a whole list arrived.  Returns 0 and
 * the list's resourceVersion in '*resource_version' (the decoder keeps it;
 * "" if the list had none), or -EPROTO with 'err'. */
int kube_pblist_decoder_finish(struct kube_pblist_decoder *decoder,
                               const char **resource_version,
                               struct kovn_error *err);

#endif /* KOVN_KUBE_PBLIST_H */
