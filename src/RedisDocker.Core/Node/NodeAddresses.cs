using System.Net;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: a node back at its own address on its network.</summary>
public sealed partial class NodeOperations
{
    /// <summary>
    /// The address a node has on its own network when it is not the one it was created with (label
    /// io.redisdocker.address), e.g. after docker network disconnect + connect; null when it is at home.
    /// </summary>
    public static string? AddressDrift(ContainerInfo info)
    {
        var network = info.Labels.Get(Labels.Network);
        var recorded = info.Labels.Get(Labels.Address);
        if (network is null or "host" || recorded is null) return null;
        if (!info.Networks.TryGetValue(network, out var ep)) return "(not attached)";
        if (!string.IsNullOrEmpty(ep.IPAddress)) return ep.IPAddress == recorded ? null : ep.IPAddress;
        return ep.StaticAddress == recorded ? null : "(dynamic)";
    }

    /// <summary>
    /// Puts a node back on its own address on its network (the one its cluster and sentinels know) when it
    /// came back with another one (docker network disconnect + connect gives a new address). Returns the
    /// container as it is afterwards.
    /// </summary>
    public async Task<ContainerInfo> EnsureOwnAddressAsync(IDockerEngine docker, ContainerInfo info,
        CancellationToken ct)
    {
        if (AddressDrift(info) is not { } now) return info;
        var network = info.Labels.Get(Labels.Network)!;
        var recorded = info.Labels.Get(Labels.Address)!;
        var net = await docker.InspectNetworkAsync(network, ct).ConfigureAwait(false)
            ?? throw Errors.NetworkNotFound(
                $"Node '{info.Name}' was created on network '{network}', which no longer exists. Recreate it with "
                + "New-RedisNetwork, or remove the node.",
                network);
        var squatter = net.Containers.FirstOrDefault(c => c.IPv4Address == recorded && c.ContainerId != info.Id);
        if (squatter is not null)
            throw Errors.IPAddressTaken(
                $"Node '{info.Name}' belongs at {recorded} on '{network}' (its cluster and sentinels know it there), "
                    + $"but container '{squatter.Name}' has that address now. "
                + $"Disconnect '{squatter.Name}' from '{network}', then start '{info.Name}' again.",
                info.Name);
        _sink.Warning($"Node '{info.Name}' has address {now} on '{network}' instead of its own {recorded} "
            + "(reconnected without it?): "
            + $"putting it back at {recorded}, where its cluster and sentinels know it.");
        if (info.Networks.ContainsKey(network))
            await docker.DisconnectNetworkAsync(net.Id, info.Id, force: true, ct).ConfigureAwait(false);
        await docker.ConnectNetworkAsync(net.Id, info.Id, recorded, new[] { info.Name }, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        return await docker.InspectContainerAsync(info.Id, ct).ConfigureAwait(false) ?? info;
    }

    /// <summary>Puts every node of a topology that has another address than its own back at its own (see <see
    /// cref="EnsureOwnAddressAsync"/>).</summary>
    public async Task<IReadOnlyList<string>> RestoreAddressesAsync(string topology, bool clusterOnly,
        CancellationToken ct)
    {
        var moved = new List<string>();
        var listed = await _session.OnEveryEngineAsync((d, c) =>
            d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), _sink, ct)
            .ConfigureAwait(false);
        foreach (var (docker, containers) in listed)
            foreach (var c in containers)
            {
                if (clusterOnly && c.Labels.Get(Labels.ClusterEnabled) != "true") continue;
                var info = await docker.InspectContainerAsync(c.Id, ct).ConfigureAwait(false);
                if (info is null || AddressDrift(info) is null) continue;
                await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
                moved.Add(info.Name);
            }
        return moved;
    }
}
