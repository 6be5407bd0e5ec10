using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Invoke-RedisFailover: promotes a replica. The safe path by default (coordinated: the replica
/// catches up before it takes over, no acknowledged write is lost); -Force when the primary is
/// down (writes not yet replicated may be lost); -Takeover when no agreement is possible (cluster).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "RedisFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ParameterSets.Node)]
[OutputType(typeof(RedisFailoverResult))]
public sealed class InvokeRedisFailoverCommand : RedisDockerCmdlet
{
    /// <summary>A cluster replica to promote (from Get-RedisClusterNode).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.ClusterNode)]
    public RedisClusterNode? InputObject { get; set; }

    /// <summary>The replica to promote: a cluster replica, or a replica monitored by a sentinel group.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Node)]
    [Alias("NodeName")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string Node { get; set; } = "";

    /// <summary>A sentinel group (its master name): the sentinels choose the replica to promote.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Sentinel)]
    [Alias("MasterName")]
    [ArgumentCompleter(typeof(Completers.SentinelGroupCompleter))]
    public string SentinelGroup { get; set; } = "";

    /// <summary>The topology the sentinel group belongs to.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Sentinel)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    /// <summary>Promote without the primary's agreement (it is down): writes not yet replicated may be lost.</summary>
    [Parameter(ParameterSetName = ParameterSets.ClusterNode)]
    [Parameter(ParameterSetName = ParameterSets.Node)]
    [Parameter(ParameterSetName = ParameterSets.Sentinel)]
    public SwitchParameter Force { get; set; }

    /// <summary>Cluster only: promote without any agreement from the other primaries (last resort).</summary>
    [Parameter(ParameterSetName = ParameterSets.ClusterNode)]
    [Parameter(ParameterSetName = ParameterSets.Node)]
    public SwitchParameter Takeover { get; set; }

    /// <summary>Sentinel only: do not trigger, wait for the sentinels to promote after a primary loss.</summary>
    [Parameter(ParameterSetName = ParameterSets.Sentinel)]
    public SwitchParameter Wait { get; set; }

    /// <summary>Bound of the wait, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    protected override void ProcessRecord()
    {
        if (Force && Takeover)
            ThrowParameterError(Core.ErrorIds.InvalidArgument, "Give -Force or -Takeover, not both.",
                ParameterSetName switch
                {
                    ParameterSets.Sentinel => SentinelGroup,
                    ParameterSets.Node => Node,
                    _ => InputObject?.Name,
                });
        var mode = Takeover ? ClusterFailoverMode.Takeover
            : Force ? ClusterFailoverMode.Force
            : ClusterFailoverMode.Coordinated;
        var timeout = TimeSpan.FromSeconds(TimeoutSeconds);

        if (ParameterSetName == ParameterSets.Sentinel)
        {
            if (Wait && Force) ThrowParameterError(Core.ErrorIds.InvalidArgument,
                "Give -Wait or -Force, not both: -Wait lets the sentinels fail over by themselves, -Force makes them " +
                "fail over now.", SentinelGroup);
            var action = Wait ? $"Wait for the sentinels of '{SentinelGroup}' to promote a replica"
                : Force ? $"Forcefully failing over sentinel group '{SentinelGroup}', allowing potential data loss"
                : $"Coordinated failover of sentinel group '{SentinelGroup}' (no acknowledged write is lost)";
            if (!ShouldProcess($"Sentinel group '{SentinelGroup}'", action)) return;
            if (TryRun(SentinelGroup, (sink, ct) =>
                CurrentSession.Workflows(sink).Sentinels
                    .FailoverAsync(Topology, SentinelGroup, Wait.IsPresent, timeout, ct, Force.IsPresent),
                out var r))
                WriteObject(r);
            return;
        }

        var name = ParameterSetName == ParameterSets.ClusterNode ? InputObject!.Name ?? InputObject.NodeId : Node;
        var topology = ParameterSetName == ParameterSets.ClusterNode ? InputObject!.Cluster : null;
        var message = mode switch
        {
            ClusterFailoverMode.Force => $"Forcefully failing over to '{name}', allowing potential data loss",
            ClusterFailoverMode.Takeover => $"Taking over as primary with '{name}' without the cluster's agreement, "
                + "allowing potential data loss and conflicting configuration",
            _ => $"Coordinated failover to '{name}' (no acknowledged write is lost)",
        };
        if (!ShouldProcess($"Replica '{name}'", message)) return;
        if (TryRun(name, (sink, ct) =>
            CurrentSession.Workflows(sink).Failover.FailoverToAsync(topology, name, mode, timeout, ct),
            out var result))
            WriteObject(result);
    }
}
