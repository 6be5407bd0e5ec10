#Requires -Version 7.4
<#
    Pester 5 integration tests: the README pipelines against a real Docker engine.

    Needs Docker (the engine the docker CLI reaches, which is also the module's default: DOCKER_HOST or the
    platform default) and the staged module (./build.ps1). Skipped as a whole when `docker version` fails.
    Image: $env:REDISDOCKER_IMAGE, else the official redis:7.4.

    Every name starts with a per-run id (rdt + 8 hex digits), subnets are free /24s found from the engine's
    networks, and AfterAll removes whatever carries one of the run's topology labels or the run id in its name.
#>

BeforeDiscovery {
    $dockerAvailable = $false
    if (Get-Command -Name docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = docker version 2>$null
        $dockerAvailable = ($LASTEXITCODE -eq 0)
    }
    if (-not $dockerAvailable) {
        Write-Warning 'RedisDocker integration tests SKIPPED: `docker version` failed (no docker CLI on PATH, or no Docker engine reachable). Start Docker and run again to include them.'
    }
    $describeName = if ($dockerAvailable) { 'RedisDocker against Docker' } else { 'RedisDocker against Docker (skipped: docker version failed)' }

    # Subnets New-RedisNetwork must refuse: not CIDR, host bits set, not private, prefix out of /8-/30.
    $invalidSubnetCases = @(
        @{ Subnet = 'not-a-subnet' }
        @{ Subnet = '172.28.1.5/24' }
        @{ Subnet = '8.8.8.0/24' }
        @{ Subnet = '10.0.0.0/31' }
    )
}

Describe $describeName -Tag 'Integration', 'Docker' -Skip:(-not $dockerAvailable) {
    BeforeAll {
        # Helpers first, so that AfterAll can clean up whatever happens below.

        . "$PSScriptRoot/Common.ps1"   # Get-FreeTestSubnet, Remove-TestResource, Wait-Until

        # Ids of what Docker holds for a topology (by the module's label).
        function Get-TopologyResource([string] $Topology) {
            [pscustomobject]@{
                Containers = @(docker ps -aq --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
                Volumes    = @(docker volume ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
                Networks   = @(docker network ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
            }
        }

        # The terminating error a script block throws, or $null.
        function Get-ThrownError([scriptblock] $ScriptBlock) {
            try { $null = & $ScriptBlock } catch { return $_ }
            return $null
        }

        # A profile that makes native exit codes throw would turn every expected docker failure into an error.
        $PSNativeCommandUseErrorActionPreference = $false

        $run = 'rdt' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $t = "$run-c"            # the README cluster
        $t2 = "$run-s"           # the README replication and Sentinel topology
        $t3 = "$run-e"           # -WhatIf and error records
        $t4 = "$run-p"           # the password check
        $okNetwork = "$run-ok"   # made by the pipeline that also carries a bad subnet
        $allTopologies = @($t, $t2, $t3, $t4, $okNetwork, "$run-bad", "$run-small", "$run-whatif")

        $moduleDir = Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker'
        $manifestPath = Join-Path $moduleDir 'RedisDocker.psd1'
        if (-not (Test-Path -LiteralPath $manifestPath)) {
            throw "The staged module is missing ($manifestPath): run ./build.ps1 first."
        }
        Import-Module $manifestPath -Force -ErrorAction Stop

        $image = if ($env:REDISDOCKER_IMAGE) { $env:REDISDOCKER_IMAGE } else { 'redis:7.4' }
        $null = docker image inspect $image 2>$null
        if ($LASTEXITCODE -ne 0) {
            $null = docker pull $image 2>$null
            if ($LASTEXITCODE -ne 0) { throw "The image '$image' is neither present nor pullable (set REDISDOCKER_IMAGE to a local image)." }
        }

        # 0 cluster, 1 replication, 2 errors, 3 password, 4 the good network of the mixed pipeline, 5 -WhatIf.
        $subnets = @(Get-FreeTestSubnet -Count 6)
        Write-Host "Integration run $run on $($subnets -join ', ') with image $image"
    }

    AfterAll {
        if ($run) {
            Remove-TestResource -Topology $allTopologies -NamePrefix $run
        }
    }

    Context 'README: New-RedisNetwork | New-RedisNode -Count 6 -ClusterEnabled | New-RedisCluster -ReplicasPerPrimary 1 | Get-RedisClusterNode' {
        BeforeAll {
            # Any error while building is shown as the cause of every test below.
            $clusterNodes = & {
                $ErrorActionPreference = 'Stop'
                @(
                    New-RedisNetwork -Name $t -Subnet $subnets[0] |
                        New-RedisNode -Count 6 -ClusterEnabled -Image $image |
                        New-RedisCluster -ReplicasPerPrimary 1 |
                        Get-RedisClusterNode
                )
            }
            $clusterNodes = @($clusterNodes)
        }

        It 'returns the 6 members of the cluster' {
            $clusterNodes.Count | Should -Be 6
            @($clusterNodes | Where-Object { $_ -isnot [RedisDocker.RedisClusterNode] }).Count | Should -Be 0
            @($clusterNodes | Where-Object { $_.Cluster -ne $t }).Count | Should -Be 0
        }

        It 'has 3 primaries owning all 16384 slots, and 3 replicas of them' {
            $primaries = @($clusterNodes | Where-Object Role -eq 'Primary')
            $replicas = @($clusterNodes | Where-Object Role -eq 'Replica')
            $primaries.Count | Should -Be 3
            $replicas.Count | Should -Be 3
            foreach ($primary in $primaries) { $primary.SlotCount | Should -BeGreaterThan 0 }
            ($primaries | Measure-Object -Property SlotCount -Sum).Sum | Should -Be 16384
            $primaryNames = @($primaries | ForEach-Object { $_.Name })
            foreach ($replica in $replicas) { $replica.PrimaryName | Should -BeIn $primaryNames }
        }

        It 'stores and reads a key through the cluster (Invoke-RedisCommand -Cluster)' {
            Invoke-RedisCommand -Cluster $t SET a b | Should -Be 'OK'
            Invoke-RedisCommand -Cluster $t GET a | Should -Be 'b'
        }

        It 'passes every check of Test-RedisCluster' {
            $checks = @(Test-RedisCluster -Cluster $t)
            $checks.Count | Should -BeGreaterThan 0
            @($checks | ForEach-Object { $_.Check }) | Should -Contain 'SlotsCovered'
            $failed = @($checks | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Check): $($_.Detail)" })
            $failed -join '; ' | Should -Be ''
            Test-RedisCluster -Cluster $t -Quiet | Should -BeTrue
        }

        It 'fails over to a replica without losing a write (Invoke-RedisFailover, coordinated)' {
            $result = Get-RedisClusterNode -Cluster $t | Where-Object Role -eq Replica | Select-Object -First 1 | Invoke-RedisFailover -Confirm:$false
            @($result).Count | Should -Be 1
            $result | Should -BeOfType ([RedisDocker.RedisFailoverResult])
            $result.Kind | Should -Be 'Cluster'
            $result.Mode | Should -Be 'Coordinated'
            $result.LostWrites | Should -Be 0
            $result.OldPrimary | Should -Not -BeNullOrEmpty
            $result.NewPrimary | Should -Not -Be $result.OldPrimary

            Wait-Until { (Get-RedisClusterNode -Cluster $t -Node $result.NewPrimary -ErrorAction SilentlyContinue).Role -eq 'Primary' } | Should -BeTrue
            Wait-Until { (Get-RedisClusterNode -Cluster $t -Node $result.OldPrimary -ErrorAction SilentlyContinue).Role -eq 'Replica' } | Should -BeTrue
            Wait-Until { Test-RedisCluster -Cluster $t -Quiet -ErrorAction SilentlyContinue } -TimeoutSeconds 60 | Should -BeTrue
            Invoke-RedisCommand -Cluster $t GET a | Should -Be 'b'
        }
    }

    Context 'README: replication (Set-RedisReplica) and Sentinel (New-RedisSentinel, Invoke-RedisFailover -SentinelGroup)' {
        BeforeAll {
            $p = & {
                $ErrorActionPreference = 'Stop'
                New-RedisNetwork -Name $t2 -Subnet $subnets[1] | New-RedisNode -Name "$t2-primary" -Image $image
            }
        }

        It 'creates the primary' {
            @($p).Count | Should -Be 1
            $p | Should -BeOfType ([RedisDocker.RedisNode])
            $p.Name | Should -Be "$t2-primary"
            $p.Topology | Should -Be $t2
            $p.Role | Should -Be 'Primary'
        }

        It 'makes new nodes replicas of the primary, and they receive its writes' {
            $replicas = @(New-RedisNode -Network $t2 -Name "$t2-r1", "$t2-r2" -Image $image | Set-RedisReplica -Primary $p)
            $replicas.Count | Should -Be 2
            @($replicas | ForEach-Object { $_.Name } | Sort-Object) -join ',' | Should -Be "$t2-r1,$t2-r2"
            foreach ($replica in $replicas) { $replica.Role | Should -Be 'Replica' }

            Invoke-RedisCommand -Node "$t2-primary" SET greeting hello | Should -Be 'OK'
            Wait-Until { ((Invoke-RedisCommand -Node "$t2-r1" GET greeting) -eq 'hello') -and ((Invoke-RedisCommand -Node "$t2-r2" GET greeting) -eq 'hello') } | Should -BeTrue
        }

        It 'watches the primary with 3 sentinels that reach their quorum' {
            $group = $p | New-RedisSentinel -Count 3 -Quorum 2
            @($group).Count | Should -Be 1
            $group | Should -BeOfType ([RedisDocker.RedisSentinelGroup])
            $group.QuorumOk | Should -BeTrue
            $group.MasterName | Should -Be $t2
            $group.Quorum | Should -Be 2
            $group.SentinelCount | Should -Be 3
            $group.Primary | Should -Be "$t2-primary"
        }

        It 'shows the group with Get-RedisSentinel' {
            $groups = @(Get-RedisSentinel -MasterName $t2)
            $groups.Count | Should -Be 1
            $groups[0].Primary | Should -Be "$t2-primary"
            @($groups[0].Replicas).Count | Should -Be 2
            @($groups[0].Sentinels).Count | Should -Be 3
            $groups[0].QuorumOk | Should -BeTrue
        }

        It 'fails over through the sentinels (Invoke-RedisFailover -SentinelGroup)' {
            $result = Invoke-RedisFailover -SentinelGroup $t2 -Confirm:$false
            @($result).Count | Should -Be 1
            $result | Should -BeOfType ([RedisDocker.RedisFailoverResult])
            $result.Kind | Should -Be 'Sentinel'
            $result.Mode | Should -Be 'Coordinated'
            $result.OldPrimary | Should -Be "$t2-primary"
            $result.NewPrimary | Should -BeIn @("$t2-r1", "$t2-r2")

            # Issue 9 item 10: reads agree as soon as the cmdlet returns, also in a new process asking the sentinels first.
            (Get-RedisSentinel -MasterName $t2).Primary | Should -Be $result.NewPrimary
            $fresh = & (Join-Path $PSHOME 'pwsh') -NoProfile -Command "Import-Module '$manifestPath'; (Get-RedisSentinel -MasterName '$t2').Primary"
            $fresh | Should -Be $result.NewPrimary

            Wait-Until { (Get-RedisSentinel -MasterName $t2 -ErrorAction SilentlyContinue).Primary -eq $result.NewPrimary } | Should -BeTrue
            Wait-Until { (Get-RedisNode -Name "$t2-primary" -ErrorAction SilentlyContinue).Role -eq 'Replica' } | Should -BeTrue
            Invoke-RedisCommand -Node $result.NewPrimary GET greeting | Should -Be 'hello'
        }
    }

    Context '-WhatIf and error records' {
        BeforeAll {
            # A plain node and a cluster-enabled one, each alone.
            $clusterNode = & {
                $ErrorActionPreference = 'Stop'
                $null = New-RedisNetwork -Name $t3 -Subnet $subnets[2]
                $null = New-RedisNode -Network $t3 -Name "$t3-plain" -Image $image
                New-RedisNode -Network $t3 -Name "$t3-cn" -ClusterEnabled -Image $image
            }
        }

        It 'New-RedisNetwork -WhatIf creates no network' {
            $name = "$run-whatif"
            $out = New-RedisNetwork -Name $name -Subnet $subnets[5] -WhatIf
            $out | Should -BeNullOrEmpty
            $null = docker network inspect $name 2>$null
            $LASTEXITCODE | Should -Not -Be 0
        }

        It 'New-RedisNode -WhatIf creates no container and no volume' {
            $name = "$t3-whatif"
            $out = New-RedisNode -Network $t3 -Name $name -Image $image -WhatIf
            $out | Should -BeNullOrEmpty
            $null = docker container inspect $name 2>$null
            $LASTEXITCODE | Should -Not -Be 0
            $null = docker volume inspect "$name-data" 2>$null
            $LASTEXITCODE | Should -Not -Be 0
        }

        It 'New-RedisNode -Count -WhatIf creates nothing either' {
            $before = Get-TopologyResource $t3
            $before.Containers.Count | Should -Be 2
            $out = New-RedisNode -Network $t3 -Count 2 -Image $image -WhatIf
            $out | Should -BeNullOrEmpty
            $after = Get-TopologyResource $t3
            $after.Containers.Count | Should -Be $before.Containers.Count
            $after.Volumes.Count | Should -Be $before.Volumes.Count
        }

        It 'Remove-RedisNode -WhatIf keeps the node' {
            Remove-RedisNode -Name "$t3-plain" -WhatIf
            $null = docker container inspect "$t3-plain" 2>$null
            $LASTEXITCODE | Should -Be 0
        }

        It 'reports a taken node name as RedisDocker.NodeNameTaken (ResourceExists), item by item, and goes on' {
            $name = "$t3-dup"
            $items = @(
                [pscustomobject]@{ Network = $t3 }
                [pscustomobject]@{ Network = $t3 }
                [pscustomobject]@{ Network = $t3 }
            )
            $made = @($items | New-RedisNode -Name $name -Image $image -ErrorVariable nodeErrors -ErrorAction SilentlyContinue)

            # The first item makes the node; the second and the third each find the name taken.
            $made.Count | Should -Be 1
            $made[0].Name | Should -Be $name
            $nodeErrors.Count | Should -Be 2
            foreach ($record in $nodeErrors) {
                $record.FullyQualifiedErrorId | Should -Be 'RedisDocker.NodeNameTaken,RedisDocker.Cmdlets.NewRedisNodeCommand'
                $record.CategoryInfo.Category | Should -Be 'ResourceExists'
                $record.TargetObject | Should -Be $name
            }
        }

        It 'reports a bad subnet as an error record and goes on with the next network of the pipeline' {
            $items = @(
                [pscustomobject]@{ Name = "$run-bad"; Subnet = 'not-a-subnet' }
                [pscustomobject]@{ Name = $okNetwork; Subnet = $subnets[4] }
            )
            $made = @($items | New-RedisNetwork -ErrorVariable networkErrors -ErrorAction SilentlyContinue)

            $made.Count | Should -Be 1
            $made[0].Name | Should -Be $okNetwork
            $made[0].Subnet | Should -Be $subnets[4]
            $networkErrors.Count | Should -Be 1
            $networkErrors[0].FullyQualifiedErrorId | Should -Be 'RedisDocker.InvalidSubnet,RedisDocker.Cmdlets.NewRedisNetworkCommand'
            $networkErrors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $null = docker network inspect "$run-bad" 2>$null
            $LASTEXITCODE | Should -Not -Be 0
        }

        It 'refuses subnet <Subnet> with RedisDocker.InvalidSubnet (InvalidArgument) and creates nothing' -ForEach $invalidSubnetCases {
            $name = "$run-bad"
            $out = New-RedisNetwork -Name $name -Subnet $Subnet -ErrorVariable subnetErrors -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $subnetErrors.Count | Should -Be 1
            $subnetErrors[0].FullyQualifiedErrorId | Should -Be 'RedisDocker.InvalidSubnet,RedisDocker.Cmdlets.NewRedisNetworkCommand'
            $subnetErrors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $subnetErrors[0].TargetObject | Should -Be $Subnet
            $null = docker network inspect $name 2>$null
            $LASTEXITCODE | Should -Not -Be 0
        }

        It 'refuses a quorum above the sentinel count with a terminating RedisDocker.SentinelQuorumInvalid' {
            { New-RedisSentinel -Primary "$t3-plain" -Count 3 -Quorum 4 } |
                Should -Throw -ErrorId 'RedisDocker.SentinelQuorumInvalid,RedisDocker.Cmdlets.NewRedisSentinelCommand'
            $thrown = Get-ThrownError { New-RedisSentinel -Primary "$t3-plain" -Count 3 -Quorum 4 }
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            # Terminating: -ErrorAction SilentlyContinue does not turn it into a mere error record.
            { New-RedisSentinel -Primary "$t3-plain" -Count 3 -Quorum 4 -ErrorAction SilentlyContinue } | Should -Throw
            @(docker ps -aq --filter "label=io.redisdocker.topology=$t3" --filter 'label=io.redisdocker.kind=sentinel' 2>$null | Where-Object { $_ }).Count | Should -Be 0
        }

        It 'refuses too few nodes for a cluster (-Count) with a terminating RedisDocker.ClusterTooSmall, creating nothing' {
            { New-RedisCluster -Count 5 -ReplicasPerPrimary 1 -Name "$run-small" -Image $image } |
                Should -Throw -ErrorId 'RedisDocker.ClusterTooSmall,RedisDocker.Cmdlets.NewRedisClusterCommand'
            $thrown = Get-ThrownError { New-RedisCluster -Count 5 -ReplicasPerPrimary 1 -Name "$run-small" -Image $image }
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $null = docker network inspect "$run-small" 2>$null
            $LASTEXITCODE | Should -Not -Be 0
            @(docker ps -aq --filter "name=$run-small" 2>$null | Where-Object { $_ }).Count | Should -Be 0
        }

        It 'refuses too few piped nodes for a cluster with a RedisDocker.ClusterTooSmall error record, touching nothing' {
            $out = $clusterNode | New-RedisCluster -ReplicasPerPrimary 0 -ErrorVariable clusterErrors -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $clusterErrors.Count | Should -Be 1
            $clusterErrors[0].FullyQualifiedErrorId | Should -Be 'RedisDocker.ClusterTooSmall,RedisDocker.Cmdlets.NewRedisClusterCommand'
            $clusterErrors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            # The node still knows only itself.
            Invoke-RedisCommand -Node "$t3-cn" CLUSTER INFO | Should -Match 'cluster_known_nodes:1\s'
        }

        It 'refuses Set-RedisReplica on a cluster node with RedisDocker.ClusterModeNotAllowed (InvalidOperation)' {
            $out = Set-RedisReplica -Name "$t3-cn" -Primary "$t3-plain" -ErrorVariable replicaErrors -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $replicaErrors.Count | Should -Be 1
            $replicaErrors[0].FullyQualifiedErrorId | Should -Be 'RedisDocker.ClusterModeNotAllowed,RedisDocker.Cmdlets.SetRedisReplicaCommand'
            $replicaErrors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $replicaErrors[0].TargetObject | Should -Be "$t3-cn"
            (Get-RedisNode -Name "$t3-cn").Role | Should -Be 'Primary'
        }
    }

    Context 'The password never shows' {
        BeforeAll {
            & {
                $ErrorActionPreference = 'Stop'
                $null = New-RedisNetwork -Name $t4 -Subnet $subnets[3]
            }
        }

        It 'is in no verbose record of New-RedisNode, not in its output, not in docker inspect, not in docker logs' {
            $name = "$t4-1"
            # The first node of a topology is where its password is generated.
            $records = @(New-RedisNode -Network $t4 -Name $name -Image $image -Verbose 4>&1)
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $nodes = @($records | Where-Object { $_ -is [RedisDocker.RedisNode] })
            $nodes.Count | Should -Be 1
            $verbose.Count | Should -BeGreaterThan 0

            $password = (Get-RedisCredential -Topology $t4).GetNetworkCredential().Password
            $password | Should -Not -BeNullOrEmpty

            @($verbose | Where-Object { $_.Message.Contains($password) }).Count | Should -Be 0
            ($nodes | Format-List -Property * | Out-String -Width 500).Contains($password) | Should -BeFalse
            ((docker inspect $name 2>$null) -join "`n").Contains($password) | Should -BeFalse
            ((docker logs $name 2>$null) -join "`n").Contains($password) | Should -BeFalse
        }
    }

    Context 'README teardown: Get-RedisNode -Topology | Remove-RedisNode; Remove-RedisNetwork' {
        It 'removes the cluster topology: containers, volumes and network' {
            @(Get-RedisNode -Topology $t).Count | Should -Be 6
            Get-RedisNode -Topology $t | Remove-RedisNode -Confirm:$false; Remove-RedisNetwork $t -Confirm:$false
            $left = Get-TopologyResource $t
            $left.Containers.Count | Should -Be 0
            $left.Volumes.Count | Should -Be 0
            $left.Networks.Count | Should -Be 0
        }

        It 'removes the replication and Sentinel topology, sentinels included' {
            $nodes = @(Get-RedisNode -Topology $t2)
            $nodes.Count | Should -Be 6
            @($nodes | Where-Object Kind -eq 'Sentinel').Count | Should -Be 3
            Get-RedisNode -Topology $t2 | Remove-RedisNode -Confirm:$false; Remove-RedisNetwork $t2 -Confirm:$false
            $left = Get-TopologyResource $t2
            $left.Containers.Count | Should -Be 0
            $left.Volumes.Count | Should -Be 0
            $left.Networks.Count | Should -Be 0
        }

        It 'removes the other topologies of the run' {
            foreach ($topology in @($t3, $t4, $okNetwork)) {
                Get-RedisNode -Topology $topology | Remove-RedisNode -Confirm:$false
                Get-RedisNetwork -Topology $topology | Remove-RedisNetwork -Confirm:$false
                $left = Get-TopologyResource $topology
                "$topology containers: $($left.Containers.Count)" | Should -Be "$topology containers: 0"
                "$topology volumes: $($left.Volumes.Count)" | Should -Be "$topology volumes: 0"
                "$topology networks: $($left.Networks.Count)" | Should -Be "$topology networks: 0"
            }
        }
    }

    Context 'Connect-RedisDocker makes the default session of the runspace' {
        It 'is used by the next cmdlets of a script, not the DOCKER_HOST the script started with' {
            # The bridge runs the core on the thread pool, where there is no current runspace: the default
            # session must be taken on the pipeline thread (it was a session made from DOCKER_HOST instead).
            $engine = if ($env:DOCKER_HOST) { $env:DOCKER_HOST } else { 'unix:///var/run/docker.sock' }
            $script = Join-Path ([IO.Path]::GetTempPath()) "rdt-default-$run.ps1"
            Set-Content -LiteralPath $script -Value @"
Import-Module '$manifestPath' -ErrorAction Stop
Connect-RedisDocker -DockerHost '$engine' | Out-Null
try { `$null = @(Get-RedisNode -Topology '$run-none' -ErrorAction Stop); 'ok' } catch { "failed: `$_" }
"@
            $saved = $env:DOCKER_HOST
            try {
                $env:DOCKER_HOST = 'tcp://127.0.0.1:1'   # closed: a cmdlet that used it would fail
                $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $script 2>&1
            }
            finally {
                $env:DOCKER_HOST = $saved
                Remove-Item -LiteralPath $script -ErrorAction Ignore
            }
            ($out | Select-Object -Last 1) | Should -Be 'ok' -Because ($out -join "`n")
        }
    }

}
