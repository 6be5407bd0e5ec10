using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisNode: nodes from Docker labels, with the role Redis reports now.</summary>
[Cmdlet(VerbsCommon.Get, "RedisNode")]
[OutputType(typeof(RedisNode))]
public sealed class GetRedisNodeCommand : RedisDockerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Cluster")]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string? Network { get; set; }

    /// <summary>Only nodes that report this role now.</summary>
    [Parameter]
    public RedisRole? Role { get; set; }

    /// <summary>Redis nodes only, or sentinels only; both when omitted.</summary>
    [Parameter]
    public RedisNodeKind? Kind { get; set; }

    protected override void ProcessRecord()
    {
        var filter = new NodeFilter
        {
            Names = Name,
            Topology = Topology,
            Network = Network,
            Role = Role,
            IncludeSentinels = Kind != RedisNodeKind.Redis,
            SentinelsOnly = Kind == RedisNodeKind.Sentinel,
        };
        if (!TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Nodes.GetAsync(filter, ct),
            out var nodes)) return;
        foreach (var missing in (Name ?? Array.Empty<string>())
            .Where(n => !WildcardPattern.ContainsWildcardCharacters(n)
                && !nodes.Any(x => string.Equals(x.Name, n, StringComparison.OrdinalIgnoreCase)
                    || x.Id.StartsWith(n, StringComparison.OrdinalIgnoreCase))))
            WriteError(new ErrorRecord(new ItemNotFoundException($"No RedisDocker node named '{missing}'. List them "
                + "with Get-RedisNode."),
                Core.ErrorIds.NodeNotFound, ErrorCategory.ObjectNotFound, missing));
        foreach (var n in nodes) WriteObject(n);
    }
}
