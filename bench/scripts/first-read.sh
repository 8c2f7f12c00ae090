# Sourced by restart.sh and seed-scale.sh: times a member's start to its first answered read.
#
# first_read_ms URL RANGE_FILE T0 prints two numbers, the milliseconds since T0 (now_ms) until the
# member at URL answers the gRPC KV.Range in RANGE_FILE with grpc-status 0, and until its client
# port first accepted a connection. The port is probed by the shell itself (bash's /dev/tcp), and
# curl runs only once it accepts. The first poller ran a curl and a grep every 5 ms from the
# launch: about 35 ms of CPU each, more than a core of this two-core machine taken from the
# server it timed, and only from one that binds its port late: etcd accepts connections before it
# serves them, so its curls waited there, while Cairn's were refused at once and run again
# (engine/README.md, "Restart: the poller's load").
#
# Needs bash and curl; call warm_poller after dropping the page cache, so that what a cold start
# times is the server's reads, not curl's.

# A FIFO nobody writes, open on fd 9: `read -t` on it waits without a process (sleep(1) is one).
first_read_tick=$(mktemp -u "${TMPDIR:-/tmp}/first-read.XXXXXX")
mkfifo "$first_read_tick"
exec 9<>"$first_read_tick"
rm -f "$first_read_tick"

first_read_pause() { read -r -t "$1" -u 9 _ || true; }

first_read_port_accepts() { # first_read_port_accepts HOST PORT
  if exec 8<>"/dev/tcp/$1/$2"; then exec 8>&-; return 0; fi 2>/dev/null
  return 1
}

warm_poller() {
  curl --version > /dev/null
  grep -q . /dev/null || true
  date > /dev/null
}

first_read_ms() { # first_read_ms URL RANGE_FILE T0
  local host_port=${1#*://} port_ms
  host_port=${host_port%%/*}
  until first_read_port_accepts "${host_port%:*}" "${host_port##*:}"; do first_read_pause 0.002; done
  port_ms=$(( $(date +%s%N) / 1000000 - $3 ))
  until curl -s -m 1 --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
      --data-binary @"$2" -D - -o /dev/null "$1/etcdserverpb.KV/Range" 2>/dev/null \
      | grep -q '^grpc-status: 0'; do
    first_read_pause 0.005
  done
  echo "$(( $(date +%s%N) / 1000000 - $3 )) $port_ms"
}
