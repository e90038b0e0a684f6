/* Process helpers shared by the test sandboxes (OVN, Kubernetes). */
#ifndef KOVN_TESTS_SANDBOX_H
#define KOVN_TESTS_SANDBOX_H 1

#include <sys/types.h>

void sandbox_die(const char *what) __attribute__((noreturn));
char *xasprintf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command (formatted) and returns its stdout (caller frees),
 * or NULL if it exited non-zero. */
char *sandbox_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Forks a process that runs 'stop_cmd' with /bin/sh once this process
 * exits, however it exits: it waits on a pipe whose write end only this
 * process holds.  Kill it (SIGKILL) after stopping things normally. */
pid_t sandbox_start_reaper(const char *stop_cmd);

/* Runs scripts/<script>.sh stop DIR, removes DIR and ends the reaper. */
void sandbox_stop(const char *script, const char *dir, pid_t *reaper);

#endif /* KOVN_TESTS_SANDBOX_H */
