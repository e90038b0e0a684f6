#!/usr/bin/env bash
# Local OCI images for the real node (scripts/node.sh), with no registry and
# no Docker: archives written by scripts/lib/oci_image.py, cached outside
# the clone like the Kubernetes build, and imported into containerd.
#
#   scripts/images.sh build          write the archives into the cache (once;
#                                    again when this script or its inputs change)
#   scripts/images.sh load SOCKET    build, then `ctr -n k8s.io images import`
#                                    each archive into the containerd at SOCKET
#   scripts/images.sh name pause|busybox   the image reference
#
# pause:   Kubernetes' own build/pause/linux/pause.c from the source tree
#          scripts/k8s.sh unpacks, linked with `gcc -static`.
# busybox: Debian's busybox-static with a link for every applet (sh, ping,
#          nc, wget, ...).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
k8s_cache=${KOVN_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/k8s-1.20.2}
cache=${KOVN_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/images}
pause_image=kovn.local/pause:3.4
busybox_image=kovn.local/busybox:1.35

die() {
    echo "images.sh: $*" >&2
    exit 1
}

# What an archive is made of; a change rebuilds it.
stamp_of() {
    {
        sha256sum "$root/scripts/images.sh" "$root/scripts/lib/oci_image.py" | cut -d' ' -f1
        case "$1" in
        pause) sha256sum "$2" | cut -d' ' -f1 ;;
        busybox) dpkg-query -W -f='${Version}\n' busybox-static ;;
        esac
    } | sha256sum | cut -d' ' -f1
}

fresh() {
    [[ -f "$cache/$1.tar" && "$(cat "$cache/$1.stamp" 2>/dev/null)" == "$2" ]]
}

build_pause() {
    local src stamp work
    src=$(compgen -G "$k8s_cache/kubernetes-*/build/pause/linux/pause.c" | head -n1 || true)
    [[ -n $src ]] || die "pause.c not found under $k8s_cache (run scripts/k8s.sh build first)"
    stamp=$(stamp_of pause "$src")
    fresh pause "$stamp" && return 0
    work=$(mktemp -d)
    mkdir -p "$work/rootfs"
    gcc -Os -Wall -Werror -static -DVERSION=v3.4-kovn -o "$work/rootfs/pause" "$src" ||
        { rm -rf "$work"; die "gcc -static pause.c failed (libc6-dev has libc.a)"; }
    strip "$work/rootfs/pause"
    python3 "$root/scripts/lib/oci_image.py" "$work/rootfs" "$pause_image" \
        "$cache/pause.tar" --entrypoint /pause
    echo "$stamp" >"$cache/pause.stamp"
    rm -rf "$work"
}

build_busybox() {
    local stamp work applet
    [[ -x /bin/busybox ]] && /bin/busybox --list >/dev/null 2>&1 ||
        die "/bin/busybox missing (Debian package busybox-static)"
    stamp=$(stamp_of busybox)
    fresh busybox "$stamp" && return 0
    work=$(mktemp -d)
    mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp" \
        "$work/rootfs/root" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev"
    chmod 1777 "$work/rootfs/tmp"
    cp /bin/busybox "$work/rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ $applet == busybox ]] || ln -s busybox "$work/rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
        >"$work/rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/rootfs/etc/group"
    python3 "$root/scripts/lib/oci_image.py" "$work/rootfs" "$busybox_image" \
        "$cache/busybox.tar" --cmd sh --env PATH=/bin
    echo "$stamp" >"$cache/busybox.stamp"
    rm -rf "$work"
}

cmd_build() {
    local t0=$SECONDS
    mkdir -p "$cache"
    build_pause
    build_busybox
    echo "images.sh: $pause_image and $busybox_image in $cache ($((SECONDS - t0))s)"
}

cmd_load() {
    local sock=${1:?usage: images.sh load SOCKET} name
    cmd_build >/dev/null
    for name in pause busybox; do
        ctr --address "$sock" -n k8s.io images import "$cache/$name.tar" >/dev/null ||
            die "ctr images import $cache/$name.tar failed"
    done
}

case "${1:-}" in
build) shift; cmd_build "$@" ;;
load) shift; cmd_load "$@" ;;
name)
    case "${2:-}" in
    pause) echo "$pause_image" ;;
    busybox) echo "$busybox_image" ;;
    *) die "usage: images.sh name pause|busybox" ;;
    esac
    ;;
*) die "usage: images.sh build|load SOCKET|name pause|busybox" ;;
esac
