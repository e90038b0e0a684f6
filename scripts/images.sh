#!/usr/bin/env bash
# Local OCI images, with no registry and no Docker: archives written by
# scripts/lib/oci_image.py, cached outside the clone like the Kubernetes
# build, imported into containerd, and pushed to a registry on request.
#
#   scripts/images.sh build [NAME...] write the archives into the cache (once;
#                                    again when this script or its inputs
#                                    change); NAMEs default to pause busybox
#   scripts/images.sh load SOCKET [NAME...]   build, then
#                                    `ctr -n k8s.io images import` each
#                                    archive into the containerd at SOCKET
#   scripts/images.sh name NAME      the image reference
#   scripts/images.sh path NAME      the archive in the cache
#   scripts/images.sh push NAME REGISTRY/REPO[:TAG] [--insecure]
#                                    build, then push the archive to a
#                                    registry of the OCI distribution API
#                                    (scripts/lib/oci_push.py: http:// or
#                                    --insecure for plain HTTP; basic auth
#                                    from KOVN_REGISTRY_USER and
#                                    KOVN_REGISTRY_PASSWORD)
#
# pause:   Kubernetes' own build/pause/linux/pause.c from the source tree
#          scripts/k8s.sh unpacks, linked with `gcc -static`.
# busybox: Debian's busybox-static with a link for every applet (sh, ping,
#          nc, wget, ...).
# kovn:    kovn.local/kovn:<version of meson.build>, for a DaemonSet or a
#          Deployment: kovn's release binaries (`make release`), OVS and
#          OVN from Debian's packages (chosen from their `dpkg -L` lists),
#          busybox as /bin/sh, curl, jq, openssl, nft and ip, the scripts
#          of deploy/image/bin in /usr/local/bin, and the shared-library
#          closure of every ELF file (scripts/lib/elf_deps.py).  `make
#          image` builds it (`build kovn`); it is not part of the default
#          build, which must not need kovn's release build.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
k8s_cache=${KOVN_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/k8s-1.20.2}
cache=${KOVN_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kovn/images}
release=${KOVN_RELEASE_DIR:-$root/build/release}
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$root/meson.build" | head -n1)
pause_image=kovn.local/pause:3.4
busybox_image=kovn.local/busybox:1.35
kovn_image=kovn.local/kovn:$version

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

# --- kovn ---------------------------------------------------------------

# kovn's binaries in the image (kovn-sandboxd simulates nodes for benches and
# tests; it has no place on a real one), as `make release` writes them.
kovn_binaries=(controller/kovn-controller daemon/kovn-daemon cni/kovn-cni cli/kubectl-kovn)

# What the image takes from Debian's packages: PACKAGE then patterns matched
# against its `dpkg -L` list, each of which must match (a package that
# moves a file fails the build instead of shipping an image without it).
# Besides the tools: the schemas, ovs-ctl/ovn-ctl with their sh libraries
# (the usual way to start the daemons with their defaults), and what
# openssl and ip read at run time.  Left out on purpose: the python3 and
# bash scripts (no python3 or bash in the image), systemd units, init
# scripts, documentation.
kovn_packages=(
    "openvswitch-common /usr/sbin/ovsdb-server /usr/bin/ovsdb-tool /usr/bin/ovsdb-client
        /usr/bin/ovs-appctl /usr/bin/ovs-ofctl /usr/bin/ovs-pki
        /usr/share/openvswitch/scripts/ovs-lib"
    "openvswitch-switch /usr/lib/openvswitch-switch/ovs-vswitchd /usr/bin/ovs-vsctl
        /usr/bin/ovs-dpctl /usr/share/openvswitch/*.ovsschema
        /usr/share/openvswitch/scripts/ovs-ctl /usr/share/openvswitch/scripts/ovs-kmod-ctl
        /usr/share/openvswitch/scripts/ovs-save"
    "ovn-central /usr/bin/ovn-northd /usr/share/ovn/*.ovsschema"
    "ovn-host /usr/bin/ovn-controller"
    "ovn-common /usr/bin/ovn-nbctl /usr/bin/ovn-sbctl /usr/bin/ovn-appctl /usr/bin/ovn-trace
        /usr/share/ovn/scripts/ovn-ctl /usr/share/ovn/scripts/ovn-lib"
    "busybox-static /bin/busybox"
    "curl /usr/bin/curl"
    "jq /usr/bin/jq"
    "openssl /usr/bin/openssl /etc/ssl/openssl.cnf /usr/lib/ssl/openssl.cnf"
    "nftables /usr/sbin/nft"
    "iproute2 /bin/ip /etc/iproute2/*"
)

# The host files of the packages' selection, one a line.
kovn_package_files() {
    local entry pkg pattern f matched
    local -a patterns list
    for entry in "${kovn_packages[@]}"; do
        read -r -a patterns <<<"$(tr -s ' \n' ' ' <<<"$entry")"
        pkg=${patterns[0]}
        mapfile -t list < <(dpkg -L "$pkg" 2>/dev/null) ||
            die "dpkg -L $pkg failed (run scripts/deps.sh)"
        ((${#list[@]})) || die "Debian package $pkg is not installed (run scripts/deps.sh)"
        for pattern in "${patterns[@]:1}"; do
            matched=
            for f in "${list[@]}"; do
                # shellcheck disable=SC2053 # the pattern is a glob on purpose
                [[ $f == $pattern ]] || continue
                [[ -d $f && ! -L $f ]] && continue
                echo "$f"
                matched=1
            done
            [[ -n $matched ]] || die "$pattern: not in dpkg -L $pkg"
        done
    done
}

kovn_package_versions() {
    local entry
    for entry in "${kovn_packages[@]}"; do
        dpkg-query -W -f='${Package} ${Version}\n' "${entry%% *}"
    done
}

# The stamp of the kovn image: scripts, version, kovn's binaries and repo
# files by content, package versions, and the host files copied last time
# (FILES, recorded by the build) by size and mtime.  The set of host files
# only changes when one of these does, so the warm check costs one
# dpkg-query, a few hashes and one stat.
kovn_stamp() {
    local files=$1 b
    {
        echo "$version"
        sha256sum "$root/scripts/images.sh" "$root/scripts/lib/oci_image.py" \
            "$root/scripts/lib/elf_deps.py" "$root/deploy/cni/01-kovn.conflist"
        for b in "${kovn_binaries[@]}"; do
            sha256sum "$release/src/$b"
        done
        (cd "$root" && find deploy/image/bin -type f -print0 | sort -z | xargs -0r sha256sum)
        kovn_package_versions
        [[ -f $files ]] && xargs -d '\n' -r stat -c '%n %s %Y' <"$files"
    } | sha256sum | cut -d' ' -f1
}

build_kovn() {
    local b stamp work rootfs d applet base
    for b in "${kovn_binaries[@]}"; do
        [[ -x "$release/src/$b" ]] || die "$release/src/$b missing (run make release)"
    done
    if [[ -f "$cache/kovn.files" ]]; then
        stamp=$(kovn_stamp "$cache/kovn.files")
        fresh kovn "$stamp" && return 0
    fi
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    rootfs=$work/rootfs
    mkdir -p "$rootfs"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,usr/share/kovn/cni}
    # The same /bin, /sbin, /lib, /lib64 as the host (links into /usr on
    # Debian 12), so paths from dpkg -L and the loader's land where the
    # host has them.
    for d in bin sbin lib lib64; do
        if [[ -L /$d ]]; then ln -s "$(readlink "/$d")" "$rootfs/$d"; else mkdir -p "$rootfs/$d"; fi
    done

    # Package files and the libraries of every ELF file, with the symlinks
    # on the way, in one tar pipe (symlinks stay links; a path through the
    # rootfs's /lib link lands under /usr/lib).
    kovn_package_files >"$work/pkg.files"
    for b in "${kovn_binaries[@]}"; do
        strip -o "$rootfs/usr/bin/${b#*/}" "$release/src/$b"
        chmod 0755 "$rootfs/usr/bin/${b#*/}"
    done
    xargs -d '\n' python3 "$root/scripts/lib/elf_deps.py" closure \
        "${kovn_binaries[@]/#/$release/src/}" <"$work/pkg.files" >"$work/libs.files"
    sort -u "$work/pkg.files" "$work/libs.files" >"$work/host.files"
    sed 's|^/||' "$work/host.files" | tar -C / --no-recursion -cf - -T - |
        tar -C "$rootfs" --keep-directory-symlink -xf -

    # ovs-vswitchd is an alternative (dpdk or not) in Debian, its
    # /usr/sbin link is in no package's list: the plain one.
    ln -s ../lib/openvswitch-switch/ovs-vswitchd "$rootfs/usr/sbin/ovs-vswitchd"
    # busybox as /bin/sh and every applet whose name no package file has in
    # any bin directory (ip is iproute2's, also for a PATH with /sbin
    # first); linuxrc is for initramfs.  Debian's busybox-static is built
    # with a standalone shell: inside `sh`, a command named like an applet
    # runs the applet whatever PATH says, so a script that needs
    # iproute2's ip (netns, -json, ...) calls /usr/bin/ip.
    for applet in $(/bin/busybox --list-full); do
        [[ $applet == linuxrc ]] && continue
        base=${applet##*/}
        [[ -e $rootfs/usr/bin/$base || -L $rootfs/usr/bin/$base ||
            -e $rootfs/usr/sbin/$base || -L $rootfs/usr/sbin/$base ]] ||
            ln -s /bin/busybox "$rootfs/$applet"
    done
    # kovn-cni and its conflist for the DaemonSet's init step to copy onto
    # the host.
    cp "$rootfs/usr/bin/kovn-cni" "$rootfs/usr/share/kovn/cni/kovn-cni"
    install -m 0644 "$root/deploy/cni/01-kovn.conflist" "$rootfs/usr/share/kovn/cni/"
    # The entrypoint scripts, whatever deploy/image/bin holds.
    find "$root/deploy/image/bin" -maxdepth 1 -type f ! -name '.*' \
        -exec install -m 0755 -t "$rootfs/usr/local/bin" {} +
    # What the image was made of, for whoever wonders inside a pod.
    { echo "image $kovn_image"; kovn_package_versions; } >"$rootfs/usr/share/kovn/image-info"

    mkdir -p "$rootfs"/{etc/openvswitch,etc/ovn,run,var/lib/openvswitch,var/lib/ovn} \
        "$rootfs"/{var/log/openvswitch,var/log/ovn,root,proc,sys,dev,tmp}
    chmod 1777 "$rootfs/tmp"
    ln -s ../run "$rootfs/var/run"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
        >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

    # Every DT_NEEDED of every ELF file resolves inside the image, or no image.
    python3 "$root/scripts/lib/elf_deps.py" check "$rootfs" >/dev/null ||
        die "$(python3 "$root/scripts/lib/elf_deps.py" check "$rootfs")"
    python3 "$root/scripts/lib/oci_image.py" "$rootfs" "$kovn_image" "$cache/kovn.tar" \
        --cmd /bin/sh --env PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin \
        --label "org.opencontainers.image.version=$version" \
        --label "org.opencontainers.image.title=kovn"
    mv "$work/host.files" "$cache/kovn.files"
    kovn_stamp "$cache/kovn.files" >"$cache/kovn.stamp"
    rm -rf "$work"
    trap - EXIT
}

image_of() {
    case "$1" in
    pause) echo "$pause_image" ;;
    busybox) echo "$busybox_image" ;;
    kovn) echo "$kovn_image" ;;
    *) die "no image '$1' (pause, busybox, kovn)" ;;
    esac
}

cmd_build() {
    local t0=$SECONDS name names=("$@") refs=()
    ((${#names[@]})) || names=(pause busybox)
    mkdir -p "$cache"
    for name in "${names[@]}"; do
        refs+=("$(image_of "$name")")
        "build_$name"
    done
    echo "images.sh: ${refs[*]} in $cache ($((SECONDS - t0))s)"
}

cmd_load() {
    local sock=${1:?usage: images.sh load SOCKET [NAME...]} name
    shift
    local names=("$@")
    ((${#names[@]})) || names=(pause busybox)
    cmd_build "${names[@]}" >/dev/null
    for name in "${names[@]}"; do
        ctr --address "$sock" -n k8s.io images import "$cache/$name.tar" >/dev/null ||
            die "ctr images import $cache/$name.tar failed"
    done
}

cmd_push() {
    local name=${1:?usage: images.sh push NAME REGISTRY/REPO[:TAG] [--insecure]}
    shift
    image_of "$name" >/dev/null
    cmd_build "$name" >/dev/null
    python3 "$root/scripts/lib/oci_push.py" "$cache/$name.tar" "$@"
}

case "${1:-}" in
build) shift; cmd_build "$@" ;;
load) shift; cmd_load "$@" ;;
push) shift; cmd_push "$@" ;;
name) image_of "${2:-}" ;;
path) image_of "${2:-}" >/dev/null; echo "$cache/${2}.tar" ;;
*) die "usage: images.sh build [NAME...]|load SOCKET [NAME...]|push NAME REF [--insecure]|name NAME|path NAME (NAME: pause, busybox, kovn)" ;;
esac
