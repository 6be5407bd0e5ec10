#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suites (tests/pester/*.Tests.ps1 and the runbooks in docs/examples/*.Tests.ps1) against the
    staged module, in plain text, writes NUnit XML results and prints "N passed, N failed, N skipped".
.DESCRIPTION
    Used by tests/run.sh (CI) and ./build.ps1 -Test. The exit code is the number of failed tests, plus the
    number of skipped ones: a test that skips itself because something is missing counts as a failure here.
    Pester 5.9.1 is imported from -PesterPath, else from .tools/packages (where tools/setup.sh restores it),
    else from the module path.
.EXAMPLE
    ./tests/pester/Invoke-PesterSuites.ps1 -ModulePath ./out/RedisDocker -ResultPath ./out/pester-results.xml
#>
[CmdletBinding()]
param(
    # The staged module folder (./build.ps1 writes out/RedisDocker).
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker'),
    # Where the NUnit XML results go; the totals go beside it, in <ResultPath>.totals ("passed failed skipped").
    [string] $ResultPath = (Join-Path $PSScriptRoot '..' '..' 'out' 'pester-results.xml'),
    # Test files or folders (several: comma-separated in one string also works, for -File callers);
    # default: every *.Tests.ps1 in tests/pester and docs/examples.
    [string[]] $Path,
    # Only tests with these tags / without these tags.
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [string] $PesterPath
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

if (-not $PesterPath) {
    $candidate = Join-Path $root '.tools' 'packages' 'pester' '5.9.1' 'tools' 'Pester.psd1'
    if (Test-Path $candidate) { $PesterPath = $candidate }
}
if ($PesterPath) { Import-Module $PesterPath -Force }
else {
    $available = Get-Module Pester -ListAvailable | Where-Object { $_.Version -ge [version]'5.9.1' -and $_.Version.Major -eq 5 } |
        Sort-Object Version -Descending | Select-Object -First 1
    if (-not $available) { throw 'Pester 5.9.1 is needed: bash tools/setup.sh restores it, or Install-Module Pester -RequiredVersion 5.9.1' }
    Import-Module $available -Force
}

if (-not (Test-Path (Join-Path $ModulePath 'RedisDocker.psd1'))) {
    throw "No staged module in ${ModulePath}: run ./build.ps1 first."
}
# The runbooks in docs/examples import $env:REDISDOCKER_MODULE (an installed RedisDocker without it): this build's.
$env:REDISDOCKER_MODULE = (Resolve-Path (Join-Path $ModulePath 'RedisDocker.psd1')).Path

$Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
if (-not $Path) {
    $Path = @(Join-Path $root 'tests' 'pester')
    $examples = Join-Path $root 'docs' 'examples'
    if (Test-Path $examples) { $Path += $examples }
}

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
# The NUnit XML is written after the run (below): written by Pester's own End step, a failure message holding a
# character XML cannot carry (an ANSI escape a child pwsh printed) failed the whole run and lost its totals.
$config.TestResult.Enabled = $false
# Child pwsh processes the tests start print no ANSI escapes (PowerShell honours NO_COLOR).
$env:NO_COLOR = '1'
if ($Tag) { $config.Filter.Tag = $Tag }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }

try { $result = Invoke-Pester -Configuration $config }
catch {
    # Pester itself failed (a path that does not exist, a broken file): one failure, said plainly.
    "Pester did not run: $_"
    '0 1 0' | Set-Content -Path "$ResultPath.totals"
    exit 1
}
# A block or file that failed outside its tests (BeforeAll, discovery) counts as one failure each.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"$($result.PassedCount) $failed $($result.SkippedCount)" | Set-Content -Path "$ResultPath.totals"
try { $result | Export-NUnitReport -Path $ResultPath }
catch { "The NUnit XML report could not be written ($($_.Exception.Message)); the totals stand." }
# What failed, again at the end of the log (a CI log may keep only its tail): each failed block and container with its
# error, then the first failed tests.
$said = 0
foreach ($b in @($result.FailedBlocks) + @($result.FailedContainers) + @($result.Failed)) {
    if ($said -ge 12) { '  ... and more (above)'; break }
    $what = if ($b.ExpandedPath) { $b.ExpandedPath } elseif ($b.Name) { $b.Name } else { "$($b.Item)" }
    $err = @($b.ErrorRecord | ForEach-Object { "$_" -replace '\x1b\[[0-9;]*m', '' } | Where-Object { $_ })
    if (-not $err) { continue }   # a test of a failed block: its block is named with the error
    "FAILED: $what -- $(($err[0] -split "`n" | Select-Object -First 3) -join ' / ')"
    $said++
}
"Pester: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
if ($result.SkippedCount -gt 0) {
    'Skipped tests count as failures: a Pester test must not skip itself when what it needs is here.'
    $result.Skipped | ForEach-Object { "  skipped: $($_.ExpandedPath)" }
}
exit ($failed + $result.SkippedCount)
