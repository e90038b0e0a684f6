/* OVN sandbox for integration tests; see ovn_sandbox.h. */
#define _GNU_SOURCE 1
#include "ovn_sandbox.h"
#include "sandbox.h"

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
read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");

    if (!f || !fgets(buf, (int)size, f)) {
        sandbox_die(path);
    }
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

static void
sandbox_start(struct ovn_sandbox *sb, bool raft, bool northd)
{
    char path[256];
    char *out;

    memset(sb, 0, sizeof *sb);
    snprintf(sb->dir, sizeof sb->dir, "/tmp/kovn-test.XXXXXX");
    if (!mkdtemp(sb->dir)) {
        sandbox_die("mkdtemp");
    }
    sb->raft = raft;
    char *stop_cmd = xasprintf_("%s/scripts/ovn.sh stop %s; rm -rf %s",
                                KOVN_SOURCE_ROOT, sb->dir, sb->dir);
    sb->reaper = sandbox_start_reaper(stop_cmd);
    free(stop_cmd);
    out = sandbox_run("%s/scripts/ovn.sh start %s %s %s >%s/start.log 2>&1 "
                      "|| { cat %s/start.log >&2; exit 1; }",
                      KOVN_SOURCE_ROOT, sb->dir, raft ? "--raft" : "",
                      northd ? "" : "--no-northd", sb->dir, sb->dir);
    if (!out) {
        sandbox_die("scripts/ovn.sh start failed");
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
    sandbox_stop("ovn", sb->dir, &sb->reaper);
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
