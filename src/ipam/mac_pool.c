/* MAC addresses handed to pods, unique across the subnets that share one
 * 'struct ipam_macs'; see ipam.h.
 *
 * Every MAC in use (allocated here or taken because a user asked for it) is
 * one node in a hash map keyed by its 48 bits.  Allocation draws random
 * addresses under the 02:00:00 prefix and retries on a collision: with the
 * map far from full a retry is rare. */
#include <config.h>

#include "ipam/ipam.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "random.h"
#include "util.h"

/* 02:00:00:00:00:00: locally administered, unicast. */
#define MAC_PREFIX       0x020000000000ULL
#define MAC_PREFIX_MASK  0xffffff000000ULL
#define MAC_RANDOM_SPACE (1u << 24)

struct ipam_macs {
    struct hmap map; /* Of 'struct mac_node'. */
    size_t n_prefix; /* How many in use lie under MAC_PREFIX. */
};

struct mac_node {
    struct hmap_node node;
    uint64_t key;
};

static uint64_t
mac_to_key(const struct net_mac *mac)
{
    uint64_t key = 0;

    for (int i = 0; i < 6; i++) {
        key = key << 8 | mac->bytes[i];
    }
    return key;
}

static void
key_to_mac(uint64_t key, struct net_mac *mac)
{
    for (int i = 5; i >= 0; i--) {
        mac->bytes[i] = (uint8_t)key;
        key >>= 8;
    }
}

static struct mac_node *
mac_find(const struct ipam_macs *macs, uint64_t key)
{
    struct mac_node *node;

    HMAP_FOR_EACH_WITH_HASH(node, node, hash_uint64(key), &macs->map)
    {
        if (node->key == key) {
            return node;
        }
    }
    return NULL;
}

static void
mac_insert(struct ipam_macs *macs, uint64_t key)
{
    struct mac_node *node = xmalloc(sizeof *node);

    node->key = key;
    hmap_insert(&macs->map, &node->node, hash_uint64(key));
    if ((key & MAC_PREFIX_MASK) == MAC_PREFIX) {
        macs->n_prefix++;
    }
}

struct ipam_macs *
ipam_macs_create(void)
{
    struct ipam_macs *macs = xmalloc(sizeof *macs);

    hmap_init(&macs->map);
    macs->n_prefix = 0;
    return macs;
}

void
ipam_macs_destroy(struct ipam_macs *macs)
{
    if (macs) {
        struct mac_node *node;

        HMAP_FOR_EACH_POP(node, node, &macs->map)
        {
            free(node);
        }
        hmap_destroy(&macs->map);
        free(macs);
    }
}

void
ipam_mac_alloc(struct ipam_macs *macs, struct net_mac *mac)
{
    uint64_t key;

    if (macs->n_prefix >= MAC_RANDOM_SPACE) {
        ovs_abort(0, "all %u MAC addresses under 02:00:00 are in use",
                  MAC_RANDOM_SPACE);
    }
    do {
        key = MAC_PREFIX | (random_uint32() & (MAC_RANDOM_SPACE - 1));
    } while (mac_find(macs, key));
    mac_insert(macs, key);
    key_to_mac(key, mac);
}

int
ipam_mac_take(struct ipam_macs *macs, const struct net_mac *mac)
{
    uint64_t key = mac_to_key(mac);

    if (mac_find(macs, key)) {
        return -EADDRINUSE;
    }
    mac_insert(macs, key);
    return 0;
}

void
ipam_mac_release(struct ipam_macs *macs, const struct net_mac *mac)
{
    uint64_t key = mac_to_key(mac);
    struct mac_node *node = mac_find(macs, key);

    if (node) {
        hmap_remove(&macs->map, &node->node);
        if ((key & MAC_PREFIX_MASK) == MAC_PREFIX) {
            macs->n_prefix--;
        }
        free(node);
    }
}

size_t
ipam_macs_count(const struct ipam_macs *macs)
{
    return hmap_count(&macs->map);
}
