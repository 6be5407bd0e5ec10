using RedisDocker.Core.Topology;

namespace RedisDocker;

/// <summary>
/// What Export-RedisTopology -Path wrote: one file (the JSON spec, or the docker-compose.yml of one Docker host),
/// what it describes, and that it holds no password. Prints as its path ("$export"), as the FileInfo did.
/// </summary>
public sealed record RedisTopologyExport
{
    public required string Topology { get; init; }
    /// <summary>Json (the spec Import-RedisTopology reads) or Compose (a docker-compose.yml).</summary>
    public required string Format { get; init; }
    /// <summary>The full path of the file written.</summary>
    public required string Path { get; init; }
    /// <summary>The Docker engines whose networks and nodes the file describes.</summary>
    public IReadOnlyList<string> DockerHosts { get => _dockerHosts; init => _dockerHosts = TextList.From(value); }
    private readonly IReadOnlyList<string> _dockerHosts = TextList.Empty;
    public IReadOnlyList<string> Networks { get => _networks; init => _networks = TextList.From(value); }
    private readonly IReadOnlyList<string> _networks = TextList.Empty;
    /// <summary>The Redis nodes (not sentinels) in the file.</summary>
    public IReadOnlyList<string> Nodes { get => _nodes; init => _nodes = TextList.From(value); }
    private readonly IReadOnlyList<string> _nodes = TextList.Empty;
    public int NodeCount => Nodes.Count;
    /// <summary>The sentinels the file makes (Compose: on this Docker host), over all sentinel groups.</summary>
    public int SentinelCount { get; init; }
    /// <summary>Master names of the sentinel groups.</summary>
    public IReadOnlyList<string> SentinelGroups
    {
        get => _sentinelGroups;
        init => _sentinelGroups = TextList.From(value);
    }
    private readonly IReadOnlyList<string> _sentinelGroups = TextList.Empty;
    /// <summary>Primaries of the cluster layout (0 when the topology has no cluster).</summary>
    public int ClusterPrimaries { get; init; }
    /// <summary>Always true: no export holds the password (Json: a note on how to read it; Compose: secrets).</summary>
    public bool PasswordExcluded { get; init; } = true;
    /// <summary>Compose: the secret files to write next to the file before docker-compose up (full paths).</summary>
    public IReadOnlyList<string> SecretFiles { get => _secretFiles; init => _secretFiles = TextList.From(value); }
    private readonly IReadOnlyList<string> _secretFiles = TextList.Empty;
    /// <summary>Size of the file in bytes.</summary>
    public long Length { get; init; }
    public DateTimeOffset ExportedAt { get; init; }
    /// <summary>
    /// The path under the name FileInfo gives it (Export-RedisTopology -Path returned the FileInfo before):
    /// $export.FullName keeps working, and it binds to parameters named or aliased FullName.
    /// </summary>
    public string FullName => Path;
    public override string ToString() => Path;

    /// <summary>The summary of the JSON spec of a topology written to <paramref name="path"/>.</summary>
    public static RedisTopologyExport ForJson(TopologySpec spec, string path, long length) => new()
    {
        Topology = spec.Name,
        Format = "Json",
        Path = path,
        DockerHosts = Hosts(spec.Networks.Select(n => n.DockerHost).Concat(spec.Nodes.Select(n => n.DockerHost))),
        Networks = spec.Networks.Select(n => n.Name).ToArray(),
        Nodes = spec.Nodes.Select(n => n.Name).ToArray(),
        SentinelCount = spec.SentinelGroups.Sum(g => g.Count),
        SentinelGroups = spec.SentinelGroups.Select(g => g.MasterName).ToArray(),
        ClusterPrimaries = spec.Cluster?.Primaries.Count ?? 0,
        Length = length,
        ExportedAt = spec.ExportedAt,
    };

    /// <summary>
    /// The summary of the docker-compose.yml of one Docker host (<paramref name="dockerHost"/>, "" for the
    /// default engine), as TopologyOperations.ToCompose splits the spec: the sentinels go with the first network.
    /// </summary>
    public static RedisTopologyExport ForCompose(TopologySpec spec, string dockerHost, string path, long length)
    {
        var withSentinels = spec.SentinelGroups.Count > 0
            && dockerHost == (spec.Networks.FirstOrDefault()?.DockerHost ?? "");
        var nodes = spec.Nodes.Where(n => (n.DockerHost ?? "") == dockerHost).ToList();
        var folder = System.IO.Path.GetDirectoryName(path) ?? "";
        var secrets = new List<string> { System.IO.Path.Combine(folder, TopologyOperations.ComposeNodeSecret) };
        if (withSentinels) secrets.Add(System.IO.Path.Combine(folder, TopologyOperations.ComposeSentinelSecret));
        return new RedisTopologyExport
        {
            Topology = spec.Name,
            Format = "Compose",
            Path = path,
            DockerHosts = Hosts(new[] { dockerHost }),
            Networks = spec.Networks.Where(n => (n.DockerHost ?? "") == dockerHost).Select(n => n.Name).ToArray(),
            Nodes = nodes.Select(n => n.Name).ToArray(),
            SentinelCount = withSentinels ? spec.SentinelGroups.Sum(g => g.Count) : 0,
            SentinelGroups = spec.SentinelGroups.Where(_ => withSentinels).Select(g => g.MasterName).ToArray(),
            ClusterPrimaries = spec.Cluster?.Primaries.Count(p => nodes.Any(n => n.Name == p.Name)) ?? 0,
            SecretFiles = secrets,
            Length = length,
            ExportedAt = spec.ExportedAt,
        };
    }

    /// <summary>The summary of the stack file of a topology on an overlay (TopologyOperations.ToStack): every
    /// node and sentinel of the swarm in one file.</summary>
    public static RedisTopologyExport ForStack(TopologySpec spec, string path, long length)
    {
        var folder = System.IO.Path.GetDirectoryName(path) ?? "";
        var secrets = new List<string> { System.IO.Path.Combine(folder, TopologyOperations.ComposeNodeSecret) };
        if (spec.SentinelGroups.Count > 0)
            secrets.Add(System.IO.Path.Combine(folder, TopologyOperations.ComposeSentinelSecret));
        return ForJson(spec, path, length) with { Format = "Compose", SecretFiles = secrets };
    }

    private static string[] Hosts(IEnumerable<string?> hosts) =>
        hosts.Where(h => !string.IsNullOrEmpty(h)).Select(h => h!).Distinct(StringComparer.Ordinal).ToArray();
}
