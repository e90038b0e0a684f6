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
    cat <<MSG

kovn local stack is running under $dir:
  OVN NB, OVN SB (ovsdb-server) and ovn-northd; logs and pid files in $dir

Try:
  ovn-nbctl --db=unix:$dir/ovnnb_db.sock show
  ovn-sbctl --db=unix:$dir/ovnsb_db.sock show

Stop everything with: make stop
MSG
    ;;
stop)
    "$root/scripts/ovn.sh" stop "$dir"
    echo "kovn local stack under $dir stopped"
    ;;
*)
    echo "usage: run.sh start|stop [DIR]" >&2
    exit 2
    ;;
esac
