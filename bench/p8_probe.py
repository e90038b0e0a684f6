#!/usr/bin/env python3
"""The measuring half of bench_p8.sh: creates N client pods at a steady
rate through the API server (one kept-alive HTTPS connection) and follows
each pod from its create call returning to its first successful TCP
connect, from inside its network namespace, to a Service VIP.

One thread watches the namespace's pods (the API server's create -> watch
event latency, the scheduler's binding, the Ready status kovn-sandboxd
writes).  Another polls the pods' namespaces: it opens
NETNS_DIR/PREFIX<pod uid> as soon as it is a namespace (the file exists
before kovn-sandboxd's bind mount makes it one), checks eth0 for IFF_UP,
and starts a non-blocking connect to VIP:PORT every INTERVAL_MS from a
socket made inside the namespace (setns(2) of this thread only, and back),
several attempts in flight: a SYN that OVN drops before the pod's port is
bound blocks nothing, and each attempt is closed before the kernel would
retransmit it (1 s).  The first attempt whose connect completes is the
pod's time.  The poller's own delay is the attempt interval plus a loop
period (both reported).

Prints a JSON document: per pod, seconds since its create call returned
for each milestone, and the run's totals.

usage: p8_probe.py --api URL --token-file F --ca F --namespace NS
           --netns-dir D --netns-prefix P --vip IP --port N
           [--pods 100] [--rate 5] [--interval-ms 10] [--timeout 60]
           [--pid NAME=PID]...
"""
import argparse
import ctypes
import errno
import fcntl
import http.client
import json
import os
import selectors
import socket
import ssl
import struct
import threading
import time
import urllib.parse

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1
ATTEMPT_LIFETIME = 0.9  # s: closed before the SYN's first retransmission
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")


def cpu_seconds(pid):
    """utime + stime of a process, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def vm_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Api:
    def __init__(self, url, token, ca):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.headers = {"Authorization": "Bearer " + token,
                        "Content-Type": "application/json",
                        "Accept": "application/json"}
        self.conn = self.connect()

    def connect(self, timeout=60):
        return http.client.HTTPSConnection(self.host, self.port,
                                           context=self.ctx, timeout=timeout)

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, resp.status,
                                                 payload[:300]))
        return json.loads(payload)

    def watch(self, path):
        """Yields (monotonic arrival time, event) until the stream ends."""
        conn = self.connect(timeout=None)  # quiet for as long as it likes
        conn.request("GET", path, headers=self.headers)
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError("watch %s: %d" % (path, resp.status))
        while True:
            line = resp.readline()
            if not line:
                return
            yield time.monotonic(), json.loads(line)


class Pod:
    def __init__(self, name):
        self.name = name
        self.uid = None
        self.t_request = self.t_created = None  # create call sent, returned
        self.t_watched = self.t_bound = self.t_ready = None
        self.t_netns = self.t_eth0 = self.t_connect = None
        self.fd = None
        self.next_attempt = 0.0
        self.attempts = 0
        self.pending = []  # (socket, started)


def watcher(api, ns, rv, pods, stop):
    path = ("/api/v1/namespaces/%s/pods?watch=1&resourceVersion=%s"
            % (ns, rv))
    for t, ev in api.watch(path):
        if stop.is_set():
            return
        obj = ev.get("object", {})
        p = pods.get(obj.get("metadata", {}).get("name"))
        if p is None:
            continue
        if p.t_watched is None:
            p.t_watched = t
        if p.t_bound is None and obj.get("spec", {}).get("nodeName"):
            p.t_bound = t
        conds = obj.get("status", {}).get("conditions") or []
        if p.t_ready is None and any(c.get("type") == "Ready" and
                                     c.get("status") == "True"
                                     for c in conds):
            p.t_ready = t


def eth0_up(sock):
    req = struct.pack("16sH14x", b"eth0", 0)
    try:
        res = fcntl.ioctl(sock.fileno(), SIOCGIFFLAGS, req)
    except OSError:
        return False
    return bool(struct.unpack("16sH14x", res)[1] & IFF_UP)


def poller(args, order, created, stop, stats):
    """Runs in its own thread: setns() moves only this thread."""
    host = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    sel = selectors.DefaultSelector()
    interval = args.interval_ms / 1000.0
    last = time.monotonic()
    periods = []
    while not stop.is_set():
        now = time.monotonic()
        periods.append(now - last)
        last = now
        active = [p for p in order[:created[0]]
                  if p.uid and p.t_connect is None and
                  now - p.t_created < args.timeout]
        if created[0] == len(order) and not active:
            break
        for p in active:
            if p.fd is None:
                path = os.path.join(args.netns_dir, args.netns_prefix + p.uid)
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    continue
                try:
                    setns(fd)  # EINVAL until it is a namespace
                except OSError:
                    os.close(fd)
                    continue
                setns(host)
                p.fd, p.t_netns = fd, now
            # --probe-from ready: no packet before the pod is Ready, as a
            # container starts only once the CNI ADD has returned.
            early = args.probe_from == "ready" and p.t_ready is None
            if p.t_eth0 is not None and (early or now < p.next_attempt):
                continue
            setns(p.fd)
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                if p.t_eth0 is None and eth0_up(s):
                    p.t_eth0 = now
                if not early and now >= p.next_attempt:
                    s.setblocking(False)
                    err = s.connect_ex((args.vip, args.port))
                    p.attempts += 1
                    p.next_attempt = now + interval
                else:
                    err = -1
            finally:
                setns(host)
            if err == 0:
                p.t_connect = time.monotonic()
                s.close()
            elif err == errno.EINPROGRESS:
                sel.register(s, selectors.EVENT_WRITE, p)
                p.pending.append((s, now))
            else:
                s.close()
        timeout = interval / 2
        for key, _ in sel.select(timeout):
            s, p = key.fileobj, key.data
            if p.t_connect is None and \
                    s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                p.t_connect = time.monotonic()
                stats["connect_rtt"].append(
                    p.t_connect - next(t for x, t in p.pending if x is s))
            sel.unregister(s)
            p.pending = [(x, t) for x, t in p.pending if x is not s]
            s.close()
        now = time.monotonic()
        for p in order[:created[0]]:
            keep = []
            for s, t in p.pending:
                if p.t_connect is not None or now - t > ATTEMPT_LIFETIME:
                    sel.unregister(s)
                    s.close()
                else:
                    keep.append((s, t))
            p.pending = keep
        stats["max_pending"] = max(stats["max_pending"],
                                   sum(len(p.pending) for p in order))
    for p in order:
        for s, _ in p.pending:
            s.close()
        if p.fd is not None:
            os.close(p.fd)
    stats["loop_periods"] = periods[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--namespace", required=True)
    ap.add_argument("--netns-dir", required=True)
    ap.add_argument("--netns-prefix", required=True)
    ap.add_argument("--vip", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--rate", type=float, default=5.0,
                    help="creates per second; 0: all at once")
    ap.add_argument("--interval-ms", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--probe-from", choices=["netns", "ready"],
                    default="netns")
    ap.add_argument("--name-prefix", default="p8-c-")
    ap.add_argument("--pid", action="append", default=[])
    args = ap.parse_args()

    token = open(args.token_file).read().strip()
    api = Api(args.api, token, args.ca)
    ns = args.namespace
    rv = api.request("GET", "/api/v1/namespaces/%s/pods?limit=1" % ns
                     )["metadata"]["resourceVersion"]
    order = [Pod("%s%03d" % (args.name_prefix, i)) for i in range(args.pods)]
    pods = {p.name: p for p in order}
    stop = threading.Event()
    stats = {"max_pending": 0, "connect_rtt": []}
    created = [0]  # pods whose create call returned, in order
    w = threading.Thread(target=watcher, args=(Api(args.api, token, args.ca),
                                               ns, rv, pods, stop),
                         daemon=True)
    w.start()
    time.sleep(0.2)  # the watch is established before the first create
    pids = {k: int(v) for k, v in (x.split("=", 1) for x in args.pid)}
    cpu0 = {k: cpu_seconds(v) for k, v in pids.items()}
    self0 = time.process_time()
    poll = threading.Thread(target=poller,
                            args=(args, order, created, stop, stats))
    poll.start()

    t_start = time.monotonic()
    for i, p in enumerate(order):
        if args.rate > 0:
            delay = t_start + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": p.name, "labels": {"app": "p8-client"}},
                "spec": {"containers": [{"name": "c", "image": "none"}]}}
        p.t_request = time.monotonic()
        obj = api.request("POST", "/api/v1/namespaces/%s/pods" % ns, body)
        p.t_created = time.monotonic()
        p.uid = obj["metadata"]["uid"]
        created[0] = i + 1
    t_last_create = time.monotonic()
    poll.join()
    t_end = time.monotonic()
    # The Ready status comes after the connect (kovn-sandboxd writes it
    # once the CNI ADD returned): give the watch a moment.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(p.t_ready is None
                                              for p in order):
        time.sleep(0.05)
    stop.set()
    cpu1 = {k: cpu_seconds(v) for k, v in pids.items()}

    def rel(p, t):
        return None if t is None or p.t_created is None else t - p.t_created

    out = {
        "pods": args.pods, "rate": args.rate,
        "interval_ms": args.interval_ms, "probe_from": args.probe_from,
        "first_create": 0.0,
        "last_create": t_last_create - t_start,
        "end": t_end - t_start,
        "max_pending": stats["max_pending"],
        "loop_periods": sorted(stats.get("loop_periods", [])),
        "connect_rtt": sorted(stats["connect_rtt"]),
        "cpu": {k: (None if cpu0[k] is None or cpu1[k] is None
                    else cpu1[k] - cpu0[k]) for k in pids},
        "probe_cpu": time.process_time() - self0,
        "hwm_kib": {k: vm_kib(v, "VmHWM") for k, v in pids.items()},
        "rss_kib": {k: vm_kib(v, "VmRSS") for k, v in pids.items()},
        "per_pod": [{
            "name": p.name,
            "created_at": None if p.t_created is None
            else p.t_created - t_start,
            "create_call": p.t_created - p.t_request,
            # From the request: the watch event may beat the response.
            "watched_from_request": None if p.t_watched is None
            else p.t_watched - p.t_request,
            "bound": rel(p, p.t_bound),
            "netns": rel(p, p.t_netns),
            "eth0": rel(p, p.t_eth0),
            "connect": rel(p, p.t_connect),
            "ready": rel(p, p.t_ready),
            "attempts": p.attempts,
        } for p in order],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
