#!/usr/bin/env bash
# The main job: sets the machine up (Docker engine, offline image when no registry is
# reachable), builds, and stands up the README's demo cluster (6 nodes, 3 primaries with
# 1 replica each), prints it like Get-RedisClusterNode, writes and reads a key from the host,
# then tears it down. Pass --keep to leave it running.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$here/tools/setup.sh"
# Offline here: use the locally built image unless REDISDOCKER_IMAGE says otherwise (e.g. redis:7.4).
export REDISDOCKER_IMAGE=${REDISDOCKER_IMAGE:-redisdocker/redis:local}
dotnet run --project "$here/tools/RedisDocker.Demo" -c Release -- "$@"
