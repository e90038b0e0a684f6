/* Fuzz target for protobuf lists of pods (kube/pblist, kube/podproto) and
 * protobuf Status bodies: never crashes or leaks; feeding the bytes whole
 * or split at the first byte's value gives the same items and outcome;
 * every decoded pod has the JSON skeleton and survives a round trip
 * through JSON text (its strings are text the store can keep). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "kube/pblist.h"
#include "kube/podproto.h"
#include "kube/status.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_pod(const struct json *pod)
{
    static const char *const parts[] = {"metadata", "spec", "status"};

    if (!pod || pod->type != JSON_OBJECT) {
        abort();
    }
    for (size_t i = 0; i < 3; i++) {
        const struct json *part = shash_find_data(json_object(pod), parts[i]);

        if (!part || part->type != JSON_OBJECT) {
            abort();
        }
    }
    char *text = json_to_string(pod, 0);
    struct json *again = json_from_string(text);
    if (!json_equal(pod, again)) {
        abort();
    }
    json_destroy(again);
    free(text);
}

static int
count_item(struct json *item, void *n_)
{
    size_t *n = n_;

    check_pod(item);
    json_destroy(item);
    (*n)++;
    return 0;
}

static int
decode(const uint8_t *data, size_t size, size_t split, size_t *n_items)
{
    struct kube_pblist_decoder decoder;
    struct kovn_error err = {0};
    const char *rv;
    int error;

    *n_items = 0;
    kube_pblist_decoder_init(&decoder, kube_pod_from_protobuf, count_item,
                             n_items);
    error = kube_pblist_decoder_feed(&decoder, data, split, &err);
    if (!error) {
        error = kube_pblist_decoder_feed(&decoder, data + split, size - split,
                                         &err);
    }
    if (!error) {
        error = kube_pblist_decoder_finish(&decoder, &rv, &err);
        if (!error && !rv) {
            abort();
        }
    }
    if (error && !err.msg[0]) {
        abort();
    }
    kube_pblist_decoder_destroy(&decoder);
    return error;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t split = size ? data[0] % (size + 1) : 0;
    size_t n_whole, n_split;
    int whole = decode(data, size, size, &n_whole);
    int parts = decode(data, size, split, &n_split);
    struct kovn_error err = {0};
    struct kube_status status;

    if (whole != parts || n_whole != n_split) {
        abort();
    }

    /* The same bytes as one pod. */
    struct json *pod = kube_pod_from_protobuf(data, size, &err);
    if (pod) {
        check_pod(pod);
        json_destroy(pod);
    } else if (!err.msg[0]) {
        abort();
    }

    if (kube_status_from_protobuf(data, size, &status)) {
        if (!status.reason || !status.message) {
            abort();
        }
        kube_status_destroy(&status);
    }
    return 0;
}
