#Requires -Version 7.4
<#
    Issue 16's bench: Backup-RedisTopology and Restore-RedisTopology beside the manual procedure, in the same run,
    on one 3-primary cluster (no replicas) loaded with -Keys keys (default 1,000,000: one EVAL per primary).

    The shared baseline (../shared/baseline) has no backup procedure, so the manual steps are written here as the
    baseline (docker CLI + redis-cli in the node's container, as an admin would do it):
      backup : per primary BGSAVE, poll INFO persistence until the save is done, docker cp <node>:/data/dump.rdb
      restore: FLUSHALL; per primary docker stop, docker cp the RDB in, appendonly no in redis.conf (docker cp out,
               edit, cp in), docker start, wait for PING, CONFIG SET appendonly yes, wait for the AOF rewrite,
               CONFIG REWRITE
    Both sides restore into the same (emptied) cluster and are checked: DBSIZE over the primaries = -Keys.

    bench/backup-restore.ps1 [-Keys 1000000] [-Subnet 172.24.250.0/24]   (after ./build.ps1; REDISDOCKER_IMAGE set)
#>
param([int] $Keys = 1000000, [string] $Subnet = '172.24.250.0/24')
$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false
Import-Module (Join-Path $PSScriptRoot '../out/RedisDocker/RedisDocker.psd1') -Force
$name = 'rdkbench-bk' + [guid]::NewGuid().ToString('N').Substring(0, 4)
$work = Join-Path ([IO.Path]::GetTempPath()) $name
function Time([scriptblock] $s) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $s | Out-Null; $sw.Elapsed.TotalSeconds }
function Count { ((Invoke-RedisCommand -Cluster $name DBSIZE).Reply | Measure-Object -Sum).Sum }
try {
    $null = New-RedisCluster -Name $name -Subnet $Subnet -Count 3 -ReplicasPerPrimary 0
    $primaries = @(Get-RedisClusterNode -Cluster $name | Where-Object Role -eq Primary)
    $per = [math]::Ceiling($Keys / 3)
    $loaded = Time {
        foreach ($p in $primaries) {
            # a hash tag whose slot this primary owns: every key of the EVAL is local
            $tag = 0..2000 | Where-Object { $s = [int](Invoke-RedisCommand -Node $p.Name CLUSTER KEYSLOT "t$_")
                @($p.SlotRanges | Where-Object { $s -ge $_.Start -and $s -le $_.End }).Count } | Select-Object -First 1
            $n = [math]::Min($per, $Keys - $per * [array]::IndexOf($primaries, $p))
            $lua = "for i=1,$n do redis.call('SET','{t$tag}:'..i,'value '..i) end"
            $null = Invoke-RedisCommand -Node $p.Name EVAL $lua 0
        }
    }
    if ((Count) -ne $Keys) { throw "loaded $(Count) keys, expected $Keys" }
    $pw = (Get-RedisCredential -Topology $name).GetNetworkCredential().Password
    $nodes = @(Get-RedisNode -Topology $name)

    $moduleBackup = Time { Backup-RedisTopology $name -Path "$work/module" }
    $null = Invoke-RedisCommand -Cluster $name FLUSHALL
    $moduleRestore = Time { Restore-RedisTopology "$work/module" -Confirm:$false }
    if ((Count) -ne $Keys) { throw "module restore: $(Count) keys, expected $Keys" }

    function Send-Cli($node, [string[]] $a) { docker exec -e "REDISCLI_AUTH=$pw" $node.Name redis-cli -p $node.Port @a }
    $null = New-Item -ItemType Directory "$work/manual" -Force
    $manualBackup = Time {
        foreach ($n in $nodes) {
            $before = (Send-Cli $n INFO, persistence | Select-String '^rdb_saves:(\d+)').Matches[0].Groups[1].Value
            $null = Send-Cli $n BGSAVE
            do { Start-Sleep -Milliseconds 100; $info = Send-Cli $n INFO, persistence }
            while (($info | Select-String '^rdb_bgsave_in_progress:1') -or
                ($info | Select-String '^rdb_saves:(\d+)').Matches[0].Groups[1].Value -eq $before)
            docker cp "$($n.Name):/data/dump.rdb" "$work/manual/$($n.Name).rdb" | Out-Null
        }
    }
    $null = Invoke-RedisCommand -Cluster $name FLUSHALL
    $manualRestore = Time {
        foreach ($n in $nodes) {
            docker stop $n.Name | Out-Null
            docker cp "$work/manual/$($n.Name).rdb" "$($n.Name):/data/dump.rdb" | Out-Null
            docker cp "$($n.Name):/etc/redisdocker/redis.conf" "$work/manual/$($n.Name).conf" | Out-Null
            (Get-Content "$work/manual/$($n.Name).conf") -replace '^appendonly yes$', 'appendonly no' |
                Set-Content "$work/manual/$($n.Name).conf"
            docker cp "$work/manual/$($n.Name).conf" "$($n.Name):/etc/redisdocker/redis.conf" | Out-Null
            docker start $n.Name | Out-Null
            do { Start-Sleep -Milliseconds 100 } until ((Send-Cli $n PING) -eq 'PONG')
            $null = Send-Cli $n CONFIG, SET, appendonly, yes
            do { Start-Sleep -Milliseconds 100; $info = Send-Cli $n INFO, persistence }
            while ($info | Select-String '^aof_rewrite_in_progress:1|^aof_rewrite_scheduled:1')
            $null = Send-Cli $n CONFIG, REWRITE
        }
    }
    Start-Sleep 2
    $manualCount = ((Invoke-RedisCommand -Cluster $name DBSIZE).Reply | Measure-Object -Sum).Sum
    "keys $Keys (3 primaries, no replicas); load {0:n1} s" -f $loaded
    "{0,-8} {1,10} {2,10} {3,7}" -f 'step', 'module s', 'manual s', 'ratio'
    "{0,-8} {1,10:n2} {2,10:n2} {3,7:n2}" -f 'backup', $moduleBackup, $manualBackup, ($moduleBackup / $manualBackup)
    "{0,-8} {1,10:n2} {2,10:n2} {3,7:n2}" -f 'restore', $moduleRestore, $manualRestore,
        ($moduleRestore / $manualRestore)
    "manual restore check: $manualCount keys"
}
finally {
    Remove-RedisTopology $name -Confirm:$false -ErrorAction SilentlyContinue
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
