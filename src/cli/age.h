/* Ages of Kubernetes objects as kubectl prints them ("5s", "3m10s", "2h",
 * "4d"), from the RFC 3339 timestamps the API server writes. */
#ifndef KOVN_CLI_AGE_H
#define KOVN_CLI_AGE_H 1

#include <stdbool.h>
#include <time.h>

/* Room for any output of cli_age_format(). */
#define CLI_AGE_LEN 32

/* Parses "2026-11-25T14:00:00Z" (fractional seconds and "+hh:mm" offsets
 * allowed, as metav1.Time and MicroTime may carry them).  Returns false
 * and leaves '*t' alone if 'text' is not such a time. */
bool cli_age_parse(const char *text, time_t *t);

/* Seconds from 'timestamp' to 'now', or -1 when 'timestamp' is missing or
 * unparseable. */
long long cli_age_seconds(const char *timestamp, time_t now);

/* Formats an age in seconds exactly as kubectl's AGE column does
 * (apimachinery's duration.HumanDuration); a negative age, meaning
 * unknown, prints "<unknown>". */
void cli_age_format(long long seconds, char buf[CLI_AGE_LEN]);

#endif /* KOVN_CLI_AGE_H */
