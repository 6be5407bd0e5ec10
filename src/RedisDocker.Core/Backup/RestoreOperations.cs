using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Backup;

/// <summary>What Restore-RedisTopology is asked for.</summary>
public sealed record RestoreRequest
{
    public required string Path { get; init; }
    /// <summary>The topology to restore into (default: the backup's); made from the manifest when absent.</summary>
    public string? Name { get; init; }
    /// <summary>A subnet for the new topology's network (addresses keep their host part).</summary>
    public string? Subnet { get; init; }
    /// <summary>Overwrite nodes that hold keys.</summary>
    public bool Force { get; init; }
    /// <summary>Password of a new topology (a new one is generated when null; the backup holds none).</summary>
    public string? Password { get; init; }
}

/// <summary>
/// Restore-RedisTopology: checks every checksum first, then makes the topology from the manifest (or takes the
/// existing one when it matches and is empty), stops it, uploads each saved node's RDB into its volume while it is
/// stopped (with appendonly off in its configuration, so that Redis loads the RDB and not an AOF), starts it,
/// turns AOF back on (CONFIG SET appendonly yes rewrites the AOF from the loaded data; CONFIG REWRITE keeps it),
/// waits for the replicas to resync and checks the slot ownership against the manifest.
/// </summary>
public sealed class RestoreOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly ClusterOperations _cluster;
    private readonly TopologyOperations _topologies;

    internal RestoreOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes,
        ClusterOperations cluster, TopologyOperations topologies) : base(session, sink)
    {
        _nodes = nodes;
        _cluster = cluster;
        _topologies = topologies;
    }

    private TopologyOperations Topologies => _topologies;
    private NodeOperations Nodes => _nodes;

    /// <summary>Reads and checks a backup without touching Docker (Restore-RedisTopology -WhatIf shows it).</summary>
    public static (BackupManifest Manifest, TopologySpec Spec) Plan(RestoreRequest request)
    {
        var (manifest, _) = BackupFolder.ReadVerified(request.Path);
        return (manifest, SpecRewriter.Rewrite(manifest.Spec, request.Name, request.Subnet));
    }

    public async Task<RedisTopology> RestoreAsync(RestoreRequest request, CancellationToken ct)
    {
        var (manifest, data) = BackupFolder.ReadVerified(request.Path);
        var spec = SpecRewriter.Rewrite(manifest.Spec, request.Name, request.Subnet);
        var renamed = manifest.Nodes.ToDictionary(
            n => spec.Name == manifest.Spec.Name ? n.Name : SpecRewriter.MapName(n.Name, manifest.Spec.Name, spec.Name),
            n => (Entry: n, Rdb: data[n.Name]));
        _sink.Verbose($"Backup '{request.Path}' of '{manifest.Topology}' ({manifest.CreatedAt:u}): checksums match.");
        var exists = (await Topologies.GetAsync(spec.Name, ct).ConfigureAwait(false)).Any(t => t.Name == spec.Name);
        if (exists) await CheckTargetAsync(spec, renamed.Keys, request.Force, ct).ConfigureAwait(false);
        else
        {
            _sink.Verbose($"Creating topology '{spec.Name}' from the backup's spec.");
            await Topologies.ImportAsync(spec, request.Password, ct).ConfigureAwait(false);
        }
        try
        {
            await LoadAsync(spec, renamed, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            if (!exists)
            {
                try
                {
                    await Topologies.RemoveAsync(spec.Name, keepVolumes: false, cleanup.Token).ConfigureAwait(false);
                }
                catch (Exception r)
                {
                    _sink.Warning($"Could not remove the partly restored topology '{spec.Name}': {r.Message}. "
                        + $"Remove it with Remove-RedisTopology {spec.Name}.");
                }
            }
            else
            {
                _sink.Warning($"The restore into '{spec.Name}' stopped part-way ({e.Message}): its nodes may be "
                    + "stopped or hold part of the backup. Run Restore-RedisTopology again with -Force, or "
                    + $"Start-RedisTopology {spec.Name}.");
            }
            throw;
        }
        return (await Topologies.GetAsync(spec.Name, ct).ConfigureAwait(false)).Single(t => t.Name == spec.Name);
    }

    /// <summary>An existing topology takes the backup when its nodes are there, its primaries are the backup's
    /// primaries (same slots), and it holds no key (or -Force).</summary>
    private async Task CheckTargetAsync(TopologySpec spec, IEnumerable<string> saved, bool force, CancellationToken ct)
    {
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = spec.Name, IncludeSentinels = false }, ct)
            .ConfigureAwait(false);
        foreach (var name in saved)
        {
            var n = nodes.FirstOrDefault(x => x.Name == name)
                ?? throw Errors.TopologyMismatch($"Topology '{spec.Name}' has no node '{name}' of the backup. "
                    + "Restore into a new topology (-Name) instead.", name);
            if (n.State != "running") throw Errors.NodeNotRunning(n.Name, n.State);
            if (n.Role != RedisRole.Primary)
                throw Errors.TopologyMismatch($"'{name}' was a primary at backup time and is {n.Role} now. Fail it "
                    + "back first (Invoke-RedisFailover), or restore into a new topology (-Name).", name);
        }
        if (spec.Cluster is { } cluster)
        {
            var members = await _cluster.GetNodesAsync(spec.Name, ct)
                .ConfigureAwait(false);
            foreach (var p in cluster.Primaries)
            {
                var now = members.FirstOrDefault(m => m.Name == p.Name)?.SlotRanges.Select(r => r.ToString()) ?? [];
                if (!now.SequenceEqual(p.Slots))
                    throw Errors.TopologyMismatch($"'{p.Name}' owns slots {string.Join(",", now)}, the backup "
                        + $"{string.Join(",", p.Slots)}. Move them back (Move-RedisClusterSlot) or restore into a "
                        + "new topology (-Name).", p.Name);
            }
        }
        if (force) return;
        foreach (var n in nodes.Where(n => n.State == "running"))
        {
            var keys = (await (await _session.ConnectAsync(n, ct).ConfigureAwait(false))
                .SendAsync(new object[] { "DBSIZE" }, ct).ConfigureAwait(false)).AsInt64();
            if (keys > 0)
                throw Errors.RestoreTargetNotEmpty($"Node '{n.Name}' of '{spec.Name}' holds {keys} keys: the restore "
                    + "would overwrite them. Empty it first (FLUSHALL), or give -Force.", n.Name);
        }
    }

    private async Task LoadAsync(TopologySpec spec,
        IReadOnlyDictionary<string, (BackupNodeEntry Entry, byte[] Rdb)> saved, CancellationToken ct)
    {
        await Topologies.StopAsync(spec.Name, ct).ConfigureAwait(false);
        var aofNodes = new List<string>();
        var activity = ProgressReport.NextActivityId();
        var i = 0;
        foreach (var (name, (entry, rdb)) in saved)
        {
            _sink.Progress(new ProgressReport(activity, $"Restore of '{spec.Name}'",
                $"uploading {name}.rdb ({rdb.Length} bytes)", i++ * 100 / saved.Count));
            var found = await _session.FindContainerAsync(name, ct).ConfigureAwait(false)
                ?? throw Errors.NodeNotFound($"Node '{name}' vanished during the restore.", name);
            var (docker, info) = found;
            await docker.UploadFilesAsync(info.Id, "/data",
                new[] { new ArchiveFile("dump.rdb", rdb, 0b110_000_000, NodeOperations.RedisUid,
                    NodeOperations.RedisUid) },
                ct, dirMode: 0b111_101_000).ConfigureAwait(false);
            if (await DisableAofAsync(docker, info, ct).ConfigureAwait(false)) aofNodes.Add(name);
            _sink.Verbose($"Uploaded the RDB of '{entry.Name}' ({entry.Keys} keys at backup time) into '{name}'.");
        }
        _sink.Progress(new ProgressReport(activity, $"Restore of '{spec.Name}'", "starting", 100, Completed: true));
        await Topologies.StartAsync(spec.Name, ct).ConfigureAwait(false);
        foreach (var name in aofNodes) await EnableAofAsync(name, ct).ConfigureAwait(false);
        await WaitReplicasAsync(spec.Name, ct).ConfigureAwait(false);
        if (spec.Cluster is not null) await CheckTargetAsync(spec, saved.Keys, force: true, ct).ConfigureAwait(false);
    }

    /// <summary>appendonly no in a stopped node's configuration (Redis loads the AOF, not the RDB, when it is on).
    /// True when it was on.</summary>
    private static async Task<bool> DisableAofAsync(DockerClient docker, ContainerInfo info, CancellationToken ct)
    {
        var path = info.Labels.Get(Labels.ConfigPath) ?? RedisConfigRenderer.RedisConfigPath;
        var text = Encoding.UTF8.GetString(await docker.ReadFileAsync(info.Id, path, ct).ConfigureAwait(false) ?? []);
        if (RedisConfigRenderer.ReadDirective(text, "appendonly") != "yes") return false;
        var lines = text.Split('\n').Select(l => l.TrimStart().StartsWith("appendonly ", StringComparison.Ordinal)
            ? "appendonly no" : l);
        await NodeOperations.UploadConfigAsync(docker, info.Id, path, string.Join('\n', lines), ct)
            .ConfigureAwait(false);
        return true;
    }

    private async Task EnableAofAsync(string name, CancellationToken ct)
    {
        var node = await Nodes.GetOneAsync(name, ct).ConfigureAwait(false);
        var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
        _sink.Verbose($"'{name}': CONFIG SET appendonly yes (the AOF is rewritten from the restored data).");
        (await conn.SendAsync(new object[] { "CONFIG", "SET", "appendonly", "yes" }, ct).ConfigureAwait(false))
            .ThrowIfError();
        await Waiter.UntilAsync(_sink, $"AOF rewrite on '{name}'", TimeSpan.FromMinutes(10), async c =>
        {
            var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "INFO", "persistence" }, c)
                .ConfigureAwait(false)).AsString());
            var busy = info.GetValueOrDefault("aof_rewrite_in_progress") == "1"
                || info.GetValueOrDefault("aof_rewrite_scheduled") == "1"
                || info.GetValueOrDefault("aof_enabled") != "1";
            return (!busy, busy ? "rewriting" : "done");
        }, ct, pollMs: 100).ConfigureAwait(false);
        (await conn.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
    }

    private async Task WaitReplicasAsync(string topology, CancellationToken ct)
    {
        var replicas = (await Nodes.GetAsync(new NodeFilter { Topology = topology, IncludeSentinels = false }, ct)
            .ConfigureAwait(false)).Where(n => n.Role == RedisRole.Replica).ToList();
        foreach (var r in replicas)
            await Waiter.UntilAsync(_sink, $"Replica '{r.Name}' resyncing", TimeSpan.FromMinutes(5), async c =>
            {
                var conn = await _session.ConnectAsync(r, c).ConfigureAwait(false);
                var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "INFO", "replication" }, c)
                    .ConfigureAwait(false)).AsString());
                var up = info.GetValueOrDefault("master_link_status") == "up"
                    && info.GetValueOrDefault("master_sync_in_progress") == "0";
                return (up, $"link {info.GetValueOrDefault("master_link_status")}");
            }, ct, pollMs: 200).ConfigureAwait(false);
    }
}
