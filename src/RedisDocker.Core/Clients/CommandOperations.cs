using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Invoke-RedisCommand: any command on a node, or on a cluster routed by key slot.</summary>
public sealed class CommandOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal CommandOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink) => _nodes = nodes;

    /// <summary>Runs the command on one node; returns the reply's .NET view; an error reply throws.</summary>
    public async Task<object?> InvokeAsync(string nodeName, IReadOnlyList<object> args, CancellationToken ct)
    {
        var reply = await InvokeRawAsync(nodeName, args, ct).ConfigureAwait(false);
        return reply.ThrowIfError().ToObject();
    }

    public async Task<RespValue> InvokeRawAsync(string nodeName, IReadOnlyList<object> args, CancellationToken ct)
    {
        if (args.Count == 0) throw new ArgumentException("Give a command, for example: PING.");
        var node = await _nodes.GetOneAsync(nodeName, ct).ConfigureAwait(false);
        var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
        _sink.Verbose($"{node.Name} ({node.HostEndpoint}): {Describe(args)}");
        return await conn.SendAsync(args, ct).ConfigureAwait(false);
    }

    /// <summary>Runs the command on the cluster of a topology, routed by key slot.</summary>
    public async Task<object?> InvokeOnClusterAsync(string topology, IReadOnlyList<object> args, CancellationToken ct)
    {
        if (args.Count == 0) throw new ArgumentException("Give a command, for example: SET a b.");
        var reply = await WithRouterAsync(topology, r => r.ExecuteAsync(args, _sink, ct), ct).ConfigureAwait(false);
        return reply.ThrowIfError().ToObject();
    }

    /// <summary>
    /// Runs the command on a cluster as an admin expects: a command with keys goes to the owner of
    /// their slot (MOVED/ASK followed); a command without keys (DBSIZE, KEYS, INFO, FLUSHALL, CONFIG SET)
    /// runs on every primary, or on every member with <paramref name="allNodes"/>, as
    /// redis-cli --cluster call does, and answers once per node. PUBLISH goes to one node (the cluster
    /// bus spreads it). The session keeps the slot router between calls.
    /// </summary>
    public async Task<ClusterCallResult> CallClusterAsync(string topology, IReadOnlyList<object> args, bool allNodes,
        CancellationToken ct)
    {
        if (args.Count == 0) throw new ArgumentException("Give a command, for example: SET a b, or DBSIZE.");
        return await WithRouterAsync(topology, async router =>
        {
            var slot = await router.SlotOfAsync(args, ct).ConfigureAwait(false);
            var name = Convert.ToString(args[0], System.Globalization.CultureInfo.InvariantCulture)?.ToUpperInvariant();
            if (slot is not null || name is "PUBLISH" or "SPUBLISH")
                return new ClusterCallResult(await router.ExecuteAsync(args, slot, _sink, ct).ConfigureAwait(false),
                    null);
            return new ClusterCallResult(null, await router.ExecuteOnEachAsync(args, allNodes, _sink, ct)
                .ConfigureAwait(false));
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Runs work on the session's router; a router kept from an earlier call that no longer fits
    /// (the topology was re-created: new password, new ports) is dropped and opened again, once.</summary>
    private async Task<T> WithRouterAsync<T>(string topology, Func<ClusterRouter, Task<T>> work, CancellationToken ct)
    {
        var wasCached = _session.ClusterRouters.ContainsKey(topology);
        var router = await ClusterRouter.ForSessionAsync(_session, _sink, topology, ct).ConfigureAwait(false);
        try
        {
            return await work(router).ConfigureAwait(false);
        }
        catch (Exception e) when (wasCached && !ct.IsCancellationRequested && IsStaleRouter(e))
        {
            _sink.Verbose($"The kept slot map of '{topology}' is out of date ({e.Message}); reading it again.");
            _session.ClusterRouters.TryRemove(topology, out _);
            _session.ForgetPassword(topology);
            router = await ClusterRouter.ForSessionAsync(_session, _sink, topology, ct).ConfigureAwait(false);
            return await work(router).ConfigureAwait(false);
        }
    }

    private static bool IsStaleRouter(Exception e) => e switch
    {
        RedisConnectionException => true,
        RedisServerException s => s.Message.StartsWith("WRONGPASS", StringComparison.Ordinal)
            || s.Message.StartsWith("NOAUTH", StringComparison.Ordinal),
        RedisDockerException d => d.ErrorId == ErrorIds.NodeNotReachable,
        _ => false,
    };

    /// <summary>The command for the Verbose stream, with AUTH/CONFIG SET requirepass arguments masked.</summary>
    public static string Describe(IReadOnlyList<object> args)
    {
        var words = args.Select(a => a is byte[] b ? $"<{b.Length} bytes>"
            : Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();
        var first = words[0].ToUpperInvariant();
        if (first is "AUTH" or "HELLO" or "MIGRATE" or "ACL")
            return first + " ********";
        // CONFIG SET k v [k v ...] and SENTINEL SET master k v [...]: mask every value whose key names a secret.
        var pairsFrom = first == "CONFIG" && words.Length > 1
            && words[1].Equals("SET", StringComparison.OrdinalIgnoreCase) ? 2
            : first == "SENTINEL" && words.Length > 1 && words[1].Equals("SET", StringComparison.OrdinalIgnoreCase) ? 3
                : -1;
        if (pairsFrom > 0)
            for (var i = pairsFrom; i + 1 < words.Length; i += 2)
                if (words[i].Contains("pass", StringComparison.OrdinalIgnoreCase)
                    || words[i].Contains("auth", StringComparison.OrdinalIgnoreCase)
                        || words[i].Contains("user", StringComparison.OrdinalIgnoreCase))
                    words[i + 1] = "********";
        return string.Join(' ', words.Select(w => w.Length > 60 ? w[..57] + "..." : w));
    }
}

/// <summary>What a command on a cluster returned: one routed reply, or one reply per node it ran on.</summary>
public sealed record ClusterCallResult(RespValue? Routed, IReadOnlyList<NodeReply>? PerNode);
