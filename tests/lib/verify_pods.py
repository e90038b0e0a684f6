#!/usr/bin/env python3
"""Cross-checks pods, IP objects, OVN switch ports and Subnet status counts
as dumped by tests/integration/test_pods.sh into DIR (pods.json, ips.json,
subnets.json, lsps.csv): every allocated pod has exactly one IP object and
one port with the same addresses; no address or MAC is held twice; none is
a network, broadcast, gateway or excluded address; no IP object or port
outlives its pod; status counts equal the IP objects.

usage: verify_pods.py DIR [--expect N] [--dual-subnet NAME] [--quiet]
"""
import argparse
import collections
import csv
import ipaddress
import json
import sys

ANN = "ovn.kubernetes.io/"


def expand(item):
    if ".." in item:
        a, b = item.split("..")
        a, b = ipaddress.ip_address(a), ipaddress.ip_address(b)
        return lambda x: x.version == a.version and a <= x <= b
    a = ipaddress.ip_address(item)
    return lambda x: x == a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--expect", type=int)
    ap.add_argument("--dual-subnet")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    d = args.dir
    pods = json.load(open(d + "/pods.json"))["items"]
    ips = json.load(open(d + "/ips.json"))["items"]
    subnets = {s["metadata"]["name"]: s
               for s in json.load(open(d + "/subnets.json"))["items"]}
    lsps = {}
    for row in csv.reader(open(d + "/lsps.csv")):
        if row and "." in row[0]:
            lsps[row[0]] = row[1] if len(row) > 1 else ""
    errors = []

    pod_by_key = {}
    for p in pods:
        m = p["metadata"]
        pod_by_key["%s.%s" % (m["name"], m["namespace"])] = p
    ip_by_name = {i["metadata"]["name"]: i for i in ips}

    seen_addr, seen_mac = {}, {}
    used = collections.Counter()
    for name, ip in ip_by_name.items():
        spec = ip["spec"]
        pod = pod_by_key.get(name)
        if pod is None:
            errors.append("IP %s has no pod" % name)
            continue
        ann = pod["metadata"].get("annotations", {})
        if ann.get(ANN + "ip_address") != spec.get("ipAddress"):
            errors.append("IP %s: %s but pod says %s" % (
                name, spec.get("ipAddress"), ann.get(ANN + "ip_address")))
        mac = spec.get("macAddress")
        if mac in seen_mac:
            errors.append("MAC %s held by %s and %s" % (mac, name, seen_mac[mac]))
        seen_mac[mac] = name
        sub = subnets.get(spec["subnet"])
        if sub is None:
            errors.append("IP %s in missing subnet %s" % (name, spec["subnet"]))
            continue
        sspec = sub["spec"]
        nets = [ipaddress.ip_network(c) for c in sspec["cidrBlock"].split(",")]
        gws = [ipaddress.ip_address(g) for g in
               sspec.get("gateway", "").split(",") if g]
        if not gws:
            gws = [n.network_address + 1 for n in nets]
        excl = [expand(e) for e in sspec.get("excludeIps", [])]
        fams = []
        for key in ("v4IpAddress", "v6IpAddress"):
            if not spec.get(key):
                continue
            a = ipaddress.ip_address(spec[key])
            fams.append(a.version)
            used[(spec["subnet"], a.version)] += 1
            if a in seen_addr:
                errors.append("%s held by %s and %s" % (a, name, seen_addr[a]))
            seen_addr[a] = name
            net = [n for n in nets if n.version == a.version]
            if not net or a not in net[0]:
                errors.append("%s of %s outside %s" % (a, name, sspec["cidrBlock"]))
            elif a == net[0].network_address or (
                    a.version == 4 and a == net[0].broadcast_address):
                errors.append("%s of %s is reserved" % (a, name))
            if a in gws:
                errors.append("%s of %s is the gateway" % (a, name))
            if any(f(a) for f in excl):
                errors.append("%s of %s is excluded" % (a, name))
        if args.dual_subnet and spec["subnet"] == args.dual_subnet and \
                sorted(fams) != [4, 6]:
            errors.append("IP %s in dual-stack subnet has %s" % (name, fams))
        lsp = lsps.get(name)
        if lsp is None:
            errors.append("IP %s has no switch port" % name)
        elif mac not in lsp or spec["v4IpAddress" if 4 in fams else
                                     "v6IpAddress"] not in lsp:
            errors.append("port %s addresses %r" % (name, lsp))

    for key, p in pod_by_key.items():
        ann = p["metadata"].get("annotations", {})
        if p["metadata"]["namespace"].startswith("kube-"):
            continue
        if ann.get(ANN + "allocated") == "true" and key not in ip_by_name:
            errors.append("pod %s allocated but has no IP object" % key)
        if ann.get(ANN + "allocated") != "true" and \
                not p["metadata"]["name"].endswith("-dup"):
            errors.append("pod %s not allocated" % key)
    for name in lsps:
        if name not in ip_by_name:
            errors.append("port %s has no IP object" % name)

    for sname, sub in subnets.items():
        if sname == "join":
            continue  # Nodes hold join addresses without IP objects.
        st = sub.get("status", {})
        for v, key in ((4, "v4usingIPs"), (6, "v6usingIPs")):
            if key in st and int(st[key]) != used[(sname, v)]:
                errors.append("subnet %s %s=%s but %d IP objects" % (
                    sname, key, st[key], used[(sname, v)]))
    if args.expect is not None and len(ips) != args.expect:
        errors.append("%d IP objects, expected %d" % (len(ips), args.expect))

    if errors:
        if not args.quiet:
            print("%d problems:" % len(errors))
            for e in errors[:20]:
                print("  " + e)
        return 1
    if not args.quiet:
        print("%d IPs, %d ports, all consistent" % (len(ips), len(lsps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
