/* Unit tests for src/base/base64. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base64.h"
#include "base/error.h"

static void
assert_decodes(const char *in, const char *expected, size_t expected_len)
{
    struct kovn_error err = {0};
    size_t len;
    char *out;

    if (base64_decode("field", in, strlen(in), &out, &len, &err)) {
        fail_msg("\"%s\": %s", in, err.msg);
    }
    assert_int_equal(len, expected_len);
    assert_memory_equal(out, expected, len);
    assert_int_equal(out[len], '\0');
    free(out);
}

static void
assert_rejected(const char *in)
{
    struct kovn_error err = {0};
    size_t len;
    char *out;

    assert_int_equal(
        base64_decode("ca-data", in, strlen(in), &out, &len, &err), -EINVAL);
    assert_null(out);
    assert_string_equal(err.msg, "ca-data: not valid base64");
}

static void
test_base64_decodes_all_padding_forms(void **state)
{
    (void)state;
    assert_decodes("", "", 0);
    assert_decodes("aGVsbG8=", "hello", 5);
    assert_decodes("aGVsbA==", "hell", 4);
    assert_decodes("aGVs", "hel", 3);
    assert_decodes("AP8A", "\0\377\0", 3);
    assert_decodes("aGVs\nbG8=\n", "hello", 5);
}

static void
test_base64_rejects_bad_alphabet_padding_and_truncation(void **state)
{
    (void)state;
    assert_rejected("aGVsbG8");
    assert_rejected("aGV*bG8=");
    assert_rejected("a===");
    assert_rejected("aGVsbG8=aGVs");
    assert_rejected("aG=s");
    assert_rejected("aGVsbG8-");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_decodes_all_padding_forms),
        cmocka_unit_test(
            test_base64_rejects_bad_alphabet_padding_and_truncation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
