/* IP object decoding and the names derived from pods and nodes; see
 * ip.h. */
#include <config.h>

#include "crd/ip.h"

#include <string.h>

#include "kube/object.h"
#include "openvswitch/json.h"
#include "util.h"
#include "json/access.h"

static char *
spec_string(const struct json *spec, const char *key)
{
    const char *value = NULL;

    if (json_member_string(spec, key, "spec", &value, NULL) || !value) {
        return xstrdup("");
    }
    return xstrdup(value);
}

void
crd_ip_from_json(const struct json *obj, struct crd_ip *ip)
{
    const struct json *spec = json_member(obj, "spec");
    const char *name = kube_object_name(obj);

    ip->name = xstrdup(name ? name : "");
    ip->pod = spec_string(spec, "podName");
    ip->namespace = spec_string(spec, "namespace");
    ip->subnet = spec_string(spec, "subnet");
    ip->v4 = spec_string(spec, "v4IpAddress");
    ip->v6 = spec_string(spec, "v6IpAddress");
    ip->mac = spec_string(spec, "macAddress");
    ip->addresses = spec_string(spec, "ipAddress");
    ip->node = spec_string(spec, "nodeName");
}

void
crd_ip_destroy(struct crd_ip *ip)
{
    if (!ip) {
        return;
    }
    free(ip->name);
    free(ip->pod);
    free(ip->namespace);
    free(ip->subnet);
    free(ip->v4);
    free(ip->v6);
    free(ip->mac);
    free(ip->addresses);
    free(ip->node);
    memset(ip, 0, sizeof *ip);
}

const char *
crd_ip_subnet_of(const struct json *obj)
{
    const char *subnet = NULL;

    json_member_string(json_member(obj, "spec"), "subnet", "spec", &subnet,
                       NULL);
    return subnet && *subnet ? subnet : NULL;
}

char *
crd_ip_pod_key(const struct crd_ip *ip)
{
    return *ip->pod && *ip->namespace
               ? xasprintf("%s/%s", ip->namespace, ip->pod)
               : NULL;
}

char *
crd_ip_port_name(const char *pod, const char *ns)
{
    return xasprintf("%s.%s", pod, ns);
}

char *
crd_node_port_name(const char *node)
{
    return xasprintf("node-%s", node);
}
