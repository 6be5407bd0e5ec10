#Requires -Version 7.4
<#
    Executable documentation, multi-host part (issue 13, item 3): the examples of docs/help that name a second
    Docker engine (tcp://10.250.1.2, the ones RedisDocker.Examples.Tests.ps1 lists in $KnownMultiHostExamples and
    does not run) run here, as written, against a real second engine on this machine, and are checked to do what
    their text says.

    The second engine is tests/multihost/engine.sh (a dockerd in the network namespace rdk-rdkex, INDEX 1: the
    address 10.250.1.2 the examples name; this machine is 10.250.1.1 on that link). First as a plain engine
    (tcp://10.250.1.2:2375, Connect-RedisDocker example 2), then with TLS=1 (tcp://10.250.1.2:2376, --tlsverify,
    throw-away certificates) for the others. Each example runs in a fresh pwsh -NonInteractive whose HOME is a
    temporary folder holding the client certificate where the examples look for it ($HOME/.docker/lab,
    $HOME/.docker/hostb, and $HOME/.docker, DOCKER_CERT_PATH's default). AfterAll removes what the examples made
    on this engine (by their topology labels: shop, mh, lab, probe) and takes the second engine down, which
    removes everything on it.

    Needs root (engine.sh), Docker, the staged module and the image ($env:REDISDOCKER_IMAGE). Uses fixed names
    (the documentation's): run it under `flock /tmp/rdk-examples.lock`. It does not skip itself: without root or
    with 10.250.1.0/24 or a name taken, BeforeAll fails with the reason.
#>

BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    . "$PSScriptRoot/RedisDocker.Examples.Helpers.ps1"
    . "$PSScriptRoot/RedisDocker.Examples.Checks.ps1"
    $multiHost = @{}
    foreach ($e in @(Get-DocExample $root | Where-Object { Test-MultiHostExample $_ })) { $multiHost[$e.Key] = $e.Code }
}

Describe 'Multi-host documentation examples against a second Docker engine' -Tag 'Integration', 'Docker', 'MultiHost' {
    BeforeAll {
        $root = (Resolve-Path "$PSScriptRoot/../..").Path
        . "$PSScriptRoot/RedisDocker.Examples.Helpers.ps1"
        . "$PSScriptRoot/RedisDocker.Examples.Checks.ps1"
        $PSNativeCommandUseErrorActionPreference = $false
        $engine = 'rdkex'
        $engineScript = Join-Path $root 'tests' 'multihost' 'engine.sh'
        $manifest = Join-Path $root 'out' 'RedisDocker' 'RedisDocker.psd1'
        $pwsh = @((Join-Path $PSHOME 'pwsh'), (Join-Path $PSHOME 'pwsh.exe')) | Where-Object { Test-Path $_ } |
            Select-Object -First 1
        if (-not $pwsh) { $pwsh = (Get-Command pwsh -CommandType Application -ErrorAction Stop).Source }
        $topologies = 'shop', 'mh', 'lab', 'probe', 'web'
        $names = 'a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'p1', 'labnode', 'probe1'

        if ($IsWindows -or (id -u) -ne '0') {
            throw 'These tests start a second Docker engine with tests/multihost/engine.sh: run them as root on Linux.'
        }
        $null = docker version 2>$null
        if ($LASTEXITCODE -ne 0) { throw 'These tests need Docker: `docker version` failed.' }
        if (-not (Test-Path $manifest)) { throw "The staged module is missing ($manifest): run ./build.ps1 first." }
        if ((ip -4 -o addr) -match '10\.250\.1\.' -and -not ((ip -4 -o addr) -match "rdkv-$engine")) {
            throw ('10.250.1.0/24 (INDEX 1 of tests/multihost/engine.sh, the address the examples name) is taken ' +
                'by another engine.')
        }
        foreach ($n in $names) {
            if (docker ps -aq --filter "name=^$n`$") {
                throw "The container name '$n' the examples use is taken on this engine."
            }
        }

        function Remove-ExampleResource {
            foreach ($t in $topologies) {
                $c = @(docker ps -aq --filter "label=io.redisdocker.topology=$t")
                if ($c) { $null = docker rm -f $c 2>$null }
                $v = @(docker volume ls -q --filter "label=io.redisdocker.topology=$t")
                if ($v) { $null = docker volume rm -f $v 2>$null }
                $n = @(docker network ls -q --filter "label=io.redisdocker.topology=$t")
                if ($n) { $null = docker network rm $n 2>$null }
            }
        }

        # engine.sh up: its KEY=VALUE lines as a hashtable.
        function Start-Engine([switch] $Tls) {
            $env:TLS = if ($Tls) { '1' } else { $null }
            try { $lines = & bash $engineScript up $engine 1 2>&1 }
            finally { $env:TLS = $null }
            if ($LASTEXITCODE -ne 0) { throw "engine.sh up failed:`n$($lines -join "`n")" }
            $values = @{}
            foreach ($l in $lines) { if ("$l" -match '^(RDK_\w+)=(.*)$') { $values[$Matches[1]] = $Matches[2] } }
            $values
        }
        function Stop-Engine { $null = & bash $engineScript down $engine 2>&1 }

        # Runs Setup, the example as written, then Probe in a fresh pwsh with HOME = $fakeHome. Returns what Probe
        # printed after the line '--probe--' (JSON) and the whole output, and fails when the script failed.
        function Invoke-MultiHostExample([string] $Code, [string] $Setup = '', [string] $Probe = '') {
            $script = Join-Path $work "example-$([guid]::NewGuid().ToString('N').Substring(0, 6)).ps1"
            Set-Content -LiteralPath $script -Value @(
                '$ErrorActionPreference = ''Stop''; $ConfirmPreference = ''None'''
                '$ProgressPreference = ''SilentlyContinue'''
                "Import-Module '$manifest'"
                $Setup
                '$Out = @(. {'
                $Code
                '})'
                '$Out | Out-String -Width 250'
                "'--probe--'"
                $Probe
            )
            $saved = $env:HOME
            $env:HOME = $fakeHome
            try { $log = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -File $script 2>&1 | Out-String }
            finally { $env:HOME = $saved }
            $LASTEXITCODE | Should -Be 0 -Because "the example ran as written:`n$Code`n---`n$log"
            $parts = $log -split '--probe--', 2
            [pscustomobject]@{ Text = $parts[0]; Probe = $parts[1]; Log = $log }
        }

        Stop-Engine
        Remove-ExampleResource
        $work = Join-Path ([IO.Path]::GetTempPath()) ('rdmultihost-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $fakeHome = Join-Path $work 'home'
        $null = New-Item -ItemType Directory -Path $fakeHome
        $ran = [System.Collections.Generic.List[string]]::new()
    }

    AfterAll {
        Remove-ExampleResource
        Stop-Engine
        if ($work) { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
    }

    Context 'a plain second engine (tcp://10.250.1.2:2375)' {
        BeforeAll { $e = Start-Engine }
        AfterAll { Stop-Engine; Remove-ExampleResource }

        It 'Connect-RedisDocker#2: the lab session lists the lab node, the default one this engine''s' -ForEach @{
            Code = $multiHost['Connect-RedisDocker#2']
        } {
            $e.RDK_DOCKER_TCP | Should -Be 'tcp://10.250.1.2:2375'
            $r = Invoke-MultiHostExample $Code -Setup @'
# not in the default session: the example's third command uses that one
$s0 = Connect-RedisDocker tcp://10.250.1.2:2375 -NoDefault
$null = New-RedisNode -Session $s0 -Name labnode -HostNetwork -AnnounceAddress 10.250.1.2 -Port 6390 -Topology lab
'@ -Probe @'
$local = @($Out | Where-Object { $_ -is [RedisDocker.RedisNode] } | ForEach-Object { "$($_.Name)@$($_.DockerHost)" })
ConvertTo-Json -Compress @{ Lab = $lab.DockerHost; Local = $local }
'@
            $p = $r.Probe | ConvertFrom-Json
            $p.Lab | Should -Be 'tcp://10.250.1.2:2375'
            $r.Text | Should -Match 'labnode\s+lab\s+Primary\s+running' -Because 'the second command lists the lab node'
            @($p.Local | Where-Object { $_ -like 'labnode@*' }) | Should -BeNullOrEmpty -Because 'the third is local'
            @($p.Local | Where-Object { $_ -notlike '*@unix://*' }) | Should -BeNullOrEmpty
            $ran.Add('Connect-RedisDocker#2')
        }
    }

    Context 'a TLS second engine (tcp://10.250.1.2:2376, --tlsverify)' {
        BeforeAll {
            $e = Start-Engine -Tls
            $docker = Join-Path $fakeHome '.docker'
            foreach ($d in $docker, (Join-Path $docker 'lab'), (Join-Path $docker 'hostb')) {
                $null = New-Item -ItemType Directory -Force -Path $d
                Copy-Item (Join-Path $e.RDK_TLS_CERT_PATH '*.pem') -Destination $d
            }
            $both = @'
Connect-RedisDocker -DockerHost tcp://10.250.1.2:2376 -CertPath "$HOME/.docker/hostb" -TlsVerify -Add | Out-Null
'@
        }
        AfterAll { Remove-ExampleResource; Stop-Engine }

        It 'Connect-RedisDocker#1: the TLS engine becomes the default for the other cmdlets' -ForEach @{
            Code = $multiHost['Connect-RedisDocker#1']
        } {
            $e.RDK_DOCKER_TCP | Should -Be 'tcp://10.250.1.2:2376'
            $r = Invoke-MultiHostExample $Code -Probe @'
$n = New-RedisNode -Name probe1 -HostNetwork -AnnounceAddress 10.250.1.2 -Port 6399 -Topology probe
$pong = Invoke-RedisCommand probe1 PING
Remove-RedisNode probe1 -Confirm:$false
ConvertTo-Json -Compress @{ Session = $Out[0].DockerHost; Node = $n.DockerHost; Pong = $pong }
'@
            $p = $r.Probe | ConvertFrom-Json
            $p.Session | Should -Be 'tcp://10.250.1.2:2376'
            $p.Node | Should -Be 'tcp://10.250.1.2:2376' -Because 'a cmdlet without -Session used the lab engine'
            $p.Pong | Should -Be 'PONG'
            $ran.Add('Connect-RedisDocker#1')
        }

        It 'New-RedisNode#5: a cluster across the two hosts, each replica on another host than its primary' -ForEach @{
            Code = $multiHost['New-RedisNode#5']
        } {
            $r = Invoke-MultiHostExample $Code -Probe @'
ConvertTo-Json -Compress @(Get-RedisClusterNode -Cluster shop | ForEach-Object {
    $n = Get-RedisNode -Name $_.Name
    @{ Name = $_.Name; Role = "$($_.Role)"; Primary = $_.PrimaryName; Host = $n.DockerHost } })
'@
            $members = @($r.Probe | ConvertFrom-Json)
            $members.Count | Should -Be 6
            $primaries = @($members | Where-Object Role -eq 'Primary')
            @($primaries.Name | Sort-Object) | Should -Be @('a1', 'a2', 'b1')
            foreach ($m in $members | Where-Object Role -eq 'Replica') {
                $primary = $members | Where-Object Name -eq $m.Primary
                $m.Host | Should -Not -Be $primary.Host -Because "$($m.Name) replicates $($m.Primary) from another host"
            }
            @($members | Where-Object { $_.Name -like 'b*' } | ForEach-Object Host | Sort-Object -Unique) |
                Should -Be 'tcp://10.250.1.2:2376'
            @($members | Where-Object { $_.Name -like 'a*' } | ForEach-Object Host | Sort-Object -Unique) |
                Should -BeLike 'unix://*'
            $ran.Add('New-RedisNode#5')
        }

        It 'Connect-RedisDocker#4: one session for both hosts lists shop on both, with each node''s host' -ForEach @{
            Code = $multiHost['Connect-RedisDocker#4']
        } {
            $r = Invoke-MultiHostExample $Code
            foreach ($n in 'a1', 'a2', 'a3') {
                $r.Text | Should -Match "(?m)^$n\s+unix://\S+\s+(Primary|Replica)\s+running"
            }
            foreach ($n in 'b1', 'b2', 'b3') {
                $r.Text | Should -Match "(?m)^$n\s+tcp://10\.250\.1\.2:2376\s+(Primary|Replica)\s+running"
            }
            $r.Text | Should -Match '(?m)^b1\s+tcp://10\.250\.1\.2:2376\s+Primary\s+running\s+10\.250\.1\.2:6374'
            $ran.Add('Connect-RedisDocker#4')
        }

        It 'about_RedisDocker#9: the same cluster, shown with each replica on the other host' -ForEach @{
            Code = $multiHost['about_RedisDocker#9']
        } {
            $null = Invoke-MultiHostExample "Remove-RedisTopology shop -Confirm:`$false" -Setup $both
            $r = Invoke-MultiHostExample $Code
            foreach ($pair in @('b2', 'a1'), @('a3', 'b1'), @('b3', 'a2')) {
                $r.Text | Should -Match ("(?m)^{0}\s+Replica\s+{1}\s" -f $pair[0], $pair[1])
            }
            $r.Text | Should -Match '(?m)^b1\s+Primary\s+10\.250\.1\.2:6374'
            $ran.Add('about_RedisDocker#9')
        }

        It 'New-RedisSentinel#3: three sentinels over two hosts, two on host A' -ForEach @{
            Code = $multiHost['New-RedisSentinel#3']
        } {
            $null = Invoke-MultiHostExample "Remove-RedisTopology shop -Confirm:`$false" -Setup $both
            $r = Invoke-MultiHostExample $Code -Setup @'
$null = New-RedisNode -Name p1 -HostNetwork -AnnounceAddress 10.250.1.1 -Port 6381 -Topology mh
'@ -Probe @'
ConvertTo-Json -Compress @{
    Sentinels = @(Get-RedisNode -Topology mh -Kind Sentinel | ForEach-Object { "$($_.HostEndpoint)@$($_.DockerHost)" } |
        Sort-Object)
    QuorumOk = @(Get-RedisSentinel -Topology mh).QuorumOk; Primary = @(Get-RedisSentinel -Topology mh).Primary }
'@
            $p = $r.Probe | ConvertFrom-Json
            @($p.Sentinels) | Should -Be @('10.250.1.1:26381@unix:///var/run/docker.sock',
                '10.250.1.1:26383@unix:///var/run/docker.sock',
                '10.250.1.2:26382@tcp://10.250.1.2:2376')
            $p.QuorumOk | Should -BeTrue
            $p.Primary | Should -Be 'p1'
            $ran.Add('New-RedisSentinel#3')
        }
    }

    Context 'a swarm of two engines (manager tcp://10.250.1.2:2375, worker tcp://10.250.2.2:2375)' {
        BeforeAll {
            $worker = 'rdkex2'
            $swarmScript = Join-Path $root 'tests' 'multihost' 'swarm.sh'
            if ((ip -4 -o addr) -match '10\.250\.2\.' -and -not ((ip -4 -o addr) -match "rdkv-$worker")) {
                throw '10.250.2.0/24 (INDEX 2 of tests/multihost/engine.sh, the worker the examples name) is taken.'
            }
            $e = Start-Engine
            $lines = & bash $engineScript up $worker 2 2>&1
            if ($LASTEXITCODE -ne 0) { throw "engine.sh up $worker failed:`n$($lines -join "`n")" }
            $lines = & bash $swarmScript up $engine $worker 2>&1
            if ($LASTEXITCODE -ne 0) { throw "swarm.sh up failed:`n$($lines -join "`n")" }
            # Swarm nodes as the example printed them: role@engine@state, sorted.
            $probeNodes = @'
ConvertTo-Json -Compress @{ Nodes = @($Out | Where-Object { $_.PSObject.Properties['Availability'] } |
    ForEach-Object { "$($_.Role)@$($_.DockerHost)@$($_.State)" } | Sort-Object) }
'@
        }
        AfterAll {
            $null = & bash $engineScript heal $worker 2>&1
            $null = & bash $swarmScript down $engine $worker 2>&1
            $null = & bash $engineScript down $worker 2>&1
            Stop-Engine
        }

        It 'Get-RedisSwarmNode#1: the manager and the worker, each with the engine that serves it' -ForEach @{
            Code = $multiHost['Get-RedisSwarmNode#1']
        } {
            $r = Invoke-MultiHostExample $Code -Probe $probeNodes
            @(($r.Probe | ConvertFrom-Json).Nodes) | Should -Be @('manager@tcp://10.250.1.2:2375@ready',
                'worker@tcp://10.250.2.2:2375@ready')
            $ran.Add('Get-RedisSwarmNode#1')
        }

        It 'New-RedisNetwork#4: an attachable overlay made on the manager' -ForEach @{
            Code = $multiHost['New-RedisNetwork#4']
        } {
            $r = Invoke-MultiHostExample $Code -Probe @'
$n = @($Out | Where-Object { $_.PSObject.Properties['Driver'] })[0]
ConvertTo-Json -Compress @{ Name = $n.Name; Driver = $n.Driver; Subnet = $n.Subnet; Host = $n.DockerHost }
'@
            $p = $r.Probe | ConvertFrom-Json
            $p.Name | Should -Be 'shop'
            $p.Driver | Should -Be 'overlay'
            $p.Subnet | Should -Be '172.30.5.0/24'
            $p.Host | Should -Be 'tcp://10.250.1.2:2375'
            (docker -H unix:///run/rdk-rdkex.sock network inspect shop --format '{{.Attachable}}') | Should -Be 'true'
            $ran.Add('New-RedisNetwork#4')
        }

        It 'New-RedisCluster#6: six nodes placed over the two swarm nodes, every replica on the other machine' -ForEach @{
            Code = $multiHost['New-RedisCluster#6']
        } {
            $r = Invoke-MultiHostExample $Code -Probe @'
$hostOf = @{}
foreach ($n in @(Get-RedisNode -Topology web)) { $hostOf[$n.Name] = "$($n.DockerHost)@$($n.HostEndpoint.Split(':')[0])" }
$m = @(Get-RedisClusterNode -Cluster web)
ConvertTo-Json -Compress @{
    State = @($Out | Where-Object { $_.PSObject.Properties['SlotsAssigned'] })[0].State
    Members = $m.Count
    Placed = @($hostOf.Values | Group-Object | ForEach-Object { "$($_.Name)x$($_.Count)" } | Sort-Object)
    Primaries = @($m | Where-Object Role -eq 'Primary' | ForEach-Object { $hostOf[$_.Name] } | Sort-Object -Unique).Count
    SameMachine = @($m | Where-Object Role -eq 'Replica' |
        Where-Object { $hostOf[$_.Name] -eq $hostOf[$_.PrimaryName] } | ForEach-Object Name)
}
# checked: web goes, so that the swarm examples after this one find only their own nodes on the machines
$null = Remove-RedisTopology web -Confirm:$false 3>$null
'@
            $p = $r.Probe | ConvertFrom-Json
            $p.State | Should -Be 'ok'
            $p.Members | Should -Be 6
            @($p.Placed) | Should -Be @('tcp://10.250.1.2:2375@10.250.1.2x3', 'tcp://10.250.2.2:2375@10.250.2.2x3')
            $p.Primaries | Should -Be 2
            @($p.SameMachine) | Should -BeNullOrEmpty
            $ran.Add('New-RedisCluster#6')
        }

        It 'Get-RedisSwarmNode#2: the worker whose machine is gone' -ForEach @{
            Code = $multiHost['Get-RedisSwarmNode#2']
        } {
            $null = & bash $engineScript cut $worker 2>&1
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while ((docker -H unix:///run/rdk-rdkex.sock node ls --format '{{.Status}}') -notcontains 'Down') {
                    if ([DateTime]::UtcNow -gt $deadline) { throw 'The manager never saw the cut worker down.' }
                    Start-Sleep -Milliseconds 500
                }
                $r = Invoke-MultiHostExample $Code -Probe $probeNodes
            }
            finally { $null = & bash $engineScript heal $worker 2>&1 }
            @(($r.Probe | ConvertFrom-Json).Nodes | ForEach-Object { ($_ -split '@')[0] + '@' + ($_ -split '@')[-1] }) |
                Should -Be @('worker@down')
            $ran.Add('Get-RedisSwarmNode#2')
        }

        It 'Move-RedisNode#1: the replica on the drained worker moves to the manager, resynced' -ForEach @{
            Code = $multiHost['Move-RedisNode#1']
        } {
            $manager = 'unix:///run/rdk-rdkex.sock'
            $workerId = docker -H unix:///run/rdk-rdkex2.sock info --format '{{.Swarm.NodeID}}'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ((docker -H $manager node inspect $workerId --format '{{.Status.State}}') -ne 'ready') {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The healed worker never came back ready.' }
                Start-Sleep -Milliseconds 500
            }
            # The nodes are made first, on the active worker; then it is drained, as the example's text assumes.
            $made = Invoke-MultiHostExample @'
$null = Connect-RedisDocker -DockerHost tcp://10.250.1.2:2375
$null = Connect-RedisDocker -DockerHost tcp://10.250.2.2:2375 -Add
if (-not (Get-RedisNetwork -Name shop -ErrorAction SilentlyContinue)) {
    $null = New-RedisNetwork -Name shop -Subnet 172.30.5.0/24 -Driver Overlay
}
$null = New-RedisNode -Name shop-1 -Network shop -DockerHost tcp://10.250.1.2:2375 -HostAddress 10.250.1.2
$null = New-RedisNode -Name shop-2 -Network shop -DockerHost tcp://10.250.2.2:2375 -HostAddress 10.250.2.2
$null = Set-RedisReplica shop-2 -Primary shop-1
$null = Invoke-RedisCommand shop-1 SET moved yes
'@ -Probe 'ConvertTo-Json -Compress @{ Ip = (Get-RedisNode shop-2).IPAddress }'
            $before = ($made.Probe | ConvertFrom-Json).Ip
            $null = docker -H $manager node update --availability drain $workerId
            $r = Invoke-MultiHostExample $Code -Probe @'
$n = Get-RedisNode shop-2
ConvertTo-Json -Compress @{ Host = $n.DockerHost; Role = "$($n.Role)"; Ip = $n.IPAddress
    Value = Invoke-RedisCommand shop-2 GET moved
    Out = @($Out | Where-Object { $_ -is [RedisDocker.RedisNode] } | ForEach-Object Name) }
'@
            $p = $r.Probe | ConvertFrom-Json
            @($p.Out) | Should -Be @('shop-2') -Because 'only the node on the drained worker moved'
            $p.Host | Should -Be 'tcp://10.250.1.2:2375'
            $p.Role | Should -Be 'Replica'
            $p.Ip | Should -Be $before -Because 'the replacement keeps its overlay address'
            $p.Value | Should -Be 'yes' -Because 'it resynced from its primary'
            @(docker -H unix:///run/rdk-rdkex2.sock ps -aq --filter name=shop-2) | Should -BeNullOrEmpty
            $ran.Add('Move-RedisNode#1')
        }

        It 'Move-RedisNode#2: the replica goes back to the active worker, named by its swarm node' -ForEach @{
            Code = $multiHost['Move-RedisNode#2']
        } {
            $workerId = docker -H unix:///run/rdk-rdkex2.sock info --format '{{.Swarm.NodeID}}'
            $null = docker -H unix:///run/rdk-rdkex.sock node update --availability active $workerId
            $r = Invoke-MultiHostExample $Code -Probe @'
$n = Get-RedisNode shop-2
ConvertTo-Json -Compress @{ Host = $n.DockerHost; Role = "$($n.Role)"; Published = $n.HostEndpoint
    Value = Invoke-RedisCommand shop-2 GET moved; Swarm = $n.SwarmNode -eq $worker.Name }
'@
            $p = $r.Probe | ConvertFrom-Json
            $p.Host | Should -Be 'tcp://10.250.2.2:2375'
            $p.Swarm | Should -BeTrue
            $p.Published | Should -BeLike '10.250.2.2:*' -Because 'published on the target engine''s address'
            $p.Role | Should -Be 'Replica'
            $p.Value | Should -Be 'yes'
            $ran.Add('Move-RedisNode#2')
        }
    }

    It 'ran every multi-host example of the documentation' {
        @($ran | Sort-Object) | Should -Be @($KnownMultiHostExamples | Sort-Object)
    }
}
