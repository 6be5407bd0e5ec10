#!/usr/bin/env pwsh
# Issue 14 item 3: how long Move-RedisClusterSlot takes to move SLOTS slots holding KEYS keys by each path the
# module's own connections can take: straight to the container addresses (Connect-RedisDocker -Route Direct; what
# -Route Auto picks on a Linux engine on this host) and through the published ports (-Route Published; what Auto
# picks on Docker Desktop and for remote engines). The keys themselves go node to node (MIGRATE) either way; the
# path carries the module's commands (CLUSTER GETKEYSINSLOT, MIGRATE, SETSLOT, ...).
#
#   pwsh ./build.ps1; pwsh bench/slot-move-paths.ps1        (KEYS=20000 SLOTS=200 ROUNDS=3 REDISDOCKER_IMAGE=...)
#
# It makes a 3-primary cluster (topology bench-smp-*, on a free 172.28-31.x.0/24 subnet), writes the keys with
# redis-cli, moves the slots there and back ROUNDS times per path (paths alternating, so machine noise falls on
# both, after one unmeasured round trip per path), prints one line per move and the median per path, and removes
# the topology at exit. Needs python3.
$ErrorActionPreference = 'Stop'
$keys = [int]($env:KEYS ?? 20000)
$slots = [int]($env:SLOTS ?? 200)
$rounds = [int]($env:ROUNDS ?? 3)
$env:REDISDOCKER_IMAGE = $env:REDISDOCKER_IMAGE ?? 'redisdocker/redis:local'
Import-Module (Join-Path $PSScriptRoot '../out/RedisDocker/RedisDocker.psd1')
$name = 'bench-smp-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
$used = "$(docker network inspect (docker network ls -q) -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}')"
$free = foreach ($x in 28..31) {
    foreach ($y in 0..255) { if ($used -notmatch "172\.$x\.$y\.0/") { "172.$x.$y.0/24" } }
}
$subnet = @($free)[0]
$sessions = @{}
try {
    $net = New-RedisNetwork -Name $name -Subnet $subnet
    $nodes = @($net | New-RedisNode -Count 3 -ClusterEnabled)
    $null = $nodes | New-RedisCluster -ReplicasPerPrimary 0
    $members = @(Get-RedisClusterNode -Cluster $name)
    $a = $members | Where-Object { $_.SlotRanges.Start -contains 0 } | Select-Object -First 1
    $b = $members | Where-Object { $_.NodeId -ne $a.NodeId -and $_.Role -eq 'Primary' } | Select-Object -First 1
    $hostPort = (($nodes | Where-Object Name -eq $a.Name).HostEndpoint -split ':')[1]
    $env:REDISCLI_AUTH = ((Get-RedisConnectionString -Cluster $name -IncludePassword) -split 'password=')[1]
    # Key names whose slot (CRC16/XMODEM, as Redis computes it) is below SLOTS: all on node a.
    $script = 'import binascii,sys; n,s=int(sys.argv[1]),int(sys.argv[2]); i=c=0' + "`n" +
        'while c<n:' + "`n" +
        ' k=b"k%d"%i; i+=1' + "`n" +
        ' if binascii.crc_hqx(k,0)%16384<s: print("SET %s x"%k.decode()); c+=1'
    python3 -c $script $keys $slots | redis-cli -h 127.0.0.1 -p $hostPort > $null
    $stored = [long](redis-cli -h 127.0.0.1 -p $hostPort DBSIZE)
    if ($stored -ne $keys) { throw "wrote $stored keys, not $keys" }
    foreach ($route in 'Direct', 'Published') {
        $sessions[$route] = Connect-RedisDocker -NoDefault -Route $route
    }
    $range = "0-$($slots - 1)"
    # Warm-up, not measured: the first moves of a process pay for JIT and the route probe.
    foreach ($route in 'Direct', 'Published') {
        foreach ($pair in @(@($a.Name, $b.Name), @($b.Name, $a.Name))) {
            $null = Move-RedisClusterSlot -Cluster $name -Source $pair[0] -Destination $pair[1] -Slot $range `
                -Session $sessions[$route] -Confirm:$false
        }
    }
    $times = @{ Direct = @(); Published = @() }
    'path       move          slots   keys   seconds'
    for ($r = 1; $r -le $rounds; $r++) {
        foreach ($route in 'Direct', 'Published') {
            foreach ($pair in @(@($a.Name, $b.Name), @($b.Name, $a.Name))) {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $m = Move-RedisClusterSlot -Cluster $name -Source $pair[0] -Destination $pair[1] -Slot $range `
                    -Session $sessions[$route] -Confirm:$false
                $watch.Stop()
                if ($m.KeysMoved -ne $keys) { throw "moved $($m.KeysMoved) keys, not $keys" }
                $times[$route] += $watch.Elapsed.TotalSeconds
                '{0,-10} {1,-13} {2,5} {3,6} {4,9:N2}' -f $route, "$($pair[0][-1])->$($pair[1][-1])", $slots, $keys,
                    $watch.Elapsed.TotalSeconds
            }
        }
    }
    $median = {
        param($x)
        $s = @($x | Sort-Object)
        ($s[[math]::Floor(($s.Count - 1) / 2)] + $s[[math]::Ceiling(($s.Count - 1) / 2)]) / 2
    }
    $d = & $median $times.Direct
    $p = & $median $times.Published
    ''
    'median direct {0:N2} s, published {1:N2} s, published / direct {2:N2} ({3} keys in {4} slots)' -f $d, $p,
        ($p / $d), $keys, $slots
}
finally {
    foreach ($s in $sessions.Values) { $s.Dispose() }
    Get-RedisNode -Topology $name -ErrorAction SilentlyContinue |
        Remove-RedisNode -Confirm:$false -ErrorAction SilentlyContinue
    Remove-RedisNetwork -Name $name -Confirm:$false -ErrorAction SilentlyContinue
}
