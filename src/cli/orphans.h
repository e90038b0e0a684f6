/* Orphaned subnets as the commands report them: a Subnet whose spec.vpc
 * names no Vpc, with its age, the pods still using it and what to do
 * about it.  orphans, check and gc share this one verdict. */
#ifndef KOVN_CLI_ORPHANS_H
#define KOVN_CLI_ORPHANS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cli_cluster;

struct cli_orphan {
    const char *subnet; /* Point into the cluster's model. */
    const char *vpc;
    const char *uid;
    long long age; /* Seconds, -1 if unknown. */
    size_t pods;
    /* Annotated kovn.io/allow-missing-vpc: waiting for its VPC on purpose,
     * so neither a problem for check nor something gc removes. */
    bool waits_for_vpc;
    char *action; /* What the user should do. */
};

/* The orphans of 'cluster' sorted by subnet name, in a new array of
 * '*n' elements; free it with cli_orphans_free(). */
struct cli_orphan *cli_orphans_collect(const struct cli_cluster *cluster,
                                       time_t now, size_t *n);
void cli_orphans_free(struct cli_orphan *orphans, size_t n);

#endif /* KOVN_CLI_ORPHANS_H */
