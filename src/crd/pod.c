/* Pod decoding; see pod.h. */
#include <config.h>

#include "crd/pod.h"

#include <string.h>

#include "crd/ip.h"
#include "crd/names.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

static char *
string_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

static const char *
member_string(const struct json *obj, const char *section, const char *key)
{
    const char *s = NULL;

    json_member_string(json_member(obj, section), key, section, &s, NULL);
    return s;
}

const char *
crd_pod_node_of(const struct json *obj)
{
    const char *node = member_string(obj, "spec", "nodeName");

    return node && *node ? node : NULL;
}

void
crd_pod_from_json(const struct json *obj, struct crd_pod *pod)
{
    const char *phase = member_string(obj, "status", "phase");
    const char *policy = member_string(obj, "spec", "restartPolicy");
    char *key = kube_object_key(obj);
    bool host = false;

    pod->key = key ? key : xstrdup("");
    pod->namespace = string_or_empty(kube_object_namespace(obj));
    pod->name = string_or_empty(kube_object_name(obj));
    pod->uid = string_or_empty(kube_object_uid(obj));
    pod->node = string_or_empty(member_string(obj, "spec", "nodeName"));
    json_member_bool(json_member(obj, "spec"), "hostNetwork", "spec", &host,
                     NULL);
    pod->host_network = host;
    pod->finished =
        phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")) &&
        (!policy || strcmp(policy, "Always"));
    smap_init(&pod->annotations);
    kube_object_annotations(obj, ANN_PREFIX, &pod->annotations);
}

void
crd_pod_destroy(struct crd_pod *pod)
{
    if (!pod) {
        return;
    }
    free(pod->key);
    free(pod->namespace);
    free(pod->name);
    free(pod->uid);
    free(pod->node);
    smap_destroy(&pod->annotations);
    memset(pod, 0, sizeof *pod);
}

const char *
crd_pod_annotation(const struct crd_pod *pod, const char *key)
{
    const char *value = smap_get(&pod->annotations, key);

    return value && *value ? value : NULL;
}

char *
crd_pod_port_name(const char *key)
{
    const char *slash = strchr(key, '/');

    if (!slash) {
        return xstrdup(key);
    }
    char *ns = xmemdup0(key, slash - key);
    char *name = crd_ip_port_name(slash + 1, ns);

    free(ns);
    return name;
}
