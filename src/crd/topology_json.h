/* The topology as JSON: the shape of `kubectl kovn topology -o json`,
 * stable for scripts (fields are only ever added).  docs/topology.md
 * describes every field; tests/unit/golden/topology.json is an example. */
#ifndef KOVN_CRD_TOPOLOGY_JSON_H
#define KOVN_CRD_TOPOLOGY_JSON_H 1

struct json;
struct topology;
struct topology_namespace;
struct topology_subnet;
struct topology_vpc;

/* A new JSON object: {"vpcs": [...], "subnets": [...], "namespaces": [...],
 * "staleOvnRows": [...] or null when OVN was not read, "problems": N}. */
struct json *topology_to_json(const struct topology *topology);

/* One item of "vpcs", "subnets" or "namespaces": a new JSON object. */
struct json *topology_vpc_json(const struct topology_vpc *tv);
struct json *topology_subnet_json(const struct topology_subnet *ts);
struct json *topology_namespace_json(const struct topology_namespace *ns);

#endif /* KOVN_CRD_TOPOLOGY_JSON_H */
