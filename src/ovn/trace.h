/* The text ovn-trace prints (its default --detailed form) as a list of the
 * logical flows the packet hit, in the order printed.
 *
 * ovn-trace has no machine-readable output, so this parser reads its
 * detailed text: pipeline headers ("ingress(dp=\"ls\", inport=\"p\")"),
 * one line per table ("13. lr_in_ip_routing (northd.c:1): MATCH, priority
 * 50, uuid 1a2b3c4d" or "... no match (implicit drop)") and the action
 * lines below it, which include ovn-trace's own comments
 * ("/\* output to \"p\", type \"\" *\/") and errors ("*** ...").  Nested
 * branches (multicast groups) are flattened in print order.  Lines it
 * cannot place are ignored, never an error: the output of a newer OVN may
 * add some.  Pure: no I/O, so it is unit-tested and fuzzed. */
#ifndef KOVN_OVN_TRACE_H
#define KOVN_OVN_TRACE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svec.h"

struct kovn_error;

/* Input accepted: a trace of a few hundred flows is tens of kilobytes. */
#define OVN_TRACE_TEXT_MAX (8 * 1024 * 1024)
/* Table lines accepted; a multicast flood over many ports stays below. */
#define OVN_TRACE_STEPS_MAX 20000

/* One logical flow hit, or a table where nothing matched. */
struct ovn_trace_step {
    /* The pipeline it ran in: its datapath and, as the header names them,
     * the ports ("" when the header has none). */
    char *datapath;
    bool egress;
    char *inport;
    char *outport;

    int table;
    char *stage; /* "ls_in_acl", "" when not printed. */
    char *match; /* The flow's match, "" for no match. */
    int64_t priority;
    char *uuid;          /* First 8 hex digits of the SB row, "" if none. */
    bool no_match;       /* "no match (implicit drop)". */
    struct svec actions; /* The lines below it, trimmed. */
};

struct ovn_trace {
    char *flow; /* The "# ..." line: the microflow as OpenFlow fields. */
    struct ovn_trace_step *steps;
    size_t n_steps;
};

/* Parses 'text' (of 'len' bytes, need not be null-terminated) into
 * 'trace' (always initialized: destroy it even on error).  -EFBIG past the
 * limits above, -EINVAL when no table line was found. */
int ovn_trace_parse(const char *text, size_t len, struct ovn_trace *trace,
                    struct kovn_error *err);
void ovn_trace_destroy(struct ovn_trace *trace);

/* Whether 'step' ends the packet's way here: an action "drop;" or no
 * match. */
bool ovn_trace_step_drops(const struct ovn_trace_step *step);

/* If 'line' is ovn-trace's comment "/\* output to \"PORT\", type \"TYPE\"
 * *\/", stores the port and type (the caller frees them) and returns
 * true. */
bool ovn_trace_output_line(const char *line, char **port, char **type);

#endif /* KOVN_OVN_TRACE_H */
