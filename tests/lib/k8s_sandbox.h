/* Test helper: a throw-away Kubernetes control plane (etcd and
 * kube-apiserver, optionally kube-controller-manager and kube-scheduler) in
 * a temporary directory, via scripts/k8s.sh.  A reaper process stops it
 * even if the test process crashes. */
#ifndef KOVN_TESTS_K8S_SANDBOX_H
#define KOVN_TESTS_K8S_SANDBOX_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

struct k8s_sandbox {
    char dir[128];
    char kubeconfig[192];            /* Admin. */
    char controller_kubeconfig[192]; /* system:kovn-controller. */
    pid_t reaper;
};

/* Starts the control plane and applies kovn's CRDs and RBAC; aborts the
 * test program on failure. */
void k8s_sandbox_start(struct k8s_sandbox *sb, bool controller_manager);
void k8s_sandbox_stop(struct k8s_sandbox *sb);

/* Runs kubectl with the admin kubeconfig; returns stdout or NULL if it
 * failed. */
char *k8s_sandbox_kubectl(const struct k8s_sandbox *sb, const char *args);

#endif /* KOVN_TESTS_K8S_SANDBOX_H */
