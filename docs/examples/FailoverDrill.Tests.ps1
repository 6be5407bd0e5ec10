#Requires -Version 7.4
<#
.SYNOPSIS
    A failover drill you can copy: a Sentinel group and a Redis Cluster each lose their primary to a crash, fail
    over, keep their data and roles, take the old primary back as a replica, and are torn down.

.DESCRIPTION
    Run it with Pester 5:

        Invoke-Pester ./FailoverDrill.Tests.ps1 -Output Detailed

    It stands up two small topologies on the Docker engine the module reaches (DOCKER_HOST or the platform
    default), drills them, and removes them again in AfterAll, even when a step fails. Nothing else is touched:
    names start with 'drill' and 6 random hex digits, and New-RedisNetwork picks a free private /24 subnet.

    Environment:
      REDISDOCKER_IMAGE   the Redis image of the nodes (the module's default, an official redis tag, otherwise)
      REDISDOCKER_MODULE  the RedisDocker.psd1 to import (a build's out/RedisDocker/RedisDocker.psd1); without it
                          the installed RedisDocker module is used
      DRILL_KEYS          how many keys each drill writes before the crash (100 by default)

    Each Describe block is one drill and its steps run in order: a failed step leaves the later ones failing too,
    which is what a drill should say.
#>

BeforeAll {
    if ($env:REDISDOCKER_MODULE) {
        Import-Module $env:REDISDOCKER_MODULE -Force -ErrorAction Stop
    } else {
        Import-Module RedisDocker -ErrorAction Stop
    }
    $drill = 'drill' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $keyCount = if ($env:DRILL_KEYS) { [int] $env:DRILL_KEYS } else { 100 }

    # Polls a condition (an error counts as "not yet") until it holds or the time is up.
    function Wait-Until([scriptblock] $Condition, [int] $TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ($true) {
            try { if (& $Condition) { return $true } } catch { }
            if ([DateTime]::UtcNow -ge $deadline) { return $false }
            Start-Sleep -Milliseconds 500
        }
    }

    # A network on a free subnet the module picks; tried again when another process took that subnet meanwhile.
    function New-DrillNetwork([string] $Name) {
        for ($attempt = 1; ; $attempt++) {
            try { return New-RedisNetwork -Name $Name -ErrorAction Stop }
            catch {
                $overlap = $_.FullyQualifiedErrorId -like 'RedisDocker.SubnetOverlap*' -or "$_" -match 'overlap'
                if (-not $overlap -or $attempt -ge 3) { throw }
            }
        }
    }

    # Removes a drill's topology; says so when something is left.
    function Remove-DrillTopology([string] $Name) {
        if (Get-RedisTopology -Topology $Name -ErrorAction SilentlyContinue) {
            Remove-RedisTopology -Topology $Name -Confirm:$false
        }
    }
}

Describe 'Sentinel drill: the primary crashes, the sentinels promote a replica' {
    BeforeAll {
        $t = "$drill-ha"
        $primaryName = "$t-primary"
        $replicaNames = "$t-r1", "$t-r2"
        $p = New-DrillNetwork $t | New-RedisNode -Name $primaryName -ErrorAction Stop
        $null = New-RedisNode -Network $t -Name $replicaNames -ErrorAction Stop | Set-RedisReplica -Primary $p
        $group = $p | New-RedisSentinel -Count 3 -Quorum 2 -ErrorAction Stop
    }

    AfterAll {
        Remove-DrillTopology $t
    }

    It 'starts with one primary, two replicas and three sentinels that reach their quorum' {
        $group.QuorumOk | Should -BeTrue
        $group.Primary | Should -Be $primaryName
        $group.SentinelCount | Should -Be 3
        $roles = @(Get-RedisReplication -Topology $t)
        @($roles | Where-Object Role -eq 'Primary').Name | Should -Be $primaryName
        @($roles | Where-Object Role -eq 'Replica' | ForEach-Object Name | Sort-Object) | Should -Be $replicaNames
    }

    It 'writes keys that both replicas acknowledge' {
        foreach ($i in 1..$keyCount) {
            Invoke-RedisCommand -Node $primaryName SET "drill:$i" "value-$i" | Should -Be 'OK'
        }
        Invoke-RedisCommand -Node $primaryName WAIT 2 10000 | Should -Be 2
    }

    It 'loses the primary to a crash (SIGKILL)' {
        Stop-RedisNode -Name $primaryName -Kill -Confirm:$false
        (Get-RedisNode -Name $primaryName).State | Should -Not -Be 'running'
    }

    It 'fails over: the sentinels promote a replica that accepts writes' {
        $script:failover = Invoke-RedisFailover -SentinelGroup $t -Wait -TimeoutSeconds 120 -Confirm:$false
        $failover.Kind | Should -Be 'Sentinel'
        $failover.Mode | Should -Be 'Automatic'
        $failover.NewPrimary | Should -BeIn $replicaNames
        Invoke-RedisCommand -Node $failover.NewPrimary SET drill:after failover | Should -Be 'OK'
    }

    It 'keeps every key on the new primary' {
        # (EXISTS of each key: the keys this drill wrote are there, whatever else the database holds.)
        $keys = @(1..$keyCount | ForEach-Object { "drill:$_" })
        Invoke-RedisCommand -Node $failover.NewPrimary EXISTS @keys | Should -Be $keyCount
        foreach ($i in 1..$keyCount) {
            Invoke-RedisCommand -Node $failover.NewPrimary GET "drill:$i" | Should -Be "value-$i"
        }
    }

    It 'has every sentinel name the new primary, and the other replica follow it' {
        Wait-Until { (Get-RedisSentinel -MasterName $t).Primary -eq $failover.NewPrimary } | Should -BeTrue
        $other = $replicaNames | Where-Object { $_ -ne $failover.NewPrimary }
        Wait-Until {
            $r = Get-RedisReplication -Name $other
            $r.Role -eq 'Replica' -and $r.PrimaryName -eq $failover.NewPrimary -and $r.LinkStatus -eq 'up'
        } | Should -BeTrue
    }

    It 'takes the old primary back as a replica of the new one, with the keys written after the crash' {
        Start-RedisNode -Name $primaryName
        Wait-Until {
            $r = Get-RedisReplication -Name $primaryName
            $r.Role -eq 'Replica' -and $r.PrimaryName -eq $failover.NewPrimary -and $r.LinkStatus -eq 'up'
        } | Should -BeTrue
        Wait-Until { (Invoke-RedisCommand -Node $primaryName GET drill:after) -eq 'failover' } | Should -BeTrue
        @(Get-RedisReplication -Topology $t | Where-Object Role -eq 'Primary').Name | Should -Be $failover.NewPrimary
    }

    It 'tears the topology down' {
        Remove-RedisTopology -Topology $t -Confirm:$false
        Get-RedisTopology -Topology $t -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-RedisNode -Topology $t -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Cluster drill: a primary crashes, its replica takes over its slots' {
    BeforeAll {
        $t = "$drill-c"
        $null = New-DrillNetwork $t | New-RedisNode -Count 6 -ClusterEnabled -ErrorAction Stop |
            New-RedisCluster -ReplicasPerPrimary 1 -ErrorAction Stop
    }

    AfterAll {
        Remove-DrillTopology $t
    }

    It 'starts with 3 primaries owning the 16384 slots and a replica for each' {
        $nodes = @(Get-RedisClusterNode -Cluster $t)
        $primaries = @($nodes | Where-Object Role -eq 'Primary')
        $primaries.Count | Should -Be 3
        ($primaries | Measure-Object -Property SlotCount -Sum).Sum | Should -Be 16384
        @($nodes | Where-Object Role -eq 'Replica' | ForEach-Object PrimaryName | Sort-Object) |
            Should -Be @($primaries.Name | Sort-Object)
        Test-RedisCluster -Cluster $t -Quiet | Should -BeTrue
    }

    It 'writes keys across the slots, acknowledged by every replica' {
        foreach ($i in 1..$keyCount) {
            Invoke-RedisCommand -Cluster $t SET "drill:$i" "value-$i" | Should -Be 'OK'
        }
        foreach ($primary in Get-RedisClusterNode -Cluster $t -Role Primary) {
            Invoke-RedisCommand -Node $primary.Name WAIT 1 10000 | Should -Be 1
        }
    }

    It 'loses a primary to a crash (SIGKILL) and forces its replica to take over' {
        $script:victim = Get-RedisClusterNode -Cluster $t -Role Primary | Select-Object -First 1
        $script:heir = Get-RedisClusterNode -Cluster $t -Role Replica | Where-Object PrimaryName -eq $victim.Name
        @($heir).Count | Should -Be 1
        Stop-RedisNode -Name $victim.Name -Kill -Confirm:$false

        $result = $heir | Invoke-RedisFailover -Force -Confirm:$false
        $result.Kind | Should -Be 'Cluster'
        $result.NewPrimary | Should -Be $heir.Name
    }

    It 'has the replica own the lost primary''s slots, and the cluster serve every key' {
        Wait-Until { (Get-RedisClusterNode -Cluster $t -Node $heir.Name).Role -eq 'Primary' } | Should -BeTrue
        (Get-RedisClusterNode -Cluster $t -Node $heir.Name).SlotCount | Should -Be $victim.SlotCount
        foreach ($i in 1..$keyCount) {
            Invoke-RedisCommand -Cluster $t GET "drill:$i" | Should -Be "value-$i"
        }
        Invoke-RedisCommand -Cluster $t SET drill:after failover | Should -Be 'OK'
    }

    It 'takes the old primary back as a replica of its heir, and the cluster checks pass' {
        Start-RedisNode -Name $victim.Name
        Wait-Until {
            $n = Get-RedisClusterNode -Cluster $t -Node $victim.Name
            $n.Role -eq 'Replica' -and $n.PrimaryName -eq $heir.Name
        } -TimeoutSeconds 90 | Should -BeTrue
        Wait-Until { Test-RedisCluster -Cluster $t -Quiet } -TimeoutSeconds 90 | Should -BeTrue
        @(Get-RedisClusterNode -Cluster $t -Role Primary).Count | Should -Be 3
    }

    It 'tears the topology down' {
        Remove-RedisTopology -Topology $t -Confirm:$false
        Get-RedisTopology -Topology $t -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-RedisNode -Topology $t -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
