/* MAC address parsing and formatting; see mac.h. */
#include <config.h>

#include "net/mac.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "net/hex.h"

int
net_mac_parse(const char *s, struct net_mac *mac, struct kovn_error *err)
{
    size_t len = strlen(s);

    memset(mac, 0, sizeof *mac);
    if (len != NET_MAC_STRLEN - 1) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": MAC address must look like "
                              "0a:58:0a:10:00:05",
                              (int)(len > 32 ? 32 : len), s);
    }
    for (int i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        int hi = net_hex_digit(p[0]);
        int lo = net_hex_digit(p[1]);

        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':')) {
            memset(mac, 0, sizeof *mac);
            return kovn_error_set(err, -EINVAL,
                                  "\"%s\": MAC address must look like "
                                  "0a:58:0a:10:00:05",
                                  s);
        }
        mac->bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    if (mac->bytes[0] & 1) {
        memset(mac, 0, sizeof *mac);
        return kovn_error_set(err, -EINVAL,
                              "\"%s\": multicast or broadcast MAC address "
                              "cannot be a port address",
                              s);
    }
    if (!memcmp(mac->bytes, "\0\0\0\0\0\0", 6)) {
        return kovn_error_set(err, -EINVAL, "\"%s\": all-zero MAC address", s);
    }
    return 0;
}

size_t
net_mac_format(const struct net_mac *mac, char buf[NET_MAC_STRLEN])
{
    static const char digits[] = "0123456789abcdef";

    for (int i = 0; i < 6; i++) {
        buf[3 * i] = digits[mac->bytes[i] >> 4];
        buf[3 * i + 1] = digits[mac->bytes[i] & 0xf];
        buf[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    return NET_MAC_STRLEN - 1;
}

bool
net_mac_equals(const struct net_mac *a, const struct net_mac *b)
{
    return !memcmp(a->bytes, b->bytes, sizeof a->bytes);
}
