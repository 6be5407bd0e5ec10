#Requires -Version 7.4
<#
    Pester 5 tests of issue 9's input-safety items, as a user types them: every bad value ends in a module
    error record (a stable RedisDocker.* id) before anything is created, a node name never resolves to a
    container id prefix, and the Compose export keeps the password off command lines.

    Needs Docker and the staged module (./build.ps1); $env:REDISDOCKER_MODULE may name another manifest
    (e.g. an older build, to watch these tests fail there). Names start with rds + 8 hex digits; AfterAll
    removes what carries the run's topology label or the run id in its name.
#>

BeforeDiscovery {
    $dockerAvailable = $false
    if (Get-Command -Name docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = docker version 2>$null
        $dockerAvailable = ($LASTEXITCODE -eq 0)
    }
    if (-not $dockerAvailable) { Write-Warning 'RedisDocker safety tests SKIPPED: `docker version` failed.' }
    $injectedMaxMemory = @(
        @{ Value = "64mb`nprotected-mode no" }
        @{ Value = "64mb`nuser backdoor on >letmein ~* &* +@all" }
        @{ Value = "64mb`r`nrequirepass x" }
    )
    $badHostAddress = @(
        @{ Address = 'localhost' }, @{ Address = '999.1.1.1' }, @{ Address = 'not-an-ip' }, @{ Address = '0.0.0.0' }, @{ Address = '10.250.99.99' }
    )
    $lockOutConfig = @(
        @{ Config = @{ user = 'default on nopass' } }
        @{ Config = @{ 'rename-command' = 'CONFIG ""' } }
        @{ Config = @{ 'cluster-announce-ip' = '10.1.1.1' } }
    )
}

Describe 'RedisDocker input safety (issue 9)' -Tag 'Integration', 'Docker', 'Safety' -Skip:(-not $dockerAvailable) {
    BeforeAll {
        $PSNativeCommandUseErrorActionPreference = $false
        $run = 'rds' + [guid]::NewGuid().ToString('N').Substring(0, 8)

        function Remove-RunResource {
            $containers = @(docker ps -aq --filter "label=io.redisdocker.topology=$run" 2>$null; docker ps -aq --filter "name=$run" 2>$null) |
                Where-Object { $_ } | Sort-Object -Unique
            if ($containers.Count -gt 0) { $null = docker rm -f $containers 2>$null }
            $volumes = @(docker volume ls -q --filter "label=io.redisdocker.topology=$run" 2>$null; docker volume ls -q --filter "name=$run" 2>$null) |
                Where-Object { $_ } | Sort-Object -Unique
            if ($volumes.Count -gt 0) { $null = docker volume rm -f $volumes 2>$null }
            $networks = @(docker network ls -q --filter "label=io.redisdocker.topology=$run" 2>$null; docker network ls -q --filter "name=$run" 2>$null) |
                Where-Object { $_ } | Sort-Object -Unique
            if ($networks.Count -gt 0) { $null = docker network rm $networks 2>$null }
        }

        # The error record a command produces (terminating or not), or $null.
        function Get-RecordedError([scriptblock] $ScriptBlock) {
            $ErrorActionPreference = 'Stop'
            try { $null = & $ScriptBlock } catch { return $_ }
            return $null
        }

        # Containers and volumes named after the run (other than the ones the tests made on purpose).
        function Get-RunObject([string] $Name) {
            @(docker ps -aq --filter "name=^/$Name$" 2>$null) + @(docker volume ls -q --filter "name=^$Name-data$" 2>$null) | Where-Object { $_ }
        }

        # A free /24 in 172.28-31.x (no overlap with any Docker network).
        function Get-FreeSubnet {
            $used = @(docker network inspect (docker network ls -q) 2>$null | ConvertFrom-Json | ForEach-Object { $_.IPAM.Config.Subnet } | Where-Object { $_ -and $_ -notmatch ':' })
            foreach ($second in 28..31) {
                foreach ($third in 0..255) {
                    $candidate = "172.$second.$third"
                    if (-not ($used | Where-Object { $_ -like "$candidate.*" -or $_ -like "172.$second.0.0/16" })) { return "$candidate.0/24" }
                }
            }
            throw 'no free test subnet'
        }

        $manifestPath = if ($env:REDISDOCKER_MODULE) { $env:REDISDOCKER_MODULE } else { Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker' 'RedisDocker.psd1' }
        Import-Module $manifestPath -Force -ErrorAction Stop

        $network = New-RedisNetwork -Name $run -Subnet (Get-FreeSubnet) -ErrorAction Stop
        $node = New-RedisNode -Network $run -Name "$run-1" -ErrorAction Stop
    }

    AfterAll {
        if ($run) { Remove-RunResource }
    }

    It 'item 1: -MaxMemory <Value> is refused (InvalidConfig) and creates nothing' -TestCases $injectedMaxMemory {
        param($Value)
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-mm" -MaxMemory $Value }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidConfig*'
        Get-RunObject "$run-mm" | Should -BeNullOrEmpty
    }

    It 'item 1: an imported spec with an injected maxMemory is refused and creates nothing' {
        $spec = @{
            format = 'redisdocker/topology@1'; name = "$run-imp"; exportedAt = '2026-01-01T00:00:00Z'
            password = @{ source = 'x'; note = 'y' }
            networks = @(@{ name = "$run-imp"; subnet = '172.27.253.0/24'; internal = $false })
            nodes = @(@{ name = "$run-imp-1"; network = "$run-imp"; port = 6379; clusterEnabled = $false; appendOnly = $true
                         maxMemory = "64mb`nuser backdoor on >letmein ~* &* +@all" })
            sentinelGroups = @()
        } | ConvertTo-Json -Depth 5
        $e = Get-RecordedError { Import-RedisTopology -Json $spec }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidConfig*'
        Get-RunObject "$run-imp-1" | Should -BeNullOrEmpty
        docker network ls -q --filter "name=^$run-imp$" | Should -BeNullOrEmpty
    }

    # Tagged so that a run against an older build can leave them out: there they publish a node on every interface.
    It 'item 2: -HostAddress <Address> is refused (IPAddressInvalid) and creates nothing' -Tag 'PublishesEverywhereWhenBroken' -TestCases $badHostAddress {
        param($Address)
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-ha" -HostAddress $Address }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.IPAddressInvalid*'
        Get-RunObject "$run-ha" | Should -BeNullOrEmpty
    }

    It 'item 2: the endpoint a node reports is the one Docker bound' {
        $binding = (docker inspect $node.Name | ConvertFrom-Json).NetworkSettings.Ports."6379/tcp"
        @($binding).Count | Should -Be 1
        $node.HostEndpoint | Should -Be "$($binding.HostIp):$($binding.HostPort)"
        $binding.HostIp | Should -Be '127.0.0.1'
    }

    It 'item 3: a node name that is an id prefix of another node resolves to nothing' {
        $id = (docker inspect $node.Name --format '{{.Id}}')
        $prefix = $id.Substring(0, 6)
        $e = Get-RecordedError { Remove-RedisNode -Name $prefix -Confirm:$false }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.NodeNotFound*'
        (docker inspect $node.Name --format '{{.State.Running}}') | Should -Be 'true'
        # A name that is no node's is an error (like Get-Process -Name), whatever container id it prefixes.
        $e = Get-RecordedError { Get-RedisNode -Name $prefix }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.NodeNotFound*'
        Get-RedisNode -Name $prefix -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'item 5: an empty password is refused at once (InvalidPassword)' {
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-pw" -Password ([securestring]::new()) }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidPassword*'
        Get-RunObject "$run-pw" | Should -BeNullOrEmpty
    }

    It 'item 5: a password longer than Redis accepts is refused at once (InvalidPassword)' {
        $long = ConvertTo-SecureString ('p' * 65536) -AsPlainText -Force
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-pw" -Password $long }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidPassword*'
        Get-RunObject "$run-pw" | Should -BeNullOrEmpty
    }

    It 'item 5: -Config that locks the module out is refused before creation' -TestCases $lockOutConfig {
        param($Config)
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-lock" -ClusterEnabled -Config $Config }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidConfig*'
        Get-RunObject "$run-lock" | Should -BeNullOrEmpty
    }

    It 'item 6: the Compose export has no password on any command line or in the environment' {
        $yaml = Export-RedisTopology -Topology $run -Format Compose
        $commands = @($yaml -split "`n" | Where-Object { $_ -match '^\s*command:' })
        $commands.Count | Should -BeGreaterThan 0
        $commands | Should -Not -Match 'requirepass|masterauth|auth-pass|REDIS_PASSWORD|\$'
        $yaml | Should -Not -Match 'REDIS_PASSWORD'
        $yaml | Should -Not -Match 'environment:'
        $commands | Should -Match '/run/secrets/redis-auth.conf'
    }

    It 'item 17: an invalid image reference is a module error (InvalidImage), not a raw Docker error' {
        $e = Get-RecordedError { New-RedisNode -Network $run -Name "$run-img" -Image 'Not A Valid:ref' }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidImage*'
        Get-RunObject "$run-img" | Should -BeNullOrEmpty
    }

    It 'item 17: -Network bridge is a module error (NetworkNotFound)' {
        $e = Get-RecordedError { New-RedisNode -Network bridge -Name "$run-br" }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.NetworkNotFound*'
        Get-RunObject "$run-br" | Should -BeNullOrEmpty
    }

    It 'item 17: an imported node named ../../etc is a module error (InvalidName)' {
        $spec = @{
            format = 'redisdocker/topology@1'; name = "$run-path"; exportedAt = '2026-01-01T00:00:00Z'
            password = @{ source = 'x'; note = 'y' }
            networks = @(@{ name = "$run-path"; subnet = '172.27.254.0/24'; internal = $false })
            nodes = @(@{ name = '../../etc'; network = "$run-path"; port = 6379; clusterEnabled = $false; appendOnly = $true })
            sentinelGroups = @()
        } | ConvertTo-Json -Depth 5
        $e = Get-RecordedError { Import-RedisTopology -Json $spec }
        $e.FullyQualifiedErrorId | Should -BeLike 'RedisDocker.InvalidName*'
        docker network ls -q --filter "name=^$run-path$" | Should -BeNullOrEmpty
    }
}
