#Requires -Version 7.4
<#
.SYNOPSIS
    Smoke test of the staged RedisDocker module against Docker, without Pester.
.DESCRIPTION
    Imports out/RedisDocker (run ./build.ps1 first), stands up a 6-node Redis Cluster (3 primaries,
    1 replica each) on a free 172.28.x.0/24 subnet, prints Get-RedisClusterNode and Test-RedisCluster,
    writes and reads a key through Invoke-RedisCommand -Cluster, and tears everything down in a finally
    block. Exits 0 when everything worked, 1 on any failure (teardown included).
.PARAMETER Image
    The Redis image; REDISDOCKER_IMAGE, else the official redis:7.4.
.PARAMETER ModulePath
    The module manifest to import; the staged out/RedisDocker/RedisDocker.psd1 by default.
.EXAMPLE
    ./build.ps1; pwsh tests/pester/smoke.ps1
#>
[CmdletBinding()]
param(
    [string] $Image = $(if ($env:REDISDOCKER_IMAGE) { $env:REDISDOCKER_IMAGE } else { 'redis:7.4' }),
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker' 'RedisDocker.psd1')
)

$ErrorActionPreference = 'Stop'
# Native commands report through $LASTEXITCODE here, even if a profile says otherwise.
$PSNativeCommandUseErrorActionPreference = $false

# IPv4 subnets of every Docker network of the engine.
function Get-DockerSubnet {
    $ids = @(docker network ls -q 2>$null | Where-Object { $_ })
    if ($LASTEXITCODE -ne 0) { throw 'docker network ls failed: is Docker running?' }
    if ($ids.Count -eq 0) { return }
    $json = (docker network inspect $ids 2>$null) -join "`n"
    if ([string]::IsNullOrWhiteSpace($json)) { return }
    foreach ($network in @($json | ConvertFrom-Json)) {
        foreach ($config in @($network.IPAM.Config)) {
            if ($null -ne $config -and $config.Subnet -and ("$($config.Subnet)" -notmatch ':')) {
                "$($config.Subnet)"
            }
        }
    }
}

function ConvertTo-IPv4Number([string] $Address) {
    $bytes = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    return [double] $bytes[0] * 16777216 + [double] $bytes[1] * 65536 + [double] $bytes[2] * 256 + [double] $bytes[3]
}

function Test-SubnetOverlap([string] $First, [string] $Second) {
    $a = $First.Split('/')
    $b = $Second.Split('/')
    if ($a.Count -ne 2 -or $b.Count -ne 2) { return $false }
    $prefix = [Math]::Min([int] $a[1], [int] $b[1])
    $block = [Math]::Pow(2, 32 - $prefix)
    return [Math]::Floor((ConvertTo-IPv4Number $a[0]) / $block) -eq [Math]::Floor((ConvertTo-IPv4Number $b[0]) / $block)
}

# The first /24 in 172.28.x.0 (then 172.29-31) that no Docker network overlaps.
function Get-FreeSubnet {
    $used = @(Get-DockerSubnet)
    foreach ($second in 28..31) {
        foreach ($third in 0..255) {
            $candidate = "172.$second.$third.0/24"
            $clash = $false
            foreach ($other in $used) {
                if (Test-SubnetOverlap $candidate $other) { $clash = $true; break }
            }
            if (-not $clash) { return $candidate }
        }
    }
    throw 'No free /24 subnet in 172.28.0.0/14: remove unused Docker networks.'
}

$name = 'rdsmoke' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$failed = $false

try {
    $null = Get-Command docker -CommandType Application
    $null = docker version 2>$null
    if ($LASTEXITCODE -ne 0) { throw '`docker version` failed: start Docker first.' }
    if (-not (Test-Path -LiteralPath $ModulePath)) { throw "The staged module is missing ($ModulePath): run ./build.ps1 first." }
    Import-Module $ModulePath -Force

    $subnet = Get-FreeSubnet
    Write-Host "Standing up cluster '$name' on $subnet with $Image (6 nodes, 3 primaries with 1 replica each)..."
    $nodes = @(
        New-RedisNetwork -Name $name -Subnet $subnet |
            New-RedisNode -Count 6 -ClusterEnabled -Image $Image |
            New-RedisCluster -ReplicasPerPrimary 1 |
            Get-RedisClusterNode
    )
    $nodes | Format-Table | Out-Host
    if ($nodes.Count -ne 6) { throw "Get-RedisClusterNode returned $($nodes.Count) member(s), not 6." }
    $slots = ($nodes | Where-Object Role -eq 'Primary' | Measure-Object -Property SlotCount -Sum).Sum
    if ($slots -ne 16384) { throw "The primaries own $slots slot(s), not 16384." }

    $checks = @(Test-RedisCluster -Cluster $name)
    $checks | Format-Table | Out-Host
    $bad = @($checks | Where-Object { -not $_.Passed })
    if ($checks.Count -eq 0 -or $bad.Count -gt 0) {
        throw "Test-RedisCluster failed: $(($bad | ForEach-Object { "$($_.Check): $($_.Detail)" }) -join '; ')"
    }

    $set = Invoke-RedisCommand -Cluster $name SET smoke:greeting hello
    $get = Invoke-RedisCommand -Cluster $name GET smoke:greeting
    Write-Host "SET smoke:greeting hello -> $set"
    Write-Host "GET smoke:greeting -> $get"
    if ($set -ne 'OK' -or $get -ne 'hello') { throw "SET/GET through the cluster returned '$set' / '$get'." }

    Write-Host 'Smoke test passed.' -ForegroundColor Green
}
catch {
    $failed = $true
    Write-Host "Smoke test FAILED: $($_.Exception.Message)" -ForegroundColor Red
    if ($_.ScriptStackTrace) { Write-Host $_.ScriptStackTrace }
}
finally {
    Write-Host "Tearing down '$name'..."
    try {
        if (Get-Command Remove-RedisNode -ErrorAction SilentlyContinue) {
            Get-RedisNode -Topology $name | Remove-RedisNode -Confirm:$false
            if (@(Get-RedisNetwork -Topology $name).Count -gt 0) { Remove-RedisNetwork $name -Confirm:$false }
        }
    }
    catch {
        $failed = $true
        Write-Host "Teardown through the module FAILED: $($_.Exception.Message)" -ForegroundColor Red
    }
    # Whatever is left (a failed build, a failed teardown) goes by label, and counts as a failure.
    if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
        $filter = "label=io.redisdocker.topology=$name"
        $containers = @(docker ps -aq --filter $filter 2>$null | Where-Object { $_ })
        $volumes = @(docker volume ls -q --filter $filter 2>$null | Where-Object { $_ })
        $networks = @(docker network ls -q --filter $filter 2>$null | Where-Object { $_ })
        if ($containers.Count + $volumes.Count + $networks.Count -gt 0) {
            $failed = $true
            Write-Host "Left behind: $($containers.Count) container(s), $($volumes.Count) volume(s), $($networks.Count) network(s); removing them." -ForegroundColor Red
            if ($containers.Count -gt 0) { $null = docker rm -f $containers 2>$null }
            if ($volumes.Count -gt 0) { $null = docker volume rm -f $volumes 2>$null }
            if ($networks.Count -gt 0) { $null = docker network rm $networks 2>$null }
        }
    }
}

if ($failed) { exit 1 }
exit 0
