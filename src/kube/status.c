/* metav1.Status decoding; see status.h. */
#include <config.h>

#include "kube/status.h"

#include <string.h>

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

void
kube_status_destroy(struct kube_status *status)
{
    free(status->reason);
    free(status->message);
    status->reason = status->message = NULL;
}
