#Requires -Version 7.4
<#
    Pester 5 tests of the staged module's surface (no Docker needed): manifest, exported commands,
    exact parameter lists and aliases, verbs, ShouldProcess, help, format views and argument completers.

    Run ./build.ps1 first: these tests import out/RedisDocker/RedisDocker.psd1.
    The parameter and alias tables are copies of tests/RedisDocker.Module.Tests/ParameterListTests.cs and of
    the [Alias] attributes in src/RedisDocker/Cmdlets/*.cs: a change to a cmdlet's parameters updates both.
#>

BeforeDiscovery {
    # Each command's exact parameter list, without the common parameters and WhatIf/Confirm
    # (copied from tests/RedisDocker.Module.Tests/ParameterListTests.cs).
    $parameterTable = [ordered]@{
        'Add-RedisClusterNode'    = @('Cluster', 'InputObject', 'Node', 'Primary', 'Session')
        'Connect-RedisDocker'     = @('Add', 'CertPath', 'DockerHost', 'NoDefault', 'Route', 'TlsVerify')
        'Connect-RedisNetwork'    = @('IPAddress', 'InputObject', 'Network', 'Node', 'PassThru', 'Session')
        'Disconnect-RedisNetwork' = @('Force', 'InputObject', 'Network', 'Node', 'PassThru', 'Session')
        'Backup-RedisTopology'    = @('Node', 'Path', 'Session', 'Topology')
        'Restore-RedisTopology'   = @('Force', 'Name', 'Password', 'Path', 'Session', 'Subnet')
        'Import-RedisData'        = @('BatchSize', 'Cursor', 'Destination', 'MaxKeys', 'Replace', 'Session', 'Source', 'SourcePassword')
        'Export-RedisTopology'    = @('Format', 'Path', 'Session', 'Topology')
        'Get-RedisTopology'       = @('Session', 'Topology')
        'Import-RedisTopology'    = @('DockerHost', 'Json', 'Password', 'Path', 'Session')
        'Remove-RedisTopology'    = @('KeepVolume', 'Session', 'Topology')
        'Start-RedisTopology'     = @('PassThru', 'Session', 'Topology')
        'Stop-RedisTopology'      = @('PassThru', 'Session', 'Topology')
        'Get-RedisCluster'        = @('Cluster', 'Session')
        'Get-RedisClusterNode'    = @('Cluster', 'Node', 'Role', 'Session')
        'Connect-RedisClient'     = @('Cluster', 'Node', 'Route', 'SentinelGroup', 'Session')
        'Get-RedisConnectionString' = @('Cluster', 'IncludePassword', 'Node', 'Route', 'SentinelGroup', 'Session')
        'Get-RedisCredential'     = @('Session', 'Topology')
        'Get-RedisNetwork'        = @('Name', 'Session', 'Topology')
        'Get-RedisSwarmNode'      = @('Name', 'Session')
        'Move-RedisNode'          = @('DockerHost', 'HostAddress', 'Name', 'Session', 'SwarmNode')
        'Get-RedisNode'           = @('Kind', 'Name', 'Network', 'Role', 'Session', 'Topology')
        'Get-RedisReplication'    = @('Name', 'Session', 'Topology')
        'Get-RedisSentinel'       = @('MasterName', 'Session', 'Topology')
        'Invoke-RedisCommand'     = @('AllNodes', 'Cluster', 'Command', 'InputObject', 'Node', 'Session')
        'Invoke-RedisFailover'    = @('Force', 'InputObject', 'Node', 'SentinelGroup', 'Session', 'Takeover', 'TimeoutSeconds', 'Topology', 'Wait')
        'Move-RedisClusterSlot'   = @('All', 'Cluster', 'Count', 'Destination', 'Session', 'Slot', 'Source')
        'New-RedisCluster'        = @('ClusterNodeTimeout', 'Count', 'DockerHost', 'Image', 'InputObject', 'Name',
                                      'Network', 'Node', 'Password', 'ReplicasPerPrimary', 'Session', 'Subnet',
                                      'SwarmNodeLabel', 'Tls', 'TlsClientAuth')
        'New-RedisNetwork'        = @('DockerHost', 'Driver', 'Gateway', 'Internal', 'Label', 'Name', 'Session', 'Subnet', 'Topology')
        'New-RedisNode'           = @('AllowAllInterfaces', 'AnnounceAddress', 'AppendOnly', 'BusPort',
                                      'ClusterEnabled', 'ClusterNodeTimeout', 'Config', 'Count', 'DockerHost',
                                      'HostAddress', 'HostNetwork', 'HostPort', 'IPAddress', 'Image', 'Label',
                                      'MaxMemory', 'MaxMemoryPolicy', 'Name', 'NamePrefix', 'Network', 'Password',
                                      'Port', 'Session', 'SwarmNodeLabel', 'Tls', 'TlsClientAuth', 'Topology')
        'New-RedisSentinel'       = @('AnnounceAddress', 'Count', 'DockerHost', 'DownAfter', 'FailoverTimeout',
                                      'Image', 'MasterName', 'MinReplicasMaxLag', 'MinReplicasToWrite',
                                      'ParallelSyncs', 'Port', 'Primary', 'Quorum', 'Session', 'SwarmNodeLabel', 'Tls',
                                      'TlsClientAuth')
        'Optimize-RedisCluster'   = @('Cluster', 'Session', 'Threshold', 'Weight')
        'Remove-RedisClusterNode' = @('Cluster', 'Node', 'Session')
        'Remove-RedisNetwork'     = @('Force', 'InputObject', 'Name', 'Session')
        'Remove-RedisNode'        = @('InputObject', 'KeepVolume', 'Name', 'Session')
        'Repair-RedisCluster'     = @('Cluster', 'Session')
        'Restart-RedisNode'       = @('InputObject', 'Name', 'PassThru', 'Session', 'Timeout')
        'Set-RedisCluster'        = @('ClientEndpoint', 'Cluster', 'Session')
        'Set-RedisReplica'        = @('Name', 'None', 'Primary', 'Session')
        'Start-RedisNode'         = @('InputObject', 'Name', 'PassThru', 'Session')
        'Stop-RedisNode'          = @('InputObject', 'Kill', 'Name', 'PassThru', 'Session', 'Timeout')
        'Test-RedisCluster'       = @('Cluster', 'Quiet', 'ReplicasPerPrimary', 'Session')
        'Export-RedisCertificate' = @('IncludeClientCertificate', 'Path', 'Session', 'Topology', 'ValidDays')
        'Update-RedisCertificate' = @('Session', 'Topology')
        'New-RedisUser'           = @('Disabled', 'Name', 'Password', 'Permission', 'Session', 'Topology')
        'Get-RedisUser'           = @('Name', 'Session', 'Topology')
        'Set-RedisUser'           = @('Disabled', 'Enabled', 'Name', 'Password', 'Permission', 'Session', 'Topology')
        'Remove-RedisUser'        = @('Name', 'Session', 'Topology')
    }

    # Every [Alias] of every cmdlet parameter ("Parameter=Alias"), from src/RedisDocker/Cmdlets/*.cs (ClusterCmdlet
    # gives Cluster=Topology, NodeActionCmdlet Name=NodeName, TopologyCmdlet Topology=Name). Pipelines bind by these names.
    $aliasTable = @{
        'Add-RedisClusterNode'    = @('Cluster=Topology', 'Node=Name', 'Node=NodeName')
        'Connect-RedisDocker'     = @('DockerHost=H', 'DockerHost=Host')
        'Connect-RedisNetwork'    = @('Node=Name', 'Node=NodeName')
        'Disconnect-RedisNetwork' = @('Node=Name', 'Node=NodeName')
        'Backup-RedisTopology'    = @('Topology=Name')
        'Restore-RedisTopology'   = @('Path=FullName', 'Name=Topology')
        'Import-RedisData'        = @('Destination=Cluster')
        'Export-RedisTopology'    = @('Topology=Name')
        'Get-RedisTopology'       = @('Topology=Name')
        'Import-RedisTopology'    = @('Path=FullName')
        'Remove-RedisTopology'    = @('Topology=Name')
        'Start-RedisTopology'     = @('Topology=Name')
        'Stop-RedisTopology'      = @('Topology=Name')
        'Get-RedisCluster'        = @('Cluster=Topology', 'Cluster=Name')
        'Get-RedisClusterNode'    = @('Cluster=Topology', 'Node=NodeName')
        'Connect-RedisClient'     = @('Cluster=Topology', 'SentinelGroup=MasterName')
        'Get-RedisConnectionString' = @('Cluster=Topology', 'SentinelGroup=MasterName')
        'Get-RedisCredential'     = @()
        'Get-RedisNetwork'        = @('Name=Network', 'Name=NetworkName')
        'Get-RedisSwarmNode'      = @()
        'Move-RedisNode'          = @('Name=Node', 'Name=NodeName')
        'Get-RedisNode'           = @('Name=NodeName', 'Topology=Cluster')
        'Get-RedisReplication'    = @('Name=NodeName')
        'Get-RedisSentinel'       = @('MasterName=SentinelGroup')
        'Invoke-RedisCommand'     = @('Node=Name', 'Node=NodeName')
        'Invoke-RedisFailover'    = @('Node=NodeName', 'SentinelGroup=MasterName')
        'Move-RedisClusterSlot'   = @('Cluster=Topology')
        'New-RedisCluster'        = @()
        'New-RedisNetwork'        = @('Name=NetworkName')
        'New-RedisNode'           = @()
        'New-RedisSentinel'       = @('Primary=NodeName')
        'Optimize-RedisCluster'   = @('Cluster=Topology')
        'Remove-RedisClusterNode' = @('Cluster=Topology', 'Node=NodeName')
        'Remove-RedisNetwork'     = @('Name=Network', 'Name=NetworkName')
        'Remove-RedisNode'        = @('Name=NodeName')
        'Repair-RedisCluster'     = @('Cluster=Topology')
        'Restart-RedisNode'       = @('Name=NodeName')
        'Set-RedisCluster'        = @('Cluster=Topology')
        'Set-RedisReplica'        = @('Name=Node', 'Name=NodeName')
        'Start-RedisNode'         = @('Name=NodeName')
        'Stop-RedisNode'          = @('Name=NodeName')
        'Test-RedisCluster'       = @('Cluster=Topology')
        'Export-RedisCertificate' = @()
        'Update-RedisCertificate' = @()
        'New-RedisUser'           = @()
        'Get-RedisUser'           = @()
        'Set-RedisUser'           = @()
        'Remove-RedisUser'        = @()
    }

    # Verbs whose cmdlets change state (as CmdletConventionTests.cs), plus cmdlets whose verb does not say so.
    $stateChangingVerbs = @('New', 'Remove', 'Set', 'Start', 'Stop', 'Restart', 'Add', 'Move', 'Optimize', 'Repair', 'Disconnect')
    $stateChangingCommands = @('Invoke-RedisFailover', 'Connect-RedisNetwork', 'Import-RedisTopology',
        'Backup-RedisTopology', 'Restore-RedisTopology', 'Import-RedisData')

    $commandCases = foreach ($name in $parameterTable.Keys) {
        $verb = $name.Split('-')[0]
        @{
            CommandName        = $name
            ExpectedParameters = @($parameterTable[$name])
            ExpectedAliases    = @($aliasTable[$name])
            StateChanging      = ($stateChangingVerbs -contains $verb) -or ($stateChangingCommands -contains $name)
            ReadOnly           = ($verb -eq 'Get') -or ($verb -eq 'Test')
            HighImpact         = ($verb -eq 'Remove') -or ($name -in 'Invoke-RedisFailover', 'Move-RedisNode')
        }
    }
    $stateChangingCases = @($commandCases | Where-Object { $_.StateChanging })
    $highImpactCases = @($commandCases | Where-Object { $_.HighImpact })
    $readOnlyCases = @($commandCases | Where-Object { $_.ReadOnly })
    $tableNames = @($commandCases | ForEach-Object { $_.CommandName })

    # Every view of RedisDocker.Format.ps1xml.
    $formatCases = @(
        'RedisDocker.RedisNetwork'
        'RedisDocker.RedisNode'
        'RedisDocker.RedisCluster'
        'RedisDocker.RedisClusterNode'
        'RedisDocker.RedisClusterCheck'
        'RedisDocker.RedisFailoverResult'
        'RedisDocker.RedisReplicationInfo'
        'RedisDocker.RedisSentinelGroup'
        'RedisDocker.SlotMoveResult'
        'RedisDocker.RedisTopology'
        'RedisDocker.RedisTopologyExport'
        'RedisDocker.RedisUser'
        'RedisDocker.Core.RedisDockerSession'
    ) | ForEach-Object { @{ TypeName = $_ } }

    # One case per completer class of src/RedisDocker/Completers/NameCompleters.cs.
    $completerCases = @(
        @{ Completer = 'NetworkCompleter'; CommandName = 'New-RedisNode'; ParameterName = 'Network' }
        @{ Completer = 'NodeCompleter'; CommandName = 'Get-RedisNode'; ParameterName = 'Name' }
        @{ Completer = 'TopologyCompleter'; CommandName = 'Get-RedisNode'; ParameterName = 'Topology' }
        @{ Completer = 'SentinelCompleter'; CommandName = 'Get-RedisNode'; ParameterName = 'Name' }
        @{ Completer = 'SentinelGroupCompleter'; CommandName = 'Get-RedisSentinel'; ParameterName = 'MasterName' }
        @{ Completer = 'ClusterCompleter'; CommandName = 'Get-RedisClusterNode'; ParameterName = 'Cluster' }
        @{ Completer = 'ClusterNodeCompleter'; CommandName = 'Move-RedisClusterSlot'; ParameterName = 'Source' }
        @{ Completer = 'NonClusterNodeCompleter'; CommandName = 'Set-RedisReplica'; ParameterName = 'Primary' }
        @{ Completer = 'ImageCompleter'; CommandName = 'New-RedisNode'; ParameterName = 'Image' }
    )
}

BeforeAll {
    $moduleDir = Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker'
    $manifestPath = Join-Path $moduleDir 'RedisDocker.psd1'
    if (-not (Test-Path -LiteralPath $manifestPath)) {
        throw "The staged module is missing ($manifestPath): run ./build.ps1 first."
    }
    $manifestData = Import-PowerShellDataFile -LiteralPath $manifestPath
    $module = Import-Module $manifestPath -Force -PassThru -ErrorAction Stop

    # The parameters PowerShell adds to every cmdlet (ProgressAction included on 7.4), and WhatIf/Confirm.
    $excludedParameters = @([System.Management.Automation.PSCmdlet]::CommonParameters) +
        @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)

    function Get-OwnParameterName {
        param([System.Management.Automation.CommandInfo] $Command)
        foreach ($name in $Command.Parameters.Keys) {
            if ($excludedParameters -notcontains $name) { $name }
        }
    }
}

AfterAll {
    Remove-Module RedisDocker -Force -ErrorAction SilentlyContinue
}

Describe 'RedisDocker module manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $info.Name | Should -Be 'RedisDocker'
        $info.Version | Should -Be ([version] $manifestData.ModuleVersion)
    }

    It 'requires PowerShell 7.4 (Core) and loads RedisDocker.dll with its format file' {
        $manifestData.PowerShellVersion | Should -Be '7.4'
        @($manifestData.CompatiblePSEditions) -join ',' | Should -Be 'Core'
        $manifestData.RootModule | Should -Be 'RedisDocker.dll'
        @($manifestData.FormatsToProcess) -join ',' | Should -Be 'RedisDocker.Format.ps1xml'
    }

    It 'is the staged module that got imported' {
        $module.Name | Should -Be 'RedisDocker'
        $module.Version | Should -Be ([version] $manifestData.ModuleVersion)
        (Resolve-Path -LiteralPath $module.ModuleBase).Path | Should -Be (Resolve-Path -LiteralPath $moduleDir).Path
    }

    It 'exports exactly the CmdletsToExport of the manifest' {
        $exported = @(Get-Command -Module RedisDocker | ForEach-Object { $_.Name } | Sort-Object)
        $declared = @($manifestData.CmdletsToExport | Sort-Object)
        $declared.Count | Should -BeGreaterThan 0
        $exported -join ', ' | Should -Be ($declared -join ', ')
    }

    It 'exports cmdlets only: no function, alias or variable' {
        @(Get-Command -Module RedisDocker | Where-Object { $_.CommandType -ne 'Cmdlet' }).Count | Should -Be 0
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }

    It 'exports the commands of the parameter table, no more and no fewer' -ForEach @(@{ ExpectedCommands = $tableNames }) {
        # The table (in BeforeDiscovery) is the list the per-command tests below run over.
        $exported = @(Get-Command -Module RedisDocker | ForEach-Object { $_.Name } | Sort-Object)
        $expected = @($ExpectedCommands | Sort-Object)
        $exported -join ', ' | Should -Be ($expected -join ', ')
    }
}

Describe '<CommandName>' -ForEach $commandCases {
    BeforeAll {
        $command = Get-Command -Name $CommandName -Module RedisDocker -ErrorAction Stop
    }

    It 'is a cmdlet of RedisDocker' {
        $command.CommandType | Should -Be 'Cmdlet'
        $command.ModuleName | Should -Be 'RedisDocker'
    }

    It 'uses an approved verb' {
        $approved = @(Get-Verb | ForEach-Object { $_.Verb })
        $command.Verb | Should -BeIn $approved
        $command.Noun | Should -BeLike 'Redis*'
    }

    It 'has exactly the expected parameters' {
        $actual = @(Get-OwnParameterName -Command $command | Sort-Object)
        $expected = @($ExpectedParameters | Sort-Object)
        $actual -join ', ' | Should -Be ($expected -join ', ')
    }

    It 'has exactly the expected parameter aliases' {
        $actual = @(
            foreach ($parameter in $command.Parameters.Values) {
                if ($excludedParameters -contains $parameter.Name) { continue }
                foreach ($alias in $parameter.Aliases) { "$($parameter.Name)=$alias" }
            }
        ) | Sort-Object
        $expected = @($ExpectedAliases) | Sort-Object
        @($actual) -join ', ' | Should -Be (@($expected) -join ', ')
    }
}

Describe 'ShouldProcess' {
    It '<CommandName> changes state, so it supports -WhatIf and -Confirm' -ForEach $stateChangingCases {
        $command = Get-Command -Name $CommandName -Module RedisDocker -ErrorAction Stop
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
        $attribute.SupportsShouldProcess | Should -BeTrue
    }

    It '<CommandName> asks for confirmation by default (ConfirmImpact High)' -ForEach $highImpactCases {
        $command = Get-Command -Name $CommandName -Module RedisDocker -ErrorAction Stop
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
        $attribute.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
    }

    It '<CommandName> only reads, so it takes no -WhatIf' -ForEach $readOnlyCases {
        $command = Get-Command -Name $CommandName -Module RedisDocker -ErrorAction Stop
        $command.Parameters.ContainsKey('WhatIf') | Should -BeFalse
        $command.Parameters.ContainsKey('Confirm') | Should -BeFalse
    }
}

Describe 'Move-RedisNode target' {
    It 'takes -DockerHost or -SwarmNode, each mandatory in its own set (DockerHost the default)' {
        $command = Get-Command -Name Move-RedisNode -Module RedisDocker -ErrorAction Stop
        $command.DefaultParameterSet | Should -Be 'DockerHost'
        $sets = @($command.ParameterSets | Sort-Object Name)
        @($sets.Name) -join ', ' | Should -Be 'DockerHost, SwarmNode'
        foreach ($set in $sets) {
            $target = @($set.Parameters | Where-Object Name -in 'DockerHost', 'SwarmNode')
            $target.Count | Should -Be 1
            $target[0].Name | Should -Be $set.Name
            $target[0].IsMandatory | Should -BeTrue
        }
    }

    It 'refuses -DockerHost with -SwarmNode before anything runs' {
        { Move-RedisNode -Name nowhere-1 -DockerHost tcp://127.0.0.1:2375 -SwarmNode w -WhatIf -ErrorAction Stop } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,RedisDocker.Cmdlets.MoveRedisNodeCommand'
    }
}

Describe 'Help of <CommandName>' -ForEach $commandCases {
    BeforeAll {
        # The module ships en-US help only; look it up as an en-US user would (Linux hosts often run with LANG=C).
        $savedUICulture = [System.Globalization.CultureInfo]::CurrentUICulture
        try {
            [System.Globalization.CultureInfo]::CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo('en-US')
        }
        catch {
            # Invariant-globalization hosts have no en-US culture: look the help up in the current one.
            Write-Warning "Could not switch to en-US to read the help: $($_.Exception.Message)"
        }
        $command = Get-Command -Name $CommandName -Module RedisDocker -ErrorAction Stop
        $help = Get-Help -Name $CommandName -Full -ErrorAction Stop
    }

    AfterAll {
        [System.Globalization.CultureInfo]::CurrentUICulture = $savedUICulture
    }

    It 'has a synopsis (not the generated syntax line)' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$CommandName *"
    }

    It 'has a description' {
        $text = (@($help.Description) | Where-Object { $_ } | ForEach-Object { $_.Text }) -join "`n"
        $text.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least 2 examples, each with code' {
        $examples = @($help.Examples.Example | Where-Object { $_ })
        $examples.Count | Should -BeGreaterOrEqual 2
        @($examples | Where-Object { [string]::IsNullOrWhiteSpace("$($_.Code)") }).Count | Should -Be 0
    }

    It 'documents every parameter' {
        $helpParameters = @($help.Parameters.Parameter | Where-Object { $_ })
        $undocumented = foreach ($name in @($command.Parameters.Keys | Where-Object { [System.Management.Automation.PSCmdlet]::CommonParameters -notcontains $_ })) {
            $entry = $helpParameters | Where-Object { $_.Name -eq $name } | Select-Object -First 1
            $text = if ($entry) { (@($entry.Description) | Where-Object { $_ } | ForEach-Object { $_.Text }) -join '' } else { '' }
            if ([string]::IsNullOrWhiteSpace($text)) { $name }
        }
        @($undocumented) -join ', ' | Should -Be ''
    }

    It 'documents no parameter the cmdlet does not have' {
        $names = @($command.Parameters.Keys)
        $extra = @($help.Parameters.Parameter | Where-Object { $_ -and ($names -notcontains $_.Name) } | ForEach-Object { $_.Name })
        $extra -join ', ' | Should -Be ''
    }
}

Describe 'Staged help files' {
    It 'ships the MAML help and the about topic in en-US' {
        Join-Path $moduleDir 'en-US' 'RedisDocker.dll-Help.xml' | Should -Exist
        Join-Path $moduleDir 'en-US' 'about_RedisDocker.help.txt' | Should -Exist
    }
}

Describe 'Format views' {
    It 'loads a table view for <TypeName>' -ForEach $formatCases {
        $formatData = @(Get-FormatData -TypeName $TypeName)
        $formatData.Count | Should -BeGreaterThan 0
        $controls = @($formatData[0].FormatViewDefinition | ForEach-Object { $_.Control })
        $controls.Count | Should -BeGreaterThan 0
        $controls[0] | Should -BeOfType ([System.Management.Automation.TableControl])
    }

    It 'formats a cluster check with its own view (Check, Passed, Detail, grouped under its cluster)' {
        $check = [RedisDocker.RedisClusterCheck]::new('rdformatcluster', 'SlotsCovered', $true, 'all 16384 slots covered')
        $text = $check | Format-Table | Out-String -Width 200
        $text | Should -Match 'Check\s+Passed\s+Detail'
        $text | Should -Match 'SlotsCovered'
        $text | Should -Match 'Cluster: rdformatcluster'
    }
}

Describe 'Argument completers when Docker is unreachable' {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $unreachable = if ($IsWindows) { 'npipe://./pipe/nope' } else { 'unix:///tmp/nope.sock' }
        $env:DOCKER_HOST = $unreachable
        # The default session is made once from DOCKER_HOST: drop it so the next use reads the unreachable endpoint.
        [RedisDocker.Core.RedisDockerSession]::Default.Dispose()

        # When a completer returns nothing PowerShell falls back to file names: complete in an empty folder.
        $emptyDir = Join-Path ([System.IO.Path]::GetTempPath()) ('redisdocker-completion-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $emptyDir
        Push-Location -LiteralPath $emptyDir
    }

    AfterAll {
        Pop-Location
        Remove-Item -LiteralPath $emptyDir -Recurse -Force -ErrorAction SilentlyContinue
        if ($null -eq $savedDockerHost) {
            Remove-Item Env:DOCKER_HOST -ErrorAction SilentlyContinue
        }
        else {
            $env:DOCKER_HOST = $savedDockerHost
        }
        # Back to a default session for the real endpoint on next use.
        [RedisDocker.Core.RedisDockerSession]::Default.Dispose()
    }

    It 'uses a default session pointed at the unreachable endpoint' {
        [RedisDocker.Core.RedisDockerSession]::Default.DockerHost | Should -Be $unreachable
    }

    It '<Completer> returns nothing, quickly, and does not throw' -ForEach $completerCases {
        $completer = New-Object -TypeName "RedisDocker.Completers.$Completer"
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = @($completer.CompleteArgument($CommandName, $ParameterName, '', $null, @{}))
        $watch.Stop()
        $results.Count | Should -Be 0
        # Bounded at 2 s by the completer; allow slack for a slow machine.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
    }

    It 'TabExpansion2 offers nothing and fails nowhere for every parameter with a completer' {
        $pairs = @(
            foreach ($command in Get-Command -Module RedisDocker) {
                foreach ($parameter in $command.Parameters.Values) {
                    $hasCompleter = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Count -gt 0
                    if ($hasCompleter) { [pscustomobject]@{ Command = $command.Name; Parameter = $parameter.Name } }
                }
            }
        )
        # Names of networks, nodes, topologies, clusters and sentinel groups complete on about thirty parameters.
        $pairs.Count | Should -BeGreaterThan 20

        $failures = @(
            foreach ($pair in $pairs) {
                $line = "$($pair.Command) -$($pair.Parameter) "
                try {
                    $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                    $offered = @($completion.CompletionMatches)
                    if ($offered.Count -ne 0) {
                        "'$line' offered $(($offered | ForEach-Object { $_.CompletionText }) -join ', ')"
                    }
                }
                catch {
                    "'$line' threw: $($_.Exception.Message)"
                }
            }
        )
        $failures -join [Environment]::NewLine | Should -Be ''
    }
}
