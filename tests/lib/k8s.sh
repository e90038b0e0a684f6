# Sourced by shell integration tests: a throw-away Kubernetes control plane
# (etcd + kube-apiserver, optionally controller-manager and scheduler) in a
# temp dir, stopped by its pid files when the test exits however it exits.
#   k8s_start [--no-controller-manager] [--no-scheduler]
#   $K8S_DIR, $KUBECONFIG_ADMIN, kubectl_admin ARGS...
#   k8s_wait_sa NAMESPACE...   (pods need the default service account)
#   fail MESSAGE, wait_for SECONDS DESCRIPTION COMMAND...
kovn_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# set -e ends a test at the first failing command without a word; say
# which (-E: also inside functions).  Only where set -e is on: cleanup
# code runs with set +e and expects some of its commands to fail.
set -E
trap 'kovn_err_status=$?; [[ $- != *e* ]] ||
    echo "exit status $kovn_err_status at ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND" >&2' ERR

k8s_cleanup() {
    [[ -n "${K8S_DIR:-}" ]] || return 0
    "$kovn_root/scripts/k8s.sh" stop "$K8S_DIR" >/dev/null 2>&1 || true
    rm -rf "$K8S_DIR"
}

k8s_start() {
    K8S_DIR=$(mktemp -d /tmp/kovn-k8s.XXXXXX)
    trap k8s_cleanup EXIT
    "$kovn_root/scripts/k8s.sh" start "$K8S_DIR" "$@" >"$K8S_DIR/start.log" 2>&1 ||
        { cat "$K8S_DIR/start.log" >&2; return 1; }
    KUBECONFIG_ADMIN="$K8S_DIR/kubeconfig"
}

# Waits (20 s at most each) until every namespace's default service
# account exists: the API server refuses pods before it does.
k8s_wait_sa() {
    local ns i
    for ns in "$@"; do
        for ((i = 0; i < 200; i++)); do
            kubectl -n "$ns" get sa default >/dev/null 2>&1 && break
            sleep 0.1
        done
    done
}

kubectl_admin() {
    kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s; on a
# timeout shows the end of $WAIT_FOR_LOG (default: the controller's log)
# and fails.  Needs scripts/lib/proc.sh.
wait_for() {
    local seconds=$1 what=$2 i
    shift 2
    for ((i = 0; i < seconds * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log_tail "${WAIT_FOR_LOG:-$K8S_DIR/controller.log}"
    fail "$what: not within $seconds s"
}
