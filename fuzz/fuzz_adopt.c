/* Fuzz target for ovn_adopt_judge(): Kube-OVN's row names and external_ids
 * are whatever another controller (or a user with ovn-nbctl) wrote.  The
 * input is NUL-separated: table, name, type, parent, external_ids:pod, and
 * one byte of flags (duplicate, owners exist).  Never crashes; a verdict
 * other than foreign names an owner of a known kind; a pod owner is
 * "namespace/name" and the port is "<name>.<namespace>". */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovn/adopt.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
exists(const struct ovn_owner *owner, void *flags)
{
    return (*(const uint8_t *)flags & 2) && strlen(owner->name) % 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *fields[5] = {"", "", "", "", NULL};
    struct smap ids = SMAP_INITIALIZER(&ids);
    char *text, *p, *end, *owner = NULL, *why = NULL;
    const char *kind;
    uint8_t flags = 0;

    if (size > 4096) {
        return 0;
    }
    text = xmemdup0((const char *)data, size);
    end = text + size;
    p = text;
    for (size_t i = 0; i < 5 && p <= end; i++) {
        fields[i] = p;
        p += strlen(p) + 1;
    }
    if (p < end) {
        flags = (uint8_t)*p;
    }
    smap_add(&ids, "vendor", "kube-ovn");
    if (fields[4]) {
        smap_add(&ids, "pod", fields[4]);
    }
    struct ovn_adopt_input in = {fields[0], fields[1], fields[2],
                                 fields[3], &ids,      flags & 1};
    enum ovn_adopt_verdict v = ovn_adopt_judge(&in, "ovn-cluster", exists,
                                               &flags, &kind, &owner, &why);

    if (!why || (v == OVN_ADOPT_FOREIGN) != !owner ||
        (owner && strncmp(kind, OVN_OWNER_PREFIX, strlen(OVN_OWNER_PREFIX)))) {
        abort();
    }
    if (owner && !strcmp(kind, OVN_OWNER_POD)) {
        const char *slash = strchr(owner, '/');
        char *port = slash ? xasprintf("%s.%.*s", slash + 1,
                                       (int)(slash - owner), owner)
                           : NULL;

        if (!port || strcmp(port, fields[1])) {
            abort();
        }
        free(port);
    }
    if ((v == OVN_ADOPT_CONFLICT) != (owner && (flags & 1))) {
        abort();
    }
    free(owner);
    free(why);
    smap_destroy(&ids);
    free(text);
    return 0;
}
