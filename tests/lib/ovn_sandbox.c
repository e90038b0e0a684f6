/* OVN sandbox for integration tests; see ovn_sandbox.h. */
#define _GNU_SOURCE 1
#include "ovn_sandbox.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef KOVN_SOURCE_ROOT
#error "KOVN_SOURCE_ROOT must be defined by the build"
#endif

static void
die(const char *what)
{
    fprintf(stderr, "ovn_sandbox: %s\n", what);
    exit(1);
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

static void
read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");

    if (!f || !fgets(buf, (int)size, f)) {
        die(path);
    }
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* The reaper blocks on a pipe whose write end only the test process holds:
 * when that process exits, however it exits, the reaper stops the servers
 * and removes the directory. */
static pid_t
start_reaper(const char *dir)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds)) {
        die("pipe");
    }
    pid = fork();
    if (pid < 0) {
        die("fork");
    }
    if (pid == 0) {
        char c;
        char cmd[512];

        close(fds[1]);
        setpgid(0, 0);
        while (read(fds[0], &c, 1) > 0) {
            continue;
        }
        snprintf(cmd, sizeof cmd, "%s/scripts/ovn.sh stop %s; rm -rf %s",
                 KOVN_SOURCE_ROOT, dir, dir);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    /* The write end stays open in this process until it exits. */
    return pid;
}

static void
sandbox_start(struct ovn_sandbox *sb, bool raft, bool northd)
{
    char path[256];
    char *out;

    memset(sb, 0, sizeof *sb);
    snprintf(sb->dir, sizeof sb->dir, "/tmp/kovn-test.XXXXXX");
    if (!mkdtemp(sb->dir)) {
        die("mkdtemp");
    }
    sb->raft = raft;
    sb->reaper = start_reaper(sb->dir);
    out = sandbox_run("%s/scripts/ovn.sh start %s %s %s >%s/start.log 2>&1 "
                      "|| { cat %s/start.log >&2; exit 1; }",
                      KOVN_SOURCE_ROOT, sb->dir, raft ? "--raft" : "",
                      northd ? "" : "--no-northd", sb->dir, sb->dir);
    if (!out) {
        die("scripts/ovn.sh start failed");
    }
    free(out);
    snprintf(path, sizeof path, "%s/ovnnb_db.remote", sb->dir);
    read_line(path, sb->nb_remote, sizeof sb->nb_remote);
    snprintf(path, sizeof path, "%s/ovnsb_db.remote", sb->dir);
    read_line(path, sb->sb_remote, sizeof sb->sb_remote);
    snprintf(sb->nb_unix, sizeof sb->nb_unix, "unix:%s/ovnnb_db%s.sock",
             sb->dir, raft ? "1" : "");
}

void
ovn_sandbox_start(struct ovn_sandbox *sb, bool raft)
{
    sandbox_start(sb, raft, true);
}

void
ovn_sandbox_start_without_northd(struct ovn_sandbox *sb)
{
    sandbox_start(sb, false, false);
}

void
ovn_sandbox_stop(struct ovn_sandbox *sb)
{
    char *out = sandbox_run("%s/scripts/ovn.sh stop %s && rm -rf %s",
                            KOVN_SOURCE_ROOT, sb->dir, sb->dir);

    free(out);
    if (sb->reaper > 0) {
        kill(sb->reaper, SIGKILL);
        waitpid(sb->reaper, NULL, 0);
        sb->reaper = 0;
    }
}

int
sandbox_ovn(const struct ovn_sandbox *sb, const char *verb, const char *args)
{
    char *out = sandbox_run("%s/scripts/ovn.sh %s %s %s", KOVN_SOURCE_ROOT,
                            verb, sb->dir, args);

    if (!out) {
        return -1;
    }
    free(out);
    return 0;
}

int
sandbox_raft_leader(const struct ovn_sandbox *sb, const char *kind)
{
    const char *db = !strcmp(kind, "nb") ? "OVN_Northbound" : "OVN_Southbound";

    for (int i = 1; i <= 3; i++) {
        char *out = sandbox_run("ovn-appctl -t %s/ovn%s_db%d.ctl "
                                "cluster/status %s 2>/dev/null",
                                sb->dir, kind, i, db);
        bool leader = out && strstr(out, "Role: leader");

        free(out);
        if (leader) {
            return i;
        }
    }
    return 0;
}
