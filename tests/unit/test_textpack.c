/* Unit tests for src/base/textpack: dictionary compression of short texts. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/textpack.h"
#include "util.h"

static const char sample[] =
    "{\"metadata\":{\"name\":\"\",\"namespace\":\"default\"},"
    "\"spec\":{\"nodeName\":\"\",\"restartPolicy\":\"Always\"}}";

/* Packs 'text' and unpacks it; returns the packed size. */
static size_t
round_trip(struct textpack *pack, const char *text, size_t size)
{
    char *packed = xmalloc(textpack_bound(size));
    size_t packed_size = textpack_pack(pack, text, size, packed);
    char *back = xmalloc(size + 1);

    assert_true(packed_size <= textpack_bound(size));
    assert_int_equal(textpack_unpack(pack, packed, packed_size, back, size),
                     0);
    assert_memory_equal(back, text, size);
    assert_int_equal(back[size], '\0');
    free(back);
    free(packed);
    return packed_size;
}

static void
test_texts_come_back_exactly(void **state)
{
    struct textpack *pack = textpack_create(sample, strlen(sample));
    const char *texts[] = {
        "",
        "{}",
        sample,
        "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"}}",
        "nothing like the sample \xc3\xa9\x01\x7f",
    };
    char big[70000];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        round_trip(pack, texts[i], strlen(texts[i]));
    }
    /* Bytes that are not text (NULs), and a text far over the sample. */
    round_trip(pack, "a\0b\0c", 5);
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = "abcdefghijklmnopqrstuvwxyz{}\":,"[(i * 7 + i / 13) % 32];
    }
    round_trip(pack, big, sizeof big);
    textpack_destroy(pack);
}

/* What the dictionary is for: a text like the sample packs to a fraction,
 * much smaller than the same packing without the sample's help. */
static void
test_texts_like_the_sample_pack_small(void **state)
{
    struct textpack *with = textpack_create(sample, strlen(sample));
    struct textpack *without = textpack_create(" ", 1);
    const char *text =
        "{\"metadata\":{\"name\":\"web-17\",\"namespace\":\"default\"},"
        "\"spec\":{\"nodeName\":\"node-3\",\"restartPolicy\":\"Always\"}}";
    size_t size = strlen(text);

    (void)state;
    size_t packed_with = round_trip(with, text, size);
    size_t packed_without = round_trip(without, text, size);
    assert_true(packed_with * 3 < size);
    assert_true(packed_with * 2 < packed_without);
    textpack_destroy(with);
    textpack_destroy(without);
}

/* Damage is an error, never an overrun: truncated bytes, a wrong size,
 * garbage. */
static void
test_damaged_bytes_do_not_unpack(void **state)
{
    struct textpack *pack = textpack_create(sample, strlen(sample));
    const char *text =
        "{\"metadata\":{\"name\":\"web-17\",\"namespace\":\"default\"}}";
    size_t size = strlen(text);
    char *packed = xmalloc(textpack_bound(size));
    size_t packed_size = textpack_pack(pack, text, size, packed);
    char back[256];

    (void)state;
    for (size_t n = 0; n < packed_size; n++) {
        assert_int_equal(textpack_unpack(pack, packed, n, back, size), -1);
    }
    /* Room for fewer bytes than the text has, or a claim of more. */
    assert_int_equal(
        textpack_unpack(pack, packed, packed_size, back, size - 1), -1);
    assert_int_equal(
        textpack_unpack(pack, packed, packed_size, back, size + 1), -1);
    assert_int_equal(
        textpack_unpack(pack, "not packed at all", 17, back, size), -1);
    free(packed);
    textpack_destroy(pack);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts_come_back_exactly),
        cmocka_unit_test(test_texts_like_the_sample_pack_small),
        cmocka_unit_test(test_damaged_bytes_do_not_unpack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
