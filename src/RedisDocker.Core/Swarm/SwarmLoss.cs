namespace RedisDocker.Core.Swarm;

/// <summary>
/// Which swarm nodes a topology has lost: swarm nodes served by an engine of the session that are down in the swarm
/// or whose engine does not answer, among those the topology has nodes on (listed now, or seen by this session
/// before). A topology on an overlay network that this session has not seen anywhere yet may have nodes on any of
/// them, so it names every lost one: its nodes there cannot be listed to tell.
/// </summary>
public static class SwarmLoss
{
    public static IReadOnlyList<string> LostNodes(IReadOnlyList<RedisSwarmNode> swarm,
        IReadOnlyCollection<string> silentEngines, IReadOnlyCollection<string> spannedSwarmNodes, bool overlayUnseen)
    {
        var silent = silentEngines.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return swarm.Where(n => n.DockerHost is not null && (n.State == "down" || silent.Contains(n.DockerHost)))
            .Where(n => overlayUnseen || spannedSwarmNodes.Contains(n.Name))
            .Select(n => n.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The problem line of a lost swarm node; one whose engine is silent while the swarm has not noticed
    /// yet (still ready) is unreachable.</summary>
    public static string Describe(RedisSwarmNode node, bool silent) =>
        $"Swarm node {node.Name} is "
        + (node.State == "down"
            ? "down in the swarm" + (silent ? $" and its engine {node.DockerHost} does not answer" : "")
            : silent
                ? $"unreachable (its engine {node.DockerHost} does not answer; the swarm still says {node.State})"
                : $"{node.State} in the swarm")
        + ": the topology's nodes there are not listed (their replicas elsewhere take over where a failover applies).";
}
