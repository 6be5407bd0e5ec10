#!/usr/bin/env bash
# The main job, through the cmdlets in PowerShell: sets the machine up (tools/setup.sh: Docker engine,
# offline image when no registry is reachable, pwsh 7.6.9), then `pwsh ./build.ps1 -Demo`: builds, stages
# the module, stands up the README's demo cluster (6 nodes, 3 primaries with 1 replica each) with
#   New-RedisNetwork | New-RedisNode -Count 6 -ClusterEnabled | New-RedisCluster -ReplicasPerPrimary 1 | Get-RedisClusterNode
# writes and reads a key from the host, runs Test-RedisCluster, and tears it down.
# Pass --keep (or -Keep) to leave it running. On a host with pwsh: ./build.ps1 -Demo [-Keep].
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$here/tools/setup.sh"
# Offline here: use the locally built image unless REDISDOCKER_IMAGE says otherwise (e.g. redis:7.4).
export REDISDOCKER_IMAGE=${REDISDOCKER_IMAGE:-redisdocker/redis:local}
args=()
for a in "$@"; do
  case $a in
    --keep) args+=(-Keep) ;;
    *) args+=("$a") ;;
  esac
done
cd "$here"
exec "$here/.tools/pwsh/pwsh" -NoLogo -NoProfile -NonInteractive -File ./build.ps1 -Demo "${args[@]}"
