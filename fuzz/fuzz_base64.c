/* Fuzz target for base64_decode: never crashes; output is at most 3/4 of
 * the input and null-terminated; failure carries a message. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "base/base64.h"
#include "base/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kovn_error err = {0};
    size_t len;
    char *out;

    if (base64_decode("fuzz", (const char *)data, size, &out, &len, &err)) {
        if (out || !err.msg[0]) {
            abort();
        }
        return 0;
    }
    if (len > size / 4 * 3 || out[len] != '\0') {
        abort();
    }
    free(out);
    return 0;
}
