/* What every kovn daemon's main() needs beside its own flags: the getopt
 * loop with the flags all of them take (-v, -h, --log-file, --pidfile),
 * typed flag values that end the program with a clear message when
 * malformed, and a SIGTERM/SIGINT that ends the poll loop in normal context
 * (through a pipe the loop polls) instead of inside a signal handler.
 *
 * Like OVS's VLOG_LONG_OPTIONS, a program lists the common flags in its own
 * getopt table with the macros below, so that --help and getopt's messages
 * stay the program's. */
#ifndef KOVN_BASE_CMDLINE_H
#define KOVN_BASE_CMDLINE_H 1

#include <stdbool.h>

struct option;

/* getopt values of the common flags; a program's own start at 256. */
enum {
    CMDLINE_OPT_LOG_FILE = 0x10000,
    CMDLINE_OPT_PIDFILE,
};

/* clang-format off */
/* -v, --verbose: debug logging everywhere.  -h, --help: usage(), exit 0. */
#define CMDLINE_OPTIONS_VERBOSE_HELP                                          \
    {"verbose", no_argument, NULL, 'v'},                                      \
    {"help", no_argument, NULL, 'h'}
/* --log-file=FILE: log there too.  --pidfile=FILE: OVS's pid file, locked
 * while the program runs.  cmdline_start_daemon() acts on them. */
#define CMDLINE_OPTIONS_LOG_PIDFILE                                           \
    {"log-file", required_argument, NULL, CMDLINE_OPT_LOG_FILE},              \
    {"pidfile", required_argument, NULL, CMDLINE_OPT_PIDFILE}
/* clang-format on */

/* Sets the program name for messages, logs INFO and up to the console and
 * ignores SIGPIPE (a peer that went away is an error return, not death). */
void cmdline_init(const char *argv0);

/* Called for each of the program's own flags: 'option' is its getopt value,
 * 'name' its long name (for messages), 'arg' its argument or null. */
typedef void cmdline_flag_fn(int option, const char *name, const char *arg,
                             void *aux);

/* Runs getopt_long over 'options' (terminated by a zero entry), handling
 * the common flags itself and passing every other one to 'flag'.  Exits 2
 * on an unknown flag or a non-option argument. */
void cmdline_parse(int argc, char *argv[], const struct option *options,
                   void (*usage)(void), cmdline_flag_fn *flag, void *aux);

/* Acts on --log-file (exits if it cannot be opened) and --pidfile, after
 * the program checked its flags. */
void cmdline_start_daemon(void);

/* "30s", "10m", "500ms", "1h" or plain seconds, in milliseconds.  Exits
 * with a message naming --'flag' when 'text' is not one. */
long long cmdline_duration(const char *flag, const char *text);
/* The same, and at least 'min_ms'. */
long long cmdline_duration_min(const char *flag, const char *text,
                               long long min_ms);
/* An integer in [min, max], or exit naming --'flag'. */
int cmdline_int(const char *flag, const char *text, int min, int max);

/* Installs the SIGTERM/SIGINT handlers. */
void cmdline_catch_stop_signals(void);
/* True once a stop signal arrived. */
bool cmdline_stop_requested(void);
/* Wakes the poll loop when one arrives. */
void cmdline_stop_wait(void);

#endif /* KOVN_BASE_CMDLINE_H */
