using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Repair-RedisCluster: what redis-cli --cluster fix fixes: open (migrating/importing) slots and uncovered
/// slots.</summary>
[Cmdlet(VerbsDiagnostic.Repair, "RedisCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(string))]
public sealed class RepairRedisClusterCommand : ClusterCmdlet
{
    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"Redis Cluster '{Cluster}'", "Close open slots and assign uncovered slots")) return;
        if (TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink).Cluster.RepairAsync(Cluster, ct),
            out var actions))
        {
            if (actions.Count == 0) WriteVerbose($"Cluster '{Cluster}' needed no repair.");
            foreach (var a in actions) WriteObject(a);
        }
    }
}
