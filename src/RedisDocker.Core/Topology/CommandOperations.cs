using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Invoke-RedisCommand: any command on a node, or on a cluster routed by key slot.</summary>
public sealed class CommandOperations
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;

    public CommandOperations(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    /// <summary>Runs the command on one node; returns the reply's .NET view; an error reply throws.</summary>
    public async Task<object?> InvokeAsync(string nodeName, IReadOnlyList<object> args, CancellationToken ct)
    {
        var reply = await InvokeRawAsync(nodeName, args, ct).ConfigureAwait(false);
        return reply.ThrowIfError().ToObject();
    }

    public async Task<RespValue> InvokeRawAsync(string nodeName, IReadOnlyList<object> args, CancellationToken ct)
    {
        if (args.Count == 0) throw new ArgumentException("Give a command, for example: PING.");
        var node = await new NodeOperations(_session, _sink).GetOneAsync(nodeName, ct).ConfigureAwait(false);
        var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
        _sink.Verbose($"{node.Name} ({node.HostEndpoint}): {Describe(args)}");
        return await conn.SendAsync(args, ct).ConfigureAwait(false);
    }

    /// <summary>Runs the command on the cluster of a topology, routed by key slot.</summary>
    public async Task<object?> InvokeOnClusterAsync(string topology, IReadOnlyList<object> args, CancellationToken ct)
    {
        if (args.Count == 0) throw new ArgumentException("Give a command, for example: SET a b.");
        var router = await ClusterRouter.OpenAsync(_session, _sink, topology, ct).ConfigureAwait(false);
        var reply = await router.ExecuteAsync(args, ct).ConfigureAwait(false);
        return reply.ThrowIfError().ToObject();
    }

    /// <summary>The command for the Verbose stream, with AUTH/CONFIG SET requirepass arguments masked.</summary>
    public static string Describe(IReadOnlyList<object> args)
    {
        var words = args.Select(a => a is byte[] b ? $"<{b.Length} bytes>" : Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();
        var first = words[0].ToUpperInvariant();
        if (first is "AUTH" or "HELLO" or "MIGRATE" or "ACL")
            return first + " ********";
        // CONFIG SET k v [k v ...] and SENTINEL SET master k v [...]: mask every value whose key names a secret.
        var pairsFrom = first == "CONFIG" && words.Length > 1 && words[1].Equals("SET", StringComparison.OrdinalIgnoreCase) ? 2
            : first == "SENTINEL" && words.Length > 1 && words[1].Equals("SET", StringComparison.OrdinalIgnoreCase) ? 3 : -1;
        if (pairsFrom > 0)
            for (var i = pairsFrom; i + 1 < words.Length; i += 2)
                if (words[i].Contains("pass", StringComparison.OrdinalIgnoreCase) || words[i].Contains("auth", StringComparison.OrdinalIgnoreCase) || words[i].Contains("user", StringComparison.OrdinalIgnoreCase))
                    words[i + 1] = "********";
        return string.Join(' ', words.Select(w => w.Length > 60 ? w[..57] + "..." : w));
    }
}
