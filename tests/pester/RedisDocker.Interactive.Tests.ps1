#Requires -Version 7.4
<#
    Pester 5 tests of interactive use, as a new admin types it at a prompt (issue 13, item 5):
    piping nodes into Invoke-RedisCommand with positional commands, commands without keys on a whole
    cluster, default views at 80 columns, values that export readably.

    Needs Docker and the staged module (./build.ps1). It does not skip itself: without Docker the
    BeforeAll fails and every test fails with the reason. Run it with -NonInteractive (pwsh -NonInteractive)
    so that a missing mandatory parameter fails instead of prompting.
    Image: $env:REDISDOCKER_IMAGE, else the official redis:7.4.

    Names start with rdi + 5 hex digits; subnets are free /24s in 172.28-31.x; AfterAll removes what carries
    the run's topology labels or the run id in its name, even after a failure.
#>

Describe 'Interactive use of RedisDocker' -Tag 'Integration', 'Docker' {
    BeforeAll {
        $PSNativeCommandUseErrorActionPreference = $false

        . "$PSScriptRoot/Common.ps1"   # Get-FreeTestSubnet, Remove-TestResource

        # The header of a table as Out-Default prints it at 80 columns: the line above the dashes.
        function Get-TableHeader([object[]] $InputObject) {
            $lines = @(($InputObject | Out-String -Width 80) -split "`r?`n")
            $dashes = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^-[- ]*$' })
            if ($dashes -lt 1) { throw "No table header in:`n$($lines -join "`n")" }
            [pscustomobject]@{ Header = $lines[$dashes - 1]; Above = $lines[$dashes - 2]; Text = $lines -join "`n" }
        }

        # Starts a child pwsh (the same pwsh as this one) on a script file with arguments; output redirected.
        function Start-ChildPwsh([string] $File, [string[]] $Arguments) {
            $exe = (Get-Process -Id $PID).Path
            $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
            if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
            foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.RedirectStandardInput = $true
            $process = [System.Diagnostics.Process]::Start($psi)
            [pscustomobject]@{ Process = $process; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
        }

        # What Docker still holds of a topology: containers and volumes by label, networks by label or name.
        function Get-Leftover([string] $Topology) {
            @(docker ps -aq --filter "label=io.redisdocker.topology=$Topology" 2>$null) +
            @(docker volume ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null) +
            @(docker network ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null) +
            @(docker network ls -q --filter "name=^$Topology`$" 2>$null) | Where-Object { $_ }
        }

        # Column labels of a type's default table view.
        function Get-ViewLabel([string] $TypeName) {
            $view = (Get-FormatData -TypeName $TypeName).FormatViewDefinition | Select-Object -First 1
            @($view.Control.Headers | ForEach-Object { $_.Label })
        }

        # Asserts that objects print at 80 columns with every column of their view, each header on one
        # line, and that each header is a property of the objects (Format-Table <header> shows it).
        function Assert-ViewFits([object[]] $InputObject) {
            $typeName = $InputObject[0].GetType().FullName
            $labels = @(Get-ViewLabel $typeName)
            $labels.Count | Should -BeGreaterThan 0 -Because "$typeName has a table view"
            $table = Get-TableHeader $InputObject
            @($table.Header.Trim() -split '\s+') | Should -Be $labels -Because "every column header of $typeName shows, unwrapped, at 80 columns:`n$($table.Text)"
            $table.Above.Trim() | Should -Not -Match '^\S+$' -Because "no header of $typeName wraps onto a second line:`n$($table.Text)"
            foreach ($label in $labels) {
                $InputObject[0].PSObject.Properties.Name | Should -Contain $label -Because "the header $label of $typeName names a property"
            }
            $withValue = @($labels | Where-Object { $l = $_; $InputObject | Where-Object { $null -ne $_.$l -and "$($_.$l)" -ne '' } })
            foreach ($label in $withValue) {
                ($InputObject | Format-Table $label | Out-String -Width 80).Trim() | Should -Not -BeNullOrEmpty
                @(($InputObject | Format-Table $label | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() }).Count |
                    Should -BeGreaterThan 2 -Because "Format-Table $label shows values"
            }
        }

        $run = 'rdi' + [guid]::NewGuid().ToString('N').Substring(0, 5)
        $c = $run                 # a 6-node cluster, 3 primaries x 1 replica
        $s = "$run-s"             # one plain node
        $solo = "$run-solo"
        $stopped = @("$run-x1", "$run-x2")   # clusters stopped with Ctrl+C while being made
        $h = "$run-h"             # replication and Sentinel, for the failover probe
        $long = "$run-orderprod"   # 18 characters: node names of 20 (the views at 80 columns with long names)
        $allTopologies = @($c, $s, $h, "$run-w", $long) + $stopped

        $moduleDir = Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker'
        Import-Module (Join-Path $moduleDir 'RedisDocker.psd1') -Force -ErrorAction Stop

        $null = docker version 2>$null
        if ($LASTEXITCODE -ne 0) { throw 'These tests need Docker: `docker version` failed.' }
        $image = if ($env:REDISDOCKER_IMAGE) { $env:REDISDOCKER_IMAGE } else { 'redis:7.4' }
        $null = docker image inspect $image 2>$null
        if ($LASTEXITCODE -ne 0) { throw "The image '$image' is not present (set REDISDOCKER_IMAGE to a local image)." }

        $subnets = @(Get-FreeTestSubnet -Count 6)
        Write-Host "Interactive run $run on $($subnets -join ', ') with image $image"
        & {
            $ErrorActionPreference = 'Stop'
            $null = New-RedisNetwork -Name $c -Subnet $subnets[0] | New-RedisNode -Count 6 -ClusterEnabled -Image $image |
                New-RedisCluster -ReplicasPerPrimary 1
            $null = New-RedisNetwork -Name $s -Subnet $subnets[1] | New-RedisNode -Name $solo -Image $image
        }
        $keyCount = 200
        foreach ($i in 1..$keyCount) { $null = Invoke-RedisCommand -Cluster $c SET "key:$i" $i -ErrorAction Stop }
        $null = Invoke-RedisCommand $solo SET greeting hello -ErrorAction Stop
    }

    AfterAll {
        if ($run) { Remove-TestResource -Topology $allTopologies -NamePrefix $run }
    }

    Context 'Nodes piped into Invoke-RedisCommand take a positional command' {
        It 'Get-RedisNode x | Invoke-RedisCommand PING answers PONG' {
            Get-RedisNode $solo | Invoke-RedisCommand PING -ErrorAction Stop | Should -Be 'PONG'
        }

        It 'Get-RedisNode x | Invoke-RedisCommand GET k answers the value' {
            Get-RedisNode $solo | Invoke-RedisCommand GET greeting -ErrorAction Stop | Should -Be 'hello'
        }

        It 'primaries from Get-RedisClusterNode | Where-Object | Invoke-RedisCommand INFO memory answer once each, named' {
            $replies = @(Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary | Invoke-RedisCommand INFO memory -ErrorAction Stop)
            $replies.Count | Should -Be 3
            $replies | ForEach-Object { $_ | Should -BeOfType ([RedisDocker.RedisCommandResult]) }
            @($replies.Node | Sort-Object) | Should -Be @(Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary | ForEach-Object Name | Sort-Object)
            $replies | ForEach-Object { $_.Reply | Should -Match 'used_memory:' }
            $text = $replies | Out-String -Width 80
            foreach ($r in $replies) { $text | Should -Match ([regex]::Escape("$($r.Node):")) }
        }

        It 'Get-RedisCluster c | Invoke-RedisCommand DBSIZE counts the keys of every primary' {
            $replies = @(Get-RedisCluster $c | Invoke-RedisCommand DBSIZE -ErrorAction Stop)
            $replies.Count | Should -Be 3
            ($replies | Measure-Object -Property Reply -Sum).Sum | Should -Be $keyCount
        }

        It 'replies piped from several nodes say which node answered' {
            $nodes = @(Get-RedisNode -Topology $c)
            $replies = @($nodes | Invoke-RedisCommand ROLE -ErrorAction Stop)
            $replies.Count | Should -Be 6
            @($replies.Node | Sort-Object) | Should -Be @($nodes.Name | Sort-Object)
            $text = $replies | Out-String -Width 80
            foreach ($n in $nodes) { $text | Should -Match ([regex]::Escape("$($n.Name): {")) }
        }

        It 'nested replies (ROLE, CLUSTER SHARDS) print readably and stay indexable' {
            $primary = Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary | Select-Object -First 1
            $replica = Get-RedisClusterNode -Cluster $c | Where-Object PrimaryName -eq $primary.Name | Select-Object -First 1
            $role = @(Invoke-RedisCommand $primary.Name ROLE -ErrorAction Stop)
            $roleText = $role | Out-String -Width 80
            $roleText | Should -Not -Match 'SyncRoot|LongLength|IsFixedSize'
            $replicaIp = $replica.ContainerEndpoint.Split(':')[0]
            $roleText | Should -Match ([regex]::Escape($replicaIp))
            $role[2][0][0] | Should -Be $replicaIp
            $shards = Invoke-RedisCommand $primary.Name CLUSTER SHARDS -ErrorAction Stop | Out-String -Width 80
            $shards | Should -Not -Match 'SyncRoot|LongLength|IsFixedSize'
            $shards | Should -Match 'slots'
            $shards | Should -Match ([regex]::Escape($replicaIp))
        }
    }

    Context 'Invoke-RedisCommand -Cluster with a command without keys runs on every primary' {
        It 'DBSIZE counts every key of the cluster, one answer per primary' {
            $replies = @(Invoke-RedisCommand -Cluster $c DBSIZE -ErrorAction Stop)
            $replies.Count | Should -Be 3
            ($replies | Measure-Object -Property Reply -Sum).Sum | Should -Be $keyCount
            $replies | ForEach-Object { $_.Cluster | Should -Be $c }
        }

        It 'KEYS * lists every key of the cluster' {
            $keys = @(Invoke-RedisCommand -Cluster $c KEYS 'key:*' -ErrorAction Stop | ForEach-Object { $_.Reply.Items })
            $keys.Count | Should -Be $keyCount
        }

        It 'CONFIG SET reaches every primary' {
            $null = Invoke-RedisCommand -Cluster $c CONFIG SET maxmemory-policy allkeys-lru -ErrorAction Stop
            foreach ($p in @(Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary)) {
                (Invoke-RedisCommand $p.Name CONFIG GET maxmemory-policy)[1] | Should -Be 'allkeys-lru'
            }
        }

        It '-AllNodes runs it on the replicas too' {
            $replies = @(Invoke-RedisCommand -Cluster $c -AllNodes INFO replication -ErrorAction Stop)
            $replies.Count | Should -Be 6
            @($replies | Where-Object { $_.Reply -match 'role:slave' }).Count | Should -Be 3
        }

        It 'a command with a key still goes to the owner of its slot' {
            Invoke-RedisCommand -Cluster $c GET 'key:7' -ErrorAction Stop | Should -Be '7'
        }

        It 'the session keeps the slot map between commands (Docker is read once)' {
            $session = Connect-RedisDocker -NoDefault
            try {
                $first = @(Invoke-RedisCommand -Session $session -Cluster $c GET 'key:1' -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
                $second = @(Invoke-RedisCommand -Session $session -Cluster $c GET 'key:2' -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
                $first -match 'Reading the nodes and the slot map' | Should -Not -BeNullOrEmpty
                $second -match 'Reading the nodes and the slot map' | Should -BeNullOrEmpty
            }
            finally { $session.Dispose() }
        }

        It 'FLUSHALL empties every primary' {
            $null = Invoke-RedisCommand -Cluster $c FLUSHALL -ErrorAction Stop
            (@(Invoke-RedisCommand -Cluster $c DBSIZE) | Measure-Object -Property Reply -Sum).Sum | Should -Be 0
        }
    }

    Context 'Default views at 80 columns, headers that are property names, readable exports' {
        It 'shows every column of <What> at 80 columns, unwrapped, headers = property names' -ForEach @(
            @{ What = 'Get-RedisNode'; Get = { Get-RedisNode -Topology $c } }
            @{ What = 'Get-RedisClusterNode'; Get = { Get-RedisClusterNode -Cluster $c } }
            @{ What = 'Get-RedisCluster'; Get = { Get-RedisCluster $c } }
            @{ What = 'Get-RedisNetwork'; Get = { Get-RedisNetwork $c } }
            @{ What = 'Get-RedisReplication'; Get = { Get-RedisReplication -Name "$c-1", "$c-4" } }
            @{ What = 'Get-RedisTopology'; Get = { Get-RedisTopology $c } }
            @{ What = 'Test-RedisCluster'; Get = { Test-RedisCluster -Cluster $c } }
            @{ What = 'Export-RedisTopology -Path'; Get = { Export-RedisTopology $c -Path "$TestDrive/$c.json" } }
            @{ What = 'a failover result'; Get = {
                    [RedisDocker.RedisFailoverResult]@{ Topology = $c; Kind = 'Sentinel'; Mode = 'Coordinated'; OldPrimary = "$c-1"
                        NewPrimary = "$c-4"; NewPrimaryHostEndpoint = '127.0.0.1:49153'; Duration = [timespan]::FromMilliseconds(1234); LostWrites = 0 } } }
            @{ What = 'a sentinel group'; Get = {
                    [RedisDocker.RedisSentinelGroup]@{ MasterName = $c; Topology = $c; Primary = "$c-1"; PrimaryHostEndpoint = '127.0.0.1:49153'
                        Sentinels = [string[]] @("$c-s1", "$c-s2", "$c-s3"); Quorum = 2; QuorumOk = $true; Flags = 'master' } } }
        ) {
            $objects = @(& $Get)
            $objects.Count | Should -BeGreaterThan 0
            Assert-ViewFits $objects
        }

        It 'Test-RedisCluster says which cluster each check is of' {
            Test-RedisCluster -Cluster $c | Out-String -Width 80 | Should -Match "Cluster: $c"
        }

        It 'prints a failover duration short, not as a TimeSpan' {
            $result = [RedisDocker.RedisFailoverResult]@{ Topology = $c; Kind = 'Cluster'; Mode = 'Coordinated'; NewPrimary = "$c-4"
                Duration = [timespan]::FromMilliseconds(1234) }
            $text = $result | Out-String -Width 80
            $text | Should -Match '1\.2 s'
            $text | Should -Not -Match '00:00:01'
        }

        It 'Export-Csv writes Flags and Labels readably' {
            $csv = @(Get-RedisClusterNode -Cluster $c | ConvertTo-Csv | ConvertFrom-Csv)
            $csv[0].Flags | Should -Match 'master|slave'
            $csv[0].Flags | Should -Not -Match 'System\.'
            $nodes = @(Get-RedisNode -Topology $c | ConvertTo-Csv | ConvertFrom-Csv)
            $nodes[0].Labels | Should -Match ([regex]::Escape("io.redisdocker.topology=$c"))
            $nodes[0].Labels | Should -Not -Match 'System\.'
        }

        It 'Export-RedisTopology -Path returns what it wrote: topology, format, nodes, no password, the secret files' {
            $json = Export-RedisTopology $c -Path (Join-Path $TestDrive 'x' "$c.json") -ErrorAction Stop
            $json.Path | Should -Be (Join-Path $TestDrive 'x' "$c.json")
            $json.Format | Should -Be 'Json'
            $json.NodeCount | Should -Be 6
            $json.ClusterPrimaries | Should -Be 3
            $json.PasswordExcluded | Should -BeTrue
            $json.Length | Should -Be (Get-Item $json).Length
            $json | Get-RedisTopology | ForEach-Object Name | Should -Be $c    # Topology binds by property name
            $folder = Join-Path $TestDrive 'compose'
            $compose = @(Export-RedisTopology $c -Format Compose -Path $folder -ErrorAction Stop)
            $compose.Count | Should -Be 1
            $compose[0].Path | Should -Be (Join-Path $TestDrive 'compose' 'docker-compose.yml')
            @($compose[0].SecretFiles) | Should -Be @(Join-Path $TestDrive 'compose' 'redis-auth.conf')
            $compose[0].SentinelCount | Should -Be 0
            ($compose | ConvertTo-Csv | ConvertFrom-Csv).SecretFiles | Should -Be (Join-Path $folder 'redis-auth.conf')
        }

        It 'ConvertTo-Json (without -EnumsAsStrings) writes Role and Kind as names, and Role stays typed' {
            $members = @(Get-RedisClusterNode -Cluster $c)
            $json = @($members | ConvertTo-Json -Depth 4 | ConvertFrom-Json)
            $json.Count | Should -Be 6
            @($json.Role | Sort-Object -Unique) | Should -Be @('Primary', 'Replica')
            $nodes = @(Get-RedisNode -Topology $c | ConvertTo-Json | ConvertFrom-Json)
            @($nodes.Kind | Sort-Object -Unique) | Should -Be @('Redis')
            @($nodes.Role | Sort-Object -Unique) | Should -Be @('Primary', 'Replica')
            $replication = Get-RedisReplication -Name "$c-1" | ConvertTo-Json | ConvertFrom-Json
            $replication.Role | Should -BeIn @('Primary', 'Replica')
            # The objects themselves keep the enum: filters, typed comparisons and parameters work as before.
            $members[0].Role | Should -BeOfType ([RedisDocker.RedisRole])
            @($members | Where-Object Role -eq Primary).Count | Should -Be 3
            @($members | Where-Object { $_.Role -eq [RedisDocker.RedisRole]::Replica }).Count | Should -Be 3
            @(Get-RedisClusterNode -Cluster $c -Role Primary).Count | Should -Be 3
            @(Get-RedisNode -Topology $c | Sort-Object Role | Select-Object -First 1).Role | Should -Be 'Primary'
        }

        It 'every enum of every cmdlet''s output type is written by ConvertTo-Json as its name' {
            $outputTypes = @(Get-Command -Module RedisDocker -CommandType Cmdlet | ForEach-Object OutputType |
                ForEach-Object Type | Where-Object { $_ -and $_.Namespace -like 'RedisDocker*' } |
                Sort-Object FullName -Unique)
            $outputTypes.Count | Should -BeGreaterThan 10
            # Enums of the properties, and of the properties of RedisDocker types below them (session.Endpoint).
            $enums = [System.Collections.Generic.HashSet[type]]::new()
            $seen = [System.Collections.Generic.HashSet[type]]::new()
            $queue = [System.Collections.Generic.Queue[type]]::new()
            foreach ($t in $outputTypes) { $queue.Enqueue($t) }
            while ($queue.Count) {
                $t = $queue.Dequeue()
                if (-not $seen.Add($t)) { continue }
                foreach ($p in $t.GetProperties()) {
                    $pt = [Nullable]::GetUnderlyingType($p.PropertyType) ?? $p.PropertyType
                    if ($pt.IsEnum) { $null = $enums.Add($pt) }
                    elseif ($pt.Namespace -like 'RedisDocker*' -and -not $pt.IsPrimitive) { $queue.Enqueue($pt) }
                }
            }
            @($enums.FullName) | Should -Contain 'RedisDocker.RedisRole'
            @($enums.FullName) | Should -Contain 'RedisDocker.Core.Docker.DockerTransport'
            foreach ($e in $enums) {
                foreach ($name in [Enum]::GetNames($e)) {
                    [pscustomobject]@{ Value = [Enum]::Parse($e, $name) } | ConvertTo-Json -Compress |
                        Should -Be "{`"Value`":`"$name`"}" -Because "$($e.FullName) is written by name"
                }
            }
        }
    }
    Context 'Default views at 80 columns with names of 20 characters' {
        BeforeAll {
            & {
                $ErrorActionPreference = 'Stop'
                $null = New-RedisNetwork -Name $long -Subnet $subnets[5] |
                    New-RedisNode -Count 6 -ClusterEnabled -Image $image | New-RedisCluster -ReplicasPerPrimary 1
            }
            $n = @(1..6 | ForEach-Object { "$long-$_" })

            # Asserts that the first $Key columns of the type's view (its key columns) print whole at 80 columns:
            # their headers on one line and every value in full. The columns after them may be cut.
            function Assert-KeyColumnsFit([object[]] $InputObject, [int] $Key) {
                $typeName = $InputObject[0].GetType().FullName
                $view = (Get-FormatData -TypeName $typeName).FormatViewDefinition | Select-Object -First 1
                $labels = @($view.Control.Headers | ForEach-Object Label)
                $columns = @($view.Control.Rows[0].Columns)
                $keys = $labels[0..($Key - 1)]
                $text = $InputObject | Out-String -Width 80
                $lines = @($text -split "`r?`n")
                $dashes = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^-[- ]*$' })
                $start = $dashes
                while ($start -gt 0 -and $lines[$start - 1].Trim()) { $start-- }
                $header = $lines[$start]   # the first header line; a cut last column wraps its header below it
                @($header.Trim() -split '\s+')[0..($Key - 1)] |
                    Should -Be $keys -Because "the key columns of $typeName show at 80 columns:`n$text"
                $keyWidth = $header.IndexOf($keys[-1]) + $keys[-1].Length
                foreach ($below in @($lines[($start + 1)..($dashes)] | Select-Object -SkipLast 1)) {
                    $below.Substring(0, [Math]::Min($keyWidth, $below.Length)).Trim() |
                        Should -BeNullOrEmpty -Because "no key header of $typeName wraps:`n$text"
                }
                $rows = @($lines | Select-Object -Skip ($dashes + 1) | Where-Object { $_.Trim() })
                foreach ($o in $InputObject) {
                    $first = "$($o.($keys[0]))"
                    $row = @($rows | Where-Object { $_.StartsWith("$first ") -or $_.TrimEnd() -eq $first }) |
                        Select-Object -First 1
                    $row | Should -Not -BeNullOrEmpty -Because "$first has a row, whole:`n$text"
                    foreach ($i in 1..($Key - 1)) {
                        if ($columns[$i].DisplayEntry.ValueType -ne 'Property') { continue }
                        $value = "$($o.($keys[$i]))"
                        if (-not $value) { continue }
                        $row | Should -Match ([regex]::Escape($value)) -Because "$($keys[$i]) of $first shows:`n$text"
                    }
                    $row.Substring(0, [Math]::Min($keyWidth, $row.Length)) |
                        Should -Not -Match '…' -Because "no key value is cut:`n$text"
                }
            }
        }

        It 'names of 20 characters' {
            $n | ForEach-Object { $_.Length | Should -BeLessOrEqual 20 }
            $n[0].Length | Should -Be 20
        }

        It 'keeps the first <Key> columns of <What> whole' -ForEach @(
            @{ What = 'Get-RedisNode'; Key = 5; Get = { Get-RedisNode -Topology $long } }
            @{ What = 'Get-RedisClusterNode'; Key = 6; Get = { Get-RedisClusterNode -Cluster $long } }
            @{ What = 'Get-RedisCluster'; Key = 7; Get = { Get-RedisCluster $long } }
            @{ What = 'Get-RedisNetwork'; Key = 5; Get = { Get-RedisNetwork $long } }
            @{ What = 'Get-RedisReplication'; Key = 5; Get = { Get-RedisReplication -Name $n } }
            @{ What = 'Get-RedisTopology'; Key = 6; Get = { Get-RedisTopology $long } }
            @{ What = 'Export-RedisTopology -Path'; Key = 4; Get = { Export-RedisTopology $long -Path "$TestDrive/l" } }
            @{ What = 'a failover result'; Key = 5; Get = {
                    [RedisDocker.RedisFailoverResult]@{ Topology = $long; Kind = 'Cluster'; Mode = 'Coordinated'
                        OldPrimary = $n[0]; NewPrimary = $n[3]; NewPrimaryHostEndpoint = '127.0.0.1:49153'
                        Duration = [timespan]::FromMilliseconds(3210); LostWrites = 0 } } }
            @{ What = 'a sentinel group'; Key = 5; Get = {
                    [RedisDocker.RedisSentinelGroup]@{ MasterName = "$long-ha"; Topology = $long; Primary = $n[0]
                        PrimaryHostEndpoint = '127.0.0.1:49153'; Quorum = 2; QuorumOk = $true; Flags = 'master'
                        Sentinels = [string[]] @("$long-s1", "$long-s2", "$long-s3") } } }
            @{ What = 'a slot move'; Key = 5; Get = {
                    $moved = [RedisDocker.SlotRange[]] @([RedisDocker.SlotRange]::new(10923, 12287))
                    [RedisDocker.SlotMoveResult]::new($long, $n[0], $n[1], 1365, 2048, $moved) } }
        ) {
            $objects = @(& $Get)
            $objects.Count | Should -BeGreaterThan 0
            Assert-KeyColumnsFit $objects $Key
        }
    }

    Context 'Completion follows context' {
        BeforeAll {
            function Get-Completion([string] $Line) {
                @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
            }
            $clusterNodes = @(1..6 | ForEach-Object { "$c-$_" })
        }

        It 'Invoke-RedisCommand -Cluster c -Node offers the nodes of c only' {
            @(Get-Completion "Invoke-RedisCommand -Cluster $c -Node " | Sort-Object) | Should -Be $clusterNodes
        }

        It 'Get-RedisClusterNode -Cluster c -Node offers the members of c only' {
            @(Get-Completion "Get-RedisClusterNode -Cluster $c -Node " | Sort-Object) | Should -Be $clusterNodes
        }

        It 'Move-RedisClusterSlot -Source and -Destination offer the members of the cluster' {
            @(Get-Completion "Move-RedisClusterSlot -Cluster $c -Source " | Sort-Object) | Should -Be $clusterNodes
            @(Get-Completion "Move-RedisClusterSlot -Cluster $c -Source $c-1 -Destination " | Sort-Object) | Should -Be $clusterNodes
        }

        It 'Set-RedisReplica -Primary offers nodes outside clusters' {
            $offered = @(Get-Completion "Set-RedisReplica -Name x -Primary $run")
            $offered | Should -Contain $solo
            $offered | Should -Not -Contain "$c-1"
        }

        It 'Get-RedisClusterNode -Role offers only the roles of cluster members' {
            @(Get-Completion "Get-RedisClusterNode -Cluster $c -Role ") | Should -Be @('Primary', 'Replica')
        }

        It '-Image completes local images' {
            Get-Completion "New-RedisNode -Image $($image.Substring(0, 4))" | Should -Contain $image
        }
    }

    Context 'Failover probes' {
        It 'a Sentinel failover leaves no key of its own in the user''s data' {
            & {
                $ErrorActionPreference = 'Stop'
                $primary = New-RedisNetwork -Name $h -Subnet $subnets[4] | New-RedisNode -Name "$h-p" -Image $image
                $null = New-RedisNode -Network $h -Name "$h-r1" -Image $image | Set-RedisReplica -Primary $primary -Confirm:$false
                $null = $primary | New-RedisSentinel -Count 3 -Quorum 2 -Image $image
            }
            $null = Invoke-RedisCommand "$h-p" SET only-key 1 -ErrorAction Stop
            $result = Invoke-RedisFailover -SentinelGroup $h -Confirm:$false -ErrorAction Stop
            $result.NewPrimary | Should -Be "$h-r1"
            Invoke-RedisCommand $result.NewPrimary DBSIZE | Should -Be 1
            Invoke-RedisCommand $result.NewPrimary EXISTS redisdocker:failover-probe | Should -Be 0
        }
    }

    Context '-WhatIf shows the plan' {
        It 'New-RedisCluster -Count -WhatIf names the nodes and the slot split, and makes nothing' {
            $name = "$run-w"
            $script = Join-Path $TestDrive 'whatif.ps1'
            Set-Content -LiteralPath $script -Value @'
param([string] $Module, [string] $Name)
Import-Module $Module -ErrorAction Stop
New-RedisCluster -Count 6 -Name $Name -Subnet 172.28.250.0/24 -WhatIf
'@
            $child = Start-ChildPwsh $script @('-Module', (Join-Path $moduleDir 'RedisDocker.psd1'), '-Name', $name)
            $child.Process.WaitForExit(120000) | Should -BeTrue
            $said = $child.Out.Result -replace '\s+', ' '
            foreach ($i in 1..6) { $said | Should -Match ([regex]::Escape("$name-$i")) }
            $said | Should -Match '0-5460'
            $said | Should -Match '5461-10922'
            $said | Should -Match '10923-16383'
            @(Get-Leftover $name) | Should -BeNullOrEmpty
        }

        It 'Optimize-RedisCluster -WhatIf lists the slot moves, and moves nothing' {
            $primaries = @(Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary | Sort-Object Name)
            $heavy = $primaries[0].Name
            $script = Join-Path $TestDrive 'optimize.ps1'
            Set-Content -LiteralPath $script -Value @'
param([string] $Module, [string] $Cluster, [string] $Heavy)
Import-Module $Module -ErrorAction Stop
Optimize-RedisCluster -Cluster $Cluster -Weight @{ $Heavy = 2 } -WhatIf
'@
            $child = Start-ChildPwsh $script @('-Module', (Join-Path $moduleDir 'RedisDocker.psd1'), '-Cluster', $c, '-Heavy', $heavy)
            $child.Process.WaitForExit(120000) | Should -BeTrue
            $said = $child.Out.Result -replace '\s+', ' '
            foreach ($giver in $primaries[1..2]) {
                $said | Should -Match ("\d+ slot\(s\) {0} -> {1}" -f [regex]::Escape($giver.Name), [regex]::Escape($heavy))
            }
            $after = @(Get-RedisClusterNode -Cluster $c | Where-Object Role -eq Primary | Sort-Object Name)
            @($after.SlotCount) | Should -Be @($primaries.SlotCount)
        }

        It 'Remove-RedisNode -WhatIf on a missing node errors like the real run' {
            $missing = "$run-missing"
            $null = Remove-RedisNode $missing -WhatIf -ErrorVariable whatIfErrors -ErrorAction SilentlyContinue
            $null = Remove-RedisNode $missing -Confirm:$false -ErrorVariable realErrors -ErrorAction SilentlyContinue
            $realErrors.Count | Should -Be 1
            $whatIfErrors.Count | Should -Be 1
            $whatIfErrors[0].FullyQualifiedErrorId | Should -Be $realErrors[0].FullyQualifiedErrorId
            $whatIfErrors[0].FullyQualifiedErrorId | Should -Match '^RedisDocker\.NodeNotFound'
        }
    }

    Context 'Ctrl+C' {
        It 'stopping New-RedisCluster -Count <Delay> ms after its first container removes everything before the prompt returns, and says so' -Skip:$IsWindows -ForEach @(
            @{ Index = 0; Delay = 300 }
            @{ Index = 1; Delay = 1500 }
        ) {
            $name = $stopped[$Index]
            $script = Join-Path $TestDrive "stop-$Index.ps1"
            Set-Content -LiteralPath $script -Value @'
param([string] $Module, [string] $Name, [string] $Subnet, [string] $Image)
Import-Module $Module -ErrorAction Stop
New-RedisCluster -Count 6 -Name $Name -Subnet $Subnet -Image $Image
'@
            $child = Start-ChildPwsh $script @('-Module', (Join-Path $moduleDir 'RedisDocker.psd1'), '-Name', $name,
                '-Subnet', $subnets[2 + $Index], '-Image', $image)
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(90)
                while ([DateTime]::UtcNow -lt $deadline -and -not $child.Process.HasExited -and
                    -not (docker ps -aq --filter "label=io.redisdocker.topology=$name" 2>$null)) { Start-Sleep -Milliseconds 100 }
                # (Out.Result and Err.Result wait for the child's end: read them only once it has ended.)
                $child.Process.HasExited | Should -BeFalse -Because 'the cluster is still being made'
                Start-Sleep -Milliseconds $Delay
                $child.Process.HasExited | Should -BeFalse -Because 'the cluster is still being made'
                $childId = $child.Process.Id
                kill -INT $childId                   # what Ctrl+C sends
                $child.Process.WaitForExit(120000) | Should -BeTrue
                $said = "$($child.Out.Result)`n$($child.Err.Result)"
                # The prompt is back (here: the process ended): nothing of the stopped cluster may remain.
                @(Get-Leftover $name) | Should -BeNullOrEmpty -Because "the child said:`n$said"
                $said | Should -Match 'Stopped: removed'
            }
            finally {
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            }
        }
    }
}
