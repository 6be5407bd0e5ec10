using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Routes commands to the cluster node that owns their key's slot. The host only ever talks to
/// published endpoints: every address Redis reports (CLUSTER SLOTS, MOVED, ASK) is translated
/// through the session's endpoint map.
/// </summary>
public sealed class ClusterRouter
{
    private readonly RedisDockerSession _session;
    private readonly string _topology;
    private readonly string? _password;
    private readonly string?[] _slotOwner = new string?[ClusterSlot.Count];   // host endpoint per slot
    private IReadOnlyList<RedisNode> _nodes = Array.Empty<RedisNode>();
    /// <summary>Where the calls without a sink of their own report: the sink the router was opened with.</summary>
    private IOperationSink _defaultSink = NullSink.Instance;

    private ClusterRouter(RedisDockerSession session, string topology, string? password)
    {
        _session = session;
        _topology = topology;
        _password = password;
    }

    public string Topology => _topology;

    /// <summary>A new router: reads the topology's nodes from Docker and the slot map from the cluster.</summary>
    public static async Task<ClusterRouter> OpenAsync(RedisDockerSession session, IOperationSink sink, string topology,
        CancellationToken ct)
    {
        var password = await session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        var router = new ClusterRouter(session, topology, password) { _defaultSink = sink };
        await router.RefreshAsync(sink, ct).ConfigureAwait(false);
        return router;
    }

    /// <summary>
    /// The session's router for a topology, opened on first use and kept: a loop of commands through
    /// -Cluster asks Docker once, not on every call. MOVED, ASK and lost connections update it.
    /// </summary>
    public static async Task<ClusterRouter> ForSessionAsync(RedisDockerSession session, IOperationSink sink,
        string topology, CancellationToken ct)
    {
        if (session.ClusterRouters.TryGetValue(topology, out var cached)) return cached;
        sink.Verbose($"Reading the nodes and the slot map of cluster '{topology}' (kept for the next commands of this "
            + "session).");
        var router = await OpenAsync(session, sink, topology, ct).ConfigureAwait(false);
        router._defaultSink = NullSink.Instance;   // kept beyond this call: it must not hold the caller's sink
        session.ClusterRouters[topology] = router;
        return router;
    }

    /// <summary>Reloads the nodes (endpoint map) and the slot map.</summary>
    public async Task RefreshAsync(IOperationSink sink, CancellationToken ct)
    {
        _nodes = (await _session.Workflows(NullSink.Instance)
            .NodeReader.GetAsync(new NodeFilter { Topology = _topology, IncludeSentinels = false }, ct)
                .ConfigureAwait(false))
            .Where(n => n.ClusterEnabled && n.HostEndpoint is not null).ToArray();
        if (_nodes.Count == 0)
            throw Errors.ClusterNotFound(
                $"Topology '{_topology}' has no running cluster-enabled node. Create one with New-RedisCluster, or "
                + "start its nodes.",
                _topology);
        Array.Clear(_slotOwner);
        foreach (var node in _nodes)
        {
            try
            {
                var conn = await _session.ConnectAsync(node.HostEndpoint!, _password, ct).ConfigureAwait(false);
                var slots = await conn.SendAsync(new object[] { "CLUSTER", "SLOTS" }, ct).ConfigureAwait(false);
                if (slots.IsError || slots.Items is null || slots.Items.Count == 0) continue;
                foreach (var range in slots.Items)
                {
                    var r = range.AsArray();
                    var from = (int)r[0].AsInt64();
                    var to = (int)r[1].AsInt64();
                    var primary = r[2].AsArray();
                    var host = Translate($"{primary[0].Text}:{primary[1].AsInt64()}");
                    for (var s = from; s <= to; s++) _slotOwner[s] = host;
                }
                return;
            }
            catch (RedisException e)
            {
                sink.Verbose($"Could not read CLUSTER SLOTS from '{node.Name}': {e.Message}");
            }
        }
    }

    /// <summary>Container endpoint → published endpoint; unknown addresses are an error that says why.</summary>
    public string Translate(string containerEndpoint)
    {
        if (_session.EndpointMap.TryTranslate(containerEndpoint, out var mapped)) return mapped.HostEndpoint;
        throw Errors.NodeNotReachable(
            $"The cluster reported {containerEndpoint}, which is not a published endpoint of any node of topology "
            + $"'{_topology}' the host can reach.",
            containerEndpoint);
    }

    /// <summary>The key's slot for commands with keys, or null (any node will do).</summary>
    public async Task<int?> SlotOfAsync(IReadOnlyList<object> args, CancellationToken ct)
    {
        if (args.Count < 2) return null;
        var getKeys = new object[] { "COMMAND", "GETKEYS" }.Concat(args).ToArray();
        RespValue? answer = null;
        RedisException? last = null;
        foreach (var any in _nodes)
        {
            try
            {
                answer = await _session.SendAsync(any.HostEndpoint!, _password, getKeys, ct).ConfigureAwait(false);
                break;
            }
            catch (RedisException e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                last = e;
            }
        }
        if (answer is not { } keys) throw last
            ?? new RedisConnectionException(_topology, $"No node of cluster '{_topology}' answers.");
        if (keys.IsError || keys.Items is not { Count: > 0 }) return null;
        var slot = ClusterSlot.GetSlot(keys.Items[0].Bytes
            ?? System.Text.Encoding.UTF8.GetBytes(keys.Items[0].Text ?? ""));
        foreach (var k in keys.Items.Skip(1))
            if (ClusterSlot.GetSlot(k.Bytes ?? System.Text.Encoding.UTF8.GetBytes(k.Text ?? "")) != slot)
                throw Errors.CrossSlot(args[0]);
        return slot;
    }

    /// <summary>Sends the command to the slot owner, following MOVED and ASK (at most 5 hops).</summary>
    public Task<RespValue> ExecuteAsync(IReadOnlyList<object> args, CancellationToken ct) =>
        ExecuteAsync(args, _defaultSink, ct);

    public async Task<RespValue> ExecuteAsync(IReadOnlyList<object> args, IOperationSink sink, CancellationToken ct) =>
        await ExecuteAsync(args, await SlotOfAsync(args, ct).ConfigureAwait(false), sink, ct).ConfigureAwait(false);

    /// <summary>Sends the command to the owner of a slot already known (any node when null), following MOVED and
    /// ASK.</summary>
    public async Task<RespValue> ExecuteAsync(IReadOnlyList<object> args, int? slot, IOperationSink sink,
        CancellationToken ct)
    {
        var target = slot is int s && _slotOwner[s] is { } owner ? owner : _nodes[0].HostEndpoint!;
        var asking = false;
        for (var hop = 0; hop < 6; hop++)
        {
            RespValue reply;
            try
            {
                var conn = await _session.ConnectAsync(target, _password, ct).ConfigureAwait(false);
                sink.Verbose($"{target}{(slot is null ? "" : $" (slot {slot})")}: {CommandOperations.Describe(args)}");
                if (asking)
                {
                    var replies = await conn.PipelineAsync(new IReadOnlyList<object>[] { new object[] { "ASKING" },
                        args }, ct).ConfigureAwait(false);
                    reply = replies[1];
                }
                else reply = await conn.SendAsync(args, ct).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (hop < 5)
            {
                // The owner may have died: reload the slot map from the nodes that answer, then retry.
                _session.Evict(target);
                await Task.Delay(200 * (hop + 1), ct).ConfigureAwait(false);
                await RefreshAsync(sink, ct).ConfigureAwait(false);
                target = slot is int s2 && _slotOwner[s2] is { } o2 ? o2 : _nodes[0].HostEndpoint!;
                continue;
            }
            asking = false;
            if (reply.IsError && reply.Text is { } text)
            {
                var parts = text.Split(' ');
                if (parts[0] is "MOVED" or "ASK" && parts.Length >= 3)
                {
                    var hostEndpoint = Translate(parts[2]);
                    sink.Verbose($"{parts[0]} {parts[1]} → {parts[2]} (published as {hostEndpoint}).");
                    if (parts[0] == "MOVED")
                    {
                        _slotOwner[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] =
                            hostEndpoint;
                    }
                    else asking = true;
                    target = hostEndpoint;
                    continue;
                }
                if (parts[0] is "CLUSTERDOWN" or "TRYAGAIN" && hop < 5)
                {
                    await Task.Delay(250 * (hop + 1), ct).ConfigureAwait(false);
                    continue;
                }
            }
            return reply;
        }
        throw Errors.RedisError(
            $"Too many redirections for {CommandOperations.Describe(args)}; the cluster's slot map is changing. Try "
            + "again.",
            args[0]);
    }

    /// <summary>
    /// Runs a command on every primary of the cluster (every reachable member with
    /// <paramref name="allNodes"/>), as redis-cli --cluster call: the members come from CLUSTER NODES
    /// of a node that answers, failed and handshaking members are left out. One reply per member,
    /// ordered by node name; a member that cannot be reached gets its exception instead.
    /// </summary>
    public async Task<IReadOnlyList<NodeReply>> ExecuteOnEachAsync(IReadOnlyList<object> args, bool allNodes,
        IOperationSink sink, CancellationToken ct)
    {
        IReadOnlyList<ClusterNodesEntry>? entries = null;
        for (var attempt = 0; attempt < 2 && entries is null; attempt++)
        {
            foreach (var node in _nodes)
            {
                try
                {
                    var text = await _session.SendAsync(node.HostEndpoint!, _password,
                        new object[] { "CLUSTER", "NODES" }, ct).ConfigureAwait(false);
                    if (text.IsError || text.Text is null) continue;
                    entries = ClusterNodesParser.Parse(text.Text);
                    break;
                }
                catch (RedisException e) when (e is RedisConnectionException or RedisTimeoutException)
                {
                    sink.Verbose($"Could not read CLUSTER NODES from '{node.Name}': {e.Message}");
                }
            }
            if (entries is null && attempt == 0) await RefreshAsync(sink, ct).ConfigureAwait(false);
        }
        if (entries is null)
            throw Errors.NoClusterNodeAnswers(_topology);
        var members = entries
            .Where(e => !e.NoAddress && !e.InHandshake && !e.Flags.Contains("fail") && (allNodes || e.IsPrimary))
            .Select(e => _session.EndpointMap.TryTranslate(e.Endpoint, out var m) ? m : null)
            .Where(m => m is not null).Select(m => m!)
            .OrderBy(m => m.NodeName, StringComparer.Ordinal)
            .ToArray();
        sink.Verbose($"{CommandOperations.Describe(args)} on {members.Length} {(allNodes ? "node(s)" : "primaries")} "
            + $"of cluster '{_topology}'.");
        var tasks = members.Select(async m =>
        {
            try
            {
                var reply = await _session.SendAsync(m.HostEndpoint, _password, args, ct).ConfigureAwait(false);
                return new NodeReply(m.NodeName, m.HostEndpoint, reply, null);
            }
            catch (RedisException e)
            {
                return new NodeReply(m.NodeName, m.HostEndpoint, null, e);
            }
        }).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}

/// <summary>One member's answer to a command run on several nodes: its reply, or why it gave none.</summary>
public sealed record NodeReply(string Node, string HostEndpoint, RespValue? Reply, Exception? Error);
