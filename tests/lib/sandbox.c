/* Process helpers shared by the test sandboxes; see sandbox.h. */
#define _GNU_SOURCE 1
#include "sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void
sandbox_die(const char *what)
{
    fprintf(stderr, "sandbox: %s\n", what);
    exit(1);
}

char *
xasprintf_(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    if (vasprintf(&s, fmt, args) < 0) {
        abort();
    }
    va_end(args);
    return s;
}

char *
sandbox_run(const char *fmt, ...)
{
    char *cmd = NULL, *out = NULL;
    size_t size = 0, len = 0;
    va_list args;
    FILE *pipe;
    char buf[4096];
    size_t n;

    va_start(args, fmt);
    if (vasprintf(&cmd, fmt, args) < 0) {
        abort();
    }
    va_end(args);
    pipe = popen(cmd, "r");
    free(cmd);
    if (!pipe) {
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) {
        if (len + n + 1 > size) {
            size = 2 * (len + n + 1);
            out = realloc(out, size);
            if (!out) {
                abort();
            }
        }
        memcpy(out + len, buf, n);
        len += n;
    }
    if (!out) {
        out = calloc(1, 1);
    } else {
        out[len] = '\0';
    }
    if (pclose(pipe) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The reaper blocks on a pipe whose write end only the test process holds:
 * when that process exits, however it exits, the reaper stops the servers
 * and removes the directory. */
pid_t
sandbox_start_reaper(const char *stop_cmd)
{
    int fds[2];
    pid_t pid;

    /* Close-on-exec: servers started by this process must not inherit the
     * write end, or the pipe would outlive the process it watches. */
    if (pipe2(fds, O_CLOEXEC)) {
        sandbox_die("pipe");
    }
    pid = fork();
    if (pid < 0) {
        sandbox_die("fork");
    }
    if (pid == 0) {
        char c;

        close(fds[1]);
        setpgid(0, 0);
        while (read(fds[0], &c, 1) > 0) {
            continue;
        }
        execl("/bin/sh", "sh", "-c", stop_cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    /* The write end stays open in this process until it exits. */
    return pid;
}

void
sandbox_stop(const char *script, const char *dir, pid_t *reaper)
{
    free(sandbox_run("%s/scripts/%s.sh stop %s && rm -rf %s", KOVN_SOURCE_ROOT,
                     script, dir, dir));
    if (*reaper > 0) {
        kill(*reaper, SIGKILL);
        waitpid(*reaper, NULL, 0);
        *reaper = 0;
    }
}
