#!/usr/bin/env bash
# What TLS between peers costs: a three-member cluster with http:// peer URLs and one with https://
# peer URLs (etcd's peer TLS flags, --peer-client-cert-auth), both with http client URLs, measured
# side by side by cairn-bench (rounds alternate between the two; server CPU summed over each
# cluster's three members). Run it once with Cairn and once with Debian etcd:
#
#   bench/scripts/peer-tls.sh            # Cairn (bin/cairn)
#   CAIRN_BIN=etcd bench/scripts/peer-tls.sh
#
# Certificates are made here with openssl (a CA and one member certificate for 127.0.0.1) and
# removed with the data at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CAIRN_BIN:-$root/bin/cairn}
dir=$(mktemp -d /tmp/peer-tls.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

certs=$dir/certs
mkdir -p "$certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
  -keyout "$certs/ca.key" -out "$certs/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=member \
  -keyout "$certs/member.key" -out "$certs/member.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$certs/ext.cnf"
openssl x509 -req -in "$certs/member.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -CAcreateserial -days 2 \
  -extfile "$certs/ext.cnf" -out "$certs/member.pem" 2>/dev/null
tls_flags=(--peer-cert-file "$certs/member.pem" --peer-key-file "$certs/member.key"
  --peer-trusted-ca-file "$certs/ca.pem" --peer-client-cert-auth)

"$bin" --version >/dev/null # builds the jar once here, not six times at once below

# start_cluster NAME SCHEME BASE_PORT [extra flags...]: members on BASE+{0,1,2}0 (client) and +{0,1,2}1 (peer)
start_cluster() {
  local name=$1 scheme=$2 base=$3; shift 3
  local cluster="" i
  for i in 0 1 2; do
    cluster+="${cluster:+,}$name$i=$scheme://127.0.0.1:$((base + 10 * i + 1))"
  done
  for i in 0 1 2; do
    "$bin" --name "$name$i" --data-dir "$dir/$name$i" \
      --listen-client-urls "http://127.0.0.1:$((base + 10 * i))" --advertise-client-urls "http://127.0.0.1:$((base + 10 * i))" \
      --listen-peer-urls "$scheme://127.0.0.1:$((base + 10 * i + 1))" \
      --initial-advertise-peer-urls "$scheme://127.0.0.1:$((base + 10 * i + 1))" \
      --initial-cluster "$cluster" --initial-cluster-token "$name" --initial-cluster-state new "$@" \
      > "$dir/$name$i.log" 2>&1 &
    pids+=($!)
  done
}

start_cluster plain http 41000
start_cluster tls https 42000 "${tls_flags[@]}"
plain="http://127.0.0.1:41000+http://127.0.0.1:41010+http://127.0.0.1:41020"
tls="http://127.0.0.1:42000+http://127.0.0.1:42010+http://127.0.0.1:42020"
for endpoint in ${plain//+/ } ${tls//+/ }; do
  for _ in $(seq 1 100); do
    etcdctl --endpoints "$endpoint" put warm-up 1 >/dev/null 2>&1 && break
    sleep 0.2
  done
done
plain_pids="${pids[0]}+${pids[1]}+${pids[2]}"
tls_pids="${pids[3]}+${pids[4]}+${pids[5]}"

"$root/bin/cairn-bench" put --endpoints "$plain,$tls" --clients 256 --conns 16 --total 30000 --rounds 3 \
  --server-pids "$plain_pids,$tls_pids"
"$root/bin/cairn-bench" put --endpoints "$plain,$tls" --clients 1 --conns 1 --total 3000 --rounds 3 \
  --server-pids "$plain_pids,$tls_pids"
