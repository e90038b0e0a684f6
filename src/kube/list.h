/* Incremental decoding of a Kubernetes list response ({"kind": "PodList",
 * "metadata": {...}, "items": [{...}, ...]}) as its body streams in, one
 * item at a time.
 *
 * An unpaged list of 10,000 pods is tens of MB of JSON, and a parsed tree of
 * it several times that: decoding the body whole would cost more memory
 * than everything the controller keeps.  Here each item is parsed when its
 * last byte arrives and handed over at once (to be slimmed and stored), so
 * memory stays one item's worth above what is kept.  An item larger than
 * KUBE_LIST_ITEM_MAX, nesting deeper than KUBE_LIST_DEPTH_MAX, or a body
 * that is not one JSON object stops decoding with an error rather than
 * growing without bound or guessing. */
#ifndef KOVN_KUBE_LIST_H
#define KOVN_KUBE_LIST_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/dynamic-string.h"

struct json;
struct kovn_error;

#define KUBE_LIST_ITEM_MAX  (16 * 1024 * 1024)
#define KUBE_LIST_DEPTH_MAX 256

/* Called for each item; takes ownership of 'item' (a JSON object).  Returns
 * 0 to go on, nonzero to stop decoding. */
typedef int kube_list_item_fn(struct json *item, void *aux);

struct kube_list_decoder {
    kube_list_item_fn *item;
    void *aux;

    int depth;                      /* Of '{' and '[' outside strings. */
    char open[KUBE_LIST_DEPTH_MAX]; /* The bracket open at each depth. */
    bool in_string;
    bool escaped;
    bool done; /* The top-level object closed. */
    /* At depth 1: the last string (a key, when ':' follows), bounded. */
    struct ds word;
    bool key_items, key_metadata; /* The key just read, at depth 1. */
    bool in_items;                /* Inside the top-level "items" array. */
    /* The item or the list "metadata" object being collected. */
    enum { CAPTURE_NONE, CAPTURE_ITEM, CAPTURE_METADATA } capture;
    struct ds text;
    struct json *metadata; /* The list's metadata, once read. */
    size_t n_items;
};

void kube_list_decoder_init(struct kube_list_decoder *decoder,
                            kube_list_item_fn *item, void *aux);
/* Frees what 'decoder' holds; it may be destroyed again or fed anew. */
void kube_list_decoder_destroy(struct kube_list_decoder *decoder);

/* Feeds 'len' bytes.  Returns 0, or -EPROTO / -E2BIG with 'err' set when the
 * body is malformed or too big, or the nonzero value 'item' returned. */
int kube_list_decoder_feed(struct kube_list_decoder *decoder, const char *data,
                           size_t len, struct kovn_error *err);

/* At the end of the body: checks that a whole list object arrived.  Returns
 * 0 and the list's metadata (resourceVersion, continue) in '*metadata' (the
 * decoder keeps it; NULL if the list had none), or -EPROTO with 'err'. */
int kube_list_decoder_finish(struct kube_list_decoder *decoder,
                             const struct json **metadata,
                             struct kovn_error *err);

#endif /* KOVN_KUBE_LIST_H */
