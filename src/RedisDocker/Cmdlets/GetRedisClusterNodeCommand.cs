using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisClusterNode: one object per member from CLUSTER NODES, with container and published
/// endpoints.</summary>
[Cmdlet(VerbsCommon.Get, "RedisClusterNode")]
[OutputType(typeof(RedisClusterNode))]
public sealed class GetRedisClusterNodeCommand : ClusterCmdlet
{
    /// <summary>Only these members (container names or node ids).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.ClusterNodeCompleter))]
    public string[]? Node { get; set; }

    [Parameter]
    [ValidateSet(nameof(RedisRole.Primary), nameof(RedisRole.Replica), IgnoreCase = true)]
    public RedisRole? Role { get; set; }

    private readonly Dictionary<string, IReadOnlyList<RedisClusterNode>> _cache = new(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        if (!_cache.TryGetValue(Cluster, out var nodes))
        {
            if (!TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink).Cluster.GetNodesAsync(Cluster, ct),
                out var read)) return;
            nodes = _cache[Cluster] = read;
        }
        foreach (var n in nodes)
        {
            if (Role is not null && n.Role != Role) continue;
            if (Node is { Length: > 0 } && !Node.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)
                .IsMatch(n.Name ?? "") || n.NodeId.StartsWith(p, StringComparison.OrdinalIgnoreCase))) continue;
            WriteObject(n);
        }
    }
}
