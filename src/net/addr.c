/* Strict IPv4/IPv6 address parsing and canonical formatting; see addr.h. */
#include <config.h>

#include "net/addr.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "net/hex.h"

/* Longest input worth looking at: a full IPv6 address with an embedded IPv4
 * tail is 45 bytes.  Anything longer is rejected before parsing so that
 * error messages can quote the input without truncation surprises. */
#define ADDR_INPUT_MAX 45

/* Parses exactly four decimal octets into 'out'.  'quote' is the whole user
 * input, for messages. */
static int
parse_ipv4(const char *s, size_t len, uint8_t out[4], const char *quote,
           int quote_len, struct kovn_error *err)
{
    const char *p = s;
    const char *end = s + len;

    for (int i = 0; i < 4; i++) {
        const char *start = p;
        unsigned int value = 0;

        while (p < end && *p >= '0' && *p <= '9' && p - start < 4) {
            value = value * 10 + (unsigned int)(*p - '0');
            p++;
        }
        if (p == start) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv4 octet %d is not a decimal "
                                  "number",
                                  quote_len, quote, i + 1);
        }
        if (p - start > 3) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv4 octet %d has more than 3 "
                                  "digits",
                                  quote_len, quote, i + 1);
        }
        if (value > 255) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv4 octet %u > 255", quote_len,
                                  quote, value);
        }
        if (p - start > 1 && *start == '0') {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv4 octet %.*s has a leading "
                                  "zero (ambiguous: octal or decimal?)",
                                  quote_len, quote, (int)(p - start), start);
        }
        out[i] = (uint8_t)value;
        if (i < 3) {
            if (p == end || *p != '.') {
                return kovn_error_set(err, -EINVAL,
                                      "\"%.*s\": IPv4 address needs 4 "
                                      "dot-separated octets",
                                      quote_len, quote);
            }
            p++;
        }
    }
    if (p != end) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": unexpected \"%.*s\" after IPv4 "
                              "address",
                              quote_len, quote, (int)(end - p), p);
    }
    return 0;
}

static int
parse_ipv6(const char *s, size_t len, uint8_t out[16], struct kovn_error *err)
{
    const char *p = s;
    const char *end = s + len;
    int qlen = (int)len;
    uint16_t groups[8];
    int n_groups = 0;
    int gap = -1; /* Index in 'groups' where "::" stands, or -1. */

    if (len >= 2 && p[0] == ':' && p[1] == ':') {
        gap = 0;
        p += 2;
    } else if (len >= 1 && p[0] == ':') {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": IPv6 address starts with a single "
                              "':'",
                              qlen, s);
    }
    while (p < end) {
        const char *start = p;
        unsigned int value = 0;
        int digit;

        while (p < end && (digit = net_hex_digit(*p)) >= 0 && p - start < 5) {
            value = value * 16 + (unsigned int)digit;
            p++;
        }
        if (p < end && *p == '.') {
            /* Embedded IPv4 tail: it fills the last two groups. */
            uint8_t v4[4];
            int error;

            if (n_groups > 6) {
                return kovn_error_set(err, -EINVAL,
                                      "\"%.*s\": IPv6 address has too many "
                                      "groups before its IPv4 tail",
                                      qlen, s);
            }
            error = parse_ipv4(start, (size_t)(end - start), v4, s, qlen, err);
            if (error) {
                return error;
            }
            groups[n_groups++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[n_groups++] = (uint16_t)(v4[2] << 8 | v4[3]);
            p = end;
            break;
        }
        if (p == start) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": unexpected \"%c\" in IPv6 "
                                  "address",
                                  qlen, s, *p);
        }
        if (p - start > 4) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv6 group has more than 4 hex "
                                  "digits",
                                  qlen, s);
        }
        if (n_groups == 8) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv6 address has more than 8 "
                                  "groups",
                                  qlen, s);
        }
        groups[n_groups++] = (uint16_t)value;
        if (p == end) {
            break;
        }
        if (*p != ':') {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": unexpected \"%c\" in IPv6 "
                                  "address",
                                  qlen, s, *p);
        }
        p++;
        if (p < end && *p == ':') {
            if (gap >= 0) {
                return kovn_error_set(err, -EINVAL,
                                      "\"%.*s\": IPv6 address has more than "
                                      "one \"::\"",
                                      qlen, s);
            }
            gap = n_groups;
            p++;
        } else if (p == end) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv6 address ends with a single "
                                  "':'",
                                  qlen, s);
        }
    }

    if (gap >= 0) {
        int n_zero = 8 - n_groups;

        if (n_zero < 1) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": \"::\" must stand for at least "
                                  "one zero group",
                                  qlen, s);
        }
        memmove(&groups[gap + n_zero], &groups[gap],
                (size_t)(n_groups - gap) * sizeof groups[0]);
        memset(&groups[gap], 0, (size_t)n_zero * sizeof groups[0]);
    } else if (n_groups != 8) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": IPv6 address has %d groups, needs 8 "
                              "or a \"::\"",
                              qlen, s, n_groups);
    }
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(groups[i] >> 8);
        out[2 * i + 1] = (uint8_t)groups[i];
    }
    return 0;
}

static bool
is_v4_mapped(const uint8_t bytes[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};

    return !memcmp(bytes, prefix, sizeof prefix);
}

int
net_addr_parse_len(const char *s, size_t len, struct net_addr *addr,
                   struct kovn_error *err)
{
    int error;

    memset(addr, 0, sizeof *addr);
    if (len == 0) {
        return kovn_error_set(err, -EINVAL, "empty IP address");
    }
    if (len > ADDR_INPUT_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.20s...\": too long for an IP address (%zu "
                              "bytes)",
                              s, len);
    }
    if (memchr(s, ':', len)) {
        if (memchr(s, '%', len)) {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": IPv6 zone index not allowed",
                                  (int)len, s);
        }
        addr->family = NET_V6;
        error = parse_ipv6(s, len, addr->bytes, err);
        if (!error && is_v4_mapped(addr->bytes)) {
            error =
                kovn_error_set(err, -EINVAL,
                               "\"%.*s\": IPv4-mapped IPv6 address not "
                               "allowed, write it as %u.%u.%u.%u",
                               (int)len, s, addr->bytes[12], addr->bytes[13],
                               addr->bytes[14], addr->bytes[15]);
        }
    } else {
        addr->family = NET_V4;
        error = parse_ipv4(s, len, addr->bytes, s, (int)len, err);
    }
    if (error) {
        memset(addr, 0, sizeof *addr);
    }
    return error;
}

int
net_addr_parse(const char *s, struct net_addr *addr, struct kovn_error *err)
{
    return net_addr_parse_len(s, strlen(s), addr, err);
}

static size_t
format_decimal(unsigned int value, char *p)
{
    if (value >= 100) {
        p[0] = (char)('0' + value / 100);
        p[1] = (char)('0' + value / 10 % 10);
        p[2] = (char)('0' + value % 10);
        return 3;
    } else if (value >= 10) {
        p[0] = (char)('0' + value / 10);
        p[1] = (char)('0' + value % 10);
        return 2;
    }
    p[0] = (char)('0' + value);
    return 1;
}

static size_t
format_hex_group(unsigned int value, char *p)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;
    bool started = false;

    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned int nibble = (value >> shift) & 0xf;

        if (nibble || started || shift == 0) {
            p[n++] = digits[nibble];
            started = true;
        }
    }
    return n;
}

size_t
net_addr_format(const struct net_addr *addr, char buf[NET_ADDR_STRLEN])
{
    char *p = buf;

    if (addr->family == NET_V4) {
        for (int i = 0; i < 4; i++) {
            if (i) {
                *p++ = '.';
            }
            p += format_decimal(addr->bytes[i], p);
        }
    } else {
        unsigned int groups[8];
        int best_start = -1, best_len = 0;

        for (int i = 0; i < 8; i++) {
            groups[i] =
                (unsigned int)addr->bytes[2 * i] << 8 | addr->bytes[2 * i + 1];
        }
        /* RFC 5952 4.2: compress the longest run of at least two zero
         * groups, the first one on a tie. */
        for (int i = 0; i < 8;) {
            int j = i;

            while (j < 8 && !groups[j]) {
                j++;
            }
            if (j - i > best_len && j - i >= 2) {
                best_start = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        for (int i = 0; i < 8; i++) {
            if (i == best_start) {
                *p++ = ':';
                *p++ = ':';
                i += best_len - 1;
                continue;
            }
            if (i && i != best_start + best_len) {
                *p++ = ':';
            }
            p += format_hex_group(groups[i], p);
        }
    }
    *p = '\0';
    return (size_t)(p - buf);
}

int
net_addr_compare(const struct net_addr *a, const struct net_addr *b)
{
    if (a->family != b->family) {
        return a->family < b->family ? -1 : 1;
    }
    return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

bool
net_addr_equals(const struct net_addr *a, const struct net_addr *b)
{
    return !net_addr_compare(a, b);
}

unsigned int
net_family_bits(enum net_family family)
{
    return family == NET_V4 ? 32 : 128;
}

const char *
net_family_name(enum net_family family)
{
    return family == NET_V4 ? "IPv4" : "IPv6";
}

net_u128
net_addr_to_u128(const struct net_addr *addr)
{
    int n = addr->family == NET_V4 ? 4 : 16;
    net_u128 value = 0;

    for (int i = 0; i < n; i++) {
        value = value << 8 | addr->bytes[i];
    }
    return value;
}

struct net_addr
net_addr_from_u128(enum net_family family, net_u128 value)
{
    struct net_addr addr;
    int n = family == NET_V4 ? 4 : 16;

    memset(&addr, 0, sizeof addr);
    addr.family = family;
    for (int i = n - 1; i >= 0; i--) {
        addr.bytes[i] = (uint8_t)value;
        value >>= 8;
    }
    return addr;
}

bool
net_addr_add(struct net_addr *addr, net_u128 delta)
{
    net_u128 value = net_addr_to_u128(addr);
    net_u128 max = addr->family == NET_V4 ? UINT32_MAX : ~(net_u128)0;

    if (delta > max - value) {
        return false;
    }
    *addr = net_addr_from_u128(addr->family, value + delta);
    return true;
}

size_t
net_u128_format(net_u128 value, char buf[NET_ADDR_STRLEN])
{
    char reversed[NET_ADDR_STRLEN];
    size_t n = 0;

    do {
        reversed[n++] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value);
    for (size_t i = 0; i < n; i++) {
        buf[i] = reversed[n - 1 - i];
    }
    buf[n] = '\0';
    return n;
}
