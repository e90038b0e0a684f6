/* Taking over the OVN NB rows Kube-OVN left (external_ids:vendor=kube-ovn).
 *
 * Kube-OVN and kovn name their rows alike (routers after Vpcs, switches
 * after Subnets, "<router>-<switch>" and "<switch>-<router>" port pairs,
 * "<pod>.<namespace>" and "node-<name>" switch ports, the default VPC's
 * "cluster-...-loadbalancer"s), so a row can be adopted in place: it keeps
 * its UUID, addresses and MACs and gets kovn's owner tags, after which
 * kovn's ensure helpers update it like a row of their own.  Nothing is
 * created or deleted here, so no port flaps and no pod loses traffic.
 *
 * Which rows are adopted is one pure decision, ovn_adopt_judge(), shared
 * by kovn-controller --adopt-kube-ovn and kubectl kovn check --kube-ovn so
 * that the pre-migration report says exactly what the takeover does. */
#ifndef KOVN_OVN_ADOPT_H
#define KOVN_OVN_ADOPT_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/uuid.h"
#include "ovn/nb.h"
#include "ovn/owner.h"
#include "ovn/stale.h"

struct kovn_error;
struct smap;

/* Kube-OVN's vendor tag, and the key kovn adds to a row it adopted (never
 * "kovn-" prefixed: that prefix is reserved for owner keys). */
#define OVN_KUBE_OVN_VENDOR "kube-ovn"
#define OVN_ADOPTED_KEY     "adopted-from"

enum ovn_adopt_verdict {
    /* Its owner exists: re-tagged as kovn's. */
    OVN_ADOPT,
    /* A pod's or node's switch port whose object is gone: re-tagged all
     * the same, so kovn's owner sweep (and kubectl kovn gc) removes it as
     * it removes its own stale rows. */
    OVN_ADOPT_STALE,
    /* A router, switch or router port whose Vpc or Subnet is gone: left as
     * Kube-OVN's, never touched, reported.  Kube-OVN also keeps switches
     * no Subnet names (external gateways), so kovn deletes none of these
     * on its own. */
    OVN_ADOPT_ORPHAN,
    /* Its name is also another row's of the same table: kovn could not tell
     * which one to manage, so it takes neither; reported. */
    OVN_ADOPT_CONFLICT,
    /* Not a kind of row kovn manages (attachment ports, localnet and
     * virtual ports, routers' external ports, ...): left alone, counted. */
    OVN_ADOPT_FOREIGN,
    OVN_ADOPT_N_VERDICTS,
};

const char *ovn_adopt_verdict_name(enum ovn_adopt_verdict);

/* One Kube-OVN row as the decision sees it.  Strings are borrowed. */
struct ovn_adopt_input {
    const char *table; /* "Logical_Router", "Logical_Switch",
                        * "Logical_Router_Port", "Logical_Switch_Port",
                        * "Load_Balancer". */
    const char *name;
    const char *type;       /* A switch port's type, "" otherwise. */
    const char *parent;     /* The router holding a router port, the switch
                             * holding a switch port; "" if none does. */
    const struct smap *ids; /* external_ids */
    /* Another row of the same table has the same name. */
    bool duplicate;
};

/* Decides what happens to one row.  'default_vpc' owns the load balancers;
 * 'exists' says whether an owner object exists.  For every verdict but
 * OVN_ADOPT_FOREIGN '*kind' (an OVN_OWNER_* constant) and '*owner' (a new
 * string the caller frees) name the owner; '*why' (a new string, may be
 * NULL if not wanted) says what was decided and why, for reports. */
enum ovn_adopt_verdict ovn_adopt_judge(const struct ovn_adopt_input *in,
                                       const char *default_vpc,
                                       ovn_owner_exists_fn *exists, void *aux,
                                       const char **kind, char **owner,
                                       char **why);

struct ovn_adopt_row {
    const char *table;
    struct uuid uuid;
    char *name;
    enum ovn_adopt_verdict verdict;
    const char *owner_kind; /* NULL for OVN_ADOPT_FOREIGN. */
    char *owner_name;
    char *why;
};

struct ovn_adopt_list {
    struct ovn_adopt_row *rows;
    size_t n, allocated;
    size_t counts[OVN_ADOPT_N_VERDICTS];
};

void ovn_adopt_list_destroy(struct ovn_adopt_list *);

/* Judges every row of the replica tagged vendor=kube-ovn in the tables
 * above, appending them to 'list' sorted by table then name. */
void ovn_adopt_list(struct ovn_nb *nb, const char *default_vpc,
                    ovn_owner_exists_fn *exists, void *aux,
                    struct ovn_adopt_list *list);

/* Re-tags the OVN_ADOPT and OVN_ADOPT_STALE rows of 'list' that are still
 * Kube-OVN's in the replica: vendor=kovn, the owner key, adopted-from=
 * kube-ovn; their other keys and columns stay.  An ovn_nb_build_fn with the
 * struct ovn_adopt_list as 'list'. */
int ovn_adopt_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *list,
                    struct kovn_error *err);

#endif /* KOVN_OVN_ADOPT_H */
