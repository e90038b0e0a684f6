/* What every kovn daemon's main() needs beside its own flags: typed flag
 * values that end the program with a clear message when malformed, and a
 * SIGTERM/SIGINT that ends the poll loop in normal context (through a pipe
 * the loop polls) instead of inside a signal handler. */
#ifndef KOVN_BASE_CMDLINE_H
#define KOVN_BASE_CMDLINE_H 1

#include <stdbool.h>

/* "30s", "10m", "500ms", "1h" or plain seconds, in milliseconds.  Exits
 * with a message naming --'flag' when 'text' is not one. */
long long cmdline_duration(const char *flag, const char *text);
/* An integer in [min, max], or exit naming --'flag'. */
int cmdline_int(const char *flag, const char *text, int min, int max);

/* Installs the SIGTERM/SIGINT handlers. */
void cmdline_catch_stop_signals(void);
/* True once a stop signal arrived. */
bool cmdline_stop_requested(void);
/* Wakes the poll loop when one arrives. */
void cmdline_stop_wait(void);

#endif /* KOVN_BASE_CMDLINE_H */
