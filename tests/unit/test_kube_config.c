/* Unit tests for src/kube/config: kubeconfig loading like kubectl. */
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
#include "kube/kubeconfig.h"
#include "util.h"

static char tmpdir[64];

static char *
write_file(const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

/* "hello" in base64 is aGVsbG8=. */
static const char token_config[] = "apiVersion: v1\n"
                                   "kind: Config\n"
                                   "clusters:\n"
                                   "- name: c1\n"
                                   "  cluster:\n"
                                   "    server: https://127.0.0.1:6443/\n"
                                   "    certificate-authority-data: aGVsbG8=\n"
                                   "users:\n"
                                   "- name: u1\n"
                                   "  user:\n"
                                   "    token: secret-token\n"
                                   "contexts:\n"
                                   "- name: ctx1\n"
                                   "  context: {cluster: c1, user: u1}\n"
                                   "current-context: ctx1\n";

static void
assert_parse_fails(const char *text, int code, const char *message)
{
    struct kovn_error err = {0};
    struct kube_config config;

    assert_int_equal(kube_config_parse("kc.yaml", tmpdir, text, strlen(text),
                                       NULL, &config, &err),
                     code);
    if (!strstr(err.msg, message)) {
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
    }
}

static void
test_config_reads_token_and_ca_data(void **state)
{
    struct kube_config config;
    struct kovn_error err = {0};

    (void)state;
    if (kube_config_parse("kc.yaml", tmpdir, token_config,
                          strlen(token_config), NULL, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    assert_string_equal(config.server, "https://127.0.0.1:6443");
    assert_string_equal(config.ca_pem, "hello");
    assert_int_equal(config.ca_pem_len, 5);
    assert_string_equal(config.token, "secret-token");
    assert_string_equal(config.namespace, "default");
    assert_string_equal(config.context, "ctx1");
    assert_false(config.insecure);
    assert_null(config.cert_file);
    kube_config_destroy(&config);
}

static void
test_config_resolves_relative_files_against_kubeconfig_dir(void **state)
{
    struct kube_config config;
    struct kovn_error err = {0};
    char *token = write_file("token", "file-token\n");
    char *ca = xasprintf("%s/pki/ca.crt", tmpdir);
    const char *text = "clusters:\n"
                       "- name: c\n"
                       "  cluster:\n"
                       "    server: https://k:6443\n"
                       "    certificate-authority: pki/ca.crt\n"
                       "    insecure-skip-tls-verify: true\n"
                       "users:\n"
                       "- name: u\n"
                       "  user:\n"
                       "    tokenFile: token\n"
                       "    client-certificate: /abs/cert.pem\n"
                       "    client-key-data: aGVsbG8=\n"
                       "contexts:\n"
                       "- name: x\n"
                       "  context: {cluster: c, user: u, namespace: kube-"
                       "system}\n"
                       "current-context: x\n";

    (void)state;
    if (kube_config_parse("kc.yaml", tmpdir, text, strlen(text), NULL, &config,
                          &err)) {
        fail_msg("%s", err.msg);
    }
    assert_string_equal(config.ca_file, ca);
    assert_string_equal(config.token, "file-token");
    assert_string_equal(config.token_file, token);
    assert_string_equal(config.cert_file, "/abs/cert.pem");
    assert_string_equal(config.key_pem, "hello");
    assert_true(config.insecure);
    assert_string_equal(config.namespace, "kube-system");
    kube_config_destroy(&config);
    free(token);
    free(ca);
}

static void
test_config_context_override_and_errors_name_the_field(void **state)
{
    (void)state;
    assert_parse_fails("clusters: []\ncontexts: []\n", -ENOENT,
                       "no current-context");
    assert_parse_fails("current-context: nope\ncontexts: []\n", -ENOENT,
                       "context \"nope\" not found");
    assert_parse_fails("current-context: x\ncontexts:\n- name: x\n  context: "
                       "{cluster: gone}\n",
                       -ENOENT, "cluster \"gone\" not found");
    assert_parse_fails("clusters: {}\n", -EINVAL,
                       "clusters: expected an array, got object");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: 42}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL,
                       "clusters[0].cluster.server: expected a string, got "
                       "number");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: ftp://h}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL, "is not an http(s) URL");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: "
                       "'https:///'}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL, "URL with a host");
    /* Trimmed first, then judged: found by fuzz_kubeconfig, which took
     * "https:// " as a server "https:" with no host. */
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: "
                       "'https:// '}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL, "URL with a host");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: "
                       "'https://a b:6443'}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL, "URL with a host");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: https://h}\n"
                       "users:\n- name: u\n  user: {token: \"a\\nb\"}\n"
                       "contexts:\n- name: x\n  context: {cluster: c, user: "
                       "u}\n",
                       -EINVAL,
                       "users[0].user.token: the token holds a blank");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: https://h, "
                       "certificate-authority-data: '!!!'}\n"
                       "contexts:\n- name: x\n  context: {cluster: c}\n",
                       -EINVAL,
                       "kc.yaml: clusters[0].cluster.certificate-authority-"
                       "data: not valid base64");
    assert_parse_fails("current-context: x\n"
                       "clusters:\n- name: c\n  cluster: {server: https://h}\n"
                       "users:\n- name: u\n  user: {client-certificate: c}\n"
                       "contexts:\n- name: x\n  context: {cluster: c, user: "
                       "u}\n",
                       -EINVAL, "must be given together");
    assert_parse_fails("a: [1, 2\n", -EINVAL, "kc.yaml: line");
    assert_parse_fails("a: &x 1\nb: *x\n", -EINVAL, "anchors and aliases");
}

static void
test_config_merges_files_first_definition_wins(void **state)
{
    char *a = write_file("a.yaml", "clusters:\n- name: c\n  cluster: {server: "
                                   "https://first:1}\n");
    char *b =
        write_file("b.yaml", "clusters:\n- name: c\n  cluster: {server: "
                             "https://second:2}\n"
                             "users:\n- name: u\n  user: {token: t-b}\n"
                             "contexts:\n- name: x\n  context: {cluster: c, "
                             "user: u}\n- name: y\n  context: {cluster: c}\n"
                             "current-context: x\n");
    char *missing = xasprintf("%s/missing.yaml", tmpdir);
    const char *paths[] = {a, missing, b};
    struct kube_config config;
    struct kovn_error err = {0};

    (void)state;
    if (kube_config_load_files(paths, 3, NULL, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    assert_string_equal(config.server, "https://first:1");
    assert_string_equal(config.token, "t-b");
    assert_string_equal(config.context, "x");
    kube_config_destroy(&config);

    /* A context override wins over current-context. */
    assert_int_equal(kube_config_load_files(paths, 3, "y", &config, &err), 0);
    assert_string_equal(config.context, "y");
    assert_null(config.token);
    kube_config_destroy(&config);

    /* --kubeconfig beats $KUBECONFIG; $KUBECONFIG is a colon list. */
    char *env = xasprintf("%s:%s", b, a);
    setenv("KUBECONFIG", env, 1);
    assert_int_equal(kube_config_load(NULL, NULL, &config, &err), 0);
    assert_string_equal(config.server, "https://second:2");
    kube_config_destroy(&config);
    assert_int_equal(kube_config_load(a, NULL, &config, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "no current-context"));
    unsetenv("KUBECONFIG");
    free(env);

    /* A single named file must exist. */
    const char *one[] = {missing};
    assert_int_equal(kube_config_load_files(one, 1, NULL, &config, &err),
                     -ENOENT);
    assert_non_null(strstr(err.msg, "missing.yaml"));
    free(a);
    free(b);
    free(missing);
}

static void
test_config_in_cluster_reads_service_account(void **state)
{
    char *dir = xasprintf("%s/sa", tmpdir);
    struct kube_config config;
    struct kovn_error err = {0};

    (void)state;
    mkdir(dir, 0700);
    free(write_file("sa/token", "sa-token\n"));
    free(write_file("sa/ca.crt", "PEM"));
    free(write_file("sa/namespace", "kube-system"));
    unsetenv("KUBERNETES_SERVICE_HOST");
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "KUBERNETES_SERVICE_HOST"));

    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    if (kube_config_in_cluster(dir, &config, &err)) {
        fail_msg("%s", err.msg);
    }
    assert_string_equal(config.server, "https://10.96.0.1:443");
    assert_string_equal(config.token, "sa-token");
    assert_string_equal(config.namespace, "kube-system");
    kube_config_destroy(&config);

    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), 0);
    assert_string_equal(config.server, "https://[fd00::1]:443");
    kube_config_destroy(&config);

    /* Values that trimming or formatting would turn into something
     * unusable are errors that say so. */
    free(write_file("sa/namespace", " \n"));
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), 0);
    assert_string_equal(config.namespace, "default");
    kube_config_destroy(&config);
    free(write_file("sa/token", "\n \n"));
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "empty token"));
    free(write_file("sa/token", "abc\ndef\n"));
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "blank or control character (byte 3)"));
    free(write_file("sa/token", "sa-token\n"));
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1 ", 1);
    assert_int_equal(kube_config_in_cluster(dir, &config, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "make no URL"));
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    free(dir);
}

static int
make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kovn-kc.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
remove_tmpdir(void **state)
{
    char *cmd = xasprintf("rm -rf %s", tmpdir);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    return rc;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_reads_token_and_ca_data),
        cmocka_unit_test(
            test_config_resolves_relative_files_against_kubeconfig_dir),
        cmocka_unit_test(
            test_config_context_override_and_errors_name_the_field),
        cmocka_unit_test(test_config_merges_files_first_definition_wins),
        cmocka_unit_test(test_config_in_cluster_reads_service_account),
    };

    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
