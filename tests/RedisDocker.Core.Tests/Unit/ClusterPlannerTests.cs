using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class ClusterPlannerTests
{
    private static List<(string Name, string Domain)> Nodes(int count, string domain = "local") =>
        Enumerable.Range(1, count).Select(i => ($"n{i}", domain)).ToList();

    [Fact]
    public void SplitSlots_Three_AsRedisCli()
    {
        var r = ClusterPlanner.SplitSlots(3);
        Assert.Equal(new[] { new SlotRange(0, 5460), new SlotRange(5461, 10922), new SlotRange(10923, 16383) }, r);
    }

    [Fact]
    public void SplitSlots_One_TakesEverything()
    {
        Assert.Equal(new[] { new SlotRange(0, 16383) }, ClusterPlanner.SplitSlots(1));
    }

    [Fact]
    public void SplitSlots_Four_ArePowerOfTwoQuarters()
    {
        Assert.Equal(new[] { new SlotRange(0, 4095), new SlotRange(4096, 8191), new SlotRange(8192, 12287), new SlotRange(12288, 16383) },
            ClusterPlanner.SplitSlots(4));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(48)]
    [InlineData(100)]
    public void SplitSlots_CoverAllSlotsWithoutGapsOrOverlaps_Evenly(int primaries)
    {
        var r = ClusterPlanner.SplitSlots(primaries);
        Assert.Equal(primaries, r.Count);
        Assert.Equal(0, r[0].Start);
        Assert.Equal(16383, r[^1].End);
        for (var i = 1; i < r.Count; i++) Assert.Equal(r[i - 1].End + 1, r[i].Start);
        Assert.All(r, x => Assert.True(x.End >= x.Start));
        Assert.Equal(16384, r.Sum(x => x.Count));
        Assert.True(r.Max(x => x.Count) - r.Min(x => x.Count) <= 1,
            $"sizes {string.Join(",", r.Select(x => x.Count))}");
        var floor = 16384 / primaries;
        Assert.All(r, x => Assert.InRange(x.Count, floor, floor + 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void SplitSlots_FewerThanOne_Throws(int primaries)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterPlanner.SplitSlots(primaries));
    }

    [Fact]
    public void Plan_SixNodesOneReplica_ThreePrimariesWithOneReplicaEach()
    {
        var plan = ClusterPlanner.Plan(Nodes(6), 1);
        Assert.Equal(3, plan.Primaries.Count);
        Assert.Equal(new[] { "n1", "n2", "n3" }, plan.Primaries.Select(p => p.Name));
        Assert.All(plan.Primaries, p => Assert.Single(p.Replicas));
        Assert.Equal(new[] { "n4", "n5", "n6" }, plan.Primaries.SelectMany(p => p.Replicas).OrderBy(x => x));
        Assert.Equal(ClusterPlanner.SplitSlots(3), plan.Primaries.Select(p => p.Slots));
        Assert.True(plan.AntiAffinityHeld); // a single failure domain: nothing to do
    }

    [Fact]
    public void Plan_SevenNodesOneReplica_OnePrimaryGetsTwo()
    {
        var plan = ClusterPlanner.Plan(Nodes(7), 1);
        Assert.Equal(3, plan.Primaries.Count);
        Assert.Equal(new[] { 1, 1, 2 }, plan.Primaries.Select(p => p.Replicas.Count).OrderBy(c => c));
        Assert.Equal(4, plan.Primaries.Sum(p => p.Replicas.Count));
        var all = plan.Primaries.Select(p => p.Name).Concat(plan.Primaries.SelectMany(p => p.Replicas)).ToList();
        Assert.Equal(7, all.Distinct().Count());
    }

    [Fact]
    public void Plan_TwoReplicasPerPrimary()
    {
        var plan = ClusterPlanner.Plan(Nodes(9), 2);
        Assert.Equal(3, plan.Primaries.Count);
        Assert.All(plan.Primaries, p => Assert.Equal(2, p.Replicas.Count));
    }

    [Fact]
    public void Plan_ZeroReplicas_ThreeNodesAreEnough()
    {
        var plan = ClusterPlanner.Plan(Nodes(3), 0);
        Assert.Equal(3, plan.Primaries.Count);
        Assert.All(plan.Primaries, p => Assert.Empty(p.Replicas));
        Assert.Equal(16384, plan.Primaries.Sum(p => p.Slots.Count));
    }

    [Fact]
    public void Plan_ZeroReplicas_FiveNodesMakeFivePrimaries()
    {
        var plan = ClusterPlanner.Plan(Nodes(5), 0);
        Assert.Equal(5, plan.Primaries.Count);
        Assert.Equal(16383, plan.Primaries[^1].Slots.End);
    }

    [Fact]
    public void Plan_FiveNodesOneReplica_IsTooSmall_WithTheArithmetic()
    {
        var ex = Assert.Throws<RedisDockerException>(() => ClusterPlanner.Plan(Nodes(5), 1));
        Assert.Equal(ErrorIds.ClusterTooSmall, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(5, ex.Target);
        Assert.Contains("3 × (1 + 1) = 6", ex.Message);
        Assert.Contains("5 were given", ex.Message);
        Assert.Contains("Add 1 node(s)", ex.Message);
    }

    [Fact]
    public void Plan_TwoNodesZeroReplicas_IsTooSmall()
    {
        var ex = Assert.Throws<RedisDockerException>(() => ClusterPlanner.Plan(Nodes(2), 0));
        Assert.Equal(ErrorIds.ClusterTooSmall, ex.ErrorId);
        Assert.Contains("3 × (1 + 0) = 3", ex.Message);
    }

    [Fact]
    public void Plan_SevenNodesTwoReplicas_IsTooSmall()
    {
        var ex = Assert.Throws<RedisDockerException>(() => ClusterPlanner.Plan(Nodes(7), 2));
        Assert.Contains("3 × (1 + 2) = 9", ex.Message);
        Assert.Contains("Add 2 node(s)", ex.Message);
    }

    [Fact]
    public void Plan_TwoDomains_ReplicasLandOnAnotherDomainThanTheirPrimary()
    {
        var nodes = new List<(string Name, string Domain)>
        {
            ("a1", "hostA"), ("a2", "hostA"), ("a3", "hostA"),
            ("b1", "hostB"), ("b2", "hostB"), ("b3", "hostB"),
        };
        var domain = nodes.ToDictionary(n => n.Name, n => n.Domain);
        var plan = ClusterPlanner.Plan(nodes, 1);

        Assert.True(plan.AntiAffinityHeld);
        Assert.Equal(3, plan.Primaries.Count);
        // primaries are spread over both domains
        Assert.Equal(2, plan.Primaries.Select(p => domain[p.Name]).Distinct().Count());
        foreach (var p in plan.Primaries)
        {
            var r = Assert.Single(p.Replicas);
            Assert.NotEqual(domain[p.Name], domain[r]);
        }
    }

    [Fact]
    public void Plan_OneDomain_AntiAffinityHeld()
    {
        var plan = ClusterPlanner.Plan(Nodes(8, "only-host"), 1);
        Assert.True(plan.AntiAffinityHeld);
        Assert.Equal(4, plan.Primaries.Count);
    }

    [Fact]
    public void Plan_TooFewNodesOnTheSecondDomain_AntiAffinityCannotHold()
    {
        // Three pairs need three nodes on each side; hostB has only two.
        var nodes = new List<(string Name, string Domain)>
        {
            ("a1", "hostA"), ("a2", "hostA"), ("a3", "hostA"), ("a4", "hostA"),
            ("b1", "hostB"), ("b2", "hostB"),
        };
        var plan = ClusterPlanner.Plan(nodes, 1);
        Assert.False(plan.AntiAffinityHeld);
        // Still a complete plan: every node used once, one replica per primary.
        Assert.Equal(3, plan.Primaries.Count);
        Assert.All(plan.Primaries, p => Assert.Single(p.Replicas));
        var all = plan.Primaries.Select(p => p.Name).Concat(plan.Primaries.SelectMany(p => p.Replicas));
        Assert.Equal(nodes.Select(n => n.Name).OrderBy(x => x), all.OrderBy(x => x));
    }

    [Fact]
    public void Plan_AllButOneNodeOnOneDomain_AntiAffinityCannotHold()
    {
        var nodes = new List<(string Name, string Domain)>
        {
            ("a1", "hostA"), ("a2", "hostA"), ("a3", "hostA"), ("a4", "hostA"), ("a5", "hostA"),
            ("b1", "hostB"),
        };
        var plan = ClusterPlanner.Plan(nodes, 1);
        Assert.False(plan.AntiAffinityHeld);
        Assert.Contains(plan.Primaries, p => p.Name == "b1"); // the lone host still gets a primary
    }
}
