using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Connect-RedisNetwork: attaches nodes to a second network (docker network connect).</summary>
[Cmdlet(VerbsCommunications.Connect, "RedisNetwork", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class ConnectRedisNetworkCommand : RedisDockerCmdlet
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

    /// <summary>Static address on that network; Docker picks one when omitted.</summary>
    [Parameter]
    public string? IPAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var names = ParameterSetName == ParameterSets.InputObject ? InputObject.Select(n => n.Name).ToArray() : Node;
        if (IPAddress is not null && names.Length > 1)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                "-IPAddress can be given for one node at a time.", IPAddress);
        foreach (var name in names)
        {
            if (!ShouldProcess($"Node '{name}'", $"Connect to network '{Network}'")) continue;
            if (TryRun(name, async (sink, ct) =>
                {
                    await CurrentSession.Workflows(sink).Networks.ConnectAsync(name, Network, IPAddress, ct)
                        .ConfigureAwait(false);
                    return await CurrentSession.Workflows(sink).Nodes.GetOneAsync(name, ct).ConfigureAwait(false);
                }, out var node) && PassThru)
                WriteObject(node);
        }
    }
}
