/* Running a tool (ovn-trace, ovs-appctl, ovs-vsctl) and reading what it
 * prints, bounded in time and size: a command must never hang on a tool
 * whose peer does not answer, nor buffer without limit what it prints. */
#ifndef KOVN_CLI_RUN_H
#define KOVN_CLI_RUN_H 1

#include <stddef.h>

struct ds;
struct kovn_error;

/* Runs 'argv' (argv[0] looked up on $PATH) with stdout and stderr into
 * 'out', for at most 'timeout_ms' and 'max_bytes' bytes of output.
 * Returns 0 (then '*status' is the exit status from waitpid()) or a
 * negative errno: -ETIMEDOUT, -EFBIG (the tool is killed), or why it could
 * not start. */
int cli_run_capture(char *const argv[], long long timeout_ms, size_t max_bytes,
                    struct ds *out, int *status, struct kovn_error *err);

#endif /* KOVN_CLI_RUN_H */
