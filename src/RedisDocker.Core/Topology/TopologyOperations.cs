using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>
/// A topology as a unit: read, stop, start, remove, export (JSON or Compose) and import. This file holds the read;
/// the others have their own files under src/RedisDocker.Core/Topology/: TopologyLifecycle, TopologyExport,
/// TopologyImport, TopologyCompose; the exported form is TopologySpec.
/// </summary>
public sealed partial class TopologyOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly NetworkOperations _networks;
    private readonly ClusterOperations _cluster;
    private readonly ClusterOperations _quietCluster;
    private readonly SentinelOperations _sentinels;
    private readonly ReplicationOperations _replication;
    private readonly TopologyHealth _health;
    private readonly Swarm.SwarmOperations _quietSwarm;

    internal TopologyOperations(RedisDockerSession session, IOperationSink sink,
        NodeOperations nodes, NetworkOperations networks, ClusterOperations cluster, ClusterOperations quietCluster,
        SentinelOperations sentinels, ReplicationOperations replication, TopologyHealth health,
        Swarm.SwarmOperations quietSwarm)
        : base(session, sink)
    {
        _quietSwarm = quietSwarm;
        _nodes = nodes;
        _networks = networks;
        _cluster = cluster;
        _quietCluster = quietCluster;
        _sentinels = sentinels;
        _replication = replication;
        _health = health;
    }

    private NodeOperations Nodes => _nodes;

    public async Task<IReadOnlyList<RedisTopology>> GetAsync(string? name, CancellationToken ct)
    {
        var containers = new List<ContainerSummary>();
        var networks = new List<DockerNetwork>();
        var answered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (d, (c, n)) in await _session.OnEveryEngineAsync(async (d, c) =>
                     (await d.ListContainersAsync(new Dictionary<string, string?> { [Labels.Managed] = "true" },
                         all: true, c).ConfigureAwait(false),
                      await d.ListNetworksAsync(Labels.ForKind(Labels.KindNetwork), c).ConfigureAwait(false)), _sink,
                          ct).ConfigureAwait(false))
        {
            containers.AddRange(c);
            networks.AddRange(n);
            answered.Add(d.Endpoint.ToString());
        }
        // Several engines: the swarm read anew, so a lost machine is named (its nodes cannot be listed).
        var silent = _session.Hosts.Select(h => h.ToString()).Where(h => !answered.Contains(h)).ToArray();
        var swarm = _session.Hosts.Count > 1
            ? await _quietSwarm.RefreshAsync(ct).ConfigureAwait(false)
            : [];
        var names = containers.Select(c => c.Labels.Get(Labels.Topology))
            .Concat(networks.Select(n => n.Labels.Get(Labels.Topology)))
            .Where(t => !string.IsNullOrEmpty(t) && (name is null || NetworkOperations.WildcardMatch(t!, name)))
                .Distinct().OrderBy(t => t, StringComparer.Ordinal);
        var result = new List<RedisTopology>();
        foreach (var t in names)
        {
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = t }, ct).ConfigureAwait(false);
            var redis = nodes.Where(n => n.Kind == RedisNodeKind.Redis).ToList();
            var sentinels = nodes.Where(n => n.Kind == RedisNodeKind.Sentinel).ToList();
            string? clusterState = null;
            if (redis.Any(n => n.ClusterEnabled && n.HostEndpoint is not null))
            {
                try { clusterState = (await _quietCluster.GetAsync(t!, ct).ConfigureAwait(false)).State; }
                catch (RedisDockerException e) when (e.ErrorId == ErrorIds.ClusterNotFound) { }
                catch (RedisDockerException) { clusterState = "unreachable"; }
            }
            var running = nodes.Count(n => n.State == "running");
            // Health from every node's own view, each problem named (issue 9: health that does not lie).
            var problems = running == 0 ? Array.Empty<string>()
                : await _health.ProblemsAsync(t!, nodes, ct).ConfigureAwait(false);
            var overlay = networks.Any(n => n.Labels.Get(Labels.Topology) == t
                && Swarm.OverlayNetworks.IsOverlay(n.Driver));
            var spanned = nodes.Select(n => n.SwarmNode).Where(n => n is not null).Select(n => n!)
                .Concat(_session.Swarm.SeenOn(t!)).ToHashSet(StringComparer.Ordinal);
            var lost = Swarm.SwarmLoss.LostNodes(swarm, silent, spanned, overlay && spanned.Count == 0);
            if (lost.Count > 0)
                problems = problems.Concat(swarm.Where(n => lost.Contains(n.Name)).Select(n =>
                    Swarm.SwarmLoss.Describe(n, silent.Contains(n.DockerHost!, StringComparer.OrdinalIgnoreCase))))
                    .ToArray();
            var health = nodes.Count == 0 || running == 0 ? "Down"
                : running < nodes.Count || problems.Count > 0 || (clusterState is not null && clusterState != "ok")
                  || nodes.Any(n => n.State == "running" && n.Role == RedisRole.Unknown) ? "Degraded" : "Healthy";
            result.Add(new RedisTopology
            {
                Name = t!,
                DockerHosts = nodes.Select(n => n.DockerHost).Distinct().OrderBy(x => x, StringComparer.Ordinal)
                    .ToArray(),
                Networks = networks.Where(n => n.Labels.Get(Labels.Topology) == t).Select(n => n.Name)
                    .OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                Nodes = redis.Select(n => n.Name).ToArray(),
                Sentinels = sentinels.Select(n => n.Name).ToArray(),
                Running = running,
                Stopped = nodes.Count - running,
                ClusterState = clusterState,
                SentinelGroups = sentinels.Select(s => s.SentinelGroup).Where(g => g is not null).Select(g => g!)
                    .Distinct().ToArray(),
                Health = health,
                Problems = problems,
                LostSwarmNodes = lost,
            });
        }
        return result;
    }

    private async Task<RedisTopology> RequireAsync(string name, CancellationToken ct) =>
        (await GetAsync(name, ct).ConfigureAwait(false)).FirstOrDefault(t => t.Name == name)
        ?? throw Errors.TopologyNotFound($"No topology named '{name}'. List them with Get-RedisTopology.", name);
}
