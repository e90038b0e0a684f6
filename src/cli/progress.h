/* Progress of kubectl-kovn's long work (listing a big cluster, checking
 * what was listed) as one status line on a terminal, e.g.
 *
 *   listing: subnets 40, vpcs 3, ips 12000 (24 pages), pods 3500 (7 pages)
 *
 * redrawn in place with '\r' at most every CLI_PROGRESS_INTERVAL_MS.  When
 * the stream is not a terminal (piped, redirected, in CI) or the user gave
 * --quiet, nothing at all is written, so scripts see only the command's
 * output.
 *
 * The line shares the terminal with the command's stdout: callers clear it
 * (cli_progress_clear()) before printing anything.  Every function accepts
 * a NULL reporter and then does nothing. */
#ifndef KOVN_CLI_PROGRESS_H
#define KOVN_CLI_PROGRESS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* At most 10 redraws a second: fast enough to look live, slow enough that
 * a remote terminal is not flooded by one line per page. */
#define CLI_PROGRESS_INTERVAL_MS 100
/* Kinds shown in one phase; later ones are counted silently. */
#define CLI_PROGRESS_MAX_KINDS 12

struct cli_progress;

/* A reporter writing to 'stream' if it is a terminal and 'quiet' is
 * false; otherwise a silent one. */
struct cli_progress *cli_progress_create(FILE *stream, bool quiet);
/* Clears the line (if shown) and frees 'p'. */
void cli_progress_destroy(struct cli_progress *p);

/* Whether anything will ever be written. */
bool cli_progress_enabled(const struct cli_progress *p);

/* Starts phase 'name' ("listing", "checking"): forgets the counts of the
 * previous phase and draws at once. */
void cli_progress_phase(struct cli_progress *p, const char *name);
/* 'n' objects of kind 'what' read so far, in 'pages' pages. */
void cli_progress_read(struct cli_progress *p, const char *what, size_t n,
                       size_t pages);
/* 'n' of 'total' objects of kind 'what' checked so far. */
void cli_progress_checked(struct cli_progress *p, const char *what, size_t n,
                          size_t total);
/* Erases the line, if one is shown; the next count draws it again. */
void cli_progress_clear(struct cli_progress *p);

/* For tests: the clock that throttles redraws (default time_msec()). */
void cli_progress_set_clock(struct cli_progress *p, long long (*now_ms)(void));

#endif /* KOVN_CLI_PROGRESS_H */
