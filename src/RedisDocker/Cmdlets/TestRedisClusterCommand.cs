using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Test-RedisCluster: the checks of redis-cli --cluster check, one result per check.</summary>
[Cmdlet(VerbsDiagnostic.Test, "RedisCluster")]
[OutputType(typeof(RedisClusterCheck), typeof(bool))]
public sealed class TestRedisClusterCommand : ClusterCmdlet
{
    /// <summary>Replicas every primary must have; the current average when omitted.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int? ReplicasPerPrimary { get; set; }

    /// <summary>Return $true when every check passes, $false otherwise.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink)
            .Cluster.TestAsync(Cluster, ReplicasPerPrimary, ct), out var checks)) return;
        if (Quiet) WriteObject(checks.All(c => c.Passed));
        else foreach (var c in checks) WriteObject(c);
    }
}
