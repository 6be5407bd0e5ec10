using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

public class NetworkIntegrationTests : DockerTestBase
{
    public NetworkIntegrationTests() : base("net") { }

    [Fact]
    public async Task CreateReadAndRemoveANetworkWithLabels()
    {
        var net = await NewNetworkAsync();
        Assert.Equal(Topology, net.Name);
        Assert.Equal(Topology, net.Topology);
        Assert.NotNull(net.Subnet);
        Assert.True(IPv4Cidr.Parse(net.Subnet!).IsPrivate);
        Assert.Equal("true", net.Labels[Labels.Managed]);

        var listed = await Networks.GetAsync(null, Topology, Ct);
        Assert.Single(listed);
        Assert.Equal(net.Id, listed[0].Id);
        var wildcard = await Networks.GetAsync(Topology[..5] + "*", null, Ct);
        Assert.Contains(wildcard, n => n.Id == net.Id);

        await Networks.RemoveAsync(net.Name, force: false, Ct);
        Assert.Empty(await Networks.GetAsync(null, Topology, Ct));
    }

    [Fact]
    public async Task NameAlreadyTakenIsRefused()
    {
        var net = await NewNetworkAsync();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.CreateAsync(new NetworkSpec { Name = net.Name, Subnet = "172.31.250.0/24", Topology = Topology }, Ct));
        Assert.Equal(ErrorIds.NetworkNameTaken, e.ErrorId);
    }

    [Theory]
    [InlineData("172.28.0.0", ErrorIds.InvalidSubnet)]
    [InlineData("172.28.0.1/16", ErrorIds.InvalidSubnet)]
    [InlineData("not-a-subnet", ErrorIds.InvalidSubnet)]
    [InlineData("172.38.0.0/16", ErrorIds.InvalidSubnet)]   // the tutorials' public range
    public async Task InvalidSubnetsAreRefusedAndNothingIsCreated(string subnet, string errorId)
    {
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.CreateAsync(new NetworkSpec { Name = Topology, Subnet = subnet }, Ct));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectNetworkAsync(Topology, Ct));
    }

    [Fact]
    public async Task OverlappingSubnetIsRefusedWithTheOtherNetworksName()
    {
        var net = await NewNetworkAsync();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.CreateAsync(new NetworkSpec { Name = Topology + "-b", Subnet = net.Subnet, Topology = Topology }, Ct));
        Assert.Equal(ErrorIds.SubnetOverlap, e.ErrorId);
        Assert.Contains(net.Name, e.Message);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectNetworkAsync(Topology + "-b", Ct));
    }

    [Fact]
    public async Task GatewayOutsideTheSubnetIsRefused()
    {
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.CreateAsync(new NetworkSpec { Name = Topology, Subnet = "172.31.251.0/24", Gateway = "172.31.252.1" }, Ct));
        Assert.Equal(ErrorIds.IPAddressInvalid, e.ErrorId);
    }

    [Fact]
    public async Task RemovingANetworkWithNodesRefusesUnlessForced()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 1);
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.RemoveAsync(net.Name, force: false, Ct));
        Assert.Equal(ErrorIds.NetworkInUse, e.ErrorId);
        Assert.Contains(nodes[0].Name, e.Message);

        await Networks.RemoveAsync(net.Name, force: true, Ct);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectNetworkAsync(net.Name, Ct));
        Assert.Null(await docker.InspectContainerAsync(nodes[0].Name, Ct));
        Assert.DoesNotContain(await docker.ListVolumesAsync(Labels.ForTopology(Topology), Ct), v => v.Name == nodes[0].DataVolume);
    }

    [Fact]
    public async Task ANodeJoinsASecondNetworkAndLeavesIt()
    {
        var net = await NewNetworkAsync();
        var second = await NewNetworkAsync(Topology + "-b");
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var ip = NetworkOperations.FreeAddresses((await Networks.RequireAsync(second.Name, Ct)), new HashSet<string>()).First();

        await Networks.ConnectAsync(node.Name, second.Name, ip, Ct);
        var docker = await Session.GetDockerAsync(Ct);
        var info = await docker.InspectContainerAsync(node.Name, Ct);
        Assert.Equal(ip, info!.Networks[second.Name].IPAddress);

        var refused = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.DisconnectAsync(node.Name, net.Name, force: false, Ct));
        Assert.Equal(ErrorIds.NetworkInUse, refused.ErrorId);

        await Networks.DisconnectAsync(node.Name, second.Name, force: false, Ct);
        info = await docker.InspectContainerAsync(node.Name, Ct);
        Assert.False(info!.Networks.ContainsKey(second.Name));
    }
}
