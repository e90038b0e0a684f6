/* SVG through libgvc; see topology_svg.h. */
#include <config.h>

#include "crd/topology_svg.h"

#include <errno.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"

/* One Graphviz context for the process: graphviz 2.42's pango plugin keeps
 * pointers to font names owned by the context that first rendered text, so
 * a second context, after the first is freed, reads freed memory. */
static GVC_t *
context(void)
{
    static GVC_t *gvc;

    if (!gvc) {
        gvc = gvContext();
    }
    return gvc;
}

int
topology_svg_render(const char *dot, struct ds *out, struct kovn_error *err)
{
    GVC_t *gvc = context();
    Agraph_t *graph = agmemread(dot);
    char *data = NULL;
    unsigned int len = 0;
    int error = 0;

    if (!graph) {
        error = kovn_error_set(err, -EINVAL,
                               "graphviz: the DOT text does "
                               "not parse");
        goto out;
    }
    if (gvLayout(gvc, graph, "dot")) {
        error = kovn_error_set(err, -EIO, "graphviz: dot layout failed");
        goto out;
    }
    if (gvRenderData(gvc, graph, "svg", &data, &len)) {
        error = kovn_error_set(err, -EIO, "graphviz: svg rendering failed");
    } else {
        ds_put_buffer(out, data, len);
    }
    gvFreeRenderData(data);
    gvFreeLayout(gvc, graph);

out:
    if (graph) {
        agclose(graph);
    }
    return error;
}
