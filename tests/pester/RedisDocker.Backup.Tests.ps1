#Requires -Version 7.4
<#
    Issue 16 through the cmdlets: the backup-before-drill runbook of README and help, end to end. A 3x1 cluster
    with keys is backed up; a restore over its keys is refused without -Force; after the drill's mistake (FLUSHALL)
    Restore-RedisTopology puts every key back, the replicas resync and the cluster checks out; -WhatIf creates
    nothing; a damaged backup is refused with RedisDocker.BackupCorrupted and leaves nothing behind.

    Needs Docker and the staged module (./build.ps1). Image: $env:REDISDOCKER_IMAGE.
    Names start with rdb + 8 hex digits; AfterAll removes everything carrying the run's topology labels.
#>

BeforeDiscovery {
    $null = docker version 2>$null
    $dockerAvailable = ($LASTEXITCODE -eq 0)
}

Describe 'Backup before a drill, restore after it' -Tag 'Integration', 'Docker', 'Backup' `
    -Skip:(-not $dockerAvailable) {
    BeforeAll {
        . "$PSScriptRoot/Common.ps1"
        $PSNativeCommandUseErrorActionPreference = $false
        $run = 'rdb' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Import-Module (Join-Path $PSScriptRoot '../../out/RedisDocker/RedisDocker.psd1') -Force
        if (-not $env:REDISDOCKER_IMAGE) { throw 'Set REDISDOCKER_IMAGE to an image present on the engine.' }
        $subnet = Get-FreeTestSubnet 1
        $folder = Join-Path ([IO.Path]::GetTempPath()) "$run-backup"
        $null = New-RedisCluster -Name $run -Subnet $subnet -Count 6 -ReplicasPerPrimary 1
        foreach ($i in 1..60) { $null = Invoke-RedisCommand -Cluster $run SET "key:$i" "value $i" }
        foreach ($i in 1..20) { $null = Invoke-RedisCommand -Cluster $run SET "ttl:$i" $i EX 3600 }
        function Get-KeyCount { ((Invoke-RedisCommand -Cluster $run DBSIZE).Reply | Measure-Object -Sum).Sum }
    }
    AfterAll {
        Remove-TestResource -Topology $run, "$run-b"
        Remove-Item $folder, "$folder-bad" -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'backs up every primary into an owner-only folder without the password' {
        $b = Backup-RedisTopology $run -Path $folder
        $b.NodeCount | Should -Be 3
        $b.Keys | Should -Be 80
        @(Get-ChildItem "$folder/data" -Filter *.rdb).Count | Should -Be 3
        $p = (Get-RedisCredential -Topology $run).GetNetworkCredential().Password
        foreach ($f in Get-ChildItem $folder -File -Recurse) {
            [IO.File]::ReadAllText($f.FullName, [Text.Encoding]::Latin1).Contains($p) | Should -BeFalse -Because $f.Name
            if (-not $IsWindows) { $f.UnixMode | Should -Be '-rw-------' }
        }
    }

    It 'refuses a restore over keys without -Force' {
        { Restore-RedisTopology $folder -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'RedisDocker.RestoreTargetNotEmpty*'
        Get-KeyCount | Should -Be 80
    }

    It 'puts every key back after the mistake, replicas resynced' {
        $null = Invoke-RedisCommand -Cluster $run FLUSHALL
        Get-KeyCount | Should -Be 0
        $t = Restore-RedisTopology $folder -Confirm:$false
        $t.Health | Should -Be 'Healthy'
        Get-KeyCount | Should -Be 80
        Invoke-RedisCommand -Cluster $run GET key:42 | Should -Be 'value 42'
        Invoke-RedisCommand -Cluster $run TTL ttl:7 | Should -BeGreaterThan 0
        Test-RedisCluster -Cluster $run -Quiet | Should -BeTrue
        $replicas = @(Get-RedisClusterNode -Cluster $run | Where-Object Role -eq Replica)
        $replicas.Count | Should -Be 3
        $all = { ((Invoke-RedisCommand -Cluster $run DBSIZE -AllNodes).Reply | Measure-Object -Sum).Sum -eq 160 }
        $synced = Wait-Until $all 60
        $synced | Should -BeTrue -Because 'each replica holds its primary''s keys again'
    }

    It '-WhatIf checks the backup and creates nothing' {
        Restore-RedisTopology $folder -Name "$run-b" -WhatIf
        Get-RedisTopology "$run-b" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a damaged backup and leaves nothing behind' {
        Copy-Item $folder "$folder-bad" -Recurse
        Add-Content "$folder-bad/manifest.json" ' '
        { Restore-RedisTopology "$folder-bad" -Name "$run-b" -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'RedisDocker.BackupCorrupted*'
        @(docker ps -aq --filter "label=io.redisdocker.topology=$run-b") | Should -BeNullOrEmpty
        @(docker network ls -q --filter "label=io.redisdocker.topology=$run-b") | Should -BeNullOrEmpty
    }
}
