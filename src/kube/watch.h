/* Incremental decoding of a Kubernetes watch stream: a sequence of JSON
 * objects {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": {...}},
 * delivered in chunks of any size.  Each event is handed over as soon as
 * its last byte arrives.  An event larger than KUBE_WATCH_EVENT_MAX or a
 * malformed one stops the stream with an error rather than growing
 * without bound or guessing. */
#ifndef KOVN_KUBE_WATCH_H
#define KOVN_KUBE_WATCH_H 1

#include <stddef.h>

struct json;
struct kovn_error;
struct json_parser;

#define KUBE_WATCH_EVENT_MAX (16 * 1024 * 1024)

enum kube_watch_type {
    KUBE_WATCH_ADDED,
    KUBE_WATCH_MODIFIED,
    KUBE_WATCH_DELETED,
    KUBE_WATCH_BOOKMARK,
    KUBE_WATCH_ERROR, /* 'object' is a metav1.Status (410 Expired...). */
};

const char *kube_watch_type_name(enum kube_watch_type type);

/* Called for each event; takes ownership of 'object'.  Returns 0 to go on,
 * nonzero to stop decoding. */
typedef int kube_watch_event_fn(enum kube_watch_type type, struct json *object,
                                void *aux);

struct kube_watch_decoder {
    struct json_parser *parser; /* NULL between events. */
    size_t event_bytes;         /* Bytes fed into the current event. */
    kube_watch_event_fn *event;
    void *aux;
};

void kube_watch_decoder_init(struct kube_watch_decoder *decoder,
                             kube_watch_event_fn *event, void *aux);
void kube_watch_decoder_destroy(struct kube_watch_decoder *decoder);

/* Feeds 'len' bytes.  Returns 0, or -EPROTO / -E2BIG with 'err' set when
 * the stream is malformed, or the nonzero value 'event' returned. */
int kube_watch_decoder_feed(struct kube_watch_decoder *decoder,
                            const char *data, size_t len,
                            struct kovn_error *err);

#endif /* KOVN_KUBE_WATCH_H */
