/* Measurement helpers shared by the benchmarks. */
#ifndef KOVN_BENCH_UTIL_H
#define KOVN_BENCH_UTIL_H 1

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline double
bench_now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User+system CPU seconds this process has used. */
static inline double
bench_self_cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Current resident set size in KiB. */
static inline long
bench_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) {
            resident = 0;
        }
        fclose(f);
    }
    return resident * 4;
}

#endif /* KOVN_BENCH_UTIL_H */
