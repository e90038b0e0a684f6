/* Protocol Buffers' wire format; see protobuf.h. */
#include <config.h>

#include "kube/protobuf.h"

#include <string.h>

#include "util.h"

int
pb_read_varint(struct pb_reader *r, uint64_t *value)
{
    uint64_t v = 0;

    for (int i = 0; i < PB_VARINT_MAX; i++) {
        if (r->p + i >= r->end) {
            return 0;
        }
        uint8_t byte = r->p[i];

        v |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            r->p += i + 1;
            *value = v;
            return 1;
        }
    }
    return -1;
}

int
pb_read_field(struct pb_reader *r, struct pb_field *field)
{
    uint64_t tag, len;

    if (r->p >= r->end) {
        return 0;
    }
    if (pb_read_varint(r, &tag) != 1 || tag >> 3 == 0 ||
        tag >> 3 > UINT32_MAX) {
        return -1;
    }
    memset(field, 0, sizeof *field);
    field->number = tag >> 3;
    field->wire = tag & 7;
    switch (field->wire) {
    case PB_VARINT:
        return pb_read_varint(r, &field->varint) == 1 ? 1 : -1;
    case PB_FIXED64:
    case PB_FIXED32: {
        size_t n = field->wire == PB_FIXED64 ? 8 : 4;

        if ((size_t)(r->end - r->p) < n) {
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            field->varint |= (uint64_t)r->p[i] << (8 * i);
        }
        r->p += n;
        return 1;
    }
    case PB_LEN:
        if (pb_read_varint(r, &len) != 1 || len > (uint64_t)(r->end - r->p)) {
            return -1;
        }
        field->data = r->p;
        field->len = len;
        r->p += len;
        return 1;
    default:
        return -1;
    }
}

char *
pb_text_dup(const struct pb_field *field, size_t max)
{
    if (!pb_is_text(field->data, field->len)) {
        return NULL;
    }
    return field->len
               ? xmemdup0((const char *)field->data, MIN(field->len, max))
               : xstrdup("");
}

bool
pb_is_text(const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = s[i];
        size_t n;
        uint32_t min, cp;

        if (c == 0) {
            return false;
        } else if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 2, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i < n) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and code points past Unicode's. */
        if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            return false;
        }
        i += n;
    }
    return true;
}
