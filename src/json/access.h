/* Typed access to members of OVS JSON objects, with errors that name the
 * field path, so that code turning API objects into structs ("parse, don't
 * validate late") reads as a list of fields.
 *
 * An absent member or JSON null is "not set" (0 with '*out' left NULL or
 * false); a member of the wrong type is -EINVAL with a message like
 * `users[0].user.token: expected a string, got an integer`. */
#ifndef KOVN_JSON_ACCESS_H
#define KOVN_JSON_ACCESS_H 1

#include <stdbool.h>
#include <stddef.h>

struct json;
struct kovn_error;
struct sset;

/* Member 'key' of 'object', or NULL if 'object' is not an object or lacks
 * it. */
const struct json *json_member(const struct json *object, const char *key);

int json_member_string(const struct json *object, const char *key,
                       const char *path, const char **out,
                       struct kovn_error *err);
int json_member_bool(const struct json *object, const char *key,
                     const char *path, bool *out, struct kovn_error *err);
int json_member_object(const struct json *object, const char *key,
                       const char *path, const struct json **out,
                       struct kovn_error *err);
int json_member_array(const struct json *object, const char *key,
                      const char *path, const struct json **out,
                      struct kovn_error *err);

/* Adds the strings of array member 'key' to 'out'; more than 'max' items or
 * a non-string item is -EINVAL. */
int json_member_string_set(const struct json *object, const char *key,
                           const char *path, size_t max, struct sset *out,
                           struct kovn_error *err);

#endif /* KOVN_JSON_ACCESS_H */
