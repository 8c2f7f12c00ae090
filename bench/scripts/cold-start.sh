#!/usr/bin/env bash
# A fresh member against the same member warm: etcd, Cairn without its ahead-of-time cache, and
# Cairn with it, one after another on the same machine. Each server starts on an empty data dir and
# gets, cold: 5,000 puts with one client, then 60,000 puts with 256 clients; then 100,000 puts to warm
# it; then, warm, the same two loads again. cairn-bench reports requests/s, latency and the server's
# CPU per request (--server-pids).
#
#   bench/scripts/cold-start.sh                 # all three
#   SERVERS="cairn-aot" bench/scripts/cold-start.sh
#   SERVERS="cairn-aot-eager" ...   # with the cache and -XX:+AOTCompileEagerly (experimental in JDK 25)
#   SERVERS="cairn-aot-early" ...   # with the cache and -XX:CompileThresholdScaling=0.1
#   SERVERS="cairn-aot-noreplay" ...  # with the cache's classes but not its recorded profiles (bin/cairn's
#                                     # cache records none since 2026-12-06; for a cache trained with them)
#
# The cache must exist first (bin/cairn --aot-train).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
servers=${SERVERS:-etcd cairn cairn-aot}
port=${PORT:-25379}
url="http://127.0.0.1:$port"
dir=$(mktemp -d "${DIR:-/tmp}/cold-start.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
"$root/bin/cairn" --version > /dev/null
"$root/bin/cairn-bench" --version > /dev/null
[ -f "$root/engine/target/cairn.aot" ] || { echo "no cache: run bin/cairn --aot-train first" >&2; exit 2; }

bench() { # bench LABEL CLIENTS CONNS TOTAL
  echo "$1:"
  "$root/bin/cairn-bench" put --endpoints "$url" --server-pids "$pid" --clients "$2" --conns "$3" --total "$4" \
    --warmup 0 --val-size 256 --key-space-size 100000 2>&1 | grep -E 'Requests/s|Latency|CPU' | sed 's/^/  /'
}
for server in $servers; do
  rm -rf "$dir/data"
  args=(--name cold --data-dir "$dir/data" --listen-client-urls "$url" --advertise-client-urls "$url"
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))"
    --initial-cluster "cold=http://127.0.0.1:$((port + 1))")
  case $server in
    etcd) etcd "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn) CAIRN_AOT=off "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn-aot) "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn-aot-eager) JDK_JAVA_OPTIONS="-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly" \
      "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn-aot-early) JDK_JAVA_OPTIONS="-XX:CompileThresholdScaling=0.1" \
      "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn-aot-noreplay) JDK_JAVA_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining" \
      "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
  esac
  pid=$!
  until ETCDCTL_API=3 etcdctl --endpoints "$url" get ready > /dev/null 2>&1; do sleep 0.05; done
  echo "== $server (pid $pid)"
  bench "cold, put, 1 client, first 5,000" 1 1 5000
  bench "cold, put, 256 clients, next 60,000" 256 16 60000
  "$root/bin/cairn-bench" put --endpoints "$url" --clients 256 --conns 16 --total 100000 --warmup 0 \
    --val-size 256 --key-space-size 100000 > /dev/null 2>&1
  bench "warm, put, 1 client, 5,000" 1 1 5000
  bench "warm, put, 256 clients, 60,000" 256 16 60000
  echo "  resident set $(awk '/^VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status")"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
