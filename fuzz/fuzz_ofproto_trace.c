/* Fuzz target for the ofproto/trace output parser and the OVS datapath
 * line built on it: any text gives a trace or a clear error, never a
 * crash, a leak or a read past the input; every output has its strings,
 * the limits hold, and the summary against each OVN verdict is a line
 * naming the node. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/ofproto_trace.h"
#include "cli/trace_explain.h"
#include "cli/trace_ovs.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
summarize(const struct ofproto_trace *t)
{
    static const enum trace_verdict verdicts[] = {
        TRACE_DELIVERED, TRACE_DROPPED, TRACE_LEFT, TRACE_UNKNOWN};
    struct cli_trace_ovs_port *ports =
        xcalloc(t->n_outputs ? t->n_outputs : 1, sizeof *ports);

    /* Every other output a pod's port, the first one OVN's. */
    for (size_t i = 0; i < t->n_outputs; i += 2) {
        ports[i].iface_id = i ? "p.ns" : "q.ns";
        ports[i].pod = "ns/p";
    }
    for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
        struct trace_explanation e = {.verdict = verdicts[i]};
        struct svec lines = SVEC_EMPTY_INITIALIZER;

        svec_init(&e.delivered_ports);
        svec_add(&e.delivered_ports, "q.ns");
        cli_trace_ovs_summary("n", t, ports, &e, &lines);
        if (!lines.n || lines.n > 2 ||
            strncmp(lines.names[0], "node n: OVS datapath: ", 22)) {
            abort();
        }
        svec_destroy(&lines);
        svec_destroy(&e.delivered_ports);
    }
    free(ports);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kovn_error err = {0};
    struct ofproto_trace t;
    int error = ofproto_trace_parse((const char *)data, size, &t, &err);

    if (t.n_outputs > OFPROTO_TRACE_OUTPUTS_MAX ||
        t.passes.n > OFPROTO_TRACE_PASSES_MAX || !t.flow) {
        abort();
    }
    for (size_t i = 0; i < t.n_outputs; i++) {
        if (!t.outputs[i].port || !t.outputs[i].tunnel_dst) {
            abort();
        }
    }
    if (error) {
        if (!err.msg[0]) {
            abort();
        }
    } else {
        summarize(&t);
    }
    ofproto_trace_destroy(&t);
    return 0;
}
