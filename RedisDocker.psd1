@{
    RootModule             = 'RedisDocker.dll'
    # Imported before RootModule: puts RedisDocker.Core and its Dependencies/ in the module's own AssemblyLoadContext.
    NestedModules          = @('RedisDocker.Loader.dll')
    ModuleVersion          = '0.1.0'
    GUID                   = '5f0c6c2e-4c1e-4a55-9d0f-3b7f2a9e61d4'
    Author                 = 'RedisDocker contributors'
    CompanyName            = 'RedisDocker'
    Copyright              = '(c) RedisDocker contributors. MIT licence.'
    Description            = 'Stand up, operate and tear down Redis topologies on Docker (networks, nodes, replication, Sentinel, Redis Cluster, failover) as pipelines of typed objects, with safe defaults.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @('RedisDocker.Format.ps1xml')
    CmdletsToExport        = @(
        'Add-RedisClusterNode'
        'Backup-RedisTopology'
        'Connect-RedisClient'
        'Connect-RedisDocker'
        'Connect-RedisNetwork'
        'Disconnect-RedisNetwork'
        'Export-RedisCertificate'
        'Export-RedisTopology'
        'Get-RedisCluster'
        'Get-RedisClusterNode'
        'Get-RedisConnectionString'
        'Get-RedisCredential'
        'Get-RedisNetwork'
        'Get-RedisSwarmNode'
        'Get-RedisNode'
        'Get-RedisReplication'
        'Get-RedisSentinel'
        'Get-RedisTopology'
        'Get-RedisUser'
        'Import-RedisData'
        'Import-RedisTopology'
        'Invoke-RedisCommand'
        'Invoke-RedisFailover'
        'Move-RedisClusterSlot'
        'Move-RedisNode'
        'New-RedisCluster'
        'New-RedisNetwork'
        'New-RedisNode'
        'New-RedisSentinel'
        'New-RedisUser'
        'Optimize-RedisCluster'
        'Remove-RedisClusterNode'
        'Remove-RedisNetwork'
        'Remove-RedisNode'
        'Remove-RedisTopology'
        'Remove-RedisUser'
        'Repair-RedisCluster'
        'Restart-RedisNode'
        'Restore-RedisTopology'
        'Set-RedisCluster'
        'Set-RedisReplica'
        'Set-RedisUser'
        'Start-RedisNode'
        'Start-RedisTopology'
        'Stop-RedisNode'
        'Stop-RedisTopology'
        'Test-RedisCluster'
        'Update-RedisCertificate'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Redis', 'Docker', 'Cluster', 'Sentinel', 'Replication', 'Failover', 'DevOps', 'Linux', 'Windows', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/redisdocker/RedisDocker'
            LicenseUri   = 'https://github.com/redisdocker/RedisDocker/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: networks, nodes, replication, Sentinel, Redis Cluster (create, check, repair, reshard, rebalance, failover), reachable from the host through published ports only.'
        }
    }
}
