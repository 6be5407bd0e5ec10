using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Move-RedisNode: moves a node on an overlay network to another engine (or swarm node) of the session: a
/// replacement with the same name, address and settings is made there and resynced from its primary (a primary
/// fails over to a replica first), then the old container is gone. For a drained swarm node, whose containers
/// Docker does not move (they are not services).
/// </summary>
[Cmdlet(VerbsCommon.Move, "RedisNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ParameterSets.DockerHost)]
[OutputType(typeof(RedisNode))]
public sealed class MoveRedisNodeCommand : RedisDockerCmdlet
{
    /// <summary>The nodes to move (names, or nodes from Get-RedisNode by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName", "Node")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>The engine of the session to move to (or -SwarmNode: one of them, each its own set).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.DockerHost)]
    public string? DockerHost { get; set; }

    /// <summary>The swarm node to move to (Get-RedisSwarmNode: name, hostname or id).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.SwarmNode)]
    public string? SwarmNode { get; set; }

    /// <summary>The address the node is published on at the target.</summary>
    [Parameter]
    public string? HostAddress { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess($"Redis node '{name}'", $"Move to {SwarmNode ?? DockerHost} (a replacement with the "
                + "same name and address, resynced from its primary; the old container and its volume are removed)"))
                continue;
            var move = new NodeMoveSpec { Name = name, DockerHost = DockerHost, SwarmNode = SwarmNode,
                HostAddress = HostAddress };
            if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Topologies.MoveNodeAsync(move, ct),
                out var node))
                WriteObject(node);
        }
    }
}
