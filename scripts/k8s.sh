#!/usr/bin/env bash
# A real Kubernetes control plane for `make run` and the tests, built from
# Debian's kubernetes source package with Debian's Go.
#
#   scripts/k8s.sh build        build kube-apiserver, kube-controller-manager,
#                               kube-scheduler and kubelet into the cache (once;
#                               a cache from before kubelet builds only kubelet)
#   scripts/k8s.sh start DIR [--no-controller-manager] [--no-scheduler]
#                               etcd + control plane as plain processes in DIR
#   scripts/k8s.sh stop DIR     stop them by their pid files
#   scripts/k8s.sh kill DIR NAME [SIGNAL]; scripts/k8s.sh restart DIR NAME
#                               for tests (NAME: etcd, kube-apiserver, ...)
#   K8S_CONTROLLER_MANAGER_ARGS="--flag=v ..." adds kube-controller-manager
#   flags at start (e.g. a short --node-monitor-grace-period).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/proc.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
k8s_version=1.20.2
cache=${KOVN_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/k8s-$k8s_version}
bin="$cache/bin"
# The control plane; kubelet is the real node's (scripts/node.sh).
control_plane=(kube-apiserver kube-controller-manager kube-scheduler)
binaries=("${control_plane[@]}" kubelet)
wait_seconds=${K8S_WAIT_SECONDS:-60}

die() {
    echo "k8s.sh: $*" >&2
    exit 1
}

build_start=$SECONDS
step() {
    echo "k8s.sh build: [$1/$2] $3 (elapsed $((SECONDS - build_start))s)"
}

# Adds deb-src entries mirroring the configured Debian deb entries, once.
enable_deb_src() {
    local out=/etc/apt/sources.list.d/kovn-deb-src.sources
    [[ -f $out ]] && return 0
    if [[ -f /etc/apt/sources.list.d/debian.sources ]] &&
        grep -q '^Types:.*deb-src' /etc/apt/sources.list.d/debian.sources; then
        return 0
    fi
    {
        if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
            # deb822 stanzas: copy each "deb" stanza as "deb-src".
            awk 'BEGIN { RS=""; ORS="\n\n" }
                 /(^|\n)Types:[^\n]*deb([ \n]|$)/ {
                     gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, "");
                     print }' /etc/apt/sources.list.d/debian.sources
        fi
        if [[ -f /etc/apt/sources.list ]]; then
            grep -E '^deb ' /etc/apt/sources.list | grep -v 'deb-src' |
                sed -E 's/^deb /Types: deb-src\nURIs: /' | awk '{
                    if ($1 == "URIs:") { print $1, $2; s=""; for (i=4;i<=NF;i++) s=s" "$i; print "Suites:", $3; print "Components:" s; print "" }
                    else print }'
        fi
    } >"$out.tmp"
    grep -q 'Types: deb-src' "$out.tmp" || { rm -f "$out.tmp"; die "no Debian deb entry found to mirror as deb-src"; }
    mv "$out.tmp" "$out"
    apt-get update -q >/dev/null || die "apt-get update failed after adding deb-src"
}

cmd_build() {
    local b missing=()
    for b in "${binaries[@]}"; do
        [[ -x "$bin/$b" ]] || missing+=("$b")
    done
    ((${#missing[@]})) || { echo "k8s.sh build: cached in $bin"; return 0; }
    for tool in go rsync dpkg-source; do
        command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh)"
    done
    local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
    [[ -d $reflect2 ]] || die "$reflect2 missing (golang-github-modern-go-reflect2-dev)"

    mkdir -p "$cache"
    step 1 5 "enabling Debian source packages"
    enable_deb_src
    local src
    src=$(find "$cache" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
    if [[ -z $src ]]; then
        step 2 5 "apt-get source kubernetes"
        (cd "$cache" && apt-get source -q kubernetes >"$cache/source.log" 2>&1) ||
            { tail -20 "$cache/source.log" >&2; die "apt-get source kubernetes failed"; }
        src=$(find "$cache" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
    else
        step 2 5 "source already unpacked in $src"
    fi
    step 3 5 "replacing vendored reflect2 1.0.1 (broken on Go >= 1.18) with Debian's 1.0.2"
    rm -f "$src"/vendor/github.com/modern-go/reflect2/*.go "$src"/vendor/github.com/modern-go/reflect2/*.s
    cp "$reflect2"/*.go "$src/vendor/github.com/modern-go/reflect2/"
    find "$reflect2" -maxdepth 1 -name '*.s' -exec cp {} "$src/vendor/github.com/modern-go/reflect2/" \;
    rm -f "$src"/vendor/github.com/modern-go/reflect2/*_test.go

    # The GOPATH layout of Debian's debian/rules.
    mkdir -p "$src/.go/src/k8s.io"
    ln -sfn "$src" "$src/.go/src/k8s.io/kubernetes"
    export GOPATH="$src/.go" GOCACHE="$cache/gocache" GO111MODULE=off CGO_ENABLED=0
    export GOFLAGS=-mod=vendor GOPROXY=off
    export KUBE_GIT_TREE_STATE=clean KUBE_GIT_VERSION="v$k8s_version"
    cd "$src/.go/src/k8s.io/kubernetes"
    step 4 5 "make generated_files (log: $cache/generated.log)"
    make generated_files >"$cache/generated.log" 2>&1 ||
        { tail -30 "$cache/generated.log" >&2; die "make generated_files failed"; }
    step 5 5 "make WHAT=${missing[*]} (log: $cache/build.log)"
    make WHAT="${missing[*]/#/cmd/}" \
        >"$cache/build.log" 2>&1 || { tail -30 "$cache/build.log" >&2; die "kubernetes build failed"; }
    mkdir -p "$bin"
    for b in "${missing[@]}"; do
        cp "_output/local/bin/linux/amd64/$b" "$bin/$b" 2>/dev/null ||
            cp "_output/bin/$b" "$bin/$b" || die "built $b not found"
    done
    echo "k8s.sh build: done in $((SECONDS - build_start))s, binaries in $bin"
}



# Generates the CA, serving certificate, service-account keys and static
# tokens once per DIR; restarts reuse them so kubeconfigs stay valid.
make_credentials() {
    local dir=$1
    if [[ -f "$dir/pki/tokens.csv" ]]; then
        # A directory from before kovn-sandboxd had an identity gets one.
        grep -q ',system:kovn-sandboxd,' "$dir/pki/tokens.csv" ||
            echo "$(openssl rand -hex 24),system:kovn-sandboxd,kovn-sandboxd,\"system:kovn\"" \
                >>"$dir/pki/tokens.csv"
        return 0
    fi
    mkdir -p "$dir/pki"
    (
        umask 077
        cd "$dir/pki"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
            -days 3650 -subj "/CN=kovn-local-ca" >/dev/null 2>&1
        cat >apiserver.ext <<EXT
subjectAltName=IP:127.0.0.1,IP:10.96.0.1${K8S_ADVERTISE_ADDRESS:+,IP:$K8S_ADVERTISE_ADDRESS},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
EXT
        openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
            -subj "/CN=kube-apiserver" >/dev/null 2>&1
        openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
            -out apiserver.crt -days 3650 -extfile apiserver.ext >/dev/null 2>&1
        openssl genrsa -out sa.key 2048 >/dev/null 2>&1
        openssl rsa -in sa.key -pubout -out sa.pub >/dev/null 2>&1
        tok() { openssl rand -hex 24; }
        # token,user,uid,"group1,group2"
        {
            echo "$(tok),kovn-admin,kovn-admin,\"system:masters\""
            echo "$(tok),system:kovn-controller,kovn-controller,\"system:kovn\""
            echo "$(tok),system:kovn-daemon,kovn-daemon,\"system:kovn\""
            echo "$(tok),system:kovn-cli,kovn-cli,\"system:kovn\""
            echo "$(tok),system:kovn-sandboxd,kovn-sandboxd,\"system:kovn\""
            echo "$(tok),system:kube-controller-manager,kube-controller-manager"
            echo "$(tok),system:kube-scheduler,kube-scheduler"
        } >tokens.csv
        chmod 0600 ./*.key tokens.csv
    )
}

# The client certificate kube-apiserver shows kubelets (exec, logs,
# port-forward); kubelet trusts pki/ca.crt and asks the API server whether
# the user, in system:masters, may.  Made once, also in an older DIR.
make_kubelet_client_cert() {
    local pki=$1/pki
    [[ -f "$pki/kubelet-client.crt" ]] && return 0
    (
        umask 077
        cd "$pki"
        printf 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' \
            >kubelet-client.ext
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout kubelet-client.key -out kubelet-client.csr \
            -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" >/dev/null 2>&1
        openssl x509 -req -in kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
            -out kubelet-client.crt -days 3650 -extfile kubelet-client.ext >/dev/null 2>&1
    )
}

token_of() {
    awk -F, -v user="$2" '$2 == user { print $1 }' "$1/pki/tokens.csv"
}

write_kubeconfig() {
    local dir=$1 file=$2 user=$3 server
    server=$(cat "$dir/apiserver.url")
    (
        umask 077
        cat >"$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kovn
  cluster:
    server: $server
    certificate-authority: $dir/pki/ca.crt
users:
- name: $user
  user:
    token: $(token_of "$dir" "$user")
contexts:
- name: kovn
  context:
    cluster: kovn
    user: $user
current-context: kovn
KC
    )
}

# launch DIR NAME BINARY ARGS...: runs a plain process with pid file and log
# in DIR; its command line is saved so that `restart` reuses the same ports
# and credentials.
launch() {
    local dir=$1 name=$2
    shift 2
    printf '%q ' "$@" >"$dir/$name.cmd"
    nohup "$@" >>"$dir/$name.log" 2>&1 </dev/null &
    echo $! >"$dir/$name.pid"
}

relaunch() {
    local dir=$1 name=$2
    [[ -f "$dir/$name.cmd" ]] || die "$name was never started in $dir"
    eval "nohup $(cat "$dir/$name.cmd") >>\"$dir/$name.log\" 2>&1 </dev/null &"
    echo $! >"$dir/$name.pid"
}

wait_etcd() {
    local dir=$1 deadline=$((SECONDS + wait_seconds))
    until curl -sf "$(cat "$dir/etcd.url")/health" >/dev/null 2>&1; do
        alive "$dir/etcd.pid" || { log_tail "$dir/etcd.log"; die "etcd exited"; }
        ((SECONDS < deadline)) || { log_tail "$dir/etcd.log"; die "etcd not healthy after ${wait_seconds}s"; }
        sleep 0.2
    done
}

wait_apiserver() {
    local dir=$1 deadline=$((SECONDS + wait_seconds)) token
    token=$(token_of "$dir" kovn-admin)
    until curl -sf --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $token" \
        "$(cat "$dir/apiserver.url")/readyz" >/dev/null 2>&1; do
        alive "$dir/kube-apiserver.pid" || { log_tail "$dir/kube-apiserver.log"; die "kube-apiserver exited"; }
        ((SECONDS < deadline)) || { log_tail "$dir/kube-apiserver.log"; die "kube-apiserver not ready after ${wait_seconds}s"; }
        sleep 0.2
    done
}

cmd_start() {
    local dir=${1:?usage: k8s.sh start DIR [--no-controller-manager] [--no-scheduler]}
    shift
    local with_cm=1 with_sched=1 arg
    for arg in "$@"; do
        case "$arg" in
        --no-controller-manager) with_cm=0 ;;
        --no-scheduler) with_sched=0 ;;
        *) die "unknown option $arg" ;;
        esac
    done
    local b
    for b in "${control_plane[@]}"; do
        [[ -x "$bin/$b" ]] || die "$bin/$b missing: run scripts/k8s.sh build"
    done
    command -v etcd >/dev/null || die "etcd not found (Debian package etcd-server)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local t0=$SECONDS
    make_credentials "$dir"
    make_kubelet_client_cert "$dir"

    local etcd_port peer_port api_port
    etcd_port=$(free_port)
    peer_port=$(free_port)
    api_port=$(free_port)
    echo "http://127.0.0.1:$etcd_port" >"$dir/etcd.url"
    echo "https://127.0.0.1:$api_port" >"$dir/apiserver.url"

    launch "$dir" etcd etcd --name kovn --data-dir "$dir/etcd" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" \
        --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "kovn=http://127.0.0.1:$peer_port" \
        --unsafe-no-fsync=${K8S_ETCD_UNSAFE_NO_FSYNC:-false}
    wait_etcd "$dir"

    local extra=()
    [[ -n "${K8S_WATCH_CACHE_SIZES:-}" ]] && extra+=("--watch-cache-sizes=$K8S_WATCH_CACHE_SIZES")
    # K8S_APISERVER_ARGS: more flags, space-separated (tests: tight limits).
    local api_extra=()
    [[ -n "${K8S_APISERVER_ARGS:-}" ]] && read -ra api_extra <<<"$K8S_APISERVER_ARGS"
    extra+=("${api_extra[@]}")
    # No kube-proxy runs here, so no ClusterIP answers on the host: the
    # API server calls webhooks behind a Service (deploy/kovn-controller.yaml)
    # at the Service's endpoints (--enable-aggregator-routing).
    # K8S_ADVERTISE_ADDRESS (make run: the node's address) becomes the
    # kubernetes Service's endpoint, which pods reach; the server then also
    # listens beyond loopback.  Tests keep it on loopback.
    local advertise=${K8S_ADVERTISE_ADDRESS:-127.0.0.1} bind=127.0.0.1
    [[ $advertise == 127.0.0.1 ]] || bind=0.0.0.0
    launch "$dir" kube-apiserver "$bin/kube-apiserver" \
        --etcd-servers="http://127.0.0.1:$etcd_port" \
        --bind-address="$bind" --advertise-address="$advertise" \
        --secure-port="$api_port" --insecure-port=0 \
        --tls-cert-file="$dir/pki/apiserver.crt" \
        --tls-private-key-file="$dir/pki/apiserver.key" \
        --client-ca-file="$dir/pki/ca.crt" \
        --token-auth-file="$dir/pki/tokens.csv" \
        --authorization-mode=RBAC \
        --service-account-key-file="$dir/pki/sa.pub" \
        --service-account-signing-key-file="$dir/pki/sa.key" \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --api-audiences=https://kubernetes.default.svc.cluster.local \
        --service-cluster-ip-range=10.96.0.0/12 \
        --allow-privileged=true --profiling=false \
        --kubelet-preferred-address-types=InternalIP \
        --enable-aggregator-routing=true \
        --kubelet-client-certificate="$dir/pki/kubelet-client.crt" \
        --kubelet-client-key="$dir/pki/kubelet-client.key" \
        "${extra[@]}"
    wait_apiserver "$dir"
    write_kubeconfig "$dir" "$dir/kubeconfig" kovn-admin
    write_kubeconfig "$dir" "$dir/kovn-controller.kubeconfig" system:kovn-controller
    write_kubeconfig "$dir" "$dir/kovn-daemon.kubeconfig" system:kovn-daemon
    write_kubeconfig "$dir" "$dir/kovn-cli.kubeconfig" system:kovn-cli
    write_kubeconfig "$dir" "$dir/kovn-sandboxd.kubeconfig" system:kovn-sandboxd
    write_kubeconfig "$dir" "$dir/controller-manager.kubeconfig" system:kube-controller-manager
    write_kubeconfig "$dir" "$dir/scheduler.kubeconfig" system:kube-scheduler

    # Extra kube-controller-manager flags, e.g. a short
    # --node-monitor-grace-period for node heartbeat tests.
    local cm_extra=()
    [[ -n "${K8S_CONTROLLER_MANAGER_ARGS:-}" ]] && read -ra cm_extra <<<"$K8S_CONTROLLER_MANAGER_ARGS"
    if ((with_cm)); then
        launch "$dir" kube-controller-manager "$bin/kube-controller-manager" \
            --kubeconfig="$dir/controller-manager.kubeconfig" \
            --authentication-kubeconfig="$dir/controller-manager.kubeconfig" \
            --authorization-kubeconfig="$dir/controller-manager.kubeconfig" \
            --bind-address=127.0.0.1 --secure-port=0 --port=0 \
            --leader-elect=false \
            --use-service-account-credentials=true \
            --service-account-private-key-file="$dir/pki/sa.key" \
            --root-ca-file="$dir/pki/ca.crt" \
            --cluster-signing-cert-file="$dir/pki/ca.crt" \
            --cluster-signing-key-file="$dir/pki/ca.key" \
            --concurrent-namespace-syncs=4 \
            "${cm_extra[@]}"
    fi
    if ((with_sched)); then
        launch "$dir" kube-scheduler "$bin/kube-scheduler" \
            --kubeconfig="$dir/scheduler.kubeconfig" \
            --authentication-kubeconfig="$dir/scheduler.kubeconfig" \
            --authorization-kubeconfig="$dir/scheduler.kubeconfig" \
            --bind-address=127.0.0.1 --secure-port=0 --port=0 \
            --leader-elect=false
    fi
    if ((with_cm)); then
        # Ready when its service-account controller has made the default
        # account pods need; killing the apiserver earlier makes 1.20's
        # controller-manager exit during start-up.
        local deadline=$((SECONDS + wait_seconds)) token
        token=$(token_of "$dir" kovn-admin)
        until curl -sf --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $token" \
            "$(cat "$dir/apiserver.url")/api/v1/namespaces/default/serviceaccounts/default" >/dev/null 2>&1; do
            alive "$dir/kube-controller-manager.pid" ||
                { log_tail "$dir/kube-controller-manager.log"; die "kube-controller-manager exited"; }
            ((SECONDS < deadline)) || { log_tail "$dir/kube-controller-manager.log"; die "kube-controller-manager not ready"; }
            sleep 0.2
        done
    fi
    for b in kube-controller-manager kube-scheduler; do
        [[ -f "$dir/$b.pid" ]] || continue
        alive "$dir/$b.pid" || { log_tail "$dir/$b.log"; die "$b exited"; }
    done
    echo "k8s.sh: control plane ready in $((SECONDS - t0))s at $(cat "$dir/apiserver.url"); kubeconfig $dir/kubeconfig"
}


cmd_stop() {
    local dir=${1:?usage: k8s.sh stop DIR} name
    [[ -d "$dir" ]] || return 0
    for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
        stop_pidfile "$dir/$name.pid"
    done
}

cmd_kill() {
    local dir=$1 name=$2 sig=${3:-KILL} pid
    pid=$(cat "$dir/$name.pid")
    kill -"$sig" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$dir/$name.pid"
}

cmd_restart() {
    local dir=$1 name=$2
    alive "$dir/$name.pid" && cmd_kill "$dir" "$name" TERM
    relaunch "$dir" "$name"
    case "$name" in
    etcd) wait_etcd "$dir" ;;
    kube-apiserver) wait_apiserver "$dir" ;;
    esac
}

case "${1:-}" in
build) shift; cmd_build "$@" ;;
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
kill) shift; cmd_kill "$@" ;;
restart) shift; cmd_restart "$@" ;;
*) die "usage: k8s.sh build|start|stop|kill|restart ..." ;;
esac
