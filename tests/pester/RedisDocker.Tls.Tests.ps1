#Requires -Version 7.4
<#
    Pester 5 tests of issue 10's TLS path: the module talks to a Docker engine over tcp:// with TLS and a required client
    certificate (dockerd --tlsverify), through Docker.DotNet's TLS transport and the module's own certificate check.

    The engine is tests/multihost/engine.sh with TLS=1: a second dockerd in its own network namespace listening on
    tcp://10.250.214.2:2376 with openssl-made certificates (client/, wrong-ca/, other-ca/ in /run/rdk-rdtls-tls).
    Every case runs in a fresh pwsh (-NoProfile) with DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH set, as a
    user would. Needs root (engine.sh), the test image in the main engine, and the staged module (./build.ps1).
#>

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'RedisDocker.ChildPwsh.ps1')
    $skipReason = Get-ChildPwshSkipReason RootEngine
    if ($skipReason) { Write-Warning "RedisDocker TLS tests SKIPPED: $skipReason" }
}

Describe 'RedisDocker over tcp:// with TLS and a client certificate (issue 10)' -Tag 'Integration', 'Docker', 'Tls' `
    -Skip:([bool] $skipReason) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'RedisDocker.ChildPwsh.ps1')
        $manifest = Get-RedisDockerTestManifest
        $engineScript = Join-Path $repo 'tests' 'multihost' 'engine.sh'
        $engineName = 'rdtls'
        $env:TLS = '1'
        try { $lines = & bash $engineScript up $engineName 214 2>$null } finally { Remove-Item Env:TLS }
        if ($LASTEXITCODE -ne 0) { throw "engine.sh up $engineName failed ($LASTEXITCODE)" }
        $engine = @{}
        foreach ($line in $lines) { if ($line -match '^(\w+)=(.*)$') { $engine[$Matches[1]] = $Matches[2] } }
        $endpoint = $engine.RDK_DOCKER_TCP
        $endpoint | Should -Be 'tcp://10.250.214.2:2376'

        # Cert folders for the refusals: only ca.pem (no client certificate); the right client certificate with the
        # CA of another authority (the engine's certificate is then not trusted).
        $scratch = Join-Path ([IO.Path]::GetTempPath()) ('rdtls-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $caOnly = Join-Path $scratch 'ca-only'
        $otherCa = Join-Path $scratch 'other-ca'
        $null = New-Item -ItemType Directory -Path $caOnly, $otherCa
        Copy-Item (Join-Path $engine.RDK_TLS_CERT_PATH 'ca.pem') $caOnly
        Copy-Item (Join-Path $engine.RDK_TLS_CERT_PATH 'cert.pem'), (Join-Path $engine.RDK_TLS_CERT_PATH 'key.pem') $otherCa
        Copy-Item (Join-Path (Split-Path $engine.RDK_TLS_CERT_PATH) 'other-ca' 'ca.pem') $otherCa

        $childPath = Join-Path $scratch 'child.ps1'
        Set-Content -LiteralPath $childPath -Value @'
param($Manifest, $Endpoint, $CertPath, $Script)
$ErrorActionPreference = 'Stop'
$env:DOCKER_HOST = $Endpoint; $env:DOCKER_TLS_VERIFY = '1'; $env:DOCKER_CERT_PATH = $CertPath
Import-Module $Manifest
$result = [ordered]@{ Output = $null; ErrorId = $null; Message = $null }
try { $result.Output = & ([scriptblock]::Create($Script)) }
catch { $result.ErrorId = $_.FullyQualifiedErrorId; $result.Message = $_.Exception.Message }
$result | ConvertTo-Json -Depth 4 -Compress
'@
        function Invoke-Tls([string] $CertPath, [string] $Script) {
            Invoke-ChildPwshJson $childPath @($manifest, $endpoint, $CertPath, $Script)
        }
        $probe = 'Get-RedisNode | Measure-Object | ForEach-Object Count'
    }

    AfterAll {
        & bash $engineScript down $engineName 2>$null | Out-Null
        if ($scratch) { Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'creates, finds and removes a node on the TLS engine with the client certificate' {
        $topology = 'rdtls' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $r = Invoke-Tls $engine.RDK_TLS_CERT_PATH @"
`$n = New-RedisNode -Name $topology-n1 -HostNetwork -Topology $topology -Port 6391 -AnnounceAddress $($engine.RDK_ENGINE_ADDR)
`$ping = Invoke-RedisCommand -Name $topology-n1 PING
`$found = @(Get-RedisNode -Topology $topology).Count
Remove-RedisNode -Name $topology-n1 -Confirm:`$false
[ordered]@{ State = "`$(`$n.State)"; Ping = "`$ping"; Found = `$found; Left = @(Get-RedisNode -Topology $topology).Count }
"@
        $r.ErrorId | Should -BeNullOrEmpty -Because $r.Message
        $r.Output.State | Should -Be 'Running'
        $r.Output.Ping | Should -Be 'PONG'
        $r.Output.Found | Should -Be 1
        $r.Output.Left | Should -Be 0
    }

    It 'Connect-RedisDocker -CertPath -TlsVerify reaches the same engine' {
        $r = Invoke-Tls $caOnly @"
Connect-RedisDocker -DockerHost $endpoint -CertPath '$($engine.RDK_TLS_CERT_PATH)' -TlsVerify | Out-Null
$probe
"@
        $r.ErrorId | Should -BeNullOrEmpty -Because $r.Message
        $r.Output | Should -Be 0
    }

    It 'without a client certificate: RedisDocker.DockerUnreachable, saying none was sent' {
        $r = Invoke-Tls $caOnly $probe
        $r.ErrorId | Should -BeLike 'RedisDocker.DockerUnreachable,*'
        $r.Message | Should -BeLike "*$endpoint*TLS handshake failed*no client certificate was sent*$caOnly*DOCKER_CERT_PATH*"
    }

    It 'with a client certificate of another CA: refused by the engine, and the message names the certificate' {
        $r = Invoke-Tls $engine.RDK_TLS_WRONG_CA_PATH $probe
        $r.ErrorId | Should -BeLike 'RedisDocker.DockerUnreachable,*'
        $r.Message | Should -BeLike "*TLS handshake failed*client certificate $($engine.RDK_TLS_WRONG_CA_PATH)*was refused*"
    }

    It 'with the wrong CA for the engine: the module refuses the engine''s certificate and names the CA file' {
        $r = Invoke-Tls $otherCa $probe
        $r.ErrorId | Should -BeLike 'RedisDocker.DockerUnreachable,*'
        $r.Message | Should -BeLike "*TLS handshake failed*engine's certificate*is not signed by the CA in $otherCa*"
    }
}
