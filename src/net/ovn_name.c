/* Validation of names written to OVN NB; see ovn_name.h. */
#include <config.h>

#include "net/ovn_name.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/error.h"

int
ovn_name_check(const char *table, const char *name, struct kovn_error *err)
{
    size_t len = strlen(name);

    if (!len) {
        return kovn_error_set(err, -EINVAL, "%s: empty name", table);
    }
    if (len > OVN_NAME_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%.32s...\": name longer than %d bytes",
                              table, name, OVN_NAME_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!isalnum(c) && !strchr("-_.:/", c)) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%.64s\": name: character 0x%02x at "
                                  "offset %zu not allowed",
                                  table, name, c, i);
        }
    }
    return 0;
}

int
ovn_name_check_identifier(const char *table, const char *name,
                          struct kovn_error *err)
{
    size_t len = strlen(name);

    if (!len || len > OVN_NAME_MAX) {
        return kovn_error_set(err, -EINVAL,
                              "%s \"%.32s\": name must be 1 to %d bytes",
                              table, name, OVN_NAME_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = isalpha(c) || c == '_' || (i && (isdigit(c) || c == '.'));

        if (!ok) {
            return kovn_error_set(err, -EINVAL,
                                  "%s \"%.64s\": name: not an OVN match "
                                  "identifier (letters, digits, '_' and '.', "
                                  "not starting with a digit or '.')",
                                  table, name);
        }
    }
    return 0;
}
