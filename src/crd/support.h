/* Which fields of Kube-OVN's v1 API kovn implements.  kovn's CRDs accept
 * every field Kube-OVN's do (deploy/crd-*.yaml), so a manifest written for
 * Kube-OVN applies unchanged; a field kovn does not act on must then be
 * reported, never silently ignored: the controller sets condition
 * Supported=False (reason UnsupportedFields) and the admission webhook
 * returns a warning, which kubectl prints.  One table serves both, the
 * README's compatibility table (`kubectl kovn compat` prints it) and the
 * tests. */
#ifndef KOVN_CRD_SUPPORT_H
#define KOVN_CRD_SUPPORT_H 1

#include <stddef.h>

#include "svec.h"

struct ds;
struct json;

enum crd_support_level {
    CRD_IMPLEMENTED,
    CRD_PARTIAL, /* Some values or forms; 'note' says which. */
    CRD_NOT_IMPLEMENTED,
};

struct crd_support_field {
    const char *kind; /* "Subnet", "Vpc", "IPPool" */
    const char *path; /* "spec.routeTable", "spec.staticRoutes[].ecmpMode" */
    enum crd_support_level level;
    /* For CRD_PARTIAL: the one value kovn implements ("ovn", "true"); any
     * other value is reported.  NULL: the note explains and nothing is
     * reported. */
    const char *supported_value;
    const char *note;
};

/* The table, in the order of Kube-OVN's types. */
const struct crd_support_field *crd_support_fields(size_t *n);

/* Appends to 'out' the path of each field of 'obj' (a 'kind' object) that
 * is set and not implemented: set means present and not null, false, 0, ""
 * or empty (for a partly implemented field with one supported value,
 * present with another value); for an array of objects,
 * "spec.staticRoutes[].ecmpMode" is reported once however many items set it.
 * Fields Kube-OVN does not have are the API server's to prune and are not
 * reported. */
void crd_unsupported_fields(const char *kind, const struct json *obj,
                            struct svec *out);

/* "spec.routeTable, spec.enableEcmp: not implemented by kovn" (malloc'd),
 * or NULL when 'fields' is empty. */
char *crd_unsupported_message(const struct svec *fields);

/* The table as Markdown, for the README. */
void crd_support_markdown(struct ds *out);

#endif /* KOVN_CRD_SUPPORT_H */
