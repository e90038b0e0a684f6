/* Benchmark: src/net address parse+format throughput against the C
 * library's inet_pton/inet_ntop, measured in the same run on the same
 * inputs.  Prints a table with the ratio (kovn / libc ops per second). */
#include <config.h>

#include "bench_util.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "net/addr.h"
#include "util.h"

#define N_INPUTS 4096

static long
peak_rss_kib(void)
{
    struct rusage usage;

    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/* Volatile sink so the compiler cannot drop the work. */
static volatile size_t sink;

static double
run_kovn(char **inputs, int rounds)
{
    double start = bench_now_seconds();

    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N_INPUTS; i++) {
            struct net_addr addr;
            char buf[NET_ADDR_STRLEN];

            if (net_addr_parse(inputs[i], &addr, NULL)) {
                abort();
            }
            sink += net_addr_format(&addr, buf);
        }
    }
    return bench_now_seconds() - start;
}

static double
run_libc(char **inputs, int rounds)
{
    double start = bench_now_seconds();

    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N_INPUTS; i++) {
            unsigned char bytes[16];
            char buf[INET6_ADDRSTRLEN];
            int family = strchr(inputs[i], ':') ? AF_INET6 : AF_INET;

            if (inet_pton(family, inputs[i], bytes) != 1 ||
                !inet_ntop(family, bytes, buf, sizeof buf)) {
                abort();
            }
            sink += strlen(buf);
        }
    }
    return bench_now_seconds() - start;
}

static void
bench(const char *label, char **inputs, int rounds)
{
    /* Warm both paths once, then time them back to back. */
    run_kovn(inputs, 1);
    run_libc(inputs, 1);
    double kovn = run_kovn(inputs, rounds);
    double libc = run_libc(inputs, rounds);
    double ops = (double)N_INPUTS * rounds;

    printf("%-6s %-22s %10.0f %9.3f %12.0f %9ld\n", label, "kovn net_addr",
           ops, kovn, ops / kovn, peak_rss_kib());
    printf("%-6s %-22s %10.0f %9.3f %12.0f %9ld\n", label,
           "libc inet_pton/ntop", ops, libc, ops / libc, peak_rss_kib());
    printf("%-6s ratio kovn/libc: %.2fx\n", label, libc / kovn);
}

int
main(int argc, char *argv[])
{
    int rounds = argc > 1 ? atoi(argv[1]) : 500;
    char **v4 = xmalloc(N_INPUTS * sizeof *v4);
    char **v6 = xmalloc(N_INPUTS * sizeof *v6);

    srandom(42);
    for (int i = 0; i < N_INPUTS; i++) {
        unsigned int r = (unsigned int)random();

        v4[i] =
            xasprintf("10.%u.%u.%u", (r >> 16) & 255, (r >> 8) & 255, r & 255);
        v6[i] = xasprintf("fd00:%x::%x:%x", r & 0xffff, (r >> 8) & 0xfff,
                          (r >> 4) & 0xff);
    }
    printf("%-6s %-22s %10s %9s %12s %9s\n", "family", "implementation", "ops",
           "seconds", "ops/s", "rss_kib");
    bench("IPv4", v4, rounds);
    bench("IPv6", v6, rounds);
    for (int i = 0; i < N_INPUTS; i++) {
        free(v4[i]);
        free(v6[i]);
    }
    free(v4);
    free(v6);
    return 0;
}
