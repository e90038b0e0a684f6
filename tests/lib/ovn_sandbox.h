/* Test helper: real OVN NB/SB ovsdb-servers and ovn-northd in a temporary
 * directory, via scripts/ovn.sh.  A reaper process stops them even if the
 * test process crashes. */
#ifndef KOVN_TESTS_OVN_SANDBOX_H
#define KOVN_TESTS_OVN_SANDBOX_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

struct ovn_sandbox {
    char dir[128];
    char nb_remote[512]; /* Comma-separated TCP remotes of every member. */
    char sb_remote[512];
    char nb_unix[192]; /* Standalone only: unix:DIR/ovnnb_db.sock. */
    bool raft;
    pid_t reaper;
};

/* Starts the sandbox; aborts the test program on failure. */
void ovn_sandbox_start(struct ovn_sandbox *sb, bool raft);
/* The same without ovn-northd (for benchmarks of the NB write path). */
void ovn_sandbox_start_without_northd(struct ovn_sandbox *sb);
void ovn_sandbox_stop(struct ovn_sandbox *sb);

/* Runs scripts/ovn.sh with arguments appended after the sandbox directory
 * ("kill-member DIR nb 1" is sandbox_ovn(sb, "kill-member", "nb 1")). */
int sandbox_ovn(const struct ovn_sandbox *sb, const char *verb,
                const char *args);

/* Index (1..3) of the current Raft leader of 'kind' ("nb"/"sb"), or 0. */
int sandbox_raft_leader(const struct ovn_sandbox *sb, const char *kind);

#endif /* KOVN_TESTS_OVN_SANDBOX_H */
