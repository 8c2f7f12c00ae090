#!/usr/bin/env bash
# Restart to the first answered read, resident set and backend size after a load: one member is
# loaded with KEYS puts (32-byte sequential keys, 256-byte values, cairn-bench put), killed with
# SIGKILL, and restarted ROUNDS times. Each restart is timed from the launcher's exec to the first
# linearizable gRPC Range answered (first-read.sh: the shell probes the port, then curl polls
# every 5 ms). Run it once per server:
#
#   bench/scripts/restart.sh                         # Cairn (bin/cairn)
#   SERVER=etcd bench/scripts/restart.sh             # Debian etcd
#   KEYS=1000000 DIR=/work/bench-data bench/scripts/restart.sh
#
# The loaded data dir is kept under DIR (default /tmp) and reused by later runs with the same
# SERVER and KEYS; FRESH=1 loads it again. CAIRN_OPTS is passed to the JVM (JDK_JAVA_OPTIONS).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
server=${SERVER:-cairn}
keys=${KEYS:-300000}
rounds=${ROUNDS:-3}
port=${PORT:-22379}
data="${DIR:-/tmp}/restart-$server-$keys"
case $server in
  cairn) bin=$root/bin/cairn ;;
  etcd) bin=etcd ;;
  *) echo "SERVER must be cairn or etcd" >&2; exit 2 ;;
esac
url="http://127.0.0.1:$port"
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

start() {
  ${CAIRN_OPTS:+env JDK_JAVA_OPTIONS="$CAIRN_OPTS"} "$bin" --name restart --data-dir "$data" \
    --listen-client-urls "$url" --advertise-client-urls "$url" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "restart=http://127.0.0.1:$((port + 1))" \
    --quota-backend-bytes 8589934592 >> "$data.log" 2>&1 &
  pid=$!
}
# A gRPC KV.Range of the key "key" (linearizable), framed by hand so that curl can send it.
printf '\x00\x00\x00\x00\x05\x0a\x03key' > "$data.range"
# shellcheck source=bench/scripts/first-read.sh
. "$root/bench/scripts/first-read.sh"
backend_mb() {
  local f
  for f in "$data/member/snap/db" "$data/member/snap/tree"; do
    [ -f "$f" ] && { du -m --apparent-size "$f" | cut -f1; return; }
  done
  echo "?"
}

[ "$server" = cairn ] && "$bin" --version > /dev/null # builds the jar, if stale, before timing
if [ -n "${FRESH:-}" ] || [ ! -d "$data" ]; then
  rm -rf "$data" "$data.log"
  start
  first_read_ms "$url" "$data.range" "$(now_ms)" > /dev/null
  "$root/bin/cairn-bench" put --endpoints "$url" --clients 256 --conns 16 --total "$keys" --warmup 0 \
    --key-size 32 --val-size 256 --key-space-size "$keys" --sequential-keys 2>&1 \
    | grep -E 'Requests/s|Latency' || true
  echo "loaded $keys keys: resident set $(rss_mb "$pid") MB, backend $(backend_mb) MB"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
fi
for round in $(seq "$rounds"); do
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  warm_poller
  t0=$(now_ms)
  start
  read -r ms port_ms <<< "$(first_read_ms "$url" "$data.range" "$t0")"
  echo "restart $round: first read after $ms ms (port accepting after $port_ms ms), resident set $(rss_mb "$pid") MB," \
    "backend $(backend_mb) MB"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
