#!/usr/bin/env bash
# What a whole member allocates per put, by thread, measured from outside: bin/cairn (with its AOT
# cache when there is one) on an empty data dir, under a flight recording (started with jcmd) of
# jdk.ThreadAllocationStatistics every 100 ms; 100,000 puts with 256 clients to warm it, then 100,000 measured with 256
# clients and 10,000 with one, 256-byte values. Each thread's bytes are its allocation counter at the
# end of a window less its counter at the start (the samples nearest inside the window's ends).
# Prints bytes per put for all threads, the gRPC and Netty threads, and the Raft thread (which also
# applies and builds the responses of the calls it completes), and young collections per window.
#
#   bench/scripts/allocation.sh
#   CAIRN_AOT=off bench/scripts/allocation.sh     # without the cache
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${PORT:-26379}
url="http://127.0.0.1:$port"
dir=$(mktemp -d "${DIR:-/tmp}/allocation.XXXXXX")
jdk_bin=$(dirname "$(readlink -f "$(command -v java)")")
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64/bin "$jdk_bin"; do
  [ -x "$candidate/jfr" ] && jdk_bin=$candidate && break
done
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
"$root/bin/cairn-bench" --version > /dev/null

"$root/bin/cairn" --name alloc --data-dir "$dir/data" --listen-client-urls "$url" --advertise-client-urls "$url" \
  --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
  --initial-cluster "alloc=http://127.0.0.1:$((port + 1))" > "$dir/cairn.log" 2>&1 &
pid=$!
until ETCDCTL_API=3 etcdctl --endpoints "$url" get ready > /dev/null 2>&1; do sleep 0.05; done
# Started once the member runs: a recording from the command line would load the jdk.jfr module at
# start, and the JVM then refuses the AOT cache (trained without it).
cat > "$dir/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">100 ms</setting></event>
  <event name="jdk.GarbageCollection"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
</configuration>
JFC
"$jdk_bin/jcmd" "$pid" JFR.start name=alloc settings="$dir/alloc.jfc" > /dev/null

put() { # put CLIENTS CONNS TOTAL
  "$root/bin/cairn-bench" put --endpoints "$url" --clients "$1" --conns "$2" --total "$3" --warmup 0 \
    --val-size 256 --key-space-size 100000 > /dev/null 2>&1
}
now() { date +%s.%N; }
put 256 16 100000
sleep 0.3; t0=$(now); sleep 0.3
put 256 16 100000
sleep 0.3; t1=$(now); sleep 0.3
put 1 1 10000
sleep 0.3; t2=$(now); sleep 0.3
"$jdk_bin/jcmd" "$pid" JFR.dump name=alloc filename="$dir/alloc.jfr" > /dev/null
"$jdk_bin/jfr" print --json --events jdk.ThreadAllocationStatistics,jdk.GarbageCollection "$dir/alloc.jfr" > "$dir/alloc.json"

python3 - "$dir/alloc.json" "$t0" "$t1" "$t2" <<'EOF'
import datetime, json, sys
events = json.load(open(sys.argv[1]))["recording"]["events"]
t0, t1, t2 = (float(t) for t in sys.argv[2:5])

def seconds(event):
    stamp = event["values"]["startTime"]
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

samples = {}  # thread -> [(time, allocated bytes)]
collections = []
for event in events:
    if event["type"] == "jdk.GarbageCollection":
        collections.append((seconds(event), event["values"]["name"]))
        continue
    thread = event["values"]["thread"]
    name = thread["javaName"] if thread else "?"
    samples.setdefault(name, []).append((seconds(event), event["values"]["allocated"]))

def allocated(series, start, end):
    inside = [bytes_ for time, bytes_ in series if start <= time <= end]
    if not inside:
        return 0
    before = [bytes_ for time, bytes_ in series if time < start]
    return inside[-1] - (before[-1] if before else 0)

def group(name):
    if name.startswith("grpc") or "nio" in name.lower() or "netty" in name.lower() or name.startswith("ELG"):
        return "gRPC and Netty threads"
    if name == "cairn-raft":
        return "the Raft thread"
    return "other threads"

for label, start, end, puts in (("256 clients", t0, t1, 100_000), ("1 client", t1, t2, 10_000)):
    totals = {}
    for name, series in samples.items():
        totals[group(name)] = totals.get(group(name), 0) + allocated(series, start, end)
    young = sum(1 for time, name in collections if start <= time <= end and ("New" in name or "Young" in name))
    print(f"{label}: all threads {sum(totals.values()) / puts:,.0f} bytes/put;",
          "; ".join(f"{key} {value / puts:,.0f}" for key, value in sorted(totals.items())),
          f"; young collections {young}")
    top = sorted(((allocated(series, start, end), name) for name, series in samples.items()), reverse=True)[:8]
    print("  largest:", ", ".join(f"{name} {value / puts:,.0f}" for value, name in top if value > 0))
EOF
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
