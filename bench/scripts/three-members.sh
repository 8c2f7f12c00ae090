#!/usr/bin/env bash
# A three-member etcd and a three-member Cairn on loopback, side by side in one cairn-bench run:
# put with 256 clients over 16 connections and put with one client, warm (after WARMUP puts), with
# each cluster's CPU per request summed over its three members (--server-pids). The commands of the
# issue #16 cluster figures (engine/README.md).
#
#   bench/scripts/three-members.sh
#   ROUNDS=1 PUTS=10000 bench/scripts/three-members.sh
#   IDLE_ONLY=1 bench/scripts/three-members.sh    # only the idle clusters' CPU
#   WARM_CLIENT=1 bench/scripts/three-members.sh  # the warm-up in the measuring client itself
# By default the warm-up is a cairn-bench of its own, and the measured puts come from a fresh one,
# whose JIT compiles on the same two cores while it measures. With WARM_CLIENT the measuring
# client makes the WARMUP puts first (--warmup, untimed, on the connections of its first round):
# its own code is compiled and the servers' connections are open when the timing starts.
# Each cluster's connections serve all its rounds; BENCH_OPTS=--new-connections-each-round opens
# them again for each round, as cairn-bench did until 2026-12-06.
# First it reads each member's CPU while both clusters sit idle: user+system time from
# /proc/PID/stat over IDLE_SECONDS (10), after IDLE_SETTLE_SECONDS (30) without requests.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-3}
puts=${PUTS:-30000}
warmup=${WARMUP:-30000}
idle_seconds=${IDLE_SECONDS:-10}
dir=$(mktemp -d "${DIR:-/tmp}/three-members.XXXXXX")
# The members are started in a process substitution (a subshell), so their pids come back in its
# output; cleanup kills those (an array filled in the subshell stayed empty, and members outlived the script).
etcd_pids=; cairn_pids=
cleanup() {
  for pid in ${etcd_pids//+/ } ${cairn_pids//+/ }; do kill "$pid" 2>/dev/null || true; done
  for pid in ${etcd_pids//+/ } ${cairn_pids//+/ }; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  rm -rf "$dir"
}
trap cleanup EXIT
"$root/bin/cairn" --version > /dev/null
"$root/bin/cairn-bench" --version > /dev/null

start_cluster() { # start_cluster NAME BINARY BASE_PORT: prints "endpoints pids", both joined by +
  local name=$1 bin=$2 base=$3 cluster="" endpoints="" member_pids=""
  for i in 0 1 2; do cluster+="${cluster:+,}$name$i=http://127.0.0.1:$((base + 10 * i + 1))"; done
  for i in 0 1 2; do
    local client="http://127.0.0.1:$((base + 10 * i))" peer="http://127.0.0.1:$((base + 10 * i + 1))"
    "$bin" --name "$name$i" --data-dir "$dir/$name$i" --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "$cluster" \
      --initial-cluster-token "$name" --initial-cluster-state new > "$dir/$name$i.log" 2>&1 &
    endpoints+="${endpoints:++}$client"
    member_pids+="${member_pids:++}$!"
  done
  echo "$endpoints $member_pids"
}
read -r etcd_endpoints etcd_pids < <(start_cluster etcd etcd 31000)
read -r cairn_endpoints cairn_pids < <(start_cluster cairn "$root/bin/cairn" 32000)
for endpoints in "$etcd_endpoints" "$cairn_endpoints"; do
  # A member that fails to start (once: etcd's "member ... has already been bootstrapped") would
  # leave this waiting for ever: give up after a minute and show the members' last log lines.
  deadline=$((SECONDS + 60))
  until ETCDCTL_API=3 etcdctl --endpoints "${endpoints//+/,}" endpoint health > /dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "three-members.sh: $endpoints not healthy after a minute" >&2
      tail -n 3 "$dir"/*.log >&2
      exit 1
    fi
    sleep 0.2
  done
done
echo "etcd: $etcd_endpoints (pids $etcd_pids)"
echo "Cairn: $cairn_endpoints (pids $cairn_pids)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
idle_cpu() { # idle_cpu PIDS: each member's CPU over IDLE_SECONDS, in % of one core
  local pids=${1//+/ } before=() i=0 out="" ticks_per_s
  ticks_per_s=$(getconf CLK_TCK)
  for pid in $pids; do before+=("$(cpu_ticks "$pid")"); done
  sleep "$idle_seconds"
  for pid in $pids; do
    out+=" $(awk -v t="$(( $(cpu_ticks "$pid") - before[i] ))" -v hz="$ticks_per_s" -v s="$idle_seconds" \
      'BEGIN { printf "%.1f%%", 100 * t / hz / s }')"
    i=$((i + 1))
  done
  echo "$out"
}
sleep "${IDLE_SETTLE_SECONDS:-30}"
echo "== idle CPU per member, % of a core over $idle_seconds s"
echo "etcd: $(idle_cpu "$etcd_pids")"
echo "Cairn: $(idle_cpu "$cairn_pids")"
[ -n "${IDLE_ONLY-}" ] && exit 0
bench() { "$root/bin/cairn-bench" put --endpoints "$etcd_endpoints,$cairn_endpoints" \
  --server-pids "$etcd_pids,$cairn_pids" --val-size 256 --key-space-size 100000 ${BENCH_OPTS-} "$@"; }
if [ -n "${WARM_CLIENT-}" ]; then
  echo "== put, 256 clients, 16 connections (after $warmup untimed puts by the same client)"
  bench --clients 256 --conns 16 --total "$puts" --warmup "$warmup" --rounds "$rounds"
  echo "== put, 1 client (after $((puts / 10)) untimed puts by the same client)"
  bench --clients 1 --conns 1 --total "$((puts / 10))" --warmup "$((puts / 10))" --rounds "$rounds"
else
  bench --clients 256 --conns 16 --total "$warmup" --warmup 0 --rounds 1 > /dev/null
  echo "== put, 256 clients, 16 connections"
  bench --clients 256 --conns 16 --total "$puts" --rounds "$rounds"
  echo "== put, 1 client"
  bench --clients 1 --conns 1 --total "$((puts / 10))" --rounds "$rounds"
fi
