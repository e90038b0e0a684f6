/* DOT text laid out and rendered as SVG by Graphviz's library (libgvc, the
 * "dot" layout engine): no layout of kovn's own. */
#ifndef KOVN_CLI_TOPOLOGY_SVG_H
#define KOVN_CLI_TOPOLOGY_SVG_H 1

struct ds;
struct kovn_error;

/* Appends the SVG of graph 'dot' to 'out'.  Returns 0 or -EINVAL (the
 * text did not parse) or -EIO (layout or rendering failed). */
int cli_topology_svg(const char *dot, struct ds *out, struct kovn_error *err);

#endif /* KOVN_CLI_TOPOLOGY_SVG_H */
