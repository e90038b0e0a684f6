/* One kovn-cni invocation: environment and stdin in, one exchange with
 * kovn-daemon, result or error out; see plugin.h. */
#include <config.h>

#include "cni/plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "cni/protocol.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(cni_plugin);

/* What went wrong, as the spec's error object will say it. */
struct failure {
    int code; /* 0: nothing failed. */
    char msg[CNI_MSG_MAX + 1];
    char details[CNI_MSG_MAX + 1];
};

static void fail(struct failure *, int code, const char *msg,
                 const char *details_fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
fail(struct failure *f, int code, const char *msg, const char *details_fmt,
     ...)
{
    va_list args;

    f->code = code;
    snprintf(f->msg, sizeof f->msg, "%s", msg);
    va_start(args, details_fmt);
    vsnprintf(f->details, sizeof f->details, details_fmt, args);
    va_end(args);
}

void
cni_plugin_env_from_process(struct cni_plugin_env *env)
{
    env->command = getenv("CNI_COMMAND");
    env->container_id = getenv("CNI_CONTAINERID");
    env->netns = getenv("CNI_NETNS");
    env->ifname = getenv("CNI_IFNAME");
    env->args = getenv("CNI_ARGS");
    env->path = getenv("CNI_PATH");
}

/* Reads all of 'in' into '*out' (null-terminated); more than
 * CNI_CONFIG_MAX bytes is -E2BIG. */
static int
read_input(FILE *in, struct ds *out)
{
    char buf[16384];
    size_t n;

    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (out->length + n > CNI_CONFIG_MAX) {
            return -E2BIG;
        }
        ds_put_buffer(out, buf, n);
    }
    return ferror(in) ? -EIO : 0;
}

/* The version to answer VERSION in: the one asked for on stdin if this
 * plugin speaks it, else the newest. */
static const char *
version_to_answer(const struct ds *input)
{
    static char version[16];
    struct json *json = NULL;
    const char *answer = CNI_LATEST_VERSION;

    if (input->length && !memchr(input->string, '\0', input->length)) {
        json = json_from_string(ds_cstr_ro(input));
    }
    if (json && json->type == JSON_OBJECT) {
        const struct json *v =
            shash_find_data(json_object(json), "cniVersion");

        if (v && v->type == JSON_STRING &&
            cni_version_supported(json_string(v))) {
            snprintf(version, sizeof version, "%s", json_string(v));
            answer = version;
        }
    }
    json_destroy(json);
    return answer;
}

static void
print_json(FILE *out, struct json *json)
{
    char *text = json_to_string(json, 0);

    fprintf(out, "%s\n", text);
    fflush(out);
    free(text);
    json_destroy(json);
}

/* Logs to the config's logFile from here on.  The file level is still off
 * while the file opens (main() sets it so), which skips vlog's own "opened
 * log file" line: one line per invocation is enough. */
static void
open_log_file(const char *name)
{
    if (name && !vlog_set_log_file(name)) {
        vlog_set_levels(NULL, VLF_FILE, VLL_INFO);
    }
}

static long long int
now_msec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long int)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for 'events' on 'fd' until 'deadline'.  Returns 0 or -ETIMEDOUT. */
static int
wait_fd(int fd, short events, long long int deadline)
{
    for (;;) {
        long long int left = deadline - now_msec();
        struct pollfd pfd = {.fd = fd, .events = events};
        int n;

        if (left <= 0) {
            return -ETIMEDOUT;
        }
        n = poll(&pfd, 1, (int)MIN(left, INT_MAX));
        if (n > 0) {
            return 0;
        } else if (n < 0 && errno != EINTR) {
            return -errno;
        }
    }
}

/* Connects to the daemon's unix socket, blocking at most
 * CNI_PLUGIN_CONNECT_TIMEOUT_MS.  Returns a nonblocking fd or -errno. */
static int
connect_daemon(const char *path)
{
    struct sockaddr_un sun;
    struct timeval tv = {
        .tv_sec = CNI_PLUGIN_CONNECT_TIMEOUT_MS / 1000,
        .tv_usec = CNI_PLUGIN_CONNECT_TIMEOUT_MS % 1000 * 1000,
    };
    int fd, error = 0;

    /* The config parser limits daemonSocket to what sun_path holds. */
    ovs_assert(strlen(path) < sizeof sun.sun_path);
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    /* On AF_UNIX, SO_SNDTIMEO bounds a blocking connect(). */
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) ||
        connect(fd, (struct sockaddr *)&sun, sizeof sun) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
        error = -errno;
        close(fd);
        return error;
    }
    return fd;
}

/* Sends 'request' on 'fd' and reads one response line into 'response', all
 * before 'deadline'.  On failure fills 'f' with code 5. */
static int
exchange(int fd, const char *socket_path, const char *request,
         long long int deadline, struct ds *response, struct failure *f)
{
    size_t len = strlen(request), sent = 0;
    int error;

    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);

        if (n >= 0) {
            sent += n;
            continue;
        }
        error = errno == EAGAIN  ? wait_fd(fd, POLLOUT, deadline)
                : errno == EINTR ? 0
                                 : -errno;
        if (error) {
            fail(f, CNI_ERR_IO, "lost the connection to kovn-daemon",
                 "sending the request to %s: %s", socket_path,
                 ovs_strerror(-error));
            return error;
        }
    }

    for (;;) {
        char buf[16384];
        ssize_t n = recv(fd, buf, sizeof buf, 0);

        if (n > 0) {
            char *nl = memchr(buf, '\n', n);

            ds_put_buffer(response, buf, nl ? nl - buf : n);
            if (response->length > CNI_LINE_MAX) {
                fail(f, CNI_ERR_IO, "kovn-daemon sent an invalid response",
                     "%s: response longer than %d bytes", socket_path,
                     CNI_LINE_MAX);
                return -E2BIG;
            }
            if (nl) {
                /* Anything after the line is not ours to read: one request,
                 * one response per connection. */
                return 0;
            }
            continue;
        }
        if (n == 0) {
            if (response->length) {
                fail(f, CNI_ERR_IO, "lost the connection to kovn-daemon",
                     "%s: connection closed after %zu bytes of the "
                     "response, before its end",
                     socket_path, response->length);
            } else {
                fail(f, CNI_ERR_IO, "lost the connection to kovn-daemon",
                     "%s: connection closed without a response", socket_path);
            }
            return -EPIPE;
        }
        error = errno == EAGAIN  ? wait_fd(fd, POLLIN, deadline)
                : errno == EINTR ? 0
                                 : -errno;
        if (error) {
            fail(f, CNI_ERR_IO, "lost the connection to kovn-daemon",
                 "waiting for the response on %s: %s", socket_path,
                 error == -ETIMEDOUT ? "no answer in time"
                                     : ovs_strerror(-error));
            return error;
        }
    }
}

/* Fills 'request' from the environment and the parsed config, which it
 * takes over.  Fails with code 4 or 7. */
static void
build_request(const struct cni_plugin_env *env, enum cni_command command,
              struct cni_config *config, struct cni_request *request,
              struct failure *f)
{
    struct cni_args args;
    struct kovn_error err;

    request->command = command;
    request->cni_version = xstrdup(config->cni_version);
    request->config = *config;
    cni_config_init(config);

    if (command == CNI_CHECK && !request->config.prev_result) {
        fail(f, CNI_ERR_INVALID_CONFIG, "invalid network config",
             "CHECK needs the ADD result as prevResult in the network "
             "config");
        return;
    }
    if (command == CNI_GC && !request->config.has_valid_attachments) {
        /* Without the list the daemon could not tell what to keep. */
        fail(f, CNI_ERR_INVALID_CONFIG, "invalid network config",
             "GC needs cni.dev/valid-attachments in the network config");
        return;
    }
    if (command == CNI_STATUS || command == CNI_GC) {
        return;
    }

    /* An empty variable is an unset one: runtimes write "" for "none"
     * (CNI_NETNS on a DEL whose namespace is gone). */
    request->container_id = env->container_id && *env->container_id
                                ? xstrdup(env->container_id)
                                : NULL;
    request->netns = env->netns && *env->netns ? xstrdup(env->netns) : NULL;
    request->ifname =
        env->ifname && *env->ifname ? xstrdup(env->ifname) : NULL;
    if (cni_args_parse(env->args, &args, &err)) {
        fail(f, CNI_ERR_INVALID_ENV, "invalid environment variables", "%s",
             err.msg);
    } else {
        request->pod_namespace = nullable_xstrdup(args.pod_namespace);
        request->pod_name = nullable_xstrdup(args.pod_name);
        if (cni_request_validate(request, &err)) {
            fail(f, CNI_ERR_INVALID_ENV, "invalid environment variables", "%s",
                 err.msg);
        }
    }
    cni_args_destroy(&args);
}

/* Sends 'request' to the daemon and turns its answer into 'response' or
 * 'f'. */
static void
ask_daemon(const struct cni_request *request, struct cni_response *response,
           struct failure *f)
{
    const char *socket_path = request->config.daemon_socket;
    long long int deadline = now_msec() + CNI_PLUGIN_RESPONSE_TIMEOUT_MS;
    struct ds answer = DS_EMPTY_INITIALIZER;
    struct kovn_error err;
    char *line = NULL;
    int fd = -1;

    if (cni_request_to_line(request, &line, &err)) {
        fail(f, CNI_ERR_INVALID_CONFIG, "invalid network config", "%s",
             err.msg);
        goto out;
    }
    fd = connect_daemon(socket_path);
    if (fd < 0) {
        if (request->command == CNI_STATUS) {
            fail(f, CNI_ERR_NOT_AVAILABLE, "plugin not available",
                 "kovn-daemon is not answering on %s: %s", socket_path,
                 ovs_strerror(-fd));
        } else {
            fail(f, CNI_ERR_TRY_AGAIN_LATER,
                 "kovn-daemon is not available, try again later",
                 "kovn-daemon is not answering on %s: %s", socket_path,
                 ovs_strerror(-fd));
        }
        goto out;
    }
    if (exchange(fd, socket_path, line, deadline, &answer, f)) {
        goto out;
    }
    if (cni_response_from_line(answer.string, answer.length, response, &err)) {
        fail(f, CNI_ERR_IO, "kovn-daemon sent an invalid response", "%s: %s",
             socket_path, err.msg);
        goto out;
    }
    if (request->command == CNI_ADD && !response->error.code &&
        !response->has_result) {
        fail(f, CNI_ERR_IO, "kovn-daemon sent an invalid response",
             "%s: ADD succeeded without a result", socket_path);
    }

out:
    if (fd >= 0) {
        close(fd);
    }
    ds_destroy(&answer);
    free(line);
}

/* VERSION: answered whatever stdin holds, since it is how a runtime finds
 * out what to send. */
static void
answer_version(FILE *in, FILE *out)
{
    struct ds input = DS_EMPTY_INITIALIZER;

    read_input(in, &input);
    print_json(out, cni_version_info_to_json(version_to_answer(&input)));
    ds_destroy(&input);
}

/* Reads the network config from 'in' into 'config'.  Fails with code 5
 * (stdin unreadable), 6 (not a JSON object), 1 (cniVersion) or 7. */
static void
read_config(FILE *in, struct cni_config *config, struct failure *f)
{
    struct ds input = DS_EMPTY_INITIALIZER;
    struct json *json = NULL;
    struct kovn_error err;
    int error;

    error = read_input(in, &input);
    if (error == -E2BIG) {
        fail(f, CNI_ERR_INVALID_CONFIG, "invalid network config",
             "network config on stdin is longer than %d bytes",
             CNI_CONFIG_MAX);
        goto out;
    } else if (error) {
        fail(f, CNI_ERR_IO, "failed to read the network config",
             "reading stdin: %s", ovs_strerror(-error));
        goto out;
    }
    if (input.length && memchr(input.string, '\0', input.length)) {
        fail(f, CNI_ERR_DECODE, "failed to decode the network config",
             "stdin contains a NUL byte");
        goto out;
    }
    json = json_from_string(ds_cstr(&input));
    if (json->type == JSON_STRING) {
        fail(f, CNI_ERR_DECODE, "failed to decode the network config",
             "stdin is not a JSON object: %s", json_string(json));
        goto out;
    }

    error = cni_config_from_json(json, config, &err);
    if (error == -EBADMSG) {
        fail(f, CNI_ERR_DECODE, "failed to decode the network config", "%s",
             err.msg);
    } else if (error == -EPROTONOSUPPORT) {
        fail(f, CNI_ERR_INCOMPATIBLE_VERSION, "incompatible CNI version", "%s",
             err.msg);
    } else if (error) {
        fail(f, CNI_ERR_INVALID_CONFIG, "invalid network config", "%s",
             err.msg);
    }

out:
    json_destroy(json);
    ds_destroy(&input);
}

int
cni_plugin_run(const struct cni_plugin_env *env, FILE *in, FILE *out)
{
    /* Until the config says otherwise, errors are written in the newest
     * version's format: the error object is the same in all of them. */
    const char *version = CNI_LATEST_VERSION;
    struct cni_request request;
    struct cni_response response;
    struct cni_config config;
    struct failure f = {0};
    enum cni_command command = CNI_VERSION;

    cni_config_init(&config);
    cni_request_init(&request);
    cni_response_init(&response);

    if (!env->command || !*env->command) {
        fail(&f, CNI_ERR_INVALID_ENV, "invalid environment variables",
             "CNI_COMMAND: required");
        goto out;
    }
    if (!cni_command_from_string(env->command, &command)) {
        fail(&f, CNI_ERR_INVALID_ENV, "invalid environment variables",
             "CNI_COMMAND \"%.32s\": not ADD, DEL, CHECK, STATUS, GC or "
             "VERSION",
             env->command);
        goto out;
    }
    if (command == CNI_VERSION) {
        answer_version(in, out);
        goto out;
    }

    read_config(in, &config, &f);
    if (cni_version_supported(config.cni_version)) {
        /* Even when something else in the config is wrong. */
        version = config.cni_version;
    }
    if (f.code) {
        goto out;
    }
    open_log_file(config.log_file);
    if (!cni_version_has_command(config.cni_version, command)) {
        fail(&f, CNI_ERR_INCOMPATIBLE_VERSION, "incompatible CNI version",
             "cniVersion %s has no %s (it came with %s)", config.cni_version,
             env->command, cni_command_min_version(command));
        goto out;
    }

    build_request(env, command, &config, &request, &f);
    version = request.cni_version;
    if (f.code) {
        goto out;
    }
    ask_daemon(&request, &response, &f);
    if (f.code) {
        goto out;
    }
    if (response.error.code) {
        f.code = response.error.code;
        snprintf(f.msg, sizeof f.msg, "%s", response.error.msg);
        snprintf(f.details, sizeof f.details, "%s",
                 response.error.details ? response.error.details : "");
        goto out;
    }
    if (command == CNI_ADD) {
        print_json(out, cni_result_to_json(&response.result, version));
    }
    VLOG_INFO("%s container=%s ifname=%s: ok", env->command,
              request.container_id ? request.container_id : "-",
              request.ifname ? request.ifname : "-");

out:
    if (f.code) {
        struct cni_error e = {
            .code = f.code,
            .msg = f.msg,
            .details = f.details[0] ? f.details : NULL,
        };

        VLOG_WARN("%s container=%s ifname=%s: error %d: %s%s%s",
                  env->command ? env->command : "-",
                  env->container_id ? env->container_id : "-",
                  env->ifname ? env->ifname : "-", f.code, f.msg,
                  f.details[0] ? ": " : "", f.details);
        print_json(out, cni_error_to_json(&e, version));
    }
    cni_response_destroy(&response);
    cni_request_destroy(&request);
    cni_config_destroy(&config);
    return f.code ? 1 : 0;
}
