/* CRDs and defaults at start; see startup.h. */
#include <config.h>

#include "controller/startup.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "controller/controller.h"
#include "controller/embedded.h"
#include "crd/names.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/yaml_reader.h"

VLOG_DEFINE_THIS_MODULE(startup);

#define CRD_PATH "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

int
startup_apply_crds(struct kube_client *client, struct kovn_error *err)
{
    for (const struct embedded_file *f = kovn_crds; f->name; f++) {
        struct kube_response response;
        struct json *crd;
        char *path;
        int error;

        if (json_from_yaml(f->name, f->text, f->len, &crd, err)) {
            return -EINVAL;
        }
        const char *name = kube_object_name(crd);
        path = xasprintf(CRD_PATH "/%s", name ? name : "");
        error =
            kube_client_call(client, "GET", path, NULL, NULL, &response, err);
        if (!error && response.status == 404) {
            kube_response_destroy(&response);
            error = kube_client_call(client, "POST", CRD_PATH, crd, NULL,
                                     &response, err);
            if (!error && response.status != 201 && response.status != 409) {
                error =
                    kovn_error_set(err, -EPROTO, "creating CRD %s: %ld %s",
                                   name, response.status, response.message);
            } else if (!error) {
                VLOG_INFO("created CRD %s", name);
            }
        } else if (!error && response.status != 200) {
            error = kovn_error_set(err, -EPROTO, "reading CRD %s: %ld %s",
                                   name, response.status, response.message);
        }
        if (!error) {
            kube_response_destroy(&response);
        }
        free(path);
        json_destroy(crd);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* One create in flight per default object. */
struct pending_create {
    bool in_flight;
    long long retry_at;
};

static struct pending_create pending[3];

static void
create_done(struct kube_response *response, void *slot_)
{
    struct pending_create *slot = slot_;

    slot->in_flight = false;
    /* Also after success: the informer needs a moment to show the object,
     * and asking again meanwhile would only earn a 409. */
    slot->retry_at = time_msec() + 2000;
    if (response->status != 201 && response->status != 409) {
        VLOG_WARN("creating a default object: %ld %s", response->status,
                  response->message);
    }
}

static void
create(struct controller *ctl, struct pending_create *slot, const char *path,
       struct json *obj)
{
    if (!slot->in_flight && time_msec() >= slot->retry_at) {
        VLOG_INFO("creating default %s %s", path, kube_object_name(obj));
        slot->in_flight = true;
        kube_client_send(ctl->client, "POST", path, obj, NULL, create_done,
                         slot);
    }
    json_destroy(obj);
}

static struct json *
object(const char *kind, const char *name)
{
    struct json *meta = json_object_create();
    struct json *obj = json_object_create();

    json_object_put_string(obj, "apiVersion", CRD_GROUP_VERSION);
    json_object_put_string(obj, "kind", kind);
    json_object_put_string(meta, "name", name);
    json_object_put(obj, "metadata", meta);
    return obj;
}

static struct json *
subnet_object(const struct controller *ctl, const char *name, const char *cidr,
              const char *gateway, bool is_default)
{
    struct json *obj = object("Subnet", name);
    struct json *spec = json_object_create();

    json_object_put_string(spec, "vpc", ctl->opts.default_vpc);
    json_object_put_string(spec, "protocol",
                           strchr(cidr, ':') ? "IPv6" : "IPv4");
    json_object_put_string(spec, "cidrBlock", cidr);
    if (gateway && *gateway) {
        json_object_put_string(spec, "gateway", gateway);
    }
    json_object_put(spec, "default", json_boolean_create(is_default));
    /* As Kube-OVN creates it: the default subnet's pods reach the outside
     * masqueraded by their node. */
    json_object_put(spec, "natOutgoing", json_boolean_create(is_default));
    json_object_put(obj, "spec", spec);
    return obj;
}

bool
startup_ensure_defaults(struct controller *ctl)
{
    const struct controller_options *o = &ctl->opts;
    bool done = true;

    if (!kube_informer_contains(ctl->vpc_informer, o->default_vpc)) {
        create(ctl, &pending[0], CTRL_VPCS_PATH,
               object("Vpc", o->default_vpc));
        /* The subnets name the VPC; the webhook wants it first. */
        return false;
    }
    if (!kube_informer_contains(ctl->subnet_informer, o->default_subnet)) {
        create(ctl, &pending[1], CTRL_SUBNETS_PATH,
               subnet_object(ctl, o->default_subnet, o->default_cidr,
                             o->default_gateway, true));
        done = false;
    }
    if (o->join_subnet && *o->join_subnet &&
        !kube_informer_contains(ctl->subnet_informer, o->join_subnet)) {
        create(ctl, &pending[2], CTRL_SUBNETS_PATH,
               subnet_object(ctl, o->join_subnet, o->join_cidr, NULL, false));
        done = false;
    }
    return done;
}
