#!/usr/bin/env bash
# The local stack behind `make run` / `make stop`: everything runs as plain
# processes with pid files under one directory (./run by default).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: run.sh start|stop [DIR]}
dir=${2:-$root/run}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    "$root/scripts/ovn.sh" start "$dir"
    "$root/scripts/k8s.sh" start "$dir"
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/deploy/crds/" >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" wait --for=condition=Established \
        --timeout=60s crd/vpcs.kubeovn.io crd/subnets.kubeovn.io \
        crd/ips.kubeovn.io crd/ippools.kubeovn.io >/dev/null
    kubectl --kubeconfig "$dir/kubeconfig" apply -f "$root/deploy/rbac.yaml" >/dev/null
    cat <<MSG

kovn local stack is running under $dir (logs and pid files there):
  Kubernetes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
              (kovn CRDs and RBAC applied)
  OVN:        NB and SB ovsdb-server, ovn-northd

Try:
  kubectl --kubeconfig $dir/kubeconfig get ns
  kubectl --kubeconfig $dir/kubeconfig get subnets,vpcs
  ovn-nbctl --db=unix:$dir/ovnnb_db.sock show
  ovn-sbctl --db=unix:$dir/ovnsb_db.sock show

Stop everything with: make stop
MSG
    ;;
stop)
    "$root/scripts/k8s.sh" stop "$dir"
    "$root/scripts/ovn.sh" stop "$dir"
    echo "kovn local stack under $dir stopped"
    ;;
*)
    echo "usage: run.sh start|stop [DIR]" >&2
    exit 2
    ;;
esac
