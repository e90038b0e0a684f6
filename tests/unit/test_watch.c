/* Unit tests for src/kube/watch: incremental watch-stream decoding. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kube/watch.h"
#include "openvswitch/json.h"
#include "json/access.h"

struct seen {
    int n;
    enum kube_watch_type types[8];
    char names[8][32];
    int stop_after;
};

static int
record(enum kube_watch_type type, struct json *object, void *seen_)
{
    struct seen *seen = seen_;
    const char *name = "";

    json_member_string(json_member(object, "metadata"), "name", "", &name,
                       NULL);
    if (seen->n < 8) {
        seen->types[seen->n] = type;
        strncpy(seen->names[seen->n], name ? name : "", 31);
    }
    seen->n++;
    json_destroy(object);
    return seen->stop_after && seen->n >= seen->stop_after ? 1 : 0;
}

static const char stream[] =
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\","
    "\"note\":\"}{ in a string\"}}}\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{"
    "\"resourceVersion\":\"12\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"c\"}}}\n"
    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}\n";

static void
assert_stream_events(const struct seen *seen)
{
    assert_int_equal(seen->n, 5);
    assert_int_equal(seen->types[0], KUBE_WATCH_ADDED);
    assert_string_equal(seen->names[0], "a");
    assert_int_equal(seen->types[1], KUBE_WATCH_MODIFIED);
    assert_string_equal(seen->names[1], "b");
    assert_int_equal(seen->types[2], KUBE_WATCH_BOOKMARK);
    assert_int_equal(seen->types[3], KUBE_WATCH_DELETED);
    assert_int_equal(seen->types[4], KUBE_WATCH_ERROR);
}

static void
test_watch_delivers_events_from_one_chunk(void **state)
{
    struct kube_watch_decoder decoder;
    struct seen seen = {0};

    (void)state;
    kube_watch_decoder_init(&decoder, record, &seen);
    assert_int_equal(
        kube_watch_decoder_feed(&decoder, stream, strlen(stream), NULL), 0);
    assert_stream_events(&seen);
    kube_watch_decoder_destroy(&decoder);
}

static void
test_watch_delivers_each_event_when_its_last_byte_arrives(void **state)
{
    struct kube_watch_decoder decoder;
    struct seen seen = {0};
    size_t first_end = strchr(stream, '\n') - stream;

    (void)state;
    kube_watch_decoder_init(&decoder, record, &seen);
    for (size_t i = 0; i < strlen(stream); i++) {
        assert_int_equal(
            kube_watch_decoder_feed(&decoder, &stream[i], 1, NULL), 0);
        if (i + 1 == first_end) {
            /* The closing brace of the first event completes it. */
            assert_int_equal(seen.n, 1);
        }
        if (i + 1 < first_end) {
            assert_int_equal(seen.n, 0);
        }
    }
    assert_stream_events(&seen);
    kube_watch_decoder_destroy(&decoder);
}

static void
assert_malformed(const char *text, const char *message)
{
    struct kube_watch_decoder decoder;
    struct seen seen = {0};
    struct kovn_error err = {0};

    kube_watch_decoder_init(&decoder, record, &seen);
    assert_int_equal(
        kube_watch_decoder_feed(&decoder, text, strlen(text), &err), -EPROTO);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg,
                 message);
    }
    kube_watch_decoder_destroy(&decoder);
}

static void
test_watch_rejects_malformed_events(void **state)
{
    (void)state;
    assert_malformed("{\"type\":\"ADDED\",\"object\":{]}", "watch stream:");
    assert_malformed("{\"object\":{}}", "event without a type");
    assert_malformed("{\"type\":\"EXPLODED\",\"object\":{}}",
                     "\"EXPLODED\" unknown");
    assert_malformed("{\"type\":\"ADDED\",\"object\":[]}",
                     "without an object");
    assert_malformed("[1,2]", "event without a type");
}

static void
test_watch_stops_when_the_reader_asks(void **state)
{
    struct kube_watch_decoder decoder;
    struct seen seen = {.stop_after = 2};

    (void)state;
    kube_watch_decoder_init(&decoder, record, &seen);
    assert_int_equal(
        kube_watch_decoder_feed(&decoder, stream, strlen(stream), NULL), 1);
    assert_int_equal(seen.n, 2);
    kube_watch_decoder_destroy(&decoder);
}

static void
test_watch_caps_event_size(void **state)
{
    struct kube_watch_decoder decoder;
    struct seen seen = {0};
    struct kovn_error err = {0};
    const char *head = "{\"type\":\"ADDED\",\"object\":{\"x\":\"";
    size_t chunk = 1024 * 1024;
    char *filler = malloc(chunk);
    int error = 0;

    (void)state;
    memset(filler, 'a', chunk);
    kube_watch_decoder_init(&decoder, record, &seen);
    assert_int_equal(
        kube_watch_decoder_feed(&decoder, head, strlen(head), &err), 0);
    for (int i = 0; i < 20 && !error; i++) {
        error = kube_watch_decoder_feed(&decoder, filler, chunk, &err);
    }
    assert_int_equal(error, -E2BIG);
    assert_non_null(strstr(err.msg, "larger than"));
    assert_int_equal(seen.n, 0);
    kube_watch_decoder_destroy(&decoder);
    free(filler);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_delivers_events_from_one_chunk),
        cmocka_unit_test(
            test_watch_delivers_each_event_when_its_last_byte_arrives),
        cmocka_unit_test(test_watch_rejects_malformed_events),
        cmocka_unit_test(test_watch_stops_when_the_reader_asks),
        cmocka_unit_test(test_watch_caps_event_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
