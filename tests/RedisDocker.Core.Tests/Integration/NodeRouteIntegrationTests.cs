using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 14 item 3: the module's own connections (here a slot migration) go straight to the container addresses
/// where this host routes to them (a Linux engine on this host), and through the published ports when the session
/// is told so (Connect-RedisDocker -Route Published, REDISDOCKER_ROUTE). The path is observed from outside the
/// module: the node names the client address it sees (CLIENT INFO), and the kernel says whether that socket is
/// this process's own, connected to the container address (direct), or Docker's port proxy's (published).
/// </summary>
[Trait("Category", "Integration")]
public class NodeRouteIntegrationTests : DockerTestBase
{
    public NodeRouteIntegrationTests() : base("nrt") { }

    [Fact]
    public async Task TheModulesOwnConnectionsGoDirectWhereTheHostRoutesAndThroughThePublishedPortsWhenForced()
    {
        Assert.True(OperatingSystem.IsLinux(), "the test reads /proc: a Linux engine on this host");
        Assert.Equal(ConnectionRoute.Auto, Session.Routes.Mode);
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 0, Ct);
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var source = members.First(m => m.SlotRanges.Any(r => r.Start == 0));
        var destination = members.First(m => m.NodeId != source.NodeId);
        var slots = new SlotRange(0, 9);
        var sourceNode = nodes.Single(n => n.Name == source.Name);
        var written = await WriteKeysAsync(sourceNode, slots, 500);

        // Auto on this host: the probe finds the route, the module dials container addresses.
        var moved = await Clusters.MoveSlotsAsync(Topology, source.Name!, destination.Name!, null, new[] { slots }, Ct);
        Assert.Equal(written, moved.KeysMoved);
        foreach (var node in nodes)
        {
            var conn = await Session.ConnectAsync(node, Ct);
            Assert.True(node.ContainerEndpoint == conn.Endpoint, $"{node.Name}: dialed {conn.Endpoint}, not "
                + $"{node.ContainerEndpoint}; routes known: {string.Join(", ", Session.ContainerRoutes)}");
            Assert.Equal(true, await IsOwnSocketToAsync(conn, node.ContainerEndpoint!));
        }
        Assert.Contains(Sink.Lines, l => l.Contains("module's commands reach", StringComparison.Ordinal)
            && l.Contains(sourceNode.ContainerEndpoint!, StringComparison.Ordinal)
            && l.Contains("route Auto", StringComparison.Ordinal));

        // Forced published: a session told so dials 127.0.0.1:hostport; the node's client is the port proxy.
        await using var published = new RedisDockerSession(DockerEndpoint.FromEnvironment())
        {
            DefaultImage = TestImage,
        };
        published.Routes.Mode = ConnectionRoute.Published;
        var sink = new RecordingSink();
        var back = await published.Workflows(sink).Cluster
            .MoveSlotsAsync(Topology, destination.Name!, source.Name!, null, new[] { slots }, Ct);
        Assert.Equal(written, back.KeysMoved);
        foreach (var node in nodes)
        {
            var conn = await published.ConnectAsync(node, Ct);
            Assert.Equal(node.HostEndpoint, conn.Endpoint);
            // The node's client is a socket to the container address, held by Docker's port proxy, not this process.
            Assert.Equal(false, await IsOwnSocketToAsync(conn, node.ContainerEndpoint!));
        }
        Assert.Contains(sink.Lines, l => l.Contains("module's commands reach", StringComparison.Ordinal)
            && l.Contains("127.0.0.1:", StringComparison.Ordinal)
            && l.Contains("route Published", StringComparison.Ordinal));
    }

    /// <summary>Writes keys into the slots (on their owner), returns how many.</summary>
    private async Task<long> WriteKeysAsync(RedisNode owner, SlotRange slots, int count)
    {
        await using var conn = await ConnectAsync(owner);
        long n = 0;
        for (var i = 0; n < count && i < 1_000_000; i++)
        {
            var key = $"k{i}";
            var slot = ClusterSlot.GetSlot(key);
            if (slot < slots.Start || slot > slots.End) continue;
            Assert.Equal("OK", (await conn.SendAsync(new object[] { "SET", key, i }, Ct)).AsString());
            n++;
        }
        Assert.Equal(count, n);
        return n;
    }

    /// <summary>
    /// Whether the client the node sees on this connection (CLIENT INFO addr), a TCP socket connected to the container
    /// endpoint, is this process's own: /proc/net/tcp gives each socket's addresses and inode, /proc/self/fd the inodes
    /// this process holds. Null when no such socket is on this host.
    /// </summary>
    private async Task<bool?> IsOwnSocketToAsync(RespConnection conn, string containerEndpoint)
    {
        var info = (await conn.SendAsync(new object[] { "CLIENT", "INFO" }, Ct)).AsString()!;
        var addr = info.Split(' ').Single(f => f.StartsWith("addr=", StringComparison.Ordinal))["addr=".Length..];
        var own = Directory.GetFiles("/proc/self/fd")
            .Select(f => new FileInfo(f).LinkTarget)
            .Where(t => t is not null && t.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(t => t![8..^1]).ToHashSet();
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (Decode(f[1]) == addr && Decode(f[2]) == containerEndpoint) return own.Contains(f[9]);
        }
        return null;
    }

    /// <summary>"0100007F:1F90" (little-endian address, port) → "127.0.0.1:8080".</summary>
    private static string Decode(string hex)
    {
        var parts = hex.Split(':');
        var a = uint.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var port = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return $"{a & 0xFF}.{(a >> 8) & 0xFF}.{(a >> 16) & 0xFF}.{a >> 24}:{port}";
    }
}
