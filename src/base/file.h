/* Reading small whole files (certificates, keys, tokens, kubeconfigs) with
 * a size limit and an error message that names the file. */
#ifndef KOVN_BASE_FILE_H
#define KOVN_BASE_FILE_H 1

#include <stddef.h>

struct kovn_error;

/* Reads all of file 'name' into a malloc'd, null-terminated '*out' (and its
 * length into '*out_len' if non-null).  A file longer than 'max' bytes is
 * -E2BIG.  Messages start with 'what' and the file name ("certificate
 * \"/etc/tls.crt\": No such file or directory").  On error '*out' is
 * NULL. */
int file_read(const char *what, const char *name, size_t max, char **out,
              size_t *out_len, struct kovn_error *err);

#endif /* KOVN_BASE_FILE_H */
