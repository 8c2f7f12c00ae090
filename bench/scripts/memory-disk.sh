#!/usr/bin/env bash
# Resident set and backend size through the issue #21 loads, one server at a time on a fresh data
# dir: KEYS sequential puts (32-byte keys, 256-byte values, 256 clients), then UPDATES random
# updates over the first KEYS/10 keys (64 clients), then a compaction to the current revision (and
# the time it took to answer). SETTLE_SECONDS (10) after each step: the resident set split as
# /proc/PID/smaps_rollup splits it (anonymous memory, and file pages, which are mostly the mapped
# backend and count as the kernel's page cache), the backend file's size and the part of it in use
# (etcd_mvcc_db_total_size_in_use_in_bytes: the file less its free pages), and the heap (Cairn: in
# use after a full GC, forced once the resident set is read, and what the JVM had committed before
# it; etcd: Go's heap in use, from /metrics). And the largest resident set seen during each load.
#
#   bench/scripts/memory-disk.sh                     # etcd, then Cairn, 300,000 keys
#   SERVERS=cairn KEYS=1000000 bench/scripts/memory-disk.sh
#   KEY_OPTS=--scattered-keys bench/scripts/memory-disk.sh   # keys sharing no prefix with their neighbours
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
servers=${SERVERS:-etcd cairn}
keys=${KEYS:-300000}
updates=${UPDATES:-200000}
settle_seconds=${SETTLE_SECONDS:-10}
port=${PORT:-27379}
url="http://127.0.0.1:$port"
dir=$(mktemp -d "${DIR:-/tmp}/memory-disk.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
"$root/bin/cairn" --version > /dev/null
"$root/bin/cairn-bench" --version > /dev/null
ctl() { ETCDCTL_API=3 etcdctl --endpoints "$url" "$@"; }

report() { # report SERVER STEP
  local heap resident
  sleep "$settle_seconds"
  resident=$(cat "/proc/$pid/smaps_rollup") # before the heap figure's full GC, which would shrink it
  if [ "$1" = cairn ]; then
    committed=$(jcmd "$pid" GC.heap_info | sed -n 's/.*heap .*committed \([0-9]*\)K.*/\1/p' | head -1)
    jcmd "$pid" GC.run > /dev/null
    heap=$(jcmd "$pid" GC.heap_info | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1)
    heap="$(( heap / 1024 )) MB used after a full GC, $(( committed / 1024 )) MB committed before it"
  else
    heap="$(curl -s "$url/metrics" | awk '/^go_memstats_heap_inuse_bytes/ { printf "%.0f MB Go heap in use", $2 / 1048576 }')"
  fi
  in_use=$(curl -s "$url/metrics" | awk '/^etcd_mvcc_db_total_size_in_use_in_bytes/ { printf "%.0f", $2 / 1048576 }')
  awk -v step="$2" -v heap="$heap" -v db="$(du -m --apparent-size "$dir/data/member/snap/db" | cut -f1)" -v in_use="$in_use" '
    /^Rss:/ { rss = $2 } /^Anonymous:/ { anon = $2 } /^Pss_File:/ { file = $2 }
    END { printf "  %-28s resident %4.0f MB (anonymous %4.0f, file %4.0f), backend %4d MB (in use %4d), heap %s\n",
      step, rss / 1024, anon / 1024, file / 1024, db, in_use, heap }' <<< "$resident"
}
load() { # load CLIENTS CONNS TOTAL KEYSPACE [--sequential-keys]
  local sampler peak
  # The resident set while the load runs (VmRSS, read once a second; the largest one seen), since
  # what a step leaves after SETTLE_SECONDS is not what the member holds under the load.
  echo 0 > "$dir/peak"
  (peak=0; while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$dir/peak"
    sleep 1
  done) &
  sampler=$!
  "$root/bin/cairn-bench" put --endpoints "$url" --clients "$1" --conns "$2" --total "$3" --warmup 0 \
    --key-size 32 --val-size 256 --key-space-size "$4" ${5:-} ${KEY_OPTS:-} 2>&1 | grep -E 'Requests/s' | sed 's/^ */  /'
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  peak=$(cat "$dir/peak"); rm -f "$dir/peak"
  echo "  resident set during the load: at most $(( peak / 1024 )) MB (sampled once a second)"
}
for server in $servers; do
  rm -rf "$dir/data"
  args=(--name mem --data-dir "$dir/data" --listen-client-urls "$url" --advertise-client-urls "$url"
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))"
    --initial-cluster "mem=http://127.0.0.1:$((port + 1))" --quota-backend-bytes 8589934592)
  case $server in
    etcd) etcd "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
    cairn) "$root/bin/cairn" "${args[@]}" > "$dir/$server.log" 2>&1 & ;;
  esac
  pid=$!
  until ctl get ready > /dev/null 2>&1; do sleep 0.05; done
  echo "== $server: $keys sequential keys${KEY_OPTS:+ ($KEY_OPTS)}, then $updates random updates over $((keys / 10)) keys, then compaction"
  report "$server" "started"
  load 256 16 "$keys" "$keys" --sequential-keys
  report "$server" "after $keys sequential puts"
  load 64 8 "$updates" "$((keys / 10))"
  report "$server" "after $updates random updates"
  revision=$(ctl endpoint status -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
  started_ns=$(date +%s%N)
  ctl --command-timeout=300s compaction --physical "$revision" > /dev/null
  echo "  compaction --physical answered after $(( ($(date +%s%N) - started_ns) / 1000000 )) ms"
  sleep 2
  report "$server" "after compaction"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
