/* CIDR parsing and set operations; see cidr.h. */
#include <config.h>

#include "net/cidr.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"

static net_u128
host_mask(enum net_family family, unsigned int prefix)
{
    unsigned int host_bits = net_family_bits(family) - prefix;

    return host_bits >= 128 ? ~(net_u128)0 : ((net_u128)1 << host_bits) - 1;
}

int
net_cidr_parse_len(const char *s, size_t len, enum net_cidr_mode mode,
                   struct net_cidr *cidr, struct kovn_error *err)
{
    const char *slash = memchr(s, '/', len);
    const char *p, *end = s + len;
    unsigned int prefix = 0, max;
    int error;

    memset(cidr, 0, sizeof *cidr);
    if (!slash) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": missing \"/prefix-length\"",
                              (int)(len > 64 ? 64 : len), s);
    }
    error = net_addr_parse_len(s, (size_t)(slash - s), &cidr->addr, err);
    if (error) {
        return error;
    }
    max = net_family_bits(cidr->addr.family);
    p = slash + 1;
    if (p == end) {
        return kovn_error_set(err, -EINVAL, "\"%.*s\": empty prefix length",
                              (int)len, s);
    }
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": prefix length is not a decimal "
                                  "number",
                                  (int)len, s);
        }
        if (p > slash + 1 && slash[1] == '0') {
            return kovn_error_set(err, -EINVAL,
                                  "\"%.*s\": prefix length has a leading zero",
                                  (int)len, s);
        }
        prefix = prefix * 10 + (unsigned int)(*p - '0');
        if (prefix > max) {
            break;
        }
    }
    if (prefix > max) {
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": prefix length %.*s > %u", (int)len, s,
                              (int)(end - slash - 1), slash + 1, max);
    }
    cidr->prefix = prefix;
    if (mode == NET_CIDR_NETWORK &&
        net_addr_to_u128(&cidr->addr) & host_mask(cidr->addr.family, prefix)) {
        struct net_cidr network = *cidr;
        char buf[NET_CIDR_STRLEN];

        network.addr = net_cidr_first(cidr);
        net_cidr_format(&network, buf);
        memset(cidr, 0, sizeof *cidr);
        return kovn_error_set(err, -EINVAL,
                              "\"%.*s\": host bits set, did you mean %s?",
                              (int)len, s, buf);
    }
    return 0;
}

int
net_cidr_parse(const char *s, enum net_cidr_mode mode, struct net_cidr *cidr,
               struct kovn_error *err)
{
    return net_cidr_parse_len(s, strlen(s), mode, cidr, err);
}

size_t
net_cidr_format(const struct net_cidr *cidr, char buf[NET_CIDR_STRLEN])
{
    size_t n = net_addr_format(&cidr->addr, buf);
    char digits[4];
    int n_digits = 0;
    unsigned int prefix = cidr->prefix;

    do {
        digits[n_digits++] = (char)('0' + prefix % 10);
        prefix /= 10;
    } while (prefix);
    buf[n++] = '/';
    while (n_digits) {
        buf[n++] = digits[--n_digits];
    }
    buf[n] = '\0';
    return n;
}

struct net_addr
net_cidr_first(const struct net_cidr *cidr)
{
    net_u128 value = net_addr_to_u128(&cidr->addr);

    return net_addr_from_u128(cidr->addr.family,
                              value &
                                  ~host_mask(cidr->addr.family, cidr->prefix));
}

struct net_addr
net_cidr_last(const struct net_cidr *cidr)
{
    net_u128 value = net_addr_to_u128(&cidr->addr);

    return net_addr_from_u128(
        cidr->addr.family, value | host_mask(cidr->addr.family, cidr->prefix));
}

net_u128
net_cidr_last_offset(const struct net_cidr *cidr)
{
    return host_mask(cidr->addr.family, cidr->prefix);
}

bool
net_cidr_contains(const struct net_cidr *cidr, const struct net_addr *addr)
{
    net_u128 mask;

    if (cidr->addr.family != addr->family) {
        return false;
    }
    mask = ~host_mask(cidr->addr.family, cidr->prefix);
    return (net_addr_to_u128(addr) & mask) ==
           (net_addr_to_u128(&cidr->addr) & mask);
}

bool
net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b)
{
    /* Two CIDR blocks overlap exactly when the shorter prefix contains the
     * other's network address. */
    const struct net_cidr *wider = a->prefix <= b->prefix ? a : b;
    const struct net_cidr *narrower = wider == a ? b : a;

    return net_cidr_contains(wider, &narrower->addr);
}
