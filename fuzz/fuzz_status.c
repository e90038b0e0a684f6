/* Fuzz target for metav1.Status decoding of error bodies: never crashes or
 * leaks; a decoded Status has a sane code and non-null strings. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/status.h"
#include "openvswitch/json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *json = json_from_string(text);
    struct kube_status status;

    if (kube_status_from_json(json, &status)) {
        if (status.code < 0 || status.code >= 1000 || !status.reason ||
            !status.message || strlen(status.message) > 4096) {
            abort();
        }
        kube_status_destroy(&status);
    } else if (status.reason || status.message) {
        abort();
    }
    json_destroy(json);
    free(text);
    return 0;
}
