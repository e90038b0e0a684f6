/* Integration tests for src/base/httpd: a real server on an ephemeral port,
 * driven only by httpd_run()/httpd_wait()/poll_block() on this thread,
 * against the curl command line (a child process) and raw sockets.  Covers
 * routing, request bodies and their limit, deferred answers, streams, HTTPS
 * with a certificate from scripts/certs.sh, start-up errors, and peers that
 * misbehave. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/httpd.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

extern char **environ;

/* No single exchange in these tests should take nearly this long. */
#define CLIENT_DEADLINE_MS 20000

/* A busy loop (a wakeup the server never clears) would show up as
 * thousands of iterations per client run; a healthy one needs dozens. */
#define MAX_LOOP_ITERATIONS 2000

static char tmpdir[64];

/* What curl reported: the status (0 if no response), the response's
 * Content-Type, its body and curl's exit code. */
struct reply {
    int status;
    char content_type[128];
    struct ds body;
    int exit_code;
};

static void
reply_destroy(struct reply *r)
{
    ds_destroy(&r->body);
}

/* Drives 'httpd' until the child 'pid' (whose stdout is 'fd') closes its
 * stdout; returns its exit status and output. */
static int
drive_child(struct httpd *httpd, pid_t pid, int fd, struct ds *out)
{
    long long deadline = time_msec() + CLIENT_DEADLINE_MS;
    int iterations = 0;
    int status;

    for (;;) {
        char buf[4096];
        ssize_t n;

        httpd_run(httpd);
        n = read(fd, buf, sizeof buf);
        if (n > 0) {
            ds_put_buffer(out, buf, n);
            continue;
        }
        if (!n) {
            break;
        }
        assert_int_equal(errno, EAGAIN);
        if (time_msec() > deadline) {
            kill(pid, SIGKILL);
            fail_msg("client did not finish in %d ms", CLIENT_DEADLINE_MS);
        }
        assert_true(++iterations < MAX_LOOP_ITERATIONS);
        httpd_wait(httpd);
        poll_fd_wait(fd, POLLIN);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    close(fd);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs curl against 'url' with the extra arguments (NULL-terminated) while
 * serving requests with 'httpd'. */
static void
curl(struct httpd *httpd, struct reply *r, const char *url, ...)
{
    posix_spawn_file_actions_t actions;
    const char *argv[32];
    int argc = 0, fds[2];
    const char *arg;
    va_list args;
    char *nl;
    pid_t pid;

    argv[argc++] = "curl";
    argv[argc++] = "-q"; /* No ~/.curlrc; must come first. */
    argv[argc++] = "--noproxy";
    argv[argc++] = "*";
    argv[argc++] = "-sS";
    argv[argc++] = "--max-time";
    argv[argc++] = "10";
    argv[argc++] = "-o";
    argv[argc++] = "-";
    argv[argc++] = "-w";
    argv[argc++] = "\n%{content_type}\n%{http_code}";
    va_start(args, url);
    while ((arg = va_arg(args, const char *))) {
        assert_true(argc < (int)ARRAY_SIZE(argv) - 2);
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc++] = url;
    argv[argc] = NULL;

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    assert_int_equal(
        posix_spawnp(&pid, "curl", &actions, NULL, (char **)argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);

    memset(r, 0, sizeof *r);
    ds_init(&r->body);
    r->exit_code = drive_child(httpd, pid, fds[0], &r->body);

    /* Peel "\n<content type>\n<status>" off the end. */
    nl = strrchr(ds_cstr(&r->body), '\n');
    assert_non_null(nl);
    r->status = atoi(nl + 1);
    ds_truncate(&r->body, nl - r->body.string);
    nl = strrchr(ds_cstr(&r->body), '\n');
    assert_non_null(nl);
    ovs_strlcpy(r->content_type, nl + 1, sizeof r->content_type);
    ds_truncate(&r->body, nl - r->body.string);
}

/* Serves for 'ms' milliseconds; returns how many times the loop woke. */
static int
serve_for(struct httpd *httpd, int ms)
{
    long long deadline = time_msec() + ms;
    int iterations = 0;

    while (time_msec() < deadline) {
        httpd_run(httpd);
        httpd_wait(httpd);
        poll_timer_wait_until(deadline);
        poll_block();
        iterations++;
    }
    return iterations;
}

static char *
url(const struct httpd *httpd, const char *scheme, const char *path)
{
    return xasprintf("%s://127.0.0.1:%d%s", scheme, httpd_port(httpd), path);
}

static int
connect_raw(const struct httpd *httpd)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(httpd_port(httpd)),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    /* The kernel completes the handshake from the listen backlog, so this
     * does not need the server to run. */
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    return fd;
}

static void
send_all(int fd, const char *data)
{
    size_t len = strlen(data);

    assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Serves until what 'fd' has received contains 'needle'. */
static void
recv_until(struct httpd *httpd, int fd, struct ds *got, const char *needle)
{
    long long deadline = time_msec() + CLIENT_DEADLINE_MS;

    while (!strstr(ds_cstr(got), needle)) {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

        if (n > 0) {
            ds_put_buffer(got, buf, n);
            continue;
        }
        assert_true(n < 0 && errno == EAGAIN);
        assert_true(time_msec() < deadline);
        httpd_run(httpd);
        httpd_wait(httpd);
        poll_fd_wait(fd, POLLIN);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static void
write_file(const char *name, size_t size, char fill)
{
    FILE *file = fopen(name, "wb");
    size_t i;

    assert_non_null(file);
    for (i = 0; i < size; i++) {
        fputc(fill, file);
    }
    assert_int_equal(fclose(file), 0);
}

static void
hello_handler(const struct httpd_request *req, struct httpd_response *resp,
              void *aux)
{
    int *calls = aux;

    (*calls)++;
    assert_string_equal(req->method, "GET");
    assert_null(req->query);
    assert_int_equal(req->body_len, 0);
    httpd_response_set(resp, 200, "text/plain; charset=utf-8", "hello\n");
}

/* Replies "METHOD|query|content type|body length\n" then the body. */
static void
echo_handler(const struct httpd_request *req, struct httpd_response *resp,
             void *aux)
{
    (void)aux;
    resp->status = 201;
    resp->content_type = "application/octet-stream";
    ds_put_format(&resp->body, "%s|%s|%s|%zu\n", req->method,
                  req->query ? req->query : "(none)",
                  req->content_type ? req->content_type : "(none)",
                  req->body_len);
    ds_put_buffer(&resp->body, req->body, req->body_len);
}

static struct httpd *
start(const struct httpd_options *options, int *hello_calls)
{
    struct kovn_error err = {0};
    struct httpd *httpd;

    if (httpd_create(options, &httpd, &err)) {
        fail_msg("httpd_create: %s", err.msg);
    }
    assert_true(httpd_port(httpd) > 0);
    httpd_route(httpd, "/hello", hello_handler, hello_calls);
    httpd_route(httpd, "/echo", echo_handler, NULL);
    return httpd;
}

static void
assert_hello(struct httpd *httpd, const char *u, int *calls)
{
    int before = *calls;
    struct reply r;

    curl(httpd, &r, u, (const char *)NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(ds_cstr(&r.body), "hello\n");
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_int_equal(*calls, before + 1);
    reply_destroy(&r);
}

static void
test_httpd_get_route_returns_handler_body(void **state)
{
    struct httpd_options options = {.port = 0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *u = url(httpd, "http", "/hello");
    struct ds got = DS_EMPTY_INITIALIZER;
    struct kovn_error err = {0};
    int fd;

    (void)state;
    assert_hello(httpd, u, &calls);
    /* The same server keeps serving. */
    assert_hello(httpd, u, &calls);

    /* Several requests on one connection, pipelined even, as clients that
     * keep connections alive may send them. */
    fd = connect_raw(httpd);
    send_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                 "POST /echo?q HTTP/1.1\r\nHost: x\r\n"
                 "Content-Length: 3\r\n\r\nabc");
    recv_until(httpd, fd, &got, "POST|q|(none)|3\nabc");
    assert_non_null(strstr(ds_cstr(&got), "\r\n\r\nhello\n"));
    assert_int_equal(calls, 3);
    close(fd);

    ds_destroy(&got);
    free(u);
    httpd_destroy(httpd);

    /* IPv6 loopback, where the host has it. */
    options.address = "::1";
    if (!httpd_create(&options, &httpd, &err)) {
        httpd_route(httpd, "/hello", hello_handler, &calls);
        u = xasprintf("http://[::1]:%d/hello", httpd_port(httpd));
        assert_hello(httpd, u, &calls);
        free(u);
        httpd_destroy(httpd);
    }
}

static void
test_httpd_unknown_path_is_404(void **state)
{
    struct httpd_options options = {0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *u = url(httpd, "http", "/hello/more");
    struct reply r;

    (void)state;
    curl(httpd, &r, u, (const char *)NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(ds_cstr(&r.body), "404 page not found\n");
    assert_int_equal(calls, 0);
    reply_destroy(&r);
    free(u);
    httpd_destroy(httpd);
}

static void
test_httpd_post_body_and_query_reach_handler(void **state)
{
    struct httpd_options options = {0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *u = url(httpd, "http", "/echo?timeout=10s&x=%20y");
    char *file = xasprintf("%s/body", tmpdir);
    char *at_file = xasprintf("@%s", file);
    struct reply r;

    (void)state;
    curl(httpd, &r, u, "-H", "Content-Type: application/json", "--data-binary",
         "{\"kind\": \"AdmissionReview\"}", (const char *)NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.content_type, "application/octet-stream");
    assert_string_equal(ds_cstr(&r.body),
                        "POST|timeout=10s&x=%20y|application/json|27\n"
                        "{\"kind\": \"AdmissionReview\"}");
    reply_destroy(&r);

    /* A body of exactly the default limit is accepted, in several reads. */
    write_file(file, HTTPD_DEFAULT_MAX_BODY, 'a');
    free(u);
    u = url(httpd, "http", "/echo");
    curl(httpd, &r, u, "--data-binary", at_file, (const char *)NULL);
    assert_int_equal(r.status, 201);
    assert_true(r.body.length > HTTPD_DEFAULT_MAX_BODY);
    assert_true(!strncmp(ds_cstr(&r.body), "POST|(none)|", 12));
    assert_non_null(strstr(ds_cstr(&r.body), "|1048576\naaaa"));
    reply_destroy(&r);

    unlink(file);
    free(at_file);
    free(file);
    free(u);
    httpd_destroy(httpd);
}

static void
test_httpd_body_over_limit_is_413(void **state)
{
    struct httpd_options options = {.max_body = 1024};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *echo = url(httpd, "http", "/echo");
    char *hello = url(httpd, "http", "/hello");
    char *file = xasprintf("%s/big", tmpdir);
    char *at_file = xasprintf("@%s", file);
    struct reply r;

    (void)state;
    /* A declared length somewhat over the limit: the body is read and
     * dropped, then refused; with "Expect: 100-continue" it is refused
     * before the client sends it. */
    write_file(file, 2000, 'b');
    curl(httpd, &r, echo, "-H", "Expect:", "--data-binary", at_file,
         (const char *)NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.status, 413);
    assert_string_equal(ds_cstr(&r.body),
                        "request body larger than 1024 bytes\n");
    reply_destroy(&r);
    curl(httpd, &r, echo, "-H", "Expect: 100-continue", "--data-binary",
         at_file, (const char *)NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.status, 413);
    reply_destroy(&r);

    /* A chunked body outgrows the limit only while it is read: the same
     * applies. */
    curl(httpd, &r, echo, "-H", "Transfer-Encoding: chunked", "-H",
         "Expect:", "--data-binary", at_file, (const char *)NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.status, 413);
    reply_destroy(&r);

    /* Far too large.  Declared and awaiting "100 Continue": refused,
     * nothing sent. */
    write_file(file, 8 * 1024 * 1024, 'c');
    curl(httpd, &r, echo, "-H", "Expect: 100-continue", "--data-binary",
         at_file, (const char *)NULL);
    assert_int_equal(r.status, 413);
    reply_destroy(&r);

    /* Declared and sent at once: refused and closed; the client may see
     * the 413 or only a reset, depending on timing. */
    curl(httpd, &r, echo, "-H", "Expect:", "--data-binary", at_file,
         (const char *)NULL);
    assert_true(r.status == 413 || r.status == 0);
    reply_destroy(&r);

    /* Chunked: cut off once twice the limit has come in. */
    curl(httpd, &r, echo, "-H", "Transfer-Encoding: chunked", "-H",
         "Expect:", "--data-binary", at_file, (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_int_not_equal(r.exit_code, 0);
    reply_destroy(&r);

    /* Within the limit still works, and so do other routes. */
    write_file(file, 1024, 'd');
    curl(httpd, &r, echo, "-H", "Transfer-Encoding: chunked", "--data-binary",
         at_file, (const char *)NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(ds_cstr(&r.body), "|1024\ndddd"));
    reply_destroy(&r);
    assert_hello(httpd, hello, &calls);

    unlink(file);
    free(at_file);
    free(file);
    free(hello);
    free(echo);
    httpd_destroy(httpd);
}

static void
make_certs(const char *dir, const char *extra)
{
    char *cmd = xasprintf("%s/scripts/certs.sh %s %s",
                          KOVN_SOURCE_ROOT_FOR_TESTS, dir, extra);

    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static char *
slurp(const char *name)
{
    FILE *file = fopen(name, "rb");
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;

    assert_non_null(file);
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&ds, buf, n);
    }
    fclose(file);
    return ds_steal_cstr(&ds);
}

static void
test_httpd_https_with_certs_script(void **state)
{
    char *dir = xasprintf("%s/certs", tmpdir);
    char *cert = xasprintf("%s/tls.crt", dir);
    char *key = xasprintf("%s/tls.key", dir);
    char *ca = xasprintf("%s/ca.crt", dir);
    struct httpd_options options = {.cert_file = cert, .key_file = key};
    struct httpd *httpd;
    char *u, *resolve, *first, *again;
    int calls = 0, fd;
    struct reply r;

    (void)state;
    make_certs(dir, "10.96.0.10");
    first = slurp(cert);
    /* A second run with a still-valid certificate changes nothing. */
    make_certs(dir, "10.96.0.10");
    again = slurp(cert);
    assert_string_equal(first, again);

    httpd = start(&options, &calls);
    u = url(httpd, "https", "/hello");
    curl(httpd, &r, u, "--cacert", ca, (const char *)NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(ds_cstr(&r.body), "hello\n");
    reply_destroy(&r);
    free(u);

    /* The DNS name in the certificate verifies too. */
    resolve = xasprintf("localhost:%d:127.0.0.1", httpd_port(httpd));
    u = xasprintf("https://localhost:%d/echo", httpd_port(httpd));
    curl(httpd, &r, u, "--cacert", ca, "--resolve", resolve, "--data-binary",
         "x", (const char *)NULL);
    assert_int_equal(r.status, 201);
    reply_destroy(&r);
    free(u);

    /* Without the CA the client refuses the server; plain HTTP to the TLS
     * port gets nowhere.  Neither disturbs the server. */
    u = url(httpd, "https", "/hello");
    curl(httpd, &r, u, (const char *)NULL);
    assert_int_not_equal(r.exit_code, 0);
    assert_int_equal(r.status, 0);
    reply_destroy(&r);
    free(u);
    u = url(httpd, "http", "/hello");
    curl(httpd, &r, u, (const char *)NULL);
    assert_int_not_equal(r.status, 200);
    reply_destroy(&r);
    free(u);
    u = url(httpd, "https", "/hello");
    curl(httpd, &r, u, "--cacert", ca, (const char *)NULL);
    assert_int_equal(r.status, 200);
    reply_destroy(&r);

    /* A client that stalls in the middle of the handshake (here: after the
     * first bytes of a ClientHello record) must not make the server spin
     * while it waits for the rest. */
    fd = connect_raw(httpd);
    send_all(fd, "\x16\x03\x01\x02\x00\x01");
    assert_true(serve_for(httpd, 500) < 20);
    close(fd);
    assert_true(serve_for(httpd, 100) < 20);

    httpd_destroy(httpd);
    free(u);
    free(resolve);
    free(first);
    free(again);
    free(ca);
    free(key);
    free(cert);
    free(dir);
}

static void
assert_create_fails(const struct httpd_options *options, int code,
                    const char *needle)
{
    struct kovn_error err = {0};
    struct httpd *httpd = (struct httpd *)1;

    assert_int_equal(httpd_create(options, &httpd, &err), code);
    assert_null(httpd);
    if (getenv("HTTPD_TEST_VERBOSE")) {
        printf("%s\n", err.msg);
    }
    if (!strstr(err.msg, needle)) {
        fail_msg("error \"%s\" does not mention \"%s\"", err.msg, needle);
    }
}

static void
test_httpd_create_errors_name_the_cause(void **state)
{
    char *dir = xasprintf("%s/certs", tmpdir);
    char *cert = xasprintf("%s/tls.crt", dir);
    char *key = xasprintf("%s/tls.key", dir);
    char *ca_key = xasprintf("%s/ca.key", dir);
    char *junk = xasprintf("%s/junk.pem", tmpdir);
    const char *missing = "/nonexistent/kovn/tls.crt";
    struct httpd_options options = {0};
    struct httpd *httpd;
    int calls = 0;

    (void)state;
    make_certs(dir, "");

    options.cert_file = missing;
    options.key_file = key;
    assert_create_fails(&options, -ENOENT, missing);

    options.cert_file = cert;
    options.key_file = "/nonexistent/kovn/tls.key";
    assert_create_fails(&options, -ENOENT, "/nonexistent/kovn/tls.key");

    options.key_file = NULL;
    assert_create_fails(&options, -EINVAL, "both");

    /* Files that exist but that the TLS library refuses. */
    write_file(junk, 100, 'x');
    options.cert_file = junk;
    options.key_file = key;
    assert_create_fails(&options, -EIO, junk);
    options.cert_file = cert;
    options.key_file = ca_key; /* Not the certificate's key. */
    assert_create_fails(&options, -EIO, ca_key);

    memset(&options, 0, sizeof options);
    options.address = "localhost";
    assert_create_fails(&options, -EINVAL, "localhost");
    options.address = NULL;
    options.port = 70000;
    assert_create_fails(&options, -EINVAL, "70000");

    /* A port in use. */
    options.port = 0;
    httpd = start(&options, &calls);
    options.port = httpd_port(httpd);
    assert_create_fails(&options, -EADDRINUSE, "port");
    httpd_destroy(httpd);

    unlink(junk);
    free(junk);
    free(ca_key);
    free(key);
    free(cert);
    free(dir);
}

static void
test_httpd_survives_clients_that_vanish_mid_request(void **state)
{
    struct httpd_options options = {0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *hello = url(httpd, "http", "/hello");
    int fds[4];

    (void)state;
    /* Half a request line; headers but half the body; a complete request
     * whose client leaves before the response; nothing at all. */
    fds[0] = connect_raw(httpd);
    send_all(fds[0], "GET /hel");
    fds[1] = connect_raw(httpd);
    send_all(fds[1], "POST /echo?q=1 HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: 100\r\n\r\nhalf a body");
    fds[2] = connect_raw(httpd);
    send_all(fds[2], "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    fds[3] = connect_raw(httpd);
    serve_for(httpd, 200);
    assert_int_equal(calls, 1);
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        /* An RST rather than a FIN for the last one, for variety. */
        if (i == ARRAY_SIZE(fds) - 1) {
            struct linger linger = {.l_onoff = 1, .l_linger = 0};

            setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
        }
        close(fds[i]);
    }
    serve_for(httpd, 100);
    assert_hello(httpd, hello, &calls);

    /* Requests still in flight when the server goes away are freed too
     * (LeakSanitizer checks at exit). */
    fds[0] = connect_raw(httpd);
    send_all(fds[0], "PUT /echo HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: 10\r\n\r\n12345");
    serve_for(httpd, 100);
    httpd_destroy(httpd);
    close(fds[0]);
    free(hello);
}

/* True once the server has closed 'fd': end of stream or a reset. */
static bool
closed_by_peer(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

    return n == 0 || (n < 0 && errno != EAGAIN);
}

static void
test_httpd_idle_connections_time_out_and_free_slots(void **state)
{
    struct httpd_options options = {.max_connections = 2, .timeout_s = 2};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    char *hello = url(httpd, "http", "/hello");
    long long started = time_msec();
    struct reply r;
    int fds[2];

    (void)state;
    /* Two idle peers take every slot: a third client is turned away at
     * once rather than left waiting. */
    fds[0] = connect_raw(httpd);
    fds[1] = connect_raw(httpd);
    serve_for(httpd, 50);
    curl(httpd, &r, hello, (const char *)NULL);
    assert_int_equal(r.status, 0);
    reply_destroy(&r);
    assert_int_equal(calls, 0);
    assert_true(time_msec() - started < 1900);

    /* The idle timeout drops both (and no sooner), which frees the
     * slots. */
    while (!closed_by_peer(fds[0]) || !closed_by_peer(fds[1])) {
        assert_true(time_msec() - started < 6000);
        assert_true(serve_for(httpd, 50) < 20);
    }
    assert_true(time_msec() - started >= 1900);
    close(fds[0]);
    close(fds[1]);
    assert_hello(httpd, hello, &calls);

    free(hello);
    httpd_destroy(httpd);
}

static int
setup(void **state)
{
    (void)state;
    ovs_strlcpy(tmpdir, "/tmp/kovn-httpd-XXXXXX", sizeof tmpdir);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char *cmd = xasprintf("rm -rf %s", tmpdir);
    int rc;

    (void)state;
    rc = system(cmd);
    free(cmd);
    return rc;
}

/* Serves until 'done' is true. */
static void
serve_until(struct httpd *httpd, const bool *done)
{
    long long deadline = time_msec() + CLIENT_DEADLINE_MS;

    while (!*done) {
        assert_true(time_msec() < deadline);
        httpd_run(httpd);
        httpd_wait(httpd);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

struct deferring {
    struct httpd_deferred *deferred;
    bool called;
    char auth[64];
    char cookie[64];
};

static void
deferring_handler(const struct httpd_request *req, struct httpd_response *resp,
                  void *d_)
{
    struct deferring *d = d_;
    const char *auth = httpd_request_header(req, "Authorization");
    const char *cookie = httpd_request_cookie(req, "token");

    snprintf(d->auth, sizeof d->auth, "%s", auth ? auth : "(none)");
    snprintf(d->cookie, sizeof d->cookie, "%s", cookie ? cookie : "(none)");
    /* Dropped: the deferred reply is the answer. */
    httpd_response_set(resp, 500, "text/plain", "not this\n");
    d->deferred = httpd_defer(req);
    d->called = true;
}

static void
test_httpd_deferred_reply_answers_later(void **state)
{
    struct httpd_options options = {0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    struct deferring d = {0};
    struct ds got = DS_EMPTY_INITIALIZER;
    char buf[256];
    int fd;

    (void)state;
    httpd_route(httpd, "/later", deferring_handler, &d);
    fd = connect_raw(httpd);
    send_all(fd, "GET /later HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer abc\r\n"
                 "Cookie: other=1; token=t0k\r\n\r\n");
    serve_until(httpd, &d.called);
    assert_string_equal(d.auth, "Bearer abc");
    assert_string_equal(d.cookie, "t0k");

    /* Nothing is sent while it waits, and the wait is quiet. */
    assert_true(serve_for(httpd, 300) < 20);
    assert_int_equal(recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);

    httpd_deferred_reply(d.deferred, 202, "text/plain", "later\n");
    recv_until(httpd, fd, &got, "later\n");
    assert_non_null(strstr(ds_cstr(&got), "HTTP/1.1 202"));
    assert_null(strstr(ds_cstr(&got), "not this"));

    /* The connection serves the next request as usual. */
    ds_clear(&got);
    send_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    recv_until(httpd, fd, &got, "hello\n");
    close(fd);

    /* A peer that leaves before the reply, and a reply due after the
     * server is gone: both only free the handle (ASan checks). */
    d.called = false;
    fd = connect_raw(httpd);
    send_all(fd, "GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    serve_until(httpd, &d.called);
    close(fd);
    serve_for(httpd, 50);
    httpd_deferred_reply(d.deferred, 200, "text/plain", "gone\n");
    serve_for(httpd, 50);

    d.called = false;
    fd = connect_raw(httpd);
    send_all(fd, "GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    serve_until(httpd, &d.called);
    httpd_destroy(httpd);
    httpd_deferred_reply(d.deferred, 200, "text/plain", "gone\n");
    close(fd);
    ds_destroy(&got);
}

static void
streaming_handler(const struct httpd_request *req, struct httpd_response *resp,
                  void *stream_)
{
    struct httpd_stream **stream = stream_;

    (void)resp;
    *stream = httpd_stream_open(req, "text/event-stream");
}

/* Connects, asks for /events and reads the response's head into 'got'. */
static int
open_events(struct httpd *httpd, struct ds *got)
{
    int fd = connect_raw(httpd);

    send_all(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    ds_clear(got);
    recv_until(httpd, fd, got, "\r\n\r\n");
    return fd;
}

static void
test_httpd_stream_sends_as_written(void **state)
{
    struct httpd_options options = {0};
    int calls = 0;
    struct httpd *httpd = start(&options, &calls);
    struct httpd_stream *stream = NULL;
    struct ds got = DS_EMPTY_INITIALIZER;
    long long deadline;
    int fd;

    (void)state;
    httpd_route(httpd, "/events", streaming_handler, &stream);
    fd = open_events(httpd, &got);
    assert_non_null(stream);
    assert_non_null(strstr(ds_cstr(&got), "HTTP/1.1 200"));
    assert_non_null(strstr(ds_cstr(&got), "text/event-stream"));
    assert_true(httpd_stream_is_open(stream));

    /* Idle, the stream does not keep the loop busy. */
    assert_true(serve_for(httpd, 300) < 20);
    httpd_stream_write(stream, "data: one\n\n", 11);
    recv_until(httpd, fd, &got, "data: one\n\n");
    assert_true(serve_for(httpd, 200) < 20);
    httpd_stream_write(stream, "data: two\n\n", 11);
    httpd_stream_write(stream, "data: three\n\n", 13);
    recv_until(httpd, fd, &got, "data: three\n\n");

    /* Closing ends the chunked body. */
    httpd_stream_close(stream);
    recv_until(httpd, fd, &got, "\r\n0\r\n\r\n");
    close(fd);

    /* A peer that leaves: the next writes find out. */
    stream = NULL;
    close(open_events(httpd, &got));
    deadline = time_msec() + CLIENT_DEADLINE_MS;
    while (httpd_stream_is_open(stream)) {
        assert_true(time_msec() < deadline);
        httpd_stream_write(stream, "data: x\n\n", 9);
        serve_for(httpd, 20);
    }
    httpd_stream_close(stream);

    /* A stream still open when the server stops. */
    stream = NULL;
    fd = open_events(httpd, &got);
    httpd_destroy(httpd);
    assert_false(httpd_stream_is_open(stream));
    httpd_stream_write(stream, "data: x\n\n", 9);
    httpd_stream_close(stream);
    close(fd);
    ds_destroy(&got);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_httpd_get_route_returns_handler_body),
        cmocka_unit_test(test_httpd_unknown_path_is_404),
        cmocka_unit_test(test_httpd_post_body_and_query_reach_handler),
        cmocka_unit_test(test_httpd_body_over_limit_is_413),
        cmocka_unit_test(test_httpd_https_with_certs_script),
        cmocka_unit_test(test_httpd_create_errors_name_the_cause),
        cmocka_unit_test(test_httpd_survives_clients_that_vanish_mid_request),
        cmocka_unit_test(test_httpd_idle_connections_time_out_and_free_slots),
        cmocka_unit_test(test_httpd_deferred_reply_answers_later),
        cmocka_unit_test(test_httpd_stream_sends_as_written),
    };

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
