/* A human-readable error message carried beside a negative errno.
 *
 * Functions that can fail return 0 or -errno and, when given a non-null
 * 'struct kovn_error *', fill it with a message a user can act on.  The
 * message is a fixed-size buffer so that reporting an error never allocates
 * and never fails. */
#ifndef KOVN_BASE_ERROR_H
#define KOVN_BASE_ERROR_H 1

#include <stdarg.h>

#define KOVN_ERROR_MAX 256

struct kovn_error {
    int code; /* Negative errno, 0 when no error was recorded. */
    char msg[KOVN_ERROR_MAX];
};

/* Records 'code' and the formatted message in 'err' (if non-null) and returns
 * 'code', so that callers can write 'return kovn_error_set(err, -EINVAL,
 * ...)'. */
int kovn_error_set(struct kovn_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends formatted context ("cidrBlock ") to the message already in 'err'.
 * Does nothing when 'err' is null. */
void kovn_error_prefix(struct kovn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void kovn_error_clear(struct kovn_error *err);

#endif /* KOVN_BASE_ERROR_H */
