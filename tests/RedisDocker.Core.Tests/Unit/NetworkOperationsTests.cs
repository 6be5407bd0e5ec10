using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class NetworkOperationsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("9")]
    [InlineData("redis-1")]
    [InlineData("Shop.Cache_01-a")]
    [InlineData("0.0")]
    public void ValidateName_Accepts(string name)
    {
        NetworkOperations.ValidateName(name, "node"); // does not throw
        Assert.Matches("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", name);
    }

    [Fact]
    public void ValidateName_Accepts63Characters()
    {
        var name = "a" + new string('b', 62);
        NetworkOperations.ValidateName(name, "node");
        Assert.Equal(63, name.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("-redis")]
    [InlineData("_redis")]
    [InlineData(".redis")]
    [InlineData("redis 1")]
    [InlineData("redis/1")]
    [InlineData("redis:1")]
    [InlineData("rédis")]
    [InlineData("redis@host")]
    [InlineData(" redis")]
    public void ValidateName_Refuses(string name)
    {
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateName(name, "node"));
        Assert.Equal(ErrorIds.InvalidName, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(name, ex.Target);
        Assert.Contains($"'{name}' is not a valid node name", ex.Message);
    }

    [Fact]
    public void ValidateName_Refuses64Characters()
    {
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateName(new string('a', 64), "network"));
        Assert.Contains("is not a valid network name", ex.Message);
        Assert.Contains("1-63", ex.Message);
    }

    [Theory]
    [InlineData("redis-1", "redis-1", true)]
    [InlineData("Redis-1", "redis-1", true)]
    [InlineData("redis-1", "redis-2", false)]
    [InlineData("redis-1", "redis-*", true)]
    [InlineData("redis-12", "redis-*", true)]
    [InlineData("redis-", "redis-*", true)]
    [InlineData("other-1", "redis-*", false)]
    [InlineData("REDIS-1", "redis-*", true)]
    [InlineData("redis-1", "*", true)]
    [InlineData("", "*", true)]
    [InlineData("redis-1", "redis-?", true)]
    [InlineData("redis-12", "redis-?", false)]
    [InlineData("shop-cache-3", "*cache*", true)]
    [InlineData("a.b", "a.b", true)]
    [InlineData("axb", "a.*", false)]     // '.' is literal, not a regex dot
    [InlineData("a.b", "a.*", true)]
    [InlineData("a+b", "a+*", true)]
    [InlineData("aab", "a+*", false)]
    [InlineData("x-redis-1", "redis-*", false)] // anchored at the start
    [InlineData("redis-1x", "redis-?", false)]   // anchored at the end
    public void WildcardMatch(string value, string pattern, bool expected)
    {
        Assert.Equal(expected, NetworkOperations.WildcardMatch(value, pattern));
    }

    private static DockerNetwork Net(string name, params string[] subnets) => new()
    {
        Id = "id-" + name,
        Name = name,
        Subnets = subnets.Select(s => new IpamSubnet(s, null, null)).ToArray(),
    };

    [Fact]
    public void PickFreeSubnet_NothingUsed_First172_28Slash24()
    {
        Assert.Equal("172.28.0.0/24", NetworkOperations.PickFreeSubnet(Array.Empty<DockerNetwork>()).ToString());
    }

    [Fact]
    public void PickFreeSubnet_DockerDefaults_DoNotCollide()
    {
        var existing = new[] { Net("bridge", "172.17.0.0/16"), Net("compose_default", "172.18.0.0/16"), Net("host") };
        Assert.Equal("172.28.0.0/24", NetworkOperations.PickFreeSubnet(existing).ToString());
    }

    [Fact]
    public void PickFreeSubnet_SkipsUsedSlash24s()
    {
        var existing = new[] { Net("a", "172.28.0.0/24"), Net("b", "172.28.1.0/24", "fd00:1::/64"), Net("c", "172.28.3.0/24") };
        Assert.Equal("172.28.2.0/24", NetworkOperations.PickFreeSubnet(existing).ToString());
    }

    [Fact]
    public void PickFreeSubnet_SkipsALargerOverlappingSubnet()
    {
        var existing = new[] { Net("wide", "172.28.0.0/16") };
        Assert.Equal("172.29.0.0/24", NetworkOperations.PickFreeSubnet(existing).ToString());
        var wider = new[] { Net("wider", "172.28.0.0/15") };
        Assert.Equal("172.30.0.0/24", NetworkOperations.PickFreeSubnet(wider).ToString());
    }

    [Fact]
    public void PickFreeSubnet_SkipsASmallerSubnetInsideACandidate()
    {
        var existing = new[] { Net("tiny", "172.28.0.64/26") };
        Assert.Equal("172.28.1.0/24", NetworkOperations.PickFreeSubnet(existing).ToString());
    }

    [Fact]
    public void PickFreeSubnet_IgnoresUnparsableSubnets()
    {
        var existing = new[] { Net("v6", "fd00::/64"), Net("junk", "nonsense") };
        Assert.Equal("172.28.0.0/24", NetworkOperations.PickFreeSubnet(existing).ToString());
    }

    [Fact]
    public void PickFreeSubnet_ResultIsPrivate()
    {
        var existing = Enumerable.Range(0, 256).Select(i => Net($"n{i}", $"172.28.{i}.0/24")).ToArray();
        var picked = NetworkOperations.PickFreeSubnet(existing);
        Assert.Equal("172.29.0.0/24", picked.ToString());
        Assert.True(picked.IsPrivate);
    }

    [Fact]
    public void PickFreeSubnet_Exhausted_Throws()
    {
        var existing = new[] { Net("all", "172.16.0.0/12") };
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.PickFreeSubnet(existing));
        Assert.Equal(ErrorIds.InvalidSubnet, ex.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
        Assert.Contains("-Subnet", ex.Message);
    }

    private static DockerNetwork Lan(string subnet = "172.28.0.0/24", string? gateway = "172.28.0.1", params (string Name, string Ip)[] containers) => new()
    {
        Id = "netid",
        Name = "shop",
        Subnets = new[] { new IpamSubnet(subnet, gateway, null) },
        Containers = containers.Select(c => new NetworkContainer("cid-" + c.Name, c.Name, c.Ip, "02:42:ac:1c:00:0a")).ToArray(),
    };

    [Fact]
    public void FreeAddresses_StartAtDot10_SkipTakenAndStopBeforeBroadcast()
    {
        var net = Lan(containers: new[] { ("shop-1", "172.28.0.10"), ("shop-2", "172.28.0.12") });
        var free = NetworkOperations.FreeAddresses(net, new HashSet<string> { "172.28.0.13" }).ToList();
        Assert.Equal("172.28.0.11", free[0]);
        Assert.Equal("172.28.0.14", free[1]);
        Assert.DoesNotContain("172.28.0.10", free);
        Assert.DoesNotContain("172.28.0.12", free);
        Assert.DoesNotContain("172.28.0.13", free);
        Assert.Equal("172.28.0.254", free[^1]);
        Assert.Equal(254 - 9 - 3, free.Count);
    }

    [Fact]
    public void FreeAddresses_SmallSubnet_StartsAfterTheGateway()
    {
        var net = Lan("10.9.0.0/29", "10.9.0.1");
        Assert.Equal(new[] { "10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6" },
            NetworkOperations.FreeAddresses(net, new HashSet<string>()));
    }

    [Fact]
    public void FreeAddresses_SkipAGatewayPlacedInTheRange()
    {
        var net = Lan("172.28.0.0/24", "172.28.0.10");
        Assert.Equal("172.28.0.11", NetworkOperations.FreeAddresses(net, new HashSet<string>()).First());
    }

    [Fact]
    public void FreeAddresses_NoIPv4Subnet_IsEmpty()
    {
        Assert.Empty(NetworkOperations.FreeAddresses(new DockerNetwork { Id = "i", Name = "none" }, new HashSet<string>()));
        Assert.Empty(NetworkOperations.FreeAddresses(Lan("fd00::/64", null), new HashSet<string>()));
    }

    [Fact]
    public void ValidateAddressFree_AcceptsAFreeHostAddress()
    {
        var net = Lan(containers: new[] { ("shop-1", "172.28.0.10") });
        var a = NetworkOperations.ValidateAddressFree(net, "172.28.0.20");
        Assert.Equal("172.28.0.20", IPv4Cidr.Format(a));
        Assert.Equal("172.28.0.254", IPv4Cidr.Format(NetworkOperations.ValidateAddressFree(net, "172.28.0.254")));
        Assert.Equal("172.28.0.2", IPv4Cidr.Format(NetworkOperations.ValidateAddressFree(net, "172.28.0.2")));
    }

    [Theory]
    [InlineData("172.29.0.20")]   // outside the subnet
    [InlineData("10.0.0.1")]
    [InlineData("172.28.0.0")]    // network address
    [InlineData("172.28.0.255")]  // broadcast
    public void ValidateAddressFree_NotAHostAddress(string ip)
    {
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateAddressFree(Lan(), ip));
        Assert.Equal(ErrorIds.IPAddressInvalid, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(ip, ex.Target);
        Assert.Contains($"{ip} is not a host address of network 'shop' (172.28.0.0/24)", ex.Message);
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("172.28.0")]
    [InlineData("fd00::10")]
    public void ValidateAddressFree_NotIPv4(string ip)
    {
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateAddressFree(Lan(), ip));
        Assert.Equal(ErrorIds.IPAddressInvalid, ex.ErrorId);
        Assert.Contains("is not an IPv4 address", ex.Message);
    }

    [Fact]
    public void ValidateAddressFree_Gateway_IsTaken()
    {
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateAddressFree(Lan(), "172.28.0.1"));
        Assert.Equal(ErrorIds.IPAddressTaken, ex.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, ex.Kind);
        Assert.Contains("(gateway)", ex.Message);
    }

    [Fact]
    public void ValidateAddressFree_UsedByAContainer_IsTaken()
    {
        var net = Lan(containers: new[] { ("shop-1", "172.28.0.10") });
        var ex = Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateAddressFree(net, "172.28.0.10"));
        Assert.Equal(ErrorIds.IPAddressTaken, ex.ErrorId);
        Assert.Contains("172.28.0.10 is already used on network 'shop'", ex.Message);
        Assert.DoesNotContain("(gateway)", ex.Message);
    }

    [Fact]
    public void ValidateAddressFree_NetworkWithoutIPv4Subnet()
    {
        var ex = Assert.Throws<RedisDockerException>(() =>
            NetworkOperations.ValidateAddressFree(new DockerNetwork { Id = "i", Name = "auto" }, "172.28.0.10"));
        Assert.Equal(ErrorIds.IPAddressInvalid, ex.ErrorId);
        Assert.Contains("has no IPv4 subnet of its own", ex.Message);
    }
}
