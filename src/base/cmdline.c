/* Flag parsing, flag values and stop signals for kovn's daemons; see
 * cmdline.h. */
#include <config.h>

#include "base/cmdline.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fatal-signal.h"
#include "lib/daemon.h" /* OVS's pid file */
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "util.h"

/* What cmdline_parse() found for cmdline_start_daemon(). */
static const char *log_file;
static const char *pidfile;
static bool verbose;

void
cmdline_init(const char *argv0)
{
    set_program_name(argv0);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_INFO);
    fatal_ignore_sigpipe();
}

static const char *
option_name(const struct option *options, int value)
{
    for (const struct option *o = options; o->name; o++) {
        if (o->val == value) {
            return o->name;
        }
    }
    return "";
}

void
cmdline_parse(int argc, char *argv[], const struct option *options,
              void (*usage)(void), cmdline_flag_fn *flag, void *aux)
{
    for (;;) {
        int c = getopt_long(argc, argv, "vh", options, NULL);

        switch (c) {
        case -1:
            if (optind < argc) {
                ovs_fatal(0, "unexpected argument \"%s\" (see --help)",
                          argv[optind]);
            }
            return;
        case 'v':
            verbose = true;
            vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_DBG);
            break;
        case 'h':
            usage();
            exit(EXIT_SUCCESS);
        case CMDLINE_OPT_LOG_FILE:
            log_file = optarg;
            break;
        case CMDLINE_OPT_PIDFILE:
            pidfile = optarg;
            break;
        case '?':
            /* getopt_long() said what was wrong. */
            exit(2);
        default:
            flag(c, option_name(options, c), optarg, aux);
            break;
        }
    }
}

void
cmdline_start_daemon(void)
{
    if (log_file) {
        if (vlog_set_log_file(log_file)) {
            ovs_fatal(0, "--log-file=%s: cannot open", log_file);
        }
        if (!verbose) {
            vlog_set_levels(NULL, VLF_FILE, VLL_INFO);
        }
    }
    if (pidfile) {
        /* OVS's pid file: locked while we run, so that a file left by a
         * killed daemon is simply overwritten. */
        set_pidfile(pidfile);
        daemonize_start(false);
        daemonize_complete();
    }
}

long long
cmdline_duration(const char *flag, const char *text)
{
    char *end;
    double value = strtod(text, &end);
    double scale = !strcmp(end, "ms")           ? 1
                   : !strcmp(end, "s") || !*end ? 1000
                   : !strcmp(end, "m")          ? 60 * 1000
                   : !strcmp(end, "h")          ? 3600 * 1000
                                                : -1;

    if (end == text || scale < 0 || value < 0 || value * scale > 1e15) {
        ovs_fatal(0, "--%s=%s: expected a duration such as 30s or 10m", flag,
                  text);
    }
    return (long long)(value * scale);
}

long long
cmdline_duration_min(const char *flag, const char *text, long long min_ms)
{
    long long ms = cmdline_duration(flag, text);

    if (ms < min_ms) {
        ovs_fatal(0, "--%s=%s: expected a duration of at least %lld ms", flag,
                  text, min_ms);
    }
    return ms;
}

int
cmdline_int(const char *flag, const char *text, int min, int max)
{
    char *end;
    long value = strtol(text, &end, 10);

    if (end == text || *end || value < min || value > max) {
        ovs_fatal(0, "--%s=%s: expected an integer from %d to %d", flag, text,
                  min, max);
    }
    return value;
}

static int stop_pipe[2] = {-1, -1};

static void
on_stop_signal(int sig)
{
    char c = (char)sig;
    ssize_t n = write(stop_pipe[1], &c, 1);
    (void)n;
}

void
cmdline_catch_stop_signals(void)
{
    struct sigaction sa;

    if (pipe(stop_pipe)) {
        ovs_fatal(errno, "pipe");
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

bool
cmdline_stop_requested(void)
{
    struct pollfd pfd = {.fd = stop_pipe[0], .events = POLLIN};

    return poll(&pfd, 1, 0) > 0;
}

void
cmdline_stop_wait(void)
{
    poll_fd_wait(stop_pipe[0], POLLIN);
}
