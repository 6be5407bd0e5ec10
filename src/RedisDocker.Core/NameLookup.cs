namespace RedisDocker.Core;

/// <summary>What tab completion completes.</summary>
public enum NameKind { Network, Node, Topology, Sentinel, SentinelGroup, Cluster, ClusterNode, NonClusterNode, Image }

/// <summary>Names for tab completion, read from Docker labels: fast, bounded, and silent when Docker is down.</summary>
public static class NameLookup
{
    /// <param name="topology">When given, only nodes (or sentinels) of this topology: the -Cluster or -Topology already
    /// typed.</param>
    public static async Task<IReadOnlyList<string>> GetNamesAsync(RedisDockerSession session, NameKind kind,
        TimeSpan timeout, CancellationToken ct = default, bool throwOnError = false, string? topology = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            var docker = await session.GetDockerAsync(cts.Token).ConfigureAwait(false);
            if (kind == NameKind.Image)
                return await docker.ListImageTagsAsync(cts.Token).ConfigureAwait(false);
            if (kind == NameKind.Network)
                return (await docker.ListNetworksAsync(Labels.ForKind(Labels.KindNetwork),
                    cts.Token).ConfigureAwait(false))
                    .Select(n => n.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var filter = new Dictionary<string, string?> { [Labels.Managed] = "true" };
            if (!string.IsNullOrEmpty(topology)
                && kind is NameKind.Node or NameKind.Sentinel or NameKind.ClusterNode or NameKind.NonClusterNode)
                filter[Labels.Topology] = topology;
            var containers = await docker.ListContainersAsync(filter, all: true, cts.Token).ConfigureAwait(false);
            IEnumerable<string?> names = kind switch
            {
                NameKind.Node => containers.Where(c => c.Labels.Get(Labels.Kind) == Labels.KindNode)
                    .SelectMany(c => c.Names),
                NameKind.ClusterNode => containers.Where(c => c.Labels.Get(Labels.Kind) == Labels.KindNode
                    && c.Labels.Get(Labels.ClusterEnabled) == "true").SelectMany(c => c.Names),
                NameKind.NonClusterNode => containers.Where(c => c.Labels.Get(Labels.Kind) == Labels.KindNode
                    && c.Labels.Get(Labels.ClusterEnabled) != "true").SelectMany(c => c.Names),
                NameKind.Sentinel => containers.Where(c => c.Labels.Get(Labels.Kind) == Labels.KindSentinel)
                    .SelectMany(c => c.Names),
                NameKind.SentinelGroup => containers.Select(c => c.Labels.Get(Labels.SentinelGroup)),
                NameKind.Cluster => containers.Where(c => c.Labels.Get(Labels.ClusterEnabled) == "true")
                    .Select(c => c.Labels.Get(Labels.Topology)),
                _ => containers.Select(c => c.Labels.Get(Labels.Topology)),
            };
            return names.Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).Distinct()
                .OrderBy(n => n, StringComparer.Ordinal).ToArray();
        }
        catch (Exception) when (!throwOnError)
        {
            return Array.Empty<string>();
        }
    }
}
