#!/usr/bin/env bash
# What replacing a member costs: a three-member cluster is loaded with PUTS writes (cairn-bench put),
# then a follower is replaced the way an operator does it: `member remove`, data dir wiped,
# `member add` (as a learner with LEARNER=1), started with --initial-cluster-state existing; with a
# learner, `member promote` is retried until the leader finds it in sync. Each step is timed, and
# the time until the new member answers a linearizable read at its own client URL, and until its
# applied index reaches the leader's. Run it once with Cairn and once with Debian etcd:
#
#   bench/scripts/member-replace.sh                 # Cairn (bin/cairn)
#   CAIRN_BIN=etcd bench/scripts/member-replace.sh
#   SNAPSHOT_COUNT=2000 bench/scripts/member-replace.sh   # the new member catches up by snapshot
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CAIRN_BIN:-$root/bin/cairn}
puts=${PUTS:-20000}
snapshot_count=${SNAPSHOT_COUNT:-100000}
learner=${LEARNER:-0}
dir=$(mktemp -d /tmp/member-replace.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
now() { date +%s.%N; }
since() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }
ctl() { ETCDCTL_API=3 etcdctl --dial-timeout=2s --command-timeout=5s "$@"; }

"$bin" --version >/dev/null # builds the jar once here

base=43000
cluster=""
for i in 0 1 2; do cluster+="${cluster:+,}m$i=http://127.0.0.1:$((base + 10 * i + 1))"; done
start_member() { # start_member I STATE CLUSTER
  local i=$1
  "$bin" --name "m$i" --data-dir "$dir/m$i" --snapshot-count "$snapshot_count" \
    --listen-client-urls "http://127.0.0.1:$((base + 10 * i))" --advertise-client-urls "http://127.0.0.1:$((base + 10 * i))" \
    --listen-peer-urls "http://127.0.0.1:$((base + 10 * i + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((base + 10 * i + 1))" \
    --initial-cluster "$3" --initial-cluster-token bench --initial-cluster-state "$2" >> "$dir/m$i.log" 2>&1 &
  pids+=($!)
}
for i in 0 1 2; do start_member "$i" new "$cluster"; done
endpoints="http://127.0.0.1:$base,http://127.0.0.1:$((base + 10)),http://127.0.0.1:$((base + 20))"
until ctl --endpoints "$endpoints" endpoint health >/dev/null 2>&1; do sleep 0.2; done
"$root/bin/cairn-bench" put --endpoints "$endpoints" --total "$puts" --clients 16 --conns 4 --key-space-size 2000 \
  --val-size 256 2>&1 | grep -E "Requests/s:" || true

leader_endpoint=$(ctl --endpoints "$endpoints" endpoint status -w json | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["Status"]["leader"] == s["Status"]["header"]["member_id"]: print(s["Endpoint"])')
# The follower to replace: the first member that does not lead.
for i in 0 1 2; do
  if [ "http://127.0.0.1:$((base + 10 * i))" != "$leader_endpoint" ]; then victim=$i; break; fi
done
victim_url="http://127.0.0.1:$((base + 10 * victim))"
victim_id=$(ctl --endpoints "$victim_url" endpoint status -w json | python3 -c '
import json, sys; print("%x" % json.load(sys.stdin)[0]["Status"]["header"]["member_id"])')
kill -9 "${pids[$victim]}"
rm -rf "$dir/m$victim"
t=$(now); until ctl --endpoints "$leader_endpoint" member remove "$victim_id" >/dev/null 2>&1; do sleep 0.1; done
echo "member remove: $(since "$t") s"
sleep 1 # a new id takes the add's unix second: not the second the old one was added in
flags=(--peer-urls="http://127.0.0.1:$((base + 10 * victim + 1))")
[ "$learner" = 1 ] && flags+=(--learner)
t=$(now); until out=$(ctl --endpoints "$leader_endpoint" member add "m$victim" "${flags[@]}" 2>&1); do sleep 0.1; done
echo "member add: $(since "$t") s"
initial=$(echo "$out" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
t=$(now)
start_member "$victim" existing "$initial"
if [ "$learner" = 1 ]; then
  new_id=$(echo "$out" | sed -n 's/^Member *\([0-9a-f]*\) added.*/\1/p')
  until ctl --endpoints "$leader_endpoint" member promote "$new_id" >/dev/null 2>&1; do sleep 0.1; done
  echo "started to promoted: $(since "$t") s"
fi
until ctl --endpoints "$victim_url" get k >/dev/null 2>&1; do sleep 0.05; done
echo "started to a linearizable read at the new member: $(since "$t") s"
applied() { ctl --endpoints "$1" endpoint status -w json | python3 -c '
import json, sys; print(json.load(sys.stdin)[0]["Status"].get("raftAppliedIndex", 0))'; }
target=$(applied "$leader_endpoint")
until [ "$(applied "$victim_url")" -ge "$target" ]; do sleep 0.05; done
echo "started to applied index $target: $(since "$t") s"
grep -cE "received and saved database snapshot|applied incoming snapshot" "$dir/m$victim.log" | sed 's/^/snapshots received: /'
ctl --endpoints "$endpoints" endpoint status -w table
