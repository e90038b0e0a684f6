/* Unit tests for the pure parts of kubectl-kovn (src/cli): kubectl's AGE
 * formatting, RFC 3339 parsing, and table layout.  Kept beside the CLI's
 * integration test, which covers everything that talks to a cluster. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/age.h"
#include "cli/table.h"

static void
assert_age(long long seconds, const char *want)
{
    char buf[CLI_AGE_LEN];

    cli_age_format(seconds, buf);
    assert_string_equal(buf, want);
}

/* The cases of apimachinery's duration.HumanDuration tests. */
static void
test_cli_age_formats_like_kubectl(void **state)
{
    (void)state;
    assert_age(-1, "<unknown>");
    assert_age(0, "0s");
    assert_age(5, "5s");
    assert_age(119, "119s");
    assert_age(120, "2m");
    assert_age(190, "3m10s");
    assert_age(9 * 60 + 59, "9m59s");
    assert_age(10 * 60 + 30, "10m");
    assert_age(179 * 60, "179m");
    assert_age(3 * 3600, "3h");
    assert_age(3 * 3600 + 61, "3h1m");
    assert_age(8 * 3600 + 59 * 60, "8h");
    assert_age(47 * 3600, "47h");
    assert_age(48 * 3600, "2d");
    assert_age(4 * 86400 + 5 * 3600, "4d5h");
    assert_age(8 * 86400, "8d");
    assert_age(729LL * 86400, "729d");
    assert_age(730LL * 86400, "2y");
    assert_age(731LL * 86400, "2y1d");
    assert_age(8LL * 365 * 86400, "8y");
}

static void
test_cli_age_parses_rfc3339(void **state)
{
    time_t t = 0;

    (void)state;
    assert_true(cli_age_parse("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(cli_age_parse("2024-02-29T12:34:56Z", &t));
    assert_int_equal(t, 1709210096);
    assert_true(cli_age_parse("2024-02-29T12:34:56.123456Z", &t));
    assert_int_equal(t, 1709210096);
    assert_true(cli_age_parse("2024-02-29T14:34:56+02:00", &t));
    assert_int_equal(t, 1709210096);
    assert_false(cli_age_parse("", &t));
    assert_false(cli_age_parse("2024-02-29 12:34:56Z", &t));
    assert_false(cli_age_parse("2024-02-29T12:34:56", &t));
    assert_false(cli_age_parse("2024-13-01T00:00:00Z", &t));
    assert_false(cli_age_parse("2024-02-29T12:34:56Zjunk", &t));
    assert_int_equal(cli_age_seconds("2024-02-29T12:34:56Z", 1709210096 + 90),
                     90);
    /* A creation time slightly ahead of this clock is "just created". */
    assert_int_equal(cli_age_seconds("2024-02-29T12:34:56Z", 1709210090), 0);
    assert_int_equal(cli_age_seconds("", 1709210090), -1);
    assert_int_equal(cli_age_seconds(NULL, 1709210090), -1);
}

static void
test_cli_table_pads_columns_but_not_the_last(void **state)
{
    static const char *const headers[] = {"A", "LONGER", "LAST", NULL};
    const char *row1[] = {"xxxx", "y", "z"};
    const char *row2[] = {NULL, "yy", "long last cell"};
    struct cli_table table;
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);

    (void)state;
    cli_table_init(&table, headers);
    cli_table_add_row(&table, row1);
    cli_table_add_row(&table, row2);
    assert_int_equal(cli_table_n_rows(&table), 2);
    cli_table_print(&table, stream);
    fclose(stream);
    assert_string_equal(text, "A      LONGER   LAST\n"
                              "xxxx   y        z\n"
                              "       yy       long last cell\n");
    free(text);
    cli_table_destroy(&table);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_age_formats_like_kubectl),
        cmocka_unit_test(test_cli_age_parses_rfc3339),
        cmocka_unit_test(test_cli_table_pads_columns_but_not_the_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
