#!/usr/bin/env bash
# Prepares a fresh Debian machine for RedisDocker's tests and demo:
#   - Debian packages: docker.io (engine), redis-server/redis-tools (binaries for the
#     offline test image, and redis-cli for the baseline benchmarks), docker-compose (the
#     Compose export is validated with it), iproute2/util-linux (a second engine in a
#     network namespace for the multi-host tests), python3;
#   - a running Docker engine (dockerd started in the background when the socket does not answer);
#   - the offline Redis test image (no registry is reachable here).
# Idempotent and bounded. Needs root for apt-get and dockerd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "[setup $(date +%T)] $*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[[ -x /usr/bin/redis-server ]] || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v ip >/dev/null 2>&1 || need+=(iproute2)          # multi-host tests: network namespaces, veth pairs
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
command -v python3 >/dev/null 2>&1 || need+=(python3)      # tests/run.sh sums the TRX results
command -v dotnet >/dev/null 2>&1 || { log "the .NET SDK (dotnet) is required"; exit 1; }
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 apt-get update -qq >/dev/null
  timeout 1200 apt-get install -y -qq "${need[@]}" >/dev/null
fi
# A packaged redis-server service is not wanted: the binaries are only copied into the image.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi

# Many containers on bridges fill the kernel's ARP table (1024 entries by default, shared by every
# namespace): "neighbor table overflow" then stalls new connections for 20-30 s. Raise the limits.
for kv in gc_thresh1=4096 gc_thresh2=8192 gc_thresh3=16384; do
  sysctl -qw "net.ipv4.neigh.default.$kv" 2>/dev/null || log "could not raise net.ipv4.neigh.default.${kv%%=*} (not fatal)"
done

if ! timeout 5 docker version >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/redisdocker-dockerd.log)"
  nohup dockerd >/var/log/redisdocker-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    timeout 5 docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  timeout 5 docker version >/dev/null 2>&1 || { log "dockerd did not answer within 60 s"; tail -20 /var/log/redisdocker-dockerd.log >&2; exit 1; }
fi
log "docker engine $(docker version -f '{{.Server.Version}} (API {{.Server.APIVersion}})')"

IMAGE=${REDISDOCKER_TEST_IMAGE:-redisdocker/redis:local} bash "$here/tests/image/build.sh" >&2

# PowerShell 7.6.9 (a .NET tool, repo-local in .tools/pwsh; no global profile is touched) and
# Pester 5.9.1 (a NuGet package whose tools/ folder is the module; restored by tools/psdeps).
# The version is named: a later pwsh may want a newer .NET runtime than this machine has.
PWSH_VERSION=7.6.9
pwsh_dir="$here/.tools/pwsh"
if ! "$pwsh_dir/pwsh" -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$PWSH_VERSION"; then
  log "installing pwsh $PWSH_VERSION into $pwsh_dir"
  rm -rf "$pwsh_dir"
  timeout 600 dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$pwsh_dir" >/dev/null
fi
pester_dir=$(bash "$here/tools/pester-path.sh")
if [[ ! -f $pester_dir/Pester.psd1 ]]; then
  log "restoring Pester 5.9.1"
  timeout 600 dotnet restore "$here/tools/psdeps/psdeps.csproj" -nologo -v q >/dev/null
fi
[[ -f $pester_dir/Pester.psd1 ]] || { log "Pester 5.9.1 was not restored to $pester_dir"; exit 1; }
log "pwsh $("$pwsh_dir/pwsh" -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'), Pester in $pester_dir"
