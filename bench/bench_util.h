/* Measurement helpers shared by the benchmarks. */
#ifndef KOVN_BENCH_UTIL_H
#define KOVN_BENCH_UTIL_H 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The index of 'name' if it is "<prefix><digits>" below 'n', else -1. */
static inline int
bench_index_of(const char *name, const char *prefix, int n)
{
    size_t len = strlen(prefix);
    char *end;
    long i;

    if (!name || strncmp(name, prefix, len)) {
        return -1;
    }
    i = strtol(name + len, &end, 10);
    return end != name + len && !*end && i >= 0 && i < n ? i : -1;
}

/* The largest of the 'n' values of 'v', or 0: the last of a set of
 * timestamps. */
static inline double
bench_latest(const double *v, int n)
{
    double max = 0;

    for (int i = 0; i < n; i++) {
        max = v[i] > max ? v[i] : max;
    }
    return max;
}

/* Prints a row of a benchmark's table: 'what' (in 'width' columns), the
 * work size 'n', the time, ops/s, CPU seconds (if >= 0), peak RSS (if
 * 'hwm_kib' > 0) and the ratio to the baseline (if > 0); "-" for those
 * not given. */
static inline void
bench_print_row(int width, const char *what, long n, double seconds,
                double cpu, long hwm_kib, double ratio)
{
    char cpu_text[16] = "-", hwm_text[16] = "-", ratio_text[16] = "-";

    if (cpu >= 0) {
        snprintf(cpu_text, sizeof cpu_text, "%.2f s", cpu);
    }
    if (hwm_kib > 0) {
        snprintf(hwm_text, sizeof hwm_text, "%.1f MiB", hwm_kib / 1024.0);
    }
    if (ratio > 0) {
        snprintf(ratio_text, sizeof ratio_text, "%.2f", ratio);
    }
    printf("%-*s %6ld %8.2f %8.0f %9s %10s %6s\n", width, what, n, seconds,
           n / seconds, cpu_text, hwm_text, ratio_text);
}

#endif /* KOVN_BENCH_UTIL_H */
