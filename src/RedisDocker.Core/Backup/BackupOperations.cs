using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Backup;

/// <summary>
/// Backup-RedisTopology: BGSAVE on every primary at once (or on one node), wait for each save, download each
/// dump.rdb through Docker's archive API, then write manifest.json (the export spec: no password) and SHA256SUMS
/// into an owner-only folder. A cluster under write load is consistent per shard, not across shards.
/// </summary>
public sealed class BackupOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly TopologyOperations _topologies;

    internal BackupOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes,
        TopologyOperations topologies) : base(session, sink)
    {
        _nodes = nodes;
        _topologies = topologies;
    }

    public TimeSpan SaveTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public async Task<RedisBackup> BackupAsync(string topology, string folder, string? node, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var nodes = await _nodes
            .GetAsync(new NodeFilter { Topology = topology, IncludeSentinels = false }, ct).ConfigureAwait(false);
        if (nodes.Count == 0)
            throw Errors.TopologyNotFound($"Topology '{topology}' has no Redis node. See Get-RedisTopology.", topology);
        var targets = node is null
            ? nodes.Where(n => n.Role == RedisRole.Primary).ToList()
            : nodes.Where(n => n.Name == node).ToList();
        if (node is not null && targets.Count == 0)
            throw Errors.NodeNotFound($"'{node}' is not a Redis node of topology '{topology}'.", node);
        if (targets.FirstOrDefault(n => n.State != "running") is { } down)
            throw Errors.NodeNotRunning(down.Name, down.State);
        if (targets.Count == 0)
            throw Errors.NodeNotReachable($"No primary of topology '{topology}' answers. Start it first.", topology);
        var spec = await _topologies.ExportAsync(topology, ct).ConfigureAwait(false);
        var slots = spec.Cluster?.Primaries.ToDictionary(p => p.Name, p => p.Slots) ?? new();
        BackupFolder.Create(folder);
        var activity = ProgressReport.NextActivityId();
        var done = 0;
        var entries = await Task.WhenAll(targets.Select(async n =>
        {
            var entry = await SaveNodeAsync(n, folder, slots.GetValueOrDefault(n.Name), ct).ConfigureAwait(false);
            var i = Interlocked.Increment(ref done);
            _sink.Progress(new ProgressReport(activity, $"Backup of '{topology}'",
                $"{n.Name}: {entry.Keys} keys, {entry.Length} bytes ({i} of {targets.Count})",
                i * 100 / targets.Count));
            return entry;
        })).ConfigureAwait(false);
        _sink.Progress(new ProgressReport(activity, $"Backup of '{topology}'", "done", 100, Completed: true));
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, topology, DateTimeOffset.UtcNow,
            ModuleInfo.Version, spec, entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray());
        BackupFolder.WriteManifest(folder, manifest);
        _sink.Verbose($"Wrote {BackupManifest.FileName} and {BackupManifest.SumsFileName} in '{folder}'.");
        return new RedisBackup
        {
            Topology = topology, Path = folder, Nodes = manifest.Nodes.Select(e => e.Name).ToArray(),
            Keys = entries.Sum(e => e.Keys), Length = entries.Sum(e => e.Length), CreatedAt = manifest.CreatedAt,
            Duration = sw.Elapsed,
        };
    }

    private async Task<BackupNodeEntry> SaveNodeAsync(RedisNode n, string folder, IReadOnlyList<string>? slots,
        CancellationToken ct)
    {
        var conn = await _session.ConnectAsync(n, ct).ConfigureAwait(false);
        var before = Persistence(await conn.SendAsync(new object[] { "INFO", "persistence" }, ct)
            .ConfigureAwait(false));
        var keys = (await conn.SendAsync(new object[] { "DBSIZE" }, ct).ConfigureAwait(false)).AsInt64();
        var aof = before.GetValueOrDefault("aof_enabled") == "1";
        _sink.Verbose($"BGSAVE on '{n.Name}' ({keys} keys{(aof ? ", AOF on: the RDB is written all the same" : "")}).");
        var savedAt = DateTimeOffset.UtcNow;
        var reply = await conn.SendAsync(new object[] { "BGSAVE", "SCHEDULE" }, ct).ConfigureAwait(false);
        if (reply.IsError) throw Errors.RedisCommandFailed(n.Name, "BGSAVE", reply.Text);
        await Waiter.UntilAsync(_sink, $"BGSAVE on '{n.Name}'", SaveTimeout, async c =>
        {
            var info = Persistence(await _session.SendAsync(n.HostEndpoint!,
                await _session.GetPasswordAsync(n.Topology, c).ConfigureAwait(false),
                new object[] { "INFO", "persistence" }, c).ConfigureAwait(false));
            var saving = info.GetValueOrDefault("rdb_bgsave_in_progress") == "1";
            var newer = Counter(info, "rdb_saves") > Counter(before, "rdb_saves")
                || Counter(info, "rdb_last_save_time") > Counter(before, "rdb_last_save_time");
            if (!saving && newer && info.GetValueOrDefault("rdb_last_bgsave_status") == "err")
                throw Errors.RedisCommandFailed(n.Name, "BGSAVE", "rdb_last_bgsave_status:err (see docker logs)");
            return (!saving && newer, saving ? "saving" : "waiting for the save to start");
        }, ct, pollMs: 100).ConfigureAwait(false);
        var dbfile = (await conn.SendAsync(new object[] { "CONFIG", "GET", "dbfilename" }, ct).ConfigureAwait(false))
            .AsArray().Skip(1).FirstOrDefault()?.AsStringOrNull() ?? "dump.rdb";
        var docker = await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false);
        var bytes = await docker.ReadFileAsync(n.Id, "/data/" + dbfile, ct).ConfigureAwait(false)
            ?? throw Errors.RedisCommandFailed(n.Name, "BGSAVE", $"/data/{dbfile} is missing after the save");
        var file = $"data/{n.Name}.rdb";
        BackupFolder.WriteFile(Path.Combine(folder, "data", n.Name + ".rdb"), bytes);
        _sink.Verbose($"Downloaded {bytes.Length} bytes of '{n.Name}' to {file}.");
        return new BackupNodeEntry(n.Name, n.Role.ToString(), slots ?? Array.Empty<string>(), n.RedisVersion, aof, keys,
            file, BackupFolder.Sha256(bytes), bytes.Length, savedAt);
    }

    private static IReadOnlyDictionary<string, string> Persistence(RespValue v) =>
        RedisInfo.Parse(v.ThrowIfError().AsString());

    private static long Counter(IReadOnlyDictionary<string, string> info, string key) =>
        long.TryParse(info.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : 0;
}
