/* Fuzz target for the admission webhook's decisions: any JSON body gives a
 * well-formed AdmissionReview response or a clear -EINVAL error, never a
 * crash or a leak, and a denial always carries a bounded message. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "controller/webhook.h"
#include "crd/model.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const cluster[] = {
    "{\"kind\":\"Vpc\",\"metadata\":{\"name\":\"ovn-cluster\"}}",
    "{\"kind\":\"Vpc\",\"metadata\":{\"name\":\"v1\"}}",
    "{\"kind\":\"Vpc\",\"metadata\":{\"name\":\"dying\","
    "\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"}}",
    "{\"metadata\":{\"name\":\"ovn-default\"},"
    "\"spec\":{\"cidrBlock\":\"10.16.0.0/16\"}}",
    "{\"metadata\":{\"name\":\"a\"},"
    "\"spec\":{\"vpc\":\"v1\",\"cidrBlock\":\"10.0.0.0/24\"}}",
    "{\"metadata\":{\"name\":\"b\"},\"spec\":{\"vpc\":\"v1\","
    "\"protocol\":\"Dual\",\"cidrBlock\":\"10.1.0.0/24,fd00::/120\"}}",
    "{\"metadata\":{\"name\":\"bad\"},"
    "\"spec\":{\"vpc\":\"v1\",\"cidrBlock\":\"10.0.0.0/33\"}}",
    "{\"metadata\":{\"name\":\"orphan\"},"
    "\"spec\":{\"vpc\":\"gone\",\"cidrBlock\":\"10.9.0.0/24\"}}",
};

/* Some subnets have pods, so that the "moved while in use" rule runs. */
static size_t
count_ips(const char *subnet, void *aux)
{
    (void)aux;
    return strlen(subnet) % 3;
}

static struct crd_model *
build_model(void)
{
    struct crd_model *model = crd_model_create("ovn-cluster", "ovn-default");

    for (size_t i = 0; i < ARRAY_SIZE(cluster); i++) {
        struct json *obj = json_from_string(cluster[i]);

        if (strstr(cluster[i], "\"Vpc\"")) {
            crd_model_put_vpc(model, obj);
        } else {
            crd_model_put_subnet(model, obj);
        }
        json_destroy(obj);
    }
    return model;
}

static const struct json *
member(const struct json *obj, const char *key, enum json_type type)
{
    const struct json *m = obj && obj->type == JSON_OBJECT
                               ? shash_find_data(json_object(obj), key)
                               : NULL;

    if (!m || m->type != type) {
        abort();
    }
    return m;
}

static void
check_response(const struct json *review, const struct json *out)
{
    const struct json *request =
        shash_find_data(json_object(review), "request");
    const struct json *response = member(out, "response", JSON_OBJECT);
    const struct json *allowed =
        shash_find_data(json_object(response), "allowed");
    const struct json *status =
        shash_find_data(json_object(response), "status");

    if (strcmp(json_string(member(out, "apiVersion", JSON_STRING)),
               "admission.k8s.io/v1") ||
        strcmp(json_string(member(response, "uid", JSON_STRING)),
               json_string(member(request, "uid", JSON_STRING))) ||
        !allowed) {
        abort();
    }
    if (allowed->type == JSON_TRUE) {
        if (status) {
            abort();
        }
    } else if (allowed->type == JSON_FALSE) {
        const char *msg = json_string(member(status, "message", JSON_STRING));

        if (!*msg || strlen(msg) > WEBHOOK_MAX_MESSAGE ||
            json_integer(member(status, "code", JSON_INTEGER)) != 403) {
            abort();
        }
    } else {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *review = json_from_string(text);
    struct crd_model *model = build_model();
    struct webhook_ctx ctx = {
        .model = model,
        .ips_in_subnet = count_ips,
    };
    struct kovn_error err;
    struct json *out;

    kovn_error_clear(&err);
    out = webhook_review(&ctx, review, &err);
    if (out) {
        check_response(review, out);
        json_destroy(out);
    } else if (err.code != -EINVAL || !err.msg[0]) {
        abort();
    }
    crd_model_destroy(model);
    json_destroy(review);
    free(text);
    return 0;
}
