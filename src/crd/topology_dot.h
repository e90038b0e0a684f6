/* The topology as Graphviz DOT text: one node per Vpc (a dashed one per
 * missing Vpc that subnets name), Subnet, namespace and owner of stale OVN
 * rows, with ids "vpc/NAME", "subnet/NAME", "ns/NAME" and
 * "stale/KIND/NAME"; edges Vpc -> Subnet -> namespace (labelled with how
 * the namespace is bound; dashed red where the subnet is set aside) and
 * Vpc -> Vpc for peerings.  An object with problems is red, its reasons in
 * the label and reason and message in the tooltip.  Pure text: `kubectl
 * kovn topology -o dot` prints it, -o svg lays it out with libgvc. */
#ifndef KOVN_CRD_TOPOLOGY_DOT_H
#define KOVN_CRD_TOPOLOGY_DOT_H 1

struct ds;
struct topology;

/* Appends the digraph to 'out'. */
void topology_to_dot(const struct topology *topology, struct ds *out);

#endif /* KOVN_CRD_TOPOLOGY_DOT_H */
