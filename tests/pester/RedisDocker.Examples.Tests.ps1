#Requires -Version 7.4
<#
    Executable documentation: every example of docs/help/<Cmdlet>.md, every powershell block of
    about_RedisDocker's EXAMPLES and of README.md is run, as written, against the real engine, and checked to do
    what its text says (RedisDocker.Examples.Checks.ps1 holds one check per example; an example without one fails).

    The examples use the documentation's fixed names (redis, ha, demo, big, drill, dev, apps, ...) and subnets in
    172.22.0.0/20, which the test suites do not pick. When those are taken on the engine the run FAILS with a
    message (it does not skip). Examples that need a second Docker engine (they name tcp://10.250.x.x) are not run
    here but in RedisDocker.MultiHost.Examples.Tests.ps1; the test 'multi-host examples' lists them, so that a new
    one cannot slip in unnoticed.

    REDISDOCKER_EXAMPLES=<Page#N>,<Page> limits the run to those examples.
    Needs Docker and the staged module (./build.ps1); image: $env:REDISDOCKER_IMAGE (the module's default image).
    Confirmation prompts of the examples are answered yes ($ConfirmPreference = 'None'); the README runs in a
    fresh pwsh -NonInteractive, where a prompt would fail it.
#>

BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    . "$PSScriptRoot/RedisDocker.Examples.Helpers.ps1"
    . "$PSScriptRoot/RedisDocker.Examples.Checks.ps1"
    $all = @(Get-DocExample $root)
    $multiHost = @($all | Where-Object { Test-MultiHostExample $_ })
    $pages = foreach ($page in $ExamplePageOrder) {
        $examples = @($all | Where-Object { $_.Page -eq $page -and -not (Test-MultiHostExample $_) })
        if ($ExampleOrder[$page]) {
            $examples = foreach ($n in $ExampleOrder[$page]) { $examples | Where-Object Number -eq $n }
        }
        if ($examples) { @{ Page = $page; Examples = @($examples | ForEach-Object { @{ Key = $_.Key; Title = $_.Title; Code = $_.Code; Text = $_.Text } }) } }
    }
    # REDISDOCKER_EXAMPLES=Page#N,Page2 runs only those examples (for work on one page); empty runs all.
    if ($env:REDISDOCKER_EXAMPLES) {
        $only = $env:REDISDOCKER_EXAMPLES.Split(',') | ForEach-Object Trim
        $pages = foreach ($p in $pages) {
            $keep = @($p.Examples | Where-Object { $_.Key -in $only -or $p.Page -in $only })
            if ($keep) { @{ Page = $p.Page; Examples = $keep } }
        }
    }
    $unordered = @($all | Where-Object { $_.Page -notin $ExamplePageOrder } | ForEach-Object Page | Sort-Object -Unique)
}

Describe 'Documentation examples against the real engine' -Tag 'Integration', 'Docker', 'Examples' {
    BeforeAll {
        $root = (Resolve-Path "$PSScriptRoot/../..").Path
        . "$PSScriptRoot/RedisDocker.Examples.Helpers.ps1"
        . "$PSScriptRoot/RedisDocker.Examples.Checks.ps1"
        $PSNativeCommandUseErrorActionPreference = $false
        $null = docker version 2>$null
        if ($LASTEXITCODE -ne 0) { throw 'docker version failed: the examples need a Docker engine.' }
        if (-not $env:REDISDOCKER_IMAGE) { throw 'Set REDISDOCKER_IMAGE to an image present on the engine (no registry is assumed).' }
        Import-Module "$root/out/RedisDocker/RedisDocker.psd1" -Force
        Assert-DocNamesFree
        $work = Join-Path ([IO.Path]::GetTempPath()) ('rdexamples-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory $work
        Push-Location $work

        # Runs one example as written, after its setup, then its check, all in one scope.
        function Invoke-DocExample([string] $Key, [string] $Code) {
            $entry = $ExampleChecks[$Key]
            if (-not $entry -or -not $entry.Check) {
                throw "No check for the example $Key in RedisDocker.Examples.Checks.ps1: add one that asserts what its text says."
            }
            $ErrorActionPreference = 'Stop'
            $ConfirmPreference = 'None'
            $ProgressPreference = 'SilentlyContinue'
            if ($entry.Setup) { . $entry.Setup }
            $Out = @(. ([scriptblock]::Create($Code)))
            . $entry.Check
        }
    }

    AfterAll {
        Pop-Location
        Remove-DocResource
        if ($work) { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'every page with examples has a place in the run order' -ForEach @{ Unordered = $unordered } {
        $Unordered | Should -BeNullOrEmpty -Because 'add the page to $ExamplePageOrder in RedisDocker.Examples.Checks.ps1'
    }

    It 'the module uses REDISDOCKER_IMAGE as its default image' {
        $n = New-RedisNetwork -Name test-docs -Subnet $DocSubnet.'test-docs' | New-RedisNode -Name test-docs-1
        try { $n.Image | Should -Be $env:REDISDOCKER_IMAGE } finally { Remove-DocTopology test-docs }
    }

    It 'multi-host examples are exactly the known ones (run in the multi-host tests, not here)' -ForEach @{ MultiHost = @($multiHost.Key) } {
        @($MultiHost | Sort-Object) | Should -Be @($KnownMultiHostExamples | Sort-Object)
    }

    Context '<Page>' -ForEach $pages {
        It '<Key>: <Title>' -ForEach $Examples {
            Invoke-DocExample $Key $Code
        }
    }
}

Describe 'README.md, top to bottom, in a fresh pwsh' -Tag 'Integration', 'Docker', 'Examples' {
    BeforeAll {
        $root = (Resolve-Path "$PSScriptRoot/../..").Path
        . "$PSScriptRoot/RedisDocker.Examples.Helpers.ps1"
        $PSNativeCommandUseErrorActionPreference = $false
        # the pwsh of this session (under a .NET tool install the process itself is dotnet)
        $pwsh = @((Join-Path $PSHOME 'pwsh'), (Join-Path $PSHOME 'pwsh.exe')) | Where-Object { Test-Path $_ } | Select-Object -First 1
        if (-not $pwsh) { $pwsh = (Get-Command pwsh -CommandType Application -ErrorAction Stop).Source }
        $snippets = @(Get-MarkdownSnippet "$root/README.md" 'README')
        $work = Join-Path ([IO.Path]::GetTempPath()) ('rdreadme-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory $work
    }
    AfterAll {
        Remove-DocResource
        Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'runs as written and its teardown removes everything it made' {
        Assert-DocNamesFree
        $snippets.Count | Should -BeGreaterThan 1
        $script = @(
            '$ErrorActionPreference = ''Stop'''
            "Import-Module '$root/out/RedisDocker/RedisDocker.psd1'"
            foreach ($s in $snippets) { "Write-Host '--- README snippet $($s.Number)'"; $s.Code }
            'Write-Host ''--- README done'''
        ) -join "`n"
        Set-Content "$work/readme.ps1" $script
        $log = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -File "$work/readme.ps1" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because "the README ran as written:`n$log"
        $log | Should -Match '--- README done'
        foreach ($t in 'redis', 'ha') { Assert-TopologyGone $t }
        # nothing else either: no container, volume or network that was not there before
        @(docker ps -aq --filter label=io.redisdocker.topology=redis) + @(docker ps -aq --filter label=io.redisdocker.topology=ha) |
            Should -BeNullOrEmpty
    }

    It 'a failed first step (image missing) leaves no network behind' {
        Assert-DocNamesFree
        $first = $snippets[0].Code
        Set-Content "$work/first.ps1" @(
            "Import-Module '$root/out/RedisDocker/RedisDocker.psd1'"
            '$ErrorActionPreference = ''Stop'''
            $first
        )
        $env:REDISDOCKER_IMAGE, $saved = 'redisdocker/does-not-exist:1', $env:REDISDOCKER_IMAGE
        try { $log = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -File "$work/first.ps1" 2>&1 | Out-String }
        finally { $env:REDISDOCKER_IMAGE = $saved }
        $LASTEXITCODE | Should -Not -Be 0
        $log | Should -Match 'RedisDocker.ImageUnavailable|image'
        foreach ($t in 'redis', 'ha') { Assert-TopologyGone $t }
    }
}
