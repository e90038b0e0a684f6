/* The OVN NB rows `kubectl kovn trace` explains a trace with, read from
 * the IDL replica into plain facts (cli/trace_explain.h), and the few NB
 * lookups that build the traced packet. */
#ifndef KOVN_CLI_TRACE_NB_H
#define KOVN_CLI_TRACE_NB_H 1

#include "net/addr.h"

struct ovn_nb;
struct trace_facts;

/* Adds every switch, router, port, ACL, load balancer VIP, static route
 * and routing policy of 'nb' to 'facts', with their kovn owners. */
void cli_trace_nb_facts(struct ovn_nb *nb, struct trace_facts *facts);

/* The MAC of the port of switch 'sw' whose addresses hold 'addr', or NULL;
 * the caller frees it. */
char *cli_trace_nb_port_mac(struct ovn_nb *nb, const char *sw,
                            const struct net_addr *addr);

/* The MAC of router port 'name' (the gateway of a subnet), or NULL; the
 * caller frees it. */
char *cli_trace_nb_router_port_mac(struct ovn_nb *nb, const char *name);

#endif /* KOVN_CLI_TRACE_NB_H */
