#!/usr/bin/env bash
# The kovn image, kovn.local/kovn:<version> (scripts/images.sh build kovn,
# `make image`), as a registry-less cluster and a registry would take it:
#  1. A second build with nothing changed rewrites nothing (stamp check).
#  2. The archive is a valid OCI layout: index.json -> manifest -> config
#     and layer, every digest and size matches, the layer's diff_id too;
#     name annotation, PATH, version label.
#  3. Its root file system has kovn's binaries, kovn-cni and its conflist
#     under /usr/share/kovn/cni, deploy/image/bin's files in /usr/local/bin
#     (0755), the schemas, /tmp 1777, /var/run -> /run; and every
#     dynamically linked ELF file loads there: the image's own loader,
#     chrooted into it, lists each one's libraries with none "not found"
#     (and scripts/lib/elf_deps.py check agrees).
#  4. scripts/images.sh push to a real registry (Debian's docker-registry,
#     the distribution registry v2, on 127.0.0.1 with basic auth; refused
#     without credentials): the manifest and each blob fetched back have
#     the archive's digests; a second push uploads nothing.
#  5. A private containerd (Debian's, a plain process with its own root,
#     state and socket here) imports it, and `ctr run --rm` runs
#     kovn-controller, kovn-daemon, kubectl-kovn, kovn-cni, the OVS and OVN
#     daemons and tools, ovsdb-tool create of the NB schema, curl, jq,
#     openssl, nft and ip in it; it pulls the same image from the
#     registry over plain HTTP.
# Needs root (chroot, containers).  The containerd part holds
# /tmp/kovn-node.lock: node-level tests run one at a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/scripts/lib/proc.sh"
images=$root/scripts/images.sh
elf_deps=$root/scripts/lib/elf_deps.py

t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[[ $(id -u) == 0 ]] || fail "needs root (chroot, containers)"

T=$(mktemp -d /tmp/kovn-image.XXXXXX)
ns=kovn-image-test
n_run=0
cleanup() {
    set +e
    if [[ -f $T/containerd.pid ]]; then
        ctr --address "$T/containerd.sock" -n "$ns" tasks ls -q 2>/dev/null |
            xargs -r -n1 ctr --address "$T/containerd.sock" -n "$ns" tasks kill -s KILL 2>/dev/null
        stop_pidfile "$T/containerd.pid"
    fi
    stop_pidfile "$T/registry.pid"
    # Snapshot mounts of a container that did not finish, deepest first.
    awk -v d="$T/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        xargs -r -n1 umount -l 2>/dev/null
    # The shims' sockets are under /run/containerd/s whatever the state dir,
    # named by a hash of containerd's address, namespace and container: a
    # shim that was killed leaves its own.
    for ((i = 0; i < n_run; i++)); do
        rm -f "/run/containerd/s/$(printf '%s' "$T/containerd.sock/$ns/kovn-image-$i" | sha256sum | cut -d' ' -f1)"
    done
    rmdir /run/containerd/s /run/containerd 2>/dev/null
    [[ -n ${KEEP:-} ]] || rm -rf --one-file-system "$T"
}
trap cleanup EXIT

# Holds /tmp/kovn-node.lock on fd 9 for the rest of the test, unless the
# test runs under `flock /tmp/kovn-node.lock ...` already: flock(1) keeps
# its lock on a descriptor its command inherits, and a lock taken on a new
# one would wait for that one, i.e. for ever.  Holders are in /proc/locks
# by pid and inode (waiters' lines read "-> FLOCK").
node_lock() {
    local lock=/tmp/kovn-node.lock inode holder p
    exec 9>>"$lock"
    inode=$(stat -c %i "$lock")
    # shellcheck disable=SC2013 # pids, one a word
    for holder in $(awk -v i=":$inode\$" '$2 == "FLOCK" && $6 ~ i { print $5 }' /proc/locks); do
        p=$$
        while [[ $p =~ ^[0-9]+$ && $p -gt 1 ]]; do
            [[ $p == "$holder" ]] && return 0
            p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        done
    done
    flock 9
}

# --- 1. Build (cold if needed), then warm: the archive stays as it is.
"$images" build kovn >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; fail "images.sh build kovn"; }
archive=$("$images" path kovn)
image=$("$images" name kovn)
version=${image##*:}
before=$(stat -c '%Y %s' "$archive")
t_warm=$(date +%s%N)
"$images" build kovn >/dev/null
t_warm=$((($(date +%s%N) - t_warm) / 1000000))
[[ $(stat -c '%Y %s' "$archive") == "$before" ]] || fail "a warm build rewrote $archive"
step "built $image ($(stat -c %s "$archive") bytes); warm build ${t_warm} ms, archive untouched"

# --- 2. The OCI layout, checked digest by digest.
mkdir -p "$T/oci" "$T/rootfs"
tar -xf "$archive" -C "$T/oci"
python3 - "$T/oci" "$image" "$version" >"$T/layer" <<'PY' || fail "OCI layout of $archive"
import gzip, hashlib, json, os, sys
d, name, version = sys.argv[1:]
def blob(desc, media):
    assert desc["mediaType"] == media, (desc["mediaType"], media)
    algo, hexd = desc["digest"].split(":")
    data = open(os.path.join(d, "blobs", algo, hexd), "rb").read()
    assert algo == "sha256" and hashlib.sha256(data).hexdigest() == hexd, desc["digest"]
    assert len(data) == desc["size"], (desc["digest"], len(data), desc["size"])
    return data
assert json.load(open(os.path.join(d, "oci-layout"))) == {"imageLayoutVersion": "1.0.0"}
index = json.load(open(os.path.join(d, "index.json")))
assert index["schemaVersion"] == 2 and len(index["manifests"]) == 1
desc = index["manifests"][0]
assert desc["annotations"]["io.containerd.image.name"] == name, desc
manifest = json.loads(blob(desc, "application/vnd.oci.image.manifest.v1+json"))
config = json.loads(blob(manifest["config"], "application/vnd.oci.image.config.v1+json"))
assert len(manifest["layers"]) == 1
layer = manifest["layers"][0]
plain = gzip.decompress(blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip"))
assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(plain).hexdigest()]
assert config["os"] == "linux" and config["architecture"] == "amd64"
c = config["config"]
assert c["Env"] == ["PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin"], c
assert c.get("Entrypoint") in (None, ["/bin/sh"]), c
assert c["Labels"]["org.opencontainers.image.version"] == version, c
# Every blob the archive has is one of these: nothing stale rides along.
held = {"sha256:" + f for f in os.listdir(os.path.join(d, "blobs", "sha256"))}
assert held == {desc["digest"], manifest["config"]["digest"], layer["digest"]}, held
print(os.path.join(d, "blobs", "sha256", layer["digest"].split(":")[1]))
PY
tar -xzf "$(cat "$T/layer")" -C "$T/rootfs"
step "OCI layout: index -> manifest -> config, layer: digests, sizes, diff_id match"

# --- 3. The root file system.
r=$T/rootfs
for f in /usr/bin/kovn-controller /usr/bin/kovn-daemon /usr/bin/kovn-cni /usr/bin/kubectl-kovn \
    /usr/share/kovn/cni/kovn-cni /usr/share/kovn/cni/01-kovn.conflist \
    /usr/share/openvswitch/vswitch.ovsschema /usr/share/ovn/ovn-nb.ovsschema \
    /usr/share/ovn/ovn-sb.ovsschema /etc/passwd /etc/group; do
    [[ -f $r$f ]] || fail "$f missing from the image"
done
[[ -e $r/usr/bin/kovn-sandboxd ]] && fail "kovn-sandboxd has no place in the image"
cmp -s "$root/deploy/cni/01-kovn.conflist" "$r/usr/share/kovn/cni/01-kovn.conflist" ||
    fail "/usr/share/kovn/cni/01-kovn.conflist differs from deploy/cni/"
n_scripts=0
for f in "$root"/deploy/image/bin/*; do
    [[ -f $f ]] || continue
    n=$(basename "$f")
    cmp -s "$f" "$r/usr/local/bin/$n" || fail "/usr/local/bin/$n differs from deploy/image/bin/$n"
    [[ $(stat -c %a "$r/usr/local/bin/$n") == 755 ]] || fail "/usr/local/bin/$n is not 0755"
    n_scripts=$((n_scripts + 1))
done
[[ $(stat -c %a "$r/tmp") == 1777 ]] || fail "/tmp is not 1777"
[[ $(readlink "$r/var/run") == ../run ]] || fail "/var/run is not a link to /run"
for d in run var/lib var/log etc/openvswitch etc/ovn; do
    [[ -d $r/$d ]] || fail "/$d missing"
done
[[ $(readlink "$r/bin/sh") == /bin/busybox || $(readlink "$r/usr/bin/sh") == /bin/busybox ]] ||
    fail "/bin/sh is not busybox"
n_dyn=0
while read -r e; do
    out=$(chroot "$r" /lib64/ld-linux-x86-64.so.2 --list "$e" 2>&1) || fail "loader on $e: $out"
    grep -q 'not found' <<<"$out" && fail "$e in the image: $out"
    n_dyn=$((n_dyn + 1))
done < <(python3 "$elf_deps" dynamic "$r")
((n_dyn > 30)) || fail "only $n_dyn dynamically linked files found"
python3 "$elf_deps" check "$r" >"$T/check.log" || { cat "$T/check.log" >&2; fail "elf_deps check"; }
step "rootfs: binaries, $n_scripts scripts of deploy/image/bin, schemas, dirs; the image's loader resolves all of $n_dyn dynamic ELF files; $(cat "$T/check.log")"

# --- 4. A real registry on 127.0.0.1 with basic auth, and the push.
port=$(free_port)
mkdir -p "$T/registry"
# bcrypt at its lowest cost: the registry checks it on every request.
hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("kovn-pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))')
echo "kovn:$hash" >"$T/registry/htpasswd"
cat >"$T/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $T/registry/storage
http:
  addr: 127.0.0.1:$port
  secret: kovn-image-test
auth:
  htpasswd:
    realm: kovn-test
    path: $T/registry/htpasswd
EOF
docker-registry serve "$T/registry/config.yml" >"$T/registry.log" 2>&1 &
echo $! >"$T/registry.pid"
for ((i = 0; i < 100; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    [[ $code == 401 ]] && break
    alive "$T/registry.pid" || { log_tail "$T/registry.log"; fail "docker-registry exited"; }
    sleep 0.1
done
[[ $code == 401 ]] || { log_tail "$T/registry.log"; fail "registry at :$port answers $code, not 401"; }
reg=127.0.0.1:$port
"$images" push kovn "$reg/kovn/kovn" --insecure >"$T/push.log" 2>&1 &&
    fail "push without credentials succeeded: $(cat "$T/push.log")"
grep -q KOVN_REGISTRY_USER "$T/push.log" || fail "push without credentials: $(cat "$T/push.log")"
export KOVN_REGISTRY_USER=kovn KOVN_REGISTRY_PASSWORD=kovn-pw
"$images" push kovn "$reg/kovn/kovn" --insecure >"$T/push.log" 2>&1 ||
    { cat "$T/push.log" >&2; log_tail "$T/registry.log"; fail "push"; }
"$images" push kovn "http://$reg/kovn/kovn:again" >>"$T/push.log" 2>&1 ||
    { cat "$T/push.log" >&2; fail "second push (http://)"; }
grep -q '0 blobs uploaded, 2 already there' "$T/push.log" ||
    fail "second push uploaded again: $(cat "$T/push.log")"
step "pushed: $(head -n1 "$T/push.log")"

# --- 4b. Fetched back over HTTP: the same bytes.
index_digest=$(jq -r '.manifests[0].digest' "$T/oci/index.json")
for tag in "$version" again; do
    curl -sf -u kovn:kovn-pw -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -o "$T/manifest.$tag" "http://$reg/v2/kovn/kovn/manifests/$tag" || fail "GET manifest $tag"
    got=sha256:$(sha256sum "$T/manifest.$tag" | cut -d' ' -f1)
    [[ $got == "$index_digest" ]] || fail "manifest $tag is $got, the archive's $index_digest"
done
for d in $(jq -r '.config.digest, .layers[].digest' "$T/manifest.$version"); do
    size=$(jq -r --arg d "$d" '[.config, .layers[]] | map(select(.digest == $d))[0].size' "$T/manifest.$version")
    curl -sfL -u kovn:kovn-pw -o "$T/blob" "http://$reg/v2/kovn/kovn/blobs/$d" || fail "GET blob $d"
    got=sha256:$(sha256sum "$T/blob" | cut -d' ' -f1)
    [[ $got == "$d" && $(stat -c %s "$T/blob") == "$size" ]] ||
        fail "blob $d came back as $got, $(stat -c %s "$T/blob") bytes"
done
step "registry: manifest ($index_digest) and both blobs fetched back with their digests and sizes"

# --- 5. A private containerd: import, run, and pull from the registry.
node_lock
step "holding /tmp/kovn-node.lock"
mkdir -p "$T/containerd"
cat >"$T/containerd/config.toml" <<EOF
# A containerd of this test's own: nothing under /var/lib or /run/containerd
# (but the shims' sockets), and no CRI: ctr only.
version = 2
root = "$T/containerd/root"
state = "$T/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.ttrpc.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$T/containerd/opt"
EOF
containerd --config "$T/containerd/config.toml" >"$T/containerd.log" 2>&1 &
echo $! >"$T/containerd.pid"
ctr=(ctr --address "$T/containerd.sock" -n "$ns")
for ((i = 0; i < 200; i++)); do
    "${ctr[@]}" version >/dev/null 2>&1 && break
    alive "$T/containerd.pid" || { log_tail "$T/containerd.log"; fail "containerd exited"; }
    sleep 0.1
done
"${ctr[@]}" images import "$archive" >"$T/import.log" 2>&1 ||
    { cat "$T/import.log" >&2; fail "ctr images import"; }
"${ctr[@]}" images ls -q | grep -qx "$image" || fail "$image not in containerd after import"
step "containerd $(containerd --version | awk '{print $3}') imported $image"

# run ARG...: the image's ARGs (PATH from the image config) in a throw-away
# container without cgroups (nothing to clean on the host); output in
# $T/run.out.  A container that hangs is killed by cleanup.
run() {
    local id=kovn-image-$n_run
    n_run=$((n_run + 1))
    timeout -k 5 60 "${ctr[@]}" run --rm --cgroup "" --runc-root "$T/runc" \
        --fifo-dir "$T/fifo" "$image" "$id" "$@" </dev/null >"$T/run.out" 2>&1 ||
        { log_tail "$T/containerd.log"; fail "in the image: $* -> $(cat "$T/run.out")"; }
}
expect() {
    local want=$1
    shift
    run "$@"
    grep -q -- "$want" "$T/run.out" ||
        fail "in the image: $* printed '$(head -c 400 "$T/run.out")', no '$want'"
}
expect 'usage: kovn-controller' kovn-controller --help
expect 'usage: kovn-daemon' kovn-daemon --help
expect 'kubectl-kovn' kubectl-kovn --help
expect 'ovsdb-server (Open vSwitch) 3' ovsdb-server --version
expect 'ovs-vswitchd (Open vSwitch) 3' ovs-vswitchd --version
expect 'ovs-vsctl (Open vSwitch) 3' ovs-vsctl --version
expect 'ovs-ofctl (Open vSwitch) 3' ovs-ofctl --version
expect 'ovn-northd 2' ovn-northd --version
expect 'ovn-controller 2' ovn-controller --version
expect 'ovn-nbctl 2' ovn-nbctl --version
expect 'ovn-sbctl 2' ovn-sbctl --version
expect 'ovn-trace 2' ovn-trace --version
expect 'curl 7' curl --version
expect 'jq-1' jq --version
expect 'OpenSSL 3' openssl version
expect 'nftables v1' nft --version
expect 'iproute2' ip -V
expect "image $image" cat /usr/share/kovn/image-info
# Every script of deploy/image/bin parses in the image's own shell.
for f in "$r"/usr/local/bin/*; do
    [[ -f $f ]] || continue
    run sh -n "/usr/local/bin/${f##*/}"
done
# ovsdb-tool and ovsdb-client on a real database: the NB schema from the
# image's /usr/share/ovn, a standalone database served by the image's
# ovsdb-server, and a list of its tables.
expect 'Logical_Switch' sh -c '
    set -e
    ovsdb-tool create /tmp/nb.db /usr/share/ovn/ovn-nb.ovsschema
    ovsdb-tool db-name /tmp/nb.db
    ovsdb-server --remote=punix:/tmp/nb.sock --pidfile=/tmp/nb.pid --detach \
        --unixctl=/tmp/nb.ctl --log-file=/tmp/nb.log /tmp/nb.db
    ovsdb-client list-tables unix:/tmp/nb.sock
    ovs-appctl -t /tmp/nb.ctl exit'
# Its stdin from inside: ctr does not pass on the end of its own.
expect '"supportedVersions"' sh -c 'CNI_COMMAND=VERSION /usr/share/kovn/cni/kovn-cni </dev/null'
step "ctr run --rm: $n_run containers ran kovn's binaries, OVS, OVN (ovsdb-tool create + ovsdb-server of the NB schema), curl, jq, openssl, nft, ip"

# --- 5b. containerd pulls the pushed image from the registry.
"${ctr[@]}" images pull --plain-http --user kovn:kovn-pw "$reg/kovn/kovn:$version" \
    >"$T/pull.log" 2>&1 || { cat "$T/pull.log" >&2; fail "ctr images pull from the registry"; }
pulled=$("${ctr[@]}" images ls | awk -v r="$reg/kovn/kovn:$version" '$1 == r { print $3 }')
[[ $pulled == "$index_digest" ]] || fail "pulled $pulled, pushed $index_digest"
step "ctr images pull --plain-http from the registry: $pulled, as pushed"
echo "test_image: ok"
