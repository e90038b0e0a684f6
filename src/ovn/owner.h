/* Ownership tags on the OVN rows kovn writes.
 *
 * Every row kovn creates carries external_ids:vendor=kovn plus one owner key
 * naming the Kubernetes object it was made for ("kovn-subnet" = "net1",
 * "kovn-pod" = "ns/pod").  That is what makes OVN-side orphans findable: a
 * row whose owner object no longer exists is stale, and rows without
 * vendor=kovn belong to someone else and are never touched. */
#ifndef KOVN_OVN_OWNER_H
#define KOVN_OVN_OWNER_H 1

#include <stdbool.h>

struct smap;

#define OVN_VENDOR_KEY   "vendor"
#define OVN_VENDOR       "kovn"
#define OVN_OWNER_PREFIX "kovn-"

#define OVN_OWNER_VPC    "kovn-vpc"
#define OVN_OWNER_SUBNET "kovn-subnet"
#define OVN_OWNER_POD    "kovn-pod"
#define OVN_OWNER_NODE   "kovn-node"
#define OVN_OWNER_NETPOL "kovn-netpol" /* "namespace/name" */

struct ovn_owner {
    const char *kind; /* An OVN_OWNER_* key, always "kovn-" prefixed. */
    const char *name; /* The owning object's name or "namespace/name". */
};

/* Adds vendor=kovn and kind=name to 'ids'. */
void ovn_owner_tag(struct smap *ids, const struct ovn_owner *owner);

/* Initializes 'out' as 'current' plus the tags of 'owner', the value a row's
 * external_ids should have (the caller compares and destroys it). */
void ovn_owner_ids(struct smap *out, const struct smap *current,
                   const struct ovn_owner *owner);

/* True if 'ids' carries vendor=kovn. */
bool ovn_owner_is_ours(const struct smap *ids);

/* Finds the owner key in 'ids'.  Returns false for rows that are not ours or
 * carry no owner key.  The strings point into 'ids'. */
bool ovn_owner_get(const struct smap *ids, struct ovn_owner *owner);

/* True if 'ids' already holds exactly the tags of 'owner' (other keys are
 * allowed), so that an ensure can leave the column untouched. */
bool ovn_owner_matches(const struct smap *ids, const struct ovn_owner *owner);

#endif /* KOVN_OVN_OWNER_H */
