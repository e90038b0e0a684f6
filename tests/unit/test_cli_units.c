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
#include "cli/claims.h"
#include "cli/table.h"
#include "crd/model.h"
#include "openvswitch/dynamic-string.h"
#include "test_json.h"

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

/* Problems cli_claims_check() reports, one "KIND NAME: PROBLEM" line each. */
static void
collect(const char *kind, const char *name, char *problem, void *ds)
{
    ds_put_format(ds, "%s %s: %s\n", kind, name, problem);
    free(problem);
}

static struct crd_model *
claims_model(void)
{
    struct crd_model *model = crd_model_create("ovn-cluster", "ovn-default");
    struct json *vpc = j("{'metadata': {'name': 'ovn-cluster'}}");
    struct json *subnet =
        j("{'metadata': {'name': 'ovn-default'}, 'spec': {'vpc': "
          "'ovn-cluster', 'cidrBlock': '10.16.0.0/16', 'gateway': "
          "'10.16.0.1', 'protocol': 'IPv4'}}");

    crd_model_put_vpc(model, vpc);
    crd_model_put_subnet(model, subnet);
    json_destroy(vpc);
    json_destroy(subnet);
    return model;
}

static char *
judge_claims(const struct cli_claims *claims)
{
    struct crd_model *model = claims_model();
    struct ds out = DS_EMPTY_INITIALIZER;

    cli_claims_check(claims, model, collect, &out);
    crd_model_destroy(model);
    return ds_steal_cstr(&out);
}

static void
test_cli_claims_that_hold_are_not_reported(void **state)
{
    struct cli_claims c;
    char *out;

    (void)state;
    cli_claims_init(&c);
    cli_claims_add(&c, true, "web-0.default", "default/web-0", "ovn-default",
                   "10.16.0.5", "00:00:00:aa:00:05");
    /* Its own annotations, agreeing: counted once. */
    cli_claims_add(&c, false, "default/web-0", "default/web-0", "ovn-default",
                   "10.16.0.5", "00:00:00:aa:00:05");
    /* No IP object: restored from the annotations. */
    cli_claims_add(&c, false, "default/web-1", "default/web-1", "ovn-default",
                   "10.16.0.6/16", "00:00:00:aa:00:06");
    out = judge_claims(&c);
    assert_string_equal(out, "");
    free(out);
    cli_claims_destroy(&c);
}

static void
test_cli_claims_report_what_would_move(void **state)
{
    struct cli_claims c;
    char *out;

    (void)state;
    cli_claims_init(&c);
    /* Restored in name order: a-0's IP object wins over z-0's. */
    cli_claims_add(&c, true, "z-0.default", "default/z-0", "ovn-default",
                   "10.16.0.5", "00:00:00:aa:00:01");
    cli_claims_add(&c, true, "a-0.default", "default/a-0", "ovn-default",
                   "10.16.0.5", "00:00:00:aa:00:02");
    cli_claims_add(&c, true, "m-0.default", "default/m-0", "ovn-default",
                   "10.16.0.7", "00:00:00:aa:00:02");
    cli_claims_add(&c, true, "out.default", "default/out", "ovn-default",
                   "10.99.0.1", "");
    cli_claims_add(&c, true, "gw.default", "default/gw", "ovn-default",
                   "10.16.0.1", "");
    cli_claims_add(&c, true, "lost.default", "default/lost", "gone",
                   "10.1.0.1", "");
    cli_claims_add(&c, false, "default/a-0", "default/a-0", "ovn-default",
                   "10.16.0.9", "00:00:00:aa:00:02");
    /* m-0's restore failed whole, so its address is free for b-0. */
    cli_claims_add(&c, false, "default/b-0", "default/b-0", "ovn-default",
                   "10.16.0.7", "00:00:00:aa:00:03");
    /* A pod without an IP object on an address an IP object holds. */
    cli_claims_add(&c, false, "default/c-0", "default/c-0", "ovn-default",
                   "10.16.0.5", "00:00:00:aa:00:04");
    out = judge_claims(&c);
    assert_string_equal(
        out,
        "IP gw.default: cannot be restored: 10.16.0.1 is not an address of "
        "subnet ovn-default (10.16.0.0/16); the pod, still annotated "
        "with it, gets no port until it is re-addressed\n"
        "IP lost.default: cannot be restored: its subnet gone does not "
        "exist; the pod, still annotated with it, gets no port until it is "
        "re-addressed\n"
        "IP m-0.default: MAC 00:00:00:aa:00:02 is also IP a-0.default's: the "
        "pod, still annotated with it, gets no port (event IPConflict) until "
        "one of them is re-addressed\n"
        "IP out.default: cannot be restored: 10.99.0.1 is not an address of "
        "subnet ovn-default (10.16.0.0/16); the pod, still annotated "
        "with it, gets no port until it is re-addressed\n"
        "IP z-0.default: address 10.16.0.5 in ovn-default is also IP "
        "a-0.default's: the pod, still annotated with it, gets no port (event "
        "IPConflict) until one of them is re-addressed\n"
        "Pod default/a-0: annotations say 10.16.0.9 00:00:00:aa:00:02 in "
        "ovn-default, IP object a-0.default says 10.16.0.5 "
        "00:00:00:aa:00:02 in ovn-default: the IP object wins and the "
        "pod's annotations change\n"
        "Pod default/c-0: address 10.16.0.5 in ovn-default is also IP "
        "a-0.default's: the pod, still annotated with it, gets no port (event "
        "IPConflict) until one of them is re-addressed\n");
    free(out);
    cli_claims_destroy(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_age_formats_like_kubectl),
        cmocka_unit_test(test_cli_age_parses_rfc3339),
        cmocka_unit_test(test_cli_table_pads_columns_but_not_the_last),
        cmocka_unit_test(test_cli_claims_that_hold_are_not_reported),
        cmocka_unit_test(test_cli_claims_report_what_would_move),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
