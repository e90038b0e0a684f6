/* Fuzz target for base/textpack: any text packs and unpacks to itself, and
 * arbitrary bytes given to unpack (as damaged memory would be) either
 * unpack to exactly the size claimed or fail; never a crash or overrun.
 * The first byte chooses: even, round trip of the rest; odd, the next two
 * bytes are the size to claim and the rest is "packed". */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/textpack.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char dictionary[] =
    "{\"metadata\":{\"name\":\"\",\"namespace\":\"default\"},"
    "\"spec\":{\"nodeName\":\"\"}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct textpack *pack;

    if (!pack) {
        pack = textpack_create(dictionary, strlen(dictionary));
    }
    if (size < 1) {
        return 0;
    }
    if (!(data[0] & 1)) {
        const uint8_t *text = data + 1;
        size_t n = size - 1;
        uint8_t *packed = xmalloc(textpack_bound(n));
        size_t packed_size = textpack_pack(pack, text, n, packed);
        char *back = xmalloc(n + 1);

        if (textpack_unpack(pack, packed, packed_size, back, n) ||
            memcmp(back, text, n) || back[n] != '\0') {
            abort();
        }
        free(back);
        free(packed);
    } else if (size >= 3) {
        size_t claimed = data[1] | (size_t)data[2] << 8;
        char *out = xmalloc(claimed + 1);

        if (!textpack_unpack(pack, data + 3, size - 3, out, claimed) &&
            out[claimed] != '\0') {
            abort();
        }
        free(out);
    }
    return 0;
}
