# Sourced, after tests/lib/k8s.sh and scripts/lib/proc.sh, by tests that
# run kovn-controller against the throw-away control plane.  Reads
# $controller (the binary), $nb (the NB remote), $metrics_port and, when
# set, $webhook_port (serving with the certs in $K8S_DIR/certs).
#   start_controller [FLAGS...]   starts it with short leader-election
#       times (the log goes to $K8S_DIR/controller.log, the pid to
#       $K8S_DIR/controller.pid) and waits up to 30 s for /readyz
#   metric NAME                   one metric's value, as /metrics says it
#   start_k8s_and_ovn [K8S_START_FLAGS...]   the control plane (by default
#       no controller-manager, no scheduler) and OVN under $K8S_DIR/ovn;
#       sets $ovn_dir, $nb, $sb, nbctl and KUBECONFIG, and on exit stops the
#       controller, OVN and, unless $KEEP is set, the control plane
start_k8s_and_ovn() {
    (($#)) || set -- --no-controller-manager --no-scheduler
    k8s_start "$@"
    ovn_dir=$K8S_DIR/ovn
    trap stop_k8s_and_ovn EXIT
    "$kovn_root/scripts/ovn.sh" start "$ovn_dir" >"$K8S_DIR/ovn.log" 2>&1 ||
        { cat "$K8S_DIR/ovn.log" >&2; fail "OVN did not start"; }
    nb="unix:$ovn_dir/ovnnb_db.sock"
    sb="unix:$ovn_dir/ovnsb_db.sock"
    export KUBECONFIG=$KUBECONFIG_ADMIN
}

stop_k8s_and_ovn() {
    # A stopped NB (a test's SIGSTOP) would keep its stop: let it go first.
    [[ -f "$ovn_dir/ovnnb_db.pid" ]] &&
        kill -CONT "$(cat "$ovn_dir/ovnnb_db.pid")" 2>/dev/null || true
    stop_pidfile "$K8S_DIR/controller.pid"
    "$kovn_root/scripts/ovn.sh" stop "$ovn_dir" >/dev/null 2>&1 || true
    [[ -n "${KEEP:-}" ]] || k8s_cleanup
}

nbctl() { ovn-nbctl --db="$nb" "$@"; }

start_controller() {
    local webhook=() i
    if [[ -n "${webhook_port:-}" ]]; then
        webhook=(--webhook-port "$webhook_port"
            --webhook-cert "$K8S_DIR/certs/tls.crt"
            --webhook-key "$K8S_DIR/certs/tls.key")
    fi
    "$controller" "$@" --kubeconfig "$K8S_DIR/kovn-controller.kubeconfig" \
        --ovn-nb "$nb" --metrics-port "$metrics_port" "${webhook[@]}" \
        --lease-duration 4s --renew-deadline 3s --retry-period 1s \
        >>"$K8S_DIR/controller.log" 2>&1 &
    echo $! >"$K8S_DIR/controller.pid"
    for ((i = 0; i < 300; i++)); do
        curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null && return 0
        kill -0 "$(cat "$K8S_DIR/controller.pid")" 2>/dev/null ||
            { log_tail "$K8S_DIR/controller.log"; fail "controller exited"; }
        sleep 0.1
    done
    log_tail "$K8S_DIR/controller.log"
    fail "controller not ready after 30 s"
}

metric() {
    curl -sf "http://127.0.0.1:$metrics_port/metrics" |
        awk -v m="$1" '$1 == m { print $2 }'
}
