/* Admission decisions for Vpcs and Subnets; see webhook.h.
 *
 * The request envelope is checked strictly (a body that is not an
 * AdmissionReview v1 request is the caller's 400), while the objects inside
 * are judged: an object of the wrong shape is denied with a message, never
 * trusted and never a crash. */
#include <config.h>

#include "controller/webhook.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crd/model.h"
#include "crd/names.h"
#include "crd/support.h"
#include "crd/vpc.h"
#include "kube/object.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

#define ADMISSION_API_VERSION "admission.k8s.io/v1"
#define ADMISSION_KIND        "AdmissionReview"
#define CRD_GROUP             "kubeovn.io"

/* What one request asks, read from the envelope.  Strings and objects point
 * into the review and live as long as it does. */
struct admission_request {
    const char *uid;
    const char *operation;    /* CREATE, UPDATE, DELETE or CONNECT. */
    const char *group;        /* request.kind.group, else resource.group. */
    const char *kind;         /* request.kind.kind, NULL if absent. */
    const char *resource;     /* request.resource.resource. */
    const char *sub_resource; /* request.subResource, e.g. "status". */
    const char *name;         /* request.name. */
    const struct json *object;
    const struct json *old_object;
};

enum admission_target {
    TARGET_OTHER,
    TARGET_SUBNET,
    TARGET_VPC,
    TARGET_IPPOOL,
};

static int
parse_request(const struct json *review, struct admission_request *req,
              struct kovn_error *err)
{
    const struct json *request, *kind, *resource;
    const char *text, *kind_group = NULL, *resource_group = NULL;
    int error;

    memset(req, 0, sizeof *req);
    if (!review || review->type != JSON_OBJECT) {
        return kovn_error_set(err, -EINVAL,
                              "AdmissionReview: expected a JSON object");
    }
    if ((error = json_member_string(review, "apiVersion", "", &text, err))) {
        return error;
    }
    if (!text || strcmp(text, ADMISSION_API_VERSION)) {
        return kovn_error_set(err, -EINVAL, "apiVersion: expected \"%s\"",
                              ADMISSION_API_VERSION);
    }
    if ((error = json_member_string(review, "kind", "", &text, err))) {
        return error;
    }
    if (!text || strcmp(text, ADMISSION_KIND)) {
        return kovn_error_set(err, -EINVAL, "kind: expected \"%s\"",
                              ADMISSION_KIND);
    }
    if ((error = json_member_object(review, "request", "", &request, err))) {
        return error;
    }
    if (!request) {
        return kovn_error_set(err, -EINVAL, "request is required");
    }
    if ((error =
             json_member_string(request, "uid", "request", &req->uid, err)) ||
        (error = json_member_string(request, "operation", "request",
                                    &req->operation, err)) ||
        (error = json_member_object(request, "kind", "request", &kind, err)) ||
        (error = json_member_string(kind, "kind", "request.kind", &req->kind,
                                    err)) ||
        (error = json_member_string(kind, "group", "request.kind", &kind_group,
                                    err)) ||
        (error = json_member_object(request, "resource", "request", &resource,
                                    err)) ||
        (error = json_member_string(resource, "resource", "request.resource",
                                    &req->resource, err)) ||
        (error = json_member_string(resource, "group", "request.resource",
                                    &resource_group, err)) ||
        (error = json_member_string(request, "subResource", "request",
                                    &req->sub_resource, err)) ||
        (error = json_member_string(request, "name", "request", &req->name,
                                    err))) {
        return error;
    }
    if (!req->uid || !*req->uid) {
        return kovn_error_set(err, -EINVAL, "request.uid is required");
    }
    if (!req->operation || !*req->operation) {
        return kovn_error_set(err, -EINVAL, "request.operation is required");
    }
    req->group = kind ? kind_group : resource_group;
    req->object = json_member(request, "object");
    req->old_object = json_member(request, "oldObject");
    return 0;
}

static enum admission_target
request_target(const struct admission_request *req)
{
    /* The webhook is registered for kubeovn.io only, but a same-named kind
     * of another group is none of our business. */
    if (req->group && *req->group && strcmp(req->group, CRD_GROUP)) {
        return TARGET_OTHER;
    }
    if (req->kind && *req->kind) {
        return !strcmp(req->kind, "Subnet")   ? TARGET_SUBNET
               : !strcmp(req->kind, "Vpc")    ? TARGET_VPC
               : !strcmp(req->kind, "IPPool") ? TARGET_IPPOOL
                                              : TARGET_OTHER;
    }
    if (req->resource) {
        return !strcmp(req->resource, "subnets")   ? TARGET_SUBNET
               : !strcmp(req->resource, "vpcs")    ? TARGET_VPC
               : !strcmp(req->resource, "ippools") ? TARGET_IPPOOL
                                                   : TARGET_OTHER;
    }
    return TARGET_OTHER;
}

static bool
is_object(const struct json *json)
{
    return json && json->type == JSON_OBJECT;
}

/* The VPC an object's spec names as a Subnet reads it (empty or absent is
 * the default VPC), or NULL when spec.vpc is not a string. */
static const char *
spec_vpc(const struct json *obj, const char *default_vpc)
{
    const char *vpc;

    if (json_member_string(json_member(obj, "spec"), "vpc", "spec", &vpc,
                           NULL)) {
        return NULL;
    }
    return vpc && *vpc ? vpc : default_vpc;
}

/* Checks a Subnet that is created or whose spec changes against the rest of
 * the cluster; appends the reason to deny to 'deny', or what the user
 * should know of an allowed one to 'warnings'. */
static void
check_subnet(const struct webhook_ctx *ctx,
             const struct admission_request *req, bool update, struct ds *deny,
             struct svec *warnings)
{
    const char *default_vpc = crd_model_default_vpc(ctx->model);
    const struct sset *peers;
    const struct vpc *vpc;
    struct kovn_error perr;
    struct subnet subnet;
    int rc;

    kovn_error_clear(&perr);
    rc = subnet_from_json(req->object, default_vpc, &subnet, &perr);
    if (rc && !subnet.name) {
        ds_put_format(deny, "subnet: %s", perr.msg);
        goto out;
    }
    if (rc || subnet.error) {
        ds_put_format(deny, "subnet \"%s\": %s", subnet.name,
                      subnet.error ? subnet.error : perr.msg);
        goto out;
    }

    vpc = crd_model_vpc(ctx->model, subnet.vpc);
    if (!vpc && !subnet.allow_missing_vpc) {
        ds_put_format(deny,
                      "subnet \"%s\": vpc \"%s\" does not exist; create the "
                      "Vpc first, or (for migrations) set annotation "
                      "%s: \"true\" on the subnet",
                      subnet.name, subnet.vpc, CRD_ALLOW_MISSING_VPC);
        goto out;
    }
    if (vpc && vpc->deleting) {
        ds_put_format(deny,
                      "subnet \"%s\": vpc \"%s\" is being deleted; use "
                      "another vpc",
                      subnet.name, subnet.vpc);
        goto out;
    }

    /* Sorted, so that the subnet a message names does not depend on hash
     * order.  Invalid peers are skipped: they hold no addresses. */
    peers = crd_model_subnets_of_vpc(ctx->model, subnet.vpc);
    if (peers) {
        const char **names = sset_sort(peers);

        for (size_t i = 0; names[i]; i++) {
            const struct subnet *peer = crd_model_subnet(ctx->model, names[i]);

            if (peer && strcmp(peer->name, subnet.name) &&
                subnet_is_valid(peer) && subnet_overlaps(&subnet, peer)) {
                ds_put_format(deny,
                              "subnet \"%s\": cidrBlock %s overlaps subnet "
                              "\"%s\" (cidrBlock %s) in vpc \"%s\"",
                              subnet.name, subnet.cidr_block, peer->name,
                              peer->cidr_block, subnet.vpc);
                break;
            }
        }
        free(names);
        if (deny->length) {
            goto out;
        }
    }

    /* Pods keep the addresses and logical switch they were given, so moving
     * a subnet under them would strand them. */
    if (update) {
        const struct json *spec = json_member(req->object, "spec");
        const struct json *old_spec = json_member(req->old_object, "spec");
        const char *old_vpc = spec_vpc(req->old_object, default_vpc);
        bool cidr_moved = !json_equal(json_member(spec, "cidrBlock"),
                                      json_member(old_spec, "cidrBlock"));
        bool vpc_moved = !old_vpc || strcmp(old_vpc, subnet.vpc);
        size_t n_ips = 0;

        if ((cidr_moved || vpc_moved) && ctx->ips_in_subnet) {
            n_ips = ctx->ips_in_subnet(subnet.name, ctx->aux);
        }
        if (n_ips) {
            ds_put_format(deny,
                          "subnet \"%s\": %s cannot change while %zu IP%s "
                          "use%s the subnet; delete those pods first",
                          subnet.name,
                          cidr_moved && vpc_moved ? "spec.cidrBlock and "
                                                    "spec.vpc"
                          : cidr_moved            ? "spec.cidrBlock"
                                                  : "spec.vpc",
                          n_ips, n_ips == 1 ? "" : "s", n_ips == 1 ? "s" : "");
        }
    }

    /* Allowed, since its addresses stay usable up to the limit, but said at
     * once: at the limit pods get no address although the subnet has free
     * ones (crd/subnet.h). */
    if (!deny->length) {
        char *msg = subnet_port_limit_message(
            &subnet, ctx->switch_port_limit ? ctx->switch_port_limit
                                            : OVN_SWITCH_PORT_LIMIT);

        if (msg) {
            svec_add_nocopy(warnings,
                            xasprintf("Subnet %s: %s", subnet.name, msg));
            free(msg);
        }
    }

out:
    subnet_destroy(&subnet);
}

static void
review_subnet(const struct webhook_ctx *ctx,
              const struct admission_request *req, struct ds *deny,
              struct svec *warnings)
{
    bool update = !strcmp(req->operation, "UPDATE");

    /* A subresource (status) write cannot change the spec: the API server
     * resets it.  It is the controller reporting, which must never be
     * blocked. */
    if (req->sub_resource && *req->sub_resource) {
        return;
    }
    if (!update && strcmp(req->operation, "CREATE")) {
        return;
    }
    if (!is_object(req->object)) {
        ds_put_cstr(deny, "request.object: expected a Subnet object");
        return;
    }
    if (update) {
        if (!is_object(req->old_object)) {
            ds_put_cstr(deny, "request.oldObject: expected a Subnet object");
            return;
        }
        /* Metadata-only updates (finalizers, labels, annotations) are always
         * allowed, so that a broken subnet can still be released. */
        if (json_equal(json_member(req->object, "spec"),
                       json_member(req->old_object, "spec"))) {
            return;
        }
    }
    check_subnet(ctx, req, update, deny, warnings);
}

/* A created or changed Vpc whose spec kovn cannot use is refused with the
 * reason, as a Subnet is: the schema is Kube-OVN's, as permissive as its,
 * so the checks live here. */
static void
check_vpc(const struct admission_request *req, struct ds *deny)
{
    struct kovn_error perr;
    struct vpc vpc;

    if (!is_object(req->object)) {
        ds_put_cstr(deny, "request.object: expected a Vpc object");
        return;
    }
    if (!strcmp(req->operation, "UPDATE") && is_object(req->old_object) &&
        json_equal(json_member(req->object, "spec"),
                   json_member(req->old_object, "spec"))) {
        return;
    }
    kovn_error_clear(&perr);
    if (vpc_from_json(req->object, &vpc, &perr) && !vpc.name) {
        ds_put_format(deny, "vpc: %s", perr.msg);
    } else if (vpc.error) {
        ds_put_format(deny, "vpc \"%s\": %s", vpc.name, vpc.error);
    }
    vpc_destroy(&vpc);
}

static void
review_vpc(const struct webhook_ctx *ctx, const struct admission_request *req,
           struct ds *deny)
{
    const struct sset *subnets;
    const char **names;
    const char *name;
    size_t n;

    if (req->sub_resource && *req->sub_resource) {
        return; /* Status: the controller reporting. */
    }
    if (!strcmp(req->operation, "CREATE") ||
        !strcmp(req->operation, "UPDATE")) {
        check_vpc(req, deny);
        return;
    }
    if (strcmp(req->operation, "DELETE")) {
        return;
    }
    name = req->name && *req->name ? req->name
                                   : kube_object_name(req->old_object);
    if (!name || !*name) {
        ds_put_cstr(deny, "vpc: the request names no Vpc to delete");
        return;
    }
    subnets = crd_model_subnets_of_vpc(ctx->model, name);
    if (!subnets || sset_is_empty(subnets)) {
        return;
    }
    n = sset_count(subnets);
    names = sset_sort(subnets);
    ds_put_format(deny, "vpc \"%s\" is used by subnets: ", name);
    for (size_t i = 0; i < n && i < WEBHOOK_MAX_LISTED_SUBNETS; i++) {
        ds_put_format(deny, "%s%s", i ? ", " : "", names[i]);
    }
    if (n > WEBHOOK_MAX_LISTED_SUBNETS) {
        ds_put_format(deny, ", and %zu more", n - WEBHOOK_MAX_LISTED_SUBNETS);
    }
    ds_put_cstr(deny, "; delete them first");
    free(names);
}

/* Cuts 'msg' to WEBHOOK_MAX_MESSAGE bytes, at a UTF-8 character boundary,
 * marking the cut with "...". */
static void
limit_message(struct ds *msg)
{
    size_t len = WEBHOOK_MAX_MESSAGE - 3;

    if (msg->length <= WEBHOOK_MAX_MESSAGE) {
        return;
    }
    while (len > 0 && ((unsigned char)msg->string[len] & 0xc0) == 0x80) {
        len--;
    }
    ds_truncate(msg, len);
    ds_put_cstr(msg, "...");
}

/* Fields of a created or changed object that kovn accepts but does not
 * act on: one admission warning each, which kubectl prints. */
static void
unsupported_warnings(const struct admission_request *req, const char *kind,
                     struct svec *warnings)
{
    struct svec fields = SVEC_EMPTY_INITIALIZER;

    if ((req->sub_resource && *req->sub_resource) ||
        (strcmp(req->operation, "CREATE") &&
         strcmp(req->operation, "UPDATE"))) {
        return;
    }
    crd_unsupported_fields(kind, req->object, &fields);
    for (size_t i = 0; i < fields.n; i++) {
        svec_add_nocopy(warnings,
                        xasprintf("%s %s: not implemented by kovn, ignored",
                                  kind, fields.names[i]));
    }
    svec_destroy(&fields);
}

static struct json *
make_response(const char *uid, const char *denial, const struct svec *warnings)
{
    struct json *review = json_object_create();
    struct json *response = json_object_create();

    json_object_put_string(response, "uid", uid);
    json_object_put(response, "allowed", json_boolean_create(!denial));
    if (warnings->n) {
        struct json *list = json_array_create_empty();

        for (size_t i = 0; i < warnings->n; i++) {
            json_array_add(list, json_string_create(warnings->names[i]));
        }
        json_object_put(response, "warnings", list);
    }
    if (denial) {
        struct json *status = json_object_create();

        json_object_put(status, "code", json_integer_create(403));
        json_object_put_string(status, "reason", "Forbidden");
        json_object_put_string(status, "message", denial);
        json_object_put(response, "status", status);
    }
    json_object_put_string(review, "apiVersion", ADMISSION_API_VERSION);
    json_object_put_string(review, "kind", ADMISSION_KIND);
    json_object_put(review, "response", response);
    return review;
}

struct json *
webhook_review(const struct webhook_ctx *ctx, const struct json *review,
               struct kovn_error *err)
{
    struct ds deny = DS_EMPTY_INITIALIZER;
    struct svec warnings = SVEC_EMPTY_INITIALIZER;
    struct admission_request req;
    struct json *response;

    if (parse_request(review, &req, err)) {
        return NULL;
    }
    switch (request_target(&req)) {
    case TARGET_SUBNET:
        review_subnet(ctx, &req, &deny, &warnings);
        unsupported_warnings(&req, "Subnet", &warnings);
        break;
    case TARGET_VPC:
        review_vpc(ctx, &req, &deny);
        unsupported_warnings(&req, "Vpc", &warnings);
        break;
    case TARGET_IPPOOL:
        unsupported_warnings(&req, "IPPool", &warnings);
        break;
    case TARGET_OTHER:
        break;
    }
    limit_message(&deny);
    response =
        make_response(req.uid, deny.length ? ds_cstr(&deny) : NULL, &warnings);
    ds_destroy(&deny);
    svec_destroy(&warnings);
    return response;
}
