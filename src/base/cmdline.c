/* Flag values and stop signals for kovn's daemons; see cmdline.h. */
#include <config.h>

#include "base/cmdline.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openvswitch/poll-loop.h"
#include "util.h"

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
