/* Whole-file reads; see file.h. */
#include <config.h>

#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "util.h"

int
file_read(const char *what, const char *name, size_t max, char **out,
          size_t *out_len, struct kovn_error *err)
{
    FILE *file = fopen(name, "rb");
    char *buf = NULL;
    int error = 0;
    size_t n;

    *out = NULL;
    if (!file) {
        return kovn_error_set(err, -errno, "%s \"%s\": %s", what, name,
                              strerror(errno));
    }
    buf = xmalloc(max + 1);
    n = fread(buf, 1, max + 1, file);
    if (ferror(file)) {
        error = kovn_error_set(err, -errno, "%s \"%s\": %s", what, name,
                               strerror(errno));
        goto out;
    }
    if (n > max) {
        error = kovn_error_set(err, -E2BIG, "%s \"%s\": larger than %zu bytes",
                               what, name, max);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    buf = NULL;
    if (out_len) {
        *out_len = n;
    }

out:
    fclose(file);
    free(buf);
    return error;
}
