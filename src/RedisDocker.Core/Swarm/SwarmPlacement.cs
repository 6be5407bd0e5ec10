namespace RedisDocker.Core.Swarm;

/// <summary>
/// Where new nodes on an overlay network go when no -DockerHost is given: over the swarm's usable nodes (ready,
/// active, served by an engine of the session), optionally only those whose labels match every -SwarmNodeLabel
/// ("key=value", or "key" for a label of any value), each new node on the candidate that holds the fewest nodes of
/// its kind of the topology so far (ties in the session's order of engines). From an empty topology that is a
/// round-robin; across calls it keeps spreading, so a primary and the replicas made after it land on different
/// swarm nodes, and sentinels one per swarm node.
/// </summary>
public static class SwarmPlacement
{
    /// <summary>The label filters of -SwarmNodeLabel: "key=value" or "key" (the label present, any value).</summary>
    public static IReadOnlyList<(string Key, string? Value)> ParseLabels(IReadOnlyList<string>? labels)
    {
        var parsed = new List<(string, string?)>();
        foreach (var l in labels ?? Array.Empty<string>())
        {
            var parts = (l ?? "").Split('=', 2);
            var key = parts[0].Trim();
            if (key.Length == 0 || (l ?? "").Contains("==", StringComparison.Ordinal) || key.Contains('!'))
                throw Errors.InvalidArgument(
                    $"-SwarmNodeLabel '{l}' is not a label filter: give key=value (zone=a, not Docker's constraint "
                    + "node.labels.zone==a) or key (the label present with any value).", l);
            parsed.Add((key, parts.Length == 2 ? parts[1].Trim() : null));
        }
        return parsed;
    }

    /// <summary>True when the swarm node's labels match every filter.</summary>
    public static bool Matches(RedisSwarmNode node, IReadOnlyList<(string Key, string? Value)> filters) =>
        filters.All(f => node.Labels.TryGetValue(f.Key, out var v) && (f.Value is null || v == f.Value));

    /// <summary>
    /// The swarm nodes new nodes may go to, in the order of <paramref name="engineOrder"/>; a clear error naming
    /// what the swarm has when none fits.
    /// </summary>
    public static IReadOnlyList<RedisSwarmNode> Candidates(IReadOnlyList<RedisSwarmNode> swarm,
        IReadOnlyList<(string Key, string? Value)> filters, IReadOnlyList<string> engineOrder, string network)
    {
        int Rank(RedisSwarmNode n)
        {
            var i = engineOrder.ToList().FindIndex(e => string.Equals(e, n.DockerHost,
                StringComparison.OrdinalIgnoreCase));
            return i < 0 ? int.MaxValue : i;
        }
        var fit = swarm.Where(n => n.Usable && n.DockerHost is not null && Matches(n, filters))
            .OrderBy(Rank).ThenBy(n => n.Name, StringComparer.Ordinal).ToArray();
        if (fit.Length > 0) return fit;
        var wanted = filters.Count == 0 ? ""
            : " with label(s) "
                + string.Join(", ", filters.Select(f => f.Value is null ? f.Key : $"{f.Key}={f.Value}"));
        var seen = swarm.Count == 0
            ? "the session knows no swarm node (is an engine of the session a swarm manager?)"
            : "the swarm has " + string.Join(", ", swarm.Select(n => $"{n.Name} ({n.State}/{n.Availability}, "
                + (n.DockerHost is null ? "no engine of this session" : "engine " + n.DockerHost)
                + (n.Labels.Count == 0 ? ""
                    : ", labels " + string.Join(",", n.Labels.Select(kv => $"{kv.Key}={kv.Value}")))
                + ")"));
        throw Errors.NoUsableSwarmNode(
            $"No usable swarm node{wanted} for nodes on overlay network '{network}': {seen}. A node goes to a swarm "
            + "node that is ready and active and whose engine is in the session: add its engine (Connect-RedisDocker "
            + "-DockerHost <engine> -Add), make it active (docker node update --availability active), change "
            + "-SwarmNodeLabel, or give -DockerHost.", network);
    }

    /// <summary>
    /// One candidate per new node: the one holding the fewest nodes so far (<paramref name="held"/>: swarm node
    /// name to the count of the topology's nodes of the same kind there), ties in candidate order.
    /// </summary>
    public static IReadOnlyList<RedisSwarmNode> Spread(IReadOnlyList<RedisSwarmNode> candidates, int count,
        IReadOnlyDictionary<string, int> held)
    {
        if (candidates.Count == 0) throw new ArgumentException("No candidates.", nameof(candidates));
        var load = candidates.ToDictionary(c => c.Name, c => held.GetValueOrDefault(c.Name), StringComparer.Ordinal);
        var picked = new List<RedisSwarmNode>();
        for (var i = 0; i < count; i++)
        {
            var min = candidates.Min(c => load[c.Name]);
            var best = candidates.First(c => load[c.Name] == min);
            load[best.Name]++;
            picked.Add(best);
        }
        return picked;
    }
}
