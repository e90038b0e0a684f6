/* Incremental watch-stream decoding with OVS's JSON parser; see watch.h. */
#include <config.h>

#include "kube/watch.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"
#include "json/access.h"

static const char *const type_names[] = {
    [KUBE_WATCH_ADDED] = "ADDED",     [KUBE_WATCH_MODIFIED] = "MODIFIED",
    [KUBE_WATCH_DELETED] = "DELETED", [KUBE_WATCH_BOOKMARK] = "BOOKMARK",
    [KUBE_WATCH_ERROR] = "ERROR",
};

const char *
kube_watch_type_name(enum kube_watch_type type)
{
    return type_names[type];
}

void
kube_watch_decoder_init(struct kube_watch_decoder *decoder,
                        kube_watch_event_fn *event, void *aux)
{
    memset(decoder, 0, sizeof *decoder);
    decoder->event = event;
    decoder->aux = aux;
}

void
kube_watch_decoder_destroy(struct kube_watch_decoder *decoder)
{
    if (decoder->parser) {
        json_parser_abort(decoder->parser);
        decoder->parser = NULL;
    }
}

/* Turns one complete JSON value into an event. */
static int
deliver(struct kube_watch_decoder *decoder, struct json *json,
        struct kovn_error *err)
{
    const char *type_name = NULL;
    struct json *object;
    int type = -1;

    if (json->type == JSON_STRING) {
        /* OVS's parser reports syntax errors as a string value. */
        int error = kovn_error_set(err, -EPROTO, "watch stream: %s",
                                   json_string(json));
        json_destroy(json);
        return error;
    }
    if (json->type != JSON_OBJECT ||
        json_member_string(json, "type", "", &type_name, NULL) || !type_name) {
        json_destroy(json);
        return kovn_error_set(err, -EPROTO,
                              "watch stream: event without a type");
    }
    for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
        if (!strcmp(type_name, type_names[i])) {
            type = (int)i;
        }
    }
    object = shash_find_and_delete(json_object(json), "object");
    if (type < 0 || !object || object->type != JSON_OBJECT) {
        int error = kovn_error_set(
            err, -EPROTO, "watch stream: event type \"%.32s\" %s", type_name,
            type < 0 ? "unknown" : "without an object");
        json_destroy(object);
        json_destroy(json);
        return error;
    }
    json_destroy(json);
    return decoder->event((enum kube_watch_type)type, object, decoder->aux);
}

int
kube_watch_decoder_feed(struct kube_watch_decoder *decoder, const char *data,
                        size_t len, struct kovn_error *err)
{
    while (len) {
        size_t used;

        if (!decoder->parser) {
            /* Skip whitespace between events. */
            while (len && (*data == '\n' || *data == '\r' || *data == ' ' ||
                           *data == '\t')) {
                data++;
                len--;
            }
            if (!len) {
                break;
            }
            decoder->parser = json_parser_create(0);
            decoder->event_bytes = 0;
        }
        used = json_parser_feed(decoder->parser, data, len);
        decoder->event_bytes += used;
        data += used;
        len -= used;
        if (json_parser_is_done(decoder->parser)) {
            struct json *json = json_parser_finish(decoder->parser);
            int retval;

            decoder->parser = NULL;
            retval = deliver(decoder, json, err);
            if (retval) {
                return retval;
            }
        } else if (decoder->event_bytes > KUBE_WATCH_EVENT_MAX) {
            kube_watch_decoder_destroy(decoder);
            return kovn_error_set(err, -E2BIG,
                                  "watch stream: event larger than %d bytes",
                                  KUBE_WATCH_EVENT_MAX);
        }
    }
    return 0;
}
