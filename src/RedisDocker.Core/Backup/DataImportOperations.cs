using System.Diagnostics;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Backup;

/// <summary>What Import-RedisData is asked for.</summary>
public sealed record DataImportRequest
{
    /// <summary>host:port of any reachable Redis, or the name of a module node.</summary>
    public required string Source { get; init; }
    /// <summary>The password of a host:port source (a module node's is read from the node).</summary>
    public string? SourcePassword { get; init; }
    /// <summary>A cluster (topology name) or a node of the module.</summary>
    public required string Destination { get; init; }
    public bool Replace { get; init; }
    /// <summary>The SCAN cursor to start from ("0": the beginning); a stopped import says where to go on.</summary>
    public string Cursor { get; init; } = "0";
    /// <summary>SCAN COUNT and keys per pipelined batch.</summary>
    public int BatchSize { get; init; } = 500;
    /// <summary>Stop after the batch that reaches this many scanned keys (0: no limit); the result's Cursor goes
    /// on from there.</summary>
    public long MaxKeys { get; init; }
}

/// <summary>
/// Import-RedisData: SCAN the source, DUMP + PTTL each batch in one pipeline, RESTORE each key at the destination
/// with its remaining TTL (through the cluster router: routed by slot, MOVED and ASK followed). Keys already present
/// are kept unless -Replace. Resumable: every batch reports the cursor, and a failure names it.
/// </summary>
public sealed class DataImportOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal DataImportOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink)
    {
        _nodes = nodes;
    }

    public async Task<RedisDataImport> ImportAsync(DataImportRequest request, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var source = await OpenSourceAsync(request, ct).ConfigureAwait(false);
        var restore = await OpenDestinationAsync(request.Destination, ct).ConfigureAwait(false);
        var (cursor, scanned, copied, skipped, missing) = (request.Cursor, 0L, 0L, 0L, 0L);
        var total = (await source.SendAsync(new object[] { "DBSIZE" }, ct).ConfigureAwait(false)).AsInt64();
        var activity = ProgressReport.NextActivityId();
        var what = $"Import from {request.Source} into {request.Destination}";
        try
        {
            do
            {
                var scan = (await source.SendAsync(new object[] { "SCAN", cursor, "COUNT", request.BatchSize }, ct)
                    .ConfigureAwait(false)).ThrowIfError().AsArray();
                var keys = scan[1].AsArray().Select(k => k.Bytes!).ToArray();
                var replies = await source.PipelineAsync(keys.SelectMany(k => new IReadOnlyList<object>[]
                    { new object[] { "DUMP", k }, new object[] { "PTTL", k } }).ToArray(), ct).ConfigureAwait(false);
                for (var i = 0; i < keys.Length; i++)
                {
                    var (dump, pttl) = (replies[2 * i].ThrowIfError(), replies[2 * i + 1].ThrowIfError().AsInt64());
                    if (dump.IsNull || pttl == -2) { missing++; continue; }
                    var args = new List<object> { "RESTORE", keys[i], Math.Max(0, pttl), dump.Bytes! };
                    if (request.Replace) args.Add("REPLACE");
                    var reply = await restore(keys[i], args, ct).ConfigureAwait(false);
                    if (reply.IsError && reply.Text?.StartsWith("BUSYKEY", StringComparison.Ordinal) == true)
                        skipped++;
                    else { reply.ThrowIfError(); copied++; }
                }
                scanned += keys.Length;
                cursor = scan[0].AsString();
                _sink.Progress(new ProgressReport(activity, what, $"{scanned} keys scanned, {copied} copied, "
                    + $"cursor {cursor}", total > 0 ? (int)Math.Min(99, scanned * 100 / total) : -1));
            } while (cursor != "0" && (request.MaxKeys <= 0 || scanned < request.MaxKeys));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Errors.RedisError($"{what} stopped after {copied} keys: {e.Message} Run it again with -Cursor "
                + $"{cursor} to go on from there.", request.Source, e);
        }
        catch (OperationCanceledException)
        {
            _sink.Warning($"{what} stopped after {copied} keys; run it again with -Cursor {cursor} to go on.");
            throw;
        }
        finally { _sink.Progress(new ProgressReport(activity, what, "done", 100, Completed: true)); }
        return new RedisDataImport
        {
            Source = request.Source, Destination = request.Destination, Scanned = scanned, Copied = copied,
            Skipped = skipped, Missing = missing, Cursor = cursor, Duration = sw.Elapsed,
        };
    }

    private async Task<RespConnection> OpenSourceAsync(DataImportRequest request, CancellationToken ct)
    {
        if (request.Source.Contains(':', StringComparison.Ordinal))
        {
            _sink.Verbose($"Connecting to the source {request.Source}.");
            return await _session.ConnectAsync(EndpointMap.Normalize(request.Source), request.SourcePassword, ct)
                .ConfigureAwait(false);
        }
        var node = await _nodes.GetOneAsync(request.Source, ct).ConfigureAwait(false);
        return await _session.ConnectAsync(node, ct).ConfigureAwait(false);
    }

    /// <summary>A cluster (or a cluster node's topology): through the router; another node: straight to it.</summary>
    private async Task<Func<byte[], IReadOnlyList<object>, CancellationToken, Task<RespValue>>> OpenDestinationAsync(
        string destination, CancellationToken ct)
    {
        var nodes = await _nodes.GetAsync(new NodeFilter { Names = new[] { destination },
            IncludeSentinels = false }, ct).ConfigureAwait(false);
        if (nodes.FirstOrDefault(n => n.Name == destination) is { ClusterEnabled: false } node)
        {
            var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
            return (_, args, c) => conn.SendAsync(args, c);
        }
        var topology = nodes.FirstOrDefault(n => n.Name == destination)?.Topology ?? destination;
        var router = await ClusterRouter.OpenAsync(_session, _sink, topology, ct).ConfigureAwait(false);
        // The slot is computed here (no COMMAND GETKEYS round trip carrying the payload); no verbose line per key.
        return (key, args, c) => router.ExecuteAsync(args, ClusterSlot.GetSlot(key), NullSink.Instance, c);
    }
}
