using System.Net;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class HostEndpointsTests
{
    private static NodeSpec Spec(bool cluster = true, bool hostNetwork = false) =>
        new() { Name = "n", Network = "net", ClusterEnabled = cluster, HostNetwork = hostNetwork };

    [Fact]
    public void OnlyClusterNodesOnADockerNetworkListenOnTheirHostPort()
    {
        Assert.True(HostEndpoints.Applies(Spec()));
        Assert.False(HostEndpoints.Applies(Spec(cluster: false)));
        Assert.False(HostEndpoints.Applies(Spec(hostNetwork: true)));
        Assert.False(HostEndpoints.Applies(Spec() with { AnnounceHostEndpoint = false }));
    }

    [Theory]
    [InlineData(6379, 16379)]
    [InlineData(55535, 65535)]
    [InlineData(55536, 45536)]
    [InlineData(60999, 50999)]
    public void TheBusPortStaysInRange(int port, int bus) => Assert.Equal(bus, HostEndpoints.BusPortOf(port));

    [Fact]
    public void ANodeAbove55535GetsItsBusPortInItsConfiguration()
    {
        var high = RedisConfigRenderer.Render(NodeOperations.ServerConfigOf(Spec() with { Port = 58000 }, "172.24.0.10", "p4ssw0rd-p4ssw0rd"));
        Assert.Equal("48000", RedisConfigRenderer.ReadDirective(high, "cluster-port"));
        var low = RedisConfigRenderer.Render(NodeOperations.ServerConfigOf(Spec() with { Port = 40000 }, "172.24.0.10", "p4ssw0rd-p4ssw0rd"));
        Assert.Null(RedisConfigRenderer.ReadDirective(low, "cluster-port"));
    }

    [Fact]
    public void TheMapKnowsAHostEndpointAsItselfSoRedirectsToItTranslate()
    {
        var map = new EndpointMap();
        var node = new RedisNode
        {
            Name = "n1", Id = "x", Topology = "t", State = "running", Image = "i", Port = 41234, HostEndpoint = "127.0.0.1:41234",
            ClusterEnabled = true,
        };
        map.Record(node, new[] { "172.24.0.10" });
        Assert.True(map.TryTranslate("127.0.0.1:41234", out var self));
        Assert.Equal(("127.0.0.1:41234", "n1"), (self.HostEndpoint, self.NodeName));
        Assert.True(map.TryTranslate("172.24.0.10:41234@51234,127.0.0.1", out var fromNodes));
        Assert.Equal("127.0.0.1:41234", fromNodes.HostEndpoint);
        // Published elsewhere later (a node made again): the old host endpoint no longer names it.
        map.Record(node with { HostEndpoint = "127.0.0.1:41999" }, new[] { "172.24.0.10" });
        Assert.False(map.TryTranslate("127.0.0.1:41234", out _));
        Assert.True(map.TryTranslate("127.0.0.1:41999", out _));
    }

    [Fact]
    public void TheTunnelSendsContainerAddressesToThePublishedEndpoint()
    {
        var map = new EndpointMap();
        map.Set("172.24.0.10:6379", "127.0.0.1:49153", "n1", "t");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 49153),
            ClientOperations.EndpointMapTunnel.Resolve(map, new IPEndPoint(IPAddress.Parse("172.24.0.10"), 6379)));
        var unknown = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 6379);
        Assert.Same(unknown, ClientOperations.EndpointMapTunnel.Resolve(map, unknown));
    }

    [Theory]
    [InlineData("6.2.14")]
    [InlineData("6.0.20")]
    [InlineData("5.0.14")]
    public void RedisBefore70CannotNameHostEndpointsAndTheReasonSaysWhichVersionIsNeeded(string version)
    {
        var why = HostEndpoints.Unsupported(version);
        Assert.NotNull(why);
        Assert.Contains($"Redis {version}", why);
        Assert.Contains("7.0 or later", why);
    }

    [Theory]
    [InlineData("7.0.15")]
    [InlineData("7.4.1")]
    [InlineData("8.0.2")]
    [InlineData("255.255.255")]
    [InlineData("7.2.0-rc1")] // does not parse: tried, CONFIG SET is the backstop
    [InlineData(null)]
    [InlineData("")]
    public void Redis70AndLaterOrAnUnknownVersionIsTried(string? version) =>
        Assert.Null(HostEndpoints.Unsupported(version));
}
