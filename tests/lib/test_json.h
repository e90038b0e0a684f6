/* JSON literals for cmocka tests, written with ' for " so that they read
 * like the objects they stand for: j("{'metadata': {'name': 'x'}}").
 * Include after <cmocka.h>. */
#ifndef KOVN_TESTS_TEST_JSON_H
#define KOVN_TESTS_TEST_JSON_H 1

#include <stdlib.h>

#include "openvswitch/json.h"
#include "util.h"

/* Parses 'text'; a literal that does not parse fails the test. */
static inline struct json *
j(const char *text)
{
    char *copy = xstrdup(text);
    struct json *json;

    for (char *p = copy; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    json = json_from_string(copy);
    free(copy);
    if (json->type == JSON_STRING) {
        fail_msg("bad test JSON %s: %s", text, json_string(json));
    }
    return json;
}

#endif /* KOVN_TESTS_TEST_JSON_H */
