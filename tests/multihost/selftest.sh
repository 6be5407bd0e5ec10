#!/usr/bin/env bash
# Checks engine.sh end to end (root; needs the image in the main engine, tests/image/build.sh):
# up from scratch, twice (idempotent); redis across the veth both ways; the tcp endpoint;
# cut/heal; down, twice, leaving nothing behind. Whole cycle ROUNDS times (default 2).
#   tests/multihost/selftest.sh [NAME [INDEX]]      (default: selftest 201)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E=$here/engine.sh
NAME=${1:-selftest} IDX=${2:-201} ROUNDS=${ROUNDS:-2}
IMAGE=${IMAGE:-redisdocker/redis:local}
SOCK=unix:///run/rdk-$NAME.sock ENG=10.250.$IDX.2 HOST=10.250.$IDX.1
MAIN_CTR=rdk-$NAME-main
fails=0
errf=$(mktemp)
ok()   { echo "ok   - $*"; }
bad()  { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
check_not() { local what=$1; shift; if "$@" >/dev/null 2>&1; then bad "$what"; else ok "$what"; fi; }
ms() { date +%s%3N; }
cleanup() { docker -H unix:///var/run/docker.sock rm -f "$MAIN_CTR" >/dev/null 2>&1; "$E" down "$NAME" >/dev/null 2>&1; }
trap 'cleanup; rm -f "$errf"' EXIT

nothing_left() {
  ! ip netns list | grep -q "^rdk-$NAME\b" &&
  ! ip link show dev "rdkv-$NAME" >/dev/null 2>&1 &&
  ! ip route | grep -q "10\.250\.$IDX\." &&
  [[ ! -e /run/rdk-$NAME && ! -e /run/rdk-$NAME.sock && ! -e /run/rdk-$NAME.pid && ! -e /var/lib/rdk-$NAME && ! -e /var/log/rdk-$NAME.log ]] &&
  ! grep -q "rdk-$NAME[/ ]" /proc/self/mountinfo &&
  ! ps -eo args | grep -v grep | grep -q -- "/run/rdk-$NAME[/ .]" &&
  ! ls -d /sys/fs/cgroup/rdk-"$NAME" /sys/fs/cgroup/*/rdk-"$NAME" >/dev/null 2>&1
}

"$E" down "$NAME" >/dev/null 2>&1
for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round"
  check "nothing of $NAME before up" nothing_left
  t0=$(ms); out=$("$E" up "$NAME" "$IDX" 2>"$errf"); rc=$?; t1=$(ms)
  grep -E 'answers|loaded|up in|WARN' "$errf" | sed 's/^/#   /'
  if ((rc == 0)); then ok "up from scratch in $((t1 - t0)) ms"; else bad "up (rc $rc)"; cat "$errf"; exit 1; fi
  check "up prints RDK_DOCKER_TCP=tcp://$ENG:2375" grep -qx "RDK_DOCKER_TCP=tcp://$ENG:2375" <<<"$out"
  check "up prints RDK_DOCKER_HOST=$SOCK" grep -qx "RDK_DOCKER_HOST=$SOCK" <<<"$out"
  t0=$(ms); out2=$("$E" up "$NAME" "$IDX" 2>/dev/null); rc=$?; t1=$(ms)
  check "second up is a no-op ($((t1 - t0)) ms) with the same output" test "$rc:$out2" == "0:$out"
  check_not "up with another INDEX is refused" "$E" up "$NAME" $((IDX + 1))
  check "veths carry only their 10.250.$IDX.x/24 (no IPv6)" bash -c \
    "[[ \$(ip -o addr show dev rdkv-$NAME | awk '{print \$3\" \"\$4}') == 'inet $HOST/24' ]] &&
     [[ \$(ip -n rdk-$NAME -o addr show dev rdkp-$NAME | awk '{print \$3\" \"\$4}') == 'inet $ENG/24' ]]"
  check "tcp endpoint answers" docker -H "tcp://$ENG:2375" version
  check "image present in the engine" docker -H "$SOCK" image inspect "$IMAGE"

  docker -H "$SOCK" run -d --network host --name rdk-test "$IMAGE" \
    redis-server --port 6390 --bind "$ENG" --protected-mode no --save '' >/dev/null
  docker rm -f "$MAIN_CTR" >/dev/null 2>&1
  docker run -d --network host --name "$MAIN_CTR" "$IMAGE" \
    redis-server --port 6391 --bind "$HOST" --protected-mode no --save '' >/dev/null
  for _ in $(seq 50); do redis-cli -h "$ENG" -p 6390 ping >/dev/null 2>&1 && redis-cli -h "$HOST" -p 6391 ping >/dev/null 2>&1 && break; sleep 0.1; done
  check "root ns -> engine container ($ENG:6390) PONG" bash -c "[[ \$(redis-cli -h $ENG -p 6390 ping) == PONG ]]"
  check "engine container -> main-engine container ($HOST:6391) PONG" bash -c \
    "[[ \$(docker -H $SOCK run --rm --network host $IMAGE redis-cli -h $HOST -p 6391 ping) == PONG ]]"
  check "engine container runs in netns rdk-$NAME" bash -c \
    "[[ \$(stat -L -c %i /proc/\$(docker -H $SOCK inspect -f '{{.State.Pid}}' rdk-test)/ns/net) == \$(stat -L -c %i /run/netns/rdk-$NAME) ]]"

  check "engine container is in cgroup parent /rdk-$NAME" bash -c \
    "grep -q ':/rdk-$NAME/' /proc/\$(docker -H $SOCK inspect -f '{{.State.Pid}}' rdk-test)/cgroup"
  check "static ARP entries on both ends" bash -c \
    "ip neigh show $ENG dev rdkv-$NAME | grep -q PERMANENT && ip -n rdk-$NAME neigh show $HOST dev rdkp-$NAME | grep -q PERMANENT"

  "$E" cut "$NAME" 2>/dev/null
  check_not "cut: redis unreachable" timeout 5 redis-cli -h "$ENG" -p 6390 ping
  check_not "cut: tcp endpoint unreachable" timeout 5 docker -H "tcp://$ENG:2375" version
  check "cut: nothing for 10.250.$IDX.0/24 leaks to the default route" bash -c "! ip route get $ENG 2>/dev/null | grep -q via"
  check "cut: unix socket still answers" docker -H "$SOCK" version
  "$E" status "$NAME" >/dev/null 2>&1; check "cut: status says cut (rc 2)" test $? -eq 2
  "$E" heal "$NAME" 2>/dev/null
  check "heal: redis reachable again" bash -c "[[ \$(redis-cli -h $ENG -p 6390 ping) == PONG ]]"
  check "heal: tcp endpoint answers again" docker -H "tcp://$ENG:2375" version
  check "heal: static ARP entry restored" bash -c "ip neigh show $ENG dev rdkv-$NAME | grep -q PERMANENT"
  check "status says up (rc 0)" "$E" status "$NAME"

  docker rm -f "$MAIN_CTR" >/dev/null
  t0=$(ms); "$E" down "$NAME" 2>/dev/null; rc=$?; t1=$(ms)
  check "down (rc $rc, $((t1 - t0)) ms)" test "$rc" -eq 0
  check "down left nothing (netns, veth, route, files, mounts, processes, cgroups)" nothing_left
  check "second down is a no-op" "$E" down "$NAME"
  "$E" status "$NAME" >/dev/null 2>&1; check "status says absent (rc 1)" test $? -eq 1
done
echo "# $fails failure(s)"
exit $((fails > 0))
