using System.Globalization;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// What starting a node of a sentinel-managed topology needs from its sentinels: who is primary now. Its own piece
/// so that starting a node (<see cref="NodeOperations"/>) does not depend on <see cref="SentinelOperations"/>,
/// which creates its sentinels through the node workflows (it was the Node&lt;-&gt;Sentinel cycle).
/// </summary>
public sealed class SentinelStartPreparation : Workflow
{
    private readonly NodeReader _quietNodes;

    internal SentinelStartPreparation(RedisDockerSession session, IOperationSink sink, NodeReader quietNodes)
        : base(session, sink) => _quietNodes = quietNodes;

    /// <summary>The primary's container endpoint as the sentinels of a topology report it, or null when no sentinel
    /// answers.</summary>
    public async Task<string?> CurrentPrimaryAsync(IReadOnlyList<RedisNode> sentinels, string masterName,
        CancellationToken ct)
    {
        foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
        {
            try
            {
                var conn = await _session.ConnectAsync(s, ct).ConfigureAwait(false);
                var r = await conn.SendAsync(new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName }, ct)
                    .ConfigureAwait(false);
                if (!r.IsError
                    && r.Items is { Count: 2 } a)
                        return $"{a[0].Text}:{a[1].Text ?? a[1].Integer.ToString(CultureInfo.InvariantCulture)}";
            }
            catch (RedisException) { }
        }
        return null;
    }

    /// <summary>
    /// Before a Redis node of a sentinel-managed topology starts: if the sentinels say another node
    /// is primary now, its configuration is rewritten to start as that node's replica, so a
    /// returning old primary never accepts a write it would later lose.
    /// </summary>
    public async Task PrepareStartAsync(DockerClient docker, ContainerInfo info, CancellationToken ct)
    {
        if (info.Labels.Get(Labels.Kind) != Labels.KindNode || info.Labels.Get(Labels.ClusterEnabled) == "true") return;
        var topology = info.Labels.Get(Labels.Topology);
        if (topology is null) return;
        var sentinels = await _quietNodes.GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct)
            .ConfigureAwait(false);
        foreach (var group in sentinels.GroupBy(s => s.SentinelGroup).Where(g => g.Key is not null))
        {
            var current = await CurrentPrimaryAsync(group.ToList(), group.Key!, ct).ConfigureAwait(false);
            if (current is null)
            {
                _sink.Warning($"No sentinel of group '{group.Key}' answers, so '{info.Name}' starts with the role it "
                    + "had.");
                continue;
            }
            var port = int.TryParse(info.Labels.Get(Labels.Port), out var p) ? p : 6379;
            var mine = info.Networks.Values.SelectMany(n => new[] { n.IPAddress, n.ConfiguredIPAddress })
                .Where(a => a.Length > 0)
                .Select(a => $"{a}:{port}").ToHashSet();
            if (info.Labels.Get(Labels.Announce) is { } announce) mine.Add($"{announce}:{port}");
            var path = info.Labels.Get(Labels.ConfigPath) ?? RedisConfigRenderer.RedisConfigPath;
            var content = await docker.ReadFileAsync(info.Id, path, ct).ConfigureAwait(false);
            if (content is null) return;
            var lines = Encoding.UTF8.GetString(content).Split('\n')
                .Where(l => !l.TrimStart().StartsWith("replicaof ", StringComparison.OrdinalIgnoreCase)
                    && !l.TrimStart().StartsWith("slaveof ", StringComparison.OrdinalIgnoreCase))
                .ToList();
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            if (!mine.Contains(current))
            {
                var (ip, pport) = EndpointMap.Split(current);
                _sink.Verbose($"The sentinels of '{group.Key}' report {current} as primary: '{info.Name}' starts as "
                    + "its replica (never as a stray primary).");
                lines.Add($"replicaof {ip} {pport}");
            }
            var text = string.Join('\n', lines) + "\n";
            await NodeOperations.UploadConfigAsync(docker, info.Id, path, text, ct).ConfigureAwait(false);
            return;
        }
    }
}
