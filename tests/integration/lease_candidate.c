/* A leader-election candidate for the lease test: contends for a Lease
 * with src/kube/lease and prints "LEADING <identity>" and "STOPPED
 * <identity>" lines as its leadership changes. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "kube/kubeconfig.h"
#include "kube/lease.h"
#include "kube/rest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"

static void
started(void *identity)
{
    printf("LEADING %s\n", (const char *)identity);
    fflush(stdout);
}

static void
stopped(void *identity)
{
    printf("STOPPED %s\n", (const char *)identity);
    fflush(stdout);
}

int
main(int argc, char *argv[])
{
    struct kovn_error err = {0};
    struct kube_config config;
    struct kube_client *client;
    struct kube_lease *lease;

    if (argc != 4) {
        fprintf(stderr, "usage: %s KUBECONFIG IDENTITY LEASE\n", argv[0]);
        return 2;
    }
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_INFO);
    if (kube_config_load(argv[1], NULL, &config, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    client = kube_client_create(&config, NULL, &err);
    kube_config_destroy(&config);
    struct kube_lease_options options = {
        .namespace = "kube-system",
        .name = argv[3],
        .identity = argv[2],
        .started_leading = started,
        .stopped_leading = stopped,
        .aux = argv[2],
    };
    lease = kube_lease_create(client, &options);
    for (;;) {
        kube_client_run(client);
        kube_lease_run(lease);
        kube_client_wait(client);
        kube_lease_wait(lease);
        poll_block();
    }
}
