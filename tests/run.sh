#!/usr/bin/env bash
# Runs every test suite: sets the machine up (tools/setup.sh: Docker engine, offline image, pwsh 7.6.9,
# Pester 5.9.1), builds, checks the MAML help, stages and packages the module (pwsh ./build.ps1 -NoBuild
# -Package), runs the xunit suites (unit + real-Docker integration + module metadata + help + hosted PowerShell), then the Pester suites in pwsh
# (tests/pester, docs/examples), and prints the totals over all of them alone on the last line:
#   N passed, N failed[, N skipped]
# Exit code 0 only when nothing failed and at least one test ran.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash tools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

# Leftovers are removed by label, saying what they were: before the suites (an earlier run that was killed
# part-way leaves its topologies and extra engines behind, and the documentation examples refuse to start
# beside names they create) and after them (leftovers of this run are a bug of a test: reported, then removed).
remove_leftovers() {  # $1: what the leftovers are, for the report
  local left n
  left=$(docker ps -aq --filter label=io.redisdocker.managed=true | wc -l)
  if (( left > 0 )); then
    echo "WARNING: $1 left $left managed container(s) behind; removing them:" >&2
    docker ps -a --filter label=io.redisdocker.managed=true --format '  {{.Names}} ({{.Label "io.redisdocker.topology"}}, {{.Status}})' >&2
    docker ps -aq --filter label=io.redisdocker.managed=true | xargs -r docker rm -f >/dev/null
  fi
  docker volume ls -q --filter label=io.redisdocker.managed=true | xargs -r docker volume rm -f >/dev/null
  docker network ls -q --filter label=io.redisdocker.managed=true | xargs -r docker network rm >/dev/null
  for n in /run/rdk-*.sock; do   # extra engines of tests/multihost (engine.sh), never the main engine
    [[ -S $n ]] || continue
    n=${n#/run/rdk-}; n=${n%.sock}
    echo "WARNING: $1 left the extra engine $n up; bringing it down" >&2
    bash tests/multihost/swarm.sh down "$n" >/dev/null 2>&1 || true
    bash tests/multihost/engine.sh down "$n" >/dev/null 2>&1 || true
  done
}
remove_leftovers "an earlier, interrupted run"

export REDISDOCKER_TEST_IMAGE=${REDISDOCKER_TEST_IMAGE:-redisdocker/redis:local}
export REDISDOCKER_IMAGE=$REDISDOCKER_TEST_IMAGE
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build RedisDocker.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
# The MAML help must match its markdown sources.
dotnet run --project tools/RedisDocker.HelpGen -c Release --no-build -- --docs docs/help --out en-US --check || help_failed=1
pwsh=$here/.tools/pwsh/pwsh
"$pwsh" -NoLogo -NoProfile -NonInteractive -File build.ps1 -NoBuild -Package || { echo "0 passed, 1 failed"; exit 1; }

suites=(tests/RedisDocker.Core.Tests tests/RedisDocker.Module.Tests tests/RedisDocker.HelpGen.Tests tests/RedisDocker.Hosting.Tests)
status=0
for s in "${suites[@]}"; do
  [[ -d $s ]] || continue
  name=$(basename "$s")
  timeout 3600 dotnet test "$s" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" ${TEST_FILTER:+--filter "$TEST_FILTER"} || status=1
done

# The Pester suites, in real pwsh, against the staged module (plain text; NUnit XML + totals file).
# Skipped Pester tests count as failures (the runner says which).
timeout 3600 "$pwsh" -NoLogo -NoProfile -NonInteractive -File tests/pester/Invoke-PesterSuites.ps1 \
  -ModulePath out/RedisDocker -ResultPath "$results/pester.xml" ${PESTER_PATH:+-Path "$PESTER_PATH"} || status=1
if [[ -f $results/pester.xml.totals ]]; then
  read -r pester_passed pester_failed pester_skipped < "$results/pester.xml.totals"
  pester_failed=$((pester_failed + pester_skipped))
else
  pester_passed=0; pester_failed=1   # the runner did not finish
fi

remove_leftovers "the tests"

read -r passed failed skipped < <(python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
    # what failed, again at the end of the log (a CI log may keep only its tail)
    for r in ET.parse(path).getroot().findall(".//{*}UnitTestResult"):
        if r.get("outcome") == "Failed":
            m = r.find(".//{*}Message")
            text = " ".join((m.text or "").split())[:300] if m is not None else ""
            print(f"FAILED: {r.get('testName')} -- {text}", file=sys.stderr)
print(p, f, s)
PY
)
[[ -n ${help_failed:-} ]] && failed=$((failed + 1))
passed=$((passed + pester_passed)); failed=$((failed + pester_failed))
total=$((passed + failed))
(( total == 0 )) && { failed=1; status=1; }
(( failed > 0 )) && status=1
if (( skipped > 0 )); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
exit $status
