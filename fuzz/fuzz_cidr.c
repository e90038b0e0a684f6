/* Fuzz target for net_cidr_parse in both modes: never crashes, accepted
 * blocks format canonically and re-parse to the same block, a network block
 * contains its first and last address, and rejection carries a message. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum net_cidr_mode modes[] = {NET_CIDR_NETWORK, NET_CIDR_INTERFACE};

    for (size_t i = 0; i < 2; i++) {
        struct kovn_error err = {0};
        struct net_cidr cidr, again;
        char buf[NET_CIDR_STRLEN];

        if (net_cidr_parse_len((const char *)data, size, modes[i], &cidr,
                               &err)) {
            if (!err.msg[0]) {
                abort();
            }
            continue;
        }
        if (cidr.prefix > net_family_bits(cidr.addr.family)) {
            abort();
        }
        net_cidr_format(&cidr, buf);
        if (net_cidr_parse(buf, modes[i], &again, NULL) ||
            !net_addr_equals(&cidr.addr, &again.addr) ||
            cidr.prefix != again.prefix) {
            abort();
        }
        struct net_addr first = net_cidr_first(&cidr);
        struct net_addr last = net_cidr_last(&cidr);
        if (!net_cidr_contains(&cidr, &first) ||
            !net_cidr_contains(&cidr, &last) ||
            !net_cidr_contains(&cidr, &cidr.addr) ||
            !net_cidr_overlaps(&cidr, &again)) {
            abort();
        }
        if (modes[i] == NET_CIDR_NETWORK &&
            !net_addr_equals(&first, &cidr.addr)) {
            abort();
        }
    }
    return 0;
}
