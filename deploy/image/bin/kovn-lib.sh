# Sourced by the entrypoints of kovn's image (kovn-ovn-central.sh,
# kovn-controller.sh, kovn-node.sh).  busybox sh, curl and jq: the image has
# no kubectl and no Python.
#
# The pods of kovn run on the host's network (the pod network is what they
# make), where a Service's ClusterIP answers only if kube-proxy runs.  On a
# cluster without it, ConfigMap kovn-config gives KUBERNETES_SERVICE_HOST
# and KUBERNETES_SERVICE_PORT (the manifests read it with envFrom, which
# overrides what kubelet sets), as Cilium's k8sServiceHost does.

kovn_sa=${KOVN_SERVICE_ACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
kovn_ns=${POD_NAMESPACE:-kube-system}

log() {
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${0##*/}: $*" >&2
}

die() {
    log "$*"
    exit 1
}

# "tcp:IP:PORT", with IPv6 addresses in brackets as OVSDB remotes want.
ovsdb_remote() {
    case $1 in
    *:*) echo "tcp:[$1]:$2" ;;
    *) echo "tcp:$1:$2" ;;
    esac
}

# "ptcp:PORT:IP", the listening form of the same (port first).
ovsdb_listen() {
    case $1 in
    *:*) echo "ptcp:$2:[$1]" ;;
    *) echo "ptcp:$2:$1" ;;
    esac
}

# api METHOD PATH [BODY [CONTENT-TYPE]]: the response body goes to
# $api_out, the HTTP status to stdout ("000" when the API server could not
# be reached).  Never fails by itself: callers decide what a status means.
api_out=${TMPDIR:-/tmp}/kovn-api.$$
api() {
    local method=$1 path=$2 body=${3:-} ctype=${4:-application/json} host
    host=${KUBERNETES_SERVICE_HOST:-}
    [ -n "$host" ] || die "KUBERNETES_SERVICE_HOST is not set (ConfigMap kovn-config)"
    case $host in *:*) host="[$host]" ;; esac
    set -- -sS -o "$api_out" -w '%{http_code}' --max-time 10 \
        --cacert "$kovn_sa/ca.crt" \
        -H "Authorization: Bearer $(cat "$kovn_sa/token")" -X "$method"
    if [ -n "$body" ]; then
        set -- "$@" -H "Content-Type: $ctype" --data-binary "$body"
    fi
    curl "$@" "https://$host:${KUBERNETES_SERVICE_PORT:-443}$path" 2>/dev/null || true
}

# The node addresses of the ovn-central pods: OVN_CENTRAL_IPS (comma
# separated, from kovn-config) when given, else the pods labelled
# app=ovn-central that have one, sorted.  Waits until there are at least
# $1 of them (default 1); prints one per line.
ovn_central_ips() {
    local want=${1:-1} ips n code
    if [ -n "${OVN_CENTRAL_IPS:-}" ]; then
        echo "$OVN_CENTRAL_IPS" | tr ',' '\n' | sed '/^$/d' | sort
        return 0
    fi
    while :; do
        code=$(api GET "/api/v1/namespaces/$kovn_ns/pods?labelSelector=app%3Dovn-central")
        if [ "$code" = 200 ]; then
            ips=$(jq -r '.items[] | select(.metadata.deletionTimestamp == null)
                | .status.podIP // empty' "$api_out" | sort -u)
            n=$(echo "$ips" | sed '/^$/d' | wc -l)
            if [ "$n" -ge "$want" ]; then
                echo "$ips"
                return 0
            fi
            log "waiting for $want ovn-central pod(s) with an address, have $n"
        else
            log "listing ovn-central pods: HTTP $code $(head -c 300 "$api_out" 2>/dev/null)"
        fi
        sleep 2
    done
}

# OVSDB remotes of every ovn-central member for PORT, comma separated.
ovn_central_remotes() {
    local port=$1 ip out=""
    for ip in $(ovn_central_ips); do
        out="${out:+$out,}$(ovsdb_remote "$ip" "$port")"
    done
    echo "$out"
}

# True when the workload that owns this pod is gone or going: kovn is
# being uninstalled (kubectl delete -f deploy/), not restarted or upgraded.
# PATH is the owner's API path, e.g.
# /apis/apps/v1/namespaces/kube-system/daemonsets/kovn-node.  A 404, or
# 401/403 because the service account went with it, means uninstall; an
# API server that cannot be reached means keep everything (a restart that
# loses state would cost every pod its network).
uninstalling() {
    local code
    code=$(api GET "$1")
    case $code in
    200)
        [ "$(jq -r '.metadata.deletionTimestamp // empty' "$api_out")" != "" ]
        ;;
    401 | 403 | 404) return 0 ;;
    *) return 1 ;;
    esac
}

# True while PID runs (a child that exited stays a zombie until reaped,
# and kill -0 still finds it).
alive() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

# Runs until TERM/INT or until one of the pids in $supervised exits; sets
# $stop_reason to "signal" or "exit".  Sleeps in the background so that
# a signal interrupts `wait` at once.
supervise() {
    local pid
    stop_reason=""
    trap 'stop_reason=signal' TERM INT
    while [ -z "$stop_reason" ]; do
        for pid in $supervised; do
            if ! alive "$pid"; then
                log "process $pid exited"
                stop_reason=exit
            fi
        done
        [ -n "$stop_reason" ] && break
        sleep 1 &
        wait $! 2>/dev/null || true
    done
    trap - TERM INT
}

# stop_pid PID [SECONDS]: TERM, then KILL after SECONDS (default 10).
stop_pid() {
    local pid=$1 n=$((${2:-10} * 10))
    kill -TERM "$pid" 2>/dev/null || return 0
    while [ "$n" -gt 0 ] && alive "$pid"; do
        sleep 0.1
        n=$((n - 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
}
