# The shared start of the Pester suites that run RedisDocker in a fresh pwsh (RedisDocker.Isolation.Tests.ps1,
# RedisDocker.Tls.Tests.ps1): dot-source it in BeforeDiscovery (for the skip condition) and in BeforeAll. Dot-sourced,
# it also sets, in the caller's scope, $repo (the checkout's root) and lets native commands fail without throwing
# (the suites read $LASTEXITCODE themselves).

$PSNativeCommandUseErrorActionPreference = $false
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

# Why a suite cannot run here, or $null when it can. Docker: `docker version` answers. RootEngine: a second engine
# can be made by tests/multihost/engine.sh (Linux, root, dockerd, openssl and ip).
function Get-ChildPwshSkipReason([ValidateSet('Docker', 'RootEngine')] [string] $Need) {
    if ($Need -eq 'Docker') {
        if (Get-Command -Name docker -CommandType Application -ErrorAction SilentlyContinue) {
            $null = docker version 2>$null
            if ($LASTEXITCODE -eq 0) { return $null }
        }
        return '`docker version` failed.'
    }
    $canRun = $IsLinux -and ((id -u) -eq '0') -and
        @('dockerd', 'openssl', 'ip' | Where-Object { -not (Get-Command $_ -ErrorAction SilentlyContinue) }).Count -eq 0
    if ($canRun) { return $null }
    'they need Linux, root, dockerd, openssl and ip.'
}

# The staged manifest: $env:REDISDOCKER_MODULE, else out/RedisDocker/RedisDocker.psd1 of this checkout.
function Get-RedisDockerTestManifest {
    $manifest = if ($env:REDISDOCKER_MODULE) { $env:REDISDOCKER_MODULE } else {
        Join-Path $PSScriptRoot '..' '..' 'out' 'RedisDocker' 'RedisDocker.psd1'
    }
    if (-not (Test-Path $manifest)) { throw "No staged module at ${manifest}: run ./build.ps1 first." }
    (Resolve-Path $manifest).Path
}

# Runs a script file in a fresh pwsh (-NoProfile -NonInteractive) and returns the last line of its output that is a
# JSON object, parsed; throws with the whole output when there is none.
function Invoke-ChildPwshJson([string] $ScriptPath, [string[]] $Arguments) {
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $out = & $pwsh -NoProfile -NonInteractive -File $ScriptPath @Arguments 2>&1
    $json = @($out | Where-Object { "$_".StartsWith('{') }) | Select-Object -Last 1
    if (-not $json) { throw "The child pwsh wrote no result (exit $LASTEXITCODE): $($out -join "`n")" }
    $json | ConvertFrom-Json
}
