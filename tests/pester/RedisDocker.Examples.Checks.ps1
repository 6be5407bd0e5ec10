<#
    What each documented example must do, keyed by page#number (docs/help/<Cmdlet>.md "### Example N",
    about_RedisDocker's N-th powershell block). Setup puts the engine in the state the example's text assumes
    (it runs in the same scope as the example and the check); Check asserts the effect the text describes, with
    $Out holding what the example wrote to the pipeline. An example without an entry fails its test.

    $ExamplePageOrder runs the pages in an order that lets them share the fixtures (few rebuilds);
    $ExampleOrder overrides the order of examples inside a page.
#>

$script:ExamplePageOrder = @(
    'Invoke-RedisCommand', 'Get-RedisCluster', 'Test-RedisCluster', 'Get-RedisClusterNode', 'Invoke-RedisFailover',
    'Stop-RedisNode', 'Start-RedisNode', 'Restart-RedisNode', 'Repair-RedisCluster', 'Get-RedisNetwork',
    'Get-RedisReplication', 'Get-RedisCredential', 'Get-RedisConnectionString', 'Connect-RedisClient', 'Set-RedisCluster', 'Get-RedisSentinel', 'Get-RedisNode', 'Set-RedisReplica',
    'Connect-RedisNetwork', 'Disconnect-RedisNetwork', 'Remove-RedisNode', 'New-RedisNetwork', 'New-RedisNode',
    'New-RedisSentinel', 'New-RedisCluster', 'Move-RedisClusterSlot', 'Add-RedisClusterNode', 'Optimize-RedisCluster',
    'Remove-RedisClusterNode', 'Get-RedisTopology', 'Stop-RedisTopology', 'Start-RedisTopology',
    'Export-RedisTopology', 'Import-RedisTopology', 'Backup-RedisTopology', 'Restore-RedisTopology', 'Import-RedisData',
    'Export-RedisCertificate', 'Update-RedisCertificate',
    'New-RedisUser', 'Get-RedisUser', 'Set-RedisUser', 'Remove-RedisUser',
    'Remove-RedisTopology', 'Remove-RedisNetwork',
    'Connect-RedisDocker', 'Get-RedisSwarmNode', 'Move-RedisNode', 'about_RedisDocker'
)
# Examples that need a second Docker engine: not run by this file (see the report in tests/pester/README.md).
$script:KnownMultiHostExamples = @(
    'Connect-RedisDocker#1', 'Connect-RedisDocker#2', 'Connect-RedisDocker#4', 'New-RedisNode#5', 'New-RedisSentinel#3',
    'about_RedisDocker#9', 'Get-RedisSwarmNode#1', 'Get-RedisSwarmNode#2', 'New-RedisNetwork#4',
    'New-RedisCluster#6', 'Move-RedisNode#1', 'Move-RedisNode#2'
)
$script:ExampleOrder = @{
    'Get-RedisNode'         = 1, 2, 4, 5, 3
    'Optimize-RedisCluster' = 1, 3, 2
    'New-RedisCluster'      = 1, 3, 4, 5, 2
}

function Get-Text { ($Out | Out-String -Width 300) }
function Get-Member6([string] $Cluster = 'redis') { @(Get-RedisClusterNode -Cluster $Cluster) }
function Assert-Canonical3x1([string] $Cluster = 'redis') {
    $m = @(Get-RedisClusterNode -Cluster $Cluster)
    $m.Count | Should -Be 6
    foreach ($i in 1..3) {
        $p = $m | Where-Object Name -eq "$Cluster-$i"
        "$($p.Role)" | Should -Be 'Primary'
        @($m | Where-Object PrimaryName -eq "$Cluster-$i").Count | Should -Be 1
    }
    (($m | Where-Object Role -eq Primary | Sort-Object Name).Slots) -join ' ' |
        Should -Be '0-5460 5461-10922 10923-16383'
    Test-RedisCluster -Cluster $Cluster -Quiet | Should -BeTrue
}
function Assert-HaGroup {
    $g = Get-RedisSentinel -MasterName ha
    $g.SentinelCount | Should -Be 3
    $g.Quorum | Should -Be 2
    $g.QuorumOk | Should -BeTrue
    @($g.Replicas) | Sort-Object | Should -Be @('r1', 'r2')
    $g.Primary | Should -Be 'primary'
}
function Get-SlotsOf([string] $Node) { (Get-RedisClusterNode -Cluster redis -Node $Node).SlotCount }

$script:ExampleChecks = @{

    # ------------------------------------------------------------ ACL users (on the shop topology)
    'New-RedisUser#1' = @{
        Setup = { Use-ShopTopology
            Get-RedisUser -Topology shop -Name app* | Remove-RedisUser -Confirm:$false }
        Check = { $Out.Name | Should -Be 'app'; $Out.Enabled | Should -BeTrue
            $Out.Permission | Should -Match '~app:\*'; $Out.PasswordCount | Should -Be 1 }
    }
    'New-RedisUser#2' = @{
        Setup = { Use-ShopTopology
            Get-RedisUser -Topology shop -Name reporting* | Remove-RedisUser -Confirm:$false }
        Check = { $Out.Name | Should -Be 'reporting'; $Out.Enabled | Should -BeFalse
            Remove-RedisUser -Topology shop -Name reporting -Confirm:$false }
    }
    'Get-RedisUser#2' = @{
        Setup = { Use-ShopTopology }
        Check = { @($Out).Count | Should -Be 1; $Out.Name | Should -Be 'app'; $Out.Topology | Should -Be 'shop' }
    }
    'Get-RedisUser#1' = @{
        Setup = { Use-ShopTopology }
        Check = { @($Out.Name) | Should -Contain 'default'; @($Out.Name) | Should -Contain 'app'
            @($Out | Where-Object ModuleUser).Name | Should -Be 'redisdocker' }
    }
    'Set-RedisUser#1' = @{
        Setup = { Use-ShopTopology }
        Check = { $Out.Name | Should -Be 'app'; $Out.Permission | Should -Match '\+@read'
            $Out.Permission | Should -Not -Match '\+@write' }
    }
    'Set-RedisUser#2' = @{
        Setup = { Use-ShopTopology }
        Check = { $Out.Name | Should -Be 'app'; $Out.Enabled | Should -BeFalse }
    }
    'Set-RedisUser#3' = @{
        Setup = { Use-ShopTopology }
        Check = { try { $Out.Name | Should -Be 'default'; $Out.Enabled | Should -BeFalse
            @(Get-RedisUser -Topology shop | Where-Object ModuleUser).Name | Should -Be 'redisdocker'
            # A string with the password only would be refused: it says so.
            $null = Get-RedisConnectionString -Cluster shop -IncludePassword -WarningVariable w -WarningAction Ignore
            "$w" | Should -Match "default' is off" }
            finally { Set-RedisUser -Topology shop -Name default -Enabled | Out-Null } }
    }
    'Remove-RedisUser#2' = @{
        Setup = { Use-ShopTopology
            $tmp = ConvertTo-SecureString -String (New-Guid).Guid -AsPlainText -Force
            New-RedisUser -Topology shop -Name tmp-1 -Permission '~tmp:* +@read' -Password $tmp | Out-Null }
        Check = { $Out | Should -BeNullOrEmpty; @((Get-RedisUser -Topology shop).Name) | Should -Not -Contain 'tmp-1' }
    }
    'Remove-RedisUser#1' = @{
        Setup = { Use-ShopTopology }
        Check = { $Out | Should -BeNullOrEmpty; @((Get-RedisUser -Topology shop).Name) | Should -Not -Contain 'app' }
    }

    # ------------------------------------------------------------ Export-/Update-RedisCertificate (TLS)
    'Export-RedisCertificate#1' = @{
        Setup = { Use-ShopTopology; Remove-Item ./certs -Recurse -Force -ErrorAction SilentlyContinue }
        Check = { $files = @($Out | Where-Object { $_ -is [System.IO.FileInfo] })
            @($files.Name) | Should -Be @('ca.crt', 'client.crt', 'client.key')
            (Get-Content ./certs/ca.crt -Raw) | Should -Match 'BEGIN CERTIFICATE'
            (Get-Content ./certs/client.key -Raw) | Should -Match 'BEGIN PRIVATE KEY'
            @($Out | Where-Object { $_ -is [string] })[0] | Should -Match ',ssl=true$'
            Remove-Item ./certs -Recurse -Force }
    }
    'Export-RedisCertificate#2' = @{
        Setup = { Use-ShopTopology; Remove-Item ./ca-only -Recurse -Force -ErrorAction SilentlyContinue }
        Check = { @(@($Out).Name) | Should -Be @('ca.crt'); Test-Path ./ca-only/client.key | Should -BeFalse
            Remove-Item ./ca-only -Recurse -Force }
    }
    'Update-RedisCertificate#2' = @{
        Setup = { Use-ShopTopology }
        Check = { $Out | Should -BeNullOrEmpty }
    }
    'Update-RedisCertificate#1' = @{
        Setup = { Use-ShopTopology }
        Check = { @($Out | Sort-Object) | Should -Be @('shop-1', 'shop-2', 'shop-3')
            Test-RedisCluster -Cluster shop -Quiet | Should -BeTrue }
    }

    # ------------------------------------------------------------ Invoke-RedisCommand
    'Invoke-RedisCommand#1' = @{
        Setup = { Use-RedisCluster }
        Check = { @($Out) | Should -Be @('OK', 'b')
            # CLUSTER KEYSLOT has no key: it runs on every primary, and each says 15495.
            @((Invoke-RedisCommand -Cluster redis CLUSTER KEYSLOT a).Reply | Select-Object -Unique) | Should -Be @(15495) }
    }
    'Invoke-RedisCommand#2' = @{
        Setup = { Use-HaTopology }
        Check = { $t = Get-Text; $t | Should -Match 'master'; ([regex]::Matches($t, 'slave')).Count | Should -BeGreaterOrEqual 2 }
    }
    'Invoke-RedisCommand#3' = @{
        Check = { $t = Get-Text; $t | Should -Match 'role:master'; $t | Should -Match 'connected_slaves:2' }
    }
    'Invoke-RedisCommand#4' = @{
        Setup = { Use-RedisCluster; $null = Invoke-RedisCommand -Cluster redis SET a b }
        Check = { $m = @($Out)[0]; $m.Count | Should -Be 3   # one reply per primary, summed
            $each = Get-RedisClusterNode -Cluster redis | Where-Object Role -eq Primary | ForEach-Object {
                Invoke-RedisCommand -Node $_.Name DBSIZE }
            $m.Sum | Should -Be ($each | Measure-Object -Sum).Sum
            $m.Sum | Should -BeGreaterOrEqual 1 }
    }
    'Invoke-RedisCommand#5' = @{
        Setup = { Use-RedisCluster }
        Check = { $primaries = @(Get-RedisClusterNode -Cluster redis | Where-Object Role -eq Primary).Name
            $Out.Count | Should -Be 3
            @($Out.Node | Sort-Object) | Should -Be @($primaries | Sort-Object)
            $Out | ForEach-Object { "$($_.Reply)" | Should -Match 'used_memory:' } }
    }

    # ------------------------------------------------------------ Get-RedisCluster
    'Get-RedisCluster#1' = @{
        Setup = { Use-RedisCluster }
        Check = { $c = $Out | Where-Object Name -eq redis; $c | Should -Not -BeNullOrEmpty
            $c.State | Should -Be 'ok'; $c.SlotsAssigned | Should -Be 16384; $c.SlotsOk | Should -Be 16384
            $c.Primaries | Should -Be 3; $c.Replicas | Should -Be 3; $c.KnownNodes | Should -Be 6 }
    }
    'Get-RedisCluster#2' = @{
        Setup = { Use-RedisCluster }
        Check = {
            (Get-ContainerState redis-1) | Should -Be 'exited'
            $Out[0].PSObject.Properties.Name | Should -Be @('State', 'SlotsOk', 'SlotsPFail', 'SlotsFail', 'Primaries', 'Replicas')
            # "run the second command again to watch the cluster recover": redis-4 takes over the slots of redis-1
            $seen = @{}
            Wait-Until { $c = Get-RedisCluster -Cluster redis
                if ($c.SlotsPFail + $c.SlotsFail -gt 0) { $seen.Failing = $true }
                $c.State -eq 'ok' -and $c.SlotsOk -eq 16384 -and
                    "$((Get-RedisClusterNode -Cluster redis -Node redis-4).Role)" -eq 'Primary' } 90 | Should -BeTrue
            # The pfail/fail window before redis-4 takes over lasts about a second (measured: 1 poll in 30); asserting
            # that a poll saw it would assert timing, so only the recovery the text promises is checked.
        }
    }
    'Get-RedisCluster#3' = @{
        Setup = { Use-RedisCluster }
        Check = { $Out.Count | Should -Be 7; $Out.Passed | Should -Not -Contain $false }
    }
    'Get-RedisCluster#4' = @{
        Check = { @($Out).Count | Should -Be 1; $Out[0].Name | Should -Be 'redis' }
    }

    # ------------------------------------------------------------ Test-RedisCluster
    'Test-RedisCluster#1' = @{
        Setup = { Use-RedisCluster }
        Check = { $Out.Count | Should -Be 7; $Out.Passed | Should -Not -Contain $false; $Out.Detail | Should -Not -BeNullOrEmpty }
    }
    'Test-RedisCluster#2' = @{
        Setup = { Use-RedisCluster }
        Check = {
            $Out[0] | Should -BeFalse
            $failing = @($Out | Select-Object -Skip 1)
            $failing.Check | Should -Contain 'NodesReachable'
            ($failing | Where-Object Check -eq NodesReachable).Detail | Should -Match 'redis-1'
            # "Started again, redis-1 rejoins as a replica of its former replica and every check passes"
            Wait-Until { (Get-RedisClusterNode -Cluster redis -Node redis-4).Role -eq 'Primary' } 90 | Should -BeTrue
            $null = Start-RedisNode -Name redis-1
            Wait-Until { Test-RedisCluster redis -Quiet } 90 | Should -BeTrue
            (Get-RedisClusterNode -Cluster redis -Node redis-1).PrimaryName | Should -Be 'redis-4'
        }
    }
    'Test-RedisCluster#3' = @{
        Setup = { Use-RedisCluster }
        Check = { $t = Get-Text; $t | Should -Match 'Check\s+Passed\s+Detail'; $t | Should -Match 'False'
            $t | Should -Match 'ReplicasPerPrimary\s+False'
            $failed = Get-RedisCluster -Cluster redis | Test-RedisCluster -ReplicasPerPrimary 2 | Where-Object Passed -eq $false
            $failed.Check | Should -Be 'ReplicasPerPrimary'; $failed.Detail | Should -Match 'expected 2: .*redis-1 has 1' }
    }

    # ------------------------------------------------------------ Get-RedisClusterNode
    'Get-RedisClusterNode#1' = @{
        Setup = { Remove-DocTopology redis }
        Check = { $t = Get-Text; foreach ($i in 1..6) { $t | Should -Match "redis-$i" }
            (Get-RedisNetwork redis).Subnet | Should -Be $script:DocSubnet.redis
            Assert-Canonical3x1 }
    }
    'Get-RedisClusterNode#2' = @{
        Setup = { Use-RedisCluster
            $first = Get-RedisClusterNode -Cluster redis | Where-Object Role -eq Replica | Select-Object -First 1 }
        Check = { $Out.Mode | Should -Be 'Coordinated'; $Out.LostWrites | Should -Be 0
            (Get-RedisClusterNode -Cluster redis -Node $first.Name).Role | Should -Be 'Primary'
            (Get-RedisClusterNode -Cluster redis -Node $first.PrimaryName).Role | Should -Be 'Replica' }
    }
    'Get-RedisClusterNode#3' = @{
        Setup = { Use-RedisCluster }
        Check = { @($Out).Count | Should -Be 1; $Out[0].Name | Should -Be 'redis-4'
            $Out[0].HostEndpoint | Should -Match '^127\.0\.0\.1:\d+$'; $Out[0].LinkState | Should -Be 'connected' }
    }
    'Get-RedisClusterNode#4' = @{
        Setup = { Use-RedisCluster }
        Check = { @($Out.Name | Sort-Object) | Should -Be @('redis-1', 'redis-4', 'redis-5')
            ($Out | Where-Object Name -eq redis-1).NodeId | Should -BeLike "$id*" }
    }

    # ------------------------------------------------------------ Invoke-RedisFailover
    'Invoke-RedisFailover#1' = @{
        Setup = { Use-RedisCluster
            $first = Get-RedisClusterNode -Cluster redis | Where-Object Role -eq Replica | Select-Object -First 1 }
        Check = { $Out.Kind | Should -Be 'Cluster'; $Out.Mode | Should -Be 'Coordinated'; $Out.LostWrites | Should -Be 0
            $Out.OldPrimary | Should -Be $first.PrimaryName; $Out.NewPrimary | Should -Be $first.Name
            $Out.NewPrimaryHostEndpoint | Should -Match '^127\.0\.0\.1:'
            (Get-RedisClusterNode -Cluster redis -Node $first.Name).Role | Should -Be 'Primary' }
    }
    'Invoke-RedisFailover#2' = @{
        Setup = { Use-RedisCluster }
        Check = { $f = $Out | Where-Object Mode; $f.Mode | Should -Be 'Force'; $f.NewPrimary | Should -Be 'redis-4'
            Wait-Until { (Get-RedisClusterNode -Cluster redis -Node redis-1).PrimaryName -eq 'redis-4' -and
                "$((Get-RedisClusterNode -Cluster redis -Node redis-4).Role)" -eq 'Primary' } 60 |
                Should -BeTrue -Because (Get-RedisClusterNode -Cluster redis | Format-Table Name, Role, PrimaryName, Slots, Flags, ReportedBy | Out-String) }
    }
    'Invoke-RedisFailover#3' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Kind | Should -Be 'Sentinel'; $Out.LostWrites | Should -Be 0; $Out.OldPrimary | Should -Be 'primary'
            $Out.NewPrimary | Should -BeIn 'r1', 'r2'
            Wait-Until { (Get-RedisSentinel -MasterName ha).Primary -eq $Out.NewPrimary } 30 | Should -BeTrue
            Get-NodeRole primary | Should -Be 'Replica' }
    }
    'Invoke-RedisFailover#4' = @{
        Setup = { Use-HaTopology }
        Check = { $f = $Out | Where-Object Mode; $f.NewPrimary | Should -BeIn 'r1', 'r2'
            $rep = $Out | Where-Object { $_.PSObject.Properties.Name -contains 'LinkStatus' }
            ($rep | Where-Object Name -eq primary).Role | Should -Be 'Replica'
            ($rep | Where-Object Name -eq primary).PrimaryName | Should -Be $f.NewPrimary
            ($rep | Where-Object Name -eq $f.NewPrimary).Role | Should -Be 'Primary' }
    }
    'Invoke-RedisFailover#5' = @{
        Setup = { Use-HaTopology }
        Check = { $f = $Out | Where-Object Mode; $f.Mode | Should -Be 'Force'; $f.LostWrites | Should -BeNullOrEmpty
            $f.NewPrimary | Should -BeIn 'r1', 'r2'
            Wait-Until { (Get-RedisReplication -Name primary).PrimaryName -eq $f.NewPrimary } 60 | Should -BeTrue }
    }
    'Invoke-RedisFailover#6' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.NewPrimary | Should -Be 'r2'
            Wait-Until { (Get-RedisSentinel -MasterName ha).Primary -eq 'r2' } 30 | Should -BeTrue }
    }
    'Invoke-RedisFailover#7' = @{
        Setup = { Use-HaTopology }
        Check = { $Out | Should -BeNullOrEmpty; (Get-RedisSentinel -MasterName ha).Primary | Should -Be 'primary' }
    }

    # ------------------------------------------------------------ Stop-RedisNode
    'Stop-RedisNode#1' = @{
        Setup = { Use-RedisCluster }
        Check = { Get-ContainerState redis-1 | Should -Be 'exited'; $Out.Mode | Should -Be 'Force'
            (Get-RedisClusterNode -Cluster redis -Node redis-4).Role | Should -Be 'Primary' }
    }
    'Stop-RedisNode#2' = @{
        Setup = { Use-HaTopology }
        Check = { Get-ContainerState primary | Should -Be 'exited'; $Out.NewPrimary | Should -BeIn 'r1', 'r2'
            $null = Invoke-RedisCommand -Node $Out.NewPrimary SET written-after-failover 1 }
    }
    'Stop-RedisNode#3' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Count | Should -Be 6; $Out.State | Should -Not -Contain 'running'
            foreach ($n in $Out.Name) { Get-ContainerState $n | Should -Be 'exited' }
            # "Start them again with Get-RedisNode -Topology ha | Start-RedisNode"
            Get-RedisNode -Topology ha | Start-RedisNode
            Wait-Until { (Get-RedisSentinel -MasterName ha).QuorumOk } 60 | Should -BeTrue }
    }

    # ------------------------------------------------------------ Start-RedisNode
    'Start-RedisNode#1' = @{
        Setup = { Use-HaTopology }
        Check = { $n = $Out | Where-Object Name -eq primary; $n.Role | Should -Be 'Replica'
            (Get-RedisSentinel -MasterName ha).Primary | Should -BeIn 'r1', 'r2' }
    }
    'Start-RedisNode#2' = @{
        Setup = { Use-RedisCluster; Stop-RedisNode -Name redis-5 }
        Check = { (Get-RedisNode -Topology redis).State | Should -Not -Contain 'exited'
            Invoke-RedisCommand -Node redis-5 PING | Should -Be 'PONG' }
    }
    'Start-RedisNode#3' = @{
        Setup = { Use-RedisCluster; Stop-RedisNode -Name redis-1 -Kill
            $null = Wait-Until { (Get-RedisClusterNode -Cluster redis -Node redis-4).Role -eq 'Primary' } 90 }
        Check = { $checks = $Out | Where-Object Check; $checks.Count | Should -Be 7
            # what the text allows right after the start: SlotMapAgreement, and NodesReachable naming redis-1 only
            $early = @($checks | Where-Object Passed -eq $false)
            $early.Check | Where-Object { $_ -notin 'SlotMapAgreement', 'NodesReachable' } | Should -BeNullOrEmpty
            ($early | Where-Object Check -eq NodesReachable).Detail | Where-Object { $_ -notmatch ': redis-1$' } |
                Should -BeNullOrEmpty
            Wait-Until { Test-RedisCluster -Cluster redis -Quiet } 30 | Should -BeTrue -Because 'every check passes again'
            (Get-RedisClusterNode -Cluster redis -Node redis-1).Role | Should -Be 'Replica' }
    }

    # ------------------------------------------------------------ Restart-RedisNode
    'Restart-RedisNode#1' = @{
        Setup = { Use-HaTopology; $before = docker inspect r1 --format '{{.State.StartedAt}}' }
        Check = { $Out.Name | Should -Be 'r1'; $Out.Role | Should -Be 'Replica'
            docker inspect r1 --format '{{.State.StartedAt}}' | Should -Not -Be $before
            (Get-RedisReplication -Name r1).PrimaryName | Should -Be 'primary' }
    }
    'Restart-RedisNode#2' = @{
        Setup = { Use-RedisCluster
            $before = @{}; foreach ($n in 'redis-4', 'redis-5', 'redis-6') { $before[$n] = docker inspect $n --format '{{.State.StartedAt}}' } }
        Check = { $Out[-1] | Should -BeTrue
            foreach ($n in $before.Keys) { docker inspect $n --format '{{.State.StartedAt}}' | Should -Not -Be $before[$n] }
            foreach ($n in 'redis-1', 'redis-2', 'redis-3') { (Get-RedisClusterNode -Cluster redis -Node $n).Role | Should -Be 'Primary' } }
    }

    # ------------------------------------------------------------ Repair-RedisCluster
    'Repair-RedisCluster#1' = @{
        Setup = { Use-RedisCluster -Fresh
            $id2 = (Get-RedisClusterNode -Cluster redis -Node redis-2).NodeId
            $null = Invoke-RedisCommand -Node redis-1 CLUSTER SETSLOT 100 MIGRATING $id2 }
        Check = { $Out[0].Check | Should -Be 'NoOpenSlots'; $Out[0].Passed | Should -BeFalse
            $Out[-1] | Should -BeTrue; (Get-RedisClusterNode -Cluster redis -Node redis-1).OpenSlots | Should -BeNullOrEmpty }
    }
    'Repair-RedisCluster#2' = @{
        Setup = { Use-RedisCluster -Fresh
            $id2 = (Get-RedisClusterNode -Cluster redis -Node redis-2).NodeId
            $null = Invoke-RedisCommand -Node redis-1 CLUSTER SETSLOT 100 MIGRATING $id2 }
        Check = { $Out | Should -BeNullOrEmpty
            (Get-RedisClusterNode -Cluster redis -Node redis-1).OpenSlots | Should -Not -BeNullOrEmpty -Because 'nothing is changed'
            $null = Repair-RedisCluster -Cluster redis }
    }

    # ------------------------------------------------------------ Get-RedisNetwork
    'Get-RedisNetwork#1' = @{
        Setup = { Use-HaTopology }
        Check = { $n = $Out | Where-Object Name -eq ha; $n.Topology | Should -Be 'ha'; $n.Subnet | Should -Be $script:DocSubnet.ha
            $n.Gateway | Should -Be '172.22.1.1'; $n.Internal | Should -BeFalse; $n.NodeCount | Should -Be 6
            $n.DockerHost | Should -Not -BeNullOrEmpty }
    }
    'Get-RedisNetwork#2' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Name | Should -Be 'r3'; $Out.Role | Should -Be 'Replica'
            (Get-RedisReplication -Name r3).PrimaryName | Should -Be 'primary'
            Test-RedisAuth $Out.HostEndpoint (Get-RedisCredential -Topology ha).GetNetworkCredential().Password | Should -Be '+OK' }
    }
    'Get-RedisNetwork#3' = @{
        Check = { @($Out).Count | Should -Be 1; $Out.Name | Should -Be 'ha'; $Out.Subnet | Should -Be $script:DocSubnet.ha
            foreach ($n in 'primary', 'r1', 'r2', 'r3', 'ha-sentinel-1') { $Out.Containers | Should -Contain $n } }
    }

    # ------------------------------------------------------------ Get-RedisReplication
    'Get-RedisReplication#1' = @{
        Setup = { Use-HaTopology }
        Check = { $t = Get-Text; $t | Should -Match 'primary\s+Primary'; $t | Should -Match 'r1\s+Replica\s+primary\s+up'
            $t | Should -Match 'r2\s+Replica\s+primary\s+up' }
    }
    'Get-RedisReplication#2' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Name | Should -Be 'r3'; $Out.Role | Should -Be 'Replica'; $Out.PrimaryName | Should -Be 'primary'
            $Out.LinkStatus | Should -Be 'up' }
    }
    'Get-RedisReplication#3' = @{
        Check = { $t = Get-Text; foreach ($r in 'r1', 'r2', 'r3') { $t | Should -Match "$r\s+online" }
            $t | Should -Match '127\.0\.0\.1:\d+' }
    }

    # ------------------------------------------------------------ Get-RedisCredential
    'Get-RedisCredential#1' = @{
        Setup = { Use-HaTopology }
        Check = { $cred.UserName | Should -Be 'default'; $cred.Password | Should -BeOfType [securestring]
            $Out.Name | Should -Be 'primary'; $Out.HostEndpoint | Should -Match '^127\.0\.0\.1:\d+$'
            Test-RedisAuth $Out.HostEndpoint $cred.GetNetworkCredential().Password | Should -Be '+OK' }
    }
    'Get-RedisCredential#2' = @{
        Check = { $Out.UserName | Should -Be 'default'
            $Out.GetNetworkCredential().Password | Should -Be (Get-RedisCredential -Topology ha).GetNetworkCredential().Password }
    }

    # ------------------------------------------------------------ Get-RedisConnectionString
    'Get-RedisConnectionString#1' = @{
        Setup = { Use-RedisCluster }
        Check = {
            $endpoints = "$Out".Split(',')
            $endpoints.Count | Should -Be 6
            $endpoints | ForEach-Object { $_ | Should -Match '^127\.0\.0\.1:\d+$' }
            "$Out" | Should -Not -Match 'password'
            # "redis-cli -c ... follows MOVED and ASK from the host": keys of all three primaries through one endpoint.
            $h, $port = $endpoints[0].Split(':')
            $env:REDISCLI_AUTH = (Get-RedisCredential -Topology redis).GetNetworkCredential().Password
            try {
                foreach ($k in 'a', 'b', 'c') {
                    redis-cli -c -h $h -p $port SET "cs-$k" $k | Should -Be 'OK'
                    redis-cli -c -h $h -p $port GET "cs-$k" | Should -Be $k
                }
            } finally { Remove-Item Env:REDISCLI_AUTH }
        }
    }
    'Get-RedisConnectionString#2' = @{
        Setup = { Use-RedisCluster }
        Check = {
            $Out | Should -BeNullOrEmpty
            $pw = (Get-RedisCredential -Topology redis).GetNetworkCredential().Password
            $config | Should -BeLike "*,password=$pw"
            $config.Split(',').Count | Should -Be 7
        }
    }
    'Get-RedisConnectionString#3' = @{
        Setup = { Use-HaTopology }
        Check = {
            $endpoints = "$Out".Split(',')
            $endpoints.Count | Should -Be 4
            $endpoints[3] | Should -Be 'configCheckSeconds=5'
            $endpoints[0] | Should -Be (Get-RedisNode primary).HostEndpoint
            @($endpoints[1..2] | Sort-Object) | Should -Be @((Get-RedisNode r1, r2).HostEndpoint | Sort-Object)
        }
    }

    # ------------------------------------------------------------ Connect-RedisClient
    'Connect-RedisClient#1' = @{
        Setup = { Use-RedisCluster }
        Check = {
            $Out | Should -Be 'hello'
            $client.IsConnected | Should -BeFalse   # disposed by the example
            Invoke-RedisCommand -Cluster redis GET greeting | Should -Be 'hello'
        }
    }
    'Connect-RedisClient#2' = @{
        Setup = { Use-HaTopology }
        Check = {
            $Out | Should -Be (Get-RedisSentinel -MasterName ha).PrimaryHostEndpoint
            Invoke-RedisCommand -Node primary GET visits | Should -Be '1'
        }
    }

    # ------------------------------------------------------------ Set-RedisCluster
    'Set-RedisCluster#1' = @{
        Setup = { Use-RedisCluster }
        Check = {
            $Out.State | Should -Be 'ok'
            foreach ($n in Get-Member6) {
                @(Invoke-RedisCommand -Node $n.Name CONFIG GET cluster-preferred-endpoint-type)[1] | Should -Be 'ip'
            }
            Set-RedisCluster -Cluster redis -ClientEndpoint Host -Confirm:$false | Out-Null
        }
    }
    'Set-RedisCluster#2' = @{
        Setup = { Use-RedisCluster; Set-RedisCluster -Cluster redis -ClientEndpoint Container -Confirm:$false | Out-Null }
        Check = {
            $Out.State | Should -Be 'ok'
            foreach ($n in Get-Member6) {
                @(Invoke-RedisCommand -Node $n.Name CONFIG GET cluster-preferred-endpoint-type)[1] | Should -Be 'hostname'
                @(Invoke-RedisCommand -Node $n.Name CONFIG GET cluster-announce-hostname)[1] | Should -Be '127.0.0.1'
            }
        }
    }

    # ------------------------------------------------------------ Get-RedisSentinel
    'Get-RedisSentinel#1' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Primary | Should -Be 'primary'; @($Out.Replicas | Sort-Object) | Should -Be @('r1', 'r2')
            $Out.SentinelCount | Should -Be 3; $Out.ReachableSentinels | Should -Be 3; $Out.Quorum | Should -Be 2
            $Out.QuorumOk | Should -BeTrue; $Out.CkQuorum | Should -Match 'OK' }
    }
    'Get-RedisSentinel#2' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.Primary | Should -Not -BeNullOrEmpty
            $seen = @{}
            Wait-Until { $g = Get-RedisSentinel -Topology ha; if ($g.Flags -match 'o_down') { $seen.odown = $true }
                $g.Primary -ne 'primary' } 120 | Should -BeTrue
            (Get-RedisSentinel -Topology ha).Primary | Should -BeIn 'r1', 'r2' }
    }
    'Get-RedisSentinel#3' = @{
        Setup = { Use-HaTopology }
        Check = { $Out.NewPrimary | Should -BeIn 'r1', 'r2'
            Wait-Until { (Get-RedisSentinel -MasterName ha).Primary -eq $Out.NewPrimary } 30 | Should -BeTrue }
    }

    # ------------------------------------------------------------ Get-RedisNode
    'Get-RedisNode#1' = @{
        Setup = { Use-HaTopology }
        Check = { @($Out.Name | Sort-Object) | Should -Be @('ha-sentinel-1', 'ha-sentinel-2', 'ha-sentinel-3', 'primary', 'r1', 'r2')
            @($Out | Where-Object Kind -eq Sentinel).Count | Should -Be 3; $Out.Image | Should -Not -Contain $null
            (Get-Text) | Should -Match 'ha-sentinel-1' }
    }
    'Get-RedisNode#2' = @{
        Setup = { Use-HaTopology }
        Check = { @($Out).Count | Should -Be 1; $Out.Name | Should -Be 'primary' }
    }
    'Get-RedisNode#3' = @{
        Setup = { Use-RedisCluster }
        Check = { Assert-TopologyGone redis }
    }
    'Get-RedisNode#4' = @{
        Setup = { Use-HaTopology; Stop-RedisNode -Name r2 }
        Check = { $Out | Where-Object Name -eq r2 | Should -Not -BeNullOrEmpty
            ($Out | Where-Object Name -eq r2).State | Should -Be 'exited'
            $Out.Name | Should -Not -Contain 'r1'
            $null = Start-RedisNode -Name r2 }
    }
    'Get-RedisNode#5' = @{
        Setup = { Use-RedisCluster }
        Check = { @($Out.Name) | Should -Be @('redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6')
            $Out.HostEndpoint | ForEach-Object { $_ | Should -Match '^127\.0\.0\.1:\d+$' } }
    }

    # ------------------------------------------------------------ Set-RedisReplica
    'Set-RedisReplica#1' = @{
        Setup = { Remove-DocTopology ha }
        Check = { @(($Out | Where-Object Role).Name) | Should -Contain 'r1'
            foreach ($r in 'r1', 'r2') { (Get-RedisReplication -Name $r).LinkStatus | Should -Be 'up' }
            Assert-HaGroup }
    }
    'Set-RedisReplica#2' = @{
        Setup = { Use-HaTopology; $null = New-RedisNode -Network ha -Name r3 }
        Check = { $r = $Out | Where-Object LinkStatus; $r.Name | Should -Be 'r3'; $r.Role | Should -Be 'Replica'
            $r.PrimaryName | Should -Be 'primary'; $r.LinkStatus | Should -Be 'up'; $r.LagBytes | Should -BeGreaterOrEqual 0 }
    }
    'Set-RedisReplica#3' = @{
        Setup = { Use-HaTopology; $null = Invoke-RedisCommand -Node primary SET kept-after-none v
            $null = Wait-Until { (Invoke-RedisCommand -Node r2 GET kept-after-none) -eq 'v' } 30 }
        Check = { Get-NodeRole r2 | Should -Be 'Primary'; Invoke-RedisCommand -Node r2 GET kept-after-none | Should -Be 'v'
            Invoke-RedisCommand -Node r2 SET writable yes | Should -Be 'OK' }
    }

    # ------------------------------------------------------------ Connect-/Disconnect-RedisNetwork
    'Connect-RedisNetwork#1' = @{
        Setup = { Use-HaTopology; Use-AppsNetwork }
        Check = { @($Out.Name | Sort-Object) | Should -Be @('primary', 'r1', 'r2')
            foreach ($n in 'primary', 'r1', 'r2') { (Get-ContainerNetwork $n).Network | Should -Contain 'apps' } }
    }
    'Connect-RedisNetwork#2' = @{
        Setup = { Use-HaTopology }
        Check = { $n = Get-RedisNetwork ha-backend; $n.Internal | Should -BeTrue; $n.Topology | Should -Be 'ha'
            $n.Subnet | Should -Be $script:DocSubnet.'ha-backend'
            (Get-ContainerNetwork primary | Where-Object Network -eq ha-backend).IPAddress | Should -Be '172.22.2.20' }
    }
    'Disconnect-RedisNetwork#1' = @{
        Setup = { Use-AppsNetwork
            foreach ($n in 'primary', 'r1', 'r2') {
                if ((Get-ContainerNetwork $n).Network -notcontains 'apps') { $null = Connect-RedisNetwork -Node $n -Network apps } } }
        Check = { foreach ($n in 'primary', 'r1', 'r2') { (Get-ContainerNetwork $n).Network | Should -Not -Contain 'apps' } }
    }
    'Disconnect-RedisNetwork#2' = @{
        Setup = { if (-not (Get-RedisNetwork ha-backend -ErrorAction SilentlyContinue)) {
                $null = New-RedisNetwork -Name ha-backend -Subnet $script:DocSubnet.'ha-backend' -Internal -Topology ha }
            if ((Get-ContainerNetwork primary).Network -notcontains 'ha-backend') { $null = Connect-RedisNetwork -Node primary -Network ha-backend } }
        Check = { $Out.Name | Should -Be 'primary'; $nets = (Get-ContainerNetwork primary).Network
            $nets | Should -Not -Contain 'ha-backend'; $nets | Should -Contain 'ha' }
    }

    # ------------------------------------------------------------ Remove-RedisNode
    'Remove-RedisNode#1' = @{
        Setup = { Use-RedisCluster }
        Check = { Assert-TopologyGone redis }
    }
    'Remove-RedisNode#2' = @{
        Setup = { Use-HaTopology; $null = New-RedisNode -Network ha -Name cache-1
            $null = Invoke-RedisCommand -Node cache-1 SET survives yes }
        Check = { docker volume ls -q --filter name=^cache-1-data$ | Should -Be 'cache-1-data'
            Invoke-RedisCommand -Node cache-1 GET survives | Should -Be 'yes' }
    }
    'Remove-RedisNode#3' = @{
        Setup = { Use-HaTopology }
        Check = { @(Get-RedisNode -Topology ha -Kind Sentinel).Count | Should -Be 3 }
    }

    # ------------------------------------------------------------ New-RedisNetwork
    'New-RedisNetwork#1' = @{
        Setup = { Remove-DocTopology redis }
        Check = { $Out.Name | Should -Be 'redis'; $Out.Topology | Should -Be 'redis'
            $Out.Subnet | Should -Be $script:DocSubnet.redis; $Out.Gateway | Should -Be '172.22.0.1' }
    }
    'New-RedisNetwork#2' = @{
        Setup = { Remove-DocTopology redis }
        Check = { $t = Get-Text; foreach ($i in 1..6) { $t | Should -Match "redis-$i" }
            (Get-RedisNode redis-1).IPAddress | Should -Be '172.22.0.10'; Assert-Canonical3x1 }
    }
    'New-RedisNetwork#3' = @{
        Setup = { Remove-DocTopology ha }
        Check = { $p.Name | Should -Be 'primary'; $p.Topology | Should -Be 'ha'
            (Get-RedisNetwork ha).Subnet | Should -Be $script:DocSubnet.ha }
    }
    'New-RedisNetwork#5' = @{
        Setup = { Use-HaTopology }
        Check = { $n = Get-RedisNetwork ha-backend; $n.Internal | Should -BeTrue; $n.Topology | Should -Be 'ha'
            foreach ($x in 'primary', 'r1', 'r2') { (Get-ContainerNetwork $x).Network | Should -Contain 'ha-backend' }
            (Get-ContainerNetwork ha-sentinel-1).Network | Should -Not -Contain 'ha-backend' }
    }

    # ------------------------------------------------------------ New-RedisNode
    'New-RedisNode#1' = @{
        Setup = { Remove-DocTopology redis }
        Check = { foreach ($i in 1..6) { (Get-RedisNode "redis-$i").IPAddress | Should -Be "172.22.0.$(9 + $i)" }
            Assert-Canonical3x1 }
    }
    'New-RedisNode#2' = @{
        Setup = { Remove-DocTopology ha }
        Check = { Assert-HaGroup
            $pw = (Get-RedisCredential -Topology ha).GetNetworkCredential().Password
            foreach ($n in 'r1', 'r2') { Test-RedisAuth (Get-RedisNode $n).HostEndpoint $pw | Should -Be '+OK' } }
    }
    'New-RedisNode#3' = @{
        Setup = { Use-HaTopology }
        Check = { (Get-RedisNode cache-1).IPAddress | Should -Be '172.22.1.50'; (Get-RedisNode cache-2).IPAddress | Should -Be '172.22.1.51'
            (Get-RedisNode cache-1).HostEndpoint | Should -Be '127.0.0.1:16379'
            (Get-RedisNode cache-2).HostEndpoint | Should -Be '127.0.0.1:16380'
            Invoke-RedisCommand -Node cache-2 PING | Should -Be 'PONG' }
    }
    'New-RedisNode#4' = @{
        Setup = { Use-HaTopology }
        Check = {
            (Invoke-RedisCommand -Node lru-cache CONFIG GET maxmemory)[1] | Should -Be '268435456'
            (Invoke-RedisCommand -Node lru-cache CONFIG GET maxmemory-policy)[1] | Should -Be 'allkeys-lru'
            (Invoke-RedisCommand -Node lru-cache CONFIG GET appendonly)[1] | Should -Be 'no'
            (Invoke-RedisCommand -Node lru-cache CONFIG GET hz)[1] | Should -Be '50'
            (Invoke-RedisCommand -Node lru-cache CONFIG GET notify-keyspace-events)[1] | Should -Match '^(?=.*E)(?=.*x)' }
    }

    # ------------------------------------------------------------ New-RedisSentinel
    'New-RedisSentinel#1' = @{
        Setup = { Remove-DocTopology ha }
        Check = { $g = $Out | Where-Object MasterName; $g.MasterName | Should -Be 'ha'; $g.Quorum | Should -Be 2
            @($g.Sentinels | Sort-Object) | Should -Be @('ha-sentinel-1', 'ha-sentinel-2', 'ha-sentinel-3')
            $g.Primary | Should -Be 'primary'; @($g.Replicas | Sort-Object) | Should -Be @('r1', 'r2')
            $g.CkQuorum | Should -Match 'OK' }
    }
    'New-RedisSentinel#2' = @{
        Setup = { Remove-DocTopology drill }
        Check = { $g = Get-RedisSentinel -MasterName drill-main; $g.DownAfterMilliseconds | Should -Be 2000
            $g.FailoverTimeout | Should -Be 10000; $g.Primary | Should -Be 'drill-primary'; $g.SentinelCount | Should -Be 3
            $g.QuorumOk | Should -BeTrue
            Remove-DocTopology drill }
    }

    # ------------------------------------------------------------ New-RedisCluster
    'New-RedisCluster#1' = @{
        Setup = { Remove-DocTopology redis }
        Check = { (Get-Text) | Should -Match 'redis-6'; Assert-Canonical3x1 }
    }
    'New-RedisCluster#2' = @{
        Setup = { Remove-DocTopology redis
            $null = New-RedisNetwork -Name redis -Subnet $script:DocSubnet.redis | New-RedisNode -Count 6 -ClusterEnabled }
        Check = { $Out[-1] | Should -Be 'OK'; Assert-Canonical3x1
            Invoke-RedisCommand -Cluster redis GET a | Should -Be 'b' }
    }
    'New-RedisCluster#3' = @{
        Setup = { Remove-DocTopology redis }
        Check = { (Get-RedisNetwork redis).Subnet | Should -Be $script:DocSubnet.redis; Assert-Canonical3x1 }
    }
    'New-RedisCluster#4' = @{
        Setup = { Remove-DocTopology big }
        Check = { $m = Get-RedisClusterNode -Cluster big; $m.Count | Should -Be 9
            @($m | Where-Object Role -eq Primary).Count | Should -Be 3
            foreach ($p in $m | Where-Object Role -eq Primary) { @($m | Where-Object PrimaryName -eq $p.Name).Count | Should -Be 2 }
            (Invoke-RedisCommand -Node big-9 CONFIG GET cluster-node-timeout)[1] | Should -Be '3000'
            Remove-DocTopology big }
    }
    'New-RedisCluster#5' = @{
        Setup = { Remove-DocTopology redis
            $null = New-RedisNetwork -Name redis -Subnet $script:DocSubnet.redis | New-RedisNode -Count 6 -ClusterEnabled }
        Check = { $Out | Should -BeNullOrEmpty
            foreach ($i in 1..6) { Invoke-RedisCommand -Node "redis-$i" CLUSTER INFO | Should -Match 'cluster_slots_assigned:0' } }
    }

    # ------------------------------------------------------------ Move-RedisClusterSlot
    'Move-RedisClusterSlot#1' = @{
        Setup = { Use-RedisCluster -Fresh
            $null = New-RedisNode -Network redis -Name redis-7 -ClusterEnabled | Add-RedisClusterNode -Cluster redis }
        Check = { $Out.SlotsMoved | Should -Be 1000; $Out.SlotRanges | Should -Be '4461-5460'
            (Get-RedisClusterNode -Cluster redis -Node redis-7).Slots | Should -Be '4461-5460'
            (Get-RedisClusterNode -Cluster redis -Node redis-1).Slots | Should -Be '0-4460' }
    }
    'Move-RedisClusterSlot#2' = @{
        Setup = { $null = Invoke-RedisCommand -Cluster redis SET a b }
        Check = { $Out[-1] | Should -Be 'b'
            Invoke-RedisCommand -Node redis-1 CLUSTER COUNTKEYSINSLOT 15495 | Should -Be 1
            (Get-RedisClusterNode -Cluster redis -Node redis-1).Slots | Should -Match '15495'
            (Get-RedisClusterNode -Cluster redis -Node redis-1).Slots | Should -Match '16000-16383' }
    }
    'Move-RedisClusterSlot#3' = @{
        Check = { (Get-RedisClusterNode -Cluster redis).Name | Should -Not -Contain 'redis-7'
            (Get-RedisClusterNode -Cluster redis -Node redis-1).Slots | Should -Match '^0-5460'
            Test-RedisCluster -Cluster redis -Quiet | Should -BeTrue
            Remove-RedisNode -Name redis-7 -Confirm:$false }
    }

    # ------------------------------------------------------------ Add-RedisClusterNode
    'Add-RedisClusterNode#1' = @{
        Setup = { Use-RedisCluster -Fresh }
        Check = { $m = Get-RedisClusterNode -Cluster redis; @($m | Where-Object Role -eq Primary).Count | Should -Be 4
            foreach ($p in $m | Where-Object Role -eq Primary) { $p.SlotCount | Should -BeGreaterThan 4000; $p.SlotCount | Should -BeLessThan 4200 }
            ($m | Where-Object Name -eq redis-8).PrimaryName | Should -Be 'redis-7' }
    }
    'Add-RedisClusterNode#2' = @{
        Setup = { $null = New-RedisNode -Network redis -Name redis-9 -ClusterEnabled }
        Check = { $n = Get-RedisClusterNode -Cluster redis -Node redis-9; $n.Role | Should -Be 'Replica'; $n.PrimaryName | Should -Be 'redis-2'
            @((Get-RedisClusterNode -Cluster redis -Node redis-2).Replicas).Count | Should -Be 2 }
    }

    # ------------------------------------------------------------ Optimize-RedisCluster
    'Optimize-RedisCluster#1' = @{
        Setup = { Use-RedisCluster -Fresh }
        Check = { (Get-Text) | Should -Match 'redis-7'
            foreach ($p in Get-RedisClusterNode -Cluster redis -Role Primary) { $p.SlotCount | Should -BeGreaterThan 4000; $p.SlotCount | Should -BeLessThan 4200 }
            Get-SlotsOf redis-7 | Should -BeGreaterThan 4000 }
    }
    'Optimize-RedisCluster#3' = @{
        Check = { Get-SlotsOf redis-7 | Should -Be 0
            foreach ($n in 'redis-1', 'redis-2', 'redis-3') { Get-SlotsOf $n | Should -BeGreaterThan 5400 } }
    }
    'Optimize-RedisCluster#2' = @{
        Setup = { $null = Remove-RedisClusterNode -Cluster redis -Node redis-7 -Confirm:$false
            Remove-RedisNode -Name redis-7 -Confirm:$false }
        Check = { Get-SlotsOf redis-1 | Should -BeGreaterThan 8000; Get-SlotsOf redis-1 | Should -BeLessThan 8400
            foreach ($n in 'redis-2', 'redis-3') { Get-SlotsOf $n | Should -BeGreaterThan 3900; Get-SlotsOf $n | Should -BeLessThan 4300 } }
    }

    # ------------------------------------------------------------ Remove-RedisClusterNode
    'Remove-RedisClusterNode#1' = @{
        Setup = { Use-RedisCluster
            $null = New-RedisNode -Network redis -Name redis-7 -ClusterEnabled | Add-RedisClusterNode -Cluster redis
            $null = New-RedisNode -Network redis -Name redis-8 -ClusterEnabled | Add-RedisClusterNode -Cluster redis -Primary redis-7
            $null = Move-RedisClusterSlot -Cluster redis -Source redis-1 -Destination redis-7 -Count 100 }
        Check = { (Get-RedisClusterNode -Cluster redis).Name | Should -Not -Contain 'redis-7'
            (Get-RedisClusterNode -Cluster redis).Name | Should -Not -Contain 'redis-8'
            docker ps -aq --filter name=^redis-[78]$ | Should -BeNullOrEmpty
            Get-SlotsOf redis-1 | Should -BeGreaterOrEqual 5461; Test-RedisCluster -Cluster redis -Quiet | Should -BeTrue }
    }
    'Remove-RedisClusterNode#2' = @{
        Setup = { Use-RedisCluster
            $null = New-RedisNode -Network redis -Name redis-9 -ClusterEnabled | Add-RedisClusterNode -Cluster redis -Primary redis-2
            Remove-RedisNode -Name redis-9 -Confirm:$false
            $null = Wait-Until { Get-RedisClusterNode -Cluster redis | Where-Object Failing } 60 }
        Check = { $Out[0].NodeId | Should -Match '^[0-9a-f]{40}$'
            @(Get-RedisClusterNode -Cluster redis).Count | Should -Be 6
            foreach ($i in 1..6) { Invoke-RedisCommand -Node "redis-$i" CLUSTER INFO | Should -Match 'cluster_known_nodes:6' } }
    }

    # ------------------------------------------------------------ Get-/Stop-/Start-RedisTopology
    'Get-RedisTopology#1' = @{
        Setup = { Use-RedisCluster; Use-HaTopology; Use-DemoTopology }
        Check = { $t = Get-Text; foreach ($n in 'redis', 'ha', 'demo') { $t | Should -Match "(?m)^$n\s+Healthy" } }
    }
    'Get-RedisTopology#2' = @{
        Check = { $Out.Name | Should -Be 'demo'; $Out.Health | Should -Be 'Healthy'
            @($Out.Nodes | Sort-Object) | Should -Be @('demo-1', 'demo-2', 'demo-3'); $Out.ClusterState | Should -Be 'ok'
            $Out.DockerHosts | Should -Not -BeNullOrEmpty }
    }
    'Get-RedisTopology#3' = @{
        Check = { @($Out).Count | Should -Be 1; $Out.Name | Should -Be 'ha'; $Out.SentinelGroups | Should -Be 'ha' }
    }
    'Get-RedisTopology#4' = @{
        Setup = { Stop-RedisNode -Name r2 }
        Check = { $Out.Name | Should -Be 'ha'; $Out.Health | Should -Be 'Healthy'; $Out.Stopped | Should -Be 0
            Get-ContainerState r2 | Should -Be 'running' }
    }
    'Stop-RedisTopology#1' = @{
        Setup = { Use-DemoTopology }
        Check = { $Out.Name | Should -Be 'demo'; $Out.Health | Should -Be 'Healthy'; $Out.Stopped | Should -Be 0
            $Out.ClusterState | Should -Be 'ok' }
    }
    'Stop-RedisTopology#2' = @{
        Check = { foreach ($n in 'redis-1', 'primary', 'demo-1') { Get-ContainerState $n | Should -Be 'running' } }
    }
    'Stop-RedisTopology#3' = @{
        Setup = { Use-RedisCluster; Use-HaTopology }
        Check = { $t = Get-Text; $t | Should -Match '(?m)^ha\s+Down'; $t | Should -Match '(?m)^redis\s+Down'
            foreach ($n in 'redis-1', 'redis-6', 'primary', 'ha-sentinel-1') { Get-ContainerState $n | Should -Be 'exited' } }
    }
    'Start-RedisTopology#1' = @{
        Setup = { Use-DemoTopology }
        Check = { $Out.Health | Should -Be 'Healthy'; $Out.Running | Should -Be 3; $Out.Stopped | Should -Be 0 }
    }
    'Start-RedisTopology#2' = @{
        Setup = { Stop-RedisNode -Name demo-2 }
        Check = { (Get-Text) | Should -Match 'demo\s+Healthy'; Get-ContainerState demo-2 | Should -Be 'running' }
    }
    'Start-RedisTopology#3' = @{
        Setup = { Stop-RedisTopology redis, ha }
        Check = { (Get-RedisTopology redis).Health | Should -Be 'Healthy'; (Get-RedisTopology ha).Health | Should -Be 'Healthy'
            Test-RedisCluster -Cluster redis -Quiet | Should -BeTrue; (Get-RedisSentinel -MasterName ha).QuorumOk | Should -BeTrue }
    }

    # ------------------------------------------------------------ Export-/Import-/Remove-RedisTopology
    'Export-RedisTopology#1' = @{
        Setup = { Use-DemoTopology; Remove-Item ./demo.json -ErrorAction SilentlyContinue }
        Check = { $Out.FullName | Should -Be (Join-Path (Get-Location) 'demo.json')
            (Get-Content ./demo.json -Raw | ConvertFrom-Json).name | Should -Be 'demo'
            # "returns what it wrote": a summary, its view, and the file itself
            $Out.Count | Should -Be 1; $e = $Out[0]
            $e | Should -BeOfType ([RedisDocker.RedisTopologyExport])
            $e.Topology | Should -Be 'demo'; $e.Format | Should -Be 'Json'; $e.Path | Should -Be $e.FullName
            @($e.Nodes | Sort-Object) | Should -Be @(Get-RedisNode -Topology demo -Kind Redis | ForEach-Object Name |
                Sort-Object)
            $e.NodeCount | Should -Be 3; $e.ClusterPrimaries | Should -Be 3; $e.PasswordExcluded | Should -BeTrue
            (Get-Item $e).Length | Should -Be $e.Length; "$e" | Should -Be $e.Path
            ($e | Out-String -Width 80) | Should -Match 'Topology\s+Format\s+NodeCount\s+SentinelCount\s+Path'
            ($e | Out-String -Width 200) | Should -Match ('demo\s+Json\s+3\s+0\s+' + [regex]::Escape($e.Path)) }
    }
    'Export-RedisTopology#2' = @{
        Setup = { Use-DemoTopology; $id = docker inspect demo-1 --format '{{.Id}}' }
        Check = { docker inspect demo-1 --format '{{.Id}}' | Should -Not -Be $id -Because 'demo-1 was rebuilt'
            (Get-RedisNode demo-1).IPAddress | Should -Be '172.22.6.10'
            (Get-RedisClusterNode -Cluster demo -Node demo-1).Slots | Should -Be '0-5460'
            Test-RedisCluster -Cluster demo -Quiet | Should -BeTrue }
    }
    'Export-RedisTopology#3' = @{
        Setup = { Use-DemoTopology; Remove-Item ./compose -Recurse -ErrorAction SilentlyContinue }
        Check = { $lines = Get-Content ./compose/docker-compose.yml; $lines[0] | Should -Match '^#.*(unix|tcp|npipe)://'
            ($lines -join "`n") | Should -Match 'demo-1'
            ($lines -join "`n") | Should -Match 'redis-auth\.conf'   # nodes read the password from the secret file
            $p = (Get-RedisCredential -Topology demo).GetNetworkCredential().Password
            ($lines -join "`n") | Should -Not -Match ([regex]::Escape($p))
            Get-Content ./compose/redis-auth.conf -Raw | Should -Match ('requirepass "' + [regex]::Escape($p) + '"')
            $export.Format | Should -Be 'Compose'
            $export.Path | Should -Be (Join-Path (Get-Location) 'compose' 'docker-compose.yml')
            @($export.SecretFiles) | Should -Be @(Join-Path (Get-Location) 'compose' 'redis-auth.conf') }
    }
    'Export-RedisTopology#4' = @{
        Setup = { Use-HaTopology }
        Check = { $spec = ($Out -join "`n") | ConvertFrom-Json; $spec.name | Should -Be 'ha'
            $nodes = @($spec.nodes); ($nodes | Where-Object name -eq r1).replicaOf | Should -Be 'primary'
            ($spec | ConvertTo-Json -Depth 10) | Should -Match 'sentinel'
            ($Out -join "`n") | Should -Not -Match ((Get-RedisCredential -Topology ha).GetNetworkCredential().Password) }
    }
    'Export-RedisTopology#5' = @{
        Setup = { Use-RedisCluster; Remove-Item ./backup -Recurse -ErrorAction SilentlyContinue }
        Check = { foreach ($n in 'redis', 'ha', 'demo') { (Get-Content "./backup/$n.json" -Raw | ConvertFrom-Json).name | Should -Be $n } }
    }
    'Import-RedisTopology#1' = @{
        Setup = { Use-DemoTopology; $id = docker inspect demo-1 --format '{{.Id}}' }
        Check = { docker inspect demo-1 --format '{{.Id}}' | Should -Not -Be $id
            Test-RedisCluster -Cluster demo -Quiet | Should -BeTrue
            ((Invoke-RedisCommand -Cluster demo DBSIZE).Reply | Measure-Object -Sum).Sum | Should -Be 0 }
    }
    'Import-RedisTopology#2' = @{
        Setup = { Use-DemoTopology }
        Check = { (Get-RedisCredential -Topology demo).GetNetworkCredential().Password |
                Should -Be $cred.GetNetworkCredential().Password
            Test-RedisCluster -Cluster demo -Quiet | Should -BeTrue }
    }
    'Import-RedisTopology#3' = @{
        Setup = { Use-HaTopology }
        Check = { Assert-HaGroup }
    }
    'Import-RedisTopology#4' = @{
        Setup = { Remove-DocTopology demo }
        Check = { $Out | Should -BeNullOrEmpty; (Get-TopologyResource demo).Containers | Should -BeNullOrEmpty
            (Get-TopologyResource demo).Networks | Should -BeNullOrEmpty }
    }
    # ------------------------------------------------------------ Backup-/Restore-RedisTopology, Import-RedisData
    'Backup-RedisTopology#1' = @{
        Setup = { Use-DemoTopology; Remove-Item ./before-drill -Recurse -ErrorAction SilentlyContinue
            $null = Invoke-RedisCommand -Cluster demo SET drill-key kept }
        Check = { $Out.Count | Should -Be 1; $b = $Out[0]
            $b | Should -BeOfType ([RedisDocker.RedisBackup])
            $b.Topology | Should -Be 'demo'; $b.NodeCount | Should -Be 3; $b.Keys | Should -BeGreaterOrEqual 1
            $b.Path | Should -Be (Join-Path (Get-Location) 'before-drill')
            Test-Path ./before-drill/manifest.json | Should -BeTrue; Test-Path ./before-drill/SHA256SUMS | Should -BeTrue
            @(Get-ChildItem ./before-drill/data -Filter *.rdb).Count | Should -Be 3
            $p = (Get-RedisCredential -Topology demo).GetNetworkCredential().Password
            Get-Content ./before-drill/manifest.json -Raw | Should -Not -Match ([regex]::Escape($p))
            if (-not $IsWindows) { (Get-Item ./before-drill).UnixMode | Should -Be 'drwx------' }
            ($b | Out-String -Width 200) | Should -Match 'Topology\s+NodeCount\s+Keys\s+Length\s+CreatedAt\s+Path' }
    }
    'Backup-RedisTopology#2' = @{
        Setup = { Use-DemoTopology; Remove-Item ./demo-1 -Recurse -ErrorAction SilentlyContinue }
        Check = { $Out[0].NodeCount | Should -Be 1; @($Out[0].Nodes) | Should -Be @('demo-1')
            @((Get-Content ./demo-1/manifest.json -Raw | ConvertFrom-Json).nodes).name | Should -Be 'demo-1' }
    }
    'Restore-RedisTopology#1' = @{
        Setup = { Use-DemoTopology; Remove-Item ./before-drill -Recurse -ErrorAction SilentlyContinue
            $null = Invoke-RedisCommand -Cluster demo SET drill-key kept }
        Check = { Invoke-RedisCommand -Cluster demo GET drill-key | Should -Be 'kept'
            @($Out | Where-Object { $_ -is [RedisDocker.RedisTopology] }).Name | Should -Be 'demo'
            Test-RedisCluster -Cluster demo -Quiet | Should -BeTrue }
    }
    'Restore-RedisTopology#2' = @{
        Setup = { Use-DemoTopology; Remove-DocTopology demo2
            if (-not (Test-Path ./before-drill/manifest.json)) {
                $null = Invoke-RedisCommand -Cluster demo SET drill-key kept
                $null = Backup-RedisTopology demo -Path ./before-drill
            } }
        Check = { try {
                $Out[0].Name | Should -Be 'demo2'
                (Get-RedisNode demo2-1).IPAddress | Should -Match '^172\.22\.9\.'
                Invoke-RedisCommand -Cluster demo2 GET drill-key | Should -Be 'kept'
                Test-RedisCluster -Cluster demo2 -Quiet | Should -BeTrue
                @(Get-RedisNode -Topology demo).Count | Should -Be 3
            } finally { Remove-DocTopology demo2 } }
    }
    'Import-RedisData#1' = @{
        Setup = { Use-DemoTopology; Remove-DocTopology legacy
            $null = New-RedisNetwork -Name legacy -Subnet $script:DocSubnet.legacy | New-RedisNode -Name legacy
            $null = Invoke-RedisCommand -Node legacy EVAL "for i=1,200 do redis.call('SET','legacy:'..i,i) end" 0
            $null = Invoke-RedisCommand -Cluster demo FLUSHALL }
        Check = { try {
                $Out[0] | Should -BeOfType ([RedisDocker.RedisDataImport])
                $Out[0].Copied | Should -Be 200; $Out[0].Completed | Should -BeTrue
                ((Invoke-RedisCommand -Cluster demo DBSIZE).Reply | Measure-Object -Sum).Sum | Should -Be 200
                Invoke-RedisCommand -Cluster demo GET legacy:7 | Should -Be '7'
            } finally { Remove-DocTopology legacy } }
    }
    'Import-RedisData#2' = @{
        Setup = { Use-DemoTopology; Remove-DocTopology legacy
            $null = New-RedisNetwork -Name legacy -Subnet $script:DocSubnet.legacy | New-RedisNode -Name legacy
            $null = Invoke-RedisCommand -Node legacy EVAL "for i=1,200 do redis.call('SET','legacy:'..i,i) end" 0
            $null = Invoke-RedisCommand -Cluster demo FLUSHALL }
        Check = { try {
                $first.Completed | Should -BeFalse; $Out[-1].Completed | Should -BeTrue
                ($first.Copied + $Out[-1].Copied) | Should -Be 200
                ((Invoke-RedisCommand -Cluster demo DBSIZE).Reply | Measure-Object -Sum).Sum | Should -Be 200
            } finally { Remove-DocTopology legacy } }
    }
    'Remove-RedisTopology#1' = @{
        Setup = { Use-DemoTopology }
        Check = { Assert-TopologyGone demo }
    }
    'Remove-RedisTopology#2' = @{
        Setup = { Use-DemoTopology }
        Check = { Test-RedisCluster -Cluster demo -Quiet | Should -BeTrue; @(Get-RedisNode -Topology demo).Count | Should -Be 3 }
    }
    'Remove-RedisTopology#3' = @{
        Setup = { Use-HaTopology; $null = Invoke-RedisCommand -Node primary SET kept-in-volume yes }
        Check = { Invoke-RedisCommand -Node primary GET kept-in-volume | Should -Be 'yes'
            Wait-Until { (Invoke-RedisCommand -Node r1 GET kept-in-volume) -eq 'yes' } 60 | Should -BeTrue
            Assert-HaGroup }
    }
    'Remove-RedisTopology#4' = @{
        Setup = { $null = New-RedisNetwork -Name test-docs -Subnet $script:DocSubnet.'test-docs' }
        Check = { Get-RedisNetwork test-docs | Should -Not -BeNullOrEmpty; Remove-DocTopology test-docs }
    }

    # ------------------------------------------------------------ Remove-RedisNetwork
    'Remove-RedisNetwork#1' = @{
        Setup = { Use-RedisCluster }
        Check = { Assert-TopologyGone redis }
    }
    'Remove-RedisNetwork#2' = @{
        Setup = { Use-HaTopology }
        Check = { Assert-TopologyGone ha }
    }
    'Remove-RedisNetwork#3' = @{
        Setup = { Use-HaTopology; $null = New-RedisNetwork -Name ha-backend -Subnet $script:DocSubnet.'ha-backend' -Internal -Topology ha }
        Check = { docker network ls -q --filter name=^ha-backend$ | Should -BeNullOrEmpty
            Get-RedisNetwork ha | Should -Not -BeNullOrEmpty }
    }

    # ------------------------------------------------------------ Connect-RedisDocker
    'Connect-RedisDocker#3' = @{
        Check = { $Out | Should -Not -BeNullOrEmpty; "$($Out.DockerHost)$($Out.Endpoint)" | Should -Match 'unix:///var/run/docker.sock'
            Get-RedisNode -Topology ha -ErrorAction SilentlyContinue | Out-Null }
    }

    # ------------------------------------------------------------ about_RedisDocker (its EXAMPLES, in order)
    'about_RedisDocker#1' = @{
        Setup = { Remove-DocTopology redis, ha, dev }
        Check = { $Out -contains 'OK' | Should -BeTrue; $Out -contains 'b' | Should -BeTrue
            ($Out | Where-Object Check).Passed | Should -Not -Contain $false; Assert-Canonical3x1 }
    }
    'about_RedisDocker#2' = @{
        Check = { Assert-HaGroup; (Get-Text) | Should -Match 'r2\s+Replica' }
    }
    'about_RedisDocker#3' = @{
        Check = { $Out | Should -Contain 'PONG'; ($Out | Where-Object UserName).UserName | Should -Be 'default'
            (Invoke-RedisCommand -Node dev-1 CONFIG GET maxmemory)[1] | Should -Be '268435456' }
    }
    'about_RedisDocker#4' = @{
        Check = { $f = @($Out | Where-Object Mode); $f[0].Mode | Should -Be 'Coordinated'; $f[1].Mode | Should -Be 'Force'
            Wait-Until { "$((Get-RedisClusterNode -Cluster redis -Node redis-2).Role)" -eq 'Replica' } 60 | Should -BeTrue
            # Right after Start-RedisNode, redis-2 may not have learnt the new slot map yet (Start-RedisNode example
            # 3), and when it was down longer than cluster-node-timeout (a slow forced failover on a loaded machine),
            # the others flag it failing until it pings them as a replica (measured: NodesReachable names the restarted
            # node in 3 of 3 rejoins after an 8 s absence). Only redis-2 may be named.
            $early = @($Out | Where-Object { $_.Check -and -not $_.Passed })
            $early.Check | Where-Object { $_ -notin 'SlotMapAgreement', 'NodesReachable' } | Should -BeNullOrEmpty
            ($early | Where-Object Check -eq NodesReachable).Detail | Where-Object { $_ -notmatch ': redis-2$' } |
                Should -BeNullOrEmpty
            Wait-Until { Test-RedisCluster -Cluster redis -Quiet } 30 | Should -BeTrue }
    }
    'about_RedisDocker#5' = @{
        Check = { $back = $Out | Where-Object Name -eq $now.Primary; $back.Role | Should -Be 'Replica'
            (Get-RedisSentinel -MasterName ha).Primary | Should -Not -Be $now.Primary }
    }
    'about_RedisDocker#6' = @{
        Check = { ($Out | Where-Object Mode).Mode | Should -Be 'Force'
            Wait-Until { (Get-RedisReplication -Name $now.Primary).Role -eq 'Replica' } 60 | Should -BeTrue }
    }
    'about_RedisDocker#7' = @{
        Check = { $g = Get-RedisSentinel -MasterName ha; $g.QuorumOk | Should -BeTrue; $g.SentinelCount | Should -Be 3
            @($g.Replicas).Count | Should -Be 2
            Test-Path ./ha.json | Should -BeTrue; Test-Path ./compose/docker-compose.yml | Should -BeTrue }
    }
    'about_RedisDocker#8' = @{
        Check = { foreach ($t in 'redis', 'ha', 'dev') { Assert-TopologyGone $t } }
    }
    'about_RedisDocker#10' = @{
        Setup = { Use-RedisCluster; Use-HaTopology; $null = New-RedisNetwork -Name dev -Subnet $script:DocSubnet.dev | New-RedisNode -Name dev-1 }
        Check = { foreach ($t in 'redis', 'ha', 'dev') { Assert-TopologyGone $t } }
    }
}
