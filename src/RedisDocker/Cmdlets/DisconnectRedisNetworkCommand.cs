using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Disconnect-RedisNetwork: detaches nodes from a network they were connected to.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "RedisNetwork", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class DisconnectRedisNetworkCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Name)]
    [Alias("NodeName", "Name")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    public RedisNode[] InputObject { get; set; } = Array.Empty<RedisNode>();

    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string Network { get; set; } = "";

    /// <summary>Disconnect even from the network the node was created on.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var names = ParameterSetName == ParameterSets.InputObject ? InputObject.Select(n => n.Name) : Node;
        foreach (var name in names)
        {
            if (!ShouldProcess($"Node '{name}'", $"Disconnect from network '{Network}'")) continue;
            if (TryRun(name, async (sink, ct) =>
                {
                    await CurrentSession.Workflows(sink).Networks
                        .DisconnectAsync(name, Network, Force.IsPresent, ct).ConfigureAwait(false);
                    return await CurrentSession.Workflows(sink).Nodes.GetOneAsync(name, ct).ConfigureAwait(false);
                }, out var node) && PassThru)
                WriteObject(node);
        }
    }
}
