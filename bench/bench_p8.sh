#!/usr/bin/env bash
# Benchmark P8: pod create -> first successful TCP connect from the pod to
# a Service VIP, p50/p99/max over N pods (goal: p99 < 1 s on this
# machine; the Kubernetes SLO is 5 s including the runtime).
# Set-up, every part a real process (tests/lib/kovn_node.sh with
# kovn-sandboxd): etcd, kube-apiserver, kube-controller-manager and
# kube-scheduler; OVN central and one chassis in this network namespace;
# kovn-controller, kovn-daemon, and kovn-sandboxd as the node's kubelet
# (the scheduler binds pods, kovn-sandboxd makes the namespace
# kd<id>-p-<uid> and calls kovn-cni as containerd does, then writes
# Running/Ready).  A Service p8-echo (ClusterIP, TCP 80 -> 8080, selector)
# over two backend pods, each running tests/lib/lb_backend.py in its
# namespace; kube-controller-manager writes its Endpoints from the pods'
# Ready status.  A warm-up pod checks that both backends answer at the VIP.
# Then bench/p8_probe.py creates N client pods at RATE per second (0: all
# at once) and times, per pod from its create call returning: the watch
# event, the scheduler's binding, the namespace existing (the baseline:
# API server + scheduler + the kubelet stand-in, no kovn component), eth0
# up, Ready, and the first TCP connect to VIP:80 (P8), from a new
# non-blocking connect every 10 ms made inside the pod's namespace.  Two
# phases of N pods each (the node takes 110 pods: phase 1's are deleted
# first), differing only in when the probe starts to send:
#  1. as soon as the namespace exists (the issue's method).  A packet sent
#     before OVN has the pod's port (kovn-daemon brings eth0 up, then
#     waits for ovn-installed) leaves the gateway's ARP entry unresolved,
#     and the kernel asks again only after its retransmit time (1 s), so
#     this phase measures mostly that second;
#  2. once the pod is Ready (kovn-sandboxd writes it after the CNI ADD
#     returned; a container starts only then), as a workload would.
# Prints a table: work, time, ops/s, peak RSS, ratio to the baseline; the
# per-pod latencies; CPU and VmHWM of the components; a PASS/over-goal
# line per phase.  Exits 1 only if a pod never connects (60 s) or a p99 is
# absurd (> 10 s).  Needs root.
#   bench_p8.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD [N [RATE]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tests/lib/k8s.sh"
source "$here/../tests/lib/kovn_node.sh"
[[ $# -ge 4 ]] || fail "usage: bench_p8.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI KOVN_SANDBOXD [N [RATE]]"
[[ $(id -u) == 0 ]] || fail "needs root (network namespaces and veths)"
n=${5:-${BENCH_P8_PODS:-100}}
rate=${6:-${BENCH_P8_RATE:-5}}
goal_ms=1000
ns=p8

backends=()
cleanup() {
    set +e
    ((${#backends[@]})) && kill "${backends[@]}" 2>/dev/null
    kovn_node_cleanup
}
kovn_node_trap=cleanup
t0=$SECONDS
kovn_node_start "$1" "$2" "$3" "$4"
echo "node $node up with kube-scheduler and kovn-sandboxd in $((SECONDS - t0)) s"

die_sb() {
    log_tail "$sandboxd_dir/sandboxd.log"
    die "$@"
}
netns_of() { echo "kd$id-p-$(kubectl -n $ns get pod "$1" -o jsonpath='{.metadata.uid}')"; }

kubectl create ns $ns >/dev/null
k8s_wait_sa $ns
for b in 0 1; do
    kubectl create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: p8-backend-$b, namespace: $ns, labels: {app: p8-backend}}
spec: {containers: [{name: c, image: none}]}
EOF
done
kubectl -n $ns wait --for=condition=Ready pod -l app=p8-backend --timeout=60s >/dev/null ||
    die_sb "the backend pods are not Ready"
for b in 0 1; do
    # Not through a subshell: $! must be the server itself.
    ip netns exec "$(netns_of p8-backend-$b)" python3 "$kovn_root/tests/lib/lb_backend.py" \
        "b$b" 8080 5353 >/dev/null 2>&1 &
    backends+=($!)
done
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: p8-echo, namespace: $ns}
spec:
  selector: {app: p8-backend}
  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
EOF
vip=$(kubectl -n $ns get svc p8-echo -o jsonpath='{.spec.clusterIP}')
eps() { kubectl -n $ns get endpoints p8-echo -o jsonpath='{.subsets[*].addresses[*].ip}' 2>/dev/null; }
two_eps() { [[ $(eps | wc -w) == 2 ]]; }
WAIT_FOR_LOG=$dir/controller.log
wait_for 30 "Endpoints p8-echo with both backends" two_eps
lb_two() {
    ovn-nbctl --db="$nb" get load_balancer cluster-tcp-loadbalancer vips 2>/dev/null |
        grep -q "\"$vip:80\"=\"[0-9.]*:8080,[0-9.]*:8080\""
}
wait_for 30 "VIP $vip:80 with two backends in cluster-tcp-loadbalancer" lb_two

# A warm-up client: its first pod on the node and the path through the
# load balancer work before anything is timed.
kubectl -n $ns create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: p8-warm, namespace: $ns}
spec: {containers: [{name: c, image: none}]}
EOF
kubectl -n $ns wait --for=condition=Ready pod p8-warm --timeout=60s >/dev/null ||
    die_sb "the warm-up pod is not Ready"
got=$(ip netns exec "$(netns_of p8-warm)" python3 "$kovn_root/tests/lib/lb_client.py" tcp "$vip" 80 20)
[[ $got =~ ^b0:[0-9]+\ b1:[0-9]+$ ]] || die "TCP to $vip:80 from the warm-up pod: $got (want both backends)"
echo "Service $vip:80 -> $(eps) answers from a pod ($got); $((SECONDS - t0)) s so far"

token=$(awk -F, '$2 == "kovn-admin" { print $1 }' "$dir/pki/tokens.csv")
printf '%s\n' "$token" >"$dir/p8.token"
# probe PHASE FROM NAME_PREFIX: N client pods, timed into $dir/p8-PHASE.json.
probe() {
    python3 "$here/p8_probe.py" --api "$(cat "$dir/apiserver.url")" \
        --token-file "$dir/p8.token" --ca "$dir/pki/ca.crt" --namespace $ns \
        --netns-dir /var/run/netns --netns-prefix "kd$id-p-" --vip "$vip" --port 80 \
        --pods "$n" --rate "$rate" --interval-ms 10 --timeout 60 \
        --probe-from "$2" --name-prefix "$3" \
        --pid "kovn-controller=$(cat "$dir/controller.pid")" --pid "kovn-daemon=$daemon_pid" \
        --pid "kovn-sandboxd=$sandboxd_pid" --pid "kube-apiserver=$(cat "$dir/kube-apiserver.pid")" \
        --pid "ovs-vswitchd=$(cat "$dir/node/ovs-vswitchd.pid" 2>/dev/null || echo 0)" \
        --pid "ovn-controller=$(cat "$dir/node/ovn-controller.pid" 2>/dev/null || echo 0)" \
        >"$dir/p8-$1.json" || die_sb "the probe failed"
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
probe 1 netns p8-a-
# The first pod's gateway neighbour entry: how its address got resolved.
neigh=$(ip -n "$(netns_of p8-a-000)" -s neigh show 2>/dev/null | head -1)
echo "phase 1 done ($((SECONDS - t0)) s); p8-a-000's neighbour entry: $neigh"
# The node takes 110 pods: phase 1's go before phase 2 (kovn-sandboxd
# runs CNI DEL and finalizes them).
kubectl -n $ns delete pod -l app=p8-client --wait=true --timeout=180s >/dev/null ||
    die_sb "phase 1's pods were not deleted"
few_netns() { (($(ip netns list | grep -c "^kd$id-p-") <= 3)); }
WAIT_FOR_LOG=$sandboxd_dir/sandboxd.log wait_for 60 "phase 1's namespaces removed" few_netns
# ... and their switch ports (the controller's deletes), so that phase 2
# does not share the machine with phase 1's clean-up.
no_ports() { ! ovn-nbctl --db="$nb" --bare --columns=name list logical_switch_port | grep -q '^p8-a-'; }
wait_for 60 "phase 1's switch ports removed" no_ports
sleep 2
echo "phase 1's pods deleted ($((SECONDS - t0)) s)"
probe 2 ready p8-b-
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$dir/p8-1.json" "$dir/p8-2.json" "$goal_ms" "$load_start" "$load_end" \
    "$dir/daemon.log" <<'PY'
import json, re, sys
runs = [json.load(open(f)) for f in sys.argv[1:3]]
# kovn-daemon's "add timing" lines: ms since it got each ADD request.
adds = {}
for line in open(sys.argv[6]):
    if "add timing: pod p8/" in line:
        rest = line.split("add timing: pod p8/", 1)[1]
        adds[rest.split()[0]] = {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", rest)}
goal = float(sys.argv[3])
FROM = {"netns": "probing from the netns existing (the issue's method)",
        "ready": "probing from Ready (a container starts after CNI ADD)"}


def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def col(r, key, origin=None):
    return [(p[key] - (p[origin] if origin else 0)) * 1000 for p in r["per_pod"]
            if p[key] is not None and (not origin or p[origin] is not None)]


def last(r, key):
    v = [p["created_at"] + p[key] for p in r["per_pod"] if p[key] is not None]
    return max(v) if v else float("nan")


r1 = runs[0]
n = r1["pods"]
rate = "all at once" if r1["rate"] <= 0 else "%g/s" % r1["rate"]
hwm = lambda r, k: (r["hwm_kib"].get(k) or 0) / 1024

# The style guide's table: work done over time, peak RSS, ratio to the
# baseline (the namespaces existing: API server, scheduler and the kubelet
# stand-in; no kovn component) measured in the same phase.
print("\nP8: per phase %d client pods created %s; every time from a pod's create "
      "call returning" % (n, rate))
print("%-46s %5s %7s %6s %19s %7s" % ("phase", "work", "time s", "ops/s",
                                      "peak RSS MiB", "vs base"))
for i, r in enumerate(runs, 1):
    conn, base = col(r, "connect"), col(r, "netns")
    t_ns, t_conn = last(r, "netns"), last(r, "connect")
    tag = "%d (probe from %s)" % (i, r["probe_from"])
    print("%-46s %5d %7.2f %6.1f %19s %7s" % (
        "%s: pods created (API)" % tag, n, r["last_create"],
        n / max(r["last_create"], 1e-9), "apiserver %.0f" % hwm(r, "kube-apiserver"), "-"))
    print("%-46s %5d %7.2f %6.1f %19s %7.2f" % (
        "%s: netns exist (baseline)" % tag, len(base), t_ns, len(base) / t_ns,
        "sandboxd %.1f" % hwm(r, "kovn-sandboxd"), 1.0))
    print("%-46s %5d %7.2f %6.1f %19s %7.2f" % (
        "%s: connected to the VIP" % tag, len(conn), t_conn, len(conn) / t_conn,
        "ctl %.1f, dmn %.1f" % (hwm(r, "kovn-controller"), hwm(r, "kovn-daemon")),
        t_conn / t_ns))
print("(time: from the first create to the last pod's milestone; paced creates "
      "make ops/s follow the rate)")

print("\nlatency per pod, ms %39s %6s %6s %6s %8s %8s" % ("n", "p50", "p99", "max",
                                                        "p50/base", "p99/base"))
for i, r in enumerate(runs, 1):
    print("phase %d, %s:" % (i, FROM[r["probe_from"]]))
    rows = [
        ("API: create request -> watch event", col(r, "watched_from_request")),
        ("API: create call (request -> response)",
         [p["create_call"] * 1000 for p in r["per_pod"]]),
        ("create -> bound by kube-scheduler (watch)", col(r, "bound")),
        ("create -> netns exists (baseline)", col(r, "netns")),
        ("create -> eth0 up in the pod", col(r, "eth0")),
        ("create -> Ready in the API (sandboxd, watch)", col(r, "ready")),
        ("create -> first TCP connect to the VIP (P8)", col(r, "connect")),
        ("  of it kovn's: netns exists -> TCP connect", col(r, "connect", "netns")),
    ]
    base = dict(rows)["create -> netns exists (baseline)"]
    for name, v in rows:
        if not v:
            print("  %-56s %4d" % (name, 0))
            continue
        print("  %-56s %4d %6.0f %6.0f %6.0f %8.2f %8.2f" % (
            name, len(v), q(v, .5), q(v, .99), max(v),
            q(v, .5) / max(q(base, .5), 1e-9), q(v, .99) / max(q(base, .99), 1e-9)))
    mine = [adds[p["name"]] for p in r["per_pod"] if p["name"] in adds]
    if mine:
        print("  kovn-daemon's ADDs (%d), ms since it got the request:" % len(mine),
              ", ".join("%s %d/%d" % (k, q(v, .5), q(v, .99)) for k in
                        ("addressed", "plumbed", "installed", "total")
                        for v in [[m[k] for m in mine if m.get(k, -1) >= 0]] if v),
              "(p50/p99)")
    lp = [x * 1000 for x in r["loop_periods"]] or [0]
    rtt = [x * 1000 for x in r["connect_rtt"]] or [0]
    att = [p["attempts"] for p in r["per_pod"]]
    print("  probe: a connect attempt every %g ms per pod; loop period p50 %.1f, p99 %.1f, "
          "max %.1f ms;" % (r["interval_ms"], q(lp, .5), q(lp, .99), max(lp)))
    print("         the successful attempt's own time p50 %.1f, max %.1f ms; attempts per "
          "pod p50 %d, max %d;" % (q(rtt, .5), max(rtt), q(att, .5), max(att)))
    print("         at most %d in flight; probe CPU %.1f s" % (r["max_pending"], r["probe_cpu"]))

print("\n%-16s %10s %10s %15s %15s" % ("process", "VmHWM MiB", "VmRSS MiB",
                                       "CPU s, phase 1", "CPU s, phase 2"))
last_run = runs[-1]
for k in last_run["hwm_kib"]:
    if last_run["hwm_kib"][k] is None:
        continue
    cpus = ["-" if r["cpu"].get(k) is None else "%.2f" % r["cpu"][k] for r in runs]
    print("%-16s %10.1f %10.1f %15s %15s" % (k, last_run["hwm_kib"][k] / 1024,
                                            last_run["rss_kib"][k] / 1024, *cpus))
print("load average: %s at the start of phase 1, %s at the end of phase 2"
      % (sys.argv[4], sys.argv[5]))

bad = 0
print()
for i, r in enumerate(runs, 1):
    conn = col(r, "connect")
    if len(conn) < n:
        print("FAIL: phase %d: only %d of %d pods connected to the VIP within 60 s"
              % (i, len(conn), n))
        bad = 1
        continue
    p99 = q(conn, .99)
    print("P8 pod create -> first TCP connect to a Service VIP, %s: p50 %.0f ms, "
          "p99 %.0f ms, max %.0f ms over %d pods: %s (goal p99 < %.0f ms)"
          % (FROM[r["probe_from"]], q(conn, .5), p99, max(conn), n,
             "PASS" if p99 < goal else "OVER GOAL", goal))
    if p99 > 10 * goal:
        print("FAIL: p99 %.0f ms is absurd (> %.0f ms)" % (p99, 10 * goal))
        bad = 1
sys.exit(bad)
PY
