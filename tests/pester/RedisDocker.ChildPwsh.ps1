# Helpers of the Pester suites that run RedisDocker in a fresh pwsh (RedisDocker.Isolation.Tests.ps1,
# RedisDocker.Tls.Tests.ps1); dot-source it in BeforeAll.

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
