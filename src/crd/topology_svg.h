/* DOT text laid out and rendered as SVG by Graphviz's library (libgvc, the
 * "dot" layout engine): no layout of kovn's own.  In a library of its
 * own (kovn_topology_svg), so that only the CLI and the controller, which
 * draw pictures, link libgvc. */
#ifndef KOVN_CRD_TOPOLOGY_SVG_H
#define KOVN_CRD_TOPOLOGY_SVG_H 1

struct ds;
struct kovn_error;

/* Appends the SVG of graph 'dot' to 'out'.  Returns 0 or -EINVAL (the
 * text did not parse) or -EIO (layout or rendering failed). */
int topology_svg_render(const char *dot, struct ds *out,
                        struct kovn_error *err);

#endif /* KOVN_CRD_TOPOLOGY_SVG_H */
