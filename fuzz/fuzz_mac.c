/* Fuzz target for net_mac_parse: never crashes, accepted MACs are unicast,
 * non-zero and round-trip through the lowercase form. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "net/mac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char input[32];
    struct kovn_error err = {0};
    struct net_mac mac, again;
    char buf[NET_MAC_STRLEN];

    if (size >= sizeof input) {
        return 0;
    }
    memcpy(input, data, size);
    input[size] = '\0';
    if (net_mac_parse(input, &mac, &err)) {
        if (!err.msg[0]) {
            abort();
        }
        return 0;
    }
    net_mac_format(&mac, buf);
    if ((mac.bytes[0] & 1) || strcasecmp(buf, input) ||
        net_mac_parse(buf, &again, NULL) || !net_mac_equals(&mac, &again)) {
        abort();
    }
    return 0;
}
