using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Security;

/// <summary>TLS in node creation: which nodes use it, and their key material (the hooks of
/// NodeOperations.CreateAsync).</summary>
public static class NodeTls
{
    /// <summary>
    /// Every node gets its topology's TLS options: a topology is all TLS or all plain text (replication and the bus
    /// link its nodes). A node added to a TLS topology (Add-RedisClusterNode, a sentinel, an import) inherits them;
    /// -Tls on a plain topology, or options other than the topology's, are refused before anything is made.
    /// </summary>
    public static async Task<NodeSpec[]> ResolveAsync(RedisDockerSession session, IReadOnlyList<NodeSpec> specs,
        IReadOnlyList<string> topologyOf, CancellationToken ct)
    {
        var result = specs.ToArray();
        foreach (var topology in topologyOf.Distinct())
        {
            var existing = await session.Tls.ExistingOptionsAsync(topology, ct).ConfigureAwait(false);
            var anyNode = existing is not null || await HasNodesAsync(session, topology, ct).ConfigureAwait(false);
            var given = result.Where((s, i) => topologyOf[i] == topology).Select(s => s.Tls).Distinct().ToArray();
            if (given.Length > 1)
                throw Errors.TopologyMismatch(
                    $"Topology '{topology}' would get nodes with and without TLS (or with different -TlsClientAuth): "
                    + "give every node of one topology the same TLS settings.", topology);
            var wanted = given[0];
            if (anyNode && existing is null && wanted is not null)
                throw Errors.TopologyMismatch(
                    $"Topology '{topology}' uses plain text: its nodes could not replicate or gossip with a TLS node. "
                    + "Leave -Tls out, or make a new topology with -Tls.", topology);
            if (existing is not null && wanted is not null && wanted != existing)
                throw Errors.TopologyMismatch(
                    $"Topology '{topology}' uses TLS with tls-auth-clients {existing.AuthClientsValue}: leave "
                    + "-TlsClientAuth out to use the same.", topology);
            var effective = existing ?? wanted;
            if (effective is null) continue;
            await session.Tls.GetOrCreateCaAsync(topology, ct).ConfigureAwait(false);
            for (var i = 0; i < result.Length; i++)
                if (topologyOf[i] == topology) result[i] = result[i] with { Tls = effective };
        }
        return result;
    }

    private static async Task<bool> HasNodesAsync(RedisDockerSession session, string topology, CancellationToken ct)
    {
        foreach (var (_, list) in await session.OnEveryEngineAsync(
                     (d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), NullSink.Instance, ct)
                     .ConfigureAwait(false))
            if (list.Any(c => c.Labels.Get(Labels.Kind) is Labels.KindNode or Labels.KindSentinel)) return true;
        return false;
    }

    /// <summary>
    /// Issues the node's certificate (SANs: its container address and name, 127.0.0.1, the host address its port is
    /// published on and any announce address) and writes it, its key and the CA into the node's volume.
    /// </summary>
    public static async Task UploadAsync(RedisDockerSession session, DockerClient docker, NodeSpec s, string topology,
        string ip, CancellationToken ct)
    {
        if (s.Tls is null) return;
        var ca = await session.Tls.GetOrCreateCaAsync(topology, ct).ConfigureAwait(false);
        using var cert = ca.IssueNode(s.Name, NamesOf(s, ip, docker));
        await TlsStore.UploadNodeFilesAsync(docker, s.Name, ca, cert, ct).ConfigureAwait(false);
    }

    /// <summary>Every address and name a node is reached at, for its certificate's SANs.</summary>
    public static IEnumerable<string> NamesOf(NodeSpec s, string ip, DockerClient docker)
    {
        yield return ip;
        if (s.AnnounceAddress is { } a) yield return a;
        if (!InputValidation.IsAnyAddress(s.HostIp)) yield return s.HostIp;
        if (docker.Endpoint.HostAddress is { Length: > 0 } h) yield return h;
    }
}
