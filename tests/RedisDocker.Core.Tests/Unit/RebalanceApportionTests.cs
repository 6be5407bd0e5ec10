using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Optimize-RedisCluster's targets: found by running Optimize-RedisCluster -Weight @{ 'redis-7' = 0 }
/// (its help example 3), which left redis-7 one slot because rounded targets added up to 16383.</summary>
public class RebalanceApportionTests
{
    [Fact]
    public void A_weight_of_zero_gets_no_slot_and_the_others_share_all_16384()
    {
        var t = ClusterOperations.ApportionSlots(new[] { 1.0, 1.0, 1.0, 0.0 }, 16384);
        Assert.Equal(0, t[3]);
        Assert.Equal(16384, t.Sum());
        Assert.All(t.Take(3), n => Assert.InRange(n, 5461, 5462));
    }

    [Theory]
    [InlineData(new[] { 2.0, 1.0, 1.0 }, new[] { 8192, 4096, 4096 })]
    [InlineData(new[] { 1.0, 1.0, 1.0 }, new[] { 5462, 5461, 5461 })]
    [InlineData(new[] { 1.0, 1.0, 1.0, 1.0 }, new[] { 4096, 4096, 4096, 4096 })]
    public void Targets_follow_the_weights_and_add_up_to_every_slot(double[] weights, int[] expected)
    {
        Assert.Equal(expected, ClusterOperations.ApportionSlots(weights, 16384));
    }
}
