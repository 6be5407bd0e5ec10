using System.Diagnostics;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

public class SentinelIntegrationTests : DockerTestBase
{
    public SentinelIntegrationTests() : base("sn") { }

    private ReplicationOperations Replication => Session.Workflows(Sink).Replication;
    private SentinelOperations Sentinels => Session.Workflows(Sink).Sentinels;

    /// <summary>1 primary + 2 replicas + 3 sentinels (quorum 2), down-after 2000 ms.</summary>
    private async Task<(RedisNode Primary, IReadOnlyList<RedisNode> Replicas, RedisSentinelGroup Group)> SeedAsync(int downAfterMs = 2000)
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        var primary = nodes[0];
        var replicas = new List<RedisNode>();
        foreach (var r in nodes.Skip(1)) replicas.Add(await Replication.SetReplicaAsync(r.Name, primary.Name, Ct));
        var group = await Sentinels.CreateAsync(new SentinelGroupSpec { Primary = primary.Name, Count = 3, Quorum = 2, DownAfterMs = downAfterMs, FailoverTimeoutMs = 10000 }, Ct);
        return (primary, replicas, group);
    }

    [Fact]
    public async Task ReplicasFollowThePrimaryAndRefuseWrites()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        var replica = await Replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        Assert.Equal(RedisRole.Replica, replica.Role);
        Assert.Equal(nodes[0].ContainerEndpoint, replica.PrimaryEndpoint);
        await Replication.SetReplicaAsync(nodes[2].Name, nodes[0].Name, Ct);

        await using (var p = await ConnectAsync(nodes[0]))
        {
            await p.ExecuteAsync("SET", "shared", "value");
            Assert.Equal(2, (await p.ExecuteAsync("WAIT", 2, 5000)).AsInt64());
        }
        foreach (var r in nodes.Skip(1))
        {
            await using var c = await ConnectAsync(r);
            Assert.Equal("value", (await c.ExecuteAsync("GET", "shared")).AsString());
            var refused = await c.SendAsync(new object[] { "SET", "x", "y" }, Ct);
            Assert.True(refused.IsError);
            Assert.StartsWith("READONLY", refused.Text);
        }

        var info = await Replication.GetAsync(nodes[1].Name, Ct);
        Assert.Equal(RedisRole.Replica, info.Role);
        Assert.Equal(nodes[0].Name, info.PrimaryName);
        Assert.Equal(nodes[0].HostEndpoint, info.PrimaryHostEndpoint);
        Assert.Equal("up", info.LinkStatus);
        var pinfo = await Replication.GetAsync(nodes[0].Name, Ct);
        Assert.Equal(2, pinfo.ConnectedReplicas);
        Assert.Equal(new[] { nodes[1].Name, nodes[2].Name }, pinfo.Replicas.Select(r => r.Name).OrderBy(x => x));

        // The role survives a restart (persisted with CONFIG REWRITE).
        var restarted = await Nodes.RestartAsync(nodes[1].Name, 10, Ct);
        Assert.Equal(RedisRole.Replica, restarted.Role);

        // -None: back to a standalone primary.
        var promoted = await Replication.PromoteAsync(nodes[2].Name, Ct);
        Assert.Equal(RedisRole.Primary, promoted.Role);
    }

    [Fact]
    public async Task BadReplicationRequestsAreRefusedClearly()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 2);
        var self = await Assert.ThrowsAsync<RedisDockerException>(() => Replication.SetReplicaAsync(nodes[0].Name, nodes[0].Name, Ct));
        Assert.Contains("itself", self.Message);

        var clustered = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-c", Network = net.Name, ClusterEnabled = true } }, Ct)).Single().Node!;
        var cluster = await Assert.ThrowsAsync<RedisDockerException>(() => Replication.SetReplicaAsync(clustered.Name, nodes[0].Name, Ct));
        Assert.Equal(ErrorIds.ClusterModeNotAllowed, cluster.ErrorId);
        Assert.Contains("replicaof directive not allowed in cluster mode", cluster.Message);
        Assert.Contains("Add-RedisClusterNode", cluster.Message);

        var far = await NewNetworkAsync(Topology + "-far");
        var farNode = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-far1", Network = far.Name } }, Ct)).Single().Node!;
        var unreachable = await Assert.ThrowsAsync<RedisDockerException>(() => Replication.SetReplicaAsync(farNode.Name, nodes[0].Name, Ct));
        Assert.Equal(ErrorIds.NodeNotReachable, unreachable.ErrorId);
        Assert.Contains("Connect-RedisNetwork", unreachable.Message);

        // Nothing changed on the refused nodes.
        foreach (var n in new[] { nodes[0], clustered, farNode })
            Assert.Equal(RedisRole.Primary, (await Nodes.GetOneAsync(n.Name, Ct)).Role);
    }

    [Fact]
    public async Task QuorumAndPlacementAreCheckedBeforeAnythingIsCreated()
    {
        var tooHigh = Assert.Throws<RedisDockerException>(() => SentinelOperations.ValidateQuorum(3, 4));
        Assert.Equal(ErrorIds.SentinelQuorumInvalid, tooHigh.ErrorId);
        Assert.Single(SentinelOperations.ValidateQuorum(1, 1), w => w.Contains("single sentinel", StringComparison.Ordinal));
        Assert.Contains(SentinelOperations.ValidateQuorum(2, 2), w => w.Contains("loss of one sentinel", StringComparison.Ordinal));
        Assert.Empty(SentinelOperations.ValidateQuorum(3, 2));

        var net = await NewNetworkAsync();
        var primary = (await NewNodesAsync(net.Name, 1))[0];
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Sentinels.CreateAsync(new SentinelGroupSpec { Primary = primary.Name, Count = 3, Quorum = 4 }, Ct));
        Assert.Equal(ErrorIds.SentinelQuorumInvalid, e.ErrorId);
        Assert.Empty(await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct));

        var clustered = (await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-c", Network = net.Name, ClusterEnabled = true } }, Ct)).Single().Node!;
        var c = await Assert.ThrowsAsync<RedisDockerException>(() => Sentinels.CreateAsync(new SentinelGroupSpec { Primary = clustered.Name }, Ct));
        Assert.Equal(ErrorIds.ClusterModeNotAllowed, c.ErrorId);
        Assert.Empty(await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct));
    }

    [Fact]
    public async Task TheSeedScenarioSurvivesAKilledPrimaryAndTheOldPrimaryNeverTakesAWrite()
    {
        var (primary, replicas, group) = await SeedAsync();
        Assert.Equal(primary.Name, group.Primary);
        Assert.Equal(replicas.Select(r => r.Name).OrderBy(x => x), group.Replicas);
        Assert.Equal(3, group.SentinelCount);
        Assert.True(group.QuorumOk, group.CkQuorum);
        Assert.StartsWith("127.0.0.1:", group.PrimaryHostEndpoint);

        // Keys acknowledged by WAIT 1 before the kill.
        var acked = new List<string>();
        await using (var p = await ConnectAsync(primary))
        {
            for (var i = 0; i < 100; i++)
            {
                await p.ExecuteAsync("SET", $"before:{i}", i);
                // WAIT returns as soon as a replica acknowledges: the bound only matters on a loaded machine.
                if ((await p.ExecuteAsync("WAIT", 1, 5000)).AsInt64() >= 1) acked.Add($"before:{i}");
            }
            // WAIT 1 is one replica's acknowledgement; both are read below, so both must have the writes first.
            Assert.Equal(2, (await p.ExecuteAsync("WAIT", 2, 10000)).AsInt64());
        }
        Assert.Equal(100, acked.Count);
        foreach (var r in replicas)
        {
            await using var c = await ConnectAsync(r);
            Assert.Equal("99", (await c.ExecuteAsync("GET", "before:99")).AsString());
            Assert.StartsWith("READONLY", (await c.SendAsync(new object[] { "SET", "x", "1" }, Ct)).Text);
        }

        await Nodes.KillAsync(primary.Name, Ct);
        var result = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: true, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal("Automatic", result.Mode);
        Assert.Contains(result.NewPrimary, replicas.Select(r => r.Name));
        var newPrimary = await Nodes.GetOneAsync(result.NewPrimary, Ct);
        await using (var np = await ConnectAsync(newPrimary))
        {
            Assert.Equal("OK", (await np.ExecuteAsync("SET", "after", "1")).AsString());
            foreach (var k in acked) Assert.NotNull((await np.ExecuteAsync("GET", k)).Text);
        }

        // The old primary comes back already pointed at the new one: its first answer is READONLY.
        var back = await Nodes.StartAsync(primary.Name, Ct);
        await using (var old = await ConnectAsync(back))
        {
            var write = await old.SendAsync(new object[] { "SET", "stray", "1" }, Ct);
            Assert.True(write.IsError, "the returning old primary accepted a write");
            Assert.StartsWith("READONLY", write.Text);
            var (role, primaryEndpoint) = NodeOperations.ParseRole(await old.ExecuteAsync("ROLE"));
            Assert.Equal(RedisRole.Replica, role);
            Assert.Equal(newPrimary.ContainerEndpoint, primaryEndpoint);
        }
        Assert.Contains(Sink.Lines, l => l.Contains("starts as its replica", StringComparison.Ordinal));
        await Waiter.UntilAsync(Sink, "old primary linked", TimeSpan.FromSeconds(30), async c =>
        {
            var info = await Replication.GetAsync(primary.Name, c);
            return (info.LinkStatus == "up" && !info.SyncInProgress, info.LinkStatus ?? "");
        }, Ct);
        await using (var old = await ConnectAsync(await Nodes.GetOneAsync(primary.Name, Ct)))
            Assert.Equal("1", (await old.ExecuteAsync("GET", "after")).AsString());
        Assert.Equal(RedisRole.Replica, (await Nodes.GetOneAsync(primary.Name, Ct)).Role);
    }

    [Fact]
    public async Task CoordinatedFailoverUnderWriteLoadLosesNoAcknowledgedWrite()
    {
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 5000);
        var password = await Session.GetPasswordAsync(Topology, Ct);
        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sentinel = (await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct))[0];

        // A bounded writer: at most 20000 writes or 60 s; each write counts only when WAIT 1 acknowledges it.
        var writer = Task.Run(async () =>
        {
            var i = 0;
            RespConnection? conn = null;
            while (!stop.IsCancellationRequested && i < 20000)
            {
                try
                {
                    if (conn is null || !conn.IsConnected)
                    {
                        var s = await ConnectAsync(sentinel);
                        var addr = (await s.ExecuteAsync("SENTINEL", "GET-MASTER-ADDR-BY-NAME", group.MasterName)).AsArray();
                        await s.DisposeAsync();
                        Session.EndpointMap.TryTranslate($"{addr[0].Text}:{addr[1].Text}", out var m);
                        var (h, port) = EndpointMap.Split(m!.HostEndpoint);
                        conn = await RespConnection.ConnectAsync(h, port, new RespConnectionOptions { Password = password, CommandTimeout = TimeSpan.FromSeconds(5) }, stop.Token);
                    }
                    var key = $"load:{i++}";
                    var replies = await conn.PipelineAsync(new[] { new object[] { "SET", key, i }, new object[] { "WAIT", 1, 500 } }, stop.Token);
                    if (!replies[0].IsError && !replies[1].IsError && replies[1].Integer >= 1) acknowledged.Enqueue(key);
                    else if (replies[0].IsError) { conn.Dispose(); conn = null; await Task.Delay(20); }
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    conn?.Dispose();
                    conn = null;
                    await Task.Delay(20);
                }
                catch (OperationCanceledException) { break; }
            }
            conn?.Dispose();
        });

        await Task.Delay(1500, Ct);
        var result = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), Ct);
        await Task.Delay(1500, Ct);
        stop.Cancel();
        await writer;

        Assert.Equal("Coordinated", result.Mode);
        Assert.Equal(primary.Name, result.OldPrimary);
        Assert.Contains(result.NewPrimary, replicas.Select(r => r.Name));
        Assert.Equal(0, result.LostWrites);
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} acknowledged writes");

        var newPrimary = await Nodes.GetOneAsync(result.NewPrimary, Ct);
        await using var np = await ConnectAsync(newPrimary);
        var missing = new List<string>();
        foreach (var k in acknowledged)
            if ((await np.ExecuteAsync("EXISTS", k)).AsInt64() == 0) missing.Add(k);
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged writes lost, e.g. {string.Join(",", missing.Take(5))}");

        var view = (await Sentinels.GetAsync(Topology, group.MasterName, Ct)).Single();
        Assert.Equal(result.NewPrimary, view.Primary);
        Assert.Contains(primary.Name, view.Replicas);
        Assert.Equal(RedisRole.Replica, (await Nodes.GetOneAsync(primary.Name, Ct)).Role);
    }

    [Fact]
    public async Task EveryMemberSurvivesARestartIncludingASentinel()
    {
        var (primary, replicas, group) = await SeedAsync();
        var sentinels = await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct);
        await Nodes.RestartAsync(sentinels[0].Name, 10, Ct);
        await Nodes.RestartAsync(replicas[0].Name, 10, Ct);
        await Nodes.RestartAsync(primary.Name, 10, Ct);

        await Waiter.UntilAsync(Sink, "group healthy again", TimeSpan.FromSeconds(60), async c =>
        {
            var g = (await Sentinels.GetAsync(Topology, group.MasterName, c)).Single();
            var ok = g.QuorumOk && g.ReachableSentinels == 3 && g.Replicas.Count == 2 && g.Flags == "master";
            return (ok, $"{g.Flags}, {g.ReachableSentinels} sentinels, replicas {string.Join(",", g.Replicas)}, {g.CkQuorum}");
        }, Ct, pollMs: 500);
        // Restarting the primary with down-after 2000 ms may make the sentinels fail over meanwhile:
        // every probe asks them who is primary now, writes there, and waits for both replicas.
        await Waiter.UntilAsync(Sink, "both replicas acknowledging a write on the current primary", TimeSpan.FromSeconds(60), async c =>
        {
            var view = (await Sentinels.GetAsync(Topology, group.MasterName, c)).Single();
            if (view.Primary is null) return (false, "no primary reported");
            await using var p = await ConnectAsync(await Nodes.GetOneAsync(view.Primary, c));
            var set = await p.SendAsync(new object[] { "SET", "after-restarts", "1" }, c);
            if (set.IsError) return (false, $"{view.Primary}: {set.Text}");
            var acked = (await p.ExecuteAsync(new object[] { "WAIT", 2, 1000 }, c)).AsInt64();
            return (acked == 2, $"{acked} of 2 replicas of {view.Primary} acknowledged");
        }, Ct, pollMs: 200);
    }

    [Fact]
    public async Task AfterAPrimaryLossCoordinatedIsRefusedAndForcePromotesAtOnce()
    {
        // down-after 60 s: the sentinels would not act by themselves within this test.
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 60000);
        await Nodes.KillAsync(primary.Name, Ct);
        var refused = await Assert.ThrowsAsync<RedisDockerException>(() => Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(ErrorIds.FailoverFailed, refused.ErrorId);
        Assert.Contains("-Force", refused.Message);

        var sw = Stopwatch.StartNew();
        var forced = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(30), Ct, force: true);
        Assert.Equal("Force", forced.Mode);
        Assert.Contains(forced.NewPrimary, replicas.Select(r => r.Name));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(55), "promoted before the sentinels' own down-after period");
        await using var np = await ConnectAsync(await Nodes.GetOneAsync(forced.NewPrimary, Ct));
        Assert.Equal("OK", (await np.ExecuteAsync("SET", "after-force", "1")).AsString());
    }

    [Fact]
    public async Task FailoverToAChosenReplica()
    {
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 5000);
        var chosen = replicas[1];
        var result = await Session.Workflows(Sink).Failover.FailoverToAsync(null, chosen.Name, ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(chosen.Name, result.NewPrimary);
        Assert.Equal(0, result.LostWrites);
        await using var c = await ConnectAsync(replicas[0]);
        Assert.Equal("100", (await c.ExecuteAsync("CONFIG", "GET", "replica-priority")).AsArray()[1].AsString());
    }
}
