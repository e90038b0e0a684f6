/* Files built into kovn-controller by scripts/embed-files.py (see
 * meson.build): each array ends with an entry whose name is NULL. */
#ifndef KOVN_CONTROLLER_EMBEDDED_H
#define KOVN_CONTROLLER_EMBEDDED_H 1

#include <stddef.h>

struct embedded_file {
    const char *name;
    const char *text;
    size_t len;
};

/* deploy/crd-*.yaml, applied at start when absent. */
extern const struct embedded_file kovn_crds[];
/* src/controller/ui_page.html, the /ui page. */
extern const struct embedded_file kovn_ui_page[];

#endif /* KOVN_CONTROLLER_EMBEDDED_H */
