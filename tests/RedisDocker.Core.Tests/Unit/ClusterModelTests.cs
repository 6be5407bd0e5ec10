using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class ClusterModelTests
{
    [Fact]
    public void FromSlots_SortsMergesAndDeduplicates()
    {
        var r = SlotRange.FromSlots(new[] { 10, 3, 1, 2, 2, 5, 4, 16383, 11, 100 });
        Assert.Equal(new[] { new SlotRange(1, 5), new SlotRange(10, 11), new SlotRange(100, 100), new SlotRange(16383, 16383) }, r);
    }

    [Fact]
    public void FromSlots_ContiguousBecomesOneRange()
    {
        var r = SlotRange.FromSlots(Enumerable.Range(0, 5461).Reverse());
        Assert.Equal(new SlotRange(0, 5460), Assert.Single(r));
    }

    [Fact]
    public void FromSlots_Empty()
    {
        Assert.Empty(SlotRange.FromSlots(Array.Empty<int>()));
    }

    [Fact]
    public void ToString_RangeOrSingleSlot()
    {
        Assert.Equal("0-5460", new SlotRange(0, 5460).ToString());
        Assert.Equal("7", new SlotRange(7, 7).ToString());
        Assert.Equal("0", new SlotRange(0, 0).ToString());
    }

    [Fact]
    public void Count_IsInclusive()
    {
        Assert.Equal(5461, new SlotRange(0, 5460).Count);
        Assert.Equal(1, new SlotRange(42, 42).Count);
        Assert.Equal(16384, new SlotRange(0, 16383).Count);
    }

    private static RedisClusterNode Node(IReadOnlyList<string> flags, IReadOnlyList<SlotRange> ranges) => new()
    {
        NodeId = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca",
        Cluster = "shop",
        ContainerEndpoint = "172.28.0.11:6379",
        Role = RedisRole.Primary,
        Flags = flags,
        SlotRanges = ranges,
    };

    [Fact]
    public void ClusterNode_SlotsText_AsRedisCliPrintsIt()
    {
        var n = Node(new[] { "master" }, new[] { new SlotRange(0, 5460), new SlotRange(7000, 7000), new SlotRange(9000, 9001) });
        Assert.Equal("0-5460,7000,9000-9001", n.Slots);
        Assert.Equal(5461 + 1 + 2, n.SlotCount);
    }

    [Fact]
    public void ClusterNode_NoSlots()
    {
        var n = Node(new[] { "slave" }, Array.Empty<SlotRange>());
        Assert.Equal("", n.Slots);
        Assert.Equal(0, n.SlotCount);
    }

    [Theory]
    [InlineData("master", false)]
    [InlineData("myself,master", false)]
    [InlineData("master,fail?", true)]
    [InlineData("master,fail", true)]
    [InlineData("slave,fail,noaddr", true)]
    [InlineData("handshake", false)]
    [InlineData("nofailover,slave", false)]
    public void ClusterNode_Failing(string flags, bool failing)
    {
        Assert.Equal(failing, Node(flags.Split(','), Array.Empty<SlotRange>()).Failing);
    }

    [Fact]
    public void ClusterNode_NameFallsBackToId()
    {
        var n = Node(new[] { "master" }, Array.Empty<SlotRange>());
        Assert.Equal(n.NodeId, n.NodeName);
        Assert.Equal(n.NodeId, n.ToString());
        var named = n with { Name = "shop-1" };
        Assert.Equal("shop-1", named.NodeName);
        Assert.Equal("shop-1", named.ToString());
    }

    [Fact]
    public void SlotMoveResult_SlotRangesText()
    {
        var r = new SlotMoveResult("shop", "shop-1", "shop-4", 3, 10, new[] { new SlotRange(0, 1), new SlotRange(5, 5) });
        Assert.Equal("0-1,5", r.SlotRanges);
    }
}
