#!/usr/bin/env python3
"""The churn, the kills and the judgement of `make chaos` (run by chaos.sh,
which starts every process and passes their places in CHAOS_* variables).

1. A small population (namespaces, a Vpc, subnets, pods) is made and
   allowed to settle; the leading controller's VmRSS is the baseline.
2. For CHAOS_SECONDS, one thread churns: creates, updates and deletes of
   pods, namespaces, subnets and Vpcs drawn from small pools of names (so a
   name comes back while its last owner may still be going away), through
   the API server's REST interface.  Another thread kills with SIGKILL, at
   random times, one of: kovn-controller replica 1 or 2 (or both), kovn-
   daemon, kube-apiserver, etcd, the OVN NB Raft leader, ovn-northd; and
   starts it again the way it was started.
3. When both stop, the invariants are polled until they all hold (the
   time from the last kill is printed) or CHAOS_CONVERGE_SECONDS pass:
   - every pod is bound, Running, annotated allocated with an address and
     a MAC, reports that address as its podIP, has its IP object and its
     Logical_Switch_Port with the same address and MAC, and its OVS port
     with ovn-installed; no pod is stuck terminating;
   - no IP or MAC is held twice (pods and IP objects);
   - no IP object, Logical_Switch_Port or OVS port without its pod;
   - `kubectl kovn check` finds no namespace annotated otherwise than a
     fresh controller would, no stale OVN row and no orphan;
   - no Vpc or Subnet stuck deleting: a deleting Subnet must still be used
     by a pod, a deleting Vpc still referenced by a Subnet;
   - the leader's address book (kovn_allocations) holds as many holders as
     there are pods and nodes with addresses;
   - the leading controller's VmRSS is within 10% of the baseline;
   - no process exited unasked, no ASan or UBSan report in kovn's logs.
   Before the churn, a self-test makes one fault per invariant (with the
   controllers and kovn-daemon stopped) and each must be caught.
   A failure names the object; the exit status is 1.

Random but reproducible: CHAOS_SEED (printed at start) seeds both
threads' generators; the interleaving with the processes is not.
"""
import collections
import json
import os
import random
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

D = os.environ["CHAOS_DIR"]
ROOT = os.environ["CHAOS_ROOT"]
NODE = os.environ["CHAOS_NODE"]
NB = os.environ["CHAOS_NB"]
OVS_DB = os.environ["CHAOS_OVS_DB"]
KOVN_CLI = os.environ["CHAOS_KUBECTL_KOVN"]
SECONDS = float(os.environ.get("CHAOS_SECONDS", "600"))
CONVERGE_SECONDS = float(os.environ.get("CHAOS_CONVERGE_SECONDS", "240"))
SEED = int(os.environ.get("CHAOS_SEED") or int(time.time() * 1000) % 1000000)
KILL_GAP = [float(v) for v in os.environ.get("CHAOS_KILL_GAP", "3,10").split(",")]
OP_GAP = [float(v) for v in os.environ.get("CHAOS_OP_GAP", "0.1,0.5").split(",")]
RSS_LIMIT = float(os.environ.get("CHAOS_RSS_LIMIT", "0.10"))
K8S = os.path.join(ROOT, "scripts", "k8s.sh")
OVN = os.path.join(ROOT, "scripts", "ovn.sh")
OVN_DIR = os.path.join(D, "ovn")

# Pools: names come back, so a new object may meet its predecessor's
# leftovers.  Subnet i always has 172.20.i.0/24 (no overlaps, no CIDR
# changes: Kube-OVN refuses those).
NAMESPACES = ["chaos-%d" % i for i in range(5)]
PODS_PER_NS = 6
SUBNETS = ["chaos-sn-%d" % i for i in range(6)]
VPCS = ["chaos-vpc-%d" % i for i in range(3)]
TIERS = ["a", "b", "c"]
MAX_PODS = 40

T0 = time.monotonic()


def now():
    return time.monotonic() - T0


def log(msg):
    print("[%6.1fs] %s" % (now(), msg), flush=True)


# ---------------------------------------------------------------- the API


class Kube:
    """Just enough of a REST client; every error is a status, never an
    exception: the API server is one of the victims."""

    def __init__(self):
        self.url = open(os.path.join(D, "apiserver.url")).read().strip()
        self.token = None
        for line in open(os.path.join(D, "pki", "tokens.csv")):
            f = line.strip().split(",")
            if len(f) > 1 and f[1] == "kovn-admin":
                self.token = f[0]
        self.ctx = ssl.create_default_context(cafile=os.path.join(D, "pki", "ca.crt"))

    def req(self, method, path, body=None, ctype="application/json", timeout=10):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.url + path, data=data, method=method)
        r.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            r.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(r, context=self.ctx, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"null")
            except ValueError:
                return e.code, None
        except (OSError, ValueError):
            return 0, None

    def items(self, path):
        code, obj = self.req("GET", path, timeout=30)
        if code != 200:
            raise RuntimeError("GET %s: %s" % (path, code))
        return obj["items"]

    def merge(self, path, patch):
        return self.req("PATCH", path, patch, "application/merge-patch+json")[0]


KUBE = Kube()
CRD = "/apis/kubeovn.io/v1"


# ---------------------------------------------------------------- processes


def pid_of(pidfile):
    try:
        return int(open(pidfile).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def running(pid):
    """Exists and is not a zombie (our victims' parents reap them late)."""
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("State:"):
                return line.split()[1] != "Z"
    except OSError:
        pass
    return False


def rss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def kill9(pid):
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while running(pid):
        time.sleep(0.02)


def relaunch(name, out=None):
    """Starts D/NAME.cmd again as chaos.sh's launch() (or kovn_node.sh's
    start_daemon) did: pid in D/NAME.pid, output appended to OUT (default
    D/NAME.log)."""
    cmd = open(os.path.join(D, name + ".cmd")).read()
    out = out or os.path.join(D, name + ".log")
    subprocess.run(["bash", "-c", '(nohup %s >>%s 2>&1 </dev/null & echo $! >%s)'
                    % (cmd, out, os.path.join(D, name + ".pid"))], check=True)


def run(*args, timeout=60):
    return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def controller_port(r):
    return int(open(os.path.join(D, "controller-%d.port" % r)).read())


def controller_ready(r):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % controller_port(r),
                                    timeout=2) as resp:
            return resp.status == 200
    except (OSError, ValueError):
        return False


def leader():
    """The replica whose /readyz says it leads, with caches synced."""
    for r in (1, 2):
        if controller_ready(r):
            return r
    return None


def nb_leader():
    for i in (1, 2, 3):
        out = run("ovs-appctl", "-t", os.path.join(OVN_DIR, "ovnnb_db%d.ctl" % i),
                  "cluster/status", "OVN_Northbound", timeout=10).stdout
        if "Role: leader" in out:
            return i
    return None


class Victims:
    """Kill one process with SIGKILL and start it again the way it was
    started.  Each kill() returns once the process runs again (for the
    API server, etcd and an NB member: once it answers)."""

    def __init__(self, rng):
        self.rng = rng
        self.kills = collections.Counter()
        self.last_kill = None
        self.last_back = None
        self.unexpected = []

    def _controller(self, rs):
        for r in rs:
            pid = pid_of(os.path.join(D, "controller-%d.pid" % r))
            if pid and running(pid):
                kill9(pid)
                self.kills["kovn-controller-%d" % r] += 1
        self._down()
        for r in rs:
            relaunch("controller-%d" % r)
        return "kovn-controller %s (leader was %s)" % ("+".join(map(str, rs)), self._lead)

    def _down(self):
        self.last_kill = now()
        time.sleep(self.rng.uniform(0, 2.5))

    def kill(self, what):
        self._lead = leader()
        if what == "controller-leader":
            r = self._lead or self.rng.choice((1, 2))
            desc = self._controller([r])
        elif what == "controller-standby":
            desc = self._controller([3 - (self._lead or self.rng.choice((1, 2)))])
        elif what == "controller-both":
            desc = self._controller([1, 2])
        elif what == "kovn-daemon":
            pid = pid_of(os.path.join(D, "daemon.pid"))
            kill9(pid)
            self.kills["kovn-daemon"] += 1
            self._down()
            relaunch("daemon", os.path.join(D, "daemon.out"))
            desc = "kovn-daemon"
        elif what in ("kube-apiserver", "etcd"):
            run(K8S, "kill", D, what, "KILL")
            self.kills[what] += 1
            self._down()
            p = run(K8S, "restart", D, what, timeout=120)
            if p.returncode:
                raise RuntimeError("restart %s: %s" % (what, p.stderr))
            desc = what
        elif what == "nb-leader":
            i = nb_leader()
            if i is None:
                return "no NB leader to kill"
            run(OVN, "kill-member", OVN_DIR, "nb", str(i))
            self.kills["ovn-nb-leader"] += 1
            self._down()
            p = run(OVN, "start-member", OVN_DIR, "nb", str(i), timeout=120)
            if p.returncode:
                raise RuntimeError("start NB member %d: %s" % (i, p.stderr))
            desc = "NB Raft leader (member %d)" % i
        elif what == "ovn-northd":
            kill9(pid_of(os.path.join(OVN_DIR, "ovn-northd.pid")))
            self.kills["ovn-northd"] += 1
            self._down()
            p = run(OVN, "start-northd", OVN_DIR)
            if p.returncode:
                raise RuntimeError("start ovn-northd: %s" % p.stderr)
            desc = "ovn-northd"
        self.last_back = now()
        return desc

    def revive(self):
        """Processes that died without being killed here are started again
        and reported (a crash, or an exit on an outage)."""
        checks = [("kovn-controller-1", os.path.join(D, "controller-1.pid"),
                   lambda: relaunch("controller-1")),
                  ("kovn-controller-2", os.path.join(D, "controller-2.pid"),
                   lambda: relaunch("controller-2")),
                  ("kovn-daemon", os.path.join(D, "daemon.pid"),
                   lambda: relaunch("daemon", os.path.join(D, "daemon.out"))),
                  ("kovn-sandboxd", os.path.join(D, "sandboxd.pid"), None),
                  ("ovn-northd", os.path.join(OVN_DIR, "ovn-northd.pid"),
                   lambda: run(OVN, "start-northd", OVN_DIR))]
        for name in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
            checks.append((name, os.path.join(D, name + ".pid"),
                           lambda n=name: run(K8S, "restart", D, n, timeout=120)))
        for kind in ("nb", "sb"):
            for i in (1, 2, 3):
                checks.append(("ovn%s_db%d" % (kind, i),
                               os.path.join(OVN_DIR, "ovn%s_db%d.pid" % (kind, i)),
                               lambda k=kind, i=i: run(OVN, "start-member", OVN_DIR, k, str(i),
                                                       timeout=120)))
        for name, pidfile, restart in checks:
            pid = pid_of(pidfile)
            if pid and running(pid):
                continue
            self.unexpected.append("%s (pid %s) exited at %.1fs" % (name, pid, now()))
            log("UNEXPECTED: %s exited; log: %s" % (name, pidfile[:-4] + ".log"))
            if restart is None:
                raise RuntimeError("%s exited and cannot be restarted here" % name)
            restart()


# Rounds: each kills every kind of process once, in a random order, so
# that even a short run hits each; which controller replica (the leader,
# the standby or both) is drawn anew each round.
VICTIMS = ["controller", "kovn-daemon", "kube-apiserver", "etcd", "nb-leader", "ovn-northd"]


def killer(victims, rng, stop):
    order = []
    while not stop.wait(rng.uniform(*KILL_GAP)):
        if not order:
            order = rng.sample(VICTIMS, len(VICTIMS))
        what = order.pop()
        if what == "controller":
            what = rng.choices(["controller-leader", "controller-standby", "controller-both"],
                               [4, 2, 1])[0]
        try:
            desc = victims.kill(what)
            log("killed -9 and restarted %s" % desc)
        except Exception as e:  # reported; the churn goes on
            log("KILL %s failed: %s" % (what, e))
            victims.unexpected.append("kill/restart of %s failed: %s" % (what, e))


# ---------------------------------------------------------------- the churn


def pod_body(ns, name):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": "chaos"}},
            "spec": {"containers": [{"name": "c", "image": "none"}],
                     "terminationGracePeriodSeconds": 1}}


def subnet_body(name, vpc, namespaces, tier):
    i = SUBNETS.index(name)
    spec = {"vpc": vpc, "protocol": "IPv4", "cidrBlock": "172.20.%d.0/24" % i,
            "gateway": "172.20.%d.1" % i, "excludeIps": ["172.20.%d.1" % i],
            "namespaces": namespaces}
    if tier:
        spec["namespaceSelectors"] = [{"matchLabels": {"chaos-tier": tier}}]
    return {"apiVersion": "kubeovn.io/v1", "kind": "Subnet",
            "metadata": {"name": name}, "spec": spec}


class Churn:
    def __init__(self, rng):
        self.rng = rng
        self.ops = collections.Counter()
        self.failed = collections.Counter()

    def state(self):
        """What exists now, as the API says (None when it does not answer)."""
        try:
            ns = {n["metadata"]["name"]: n for n in KUBE.items("/api/v1/namespaces")
                  if n["metadata"]["name"].startswith("chaos-")}
            pods = [p for p in KUBE.items("/api/v1/pods")
                    if p["metadata"]["namespace"].startswith("chaos-")
                    or p["metadata"]["namespace"] == "default"]
            subnets = {s["metadata"]["name"]: s for s in KUBE.items(CRD + "/subnets")}
            vpcs = {v["metadata"]["name"]: v for v in KUBE.items(CRD + "/vpcs")}
        except RuntimeError:
            return None
        return ns, pods, subnets, vpcs

    def do(self, kind, verb, code):
        key = "%s %s" % (verb, kind)
        if 200 <= code < 300:
            self.ops[key] += 1
        else:
            self.failed[key] += 1

    def step(self):
        st = self.state()
        if st is None:
            self.failed["list"] += 1
            return
        ns, pods, subnets, vpcs = st
        live_ns = [n for n, o in ns.items() if "deletionTimestamp" not in o["metadata"]]
        live_pods = [p for p in pods if "deletionTimestamp" not in p["metadata"]]
        live_sn = [s for s, o in subnets.items()
                   if s in SUBNETS and "deletionTimestamp" not in o["metadata"]]
        live_vpc = [v for v, o in vpcs.items()
                    if v in VPCS and "deletionTimestamp" not in o["metadata"]]
        r = self.rng
        # Pods stay near the start's number (16), so that the controller's
        # memory at the end compares with the start's.
        n = len(live_pods)
        ops = [("pod+", 10 if n < 16 else 5 if n < 24 else 2 if n < MAX_PODS else 0),
               ("pod-", 5 if n > 16 else 2),
               ("pod~", 2),
               ("ns+", 2), ("ns-", 1 if len(live_ns) > 3 else 0), ("ns~", 2),
               ("sn+", 2), ("sn~", 2), ("sn-", 1),
               ("vpc+", 1), ("vpc~", 1), ("vpc-", 0.5)]
        op = r.choices([o for o, _ in ops], [w for _, w in ops])[0]
        if op == "pod+":
            where = r.choice(live_ns + ["default"])
            name = "p%d" % r.randrange(PODS_PER_NS)
            code, _ = KUBE.req("POST", "/api/v1/namespaces/%s/pods" % where,
                               pod_body(where, name))
            self.do("pod", "create", code if code != 409 else 200)
        elif op == "pod-" and live_pods:
            p = r.choice(live_pods)["metadata"]
            code, _ = KUBE.req("DELETE", "/api/v1/namespaces/%s/pods/%s"
                               % (p["namespace"], p["name"]))
            self.do("pod", "delete", code)
        elif op == "pod~" and live_pods:
            p = r.choice(live_pods)["metadata"]
            code = KUBE.merge("/api/v1/namespaces/%s/pods/%s" % (p["namespace"], p["name"]),
                              {"metadata": {"labels": {"chaos-tier": r.choice(TIERS)}}})
            self.do("pod", "relabel", code)
        elif op == "ns+":
            name = r.choice(NAMESPACES)
            if name in ns:
                return
            code, _ = KUBE.req("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {"chaos-tier": r.choice(TIERS)}}})
            self.do("namespace", "create", code)
        elif op == "ns-" and live_ns:
            code, _ = KUBE.req("DELETE", "/api/v1/namespaces/" + r.choice(live_ns))
            self.do("namespace", "delete", code)
        elif op == "ns~" and live_ns:
            code = KUBE.merge("/api/v1/namespaces/" + r.choice(live_ns),
                              {"metadata": {"labels": {"chaos-tier": r.choice(TIERS)}}})
            self.do("namespace", "relabel", code)
        elif op == "sn+":
            name = r.choice(SUBNETS)
            if name in subnets:
                return
            vpc = r.choice(["ovn-cluster"] * 2 + live_vpc)
            nss = r.sample(NAMESPACES, r.randint(0, 2))
            tier = r.choice(TIERS + [None, None])
            code, _ = KUBE.req("POST", CRD + "/subnets", subnet_body(name, vpc, nss, tier))
            self.do("subnet", "create", code)
        elif op == "sn~" and live_sn:
            name = r.choice(live_sn)
            i = SUBNETS.index(name)
            patch = r.choice([
                {"spec": {"namespaces": r.sample(NAMESPACES, r.randint(0, 2))}},
                {"spec": {"excludeIps": ["172.20.%d.1" % i,
                                         "172.20.%d.%d..172.20.%d.%d"
                                         % (i, 2 + r.randrange(4), i, 10 + r.randrange(10))]}},
                {"spec": {"namespaceSelectors": [{"matchLabels": {"chaos-tier": r.choice(TIERS)}}]}},
                {"spec": {"namespaceSelectors": None}}])
            self.do("subnet", "update", KUBE.merge(CRD + "/subnets/" + name, patch))
        elif op == "sn-" and live_sn:
            code, _ = KUBE.req("DELETE", CRD + "/subnets/" + r.choice(live_sn))
            self.do("subnet", "delete", code)
        elif op == "vpc+":
            name = r.choice(VPCS)
            if name in vpcs:
                return
            code, _ = KUBE.req("POST", CRD + "/vpcs", {
                "apiVersion": "kubeovn.io/v1", "kind": "Vpc", "metadata": {"name": name},
                "spec": {"namespaces": r.sample(NAMESPACES, r.randint(0, 1))}})
            self.do("vpc", "create", code)
        elif op == "vpc~" and live_vpc:
            name = r.choice(live_vpc)
            mine = [s for s in live_sn if subnets[s]["spec"].get("vpc") == name]
            spec = {"namespaces": r.sample(NAMESPACES, r.randint(0, 1))}
            if mine and r.random() < 0.5:
                spec["defaultSubnet"] = r.choice(mine)
            self.do("vpc", "update", KUBE.merge(CRD + "/vpcs/" + name, {"spec": spec}))
        elif op == "vpc-" and live_vpc:
            name = r.choice(live_vpc)
            # Mostly with its subnets, as a user tearing a tenant down would;
            # else the Vpc waits for them (a legitimate block).
            if r.random() < 0.7:
                for s in live_sn:
                    if subnets[s]["spec"].get("vpc") == name:
                        KUBE.req("DELETE", CRD + "/subnets/" + s)
            code, _ = KUBE.req("DELETE", CRD + "/vpcs/" + name)
            self.do("vpc", "delete", code)

    def populate(self):
        """The start: three namespaces, a Vpc, two subnets, a few pods."""
        for name, tier in zip(NAMESPACES[:3], TIERS):
            KUBE.req("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {"chaos-tier": tier}}})
        KUBE.req("POST", CRD + "/vpcs", {"apiVersion": "kubeovn.io/v1", "kind": "Vpc",
                                         "metadata": {"name": VPCS[0]},
                                         "spec": {"namespaces": [NAMESPACES[2]]}})
        KUBE.req("POST", CRD + "/subnets", subnet_body(SUBNETS[0], "ovn-cluster",
                                                       [NAMESPACES[0]], None))
        KUBE.req("POST", CRD + "/subnets", subnet_body(SUBNETS[1], VPCS[0],
                                                       [NAMESPACES[2]], None))
        wait_sa(NAMESPACES[:3])
        for ns in NAMESPACES[:3] + ["default"]:
            for i in range(4):
                KUBE.req("POST", "/api/v1/namespaces/%s/pods" % ns, pod_body(ns, "p%d" % i))


def wait_sa(namespaces):
    deadline = time.monotonic() + 30
    for ns in namespaces:
        while time.monotonic() < deadline:
            if KUBE.req("GET", "/api/v1/namespaces/%s/serviceaccounts/default" % ns)[0] == 200:
                break
            time.sleep(0.2)


# ---------------------------------------------------------------- the invariants


def nb_rows(table, columns):
    p = run("ovn-nbctl", "--db=" + NB, "--timeout=20", "-f", "json",
            "--columns=" + ",".join(columns), "list", table, timeout=30)
    if p.returncode:
        raise RuntimeError("ovn-nbctl list %s: %s" % (table, p.stderr.strip()))
    return ovsdb_json(p.stdout)


def ovsdb_json(text):
    doc = json.loads(text)
    rows = []
    for data in doc["data"]:
        row = {}
        for col, val in zip(doc["headings"], data):
            if isinstance(val, list) and val and val[0] == "map":
                val = dict(val[1])
            elif isinstance(val, list) and val and val[0] == "set":
                val = val[1]
            row[col] = val
        rows.append(row)
    return rows


BOOK = "the leader's address book holds the live pods and nodes (kovn_allocations)"


def leader_metric(name):
    """A metric of the leading replica, or None without one."""
    r = leader()
    if r is None:
        return None
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % controller_port(r),
                                    timeout=5) as resp:
            for line in resp.read().decode().splitlines():
                f = line.split()
                if len(f) == 2 and f[0] == name:
                    return float(f[1])
    except (OSError, ValueError):
        pass
    return None


def check():
    """{invariant: [problems]}; raises RuntimeError when it cannot tell."""
    res = collections.OrderedDict()
    for k in ("pods have their addresses", "no duplicate IP or MAC",
              "no IP object, LSP or OVS port without its pod",
              "namespaces annotated as a fresh controller would (kubectl kovn check)",
              "no Vpc or Subnet stuck deleting", BOOK):
        res[k] = []
    pods = KUBE.items("/api/v1/pods")
    ips = KUBE.items(CRD + "/ips")
    subnets = {s["metadata"]["name"]: s for s in KUBE.items(CRD + "/subnets")}
    vpcs = {v["metadata"]["name"]: v for v in KUBE.items(CRD + "/vpcs")}
    lsps = {r["name"]: r for r in nb_rows("Logical_Switch_Port",
                                          ["name", "addresses", "type", "external_ids"])}
    p = run("ovs-vsctl", "--db=" + OVS_DB, "--timeout=20", "-f", "json",
            "--columns=name,external_ids", "list", "Interface")
    if p.returncode:
        raise RuntimeError("ovs-vsctl: " + p.stderr.strip())
    ifaces = ovsdb_json(p.stdout)

    pod_keys = set()
    counts = collections.Counter(pods=0, **{"IP objects": len(ips)})
    ip_objs = {o["metadata"]["name"]: o for o in ips}
    by_iface = {}
    for i in ifaces:
        iid = i["external_ids"].get("iface-id") if isinstance(i["external_ids"], dict) else None
        if iid:
            by_iface.setdefault(iid, []).append(i)
    a = res["pods have their addresses"]
    holders_ip = collections.defaultdict(list)
    holders_mac = collections.defaultdict(list)
    for pod in pods:
        m = pod["metadata"]
        if pod["spec"].get("hostNetwork"):
            continue
        key = "%s/%s" % (m["namespace"], m["name"])
        counts["pods"] += 1
        lsp = "%s.%s" % (m["name"], m["namespace"])
        pod_keys.add(lsp)
        ann = m.get("annotations") or {}
        if "deletionTimestamp" in m:
            a.append("pod %s stuck terminating since %s" % (key, m["deletionTimestamp"]))
            continue
        if not pod["spec"].get("nodeName"):
            a.append("pod %s not scheduled" % key)
            continue
        ip, mac = ann.get("ovn.kubernetes.io/ip_address"), ann.get("ovn.kubernetes.io/mac_address")
        if ann.get("ovn.kubernetes.io/allocated") != "true" or not ip or not mac:
            a.append("pod %s has no address (allocated=%s ip=%s mac=%s)"
                     % (key, ann.get("ovn.kubernetes.io/allocated"), ip, mac))
            continue
        holders_ip[ip].append("pod " + key)
        holders_mac[mac.lower()].append("pod " + key)
        st = pod.get("status") or {}
        if st.get("phase") != "Running" or st.get("podIP") != ip:
            a.append("pod %s: phase %s podIP %s, annotation %s"
                     % (key, st.get("phase"), st.get("podIP"), ip))
        o = ip_objs.get(lsp)
        if o is None:
            a.append("pod %s (%s) has no IP object %s" % (key, ip, lsp))
        elif o["spec"].get("ipAddress") != ip or (o["spec"].get("macAddress") or "").lower() != mac.lower():
            a.append("pod %s: IP object %s says %s %s, pod %s %s"
                     % (key, lsp, o["spec"].get("ipAddress"), o["spec"].get("macAddress"), ip, mac))
        row = lsps.get(lsp)
        want = "%s %s" % (mac, ip)
        if row is None:
            a.append("pod %s (%s) has no Logical_Switch_Port %s" % (key, ip, lsp))
        else:
            addrs = row["addresses"] if isinstance(row["addresses"], list) else [row["addresses"]]
            if want not in addrs:
                a.append("pod %s: LSP %s addresses %s, want %r" % (key, lsp, addrs, want))
        ports = by_iface.get(lsp, [])
        if len(ports) != 1:
            a.append("pod %s: %d OVS ports with iface-id %s" % (key, len(ports), lsp))
        elif ports[0]["external_ids"].get("ovn-installed") != "true":
            a.append("pod %s: OVS port %s not ovn-installed" % (key, ports[0]["name"]))

    d = res["no duplicate IP or MAC"]
    for o in ips:
        s = o["spec"]
        if s.get("podType") == "node" or o["metadata"]["name"].startswith("node-"):
            continue
        for v in (s.get("ipAddress") or "").split(","):
            if v:
                holders_ip[v].append("IP " + o["metadata"]["name"])
        if s.get("macAddress"):
            holders_mac[s["macAddress"].lower()].append("IP " + o["metadata"]["name"])
    for what, holders in (("IP", holders_ip), ("MAC", holders_mac)):
        for v, hs in sorted(holders.items()):
            # A pod and its own IP object share it; anything else is twice.
            keys = set()
            for h in hs:
                if h.startswith("pod "):
                    ns, name = h[4:].split("/", 1)
                    keys.add("%s.%s" % (name, ns))
                else:
                    keys.add(h[3:])
            if len(keys) > 1:
                d.append("%s %s held by %s" % (what, v, ", ".join(sorted(hs))))

    o = res["no IP object, LSP or OVS port without its pod"]
    for name, obj in sorted(ip_objs.items()):
        s = obj["spec"]
        if s.get("podType") == "node" or name.startswith("node-"):
            continue
        if name not in pod_keys:
            o.append("IP %s (%s) has no pod %s/%s" % (name, s.get("ipAddress"),
                                                      s.get("namespace"), s.get("podName")))
    for name, row in sorted(lsps.items()):
        ext = row["external_ids"] if isinstance(row["external_ids"], dict) else {}
        if row["type"] or ext.get("vendor") != "kovn" or "kovn-pod" not in ext:
            continue
        counts["pod LSPs"] += 1
        if name not in pod_keys:
            o.append("LSP %s (%s) has no pod" % (name, row["addresses"]))
    for iid, ports in sorted(by_iface.items()):
        if iid.startswith("node-"):
            continue
        counts["pod OVS ports"] += 1
        if iid not in pod_keys:
            o.append("OVS port %s (iface-id %s) has no pod"
                     % (",".join(p["name"] for p in ports), iid))

    p = run(KOVN_CLI, "check", "-o", "json", "--ovn-nb", NB,
            "--kubeconfig", os.path.join(D, "kubeconfig"), timeout=60)
    if p.returncode not in (0, 1):
        raise RuntimeError("kubectl kovn check: exit %d: %s" % (p.returncode, p.stderr.strip()))
    n = res["namespaces annotated as a fresh controller would (kubectl kovn check)"]
    for f in json.loads(p.stdout)["findings"]:
        if (f["kind"], f["problem"].startswith("deleting")) in (("Vpc", True), ("Subnet", True)):
            continue  # judged below, knowing what may block them
        n.append("%s %s: %s" % (f["kind"], f["name"], f["problem"]))

    s = res["no Vpc or Subnet stuck deleting"]
    in_use = collections.Counter()
    for pod in pods:
        ann = pod["metadata"].get("annotations") or {}
        if ann.get("ovn.kubernetes.io/logical_switch"):
            in_use[ann["ovn.kubernetes.io/logical_switch"]] += 1
    for name, sn in sorted(subnets.items()):
        if "deletionTimestamp" in sn["metadata"] and not in_use[name]:
            s.append("Subnet %s deleting since %s, no pod uses it (finalizers %s)"
                     % (name, sn["metadata"]["deletionTimestamp"], sn["metadata"].get("finalizers")))
    for name, vpc in sorted(vpcs.items()):
        users = [x for x, sn in subnets.items() if sn["spec"].get("vpc") == name]
        if "deletionTimestamp" in vpc["metadata"] and not users:
            s.append("Vpc %s deleting since %s, no subnet references it (finalizers %s)"
                     % (name, vpc["metadata"]["deletionTimestamp"], vpc["metadata"].get("finalizers")))
    # An address book that misses a holder (a restore that refused it, a
    # book gone stale) would hand its address out again.
    holders = counts["pods"] + sum(
        1 for n in KUBE.items("/api/v1/nodes")
        if (n["metadata"].get("annotations") or {}).get("ovn.kubernetes.io/allocated") == "true")
    book = leader_metric("kovn_allocations")
    if book is None:
        res[BOOK].append("no leading controller answers /metrics")
    elif int(book) != holders:
        res[BOOK].append("kovn_allocations is %d, %d pods and nodes hold addresses"
                         % (book, holders))
    counts["namespaces"] = len(KUBE.items("/api/v1/namespaces"))
    counts["subnets"], counts["vpcs"] = len(subnets), len(vpcs)
    return res, counts


def selftest():
    """Shows that check() catches each kind of fault before it is trusted:
    with the controllers and kovn-daemon stopped (SIGSTOP), so that none
    repairs a fault before it is seen, one fault per invariant is made,
    check() must name each, and the faults are removed again.  Returns
    the invariants that missed theirs."""
    stopped = [pid_of(os.path.join(D, f)) for f in ("controller-1.pid", "controller-2.pid",
                                                    "daemon.pid")]
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    ns = NAMESPACES[0]
    pod = next(p for p in KUBE.items("/api/v1/namespaces/%s/pods" % ns)
               if (p["metadata"].get("annotations") or {}).get("ovn.kubernetes.io/ip_address"))
    ann = pod["metadata"]["annotations"]
    ls = ann["ovn.kubernetes.io/logical_switch"]
    undo = []
    try:
        # An IP object without a pod, holding another pod's address.
        KUBE.req("POST", CRD + "/ips", {
            "apiVersion": "kubeovn.io/v1", "kind": "IP", "metadata": {"name": "ghost.%s" % ns},
            "spec": {"podName": "ghost", "namespace": ns, "subnet": ls, "podType": "pod",
                     "ipAddress": ann["ovn.kubernetes.io/ip_address"],
                     "v4IpAddress": ann["ovn.kubernetes.io/ip_address"],
                     "macAddress": ann["ovn.kubernetes.io/mac_address"]}})
        undo.append(lambda: KUBE.req("DELETE", CRD + "/ips/ghost.%s" % ns))
        # A pod without an address (bound to a node nobody runs).
        body = pod_body(ns, "noaddr")
        body["spec"]["nodeName"] = "nowhere"
        KUBE.req("POST", "/api/v1/namespaces/%s/pods" % ns, body)
        undo.append(lambda: KUBE.req("DELETE", "/api/v1/namespaces/%s/pods/noaddr" % ns,
                                     {"gracePeriodSeconds": 0}))
        # A kovn LSP and an OVS port without their pods.
        run("ovn-nbctl", "--db=" + NB, "lsp-add", ls, "ghost2." + ns, "--",
            "set", "logical_switch_port", "ghost2." + ns, "external_ids:vendor=kovn",
            "external_ids:kovn-pod=%s/ghost2" % ns)
        undo.append(lambda: run("ovn-nbctl", "--db=" + NB, "--if-exists", "lsp-del",
                                "ghost2." + ns))
        run("ovs-vsctl", "--db=" + OVS_DB, "add-port", "br-int", "chaosghost", "--", "set",
            "interface", "chaosghost", "type=internal", "external_ids:iface-id=ghost3." + ns)
        undo.append(lambda: run("ovs-vsctl", "--db=" + OVS_DB, "--if-exists", "del-port",
                                "br-int", "chaosghost"))
        # A namespace annotated otherwise than the controller would.
        KUBE.merge("/api/v1/namespaces/" + NAMESPACES[1],
                   {"metadata": {"annotations": {"ovn.kubernetes.io/logical_switch": "ghost"}}})
        # A Subnet stuck deleting (a finalizer of ours holds it).
        body = subnet_body(SUBNETS[-1], "ovn-cluster", [], None)
        body["metadata"]["finalizers"] = ["chaos.kovn.io/hold"]
        KUBE.req("POST", CRD + "/subnets", body)
        KUBE.req("DELETE", CRD + "/subnets/" + SUBNETS[-1])
        undo.append(lambda: KUBE.merge(CRD + "/subnets/" + SUBNETS[-1],
                                       {"metadata": {"finalizers": None}}))
        res, _ = check()
    finally:
        for u in reversed(undo):
            u()
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    wants = {"pods have their addresses": "pod %s/noaddr" % ns,
             "no duplicate IP or MAC": "IP ghost.%s" % ns,
             "no IP object, LSP or OVS port without its pod": "IP ghost.%s" % ns,
             "namespaces annotated as a fresh controller would (kubectl kovn check)":
                 "Namespace " + NAMESPACES[1],
             "no Vpc or Subnet stuck deleting": "Subnet " + SUBNETS[-1]}
    wants[BOOK] = ""  # any finding: the book cannot have the pod of nowhere
    missed = [k for k, w in wants.items() if not any(w in p for p in res[k])]
    for k, w in (("no IP object, LSP or OVS port without its pod", "LSP ghost2."),
                 ("no IP object, LSP or OVS port without its pod", "iface-id ghost3.")):
        if not any(w in p for p in res[k]):
            missed.append("%s (%s)" % (k, w))
    return missed


def converge(victims, deadline):
    """Polls check() until every invariant holds; the last result."""
    last = None
    shown = time.monotonic()
    while True:
        try:
            victims.revive()
            last = check()
            if not any(last[0].values()):
                return True, last
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            last = ({"the checks could run": [str(e)]}, collections.Counter())
        if time.monotonic() > deadline:
            return False, last
        if time.monotonic() - shown > 10:
            # What it waits for, so that a slow convergence shows its cause.
            problems = [p for ps in last[0].values() for p in ps]
            log("converging: %d problems, e.g. %s" % (len(problems), problems[0]))
            shown = time.monotonic()
        time.sleep(2)


def leader_rss(wait=60):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        r = leader()
        if r:
            pid = pid_of(os.path.join(D, "controller-%d.pid" % r))
            return r, pid, rss_kb(pid)
        time.sleep(0.5)
    return None, None, None


def main():
    log("chaos: seed %d (CHAOS_SEED=%d reproduces the choices), %.0f s of churn and kills"
        % (SEED, SEED, SECONDS))
    churn = Churn(random.Random(SEED))
    victims = Victims(random.Random(SEED + 1))
    churn.populate()
    ok, (res, counts) = converge(victims, time.monotonic() + CONVERGE_SECONDS)
    if not ok:
        report(res)
        log("FAIL: the start population did not settle")
        return 1
    missed = selftest()
    if missed:
        log("FAIL: the checks missed a fault made for them: " + "; ".join(missed))
        return 1
    log("self-test: each check caught the fault made for it")
    ok, (res, counts) = converge(victims, time.monotonic() + CONVERGE_SECONDS)
    if not ok:
        report(res)
        log("FAIL: the start population did not settle after the self-test")
        return 1
    time.sleep(3)
    lead0, pid0, rss0 = leader_rss()
    log("start population settled (%s); leader controller-%s pid %s VmRSS %s kB"
        % (show(counts), lead0, pid0, rss0))

    stop = threading.Event()
    kt = threading.Thread(target=killer, args=(victims, random.Random(SEED + 2), stop))
    t_start = time.monotonic()
    kt.start()
    try:
        while time.monotonic() - t_start < SECONDS:
            churn.step()
            time.sleep(churn.rng.uniform(*OP_GAP))
    finally:
        stop.set()
        kt.join()
    log("churn stopped: %d ops done, %d refused or failed (API down, conflicts)"
        % (sum(churn.ops.values()), sum(churn.failed.values())))
    log("ops: " + ", ".join("%s %d" % kv for kv in sorted(churn.ops.items())))

    t_conv0 = time.monotonic()
    ok, (res, counts) = converge(victims, t_conv0 + CONVERGE_SECONDS)
    t_conv = time.monotonic()
    last_kill = victims.last_kill
    print()
    print("kills per process (SIGKILL, then started again):")
    for name in ("kovn-controller-1", "kovn-controller-2", "kovn-daemon", "kube-apiserver",
                 "etcd", "ovn-nb-leader", "ovn-northd"):
        print("  %-20s %d" % (name, victims.kills[name]))
    print("  %-20s %d" % ("total", sum(victims.kills.values())))
    if last_kill is not None:
        print("last kill at %.1fs; converged %s %.1f s after it (%.1f s after the churn stopped)"
              % (last_kill, "" if ok else "NOT", now() - last_kill - (time.monotonic() - t_conv),
                 t_conv - t_conv0))
    print("end state: " + show(counts))
    failed = not ok
    print("invariants:")
    report(res)
    time.sleep(3)
    lead1, pid1, rss1 = leader_rss()
    if rss0 and rss1:
        growth = (rss1 - rss0) / rss0
        verdict = "PASS" if growth <= RSS_LIMIT else "FAIL"
        failed |= verdict == "FAIL"
        print("  %s controller RSS back within %d%% of its start: controller-%s pid %s %d kB at "
              "the start, controller-%s pid %s %d kB now (%+.1f%%)"
              % (verdict, RSS_LIMIT * 100, lead0, pid0, rss0, lead1, pid1, rss1, growth * 100))
    else:
        failed = True
        print("  FAIL controller RSS: no leader to measure")
    sanitizer = sanitizer_reports()
    if sanitizer:
        failed = True
        print("  FAIL sanitizer reports in: " + ", ".join(sanitizer))
    if victims.unexpected:
        failed = True
        print("  FAIL processes exited unasked or could not be restarted:")
        for u in victims.unexpected:
            print("       " + u)
    print("chaos: %s (seed %d)" % ("FAIL" if failed else "PASS", SEED))
    return 1 if failed else 0


def sanitizer_reports():
    """The logs of kovn's processes that hold an ASan or UBSan report."""
    found = []
    for name in ("controller-1.log", "controller-2.log", "daemon.out", "daemon.log",
                 "sandboxd/sandboxd.out"):
        try:
            text = open(os.path.join(D, name), errors="replace").read()
        except OSError:
            continue
        if "ERROR: AddressSanitizer" in text or "runtime error:" in text \
                or "ERROR: LeakSanitizer" in text:
            found.append(os.path.join(D, name))
    return found


def show(counts):
    return ", ".join("%d %s" % (v, k) for k, v in counts.items())


def report(res):
    for name, problems in res.items():
        print("  %s %s" % ("FAIL" if problems else "PASS", name))
        for p in problems[:20]:
            print("       " + p)
        if len(problems) > 20:
            print("       ... and %d more" % (len(problems) - 20))


if __name__ == "__main__":
    sys.exit(main())
