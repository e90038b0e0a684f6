/* Benchmark: creating 10,000 switch ports through src/ovn in batched
 * transactions against the same rows created by ovn-nbctl, one invocation
 * per 100 ports, on the same real ovsdb-server in the same run.  Also
 * reports the memory of a fresh replica holding the 10,000 ports.
 *
 * The comparison runs with NB and SB but without ovn-northd: it measures the
 * NB write path, and northd's recomputation, the same load for any NB
 * client, would compete for this 2-core machine's CPUs with the client
 * under test.  A last row repeats the kovn run with northd started, for the
 * figure a controller sees on a full stack. */
#include <config.h>

#include "bench_util.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovn/nb.h"
#include "ovn/switch.h"
#include "ovn_sandbox.h"
#include "util.h"

#define N_PORTS     10000
#define NBCTL_BATCH 100
#define TIMEOUT_MS  120000

static void
port_values(int i, struct net_mac *mac, struct net_addr *ip)
{
    *mac = (struct net_mac){
        {0x0a, 0x58, 0x0a, 0x10, (uint8_t)(i >> 8), (uint8_t)i}};
    *ip = net_addr_from_u128(NET_V4, (net_u128)0x0a100000 + 2 + (unsigned)i);
}

struct batch {
    const char *switch_name;
    int first;
    int n;
};

static int
build_batch(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *aux,
            struct kovn_error *err)
{
    const struct batch *b = aux;
    struct ovn_owner subnet = {OVN_OWNER_SUBNET, b->switch_name};
    struct ovn_switch_spec ls = {.name = b->switch_name};

    if (!ovn_switch_ensure(nb, txn, &ls, &subnet, err)) {
        return err->code;
    }
    for (int i = b->first; i < b->first + b->n; i++) {
        char name[32], pod[40];
        struct net_mac mac;
        struct net_addr ip;

        port_values(i, &mac, &ip);
        snprintf(name, sizeof name, "%s-p%d", b->switch_name, i);
        snprintf(pod, sizeof pod, "bench/p%d", i);
        struct ovn_owner owner = {OVN_OWNER_POD, pod};
        struct ovn_switch_port_spec port = {.name = name,
                                            .switch_name = b->switch_name,
                                            .mac = &mac,
                                            .ips = &ip,
                                            .n_ips = 1,
                                            .port_security = true};
        if (!ovn_switch_port_ensure(nb, txn, &port, &owner, err)) {
            return err->code;
        }
    }
    return 0;
}

static double
run_kovn(const struct ovn_sandbox *sb, const char *switch_name, int batch)
{
    struct kovn_error err = {0};
    struct ovn_nb *nb = ovn_nb_create(sb->nb_remote);
    double start;

    if (ovn_nb_wait_ready(nb, TIMEOUT_MS, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    start = bench_now_seconds();
    for (int first = 0; first < N_PORTS; first += batch) {
        struct batch b = {switch_name, first, batch};

        if (ovn_nb_transact(nb, build_batch, &b, TIMEOUT_MS, NULL, &err)) {
            ovs_fatal(0, "%s", err.msg);
        }
    }
    double elapsed = bench_now_seconds() - start;
    ovn_nb_destroy(nb);
    return elapsed;
}

static double
run_nbctl(const struct ovn_sandbox *sb)
{
    char *out = sandbox_run("ovn-nbctl --db=%s ls-add nbctl", sb->nb_unix);
    double start;

    free(out);
    start = bench_now_seconds();
    for (int first = 0; first < N_PORTS; first += NBCTL_BATCH) {
        struct ds cmd = DS_EMPTY_INITIALIZER;

        ds_put_format(&cmd, "ovn-nbctl --db=%s", sb->nb_unix);
        for (int i = first; i < first + NBCTL_BATCH; i++) {
            char mac_s[NET_MAC_STRLEN], ip_s[NET_ADDR_STRLEN];
            struct net_mac mac;
            struct net_addr ip;

            port_values(i, &mac, &ip);
            net_mac_format(&mac, mac_s);
            net_addr_format(&ip, ip_s);
            ds_put_format(&cmd,
                          " -- lsp-add nbctl nbctl-p%d"
                          " -- lsp-set-addresses nbctl-p%d '%s %s'"
                          " -- lsp-set-port-security nbctl-p%d '%s %s'"
                          " -- set Logical_Switch_Port nbctl-p%d"
                          " external_ids:vendor=kovn"
                          " external_ids:kovn-pod=bench/p%d",
                          i, i, mac_s, ip_s, i, mac_s, ip_s, i, i);
        }
        out = sandbox_run("%s 2>/dev/null", ds_cstr(&cmd));
        if (!out) {
            ovs_fatal(0, "ovn-nbctl failed");
        }
        free(out);
        ds_destroy(&cmd);
    }
    return bench_now_seconds() - start;
}

/* The heap a fresh replica holds once loaded (malloc's own count: this
 * process's RSS already covers the heap the runs before it freed, so an RSS
 * difference would hide most of the replica). */
static size_t
replica_bytes(const struct ovn_sandbox *sb)
{
    struct kovn_error err = {0};
    size_t before = mallinfo2().uordblks;
    struct ovn_nb *nb = ovn_nb_create(sb->nb_remote);
    size_t after;

    if (ovn_nb_wait_ready(nb, TIMEOUT_MS, &err)) {
        ovs_fatal(0, "%s", err.msg);
    }
    after = mallinfo2().uordblks;
    ovn_nb_destroy(nb);
    return after - before;
}

int
main(int argc, char *argv[])
{
    /* "--kovn-only" skips the slow baseline, for profiling. */
    bool baseline = !(argc > 1 && !strcmp(argv[1], "--kovn-only"));
    struct ovn_sandbox sb;
    double kovn, kovn_large, nbctl = 0;
    size_t replica;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
    ovn_sandbox_start_without_northd(&sb);
    kovn = run_kovn(&sb, "kovn", 1000);
    replica = replica_bytes(&sb);
    /* Same rows on a second switch in two transactions, as a controller's
     * initial sync would batch them; the database already holds the first
     * 10,000 ports, so this run is not favoured. */
    kovn_large = run_kovn(&sb, "kovn5k", 5000);
    if (baseline) {
        nbctl = run_nbctl(&sb);
    }
    if (sandbox_ovn(&sb, "start-northd", "")) {
        ovs_fatal(0, "ovn-northd did not start");
    }
    /* Let northd finish its first full computation before timing. */
    free(sandbox_run("ovn-nbctl --db=%s --timeout=300 --wait=sb sync",
                     sb.nb_unix));
    double kovn_northd = run_kovn(&sb, "kovn-northd", 1000);
    ovn_sandbox_stop(&sb);

    printf("%-34s %8s %9s %10s\n", "implementation", "rows", "seconds",
           "rows/s");
    printf("%-34s %8d %9.3f %10.0f\n", "kovn src/ovn (1000/txn)", N_PORTS,
           kovn, N_PORTS / kovn);
    printf("%-34s %8d %9.3f %10.0f\n", "kovn src/ovn (5000/txn)", N_PORTS,
           kovn_large, N_PORTS / kovn_large);
    printf("%-34s %8d %9.3f %10.0f\n", "ovn-nbctl (100/invocation)", N_PORTS,
           nbctl, N_PORTS / nbctl);
    printf("%-34s %8d %9.3f %10.0f\n", "kovn src/ovn (1000/txn) + northd",
           N_PORTS, kovn_northd, N_PORTS / kovn_northd);
    printf("ratio kovn(1000/txn)/ovn-nbctl: %.1fx (goal >= 10x); 10k rows "
           "in %.2f s at 1000/txn, %.2f s at 5000/txn (goal < 2 s)\n",
           nbctl / kovn, kovn, kovn_large);
    printf("replica heap for %d ports: %zu KiB (%.0f bytes/port)\n", N_PORTS,
           replica / 1024, (double)replica / N_PORTS);
    return 0;
}
