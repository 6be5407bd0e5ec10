using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: Get-RedisSentinel, the groups as their sentinels see them now.</summary>
public sealed partial class SentinelOperations
{
    internal static Dictionary<string, string> ToMap(RespValue reply)
    {
        reply.ThrowIfError();
        var items = reply.AsArray();
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2) d[items[i].Text ?? ""] = items[i + 1].Text
            ?? items[i + 1].Integer.ToString(CultureInfo.InvariantCulture);
        return d;
    }

    private async Task<List<RedisNode>> GroupSentinelsAsync(string? topology, string masterName, CancellationToken ct)
    {
        var all = await _nodes.GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct)
            .ConfigureAwait(false);
        var group = all.Where(s => s.SentinelGroup == masterName).ToList();
        if (group.Count == 0)
            throw Errors.SentinelNotFound(
                $"No sentinel group '{masterName}'{(topology is null ? "" : $" in topology '{topology}'")}. List "
                    + "groups with Get-RedisSentinel.",
                masterName);
        return group;
    }

    /// <summary>The sentinel groups (by topology and master name) as their sentinels see them now.</summary>
    public async Task<IReadOnlyList<RedisSentinelGroup>> GetAsync(string? topology, string? masterName,
        CancellationToken ct)
    {
        // Every node of the topologies, not only the sentinels: one snapshot per topology names what the sentinels
        // report (container addresses).
        var nodeOps = _nodes;
        var all = (await nodeOps.GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct)
            .ConfigureAwait(false))
            .Where(s => masterName is null || s.SentinelGroup == masterName).ToList();
        var everyone = new List<RedisNode>();
        var snapshots = new Dictionary<string, TopologySnapshot>(StringComparer.Ordinal);
        foreach (var t in all.Select(s => s.Topology).Distinct(StringComparer.Ordinal))
        {
            snapshots[t] = await nodeOps.SnapshotAsync(t, ct, includeSentinels: false).ConfigureAwait(false);
            everyone.AddRange(snapshots[t].Nodes);
        }
        // Nodes that do not run (killed, stopped): named, but never listed as working replicas.
        var down = everyone.Where(n => n.Kind == RedisNodeKind.Redis && n.HostEndpoint is null
            && n.ContainerEndpoint is not null)
            .GroupBy(n => n.ContainerEndpoint!).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var groups = all.Where(s => masterName is null || s.SentinelGroup == masterName)
            .GroupBy(s => (s.Topology, s.SentinelGroup ?? "")).ToList();
        var result = new List<RedisSentinelGroup>();
        foreach (var g in groups)
        {
            var reachable = 0;
            RedisSentinelGroup? view = null;
            long viewEpoch = -1;
            foreach (var s in g.Where(s => s.HostEndpoint is not null))
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, ct).ConfigureAwait(false);
                    var r = await conn.PipelineAsync(new[]
                    {
                        new object[] { "SENTINEL", "MASTER", g.Key.Item2 },
                        new object[] { "SENTINEL", "REPLICAS", g.Key.Item2 },
                        new object[] { "SENTINEL", "CKQUORUM", g.Key.Item2 },
                    }, ct).ConfigureAwait(false);
                    reachable++;
                    if (r[0].IsError) continue;
                    var m = ToMap(r[0]);
                    // Sentinels that have not heard of the last failover yet report an older configuration epoch.
                    var epoch = long.TryParse(m.GetValueOrDefault("config-epoch"), NumberStyles.Integer,
                        CultureInfo.InvariantCulture, out var ep) ? ep : 0;
                    if (view is not null && epoch <= viewEpoch) continue;
                    viewEpoch = epoch;
                    var primaryEp = $"{m.GetValueOrDefault("ip")}:{m.GetValueOrDefault("port")}";
                    var snapshot = snapshots[g.Key.Topology];
                    snapshot.TryTranslate(primaryEp, out var pm);
                    var replicas = r[1].IsError ? new List<string>() : r[1].AsArray().Select(ToMap)
                        // A replica that is down (s_down) or that the sentinel lost its link to (a killed container) is
                        // not listed.
                        .Where(x => !(x.GetValueOrDefault("flags") ?? "").Split(',')
                            .Any(f => f is "s_down" or "disconnected"))
                        .Where(x => !down.ContainsKey($"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}"))
                        .Select(x =>
                            snapshot.TryTranslate(
                                $"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}", out var rm)
                                ? rm.NodeName : $"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}")
                        .OrderBy(x => x, StringComparer.Ordinal).ToList();
                    view = new RedisSentinelGroup
                    {
                        MasterName = g.Key.Item2,
                        Topology = g.Key.Topology,
                        Primary = pm?.NodeName ?? down.GetValueOrDefault(primaryEp),
                        PrimaryContainerEndpoint = primaryEp,
                        PrimaryHostEndpoint = pm?.HostEndpoint,
                        Replicas = replicas,
                        Sentinels = g.Select(x => x.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                        Quorum = int.Parse(m.GetValueOrDefault("quorum", "0"), CultureInfo.InvariantCulture),
                        Flags = m.GetValueOrDefault("flags", ""),
                        CkQuorum = r[2].IsError ? r[2].Text : r[2].AsString(),
                        QuorumOk = !r[2].IsError,
                        DownAfterMilliseconds = long.Parse(m.GetValueOrDefault("down-after-milliseconds", "0"),
                            CultureInfo.InvariantCulture),
                        FailoverTimeout = long.Parse(m.GetValueOrDefault("failover-timeout", "0"),
                            CultureInfo.InvariantCulture),
                        ParallelSyncs = int.Parse(m.GetValueOrDefault("parallel-syncs", "0"),
                            CultureInfo.InvariantCulture),
                        DockerHost = _session.DockerHost,
                    };
                }
                catch (RedisException e) { _sink.Verbose($"Sentinel '{s.Name}' does not answer ({e.Message})."); }
            }
            view ??= new RedisSentinelGroup
            {
                MasterName = g.Key.Item2, Topology = g.Key.Topology,
                Sentinels = g.Select(x => x.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                CkQuorum = "no sentinel answers", DockerHost = _session.DockerHost,
            };
            if (view.PrimaryHostEndpoint is not null)
            {
                try
                {
                    var password = await _session.GetPasswordAsync(view.Topology, ct).ConfigureAwait(false);
                    var conn = await _session.ConnectAsync(view.PrimaryHostEndpoint, password, ct)
                        .ConfigureAwait(false);
                    var b = (await conn.SendAsync(new object[] { "CONFIG", "GET", "min-replicas-*" }, ct)
                        .ConfigureAwait(false)).AsArray();
                    var d = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i + 1 < b.Count; i += 2) d[b[i].AsString()] =
                        int.Parse(b[i + 1].AsString(), CultureInfo.InvariantCulture);
                    view = view with { MinReplicasToWrite = d.GetValueOrDefault("min-replicas-to-write"),
                        MinReplicasMaxLag = d.GetValueOrDefault("min-replicas-max-lag") };
                }
                catch (Exception e) when (e is RedisException
                    or RedisDockerException) { _sink.Verbose($"The primary of '{view.MasterName}' does not answer "
                        + $"({e.Message})."); }
            }
            result.Add(view with { ReachableSentinels = reachable });
        }
        return result;
    }
}
