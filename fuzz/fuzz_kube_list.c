/* Fuzz target for the streaming list decoder: never crashes or leaks, and
 * feeding the same bytes in one piece or split at the first byte's value
 * gives the same items and the same outcome. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "kube/list.h"
#include "openvswitch/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_item(struct json *item, void *n_)
{
    size_t *n = n_;

    if (!item || item->type != JSON_OBJECT) {
        abort();
    }
    json_destroy(item);
    (*n)++;
    return 0;
}

static int
decode(const uint8_t *data, size_t size, size_t split, size_t *n_items)
{
    struct kube_list_decoder decoder;
    struct kovn_error err = {0};
    const struct json *metadata;
    int error;

    *n_items = 0;
    kube_list_decoder_init(&decoder, count_item, n_items);
    error = kube_list_decoder_feed(&decoder, (const char *)data, split, &err);
    if (!error) {
        error = kube_list_decoder_feed(&decoder, (const char *)data + split,
                                       size - split, &err);
    }
    if (!error) {
        error = kube_list_decoder_finish(&decoder, &metadata, &err);
        if (!error && metadata && metadata->type != JSON_OBJECT) {
            abort();
        }
    }
    if (error && !err.msg[0]) {
        abort();
    }
    kube_list_decoder_destroy(&decoder);
    return error;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t split = size ? data[0] % (size + 1) : 0;
    size_t n_whole, n_split;
    int whole = decode(data, size, size, &n_whole);
    int parts = decode(data, size, split, &n_split);

    if (whole != parts || n_whole != n_split) {
        abort();
    }
    return 0;
}
