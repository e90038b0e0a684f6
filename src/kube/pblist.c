/* Streaming protobuf lists; see pblist.h.  The body is two levels of
 * fields: the Unknown envelope's (typeMeta = 1, raw = 2,
 * contentEncoding = 3, contentType = 4), and inside 'raw' the list's.
 * Only 'raw' is descended into as it streams; values at either level are
 * collected only when read (an item, the list's metadata) and skipped
 * otherwise. */
#include <config.h>

#include "kube/pblist.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "util.h"

/* Unknown.contentEncoding is empty from API servers; anything else would
 * be an encoding of 'raw' that is not decoded here. */
#define ENCODING_MAX 64

void
kube_pblist_decoder_init(struct kube_pblist_decoder *d,
                         kube_protobuf_decode_fn *decode,
                         kube_list_item_fn *item, void *aux)
{
    memset(d, 0, sizeof *d);
    d->decode = decode;
    d->item = item;
    d->aux = aux;
    ds_init(&d->value);
}

void
kube_pblist_decoder_destroy(struct kube_pblist_decoder *d)
{
    ds_destroy(&d->value);
    ds_init(&d->value);
    free(d->resource_version);
    d->resource_version = NULL;
}

static int
fail(struct kube_pblist_decoder *d, struct kovn_error *err, int error,
     const char *what)
{
    d->failed = true;
    return kovn_error_set(err, error, "protobuf list: %s", what);
}

static int
list_metadata(struct kube_pblist_decoder *d, struct kovn_error *err)
{
    struct pb_reader r = pb_reader(d->value.string, d->value.length);
    struct pb_field f;
    int more;

    while ((more = pb_read_field(&r, &f)) > 0) {
        if (f.number == 2 && f.wire == PB_LEN) {
            char *rv = pb_text_dup(&f, SIZE_MAX);

            if (!rv) {
                return fail(d, err, -EPROTO, "resourceVersion is not text");
            }
            free(d->resource_version);
            d->resource_version = rv;
        }
    }
    return more < 0 ? fail(d, err, -EPROTO, "malformed list metadata") : 0;
}

/* The value in 'd->value' is complete. */
static int
value_done(struct kube_pblist_decoder *d, struct kovn_error *err)
{
    int error = 0;

    switch (d->what) {
    case PBLIST_ITEM: {
        struct json *item = d->decode(d->value.string, d->value.length, err);

        if (!item) {
            kovn_error_prefix(err, "protobuf list: item %zu: ", d->n_items);
            d->failed = true;
            return -EPROTO;
        }
        d->n_items++;
        error = d->item(item, d->aux);
        if (error) {
            d->failed = true;
        }
        break;
    }
    case PBLIST_METADATA:
        error = list_metadata(d, err);
        break;
    case PBLIST_ENCODING:
        if (d->value.length) {
            error = fail(d, err, -EPROTO, "content encoding not supported");
        }
        break;
    case PBLIST_SKIP:
        break;
    }
    ds_clear(&d->value);
    return error;
}

/* Starts reading a length-delimited value of 'len' bytes. */
static int
start_value(struct kube_pblist_decoder *d, uint32_t number, uint64_t len,
            struct kovn_error *err)
{
    uint64_t max = UINT64_MAX;

    if (d->depth == 0 && number == 2) {
        if (d->have_raw) {
            return fail(d, err, -EPROTO, "two lists in one body");
        }
        d->have_raw = true;
        d->depth = 1;
        d->list_left = len;
        return 0;
    }
    if (d->depth == 1 && len > d->list_left) {
        return fail(d, err, -EPROTO, "a field crosses the list's end");
    }
    d->what = PBLIST_SKIP;
    if (d->depth == 0 && number == 3) {
        d->what = PBLIST_ENCODING;
        max = ENCODING_MAX;
    } else if (d->depth == 1 && number == 1) {
        d->what = PBLIST_METADATA;
        max = KUBE_PBLIST_METADATA_MAX;
    } else if (d->depth == 1 && number == 2) {
        d->what = PBLIST_ITEM;
        max = KUBE_LIST_ITEM_MAX;
    }
    if (len > max) {
        d->failed = true;
        return kovn_error_set(err, -E2BIG,
                              "protobuf list: a field of %llu bytes, more "
                              "than %llu",
                              (unsigned long long)len,
                              (unsigned long long)max);
    }
    d->value_left = len;
    ds_clear(&d->value);
    return len ? 0 : value_done(d, err);
}

/* Tries to read the field header in 'd->head': 0 when it is read (and its
 * value started) or needs more bytes, or an error. */
static int
parse_head(struct kube_pblist_decoder *d, struct kovn_error *err)
{
    struct pb_reader r = pb_reader(d->head, d->n_head);
    uint64_t tag, value;
    int rc = pb_read_varint(&r, &tag);

    if (rc > 0) {
        switch (tag & 7) {
        case PB_VARINT:
        case PB_LEN:
            rc = pb_read_varint(&r, &value);
            break;
        case PB_FIXED64:
        case PB_FIXED32:
            value = (tag & 7) == PB_FIXED64 ? 8 : 4;
            break;
        default:
            rc = -1;
        }
    }
    if (rc < 0 || (rc > 0 && tag >> 3 == 0)) {
        return fail(d, err, -EPROTO, "malformed field");
    }
    if (rc == 0) {
        return d->n_head < sizeof d->head
                   ? 0
                   : fail(d, err, -EPROTO, "malformed field");
    }
    d->n_head = 0;
    if ((tag & 7) == PB_VARINT) {
        return 0;
    }
    if ((tag & 7) != PB_LEN) {
        d->what = PBLIST_SKIP;
        if (d->depth == 1 && value > d->list_left) {
            return fail(d, err, -EPROTO, "a field crosses the list's end");
        }
        d->value_left = value;
        return 0;
    }
    return start_value(d, tag >> 3, value, err);
}

int
kube_pblist_decoder_feed(struct kube_pblist_decoder *d, const void *data,
                         size_t len, struct kovn_error *err)
{
    static const uint8_t magic[KUBE_PROTOBUF_MAGIC_LEN] = KUBE_PROTOBUF_MAGIC;
    const uint8_t *p = data;
    int error;

    if (d->failed) {
        return kovn_error_set(err, -EPROTO,
                              "protobuf list: fed after an "
                              "error");
    }
    while (len) {
        if (d->n_magic < sizeof magic) {
            if (*p != magic[d->n_magic]) {
                return fail(d, err, -EPROTO, "not a Kubernetes protobuf body");
            }
            d->n_magic++;
            p++, len--;
            continue;
        }
        if (d->value_left) {
            size_t n = MIN(len, d->value_left);

            if (d->what != PBLIST_SKIP) {
                ds_put_buffer(&d->value, (const char *)p, n);
            }
            d->value_left -= n;
            if (d->depth == 1) {
                d->list_left -= n;
            }
            p += n, len -= n;
            if (!d->value_left && (error = value_done(d, err))) {
                return error;
            }
        } else {
            if (d->depth == 1 && !d->list_left) {
                if (d->n_head) {
                    return fail(d, err, -EPROTO,
                                "a field crosses the list's end");
                }
                d->depth = 0; /* 'raw' ended: the envelope goes on. */
                continue;
            }
            d->head[d->n_head++] = *p;
            if (d->depth == 1) {
                d->list_left--;
            }
            p++, len--;
            if ((error = parse_head(d, err))) {
                return error;
            }
        }
    }
    return 0;
}

int
kube_pblist_decoder_finish(struct kube_pblist_decoder *d,
                           const char **resource_version,
                           struct kovn_error *err)
{
    if (d->failed) {
        return kovn_error_set(err, -EPROTO, "protobuf list: decoding failed");
    }
    if (d->n_magic < KUBE_PROTOBUF_MAGIC_LEN || d->n_head || d->value_left ||
        (d->depth == 1 && d->list_left)) {
        return fail(d, err, -EPROTO, "the body ended inside the list");
    }
    if (!d->have_raw) {
        return fail(d, err, -EPROTO, "the body holds no list");
    }
    *resource_version = d->resource_version ? d->resource_version : "";
    return 0;
}
