#!/usr/bin/env bash
# Benchmark P6: CNI ADD latency of kovn-cni (through kovn-daemon, which
# waits for OVN's flows: ovn-installed) against Debian's reference `bridge`
# + `host-local` plugins (containernetworking-plugins, /usr/lib/cni) on the
# same machine in the same run; and pod create -> first ping.
#  - ADD latency: N pods, ADDs one at a time as a runtime's sandbox set-up
#    does, each timed from exec to exit.  kovn's pods are created and
#    addressed first, so that the time is the plumbing and OVN, not IPAM.
#  - create -> first ping: N new pods, 8 at a time; each from
#    `kubectl create` through ADD (which waits for the address) to its
#    first answered ping to the subnet gateway (through OVN's router).
# Prints a table: work, p50, p99, max, ratio to the baseline.  Needs root.
#   bench_cni.sh KOVN_CONTROLLER KOVN_DAEMON KOVN_CNI [N]
set -euo pipefail
source "$(dirname "$0")/../tests/lib/k8s.sh"
source "$(dirname "$0")/../tests/lib/kovn_node.sh"
n=${4:-100}
ref=/usr/lib/cni
[[ -x $ref/bridge && -x $ref/host-local ]] ||
    fail "no $ref/bridge or host-local: install containernetworking-plugins (scripts/deps.sh)"

bridge=""
cleanup() {
    set +e
    # The baseline's pods first: DEL through the plugin frees host-local's
    # leases, then the bridge goes.
    if [[ -n "$bridge" ]]; then
        for ((i = 0; i < n; i++)); do
            CNI_COMMAND=DEL CNI_CONTAINERID=r$i CNI_NETNS=/var/run/netns/kd$id-r$i CNI_IFNAME=eth0 \
                CNI_PATH=$ref "$ref/bridge" <"$dir/ref.conf" >/dev/null 2>&1
        done
        ip link del "$bridge" 2>/dev/null
    fi
    kovn_node_cleanup
}
kovn_node_trap=cleanup
kovn_node_start "$@"
echo "node up; $n pods per measurement"

# now_ms: monotonic enough for deltas (date's nanoseconds).
now_ms() { date +%s%3N; }

# stats FILE: p50 p99 max of a file of milliseconds.
stats() {
    python3 - "$1" <<'PY'
import sys
v = sorted(float(x) for x in open(sys.argv[1]).read().split())
q = lambda p: v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
print(f"{q(0.5):.0f} {q(0.99):.0f} {v[-1]:.0f} {len(v)}")
PY
}

# --- kovn: pods created and addressed, then ADD one at a time.
kubectl create ns bench >/dev/null
k8s_wait_sa bench
python3 - "$n" "$node" <<'PY' | kubectl create -f - >/dev/null
import json, sys
items = [{"apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "k%d" % i, "namespace": "bench"},
          "spec": {"nodeName": sys.argv[2], "containers": [{"name": "c", "image": "none"}]}}
         for i in range(int(sys.argv[1]))]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
PY
for ((i = 0; i < 600; i++)); do
    a=$(kubectl -n bench get pods -o jsonpath='{range .items[*]}{.metadata.annotations.ovn\.kubernetes\.io/allocated}{"\n"}{end}' | grep -c true || true)
    ((a >= n)) && break
    sleep 0.2
done
((a >= n)) || die "only $a of $n pods addressed"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$dir/kovn.ms"
for ((i = 0; i < n; i++)); do
    ip netns add "kd$id-k$i"
    t=$(now_ms)
    cni ADD "k$i" "/var/run/netns/kd$id-k$i" bench "k$i" >"$dir/k.json" ||
        { cat "$dir/k.json" >&2; die "ADD k$i failed"; }
    echo $(($(now_ms) - t)) >>"$dir/kovn.ms"
done

# Where the daemon's time went: its "add timing" lines (ms since it got
# the request) for these pods, p50 and p99 of each milestone.
python3 - "$dir/daemon.log" "$dir/kovn.ms" >"$dir/steps.txt" <<'PY'
import re, sys
rows = [dict(re.findall(r"(\w+)=(-?\d+)", l.split("add timing:", 1)[1]))
        for l in open(sys.argv[1]) if "add timing: pod bench/k" in l]
client = [float(x) for x in open(sys.argv[2]).read().split()]
q = lambda v, p: sorted(v)[min(len(v) - 1, int(round(p * (len(v) - 1))))]
print(f"kovn ADD milestones, ms since kovn-daemon got the request ({len(rows)} ADDs):")
print(f"  {'milestone':<34} {'p50':>6} {'p99':>6}")
for k in ("addressed", "prepared", "host", "port", "plumbed", "installed", "total"):
    v = [int(r[k]) for r in rows if k in r and int(r[k]) >= 0]
    if v:
        print(f"  {k:<34} {q(v, .5):>6} {q(v, .99):>6}")
if rows and len(client) == len(rows):
    o = [c - int(r["total"]) for c, r in zip(client, rows)]
    print(f"  {'kovn-cni exec + socket (outside)':<34} {q(o, .5):>6.0f} {q(o, .99):>6.0f}")
PY

# --- Baseline: bridge + host-local, the same way.
bridge=kbr$id
python3 - "$bridge" "$dir/hl" <<'PY' >"$dir/ref.conf"
import json, sys
print(json.dumps({"cniVersion": "1.0.0", "name": "bench-ref", "type": "bridge",
                  "bridge": sys.argv[1], "isGateway": True,
                  "ipam": {"type": "host-local", "subnet": "10.252.0.0/16",
                           "dataDir": sys.argv[2]}}))
PY
: >"$dir/ref.ms"
for ((i = 0; i < n; i++)); do
    ip netns add "kd$id-r$i"
    t=$(now_ms)
    CNI_COMMAND=ADD CNI_CONTAINERID=r$i CNI_NETNS=/var/run/netns/kd$id-r$i CNI_IFNAME=eth0 \
        CNI_PATH=$ref "$ref/bridge" <"$dir/ref.conf" >"$dir/r.json" ||
        { cat "$dir/r.json" >&2; fail "reference ADD r$i failed"; }
    echo $(($(now_ms) - t)) >>"$dir/ref.ms"
done

# --- kovn: pod create -> first ping, 8 pods at a time.
gw=10.$x.0.1
cat >"$dir/first_ping.sh" <<EOF
#!/usr/bin/env bash
# first_ping.sh I: create pod f\$I, ADD it, ping the gateway until it answers.
i=\$1 ns=kd$id-f\$1
t=\$(date +%s%3N)
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: f%s, namespace: bench}\nspec: {nodeName: $node, containers: [{name: c, image: none}]}\n' "\$i" |
    KUBECONFIG=$KUBECONFIG kubectl create -f - >/dev/null || exit 1
ip netns add "\$ns"
CNI_COMMAND=ADD CNI_CONTAINERID=f\$i CNI_NETNS=/var/run/netns/\$ns CNI_IFNAME=eth0 \
    CNI_ARGS="K8S_POD_NAMESPACE=bench;K8S_POD_NAME=f\$i" CNI_PATH=/opt/cni/bin \
    "$kovn_cni" <"$conf" >/dev/null || exit 1
for ((a = 0; a < 200; a++)); do
    ip netns exec "\$ns" ping -c 1 -W 1 -q $gw >/dev/null 2>&1 && { echo \$((\$(date +%s%3N) - t)); exit 0; }
done
exit 1
EOF
chmod +x "$dir/first_ping.sh"
seq 0 $((n - 1)) | xargs -P 8 -n 1 "$dir/first_ping.sh" >"$dir/ping.ms" ||
    die "some pods never answered a ping"

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$dir/steps.txt"
echo "load average: $load_start at the start of the ADDs, $load_end at the end"
read -r k50 k99 kmax kn < <(stats "$dir/kovn.ms")
read -r r50 r99 rmax rn < <(stats "$dir/ref.ms")
read -r p50 p99 pmax pn < <(stats "$dir/ping.ms")
printf '\n%-44s %8s %8s %8s %8s\n' "P6 ($n pods)" p50_ms p99_ms max_ms vs_base
printf '%-44s %8s %8s %8s %8s\n' "CNI ADD, bridge + host-local (baseline)" "$r50" "$r99" "$rmax" 1.0
printf '%-44s %8s %8s %8s %8s\n' "CNI ADD, kovn-cni (waits for ovn-installed)" "$k50" "$k99" "$kmax" \
    "$(python3 -c "print(f'{$k50 / max($r50, 1):.1f}')")"
printf '%-44s %8s %8s %8s %8s\n' "pod create -> first ping (kovn, 8 at once)" "$p50" "$p99" "$pmax" -
((kn == n && rn == n && pn == n)) || fail "missing samples: $kn $rn $pn"
