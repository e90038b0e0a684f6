#!/usr/bin/env python3
"""The measuring half of bench_node.sh: creates N busybox pods at a steady
rate through the API server (one kept-alive HTTPS connection) on a real
kubelet node, and follows each from its create call returning to

  - Running: the watch event that first shows status.phase Running
    (kubelet reports it once the container started, so after the
    sandbox's CNI ADD returned);
  - first ping: the container's first command pings GW until an answer
    comes (ping -c 1 -W 1, again 10 ms after a failure), then prints
    "pinged"; the time is the CRI log line's own timestamp, which
    containerd's shim writes as it reads the line (ns resolution, the
    host's wall clock).

Wall-clock times throughout (the log timestamps are wall clock).  Prints
a JSON document: per pod, seconds since its create call returned.

usage: node_probe.py --api URL --token-file F --ca F --namespace NS
           --image IMAGE --gw IP --name-prefix P --log-dir D
           [--pods 100] [--rate 2] [--timeout 180]
"""
import argparse
import datetime
import glob
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from p8_probe import Api  # noqa: E402


class Pod:
    def __init__(self, name):
        self.name = name
        self.uid = None
        self.t_created = self.t_running = self.t_pinged = None


def watcher(api, ns, rv, pods, stop):
    path = ("/api/v1/namespaces/%s/pods?watch=1&resourceVersion=%s"
            % (ns, rv))
    for _, ev in api.watch(path):
        t = time.time()
        if stop.is_set():
            return
        obj = ev.get("object", {})
        p = pods.get(obj.get("metadata", {}).get("name"))
        if p is not None and p.t_running is None and \
                obj.get("status", {}).get("phase") == "Running":
            p.t_running = t


def log_time(line):
    """The wall-clock time of a CRI log line: '<RFC 3339 nano> stdout F
    text'."""
    stamp = line.split(" ", 1)[0]
    head, frac = stamp.split(".", 1) if "." in stamp else (stamp, "0Z")
    digits = "".join(c for c in frac if c.isdigit())
    zone = frac[len(digits):]
    zone = "+00:00" if zone == "Z" else zone
    t = datetime.datetime.fromisoformat(head + zone).timestamp()
    return t + int(digits) / 10 ** len(digits)


def pinged_at(log_dir, ns, p):
    """When pod p's container printed 'pinged', or None yet."""
    for f in glob.glob(os.path.join(log_dir, "%s_%s_%s" % (ns, p.name, p.uid),
                                    "c", "*.log")):
        try:
            with open(f) as fh:
                for line in fh:
                    if line.rstrip("\n").endswith(" pinged"):
                        return log_time(line)
        except OSError:
            pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--namespace", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--gw", required=True)
    ap.add_argument("--name-prefix", required=True)
    ap.add_argument("--log-dir", default="/var/log/pods")
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--rate", type=float, default=2.0,
                    help="creates per second; 0: all at once")
    ap.add_argument("--timeout", type=float, default=180.0)
    args = ap.parse_args()

    token = open(args.token_file).read().strip()
    api = Api(args.api, token, args.ca)
    ns = args.namespace
    rv = api.request("GET", "/api/v1/namespaces/%s/pods?limit=1" % ns
                     )["metadata"]["resourceVersion"]
    order = [Pod("%s%03d" % (args.name_prefix, i)) for i in range(args.pods)]
    pods = {p.name: p for p in order}
    stop = threading.Event()
    w = threading.Thread(target=watcher, args=(Api(args.api, token, args.ca),
                                               ns, rv, pods, stop),
                         daemon=True)
    w.start()
    time.sleep(0.2)  # the watch is established before the first create

    script = ("until ping -c 1 -W 1 %s >/dev/null 2>&1; do sleep 0.01; done; "
              "echo pinged; exec sleep 3600" % args.gw)
    t_start = time.monotonic()
    for i, p in enumerate(order):
        if args.rate > 0:
            delay = t_start + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": p.name, "labels": {"app": "bench-node"}},
                "spec": {"terminationGracePeriodSeconds": 1,
                         "enableServiceLinks": False,
                         "containers": [{
                             "name": "c", "image": args.image,
                             "imagePullPolicy": "Never",
                             "command": ["sh", "-c", script]}]}}
        obj = api.request("POST", "/api/v1/namespaces/%s/pods" % ns, body)
        p.t_created = time.time()
        p.uid = obj["metadata"]["uid"]
    t_last_create = time.monotonic()

    deadline = time.time() + args.timeout
    while time.time() < deadline:
        for p in order:
            if p.t_pinged is None:
                p.t_pinged = pinged_at(args.log_dir, ns, p)
        if all(p.t_pinged is not None and p.t_running is not None
               for p in order):
            break
        time.sleep(0.2)
    stop.set()

    def rel(p, t):
        return None if t is None else t - p.t_created

    print(json.dumps({
        "pods": args.pods, "rate": args.rate,
        "last_create": t_last_create - t_start,
        "end": time.monotonic() - t_start,
        "per_pod": [{"name": p.name, "uid": p.uid,
                     "running": rel(p, p.t_running),
                     "pinged": rel(p, p.t_pinged)} for p in order],
    }))


if __name__ == "__main__":
    main()
