using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Backup;

/// <summary>
/// A backup's topology spec made fit for a new home: another topology name (nodes and networks renamed with it:
/// "shop-1" of "shop" becomes "shop2-1" of "shop2") and another subnet (every address keeps its host part).
/// </summary>
public static class SpecRewriter
{
    public static TopologySpec Rewrite(TopologySpec spec, string? name, string? subnet)
    {
        // A cluster node listens on the number of its host port, which the export records as its port: the restored
        // node lets Docker pick a free host port instead (the original may still hold it, or another container).
        spec = spec with
        {
            Nodes = spec.Nodes.Select(n => n.ClusterEnabled && n.AnnounceAddress is null
                ? n with { Port = HostEndpoints.DefaultPort } : n).ToArray(),
        };
        if (!string.IsNullOrEmpty(name) && name != spec.Name) spec = Rename(spec, name);
        if (!string.IsNullOrEmpty(subnet)) spec = Resubnet(spec, subnet);
        return spec;
    }

    /// <summary>The name of a node or network of topology <paramref name="from"/> in topology
    /// <paramref name="to"/>.</summary>
    public static string MapName(string item, string from, string to) =>
        item.StartsWith(from, StringComparison.Ordinal) ? to + item[from.Length..] : to + "-" + item;

    private static TopologySpec Rename(TopologySpec spec, string to)
    {
        var from = spec.Name;
        var names = spec.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        string Map(string s) => MapName(s, from, to);
        string? MapRef(string? s) => s is not null && names.Contains(s) ? Map(s) : s;
        return spec with
        {
            Name = to,
            Networks = spec.Networks.Select(n => n with { Name = Map(n.Name) }).ToArray(),
            Nodes = spec.Nodes.Select(n => n with
            {
                Name = Map(n.Name), Network = Map(n.Network), ReplicaOf = MapRef(n.ReplicaOf),
                Topology = n.Topology is null ? null : to,
            }).ToArray(),
            Cluster = spec.Cluster is null ? null : new ClusterSpecDto(spec.Cluster.Primaries
                .Select(p => new ClusterPrimaryDto(Map(p.Name), p.Slots, p.Replicas.Select(r => MapRef(r)!).ToArray()))
                .ToArray()),
            SentinelGroups = spec.SentinelGroups.Select(g => g with { Primary = MapRef(g.Primary) ?? g.Primary })
                .ToArray(),
        };
    }

    private static TopologySpec Resubnet(TopologySpec spec, string subnet)
    {
        if (!IPv4Cidr.TryParse(subnet, out var target, out var error))
            throw Errors.InvalidSubnet($"-Subnet '{subnet}': {error}", subnet);
        if (spec.Networks.Count != 1 || spec.Networks[0].Subnet is null
            || !IPv4Cidr.TryParse(spec.Networks[0].Subnet, out var source, out _))
            throw Errors.InvalidArgument(
                $"-Subnet needs a backup of a topology on one network with a subnet; '{spec.Name}' has "
                + $"{spec.Networks.Count}. Restore without -Subnet, or edit the spec.", subnet);
        string? Move(string? ip)
        {
            if (ip is null || !IPv4Cidr.TryParseAddress(ip, out var a) || !source.Contains(a)) return ip;
            var offset = a - source.Network;
            if (offset >= target.Size - 1)
                throw Errors.InvalidSubnet($"-Subnet {subnet} is too small for address {ip} of the backup.", subnet);
            return IPv4Cidr.Format(target.Network + offset);
        }
        string? MoveEndpoint(string? ep) =>
            ep is not null && ep.Split(':') is [var ip, var port] && Move(ip) is { } moved ? moved + ":" + port : ep;
        var net = spec.Networks[0];
        return spec with
        {
            Networks = new[] { net with { Subnet = target.ToString(), Gateway = Move(net.Gateway) } },
            Nodes = spec.Nodes
                .Select(n => n with { IPAddress = Move(n.IPAddress), ReplicaOf = MoveEndpoint(n.ReplicaOf) })
                .ToArray(),
        };
    }
}
