/* Error messages with an errno; see error.h. */
#include <config.h>

#include "base/error.h"

#include <stdio.h>
#include <string.h>

int
kovn_error_set(struct kovn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list args;

        va_start(args, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, args);
        va_end(args);
        err->code = code;
    }
    return code;
}

void
kovn_error_prefix(struct kovn_error *err, const char *fmt, ...)
{
    char joined[KOVN_ERROR_MAX];
    va_list args;
    int n;

    if (!err) {
        return;
    }
    va_start(args, fmt);
    n = vsnprintf(joined, sizeof joined, fmt, args);
    va_end(args);
    if (n >= 0 && (size_t)n < sizeof joined) {
        /* Truncating the tail keeps the context, which matters more. */
        size_t len = strnlen(err->msg, sizeof joined - (size_t)n - 1);

        memcpy(joined + n, err->msg, len);
        joined[n + len] = '\0';
    }
    memcpy(err->msg, joined, sizeof err->msg);
}

void
kovn_error_clear(struct kovn_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
