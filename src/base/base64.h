/* Strict standard base64 (RFC 4648, with padding) decoding, as Kubernetes
 * encodes *-data fields in kubeconfig files and Secret data. */
#ifndef KOVN_BASE_BASE64_H
#define KOVN_BASE_BASE64_H 1

#include <stddef.h>

struct kovn_error;

/* Decodes 'len' bytes of 'text' into a new buffer stored in '*out' (null
 * terminated for convenience; '*out_len' excludes the terminator).  ASCII
 * whitespace is skipped; anything else outside the alphabet, bad padding
 * or a truncated final group is -EINVAL.  'what' names the field. */
int base64_decode(const char *what, const char *text, size_t len, char **out,
                  size_t *out_len, struct kovn_error *err);

#endif /* KOVN_BASE_BASE64_H */
