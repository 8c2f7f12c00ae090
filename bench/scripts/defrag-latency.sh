#!/bin/bash
# Put latency while a member defragments a backend of about 1 GB of live data (issue #18), for one
# member of etcd (Debian's etcd 3.4.23) or of Cairn. Usage: defrag-latency.sh etcd|cairn [defrag|nodefrag] [OUT_DIR]
#  1. fill: 1,000,000 puts of 1 KiB values over 500,000 keys (64 clients), then a physical compaction
#     at the last revision, so half the history is garbage;
#  2. puts of 256 bytes at 500/s from 16 clients for 60 s; 10 s in, `etcdctl defrag` (or nothing, for
#     the baseline); the latency summary covers the whole 60 s.
# The jars are copied first, so a rebuild of the tree cannot start in the middle of a run.
set -eu
kind=$1; mode=${2:-defrag}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${3:-/tmp/defrag-latency}/$kind-$mode
. "$root/.mvn/find-jdk.sh"
. "$root/.mvn/build-if-stale.sh"
cairn_build_if_stale "$root" "$root/engine/target/cairn.jar" engine cairn
cairn_build_if_stale "$root" "$root/bench/target/benchmarks.jar" bench cairn-bench
rm -rf "$out" && mkdir -p "$out/jars"
cp "$root/engine/target/cairn.jar" "$root/bench/target/benchmarks.jar" "$out/jars/"
jvm=(--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
port=24379; peer=24380; url=http://127.0.0.1:$port
flags=(--name m1 --data-dir "$out/data" --listen-client-urls $url --advertise-client-urls $url
       --listen-peer-urls http://127.0.0.1:$peer --initial-advertise-peer-urls http://127.0.0.1:$peer
       --initial-cluster m1=http://127.0.0.1:$peer --quota-backend-bytes 8589934592)
if [ "$kind" = etcd ]; then
  etcd "${flags[@]}" > "$out/server.log" 2>&1 &
else
  "$JAVA_HOME/bin/java" "${jvm[@]}" -jar "$out/jars/cairn.jar" "${flags[@]}" > "$out/server.log" 2>&1 &
fi
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for i in $(seq 1 100); do curl -sf $url/health >/dev/null && break; sleep 0.3; done
pid=$(pgrep -f -- "--data-dir $out/data" | head -1)
ctl() { ETCDCTL_API=3 etcdctl --endpoints=$url --command-timeout=600s "$@"; }
bench() { "$JAVA_HOME/bin/java" "${jvm[@]}" -Dcairn.home="$root" -cp "$out/jars/benchmarks.jar" io.cairn.bench.CairnBench \
  "$@" --endpoints $url --rounds 1 --warmup 0; }
SECONDS=0
bench put --conns 4 --clients 64 --total 1000000 --key-space-size 500000 --sequential-keys --key-size 16 \
  --val-size 1024 > "$out/fill.txt" 2>&1 || { tail "$out/fill.txt"; exit 1; }
echo "fill took $SECONDS s"
rev=$(ctl endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])')
ctl compact "$rev" --physical
ctl endpoint status -w table
bench put --conns 1 --clients 16 --rate 500 --total 30000 --key-space-size 1000 --key-size 16 --val-size 256 \
  --server-pids "$pid" > "$out/during.txt" 2>&1 &
load=$!
sleep 10
if [ "$mode" = defrag ]; then
  start=$(date +%s.%N)
  ctl defrag
  echo "defrag took $(python3 -c "print(round($(date +%s.%N)-$start,2))") s"
fi
wait $load
cat "$out/during.txt"
ctl endpoint status -w table
