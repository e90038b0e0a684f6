/* Fuzz target for net_addr_parse: never crashes, agrees with the C
 * library's inet_pton on which strings are addresses (except IPv4-mapped
 * IPv6, which kovn rejects on purpose), and formatting round-trips. */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char input[64];
    uint8_t libc[16];
    struct kovn_error err = {0};
    struct net_addr addr, again;
    char buf[NET_ADDR_STRLEN];
    bool libc_v4, libc_v6, ours;

    if (size >= sizeof input) {
        /* Long inputs only exercise the length check. */
        ours = !net_addr_parse_len((const char *)data, size, &addr, &err);
        if (ours && size > 45) {
            abort();
        }
        return 0;
    }
    memcpy(input, data, size);
    input[size] = '\0';

    ours = !net_addr_parse(input, &addr, &err);
    libc_v4 = inet_pton(AF_INET, input, libc) == 1;
    libc_v6 = !libc_v4 && inet_pton(AF_INET6, input, libc) == 1;
    if (ours) {
        if (addr.family == NET_V4 ? !libc_v4 || memcmp(libc, addr.bytes, 4)
                                  : !libc_v6 || memcmp(libc, addr.bytes, 16)) {
            abort();
        }
        if (net_addr_format(&addr, buf) != strlen(buf) ||
            net_addr_parse(buf, &again, NULL) ||
            !net_addr_equals(&addr, &again)) {
            abort();
        }
    } else {
        bool mapped =
            libc_v6 && !memcmp(libc, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);

        if ((libc_v4 || libc_v6) && !mapped) {
            abort();
        }
        if (err.code == 0 || !err.msg[0] ||
            strnlen(err.msg, sizeof err.msg) == sizeof err.msg) {
            abort();
        }
    }
    return 0;
}
