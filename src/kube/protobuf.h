/* Reading Protocol Buffers' wire format from a buffer: varints, field tags
 * and values, for the few Kubernetes messages kovn decodes itself (a pod
 * list's items, see podproto.h; the list around them, see pblist.h).
 * There is no generated code: a decoder walks its message field by field,
 * takes the numbers it knows and skips the others, as any reader of an
 * older schema does.  Every length is checked against the bytes left, so
 * a message that lies about its size is an error, never a read past the
 * end. */
#ifndef KOVN_KUBE_PROTOBUF_H
#define KOVN_KUBE_PROTOBUF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The API server's protobuf bodies start with these 4 bytes ("k8s" and a
 * zero), then a runtime.Unknown message around the object's bytes. */
#define KUBE_PROTOBUF_MAGIC     "k8s"
#define KUBE_PROTOBUF_MAGIC_LEN 4
#define KUBE_PROTOBUF_MEDIA     "application/vnd.kubernetes.protobuf"

/* The longest varint: 10 bytes hold 64 bits. */
#define PB_VARINT_MAX 10

enum pb_wire {
    PB_VARINT = 0,
    PB_FIXED64 = 1,
    PB_LEN = 2, /* Length-delimited: strings, bytes, messages, maps. */
    PB_FIXED32 = 5,
};

struct pb_reader {
    const uint8_t *p, *end;
};

/* One field: its number, wire type and value. */
struct pb_field {
    uint32_t number;
    enum pb_wire wire;
    uint64_t varint;     /* PB_VARINT, and the fixed types' raw bits. */
    const uint8_t *data; /* PB_LEN: the value's bytes... */
    size_t len;          /* ...and their count. */
};

static inline struct pb_reader
pb_reader(const void *data, size_t len)
{
    const uint8_t *p = data;
    /* An absent field's value is (NULL, 0): no arithmetic on NULL. */
    return (struct pb_reader){p, p ? p + len : p};
}

/* Reads a varint: 1 when read, 0 when the bytes end inside it (more may
 * come, for a stream), -1 when it is longer than PB_VARINT_MAX bytes. */
int pb_read_varint(struct pb_reader *r, uint64_t *value);

/* Reads the next field: 1 when read, 0 at the end of the bytes, -1 when
 * the bytes are not well-formed (a truncated field, a length past the end,
 * field number 0, or a group, which no Kubernetes message uses). */
int pb_read_field(struct pb_reader *r, struct pb_field *field);

/* Whether a PB_LEN value is a string kovn can keep: valid UTF-8 without a
 * zero byte (which no JSON string kovn stores can hold). */
bool pb_is_text(const uint8_t *data, size_t len);

/* A copy of a PB_LEN value's first 'max' bytes (SIZE_MAX: all) as a
 * string, or NULL if the value is not text (pb_is_text()).  An absent
 * value, (NULL, 0), is "". */
char *pb_text_dup(const struct pb_field *field, size_t max);

#endif /* KOVN_KUBE_PROTOBUF_H */
