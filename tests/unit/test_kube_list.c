/* Unit tests for src/kube/list: streaming decoding of list responses. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kube/list.h"
#include "openvswitch/json.h"
#include "json/access.h"

struct seen {
    int n;
    char names[8][32];
    int stop_after;
};

static int
record(struct json *item, void *seen_)
{
    struct seen *seen = seen_;
    const char *name = "";

    json_member_string(json_member(item, "metadata"), "name", "", &name, NULL);
    if (seen->n < 8) {
        strncpy(seen->names[seen->n], name ? name : "", 31);
    }
    seen->n++;
    json_destroy(item);
    return seen->stop_after && seen->n >= seen->stop_after ? 7 : 0;
}

static const char list[] =
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":"
    "{\"resourceVersion\":\"42\",\"continue\":\"\"},\"items\":["
    "{\"metadata\":{\"name\":\"a\",\"annotations\":{\"items\":\"[{\"}},"
    "\"spec\":{\"x\":[1,{\"y\":\"}]\\\"\"}]}},"
    "{\"metadata\":{\"name\":\"b\"},\"items\":[{\"metadata\":{}}]}\n]}\n";

/* Decodes 'text' fed in pieces of 'step' bytes. */
static int
decode(const char *text, size_t step, struct seen *seen, char *rv,
       struct kovn_error *err)
{
    struct kube_list_decoder d;
    size_t len = strlen(text);
    int error = 0;

    kube_list_decoder_init(&d, record, seen);
    for (size_t i = 0; i < len && !error; i += step) {
        error = kube_list_decoder_feed(&d, text + i,
                                       i + step > len ? len - i : step, err);
    }
    if (!error) {
        const struct json *metadata;
        const char *v = NULL;

        error = kube_list_decoder_finish(&d, &metadata, err);
        if (!error) {
            json_member_string(metadata, "resourceVersion", "", &v, NULL);
            strcpy(rv, v ? v : "");
        }
    }
    kube_list_decoder_destroy(&d);
    return error;
}

static void
test_items_arrive_one_by_one_whatever_the_chunking(void **state)
{
    (void)state;
    for (size_t step = 1; step <= sizeof list; step++) {
        struct seen seen = {0};
        struct kovn_error err = {0};
        char rv[16] = "";

        assert_int_equal(decode(list, step, &seen, rv, &err), 0);
        assert_int_equal(seen.n, 2);
        /* Keys named "items" inside an item and brackets in strings are
         * the item's own business. */
        assert_string_equal(seen.names[0], "a");
        assert_string_equal(seen.names[1], "b");
        assert_string_equal(rv, "42");
    }
}

static void
test_empty_and_null_item_lists_decode(void **state)
{
    struct seen seen = {0};
    struct kovn_error err = {0};
    char rv[16] = "";

    (void)state;
    assert_int_equal(
        decode("{\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[]}", 3,
               &seen, rv, &err),
        0);
    assert_int_equal(seen.n, 0);
    assert_string_equal(rv, "7");
    assert_int_equal(
        decode("{\"items\":null,\"metadata\":{}}", 5, &seen, rv, &err), 0);
    assert_int_equal(seen.n, 0);
}

static void
test_malformed_lists_are_errors_naming_the_problem(void **state)
{
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"[{\"items\":[]}]", "must be a JSON object"},
        {"{\"items\":[1]}", "item 0 is not an object"},
        {"{\"items\":[{\"a\":}]}", "list item 0"},
        {"{\"items\":[{\"a\":1]]}", "unbalanced"},
        {"{\"items\":[{\"a\":1}]", "ended early"},
        {"{\"items\":[]} x", "after the end"},
        {"{\"items\":[{\"a\":\"x}]}", "ended early"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seen seen = {0};
        struct kovn_error err = {0};
        char rv[16];

        if (decode(cases[i].text, 4, &seen, rv, &err) != -EPROTO) {
            fail_msg("%s: not -EPROTO", cases[i].text);
        }
        if (!strstr(err.msg, cases[i].msg)) {
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].text, err.msg,
                     cases[i].msg);
        }
    }
}

static void
test_too_deep_nesting_is_refused(void **state)
{
    char text[2 * KUBE_LIST_DEPTH_MAX + 64];
    struct seen seen = {0};
    struct kovn_error err = {0};
    char rv[16];
    size_t n = 0;

    (void)state;
    n += sprintf(text, "{\"items\":[{\"a\":");
    for (int i = 0; i < KUBE_LIST_DEPTH_MAX; i++) {
        text[n++] = '[';
    }
    text[n] = '\0';
    assert_int_equal(decode(text, 64, &seen, rv, &err), -EPROTO);
    assert_non_null(strstr(err.msg, "deeper"));
}

static void
test_item_callback_can_stop_decoding(void **state)
{
    struct seen seen = {.stop_after = 1};
    struct kovn_error err = {0};
    char rv[16];

    (void)state;
    assert_int_equal(decode(list, 1000, &seen, rv, &err), 7);
    assert_int_equal(seen.n, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_arrive_one_by_one_whatever_the_chunking),
        cmocka_unit_test(test_empty_and_null_item_lists_decode),
        cmocka_unit_test(test_malformed_lists_are_errors_naming_the_problem),
        cmocka_unit_test(test_too_deep_nesting_is_refused),
        cmocka_unit_test(test_item_callback_can_stop_decoding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
