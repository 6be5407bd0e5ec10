#Requires -Version 7.4
<#
    Pester 5 tests of issue 9 items 11, 12 and 13 through the cmdlets: Get-RedisTopology names a node that
    came back on its network with another address (docker network disconnect + connect), Start-RedisNode
    puts it back at its own address, and the node keeps its host port throughout.

    Needs Docker and the staged module (./build.ps1). Image: $env:REDISDOCKER_IMAGE, else redis:7.4.
    Names start with rdh + 8 hex digits; AfterAll removes everything carrying the run's topology label.
#>

BeforeDiscovery {
    $dockerAvailable = $false
    if (Get-Command -Name docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = docker version 2>$null
        $dockerAvailable = ($LASTEXITCODE -eq 0)
    }
    if (-not $dockerAvailable) { Write-Warning 'RedisDocker health tests SKIPPED: `docker version` failed.' }
}

Describe 'RedisDocker health and node addresses' -Tag 'Integration', 'Docker' -Skip:(-not $dockerAvailable) {
    BeforeAll {
        $run = 'rdh' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Import-Module (Join-Path $PSScriptRoot '../../out/RedisDocker/RedisDocker.psd1') -Force
        if (-not $env:REDISDOCKER_IMAGE) { $env:REDISDOCKER_IMAGE = 'redis:7.4' }

        # A free 172.28-31.x.0/24: no Docker network's subnet shares its first three octets.
        $used = @(docker network ls -q | ForEach-Object { docker network inspect $_ --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' }) -join ' '
        $subnet = $null
        foreach ($second in 28..31) {
            foreach ($third in 0..255) {
                if ($used -notmatch "172\.$second\.$third\.0/" -and $used -notmatch "172\.$second\.0\.0/16") { $subnet = "172.$second.$third.0/24"; break }
            }
            if ($subnet) { break }
        }
    }

    AfterAll {
        $label = "io.redisdocker.topology=$run"
        $containers = @(docker ps -aq --filter "label=$label")
        if ($containers.Count -gt 0) { $null = docker rm -f $containers 2>$null }
        $volumes = @(docker volume ls -q --filter "label=$label")
        if ($volumes.Count -gt 0) { $null = docker volume rm -f $volumes 2>$null }
        $networks = @(docker network ls -q --filter "label=$label")
        if ($networks.Count -gt 0) { $null = docker network rm $networks 2>$null }
    }

    It 'names a node back with another address, and Start-RedisNode puts it back on its own address and host port' {
        $node = New-RedisNetwork -Name $run -Subnet $subnet | New-RedisNode -Name "$run-1"
        (Get-RedisTopology -Topology $run).Health | Should -Be 'Healthy'
        $node.HostPort | Should -BeGreaterThan 0

        # What an operator's docker network disconnect + connect does: Docker gives it another address.
        docker network disconnect -f $run $node.Name | Out-Null
        docker network connect $run $node.Name | Out-Null
        $moved = Get-RedisNode -Name $node.Name
        $moved.IPAddress | Should -Not -Be $node.IPAddress
        $moved.HostPort | Should -Be $node.HostPort

        $topology = Get-RedisTopology -Topology $run
        $topology.Health | Should -Be 'Degraded'
        ($topology.Problems -join ' ') | Should -Match ([regex]::Escape("instead of its own $($node.IPAddress)"))

        Stop-RedisNode -Name $node.Name
        $back = Start-RedisNode -Name $node.Name -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        $back.IPAddress | Should -Be $node.IPAddress
        $back.HostPort | Should -Be $node.HostPort
        ($warned -join ' ') | Should -Match 'putting it back'
        $healthy = Get-RedisTopology -Topology $run
        $healthy.Health | Should -Be 'Healthy'
        $healthy.Problems | Should -BeNullOrEmpty
    }
}
