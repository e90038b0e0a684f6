/* Unit tests for the admission webhook's decisions (src/controller/webhook):
 * each rule allows what it should and denies with a message a user can act
 * on, and a malformed review is a clear error, never a crash. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_json.h"

#include "base/error.h"
#include "controller/webhook.h"
#include "crd/model.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

/* The test cluster, and how many IPs each subnet has. */
struct fixture {
    struct crd_model *model;
    struct webhook_ctx ctx;
    const char *busy_subnet; /* The one subnet with IPs. */
    size_t n_busy_ips;
};

static size_t
count_ips(const char *subnet, void *aux)
{
    const struct fixture *f = aux;

    return f->busy_subnet && !strcmp(subnet, f->busy_subnet) ? f->n_busy_ips
                                                             : 0;
}

static void
put(struct crd_model *model, const char *kind, const char *text)
{
    struct json *obj = j(text);

    if (!strcmp(kind, "vpc")) {
        assert_non_null(crd_model_put_vpc(model, obj));
    } else {
        assert_non_null(crd_model_put_subnet(model, obj));
    }
    json_destroy(obj);
}

/* Vpcs ovn-cluster, v1 and (being deleted) dying; subnets ovn-default
 * (10.16.0.0/16 in ovn-cluster), a (10.0.0.0/24 in v1), bad (10.5.0.0/16
 * in v1, invalid: its gateway is outside) and orphan (in the missing vpc
 * gone). */
static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);

    f->model = crd_model_create("ovn-cluster", "ovn-default");
    f->ctx.model = f->model;
    f->ctx.ips_in_subnet = count_ips;
    f->ctx.aux = f;
    put(f->model, "vpc", "{'metadata':{'name':'ovn-cluster'}}");
    put(f->model, "vpc", "{'metadata':{'name':'v1'}}");
    put(f->model, "vpc",
        "{'metadata':{'name':'dying','deletionTimestamp':"
        "'2026-01-01T00:00:00Z'}}");
    put(f->model, "subnet",
        "{'metadata':{'name':'ovn-default'},"
        "'spec':{'cidrBlock':'10.16.0.0/16'}}");
    put(f->model, "subnet",
        "{'metadata':{'name':'a'},"
        "'spec':{'vpc':'v1','cidrBlock':'10.0.0.0/24'}}");
    put(f->model, "subnet",
        "{'metadata':{'name':'bad'},"
        "'spec':{'vpc':'v1','cidrBlock':'10.5.0.0/16',"
        "'gateway':'10.6.0.1'}}");
    put(f->model, "subnet",
        "{'metadata':{'name':'orphan'},"
        "'spec':{'vpc':'gone','cidrBlock':'10.9.0.0/24'}}");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    crd_model_destroy(f->model);
    free(f);
    return 0;
}

/* The last response's warnings, joined by "|". */
static char last_warnings[4096];

/* Reviews 'text' and checks the response's shape; returns "" if allowed,
 * else the denial message (static buffer). */
static const char *
review_text(struct fixture *f, const char *text)
{
    static char msg[WEBHOOK_MAX_MESSAGE + 1];
    struct json *review = j(text);
    struct kovn_error err;
    struct json *out;
    const struct json *response, *allowed, *status;

    kovn_error_clear(&err);
    out = webhook_review(&f->ctx, review, &err);
    if (!out) {
        fail_msg("review failed: %s", err.msg);
    }
    assert_string_equal(
        json_string(shash_find_data(json_object(out), "apiVersion")),
        "admission.k8s.io/v1");
    assert_string_equal(json_string(shash_find_data(json_object(out), "kind")),
                        "AdmissionReview");
    response = shash_find_data(json_object(out), "response");
    assert_string_equal(
        json_string(shash_find_data(json_object(response), "uid")), "u-1");
    allowed = shash_find_data(json_object(response), "allowed");
    status = shash_find_data(json_object(response), "status");
    const struct json *warnings =
        shash_find_data(json_object(response), "warnings");
    last_warnings[0] = '\0';
    for (size_t i = 0; warnings && i < json_array(warnings)->n; i++) {
        size_t len = strlen(last_warnings);
        snprintf(last_warnings + len, sizeof last_warnings - len, "%s%s",
                 i ? "|" : "", json_string(json_array(warnings)->elems[i]));
    }
    if (allowed->type == JSON_TRUE) {
        assert_null(status);
        msg[0] = '\0';
    } else {
        assert_int_equal(allowed->type, JSON_FALSE);
        assert_int_equal(
            json_integer(shash_find_data(json_object(status), "code")), 403);
        assert_string_equal(
            json_string(shash_find_data(json_object(status), "reason")),
            "Forbidden");
        snprintf(msg, sizeof msg, "%s",
                 json_string(shash_find_data(json_object(status), "message")));
        assert_true(msg[0] != '\0');
    }
    json_destroy(out);
    json_destroy(review);
    return msg;
}

/* Reviews 'op' of a kubeovn.io 'kind' named 'name' with 'object' and
 * 'old' (JSON text or NULL for absent). */
static const char *
review(struct fixture *f, const char *kind, const char *op, const char *name,
       const char *object, const char *old)
{
    struct ds text = DS_EMPTY_INITIALIZER;
    const char *msg;

    ds_put_format(&text,
                  "{'apiVersion':'admission.k8s.io/v1',"
                  "'kind':'AdmissionReview','request':{'uid':'u-1',"
                  "'kind':{'group':'kubeovn.io','version':'v1','kind':'%s'},"
                  "'operation':'%s','name':'%s'",
                  kind, op, name);
    if (object) {
        ds_put_format(&text, ",'object':%s", object);
    }
    if (old) {
        ds_put_format(&text, ",'oldObject':%s", old);
    }
    ds_put_cstr(&text, "}}");
    msg = review_text(f, ds_cstr(&text));
    ds_destroy(&text);
    return msg;
}

static const char *
create_subnet(struct fixture *f, const char *object)
{
    return review(f, "Subnet", "CREATE", "x", object, NULL);
}

/* Fields of Kube-OVN's API kovn does not implement pass, with a warning
 * each that kubectl prints; defaults and implemented values do not warn. */
static void
test_webhook_warns_unsupported_fields(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.0.1.0/24','routeTable':'rt1',"
                         "'enableEcmp':true,'enableDHCP':false,'mtu':0,"
                         "'provider':'ovn','enableLb':true}}"),
        "");
    assert_string_equal(last_warnings,
                        "Subnet spec.routeTable: not implemented by kovn, "
                        "ignored|Subnet spec.enableEcmp: not implemented by "
                        "kovn, ignored");
    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.0.1.0/24','enableLb':false,"
                         "'provider':'attach.ns.ovn'}}"),
        "");
    assert_string_equal(last_warnings,
                        "Subnet spec.provider: not implemented by kovn, "
                        "ignored|Subnet spec.enableLb: not implemented by "
                        "kovn, ignored");
    assert_string_equal(review(f, "IPPool", "CREATE", "p",
                               "{'metadata':{'name':'p'},'spec':{"
                               "'subnet':'a','ips':['10.0.1.5'],"
                               "'enableAddressSet':true}}",
                               NULL),
                        "");
    assert_string_equal(last_warnings, "IPPool spec.enableAddressSet: not "
                                       "implemented by kovn, ignored");
    assert_string_equal(review(f, "Vpc", "CREATE", "v9",
                               "{'metadata':{'name':'v9'},'spec':{"
                               "'staticRoutes':[{'cidr':'0.0.0.0/0',"
                               "'nextHopIP':'10.0.1.254','ecmpMode':'hash'},"
                               "{'cidr':'1.0.0.0/8','nextHopIP':'10.0.1.254',"
                               "'ecmpMode':'hash'}]}}",
                               NULL),
                        "");
    assert_string_equal(last_warnings,
                        "Vpc spec.staticRoutes[].ecmpMode: not implemented by "
                        "kovn, ignored");
    /* A status write is the controller reporting: nothing to warn about. */
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'x'},'spec':{"
                                         "'vpc':'v1','cidrBlock':'10.0.1.0/"
                                         "24'}}"),
                        "");
    assert_string_equal(last_warnings, "");
}

/* A subnet with more addresses than its OVN switch can attach ports is
 * allowed (its addresses stay usable up to the limit) with a warning that
 * names the limit; one that fits gets none. */
static void
test_webhook_warns_subnet_past_ovn_port_limit(void **state)
{
    struct fixture *f = *state;

    /* The default limit, 32767 ports: a /16 has 65533 usable addresses. */
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'big'},'spec':{"
                                         "'vpc':'v1','cidrBlock':'10.8.0.0/"
                                         "16'}}"),
                        "");
    assert_string_equal(last_warnings,
                        "Subnet big: 10.8.0.0/16 has 65533 usable addresses, "
                        "but one OVN logical switch holds at most 32767 ports "
                        "(its router port is one): at most 32766 pods can "
                        "attach; split it into subnets of at most 32766 "
                        "addresses");
    /* A /17 has 32765: it fits. */
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'fits'},"
                                         "'spec':{'vpc':'v1','cidrBlock':"
                                         "'10.8.0.0/17'}}"),
                        "");
    assert_string_equal(last_warnings, "");
    /* A lower limit (VXLAN: 4095) applies as given. */
    f->ctx.switch_port_limit = 4095;
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'fits'},"
                                         "'spec':{'vpc':'v1','cidrBlock':"
                                         "'10.8.0.0/17'}}"),
                        "");
    assert_non_null(strstr(last_warnings, "at most 4095 ports"));
    f->ctx.switch_port_limit = 0;
}

/* The Vpc schema is as permissive as Kube-OVN's: the webhook refuses what
 * kovn cannot use, with the reason. */
static void
test_webhook_denies_invalid_vpc(void **state)
{
    struct fixture *f = *state;
    const char *msg = review(f, "Vpc", "CREATE", "v9",
                             "{'metadata':{'name':'v9'},'spec':{"
                             "'staticRoutes':[{'policy':'sideways',"
                             "'cidr':'0.0.0.0/0','nextHopIP':'10.0.1.254'}]}}",
                             NULL);

    assert_non_null(strstr(msg, "vpc \"v9\": "));
    assert_non_null(strstr(msg, "sideways"));
    assert_string_equal(review(f, "Vpc", "CREATE", "v9", "[]", NULL),
                        "request.object: expected a Vpc object");
    assert_string_equal(review(f, "Vpc", "CREATE", "v9",
                               "{'metadata':{'name':'v9'},'spec':{"
                               "'namespaces':['a']}}",
                               NULL),
                        "");
}

static void
test_webhook_allows_valid_subnet(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.0.1.0/24'}}"),
        "");
    /* No spec.vpc: the default VPC, which exists. */
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'x'},'spec':{"
                                         "'cidrBlock':'10.17.0.0/16'}}"),
                        "");
}

static void
test_webhook_denies_invalid_subnet(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1'}}"),
        "subnet \"x\": spec.cidrBlock is required");
    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.0.1.0/24','gateway':'10.9.0.1'}}"),
        "subnet \"x\": spec.gateway 10.9.0.1 is outside spec.cidrBlock "
        "\"10.0.1.0/24\"");
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'x'},"
                                         "'spec':[1]}"),
                        "subnet \"x\": spec: expected an object");
    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':7}}"),
        "subnet \"x\": spec.vpc: expected a string, got number");
    assert_string_equal(create_subnet(f, "{'spec':{'vpc':'v1'}}"),
                        "subnet: Subnet has no metadata.name");
    assert_string_equal(create_subnet(f, "{'metadata':5,'spec':{}}"),
                        "subnet: Subnet has no metadata.name");
}

static void
test_webhook_denies_subnet_of_missing_vpc(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'nope',"
                         "'cidrBlock':'10.0.1.0/24'}}"),
        "subnet \"x\": vpc \"nope\" does not exist; create the Vpc first, "
        "or (for migrations) set annotation kovn.io/allow-missing-vpc: "
        "\"true\" on the subnet");
    /* Only "true" counts. */
    assert_non_null(
        strstr(create_subnet(f, "{'metadata':{'name':'x','annotations':{"
                                "'kovn.io/allow-missing-vpc':'yes'}},'spec':{"
                                "'vpc':'nope','cidrBlock':'10.0.1.0/24'}}"),
               "does not exist"));
}

static void
test_webhook_allows_missing_vpc_with_annotation(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x','annotations':{"
                         "'kovn.io/allow-missing-vpc':'true'}},'spec':{"
                         "'vpc':'nope','cidrBlock':'10.0.1.0/24'}}"),
        "");
    /* The annotation does not excuse an overlap among the subnets already
     * waiting for that VPC. */
    assert_non_null(
        strstr(create_subnet(f, "{'metadata':{'name':'x','annotations':{"
                                "'kovn.io/allow-missing-vpc':'true'}},'spec':{"
                                "'vpc':'gone','cidrBlock':'10.9.0.128/25'}}"),
               "overlaps subnet \"orphan\""));
}

static void
test_webhook_denies_subnet_of_deleting_vpc(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'dying',"
                         "'cidrBlock':'10.0.1.0/24'}}"),
        "subnet \"x\": vpc \"dying\" is being deleted; use another vpc");
}

static void
test_webhook_denies_overlap_in_same_vpc(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.0.0.128/25'}}"),
        "subnet \"x\": cidrBlock 10.0.0.128/25 overlaps subnet \"a\" "
        "(cidrBlock 10.0.0.0/24) in vpc \"v1\"");
    /* Across VPCs the same addresses are fine. */
    assert_string_equal(create_subnet(f, "{'metadata':{'name':'x'},'spec':{"
                                         "'cidrBlock':'10.0.0.0/24'}}"),
                        "");
    /* An invalid subnet holds no addresses. */
    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'cidrBlock':'10.5.1.0/24'}}"),
        "");
    /* One family overlapping is enough. */
    assert_string_equal(
        create_subnet(f, "{'metadata':{'name':'x'},'spec':{'vpc':'v1',"
                         "'protocol':'Dual',"
                         "'cidrBlock':'10.0.0.0/25,fd00::/64'}}"),
        "subnet \"x\": cidrBlock 10.0.0.0/25,fd00::/64 overlaps subnet \"a\" "
        "(cidrBlock 10.0.0.0/24) in vpc \"v1\"");
}

static void
test_webhook_update_does_not_overlap_itself(void **state)
{
    struct fixture *f = *state;

    /* "a" grows from /24 to /23: it overlaps only its own old version. */
    assert_string_equal(review(f, "Subnet", "UPDATE", "a",
                               "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
                               "'cidrBlock':'10.0.0.0/23'}}",
                               "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
                               "'cidrBlock':'10.0.0.0/24'}}"),
                        "");
}

static void
test_webhook_denies_moving_subnet_in_use(void **state)
{
    struct fixture *f = *state;
    const char *old = "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
                      "'cidrBlock':'10.0.0.0/24'}}";

    f->busy_subnet = "a";
    f->n_busy_ips = 3;
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "a",
               "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
               "'cidrBlock':'10.0.0.0/23'}}",
               old),
        "subnet \"a\": spec.cidrBlock cannot change while 3 IPs use the "
        "subnet; delete those pods first");
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "a",
               "{'metadata':{'name':'a'},'spec':{"
               "'cidrBlock':'10.0.0.0/24'}}",
               old),
        "subnet \"a\": spec.vpc cannot change while 3 IPs use the "
        "subnet; delete those pods first");
    f->n_busy_ips = 1;
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "a",
               "{'metadata':{'name':'a'},'spec':{"
               "'cidrBlock':'10.0.2.0/24'}}",
               old),
        "subnet \"a\": spec.cidrBlock and spec.vpc cannot change while 1 "
        "IP uses the subnet; delete those pods first");
    /* Other spec changes are fine with pods in place. */
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "a",
               "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
               "'cidrBlock':'10.0.0.0/24','natOutgoing':true}}",
               old),
        "");
    /* Naming the default VPC explicitly is not a move. */
    f->busy_subnet = "ovn-default";
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "ovn-default",
               "{'metadata':{'name':'ovn-default'},'spec':{"
               "'vpc':'ovn-cluster','cidrBlock':'10.16.0.0/16'}}",
               "{'metadata':{'name':'ovn-default'},'spec':{"
               "'cidrBlock':'10.16.0.0/16'}}"),
        "");
    /* Without IPs the subnet may move. */
    f->busy_subnet = NULL;
    assert_string_equal(review(f, "Subnet", "UPDATE", "a",
                               "{'metadata':{'name':'a'},'spec':{'vpc':'v1',"
                               "'cidrBlock':'10.0.0.0/23'}}",
                               old),
                        "");
}

static void
test_webhook_allows_metadata_update_of_broken_subnet(void **state)
{
    struct fixture *f = *state;

    /* The controller removes its finalizer from an orphan... */
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "orphan",
               "{'metadata':{'name':'orphan'},"
               "'spec':{'vpc':'gone','cidrBlock':'10.9.0.0/24'}}",
               "{'metadata':{'name':'orphan','finalizers':["
               "'kubeovn.io/kovn-controller']},"
               "'spec':{'vpc':'gone','cidrBlock':'10.9.0.0/24'}}"),
        "");
    /* ...and from an invalid subnet. */
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "bad",
               "{'metadata':{'name':'bad'},'spec':{'vpc':'v1',"
               "'cidrBlock':'10.5.0.0/16','gateway':'10.6.0.1'}}",
               "{'metadata':{'name':'bad','finalizers':["
               "'kubeovn.io/kovn-controller']},'spec':{'vpc':'v1',"
               "'cidrBlock':'10.5.0.0/16','gateway':'10.6.0.1'}}"),
        "");
    /* But a spec change of the orphan is checked like a create. */
    assert_non_null(
        strstr(review(f, "Subnet", "UPDATE", "orphan",
                      "{'metadata':{'name':'orphan'},"
                      "'spec':{'vpc':'gone','cidrBlock':'10.9.0.0/23'}}",
                      "{'metadata':{'name':'orphan'},"
                      "'spec':{'vpc':'gone','cidrBlock':'10.9.0.0/24'}}"),
               "vpc \"gone\" does not exist"));
    /* Status writes never carry spec changes. */
    assert_string_equal(
        review_text(f, "{'apiVersion':'admission.k8s.io/v1',"
                       "'kind':'AdmissionReview','request':{'uid':'u-1',"
                       "'kind':{'group':'kubeovn.io','kind':'Subnet'},"
                       "'subResource':'status','operation':'UPDATE',"
                       "'object':{'metadata':{'name':'orphan'},"
                       "'spec':{'vpc':'gone'}}}}"),
        "");
}

static void
test_webhook_allows_subnet_delete(void **state)
{
    struct fixture *f = *state;

    f->busy_subnet = "a";
    f->n_busy_ips = 10;
    assert_string_equal(
        review(f, "Subnet", "DELETE", "a", NULL,
               "{'metadata':{'name':'a'},'spec':{'vpc':'v1'}}"),
        "");
    assert_string_equal(review(f, "Subnet", "DELETE", "orphan", NULL, NULL),
                        "");
}

static void
test_webhook_denies_deleting_vpc_with_subnets(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(
        review(f, "Vpc", "DELETE", "v1", NULL, "{'metadata':{'name':'v1'}}"),
        "vpc \"v1\" is used by subnets: a, bad; delete them first");
    /* Subnets without spec.vpc belong to the default VPC. */
    assert_string_equal(
        review(f, "Vpc", "DELETE", "ovn-cluster", NULL, NULL),
        "vpc \"ovn-cluster\" is used by subnets: ovn-default; delete them "
        "first");
    assert_string_equal(review(f, "Vpc", "DELETE", "dying", NULL, NULL), "");
    /* The name may come from oldObject alone. */
    assert_string_equal(
        review(f, "Vpc", "DELETE", "", NULL, "{'metadata':{'name':'v1'}}"),
        "vpc \"v1\" is used by subnets: a, bad; delete them first");
    assert_string_equal(review(f, "Vpc", "DELETE", "", NULL, NULL),
                        "vpc: the request names no Vpc to delete");
    /* Other Vpc operations are allowed. */
    assert_string_equal(review(f, "Vpc", "UPDATE", "v1",
                               "{'metadata':{'name':'v1'}}",
                               "{'metadata':{'name':'v1'},'spec':{}}"),
                        "");
}

static void
test_webhook_caps_listed_subnets(void **state)
{
    struct fixture *f = *state;
    struct ds expected = DS_EMPTY_INITIALIZER;

    put(f->model, "vpc", "{'metadata':{'name':'big'}}");
    for (int i = 0; i < 25; i++) {
        char *text = xasprintf("{'metadata':{'name':'s%02d'},'spec':{"
                               "'vpc':'big','cidrBlock':'10.%d.0.0/16'}}",
                               i, 100 + i);
        put(f->model, "subnet", text);
        free(text);
    }
    ds_put_cstr(&expected, "vpc \"big\" is used by subnets: ");
    for (int i = 0; i < 20; i++) {
        ds_put_format(&expected, "%ss%02d", i ? ", " : "", i);
    }
    ds_put_cstr(&expected, ", and 5 more; delete them first");
    assert_string_equal(review(f, "Vpc", "DELETE", "big", NULL, NULL),
                        ds_cstr(&expected));
    ds_destroy(&expected);
}

static void
test_webhook_allows_other_requests(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(review(f, "IP", "CREATE", "p.n", "{}", NULL), "");
    assert_string_equal(review(f, "Vpc", "CONNECT", "v9", "[]", NULL), "");
    assert_string_equal(review(f, "Subnet", "CONNECT", "x", NULL, NULL), "");
    /* A same-named kind of another group. */
    assert_string_equal(
        review_text(f, "{'apiVersion':'admission.k8s.io/v1',"
                       "'kind':'AdmissionReview','request':{'uid':'u-1',"
                       "'kind':{'group':'example.com','kind':'Vpc'},"
                       "'operation':'DELETE','name':'v1'}}"),
        "");
    /* Without request.kind, request.resource decides. */
    assert_string_equal(
        review_text(f, "{'apiVersion':'admission.k8s.io/v1',"
                       "'kind':'AdmissionReview','request':{'uid':'u-1',"
                       "'resource':{'group':'kubeovn.io','resource':'vpcs'},"
                       "'operation':'DELETE','name':'v1'}}"),
        "vpc \"v1\" is used by subnets: a, bad; delete them first");
}

static void
test_webhook_denies_malformed_objects(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(review(f, "Subnet", "CREATE", "x", NULL, NULL),
                        "request.object: expected a Subnet object");
    assert_string_equal(review(f, "Subnet", "CREATE", "x", "'x'", NULL),
                        "request.object: expected a Subnet object");
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "x", "{'metadata':{'name':'x'}}", NULL),
        "request.oldObject: expected a Subnet object");
    assert_string_equal(
        review(f, "Subnet", "UPDATE", "x", "{'metadata':{'name':'x'}}", "7"),
        "request.oldObject: expected a Subnet object");
}

static void
test_webhook_limits_message(void **state)
{
    struct fixture *f = *state;
    struct ds name = DS_EMPTY_INITIALIZER;
    char *object;
    const char *msg;

    /* The message starts 'subnet "' (8 bytes), so the 2-byte character
     * takes bytes 4092 and 4093 and straddles the cut at 4093: all of it
     * goes. */
    ds_put_char_multiple(&name, 'n', 4084);
    ds_put_cstr(&name, "\xc3\xa9nnnn");
    object = xasprintf("{'metadata':{'name':'%s'},'spec':{"
                       "'cidrBlock':'10.0.1.0/24'}}",
                       ds_cstr(&name));
    msg = create_subnet(f, object);
    assert_int_equal(strlen(msg), 4092 + 3);
    assert_string_equal(msg + 4091, "n...");
    free(object);
    ds_destroy(&name);
}

/* Reviews 'text' expecting NULL and -EINVAL; returns the message. */
static const char *
bad_review(struct fixture *f, const char *text)
{
    static char msg[KOVN_ERROR_MAX];
    struct json *review = j(text);
    struct kovn_error err;

    kovn_error_clear(&err);
    assert_null(webhook_review(&f->ctx, review, &err));
    assert_int_equal(err.code, -EINVAL);
    snprintf(msg, sizeof msg, "%s", err.msg);
    json_destroy(review);
    return msg;
}

static void
test_webhook_rejects_malformed_reviews(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(bad_review(f, "[]"),
                        "AdmissionReview: expected a JSON object");
    assert_string_equal(bad_review(f, "{'kind':'AdmissionReview'}"),
                        "apiVersion: expected \"admission.k8s.io/v1\"");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1beta1',"
                      "'kind':'AdmissionReview','request':{'uid':'u'}}"),
        "apiVersion: expected \"admission.k8s.io/v1\"");
    assert_string_equal(
        bad_review(f, "{'apiVersion':1,'kind':'AdmissionReview'}"),
        "apiVersion: expected a string, got number");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1','kind':'Pod'}"),
        "kind: expected \"AdmissionReview\"");
    assert_string_equal(bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                                      "'kind':'AdmissionReview'}"),
                        "request is required");
    assert_string_equal(bad_review(f,
                                   "{'apiVersion':'admission.k8s.io/v1',"
                                   "'kind':'AdmissionReview','request':[]}"),
                        "request: expected an object, got array");
    assert_string_equal(bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                                      "'kind':'AdmissionReview','request':{"
                                      "'operation':'CREATE'}}"),
                        "request.uid is required");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':'',"
                      "'operation':'CREATE'}}"),
        "request.uid is required");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':5}}"),
        "request.uid: expected a string, got number");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':'u'}}"),
        "request.operation is required");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':'u',"
                      "'operation':'DELETE','kind':'Vpc'}}"),
        "request.kind: expected an object, got string");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':'u',"
                      "'operation':'DELETE','kind':{'kind':['Vpc']}}}"),
        "request.kind.kind: expected a string, got array");
    assert_string_equal(
        bad_review(f, "{'apiVersion':'admission.k8s.io/v1',"
                      "'kind':'AdmissionReview','request':{'uid':'u',"
                      "'operation':'DELETE','name':{}}}"),
        "request.name: expected a string, got object");
}

int
main(void)
{
#define T(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_webhook_warns_unsupported_fields),
        T(test_webhook_warns_subnet_past_ovn_port_limit),
        T(test_webhook_denies_invalid_vpc),
        T(test_webhook_allows_valid_subnet),
        T(test_webhook_denies_invalid_subnet),
        T(test_webhook_denies_subnet_of_missing_vpc),
        T(test_webhook_allows_missing_vpc_with_annotation),
        T(test_webhook_denies_subnet_of_deleting_vpc),
        T(test_webhook_denies_overlap_in_same_vpc),
        T(test_webhook_update_does_not_overlap_itself),
        T(test_webhook_denies_moving_subnet_in_use),
        T(test_webhook_allows_metadata_update_of_broken_subnet),
        T(test_webhook_allows_subnet_delete),
        T(test_webhook_denies_deleting_vpc_with_subnets),
        T(test_webhook_caps_listed_subnets),
        T(test_webhook_allows_other_requests),
        T(test_webhook_denies_malformed_objects),
        T(test_webhook_limits_message),
        T(test_webhook_rejects_malformed_reviews),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
