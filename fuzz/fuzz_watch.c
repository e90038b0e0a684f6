/* Fuzz target for the watch-stream decoder: never crashes or leaks, and
 * feeding the same bytes in one piece or split at the first byte's value
 * gives the same events and the same outcome. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "kube/watch.h"
#include "openvswitch/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_event(enum kube_watch_type type, struct json *object, void *n_)
{
    size_t *n = n_;

    if (type > KUBE_WATCH_ERROR || !object || object->type != JSON_OBJECT) {
        abort();
    }
    json_destroy(object);
    (*n)++;
    return 0;
}

static int
decode(const uint8_t *data, size_t size, size_t split, size_t *n_events)
{
    struct kube_watch_decoder decoder;
    struct kovn_error err = {0};
    int error;

    *n_events = 0;
    kube_watch_decoder_init(&decoder, count_event, n_events);
    error = kube_watch_decoder_feed(&decoder, (const char *)data, split, &err);
    if (!error) {
        error = kube_watch_decoder_feed(&decoder, (const char *)data + split,
                                        size - split, &err);
    }
    if (error && !err.msg[0]) {
        abort();
    }
    kube_watch_decoder_destroy(&decoder);
    return error;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t whole_events, split_events;
    size_t split = size ? data[0] % (size + 1) : 0;
    int whole = decode(data, size, size, &whole_events);
    int parts = decode(data, size, split, &split_events);

    if (whole != parts || whole_events != split_events) {
        abort();
    }
    return 0;
}
