/* Unit tests for src/cni/protocol: the network config, CNI_ARGS, requests,
 * results and responses parse what the spec allows, format what they parse,
 * and reject everything else with a message naming the field. */
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
#include "cni/protocol.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

/* Asserts that 'rc' is 'expected' and that 'err' contains 'needle'. */
static void
assert_error(int rc, const struct kovn_error *err, int expected,
             const char *needle, const char *input)
{
    if (rc != expected || !strstr(err->msg, needle)) {
        fail_msg("%s: got %d \"%s\", expected %d with \"%s\"", input, rc,
                 err->msg, expected, needle);
    }
}

#define CONFIG_HEAD "'cniVersion':'1.0.0','name':'kovn','type':'kovn-cni'"

/* Network config. */

static void
test_cni_config_minimal_gets_defaults(void **state)
{
    struct json *json = j("{" CONFIG_HEAD "}");
    struct cni_config config;

    (void)state;
    assert_int_equal(cni_config_from_json(json, &config, NULL), 0);
    assert_string_equal(config.cni_version, "1.0.0");
    assert_string_equal(config.name, "kovn");
    assert_string_equal(config.type, "kovn-cni");
    assert_string_equal(config.daemon_socket, CNI_DEFAULT_SOCKET);
    assert_int_equal(config.mtu, 0);
    assert_null(config.log_file);
    assert_null(config.prev_result);
    assert_null(config.runtime_config);
    assert_false(config.has_valid_attachments);
    assert_ptr_equal(config.json, json);
    cni_config_destroy(&config);
    json_destroy(json);
}

static void
test_cni_config_parses_every_field(void **state)
{
    struct json *json =
        j("{" CONFIG_HEAD ",'daemonSocket':'/tmp/d.sock','mtu':1400,"
          "'logFile':'/var/log/kovn-cni.log','prevResult':{'ips':[]},"
          "'runtimeConfig':{'portMappings':[]},'unknownField':[1,2],"
          "'cni.dev/valid-attachments':[{'containerID':'c1','ifname':'eth0'},"
          "{'containerID':'c2','ifname':'net1'}]}");
    struct cni_config config;

    (void)state;
    assert_int_equal(cni_config_from_json(json, &config, NULL), 0);
    assert_string_equal(config.daemon_socket, "/tmp/d.sock");
    assert_int_equal(config.mtu, 1400);
    assert_string_equal(config.log_file, "/var/log/kovn-cni.log");
    assert_non_null(config.prev_result);
    assert_non_null(config.runtime_config);
    assert_true(config.has_valid_attachments);
    assert_int_equal(config.n_valid_attachments, 2);
    assert_string_equal(config.valid_attachments[1].container_id, "c2");
    assert_string_equal(config.valid_attachments[1].ifname, "net1");
    cni_config_destroy(&config);
    json_destroy(json);
}

static void
test_cni_config_every_supported_version(void **state)
{
    (void)state;
    assert_int_equal(cni_n_supported_versions, 5);
    for (size_t i = 0; i < cni_n_supported_versions; i++) {
        char *text = xasprintf("{'cniVersion':'%s','name':'n','type':"
                               "'kovn-cni'}",
                               cni_supported_versions[i]);
        struct json *json = j(text);
        struct cni_config config;

        assert_int_equal(cni_config_from_json(json, &config, NULL), 0);
        cni_config_destroy(&config);
        json_destroy(json);
        free(text);
    }
    assert_true(cni_version_supported(CNI_LATEST_VERSION));
    assert_false(cni_version_supported("0.2.0"));
    assert_false(cni_version_supported(NULL));
}

static void
test_cni_config_attachments_old_name(void **state)
{
    /* libcni writes both names; an earlier draft had only this one. */
    struct json *json = j("{" CONFIG_HEAD ",'cni.dev/attachments':[]}");
    struct cni_config config;

    (void)state;
    assert_int_equal(cni_config_from_json(json, &config, NULL), 0);
    assert_true(config.has_valid_attachments);
    assert_int_equal(config.n_valid_attachments, 0);
    cni_config_destroy(&config);
    json_destroy(json);
}

static void
test_cni_config_rejects_bad_configs(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"[1]", -EBADMSG, "network config: expected a JSON object"},
        {"{'name':'kovn','type':'kovn-cni'}", -EINVAL, "cniVersion: required"},
        {"{'cniVersion':1,'name':'n','type':'kovn-cni'}", -EINVAL,
         "cniVersion: expected a string"},
        {"{'cniVersion':'0.2.0','name':'n','type':'kovn-cni'}",
         -EPROTONOSUPPORT, "cniVersion \"0.2.0\" is not supported"},
        {"{'cniVersion':'1.0.0','type':'kovn-cni'}", -EINVAL,
         "name: required"},
        {"{'cniVersion':'1.0.0','name':'-n','type':'kovn-cni'}", -EINVAL,
         "name \"-n\": must start with a letter or digit"},
        {"{'cniVersion':'1.0.0','name':'a b','type':'kovn-cni'}", -EINVAL,
         "only letters, digits"},
        {"{'cniVersion':'1.0.0','name':'n'}", -EINVAL, "type: required"},
        {"{'cniVersion':'1.0.0','name':'n','type':'bridge'}", -EINVAL,
         "type \"bridge\": this plugin is kovn-cni"},
        {"{" CONFIG_HEAD ",'daemonSocket':'run/cni.sock'}", -EINVAL,
         "daemonSocket \"run/cni.sock\": must be an absolute path"},
        {"{" CONFIG_HEAD ",'daemonSocket':'/"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}",
         -E2BIG, "daemonSocket: 120 bytes, limit 107"},
        {"{" CONFIG_HEAD ",'mtu':67}", -EINVAL, "mtu: 67 is not in 68..65535"},
        {"{" CONFIG_HEAD ",'mtu':65536}", -EINVAL, "mtu: 65536 is not in"},
        {"{" CONFIG_HEAD ",'mtu':'1500'}", -EINVAL,
         "mtu: expected an integer, got string"},
        {"{" CONFIG_HEAD ",'mtu':1500.5}", -EINVAL,
         "mtu: expected an integer, got number"},
        {"{" CONFIG_HEAD ",'logFile':'cni.log'}", -EINVAL,
         "logFile \"cni.log\": must be an absolute path"},
        {"{" CONFIG_HEAD ",'prevResult':'x'}", -EINVAL,
         "prevResult: expected an object"},
        {"{" CONFIG_HEAD ",'runtimeConfig':[]}", -EINVAL,
         "runtimeConfig: expected an object"},
        {"{" CONFIG_HEAD ",'cni.dev/valid-attachments':{}}", -EINVAL,
         "cni.dev/valid-attachments: expected an array"},
        {"{" CONFIG_HEAD ",'cni.dev/valid-attachments':['c1']}", -EINVAL,
         "cni.dev/valid-attachments[0]: expected an object"},
        {"{" CONFIG_HEAD ",'cni.dev/valid-attachments':[{'ifname':'eth0'}]}",
         -EINVAL, "cni.dev/valid-attachments[0].containerID: required"},
        {"{" CONFIG_HEAD ",'cni.dev/valid-attachments':"
         "[{'containerID':'c','ifname':'a/b'}]}",
         -EINVAL, "cni.dev/valid-attachments[0].ifname \"a/b\""},
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *json = j(cases[i].text);
        struct cni_config config;
        struct kovn_error err;
        int rc;

        kovn_error_clear(&err);
        rc = cni_config_from_json(json, &config, &err);
        assert_error(rc, &err, cases[i].rc, cases[i].msg, cases[i].text);
        cni_config_destroy(&config);
        json_destroy(json);
    }
}

/* Names. */

static void
test_cni_ifname_rules(void **state)
{
    static const char *const good[] = {
        "eth0", "net1", "a", "123456789012345", "veth_x-y.z", ".a", "a..b"};
    static const struct {
        const char *ifname;
        const char *msg;
    } bad[] = {
        {"", "required"},
        {"1234567890123456", "16 bytes, an interface name has at most 15"},
        {".", "not a valid interface name"},
        {"..", "not a valid interface name"},
        {"a/b", "cannot contain '/', ':' or whitespace"},
        {"a:b", "cannot contain"},
        {"a b", "cannot contain"},
        {"a\tb", "cannot contain"},
        {"a\nb", "cannot contain"},
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        assert_int_equal(cni_ifname_check("ifname", good[i], NULL), 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct kovn_error err;

        assert_error(cni_ifname_check("ifname", bad[i].ifname, &err), &err,
                     -EINVAL, bad[i].msg, bad[i].ifname);
    }
    assert_int_equal(cni_ifname_check("ifname", NULL, NULL), -EINVAL);
}

static void
test_cni_container_id_and_path_rules(void **state)
{
    struct kovn_error err;
    char long_id[CNI_CONTAINER_ID_MAX + 2];

    (void)state;
    assert_int_equal(cni_container_id_check("id", "a1_b.c-d", NULL), 0);
    assert_int_equal(cni_container_id_check("id", "7", NULL), 0);
    assert_error(cni_container_id_check("id", "", &err), &err, -EINVAL,
                 "id: required", "empty");
    assert_error(cni_container_id_check("id", "_a", &err), &err, -EINVAL,
                 "must start with a letter or digit", "_a");
    assert_error(cni_container_id_check("id", "a/b", &err), &err, -EINVAL,
                 "only letters, digits", "a/b");
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_error(cni_container_id_check("id", long_id, &err), &err, -E2BIG,
                 "257 bytes, limit 256", "long id");

    assert_int_equal(cni_path_check("netns", "/var/run/netns/x", NULL), 0);
    assert_error(cni_path_check("netns", "netns/x", &err), &err, -EINVAL,
                 "netns \"netns/x\": must be an absolute path", "relative");
    assert_error(cni_path_check("netns", NULL, &err), &err, -EINVAL,
                 "netns: required", "NULL");
}

/* CNI_ARGS. */

static void
test_cni_args_parses_kubelet_args(void **state)
{
    struct cni_args args;

    (void)state;
    assert_int_equal(
        cni_args_parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;"
                       "K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc123;"
                       "K8S_POD_UID=6f1e-22",
                       &args, NULL),
        0);
    assert_string_equal(args.pod_namespace, "default");
    assert_string_equal(args.pod_name, "web-0");
    assert_string_equal(args.pod_infra_container_id, "abc123");
    assert_int_equal(shash_count(&args.pairs), 5);
    assert_string_equal(shash_find_data(&args.pairs, "IgnoreUnknown"), "1");
    cni_args_destroy(&args);
}

static void
test_cni_args_edge_cases(void **state)
{
    struct cni_args args;

    (void)state;
    assert_int_equal(cni_args_parse(NULL, &args, NULL), 0);
    assert_int_equal(shash_count(&args.pairs), 0);
    assert_null(args.pod_name);
    cni_args_destroy(&args);

    assert_int_equal(cni_args_parse("", &args, NULL), 0);
    assert_int_equal(shash_count(&args.pairs), 0);
    cni_args_destroy(&args);

    /* Empty pairs are skipped; a value runs to ';' and may hold '='. */
    assert_int_equal(cni_args_parse(";A=b=c;;B=;", &args, NULL), 0);
    assert_int_equal(shash_count(&args.pairs), 2);
    assert_string_equal(shash_find_data(&args.pairs, "A"), "b=c");
    assert_string_equal(shash_find_data(&args.pairs, "B"), "");
    assert_null(args.pod_namespace);
    cni_args_destroy(&args);
}

static void
test_cni_args_rejects_bad_args(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"K8S_POD_NAME", -EINVAL, "\"K8S_POD_NAME\" is not KEY=VALUE"},
        {"A=1;=2", -EINVAL, "\"=2\" is not KEY=VALUE"},
        {"A-B=1", -EINVAL, "key \"A-B\": only letters, digits and '_'"},
        {"A=1;A=2", -EINVAL, "A given twice"},
    };
    struct kovn_error err;
    struct cni_args args;
    struct ds ds = DS_EMPTY_INITIALIZER;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = cni_args_parse(cases[i].text, &args, &err);

        assert_error(rc, &err, cases[i].rc, cases[i].msg, cases[i].text);
        cni_args_destroy(&args);
    }

    for (int i = 0; i <= CNI_ARGS_PAIRS_MAX; i++) {
        ds_put_format(&ds, "K%d=v;", i);
    }
    assert_error(cni_args_parse(ds_cstr(&ds), &args, &err), &err, -E2BIG,
                 "more than 64 pairs", "too many pairs");
    cni_args_destroy(&args);

    ds_clear(&ds);
    ds_put_cstr(&ds, "A=");
    ds_put_char_multiple(&ds, 'x', CNI_ARGS_MAX);
    assert_error(cni_args_parse(ds_cstr(&ds), &args, &err), &err, -E2BIG,
                 "CNI_ARGS: 65538 bytes, limit 65536", "too long");
    cni_args_destroy(&args);
    ds_destroy(&ds);
}

/* Requests. */

#define PREV_RESULT "'prevResult':{'ips':[{'address':'10.16.0.5/16'}]}"
#define ATTACHMENTS "'cni.dev/valid-attachments':[]"

/* A request object for 'command' with the given extra members (each
 * ending in ','), with a valid config in version 1.0.0, or 1.1.0 for the
 * commands that came with it. */
static char *
request_text(const char *command, const char *members, const char *config)
{
    const char *version =
        strcmp(command, "STATUS") && strcmp(command, "GC") ? "1.0.0" : "1.1.0";

    return xasprintf("{'command':'%s',%s'cniVersion':'%s','config':{"
                     "'cniVersion':'%s','name':'kovn','type':'kovn-cni'%s}}",
                     command, members, version, version, config);
}

#define ADD_MEMBERS                                                   \
    "'containerId':'c1','netns':'/var/run/netns/c1','ifname':'eth0'," \
    "'podNamespace':'default','podName':'web-0',"

static void
check_request_round_trip(const char *text)
{
    struct json *json = j(text), *again;
    struct cni_request request, copy;
    struct kovn_error err;
    char *line;

    kovn_error_clear(&err);
    if (cni_request_from_json(json, &request, &err)) {
        fail_msg("%s: %s", text, err.msg);
    }
    again = cni_request_to_json(&request);
    assert_true(json_equal(json, again));

    assert_int_equal(cni_request_to_line(&request, &line, NULL), 0);
    assert_int_equal(line[strlen(line) - 1], '\n');
    assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
    assert_int_equal(cni_request_from_line(line, strlen(line), &copy, NULL),
                     0);
    assert_int_equal(copy.command, request.command);
    assert_true(json_equal(copy.config.json, request.config.json));

    free(line);
    cni_request_destroy(&copy);
    cni_request_destroy(&request);
    json_destroy(again);
    json_destroy(json);
}

static void
test_cni_request_round_trips(void **state)
{
    char *texts[] = {
        request_text("ADD", ADD_MEMBERS, ""),
        request_text("DEL", ADD_MEMBERS, ""),
        /* DEL after the netns is gone, and without pod names. */
        request_text("DEL", "'containerId':'c1','ifname':'eth0',", ""),
        request_text("CHECK", ADD_MEMBERS, "," PREV_RESULT),
        request_text("STATUS", "", ""),
        request_text("GC", "",
                     ",'cni.dev/valid-attachments':"
                     "[{'containerID':'c1','ifname':'eth0'}]"),
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        check_request_round_trip(texts[i]);
        free(texts[i]);
    }
}

static void
test_cni_request_typed_fields(void **state)
{
    char *text = request_text("ADD", ADD_MEMBERS, ",'mtu':1400");
    struct json *json = j(text);
    struct cni_request request;

    (void)state;
    assert_int_equal(cni_request_from_json(json, &request, NULL), 0);
    assert_int_equal(request.command, CNI_ADD);
    assert_string_equal(request.container_id, "c1");
    assert_string_equal(request.netns, "/var/run/netns/c1");
    assert_string_equal(request.ifname, "eth0");
    assert_string_equal(request.pod_namespace, "default");
    assert_string_equal(request.pod_name, "web-0");
    assert_string_equal(request.cni_version, "1.0.0");
    assert_int_equal(request.config.mtu, 1400);
    cni_request_destroy(&request);
    json_destroy(json);
    free(text);
}

static void
test_cni_request_rejects_bad_requests(void **state)
{
    static const struct {
        const char *command;
        const char *members;
        const char *config;
        int rc;
        const char *msg;
    } cases[] = {
        {"ADD",
         "'netns':'/n','ifname':'eth0','podNamespace':'a',"
         "'podName':'b',",
         "", -EINVAL, "containerId (CNI_CONTAINERID): required"},
        {"DEL", "'containerId':'-c','ifname':'eth0',", "", -EINVAL,
         "containerId (CNI_CONTAINERID) \"-c\": must start with"},
        {"CHECK", "'containerId':'c','ifname':'eth0',", "," PREV_RESULT,
         -EINVAL, "netns (CNI_NETNS): required"},
        {"ADD",
         "'containerId':'c','netns':'',"
         "'ifname':'eth0','podNamespace':'a','podName':'b',",
         "", -EINVAL, "netns (CNI_NETNS): required"},
        {"ADD",
         "'containerId':'c','netns':'proc/1/ns/net',"
         "'ifname':'eth0','podNamespace':'a','podName':'b',",
         "", -EINVAL,
         "netns (CNI_NETNS) \"proc/1/ns/net\": must be an "
         "absolute path"},
        {"CHECK", "'containerId':'c','netns':'x','ifname':'eth0',",
         "," PREV_RESULT, -EINVAL, "must be an absolute path"},
        {"ADD",
         "'containerId':'c','netns':'/n','podNamespace':'a',"
         "'podName':'b',",
         "", -EINVAL, "ifname (CNI_IFNAME): required"},
        {"DEL", "'containerId':'c','ifname':'eth0:1',", "", -EINVAL,
         "ifname (CNI_IFNAME) \"eth0:1\": an interface name cannot contain"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'..',"
         "'podNamespace':'a','podName':'b',",
         "", -EINVAL, "not a valid interface name"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'eth0',"
         "'podName':'b',",
         "", -EINVAL,
         "podNamespace (K8S_POD_NAMESPACE in CNI_ARGS): required"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'eth0',"
         "'podNamespace':'a',",
         "", -EINVAL, "podName (K8S_POD_NAME in CNI_ARGS): required"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'eth0',"
         "'podNamespace':'a.b','podName':'b',",
         "", -EINVAL, "\"a.b\": not a valid Kubernetes namespace"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'eth0',"
         "'podNamespace':'a','podName':'Web',",
         "", -EINVAL, "\"Web\": not a valid Kubernetes pod name"},
        {"ADD",
         "'containerId':'c','netns':'/n','ifname':'eth0',"
         "'podNamespace':'a','podName':'web-',",
         "", -EINVAL, "not a valid Kubernetes pod name"},
        {"CHECK", "'containerId':'c','netns':'/n','ifname':'eth0',", "",
         -EINVAL, "CHECK needs the ADD result as prevResult"},
        {"GC", "", "", -EINVAL, "GC needs cni.dev/valid-attachments"},
        {"VERSION", "", "", -EINVAL,
         "command VERSION is answered by the plugin"},
        {"add", "", "", -EINVAL, "command \"add\": unknown"},
        {"STATUS", "'containerId':1,", "", 0, ""},
    };
    struct kovn_error err;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *text =
            request_text(cases[i].command, cases[i].members, cases[i].config);
        struct json *json = j(text);
        struct cni_request request;
        int rc;

        kovn_error_clear(&err);
        rc = cni_request_from_json(json, &request, &err);
        assert_error(rc, &err, cases[i].rc, cases[i].msg, text);
        cni_request_destroy(&request);
        json_destroy(json);
        free(text);
    }
}

static void
test_cni_request_rejects_bad_envelopes(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"[]", -EBADMSG, "request: expected a JSON object, got array"},
        {"{'cniVersion':'1.0.0'}", -EINVAL, "command: required"},
        {"{'command':'STATUS'}", -EINVAL, "cniVersion: required"},
        {"{'command':'STATUS','cniVersion':'1.0.0'}", -EINVAL,
         "config: required"},
        {"{'command':'STATUS','cniVersion':'1.0.0','config':[]}", -EINVAL,
         "config: expected an object"},
        {"{'command':'STATUS','cniVersion':'0.1.0','config':{" CONFIG_HEAD
         "}}",
         -EPROTONOSUPPORT, "cniVersion \"0.1.0\" is not supported"},
        {"{'command':'STATUS','cniVersion':'0.4.0','config':{" CONFIG_HEAD
         "}}",
         -EINVAL, "cniVersion \"0.4.0\" differs from the config's"},
        {"{'command':'STATUS','cniVersion':'1.0.0','config':{'name':'n'}}",
         -EINVAL, "config.cniVersion: required"},
        {"{'command':'STATUS','cniVersion':'1.0.0','config':"
         "{'cniVersion':'7.0.0','name':'n','type':'kovn-cni'}}",
         -EPROTONOSUPPORT, "config.cniVersion \"7.0.0\" is not supported"},
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *json = j(cases[i].text);
        struct cni_request request;
        struct kovn_error err;
        int rc;

        kovn_error_clear(&err);
        rc = cni_request_from_json(json, &request, &err);
        assert_error(rc, &err, cases[i].rc, cases[i].msg, cases[i].text);
        cni_request_destroy(&request);
        json_destroy(json);
    }
}

static void
test_cni_request_line_limits(void **state)
{
    struct cni_request request;
    struct kovn_error err;
    struct ds ds = DS_EMPTY_INITIALIZER;
    char *line;

    (void)state;
    assert_error(cni_request_from_line("", 0, &request, &err), &err, -EBADMSG,
                 "request: empty line", "empty");
    cni_request_destroy(&request);
    assert_error(cni_request_from_line("\n", 1, &request, &err), &err,
                 -EBADMSG, "request: empty line", "newline");
    cni_request_destroy(&request);
    assert_error(cni_request_from_line("{\"a\0\":1}", 8, &request, &err), &err,
                 -EBADMSG, "contains a NUL byte", "NUL");
    cni_request_destroy(&request);
    assert_error(cni_request_from_line("{\"a\":", 5, &request, &err), &err,
                 -EBADMSG, "request: not JSON", "truncated");
    cni_request_destroy(&request);
    assert_error(cni_request_from_line("\"s\"", 3, &request, &err), &err,
                 -EBADMSG, "request: not JSON", "a string");
    cni_request_destroy(&request);

    ds_put_char_multiple(&ds, ' ', CNI_LINE_MAX);
    ds_put_cstr(&ds, "{}\n");
    assert_error(cni_request_from_line(ds.string, ds.length, &request, &err),
                 &err, -E2BIG, "request: 1048578 bytes, limit 1048576",
                 "long line");
    cni_request_destroy(&request);

    /* A config that grows when reformatted (9e15 prints as
     * 9000000000000000) can make a request too long to send, though it is
     * well under CNI_CONFIG_MAX on stdin. */
    ds_clear(&ds);
    ds_put_cstr(&ds, "{'command':'DEL','containerId':'c','ifname':'eth0',"
                     "'cniVersion':'1.0.0','config':{" CONFIG_HEAD ",'n':[");
    for (int i = 0; i < 70000; i++) {
        ds_put_cstr(&ds, i ? ",9e15" : "9e15");
    }
    ds_put_cstr(&ds, "]}}");
    struct json *json = j(ds_cstr(&ds));
    assert_true(ds.length < CNI_CONFIG_MAX);
    assert_int_equal(cni_request_from_json(json, &request, NULL), 0);
    assert_error(cni_request_to_line(&request, &line, &err), &err, -E2BIG,
                 "request:", "growing config");
    assert_null(line);
    cni_request_destroy(&request);
    json_destroy(json);
    ds_destroy(&ds);
}

/* Results. */

#define FULL_RESULT                                                           \
    "{'cniVersion':'1.0.0',"                                                  \
    "'interfaces':[{'name':'c1_h','mac':'0A:58:0A:10:00:01'},"                \
    "{'name':'eth0','mac':'0a:58:0a:10:00:05','sandbox':'/var/run/netns/c1'," \
    "'mtu':1400}],"                                                           \
    "'ips':[{'address':'10.16.0.5/16','gateway':'10.16.0.1','interface':1},"  \
    "{'address':'fd00::5/64','gateway':'fd00::1','interface':1}],"            \
    "'routes':[{'dst':'0.0.0.0/0','gw':'10.16.0.1'},{'dst':'::/0'}],"         \
    "'dns':{'nameservers':['10.96.0.10'],'domain':'cluster.local',"           \
    "'search':['default.svc.cluster.local'],'options':['ndots:5']}}"

static void
test_cni_result_round_trip_per_version(void **state)
{
    struct json *json = j(FULL_RESULT), *out, *again;
    struct cni_result result, parsed;
    const struct json_array *ips;
    char *text;

    (void)state;
    assert_int_equal(cni_result_from_json(json, &result, NULL), 0);
    assert_int_equal(result.n_interfaces, 2);
    assert_int_equal(result.n_ips, 2);
    assert_int_equal(result.n_routes, 2);
    assert_int_equal(result.ips[0].interface, 1);
    assert_int_equal(result.interfaces[1].mtu, 1400);
    assert_false(result.routes[1].has_gw);
    assert_string_equal(result.dns.domain, "cluster.local");

    /* 1.1.0 has everything, MACs in canonical (lowercase) form. */
    out = cni_result_to_json(&result, "1.1.0");
    text = json_to_string(out, JSSF_SORT);
    assert_non_null(strstr(text, "\"mac\":\"0a:58:0a:10:00:01\""));
    assert_non_null(strstr(text, "\"mtu\":1400"));
    assert_null(strstr(text, "\"version\""));
    free(text);
    json_destroy(out);

    /* 1.0.0: the input again, but for the MAC's case and the MTU, which
     * 1.0.0 does not know. */
    out = cni_result_to_json(&result, "1.0.0");
    text = json_to_string(out, JSSF_SORT);
    assert_null(strstr(text, "\"mtu\""));
    assert_string_equal(
        json_string(shash_find_data(json_object(out), "cniVersion")), "1.0.0");
    free(text);
    assert_int_equal(cni_result_from_json(out, &parsed, NULL), 0);
    again = cni_result_to_json(&parsed, "1.0.0");
    assert_true(json_equal(out, again));
    json_destroy(again);
    cni_result_destroy(&parsed);
    json_destroy(out);

    /* Before 1.0.0 every IP says its version. */
    out = cni_result_to_json(&result, "0.3.1");
    ips = json_array(shash_find_data(json_object(out), "ips"));
    assert_string_equal(
        json_string(shash_find_data(json_object(ips->elems[0]), "version")),
        "4");
    assert_string_equal(
        json_string(shash_find_data(json_object(ips->elems[1]), "version")),
        "6");
    assert_int_equal(cni_result_from_json(out, &parsed, NULL), 0);
    cni_result_destroy(&parsed);
    json_destroy(out);

    cni_result_destroy(&result);
    json_destroy(json);
}

static void
test_cni_result_builders(void **state)
{
    struct cni_result result;
    struct net_cidr address, dst;
    struct net_addr gateway;
    struct net_mac mac;
    struct json *out;
    char *text;
    size_t iface;

    (void)state;
    cni_result_init(&result);
    assert_int_equal(net_mac_parse("0a:58:0a:10:00:05", &mac, NULL), 0);
    assert_int_equal(
        net_cidr_parse("10.16.0.5/16", NET_CIDR_INTERFACE, &address, NULL), 0);
    assert_int_equal(net_addr_parse("10.16.0.1", &gateway, NULL), 0);
    assert_int_equal(net_cidr_parse("0.0.0.0/0", NET_CIDR_NETWORK, &dst, NULL),
                     0);
    iface = cni_result_add_interface(&result, "eth0", &mac, "/run/netns/x");
    assert_int_equal(iface, 0);
    assert_int_equal(cni_result_add_ip(&result, &address, &gateway, 0), 0);
    assert_int_equal(cni_result_add_route(&result, &dst, &gateway), 0);
    assert_int_equal(cni_result_add_interface(&result, "h", NULL, NULL), 1);

    out = cni_result_to_json(&result, "1.0.0");
    text = json_to_string(out, JSSF_SORT);
    assert_string_equal(text,
                        "{\"cniVersion\":\"1.0.0\",\"dns\":{},\"interfaces\":["
                        "{\"mac\":\"0a:58:0a:10:00:05\",\"name\":\"eth0\","
                        "\"sandbox\":\"/run/netns/x\"},{\"name\":\"h\"}],"
                        "\"ips\":[{\"address\":\"10.16.0.5/16\",\"gateway\":"
                        "\"10.16.0.1\",\"interface\":0}],\"routes\":[{\"dst\":"
                        "\"0.0.0.0/0\",\"gw\":\"10.16.0.1\"}]}");
    free(text);
    json_destroy(out);
    cni_result_destroy(&result);
}

static void
test_cni_result_rejects_bad_results(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"[]", -EBADMSG, "expected a JSON object"},
        {"{'ips':{}}", -EINVAL, "ips: expected an array"},
        {"{'ips':[1]}", -EINVAL, "ips[0]: expected an object, got number"},
        {"{'ips':[{}]}", -EINVAL, "ips[0].address: required"},
        {"{'ips':[{'address':'10.16.0.5'}]}", -EINVAL, "ips[0].address "},
        {"{'ips':[{'address':'10.16.0.5/16','gateway':'fd00::1'}]}", -EINVAL,
         "ips[0].gateway \"fd00::1\": an IPv6 address for an IPv4 one"},
        {"{'ips':[{'address':'10.16.0.5/16','gateway':'x'}]}", -EINVAL,
         "ips[0].gateway "},
        {"{'ips':[{'address':'10.16.0.5/16','interface':0}]}", -EINVAL,
         "ips[0].interface: the result has no interfaces"},
        {"{'interfaces':[{'name':'eth0'}],"
         "'ips':[{'address':'10.16.0.5/16','interface':1}]}",
         -EINVAL, "ips[0].interface: 1 is not in 0..0"},
        {"{'interfaces':[{'name':'eth0'}],"
         "'ips':[{'address':'10.16.0.5/16','interface':'0'}]}",
         -EINVAL, "ips[0].interface: expected an integer"},
        {"{'ips':[{'address':'10.16.0.5/16','version':'6'}]}", -EINVAL,
         "ips[0].version \"6\": the address is IPv4"},
        {"{'interfaces':[{}]}", -EINVAL, "interfaces[0].name: required"},
        {"{'interfaces':[{'name':'eth0/1'}]}", -EINVAL,
         "interfaces[0].name \"eth0/1\""},
        {"{'interfaces':[{'name':'a234567890123456'}]}", -E2BIG,
         "interfaces[0].name: 16 bytes, limit 15"},
        {"{'interfaces':[{'name':'eth0','mac':'ff:ff:ff:ff:ff:ff'}]}", -EINVAL,
         "interfaces[0].mac "},
        {"{'interfaces':[{'name':'eth0','mtu':10}]}", -EINVAL,
         "interfaces[0].mtu: 10 is not in 68..65535"},
        {"{'routes':[{'dst':'10.0.0.1/8'}]}", -EINVAL, "routes[0].dst "},
        {"{'routes':[{'gw':'10.0.0.1'}]}", -EINVAL, "routes[0].dst: required"},
        {"{'routes':[{'dst':'::/0','gw':'10.0.0.1'}]}", -EINVAL,
         "routes[0].gw \"10.0.0.1\": an IPv4 address for an IPv6 one"},
        {"{'dns':[]}", -EINVAL, "dns: expected an object"},
        {"{'dns':{'nameservers':['dns.google']}}", -EINVAL,
         "dns.nameservers[0] "},
        {"{'dns':{'search':[1]}}", -EINVAL,
         "dns.search[0]: expected a string, got number"},
        {"{'dns':{'domain':7}}", -EINVAL, "dns.domain: expected a string"},
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *json = j(cases[i].text);
        struct cni_result result;
        struct kovn_error err;
        int rc;

        kovn_error_clear(&err);
        rc = cni_result_from_json(json, &result, &err);
        if (cases[i].rc == -EBADMSG) {
            /* Results are members of other objects: a non-object is an
             * invalid member, not an undecodable message. */
            assert_int_equal(rc, -EINVAL);
        } else {
            assert_error(rc, &err, cases[i].rc, cases[i].msg, cases[i].text);
        }
        cni_result_destroy(&result);
        json_destroy(json);
    }
}

static void
test_cni_result_item_limits(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct cni_result result;
    struct kovn_error err;
    struct json *json;

    (void)state;
    ds_put_cstr(&ds, "{'ips':[");
    for (int i = 0; i <= CNI_RESULT_ITEMS_MAX; i++) {
        ds_put_format(&ds, "%s{'address':'10.0.0.%d/24'}", i ? "," : "",
                      i + 1);
    }
    ds_put_cstr(&ds, "]}");
    json = j(ds_cstr(&ds));
    assert_error(cni_result_from_json(json, &result, &err), &err, -E2BIG,
                 "ips: 65 items, limit 64", "65 ips");
    cni_result_destroy(&result);
    json_destroy(json);
    ds_destroy(&ds);
}

/* Responses, errors, VERSION. */

static void
test_cni_response_round_trips(void **state)
{
    struct cni_response response, parsed;
    struct json *result = j(FULL_RESULT), *expected, *got;
    char *line;

    (void)state;
    /* Success with a result. */
    cni_response_init(&response);
    assert_int_equal(cni_result_from_json(result, &response.result, NULL), 0);
    response.has_result = true;
    line = cni_response_to_line(&response, "1.0.0");
    assert_int_equal(line[strlen(line) - 1], '\n');
    assert_int_equal(cni_response_from_line(line, strlen(line), &parsed, NULL),
                     0);
    assert_true(parsed.has_result);
    assert_int_equal(parsed.error.code, 0);
    assert_int_equal(parsed.result.n_ips, 2);
    cni_response_destroy(&parsed);
    free(line);

    /* An error, which replaces the result. */
    cni_response_set_error(&response, CNI_ERR_DAEMON, "no address left",
                           "subnet ovn-default is full");
    assert_false(response.has_result);
    line = cni_response_to_line(&response, "1.0.0");
    expected = j("{'error':{'code':100,'msg':'no address left',"
                 "'details':'subnet ovn-default is full'}}");
    got = json_from_string(line);
    assert_true(json_equal(got, expected));
    json_destroy(got);
    json_destroy(expected);
    assert_int_equal(cni_response_from_line(line, strlen(line), &parsed, NULL),
                     0);
    assert_int_equal(parsed.error.code, CNI_ERR_DAEMON);
    assert_string_equal(parsed.error.msg, "no address left");
    assert_string_equal(parsed.error.details, "subnet ovn-default is full");
    cni_response_destroy(&parsed);
    free(line);

    /* Success without a result (DEL, CHECK, STATUS, GC). */
    cni_response_destroy(&response);
    line = cni_response_to_line(&response, "1.0.0");
    assert_string_equal(line, "{}\n");
    assert_int_equal(cni_response_from_line(line, strlen(line), &parsed, NULL),
                     0);
    assert_false(parsed.has_result);
    assert_int_equal(parsed.error.code, 0);
    cni_response_destroy(&parsed);
    free(line);
    assert_int_equal(
        cni_response_from_line("{\"result\":null}", 15, &parsed, NULL), 0);
    assert_false(parsed.has_result);
    cni_response_destroy(&parsed);

    cni_response_destroy(&response);
    json_destroy(result);
}

static void
test_cni_response_rejects_bad_responses(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"[]", -EBADMSG, "response: expected a JSON object, got array"},
        {"{'error':'boom'}", -EINVAL, "error: expected an object, got string"},
        {"{'error':{'msg':'x'}}", -EINVAL, "error.code: required"},
        {"{'error':{'code':0,'msg':'x'}}", -EINVAL,
         "error.code: 0 is not in 1..2147483647"},
        {"{'error':{'code':'7','msg':'x'}}", -EINVAL,
         "error.code: expected an integer"},
        {"{'error':{'code':7}}", -EINVAL, "error.msg: required"},
        {"{'error':{'code':7,'msg':'x','details':[]}}", -EINVAL,
         "error.details: expected a string"},
        {"{'error':{'code':7,'msg':'x'},'result':{}}", -EINVAL,
         "response has both an error and a result"},
        {"{'result':[]}", -EINVAL, "result: expected an object"},
        {"{'result':{'ips':[{'address':'x'}]}}", -EINVAL,
         "result.ips[0].address "},
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *json = j(cases[i].text);
        struct cni_response response;
        struct kovn_error err;
        int rc;

        kovn_error_clear(&err);
        rc = cni_response_from_json(json, &response, &err);
        assert_error(rc, &err, cases[i].rc, cases[i].msg, cases[i].text);
        cni_response_destroy(&response);
        json_destroy(json);
    }
}

static void
test_cni_response_limits(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct cni_response response, parsed;
    struct kovn_error err;
    char *sandbox, *line;

    (void)state;
    /* Messages are cut to CNI_MSG_MAX, and a message longer than that is an
     * error when parsed. */
    cni_response_init(&response);
    ds_put_char_multiple(&ds, 'm', CNI_MSG_MAX + 100);
    cni_response_set_error(&response, 100, ds_cstr(&ds), ds_cstr(&ds));
    assert_int_equal(strlen(response.error.msg), CNI_MSG_MAX);
    assert_int_equal(strlen(response.error.details), CNI_MSG_MAX);
    ds_clear(&ds);
    ds_put_format(&ds, "{\"error\":{\"code\":100,\"msg\":\"");
    ds_put_char_multiple(&ds, 'm', CNI_MSG_MAX + 1);
    ds_put_cstr(&ds, "\"}}");
    assert_error(cni_response_from_line(ds.string, ds.length, &parsed, &err),
                 &err, -E2BIG, "error.msg: 4097 bytes, limit 4096",
                 "long msg");
    cni_response_destroy(&parsed);

    /* A result built past the limits is not sent: the plugin gets an
     * error it can parse instead of a line it would reject. */
    cni_response_destroy(&response);
    response.has_result = true;
    sandbox = xmalloc(4001);
    memset(sandbox, 's', 4000);
    sandbox[0] = '/';
    sandbox[4000] = '\0';
    for (int i = 0; i < 300; i++) {
        cni_result_add_interface(&response.result, "eth0", NULL, sandbox);
    }
    line = cni_response_to_line(&response, "1.0.0");
    assert_true(strlen(line) <= CNI_LINE_MAX + 1);
    assert_int_equal(cni_response_from_line(line, strlen(line), &parsed, NULL),
                     0);
    assert_int_equal(parsed.error.code, CNI_ERR_DAEMON);
    assert_string_equal(parsed.error.msg, "the result is too large to send");
    cni_response_destroy(&parsed);
    free(line);
    free(sandbox);
    cni_response_destroy(&response);
    ds_destroy(&ds);
}

static void
test_cni_error_and_version_objects(void **state)
{
    struct cni_error error = {11, "try again later", NULL};
    struct json *json;
    char *text;

    (void)state;
    json = cni_error_to_json(&error, "1.0.0");
    text = json_to_string(json, JSSF_SORT);
    assert_string_equal(text, "{\"cniVersion\":\"1.0.0\",\"code\":11,"
                              "\"msg\":\"try again later\"}");
    free(text);
    json_destroy(json);

    error.details = "connect /run/kovn/cni.sock: Connection refused";
    json = cni_error_to_json(&error, "0.4.0");
    text = json_to_string(json, JSSF_SORT);
    assert_string_equal(text,
                        "{\"cniVersion\":\"0.4.0\",\"code\":11,\"details\":"
                        "\"connect /run/kovn/cni.sock: Connection refused\","
                        "\"msg\":\"try again later\"}");
    free(text);
    json_destroy(json);

    json = cni_version_info_to_json("1.1.0");
    text = json_to_string(json, JSSF_SORT);
    assert_string_equal(text,
                        "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":"
                        "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\","
                        "\"1.1.0\"]}");
    free(text);
    json_destroy(json);
}

static void
test_cni_version_has_command(void **state)
{
    static const char *const text =
        "{'command':'CHECK','containerId':'c','netns':'/n','ifname':'eth0',"
        "'cniVersion':'0.3.1','config':{'cniVersion':'0.3.1','name':'n',"
        "'type':'kovn-cni'," PREV_RESULT "}}";
    struct json *json = j(text);
    struct cni_request request;
    struct kovn_error err;

    (void)state;
    assert_true(cni_version_has_command("0.3.0", CNI_ADD));
    assert_true(cni_version_has_command("0.3.1", CNI_DEL));
    assert_false(cni_version_has_command("0.3.1", CNI_CHECK));
    assert_true(cni_version_has_command("0.4.0", CNI_CHECK));
    assert_false(cni_version_has_command("1.0.0", CNI_STATUS));
    assert_false(cni_version_has_command("1.0.0", CNI_GC));
    assert_true(cni_version_has_command("1.1.0", CNI_STATUS));
    assert_true(cni_version_has_command("1.1.0", CNI_GC));
    assert_false(cni_version_has_command("9.9.9", CNI_ADD));

    assert_error(cni_request_from_json(json, &request, &err), &err,
                 -EPROTONOSUPPORT,
                 "cniVersion 0.3.1 has no CHECK (it came with 0.4.0)", text);
    cni_request_destroy(&request);
    json_destroy(json);

    json = j("{'command':'STATUS','cniVersion':'1.0.0','config':{" CONFIG_HEAD
             "}}");
    assert_error(
        cni_request_from_json(json, &request, &err), &err, -EPROTONOSUPPORT,
        "cniVersion 1.0.0 has no STATUS (it came with 1.1.0)", "STATUS");
    cni_request_destroy(&request);
    json_destroy(json);
}

static void
test_cni_command_names(void **state)
{
    static const char *const names[] = {"ADD",    "DEL", "CHECK",
                                        "STATUS", "GC",  "VERSION"};
    enum cni_command command;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        assert_true(cni_command_from_string(names[i], &command));
        assert_string_equal(cni_command_to_string(command), names[i]);
    }
    assert_false(cni_command_from_string("add", &command));
    assert_false(cni_command_from_string("", &command));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cni_config_minimal_gets_defaults),
        cmocka_unit_test(test_cni_config_parses_every_field),
        cmocka_unit_test(test_cni_config_every_supported_version),
        cmocka_unit_test(test_cni_config_attachments_old_name),
        cmocka_unit_test(test_cni_config_rejects_bad_configs),
        cmocka_unit_test(test_cni_ifname_rules),
        cmocka_unit_test(test_cni_container_id_and_path_rules),
        cmocka_unit_test(test_cni_args_parses_kubelet_args),
        cmocka_unit_test(test_cni_args_edge_cases),
        cmocka_unit_test(test_cni_args_rejects_bad_args),
        cmocka_unit_test(test_cni_request_round_trips),
        cmocka_unit_test(test_cni_request_typed_fields),
        cmocka_unit_test(test_cni_request_rejects_bad_requests),
        cmocka_unit_test(test_cni_request_rejects_bad_envelopes),
        cmocka_unit_test(test_cni_request_line_limits),
        cmocka_unit_test(test_cni_result_round_trip_per_version),
        cmocka_unit_test(test_cni_result_builders),
        cmocka_unit_test(test_cni_result_rejects_bad_results),
        cmocka_unit_test(test_cni_result_item_limits),
        cmocka_unit_test(test_cni_response_round_trips),
        cmocka_unit_test(test_cni_response_rejects_bad_responses),
        cmocka_unit_test(test_cni_response_limits),
        cmocka_unit_test(test_cni_error_and_version_objects),
        cmocka_unit_test(test_cni_version_has_command),
        cmocka_unit_test(test_cni_command_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
