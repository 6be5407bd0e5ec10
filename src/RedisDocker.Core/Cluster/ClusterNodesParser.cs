using System.Globalization;

namespace RedisDocker.Core.Topology;

/// <summary>One line of CLUSTER NODES.</summary>
public sealed record ClusterNodesEntry(
    string Id, string Endpoint, int BusPort, string? Hostname, IReadOnlyList<string> Flags, string? PrimaryId,
    long PingSent, long PongReceived, long ConfigEpoch, string LinkState,
    IReadOnlyList<int> Slots, IReadOnlyList<(int Slot, string NodeId)> Migrating,
        IReadOnlyList<(int Slot, string NodeId)> Importing)
{
    public bool Myself => Flags.Contains("myself");
    public bool IsPrimary => Flags.Contains("master");
    public bool IsReplica => Flags.Contains("slave");
    public bool InHandshake => Flags.Contains("handshake");
    public bool NoAddress => Flags.Contains("noaddr");
}

public static class ClusterNodesParser
{
    public static IReadOnlyList<ClusterNodesEntry> Parse(string text)
    {
        var list = new List<ClusterNodesEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8) throw new FormatException($"Unexpected CLUSTER NODES line: {line}");
            var addr = f[1];
            string? hostname = null;
            var comma = addr.IndexOf(',');
            if (comma >= 0) { hostname = addr[(comma + 1)..]; addr = addr[..comma]; }
            var bus = 0;
            var at = addr.IndexOf('@');
            if (at >= 0) { int.TryParse(addr[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture,
                out bus); addr = addr[..at]; }
            var slots = new List<int>();
            var migrating = new List<(int, string)>();
            var importing = new List<(int, string)>();
            for (var i = 8; i < f.Length; i++)
            {
                var s = f[i];
                if (s.StartsWith('['))
                {
                    var body = s.Trim('[', ']');
                    var mig = body.IndexOf("->-", StringComparison.Ordinal);
                    var imp = body.IndexOf("-<-", StringComparison.Ordinal);
                    if (mig > 0) migrating.Add((int.Parse(body[..mig], CultureInfo.InvariantCulture),
                        body[(mig + 3)..]));
                    else if (imp > 0) importing.Add((int.Parse(body[..imp], CultureInfo.InvariantCulture),
                        body[(imp + 3)..]));
                    continue;
                }
                var dash = s.IndexOf('-');
                if (dash > 0)
                {
                    var a = int.Parse(s[..dash], CultureInfo.InvariantCulture);
                    var b = int.Parse(s[(dash + 1)..], CultureInfo.InvariantCulture);
                    for (var x = a; x <= b; x++) slots.Add(x);
                }
                else slots.Add(int.Parse(s, CultureInfo.InvariantCulture));
            }
            list.Add(new ClusterNodesEntry(
                f[0], addr, bus, hostname, f[2].Split(',', StringSplitOptions.RemoveEmptyEntries), f[3] == "-" ? null
                    : f[3],
                long.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture),
                long.Parse(f[6], CultureInfo.InvariantCulture), f[7], slots, migrating, importing));
        }
        return list;
    }
}

/// <summary>Slot planning as redis-cli --cluster create does it.</summary>
public static class ClusterPlanner
{
    /// <summary>16384 slots split evenly over n primaries (0-5460, 5461-10922, 10923-16383 for three).</summary>
    public static IReadOnlyList<SlotRange> SplitSlots(int primaries)
    {
        if (primaries < 1) throw new ArgumentOutOfRangeException(nameof(primaries));
        var ranges = new List<SlotRange>();
        var perNode = 16384.0 / primaries;
        var cursor = 0.0;
        var first = 0;
        for (var i = 0; i < primaries; i++)
        {
            var last = (int)Math.Round(cursor + perNode - 1, MidpointRounding.AwayFromZero);
            if (last > 16383 || i == primaries - 1) last = 16383;
            if (last < first) last = first;
            ranges.Add(new SlotRange(first, last));
            first = last + 1;
            cursor += perNode;
        }
        return ranges;
    }

    /// <summary>
    /// Chooses primaries and assigns each replica to a primary. Nodes carry a failure domain
    /// (their Docker host); primaries are spread over domains first, and each replica goes to the
    /// primary with the fewest replicas on another domain where one exists (the anti-affinity
    /// redis-cli attempts). Returns the plan and whether anti-affinity held for every replica.
    /// </summary>
    public static ClusterPlan Plan(IReadOnlyList<(string Name, string Domain)> nodes, int replicasPerPrimary)
    {
        var primaryCount = nodes.Count / (replicasPerPrimary + 1);
        if (primaryCount < 3)
            throw Errors.ClusterTooSmall(
                $"A cluster needs at least 3 primaries: with -ReplicasPerPrimary {replicasPerPrimary} that is 3 × "
                + $"(1 + {replicasPerPrimary}) = {3 * (replicasPerPrimary + 1)} nodes, and {nodes.Count} were given. "
                + $"Add {3 * (replicasPerPrimary + 1) - nodes.Count} node(s) or lower -ReplicasPerPrimary.",
                nodes.Count);
        // Interleave domains so that primaries land on as many hosts as possible.
        var byDomain = nodes.GroupBy(n => n.Domain).Select(g => new Queue<(string Name, string Domain)>(g)).ToList();
        var interleaved = new List<(string Name, string Domain)>();
        while (interleaved.Count < nodes.Count)
            foreach (var q in byDomain)
                if (q.Count > 0) interleaved.Add(q.Dequeue());
        var primaries = interleaved.Take(primaryCount).ToList();
        var replicas = interleaved.Skip(primaryCount).ToList();
        var assignment = primaries.ToDictionary(p => p.Name, _ => new List<string>());
        var antiAffinity = true;
        var capacity = (replicas.Count + primaries.Count - 1) / primaries.Count;
        foreach (var r in replicas)
        {
            var candidates = primaries.OrderBy(p => assignment[p.Name].Count).ThenBy(p => primaries.IndexOf(p))
                .ToList();
            var min = assignment[candidates[0].Name].Count;
            var best = candidates.Where(p => assignment[p.Name].Count == min).FirstOrDefault(p => p.Domain != r.Domain);
            if (best == default)
            {
                // A primary with more replicas than the fewest is fine while no primary ends above its fair share
                // (replicas / primaries, rounded up), if that keeps the replica off its primary's host.
                best = candidates.FirstOrDefault(p => p.Domain != r.Domain && assignment[p.Name].Count < capacity);
                if (best == default) { best = candidates[0]; if (nodes.Select(n => n.Domain).Distinct()
                    .Count() > 1) antiAffinity = false; }
            }
            assignment[best.Name].Add(r.Name);
        }
        var slots = SplitSlots(primaryCount);
        return new ClusterPlan(
            primaries.Select((p, i) => new PlannedPrimary(p.Name, slots[i], assignment[p.Name])).ToArray(),
            antiAffinity);
    }
}

public sealed record PlannedPrimary(string Name, SlotRange Slots, IReadOnlyList<string> Replicas)
{
    /// <summary>Several ranges (an imported topology); <see cref="Slots"/> alone when null.</summary>
    public IReadOnlyList<SlotRange>? SlotRanges { get; init; }
    public IReadOnlyList<SlotRange> AllSlots => SlotRanges ?? new[] { Slots };
}
public sealed record ClusterPlan(IReadOnlyList<PlannedPrimary> Primaries, bool AntiAffinityHeld);
