#!/usr/bin/env bash
# A Docker Swarm of extra engines (engine.sh), never of the main engine.
#
#   swarm.sh up   MANAGER WORKER...  link the engines, `swarm init` on MANAGER, `swarm join` the workers
#                                    (each engine must be up already); prints KEY=VALUE lines:
#                                    RDK_SWARM_MANAGER=tcp://10.250.I.2:2375 and, per engine,
#                                    RDK_SWARM_NODE_<name>=<swarm node id> (name with '-' as '_')
#   swarm.sh down NAME...            `swarm leave --force` on each engine that is in a swarm, unlink
#
# The swarm's default address pool is 172.29.0.0/16 (/24 each: the ingress network), so nothing of it
# is outside 172.16.0.0/12; it lives in the engines' network namespaces only. Ports 2377 (control),
# 7946 (gossip) and 4789/udp (VXLAN) are the engines' own 10.250.I.2; the root namespace forwards
# between linked engines only (engine.sh link).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf '%s swarm.sh: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sock() { echo "unix:///run/rdk-$1.sock"; }
dk() { local n=$1; shift; timeout 30 docker -H "$(sock "$n")" "$@"; }
addr() {  # the engine-side address 10.250.I.2 of an engine that is up
  "$here/engine.sh" status "$1" | sed -n 's/^RDK_ENGINE_ADDR=//p'
}
state() { dk "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

cmd_up() {
  local manager=$1; shift
  local n a maddr token
  for n in "$manager" "$@"; do "$here/engine.sh" link "$n"; done
  maddr=$(addr "$manager"); [[ -n $maddr ]] || die "$manager is not up"
  if [[ $(state "$manager") != active ]]; then
    dk "$manager" swarm init --advertise-addr "$maddr" --listen-addr "$maddr:2377" \
      --default-addr-pool 172.29.0.0/16 >/dev/null
    log "swarm initialised on $manager ($maddr)"
  fi
  token=$(dk "$manager" swarm join-token -q worker)
  for n in "$@"; do
    [[ $(state "$n") == active ]] && continue
    a=$(addr "$n"); [[ -n $a ]] || die "$n is not up"
    dk "$n" swarm join --advertise-addr "$a" --listen-addr "$a:2377" --token "$token" "$maddr:2377" >/dev/null
    log "$n ($a) joined as a worker"
  done
  echo "RDK_SWARM_MANAGER=tcp://$maddr:2375"
  for n in "$manager" "$@"; do
    echo "RDK_SWARM_NODE_${n//-/_}=$(dk "$n" info --format '{{.Swarm.NodeID}}')"
  done
}

cmd_down() {
  local n
  for n in "$@"; do   # workers first when given last-to-first; any order works with --force
    if [[ -S /run/rdk-$n.sock ]] && [[ $(state "$n") != inactive ]]; then
      dk "$n" swarm leave --force >/dev/null 2>&1 || log "WARNING: $n did not leave the swarm"
      log "$n left the swarm"
    fi
    "$here/engine.sh" unlink "$n"
  done
}

[[ $# -ge 2 ]] || { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cmd=$1; shift
case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  *) die "unknown command $cmd" ;;
esac
