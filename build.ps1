#Requires -Version 7.4
<#
.SYNOPSIS
    Builds RedisDocker, stages a loadable module in out/RedisDocker/, and optionally runs tests or the demo.
.DESCRIPTION
    ./build.ps1            Release build; stages out/RedisDocker/ (manifest, assemblies, format file, en-US help).
    ./build.ps1 -Test      Also packages (-Package), runs the xunit suites (dotnet test) and the Pester suites
                           (tests/pester, docs/examples) with tests/pester/Invoke-PesterSuites.ps1.
    ./build.ps1 -Demo      Builds, imports the staged module and stands up the README's demo cluster through
                           the cmdlets (6 nodes, 3 primaries x 1 replica), SET/GET from the host, then tears it
                           down (-Keep leaves it running).
    ./build.ps1 -Package   Also makes the gallery form: out/package/RedisDocker/<version>/ (a versioned module
                           folder) and out/package/RedisDocker.<version>.nupkg, which Publish-PSResource -NupkgPath
                           accepts. The version is ModuleVersion of RedisDocker.psd1 (the assemblies take it too).
    Needs the .NET SDK (8 or later); for -Test also Pester 5.9.1 (tools/setup.sh restores it from NuGet, or
    Install-Module Pester -RequiredVersion 5.9.1) and the Docker engine.
.EXAMPLE
    ./build.ps1 -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    [switch] $Test,
    # Stage only: skip the build and the help generation (tests/run.sh has built and checked them).
    [switch] $NoBuild,
    [switch] $Demo,
    # -Demo: leave the demo topology running.
    [switch] $Keep,
    # -Demo: topology (network) name and subnet.
    [string] $DemoName = 'demo',
    [string] $DemoSubnet = '172.28.0.0/16',
    [switch] $Package,
    # The Docker image the demo and the integration tests use (REDISDOCKER_IMAGE).
    [string] $Image
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Plain text where the output goes to a file or a CI log; colours on a terminal.
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
$root = $PSScriptRoot
$out = Join-Path $root 'out' 'RedisDocker'

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    throw 'The .NET SDK is required: https://dotnet.microsoft.com/download'
}

if (-not $NoBuild) {
    Write-Host "Building ($Configuration)..."
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $root 'RedisDocker.sln') -c $Configuration -nologo -v q }

    Write-Host 'Generating MAML help from docs/help...'
    Invoke-Native 'help generation' {
        dotnet run --project (Join-Path $root 'tools' 'RedisDocker.HelpGen') -c $Configuration --no-build -- `
            --docs (Join-Path $root 'docs' 'help') --out (Join-Path $root 'en-US')
    }
}

Write-Host "Staging $out..."
if (Test-Path $out) { Remove-Item $out -Recurse -Force }
New-Item -ItemType Directory -Path $out, (Join-Path $out 'en-US') | Out-Null
$bin = Join-Path $root 'src' 'RedisDocker' 'bin' $Configuration 'net8.0'
Copy-Item (Join-Path $bin 'RedisDocker.dll'), (Join-Path $bin 'RedisDocker.Core.dll') -Destination $out
# StackExchange.Redis (Connect-RedisClient) and its dependencies, next to the module until they get their own
# load context (the module's ALC).
$thirdParty = 'StackExchange.Redis', 'RESPite', 'System.IO.Hashing', 'System.IO.Pipelines',
    'Microsoft.Extensions.Logging.Abstractions', 'Microsoft.Extensions.DependencyInjection.Abstractions',
    'System.Diagnostics.DiagnosticSource'
Copy-Item ($thirdParty | ForEach-Object { Join-Path $bin "$_.dll" }) -Destination $out
Copy-Item (Join-Path $root 'RedisDocker.psd1') -Destination $out
Copy-Item (Join-Path $root 'src' 'RedisDocker' 'RedisDocker.Format.ps1xml') -Destination $out
Copy-Item (Join-Path $root 'en-US' '*') -Destination (Join-Path $out 'en-US')
Test-ModuleManifest (Join-Path $out 'RedisDocker.psd1') | Out-Null
Write-Host "Module staged: Import-Module $out"

# -Test needs the package too: tests/pester/RedisDocker.Package.Tests.ps1 installs it from a local repository.
if ($Package -or $Test) {
    # One version: ModuleVersion of the manifest, which Directory.Build.props also gives the assemblies.
    $version = (Import-PowerShellDataFile (Join-Path $out 'RedisDocker.psd1')).ModuleVersion
    $assemblyVersion = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $out 'RedisDocker.dll')).Version
    if ($assemblyVersion.ToString(3) -ne $version) {
        throw "RedisDocker.dll is version $($assemblyVersion.ToString(3)) but the manifest says ${version}: rebuild."
    }
    $packageRoot = Join-Path $root 'out' 'package'
    $versioned = Join-Path $packageRoot 'RedisDocker' $version
    Write-Host "Packaging RedisDocker $version in $packageRoot..."
    if (Test-Path $packageRoot) { Remove-Item $packageRoot -Recurse -Force }
    New-Item -ItemType Directory -Path $versioned | Out-Null
    Copy-Item (Join-Path $out '*') -Destination $versioned -Recurse
    Copy-Item (Join-Path $root 'LICENSE') -Destination $versioned
    Test-ModuleManifest (Join-Path $versioned 'RedisDocker.psd1') | Out-Null
    Import-Module Microsoft.PowerShell.PSResourceGet -MinimumVersion 1.1.0 -ErrorAction Stop
    Compress-PSResource -Path $versioned -DestinationPath $packageRoot
    $nupkg = Join-Path $packageRoot "RedisDocker.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource made no $nupkg." }
    Write-Host "Module folder: $versioned"
    Write-Host "Package:       $nupkg (Publish-PSResource -NupkgPath $nupkg -Repository <name>)"
}

if ($Image) { $env:REDISDOCKER_IMAGE = $Image; $env:REDISDOCKER_TEST_IMAGE = $Image }

if ($Test) {
    $failed = 0
    foreach ($suite in 'RedisDocker.Core.Tests', 'RedisDocker.Module.Tests', 'RedisDocker.HelpGen.Tests',
        'RedisDocker.Hosting.Tests') {
        dotnet test (Join-Path $root 'tests' $suite) -c $Configuration --no-build -nologo
        if ($LASTEXITCODE -ne 0) { $failed++ }
    }
    # The Pester suites (tests/pester and the runbooks in docs/examples), plain text, NUnit XML results.
    & (Join-Path $root 'tests' 'pester' 'Invoke-PesterSuites.ps1') -ModulePath $out -ResultPath (Join-Path $root 'out' 'pester-results.xml')
    if ($LASTEXITCODE -ne 0) { $failed++ }
    if ($failed -gt 0) { throw "$failed test suite(s) failed." }
}

if ($Demo) {
    Import-Module (Join-Path $out 'RedisDocker.psd1') -Force
    function Remove-Demo {
        Get-RedisNode -Topology $DemoName | Remove-RedisNode -Confirm:$false
        Get-RedisNetwork -Topology $DemoName | Remove-RedisNetwork -Confirm:$false
    }
    Remove-Demo   # a previous run's demo, if any
    $pipeline = "New-RedisNetwork -Name $DemoName -Subnet $DemoSubnet | New-RedisNode -Count 6 -ClusterEnabled |" +
        ' New-RedisCluster -ReplicasPerPrimary 1 | Get-RedisClusterNode | Format-Table'
    Write-Host "> $pipeline"
    $made = $false
    try {
        $started = [System.Diagnostics.Stopwatch]::StartNew()
        New-RedisNetwork -Name $DemoName -Subnet $DemoSubnet |
            New-RedisNode -Count 6 -ClusterEnabled |
            New-RedisCluster -ReplicasPerPrimary 1 |
            Get-RedisClusterNode | Format-Table | Out-Host
        $made = $true
        Get-RedisCluster -Cluster $DemoName | Format-List Name, State, SlotsAssigned, Primaries, Replicas | Out-Host
        Write-Host ("Ready in {0:0.0} s." -f $started.Elapsed.TotalSeconds)
        Write-Host "> Invoke-RedisCommand -Cluster $DemoName SET greeting hello"
        Invoke-RedisCommand -Cluster $DemoName SET greeting hello | Out-Host
        Write-Host "> Invoke-RedisCommand -Cluster $DemoName GET greeting"
        $value = Invoke-RedisCommand -Cluster $DemoName GET greeting
        $value | Out-Host
        if ("$value" -ne 'hello') { throw "GET greeting returned '$value', not 'hello'." }
        Write-Host "> Test-RedisCluster -Cluster $DemoName"
        $checks = @(Test-RedisCluster -Cluster $DemoName)
        $checks | Format-Table | Out-Host
        $bad = @($checks | Where-Object { -not $_.Passed })
        if ($bad.Count -gt 0) { throw "Test-RedisCluster failed: $($bad.Check -join ', ')" }
    }
    finally {
        if ($Keep -and $made) {
            Write-Host ("Kept. Tear down later with: Remove-RedisTopology $DemoName" +
                '   (or ./build.ps1 -Demo again without -Keep)')
        }
        else {
            Remove-Demo
            Write-Host 'Torn down: nodes, volumes and network removed.'
        }
    }
}
