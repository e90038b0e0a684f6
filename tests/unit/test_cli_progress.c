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

/* A pty whose slave end is 'cols' columns wide and passes bytes as they
 * are; '*stream' writes to the slave, '*master' reads what it got. */
static void
open_terminal(unsigned short cols, FILE **stream, int *master)
{
    struct winsize ws = {.ws_row = 24, .ws_col = cols};
    struct termios raw;
    int slave;

    assert_int_equal(openpty(master, &slave, NULL, NULL, &ws), 0);
    assert_int_equal(tcgetattr(slave, &raw), 0);
    cfmakeraw(&raw);
    assert_int_equal(tcsetattr(slave, TCSANOW, &raw), 0);
    *stream = fdopen(slave, "w");
    assert_non_null(*stream);
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

static void
test_cli_progress_redraws_in_place_on_a_terminal(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int master;

    (void)state;
    open_terminal(80, &stream, &master);
    p = cli_progress_create(stream, false);
    assert_true(cli_progress_enabled(p));
    cli_progress_set_clock(p, fake_clock);
    fake_now = 1000;

    cli_progress_phase(p, "listing");      /* Drawn at once. */
    cli_progress_read(p, "subnets", 0, 0); /* Too soon: not drawn. */
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(p, "subnets", 500, 1); /* Drawn. */
    fake_now += 10;
    cli_progress_read(p, "pods", 1000, 2); /* Too soon. */
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(p, "pods", 2000, 4); /* Drawn, with subnets. */
    cli_progress_phase(p, "checking");     /* Shorter: spaces over the rest. */
    cli_progress_checked(p, "namespaces", 3, 10); /* Too soon. */
    cli_progress_clear(p);
    cli_progress_clear(p); /* Nothing shown: nothing written. */
    cli_progress_destroy(p);
    fclose(stream);

    got = drain(master);
    assert_string_equal(got, "\rlisting..."
                             "\rlisting: subnets 500"
                             "\rlisting: subnets 500, pods 2000 (4 pages)"
                             "\r                                         "
                             "\rchecking..."
                             "\r           \r");
    free(got);
    close(master);
}

static void
test_cli_progress_shows_checked_of_total_and_redraws_after_clear(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int master;

    (void)state;
    open_terminal(80, &stream, &master);
    p = cli_progress_create(stream, false);
    cli_progress_set_clock(p, fake_clock);
    fake_now = 5000;
    cli_progress_phase(p, "checking");
    cli_progress_clear(p);
    /* Right after a clear the line comes back at once, throttle or not. */
    cli_progress_checked(p, "namespaces", 3, 10);
    cli_progress_destroy(p);
    fclose(stream);

    got = drain(master);
    assert_string_equal(got, "\rchecking..."
                             "\r           \r"
                             "\rchecking: namespaces 3/10"
                             "\r                         \r");
    free(got);
    close(master);
}

/* A line that wraps cannot be redrawn with '\r': it is cut to the width. */
static void
test_cli_progress_cuts_the_line_to_the_terminal_width(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int master;

    (void)state;
    open_terminal(20, &stream, &master);
    p = cli_progress_create(stream, false);
    cli_progress_set_clock(p, fake_clock);
    cli_progress_phase(p, "listing");
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(p, "namespaces", 123456, 247);
    cli_progress_destroy(p);
    fclose(stream);
    got = drain(master);
    assert_string_equal(got, "\rlisting...\rlisting: namespaces"
                             "\r                   \r");
    free(got);
    close(master);
}

/* On a narrow terminal the kinds done first give way to the current one. */
static void
test_cli_progress_drops_earlier_kinds_before_cutting(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int master;

    (void)state;
    open_terminal(40, &stream, &master);
    p = cli_progress_create(stream, false);
    cli_progress_set_clock(p, fake_clock);
    cli_progress_phase(p, "listing");
    cli_progress_read(p, "subnets", 3, 1);
    cli_progress_read(p, "ips", 2400, 5);
    fake_now += CLI_PROGRESS_INTERVAL_MS;
    cli_progress_read(p, "pods", 1500, 3);
    cli_progress_destroy(p);
    fclose(stream);
    got = drain(master);
    assert_string_equal(got, "\rlisting...\rlisting: ..., pods 1500 (3 pages)"
                             "\r                                 \r");
    free(got);
    close(master);
}

static void
exercise(struct cli_progress *p)
{
    cli_progress_set_clock(p, fake_clock);
    cli_progress_phase(p, "listing");
    for (int i = 0; i < 5; i++) {
        fake_now += CLI_PROGRESS_INTERVAL_MS;
        cli_progress_read(p, "pods", i * 500, i + 1);
    }
    cli_progress_checked(p, "namespaces", 1, 2);
    cli_progress_clear(p);
    cli_progress_phase(p, "checking");
    cli_progress_destroy(p);
}

static void
test_cli_progress_is_silent_on_a_pipe(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0);
    stream = fdopen(fds[1], "w");
    assert_non_null(stream);
    p = cli_progress_create(stream, false);
    assert_false(cli_progress_enabled(p));
    exercise(p);
    fclose(stream);
    got = drain(fds[0]);
    assert_string_equal(got, "");
    free(got);
    close(fds[0]);
}

static void
test_cli_progress_is_silent_with_quiet_on_a_terminal(void **state)
{
    struct cli_progress *p;
    FILE *stream;
    char *got;
    int master;

    (void)state;
    open_terminal(80, &stream, &master);
    p = cli_progress_create(stream, true);
    assert_false(cli_progress_enabled(p));
    exercise(p);
    fclose(stream);
    got = drain(master);
    assert_string_equal(got, "");
    free(got);
    close(master);
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
