/* What kovn-controller's /ui shows, read from its own caches: the topology
 * (crd/topology.h) of the informers' Vpcs, Subnets, namespaces, pods and
 * IP objects plus the stale rows of its NB replica, exactly what
 * `kubectl kovn topology --ovn-nb` computes from a cluster read.  Also
 * the details of one object for a click: its conditions and the OVN rows
 * it owns. */
#ifndef KOVN_CONTROLLER_UI_VIEW_H
#define KOVN_CONTROLLER_UI_VIEW_H 1

struct controller;
struct json;
struct topology;

/* The whole picture; the caller destroys it before the model changes (it
 * points into the model). */
struct topology *ui_view_topology(struct controller *ctl);

/* A cheap summary of every input of the picture (the informers'
 * resourceVersions, NB's change number): equal summaries, equal pictures.
 * The caller frees it. */
char *ui_view_fingerprint(const struct controller *ctl);

/* {"kind", "name", "problems": [{reason, message}], "conditions": [...],
 * "ovn": [{table, name}], ...} for the object that topology_dot.c names
 * "<kind>/<name>" ("vpc", "subnet", "ns"), or NULL when there is no
 * such object. */
struct json *ui_view_object(struct controller *ctl, const char *kind,
                            const char *name);

#endif /* KOVN_CONTROLLER_UI_VIEW_H */
