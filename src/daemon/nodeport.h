/* The node's own port on br-int, "ovn0": an OVS internal port bound to the
 * logical switch port "node-<node>" that kovn-controller made on the join
 * subnet, carrying the node's join address from its Node annotations, and
 * routes to the default VPC's subnets through the join gateway, so that
 * the node (kubelet probes, the host's own tools) reaches pods. */
#ifndef KOVN_DAEMON_NODEPORT_H
#define KOVN_DAEMON_NODEPORT_H 1

struct daemon;

/* Advances the port's set-up; retries every few seconds on failure, and
 * once up, puts back every 10 s what a restarted ovs-vswitchd or an
 * administrator took away (addresses, routes, the port itself). */
void nodeport_run(struct daemon *);
void nodeport_wait(struct daemon *);

#endif /* KOVN_DAEMON_NODEPORT_H */
