/* The CNI unix socket server on the poll loop; see cni_server.h. */
#include <config.h>

#include "daemon/cni_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "cni/protocol.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(cni_server);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

enum conn_state {
    CONN_READING,    /* Waiting for the request line. */
    CONN_PROCESSING, /* Handed to the daemon, no reply yet. */
    CONN_WRITING,    /* Sending the reply. */
    CONN_DONE,       /* To be closed and freed. */
};

struct cni_conn {
    struct ovs_list node; /* In cni_server's 'conns'. */
    int fd;
    enum conn_state state;
    long long deadline; /* For CONN_READING. */
    struct ds in;
    char *out;
    size_t out_len, out_sent;
};

struct cni_server {
    char *path;
    int fd;
    size_t max_conns;
    cni_server_request_fn *request;
    void *aux;
    struct ovs_list conns;
    size_t n_conns;
};

static int
make_dir(const char *path, struct kovn_error *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int error = 0;

    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) && errno != EEXIST) {
            error = kovn_error_set(err, -errno, "creating %s: %s", dir,
                                   ovs_strerror(errno));
        }
    }
    free(dir);
    return error;
}

int
cni_server_create(const char *path, size_t max_conns,
                  cni_server_request_fn *request, void *aux,
                  struct cni_server **out, struct kovn_error *err)
{
    struct sockaddr_un sun;
    int fd = -1, error;

    *out = NULL;
    if (strlen(path) >= sizeof sun.sun_path) {
        return kovn_error_set(err, -ENAMETOOLONG,
                              "CNI socket path %s is longer than %zu bytes",
                              path, sizeof sun.sun_path - 1);
    }
    error = make_dir(path, err);
    if (error) {
        return error;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return kovn_error_set(err, -errno, "socket: %s", ovs_strerror(errno));
    }
    /* A socket file left by a killed daemon refuses bind(). */
    if (unlink(path) && errno != ENOENT) {
        error = kovn_error_set(err, -errno, "removing %s: %s", path,
                               ovs_strerror(errno));
        goto fail;
    }
    /* Created with mode 0600 from the start, never briefly open to all. */
    mode_t old_umask = umask(0177);
    int bound = bind(fd, (struct sockaddr *)&sun, sizeof sun);
    umask(old_umask);
    if (bound || chmod(path, 0600) || listen(fd, 128)) {
        error = kovn_error_set(err, -errno, "listening on %s: %s", path,
                               ovs_strerror(errno));
        goto fail;
    }

    struct cni_server *s = xzalloc(sizeof *s);
    s->path = xstrdup(path);
    s->fd = fd;
    s->max_conns = MAX(max_conns, 1);
    s->request = request;
    s->aux = aux;
    ovs_list_init(&s->conns);
    *out = s;
    return 0;

fail:
    close(fd);
    return error;
}

static void
conn_free(struct cni_server *s, struct cni_conn *c)
{
    ovs_list_remove(&c->node);
    s->n_conns--;
    close(c->fd);
    ds_destroy(&c->in);
    free(c->out);
    free(c);
}

void
cni_server_destroy(struct cni_server *s)
{
    struct cni_conn *c;

    if (!s) {
        return;
    }
    LIST_FOR_EACH_SAFE(c, node, &s->conns)
    {
        conn_free(s, c);
    }
    close(s->fd);
    unlink(s->path);
    free(s->path);
    free(s);
}

/* Answers a request that never reached the daemon. */
static void
reply_error(struct cni_conn *c, int code, const char *msg, const char *details)
{
    struct cni_response r;

    cni_response_init(&r);
    cni_response_set_error(&r, code, msg, details);
    cni_server_reply(c, &r, CNI_LATEST_VERSION);
    cni_response_destroy(&r);
}

static int
parse_error_code(int error)
{
    return error == -EBADMSG           ? CNI_ERR_DECODE
           : error == -EPROTONOSUPPORT ? CNI_ERR_INCOMPATIBLE_VERSION
                                       : CNI_ERR_INVALID_CONFIG;
}

static void
conn_got_line(struct cni_server *s, struct cni_conn *c)
{
    struct cni_request *req = xmalloc(sizeof *req);
    struct kovn_error err;
    int error;

    kovn_error_clear(&err);
    error = cni_request_from_line(c->in.string, c->in.length, req, &err);
    ds_destroy(&c->in);
    ds_init(&c->in);
    if (error) {
        VLOG_WARN_RL(&rl, "bad CNI request: %s", err.msg);
        cni_request_destroy(req);
        free(req);
        reply_error(c, parse_error_code(error), "invalid CNI request",
                    err.msg);
        return;
    }
    c->state = CONN_PROCESSING;
    s->request(c, req, s->aux);
}

static void
conn_read(struct cni_server *s, struct cni_conn *c)
{
    for (;;) {
        char buf[16384];
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);

        if (n > 0) {
            char *nl = memchr(buf, '\n', n);
            size_t take = nl ? (size_t)(nl - buf) : (size_t)n;

            if (c->in.length + take > CNI_LINE_MAX) {
                reply_error(c, CNI_ERR_DECODE, "invalid CNI request",
                            "request longer than the protocol's limit");
                return;
            }
            ds_put_buffer(&c->in, buf, take);
            if (nl) {
                /* One request per connection: the rest is ignored. */
                conn_got_line(s, c);
                return;
            }
        } else if (n == 0) {
            /* The peer left before finishing its request. */
            c->state = CONN_DONE;
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            if (time_msec() >= c->deadline) {
                VLOG_WARN_RL(&rl,
                             "CNI peer sent no complete request in %d ms; "
                             "closing",
                             CNI_SERVER_READ_TIMEOUT_MS);
                c->state = CONN_DONE;
            }
            return;
        } else {
            c->state = CONN_DONE;
            return;
        }
    }
}

static void
conn_write(struct cni_conn *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
                         MSG_NOSIGNAL);
        if (n > 0) {
            c->out_sent += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {
            /* The peer is gone; what it asked for is done anyway. */
            break;
        }
    }
    c->state = CONN_DONE;
}

void
cni_server_reply(struct cni_conn *c, const struct cni_response *r,
                 const char *cni_version)
{
    ovs_assert(c->state == CONN_READING || c->state == CONN_PROCESSING);
    c->out = cni_response_to_line(r, cni_version);
    c->out_len = strlen(c->out);
    c->out_sent = 0;
    c->state = CONN_WRITING;
    conn_write(c);
    /* Freed by the next cni_server_run(), which this wakes. */
    poll_immediate_wake();
}

static void
accept_conns(struct cni_server *s)
{
    for (int i = 0; i < 64; i++) {
        int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                VLOG_WARN_RL(&rl, "accept on %s: %s", s->path,
                             ovs_strerror(errno));
            }
            return;
        }
        if (s->n_conns >= s->max_conns) {
            VLOG_WARN_RL(&rl, "%zu CNI connections open; refusing another",
                         s->n_conns);
            close(fd);
            continue;
        }
        struct cni_conn *c = xzalloc(sizeof *c);
        c->fd = fd;
        c->state = CONN_READING;
        c->deadline = time_msec() + CNI_SERVER_READ_TIMEOUT_MS;
        ds_init(&c->in);
        ovs_list_push_back(&s->conns, &c->node);
        s->n_conns++;
    }
}

void
cni_server_run(struct cni_server *s)
{
    struct cni_conn *c;

    accept_conns(s);
    LIST_FOR_EACH_SAFE(c, node, &s->conns)
    {
        if (c->state == CONN_READING) {
            conn_read(s, c);
        } else if (c->state == CONN_WRITING) {
            conn_write(c);
        }
        if (c->state == CONN_DONE) {
            conn_free(s, c);
        }
    }
}

void
cni_server_wait(struct cni_server *s)
{
    struct cni_conn *c;

    poll_fd_wait(s->fd, POLLIN);
    LIST_FOR_EACH(c, node, &s->conns)
    {
        if (c->state == CONN_READING) {
            poll_fd_wait(c->fd, POLLIN);
            poll_timer_wait_until(c->deadline);
        } else if (c->state == CONN_WRITING) {
            poll_fd_wait(c->fd, POLLOUT);
        } else if (c->state == CONN_DONE) {
            poll_immediate_wake();
        }
    }
}

size_t
cni_server_n_conns(const struct cni_server *s)
{
    return s->n_conns;
}
