/* YAML documents into OVS JSON trees with libyaml; see yaml_reader.h. */
#include <config.h>

#include "json/yaml_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"

struct yaml_reader {
    yaml_parser_t parser;
    const char *source;
    struct kovn_error *err;
};

static int
reader_error(struct yaml_reader *r)
{
    return kovn_error_set(
        r->err, -EINVAL, "%s: line %zu column %zu: %s", r->source,
        r->parser.problem_mark.line + 1, r->parser.problem_mark.column + 1,
        r->parser.problem ? r->parser.problem : "invalid YAML");
}

static bool
is_integer(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');

    if (!*p) {
        return false;
    }
    for (; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return true;
}

static bool
is_float(const char *s)
{
    char *end;

    if (!*s || strpbrk(s, "xXnNiI_")) {
        /* No hex, nan, inf, or separators: YAML 1.2 core floats only. */
        return false;
    }
    strtod(s, &end);
    return *end == '\0' && strpbrk(s, ".eE");
}

static struct json *
scalar_to_json(const yaml_event_t *event)
{
    const char *value = (const char *)event->data.scalar.value;

    if (event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return json_string_create(value);
    }
    if (!*value || !strcmp(value, "~") || !strcmp(value, "null") ||
        !strcmp(value, "Null") || !strcmp(value, "NULL")) {
        return json_null_create();
    }
    if (!strcmp(value, "true") || !strcmp(value, "True") ||
        !strcmp(value, "TRUE")) {
        return json_boolean_create(true);
    }
    if (!strcmp(value, "false") || !strcmp(value, "False") ||
        !strcmp(value, "FALSE")) {
        return json_boolean_create(false);
    }
    if (is_integer(value)) {
        char *end;
        long long n;

        errno = 0;
        n = strtoll(value, &end, 10);
        if (!errno) {
            return json_integer_create(n);
        }
        return json_string_create(value);
    }
    if (is_float(value)) {
        return json_real_create(strtod(value, NULL));
    }
    return json_string_create(value);
}

/* Parses one node whose first event is 'event' (consumed by the caller).
 * Returns 0 and the node in '*out', or an error. */
static int parse_node(struct yaml_reader *r, yaml_event_t *event, int depth,
                      struct json **out);

static int
next_event(struct yaml_reader *r, yaml_event_t *event)
{
    if (!yaml_parser_parse(&r->parser, event)) {
        return reader_error(r);
    }
    return 0;
}

static int
parse_sequence(struct yaml_reader *r, int depth, struct json **out)
{
    struct json *array = json_array_create_empty();
    int error;

    for (;;) {
        yaml_event_t event;
        struct json *item;

        error = next_event(r, &event);
        if (error) {
            break;
        }
        if (event.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&event);
            *out = array;
            return 0;
        }
        error = parse_node(r, &event, depth + 1, &item);
        yaml_event_delete(&event);
        if (error) {
            break;
        }
        json_array_add(array, item);
    }
    json_destroy(array);
    return error;
}

static int
parse_mapping(struct yaml_reader *r, int depth, struct json **out)
{
    struct json *object = json_object_create();
    int error;

    for (;;) {
        yaml_event_t event;
        struct json *value;
        char *key;

        error = next_event(r, &event);
        if (error) {
            break;
        }
        if (event.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&event);
            *out = object;
            return 0;
        }
        if (event.type != YAML_SCALAR_EVENT) {
            error = kovn_error_set(r->err, -EINVAL,
                                   "%s: line %zu: mapping keys must be "
                                   "scalars",
                                   r->source, event.start_mark.line + 1);
            yaml_event_delete(&event);
            break;
        }
        key = xstrdup((const char *)event.data.scalar.value);
        if (shash_find(json_object(object), key)) {
            error = kovn_error_set(r->err, -EINVAL,
                                   "%s: line %zu: duplicate key \"%.64s\"",
                                   r->source, event.start_mark.line + 1, key);
            yaml_event_delete(&event);
            free(key);
            break;
        }
        yaml_event_delete(&event);
        error = next_event(r, &event);
        if (!error) {
            error = parse_node(r, &event, depth + 1, &value);
            yaml_event_delete(&event);
        }
        if (error) {
            free(key);
            break;
        }
        json_object_put_nocopy(object, key, value);
    }
    json_destroy(object);
    return error;
}

static int
parse_node(struct yaml_reader *r, yaml_event_t *event, int depth,
           struct json **out)
{
    if (depth > YAML_MAX_DEPTH) {
        return kovn_error_set(
            r->err, -E2BIG, "%s: line %zu: nested deeper than %d levels",
            r->source, event->start_mark.line + 1, YAML_MAX_DEPTH);
    }
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        if (event->data.scalar.anchor) {
            break;
        }
        *out = scalar_to_json(event);
        return 0;
    case YAML_SEQUENCE_START_EVENT:
        if (event->data.sequence_start.anchor) {
            break;
        }
        return parse_sequence(r, depth, out);
    case YAML_MAPPING_START_EVENT:
        if (event->data.mapping_start.anchor) {
            break;
        }
        return parse_mapping(r, depth, out);
    case YAML_ALIAS_EVENT:
        break;
    default:
        return kovn_error_set(r->err, -EINVAL,
                              "%s: line %zu: unexpected YAML event", r->source,
                              event->start_mark.line + 1);
    }
    return kovn_error_set(r->err, -EINVAL,
                          "%s: line %zu: YAML anchors and aliases are not "
                          "supported",
                          r->source, event->start_mark.line + 1);
}

int
json_from_yaml(const char *source, const char *text, size_t len,
               struct json **out, struct kovn_error *err)
{
    struct yaml_reader r = {.source = source, .err = err};
    yaml_event_t event;
    int error = 0;

    *out = NULL;
    if (len > YAML_MAX_BYTES) {
        return kovn_error_set(err, -E2BIG, "%s: %zu bytes, more than %d",
                              source, len, YAML_MAX_BYTES);
    }
    if (!yaml_parser_initialize(&r.parser)) {
        out_of_memory();
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    /* Skip STREAM-START and DOCUMENT-START, then read one node. */
    for (;;) {
        error = next_event(&r, &event);
        if (error) {
            goto out;
        }
        if (event.type == YAML_STREAM_START_EVENT ||
            event.type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&event);
            continue;
        }
        break;
    }
    if (event.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&event);
        error = kovn_error_set(err, -ENODATA, "%s: empty document", source);
        goto out;
    }
    error = parse_node(&r, &event, 0, out);
    yaml_event_delete(&event);

out:
    yaml_parser_delete(&r.parser);
    return error;
}
