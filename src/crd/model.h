/* The Vpcs, Subnets and IPPools of a cluster in typed form, with the
 * indexes that answer "which subnets does this namespace get?" and "what
 * is wrong with this subnet?" without walking every object.
 *
 * The controller feeds it from informer events and the CLI from one list,
 * so both reach the same verdicts.  It holds parsed copies only: each
 * object is parsed once per change, never per query. */
#ifndef KOVN_CRD_MODEL_H
#define KOVN_CRD_MODEL_H 1

#include <stdbool.h>

#include "crd/ippool.h"
#include "crd/subnet.h"
#include "crd/vpc.h"
#include "openvswitch/shash.h"
#include "sset.h"
#include "svec.h"

struct json;
struct smap;

/* Why a subnet is not usable, in order of precedence. */
enum subnet_state {
    SUBNET_OK,
    SUBNET_DELETING,      /* metadata.deletionTimestamp is set. */
    SUBNET_VPC_NOT_FOUND, /* Orphan: spec.vpc names no Vpc. */
    SUBNET_INVALID,       /* The spec is wrong on its own. */
    SUBNET_OVERLAP,       /* Overlaps an older subnet of its VPC. */
};
#define SUBNET_N_STATES 5

/* CamelCase, for condition reasons and metric labels. */
const char *subnet_state_reason(enum subnet_state state);

struct crd_model;

struct crd_model *crd_model_create(const char *default_vpc,
                                   const char *default_subnet);
void crd_model_destroy(struct crd_model *model);

const char *crd_model_default_vpc(const struct crd_model *model);
const char *crd_model_default_subnet(const struct crd_model *model);

/* Parse 'obj' and insert or replace the object of its name.  Return the
 * parsed object, or NULL if 'obj' has no name. */
const struct subnet *crd_model_put_subnet(struct crd_model *model,
                                          const struct json *obj);
const struct vpc *crd_model_put_vpc(struct crd_model *model,
                                    const struct json *obj);
const struct ippool *crd_model_put_ippool(struct crd_model *model,
                                          const struct json *obj);
void crd_model_remove_subnet(struct crd_model *model, const char *name);
void crd_model_remove_vpc(struct crd_model *model, const char *name);
void crd_model_remove_ippool(struct crd_model *model, const char *name);

const struct subnet *crd_model_subnet(const struct crd_model *model,
                                      const char *name);
const struct vpc *crd_model_vpc(const struct crd_model *model,
                                const char *name);
/* name -> struct subnet * / struct vpc * / struct ippool *. */
const struct shash *crd_model_subnets(const struct crd_model *model);
const struct shash *crd_model_vpcs(const struct crd_model *model);
const struct shash *crd_model_ippools(const struct crd_model *model);

/* Names of the subnets whose spec.vpc is 'vpc' (NULL if none). */
const struct sset *crd_model_subnets_of_vpc(const struct crd_model *model,
                                            const char *vpc);
/* Names of the subnets with namespace selectors. */
const struct sset *crd_model_selector_subnets(const struct crd_model *model);
/* Names of the subnets, Vpcs and IPPools listing namespace 'ns' in
 * spec.namespaces (NULL if none). */
const struct sset *crd_model_subnets_listing(const struct crd_model *model,
                                             const char *ns);
const struct sset *crd_model_vpcs_listing(const struct crd_model *model,
                                          const char *ns);
const struct sset *crd_model_ippools_listing(const struct crd_model *model,
                                             const char *ns);

/* The state of 'subnet'; for SUBNET_OVERLAP '*other' (if non-null) is set
 * to the older subnet it overlaps. */
enum subnet_state crd_model_subnet_state(const struct crd_model *model,
                                         const struct subnet *subnet,
                                         const struct subnet **other);

/* Called for each subnet that would bind a namespace but is skipped. */
typedef void crd_skip_fn(const struct subnet *subnet, enum subnet_state state,
                         void *aux);

/* What a namespace gets: its usable subnets in order and the annotation
 * values that describe them (all "" when it gets no subnet). */
struct ns_binding {
    struct svec subnets;
    char *logical_switch;
    char *cidr;
    char *exclude_ips;
    char *ip_pool;
};

/* Computes the binding of namespace 'ns' with 'labels' (may be NULL):
 * subnets listing or selecting it, the default subnet of a Vpc listing it
 * first, unusable subnets skipped (reported through 'skip', which may be
 * NULL) before anything is bound; with none left, the default subnet of a
 * Vpc listing the namespace or else the cluster default subnet. */
void crd_model_bind_namespace(const struct crd_model *model, const char *ns,
                              const struct smap *labels,
                              struct ns_binding *binding, crd_skip_fn *skip,
                              void *aux);
void ns_binding_destroy(struct ns_binding *binding);

#endif /* KOVN_CRD_MODEL_H */
