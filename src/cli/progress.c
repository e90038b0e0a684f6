/* A throttled status line on a terminal; see progress.h.
 *
 * No escape sequences: the line is erased by overwriting it with spaces,
 * which works on any terminal, TERM=dumb included.  It is cut to the
 * terminal's width, because a line that wraps can no longer be redrawn
 * with '\r'. */
#include <config.h>

#include "cli/progress.h"

#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "timeval.h"
#include "util.h"

/* Width assumed when the terminal does not say (a fresh pty reports 0). */
#define DEFAULT_COLUMNS 80

struct progress_kind {
    char *what;
    size_t n;
    size_t total; /* 0: a count of objects read, not of checked. */
    size_t pages;
};

struct cli_progress {
    FILE *stream;
    bool enabled;
    long long (*now_ms)(void);
    long long last_draw_ms; /* LLONG_MIN: draw at the next count. */
    size_t shown;           /* Columns of the line on screen, 0 if none. */
    char *phase;
    struct progress_kind kinds[CLI_PROGRESS_MAX_KINDS];
    size_t n_kinds;
};

struct cli_progress *
cli_progress_create(FILE *stream, bool quiet)
{
    struct cli_progress *p = xzalloc(sizeof *p);

    p->stream = stream;
    p->enabled = !quiet && stream && isatty(fileno(stream));
    p->now_ms = time_msec;
    p->last_draw_ms = LLONG_MIN;
    return p;
}

static void
forget_kinds(struct cli_progress *p)
{
    for (size_t i = 0; i < p->n_kinds; i++) {
        free(p->kinds[i].what);
    }
    p->n_kinds = 0;
}

void
cli_progress_destroy(struct cli_progress *p)
{
    if (p) {
        cli_progress_clear(p);
        forget_kinds(p);
        free(p->phase);
        free(p);
    }
}

bool
cli_progress_enabled(const struct cli_progress *p)
{
    return p && p->enabled;
}

void
cli_progress_set_clock(struct cli_progress *p, long long (*now_ms)(void))
{
    if (p) {
        p->now_ms = now_ms;
    }
}

static size_t
columns(const struct cli_progress *p)
{
    struct winsize ws;

    if (!ioctl(fileno(p->stream), TIOCGWINSZ, &ws) && ws.ws_col > 1) {
        return ws.ws_col;
    }
    return DEFAULT_COLUMNS;
}

/* Appends how far kind 'k' is to 'ds'. */
static void
put_kind(struct ds *ds, const struct progress_kind *k)
{
    ds_put_format(ds, "%s %zu", k->what, k->n);
    if (k->total) {
        ds_put_format(ds, "/%zu", k->total);
    }
    if (k->pages > 1) {
        ds_put_format(ds, " (%zu pages)", k->pages);
    }
}

static void
draw(struct cli_progress *p)
{
    struct ds line = DS_EMPTY_INITIALIZER;
    struct ds kinds = DS_EMPTY_INITIALIZER;
    size_t width = columns(p) - 1; /* The last column would wrap. */
    const char *phase = p->phase ? p->phase : "working";

    /* The kind being read or checked is the last one: when the line is
     * too long, the earliest kinds (done by then) give way to "...". */
    for (size_t first = 0; first < p->n_kinds; first++) {
        ds_clear(&kinds);
        for (size_t i = first; i < p->n_kinds; i++) {
            ds_put_cstr(&kinds, i > first ? ", " : first ? " ..., " : " ");
            put_kind(&kinds, &p->kinds[i]);
        }
        if (strlen(phase) + 1 + kinds.length <= width) {
            break;
        }
    }
    ds_put_format(&line, "%s%s%s", phase, p->n_kinds ? ":" : "...",
                  ds_cstr(&kinds));
    ds_destroy(&kinds);
    if (line.length > width) {
        ds_truncate(&line, width);
    }
    /* Over a longer previous line: spaces over its tail, then the line
     * again so that the cursor ends right after the text. */
    if (line.length < p->shown) {
        fprintf(p->stream, "\r%*s", (int)p->shown, "");
    }
    fprintf(p->stream, "\r%s", ds_cstr(&line));
    fflush(p->stream);
    p->shown = line.length;
    p->last_draw_ms = p->now_ms();
    ds_destroy(&line);
}

/* Draws unless the last drawing is too recent. */
static void
maybe_draw(struct cli_progress *p)
{
    long long now = p->now_ms();

    if (p->last_draw_ms == LLONG_MIN ||
        now - p->last_draw_ms >= CLI_PROGRESS_INTERVAL_MS) {
        draw(p);
    }
}

void
cli_progress_phase(struct cli_progress *p, const char *name)
{
    if (!cli_progress_enabled(p)) {
        return;
    }
    forget_kinds(p);
    free(p->phase);
    p->phase = xstrdup(name);
    draw(p);
}

static void
count(struct cli_progress *p, const char *what, size_t n, size_t total,
      size_t pages)
{
    struct progress_kind *k = NULL;

    if (!cli_progress_enabled(p)) {
        return;
    }
    for (size_t i = 0; i < p->n_kinds; i++) {
        if (!strcmp(p->kinds[i].what, what)) {
            k = &p->kinds[i];
        }
    }
    if (!k) {
        if (p->n_kinds == CLI_PROGRESS_MAX_KINDS) {
            return;
        }
        k = &p->kinds[p->n_kinds++];
        k->what = xstrdup(what);
    }
    k->n = n;
    k->total = total;
    k->pages = pages;
    maybe_draw(p);
}

void
cli_progress_read(struct cli_progress *p, const char *what, size_t n,
                  size_t pages)
{
    count(p, what, n, 0, pages);
}

void
cli_progress_checked(struct cli_progress *p, const char *what, size_t n,
                     size_t total)
{
    count(p, what, n, total, 0);
}

void
cli_progress_clear(struct cli_progress *p)
{
    if (!cli_progress_enabled(p) || !p->shown) {
        return;
    }
    fprintf(p->stream, "\r%*s\r", (int)p->shown, "");
    fflush(p->stream);
    p->shown = 0;
    /* The next count shows the line again at once. */
    p->last_draw_ms = LLONG_MIN;
}
