/* kovn-sandboxd's CNI calls with small shell-script plugins: the plugin
 * gets the CNI_* environment and the config on stdin; a chain passes each
 * ADD result on as prevResult and runs DEL in reverse with the cached
 * result; error objects, bare failures, missing plugins and hung plugins
 * (killed at the timeout) become clear outcomes. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/file.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "sandbox/chain.h"
#include "sandbox/cniexec.h"
#include "sandbox/conflist.h"
#include "util.h"

static char dir[] = "/tmp/kovn-sandbox-cni.XXXXXX";

static void
plugin(const char *name, const char *body)
{
    char *file = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(file, "w");

    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nD=%s\n%s\n", dir, body);
    fclose(f);
    chmod(file, 0755);
    free(file);
}

static char *
slurp(const char *name)
{
    char *file = xasprintf("%s/%s", dir, name), *text = NULL;

    assert_int_equal(file_read("test", file, 1 << 20, &text, NULL, NULL), 0);
    free(file);
    return text;
}

static int
run_one(const char *type, enum cni_command cmd, long long timeout_ms,
        struct cniexec_outcome *out)
{
    struct json *config = json_from_string("{\"cniVersion\":\"1.0.0\","
                                           "\"name\":\"n\",\"type\":\"x\"}");
    struct cniexec_request r = {
        .command = cmd,
        .path = dir,
        .type = type,
        .container_id = "abc",
        .netns = "/var/run/netns/x",
        .ifname = "eth0",
        .args = "IgnoreUnknown=1;K8S_POD_NAME=p",
        .config = config,
        .timeout_ms = timeout_ms,
    };
    struct kovn_error err;
    struct cniexec *x;
    int error = cniexec_start(&r, &x, &err);

    json_destroy(config);
    if (error) {
        return error;
    }
    while (!cniexec_run(x)) {
        cniexec_wait(x);
        poll_block();
    }
    const struct cniexec_outcome *o = cniexec_outcome(x);
    *out = *o;
    out->result = o->result ? json_clone(o->result) : NULL;
    out->cni_error.msg = o->cni_error.msg ? xstrdup(o->cni_error.msg) : NULL;
    out->cni_error.details =
        o->cni_error.details ? xstrdup(o->cni_error.details) : NULL;
    cniexec_destroy(x);
    return out->error;
}

static void
test_plugin_gets_cni_env_and_config_on_stdin(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    plugin("envp", "env | grep ^CNI_ | sort > $D/env.out; cat > $D/stdin.out\n"
                   "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
                   "\"10.0.0.2/24\"}]}'");
    assert_int_equal(run_one("envp", CNI_ADD, 10000, &o), 0);
    assert_non_null(o.result);
    char *env = slurp("env.out"), *in = slurp("stdin.out");
    char *want = xasprintf("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=p\n"
                           "CNI_COMMAND=ADD\nCNI_CONTAINERID=abc\n"
                           "CNI_IFNAME=eth0\nCNI_NETNS=/var/run/netns/x\n"
                           "CNI_PATH=%s\n",
                           dir);
    assert_string_equal(env, want);
    struct json *got = json_from_string(in);
    struct json *sent = json_from_string(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"x\"}");
    assert_true(json_equal(got, sent));
    json_destroy(got);
    json_destroy(sent);
    free(want);
    free(env);
    free(in);
    cniexec_outcome_destroy(&o);
}

static void
test_error_object_is_reported_with_its_code(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    plugin("errp", "cat >/dev/null; echo '{\"cniVersion\":\"1.0.0\",\"code\":"
                   "100,\"msg\":\"no addresses left\"}'; exit 1");
    assert_int_equal(run_one("errp", CNI_ADD, 10000, &o), -EPROTO);
    assert_int_equal(o.cni_error.code, 100);
    assert_string_equal(o.cni_error.msg, "no addresses left");
    assert_null(o.result);
    cniexec_outcome_destroy(&o);
}

static void
test_bare_failure_quotes_exit_status_and_stderr(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    plugin("bare", "cat >/dev/null; echo boom >&2; exit 3");
    assert_int_equal(run_one("bare", CNI_DEL, 10000, &o), -EPROTO);
    assert_non_null(strstr(o.cni_error.msg, "status 3"));
    assert_non_null(strstr(o.cni_error.msg, "boom"));
    cniexec_outcome_destroy(&o);
}

static void
test_add_without_a_result_fails(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    plugin("silent", "cat >/dev/null; exit 0");
    assert_int_equal(run_one("silent", CNI_ADD, 10000, &o), -EPROTO);
    cniexec_outcome_destroy(&o);
    /* DEL and CHECK print nothing on success. */
    assert_int_equal(run_one("silent", CNI_CHECK, 10000, &o), 0);
    cniexec_outcome_destroy(&o);
}

static void
test_missing_plugin_is_enoent(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    assert_int_equal(run_one("nonexistent", CNI_ADD, 1000, &o), -ENOENT);
}

static void
test_hung_plugin_is_killed_at_timeout(void **state)
{
    struct cniexec_outcome o;

    (void)state;
    /* A grandchild holding stdout open too: the whole group goes. */
    plugin("hang", "sleep 60 & sleep 60");
    assert_int_equal(run_one("hang", CNI_ADD, 300, &o), -ETIMEDOUT);
    assert_non_null(strstr(o.cni_error.msg, "timed out"));
    cniexec_outcome_destroy(&o);
}

static void
test_chain_passes_prev_result_and_deletes_in_reverse(void **state)
{
    struct conflist list;
    struct json *cached;

    (void)state;
    /* Each logs "<type> <command> <prevResult's first address or ->". */
    const char *body =
        "in=$(cat); prev=$(echo \"$in\" | jq -r '.prevResult.ips[0].address"
        " // \"-\"')\necho \"$(basename $0) $CNI_COMMAND $prev\" >> "
        "$D/chain.log\n"
        "[ $CNI_COMMAND = ADD ] || exit 0\n"
        "echo "
        "'{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"'$ADDR'\"}]}'";
    char *a = xasprintf("ADDR=10.0.0.1/24\n%s", body);
    char *b = xasprintf("ADDR=10.0.0.2/24\n%s", body);
    plugin("one", a);
    plugin("two", b);
    free(a);
    free(b);
    struct json *json = json_from_string(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"plugins\":"
        "[{\"type\":\"one\"},{\"type\":\"two\"}]}");
    assert_int_equal(conflist_from_json(json, &list, NULL), 0);
    json_destroy(json);

    enum cni_command cmds[] = {CNI_ADD, CNI_DEL};
    cached = NULL;
    for (size_t i = 0; i < 2; i++) {
        struct chain_request r = {
            .command = cmds[i],
            .list = &list,
            .path = dir,
            .container_id = "abc",
            .netns = "/x",
            .ifname = "eth0",
            .args = "",
            .cached = cached,
            .timeout_ms = 10000,
        };
        struct chain *c = chain_start(&r);
        while (!chain_run(c)) {
            chain_wait(c);
            poll_block();
        }
        assert_int_equal(chain_outcome(c)->error, 0);
        if (cmds[i] == CNI_ADD) {
            cached = json_clone(chain_outcome(c)->result);
        }
        chain_destroy(c);
    }
    char *log = slurp("chain.log");
    assert_string_equal(log, "one ADD -\ntwo ADD 10.0.0.1/24\n"
                             "two DEL 10.0.0.2/24\none DEL 10.0.0.2/24\n");
    free(log);
    json_destroy(cached);
    conflist_destroy(&list);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugin_gets_cni_env_and_config_on_stdin),
        cmocka_unit_test(test_error_object_is_reported_with_its_code),
        cmocka_unit_test(test_bare_failure_quotes_exit_status_and_stderr),
        cmocka_unit_test(test_add_without_a_result_fails),
        cmocka_unit_test(test_missing_plugin_is_enoent),
        cmocka_unit_test(test_hung_plugin_is_killed_at_timeout),
        cmocka_unit_test(test_chain_passes_prev_result_and_deletes_in_reverse),
    };
    int failed;

    if (!mkdtemp(dir)) {
        return 1;
    }
    unsetenv("CNI_PATH");
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    char *rm = xasprintf("rm -rf %s", dir);
    if (system(rm)) {
        failed++;
    }
    free(rm);
    return failed;
}
