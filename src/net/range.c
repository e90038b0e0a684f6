/* Address ranges and excludeIps lists; see range.h. */
#include <config.h>

#include "net/range.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "util.h"

int
net_range_parse_len(const char *s, size_t len, struct net_range *range,
                    struct kovn_error *err)
{
    const char *dots = NULL;
    int error;

    memset(range, 0, sizeof *range);
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    }
    if (!dots) {
        error = net_addr_parse_len(s, len, &range->first, err);
        if (!error) {
            range->last = range->first;
        }
        return error;
    }
    error = net_addr_parse_len(s, (size_t)(dots - s), &range->first, err);
    if (!error) {
        const char *second = dots + 2;

        error = net_addr_parse_len(second, (size_t)(s + len - second),
                                   &range->last, err);
    }
    if (!error && range->first.family != range->last.family) {
        error = kovn_error_set(
            err, -EINVAL, "\"%.*s\": range mixes IPv4 and IPv6", (int)len, s);
    } else if (!error && net_addr_compare(&range->first, &range->last) > 0) {
        error = kovn_error_set(err, -EINVAL,
                               "\"%.*s\": range start is after its end",
                               (int)len, s);
    }
    if (error) {
        memset(range, 0, sizeof *range);
    }
    return error;
}

int
net_range_parse(const char *s, struct net_range *range, struct kovn_error *err)
{
    return net_range_parse_len(s, strlen(s), range, err);
}

size_t
net_range_format(const struct net_range *range, char buf[NET_RANGE_STRLEN])
{
    size_t n = net_addr_format(&range->first, buf);

    if (!net_addr_equals(&range->first, &range->last)) {
        buf[n++] = '.';
        buf[n++] = '.';
        n += net_addr_format(&range->last, buf + n);
    }
    return n;
}

bool
net_range_contains(const struct net_range *range, const struct net_addr *addr)
{
    return addr->family == range->first.family &&
           net_addr_compare(&range->first, addr) <= 0 &&
           net_addr_compare(addr, &range->last) <= 0;
}

bool
net_range_overlaps(const struct net_range *a, const struct net_range *b)
{
    return a->first.family == b->first.family &&
           net_addr_compare(&a->first, &b->last) <= 0 &&
           net_addr_compare(&b->first, &a->last) <= 0;
}

net_u128
net_range_last_offset(const struct net_range *range)
{
    return net_addr_to_u128(&range->last) - net_addr_to_u128(&range->first);
}

void
net_range_list_init(struct net_range_list *list)
{
    memset(list, 0, sizeof *list);
}

void
net_range_list_destroy(struct net_range_list *list)
{
    free(list->ranges);
    memset(list, 0, sizeof *list);
}

void
net_range_list_add(struct net_range_list *list, const struct net_range *range)
{
    if (list->n == list->allocated) {
        list->allocated = list->allocated ? 2 * list->allocated : 8;
        list->ranges =
            xrealloc(list->ranges, list->allocated * sizeof *list->ranges);
    }
    list->ranges[list->n++] = *range;
}

int
net_range_list_parse(const char *s, char sep, struct net_range_list *list,
                     struct kovn_error *err)
{
    size_t old_n = list->n;
    const char *p = s;

    if (!*s) {
        return 0;
    }
    for (;;) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        struct net_range range;
        int error;

        if (list->n - old_n >= NET_RANGE_LIST_MAX) {
            list->n = old_n;
            return kovn_error_set(err, -E2BIG,
                                  "more than %d address ranges in one list",
                                  NET_RANGE_LIST_MAX);
        }
        if (len == 0) {
            size_t item = list->n - old_n + 1;

            list->n = old_n;
            return kovn_error_set(err, -EINVAL,
                                  "empty item %zu in address list", item);
        }
        error = net_range_parse_len(p, len, &range, err);
        if (error) {
            list->n = old_n;
            return error;
        }
        net_range_list_add(list, &range);
        if (!end) {
            return 0;
        }
        p = end + 1;
    }
}

static int
compare_ranges(const void *a_, const void *b_)
{
    const struct net_range *a = a_, *b = b_;
    int cmp = net_addr_compare(&a->first, &b->first);

    return cmp ? cmp : net_addr_compare(&a->last, &b->last);
}

void
net_range_list_normalize(struct net_range_list *list)
{
    size_t n_out = 0;

    if (list->n < 2) {
        return;
    }
    qsort(list->ranges, list->n, sizeof *list->ranges, compare_ranges);
    for (size_t i = 0; i < list->n; i++) {
        struct net_range *cur = &list->ranges[i];
        struct net_range *prev = n_out ? &list->ranges[n_out - 1] : NULL;

        if (prev && prev->last.family == cur->first.family) {
            struct net_addr after_prev = prev->last;
            bool prev_at_max = !net_addr_add(&after_prev, 1);

            if (prev_at_max ||
                net_addr_compare(&cur->first, &after_prev) <= 0) {
                if (net_addr_compare(&cur->last, &prev->last) > 0) {
                    prev->last = cur->last;
                }
                continue;
            }
        }
        list->ranges[n_out++] = *cur;
    }
    list->n = n_out;
}

bool
net_range_list_contains(const struct net_range_list *list,
                        const struct net_addr *addr)
{
    size_t lo = 0, hi = list->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct net_range *range = &list->ranges[mid];

        if (net_addr_compare(&range->last, addr) < 0) {
            lo = mid + 1;
        } else if (net_addr_compare(addr, &range->first) < 0) {
            hi = mid;
        } else {
            return true;
        }
    }
    return false;
}

char *
net_range_list_format(const struct net_range_list *list, char sep)
{
    char *out = xmalloc(list->n * (NET_RANGE_STRLEN + 1) + 1);
    size_t n = 0;

    for (size_t i = 0; i < list->n; i++) {
        if (i) {
            out[n++] = sep;
        }
        n += net_range_format(&list->ranges[i], out + n);
    }
    out[n] = '\0';
    return out;
}
