/* Unit tests for src/kube/selector. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kube/selector.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "smap.h"
#include "util.h"

static struct kube_selector
sel(const char *text)
{
    struct kovn_error err = {0};
    struct kube_selector s;

    if (kube_selector_parse(text, &s, &err)) {
        fail_msg("\"%s\" rejected: %s", text, err.msg);
    }
    return s;
}

/* Parses 'in', checks that it formats as 'expected' and that the formatted
 * string parses back to an equal selector. */
static void
assert_format(const char *in, const char *expected)
{
    struct kube_selector s = sel(in), again;
    char *out = kube_selector_format(&s);

    if (strcmp(out, expected)) {
        fail_msg("\"%s\" formats as \"%s\", expected \"%s\"", in, out,
                 expected);
    }
    again = sel(out);
    assert_true(kube_selector_equals(&s, &again));
    free(out);
    kube_selector_destroy(&again);
    kube_selector_destroy(&s);
}

static void
assert_rejected(const char *in, const char *message)
{
    struct kovn_error err = {0};
    struct kube_selector s;

    assert_int_equal(kube_selector_parse(in, &s, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, message);
    }
    assert_true(kube_selector_is_nothing(&s));
    kube_selector_destroy(&s);
}

/* Whether 'selector' matches the labels "k=v;k2=v2". */
static bool
matches(const char *selector, const char *labels)
{
    struct kube_selector s = sel(selector);
    char *copy = xstrdup(labels), *save = NULL;
    struct smap map = SMAP_INITIALIZER(&map);
    bool result;

    for (char *kv = strtok_r(copy, ";", &save); kv;
         kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');

        assert_non_null(eq);
        *eq = '\0';
        smap_add(&map, kv, eq + 1);
    }
    result = kube_selector_matches(&s, &map);
    smap_destroy(&map);
    free(copy);
    kube_selector_destroy(&s);
    return result;
}

static struct json *
json(const char *text)
{
    struct json *j = json_from_string(text);

    if (j->type == JSON_STRING) {
        fail_msg("bad test JSON %s: %s", text, json_string(j));
    }
    return j;
}

/* Converts JSON 'text' and returns the selector's canonical string. */
static char *
json_format(const char *text)
{
    struct kovn_error err = {0};
    struct json *j = json(text);
    struct kube_selector s;
    char *out;

    if (kube_selector_from_json(j, &s, &err)) {
        fail_msg("%s rejected: %s", text, err.msg);
    }
    out = kube_selector_format(&s);
    kube_selector_destroy(&s);
    json_destroy(j);
    return out;
}

static void
assert_json_rejected(const char *text, const char *message)
{
    struct kovn_error err = {0};
    struct json *j = json(text);
    struct kube_selector s;

    assert_int_equal(kube_selector_from_json(j, &s, &err), -EINVAL);
    if (!strstr(err.msg, message)) {
        fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.msg, message);
    }
    assert_true(kube_selector_is_nothing(&s));
    kube_selector_destroy(&s);
    json_destroy(j);
}

static void
test_selector_parses_every_operator(void **state)
{
    struct kube_selector s = sel("app=web,tier!=db,env in (prod, staging),"
                                 "!legacy,release,version > 3,a==b,"
                                 "b notin (x),c<10");

    (void)state;
    assert_int_equal(s.n_reqs, 9);
    assert_string_equal(s.reqs[0].key, "a");
    assert_int_equal(s.reqs[0].op, KUBE_SELECTOR_DOUBLE_EQUALS);
    assert_int_equal(s.reqs[3].op, KUBE_SELECTOR_LT);
    assert_true(s.reqs[3].number == 10);
    assert_string_equal(s.reqs[4].key, "env");
    assert_int_equal(s.reqs[4].op, KUBE_SELECTOR_IN);
    assert_int_equal(s.reqs[4].n_values, 2);
    assert_string_equal(s.reqs[4].values[1], "staging");
    assert_int_equal(s.reqs[5].op, KUBE_SELECTOR_DOES_NOT_EXIST);
    assert_int_equal(s.reqs[6].op, KUBE_SELECTOR_EXISTS);
    assert_int_equal(s.reqs[6].n_values, 0);
    kube_selector_destroy(&s);
    assert_format("app=web,tier!=db,env in (prod, staging),!legacy,release,"
                  "version > 3,a==b,b notin (x),c<10",
                  "a==b,app=web,b notin (x),c<10,env in (prod,staging),"
                  "!legacy,release,tier!=db,version>3");
}

static void
test_selector_format_sorts_by_key_then_operator(void **state)
{
    (void)state;
    assert_format("b,a in (2,1),!a,a=1,a", "a,!a,a=1,a in (1,2),b");
    assert_format("x!=2,x!=1", "x!=1,x!=2");
    assert_format("example.com/b=1,a=2", "a=2,example.com/b=1");
    /* "in" and "notin" are keywords only where an operator goes. */
    assert_format("notin,in in (in,notin),x=in",
                  "in in (in,notin),notin,x=in");
}

static void
test_selector_sorts_and_deduplicates_values(void **state)
{
    struct kube_selector s = sel("env in (b, a, b,a)");

    (void)state;
    assert_int_equal(s.n_reqs, 1);
    assert_int_equal(s.reqs[0].n_values, 2);
    assert_string_equal(s.reqs[0].values[0], "a");
    assert_string_equal(s.reqs[0].values[1], "b");
    kube_selector_destroy(&s);
    assert_format("env notin (z,y,x,y)", "env notin (x,y,z)");
}

static void
test_selector_empty_text_matches_everything(void **state)
{
    struct kube_selector s = sel(" \t\r\n ");
    char *out = kube_selector_format(&s);

    (void)state;
    assert_true(kube_selector_is_everything(&s));
    assert_false(kube_selector_is_nothing(&s));
    assert_true(kube_selector_matches(&s, NULL));
    assert_string_equal(out, "");
    free(out);
    kube_selector_destroy(&s);
    assert_format("", "");
    assert_true(matches("", "any=thing"));
}

static void
test_selector_allows_whitespace_around_tokens(void **state)
{
    (void)state;
    assert_format(" app = web ,\t! legacy ,env notin ( a , b ) , v > 3 ",
                  "app=web,env notin (a,b),!legacy,v>3");
    assert_format("a in(b),c!=d,e==f", "a in (b),c!=d,e==f");
}

static void
test_selector_empty_values_follow_kubernetes(void **state)
{
    (void)state;
    /* labels.Parse reads a missing value as "" and "()" as (""). */
    assert_format("a=", "a=");
    assert_format("a!=,b", "a!=,b");
    assert_format("a in ()", "a in ()");
    assert_format("a in (,)", "a in ()");
    assert_format("a in (b,)", "a in (,b)");
    assert_format("a in (,b,,c)", "a in (,b,c)");
    assert_true(matches("a=", "a="));
    assert_false(matches("a=", ""));
    assert_true(matches("a in ()", "a="));
    assert_false(matches("a in ()", "a=x"));
}

static void
test_selector_rejects_empty_requirement(void **state)
{
    struct kovn_error err = {0};
    struct kube_selector s;

    (void)state;
    assert_int_equal(kube_selector_parse("app=web,", &s, &err), -EINVAL);
    assert_string_equal(
        err.msg, "selector \"app=web,\": empty requirement after \",\"");
    kube_selector_destroy(&s);
    assert_rejected(",a", "empty requirement before \",\" at column 1");
    assert_rejected("a,,b", "empty requirement after \",\" at column 2");
    assert_rejected("a, ,b", "empty requirement after \",\" at column 2");
    assert_rejected("a,=b", "found \"=\" at column 3, expected a label key");
}

static void
test_selector_rejects_empty_key(void **state)
{
    (void)state;
    assert_rejected("=web",
                    "found \"=\" at column 1, expected a label key or \"!\"");
    assert_rejected("!", "found end of selector, expected a label key after "
                         "\"!\"");
    assert_rejected("a,! ,b", "found \",\" at column 5, expected a label key");
    assert_rejected("(a)", "found \"(\" at column 1");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"\", "
                         "\"operator\": \"Exists\"}]}",
                         "matchExpressions[0]: key \"\": is empty");
}

static void
test_selector_rejects_invalid_key(void **state)
{
    char name[65], prefix[256], *key;

    (void)state;
    assert_rejected("Example.com/app", "key \"Example.com/app\": prefix must "
                                       "be lowercase");
    assert_rejected("a/b/c", "key \"a/b/c\": has more than one \"/\"");
    assert_rejected("/a", "prefix before \"/\" is empty");
    assert_rejected("a/", "name part after \"/\" is empty");
    assert_rejected("a..b/c", "prefix is not a DNS subdomain");
    assert_rejected("-a.b/c", "prefix is not a DNS subdomain");
    assert_rejected("a_b.com/c", "prefix contains \"_\"");
    assert_rejected("-app=x", "key \"-app\": must start and end with a letter "
                              "or digit");
    assert_rejected("x/app.", "key \"x/app.\": name part must start and end");
    assert_rejected("a*b", "key \"a*b\": contains \"*\"; only letters");

    memset(name, 'n', 64);
    name[64] = '\0';
    assert_rejected(name, "is 64 characters, the limit is 63");
    name[63] = '\0';
    assert_format(name, name);

    memset(prefix, 'p', 254);
    prefix[254] = '\0';
    key = xasprintf("%s/x", prefix);
    assert_rejected(key, "prefix is 254 characters, the limit is 253");
    free(key);
    prefix[253] = '\0';
    key = xasprintf("%s/%s", prefix, name);
    assert_format(key, key);
    free(key);
    assert_format("k8s.io/My_Name-1.x", "k8s.io/My_Name-1.x");
}

static void
test_selector_rejects_invalid_value(void **state)
{
    char *text;

    (void)state;
    assert_rejected("a=-b", "value \"-b\": must start and end with a letter "
                            "or digit");
    assert_rejected("a=b*", "value \"b*\": contains \"*\"");
    assert_rejected("a in (ok, b@d)", "value \"b@d\": contains \"@\"");
    assert_rejected("a notin (x.)", "value \"x.\": must start and end");
    text = xasprintf("a=%064d", 0);
    assert_rejected(text, "is 64 characters, the limit is 63");
    free(text);
    text = xasprintf("a=%063d", 0);
    assert_format(text, text);
    free(text);
}

static void
test_selector_rejects_missing_or_unknown_operator(void **state)
{
    (void)state;
    assert_rejected("a b", "found \"b\" at column 3 after key \"a\", expected "
                           "an operator (=, ==, !=, in, notin, >, <)");
    assert_rejected("version gt 3", "found \"gt\" at column 9: write \">\" "
                                    "instead");
    assert_rejected("version lt 3", "write \"<\" instead");
    assert_rejected("a IN (b)", "found \"IN\" at column 3 after key \"a\"");
    assert_rejected("a (b)", "found \"(\" at column 3 after key \"a\"");
    assert_rejected("a=b c", "found \"c\" at column 5, expected \",\" or end "
                             "of selector");
    assert_rejected("a=b=c", "found \"=\" at column 4, expected \",\"");
    assert_rejected("a=(b)", "found \"(\" at column 3, expected a value after "
                             "\"=\"");
}

static void
test_selector_rejects_malformed_value_list(void **state)
{
    (void)state;
    assert_rejected("a in b", "found \"b\" at column 6, expected \"(\" after "
                              "\"in\"");
    assert_rejected("a notin", "found end of selector, expected \"(\" after "
                               "\"notin\"");
    assert_rejected("a in (b", "missing \")\" for the \"(\" at column 6");
    assert_rejected("a in (b,", "missing \")\"");
    assert_rejected("a in (b c)", "found \"c\" at column 9, expected a value, "
                                  "\",\" or \")\"");
    assert_rejected("a in (b))", "found \")\" at column 9, expected \",\"");
    assert_rejected("a in (=)", "found \"=\" at column 7, expected a value");
    assert_rejected("a in ((b))", "found \"(\" at column 7");
}

static void
test_selector_gt_lt_take_one_non_negative_integer(void **state)
{
    struct kube_selector s;

    (void)state;
    assert_rejected("a>", "\">\" needs a non-negative integer, found \"\"");
    assert_rejected("a>b", "\">\" needs a non-negative integer, found \"b\"");
    assert_rejected("a<-1", "\"<\" needs a non-negative integer, found "
                            "\"-1\"");
    assert_rejected("a>+1", "needs a non-negative integer");
    assert_rejected("a>(1)", "found \"(\" at column 3, expected a value after "
                             "\">\"");
    assert_rejected("a>1 2", "found \"2\" at column 5, expected \",\"");
    assert_rejected("a>9223372036854775808",
                    "value \"9223372036854775808\" of \">\" is larger than "
                    "9223372036854775807");
    assert_rejected("a>99999999999999999999999", "is larger than");
    s = sel("a>9223372036854775807,b<007");
    assert_true(s.reqs[0].number == 9223372036854775807LL);
    assert_true(s.reqs[1].number == 7);
    kube_selector_destroy(&s);
    assert_format("b < 007", "b<007");
}

static void
test_selector_bang_key_takes_no_value(void **state)
{
    (void)state;
    assert_rejected("!a=b", "found \"=\" at column 3 after \"!a\", expected "
                            "\",\" or end of selector (\"!key\" takes no "
                            "operator or value)");
    assert_rejected("!a in (b)", "after \"!a\"");
    assert_rejected("!!a", "found \"!\" at column 2, expected a label key "
                           "after \"!\"");
    assert_rejected("!=a", "found \"!=\" at column 1");
    assert_format("! a", "!a");
}

static void
test_selector_enforces_limits(void **state)
{
    char *text = xmalloc(KUBE_SELECTOR_MAX_TEXT + 2);
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct kube_selector s;

    (void)state;
    /* The text limit counts whitespace too; exactly at it is fine. */
    memset(text, ' ', KUBE_SELECTOR_MAX_TEXT);
    text[0] = 'a';
    text[KUBE_SELECTOR_MAX_TEXT] = '\0';
    s = sel(text);
    assert_int_equal(s.n_reqs, 1);
    kube_selector_destroy(&s);
    text[KUBE_SELECTOR_MAX_TEXT] = ' ';
    text[KUBE_SELECTOR_MAX_TEXT + 1] = '\0';
    assert_rejected(text, "longer than the limit of 65536 bytes");
    free(text);

    for (int i = 0; i < KUBE_SELECTOR_MAX_REQUIREMENTS; i++) {
        ds_put_format(&ds, "%sk%d", i ? "," : "", i);
    }
    s = sel(ds_cstr(&ds));
    assert_int_equal(s.n_reqs, KUBE_SELECTOR_MAX_REQUIREMENTS);
    kube_selector_destroy(&s);
    ds_put_cstr(&ds, ",k256=x");
    assert_rejected(ds_cstr(&ds), "more than 256 requirements (at \"k256\" "
                                  "at column");

    ds_clear(&ds);
    ds_put_cstr(&ds, "k in (");
    for (int i = 0; i < KUBE_SELECTOR_MAX_VALUES; i++) {
        ds_put_format(&ds, "%s%d", i ? "," : "", i);
    }
    ds_put_char(&ds, ')');
    s = sel(ds_cstr(&ds));
    assert_int_equal(s.reqs[0].n_values, KUBE_SELECTOR_MAX_VALUES);
    kube_selector_destroy(&s);
    ds_truncate(&ds, ds.length - 1);
    ds_put_cstr(&ds, ",256)");
    assert_rejected(ds_cstr(&ds), "more than 256 values for key \"k\"");
    ds_destroy(&ds);
}

static void
test_selector_errors_escape_and_truncate_hostile_text(void **state)
{
    struct kovn_error err = {0};
    struct kube_selector s;
    char text[400];

    (void)state;
    assert_rejected("a\x01=b", "key \"a\\x01\": contains byte 0x01");
    assert_rejected("a=\"x\"", "value \"\\\"x\\\"\": contains byte 0x22");

    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    text[300] = '*';
    assert_int_equal(kube_selector_parse(text, &s, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "xxx...\": key \"xxx"));
    assert_true(strlen(err.msg) < sizeof err.msg);
    for (const char *p = err.msg; *p; p++) {
        assert_true(*p >= 0x20 && *p < 0x7f);
    }
    kube_selector_destroy(&s);
}

static void
test_selector_parse_failure_matches_nothing(void **state)
{
    struct smap labels = SMAP_INITIALIZER(&labels);
    struct kube_selector s;
    char *out;

    (void)state;
    /* A half-parsed selector is freed, not kept: no leak, no widening. */
    assert_int_equal(kube_selector_parse("a=b,c in (d,e),f in (g", &s, NULL),
                     -EINVAL);
    assert_true(kube_selector_is_nothing(&s));
    assert_false(kube_selector_is_everything(&s));
    assert_int_equal(s.n_reqs, 0);
    smap_add(&labels, "a", "b");
    assert_false(kube_selector_matches(&s, &labels));
    out = kube_selector_format(&s);
    assert_string_equal(out, "<nothing>");
    assert_rejected(out, "found \"<\" at column 1");
    free(out);
    kube_selector_destroy(&s);
    smap_destroy(&labels);
}

static void
test_selector_matches_equality_and_sets(void **state)
{
    (void)state;
    assert_true(matches("app=web", "app=web;x=y"));
    assert_true(matches("app==web", "app=web"));
    assert_false(matches("app=web", "app=db"));
    assert_false(matches("app=web", "x=web"));
    assert_true(matches("env in (prod,staging)", "env=staging"));
    assert_false(matches("env in (prod,staging)", "env=dev"));
    assert_false(matches("env in (prod,staging)", ""));
    assert_true(matches("app=web,env in (prod)", "app=web;env=prod"));
    assert_false(matches("app=web,env in (prod)", "app=web;env=dev"));
}

static void
test_selector_not_equals_and_not_in_match_absent_key(void **state)
{
    (void)state;
    assert_true(matches("tier!=db", ""));
    assert_true(matches("tier!=db", "tier=web"));
    assert_false(matches("tier!=db", "tier=db"));
    assert_true(matches("env notin (prod,dev)", "app=x"));
    assert_true(matches("env notin (prod,dev)", "env=qa"));
    assert_false(matches("env notin (prod,dev)", "env=dev"));
}

static void
test_selector_exists_and_does_not_exist(void **state)
{
    (void)state;
    assert_true(matches("release", "release="));
    assert_false(matches("release", "app=x"));
    assert_true(matches("!legacy", "app=x"));
    assert_false(matches("!legacy", "legacy="));
    assert_false(matches("a,!a", "a=1"));
    assert_false(matches("a,!a", ""));
}

static void
test_selector_gt_lt_need_integer_label(void **state)
{
    (void)state;
    assert_true(matches("v>3", "v=4"));
    assert_false(matches("v>3", "v=3"));
    assert_false(matches("v>3", ""));
    assert_false(matches("v>3", "v=abc"));
    assert_false(matches("v>3", "v=4.5"));
    assert_false(matches("v>3", "v= 4"));
    /* Label values parse as strconv.ParseInt does: sign, leading zeros. */
    assert_true(matches("v>3", "v=+5"));
    assert_true(matches("v>3", "v=007"));
    assert_true(matches("v<3", "v=-5"));
    assert_false(matches("v<3", "v=-"));
    assert_true(matches("v<1", "v=-9223372036854775808"));
    assert_false(matches("v<1", "v=-9223372036854775809"));
    assert_false(matches("v>1", "v=9223372036854775808"));
    assert_true(matches("v>9223372036854775806", "v=9223372036854775807"));
}

static void
test_selector_from_json_converts_labels_and_expressions(void **state)
{
    char *out = json_format(
        "{\"matchLabels\": {\"app\": \"web\", \"k8s.io/x\": \"\"},"
        " \"matchExpressions\": ["
        "  {\"key\": \"env\", \"operator\": \"In\","
        "   \"values\": [\"prod\", \"dev\", \"prod\"]},"
        "  {\"key\": \"legacy\", \"operator\": \"DoesNotExist\"},"
        "  {\"key\": \"tier\", \"operator\": \"NotIn\", \"values\": [\"db\"]},"
        "  {\"key\": \"release\", \"operator\": \"Exists\", \"values\": []},"
        "  {\"key\": \"x\", \"operator\": \"Exists\", \"values\": null}],"
        " \"unknownField\": 1}");
    struct kube_selector s;

    (void)state;
    assert_string_equal(out, "app=web,env in (dev,prod),k8s.io/x=,!legacy,"
                             "release,tier notin (db),x");
    s = sel(out);
    assert_int_equal(s.n_reqs, 7);
    free(out);
    kube_selector_destroy(&s);
}

static void
test_selector_from_json_null_matches_nothing(void **state)
{
    struct json *null = json_null_create();
    struct kube_selector s;

    (void)state;
    assert_int_equal(kube_selector_from_json(null, &s, NULL), 0);
    assert_true(kube_selector_is_nothing(&s));
    assert_false(kube_selector_matches(&s, NULL));
    kube_selector_destroy(&s);
    /* An absent field (a nil *LabelSelector in Go) too. */
    assert_int_equal(kube_selector_from_json(NULL, &s, NULL), 0);
    assert_true(kube_selector_is_nothing(&s));
    kube_selector_destroy(&s);
    json_destroy(null);
}

static void
test_selector_from_json_empty_matches_everything(void **state)
{
    const char *everything[] = {
        "{}",
        "{\"matchLabels\": {}, \"matchExpressions\": []}",
        "{\"matchLabels\": null, \"matchExpressions\": null}",
    };
    struct kube_selector s, nothing;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(everything); i++) {
        struct json *j = json(everything[i]);

        assert_int_equal(kube_selector_from_json(j, &s, NULL), 0);
        assert_true(kube_selector_is_everything(&s));
        assert_true(kube_selector_matches(&s, NULL));
        kube_selector_destroy(&s);
        json_destroy(j);
    }
    kube_selector_init(&s);
    kube_selector_init_nothing(&nothing);
    assert_false(kube_selector_equals(&s, &nothing));
}

static void
test_selector_from_json_rejects_wrong_types(void **state)
{
    struct json *string = json_string_create("app=web");
    struct kovn_error err = {0};
    struct kube_selector s;

    (void)state;
    assert_int_equal(kube_selector_from_json(string, &s, &err), -EINVAL);
    assert_string_equal(err.msg, "label selector: expected an object or "
                                 "null, got string");
    kube_selector_destroy(&s);
    json_destroy(string);
    assert_json_rejected("[]", "label selector: expected an object or null, "
                               "got array");
    assert_json_rejected("{\"matchLabels\": [\"a\"]}",
                         "matchLabels: expected an object, got array");
    assert_json_rejected("{\"matchLabels\": {\"b\": \"ok\", \"a\": 1}}",
                         "matchLabels[\"a\"]: expected a string, got "
                         "number");
    assert_json_rejected("{\"matchLabels\": {\"a\": null}}",
                         "matchLabels[\"a\"]: expected a string, got null");
    assert_json_rejected("{\"matchExpressions\": {}}",
                         "matchExpressions: expected an array, got object");
    assert_json_rejected("{\"matchExpressions\": [1]}",
                         "matchExpressions[0]: expected an object, got "
                         "number");
    assert_json_rejected("{\"matchExpressions\": [{\"operator\": "
                         "\"Exists\"}]}",
                         "matchExpressions[0].key: expected a string, got "
                         "nothing (missing)");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\"}]}",
                         "matchExpressions[0].operator: expected a string");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"In\", \"values\": \"b\"}]}",
                         "matchExpressions[0].values: expected an array, "
                         "got string");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"In\", \"values\": [\"b\", true]}]}",
                         "matchExpressions[0].values[1]: expected a string, "
                         "got true");
}

static void
test_selector_from_json_rejects_bad_operator_and_values(void **state)
{
    struct kovn_error err = {0};
    struct json *j = json("{\"matchExpressions\": ["
                          "{\"key\": \"a\", \"operator\": \"Exists\"},"
                          "{\"key\": \"b\", \"operator\": \"Foo\"}]}");
    struct kube_selector s;

    (void)state;
    assert_int_equal(kube_selector_from_json(j, &s, &err), -EINVAL);
    assert_string_equal(err.msg, "matchExpressions[1].operator: \"Foo\" is "
                                 "not In, NotIn, Exists or DoesNotExist");
    kube_selector_destroy(&s);
    json_destroy(j);
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"in\", \"values\": [\"b\"]}]}",
                         "\"in\" is not In, NotIn");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"In\", \"values\": []}]}",
                         "matchExpressions[0].values: must not be empty for "
                         "operator In");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"NotIn\"}]}",
                         "must not be empty for operator NotIn");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"Exists\", \"values\": [\"b\"]}]}",
                         "matchExpressions[0].values: must be empty for "
                         "operator Exists, got 1 values");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"Bad/x\", "
                         "\"operator\": \"Exists\"}]}",
                         "matchExpressions[0]: key \"Bad/x\": prefix must be "
                         "lowercase");
    assert_json_rejected("{\"matchExpressions\": [{\"key\": \"a\", "
                         "\"operator\": \"In\", \"values\": [\"ok\", "
                         "\"-x\"]}]}",
                         "matchExpressions[0].values[1]: value \"-x\": must "
                         "start and end");
    assert_json_rejected("{\"matchLabels\": {\"a b\": \"c\"}}",
                         "matchLabels: key \"a b\": contains \" \"");
    assert_json_rejected("{\"matchLabels\": {\"a\": \"c d\"}}",
                         "matchLabels[\"a\"]: value \"c d\": contains");
}

static void
test_selector_from_json_enforces_limits(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    char *out;

    (void)state;
    ds_put_cstr(&ds, "{\"matchLabels\": {");
    for (int i = 0; i < KUBE_SELECTOR_MAX_REQUIREMENTS; i++) {
        ds_put_format(&ds, "%s\"k%d\": \"v\"", i ? "," : "", i);
    }
    ds_put_cstr(&ds, "}}");
    out = json_format(ds_cstr(&ds));
    free(out);
    ds_truncate(&ds, ds.length - 2);
    ds_put_cstr(&ds, "}, \"matchExpressions\": [{\"key\": \"x\", "
                     "\"operator\": \"Exists\"}]}");
    assert_json_rejected(ds_cstr(&ds), "label selector has 257 requirements "
                                       "(matchLabels and matchExpressions), "
                                       "the limit is 256");

    ds_clear(&ds);
    ds_put_cstr(&ds, "{\"matchExpressions\": [{\"key\": \"k\", "
                     "\"operator\": \"In\", \"values\": [\"v\"");
    for (int i = 1; i < KUBE_SELECTOR_MAX_VALUES + 1; i++) {
        ds_put_format(&ds, ",\"v%d\"", i);
    }
    ds_put_cstr(&ds, "]}]}");
    assert_json_rejected(ds_cstr(&ds), "matchExpressions[0].values: 257 "
                                       "values, the limit is 256");
    ds_destroy(&ds);
}

static void
test_selector_equals_compares_canonical_forms(void **state)
{
    struct kube_selector a = sel("b = 1, a in (y,x,y)");
    struct kube_selector b = sel("a in (x,y),b=1");
    struct kube_selector c = sel("a in (x),b=1");
    struct kube_selector d = sel("a in (x,y),b==1");

    (void)state;
    assert_true(kube_selector_equals(&a, &b));
    assert_false(kube_selector_equals(&a, &c));
    /* "==" means "=", but is kept apart as Kubernetes' String() does. */
    assert_false(kube_selector_equals(&a, &d));
    kube_selector_destroy(&a);
    kube_selector_destroy(&b);
    kube_selector_destroy(&c);
    kube_selector_destroy(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_parses_every_operator),
        cmocka_unit_test(test_selector_format_sorts_by_key_then_operator),
        cmocka_unit_test(test_selector_sorts_and_deduplicates_values),
        cmocka_unit_test(test_selector_empty_text_matches_everything),
        cmocka_unit_test(test_selector_allows_whitespace_around_tokens),
        cmocka_unit_test(test_selector_empty_values_follow_kubernetes),
        cmocka_unit_test(test_selector_rejects_empty_requirement),
        cmocka_unit_test(test_selector_rejects_empty_key),
        cmocka_unit_test(test_selector_rejects_invalid_key),
        cmocka_unit_test(test_selector_rejects_invalid_value),
        cmocka_unit_test(test_selector_rejects_missing_or_unknown_operator),
        cmocka_unit_test(test_selector_rejects_malformed_value_list),
        cmocka_unit_test(test_selector_gt_lt_take_one_non_negative_integer),
        cmocka_unit_test(test_selector_bang_key_takes_no_value),
        cmocka_unit_test(test_selector_enforces_limits),
        cmocka_unit_test(
            test_selector_errors_escape_and_truncate_hostile_text),
        cmocka_unit_test(test_selector_parse_failure_matches_nothing),
        cmocka_unit_test(test_selector_matches_equality_and_sets),
        cmocka_unit_test(test_selector_not_equals_and_not_in_match_absent_key),
        cmocka_unit_test(test_selector_exists_and_does_not_exist),
        cmocka_unit_test(test_selector_gt_lt_need_integer_label),
        cmocka_unit_test(
            test_selector_from_json_converts_labels_and_expressions),
        cmocka_unit_test(test_selector_from_json_null_matches_nothing),
        cmocka_unit_test(test_selector_from_json_empty_matches_everything),
        cmocka_unit_test(test_selector_from_json_rejects_wrong_types),
        cmocka_unit_test(
            test_selector_from_json_rejects_bad_operator_and_values),
        cmocka_unit_test(test_selector_from_json_enforces_limits),
        cmocka_unit_test(test_selector_equals_compares_canonical_forms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
