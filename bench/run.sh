#!/usr/bin/env bash
# RedisDocker benchmarks: for each scenario, runs the manual baseline (bash + docker CLI +
# redis-cli, in $BASELINE_DIR) and the module's own scenario (bench/RedisDocker.Bench) in the
# same run, then prints a table: figure, module ms, baseline ms, ratio (module / baseline).
#
#   bench/run.sh [--quick] [--nodes 6,12,24,48] [--no-baseline] [--no-setup] [--raise-arp-limits] [scenario ...]
#   RUNS=1 bench/run.sh --quick cluster-create
#
# Scenarios: floor cluster-create cluster-failover sentinel-failover (default: all four), and
# split-brain (module only, named explicitly: partition / docker pause of a Sentinel primary, writes lost).
# Env: RUNS (default 3), BASELINE_DIR (default <repo>/../shared/baseline), REDISDOCKER_IMAGE
# (default redisdocker/redis:local), N_RUN / N_NET (floor repetitions, default 10 / 5),
# BIG_RUNS (runs for cluster sizes over 12, default 1: min(RUNS, BIG_RUNS)),
# SCENARIO_TIMEOUT (seconds per side of a scenario, default 900).
# Writes bench/results/<timestamp>.txt (raw lines + table) and <timestamp>.log (progress).
# Everything the runs create is named bench-* (module) or bl-* (baseline) and removed afterwards.
# A cluster of n containers on one Linux host needs about n*(n-1) entries in the kernel's neighbour
# (ARP) table, which all network namespaces share (net.ipv4.neigh.default.gc_thresh3, default
# 1024): 48 nodes need ~2256. --raise-arp-limits (root) raises gc_thresh2/3 for the run and
# restores them at exit; without it the run only warns.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BASELINE_DIR=${BASELINE_DIR:-$repo/../shared/baseline}
RUNS=${RUNS:-3}
N_RUN=${N_RUN:-10}
N_NET=${N_NET:-5}
BIG_RUNS=${BIG_RUNS:-1}
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-900}
export REDISDOCKER_IMAGE=${REDISDOCKER_IMAGE:-redisdocker/redis:local}
export IMAGE=${IMAGE:-$REDISDOCKER_IMAGE}          # the baseline scripts' image variable
all_scenarios=(floor cluster-create cluster-failover sentinel-failover)

nodes="6,12,24,48"; baseline=1; setup=1; raise_arp=${RAISE_ARP_LIMITS:-0}; scenarios=()
while (($#)); do
  case $1 in
    --quick) nodes="6,12" ;;
    --nodes) nodes=${2:?--nodes needs a list like 6,12}; shift ;;
    --no-baseline) baseline=0 ;;
    --no-setup) setup=0 ;;
    --raise-arp-limits) raise_arp=1 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    all) scenarios+=("${all_scenarios[@]}") ;;
    floor|cluster-create|cluster-failover|sentinel-failover|split-brain) scenarios+=("$1") ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#scenarios[@]})) || scenarios=("${all_scenarios[@]}")
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }

mkdir -p "$here/results"
stamp=$(date +%Y%m%d-%H%M%S)
out="$here/results/$stamp.txt"
logf="$here/results/$stamp.log"
work=$(mktemp -d /tmp/bench-run.XXXXXX)
log() { echo "[bench $(date +%T)] $*" | tee -a "$logf" >&2; }

watch_pid=""
# --- safety net: only what these runs create (bench-* from the module, bl-* from the baseline) ---
cleanup_leftovers() {
  local c v n
  c=$(docker ps -aq --filter "name=^/bench-" --filter "label=io.redisdocker.managed=true" 2>/dev/null)
  [[ -n $c ]] && { log "removing leftover bench containers"; docker rm -f -v $c >/dev/null 2>&1; }
  v=$(docker volume ls -q --filter "label=io.redisdocker.managed=true" 2>/dev/null | grep '^bench-' || true)
  [[ -n $v ]] && { log "removing leftover bench volumes"; docker volume rm -f $v >/dev/null 2>&1; }
  n=$(docker network ls -q --filter "name=^bench-" --filter "label=io.redisdocker.managed=true" 2>/dev/null)
  [[ -n $n ]] && { log "removing leftover bench networks"; docker network rm $n >/dev/null 2>&1; }
  return 0
}
# The baseline scripts clean up after themselves (EXIT trap); only when one of them died abnormally
# are its own leftovers (its prefix: bl-fl-, bl-cc-, bl-cf-, bl-sf-) removed here, so that a baseline
# run by someone else at the same time is not disturbed.
cleanup_baseline_leftovers() {   # cleanup_baseline_leftovers SCENARIO
  local pfx c n
  case $1 in floor) pfx=bl-fl- ;; cluster-create) pfx=bl-cc- ;; cluster-failover) pfx=bl-cf- ;; sentinel-failover) pfx=bl-sf- ;; *) return 0 ;; esac
  c=$(docker ps -aq --filter "name=^/$pfx" 2>/dev/null)
  [[ -n $c ]] && { log "removing leftover $pfx* containers"; docker rm -f $c >/dev/null 2>&1; }
  n=$(docker network ls -q --filter "name=^$pfx" 2>/dev/null)
  [[ -n $n ]] && docker network rm $n >/dev/null 2>&1
  return 0
}

# The baseline's `docker run` of an image with VOLUME /data makes an anonymous volume per container
# that its `docker rm -f` (without -v) leaves behind. Record which volumes bl-* containers mount
# (docker events, no polling) and remove exactly those afterwards.
watch_start() {
  docker events --filter type=container --filter type=volume --filter event=create --filter event=mount \
    --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "name"}} {{index .Actor.Attributes "container"}}' \
    >"$work/events-$1.txt" 2>/dev/null &
  watch_pid=$!
  sleep 0.3
}
watch_stop_and_clean() {
  [[ -n $watch_pid ]] && { kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null; watch_pid=""; }
  local vols v removed=0
  vols=$(awk '$1=="container" && $2=="create" && $4 ~ /^bl-/ {c[$3]=1}
              $1=="volume" && $2=="mount" {m[$3]=$4}
              END {for (v in m) if (m[v] in c) print v}' "$work/events-$1.txt" 2>/dev/null | sort -u)
  for v in $vols; do
    [[ $v =~ ^[0-9a-f]{64}$ ]] || continue
    docker volume rm "$v" >/dev/null 2>&1 && removed=$((removed + 1))
  done
  ((removed)) && log "removed $removed anonymous volume(s) left by the baseline's bl-* containers"
  return 0
}

arp_saved=""; arp_note="unchanged"
arp_restore() {
  [[ -n $arp_saved ]] || return 0
  local t2 t3 s2 s3 c2 c3; read -r t2 t3 s2 s3 <<<"$arp_saved"
  arp_saved=""
  c2=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh2); c3=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
  # only when nobody else changed them meanwhile
  if [[ $c2 == "$s2" && $c3 == "$s3" ]]; then
    sysctl -qw net.ipv4.neigh.default.gc_thresh3="$t3" net.ipv4.neigh.default.gc_thresh2="$t2" \
      && log "restored net.ipv4.neigh.default.gc_thresh2/3 to $t2/$t3"
  else
    log "net.ipv4.neigh.default.gc_thresh2/3 were changed by someone else during the run ($c2/$c3): left as they are"
  fi
}
on_exit() {
  [[ -n $watch_pid ]] && watch_stop_and_clean "${current:-x}"
  cleanup_leftovers
  arp_restore
  rm -rf "$work"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- build, setup ---------------------------------------------------------------------------
log "building bench/RedisDocker.Bench (Release)"
dotnet build "$here/RedisDocker.Bench/RedisDocker.Bench.csproj" -c Release -nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; log "build failed"; exit 1; }
dll="$here/RedisDocker.Bench/bin/Release/net10.0/RedisDocker.Bench.dll"
if ((setup)); then
  log "tools/setup.sh"
  bash "$repo/tools/setup.sh" 2>&1 | tee -a "$logf" >&2 || { log "setup failed"; exit 1; }
fi
if ((baseline)) && [[ ! -x $BASELINE_DIR/floor.sh ]]; then
  log "no baseline scripts in $BASELINE_DIR: module figures only"; baseline=0
fi
cleanup_leftovers

# --- the host's neighbour table vs the largest cluster --------------------------------------
if [[ " ${scenarios[*]} " == *" cluster-create "* && -r /proc/sys/net/ipv4/neigh/default/gc_thresh3 ]]; then
  biggest=$(tr ',' '\n' <<<"$nodes" | sort -n | tail -1)
  need=$(( biggest * (biggest - 1) + 512 ))
  t2=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh2); t3=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
  if (( t3 < need )); then
    if ((raise_arp)); then
      new3=$(( need * 2 )); new2=$(( need > t2 ? need : t2 ))
      if sysctl -qw net.ipv4.neigh.default.gc_thresh2="$new2" net.ipv4.neigh.default.gc_thresh3="$new3"; then
        arp_saved="$t2 $t3 $new2 $new3"; arp_note="raised for the run from $t2/$t3 to $new2/$new3 (gc_thresh2/3)"
        log "raised net.ipv4.neigh.default.gc_thresh2/3 from $t2/$t3 to $new2/$new3 for this run (a $biggest-node cluster needs ~$((biggest * (biggest - 1))) neighbour entries); restored at exit"
      else
        log "WARNING: could not raise the neighbour table limits (root needed)"
      fi
    else
      log "WARNING: net.ipv4.neigh.default.gc_thresh3=$t3 is below the ~$need neighbour entries a $biggest-node cluster needs on one host: expect it to fail ('neighbor table overflow' in dmesg). Use --raise-arp-limits to raise it for the run."
    fi
  fi
fi

# --- run ------------------------------------------------------------------------------------
for s in "${scenarios[@]}"; do
  current=$s
  : >"$work/bl-$s.out"; : >"$work/mod-$s.out"
  if ((baseline)) && [[ $s != split-brain ]]; then   # split-brain: module only (no manual baseline)
    log "baseline $s.sh (RUNS=$RUNS)"
    watch_start "$s"
    RUNS=$RUNS N_RUN=$N_RUN N_NET=$N_NET timeout "$SCENARIO_TIMEOUT" "$BASELINE_DIR/$s.sh" \
      >"$work/bl-$s.out" 2> >(tee -a "$logf" >&2)
    rc=$?; ((rc)) && { log "baseline $s.sh exited with $rc"; cleanup_baseline_leftovers "$s"; }
    watch_stop_and_clean "$s"
  fi
  args=(--scenario "$s" --runs "$RUNS" --timeout-min $(( (SCENARIO_TIMEOUT - 30) / 60 )))
  case $s in
    floor) args+=(--floor-node-runs "$N_RUN" --floor-net-runs "$N_NET") ;;
    cluster-create) args+=(--nodes "$nodes" --big-runs "$BIG_RUNS") ;;
  esac
  log "module $s (${args[*]})"
  timeout "$SCENARIO_TIMEOUT" dotnet "$dll" "${args[@]}" >"$work/mod-$s.out" 2> >(tee -a "$logf" >&2)
  rc=$?; ((rc)) && log "module $s exited with $rc"
  cleanup_leftovers
done
current=""

# --- table ----------------------------------------------------------------------------------
declare -A M=() B=()
load() {   # load FILE ARRAY
  local -n arr=$2
  local line k v
  while IFS= read -r line; do
    [[ $line =~ ^([A-Za-z0-9_]+):\ (.*)$ ]] || continue
    k=${BASH_REMATCH[1]}; v=${BASH_REMATCH[2]}
    [[ $k == runs ]] && continue
    arr[$k]=$v
  done <"$1"
}
for s in "${scenarios[@]}"; do load "$work/mod-$s.out" M; load "$work/bl-$s.out" B; done

isnum() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }
# derived baseline figures
if isnum "${B[cc_cluster_create_cmd_ms]:-x}" && isnum "${B[cc_create_end_to_all_ok_ms]:-x}"; then
  B[cc_create_cmd_plus_converge_ms]=$(awk -v a="${B[cc_cluster_create_cmd_ms]}" -v b="${B[cc_create_end_to_all_ok_ms]}" 'BEGIN{printf "%.1f", a+b}')
fi
for d in 5000 1000; do
  w=${B[sf${d}_restart_old_primary_writable_at_ms]:-x}; r=${B[sf${d}_restart_to_old_primary_replica_of_new_ms]:-x}
  if isnum "$w" && isnum "$r"; then
    B[sf${d}_restart_old_primary_writable_window_ms]=$(awk -v a="$w" -v b="$r" 'BEGIN{printf "%.1f", b-a}')
  elif [[ $w == NA ]]; then B[sf${d}_restart_old_primary_writable_window_ms]=0; fi
done

# module figure | baseline figure ("" = none) — pairs that mean the same thing
pairs=(
  "floor_module_network_create_ms|floor_network_create_ms"
  "floor_module_network_rm_ms|floor_network_rm_ms"
  "floor_module_node_create_to_ready_ms|floor_docker_run_to_ping_published_port_ms"
  "floor_module_node_remove_ms|floor_docker_rm_f_ms"
)
IFS=, read -r -a sizes <<<"$nodes"
for n in "${sizes[@]}"; do
  if [[ $n == 6 ]]; then
    pairs+=("cc6_network_create_ms|cc_network_create_ms" "cc6_start_to_all_nodes_ready_ms|cc_start_to_all_ping_ms"
            "cc6_cluster_create_to_all_ok_ms|cc_create_cmd_plus_converge_ms"
            "cc6_total_start_to_all_nodes_ok_ms|cc_total_start_to_all_nodes_ok_ms" "cc6_teardown_ms|cc_teardown_ms")
  else
    pairs+=("cc${n}_start_to_all_nodes_ready_ms|" "cc${n}_cluster_create_to_all_ok_ms|" "cc${n}_total_start_to_all_nodes_ok_ms|" "cc${n}_teardown_ms|")
  fi
done
pairs+=(
  "cf_module_coordinated_failover_ms|"
  "cf_module_forced_kill_to_failover_returned_ms|"
  "cf_module_forced_kill_to_write_ok_ms|cf_kill_to_first_write_ok_ms"
  "cf_module_auto_kill_to_write_ok_ms|cf_kill_to_first_write_ok_ms"
  "cf_module_restart_to_ready_ms|cf_restart_to_answering_ms"
  "cf_module_restart_to_cluster_all_ok_ms|cf_restart_to_cluster_all_ok_ms"
)
for d in 5000 1000; do
  pairs+=(
    "sf${d}_module_setup_start_to_all_sentinels_ok_ms|sf${d}_setup_start_to_all_sentinels_ok_ms"
    "sf${d}_module_kill_to_failover_returned_ms|sf${d}_kill_to_get_master_addr_new_ms"
    "sf${d}_module_kill_to_client_write_ok_ms|sf${d}_kill_to_client_write_ok_via_sentinel_ms"
    "sf${d}_module_restart_to_old_primary_answers_ms|sf${d}_restart_to_old_primary_answers_ms"
    "sf${d}_module_restart_old_primary_writable_at_ms|sf${d}_restart_old_primary_writable_at_ms"
    "sf${d}_module_restart_old_primary_writable_window_ms|sf${d}_restart_old_primary_writable_window_ms"
    "sf${d}_module_restart_to_old_primary_replica_of_new_ms|sf${d}_restart_to_old_primary_replica_of_new_ms"
    "sf${d}_module_restart_to_old_primary_synced_ms|sf${d}_restart_to_old_primary_synced_ms"
    "sf${d}_module_coordinated_failover_ms|"
    "sf${d}_module_teardown_ms|sf${d}_teardown_ms"
  )
done

table() {
  local fmt='%-56s %14s %14s %7s  %s\n' p mk bk mv bv ratio k
  declare -A shown=()
  printf "$fmt" "figure (module)" "module ms" "baseline ms" "ratio" "baseline figure"
  printf "$fmt" "$(printf '%.0s-' {1..56})" "--------------" "--------------" "-------" "---------------"
  for p in "${pairs[@]}"; do
    mk=${p%%|*}; bk=${p#*|}
    [[ -n ${M[$mk]+x} ]] || continue
    shown[$mk]=1
    mv=${M[$mk]}; bv="n/a"
    [[ -n $bk && -n ${B[$bk]+x} ]] && bv=${B[$bk]}
    ratio="n/a"
    if isnum "$mv" && isnum "$bv" && awk -v b="$bv" 'BEGIN{exit !(b>0)}'; then
      ratio=$(awk -v a="$mv" -v b="$bv" 'BEGIN{printf "%.2f", a/b}')
    fi
    printf "$fmt" "$mk" "$mv" "$bv" "$ratio" "${bk:-}"
  done
  # every other module figure (module-only: larger clusters, cold first calls...), then the
  # module's non-numeric outcomes (checks, errors) as notes
  local notes=()
  for s in "${scenarios[@]}"; do
    while IFS= read -r line; do
      [[ $line =~ ^([A-Za-z0-9_]+):\ (.*)$ ]] || continue
      k=${BASH_REMATCH[1]}
      [[ $k == runs || $k == *_raw_ms || $k == *_raw || -n ${shown[$k]+x} ]] && continue
      shown[$k]=1
      if isnum "${M[$k]}" || [[ ${M[$k]} == NA ]]; then printf "$fmt" "$k" "${M[$k]}" "n/a" "n/a" ""
      else notes+=("$k: ${M[$k]}"); fi
    done <"$work/mod-$s.out"
  done
  if ((${#notes[@]})); then
    echo; echo "module checks and notes:"
    printf '  %s\n' "${notes[@]}"
  fi
}

scaling() {
  local n t base=""
  isnum "${M[cc6_total_start_to_all_nodes_ok_ms]:-x}" && base=${M[cc6_total_start_to_all_nodes_ok_ms]}
  printf '%-8s %14s %14s %12s %14s\n' "nodes" "total ms" "ms per node" "vs 6 nodes" "teardown ms"
  for n in "${sizes[@]}"; do
    t=${M[cc${n}_total_start_to_all_nodes_ok_ms]:-}
    isnum "${t:-x}" || continue
    printf '%-8s %14s %14s %12s %14s\n' "$n" "$t" "$(awk -v t="$t" -v n="$n" 'BEGIN{printf "%.1f", t/n}')" \
      "$([[ -n $base ]] && awk -v t="$t" -v b="$base" 'BEGIN{printf "%.2fx", t/b}' || echo n/a)" "${M[cc${n}_teardown_ms]:-NA}"
  done
}

{
  echo "# RedisDocker benchmarks $(date -Iseconds)"
  echo "# repo $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?') | RUNS=$RUNS | scenarios: ${scenarios[*]} | cluster sizes: $nodes | image: $REDISDOCKER_IMAGE"
  echo "# host: $(nproc) cores, $(docker version -f 'docker {{.Server.Version}}' 2>/dev/null), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# baseline: $( ((baseline)) && echo "$BASELINE_DIR" || echo "not run") | kernel neighbour table: $arp_note"
  for s in "${scenarios[@]}"; do
    echo; echo "## baseline $s.sh"; cat "$work/bl-$s.out"
    echo; echo "## module $s"; cat "$work/mod-$s.out"
  done
  echo; echo "## table (medians; ratio = module / baseline; n/a = no baseline figure)"
  table
  if [[ " ${scenarios[*]} " == *" cluster-create "* ]]; then
    echo; echo "## cluster-create scaling (module)"; scaling
  fi
} >"$out"

sed -n '/^## table/,$p' "$out"
log "written $out (progress log: $logf)"
