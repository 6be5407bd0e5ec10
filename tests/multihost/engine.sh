#!/usr/bin/env bash
# A second (third, ...) Docker engine on this machine, in its own network namespace, so the
# tests can build multi-host Redis topologies and simulate the loss of a host.
#
#   engine.sh up     NAME [INDEX]   start (idempotent); prints the endpoints as KEY=VALUE lines
#   engine.sh down   NAME           remove its containers, stop it, delete everything it made
#   engine.sh cut    NAME           "lose the host": root-side veth down (engine unreachable)
#   engine.sh heal   NAME           root-side veth up again
#   engine.sh status NAME           KEY=VALUE lines; exit 0 up, 1 absent, 2 cut, 3 broken
#   engine.sh link   NAME           let it reach the other linked engines (Docker Swarm, overlays)
#   engine.sh unlink NAME           undo link (down does it too)
#
# NAME: 1-10 chars [a-z0-9-] (the veth names "rdkv-NAME"/"rdkp-NAME" must fit in 15 chars).
# INDEX: 0-255 (default 1): root side 10.250.INDEX.1/24, engine side 10.250.INDEX.2/24.
# Everything it creates is named after NAME:
#   netns rdk-NAME, veth rdkv-NAME (root ns) <-> rdkp-NAME (in the netns),
#   /var/lib/rdk-NAME (data-root), /run/rdk-NAME (exec-root), /run/rdk-NAME.sock,
#   /run/rdk-NAME.pid, /var/log/rdk-NAME.log, the cgroup parent /rdk-NAME of its containers,
#   static ARP entries on the veths, and the route "unreachable 10.250.INDEX.0/24 metric 4095".
# Containers of the new engine must use `--network host` (it runs with --bridge none: the
# default network gives them only a loopback, and -p is silently ignored); they then listen on
# 10.250.INDEX.2 and reach the main engine's host-network containers on 10.250.INDEX.1. Two
# extra engines cannot reach each other (the root namespace does not forward between them) unless
# both are linked: `link` adds a route to 10.250.0.0/16 via 10.250.INDEX.1 in the namespace and one
# FORWARD rule in the root namespace (`-i rdkv-NAME -o rdkv-+ -j ACCEPT`, comment rdk-NAME-link):
# only traffic from this engine's veth to another rdkv-* veth, nothing from or to other interfaces.
# Environment:
#   IMAGE=redisdocker/redis:local   image copied from the main engine into the new one
#   MAIN_DOCKER_HOST=unix:///var/run/docker.sock   the main engine (DOCKER_HOST is ignored)
#   WAIT_SECONDS=60                 how long `up` waits for the engine to answer
#   KEEP_LOG=1                      `down` keeps /var/log/rdk-NAME.log
#   TLS=1                           `up`: tcp://10.250.INDEX.2:2376 with --tlsverify instead of
#                                   plain :2375; openssl certificates in /run/rdk-NAME-tls
#                                   (client/ = DOCKER_CERT_PATH, wrong-ca/ = a client of another CA)
#
# Notes (measured on Debian 12 / docker.io 20.10, see README.md):
# - dockerd is started with `nsenter --net=...`, not `ip netns exec`: the latter also unshares
#   the mount namespace and remounts /sys, which hides the cgroup mounts ("Devices cgroup isn't
#   mounted"). The engine therefore shares the root mount namespace: its overlay/shm/nsfs mounts
#   live under /var/lib/rdk-NAME and /run/rdk-NAME, and `down` unmounts them.
# - The engine starts its own containerd (under /run/rdk-NAME/containerd), as long as no system
#   containerd listens on /run/containerd/containerd.sock; if one did, dockerd would use it and
#   host-network containers would land in the ROOT network namespace. `up` refuses in that case.
# - `--tls=false` states the intent to listen on plain tcp: without it dockerd 20.10 sleeps 16 s
#   at start ("Startup is intentionally being slowed down").
# - The tcp endpoint is plain, unauthenticated HTTP on the private veth address only; anything
#   that can route to 10.250.INDEX.2 (root-ns processes, and main-engine bridge containers via
#   the host's masquerading) can drive this engine. Test machines only.
# - While cut, the connected route of the root-side veth disappears; the "unreachable" safety
#   route (high metric, inert otherwise) keeps 10.250.INDEX.0/24 from following the default
#   route out of eth0: connects from the root ns fail with "No route to host"; established
#   connections, and connects from inside the engine, stall until their timeouts. `heal` (or `up`)
#   restores the link and its static ARP entry (see pin_neighbors).
set -euo pipefail

IMAGE=${IMAGE:-redisdocker/redis:local}
MAIN_DOCKER_HOST=${MAIN_DOCKER_HOST:-unix:///var/run/docker.sock}
WAIT_SECONDS=${WAIT_SECONDS:-60}
SAFETY_METRIC=4095
self=$(readlink -f "${BASH_SOURCE[0]}")

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
since() { local d=$(($(now_ms) - $1)); printf '%d.%03ds' $((d / 1000)) $((d % 1000)); }
log() { printf '%s engine.sh: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,14p' "$self" | sed 's/^# \{0,1\}//' >&2; exit 2; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }
need_tools() {
  local t; for t in ip nsenter dockerd docker flock timeout setsid; do
    command -v "$t" >/dev/null || die "missing $t (apt-get install -y iproute2 util-linux docker.io)"
  done
}

set_name() {
  NAME=${1:-}
  [[ $NAME =~ ^[a-z0-9][a-z0-9-]{0,9}$ ]] || die "NAME must be 1-10 chars of [a-z0-9-], starting alnum (got '${NAME}')"
  NS=rdk-$NAME
  VR=rdkv-$NAME            # root-namespace end of the veth
  VP=rdkp-$NAME            # namespace end
  NSPATH=/run/netns/$NS
  DATA=/var/lib/rdk-$NAME
  EXEC=/run/rdk-$NAME
  SOCK=/run/rdk-$NAME.sock
  PIDF=/run/rdk-$NAME.pid
  LOGF=/var/log/rdk-$NAME.log
  TLSD=/run/rdk-$NAME-tls
  DH=unix://$SOCK
}

# Serialise up/down (of every engine: the INDEX clash check needs it) on the script itself, so
# no lock file is left behind. fd 9 must not leak into dockerd (it would hold the lock forever).
take_lock() { exec 9<"$self"; flock -w 300 9 || die "could not get the lock on $self"; }

nsx() { nsenter --net="$NSPATH" -- "$@"; }          # run in the namespace (root mount ns)
have_ns() { [[ -e $NSPATH ]] && ip netns list | awk '{print $1}' | grep -qx -- "$NS"; }
have_veth() { ip link show dev "$VR" >/dev/null 2>&1; }
veth_index() {  # third octet of the 10.250.x.1 address on the root-side veth, if any
  ip -4 -o addr show dev "$VR" 2>/dev/null | awk '{print $4}' | sed -n 's#^10\.250\.\([0-9]\{1,3\}\)\.1/24$#\1#p' | head -n1
}
eng() { timeout "${DOCKER_TIMEOUT:-30}" docker -H "$DH" "$@"; }
main() { timeout "${DOCKER_TIMEOUT:-600}" docker -H "$MAIN_DOCKER_HOST" "$@"; }
answers() { DOCKER_TIMEOUT=${1:-5} eng version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# The dockerd of this engine: pidfile first, else a scan for its unique socket argument.
# (bash builtins only: a fork per process makes a /proc scan take seconds)
cmdline_names_exec() {  # does /proc/PID/cmdline have an argument that is EXEC or under it?
  local a
  while IFS= read -r -d '' a; do
    [[ $a == "$EXEC" || $a == "$EXEC"/* || $a == --exec-root="$EXEC" ]] && return 0
  done <"/proc/$1/cmdline"
  return 1
} 2>/dev/null
is_our_dockerd() {
  local pid=$1 comm
  [[ $pid =~ ^[0-9]+$ ]] && read -r comm <"/proc/$pid/comm" && [[ $comm == dockerd ]] &&
    cmdline_names_exec "$pid"
} 2>/dev/null
dockerd_pid() {
  local pid
  if [[ -r $PIDF ]]; then pid=$(<"$PIDF"); is_our_dockerd "$pid" && { echo "$pid"; return 0; }; fi
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}; is_our_dockerd "$pid" && { echo "$pid"; return 0; }
  done
  return 1
}

wait_gone() {  # wait_gone SECONDS PID... ; true when all are gone
  local deadline=$((SECONDS + $1)); shift
  while ((SECONDS < deadline)); do
    local alive=0 p; for p in "$@"; do [[ -e /proc/$p ]] && alive=1; done
    ((alive)) || return 0
    sleep 0.2
  done
  return 1
}

# Processes this engine may have left behind if dockerd died: anything in its netns, anything
# whose command line names its exec-root (containerd, shims), the shims' children, and the
# processes in the cgroups of its containers.
leftover_pids() {
  local p ids=() id d
  if have_ns; then ids+=($(ip netns pids "$NS" 2>/dev/null)); fi
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    if cmdline_names_exec "$p"; then
      ids+=("$p"); ids+=($(cat /proc/"$p"/task/*/children 2>/dev/null))
    fi
  done
  for d in $(our_cgroups); do
    ids+=($(cat "$d"/cgroup.procs 2>/dev/null))
  done
  for p in "${ids[@]}"; do [[ $p =~ ^[0-9]+$ ]] && ((p > 1 && p != $$ && p != BASHPID)) && echo "$p"; done | sort -un
}

# The engine's containers live under the cgroup parent /rdk-NAME (cgroupfs driver), on cgroup v1
# as /sys/fs/cgroup/<controller>/rdk-NAME/<id>, on v2 as /sys/fs/cgroup/rdk-NAME/<id>.
# Prints those directories, deepest first.
our_cgroups() {
  local top
  for top in /sys/fs/cgroup/"$NS" /sys/fs/cgroup/*/"$NS"; do
    [[ -d $top && ! -L $top ]] && find "$top" -depth -type d 2>/dev/null
  done
  return 0
}

# Mount points under our two directories, deepest first (mountinfo escapes spaces as \040).
our_mounts() {
  awk '{print $5}' /proc/self/mountinfo | while read -r m; do
    m=$(printf '%b' "$m")
    case $m in "$DATA"|"$DATA"/*|"$EXEC"|"$EXEC"/*) echo "$m" ;; esac
  done | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-
}

# Static (PERMANENT) ARP entries for both ends. The kernel's ARP table is shared by every
# network namespace and capped by net.ipv4.neigh.default.gc_thresh3 (1024): a few dozen
# containers of a Redis cluster on a bridge fill it, and then the first packet to a new neighbour
# is dropped ("neighbor table overflow!", connect() stalls ~30 s). Permanent entries are exempt
# from that cap, so the veth link keeps working whatever the rest of the machine does. The
# root-side entry is flushed when its veth goes down (cut), hence also called by heal.
pin_neighbors() {
  local idx=$1 mac_r mac_p
  mac_r=$(ip -o link show dev "$VR" | sed -n 's#.*link/ether \([0-9a-f:]\{17\}\).*#\1#p')
  mac_p=$(ip -n "$NS" -o link show dev "$VP" | sed -n 's#.*link/ether \([0-9a-f:]\{17\}\).*#\1#p')
  [[ -n $mac_r && -n $mac_p ]] || die "cannot read the MAC addresses of $VR/$VP"
  ip neigh replace "10.250.$idx.2" lladdr "$mac_p" dev "$VR" nud permanent
  ip -n "$NS" neigh replace "10.250.$idx.1" lladdr "$mac_r" dev "$VP" nud permanent
}

# TLS mode: a CA, a server certificate for 10.250.INDEX.2 (and 127.0.0.1), a client certificate
# (client/: ca.pem cert.pem key.pem, the DOCKER_CERT_PATH layout) and a client of another CA
# (wrong-ca/: the engine must refuse it). Made once per `up` from scratch; 2048-bit RSA, 2 days.
is_tls() { [[ -f $TLSD/server/cert.pem ]]; }
tcp_url() { if is_tls; then echo "tcp://10.250.$1.2:2376"; else echo "tcp://10.250.$1.2:2375"; fi; }
tcp_docker() {  # tcp_docker INDEX ARGS...: the docker CLI over the tcp endpoint (TLS when TLS mode)
  local idx=$1; shift
  if is_tls; then
    timeout "${DOCKER_TIMEOUT:-10}" docker --tlsverify --tlscacert "$TLSD/client/ca.pem" --tlscert "$TLSD/client/cert.pem" \
      --tlskey "$TLSD/client/key.pem" -H "$(tcp_url "$idx")" "$@"
  else timeout "${DOCKER_TIMEOUT:-10}" docker -H "$(tcp_url "$idx")" "$@"; fi
}
make_ca() {  # make_ca DIR CN
  openssl genrsa -out "$1/ca-key.pem" 2048 2>/dev/null
  openssl req -new -x509 -days 2 -key "$1/ca-key.pem" -subj "/CN=$2" -out "$1/ca.pem" 2>/dev/null
}
make_cert() {  # make_cert DIR CADIR CN EXT   (EXT: openssl extension lines)
  openssl genrsa -out "$1/key.pem" 2048 2>/dev/null
  openssl req -new -key "$1/key.pem" -subj "/CN=$3" -out "$1/csr.pem" 2>/dev/null
  printf '%s\n' "$4" >"$1/ext.cnf"
  openssl x509 -req -days 2 -in "$1/csr.pem" -CA "$2/ca.pem" -CAkey "$2/ca-key.pem" -CAcreateserial \
    -extfile "$1/ext.cnf" -out "$1/cert.pem" 2>/dev/null
  cp "$2/ca.pem" "$1/ca.pem"; rm -f "$1/csr.pem" "$1/ext.cnf"; chmod 600 "$1/key.pem"
}
make_certs() {
  local idx=$1 d=$TLSD
  command -v openssl >/dev/null || die "TLS=1 needs openssl (apt-get install -y openssl)"
  rm -rf -- "$d"; mkdir -p "$d/ca" "$d/server" "$d/client" "$d/other-ca" "$d/wrong-ca"; chmod 700 "$d"
  make_ca "$d/ca" "rdk-$NAME test CA"
  make_cert "$d/server" "$d/ca" "10.250.$idx.2" \
    "$(printf 'subjectAltName=IP:10.250.%s.2,IP:127.0.0.1\nextendedKeyUsage=serverAuth' "$idx")"
  make_cert "$d/client" "$d/ca" "rdk-$NAME client" "extendedKeyUsage=clientAuth"
  make_ca "$d/other-ca" "rdk-$NAME other CA"
  make_cert "$d/wrong-ca" "$d/other-ca" "rdk-$NAME stranger" "extendedKeyUsage=clientAuth"
  rm -f "$d"/*/ca.srl "$d"/*/*.srl
  log "made TLS certificates in $d"
}

cmd_up() {
  local idx=${1:-1} cur pid t0; t0=$(now_ms)
  [[ $idx =~ ^[0-9]{1,3}$ ]] && ((idx <= 255)) || die "INDEX must be 0-255 (got '$idx')"
  local hostip=10.250.$idx.1 engip=10.250.$idx.2
  take_lock
  local want
  want=$(DOCKER_TIMEOUT=60 main image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null) ||
    die "image $IMAGE not in the main engine ($MAIN_DOCKER_HOST); build it: tests/image/build.sh"

  # never two engines on one subnet, nor an engine whose veth already has another INDEX
  cur=$(veth_index || true)
  [[ -z $cur || $cur == "$idx" ]] || die "$NAME is already up with INDEX $cur; run down first"
  if ip -4 -o addr show to "10.250.$idx.0/24" | awk '{print $2}' | grep -vqx -- "$VR"; then
    die "10.250.$idx.0/24 is already used by: $(ip -4 -o addr show to "10.250.$idx.0/24" | awk '{print $2}' | sort -u | tr '\n' ' ')"
  fi
  if [[ -S /run/containerd/containerd.sock ]]; then
    die "a system containerd listens on /run/containerd/containerd.sock; dockerd would use it and host-network containers would not run in $NS"
  fi

  # network namespace + veth pair (IPv6 off on both ends: no link-local addresses either)
  have_ns || { ip netns add "$NS"; log "created netns $NS"; }
  if ! have_veth; then
    ip link add "$VR" type veth peer name "$VP" netns "$NS"
    log "created veth $VR <-> $VP"
  fi
  nsx ip link show dev "$VP" >/dev/null 2>&1 || die "$VR exists but $VP is not in $NS; run down first"
  if [[ -d /proc/sys/net/ipv6 ]]; then
    echo 1 >"/proc/sys/net/ipv6/conf/$VR/disable_ipv6"
    nsx sh -c "echo 1 > /proc/sys/net/ipv6/conf/$VP/disable_ipv6"
  fi
  ip addr replace "$hostip/24" dev "$VR"
  ip -n "$NS" addr replace "$engip/24" dev "$VP"
  ip link set dev "$VR" up
  ip -n "$NS" link set dev "$VP" up
  ip -n "$NS" link set dev lo up
  ip route replace unreachable "10.250.$idx.0/24" metric "$SAFETY_METRIC"
  pin_neighbors "$idx"

  # dockerd
  local want_tls=0; [[ ${TLS:-} == 1 ]] && want_tls=1
  if pid=$(dockerd_pid); then
    local have_tls=0; is_tls && have_tls=1
    ((have_tls == want_tls)) || die "$NAME is already up with TLS=$have_tls; run down first"
    log "dockerd already running (pid $pid)"
  else
    rm -f "$PIDF" "$SOCK"
    mkdir -p "$DATA" "$EXEC"
    local tcp_args=(-H "tcp://$engip:2375" --tls=false)
    rm -rf -- "$TLSD"
    if ((want_tls)); then
      make_certs "$idx"
      tcp_args=(-H "tcp://$engip:2376" --tlsverify --tlscacert "$TLSD/server/ca.pem"
        --tlscert "$TLSD/server/cert.pem" --tlskey "$TLSD/server/key.pem")
    fi
    printf '\n===== %s engine.sh up %s %s =====\n' "$(date -Is)" "$NAME" "$idx" >>"$LOGF"
    # clean environment: DOCKER_TLS_VERIFY/DOCKER_CERT_PATH/DOCKER_TMPDIR would change dockerd;
    # setsid: a Ctrl-C aimed at the caller must not reach it; cwd /: keep no mount busy.
    (cd / && exec env -i PATH="$PATH" nsenter --net="$NSPATH" -- setsid dockerd \
        --data-root "$DATA" --exec-root "$EXEC" --pidfile "$PIDF" \
        -H "unix://$SOCK" "${tcp_args[@]}" --bridge none --iptables=false --ip-masq=false \
        --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$NS" \
        </dev/null >>"$LOGF" 2>&1 9<&-) &
    pid=$!
    log "started dockerd (pid $pid) in $NS, log $LOGF"
  fi
  local deadline=$((SECONDS + WAIT_SECONDS))
  until answers 5; do
    if ! [[ -e /proc/$pid ]] || [[ $(cat /proc/"$pid"/stat 2>/dev/null | awk '{print $3}') == Z ]]; then
      tail -n 20 "$LOGF" >&2; die "dockerd exited; see $LOGF"
    fi
    ((SECONDS < deadline)) || { tail -n 20 "$LOGF" >&2; die "dockerd did not answer on $SOCK within ${WAIT_SECONDS}s"; }
    sleep 0.2
  done
  log "engine answers on $SOCK after $(since "$t0")"

  # the test image, copied from the main engine (again when it was rebuilt there)
  local have
  have=$(eng image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  if [[ $have != "$want" ]]; then
    local l0; l0=$(now_ms)
    main save "$IMAGE" | DOCKER_TIMEOUT=600 eng load -q >/dev/null
    have=$(eng image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    [[ $have == "$want" ]] || die "loading $IMAGE into $NAME failed"
    log "loaded $IMAGE in $(since "$l0")"
  fi
  local terr t1=$SECONDS
  terr=$(DOCKER_TIMEOUT=10 tcp_docker "$idx" version --format '{{.Server.Version}}' 2>&1 >/dev/null) ||
    log "WARNING: $(tcp_url "$idx") does not answer after $((SECONDS - t1))s (cut?): $terr"
  log "up in $(since "$t0")"
  print_env "$idx"
}

print_env() {
  local idx=$1
  echo "RDK_NAME=$NAME"
  echo "RDK_NETNS=$NS"
  echo "RDK_DOCKER_HOST=unix://$SOCK"
  echo "RDK_DOCKER_TCP=$(tcp_url "$idx")"
  if is_tls; then
    echo "RDK_TLS_CERT_PATH=$TLSD/client"         # ca.pem cert.pem key.pem: DOCKER_CERT_PATH
    echo "RDK_TLS_WRONG_CA_PATH=$TLSD/wrong-ca"   # a client of another CA (refused both ways)
  fi
  echo "RDK_ENGINE_ADDR=10.250.$idx.2"
  echo "RDK_HOST_ADDR=10.250.$idx.1"
}

# Safety routes (ours: unreachable, 10.250.x.0/24, our metric) whose veth is gone, e.g. after a
# down that was interrupted between deleting the veth and the route.
drop_orphan_routes() {
  local r
  for r in $(ip -4 route show type unreachable | awk -v m="$SAFETY_METRIC" '$1 == "unreachable" && $3 == "metric" && $4 == m {print $2}'); do
    [[ $r =~ ^10\.250\.[0-9]{1,3}\.0/24$ ]] || continue
    [[ -n $(ip -4 -o addr show to "$r") ]] && continue
    ip route del unreachable "$r" metric "$SAFETY_METRIC" 2>/dev/null && log "deleted orphan route unreachable $r"
  done
  return 0
}

cmd_down() {
  local pid idx p
  take_lock
  idx=$(veth_index || true)

  # 1. containers, through the engine while it answers
  if answers 5; then
    local ids; ids=$(eng ps -aq || true)
    if [[ -n $ids ]]; then
      log "removing $(wc -w <<<"$ids") container(s)"
      DOCKER_TIMEOUT=120 eng rm -f -v $ids >/dev/null || log "WARNING: docker rm -f failed"
    fi
  fi
  # 2. dockerd: SIGTERM, bounded wait, SIGKILL
  if pid=$(dockerd_pid); then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone 30 "$pid"; then log "dockerd still alive after 30s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; wait_gone 10 "$pid" || true; fi
  fi
  # 3. anything it left running (containerd, shims, containers) - normally nothing
  local left; left=$(leftover_pids)
  if [[ -n $left ]]; then
    log "terminating leftover processes: $(tr '\n' ' ' <<<"$left")"
    kill -TERM $left 2>/dev/null || true
    wait_gone 10 $left || { kill -KILL $left 2>/dev/null || true; wait_gone 10 $left || true; }
  fi
  # 4. leftover mounts under our directories only
  local m
  while read -r m; do
    [[ -n $m ]] || continue
    log "unmounting leftover $m"
    umount "$m" 2>/dev/null || umount -l "$m" || log "WARNING: cannot unmount $m"
  done < <(our_mounts)
  # 5. the (now empty) cgroups of its containers; rmdir refuses non-empty ones
  local c
  for c in $(our_cgroups); do rmdir "$c" 2>/dev/null || log "WARNING: cannot remove cgroup $c"; done
  # 6. network (the link rule first: it names the veth)
  unlink_rules
  if have_veth; then ip link del dev "$VR"; log "deleted veth $VR"; fi
  if [[ -n $idx ]]; then ip route del unreachable "10.250.$idx.0/24" metric "$SAFETY_METRIC" 2>/dev/null || true; fi
  drop_orphan_routes
  if have_ns || [[ -e $NSPATH ]]; then ip netns del "$NS" 2>/dev/null || rm -f "$NSPATH"; log "deleted netns $NS"; fi
  # 7. files: only our own paths, never across a file-system boundary, never with mounts left
  if [[ -n $(our_mounts) ]]; then die "mounts remain under $DATA or $EXEC; not deleting them: $(our_mounts | tr '\n' ' ')"; fi
  local d
  for d in "$DATA" "$EXEC" "$TLSD"; do
    [[ $d =~ ^(/var/lib|/run)/rdk-[a-z0-9][a-z0-9-]{0,9}(-tls)?$ ]] || die "refusing to delete '$d'"
    [[ -e $d ]] && { rm -rf --one-file-system -- "$d"; log "deleted $d"; }
  done
  rm -f -- "$SOCK" "$PIDF"
  [[ ${KEEP_LOG:-} == 1 ]] || rm -f -- "$LOGF"
  log "down"
}

cmd_cut() {
  have_veth || die "$NAME is not up"
  ip link set dev "$VR" down
  log "cut: $VR down"
}
cmd_heal() {
  have_veth || die "$NAME is not up"
  local idx; idx=$(veth_index) || true
  ip link set dev "$VR" up
  [[ -n $idx ]] && pin_neighbors "$idx"
  log "healed: $VR up"
}

# Forwarding between linked engines: one rule per engine, from its veth to the other engines' veths
# only (the main dockerd's FORWARD policy is DROP). iptables -w: the main dockerd edits the table too.
link_rule() { echo -i "$VR" -o 'rdkv-+' -m comment --comment "$NS-link" -j ACCEPT; }
is_linked() { iptables -w 10 -C FORWARD $(link_rule) 2>/dev/null; }
cmd_link() {
  command -v iptables >/dev/null || die "link needs iptables (apt-get install -y iptables)"
  have_veth || die "$NAME is not up"
  local idx; idx=$(veth_index) || die "$NAME has no 10.250.x.1 address"
  ip -n "$NS" route replace 10.250.0.0/16 via "10.250.$idx.1" dev "$VP"
  is_linked || iptables -w 10 -I FORWARD 1 $(link_rule)
  log "linked: $NS reaches the other linked engines (10.250.0.0/16 via 10.250.$idx.1)"
}
unlink_rules() {
  command -v iptables >/dev/null || return 0
  while iptables -w 10 -D FORWARD $(link_rule) 2>/dev/null; do log "deleted FORWARD rule $NS-link"; done
  return 0
}
cmd_unlink() {
  unlink_rules
  if have_ns; then ip -n "$NS" route del 10.250.0.0/16 2>/dev/null || true; fi
  log "unlinked $NS"
}

cmd_status() {
  local idx pid state link="" answers_unix=no answers_tcp=no containers=""
  idx=$(veth_index || true)
  have_veth && link=$(ip -o link show dev "$VR" | grep -q '[<,]UP[,>]' && echo up || echo down)
  pid=$(dockerd_pid || true)
  answers 5 && { answers_unix=yes; containers=$(eng ps -q | wc -l); }
  [[ -n $idx && $link == up ]] && DOCKER_TIMEOUT=5 tcp_docker "$idx" version >/dev/null 2>&1 && answers_tcp=yes
  if ! have_ns && ! have_veth && [[ -z $pid && ! -e $DATA && ! -e $EXEC && ! -e $TLSD ]]; then state=absent
  elif [[ $answers_unix == yes && $link == down ]]; then state=cut
  elif [[ $answers_unix == yes && $answers_tcp == yes ]]; then state=up
  else state=broken; fi
  echo "RDK_STATE=$state"
  if [[ -n $idx ]]; then print_env "$idx"; else echo "RDK_NAME=$NAME"; echo "RDK_NETNS=$NS"; fi
  echo "RDK_NETNS_PRESENT=$(have_ns && echo yes || echo no)"
  echo "RDK_VETH_LINK=${link:-absent}"
  echo "RDK_DOCKERD_PID=${pid:-}"
  echo "RDK_ANSWERS_UNIX=$answers_unix"
  echo "RDK_ANSWERS_TCP=$answers_tcp"
  echo "RDK_CONTAINERS_RUNNING=${containers}"
  echo "RDK_LINKED=$(is_linked && echo yes || echo no)"
  case $state in up) return 0 ;; absent) return 1 ;; cut) return 2 ;; *) return 3 ;; esac
}

[[ $# -ge 2 ]] || usage
cmd=$1; shift
need_root; need_tools
set_name "$1"; shift
case $cmd in
  up) [[ $# -le 1 ]] || usage; cmd_up "$@" ;;
  down|cut|heal|status|link|unlink) [[ $# -eq 0 ]] || usage; "cmd_$cmd" ;;
  *) usage ;;
esac
