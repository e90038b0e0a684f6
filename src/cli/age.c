/* kubectl-style ages; see age.h. */
#include <config.h>

#include "cli/age.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, so
 * that parsing does not depend on the TZ environment as mktime() would. */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (long long)doe - 719468;
}

bool
cli_age_parse(const char *text, time_t *t)
{
    int year, mon, day, hour, min, sec, n = 0;
    long long offset = 0;
    const char *p;

    if (!text ||
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour,
               &min, &sec, &n) != 6 ||
        n != 19) {
        return false;
    }
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60) {
        return false;
    }
    p = text + n;
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            continue;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, m = 0;

        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5) {
            return false;
        }
        offset = (oh * 60LL + om) * 60 * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return false;
    }
    if (*p) {
        return false;
    }
    *t = (time_t)(days_from_civil(year, mon, day) * 86400 + hour * 3600LL +
                  min * 60LL + sec - offset);
    return true;
}

long long
cli_age_seconds(const char *timestamp, time_t now)
{
    time_t t;

    if (!cli_age_parse(timestamp, &t)) {
        return -1;
    }
    /* Clocks of the API server and this machine may differ a little: an
     * object from "the future" is simply new. */
    return now > t ? (long long)(now - t) : 0;
}

void
cli_age_format(long long s, char buf[CLI_AGE_LEN])
{
    long long m = s / 60, h = s / 3600, d = h / 24;

    if (s < 0) {
        snprintf(buf, CLI_AGE_LEN, "<unknown>");
    } else if (s < 60 * 2) {
        snprintf(buf, CLI_AGE_LEN, "%llds", s);
    } else if (m < 10) {
        if (s % 60) {
            snprintf(buf, CLI_AGE_LEN, "%lldm%llds", m, s % 60);
        } else {
            snprintf(buf, CLI_AGE_LEN, "%lldm", m);
        }
    } else if (m < 60 * 3) {
        snprintf(buf, CLI_AGE_LEN, "%lldm", m);
    } else if (h < 8) {
        if (m % 60) {
            snprintf(buf, CLI_AGE_LEN, "%lldh%lldm", h, m % 60);
        } else {
            snprintf(buf, CLI_AGE_LEN, "%lldh", h);
        }
    } else if (h < 48) {
        snprintf(buf, CLI_AGE_LEN, "%lldh", h);
    } else if (h < 24 * 8) {
        if (h % 24) {
            snprintf(buf, CLI_AGE_LEN, "%lldd%lldh", d, h % 24);
        } else {
            snprintf(buf, CLI_AGE_LEN, "%lldd", d);
        }
    } else if (h < 24 * 365 * 2) {
        snprintf(buf, CLI_AGE_LEN, "%lldd", d);
    } else if (h < 24 * 365 * 8) {
        if (d % 365) {
            snprintf(buf, CLI_AGE_LEN, "%lldy%lldd", d / 365, d % 365);
        } else {
            snprintf(buf, CLI_AGE_LEN, "%lldy", d / 365);
        }
    } else {
        snprintf(buf, CLI_AGE_LEN, "%lldy", d / 365);
    }
}
