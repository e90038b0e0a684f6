#!/usr/bin/env bash
# Benchmarks P6 and P8 on a real node: kubelet 1.20 + containerd 1.6 + runc
# (scripts/node.sh) with kube-scheduler, OVN, kovn-controller and
# kovn-daemon (tests/lib/kovn_node.sh), against Debian's reference `bridge`
# + `host-local` plugins (containernetworking-plugins, /usr/lib/cni) as
# containerd's CNI on the same node in the same run.
#
# Two phases of N busybox pods each, created at RATE per second through
# the API server (bench/node_probe.py): first with kovn's conflist (the
# one node.sh writes), then, once those pods are deleted, with a conflist
# of `bridge` (a bridge kbr<id> with the gateway address, isGateway) and
# `host-local` on 198.51.100.0/24 in node.sh's CNI directories, and
# containerd restarted so that it reads it.  In both phases the plugin
# containerd runs (kovn-cni, bridge) is a small bash wrapper that times the
# real plugin from its exec to its exit and logs it: the ADD as containerd
# calls it (the wrapper's own start, about a millisecond, is outside).
#  - P6: CNI ADD p50/p99/max as containerd calls it, kovn vs bridge.
#  - P8: per pod, from its create call returning: Running (the watch event),
#    and its first answered ping to its gateway (the container's first
#    command pings until an answer, then prints a line whose CRI log
#    timestamp is the time).  Baseline: the same pods on bridge.
# Prints a table: work, samples, p50, p99, max, and p50 and p99 as ratios
# to the baseline's (bridge).  Running as the API shows it trails the
# container's start (its first ping) by about half a second with either
# plugin: kubelet writes pod status (a GET and a PATCH per change) through
# its client's rate limit, which node.sh raises to 50/s (at the default 5/s
# Running trailed by 7-15 s at 2 pods/s).  The first ping is the network's
# number.
# Needs root, kubelet (scripts/k8s.sh build) and the local images.
#   bench_node.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI [N [RATE]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tests/lib/k8s.sh"
source "$here/../tests/lib/kovn_node.sh"
[[ $# -ge 3 ]] || fail "usage: bench_node.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI [N [RATE]]"
[[ $(id -u) == 0 ]] || fail "needs root (containers, network namespaces, veths)"
n=${4:-${BENCH_NODE_PODS:-100}}
rate=${5:-${BENCH_NODE_RATE:-2}}
ref=/usr/lib/cni
[[ -x $ref/bridge && -x $ref/host-local ]] ||
    fail "no $ref/bridge or host-local: install containernetworking-plugins (scripts/deps.sh)"
ns=bench
ref_cidr=198.51.100.0/24
ref_gw=198.51.100.1

bridge="" forward=$(sysctl -n net.ipv4.ip_forward)
cleanup() {
    set +e
    kovn_node_stop_kubelet
    [[ -z $bridge ]] || ip link del "$bridge" 2>/dev/null
    # bridge's isGateway turns forwarding on (kovn-daemon does too).
    sysctl -qw net.ipv4.ip_forward="$forward"
    kovn_node_cleanup
}
dump() { kovn_node_dump "$@"; }
kovn_node_trap=cleanup
t0=$SECONDS
KOVN_NODE_KUBELET=1 kovn_node_start "$1" "$2" "$3"
kovn_node_start_kubelet
kovn_node_wait_status
busybox=$("$kovn_root/scripts/images.sh" name busybox)
kubectl create ns $ns >/dev/null
k8s_wait_sa $ns
echo "real node $node up in $((SECONDS - t0)) s; $n pods per phase at $rate/s"

# wrap NAME REAL LOG: node.sh's CNI bin dir gets, as NAME, a wrapper that
# runs REAL and appends "COMMAND CONTAINERID START END EXIT" (wall-clock
# seconds) to LOG.  The link node.sh made goes first: writing through it
# would overwrite the real plugin.
wrap() {
    local f=$node_dir/cni/bin/$1
    rm -f "$f"
    cat >"$f.tmp" <<EOF
#!/bin/bash
# Written by bench_node.sh: $2, timed as containerd calls it.
t0=\$EPOCHREALTIME
"$2" "\$@"
rc=\$?
t1=\$EPOCHREALTIME
echo "\$CNI_COMMAND \$CNI_CONTAINERID \$t0 \$t1 \$rc" >>"$3"
exit \$rc
EOF
    chmod +x "$f.tmp"
    mv "$f.tmp" "$f"
}

token=$(awk -F, '$2 == "kovn-admin" { print $1 }' "$dir/pki/tokens.csv")
printf '%s\n' "$token" >"$dir/bench.token"
bench_pods() { kubectl -n $ns get pods -l app=bench-node -o name 2>/dev/null | wc -l; }
# phase NAME GATEWAY: N pods timed into $dir/NAME.json, then deleted.
phase() {
    python3 "$here/node_probe.py" --api "$(cat "$dir/apiserver.url")" \
        --token-file "$dir/bench.token" --ca "$dir/pki/ca.crt" --namespace $ns \
        --image "$busybox" --gw "$2" --name-prefix "$1-" --pods "$n" --rate "$rate" \
        >"$dir/$1.json" || dump "the probe failed"
    echo "phase $1 done ($((SECONDS - t0)) s)"
    kubectl -n $ns delete pods -l app=bench-node --wait=true --timeout=300s >/dev/null ||
        dump "phase $1's pods were not deleted"
    no_pods() { [[ $(bench_pods) == 0 ]]; }
    WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 120 "phase $1's pods gone" no_pods
}

# --- kovn: the conflist node.sh wrote, kovn-cni wrapped.
wrap kovn-cni "$(readlink -f "$kovn_cni")" "$dir/cni-kovn.log"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
phase kovn "10.$x.0.1"
no_ports() { [[ -z $(ovs-vsctl --db="$ovs_db" list-ports br-int | grep '^kovn[0-9a-f]\{11\}$') ]]; }
WAIT_FOR_LOG=$dir/daemon.log wait_for 60 "kovn's ports of phase kovn removed (CNI DEL)" no_ports

# --- Baseline: bridge + host-local in the same CNI directories.
bridge=kbr$id
rm -f "$node_dir"/cni/net.d/*.conflist
python3 - "$bridge" "$ref_cidr" "$dir/host-local" >"$node_dir/cni/net.d/10-bench-ref.conflist" <<'PY'
import json, sys
print(json.dumps({"cniVersion": "1.0.0", "name": "bench-ref", "plugins": [
    {"type": "bridge", "bridge": sys.argv[1], "isGateway": True,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": sys.argv[2]}]],
              "dataDir": sys.argv[3]}}]}))
PY
wrap bridge "$ref/bridge" "$dir/cni-ref.log"
ln -sfn "$ref/host-local" "$node_dir/cni/bin/host-local"
"$kovn_root/scripts/node.sh" restart "$node_dir" containerd
# kubelet sees the runtime (and its network) ready again.
node_ready() {
    [[ $(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
WAIT_FOR_LOG=$node_dir/kubelet.log wait_for 60 "node Ready after containerd's restart on bridge" node_ready
phase ref "$ref_gw"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report.
python3 - "$dir" "$n" "$rate" <<'PY' || die "incomplete results"
import json, sys
d, n, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]

def adds(name):
    rows = [l.split() for l in open("%s/cni-%s.log" % (d, name))]
    ok = [1000 * (float(r[3]) - float(r[2])) for r in rows if r[0] == "ADD" and r[4] == "0"]
    bad = sum(1 for r in rows if r[0] == "ADD" and r[4] != "0")
    dels = [1000 * (float(r[3]) - float(r[2])) for r in rows if r[0] == "DEL" and r[4] == "0"]
    return ok, bad, dels

def probe(name, key):
    j = json.load(open("%s/%s.json" % (d, name)))
    return [1000 * p[key] for p in j["per_pod"] if p[key] is not None]

rows, missing = [], []
def row(label, kovn, base):
    for what, v in (("kovn", kovn), ("bridge", base)):
        if len(v) != n:
            missing.append("%s %s: %d of %d" % (label, what, len(v), n))
    if kovn and base:
        rows.append((label + ", bridge (base)", base, base))
        rows.append((label + ", kovn", kovn, base))

ka, kbad, kdel = adds("kovn")
ra, rbad, rdel = adds("ref")
print("\nP6 and P8 on a real node (kubelet 1.20, containerd 1.6, runc), "
      "%d pods per plugin, created at %s/s" % (n, rate))
print("%-45s %5s %8s %8s %8s %9s %9s" % ("work", "n", "p50_ms", "p99_ms", "max_ms",
                                          "p50/base", "p99/base"))
row("P6 CNI ADD, containerd's view", ka, ra)
row("P8 create -> Running", probe("kovn", "running"), probe("ref", "running"))
row("P8 create -> first ping to gw", probe("kovn", "pinged"), probe("ref", "pinged"))
for label, v, base in rows:
    print("%-45s %5d %8.0f %8.0f %8.0f %9.1f %9.1f"
          % (label, len(v), q(v, .5), q(v, .99), max(v),
             q(v, .5) / max(q(base, .5), 0.001), q(v, .99) / max(q(base, .99), 0.001)))
print("CNI DEL as containerd calls it: kovn p50 %.0f ms p99 %.0f ms (%d); bridge p50 %.0f ms p99 %.0f ms (%d)"
      % (q(kdel, .5) if kdel else -1, q(kdel, .99) if kdel else -1, len(kdel),
         q(rdel, .5) if rdel else -1, q(rdel, .99) if rdel else -1, len(rdel)))
print("failed ADDs (containerd retried them): kovn %d, bridge %d" % (kbad, rbad))
if missing:
    print("missing samples: " + "; ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
echo "load average: $load_start at the start, $load_end at the end; $((SECONDS - t0)) s in all"
