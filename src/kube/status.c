/* metav1.Status decoding; see status.h. */
#include <config.h>

#include "kube/status.h"

#include <string.h>

#include "kube/protobuf.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

/* Longest message kept from a Status; the server's messages are short, a
 * longer one is cut rather than carried around. */
#define STATUS_MESSAGE_MAX 4096

bool
kube_status_from_json(const struct json *json, struct kube_status *status)
{
    const struct json *kind = json_member(json, "kind");
    const struct json *code = json_member(json, "code");
    const char *reason = NULL, *message = NULL;

    status->code = 0;
    status->reason = NULL;
    status->message = NULL;
    if (!kind || kind->type != JSON_STRING ||
        strcmp(json_string(kind), "Status")) {
        return false;
    }
    if (code && code->type == JSON_INTEGER) {
        long long value = json_integer(code);

        status->code = value >= 0 && value < 1000 ? (long)value : 0;
    }
    if (json_member_string(json, "reason", "", &reason, NULL)) {
        reason = NULL;
    }
    if (json_member_string(json, "message", "", &message, NULL)) {
        message = NULL;
    }
    status->reason = xstrdup(reason ? reason : "");
    status->message =
        message ? xmemdup0(message, strnlen(message, STATUS_MESSAGE_MAX))
                : xstrdup("");
    return true;
}

bool
kube_status_from_protobuf(const void *data, size_t len,
                          struct kube_status *status)
{
    struct pb_reader r = pb_reader(data, len);
    struct pb_field f, raw = {0};
    bool is_status = false;

    memset(status, 0, sizeof *status);
    if (len < KUBE_PROTOBUF_MAGIC_LEN ||
        memcmp(data, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN)) {
        return false;
    }
    r.p += KUBE_PROTOBUF_MAGIC_LEN;
    /* The envelope: typeMeta = 1 {kind = 2}, raw = 2. */
    while (pb_read_field(&r, &f) > 0) {
        if (f.number == 1 && f.wire == PB_LEN) {
            struct pb_reader tr = pb_reader(f.data, f.len);
            struct pb_field t;

            while (pb_read_field(&tr, &t) > 0) {
                if (t.number == 2 && t.wire == PB_LEN) {
                    is_status = t.len == 6 && !memcmp(t.data, "Status", 6);
                }
            }
        } else if (f.number == 2 && f.wire == PB_LEN) {
            raw = f;
        }
    }
    if (!is_status) {
        return false;
    }
    /* Status: message = 3, reason = 4, code = 6. */
    r = pb_reader(raw.data, raw.len);
    while (pb_read_field(&r, &f) > 0) {
        if (f.number == 3 && f.wire == PB_LEN && !status->message) {
            status->message = pb_text_dup(&f, STATUS_MESSAGE_MAX);
        } else if (f.number == 4 && f.wire == PB_LEN && !status->reason) {
            status->reason = pb_text_dup(&f, STATUS_MESSAGE_MAX);
        } else if (f.number == 6 && f.wire == PB_VARINT) {
            status->code = f.varint < 1000 ? (long)f.varint : 0;
        }
    }
    if (!status->reason) {
        status->reason = xstrdup("");
    }
    if (!status->message) {
        status->message = xstrdup("");
    }
    return true;
}

void
kube_status_destroy(struct kube_status *status)
{
    free(status->reason);
    free(status->message);
    status->reason = status->message = NULL;
}
