/* Pod status as kubelet reports it; see podstatus.h. */
#include <config.h>

#include "sandbox/podstatus.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "cni/protocol.h"
#include "kube/object.h"
#include "openvswitch/json.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

int
podstatus_ips_from_result(const struct json *json, const char *ifname,
                          struct svec *ips, struct kovn_error *err)
{
    struct cni_result result;
    int error = cni_result_from_json(json, &result, err);
    bool any_on_iface = false;

    if (error) {
        goto out;
    }
    for (size_t i = 0; i < result.n_ips; i++) {
        int k = result.ips[i].interface;

        if (k >= 0 && (size_t)k < result.n_interfaces &&
            result.interfaces[k].sandbox &&
            !strcmp(result.interfaces[k].name, ifname)) {
            any_on_iface = true;
        }
    }
    for (size_t i = 0; i < result.n_ips; i++) {
        int k = result.ips[i].interface;
        char buf[NET_ADDR_STRLEN];

        if (any_on_iface && !(k >= 0 && (size_t)k < result.n_interfaces &&
                              result.interfaces[k].sandbox &&
                              !strcmp(result.interfaces[k].name, ifname))) {
            continue;
        }
        net_addr_format(&result.ips[i].address.addr, buf);
        svec_add(ips, buf);
    }
    if (!ips->n) {
        error = kovn_error_set(err, -EINVAL,
                               "the CNI result has no IP "
                               "address");
    }
out:
    cni_result_destroy(&result);
    return error;
}

bool
podstatus_is_current(const struct json *pod, const char *host_ip,
                     const struct svec *pod_ips)
{
    const struct json *status = json_member(pod, "status");
    const char *phase = NULL, *ip = NULL, *host = NULL;

    json_member_string(status, "phase", "", &phase, NULL);
    json_member_string(status, "podIP", "", &ip, NULL);
    json_member_string(status, "hostIP", "", &host, NULL);
    return phase && !strcmp(phase, "Running") && ip && pod_ips->n &&
           !strcmp(ip, pod_ips->names[0]) && host && !strcmp(host, host_ip) &&
           kube_condition_is_true(json_member(status, "conditions"), "Ready");
}

static struct json *
condition(const char *type, const char *now)
{
    struct json *c = json_object_create();

    json_object_put_string(c, "type", type);
    json_object_put_string(c, "status", "True");
    json_object_put(c, "lastProbeTime", json_null_create());
    json_object_put_string(c, "lastTransitionTime", now);
    return c;
}

struct json *
podstatus_running_patch(const struct json *pod, const char *host_ip,
                        const struct svec *pod_ips, const char *container_id)
{
    const struct json *spec = json_member(pod, "spec");
    const struct json *containers = json_member(spec, "containers");
    const struct json *old = json_member(pod, "status");
    struct json *status = json_object_create();
    struct json *patch = json_object_create();
    struct json *ips = json_array_create_empty();
    struct json *conds = json_array_create_empty();
    struct json *cstatuses = json_array_create_empty();
    const char *start = NULL;
    char now[KUBE_RFC3339_LEN];

    kube_rfc3339_now(now);
    json_member_string(old, "startTime", "", &start, NULL);
    for (size_t i = 0; i < pod_ips->n; i++) {
        struct json *ip = json_object_create();
        json_object_put_string(ip, "ip", pod_ips->names[i]);
        json_array_add(ips, ip);
    }
    json_array_add(conds, condition("Initialized", now));
    json_array_add(conds, condition("Ready", now));
    json_array_add(conds, condition("ContainersReady", now));
    json_array_add(conds, condition("PodScheduled", now));
    for (size_t i = 0; containers && containers->type == JSON_ARRAY &&
                       i < json_array(containers)->n;
         i++) {
        const struct json *c = json_array(containers)->elems[i];
        const char *name = NULL, *image = NULL;
        struct json *cs = json_object_create();
        struct json *state = json_object_create();
        struct json *running = json_object_create();

        json_member_string(c, "name", "", &name, NULL);
        json_member_string(c, "image", "", &image, NULL);
        json_object_put_string(cs, "name", name ? name : "");
        json_object_put(cs, "ready", json_boolean_create(true));
        json_object_put(cs, "started", json_boolean_create(true));
        json_object_put(cs, "restartCount", json_integer_create(0));
        json_object_put_string(cs, "image", image ? image : "");
        json_object_put_string(cs, "imageID", "");
        json_object_put_format(cs, "containerID", "kovn://%s-%zu",
                               container_id, i);
        json_object_put_string(running, "startedAt", start ? start : now);
        json_object_put(state, "running", running);
        json_object_put(cs, "state", state);
        json_array_add(cstatuses, cs);
    }
    json_object_put_string(status, "phase", "Running");
    json_object_put_string(status, "hostIP", host_ip);
    json_object_put_string(status, "podIP", pod_ips->names[0]);
    json_object_put(status, "podIPs", ips);
    json_object_put_string(status, "startTime", start ? start : now);
    json_object_put(status, "conditions", conds);
    json_object_put(status, "containerStatuses", cstatuses);
    json_object_put(patch, "status", status);
    return patch;
}
