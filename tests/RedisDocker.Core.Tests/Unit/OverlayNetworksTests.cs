using RedisDocker.Core.Docker;
using RedisDocker.Core.Swarm;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class OverlayNetworksTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Bridge", null)]
    [InlineData("bridge", null)]
    [InlineData("Overlay", "overlay")]
    [InlineData("OVERLAY", "overlay")]
    public void NormalizeDriver_TakesBridgeAndOverlay(string? given, string? expected) =>
        Assert.Equal(expected, OverlayNetworks.NormalizeDriver(given));

    [Theory]
    [InlineData("macvlan")]
    [InlineData("host")]
    public void NormalizeDriver_RefusesOtherDrivers(string given)
    {
        var e = Assert.Throws<RedisDockerException>(() => OverlayNetworks.NormalizeDriver(given));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("Overlay", e.Message);
    }

    [Theory]
    [InlineData("172.30.5.0/24", "172.30.5.0/27")]
    [InlineData("10.8.0.0/16", "10.8.0.0/19")]
    [InlineData("172.30.5.0/28", "172.30.5.0/29")]
    public void DynamicRange_IsTheFirstEighthAndAtLeastEightAddresses(string subnet, string expected) =>
        Assert.Equal(expected, OverlayNetworks.DynamicRangeOf(IPv4Cidr.Parse(subnet)).ToString());

    [Fact]
    public void FreeAddresses_OfAnOverlay_StartAboveDockersOwnRange()
    {
        // The load-balancer endpoints of two engines (.2, .3) and a node above the range (.32).
        var net = new DockerNetwork
        {
            Id = "ov", Name = "shop", Scope = "swarm", Driver = "overlay",
            Subnets = new[] { new IpamSubnet("172.30.5.0/24", "172.30.5.1", "172.30.5.0/27") },
            Containers = new[]
            {
                new NetworkContainer("lb-shop", "shop-endpoint", "172.30.5.2", ""),
                new NetworkContainer("lb-shop", "shop-endpoint", "172.30.5.3", ""),
                new NetworkContainer("c1", "shop-1", "172.30.5.32", ""),
            },
        };
        var free = NetworkOperations.FreeAddresses(net, new HashSet<string> { "172.30.5.34" }).Take(3).ToArray();
        Assert.Equal(new[] { "172.30.5.33", "172.30.5.35", "172.30.5.36" }, free);
    }
}
