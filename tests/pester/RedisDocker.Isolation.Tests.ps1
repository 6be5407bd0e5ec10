#Requires -Version 7.4
<#
    Pester 5 tests of issue 10's isolation: the staged module loads RedisDocker.Core and every third-party assembly
    (Docker.DotNet.Enhanced 4.3.3, Microsoft.Extensions.*, ...) from Dependencies/ into its own AssemblyLoadContext,
    so a pwsh that has other versions of those assemblies loaded - before or after RedisDocker - runs both.

    Each case is a fresh pwsh (-NoProfile) that loads a conflicting set with Add-Type -Path (as another module
    would), imports RedisDocker (before or after), uses the other assemblies, creates and removes a node, and
    reports where every assembly of interest was loaded. The conflicting packages come from
    tests/pester/conflicts/conflicts.csproj, restored by BeforeAll into .tools/conflicts (NuGet).

    Needs Docker and the staged module (./build.ps1); $env:REDISDOCKER_MODULE may name another manifest.
    Names start with rdi + 8 hex digits; AfterAll removes what carries them.
#>

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'RedisDocker.ChildPwsh.ps1')
    $skipReason = Get-ChildPwshSkipReason Docker
    if ($skipReason) { Write-Warning "RedisDocker isolation tests SKIPPED: $skipReason" }
    # The issue's set (the Docker.DotNet before the fork, with Newtonsoft.Json and M.E.Logging.Abstractions 8.0) and a
    # newer Microsoft.Extensions set than the fork's, each loaded before and after RedisDocker.
    $cases = foreach ($set in 'DockerDotNet3', 'Extensions10') {
        foreach ($order in 'before', 'after') { @{ Set = $set; Order = $order } }
    }
}

Describe 'RedisDocker in its own AssemblyLoadContext (issue 10)' -Tag 'Integration', 'Docker', 'Isolation' `
    -Skip:([bool] $skipReason) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'RedisDocker.ChildPwsh.ps1')
        $manifest = Get-RedisDockerTestManifest
        $moduleDir = Split-Path $manifest
        $run = 'rdi' + [guid]::NewGuid().ToString('N').Substring(0, 8)

        $packages = Join-Path $repo '.tools' 'conflicts'
        $wanted = @{
            DockerDotNet3 = @(
                'newtonsoft.json/13.0.3/lib/net6.0/Newtonsoft.Json.dll'
                'microsoft.extensions.logging.abstractions/8.0.0/lib/net8.0/Microsoft.Extensions.Logging.Abstractions.dll'
                'docker.dotnet/3.125.15/lib/netstandard2.0/Docker.DotNet.dll'
            )
            Extensions10 = @(
                'microsoft.extensions.dependencyinjection.abstractions/10.0.0/lib/net8.0/Microsoft.Extensions.DependencyInjection.Abstractions.dll'
                'microsoft.extensions.logging.abstractions/10.0.0/lib/net8.0/Microsoft.Extensions.Logging.Abstractions.dll'
            )
        }
        $missing = @($wanted.Values | ForEach-Object { $_ } | Where-Object { -not (Test-Path (Join-Path $packages $_)) })
        if ($missing.Count -gt 0) {
            $log = dotnet restore (Join-Path $PSScriptRoot 'conflicts' 'conflicts.csproj') -nologo -v q 2>&1
            if ($LASTEXITCODE -ne 0) { throw "Restoring the conflicting packages failed: $log" }
        }

        # The child pwsh: args = manifest, order, name, the conflicting assemblies (';'-separated). Writes one JSON line.
        $child = @'
param($Manifest, $Order, $Name, [string] $ConflictList)
$ErrorActionPreference = 'Stop'
$Conflicts = $ConflictList -split ';'
$result = [ordered]@{ Other = $null; Node = $null; Removed = $false; Error = $null; Assemblies = @() }
function Use-Conflicts {
    foreach ($path in $Conflicts) { Add-Type -Path $path }
    $names = @($Conflicts | ForEach-Object { [IO.Path]::GetFileNameWithoutExtension($_) })
    if ($names -contains 'Docker.DotNet') {
        # The other module's Docker.DotNet (3.x, Newtonsoft.Json models) talks to the same engine.
        $config = [Docker.DotNet.DockerClientConfiguration]::new([uri]'unix:///var/run/docker.sock')
        $client = $config.CreateClient()
        $version = $client.System.GetVersionAsync().GetAwaiter().GetResult()
        $result.Other = "Docker.DotNet 3 sees engine $($version.Version)"
        $client.Dispose()
    }
    else {
        $logger = [Microsoft.Extensions.Logging.Abstractions.NullLogger]::Instance
        $result.Other = 'NullLogger from ' + $logger.GetType().Assembly.GetName().Version
    }
}
try {
    if ($Order -eq 'before') { Use-Conflicts }
    Import-Module $Manifest
    try {
        $node = New-RedisNetwork -Name $Name | New-RedisNode -Name "$Name-n1"
        $result.Node = [ordered]@{ Name = $node.Name; State = "$($node.State)"; IsNode = $node -is [RedisDocker.RedisNode] }
    }
    finally {
        Remove-RedisTopology $Name -Confirm:$false
        $result.Removed = -not (Get-RedisNode -Topology $Name)
    }
    if ($Order -eq 'after') { Use-Conflicts }
}
catch { $result.Error = "$_" }
$result.Assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object {
    [ordered]@{
        Name = $_.GetName().Name; Version = "$($_.GetName().Version)"
        Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
    } })
$result | ConvertTo-Json -Depth 4 -Compress
'@
        $childPath = Join-Path ([IO.Path]::GetTempPath()) "$run-child.ps1"
        Set-Content -LiteralPath $childPath -Value $child

        function Invoke-Child([string] $Set, [string] $Order, [string] $Name) {
            $paths = @($wanted[$Set] | ForEach-Object { Join-Path $packages $_ })
            Invoke-ChildPwshJson $childPath @($manifest, $Order, $Name, ($paths -join ';'))
        }
    }

    AfterAll {
        Remove-Item -LiteralPath $childPath -ErrorAction SilentlyContinue
        $ids = @(docker ps -aq --filter "name=$run" 2>$null)
        if ($ids) { docker rm -f -v $ids 2>$null | Out-Null }
        $nets = @(docker network ls -q --filter "name=$run" 2>$null)
        if ($nets) { docker network rm $nets 2>$null | Out-Null }
        $vols = @(docker volume ls -q --filter "name=$run" 2>$null)
        if ($vols) { docker volume rm -f $vols 2>$null | Out-Null }
    }

    It 'the staged module has the core and its packages only in Dependencies/, and no System.Management.Automation' {
        Join-Path $moduleDir 'RedisDocker.dll' | Should -Exist
        Join-Path $moduleDir 'RedisDocker.Loader.dll' | Should -Exist
        Join-Path $moduleDir 'Dependencies' 'RedisDocker.Core.dll' | Should -Exist
        Join-Path $moduleDir 'Dependencies' 'Docker.DotNet.dll' | Should -Exist
        Join-Path $moduleDir 'RedisDocker.Core.dll' | Should -Not -Exist
        @(Get-ChildItem -LiteralPath $moduleDir -Recurse -Filter 'System.Management.Automation.dll') | Should -HaveCount 0
        [Reflection.AssemblyName]::GetAssemblyName((Join-Path $moduleDir 'Dependencies' 'Docker.DotNet.dll')).Version |
            Should -Be ([version]'4.3.0.0')
    }

    It 'creates and removes a node with <Set> loaded <Order> RedisDocker, and both keep their own versions' -ForEach $cases {
        $name = "$run-$($Set.ToLowerInvariant())-$Order"
        $r = Invoke-Child $Set $Order $name
        $r.Error | Should -BeNullOrEmpty
        $r.Node.Name | Should -Be "$name-n1"
        $r.Node.State | Should -Be 'Running'
        $r.Node.IsNode | Should -BeTrue
        $r.Removed | Should -BeTrue
        $r.Other | Should -Not -BeNullOrEmpty

        $ours = @($r.Assemblies | Where-Object Context -EQ 'RedisDocker')
        $default = @($r.Assemblies | Where-Object Context -EQ 'Default')
        ($ours | Where-Object Name -EQ 'RedisDocker.Core') | Should -Not -BeNullOrEmpty
        ($ours | Where-Object Name -EQ 'Docker.DotNet').Version | Should -Be '4.3.0.0'
        # Ours is the one the module ships in Dependencies/ (10.0 since StackExchange.Redis came), whatever the other
        # module loaded.
        $shipped = [Reflection.AssemblyName]::GetAssemblyName(
            (Join-Path $moduleDir 'Dependencies' 'Microsoft.Extensions.Logging.Abstractions.dll')).Version.ToString()
        ($ours | Where-Object Name -EQ 'Microsoft.Extensions.Logging.Abstractions').Version | Should -Be $shipped
        @($default | Where-Object Name -EQ 'RedisDocker.Core') | Should -HaveCount 0
        if ($Set -eq 'DockerDotNet3') {
            ($default | Where-Object Name -EQ 'Docker.DotNet').Version | Should -Be '3.125.0.0'
            ($default | Where-Object Name -EQ 'Newtonsoft.Json') | Should -Not -BeNullOrEmpty
        }
        else {
            ($default | Where-Object Name -EQ 'Microsoft.Extensions.Logging.Abstractions').Version | Should -Be '10.0.0.0'
        }
    }
}
