#!/usr/bin/env python3
"""Random-order end-to-end sequence for kovn-controller.

    random_order.py SEED NB_DB RESTART_CMD

Applies, with kubectl and in an order drawn from SEED, at least 40 objects:
Namespaces (with labels), Vpcs (with and without namespaces and
defaultSubnet), Subnets (listing or selecting namespaces, overlapping,
invalid, orphaned) and IPPools; then relabels, updates and deletes some,
with random short pauses.  At a random point it runs RESTART_CMD (which
kills kovn-controller with SIGKILL and starts it again).  Then, once the
controller is quiet, it checks:
  - relabelling every namespace changes no annotation;
  - every subnet is VpcNotFound exactly when its Vpc is missing;
  - every Vpc's status.subnets lists exactly the subnets that name it;
  - NB holds exactly the rows a fresh controller would write: one switch
    per usable subnet, one router per Vpc (one blocked from deleting
    too), nothing else of kovn's.
Exits non-zero with a message saying which check failed."""
import json
import random
import subprocess
import sys
import time

seed = int(sys.argv[1])
nb = sys.argv[2]
restart_cmd = sys.argv[3]
rnd = random.Random(seed)
p = "s%d-" % seed  # Every name of this seed starts with it.


def kubectl(*args, stdin=None, check=False):
    r = subprocess.run(["kubectl", *args], input=stdin, text=True,
                       capture_output=True)
    if check and r.returncode:
        sys.exit("kubectl %s: %s" % (" ".join(args), r.stderr))
    return r


def apply(doc):
    r = kubectl("apply", "-f", "-", stdin=json.dumps(doc))
    if r.returncode:
        # Not fatal (the sequence goes on as a user's would), but visible.
        print("refused: %s" % r.stderr.strip())


def get_json(*args):
    return json.loads(kubectl("get", *args, "-o", "json", check=True).stdout)


namespaces = [p + "ns%d" % i for i in range(8)]
vpcs = [p + "vpc%d" % i for i in range(4)]
subnets = [p + "sn%d" % i for i in range(12)]
pools = [p + "pool%d" % i for i in range(2)]
labels = [{"team": "a"}, {"team": "b"}, {"env": "x"}, {}]


def ns_doc(name):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(rnd.choice(labels))}}


def vpc_doc(name):
    spec = {"namespaces": rnd.sample(namespaces, rnd.randint(0, 2))}
    if rnd.random() < 0.6:
        spec["defaultSubnet"] = rnd.choice(subnets)
    return {"apiVersion": "kubeovn.io/v1", "kind": "Vpc",
            "metadata": {"name": name}, "spec": spec}


def subnet_doc(name):
    i = subnets.index(name)
    # Blocks of /24 per seed; one in four overlaps a neighbour's, one in
    # twelve is not a CIDR at all.
    base = "10.%d.%d" % (100 + seed % 100, i if rnd.random() < 0.75 else i - 1)
    cidr = base + ".0/24"
    if rnd.random() < 0.08:
        cidr = base + ".0/33"
    spec = {"vpc": rnd.choice(vpcs + ["", p + "ghost"]), "cidrBlock": cidr,
            "namespaces": rnd.sample(namespaces, rnd.randint(0, 2))}
    if not spec["vpc"]:
        # The default Vpc by omission: kubectl apply turns a field changed
        # to "" into null, which the CRD's string type refuses.
        del spec["vpc"]
    if rnd.random() < 0.3:
        spec["namespaceSelectors"] = [{"matchLabels": rnd.choice(labels[:3])}]
    return {"apiVersion": "kubeovn.io/v1", "kind": "Subnet",
            "metadata": {"name": name,
                         "annotations": {"kovn.io/allow-missing-vpc": "true"}},
            "spec": spec}


def pool_doc(name):
    return {"apiVersion": "kubeovn.io/v1", "kind": "IPPool",
            "metadata": {"name": name},
            "spec": {"subnet": rnd.choice(subnets), "ips": ["10.0.0.9"],
                     "namespaces": rnd.sample(namespaces, 1)}}


# --- The sequence.
ops = [("ns", n) for n in namespaces] + [("vpc", v) for v in vpcs] + \
      [("subnet", s) for s in subnets] + [("pool", q) for q in pools]
ops += [("relabel", rnd.choice(namespaces)) for _ in range(6)]
ops += [("update", rnd.choice(vpcs + subnets)) for _ in range(6)]
ops += [("delete", rnd.choice(vpcs + subnets + namespaces[:2]))
        for _ in range(5)]
rnd.shuffle(ops)
restart_at = rnd.randrange(len(ops))
make = {"ns": ns_doc, "vpc": vpc_doc, "subnet": subnet_doc, "pool": pool_doc}
for step, (op, name) in enumerate(ops):
    if step == restart_at:
        subprocess.run(restart_cmd, shell=True, check=True)
    if op in make:
        apply(make[op](name))
    elif op == "relabel":
        apply(ns_doc(name))
    elif op == "update":
        apply((vpc_doc if name in vpcs else subnet_doc)(name))
    else:
        kind = ("vpc" if name in vpcs else
                "subnet" if name in subnets else "namespace")
        kubectl("delete", kind, name, "--wait=false")
    time.sleep(rnd.choice([0, 0, 0.05, 0.2, 0.5]))
print("seed %d: %d operations, controller restarted before #%d"
      % (seed, len(ops), restart_at))


# --- Checks, retried until the controller has caught up (30 s at most).
def nb_names(table):
    out = subprocess.run(
        ["ovn-nbctl", "--db=" + nb, "--bare", "--columns=name", "find", table,
         "external_ids:vendor=kovn"], capture_output=True, text=True,
        check=True).stdout
    return sorted(n for n in out.split() if n)


def condition(obj, kind):
    for c in obj.get("status", {}).get("conditions", []):
        if c["type"] == kind:
            return c
    return None


def problems():
    out = []
    vpc_objs = {v["metadata"]["name"]: v for v in get_json("vpcs")["items"]}
    sn_objs = {s["metadata"]["name"]: s
               for s in get_json("subnets")["items"]}
    for name, s in sn_objs.items():
        if s["metadata"].get("deletionTimestamp"):
            out.append("subnet %s still deleting" % name)
            continue
        vpc = s["spec"].get("vpc") or "ovn-cluster"
        ready = condition(s, "Ready")
        orphan = vpc not in vpc_objs
        if ready is None:
            out.append("subnet %s has no Ready condition" % name)
        elif (ready["reason"] == "VpcNotFound") != orphan:
            out.append("subnet %s: Ready reason %s, vpc %s %s" %
                       (name, ready["reason"], vpc,
                        "missing" if orphan else "exists"))
    for name, v in vpc_objs.items():
        want = sorted(n for n, s in sn_objs.items()
                      if (s["spec"].get("vpc") or "ovn-cluster") == name)
        got = sorted(v.get("status", {}).get("subnets", []))
        if got != want:
            out.append("vpc %s: status.subnets %s, want %s" %
                       (name, got, want))
    ready = sorted(n for n, s in sn_objs.items()
                   if (condition(s, "Ready") or {}).get("status") == "True")
    if nb_names("Logical_Switch") != ready:
        out.append("NB switches %s, want the Ready subnets %s" %
                   (nb_names("Logical_Switch"), ready))
    # A Vpc blocked from deleting keeps its router while subnets use it.
    routers = sorted(vpc_objs)
    for name, v in vpc_objs.items():
        if v["metadata"].get("deletionTimestamp") and \
                not v.get("status", {}).get("subnets"):
            out.append("vpc %s: still deleting with no subnet left" % name)
    if nb_names("Logical_Router") != routers:
        out.append("NB routers %s, want %s" %
                   (nb_names("Logical_Router"), routers))
    return out


def annotations():
    return {n["metadata"]["name"]:
            {k: v for k, v in n["metadata"].get("annotations", {}).items()
             if k.startswith("ovn.kubernetes.io/")}
            for n in get_json("namespaces")["items"]
            if not n["metadata"].get("deletionTimestamp")}


deadline = time.time() + 30
while True:
    found = problems()
    if not found:
        break
    if time.time() > deadline:
        sys.exit("seed %d: not converged:\n  %s" % (seed, "\n  ".join(found)))
    time.sleep(0.5)
# Quiet: annotations stay as they are for a second.
before = annotations()
time.sleep(1)
if annotations() != before:
    sys.exit("seed %d: annotations still changing" % seed)
# Touching every namespace recomputes it from scratch: nothing may change.
for name in before:
    kubectl("label", "ns", name, "kovn-test/touched=%d" % seed, "--overwrite")
time.sleep(2)
after = annotations()
for name in before:
    if after.get(name) != before[name]:
        sys.exit("seed %d: namespace %s was stale: %s, recomputed %s" %
                 (seed, name, before[name], after.get(name)))
for name in before:
    if not before[name].get("ovn.kubernetes.io/logical_switch"):
        print("seed %d: namespace %s has no subnet (as computed)" %
              (seed, name))
print("seed %d: converged; %d namespaces unchanged when relabelled"
      % (seed, len(before)))
