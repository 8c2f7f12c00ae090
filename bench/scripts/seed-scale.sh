#!/usr/bin/env bash
# The seed's scale (issue #21): one member with the seed's --quota-backend-bytes=8589934592, filled
# with KEYS puts (KEY_SIZE-byte keys in order, VAL_SIZE-byte values, 256 clients over 16
# connections), then, one server at a time on a fresh data dir:
#   - the load's rate, the resident set (anonymous and file pages, smaps_rollup) and backend size;
#   - restart to the first answered read: SIGKILL, page cache dropped, exec to the first
#     linearizable gRPC Range answered (as bench/scripts/restart.sh times it);
#   - a full `etcdctl snapshot save` (time, file size);
#   - `etcdctl defrag` (time, backend size after);
#   - a second member added (`etcdctl member add`, empty data dir, --initial-cluster-state
#     existing): the time from its start until its revision is the first member's, which it can
#     only reach through a snapshot (the first member's log was compacted long before);
#   - any OutOfMemoryError or "out of memory" in the logs.
#
#   bench/scripts/seed-scale.sh                              # etcd, then Cairn
#   SERVERS=cairn KEYS=100000 bench/scripts/seed-scale.sh     # a quick look
#
# DIR (default /work/bench-data) holds the data dirs while a server runs; they are removed after,
# and the members' logs are kept there as seed-scale-SERVER-m0.log and -m1.log.
# Needs about three times the loaded size free (backend, snapshot, the second member's copy).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
servers=${SERVERS:-etcd cairn}
keys=${KEYS:-5000000}
key_size=${KEY_SIZE:-64}
val_size=${VAL_SIZE:-1024}
quota=8589934592
port=${PORT:-28379}
catch_up_max_s=${CATCH_UP_MAX_S:-1800}
base_dir=${DIR:-/work/bench-data}
mkdir -p "$base_dir"
dir=
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$dir" ]; then rm -rf "$dir"; fi # a bare && would end the script with status 1
}
trap cleanup EXIT
"$root/bin/cairn" --version > /dev/null
"$root/bin/cairn-bench" --version > /dev/null
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs_since() { awk -v t0="$1" -v t1="$(now_ms)" 'BEGIN { printf "%.1f", (t1 - t0) / 1000 }'; }
url_of() { echo "http://127.0.0.1:$(( port + 10 * $1 ))"; }
peer_of() { echo "http://127.0.0.1:$(( port + 10 * $1 + 1 ))"; }
ctl() { ETCDCTL_API=3 etcdctl --dial-timeout=5s --command-timeout=3600s "$@"; }

start_member() { # start_member SERVER INDEX STATE INITIAL_CLUSTER: sets member_pid
  local bin=etcd
  [ "$1" = cairn ] && bin=$root/bin/cairn
  "$bin" --name "m$2" --data-dir "$dir/m$2" --quota-backend-bytes "$quota" \
    --listen-client-urls "$(url_of "$2")" --advertise-client-urls "$(url_of "$2")" \
    --listen-peer-urls "$(peer_of "$2")" --initial-advertise-peer-urls "$(peer_of "$2")" \
    --initial-cluster "$4" --initial-cluster-token seed-scale --initial-cluster-state "$3" >> "$dir/m$2.log" 2>&1 &
  member_pid=$!
  pids+=("$member_pid")
}
# shellcheck source=bench/scripts/first-read.sh
. "$root/bench/scripts/first-read.sh"
backend_mb() { du -m --apparent-size "$dir/m$1/member/snap/db" | cut -f1; }
memory() { # memory PID
  awk '/^Rss:/ { rss = $2 } /^Anonymous:/ { anon = $2 } /^Pss_File:/ { file = $2 }
    END { printf "resident %.0f MB (anonymous %.0f, file %.0f)", rss / 1024, anon / 1024, file / 1024 }' \
    "/proc/$1/smaps_rollup"
}
revision() { # revision INDEX: the member's own revision (serializable status)
  ctl --endpoints "$(url_of "$1")" endpoint status -w json 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])' 2>/dev/null || echo 0
}

for server in $servers; do
  dir=$(mktemp -d "$base_dir/seed-scale-$server.XXXXXX")
  printf '\x00\x00\x00\x00\x05\x0a\x03key' > "$dir/range"
  echo "== $server: $keys keys of $key_size bytes, values of $val_size bytes, quota $quota bytes"
  first="m0=$(peer_of 0)"
  start_member "$server" 0 new "$first"
  pid=$member_pid
  first_read_ms "$(url_of 0)" "$dir/range" "$(now_ms)" > /dev/null
  t0=$(now_ms)
  "$root/bin/cairn-bench" put --endpoints "$(url_of 0)" --server-pids "$pid" --clients 256 --conns 16 \
    --total "$keys" --warmup 0 --key-size "$key_size" --val-size "$val_size" --key-space-size "$keys" \
    --sequential-keys 2>&1 | grep -E 'Requests/s|Latency|CPU|rror' || true
  echo "  load: $(secs_since "$t0") s; $(memory "$pid"), backend $(backend_mb 0) MB"

  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  sync; echo 3 > /proc/sys/vm/drop_caches
  warm_poller
  t0=$(now_ms)
  start_member "$server" 0 new "$first"
  pid=$member_pid
  read -r ms port_ms <<< "$(first_read_ms "$(url_of 0)" "$dir/range" "$t0")"
  echo "  restart to the first read: $ms ms (port accepting after $port_ms ms); $(memory "$pid")"

  rm -f "$dir/snapshot.db"
  t0=$(now_ms)
  ctl --endpoints "$(url_of 0)" snapshot save "$dir/snapshot.db" > "$dir/snapshot.log" 2>&1 \
    || { echo "  snapshot save FAILED:"; tail -3 "$dir/snapshot.log"; }
  echo "  snapshot save: $(secs_since "$t0") s, $(du -m --apparent-size "$dir/snapshot.db" 2>/dev/null | cut -f1) MB;" \
    "$(memory "$pid")"
  rm -f "$dir/snapshot.db"

  t0=$(now_ms)
  ctl --endpoints "$(url_of 0)" defrag > "$dir/defrag.log" 2>&1 || { echo "  defrag FAILED:"; tail -3 "$dir/defrag.log"; }
  echo "  defrag: $(secs_since "$t0") s, backend $(backend_mb 0) MB after; $(memory "$pid")"

  target=$(revision 0)
  out=$(ctl --endpoints "$(url_of 0)" member add m1 --peer-urls="$(peer_of 1)")
  initial=$(echo "$out" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
  t0=$(now_ms)
  start_member "$server" 1 existing "$initial"
  until [ "$(revision 1)" -ge "$target" ] || [ $(( $(now_ms) - t0 )) -gt $(( catch_up_max_s * 1000 )) ]; do
    sleep 0.2
  done
  if [ "$(revision 1)" -ge "$target" ]; then
    echo "  a new member caught up to revision $target: $(secs_since "$t0") s, backend $(backend_mb 1) MB;" \
      "$(memory "$member_pid")"
  else
    echo "  a new member did NOT catch up to revision $target in $catch_up_max_s s (at $(revision 1))"
  fi
  echo "  first member after it all: $(memory "$pid")"
  grep -il 'OutOfMemoryError\|out of memory' "$dir"/m*.log || echo "  no OutOfMemoryError in the logs"
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  for i in 0 1; do cp "$dir/m$i.log" "$base_dir/seed-scale-$server-m$i.log"; done
  rm -rf "$dir"
  dir=
done
