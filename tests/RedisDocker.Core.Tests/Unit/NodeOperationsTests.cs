using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class NodeOperationsTests
{
    [Fact]
    public void Next_NothingTaken_CountsFromOne()
    {
        Assert.Equal(new[] { "shop-1", "shop-2", "shop-3" }, NodeNaming.Next("shop", 3, new HashSet<string>()));
    }

    [Fact]
    public void Next_SkipsTakenNames()
    {
        var taken = new HashSet<string> { "shop-1", "shop-3", "shop-4", "other-2" };
        Assert.Equal(new[] { "shop-2", "shop-5", "shop-6" }, NodeNaming.Next("shop", 3, taken));
    }

    [Fact]
    public void Next_RespectsTheSetsComparer()
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "SHOP-1" };
        Assert.Equal(new[] { "shop-2" }, NodeNaming.Next("shop", 1, taken));
    }

    [Fact]
    public void Next_Zero_IsEmpty()
    {
        Assert.Empty(NodeNaming.Next("shop", 0, new HashSet<string> { "shop-1" }));
    }

    [Fact]
    public void Next_PrefixWithDigits()
    {
        var taken = new HashSet<string> { "shop-sentinel-1" };
        Assert.Equal(new[] { "shop-sentinel-2", "shop-sentinel-3" }, NodeNaming.Next("shop-sentinel", 2, taken));
    }

    [Fact]
    public void ParseRole_Master()
    {
        // ROLE on a primary: master, offset, [[ip, port, offset], ...]
        var reply = RespValue.FromArray(
            RespValue.FromBulk("master"),
            RespValue.FromInteger(3129659),
            RespValue.FromArray(
                RespValue.FromArray(RespValue.FromBulk("172.28.0.12"), RespValue.FromBulk("6379"), RespValue.FromBulk("3129242")),
                RespValue.FromArray(RespValue.FromBulk("172.28.0.13"), RespValue.FromBulk("6379"), RespValue.FromBulk("3129543"))));
        Assert.Equal((RedisRole.Primary, (string?)null), NodeOperations.ParseRole(reply));
    }

    [Fact]
    public void ParseRole_MasterWithoutReplicas()
    {
        var reply = RespValue.FromArray(RespValue.FromBulk("master"), RespValue.FromInteger(0), RespValue.FromArray(Array.Empty<RespValue>()));
        Assert.Equal(RedisRole.Primary, NodeOperations.ParseRole(reply).Role);
    }

    [Fact]
    public void ParseRole_Slave_ReportsThePrimaryEndpoint()
    {
        // ROLE on a replica: slave, primary ip, primary port, state, offset
        var reply = RespValue.FromArray(
            RespValue.FromBulk("slave"), RespValue.FromBulk("172.28.0.11"), RespValue.FromInteger(6379),
            RespValue.FromBulk("connected"), RespValue.FromInteger(3167038));
        var (role, primary) = NodeOperations.ParseRole(reply);
        Assert.Equal(RedisRole.Replica, role);
        Assert.Equal("172.28.0.11:6379", primary);
    }

    [Fact]
    public void ParseRole_SlaveStillConnecting()
    {
        var reply = RespValue.FromArray(
            RespValue.FromBulk("slave"), RespValue.FromBulk("172.28.0.11"), RespValue.FromInteger(7000),
            RespValue.FromBulk("connect"), RespValue.FromInteger(-1));
        Assert.Equal((RedisRole.Replica, "172.28.0.11:7000"), NodeOperations.ParseRole(reply));
    }

    [Fact]
    public void ParseRole_Replica_SimpleStrings()
    {
        var reply = RespValue.FromArray(RespValue.FromSimple("replica"), RespValue.FromSimple("10.0.0.5"), RespValue.FromInteger(6380));
        Assert.Equal((RedisRole.Replica, "10.0.0.5:6380"), NodeOperations.ParseRole(reply));
    }

    [Fact]
    public void ParseRole_SlaveWithoutPrimaryDetails()
    {
        var reply = RespValue.FromArray(RespValue.FromBulk("slave"));
        Assert.Equal((RedisRole.Replica, (string?)null), NodeOperations.ParseRole(reply));
    }

    [Fact]
    public void ParseRole_Sentinel()
    {
        // ROLE on a sentinel: sentinel, [master names]
        var reply = RespValue.FromArray(RespValue.FromBulk("sentinel"), RespValue.FromArray(RespValue.FromBulk("shop")));
        Assert.Equal((RedisRole.Sentinel, (string?)null), NodeOperations.ParseRole(reply));
    }

    [Fact]
    public void ParseRole_Error_IsUnknown()
    {
        Assert.Equal((RedisRole.Unknown, (string?)null), NodeOperations.ParseRole(RespValue.FromError("NOAUTH Authentication required.")));
        Assert.Equal(RedisRole.Unknown, NodeOperations.ParseRole(RespValue.FromError("LOADING Redis is loading the dataset in memory")).Role);
    }

    [Fact]
    public void ParseRole_NotAnArrayOrEmpty_IsUnknown()
    {
        Assert.Equal(RedisRole.Unknown, NodeOperations.ParseRole(RespValue.Nil).Role);
        Assert.Equal(RedisRole.Unknown, NodeOperations.ParseRole(RespValue.FromBulk("master")).Role);
        Assert.Equal(RedisRole.Unknown, NodeOperations.ParseRole(RespValue.FromArray(Array.Empty<RespValue>())).Role);
        Assert.Equal(RedisRole.Unknown, NodeOperations.ParseRole(RespValue.FromArray(RespValue.FromBulk("witness"))).Role);
    }
}
