#!/usr/bin/env python3
"""Pushes an OCI image archive (as scripts/lib/oci_image.py writes it) to a
registry speaking the OCI distribution API, with no Docker and no
third-party module: each blob the registry lacks goes up as one monolithic
upload (POST /v2/<repo>/blobs/uploads/, then PUT <location>?digest=), then
the manifest, byte for byte as in the archive, so its digest is the same
everywhere (PUT /v2/<repo>/manifests/<tag>).

  oci_push.py ARCHIVE [http://|https://]REGISTRY/REPO[:TAG] [--insecure]

TAG defaults to the archive's own (org.opencontainers.image.ref.name).
Plain HTTP only with an http:// prefix or --insecure; HTTPS verifies the
server with the system's CAs (or $SSL_CERT_FILE).  Basic auth from
KOVN_REGISTRY_USER and KOVN_REGISTRY_PASSWORD, sent once the registry asks
for it (401 with a Basic challenge); registries that hand out Bearer
tokens are not supported yet.  Prints the pushed reference and the
manifest's digest.
"""
import argparse
import base64
import http.client
import json
import os
import ssl
import sys
import tarfile
import urllib.parse

# A registry's error body is shown, not read in full: it is the peer's.
ERROR_BODY_MAX = 4096


class PushError(Exception):
    pass


class Registry:
    def __init__(self, host, secure):
        self.host = host
        self.secure = secure
        self.auth = None
        user = os.environ.get("KOVN_REGISTRY_USER")
        if user is not None:
            token = f"{user}:{os.environ.get('KOVN_REGISTRY_PASSWORD', '')}".encode()
            self.basic = "Basic " + base64.b64encode(token).decode()
        else:
            self.basic = None

    def connect(self, host):
        if self.secure:
            return http.client.HTTPSConnection(host, timeout=300,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(host, timeout=300)

    def request(self, method, url, body=None, headers=None):
        """One request; URL is a path on the registry or an absolute URL
        (upload locations may be either).  Retries once with credentials
        after a 401 that asks for Basic.  Returns (status, headers, body)."""
        for attempt in range(2):
            parts = urllib.parse.urlsplit(url)
            host = parts.netloc or self.host
            path = urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
            h = dict(headers or {})
            if self.auth:
                h["Authorization"] = self.auth
            if body is None and method in ("POST", "PUT"):
                h["Content-Length"] = "0"
            conn = self.connect(host)
            try:
                if hasattr(body, "seek"):
                    body.seek(0)
                conn.request(method, path, body=body, headers=h)
                resp = conn.getresponse()
                data = resp.read(ERROR_BODY_MAX) if method != "HEAD" else b""
                status, rheaders = resp.status, resp.headers
            finally:
                conn.close()
            if status != 401 or attempt == 1:
                return status, rheaders, data
            challenge = rheaders.get("WWW-Authenticate", "")
            scheme = challenge.split(" ", 1)[0].lower()
            if scheme != "basic":
                raise PushError(f"{method} {path}: 401, registry wants '{challenge}' "
                                "(only Basic auth is supported)")
            if not self.basic:
                raise PushError(f"{method} {path}: 401, set KOVN_REGISTRY_USER and "
                                "KOVN_REGISTRY_PASSWORD")
            if self.auth:
                break
            self.auth = self.basic
        raise PushError(f"{method} {path}: 401 with the credentials given")


def parse_ref(ref, insecure):
    secure = not insecure
    if ref.startswith("http://"):
        ref, secure = ref[len("http://"):], False
    elif ref.startswith("https://"):
        ref = ref[len("https://"):]
    if "/" not in ref:
        raise PushError(f"{ref}: want REGISTRY/REPO[:TAG]")
    host, repo = ref.split("/", 1)
    tag = None
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = repo.rsplit(":", 1)
    if "@" in repo or not repo:
        raise PushError(f"{ref}: want REGISTRY/REPO[:TAG] (no digest)")
    return host, repo, tag, secure


def fail_status(what, status, data):
    text = data.decode(errors="replace").strip()
    raise PushError(f"{what}: HTTP {status} {text}")


def push(archive, ref, insecure):
    host, repo, tag, secure = parse_ref(ref, insecure)
    reg = Registry(host, secure)
    with tarfile.open(archive) as tar:
        index = json.load(tar.extractfile("index.json"))
        if len(index.get("manifests", [])) != 1:
            raise PushError(f"{archive}: want exactly one manifest in index.json")
        desc = index["manifests"][0]
        tag = tag or desc.get("annotations", {}).get("org.opencontainers.image.ref.name") or "latest"

        def member(digest):
            return tar.getmember("blobs/" + digest.replace(":", "/"))

        manifest_bytes = tar.extractfile(member(desc["digest"])).read()
        manifest = json.loads(manifest_bytes)

        status, _, data = reg.request("GET", "/v2/")
        if status != 200:
            fail_status(f"GET {host}/v2/ (not an OCI distribution registry?)", status, data)

        pushed = skipped = 0
        for blob in [manifest["config"]] + manifest["layers"]:
            digest, size = blob["digest"], blob["size"]
            status, _, _ = reg.request("HEAD", f"/v2/{repo}/blobs/{digest}")
            if status == 200:
                skipped += 1
                continue
            status, headers, data = reg.request("POST", f"/v2/{repo}/blobs/uploads/")
            if status != 202 or not headers.get("Location"):
                fail_status(f"POST /v2/{repo}/blobs/uploads/", status, data)
            location = headers["Location"]
            sep = "&" if "?" in location else "?"
            url = location + sep + "digest=" + urllib.parse.quote(digest, safe="")
            info = member(digest)
            if info.size != size:
                raise PushError(f"{archive}: blob {digest} is {info.size} bytes, manifest says {size}")
            status, _, data = reg.request(
                "PUT", url, body=tar.extractfile(info),
                headers={"Content-Type": "application/octet-stream",
                         "Content-Length": str(size)})
            if status != 201:
                fail_status(f"PUT blob {digest}", status, data)
            pushed += 1

        status, headers, data = reg.request(
            "PUT", f"/v2/{repo}/manifests/{tag}", body=manifest_bytes,
            headers={"Content-Type": manifest["mediaType"]})
        if status != 201:
            fail_status(f"PUT /v2/{repo}/manifests/{tag}", status, data)
        echoed = headers.get("Docker-Content-Digest")
        if echoed and echoed != desc["digest"]:
            raise PushError(f"registry stored the manifest as {echoed}, not {desc['digest']}")
    print(f"pushed {host}/{repo}:{tag} {desc['digest']} "
          f"({pushed} blobs uploaded, {skipped} already there)")


def main():
    ap = argparse.ArgumentParser(description="Push an OCI image archive to a registry.")
    ap.add_argument("archive")
    ap.add_argument("ref", help="[http://|https://]REGISTRY/REPO[:TAG]")
    ap.add_argument("--insecure", action="store_true", help="plain HTTP")
    a = ap.parse_args()
    try:
        push(a.archive, a.ref, a.insecure)
    except (PushError, OSError, http.client.HTTPException, KeyError, ValueError) as e:
        print(f"oci_push: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
