/* Parsing ovn-trace's detailed output; see trace.h. */
#include <config.h>

#include "ovn/trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "util.h"

/* The value of 'key="..."' inside a header such as 'egress(dp="ls",
 * inport="p")', unescaping backslashes; NULL when absent. */
static char *
header_value(const char *header, const char *key)
{
    size_t key_len = strlen(key);

    for (const char *p = header; (p = strstr(p, key)); p++) {
        bool starts = p == header || p[-1] == '(' || p[-1] == ' ';

        if (starts && !strncmp(p + key_len, "=\"", 2)) {
            const char *s = p + key_len + 2;
            char *out = xmalloc(strlen(s) + 1), *o = out;

            for (; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1]) {
                    s++;
                }
                *o++ = *s;
            }
            *o = '\0';
            return out;
        }
    }
    return NULL;
}

static bool
is_underline(const char *line, size_t len)
{
    if (!len) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (line[i] != '-') {
            return false;
        }
    }
    return true;
}

/* "NN. " at the start of a trimmed line: a table line. */
static bool
is_table_line(const char *line, int *table, const char **rest)
{
    const char *p = line;
    long n = 0;

    if (!isdigit((unsigned char)*p)) {
        return false;
    }
    while (isdigit((unsigned char)*p)) {
        n = n * 10 + (*p++ - '0');
        if (n > 255) {
            return false; /* OVN has far fewer tables; not a table line. */
        }
    }
    if (p[0] != '.' || p[1] != ' ') {
        return false;
    }
    *table = n;
    *rest = p + 2;
    return true;
}

/* Fills the table fields of 'step' from what follows "NN. ":
 *   [STAGE ][(SOURCE)]: MATCH, priority P, uuid U
 *   [STAGE: ]no match (implicit drop) */
static void
parse_table_line(const char *rest, struct ovn_trace_step *step)
{
    static const char no_match[] = "no match (implicit drop)";
    const char *p = rest, *colon, *prio, *uuid;
    size_t stage_len = strcspn(p, " :(");

    step->stage = xmemdup0(p, stage_len);
    p += stage_len;
    if (*p == ' ') {
        p++;
    }
    if (*p == '(') {
        const char *close = strchr(p, ')');
        p = close ? close + 1 : p + strlen(p);
    }
    colon = strncmp(p, ": ", 2) ? NULL : p;
    if (colon) {
        p = colon + 2;
    } else if (!strncmp(rest, no_match, strlen(no_match))) {
        free(step->stage);
        step->stage = xstrdup("");
        p = rest;
    }
    if (!strncmp(p, no_match, strlen(no_match))) {
        step->no_match = true;
        step->match = xstrdup("");
        step->uuid = xstrdup("");
        return;
    }
    /* The match may hold ", " (address sets): the fields after it are the
     * last ones on the line. */
    prio = NULL;
    for (const char *q = p; (q = strstr(q, ", priority ")); q++) {
        prio = q;
    }
    if (!prio) {
        step->match = xstrdup(p);
        step->uuid = xstrdup("");
        return;
    }
    step->match = xmemdup0(p, prio - p);
    step->priority = strtoll(prio + strlen(", priority "), NULL, 10);
    uuid = strstr(prio, ", uuid ");
    step->uuid = xstrdup(uuid ? uuid + strlen(", uuid ") : "");
}

static void
step_destroy(struct ovn_trace_step *step)
{
    free(step->datapath);
    free(step->inport);
    free(step->outport);
    free(step->stage);
    free(step->match);
    free(step->uuid);
    svec_destroy(&step->actions);
}

/* The pipeline the next table lines run in. */
struct pipeline {
    char *datapath, *inport, *outport;
    bool egress;
};

static void
pipeline_clear(struct pipeline *pl)
{
    free(pl->datapath);
    free(pl->inport);
    free(pl->outport);
    memset(pl, 0, sizeof *pl);
}

static void
pipeline_set(struct pipeline *pl, const char *header)
{
    pipeline_clear(pl);
    pl->egress = !strncmp(header, "egress(", 7);
    pl->datapath = header_value(header, "dp");
    pl->inport = header_value(header, "inport");
    pl->outport = header_value(header, "outport");
}

static bool
is_pipeline_header(const char *line)
{
    return (!strncmp(line, "ingress(", 8) || !strncmp(line, "egress(", 7) ||
            !strncmp(line, "multicast(", 10)) &&
           strstr(line, "dp=\"");
}

int
ovn_trace_parse(const char *text, size_t len, struct ovn_trace *trace,
                struct kovn_error *err)
{
    struct pipeline pl = {0};
    const char *end = text + len;
    size_t allocated = 0;
    int error = 0;

    memset(trace, 0, sizeof *trace);
    if (len > OVN_TRACE_TEXT_MAX) {
        return kovn_error_set(err, -EFBIG,
                              "ovn-trace output of %zu bytes is over the "
                              "limit of %d",
                              len, OVN_TRACE_TEXT_MAX);
    }
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', end - p);
        const char *line_end = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        const char *next_end;
        char *line;
        const char *rest;
        int table;

        /* Trim: nested branches are indented. */
        while (p < line_end && isspace((unsigned char)*p)) {
            p++;
        }
        while (line_end > p && isspace((unsigned char)line_end[-1])) {
            line_end--;
        }
        if (p == line_end || is_underline(p, line_end - p) ||
            memchr(p, '\0', line_end - p)) {
            p = next;
            continue;
        }
        line = xmemdup0(p, line_end - p);

        /* A line over a line of dashes heads a section: a pipeline, or a
         * transformation such as "ct_lb_mark" whose actions belong to the
         * flow before it. */
        next_end = memchr(next, '\n', end - next);
        next_end = next_end ? next_end : end;
        while (next < next_end && isspace((unsigned char)*next)) {
            next++;
        }

        if (line[0] == '#' && !trace->flow) {
            trace->flow = xstrdup(line + (line[1] == ' ' ? 2 : 1));
        } else if (is_pipeline_header(line)) {
            pipeline_set(&pl, line);
        } else if (is_table_line(line, &table, &rest)) {
            struct ovn_trace_step *step;

            if (trace->n_steps >= OVN_TRACE_STEPS_MAX) {
                error = kovn_error_set(err, -EFBIG,
                                       "ovn-trace output has more than %d "
                                       "tables",
                                       OVN_TRACE_STEPS_MAX);
                free(line);
                break;
            }
            if (trace->n_steps == allocated) {
                trace->steps =
                    x2nrealloc(trace->steps, &allocated, sizeof *trace->steps);
            }
            step = &trace->steps[trace->n_steps++];
            memset(step, 0, sizeof *step);
            svec_init(&step->actions);
            step->datapath = xstrdup(pl.datapath ? pl.datapath : "");
            step->inport = xstrdup(pl.inport ? pl.inport : "");
            step->outport = xstrdup(pl.outport ? pl.outport : "");
            step->egress = pl.egress;
            step->table = table;
            parse_table_line(rest, step);
        } else if (next < next_end && is_underline(next, next_end - next)) {
            /* A transformation header: nothing to keep. */
        } else if (trace->n_steps) {
            svec_add(&trace->steps[trace->n_steps - 1].actions, line);
        }
        free(line);
        p = nl ? nl + 1 : end;
    }
    pipeline_clear(&pl);
    if (!error && !trace->n_steps) {
        error = kovn_error_set(err, -EINVAL,
                               "no logical flow in ovn-trace's output");
    }
    return error;
}

void
ovn_trace_destroy(struct ovn_trace *trace)
{
    for (size_t i = 0; i < trace->n_steps; i++) {
        step_destroy(&trace->steps[i]);
    }
    free(trace->steps);
    free(trace->flow);
    memset(trace, 0, sizeof *trace);
}

bool
ovn_trace_step_drops(const struct ovn_trace_step *step)
{
    if (step->no_match) {
        return true;
    }
    for (size_t i = 0; i < step->actions.n; i++) {
        if (!strcmp(step->actions.names[i], "drop;")) {
            return true;
        }
    }
    return false;
}

bool
ovn_trace_output_line(const char *line, char **port, char **type)
{
    static const char prefix[] = "/* output to \"";
    const char *p, *q;

    if (strncmp(line, prefix, strlen(prefix))) {
        return false;
    }
    p = line + strlen(prefix);
    q = strchr(p, '"');
    if (!q || strncmp(q, "\", type \"", 9)) {
        return false;
    }
    *port = xmemdup0(p, q - p);
    p = q + 9;
    q = strchr(p, '"');
    *type = q ? xmemdup0(p, q - p) : xstrdup("");
    return true;
}
