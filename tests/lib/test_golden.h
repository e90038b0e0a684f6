/* Golden files for cmocka tests: real tool output kept next to the tests
 * (tests/unit/golden), read whole.  Include after <cmocka.h>. */
#ifndef KOVN_TESTS_TEST_GOLDEN_H
#define KOVN_TESTS_TEST_GOLDEN_H 1

#include <stdio.h>
#include <stdlib.h>

#include "openvswitch/dynamic-string.h"
#include "util.h"

/* The text of file 'name' in 'dir'; a missing file fails the test.  The
 * caller frees it. */
static inline char *
test_golden_read(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct ds text = DS_EMPTY_INITIALIZER;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    for (int c; (c = getc(f)) != EOF;) {
        ds_put_char(&text, c);
    }
    fclose(f);
    free(path);
    return ds_steal_cstr(&text);
}

#endif /* KOVN_TESTS_TEST_GOLDEN_H */
