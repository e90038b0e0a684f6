/* Unit tests for src/kube/protobuf, podproto and pblist: the wire format,
 * pods decoded to their JSON form, and protobuf lists streamed item by
 * item.  Messages are built here with a few encoder helpers; the
 * integration test (test_kube_informer) compares against a real API
 * server's JSON. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kube/pblist.h"
#include "kube/podproto.h"
#include "kube/protobuf.h"
#include "kube/status.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "test_json.h"

/* Encoding, for building test messages. */

static void
put_varint(struct ds *s, uint64_t v)
{
    do {
        ds_put_char(s, (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
        v >>= 7;
    } while (v);
}

static void
put_tag(struct ds *s, uint32_t number, enum pb_wire wire)
{
    put_varint(s, ((uint64_t)number << 3) | wire);
}

static void
put_bytes(struct ds *s, uint32_t number, const void *data, size_t len)
{
    put_tag(s, number, PB_LEN);
    put_varint(s, len);
    ds_put_buffer(s, data, len);
}

static void
put_string(struct ds *s, uint32_t number, const char *value)
{
    put_bytes(s, number, value, strlen(value));
}

/* Appends 'message' as field 'number' and empties it. */
static void
put_message(struct ds *s, uint32_t number, struct ds *message)
{
    put_bytes(s, number, message->string, message->length);
    ds_clear(message);
}

static void
put_map_entry(struct ds *s, uint32_t number, const char *key,
              const char *value)
{
    struct ds entry = DS_EMPTY_INITIALIZER;

    put_string(&entry, 1, key);
    put_string(&entry, 2, value);
    put_message(s, number, &entry);
    ds_destroy(&entry);
}

/* A pod as the API server encodes one, with fields kovn does not read
 * (creationTimestamp, finalizers, containers, conditions) around the ones
 * it does. */
static void
put_pod(struct ds *pod, const char *name, bool deleting)
{
    struct ds meta = DS_EMPTY_INITIALIZER, spec = DS_EMPTY_INITIALIZER;
    struct ds status = DS_EMPTY_INITIALIZER, sub = DS_EMPTY_INITIALIZER;

    put_string(&meta, 1, name);
    put_string(&meta, 2, "");
    put_string(&meta, 3, "ns1");
    put_string(&meta, 5, "uid-1");
    put_string(&meta, 6, "1234");
    put_tag(&meta, 7, PB_VARINT);
    put_varint(&meta, 0);
    put_tag(&sub, 1, PB_VARINT);
    put_varint(&sub, 1764800000);
    put_message(&meta, 8, &sub); /* creationTimestamp */
    if (deleting) {
        put_tag(&sub, 1, PB_VARINT);
        put_varint(&sub, 1764844795); /* 2025-12-04T10:39:55Z */
        put_tag(&sub, 2, PB_VARINT);
        put_varint(&sub, 123);
        put_message(&meta, 9, &sub);
    }
    put_map_entry(&meta, 11, "app", "web");
    put_map_entry(&meta, 12, "ovn.kubernetes.io/ip_address", "10.16.0.5");
    put_map_entry(&meta, 12, "note", "caf\xc3\xa9");
    put_string(&meta, 14, "example.com/finalizer");

    put_string(&sub, 1, "main");
    put_string(&sub, 2, "busybox");
    put_message(&spec, 2, &sub); /* containers */
    /* A container with ports: name, hostPort, containerPort, protocol,
     * hostIP; and one with a port of no name. */
    struct ds port = DS_EMPTY_INITIALIZER;
    put_string(&sub, 1, "side");
    put_string(&port, 1, "http");
    put_tag(&port, 2, PB_VARINT);
    put_varint(&port, 8080);
    put_tag(&port, 3, PB_VARINT);
    put_varint(&port, 80);
    put_string(&port, 4, "TCP");
    put_string(&port, 5, "0.0.0.0");
    put_message(&sub, 6, &port);
    put_tag(&port, 3, PB_VARINT);
    put_varint(&port, 9000);
    put_string(&port, 4, "UDP");
    put_message(&sub, 6, &port);
    ds_destroy(&port);
    put_message(&spec, 2, &sub);
    put_string(&spec, 3, "Never");
    put_tag(&spec, 4, PB_VARINT);
    put_varint(&spec, 30);
    put_string(&spec, 10, "node-7");
    put_tag(&spec, 11, PB_VARINT);
    put_varint(&spec, 0); /* hostNetwork false */
    put_tag(&spec, 20, PB_FIXED64);
    ds_put_buffer(&spec, "\1\2\3\4\5\6\7\10", 8);
    put_tag(&spec, 21, PB_FIXED32);
    ds_put_buffer(&spec, "\1\2\3\4", 4);

    put_string(&status, 1, "Running");
    put_string(&sub, 1, "Ready");
    put_string(&sub, 2, "True");
    put_message(&status, 2, &sub); /* conditions */

    put_message(pod, 1, &meta);
    put_message(pod, 2, &spec);
    put_message(pod, 3, &status);
    ds_destroy(&meta);
    ds_destroy(&spec);
    ds_destroy(&status);
    ds_destroy(&sub);
}

static void
assert_json_equal(const struct json *got, const char *expected)
{
    struct json *want = j(expected);

    if (!json_equal(got, want)) {
        char *g = json_to_string(got, JSSF_SORT);
        char *w = json_to_string(want, JSSF_SORT);

        fail_msg("got %s\nwant %s", g, w);
    }
    json_destroy(want);
}

/* The wire format. */

static void
test_protobuf_varints_and_their_limits(void **state)
{
    (void)state;
    struct ds s = DS_EMPTY_INITIALIZER;
    uint64_t v;

    put_varint(&s, UINT64_MAX);
    struct pb_reader r = pb_reader(s.string, s.length);
    assert_int_equal(pb_read_varint(&r, &v), 1);
    assert_true(v == UINT64_MAX);
    assert_true(r.p == r.end);

    /* Cut short: more may come. */
    r = pb_reader(s.string, 3);
    assert_int_equal(pb_read_varint(&r, &v), 0);

    /* Eleven bytes with the continuation bit: never a varint. */
    static const uint8_t overlong[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                         0x80, 0x80, 0x80, 0x80, 0x01};
    r = pb_reader(overlong, sizeof overlong);
    assert_int_equal(pb_read_varint(&r, &v), -1);
    ds_destroy(&s);
}

static void
test_protobuf_fields_are_bounded(void **state)
{
    (void)state;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct pb_field f;
    struct pb_reader r;

    put_string(&s, 3, "abc");
    r = pb_reader(s.string, s.length);
    assert_int_equal(pb_read_field(&r, &f), 1);
    assert_int_equal(f.number, 3);
    assert_int_equal(f.wire, PB_LEN);
    assert_int_equal(f.len, 3);
    assert_memory_equal(f.data, "abc", 3);
    assert_int_equal(pb_read_field(&r, &f), 0);

    /* A length past the end, a truncated fixed64, field 0, a group. */
    r = pb_reader(s.string, s.length - 1);
    assert_int_equal(pb_read_field(&r, &f), -1);
    ds_clear(&s);
    put_tag(&s, 1, PB_FIXED64);
    ds_put_buffer(&s, "1234567", 7);
    r = pb_reader(s.string, s.length);
    assert_int_equal(pb_read_field(&r, &f), -1);
    ds_clear(&s);
    put_tag(&s, 0, PB_VARINT);
    put_varint(&s, 1);
    r = pb_reader(s.string, s.length);
    assert_int_equal(pb_read_field(&r, &f), -1);
    ds_clear(&s);
    put_tag(&s, 1, 3);
    r = pb_reader(s.string, s.length);
    assert_int_equal(pb_read_field(&r, &f), -1);
    ds_destroy(&s);
}

static void
test_protobuf_text_is_utf8_without_zero_bytes(void **state)
{
    (void)state;
    assert_true(pb_is_text((const uint8_t *)"", 0));
    assert_true(
        pb_is_text((const uint8_t *)"caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
    assert_false(pb_is_text((const uint8_t *)"a\0b", 3));
    assert_false(pb_is_text((const uint8_t *)"\xc3", 1));     /* Cut. */
    assert_false(pb_is_text((const uint8_t *)"\xc0\xaf", 2)); /* Overlong. */
    assert_false(
        pb_is_text((const uint8_t *)"\xed\xa0\x80", 3)); /* Surrogate. */
    assert_false(pb_is_text((const uint8_t *)"\xff", 1));
}

/* Pods. */

static void
test_pod_decodes_to_its_json_form(void **state)
{
    (void)state;
    struct ds pod = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};

    put_pod(&pod, "web-1", true);
    struct json *got = kube_pod_from_protobuf(pod.string, pod.length, &err);
    assert_non_null(got);
    assert_json_equal(
        got, "{'metadata': {'name': 'web-1', 'namespace': 'ns1', "
             "'uid': 'uid-1', 'resourceVersion': '1234', "
             "'deletionTimestamp': '2025-12-04T10:39:55Z', "
             "'labels': {'app': 'web'}, "
             "'annotations': {'ovn.kubernetes.io/ip_address': '10.16.0.5', "
             "'note': 'caf\xc3\xa9'}}, "
             "'spec': {'restartPolicy': 'Never', 'nodeName': 'node-7', "
             "'containers': [{}, {'ports': [{'name': 'http', "
             "'containerPort': 80, 'protocol': 'TCP'}, "
             "{'containerPort': 9000, 'protocol': 'UDP'}]}]}, "
             "'status': {'phase': 'Running'}}");
    json_destroy(got);
    ds_destroy(&pod);
}

static void
test_pod_empty_message_has_json_skeleton(void **state)
{
    (void)state;
    struct kovn_error err = {0};
    struct json *got = kube_pod_from_protobuf("", 0, &err);

    assert_non_null(got);
    assert_json_equal(got, "{'metadata': {}, 'spec': {}, 'status': {}}");
    json_destroy(got);
}

static void
test_pod_host_network_and_last_value_wins(void **state)
{
    (void)state;
    struct ds pod = DS_EMPTY_INITIALIZER, spec = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};

    put_tag(&spec, 11, PB_VARINT);
    put_varint(&spec, 1);
    put_string(&spec, 10, "a");
    put_string(&spec, 10, "");
    put_message(&pod, 2, &spec);
    /* A second spec merges into the first, as protobuf parsers do. */
    put_string(&spec, 3, "Always");
    put_message(&pod, 2, &spec);
    struct json *got = kube_pod_from_protobuf(pod.string, pod.length, &err);
    assert_non_null(got);
    assert_json_equal(got, "{'metadata': {}, 'spec': {'hostNetwork': true, "
                           "'restartPolicy': 'Always'}, 'status': {}}");
    json_destroy(got);
    ds_destroy(&pod);
    ds_destroy(&spec);
}

static void
test_pod_bad_bytes_are_errors(void **state)
{
    (void)state;
    struct ds pod = DS_EMPTY_INITIALIZER, meta = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};

    /* A name that is not UTF-8. */
    put_string(&meta, 1, "bad\xff");
    put_message(&pod, 1, &meta);
    assert_null(kube_pod_from_protobuf(pod.string, pod.length, &err));
    assert_non_null(strstr(err.msg, "UTF-8"));

    /* A name with the wrong wire type. */
    ds_clear(&pod);
    put_tag(&meta, 1, PB_VARINT);
    put_varint(&meta, 5);
    put_message(&pod, 1, &meta);
    assert_null(kube_pod_from_protobuf(pod.string, pod.length, &err));

    /* A truncated pod. */
    ds_clear(&pod);
    put_pod(&pod, "x", false);
    assert_null(kube_pod_from_protobuf(pod.string, pod.length - 1, &err));
    assert_int_not_equal(err.msg[0], '\0');

    /* A deletionTimestamp past year 9999. */
    ds_clear(&pod);
    struct ds t = DS_EMPTY_INITIALIZER;
    put_tag(&t, 1, PB_VARINT);
    put_varint(&t, 300000000000ULL);
    put_message(&meta, 9, &t);
    put_message(&pod, 1, &meta);
    assert_null(kube_pod_from_protobuf(pod.string, pod.length, &err));
    assert_non_null(strstr(err.msg, "out of range"));
    ds_destroy(&t);
    ds_destroy(&pod);
    ds_destroy(&meta);
}

/* Lists. */

struct seen {
    int n;
    char names[8][32];
    int stop_after;
};

static int
record(struct json *item, void *seen_)
{
    struct seen *seen = seen_;
    const struct json *meta = shash_find_data(json_object(item), "metadata");
    const struct json *name = shash_find_data(json_object(meta), "name");

    if (seen->n < 8 && name) {
        strncpy(seen->names[seen->n], json_string(name), 31);
    }
    seen->n++;
    json_destroy(item);
    return seen->stop_after && seen->n >= seen->stop_after ? 7 : 0;
}

/* A PodList body as the API server sends it: magic, then Unknown
 * {typeMeta, raw = PodList {metadata, items...}, contentEncoding,
 * contentType}.  'encoding' goes into contentEncoding. */
static void
put_list_body(struct ds *body, int n_pods, const char *encoding)
{
    struct ds list = DS_EMPTY_INITIALIZER, sub = DS_EMPTY_INITIALIZER;

    ds_put_buffer(body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_string(&sub, 1, "v1");
    put_string(&sub, 2, "PodList");
    put_message(body, 1, &sub);

    put_string(&sub, 2, "987");
    put_string(&sub, 3, "");
    put_message(&list, 1, &sub);
    for (int i = 0; i < n_pods; i++) {
        char name[16];

        snprintf(name, sizeof name, "pod-%d", i);
        put_pod(&sub, name, i % 2);
        put_message(&list, 2, &sub);
    }
    put_message(body, 2, &list);
    put_string(body, 3, encoding);
    put_string(body, 4, "");
    ds_destroy(&list);
    ds_destroy(&sub);
}

/* Decodes 'body' fed in pieces of 'step' bytes; returns the first error
 * of feed or finish, and the resourceVersion in 'rv'. */
static int
decode_list(const struct ds *body, size_t step, struct seen *seen, char *rv,
            struct kovn_error *err)
{
    struct kube_pblist_decoder d;
    const char *version = NULL;
    int error = 0;

    memset(seen, 0, sizeof *seen);
    kube_pblist_decoder_init(&d, kube_pod_from_protobuf, record, seen);
    for (size_t i = 0; i < body->length && !error; i += step) {
        error = kube_pblist_decoder_feed(&d, body->string + i,
                                         MIN(step, body->length - i), err);
    }
    if (!error) {
        error = kube_pblist_decoder_finish(&d, &version, err);
    }
    if (!error) {
        strcpy(rv, version);
    }
    kube_pblist_decoder_destroy(&d);
    return error;
}

static void
test_pblist_streams_items_in_any_pieces(void **state)
{
    (void)state;
    struct ds body = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};
    struct seen seen;
    char rv[32];

    put_list_body(&body, 3, "");
    for (size_t step = 1; step <= body.length; step++) {
        assert_int_equal(decode_list(&body, step, &seen, rv, &err), 0);
        assert_int_equal(seen.n, 3);
        assert_string_equal(seen.names[0], "pod-0");
        assert_string_equal(seen.names[2], "pod-2");
        assert_string_equal(rv, "987");
    }
    ds_destroy(&body);
}

static void
test_pblist_empty_list(void **state)
{
    (void)state;
    struct ds body = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};
    struct seen seen;
    char rv[32];

    put_list_body(&body, 0, "");
    assert_int_equal(decode_list(&body, 1, &seen, rv, &err), 0);
    assert_int_equal(seen.n, 0);
    assert_string_equal(rv, "987");
    ds_destroy(&body);
}

static void
test_pblist_truncated_or_foreign_bodies_are_errors(void **state)
{
    (void)state;
    struct ds body = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};
    struct seen seen;
    char rv[32];

    put_list_body(&body, 2, "");
    /* Cut anywhere before the list's end: never a whole list. */
    size_t whole = body.length;
    for (size_t len = 0; len < whole - 4; len++) {
        struct ds cut = body;

        cut.length = len;
        assert_int_not_equal(decode_list(&cut, 7, &seen, rv, &err), 0);
        assert_int_not_equal(err.msg[0], '\0');
        err.msg[0] = '\0';
    }

    /* JSON, or a body with a compressed 'raw'. */
    struct ds json = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&json, "{\"items\":[]}");
    assert_int_equal(decode_list(&json, 4, &seen, rv, &err), -EPROTO);
    ds_clear(&body);
    put_list_body(&body, 1, "gzip");
    assert_int_equal(decode_list(&body, 4, &seen, rv, &err), -EPROTO);
    assert_non_null(strstr(err.msg, "encoding"));

    /* Two lists in one body. */
    ds_clear(&body);
    ds_put_buffer(&body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_string(&body, 2, "");
    put_string(&body, 2, "");
    assert_int_equal(decode_list(&body, 1, &seen, rv, &err), -EPROTO);
    ds_destroy(&json);
    ds_destroy(&body);
}

static void
test_pblist_bounds_and_bad_items(void **state)
{
    (void)state;
    struct ds body = DS_EMPTY_INITIALIZER, list = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};
    struct seen seen;
    char rv[32];

    /* List metadata claiming more than KUBE_PBLIST_METADATA_MAX: refused
     * at its header, before any byte of it is held. */
    ds_put_buffer(&body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_tag(&body, 2, PB_LEN);
    put_varint(&body, KUBE_PBLIST_METADATA_MAX + 10);
    put_tag(&body, 1, PB_LEN);
    put_varint(&body, KUBE_PBLIST_METADATA_MAX + 1);
    assert_int_equal(decode_list(&body, 3, &seen, rv, &err), -E2BIG);

    /* An item longer than the list around it. */
    ds_clear(&body);
    ds_put_buffer(&body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_tag(&body, 2, PB_LEN);
    put_varint(&body, 4);
    put_tag(&body, 2, PB_LEN);
    put_varint(&body, 100);
    assert_int_equal(decode_list(&body, 1, &seen, rv, &err), -EPROTO);

    /* An item the decoder refuses stops the list, naming the item. */
    struct ds pod = DS_EMPTY_INITIALIZER, meta = DS_EMPTY_INITIALIZER;
    ds_clear(&body);
    ds_put_buffer(&body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_pod(&pod, "good", false);
    put_message(&list, 2, &pod);
    put_string(&meta, 1, "\xff");
    put_message(&pod, 1, &meta);
    put_message(&list, 2, &pod);
    put_message(&body, 2, &list);
    assert_int_equal(decode_list(&body, 5, &seen, rv, &err), -EPROTO);
    assert_int_equal(seen.n, 1);
    assert_non_null(strstr(err.msg, "item 1"));

    /* The item callback's stop is returned as is. */
    ds_clear(&body);
    put_list_body(&body, 3, "");
    struct kube_pblist_decoder d;
    memset(&seen, 0, sizeof seen);
    seen.stop_after = 2;
    kube_pblist_decoder_init(&d, kube_pod_from_protobuf, record, &seen);
    assert_int_equal(
        kube_pblist_decoder_feed(&d, body.string, body.length, &err), 7);
    assert_int_equal(seen.n, 2);
    assert_int_equal(kube_pblist_decoder_feed(&d, "", 1, &err), -EPROTO);
    kube_pblist_decoder_destroy(&d);
    ds_destroy(&pod);
    ds_destroy(&meta);
    ds_destroy(&list);
    ds_destroy(&body);
}

static void
test_status_from_protobuf(void **state)
{
    (void)state;
    struct ds body = DS_EMPTY_INITIALIZER, sub = DS_EMPTY_INITIALIZER;
    struct kube_status status;

    ds_put_buffer(&body, KUBE_PROTOBUF_MAGIC, KUBE_PROTOBUF_MAGIC_LEN);
    put_string(&sub, 1, "v1");
    put_string(&sub, 2, "Status");
    put_message(&body, 1, &sub);
    put_string(&sub, 2, "Failure");
    put_string(&sub, 3, "pods is forbidden");
    put_string(&sub, 4, "Forbidden");
    put_tag(&sub, 6, PB_VARINT);
    put_varint(&sub, 403);
    put_message(&body, 2, &sub);
    assert_true(kube_status_from_protobuf(body.string, body.length, &status));
    assert_int_equal(status.code, 403);
    assert_string_equal(status.reason, "Forbidden");
    assert_string_equal(status.message, "pods is forbidden");
    kube_status_destroy(&status);

    /* Not a Status, or not protobuf. */
    assert_false(kube_status_from_protobuf("{}", 2, &status));
    ds_clear(&body);
    put_list_body(&body, 1, "");
    assert_false(kube_status_from_protobuf(body.string, body.length, &status));
    ds_destroy(&body);
    ds_destroy(&sub);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protobuf_varints_and_their_limits),
        cmocka_unit_test(test_protobuf_fields_are_bounded),
        cmocka_unit_test(test_protobuf_text_is_utf8_without_zero_bytes),
        cmocka_unit_test(test_pod_decodes_to_its_json_form),
        cmocka_unit_test(test_pod_empty_message_has_json_skeleton),
        cmocka_unit_test(test_pod_host_network_and_last_value_wins),
        cmocka_unit_test(test_pod_bad_bytes_are_errors),
        cmocka_unit_test(test_pblist_streams_items_in_any_pieces),
        cmocka_unit_test(test_pblist_empty_list),
        cmocka_unit_test(test_pblist_truncated_or_foreign_bodies_are_errors),
        cmocka_unit_test(test_pblist_bounds_and_bad_items),
        cmocka_unit_test(test_status_from_protobuf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
