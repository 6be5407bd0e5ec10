using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class TopologySnapshotTests
{
    private static RedisNode Node(string name, string ip, int port, string? host, bool cluster = false,
        RedisRole role = RedisRole.Unknown) => new()
    {
        Name = name, Id = name + "-id", Topology = "shop", State = host is null ? "exited" : "running",
        Image = "redis", IPAddress = ip, Port = port, HostEndpoint = host, ClusterEnabled = cluster, Role = role,
    };

    private static readonly (RedisNode Node, IEnumerable<string> Addresses)[] Nodes =
    {
        (Node("shop-1", "172.28.0.11", 6379, "127.0.0.1:49153", role: RedisRole.Primary),
            new[] { "172.28.0.11", "172.29.0.5" }),
        (Node("shop-2", "172.28.0.12", 6379, "127.0.0.1:49154", role: RedisRole.Replica), new[] { "172.28.0.12" }),
        (Node("shop-c1", "172.28.0.21", 7000, "127.0.0.1:7000", cluster: true, role: RedisRole.Primary),
            new[] { "172.28.0.21" }),
        (Node("shop-3", "172.28.0.13", 6379, null), new[] { "172.28.0.13" }),
    };

    private static TopologySnapshot Snapshot() => TopologySnapshot.From("shop", Nodes);

    [Theory]
    [InlineData("172.28.0.11:6379", "127.0.0.1:49153", "shop-1")]
    [InlineData("172.29.0.5:6379", "127.0.0.1:49153", "shop-1")]
    [InlineData("172.28.0.12:6379", "127.0.0.1:49154", "shop-2")]
    public void TranslatesEveryNetworkAddressToTheHostEndpoint(string reported, string host, string node) =>
        AssertTranslated(reported, host, node);

    [Theory]
    [InlineData("shop-1:6379", "127.0.0.1:49153", "shop-1")]
    [InlineData("SHOP-2:6379", "127.0.0.1:49154", "shop-2")]
    [InlineData("172.28.0.21:7000@17000,shop-c1", "127.0.0.1:7000", "shop-c1")]
    [InlineData("127.0.0.1:7000@17000", "127.0.0.1:7000", "shop-c1")]
    public void TranslatesContainerNamesAndClusterFormsToTheHostEndpoint(string reported, string host, string node) =>
        AssertTranslated(reported, host, node);

    private static void AssertTranslated(string reported, string host, string node)
    {
        var s = Snapshot();
        Assert.True(s.TryTranslate(reported, out var m));
        Assert.Equal(host, m.HostEndpoint);
        Assert.Equal(node, m.NodeName);
        Assert.Equal("shop", m.Topology);
        Assert.Equal(host, s.HostEndpointOf(reported));
        Assert.Equal(node, s.NodeNameOf(reported));
        Assert.Equal(node, s.NodeOf(reported)!.Name);
    }

    [Theory]
    [InlineData("172.28.0.11:6380")]   // another port
    [InlineData("10.0.0.1:6379")]
    [InlineData("127.0.0.1:49153")]    // a host endpoint that no cluster node announces
    public void UnknownEndpointsAreNotTranslated(string reported)
    {
        var s = Snapshot();
        Assert.False(s.TryTranslate(reported, out _));
        Assert.Null(s.HostEndpointOf(reported));
        Assert.Null(s.NodeOf(reported));
    }

    [Theory]
    [InlineData("172.28.0.13:6379")]
    [InlineData("shop-3:6379")]
    public void AStoppedNodeIsNamedButNotTranslated(string reported)
    {
        var s = Snapshot();
        Assert.Equal("shop-3", s.NodeNameOf(reported));
        Assert.Equal("shop-3", s.NodeOf(reported)!.Name);
        Assert.False(s.TryTranslate(reported, out _));
        Assert.Null(s.HostEndpointOf(reported));
    }

    [Fact]
    public void AnswersWhatTheSessionEndpointMapAnswersForTheSameNodes()
    {
        var map = new EndpointMap();
        foreach (var (node, addresses) in Nodes) map.Record(node, addresses);
        Assert.Equal(map.Entries, Snapshot().Entries);
    }

    [Fact]
    public void HoldsTheNodesAndTheRolesTheyReported()
    {
        var s = Snapshot();
        Assert.Equal("shop", s.Topology);
        Assert.Equal(new[] { "shop-1", "shop-2", "shop-3", "shop-c1" }, s.Nodes.Select(n => n.Name));
        Assert.Equal(new[] { "shop-1", "shop-c1" }, s.WithRole(RedisRole.Primary).Select(n => n.Name));
        Assert.Equal("shop-2", s.Find("SHOP-2")!.Name);
    }

    [Fact]
    public void IsNotChangedByTheSessionMapOrByALaterSnapshot()
    {
        var first = Snapshot();
        var moved = Nodes.Select(n => n.Node.Name == "shop-1"
            ? (n.Node with { HostEndpoint = "127.0.0.1:50000" }, n.Addresses) : n).ToArray();
        var second = TopologySnapshot.From("shop", moved);
        Assert.Equal("127.0.0.1:49153", first.HostEndpointOf("172.28.0.11:6379"));
        Assert.Equal("127.0.0.1:50000", second.HostEndpointOf("172.28.0.11:6379"));
    }
}
