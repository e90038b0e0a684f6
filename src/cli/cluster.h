/* What kubectl-kovn knows about a cluster: one paged list of each kind it
 * needs, turned into the same typed model kovn-controller uses
 * (crd/model.h) plus the few facts about namespaces, pods, IPs and nodes
 * its commands look at.
 *
 * Pods can number in the hundreds of thousands, so no object is kept
 * whole: each page is parsed, reduced to what is asked for, and freed. */
#ifndef KOVN_CLI_CLUSTER_H
#define KOVN_CLI_CLUSTER_H 1

#include <stdbool.h>

#include "cli/claims.h"
#include "crd/model.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"

struct cli_progress;
struct json;
struct kovn_error;
struct kube_client;
struct kube_response;

/* Items per page, as kubectl's --chunk-size default. */
#define CLI_PAGE_SIZE 500
/* Objects accepted in one list: far above any real cluster, low enough
 * that a runaway server cannot exhaust memory. */
#define CLI_LIST_MAX 2000000

/* What to load beyond Vpcs and Subnets. */
enum cli_load {
    CLI_LOAD_USERS = 1 << 0,      /* IPs and pods using orphaned subnets. */
    CLI_LOAD_IPPOOLS = 1 << 1,    /* IPPools, into the model. */
    CLI_LOAD_NAMESPACES = 1 << 2, /* Namespaces not being deleted. */
    CLI_LOAD_OWNERS = 1 << 3,     /* Every pod key and node name. */
    /* The IP objects naming subnets being deleted (and then every pod
     * key, to tell leftovers from IPs in use), and how many IPs there
     * are. */
    CLI_LOAD_IPS = 1 << 4,
    /* Every IP object's and allocated pod's address claim (cli/claims.h),
     * for check --kube-ovn. */
    CLI_LOAD_CLAIMS = 1 << 5,
    /* Pods counted by namespace, subnet and node, and IP objects by
     * subnet, for topology. */
    CLI_LOAD_COUNTS = 1 << 6,
};

/* Pods (not hostNetwork) of one namespace on one subnet (their
 * logical_switch annotation, "" before allocation) and node ("" before
 * scheduling). */
struct cli_pod_count {
    char *ns, *subnet, *node;
    size_t n;
};

struct cli_namespace {
    char *name;
    struct smap labels;
    struct smap annotations; /* Only the ovn.kubernetes.io/ ones kovn sets. */
};

struct cli_deleting_vpc {
    char *deletion_timestamp;
    struct svec finalizers;
};

/* A Subnet being deleted (CLI_LOAD_IPS: with the IPs still naming it). */
struct cli_deleting_subnet {
    char *deletion_timestamp;
    struct svec finalizers;
    struct sset ips; /* "<ip name>\t<namespace/pod>" ("" if it names none) */
};

struct cli_cluster {
    unsigned int load; /* enum cli_load bits asked for. */
    struct crd_model *model;
    /* Subnets whose spec.vpc names no Vpc, whatever else is wrong with
     * them (a subnet being deleted can be an orphan too). */
    struct sset orphans;
    /* Orphan subnet name -> struct sset of the "namespace/pod" keys using
     * it (CLI_LOAD_USERS); orphans nothing uses have no entry. */
    struct shash users;
    /* Vpc name -> struct cli_deleting_vpc, for Vpcs being deleted. */
    struct shash deleting_vpcs;
    /* Subnet name -> struct cli_deleting_subnet, for Subnets being
     * deleted. */
    struct shash deleting_subnets;
    size_t n_ips;             /* IP objects (CLI_LOAD_IPS). */
    struct cli_claims claims; /* (CLI_LOAD_CLAIMS) */
    /* Name -> struct cli_namespace (CLI_LOAD_NAMESPACES). */
    struct shash namespaces;
    /* "namespace/name" (CLI_LOAD_OWNERS, or CLI_LOAD_IPS when a subnet
     * being deleted has IPs). */
    struct sset pods;
    struct sset nodes; /* (CLI_LOAD_OWNERS). */
    /* "ns\tsubnet\tnode" -> struct cli_pod_count (CLI_LOAD_COUNTS). */
    struct shash pod_counts;
    /* Subnet name -> size_t *: IP objects naming it (CLI_LOAD_COUNTS). */
    struct shash ips_by_subnet;
};

/* A client for the cluster kubectl would talk to: 'kubeconfig' is the
 * --kubeconfig flag or NULL, 'context' the --context flag or NULL.  On
 * error '*client' is NULL. */
int cli_cluster_client(const char *kubeconfig, const char *context,
                       struct kube_client **client, struct kovn_error *err);

/* Lists Vpcs and Subnets, and whatever 'load' (enum cli_load bits) asks
 * for, into 'cluster' (always initialized: destroy it even on error).
 * Counts pages and objects on 'progress' (may be NULL) as they arrive,
 * and clears its line before returning. */
int cli_cluster_load(struct cli_cluster *cluster, struct kube_client *client,
                     const char *default_vpc, const char *default_subnet,
                     unsigned int load, struct cli_progress *progress,
                     struct kovn_error *err);
void cli_cluster_destroy(struct cli_cluster *cluster);

/* Pods using orphaned subnet 'name' (0 unless CLI_LOAD_USERS). */
size_t cli_cluster_n_users(const struct cli_cluster *cluster,
                           const char *name);

/* Appends the metadata.finalizers of 'obj' to 'out'. */
void cli_cluster_finalizers(const struct json *obj, struct svec *out);

/* Turns an unexpected HTTP answer to 'what' ("listing subnets") into an
 * error naming the status, the server's message and 'hint' (may be NULL);
 * returns the negative errno set. */
int cli_cluster_http_error(const struct kube_response *response,
                           const char *what, const char *hint,
                           struct kovn_error *err);

#endif /* KOVN_CLI_CLUSTER_H */
