/* Unit tests for kubectl-kovn's progress line (src/cli/progress): what a
 * terminal receives, written to a pty as a real one would be, and that a
 * pipe or --quiet receives nothing at all. */
#include <config.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/progress.h"
#include "openvswitch/dynamic-string.h"

static long long fake_now;

static long long
fake_clock(void)
{
    return fake_now;
}

/* A reporter on a stream and the other end of that stream. */
struct fixture {
    struct cli_progress *p;
    FILE *stream; /* What the reporter writes to. */
    int reader;   /* Where what it wrote comes out. */
};

static void
start(struct fixture *f, bool quiet)
{
    f->p = cli_progress_create(f->stream, quiet);
    cli_progress_set_clock(f->p, fake_clock);
}

/* A reporter on a pty whose slave end is 'cols' columns wide and passes
 * bytes as they are. */
static void
start_terminal(struct fixture *f, unsigned short cols, bool quiet)
{
    struct winsize ws = {.ws_row = 24, .ws_col = cols};
    struct termios raw;
    int slave;

    assert_int_equal(openpty(&f->reader, &slave, NULL, NULL, &ws), 0);
    assert_int_equal(tcgetattr(slave, &raw), 0);
    cfmakeraw(&raw);
    assert_int_equal(tcsetattr(slave, TCSANOW, &raw), 0);
    f->stream = fdopen(slave, "w");
    assert_non_null(f->stream);
    start(f, quiet);
}

/* Everything readable on 'fd' within a short wait. */
static char *
drain(int fd)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    char buf[4096];

    while (poll(&pfd, 1, 200) == 1 && (pfd.revents & POLLIN)) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        ds_put_buffer(&out, buf, n);
    }
    return ds_steal_cstr(&out);
}

/* Destroys the reporter and checks that it wrote exactly 'want'. */
static void
finish(struct fixture *f, const char *want)
{
    char *got;

    cli_progress_destroy(f->p);
    fclose(f->stream);
    got = drain(f->reader);
    assert_string_equal(got, want);
    free(got);
    close(f->reader);
}

static void
test_cli_progress_redraws_in_place_on_a_terminal(void **state)
{
    struct fixture f;

    (void)state;
    start_terminal(&f, 80, false);
    assert_true(cli_progress_enabled(f.p));
    fake_now = 1000;
    cli_progress_phase(f.p, "listing");      /* Drawn at once. */
    cli_progress_read(f.p, "subnets", 0, 0); /* Too soon: not drawn. */
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(f.p, "subnets", 500, 1); /* Drawn. */
    fake_now += 10;
    cli_progress_read(f.p, "pods", 1000, 2); /* Too soon. */
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(f.p, "pods", 2000, 4); /* Drawn, with subnets. */
    cli_progress_phase(f.p, "checking"); /* Shorter: spaces over the rest. */
    cli_progress_checked(f.p, "namespaces", 3, 10); /* Too soon. */
    cli_progress_clear(f.p);
    cli_progress_clear(f.p); /* Nothing shown: nothing written. */
    finish(&f, "\rlisting..."
               "\rlisting: subnets 500"
               "\rlisting: subnets 500, pods 2000 (4 pages)"
               "\r                                         "
               "\rchecking..."
               "\r           \r");
}

static void
test_cli_progress_shows_checked_of_total_and_redraws_after_clear(void **state)
{
    struct fixture f;

    (void)state;
    start_terminal(&f, 80, false);
    cli_progress_phase(f.p, "checking");
    cli_progress_clear(f.p);
    /* Right after a clear the line comes back at once, throttle or not. */
    cli_progress_checked(f.p, "namespaces", 3, 10);
    finish(&f, "\rchecking..."
               "\r           \r"
               "\rchecking: namespaces 3/10"
               "\r                         \r");
}

/* A line that wraps cannot be redrawn with '\r': it is cut to the width. */
static void
test_cli_progress_cuts_the_line_to_the_terminal_width(void **state)
{
    struct fixture f;

    (void)state;
    start_terminal(&f, 20, false);
    cli_progress_phase(f.p, "listing");
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(f.p, "namespaces", 123456, 247);
    finish(&f, "\rlisting...\rlisting: namespaces"
               "\r                   \r");
}

/* On a narrow terminal the kinds done first give way to the current one. */
static void
test_cli_progress_drops_earlier_kinds_before_cutting(void **state)
{
    struct fixture f;

    (void)state;
    start_terminal(&f, 40, false);
    cli_progress_phase(f.p, "listing");
    cli_progress_read(f.p, "subnets", 3, 1);
    cli_progress_read(f.p, "ips", 2400, 5);
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(f.p, "pods", 1500, 3);
    finish(&f, "\rlisting...\rlisting: ..., pods 1500 (3 pages)"
               "\r                                 \r");
}

/* Everything a command does with its reporter. */
static void
exercise(struct cli_progress *p)
{
    cli_progress_phase(p, "listing");
    for (int i = 0; i < 5; i++) {
        fake_now += CLI_PROGRESS_INTERVAL_MS;
        cli_progress_read(p, "pods", i * 500, i + 1);
    }
    cli_progress_checked(p, "namespaces", 1, 2);
    cli_progress_clear(p);
    cli_progress_phase(p, "checking");
}

static void
test_cli_progress_is_silent_on_a_pipe(void **state)
{
    struct fixture f;
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0);
    f.reader = fds[0];
    f.stream = fdopen(fds[1], "w");
    assert_non_null(f.stream);
    start(&f, false);
    assert_false(cli_progress_enabled(f.p));
    exercise(f.p);
    finish(&f, "");
}

static void
test_cli_progress_is_silent_with_quiet_on_a_terminal(void **state)
{
    struct fixture f;

    (void)state;
    start_terminal(&f, 80, true);
    assert_false(cli_progress_enabled(f.p));
    exercise(f.p);
    finish(&f, "");
}

static void
test_cli_progress_accepts_no_reporter(void **state)
{
    (void)state;
    assert_false(cli_progress_enabled(NULL));
    cli_progress_phase(NULL, "listing");
    cli_progress_read(NULL, "pods", 1, 1);
    cli_progress_checked(NULL, "pods", 1, 1);
    cli_progress_clear(NULL);
    cli_progress_set_clock(NULL, fake_clock);
    cli_progress_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_progress_redraws_in_place_on_a_terminal),
        cmocka_unit_test(
            test_cli_progress_shows_checked_of_total_and_redraws_after_clear),
        cmocka_unit_test(
            test_cli_progress_cuts_the_line_to_the_terminal_width),
        cmocka_unit_test(test_cli_progress_drops_earlier_kinds_before_cutting),
        cmocka_unit_test(test_cli_progress_is_silent_on_a_pipe),
        cmocka_unit_test(test_cli_progress_is_silent_with_quiet_on_a_terminal),
        cmocka_unit_test(test_cli_progress_accepts_no_reporter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
