using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

public class ClusterIntegrationTests : DockerTestBase
{
    public ClusterIntegrationTests() : base("cl") { }

    private async Task<(RedisNetwork Net, IReadOnlyList<RedisNode> Nodes, RedisCluster Cluster)> SixNodeClusterAsync()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        var cluster = await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        return (net, nodes, cluster);
    }

    private async Task AssertHealthyAsync(int? replicasPerPrimary = null)
    {
        var checks = await Clusters.TestAsync(Topology, replicasPerPrimary, Ct);
        Assert.All(checks, c => Assert.True(c.Passed, c.ToString()));
    }

    [Fact]
    public async Task SixNodesMakeThreePrimariesWithOneReplicaEachReachableFromTheHost()
    {
        var (_, nodes, cluster) = await SixNodeClusterAsync();
        Assert.Equal("ok", cluster.State);
        Assert.Equal(16384, cluster.SlotsAssigned);
        Assert.Equal(3, cluster.Primaries);
        Assert.Equal(3, cluster.Replicas);
        Assert.Equal(6, cluster.KnownNodes);

        // Every node reports ok, itself.
        foreach (var n in nodes)
        {
            await using var conn = await ConnectAsync(n);
            Assert.Contains("cluster_state:ok", (await conn.ExecuteAsync("CLUSTER", "INFO")).AsString());
        }
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var primaries = members.Where(m => m.Role == RedisRole.Primary).ToList();
        Assert.Equal(new[] { "0-5460", "5461-10922", "10923-16383" }, primaries.Select(p => p.Slots));
        Assert.All(primaries, p => Assert.Single(p.Replicas));
        Assert.All(members, m => Assert.StartsWith("127.0.0.1:", m.HostEndpoint));
        Assert.All(members, m => Assert.NotNull(m.Name));
        Assert.All(members.Where(m => m.Role == RedisRole.Replica), r => Assert.Contains(r.PrimaryName!, primaries.Select(p => p.Name)));
        await AssertHealthyAsync(1);

        // SET/GET from the host through redirects: the command first goes to a node that does not own the slot.
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        for (var i = 0; i < 30; i++)
            Assert.Equal("OK", (await router.ExecuteAsync(new object[] { "SET", $"key{i}", $"value{i}" }, Ct)).AsString());
        for (var i = 0; i < 30; i++)
            Assert.Equal($"value{i}", (await router.ExecuteAsync(new object[] { "GET", $"key{i}" }, Ct)).AsString());
        var cmd = Session.Workflows(Sink).Commands;
        Assert.Equal("OK", await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", "a", "b" }, Ct));
        Assert.Equal("b", await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "a" }, Ct));

        // A node that does not own 'a' answers MOVED with the owner's host endpoint (cluster-announce-hostname):
        // any client on the host follows it; the map knows it too.
        var owner = primaries.First(p => p.SlotRanges.Any(r => r.Start <= 15495 && 15495 <= r.End));
        var other = nodes.First(n => n.Name != owner.Name && members.First(m => m.Name == n.Name).Role == RedisRole.Primary);
        await using (var conn = await ConnectAsync(other))
        {
            var moved = await conn.SendAsync(new object[] { "GET", "a" }, Ct);
            Assert.True(moved.IsError);
            Assert.Equal("MOVED 15495 " + owner.HostEndpoint, moved.Text);
        }

        // The router's slot map goes stale when slot 15495 moves: it follows MOVED through the endpoint map.
        await Clusters.MoveSlotsAsync(Topology, owner.Name!, other.Name, null, new[] { new SlotRange(15495, 15495) }, Ct);
        Assert.Equal("b", (await router.ExecuteAsync(new object[] { "GET", "a" }, Ct)).AsString());
        Assert.Contains(Sink.Lines, l => l.Contains("MOVED 15495", StringComparison.Ordinal));
        // The session's kept router (opened by the calls above, its map as stale) narrates the MOVED to the
        // current call's sink, as Invoke-RedisCommand -Cluster -Verbose shows it, not to the opener's.
        var later = new RecordingSink();
        var laterCmd = Session.Workflows(later).Commands;
        Assert.Equal("b", await laterCmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "a" }, Ct));
        Assert.Contains(later.Lines, l => l.Contains("MOVED 15495", StringComparison.Ordinal));
        await AssertHealthyAsync(1);
    }

    [Fact]
    public async Task KilledPrimaryIsReplacedByItsReplicaAndRejoinsAsReplica()
    {
        await SixNodeClusterAsync();
        var cmd = Session.Workflows(Sink).Commands;
        Assert.Equal("OK", await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", "a", "b" }, Ct));
        // WAIT for the replica so the key is on it before the primary dies.
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var owner = members.First(m => m.Role == RedisRole.Primary && m.SlotRanges.Any(r => r.Start <= 15495 && 15495 <= r.End));
        var ownerNode = await Nodes.GetOneAsync(owner.Name!, Ct);
        await using (var conn = await ConnectAsync(ownerNode))
            Assert.Equal(1, (await conn.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        var replica = members.First(m => m.PrimaryId == owner.NodeId);

        await Nodes.KillAsync(owner.Name!, Ct);
        // Forced failover promotes at once, without waiting for the node timeout.
        var result = await Session.Workflows(Sink).Failover.FailoverToAsync(Topology, replica.Name!, ClusterFailoverMode.Force, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(replica.Name, result.NewPrimary);
        Assert.Equal(owner.Name, result.OldPrimary);
        Assert.Equal("Force", result.Mode);
        Assert.Equal("b", await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "a" }, Ct));

        // The old primary comes back and rejoins as a replica of its former replica.
        await Nodes.StartAsync(owner.Name!, Ct);
        string? role = null;
        await Waiter.UntilAsync(Sink, "old primary rejoining", TimeSpan.FromSeconds(60), async c =>
        {
            var now = await Clusters.GetNodesAsync(Topology, c);
            var back = now.First(m => m.Name == owner.Name);
            role = $"{back.Role} of {back.PrimaryName} flags {string.Join(",", back.Flags)}";
            return (back.Role == RedisRole.Replica && back.PrimaryName == replica.Name && !back.Failing, role);
        }, Ct);
        await Waiter.UntilAsync(Sink, "cluster healthy", TimeSpan.FromSeconds(60), async c =>
        {
            var checks = await Clusters.TestAsync(Topology, 1, c);
            return (checks.All(x => x.Passed), string.Join("; ", checks.Where(x => !x.Passed)));
        }, Ct);
        Assert.Equal("b", await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "a" }, Ct));
    }

    [Fact]
    public async Task KilledPrimaryIsReplacedAutomaticallyAfterTheNodeTimeout()
    {
        await SixNodeClusterAsync();
        var cmd = Session.Workflows(Sink).Commands;
        await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", "a", "b" }, Ct);
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var owner = members.First(m => m.Role == RedisRole.Primary && m.SlotRanges.Any(r => r.Start <= 15495 && 15495 <= r.End));
        await using (var conn = await ConnectAsync(await Nodes.GetOneAsync(owner.Name!, Ct)))
            Assert.Equal(1, (await conn.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        var replica = members.First(m => m.PrimaryId == owner.NodeId);
        await Nodes.KillAsync(owner.Name!, Ct);
        object? value = null;
        await Waiter.UntilAsync(Sink, "automatic failover", TimeSpan.FromSeconds(60), async c =>
        {
            try { value = await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "a" }, c); }
            catch (Exception e) when (e is RedisDockerException or RedisException) { return (false, e.Message); }
            return (Equals(value, "b"), $"GET a = {value}");
        }, Ct, pollMs: 250);
        // The GET found the promoted replica through one node's view; Get-RedisClusterNode asks the first answering
        // node, which learns of the promotion from the replica's broadcast, a moment later when it is loaded.
        await Waiter.UntilAsync(Sink, "the cluster view showing the promotion", TimeSpan.FromSeconds(30), async c =>
        {
            var role = (await Clusters.GetNodesAsync(Topology, c)).First(m => m.Name == replica.Name).Role;
            return (role == RedisRole.Primary, $"{replica.Name} is {role}");
        }, Ct, pollMs: 250);
    }

    [Fact]
    public async Task CoordinatedFailoverSwapsRolesWithoutLosingAcknowledgedWrites()
    {
        await SixNodeClusterAsync();
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var replica = members.First(m => m.Role == RedisRole.Replica);
        var primary = members.First(m => m.NodeId == replica.PrimaryId);
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        // Keys in the replica's primary's slots, acknowledged by a replica.
        var primaryNode = await Nodes.GetOneAsync(primary.Name!, Ct);
        await using var conn = await ConnectAsync(primaryNode);
        var keys = Enumerable.Range(0, 5000).Select(i => $"k{i}").Where(k => primary.SlotRanges.Any(r => r.Start <= ClusterSlot.GetSlot(k) && ClusterSlot.GetSlot(k) <= r.End)).Take(200).ToList();
        foreach (var k in keys) await conn.ExecuteAsync("SET", k, k);
        Assert.Equal(1, (await conn.ExecuteAsync("WAIT", 1, 5000)).AsInt64());

        var result = await Session.Workflows(Sink).Failover.FailoverToAsync(Topology, replica.Name!, ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal("Coordinated", result.Mode);
        Assert.Equal(0, result.LostWrites);
        var after = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(RedisRole.Primary, after.First(m => m.Name == replica.Name).Role);
        Assert.Equal(RedisRole.Replica, after.First(m => m.Name == primary.Name).Role);
        foreach (var k in keys) Assert.Equal(k, (await router.ExecuteAsync(new object[] { "GET", k }, Ct)).AsString());
    }

    [Fact]
    public async Task SevenNodesGiveTheExtraReplicaToAPrimary()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 7, cluster: true);
        var cluster = await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        Assert.Equal(3, cluster.Primaries);
        Assert.Equal(4, cluster.Replicas);
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var counts = members.Where(m => m.Role == RedisRole.Primary).Select(p => p.Replicas.Count).OrderBy(x => x).ToArray();
        Assert.Equal(new[] { 1, 1, 2 }, counts);
        await AssertHealthyAsync(1);
    }

    [Fact]
    public async Task GrowReshardAndShrinkWithoutLosingKeys()
    {
        var (net, _, _) = await SixNodeClusterAsync();
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        const int keyCount = 2000;
        var pipelineByNode = new Dictionary<string, List<IReadOnlyList<object>>>();
        for (var i = 0; i < keyCount; i++)
            await router.ExecuteAsync(new object[] { "SET", $"key:{i}", i }, Ct);

        // Add an empty primary and give it slots with keys.
        var extra = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-7", Network = net.Name, ClusterEnabled = true } }, Ct)).Single().Node!;
        var added = await Clusters.AddNodeAsync(Topology, extra.Name, null, Ct);
        Assert.Equal(RedisRole.Primary, added.Role);
        Assert.Equal(0, added.SlotCount);
        await AssertHealthyAsync(0);

        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var source = members.First(m => m.Role == RedisRole.Primary && m.SlotCount > 0);
        var move = await Clusters.MoveSlotsAsync(Topology, source.Name!, extra.Name, 500, null, Ct);
        Assert.Equal(500, move.SlotsMoved);
        Assert.True(move.KeysMoved > 0, "keys moved with their slots");
        await AssertHealthyAsync(0);

        // Re-running after completion moves nothing more than asked and loses nothing.
        members = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(500, members.First(m => m.Name == extra.Name).SlotCount);
        for (var i = 0; i < keyCount; i++)
            Assert.Equal(i.ToString(), (await router.ExecuteAsync(new object[] { "GET", $"key:{i}" }, Ct)).AsString());

        // Remove a replica, then empty and remove the new primary.
        var replica = members.First(m => m.Role == RedisRole.Replica);
        await Clusters.RemoveNodeAsync(Topology, replica.Name!, Ct);
        await AssertHealthyAsync(0);
        var refused = await Assert.ThrowsAsync<RedisDockerException>(() => Clusters.RemoveNodeAsync(Topology, extra.Name, Ct));
        Assert.Equal(ErrorIds.PrimaryOwnsSlots, refused.ErrorId);
        var back = await Clusters.MoveSlotsAsync(Topology, extra.Name, source.Name!, null, null, Ct);
        Assert.Equal(500, back.SlotsMoved);
        await Clusters.RemoveNodeAsync(Topology, extra.Name, Ct);
        await AssertHealthyAsync(0);
        var final = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(5, final.Count);
        Assert.DoesNotContain(final, m => m.Name == extra.Name);
        var fresh = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        for (var i = 0; i < keyCount; i++)
            Assert.Equal(i.ToString(), (await fresh.ExecuteAsync(new object[] { "GET", $"key:{i}" }, Ct)).AsString());
    }

    [Fact]
    public async Task AnInterruptedMigrationIsRepairedAndRebalanceEvensSlots()
    {
        await SixNodeClusterAsync();
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var primaries = members.Where(m => m.Role == RedisRole.Primary).ToList();
        var (src, dst) = (primaries[0], primaries[1]);
        var slot = src.SlotRanges[0].Start;
        var keys = Enumerable.Range(0, 200000).Select(i => $"x{i}").Where(k => ClusterSlot.GetSlot(k) == slot).Take(5).ToList();
        foreach (var k in keys) await router.ExecuteAsync(new object[] { "SET", k, k }, Ct);

        // Half a migration, as an interrupted reshard leaves it: slot open on both sides, one key moved.
        await using var s = await ConnectAsync(await Nodes.GetOneAsync(src.Name!, Ct));
        await using var d = await ConnectAsync(await Nodes.GetOneAsync(dst.Name!, Ct));
        (await d.ExecuteAsync("CLUSTER", "SETSLOT", slot, "IMPORTING", src.NodeId)).ThrowIfError();
        (await s.ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", dst.NodeId)).ThrowIfError();
        var pw = await Session.GetPasswordAsync(Topology, Ct);
        var (dstIp, dstPort) = EndpointMap.Split(dst.ContainerEndpoint);
        (await s.ExecuteAsync("MIGRATE", dstIp, dstPort, keys[0], 0, 5000, "AUTH", pw!)).ThrowIfError();

        var open = await Clusters.TestAsync(Topology, 1, Ct);
        Assert.False(open.First(c => c.Check == "NoOpenSlots").Passed);

        var actions = await Clusters.RepairAsync(Topology, Ct);
        Assert.Contains(actions, a => a.Contains($"slot {slot}", StringComparison.Ordinal));
        await AssertHealthyAsync(1);
        foreach (var k in keys) Assert.Equal(k, (await router.ExecuteAsync(new object[] { "GET", k }, Ct)).AsString());

        // Unbalance on purpose, then rebalance evenly.
        await Clusters.MoveSlotsAsync(Topology, primaries[0].Name!, primaries[1].Name!, 1000, null, Ct);
        var moves = await Clusters.RebalanceAsync(Topology, null, 2, Ct);
        Assert.NotEmpty(moves);
        var after = (await Clusters.GetNodesAsync(Topology, Ct)).Where(m => m.Role == RedisRole.Primary).Select(m => m.SlotCount).ToList();
        Assert.True(after.Max() - after.Min() <= 4, string.Join(",", after));
        await AssertHealthyAsync(1);
    }

    [Fact]
    public async Task TooFewNodesIsRefusedWithTheArithmeticAndTouchesNothing()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 4, cluster: true);
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct));
        Assert.Equal(ErrorIds.ClusterTooSmall, e.ErrorId);
        Assert.Contains("3 × (1 + 1) = 6", e.Message);
        await using var conn = await ConnectAsync(nodes[0]);
        Assert.Contains("cluster_known_nodes:1", (await conn.ExecuteAsync("CLUSTER", "INFO")).AsString());
    }

    [Fact]
    public async Task NodesWithoutClusterModeOrAlreadyInAClusterOrUnreachableAreRefused()
    {
        var net = await NewNetworkAsync();
        var clusterNodes = await NewNodesAsync(net.Name, 6, cluster: true);
        var plain = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-plain", Network = net.Name } }, Ct)).Single().Node!;

        var noCluster = await Assert.ThrowsAsync<RedisDockerException>(() => Clusters.CreateAsync(clusterNodes.Take(5).Select(n => n.Name).Append(plain.Name).ToArray(), 1, Ct));
        Assert.Equal(ErrorIds.ClusterModeRequired, noCluster.ErrorId);
        Assert.Contains(plain.Name, noCluster.Message);

        // Another network, no route: refused before anything is set.
        var other = await NewNetworkAsync(Topology + "-far");
        var far = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-far1", Network = other.Name, ClusterEnabled = true } }, Ct)).Single().Node!;
        var unreachable = await Assert.ThrowsAsync<RedisDockerException>(() => Clusters.CreateAsync(clusterNodes.Take(5).Select(n => n.Name).Append(far.Name).ToArray(), 1, Ct));
        Assert.Equal(ErrorIds.NodeNotReachable, unreachable.ErrorId);
        Assert.Contains("Connect-RedisNetwork", unreachable.Message);
        foreach (var n in clusterNodes)
        {
            await using var c = await ConnectAsync(n);
            Assert.Contains("cluster_known_nodes:1", (await c.ExecuteAsync("CLUSTER", "INFO")).AsString());
        }

        // A node already in a cluster.
        await Clusters.CreateAsync(clusterNodes.Select(n => n.Name).ToArray(), 1, Ct);
        var second = await NewNodesAsync(net.Name, 0, cluster: true);
        var spare = (await Nodes.CreateAsync(Enumerable.Range(1, 5).Select(i => new NodeSpec { Name = $"{Topology}-s{i}", Network = net.Name, ClusterEnabled = true }).ToArray(), Ct)).Select(r => r.Node!.Name).ToList();
        var taken = await Assert.ThrowsAsync<RedisDockerException>(() => Clusters.CreateAsync(spare.Append(clusterNodes[0].Name).ToArray(), 1, Ct));
        Assert.Equal(ErrorIds.ClusterNodeNotEmpty, taken.ErrorId);
        Assert.Contains(clusterNodes[0].Name, taken.Message);
        foreach (var n in spare)
        {
            await using var c = await ConnectAsync(await Nodes.GetOneAsync(n, Ct));
            Assert.Contains("cluster_known_nodes:1", (await c.ExecuteAsync("CLUSTER", "INFO")).AsString());
        }
    }

    [Fact]
    public async Task AClusterFromScratchIsAllOrNothing()
    {
        var subnet = await TestSubnets.NextAsync(this, Session, Ct);
        var cluster = await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec { NewNetworkName = Topology, Subnet = subnet, Count = 6 }, Ct);
        Assert.Equal("ok", cluster.State);
        Assert.Equal(6, cluster.Nodes.Count);

        var failed = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(
            new ClusterFromScratchSpec { NewNetworkName = Topology + "-bad", Subnet = "172.31.253.0/24", Count = 6, Image = "redisdocker/does-not-exist:1" }, Ct));
        Assert.Equal(ErrorIds.ImageUnavailable, failed.ErrorId);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectNetworkAsync(Topology + "-bad", Ct));
    }
}
