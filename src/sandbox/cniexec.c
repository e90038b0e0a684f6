/* CNI plugin invocations as child processes; see cniexec.h. */
#include <config.h>

#include "sandbox/cniexec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(sandbox_cniexec);

extern char **environ;

struct cniexec {
    char *type;
    enum cni_command command;
    pid_t pid; /* 0 once reaped. */
    int exit_code;
    bool signaled;
    int in_fd, out_fd, err_fd; /* -1 once closed. */
    char *input;               /* The config, being written. */
    size_t input_len, input_ofs;
    struct ds out, err;
    bool too_big;
    long long deadline;
    bool finished;
    struct cniexec_outcome outcome;
};

void
cniexec_outcome_init(struct cniexec_outcome *o)
{
    memset(o, 0, sizeof *o);
}

void
cniexec_outcome_destroy(struct cniexec_outcome *o)
{
    json_destroy(o->result);
    free(o->cni_error.msg);
    free(o->cni_error.details);
    cniexec_outcome_init(o);
}

static char *
truncated(const char *s)
{
    size_t len = strnlen(s, CNI_MSG_MAX);
    return xmemdup0(s, len);
}

static int
fail(struct cniexec_outcome *o, int error, int code, char *msg)
{
    o->error = error;
    o->cni_error.code = code;
    free(o->cni_error.msg);
    o->cni_error.msg = truncated(msg);
    free(msg);
    return error;
}

/* A CNI error object: {"code": N >= 1, "msg": "...", "details": "..."}. */
static bool
parse_error_object(const struct json *json, struct cniexec_outcome *o)
{
    const struct json *code = json_member(json, "code");
    const char *msg = NULL, *details = NULL;

    if (!code || code->type != JSON_INTEGER || json_integer(code) < 1 ||
        json_integer(code) > 1000000 ||
        json_member_string(json, "msg", "msg", &msg, NULL) ||
        json_member_string(json, "details", "details", &details, NULL)) {
        return false;
    }
    o->cni_error.code = json_integer(code);
    o->cni_error.msg = truncated(msg ? msg : "");
    o->cni_error.details = details ? truncated(details) : NULL;
    o->error = -EPROTO;
    return true;
}

int
cniexec_parse_output(enum cni_command command, int exit_code, const char *out,
                     size_t len, const char *stderr_text,
                     struct cniexec_outcome *o)
{
    struct json *json = NULL;
    char *text = xmemdup0(out, len);

    cniexec_outcome_init(o);
    if (strlen(text) != len) {
        fail(o, -EPROTO, CNI_ERR_DECODE,
             xstrdup("plugin output contains a NUL byte"));
        goto out;
    }
    if (len) {
        json = json_from_string(text);
    }
    if (exit_code) {
        if (!json || json->type != JSON_OBJECT ||
            !parse_error_object(json, o)) {
            fail(o, -EPROTO, CNI_ERR_IO,
                 xasprintf("plugin exited with status %d: %s", exit_code,
                           stderr_text && *stderr_text ? stderr_text
                                                       : "(no output)"));
        }
        goto out;
    }
    if (command != CNI_ADD) {
        goto out; /* DEL and CHECK print nothing on success. */
    }
    if (!json || json->type != JSON_OBJECT) {
        fail(o, -EPROTO, CNI_ERR_DECODE,
             xasprintf("plugin printed no result object%s%s",
                       json && json->type == JSON_STRING ? ": " : "",
                       json && json->type == JSON_STRING ? json_string(json)
                                                         : ""));
        goto out;
    }
    struct cni_result result;
    struct kovn_error err;
    if (cni_result_from_json(json, &result, &err)) {
        fail(o, -EPROTO, CNI_ERR_DECODE,
             xasprintf("plugin printed an invalid result: %s", err.msg));
    } else {
        o->result = json_clone(json);
    }
    cni_result_destroy(&result);
out:
    json_destroy(json);
    free(text);
    return o->error;
}

static char *
find_plugin(const char *path, const char *type)
{
    char *copy = xstrdup(path), *save = NULL, *found = NULL;

    for (char *dir = strtok_r(copy, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        char *file = xasprintf("%s/%s", dir, type);

        if (!access(file, X_OK)) {
            found = file;
            break;
        }
        free(file);
    }
    free(copy);
    return found;
}

static char **
make_env(const struct cniexec_request *r)
{
    size_t n = 0, max = 8;
    char **env;

    for (char **e = environ; *e; e++) {
        max++;
    }
    env = xcalloc(max, sizeof *env);
    /* The runtime's own environment minus any CNI_* of its own, as libcni
     * passes os.Environ() with the CNI variables set. */
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4)) {
            env[n++] = xstrdup(*e);
        }
    }
    env[n++] = xasprintf("CNI_COMMAND=%s", cni_command_to_string(r->command));
    env[n++] = xasprintf("CNI_CONTAINERID=%s", r->container_id);
    env[n++] = xasprintf("CNI_NETNS=%s", r->netns);
    env[n++] = xasprintf("CNI_IFNAME=%s", r->ifname);
    env[n++] = xasprintf("CNI_ARGS=%s", r->args);
    env[n++] = xasprintf("CNI_PATH=%s", r->path);
    env[n] = NULL;
    return env;
}

static void
free_strv(char **v)
{
    for (char **p = v; p && *p; p++) {
        free(*p);
    }
    free(v);
}

int
cniexec_start(const struct cniexec_request *r, struct cniexec **out,
              struct kovn_error *err)
{
    int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1};
    char *file = find_plugin(r->path, r->type);
    char **env = NULL;
    struct cniexec *x = NULL;
    int error = 0;
    pid_t pid;

    *out = NULL;
    if (!file) {
        return kovn_error_set(err, -ENOENT,
                              "failed to find plugin \"%s\" in path [%s]",
                              r->type, r->path);
    }
    if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
        error = kovn_error_set(err, -errno, "pipe: %s", strerror(errno));
        goto out;
    }
    env = make_env(r);
    char *argv[] = {file, NULL};
    pid = fork();
    if (pid < 0) {
        error = kovn_error_set(err, -errno, "fork: %s", strerror(errno));
        goto out;
    }
    if (!pid) {
        /* Child: only async-signal-safe calls until execve(). */
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(o[1], 1);
        dup2(e[1], 2);
        execve(file, argv, env);
        _exit(127);
    }
    x = xzalloc(sizeof *x);
    x->type = xstrdup(r->type);
    x->command = r->command;
    x->pid = pid;
    x->in_fd = in[1];
    x->out_fd = o[0];
    x->err_fd = e[0];
    in[1] = o[0] = e[0] = -1;
    fcntl(x->in_fd, F_SETFL, O_NONBLOCK);
    fcntl(x->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(x->err_fd, F_SETFL, O_NONBLOCK);
    x->input = json_to_string(r->config, 0);
    x->input_len = strlen(x->input);
    ds_init(&x->out);
    ds_init(&x->err);
    x->deadline = time_msec() + r->timeout_ms;
    cniexec_outcome_init(&x->outcome);
    *out = x;
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) {
            close(in[i]);
        }
        if (o[i] >= 0) {
            close(o[i]);
        }
        if (e[i] >= 0) {
            close(e[i]);
        }
    }
    free_strv(env);
    free(file);
    return error;
}

static void
close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Reads what is available from '*fd' into 'ds' up to 'max' bytes; closes
 * '*fd' at EOF.  Returns true if more arrived than 'max'. */
static bool
drain(int *fd, struct ds *ds, size_t max)
{
    char buf[4096];

    while (*fd >= 0) {
        ssize_t n = read(*fd, buf, sizeof buf);

        if (n > 0) {
            if (ds->length + n > max) {
                ds_put_buffer(ds, buf, max - ds->length);
                return true;
            }
            ds_put_buffer(ds, buf, n);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            close_fd(fd);
        } else if (errno == EAGAIN) {
            break;
        }
    }
    return false;
}

static void
kill_child(struct cniexec *x)
{
    if (x->pid > 0) {
        kill(-x->pid, SIGKILL);
        kill(x->pid, SIGKILL);
        while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR) {
            continue;
        }
        x->pid = 0;
        x->signaled = true;
    }
}

static void
finish(struct cniexec *x)
{
    x->finished = true;
    close_fd(&x->in_fd);
    close_fd(&x->out_fd);
    close_fd(&x->err_fd);
}

bool
cniexec_run(struct cniexec *x)
{
    if (x->finished) {
        return true;
    }
    while (x->in_fd >= 0 && x->input_ofs < x->input_len) {
        ssize_t n = write(x->in_fd, x->input + x->input_ofs,
                          x->input_len - x->input_ofs);
        if (n > 0) {
            x->input_ofs += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n < 0 && errno != EAGAIN) {
                close_fd(&x->in_fd); /* EPIPE: the plugin did not read. */
            }
            break;
        }
    }
    if (x->in_fd >= 0 && x->input_ofs >= x->input_len) {
        close_fd(&x->in_fd);
    }
    if (drain(&x->out_fd, &x->out, CNI_LINE_MAX)) {
        x->too_big = true;
    }
    if (x->err.length < CNIEXEC_STDERR_MAX) {
        drain(&x->err_fd, &x->err, CNIEXEC_STDERR_MAX);
    } else {
        /* Kept enough: read the rest into the void. */
        struct ds sink = DS_EMPTY_INITIALIZER;
        while (x->err_fd >= 0) {
            ds_clear(&sink);
            if (!drain(&x->err_fd, &sink, 4096) && x->err_fd >= 0) {
                break;
            }
        }
        ds_destroy(&sink);
    }
    if (x->pid > 0) {
        int status;
        pid_t r = waitpid(x->pid, &status, WNOHANG);

        if (r == x->pid) {
            x->pid = 0;
            if (WIFEXITED(status)) {
                x->exit_code = WEXITSTATUS(status);
            } else {
                x->signaled = true;
                x->exit_code = 128 + WTERMSIG(status);
            }
        }
    }

    if (x->too_big) {
        kill_child(x);
        finish(x);
        fail(&x->outcome, -E2BIG, CNI_ERR_IO,
             xasprintf("plugin %s printed more than %d bytes", x->type,
                       CNI_LINE_MAX));
        return true;
    }
    if (time_msec() >= x->deadline && (x->pid > 0 || x->out_fd >= 0)) {
        kill_child(x);
        finish(x);
        fail(&x->outcome, -ETIMEDOUT, CNI_ERR_IO,
             xasprintf("plugin %s timed out", x->type));
        return true;
    }
    if (x->pid > 0 || x->out_fd >= 0 || x->err_fd >= 0) {
        return false;
    }
    finish(x);
    ds_chomp(&x->err, '\n');
    if (x->signaled) {
        fail(&x->outcome, -EPROTO, CNI_ERR_IO,
             xasprintf("plugin %s was killed by signal %d: %s", x->type,
                       x->exit_code - 128, ds_cstr(&x->err)));
    } else {
        cniexec_parse_output(x->command, x->exit_code, x->out.string,
                             x->out.length, ds_cstr(&x->err), &x->outcome);
    }
    return true;
}

void
cniexec_wait(struct cniexec *x)
{
    if (x->finished) {
        poll_immediate_wake();
        return;
    }
    if (x->in_fd >= 0) {
        poll_fd_wait(x->in_fd, POLLOUT);
    }
    if (x->out_fd >= 0) {
        poll_fd_wait(x->out_fd, POLLIN);
    }
    if (x->err_fd >= 0) {
        poll_fd_wait(x->err_fd, POLLIN);
    }
    if (x->out_fd < 0 && x->err_fd < 0 && x->pid > 0) {
        /* Output closed but not yet exited: no fd tells us when. */
        poll_timer_wait(5);
    }
    poll_timer_wait_until(x->deadline);
}

const struct cniexec_outcome *
cniexec_outcome(const struct cniexec *x)
{
    return &x->outcome;
}

void
cniexec_destroy(struct cniexec *x)
{
    if (!x) {
        return;
    }
    kill_child(x);
    finish(x);
    cniexec_outcome_destroy(&x->outcome);
    ds_destroy(&x->out);
    ds_destroy(&x->err);
    free(x->input);
    free(x->type);
    free(x);
}
