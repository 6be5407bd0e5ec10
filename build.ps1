#Requires -Version 7.4
<#
.SYNOPSIS
    Builds RedisDocker, stages a loadable module in out/RedisDocker/, and optionally runs tests or the demo.
.DESCRIPTION
    ./build.ps1            Release build; stages out/RedisDocker/ (manifest, assemblies, format file, en-US help).
    ./build.ps1 -Test      Also runs the xunit suites (dotnet test) and the Pester tests in tests/pester (Pester 5).
    ./build.ps1 -Demo      Builds, imports the staged module and stands up the README's demo cluster.
    ./build.ps1 -Package   Also makes the gallery form: out/package/RedisDocker/<version>/ (a versioned module
                           folder) and out/package/RedisDocker.<version>.nupkg, which Publish-PSResource -NupkgPath
                           accepts. The version is ModuleVersion of RedisDocker.psd1 (the assemblies take it too).
    Needs only the .NET SDK (8 or later); Pester 5 only for -Test.
.EXAMPLE
    ./build.ps1 -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    [switch] $Test,
    [switch] $Demo,
    [switch] $Package,
    # The Docker image the demo and the integration tests use (REDISDOCKER_IMAGE).
    [string] $Image
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out' 'RedisDocker'

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    throw 'The .NET SDK is required: https://dotnet.microsoft.com/download'
}

Write-Host "Building ($Configuration)..."
Invoke-Native 'dotnet build' { dotnet build (Join-Path $root 'RedisDocker.sln') -c $Configuration -nologo -v q }

Write-Host 'Generating MAML help from docs/help...'
Invoke-Native 'help generation' {
    dotnet run --project (Join-Path $root 'tools' 'RedisDocker.HelpGen') -c $Configuration --no-build -- --docs (Join-Path $root 'docs' 'help') --out (Join-Path $root 'en-US')
}

Write-Host "Staging $out..."
if (Test-Path $out) { Remove-Item $out -Recurse -Force }
New-Item -ItemType Directory -Path $out, (Join-Path $out 'en-US') | Out-Null
$bin = Join-Path $root 'src' 'RedisDocker' 'bin' $Configuration 'net8.0'
Copy-Item (Join-Path $bin 'RedisDocker.dll'), (Join-Path $bin 'RedisDocker.Core.dll') -Destination $out
Copy-Item (Join-Path $root 'RedisDocker.psd1') -Destination $out
Copy-Item (Join-Path $root 'src' 'RedisDocker' 'RedisDocker.Format.ps1xml') -Destination $out
Copy-Item (Join-Path $root 'en-US' '*') -Destination (Join-Path $out 'en-US')
Test-ModuleManifest (Join-Path $out 'RedisDocker.psd1') | Out-Null
Write-Host "Module staged: Import-Module $out"

if ($Package) {
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
    foreach ($suite in 'RedisDocker.Core.Tests', 'RedisDocker.Module.Tests', 'RedisDocker.HelpGen.Tests') {
        Invoke-Native "dotnet test $suite" { dotnet test (Join-Path $root 'tests' $suite) -c $Configuration --no-build -nologo }
    }
    $pester = Get-Module Pester -ListAvailable | Where-Object Version -ge '5.0.0' | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        throw 'Pester 5 is needed for the PowerShell tests: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser'
    }
    Import-Module $pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests' 'pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
}

if ($Demo) {
    Import-Module (Join-Path $out 'RedisDocker.psd1') -Force
    Write-Host 'Standing up the demo: network demo (172.28.0.0/16), 6 nodes, 3 primaries with 1 replica each...'
    New-RedisNetwork -Name demo -Subnet 172.28.0.0/16 |
        New-RedisNode -Count 6 -ClusterEnabled |
        New-RedisCluster -ReplicasPerPrimary 1 |
        Get-RedisClusterNode | Format-Table
    Invoke-RedisCommand -Cluster demo SET greeting hello | Out-Null
    "GET greeting -> $(Invoke-RedisCommand -Cluster demo GET greeting)"
    Write-Host 'Tear down with: Get-RedisNode -Topology demo | Remove-RedisNode -Confirm:$false; Remove-RedisNetwork demo -Confirm:$false'
}
