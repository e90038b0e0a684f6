/* Fuzz target for excludeIps lists (net_range_list_parse): never crashes,
 * normalization yields sorted disjoint ranges covering every parsed address
 * endpoint, and the normalized text parses back to the same list. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/range.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct net_range_list list, again;
    struct kovn_error err = {0};
    char *input, *text;

    if (size > 4096) {
        return 0;
    }
    input = xmemdup0((const char *)data, size);
    net_range_list_init(&list);
    net_range_list_init(&again);
    if (net_range_list_parse(input, ',', &list, &err)) {
        if (!err.msg[0] || list.n) {
            abort();
        }
        goto out;
    }
    struct net_range_list parsed = list;
    parsed.ranges = xmemdup(list.ranges, list.n * sizeof *list.ranges);

    net_range_list_normalize(&list);
    for (size_t i = 0; i < list.n; i++) {
        if (net_addr_compare(&list.ranges[i].first, &list.ranges[i].last) >
                0 ||
            (i && net_range_overlaps(&list.ranges[i - 1], &list.ranges[i]))) {
            abort();
        }
    }
    for (size_t i = 0; i < parsed.n; i++) {
        if (!net_range_list_contains(&list, &parsed.ranges[i].first) ||
            !net_range_list_contains(&list, &parsed.ranges[i].last)) {
            abort();
        }
    }
    free(parsed.ranges);

    text = net_range_list_format(&list, ',');
    if (net_range_list_parse(text, ',', &again, NULL) || again.n != list.n ||
        (list.n &&
         memcmp(again.ranges, list.ranges, list.n * sizeof *list.ranges))) {
        abort();
    }
    free(text);
out:
    net_range_list_destroy(&list);
    net_range_list_destroy(&again);
    free(input);
    return 0;
}
