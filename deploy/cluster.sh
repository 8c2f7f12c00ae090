#!/bin/sh
# Starts a local three-member Cairn cluster on loopback in one command, with the ports of etcd's
# Procfile (clients 2379, 22379, 32379; peers 2380, 22380, 32380), prints the endpoints, and stops
# every member on Ctrl-C. Each member's data lives in DIR/m1 .. DIR/m3 (DIR defaults to
# ./cluster-data) and its log in DIR/m1.log ..; a second run on the same DIR restarts the members
# on their data (etcd and Cairn then ignore --initial-cluster).
#
#   deploy/cluster.sh [DIR]
#   CAIRN_BIN=etcd deploy/cluster.sh    # the same cluster of Debian etcd members, to compare
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CAIRN_BIN:-$root/bin/cairn}
dir=${1:-./cluster-data}
token=${CLUSTER_TOKEN:-cairn-cluster-1}
host=127.0.0.1
cluster="m1=http://$host:2380,m2=http://$host:22380,m3=http://$host:32380"

mkdir -p "$dir"
if [ "$bin" = "$root/bin/cairn" ]; then
  "$bin" --version >/dev/null # builds the jar once here, not three times at once below
fi

pids=""
stop() {
  trap - INT TERM EXIT
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

for member in "m1 2379 2380" "m2 22379 22380" "m3 32379 32380"; do
  set -- $member
  "$bin" --name "$1" --data-dir "$dir/$1" \
    --listen-client-urls "http://$host:$2" --advertise-client-urls "http://$host:$2" \
    --listen-peer-urls "http://$host:$3" --initial-advertise-peer-urls "http://$host:$3" \
    --initial-cluster "$cluster" --initial-cluster-token "$token" --initial-cluster-state new \
    >"$dir/$1.log" 2>&1 &
  pids="$pids $!"
done

endpoints="http://$host:2379,http://$host:22379,http://$host:32379"
echo "members m1 m2 m3 starting (pids$pids; logs in $dir/m*.log)"
echo "endpoints: $endpoints"
echo "try: etcdctl --endpoints $endpoints endpoint status -w table"
echo "Ctrl-C stops all three."
# Returns when any member exits: then the trap stops the others.
while kill -0 $pids 2>/dev/null; do
  sleep 1
done
echo "a member exited; stopping the others (see $dir/m*.log)" >&2
exit 1
