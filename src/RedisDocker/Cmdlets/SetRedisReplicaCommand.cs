using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Set-RedisReplica: makes nodes replicas of a primary (REPLICAOF with the topology's masterauth,
/// persisted with CONFIG REWRITE, initial sync waited for); -None makes them standalone primaries.
/// </summary>
[Cmdlet(VerbsCommon.Set, "RedisReplica", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Primary)]
[OutputType(typeof(RedisNode))]
public sealed class SetRedisReplicaCommand : RedisDockerCmdlet
{
    /// <summary>The nodes to reconfigure (by value from New-RedisNode / Get-RedisNode, or names by property
    /// name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName", "Node")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>The primary: a RedisNode or its name.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ParameterSets.Primary)]
    [ArgumentCompleter(typeof(Completers.NonClusterNodeCompleter))]
    public string Primary { get; set; } = "";

    /// <summary>Stop replicating: REPLICAOF NO ONE (the node becomes a standalone primary).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.None)]
    public SwitchParameter None { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (None)
            {
                if (!ShouldProcess($"Redis node '{name}'",
                    "Stop replicating and become a standalone primary")) continue;
                if (TryRun(name, (sink, ct) =>
                    CurrentSession.Workflows(sink).Replication.PromoteAsync(name, ct), out var promoted))
                    WriteObject(promoted);
                continue;
            }
            if (!ShouldProcess($"Redis node '{name}'",
                $"Replicate from '{Primary}' (its current data is replaced)")) continue;
            if (TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Replication.SetReplicaAsync(name, Primary, ct), out var node))
                WriteObject(node);
        }
    }
}
