#Requires -Version 7.4
<#
    Pester 5: RedisDocker installs like a gallery module.

    Takes the .nupkg that `./build.ps1 -Package` made (out/package/RedisDocker.<version>.nupkg), publishes it with
    Publish-PSResource to a local folder repository, installs it with Install-PSResource into a clean module path,
    runs the README's cluster pipeline WITHOUT Import-Module (command auto-loading), tears the cluster down and
    uninstalls the module with Uninstall-PSResource.

    Isolation: every PSResourceGet and module step runs in a child pwsh whose HOME, XDG_DATA_HOME, XDG_CACHE_HOME
    and XDG_CONFIG_HOME point into a temporary folder, so the repository registration (PSResourceRepository.xml),
    the CurrentUser module path and the module analysis cache all live there and nothing leaks into the user's own
    pwsh. The repository also has a unique name and is unregistered in AfterAll. PSModulePath of the child holds
    only $PSHOME/Modules (pwsh adds its user path, i.e. the temporary one, and the shared path).

    The pipeline part needs Docker and the image $env:REDISDOCKER_IMAGE (else redis:7.4); names start with rdpkg and
    8 random hex digits, the subnet is a free /24 in 172.28.0.0/14, and AfterAll removes whatever carries the
    run's topology label.
#>

BeforeDiscovery {
    $dockerAvailable = $false
    if (Get-Command -Name docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = docker version 2>$null
        $dockerAvailable = ($LASTEXITCODE -eq 0)
    }
    if (-not $dockerAvailable) {
        Write-Warning 'The README pipeline of the package test is SKIPPED: `docker version` failed.'
    }
}

# On Windows the CurrentUser module path is the Documents folder, which a child process cannot be pointed elsewhere
# for: the test would install into the real user's module path, so it runs on Linux and macOS (CI) only.
Describe 'RedisDocker as a gallery module (build.ps1 -Package, Publish-, Install-, Uninstall-PSResource)' `
    -Tag 'Package' -Skip:$IsWindows {
    BeforeAll {
        $PSNativeCommandUseErrorActionPreference = $false
        $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
        $version = (Import-PowerShellDataFile (Join-Path $repoRoot 'RedisDocker.psd1')).ModuleVersion
        $nupkg = Join-Path $repoRoot 'out' 'package' "RedisDocker.$version.nupkg"
        if (-not (Test-Path -LiteralPath $nupkg)) {
            throw "The package is missing ($nupkg): run ./build.ps1 -Package first."
        }

        $run = 'rdpkg' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $repositoryName = "$run-repo"
        $work = Join-Path ([System.IO.Path]::GetTempPath()) $run
        $feed = Join-Path $work 'feed'
        $home_ = Join-Path $work 'home'
        # The XDG folders must exist: .NET returns '' for a missing LocalApplicationData, and PSResourceGet then
        # falls back to the home folder and to paths relative to the working directory.
        # PSResourceGet's CurrentUser scope is $HOME/.local/share/powershell/Modules whatever XDG_DATA_HOME says,
        # so the child's HOME is the temporary folder too.
        $dataHome = Join-Path $home_ '.local' 'share'
        New-Item -ItemType Directory -Path $feed, $dataHome, (Join-Path $home_ '.cache'), (Join-Path $home_ '.config') |
            Out-Null
        $pwshPath = [System.Environment]::ProcessPath
        if (-not $pwshPath -or (Split-Path $pwshPath -Leaf) -notmatch '^pwsh') {
            $pwshPath = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        }

        # Runs a script in a child pwsh with the clean, temporary module path and PSResourceGet store; the script
        # writes its findings as JSON to $args[0]; returns them, and the child's console output as .Log.
        function Invoke-CleanPwsh([string] $Script, [string[]] $Arguments = @()) {
            $file = Join-Path $work ("step-{0}.ps1" -f [guid]::NewGuid().ToString('N').Substring(0, 6))
            $result = "$file.json"
            Set-Content -LiteralPath $file -Value $Script
            $names = 'HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'PSModulePath'
            $saved = @{}
            foreach ($n in $names) { $saved[$n] = [System.Environment]::GetEnvironmentVariable($n) }
            try {
                Push-Location -LiteralPath $work
                $env:HOME = $home_
                $env:XDG_DATA_HOME = $dataHome
                $env:XDG_CACHE_HOME = Join-Path $home_ '.cache'
                $env:XDG_CONFIG_HOME = Join-Path $home_ '.config'
                $env:PSModulePath = Join-Path $PSHOME 'Modules'
                $log = & $pwshPath -NoProfile -NonInteractive -File $file $result @Arguments 2>&1 | Out-String
                $exit = $LASTEXITCODE
            } finally {
                Pop-Location
                foreach ($n in $names) { [System.Environment]::SetEnvironmentVariable($n, $saved[$n]) }
            }
            $data = if (Test-Path -LiteralPath $result) { Get-Content -LiteralPath $result -Raw | ConvertFrom-Json }
            [pscustomobject]@{ Exit = $exit; Log = $log; Data = $data }
        }

        # IPv4 subnets of every Docker network of the engine.
        function Get-DockerSubnet {
            $ids = @(docker network ls -q 2>$null | Where-Object { $_ })
            if ($ids.Count -eq 0) { return }
            foreach ($network in @((docker network inspect $ids 2>$null) -join "`n" | ConvertFrom-Json)) {
                foreach ($config in @($network.IPAM.Config)) {
                    if ($null -ne $config -and $config.Subnet -and ("$($config.Subnet)" -notmatch ':')) {
                        "$($config.Subnet)"
                    }
                }
            }
        }

        # A /24 in 172.28.0.0/14 that overlaps no Docker network (starting at a random place, so that
        # concurrent runs rarely pick the same one).
        function Get-FreeTestSubnet {
            $used = @(Get-DockerSubnet | ForEach-Object {
                    $a, $p = $_.Split('/')
                    $b = [System.Net.IPAddress]::Parse($a).GetAddressBytes()
                    $n = [uint32] $b[0] * 16777216 + [uint32] $b[1] * 65536 + [uint32] $b[2] * 256 + [uint32] $b[3]
                    $size = [Math]::Pow(2, 32 - [int] $p)
                    , @(([Math]::Floor($n / $size) * $size), $size)
                })
            $start = Get-Random -Maximum 1024
            for ($i = 0; $i -lt 1024; $i++) {
                $k = ($start + $i) % 1024
                $second = 28 + [Math]::Floor($k / 256)
                $third = $k % 256
                $low = 172 * 16777216 + $second * 65536 + $third * 256
                $clash = $false
                foreach ($u in $used) {
                    if ($low -lt $u[0] + $u[1] -and $u[0] -lt $low + 256) { $clash = $true; break }
                }
                if (-not $clash) { return "172.$second.$third.0/24" }
            }
            throw 'No free /24 subnet in 172.28.0.0/14: remove unused Docker networks.'
        }
    }

    AfterAll {
        if ($run) {
            # The repository registration lives in the temporary store; unregister it anyway, by its unique name.
            $null = Invoke-CleanPwsh @'
Unregister-PSResourceRepository -Name $args[1] -ErrorAction SilentlyContinue
'@ -Arguments $repositoryName
            $label = "label=io.redisdocker.topology=$run"
            $ids = @(docker ps -aq --filter $label 2>$null | Where-Object { $_ })
            if ($ids.Count -gt 0) { $null = docker rm -f $ids 2>$null }
            $ids = @(docker volume ls -q --filter $label 2>$null | Where-Object { $_ })
            if ($ids.Count -gt 0) { $null = docker volume rm -f $ids 2>$null }
            $ids = @(docker network ls -q --filter $label 2>$null | Where-Object { $_ })
            if ($ids.Count -gt 0) { $null = docker network rm $ids 2>$null }
            if ($work -and (Test-Path -LiteralPath $work)) { Remove-Item -LiteralPath $work -Recurse -Force }
        }
    }

    It 'the module path of a clean pwsh does not know RedisDocker before the install' {
        $r = Invoke-CleanPwsh @'
$found = @(Get-Module -ListAvailable -Name RedisDocker)
[pscustomobject]@{ Found = $found.Count; Command = [bool](Get-Command New-RedisNetwork -ErrorAction Ignore) } |
    ConvertTo-Json | Set-Content $args[0]
'@
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.Found | Should -Be 0
        $r.Data.Command | Should -BeFalse
    }

    It 'publishes the .nupkg to a local folder repository (Publish-PSResource -NupkgPath) and finds it there' {
        $r = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name $args[1] -Uri $args[2] -Trusted
Publish-PSResource -NupkgPath $args[3] -Repository $args[1]
$found = @(Find-PSResource -Name RedisDocker -Repository $args[1])
[pscustomobject]@{
    Versions = @($found | ForEach-Object { "$($_.Version)" })
    Author = $found[0].Author
    Description = $found[0].Description
    ProjectUri = "$($found[0].ProjectUri)"
    LicenseUri = "$($found[0].LicenseUri)"
    Tags = @($found[0].Tags)
    ReleaseNotes = $found[0].ReleaseNotes
} | ConvertTo-Json | Set-Content $args[0]
'@ -Arguments $repositoryName, $feed, $nupkg
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.Versions | Should -Be @($version)
        Test-Path (Join-Path $feed "RedisDocker.$version.nupkg") | Should -BeTrue
        $manifest = Import-PowerShellDataFile (Join-Path $repoRoot 'RedisDocker.psd1')
        $r.Data.Author | Should -Be $manifest.Author
        $r.Data.Description | Should -Be $manifest.Description
        $r.Data.ProjectUri | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $r.Data.LicenseUri | Should -Be $manifest.PrivateData.PSData.LicenseUri
        $r.Data.ReleaseNotes | Should -Be $manifest.PrivateData.PSData.ReleaseNotes
        $r.Data.Tags | Should -Contain 'Redis'
        # The registration lives in the temporary store, not in the user's.
        $store = Join-Path $dataHome 'PSResourceGet' 'PSResourceRepository.xml'
        Get-Content -Raw $store | Should -Match $repositoryName
    }

    It 'installs it with Install-PSResource into the clean CurrentUser module path, as a versioned module folder' {
        $r = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
Install-PSResource -Name RedisDocker -Repository $args[1] -Scope CurrentUser -TrustRepository
$installed = @(Get-InstalledPSResource -Name RedisDocker -Scope CurrentUser)
$available = @(Get-Module -ListAvailable -Name RedisDocker)
[pscustomobject]@{
    Installed = @($installed | ForEach-Object { "$($_.Version)" })
    Location = @($installed | ForEach-Object InstalledLocation)
    ModuleBase = @($available | ForEach-Object ModuleBase)
    Loaded = [bool](Get-Module RedisDocker)
} | ConvertTo-Json | Set-Content $args[0]
'@ -Arguments $repositoryName
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.Installed | Should -Be @($version)
        $r.Data.Location | Should -Be (Join-Path $dataHome 'powershell' 'Modules')
        @($r.Data.ModuleBase).Count | Should -Be 1
        $expected = Join-Path $dataHome 'powershell' 'Modules' 'RedisDocker' $version
        $r.Data.ModuleBase | Should -Be $expected
        $files = 'RedisDocker.psd1', 'RedisDocker.dll', 'RedisDocker.Loader.dll', 'RedisDocker.Format.ps1xml', 'LICENSE',
            (Join-Path 'Dependencies' 'RedisDocker.Core.dll'), (Join-Path 'Dependencies' 'Docker.DotNet.dll'),
            (Join-Path 'en-US' 'RedisDocker.dll-Help.xml'), (Join-Path 'en-US' 'about_RedisDocker.help.txt')
        foreach ($file in $files) {
            Test-Path -LiteralPath (Join-Path $expected $file) | Should -BeTrue -Because "$file belongs in the package"
        }
        # PowerShell brings System.Management.Automation; the core is only in Dependencies/ (the module's own context).
        Get-ChildItem -LiteralPath $expected -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $expected 'RedisDocker.Core.dll') | Should -BeFalse
        $r.Data.Loaded | Should -BeFalse
    }

    It 'runs the README cluster pipeline without Import-Module (auto-loading), then tears it down' `
        -Skip:(-not $dockerAvailable) {
        $subnet = Get-FreeTestSubnet
        $r = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
$name, $subnet = $args[1], $args[2]
$before = [bool](Get-Module RedisDocker)
try {
    # The README's pipeline, with a unique name and a free subnet.
    $nodes = @(New-RedisNetwork -Name $name -Subnet $subnet |
        New-RedisNode -Count 6 -ClusterEnabled |
        New-RedisCluster -ReplicasPerPrimary 1 |
        Get-RedisClusterNode)
    $table = $nodes | Format-Table | Out-String
    $set = Invoke-RedisCommand -Cluster $name SET greeting hello
    $get = Invoke-RedisCommand -Cluster $name GET greeting
    $help = (Get-Help New-RedisCluster).Synopsis
    $module = Get-Module RedisDocker
} finally {
    # The README's teardown.
    Get-RedisNode -Topology $name -ErrorAction SilentlyContinue | Remove-RedisNode -Confirm:$false
    Remove-RedisNetwork $name -Confirm:$false -ErrorAction SilentlyContinue
}
[pscustomobject]@{
    LoadedBefore = $before
    ModuleBase = $module.ModuleBase
    Version = "$($module.Version)"
    Roles = @($nodes | ForEach-Object { "$($_.Role)" })
    Slots = ($nodes | Measure-Object -Property SlotCount -Sum).Sum
    Table = $table
    Set = "$set"
    Get = "$get"
    Help = $help
} | ConvertTo-Json | Set-Content $args[0]
'@ -Arguments $run, $subnet
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.LoadedBefore | Should -BeFalse
        $r.Data.ModuleBase | Should -Be (Join-Path $dataHome 'powershell' 'Modules' 'RedisDocker' $version)
        $r.Data.Version | Should -Be $version
        @($r.Data.Roles | Where-Object { $_ -eq 'Primary' }).Count | Should -Be 3
        @($r.Data.Roles | Where-Object { $_ -eq 'Replica' }).Count | Should -Be 3
        $r.Data.Slots | Should -Be 16384
        $r.Data.Table | Should -Match 'Primary'
        $r.Data.Set | Should -Be 'OK'
        $r.Data.Get | Should -Be 'hello'
        $r.Data.Help | Should -Not -BeNullOrEmpty
        @(docker ps -aq --filter "label=io.redisdocker.topology=$run" 2>$null | Where-Object { $_ }).Count |
            Should -Be 0 -Because 'the README teardown removes every node'
        @(docker network ls -q --filter "label=io.redisdocker.topology=$run" 2>$null | Where-Object { $_ }).Count |
            Should -Be 0 -Because 'the README teardown removes the network'
    }

    It 'uninstalls it with Uninstall-PSResource, leaving the clean module path without RedisDocker' {
        $r = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
Uninstall-PSResource -Name RedisDocker -Scope CurrentUser
[pscustomobject]@{
    Installed = @(Get-InstalledPSResource -Name RedisDocker -Scope CurrentUser -ErrorAction SilentlyContinue).Count
    Available = @(Get-Module -ListAvailable -Name RedisDocker).Count
} | ConvertTo-Json | Set-Content $args[0]
'@
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.Installed | Should -Be 0
        $r.Data.Available | Should -Be 0
        Test-Path (Join-Path $dataHome 'powershell' 'Modules' 'RedisDocker' $version) | Should -BeFalse
    }

    It 'unregisters the temporary repository' {
        $r = Invoke-CleanPwsh @'
Unregister-PSResourceRepository -Name $args[1] -ErrorAction Stop
[pscustomobject]@{ Left = @(Get-PSResourceRepository -Name $args[1] -ErrorAction SilentlyContinue).Count } |
    ConvertTo-Json | Set-Content $args[0]
'@ -Arguments $repositoryName
        $r.Exit | Should -Be 0 -Because $r.Log
        $r.Data.Left | Should -Be 0
    }
}
