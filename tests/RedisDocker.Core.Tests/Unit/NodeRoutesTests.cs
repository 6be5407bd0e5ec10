using System.Collections.Concurrent;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 14 item 3: which path the module's own connections take to a node (the decision, with a fake probe
/// standing for "this host routes to the container network" or not).</summary>
public class NodeRoutesTests
{
    private static RedisNode Node(string dockerHost = "unix:///var/run/docker.sock") => new()
    {
        Name = "n1", Id = "id", Topology = "t", State = "running", Image = "redis", Network = "net",
        IPAddress = "172.24.0.2", Port = 30001, HostEndpoint = "127.0.0.1:30001", HostPort = 30001,
        DockerHost = dockerHost, ClusterEnabled = true,
    };

    private sealed class Probe
    {
        public bool Routes { get; init; }
        public List<string> Tried { get; } = new();
        public Task<bool> RunAsync(string endpoint, CancellationToken ct)
        {
            Tried.Add(endpoint);
            return Task.FromResult(Routes);
        }
    }

    private static (NodeRoutes Routes, Probe Probe) Make(bool routes, ConnectionRoute mode)
    {
        var probe = new Probe { Routes = routes };
        return (new NodeRoutes(new ConcurrentDictionary<string, bool>(), probe.RunAsync) { Mode = mode }, probe);
    }

    [Fact]
    public async Task AutoDialsTheContainerWhereTheHostRoutesProbingOncePerNetwork()
    {
        var (routes, probe) = Make(true, ConnectionRoute.Auto);
        routes.Note(Node(), sameHost: true);
        Assert.Equal("172.24.0.2:30001", await routes.DialAsync("127.0.0.1:30001", default));
        Assert.Equal("172.24.0.2:30001", await routes.DialAsync("127.0.0.1:30001", default));
        Assert.Equal(new[] { "172.24.0.2:30001" }, probe.Tried);
    }

    [Fact]
    public async Task AutoKeepsThePublishedPortWhereTheHostDoesNotRoute()
    {
        // Docker Desktop: the engine is local (a unix socket or named pipe), its container network is not.
        var (routes, probe) = Make(false, ConnectionRoute.Auto);
        routes.Note(Node(), sameHost: true);
        Assert.Equal("127.0.0.1:30001", await routes.DialAsync("127.0.0.1:30001", default));
        Assert.Single(probe.Tried);
    }

    [Fact]
    public async Task AutoNeverProbesARemoteEngine()
    {
        var (routes, probe) = Make(true, ConnectionRoute.Auto);
        routes.Note(Node("tcp://10.250.1.2:2375"), sameHost: false);
        Assert.Equal("127.0.0.1:30001", await routes.DialAsync("127.0.0.1:30001", default));
        Assert.Empty(probe.Tried);
    }

    [Fact]
    public async Task PublishedAndDirectForceTheirPath()
    {
        var (published, p1) = Make(true, ConnectionRoute.Published);
        published.Note(Node(), sameHost: true);
        Assert.Equal("127.0.0.1:30001", await published.DialAsync("127.0.0.1:30001", default));
        var (direct, p2) = Make(false, ConnectionRoute.Direct);
        direct.Note(Node("tcp://10.250.1.2:2375"), sameHost: false);
        Assert.Equal("172.24.0.2:30001", await direct.DialAsync("127.0.0.1:30001", default));
        Assert.Empty(p1.Tried.Concat(p2.Tried));
    }

    [Fact]
    public async Task AnEndpointNoNodeReadNotedAndAForgottenOneUseThePublishedPort()
    {
        var (routes, _) = Make(true, ConnectionRoute.Direct);
        Assert.Equal("127.0.0.1:30009", await routes.DialAsync("127.0.0.1:30009", default));
        routes.Note(Node(), sameHost: true);
        routes.Forget("127.0.0.1:30001");
        Assert.Equal("127.0.0.1:30001", await routes.DialAsync("127.0.0.1:30001", default));
    }

    [Fact]
    public async Task AFailedDirectConnectSendsTheNetworkToThePublishedPorts()
    {
        var (routes, _) = Make(true, ConnectionRoute.Auto);
        routes.Note(Node(), sameHost: true);
        Assert.Equal("172.24.0.2:30001", await routes.DialAsync("127.0.0.1:30001", default));
        routes.MarkUnroutable("127.0.0.1:30001");
        Assert.Equal("127.0.0.1:30001", await routes.DialAsync("127.0.0.1:30001", default));
    }

    [Theory]
    [InlineData(null, ConnectionRoute.Auto)]
    [InlineData("", ConnectionRoute.Auto)]
    [InlineData("published", ConnectionRoute.Published)]
    [InlineData(" Direct ", ConnectionRoute.Direct)]
    [InlineData("AUTO", ConnectionRoute.Auto)]
    public void TheEnvironmentVariableNamesAMode(string? value, ConnectionRoute expected) =>
        Assert.Equal(expected, NodeRoutes.Parse(value));

    [Theory]
    [InlineData("fast")]
    [InlineData("1")]
    public void AnUnknownModeIsAnErrorNamingTheValidOnes(string value)
    {
        var e = Assert.Throws<RedisDockerException>(() => NodeRoutes.Parse(value));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("REDISDOCKER_ROUTE", e.Message);
        Assert.Contains("Auto, Published or Direct", e.Message);
    }

    [Theory]
    [InlineData("172.24.1.10", "172.24.1.1", 24, true)]
    [InlineData("172.24.2.10", "172.24.1.1", 24, false)]
    [InlineData("172.24.2.10", "172.24.1.1", 16, true)]
    [InlineData("10.250.3.2", "10.250.3.1", 30, true)]
    [InlineData("10.250.3.5", "10.250.3.1", 30, false)]
    public void SameSubnetComparesThePrefixBitsOnly(string a, string b, int prefix, bool same) =>
        Assert.Equal(same, NodeRoutes.SameSubnet(System.Net.IPAddress.Parse(a), System.Net.IPAddress.Parse(b), prefix));

    /// <summary>Found under load (NodeRouteIntegrationTests red beside other tests): the TCP probe timed out and sent
    /// a local bridge network to the published ports. An address on a network of this host's own interfaces now
    /// routes without a connect; loopback is never such a network.</summary>
    [Fact]
    public void AnAddressOnAnInterfacesOwnSubnetRoutesWithoutAConnect()
    {
        Assert.False(NodeRoutes.OnDirectlyConnectedNetwork(System.Net.IPAddress.Loopback));
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Down)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .First(u => u.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && !System.Net.IPAddress.IsLoopback(u.Address) && u.PrefixLength is > 0 and < 31);
        var bytes = own.Address.GetAddressBytes();
        bytes[3] = (byte)(bytes[3] ^ 1);   // a neighbour on the same subnet
        Assert.True(NodeRoutes.OnDirectlyConnectedNetwork(new System.Net.IPAddress(bytes)));
    }
}
