/* SVG through libgvc; see topology_svg.h. */
#include <config.h>

#include "crd/topology_svg.h"

#include <errno.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"

/* The two plugins a DOT -> SVG rendering needs, linked in rather than
 * found through the plugin directory's config6a: that file is written by
 * `dot -c` at package install, so kovn's image (made from dpkg file lists)
 * has none, and without it Graphviz knows no layout at all.  Without the
 * pango plugin text is measured with Graphviz's own font metrics, so the
 * picture needs no fonts installed and is the same on every machine. */
extern gvplugin_library_t gvplugin_core_LTX_library;
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;

static const lt_symlist_t builtins[] = {
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {NULL, NULL},
};

/* One context for the process (kovn-controller renders every change), not
 * one per rendering: making a context loads the plugins again. */
static GVC_t *
context(void)
{
    static GVC_t *gvc;

    if (!gvc) {
        gvc = gvContextPlugins(builtins, 0);
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
