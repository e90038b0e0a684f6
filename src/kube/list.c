/* Streaming list decoder; see list.h.
 *
 * A byte scanner follows only the structure (strings, brackets, the keys of
 * the top-level object); the items and the list's metadata are cut out as
 * text and each parsed on its own with the OVS JSON parser, which does the
 * real validation. */
#include <config.h>

#include "kube/list.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "util.h"

/* Longer keys are of no interest: "items" and "metadata" only. */
#define WORD_MAX 16

void
kube_list_decoder_init(struct kube_list_decoder *d, kube_list_item_fn *item,
                       void *aux)
{
    memset(d, 0, sizeof *d);
    d->item = item;
    d->aux = aux;
    ds_init(&d->word);
    ds_init(&d->text);
}

void
kube_list_decoder_destroy(struct kube_list_decoder *d)
{
    ds_destroy(&d->word);
    ds_destroy(&d->text);
    json_destroy(d->metadata);
    /* Ready to be destroyed again or reused. */
    kube_list_decoder_init(d, d->item, d->aux);
}

static int
capture_append(struct kube_list_decoder *d, const char *data, size_t len,
               struct kovn_error *err)
{
    if (d->text.length + len > KUBE_LIST_ITEM_MAX) {
        return kovn_error_set(err, -E2BIG,
                              "list item %zu is larger than %d bytes",
                              d->n_items, KUBE_LIST_ITEM_MAX);
    }
    ds_put_buffer(&d->text, data, len);
    return 0;
}

/* The captured text is complete: parse it and hand it over. */
static int
capture_end(struct kube_list_decoder *d, struct kovn_error *err)
{
    struct json *json = json_from_string(ds_cstr(&d->text));
    int error = 0;

    ds_clear(&d->text);
    if (json->type != JSON_OBJECT) {
        error = kovn_error_set(
            err, -EPROTO, "list %s %zu: %s",
            d->capture == CAPTURE_ITEM ? "item" : "metadata", d->n_items,
            json->type == JSON_STRING ? json_string(json) : "not an object");
        json_destroy(json);
    } else if (d->capture == CAPTURE_METADATA) {
        json_destroy(d->metadata);
        d->metadata = json;
    } else {
        d->n_items++;
        error = d->item(json, d->aux);
    }
    d->capture = CAPTURE_NONE;
    return error;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
kube_list_decoder_feed(struct kube_list_decoder *d, const char *data,
                       size_t len, struct kovn_error *err)
{
    /* Where this chunk's part of a capture starts. */
    size_t from = 0;
    int error = 0;

    for (size_t i = 0; i < len && !error; i++) {
        char c = data[i];

        if (d->in_string) {
            if (d->escaped) {
                d->escaped = false;
            } else if (c == '\\') {
                d->escaped = true;
            } else if (c == '"') {
                d->in_string = false;
            } else if (d->depth == 1 && d->word.length <= WORD_MAX) {
                ds_put_char(&d->word, c);
            }
            continue;
        }
        if (d->done) {
            if (!is_space(c)) {
                error = kovn_error_set(err, -EPROTO,
                                       "data after the end of the list");
            }
            continue;
        }
        if (d->depth == 2 && d->in_items && d->capture == CAPTURE_NONE &&
            c != '{' && c != ',' && c != ']' && !is_space(c)) {
            error = kovn_error_set(
                err, -EPROTO, "list item %zu is not an object", d->n_items);
            break;
        }
        switch (c) {
        case '"':
            d->in_string = true;
            if (d->depth == 1) {
                ds_clear(&d->word);
            }
            break;
        case ':':
            if (d->depth == 1) {
                d->key_items = !strcmp(ds_cstr(&d->word), "items");
                d->key_metadata = !strcmp(ds_cstr(&d->word), "metadata");
            }
            break;
        case ',':
            if (d->depth == 1) {
                d->key_items = d->key_metadata = false;
            }
            break;
        case '{':
        case '[':
            if (d->depth == 0 && c != '{') {
                error = kovn_error_set(err, -EPROTO,
                                       "a list must be a JSON object");
                break;
            }
            if (d->depth == 1 && d->capture == CAPTURE_NONE) {
                if (d->key_items && c == '[') {
                    d->in_items = true;
                } else if (d->key_metadata && c == '{') {
                    d->capture = CAPTURE_METADATA;
                    from = i;
                }
            } else if (d->depth == 2 && d->in_items &&
                       d->capture == CAPTURE_NONE) {
                d->capture = CAPTURE_ITEM;
                from = i;
            }
            if (d->depth >= KUBE_LIST_DEPTH_MAX) {
                error =
                    kovn_error_set(err, -EPROTO, "list nested deeper than %d",
                                   KUBE_LIST_DEPTH_MAX);
                break;
            }
            d->open[d->depth++] = c;
            break;
        case '}':
        case ']':
            if (d->depth == 0) {
                error = kovn_error_set(err, -EPROTO, "unbalanced '%c'", c);
                break;
            }
            if (d->open[--d->depth] != (c == '}' ? '{' : '[')) {
                error = kovn_error_set(err, -EPROTO, "unbalanced '%c'", c);
                break;
            }
            if ((d->capture == CAPTURE_ITEM && d->depth == 2) ||
                (d->capture == CAPTURE_METADATA && d->depth == 1)) {
                error = capture_append(d, data + from, i + 1 - from, err);
                if (!error) {
                    error = capture_end(d, err);
                }
            }
            if (d->depth == 1 && c == ']') {
                d->in_items = false;
            }
            if (d->depth == 0) {
                d->done = true;
            }
            break;
        default:
            if (d->depth == 0 && !is_space(c)) {
                error = kovn_error_set(err, -EPROTO,
                                       "a list must be a JSON object");
            }
            break;
        }
    }
    if (!error && d->capture != CAPTURE_NONE) {
        error = capture_append(d, data + from, len - from, err);
    }
    return error;
}

int
kube_list_decoder_finish(struct kube_list_decoder *d,
                         const struct json **metadata, struct kovn_error *err)
{
    if (!d->done || d->in_string) {
        return kovn_error_set(err, -EPROTO, "list body ended early");
    }
    *metadata = d->metadata;
    return 0;
}
