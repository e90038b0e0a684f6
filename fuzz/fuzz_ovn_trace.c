/* Fuzz target for the ovn-trace output parser and the explanation built on
 * it: any text gives a trace or a clear error, never a crash or a leak;
 * every step has its strings, and explaining it against a few facts (an
 * ACL, a load balancer, a route, a policy, a pod's port and a subnet, as
 * kovn owns them) always ends in a verdict. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/trace_explain.h"
#include "ovn/owner.h"
#include "ovn/trace.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
some_facts(struct trace_facts *f)
{
    struct net_cidr cidr;

    trace_facts_init(f);
    trace_facts_add_datapath(f, "ls", false, OVN_OWNER_SUBNET, "s1");
    trace_facts_add_datapath(f, "lr", true, OVN_OWNER_VPC, "v1");
    trace_facts_add_port(f, "p", "ls", OVN_OWNER_POD, "ns/p");
    trace_facts_add_port(f, "lr-ls", "lr", OVN_OWNER_SUBNET, "s1");
    trace_facts_add_acl(f, "pg", "to-lport", 2000, "ip", "drop",
                        OVN_OWNER_NETPOL, "ns/deny");
    trace_facts_add_acl(f, "ls", "from-lport", 1000, "ip", "drop", NULL, NULL);
    trace_facts_add_lb(f, "lb", "10.96.0.1:80", "10.0.0.2:80");
    trace_facts_add_route(f, "lr", "0.0.0.0/0", "10.0.0.1", OVN_OWNER_VPC,
                          "v1");
    trace_facts_add_policy(f, "lr", 100, "ip4.src == 10.0.0.0/8", "drop",
                           OVN_OWNER_VPC, "v1");
    if (!net_cidr_parse("10.0.0.0/24", NET_CIDR_NETWORK, &cidr, NULL)) {
        trace_facts_add_subnet(f, "s1", "v1", &cidr, 1);
    }
    trace_facts_set_destination(f, "10.0.0.3", "ns/svc", "10.96.0.1:80");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kovn_error err = {0};
    struct ovn_trace trace;
    int error = ovn_trace_parse((const char *)data, size, &trace, &err);

    if (error) {
        if (!err.msg[0] || trace.n_steps > OVN_TRACE_STEPS_MAX) {
            abort();
        }
    } else {
        struct trace_explanation e;
        struct trace_facts facts;

        for (size_t i = 0; i < trace.n_steps; i++) {
            const struct ovn_trace_step *s = &trace.steps[i];
            if (!s->datapath || !s->stage || !s->match || !s->uuid ||
                !s->inport || !s->outport) {
                abort();
            }
        }
        some_facts(&facts);
        trace_explain(&trace, &facts, &e);
        if (!e.verdict_text || !e.verdict_text[0]) {
            abort();
        }
        trace_explanation_destroy(&e);
        trace_facts_destroy(&facts);
    }
    ovn_trace_destroy(&trace);
    return 0;
}
