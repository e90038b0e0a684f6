#!/usr/bin/env python3
"""Writes an OCI image archive from a root file system directory, with no
registry and no Docker: oci-layout, index.json (whose manifest carries
io.containerd.image.name, so `ctr images import` names the image), the image
config, the manifest and one gzip layer.  The layer is reproducible (sorted
entries, owner root, mtime 0), so the same tree gives the same digests.

  oci_image.py ROOTFS NAME OUT.tar [--entrypoint ARG]... [--cmd ARG]...
               [--env K=V]... [--label K=V]...
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def layer_tar(rootfs):
    """The uncompressed layer: every entry of ROOTFS, root-owned, mtime 0."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        entries = []
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs + files):
                entries.append(os.path.join(top, name))
        for path in sorted(entries):
            info = tar.gettarinfo(path, os.path.relpath(path, rootfs))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def blob(out, data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest[len("sha256:"):])
    info.size = len(data)
    info.mode = 0o644
    out.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rootfs")
    ap.add_argument("name", help="e.g. kovn.local/busybox:1.35")
    ap.add_argument("out")
    ap.add_argument("--entrypoint", action="append", default=[])
    ap.add_argument("--cmd", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--label", action="append", default=[])
    a = ap.parse_args()

    plain = layer_tar(a.rootfs)
    diff_id = "sha256:" + hashlib.sha256(plain).hexdigest()
    layer = gzip.compress(plain, compresslevel=6, mtime=0)
    config = {"Env": a.env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if a.entrypoint:
        config["Entrypoint"] = a.entrypoint
    if a.cmd:
        config["Cmd"] = a.cmd
    if a.label:
        config["Labels"] = dict(kv.split("=", 1) for kv in a.label)
    image_config = {
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }

    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w") as out:
        layer_desc = blob(out, layer, "application/vnd.oci.image.layer.v1.tar+gzip")
        config_desc = blob(out, json.dumps(image_config, sort_keys=True).encode(),
                           "application/vnd.oci.image.config.v1+json")
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_desc,
            "layers": [layer_desc],
        }
        manifest_desc = blob(out, json.dumps(manifest, sort_keys=True).encode(),
                             "application/vnd.oci.image.manifest.v1+json")
        tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
        manifest_desc["annotations"] = {
            "io.containerd.image.name": a.name,
            "org.opencontainers.image.ref.name": tag,
        }
        manifest_desc["platform"] = {"architecture": "amd64", "os": "linux"}
        for name, data in (
            ("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
            ("index.json", json.dumps({"schemaVersion": 2, "manifests": [manifest_desc]},
                                      sort_keys=True).encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            out.addfile(info, io.BytesIO(data))
    os.replace(tmp, a.out)
    print(f"{a.name} {manifest_desc['digest']} {os.path.getsize(a.out)} bytes -> {a.out}")


if __name__ == "__main__":
    sys.exit(main())
