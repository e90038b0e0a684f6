#!/usr/bin/env bash
# The local stack behind `make run` / `make stop`: everything runs as plain
# processes with pid files under one directory (./run by default).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: run.sh start|stop [DIR]}
dir=${2:-$root/run}

source "$root/scripts/lib/proc.sh"
controller_bin=${KOVN_CONTROLLER:-$root/build/release/src/controller/kovn-controller}

# kovn-controller with its own identity, its webhook certificate from
# scripts/certs.sh, and the webhook registered once it answers.
start_controller() {
    local metrics_port webhook_port i
    stop_pidfile "$dir/kovn-controller.pid"
    # A registration left by an earlier run points at a port nobody serves;
    # with failurePolicy Fail it would refuse the controller's own defaults.
    kubectl --kubeconfig "$dir/kubeconfig" delete validatingwebhookconfiguration \
        kovn-validate --ignore-not-found >/dev/null
    "$root/scripts/certs.sh" "$dir/certs" >/dev/null
    metrics_port=$(free_port)
    webhook_port=$(free_port)
    echo "$metrics_port" >"$dir/kovn-controller.metrics-port"
    "$controller_bin" --kubeconfig "$dir/kovn-controller.kubeconfig" \
        --ovn-nb "unix:$dir/ovnnb_db.sock" --metrics-port "$metrics_port" \
        --webhook-port "$webhook_port" --webhook-cert "$dir/certs/tls.crt" \
        --webhook-key "$dir/certs/tls.key" \
        >>"$dir/kovn-controller.log" 2>&1 &
    echo $! >"$dir/kovn-controller.pid"
    for ((i = 0; i < 600; i++)); do
        curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null && break
        kill -0 "$(cat "$dir/kovn-controller.pid")" 2>/dev/null ||
            { log_tail "$dir/kovn-controller.log"; exit 1; }
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null ||
        { log_tail "$dir/kovn-controller.log"; echo "kovn-controller not ready" >&2; exit 1; }
    sed -e "s|@URL@|https://127.0.0.1:$webhook_port/validate|" \
        -e "s|@CA_BUNDLE@|$(base64 -w0 "$dir/certs/ca.crt")|" \
        "$root/deploy/webhook.yaml" |
        kubectl --kubeconfig "$dir/kubeconfig" apply -f - >/dev/null
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # `make run` twice restarts the stack rather than tripping over it.
    if compgen -G "$dir/*.pid" >/dev/null; then
        "$0" stop "$dir" >/dev/null
    fi
    "$root/scripts/ovn.sh" start "$dir"
    "$root/scripts/k8s.sh" start "$dir"
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/deploy/crds/" >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" wait --for=condition=Established \
        --timeout=60s crd/vpcs.kubeovn.io crd/subnets.kubeovn.io \
        crd/ips.kubeovn.io crd/ippools.kubeovn.io >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/deploy/rbac.yaml" >/dev/null
    start_controller
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/examples/" >/dev/null
    cat <<MSG

kovn local stack is running under $dir (logs and pid files there):
  Kubernetes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
              (kovn CRDs and RBAC applied)
  OVN:        NB and SB ovsdb-server, ovn-northd
  kovn:       kovn-controller (log kovn-controller.log, metrics on
              http://127.0.0.1:$(cat "$dir/kovn-controller.metrics-port")/metrics),
              its admission webhook registered; examples/ applied

Try:
  export KUBECONFIG=$dir/kubeconfig PATH=$root/build/release/src/cli:\$PATH
  kubectl get vpcs,subnets
  kubectl get ns demo-a -o jsonpath='{.metadata.annotations}'
  kubectl kovn orphans; kubectl kovn check --ovn-nb unix:$dir/ovnnb_db.sock
  ovn-nbctl --db=unix:$dir/ovnnb_db.sock show
  ovn-sbctl --db=unix:$dir/ovnsb_db.sock show

Stop everything with: make stop
MSG
    ;;
stop)
    stop_pidfile "$dir/kovn-controller.pid"
    "$root/scripts/k8s.sh" stop "$dir"
    "$root/scripts/ovn.sh" stop "$dir"
    echo "kovn local stack under $dir stopped"
    ;;
*)
    echo "usage: run.sh start|stop [DIR]" >&2
    exit 2
    ;;
esac
