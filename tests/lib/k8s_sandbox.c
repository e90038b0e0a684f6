/* Kubernetes sandbox for integration tests; see k8s_sandbox.h. */
#include "k8s_sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#ifndef KOVN_SOURCE_ROOT
#error "KOVN_SOURCE_ROOT must be defined by the build"
#endif

void
k8s_sandbox_start(struct k8s_sandbox *sb, bool controller_manager)
{
    char *stop_cmd, *out;

    memset(sb, 0, sizeof *sb);
    snprintf(sb->dir, sizeof sb->dir, "/tmp/kovn-k8s.XXXXXX");
    if (!mkdtemp(sb->dir)) {
        sandbox_die("mkdtemp");
    }
    stop_cmd = xasprintf_("%s/scripts/k8s.sh stop %s; rm -rf %s",
                          KOVN_SOURCE_ROOT, sb->dir, sb->dir);
    sb->reaper = sandbox_start_reaper(stop_cmd);
    free(stop_cmd);
    out = sandbox_run(
        "%s/scripts/k8s.sh start %s %s >%s/start.log 2>&1 && "
        "kubectl --kubeconfig %s/kubeconfig apply $(printf -- '-f %%s ' "
        "%s/deploy/crd-*.yaml) "
        ">>%s/start.log 2>&1 && "
        "kubectl --kubeconfig %s/kubeconfig wait --for=condition=Established "
        "--timeout=60s crd/subnets.kubeovn.io crd/vpcs.kubeovn.io "
        "crd/ips.kubeovn.io crd/ippools.kubeovn.io >>%s/start.log 2>&1 && "
        "kubectl --kubeconfig %s/kubeconfig apply -f %s/deploy/rbac.yaml "
        ">>%s/start.log 2>&1 || { cat %s/start.log >&2; exit 1; }",
        KOVN_SOURCE_ROOT, sb->dir,
        controller_manager ? "" : "--no-controller-manager --no-scheduler",
        sb->dir, sb->dir, KOVN_SOURCE_ROOT, sb->dir, sb->dir, sb->dir, sb->dir,
        KOVN_SOURCE_ROOT, sb->dir, sb->dir);
    if (!out) {
        sandbox_die("scripts/k8s.sh start failed");
    }
    free(out);
    snprintf(sb->kubeconfig, sizeof sb->kubeconfig, "%s/kubeconfig", sb->dir);
    snprintf(sb->controller_kubeconfig, sizeof sb->controller_kubeconfig,
             "%s/kovn-controller.kubeconfig", sb->dir);
}

void
k8s_sandbox_stop(struct k8s_sandbox *sb)
{
    sandbox_stop("k8s", sb->dir, &sb->reaper);
}

char *
k8s_sandbox_kubectl(const struct k8s_sandbox *sb, const char *args)
{
    return sandbox_run("kubectl --kubeconfig %s %s", sb->kubeconfig, args);
}
