using System.Collections;
using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Optimize-RedisCluster: rebalances slots across primaries, evenly or by weight (redis-cli --cluster
/// rebalance).</summary>
[Cmdlet(VerbsCommon.Optimize, "RedisCluster", SupportsShouldProcess = true)]
[OutputType(typeof(SlotMoveResult))]
public sealed class OptimizeRedisClusterCommand : ClusterCmdlet
{
    /// <summary>Weights per primary: @{ 'redis-1' = 2; 'redis-2' = 1 }; 1 for primaries not named.</summary>
    [Parameter]
    public Hashtable? Weight { get; set; }

    /// <summary>Leave primaries within this many slots of their target alone.</summary>
    [Parameter]
    [ValidateRange(0, 16384)]
    public int Threshold { get; set; } = 2;

    protected override void ProcessRecord()
    {
        Dictionary<string, double>? weights = null;
        if (Weight is not null)
        {
            weights = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in Weight)
                weights[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!] =
                    Convert.ToDouble(e.Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        // -WhatIf and -Confirm show the slot moves the run would make.
        if (!TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink)
            .Cluster.PlanRebalanceAsync(Cluster, weights, Threshold, ct), out var plan))
            return;
        if (plan.Count == 0)
        {
            WriteVerbose($"Cluster '{Cluster}' is balanced within {Threshold} slot(s): nothing to move.");
            return;
        }
        if (!ShouldProcess($"Redis Cluster '{Cluster}'",
            $"Rebalance slots (keys move with them): {string.Join("; ", plan)}")) return;
        if (TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink).Cluster.RebalanceAsync(Cluster, plan, ct),
            out var moves))
            foreach (var m in moves) WriteObject(m);
    }
}
