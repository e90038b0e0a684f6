/* The OVS datapath part of `kubectl kovn trace`: the same packet through
 * the OpenFlow tables ovn-controller installed on the pod's node, with
 * `ovs-appctl ofproto/trace`, and what it says in kovn's terms next to
 * what ovn-trace says.
 *
 * ovn-trace reads the logical flows in OVN SB: what OVN means to happen.
 * ofproto/trace reads the node's ovs-vswitchd: what happens, after
 * ovn-controller turned those flows into OpenFlow and bound the pod's
 * port.  The two disagree when ovn-controller is behind or the port is not
 * bound, which is exactly what a user chasing a lost packet needs to know.
 *
 * The node's OVS is reached through its unix sockets (--ovs names its run
 * dir or ovs-vswitchd's control socket; the OVS database is db.sock beside
 * it, as OVS and scripts/ovn.sh lay them out).  This part is best effort:
 * when it cannot be done, one line says it was skipped and why, and the
 * trace goes on with OVN's verdict. */
#ifndef KOVN_CLI_TRACE_OVS_H
#define KOVN_CLI_TRACE_OVS_H 1

#include <stdbool.h>

#include "svec.h"

struct ofproto_trace;
struct trace_explanation;
struct trace_facts;
struct trace_packet;

/* The bridge ovn-controller programs (its default external_ids:ovn-bridge). */
#define TRACE_OVS_BRIDGE "br-int"
/* How long a node's OVS may take to answer one request. */
#define TRACE_OVS_TIMEOUT_MS 15000

struct cli_trace_ovs_request {
    const char *ovs;  /* A run dir or control socket; NULL: not given. */
    const char *node; /* The pod's node, "" when unscheduled. */
    const char *port; /* Its Logical_Switch_Port: the iface-id. */
    const struct trace_packet *packet; /* As given to ovn-trace. */
    const struct trace_facts *facts;   /* Names pods by their ports. */
    bool verbose; /* Print the commands and ofproto/trace's output. */
};

/* Runs ofproto/trace on the node of 'request' and adds the lines to print
 * before the verdict to 'lines': what the datapath does, and whether that
 * disagrees with 'ovn'.  Never fails: what cannot be done is a line. */
void cli_trace_ovs(const struct cli_trace_ovs_request *request,
                   const struct trace_explanation *ovn, struct svec *lines);

/* One datapath output of an ofproto_trace in kovn's terms. */
struct cli_trace_ovs_port {
    const char *iface_id; /* Its Interface's external_ids:iface-id, or NULL. */
    const char *pod;      /* "ns/name" when that is a pod's port, or NULL. */
};

/* The lines cli_trace_ovs() adds for 'trace' on 'node', with 'ports'
 * parallel to trace->outputs.  Pure, for unit tests. */
void cli_trace_ovs_summary(const char *node, const struct ofproto_trace *trace,
                           const struct cli_trace_ovs_port *ports,
                           const struct trace_explanation *ovn,
                           struct svec *lines);

#endif /* KOVN_CLI_TRACE_OVS_H */
