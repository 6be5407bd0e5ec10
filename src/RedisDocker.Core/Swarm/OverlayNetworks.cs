using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Swarm;

/// <summary>
/// Attachable overlay networks of a Docker Swarm: made on a manager, used by containers of every engine of the
/// swarm. A worker does not list such a network until one of its containers uses it, and every engine lists
/// only its own containers on it, so the module reads it from all engines of the session.
/// </summary>
public static class OverlayNetworks
{
    public const string Driver = "overlay";

    public static bool IsOverlay(string? driver) => string.Equals(driver, Driver, StringComparison.OrdinalIgnoreCase);

    /// <summary>null (bridge) or "overlay" for a -Driver value; anything else is refused.</summary>
    public static string? NormalizeDriver(string? driver) => driver switch
    {
        null or "" => null,
        _ when string.Equals(driver, "bridge", StringComparison.OrdinalIgnoreCase) => null,
        _ when IsOverlay(driver) => Driver,
        _ => throw Errors.InvalidArgument(
            $"-Driver '{driver}' is not supported: use Bridge (one Docker host) or Overlay (a Docker Swarm).", driver),
    };

    /// <summary>
    /// The part of the subnet Docker allocates from by itself: the first eighth (at least 8 addresses). On an
    /// overlay every engine that joins takes one address for its load-balancer endpoint, which must not meet the
    /// static addresses the module gives its nodes (they come from above this range).
    /// </summary>
    public static IPv4Cidr DynamicRangeOf(IPv4Cidr subnet) =>
        new(subnet.Network, Math.Min(29, subnet.PrefixLength + 3));

    /// <summary>
    /// The swarm-scope network of that name as the session's engines see it together: the first engine that
    /// lists it gives its settings, every engine adds its own containers. Null when no engine lists it.
    /// </summary>
    public static async Task<DockerNetwork?> FindAsync(
        RedisDockerSession session, string name, IOperationSink sink, CancellationToken ct)
    {
        var seen = await session.OnEveryEngineAsync((d, c) => d.InspectNetworkAsync(name, c), sink, ct)
            .ConfigureAwait(false);
        var found = seen.Select(x => x.Result).Where(n => n is not null && n.Scope == "swarm").ToList();
        if (found.Count == 0) return null;
        var containers = found.SelectMany(n => n!.Containers)
            .DistinctBy(c => (c.ContainerId, c.IPv4Address)).ToArray();
        return found[0]! with { Containers = containers };
    }

    /// <summary>
    /// Removes the swarm-scope networks with these labels through a manager of the engines, once every engine's
    /// containers are gone (a worker's containers hold the network until the manager has released their attachment
    /// tasks, which it does a moment after they are removed: "in use by task" is retried, bounded).
    /// </summary>
    public static async Task RemoveAsync(IEnumerable<DockerClient> engines, IReadOnlyDictionary<string, string?> labels,
        IOperationSink sink, CancellationToken ct)
    {
        var all = engines.ToList();
        foreach (var docker in all)
        {
            var networks = (await docker.ListNetworksAsync(labels, ct).ConfigureAwait(false))
                .Where(n => n.Scope == "swarm").ToList();
            if (networks.Count == 0) continue;
            if (!(await docker.GetSwarmMembershipAsync(ct).ConfigureAwait(false)).IsManager) continue;
            foreach (var n in networks)
            {
                sink.Verbose($"Removing overlay network '{n.Name}'.");
                await RemoveWhenReleasedAsync(docker, n.Id, ct).ConfigureAwait(false);
            }
            await WaitGoneEverywhereAsync(all, labels, sink, ct).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// A worker drops its copy of a removed overlay when the swarm tells it (gossip: seconds later). The removal
    /// returns once no engine lists the network, or warns which engines still do after <see cref="GoneBound"/>.
    /// </summary>
    private static async Task WaitGoneEverywhereAsync(IReadOnlyList<DockerClient> engines,
        IReadOnlyDictionary<string, string?> labels, IOperationSink sink, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var still = new List<string>();
            foreach (var docker in engines)
                if ((await docker.ListNetworksAsync(labels, ct).ConfigureAwait(false)).Any(n => n.Scope == "swarm"))
                    still.Add(docker.Endpoint.ToString());
            if (still.Count == 0) return;
            if (sw.Elapsed > GoneBound)
            {
                sink.Warning($"The overlay network is removed from the swarm, but {string.Join(", ", still)} still "
                    + "list(s) it; the swarm removes it there when the engine next hears from a manager.");
                return;
            }
            await Task.Delay(500, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How long a removal waits for every engine to drop a removed overlay.</summary>
    public static readonly TimeSpan GoneBound = TimeSpan.FromSeconds(30);

    private static async Task RemoveWhenReleasedAsync(DockerClient docker, string id, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await docker.RemoveNetworkAsync(id, ct).ConfigureAwait(false);
                return;
            }
            catch (DockerApiException e) when (e.EngineMessage.Contains("in use by task", StringComparison.Ordinal)
                && sw.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(500, ct).ConfigureAwait(false);
            }
        }
    }
}
