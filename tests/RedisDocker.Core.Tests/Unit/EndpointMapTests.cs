using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class EndpointMapTests
{
    [Theory]
    [InlineData("172.28.0.11:6379@16379,redis-1", "172.28.0.11:6379")]
    [InlineData("172.28.0.11:6379@16379", "172.28.0.11:6379")]
    [InlineData("172.28.0.11:6379,redis-1", "172.28.0.11:6379")]
    [InlineData("172.28.0.11:6379", "172.28.0.11:6379")]
    [InlineData("redis-1:6379", "redis-1:6379")]
    [InlineData("[fd00::5]:6379@16379", "[fd00::5]:6379")]
    public void Normalize(string input, string expected)
    {
        Assert.Equal(expected, EndpointMap.Normalize(input));
    }

    [Theory]
    [InlineData("172.28.0.11:6379", "172.28.0.11", 6379)]
    [InlineData("172.28.0.11:7000@17000,redis-1", "172.28.0.11", 7000)]
    [InlineData("127.0.0.1:49153", "127.0.0.1", 49153)]
    [InlineData("redis-1:6379", "redis-1", 6379)]
    [InlineData("[::1]:6379", "::1", 6379)]
    [InlineData("[fd00::5]:6379@16379", "fd00::5", 6379)]
    public void Split(string input, string host, int port)
    {
        Assert.Equal((host, port), EndpointMap.Split(input));
    }

    [Theory]
    [InlineData("172.28.0.11")]
    [InlineData(":6379")]
    [InlineData("host:")]
    [InlineData("host:port")]
    [InlineData("")]
    public void Split_RefusesNonEndpoints(string input)
    {
        var ex = Assert.Throws<FormatException>(() => EndpointMap.Split(input));
        Assert.Contains("is not host:port", ex.Message);
    }

    private static RedisNode Node(string name, string? hostEndpoint, int port = 6379, string topology = "shop") => new()
    {
        Name = name,
        Id = "id-" + name,
        Topology = topology,
        State = "running",
        Image = "redis:7",
        Port = port,
        IPAddress = "172.28.0.11",
        HostEndpoint = hostEndpoint,
    };

    [Fact]
    public void Record_MapsEveryAddressAndTheContainerName()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", "127.0.0.1:49153"), new[] { "172.28.0.11", "172.29.0.5" });

        Assert.True(map.TryTranslate("172.28.0.11:6379", out var a));
        Assert.Equal("127.0.0.1:49153", a.HostEndpoint);
        Assert.Equal("shop-1", a.NodeName);
        Assert.Equal("shop", a.Topology);
        Assert.Equal("172.28.0.11:6379", a.ContainerEndpoint);

        Assert.True(map.TryTranslate("172.29.0.5:6379", out var b));
        Assert.Equal("127.0.0.1:49153", b.HostEndpoint);

        Assert.True(map.TryTranslate("shop-1:6379", out var c));
        Assert.Equal("shop-1", c.NodeName);
        Assert.True(map.TryTranslate("SHOP-1:6379", out _)); // case-insensitive, as DNS names are

        Assert.Equal(3, map.Entries.Count);
        Assert.Equal(new[] { "172.28.0.11:6379", "172.29.0.5:6379", "shop-1:6379" }, map.Entries.Select(e => e.ContainerEndpoint));
    }

    [Fact]
    public void TryTranslate_AcceptsTheClusterNodesForm()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", "127.0.0.1:49153"), new[] { "172.28.0.11" });
        Assert.True(map.TryTranslate("172.28.0.11:6379@16379,shop-1", out var m));
        Assert.Equal("127.0.0.1:49153", m.HostEndpoint);
        Assert.True(map.TryTranslate("172.28.0.11:6379@16379", out _));
    }

    [Fact]
    public void TryTranslate_UnknownOrWrongPort()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", "127.0.0.1:49153"), new[] { "172.28.0.11" });
        Assert.False(map.TryTranslate("172.28.0.12:6379", out _));
        Assert.False(map.TryTranslate("172.28.0.11:6380", out _));
    }

    [Fact]
    public void Record_UsesTheNodePort()
    {
        var map = new EndpointMap();
        map.Record(Node("s-1", "127.0.0.1:50000", port: 26379), new[] { "172.28.0.21" });
        Assert.True(map.TryTranslate("172.28.0.21:26379", out _));
        Assert.False(map.TryTranslate("172.28.0.21:6379", out _));
    }

    [Fact]
    public void Record_WithoutPublishedEndpoint_DoesNothing()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", null), new[] { "172.28.0.11" });
        Assert.Empty(map.Entries);
        Assert.False(map.TryTranslate("172.28.0.11:6379", out _));
    }

    [Fact]
    public void Record_AgainReplacesTheHostEndpoint()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", "127.0.0.1:49153"), new[] { "172.28.0.11" });
        map.Record(Node("shop-1", "127.0.0.1:49999"), new[] { "172.28.0.11" });
        Assert.True(map.TryTranslate("172.28.0.11:6379", out var m));
        Assert.Equal("127.0.0.1:49999", m.HostEndpoint);
        Assert.Equal(2, map.Entries.Count);
    }

    [Fact]
    public void ForgetNode_RemovesOnlyThatNode()
    {
        var map = new EndpointMap();
        map.Record(Node("shop-1", "127.0.0.1:49153"), new[] { "172.28.0.11" });
        var other = Node("shop-2", "127.0.0.1:49154") with { IPAddress = "172.28.0.12" };
        map.Record(other, new[] { "172.28.0.12" });
        Assert.Equal(4, map.Entries.Count);

        map.ForgetNode("SHOP-1");

        Assert.False(map.TryTranslate("172.28.0.11:6379", out _));
        Assert.False(map.TryTranslate("shop-1:6379", out _));
        Assert.True(map.TryTranslate("172.28.0.12:6379", out var m));
        Assert.Equal("shop-2", m.NodeName);
        Assert.All(map.Entries, e => Assert.Equal("shop-2", e.NodeName));
        Assert.Equal(2, map.Entries.Count);

        map.ForgetNode("never-there");
        Assert.Equal(2, map.Entries.Count);
    }

    [Fact]
    public void Set_Directly()
    {
        var map = new EndpointMap();
        map.Set("10.0.0.5:6379", "127.0.0.1:40000", "n", "t");
        Assert.True(map.TryTranslate("10.0.0.5:6379", out var m));
        Assert.Equal(new EndpointMap.MappedEndpoint("10.0.0.5:6379", "127.0.0.1:40000", "n", "t"), m);
    }
}
