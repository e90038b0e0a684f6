/* Ownership tags in external_ids; see owner.h. */
#include <config.h>

#include "ovn/owner.h"

#include <string.h>

#include "openvswitch/util.h"
#include "smap.h"

void
ovn_owner_tag(struct smap *ids, const struct ovn_owner *owner)
{
    ovs_assert(
        !strncmp(owner->kind, OVN_OWNER_PREFIX, strlen(OVN_OWNER_PREFIX)));
    smap_replace(ids, OVN_VENDOR_KEY, OVN_VENDOR);
    smap_replace(ids, owner->kind, owner->name);
}

void
ovn_owner_ids(struct smap *out, const struct smap *current,
              const struct ovn_owner *owner)
{
    smap_clone(out, current);
    ovn_owner_tag(out, owner);
}

bool
ovn_owner_is_ours(const struct smap *ids)
{
    const char *vendor = smap_get(ids, OVN_VENDOR_KEY);

    return vendor && !strcmp(vendor, OVN_VENDOR);
}

bool
ovn_owner_get(const struct smap *ids, struct ovn_owner *owner)
{
    struct smap_node *node;

    if (!ovn_owner_is_ours(ids)) {
        return false;
    }
    SMAP_FOR_EACH(node, ids)
    {
        if (!strncmp(node->key, OVN_OWNER_PREFIX, strlen(OVN_OWNER_PREFIX))) {
            owner->kind = node->key;
            owner->name = node->value;
            return true;
        }
    }
    return false;
}

bool
ovn_owner_matches(const struct smap *ids, const struct ovn_owner *owner)
{
    const char *name = smap_get(ids, owner->kind);

    return ovn_owner_is_ours(ids) && name && !strcmp(name, owner->name);
}
