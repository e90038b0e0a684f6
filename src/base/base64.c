/* Strict base64 decoding; see base64.h. */
#include <config.h>

#include "base/base64.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "util.h"

static int
sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    } else if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    } else if (c == '+') {
        return 62;
    } else if (c == '/') {
        return 63;
    }
    return -1;
}

int
base64_decode(const char *what, const char *text, size_t len, char **out,
              size_t *out_len, struct kovn_error *err)
{
    unsigned char *buf = xmalloc(len / 4 * 3 + 4);
    size_t n = 0, n_group = 0, n_pad = 0;
    uint32_t group = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        int value;

        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            if (n_group < 2) {
                goto bad;
            }
            n_pad++;
            group <<= 6;
            n_group++;
        } else {
            value = sextet(c);
            if (value < 0 || n_pad) {
                goto bad;
            }
            group = group << 6 | (uint32_t)value;
            n_group++;
        }
        if (n_group == 4) {
            buf[n++] = (unsigned char)(group >> 16);
            if (n_pad < 2) {
                buf[n++] = (unsigned char)(group >> 8);
            }
            if (n_pad < 1) {
                buf[n++] = (unsigned char)group;
            }
            n_group = 0;
            group = 0;
            if (n_pad) {
                /* Padding ends the data: only whitespace may follow. */
                for (i++; i < len; i++) {
                    c = (unsigned char)text[i];
                    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                        goto bad;
                    }
                }
                break;
            }
        }
    }
    if (n_group) {
        goto bad;
    }
    buf[n] = '\0';
    *out = (char *)buf;
    *out_len = n;
    return 0;

bad:
    free(buf);
    *out = NULL;
    *out_len = 0;
    return kovn_error_set(err, -EINVAL, "%s: not valid base64", what);
}
