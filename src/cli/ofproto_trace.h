/* What `ovs-appctl ofproto/trace` says a packet does in the OVS datapath
 * of a node, and the flow to ask it about.
 *
 * ofproto/trace has no machine-readable output.  It prints one section per
 * datapath pass (the first, then one per recirculation, such as each
 * conntrack step), each with "Flow: ...", the OpenFlow tables hit, "Final
 * flow:", "Megaflow:" and "Datapath actions: A,B,...".  Only the last is
 * read here: it is what the datapath would do, and its syntax is OVS's
 * datapath action syntax (odp-util's format_odp_actions()), stable across
 * releases, while the OpenFlow part is free text that changes.  From the
 * actions of every pass this keeps the outputs (a port: a number, or a
 * name with --names), tunnels (tnl_push(...) on the userspace datapath,
 * set(tunnel(...dst=...)) before the output on the kernel one) and upcalls
 * to the controller (userspace(...controller(...)) or slow_path), looking
 * into clone() and into check_pkt_len()'s branch for packets that fit.
 * No output and no upcall means the packet is dropped.  Lines it cannot
 * place are ignored.  Pure: no I/O, so it is unit-tested and fuzzed. */
#ifndef KOVN_CLI_OFPROTO_TRACE_H
#define KOVN_CLI_OFPROTO_TRACE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "svec.h"

struct kovn_error;
struct trace_packet;

/* Input accepted: a trace through OVN's ~80 tables is tens of kilobytes. */
#define OFPROTO_TRACE_TEXT_MAX (8 * 1024 * 1024)
/* Datapath passes accepted: OVN recirculates a few times per conntrack
 * zone crossed. */
#define OFPROTO_TRACE_PASSES_MAX 256
/* Outputs kept; a flood over every port of a big node stays below. */
#define OFPROTO_TRACE_OUTPUTS_MAX 4096
/* Nesting of clone()/check_pkt_len() looked into; OVN nests two or three. */
#define OFPROTO_TRACE_DEPTH_MAX 16

/* Where the packet leaves the datapath. */
struct ofproto_trace_output {
    char *port;       /* The datapath port: its name, or its number. */
    char *tunnel_dst; /* The remote tunnel endpoint, "" if not tunnelled. */
};

struct ofproto_trace {
    char *flow;         /* The first pass's "Flow:", "" when absent. */
    struct svec passes; /* Each pass's datapath actions, in order. */
    char *failure;      /* "Translation failed (REASON)": REASON. */
    struct ofproto_trace_output *outputs; /* Without duplicates. */
    size_t n_outputs, allocated_outputs;
    bool controller; /* An upcall to the controller (ovn-controller). */
};

/* Parses 'text' (of 'len' bytes, need not be null-terminated) into 'trace'
 * (always initialized: destroy it even on error).  -EFBIG past the limits
 * above, -EINVAL when there is no "Datapath actions:" line. */
int ofproto_trace_parse(const char *text, size_t len,
                        struct ofproto_trace *trace, struct kovn_error *err);
void ofproto_trace_destroy(struct ofproto_trace *trace);

/* Whether the packet goes nowhere: no output, no upcall. */
bool ofproto_trace_drops(const struct ofproto_trace *trace);

/* The OpenFlow flow of 'packet' entering OVS at OpenFlow port 'ofport', the
 * same headers as trace_microflow() gives ovn-trace; the caller frees
 * it. */
char *ofproto_trace_flow(const struct trace_packet *packet, int ofport);

#endif /* KOVN_CLI_OFPROTO_TRACE_H */
