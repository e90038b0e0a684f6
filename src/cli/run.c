/* Running a tool and reading its output; see run.h. */
#include <config.h>

#include "cli/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

extern char **environ;

int
cli_run_capture(char *const argv[], long long timeout_ms, size_t max_bytes,
                struct ds *out, int *status, struct kovn_error *err)
{
    posix_spawn_file_actions_t actions;
    struct timespec start, now;
    int fds[2], error = 0;
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC)) {
        return kovn_error_set(err, -errno, "pipe: %s", ovs_strerror(errno));
    }
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    error = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (error) {
        close(fds[0]);
        return kovn_error_set(err, -error, "running %s: %s", argv[0],
                              ovs_strerror(error));
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        char buf[65536];
        long long left;
        ssize_t n;

        clock_gettime(CLOCK_MONOTONIC, &now);
        left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000LL +
                             (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left <= 0) {
            error = kovn_error_set(err, -ETIMEDOUT,
                                   "%s did not finish within %lld s", argv[0],
                                   timeout_ms / 1000);
            break;
        }
        if (poll(&pfd, 1, left) < 0) {
            if (errno == EINTR) {
                continue;
            }
            error =
                kovn_error_set(err, -errno, "poll: %s", ovs_strerror(errno));
            break;
        }
        n = read(fds[0], buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        } else if (n <= 0) {
            break;
        }
        if (out->length + n > max_bytes) {
            error =
                kovn_error_set(err, -EFBIG, "%s printed more than %zu bytes",
                               argv[0], max_bytes);
            break;
        }
        ds_put_buffer(out, buf, n);
    }
    close(fds[0]);
    if (error) {
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
        continue;
    }
    return error;
}
