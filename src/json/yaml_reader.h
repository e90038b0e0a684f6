/* YAML to OVS 'struct json', for kubeconfig files and manifests.
 *
 * Only the first document is read.  Scalars follow the YAML 1.2 core schema
 * for plain (unquoted) values: null/~/empty, true/false, integers and floats
 * become JSON null, booleans and numbers; anything quoted or otherwise is a
 * string.  Anchors and aliases are rejected: expanding them is how a small
 * file becomes a huge tree ("billion laughs"), and Kubernetes files do not
 * need them. */
#ifndef KOVN_JSON_YAML_READER_H
#define KOVN_JSON_YAML_READER_H 1

#include <stddef.h>

struct json;
struct kovn_error;

/* Hard limits on input a peer or user controls. */
#define YAML_MAX_BYTES (4 * 1024 * 1024)
#define YAML_MAX_DEPTH 64

/* Parses 'len' bytes of 'text'.  On success stores a new tree in '*out'
 * (caller frees with json_destroy()).  'source' names the input in
 * messages, which carry the line and column of a syntax error. */
int json_from_yaml(const char *source, const char *text, size_t len,
                   struct json **out, struct kovn_error *err);

#endif /* KOVN_JSON_YAML_READER_H */
