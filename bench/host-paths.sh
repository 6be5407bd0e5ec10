#!/usr/bin/env bash
# Throughput from the host to one Redis node by the two paths a client on the host can take:
# the published port (127.0.0.1:hostport, through Docker's userland proxy: works everywhere) and the
# container address (containerip:6379: only where the host routes to containers, a Linux engine on this
# host). redis-benchmark SET, CLIENTS clients, N requests, without and with pipelining (16).
#
#   bench/host-paths.sh                  N=100000 CLIENTS=20 REDISDOCKER_IMAGE=redisdocker/redis:local
#
# It makes one container (bench-hp-*, on Docker's default bridge, port published on 127.0.0.1), removes it
# at exit, and prints: path, pipeline, SET/s, ratio to the direct path. Get-RedisConnectionString -Route
# Auto gives clients the direct path where it answers, the published ports elsewhere.
set -euo pipefail
IMAGE=${REDISDOCKER_IMAGE:-redisdocker/redis:local}
N=${N:-100000}
CLIENTS=${CLIENTS:-20}
name=bench-hp-$RANDOM$RANDOM
pw=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 24)
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
docker run -d --name "$name" --label io.redisdocker.bench=host-paths -p 127.0.0.1::6379 "$IMAGE" \
  redis-server --requirepass "$pw" --save "" --appendonly no >/dev/null
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name")
port=$(docker port "$name" 6379/tcp | head -1 | sed 's/.*://')
for _ in $(seq 50); do
  REDISCLI_AUTH=$pw redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null | grep -q PONG && break
  sleep 0.2
done

# SET/s of one redis-benchmark run, or n/a when the endpoint does not answer within a second.
bench() {
  timeout 1 bash -c "</dev/tcp/$1/$2" 2>/dev/null || { echo n/a; return; }
  timeout 120 redis-benchmark -h "$1" -p "$2" -a "$pw" -c "$CLIENTS" -n "$N" -t set -P "$3" -q 2>/dev/null |
    tr '\r' '\n' | grep -o 'SET: [0-9.]*' | tail -1 | cut -d' ' -f2
}
printf '%-28s %8s %12s %8s\n' path pipeline SET/s ratio
for p in 1 16; do
  direct=$(bench "$ip" 6379 "$p")
  published=$(bench 127.0.0.1 "$port" "$p")
  ratio=n/a
  [[ $direct != n/a && $published != n/a ]] && ratio=$(awk -v a="$published" -v b="$direct" 'BEGIN { printf "%.2f", a / b }')
  printf '%-28s %8s %12s %8s\n' "direct $ip:6379" "$p" "$direct" 1.00
  printf '%-28s %8s %12s %8s\n' "published 127.0.0.1:$port" "$p" "$published" "$ratio"
done
