# Helpers shared by the Pester files of tests/pester (dot-source it in a BeforeAll: . "$PSScriptRoot/Common.ps1").
# Only the docker CLI and PowerShell: no module cmdlet is used here. (docs/examples/*.Tests.ps1 stay self-contained:
# users copy them.)

# IPv4 subnets of every Docker network of the engine (IPv6 ones left out).
function Get-DockerSubnet {
    $ids = @(docker network ls -q 2>$null | Where-Object { $_ })
    if ($ids.Count -eq 0) { return }
    $json = (docker network inspect $ids 2>$null) -join "`n"
    if ([string]::IsNullOrWhiteSpace($json)) { return }
    foreach ($network in @($json | ConvertFrom-Json)) {
        foreach ($config in @($network.IPAM.Config)) {
            if ($null -ne $config -and $config.Subnet -and ("$($config.Subnet)" -notmatch ':')) { "$($config.Subnet)" }
        }
    }
}

function ConvertTo-IPv4Number([string] $Address) {
    $bytes = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    [double] $bytes[0] * 16777216 + [double] $bytes[1] * 65536 + [double] $bytes[2] * 256 + [double] $bytes[3]
}

# True when two CIDR blocks share an address.
function Test-SubnetOverlap([string] $First, [string] $Second) {
    $a = $First.Split('/'); $b = $Second.Split('/')
    if ($a.Count -ne 2 -or $b.Count -ne 2) { return $false }
    $block = [Math]::Pow(2, 32 - [Math]::Min([int] $a[1], [int] $b[1]))
    [Math]::Floor((ConvertTo-IPv4Number $a[0]) / $block) -eq [Math]::Floor((ConvertTo-IPv4Number $b[0]) / $block)
}

# Free /24s in 172.28-31.x.0, from a random third octet so that parallel runs rarely pick the same ones.
function Get-FreeTestSubnet([int] $Count) {
    $used = @(Get-DockerSubnet)
    $free = [System.Collections.Generic.List[string]]::new()
    $start = Get-Random -Minimum 0 -Maximum 256
    foreach ($second in 28..31) {
        foreach ($i in 0..255) {
            $candidate = "172.$second.$(($start + $i) % 256).0/24"
            if (-not @($used | Where-Object { Test-SubnetOverlap $candidate $_ })) {
                $free.Add($candidate)
                if ($free.Count -eq $Count) { return $free.ToArray() }
            }
        }
    }
    throw "Found only $($free.Count) free /24 subnet(s) in 172.28.0.0/14, $Count needed: remove unused Docker networks."
}

# Removes, through the docker CLI, everything of these topologies (by the module's label) and everything whose
# name contains the run's prefix: containers, volumes, networks. Nothing else.
function Remove-TestResource([string[]] $Topology, [string] $NamePrefix) {
    foreach ($kind in 'container', 'volume', 'network') {
        $list = switch ($kind) {
            'container' { { param($f) docker ps -aq --filter $f 2>$null } }
            'volume' { { param($f) docker volume ls -q --filter $f 2>$null } }
            'network' { { param($f) docker network ls -q --filter $f 2>$null } }
        }
        $ids = @(
            foreach ($name in $Topology) { & $list "label=io.redisdocker.topology=$name" }
            if ($NamePrefix) { & $list "name=$NamePrefix" }
        ) | Where-Object { $_ } | Sort-Object -Unique
        if (-not $ids) { continue }
        switch ($kind) {
            'container' { $null = docker rm -f $ids 2>$null }
            'volume' { $null = docker volume rm -f $ids 2>$null }
            'network' { $null = docker network rm $ids 2>$null }
        }
    }
}

# Wait-Until: one definition for the Pester files (default bound 60 s).
. "$PSScriptRoot/WaitUntil.ps1"
