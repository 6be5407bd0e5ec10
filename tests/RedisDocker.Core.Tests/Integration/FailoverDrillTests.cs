using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;
using Xunit.Abstractions;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 9: failover drills must not break what they test (real Docker, real Redis).</summary>
public class FailoverDrillTests : DockerTestBase
{
    private readonly ITestOutputHelper _out;

    public FailoverDrillTests(ITestOutputHelper output) : base("dr") => _out = output;

    private ReplicationOperations Replication => Session.Workflows(Sink).Replication;
    private SentinelOperations Sentinels => Session.Workflows(Sink).Sentinels;

    /// <summary>1 primary + 2 replicas + 3 sentinels (quorum 2).</summary>
    private async Task<(RedisNode Primary, IReadOnlyList<RedisNode> Replicas, RedisSentinelGroup Group)> SeedAsync(
        int downAfterMs = 5000, int? minReplicasToWrite = null)
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        var replicas = new List<RedisNode>();
        foreach (var r in nodes.Skip(1)) replicas.Add(await Replication.SetReplicaAsync(r.Name, nodes[0].Name, Ct));
        var spec = new SentinelGroupSpec
        {
            Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = downAfterMs, FailoverTimeoutMs = 10000,
        };
        if (minReplicasToWrite is { } m) spec = spec with { MinReplicasToWrite = m };
        var group = await Sentinels.CreateAsync(spec, Ct);
        return (nodes[0], replicas, group);
    }

    private async Task<RedisRole> RoleAsync(RedisNode node) => (await Nodes.GetOneAsync(node.Name, Ct)).Role;

    /// <summary>Item 9: asked right after the replica restarted, the failover promotes that replica or fails saying why.</summary>
    [Fact]
    public async Task FailoverToAJustRestartedReplicaPromotesThatReplicaOrSaysWhy()
    {
        var (primary, replicas, group) = await SeedAsync();
        // A first drill to the other replica: meanwhile the sentinels rewrite every replica's configuration.
        var first = await Session.Workflows(Sink).Failover
            .FailoverToAsync(null, replicas[0].Name, ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(replicas[0].Name, first.NewPrimary);
        var chosen = replicas[1];
        await Nodes.RestartAsync(chosen.Name, 10, Ct);
        await using (var c = await ConnectAsync(await Nodes.GetOneAsync(chosen.Name, Ct)))
            Assert.NotEqual("0", (await c.ExecuteAsync("CONFIG", "GET", "replica-priority")).AsArray()[1].AsString());
        try
        {
            var result = await Session.Workflows(Sink).Failover
                .FailoverToAsync(null, chosen.Name, ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(chosen.Name, result.NewPrimary);
            Assert.Equal(RedisRole.Primary, await RoleAsync(chosen));
            Assert.Equal(RedisRole.Replica, await RoleAsync(replicas[0]));
            Assert.Equal(RedisRole.Replica, await RoleAsync(primary));
        }
        catch (RedisDockerException e)
        {
            // Failing is allowed, but only saying why, and with nothing else promoted.
            _out.WriteLine(e.Message);
            Assert.Equal(ErrorIds.FailoverFailed, e.ErrorId);
            Assert.Contains(chosen.Name, e.Message);
            Assert.Equal(RedisRole.Replica, await RoleAsync(primary));
            var view = (await Sentinels.GetAsync(Topology, group.MasterName, Ct)).Single();
            Assert.True(view.Primary == replicas[0].Name || view.Primary == chosen.Name, $"the sentinels promoted {view.Primary}");
        }
    }

    /// <summary>Item 10: when a failover cmdlet returns, reads agree, in this session and in a new one.</summary>
    [Fact]
    public async Task ReadsAgreeWithTheFailoverAsSoonAsItReturnsAlsoInANewSession()
    {
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 60000);
        var coordinated = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), Ct);
        await AssertReadsShowAsync(group.MasterName, coordinated.NewPrimary);

        // The documented drill: kill the primary the sentinels report now, then force a failover.
        var now = (await Sentinels.GetAsync(Topology, group.MasterName, Ct)).Single();
        Assert.Equal(coordinated.NewPrimary, now.Primary);
        await Nodes.KillAsync(now.Primary!, Ct);
        var forced = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), Ct, force: true);
        Assert.NotEqual(now.Primary, forced.NewPrimary);
        await AssertReadsShowAsync(group.MasterName, forced.NewPrimary);
    }

    /// <summary>Item 10 (cluster): when Invoke-RedisFailover returns, every node already names the new primary.</summary>
    [Fact]
    public async Task ClusterReadsAgreeWithTheFailoverAsSoonAsItReturns()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        for (var round = 0; round < 2; round++)
        {
            var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(n => n.Role == RedisRole.Replica);
            var result = await Session.Workflows(Sink).Failover
                .FailoverToAsync(null, replica.Name!, ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(replica.Name, result.NewPrimary);
            // Every node, asked directly, and a new session asking any node.
            foreach (var n in nodes)
            {
                await using var c = await ConnectAsync(n);
                var view = ClusterNodesParser.Parse((await c.ExecuteAsync("CLUSTER", "NODES")).AsString());
                Assert.True(view.Single(e => e.Id == replica.NodeId).IsPrimary, $"{n.Name} still sees {replica.Name} as a replica");
                var old = view.Single(e => e.Id == replica.PrimaryId);
                Assert.True(old.IsReplica && old.PrimaryId == replica.NodeId, $"{n.Name} does not see {result.OldPrimary} as replica of {replica.Name}");
            }
            using var fresh = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
            var freshView = await fresh.Workflows(NullSink.Instance).Cluster.GetNodesAsync(Topology, Ct);
            Assert.Equal(replica.Name, freshView.Single(n => n.Name == result.OldPrimary).PrimaryName);
        }
    }

    private async Task AssertReadsShowAsync(string masterName, string expectedPrimary)
    {
        var view = (await Sentinels.GetAsync(Topology, masterName, Ct)).Single();
        Assert.Equal(expectedPrimary, view.Primary);
        Assert.DoesNotContain(expectedPrimary, view.Replicas);
        // Every sentinel, asked directly, says the same.
        foreach (var s in await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct))
        {
            await using var c = await ConnectAsync(s);
            var a = (await c.ExecuteAsync("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)).AsArray();
            Session.EndpointMap.TryTranslate($"{a[0].Text}:{a[1].Text}", out var m);
            Assert.Equal(expectedPrimary, m?.NodeName);
        }
        // A new session (a new pwsh), asking the sentinels before anything else.
        using var fresh = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        var freshView = (await fresh.Workflows(NullSink.Instance).Sentinels.GetAsync(Topology, masterName, Ct)).Single();
        Assert.Equal(expectedPrimary, freshView.Primary);
        Assert.StartsWith("127.0.0.1:", freshView.PrimaryHostEndpoint);
        Assert.All(freshView.Replicas, r => Assert.StartsWith(Topology, r));
    }

    /// <summary>Item 14: a caller that dies while the primary is paused leaves it paused for seconds, not a minute.</summary>
    [Fact]
    public async Task ACallerKilledDuringTheWritePauseLeavesThePrimaryPausedOnlyBriefly()
    {
        var (primary, _, group) = await SeedAsync(downAfterMs: 60000);
        // The caller: its own session; at the first report of the catch-up wait (the primary is paused by then)
        // it dies: its connections close and it sends nothing more (no UNPAUSE, no renewal).
        var caller = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        var dying = new DyingSink("Replicas catching up", caller);
        var failover = caller.Workflows(dying).Sentinels
            .FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), CancellationToken.None);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => failover);
        Assert.True(dying.Died, $"the caller did not reach the pause: {e.Message}");

        // Writes on the (still) primary resume by themselves within a bound far below the 65 s pause of old.
        await using var p = await ConnectAsync(primary);
        var written = false;
        await Waiter.UntilAsync(Sink, "primary taking writes again", TimeSpan.FromSeconds(20), async c =>
        {
            var pw = await Session.GetPasswordAsync(Topology, c);
            var (h, port) = EndpointMap.Split(primary.HostEndpoint!);
            await using var conn = await RespConnection.ConnectAsync(h, port,
                new RespConnectionOptions { Password = pw, CommandTimeout = TimeSpan.FromSeconds(1) }, c);
            var r = await conn.SendAsync(new object[] { "SET", "after-abandoned-failover", "1" }, c);
            written = !r.IsError;
            return (written, r.Text ?? "");
        }, Ct, pollMs: 200);
        Assert.True(written);
        Assert.Equal(primary.Name, (await Sentinels.GetAsync(Topology, group.MasterName, Ct)).Single().Primary);
    }

    /// <summary>Split brain: a replicated group bounds what an isolated primary accepts, by default; the bound is on the group.</summary>
    [Fact]
    public async Task AReplicatedGroupBoundsWritesOfAnIsolatedPrimaryByDefault()
    {
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 60000);
        Assert.Equal(1, group.MinReplicasToWrite);
        Assert.True(group.MinReplicasMaxLag is > 0 and <= 10, $"lag {group.MinReplicasMaxLag}");
        foreach (var n in replicas.Prepend(primary))
        {
            await using var c = await ConnectAsync(n);
            Assert.Equal("1", (await c.ExecuteAsync("CONFIG", "GET", "min-replicas-to-write")).AsArray()[1].AsString());
        }
        // Cut the primary off its replicas (docker pause of our own replica containers): it soon refuses writes.
        var docker = await Session.GetDockerAsync(Ct);
        foreach (var r in replicas) await docker.PauseContainerAsync(r.Name, Ct);
        try
        {
            await using var p = await ConnectAsync(primary);
            string? refusal = null;
            await Waiter.UntilAsync(Sink, "isolated primary refusing writes", TimeSpan.FromSeconds(30), async c =>
            {
                var r = await p.SendAsync(new object[] { "SET", "isolated", "1" }, c);
                refusal = r.IsError ? r.Text : null;
                return (refusal is not null, refusal ?? "accepted");
            }, Ct, pollMs: 250);
            Assert.StartsWith("NOREPLICAS", refusal);
        }
        finally
        {
            foreach (var r in replicas) await docker.UnpauseContainerAsync(r.Name, CancellationToken.None);
        }

        // The bound can be turned off by whoever prefers availability.
        var (p2, _, g2) = await SeedOtherGroupAsync();
        Assert.Equal(0, g2.MinReplicasToWrite);
        await using var c2 = await ConnectAsync(p2);
        Assert.Equal("0", (await c2.ExecuteAsync("CONFIG", "GET", "min-replicas-to-write")).AsArray()[1].AsString());
    }

    private async Task<(RedisNode Primary, RedisNode Replica, RedisSentinelGroup Group)> SeedOtherGroupAsync()
    {
        var net = await NewNetworkAsync(Topology + "-b");
        var made = await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = Topology + "-b1", Network = net.Name },
            new NodeSpec { Name = Topology + "-b2", Network = net.Name },
        }, Ct);
        var r = await Replication.SetReplicaAsync(made[1].Node!.Name, made[0].Node!.Name, Ct);
        var g = await Sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = made[0].Node!.Name, Count = 1, Quorum = 1, MasterName = "other", MinReplicasToWrite = 0,
        }, Ct);
        return (made[0].Node!, r, g);
    }

    /// <summary>
    /// Item 8: the reported sequence (fail over to p, kill p at once, force a failover, start p), then seeded random
    /// sequences of the module's failover, kill and start operations. After every step the group is consistent (the
    /// sentinels agree, nobody replicates itself, at most one primary runs), or the step failed saying what to run; at
    /// the end, with every node started, the group is healthy.
    /// </summary>
    [Fact]
    public async Task AnySequenceOfFailoverKillAndStartEndsInAHealthyGroup()
    {
        var (primary, replicas, group) = await SeedAsync(downAfterMs: 60000);
        var all = replicas.Prepend(primary).Select(n => n.Name).ToList();
        var failovers = Session.Workflows(Sink).Failover;
        var timeout = TimeSpan.FromSeconds(60);

        // The reported sequence.
        var p = replicas[0].Name;
        await StepAsync($"Invoke-RedisFailover -Node {p}", () => failovers.FailoverToAsync(null, p, ClusterFailoverMode.Coordinated, timeout, Ct));
        await StepAsync($"Stop-RedisNode {p} -Kill", () => Nodes.KillAsync(p, Ct));
        await StepAsync($"Invoke-RedisFailover -SentinelGroup {group.MasterName} -Force",
            () => Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, timeout, Ct, force: true), mustSucceed: true);
        await StepAsync($"Start-RedisNode {p}", () => Nodes.StartAsync(p, Ct));

        // Seeded random sequences.
        var seed = Environment.GetEnvironmentVariable("REDISDOCKER_DRILL_SEED") is { Length: > 0 } e ? int.Parse(e) : Random.Shared.Next(1, 100000);
        _out.WriteLine($"drill seed {seed} (REDISDOCKER_DRILL_SEED={seed} replays it)");
        var rng = new Random(seed);
        for (var step = 0; step < 10; step++)
        {
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct);
            var running = nodes.Where(n => n.HostEndpoint is not null).Select(n => n.Name).ToList();
            var stopped = all.Except(running).ToList();
            var replicasNow = nodes.Where(n => n.Role == RedisRole.Replica).Select(n => n.Name).ToList();
            var choice = rng.Next(5);
            if (choice == 3 && running.Count < 2) choice = 4;            // keep one data node running
            if (choice == 4 && stopped.Count == 0) choice = rng.Next(3);
            if (choice == 0 && replicasNow.Count == 0) choice = 2;
            switch (choice)
            {
                case 0:
                    var r = replicasNow[rng.Next(replicasNow.Count)];
                    await StepAsync($"Invoke-RedisFailover -Node {r}", () => failovers.FailoverToAsync(null, r, ClusterFailoverMode.Coordinated, timeout, Ct));
                    break;
                case 1:
                    await StepAsync($"Invoke-RedisFailover -SentinelGroup {group.MasterName}",
                        () => Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, timeout, Ct));
                    break;
                case 2:
                    await StepAsync($"Invoke-RedisFailover -SentinelGroup {group.MasterName} -Force",
                        () => Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, timeout, Ct, force: true));
                    break;
                case 3:
                    var k = running[rng.Next(running.Count)];
                    await StepAsync($"Stop-RedisNode {k} -Kill", () => Nodes.KillAsync(k, Ct));
                    break;
                default:
                    var st = stopped[rng.Next(stopped.Count)];
                    await StepAsync($"Start-RedisNode {st}", () => Nodes.StartAsync(st, Ct));
                    break;
            }
        }

        // The end: every node started; a forced failover if the sentinels still name a dead primary; then healthy.
        foreach (var n in all)
            if ((await Nodes.GetOneAsync(n, Ct)).HostEndpoint is null) await StepAsync($"Start-RedisNode {n}", () => Nodes.StartAsync(n, Ct));
        await Waiter.UntilAsync(Sink, "group healthy", TimeSpan.FromSeconds(60), async c =>
        {
            var view = (await Sentinels.GetAsync(Topology, group.MasterName, c)).Single();
            if (view.Primary is null) return (false, $"no primary named ({view.PrimaryContainerEndpoint})");
            var pnode = await Nodes.GetOneAsync(view.Primary, c);
            var pw = await Session.GetPasswordAsync(Topology, c);
            var conn = await Session.ConnectAsync(pnode.HostEndpoint!, pw, c);
            var set = await conn.SendAsync(new object[] { "SET", "drill-end", "1" }, c);
            if (set.IsError) return (false, $"{view.Primary}: {set.Text}");
            var acked = (await conn.SendAsync(new object[] { "WAIT", 2, 1000 }, c)).AsInt64();
            return (acked == 2 && view.Replicas.Count == 2 && view.ReachableSentinels == 3,
                $"primary {view.Primary}, {acked} acks, replicas {string.Join(",", view.Replicas)}");
        }, Ct, pollMs: 500);
        await AssertConsistentAsync(group.MasterName, "end");
    }

    private async Task StepAsync(string what, Func<Task> action, bool mustSucceed = false)
    {
        _out.WriteLine($"> {what}");
        try
        {
            await action();
        }
        catch (RedisDockerException e) when (!mustSucceed)
        {
            _out.WriteLine($"  refused: {e.ErrorId}: {e.Message}");
            // A refusal says what to run next.
            Assert.Matches("(Invoke-RedisFailover|Start-RedisNode|-Force|Get-RedisSentinel|Get-RedisReplication|retry|again)", e.Message);
        }
        await AssertConsistentAsync(Topology, what);
    }

    /// <summary>Sentinels agree on one primary; no running node replicates itself; at most one running node is primary.</summary>
    private async Task AssertConsistentAsync(string masterName, string after)
    {
        await Waiter.UntilAsync(Sink, $"consistent after {after}", TimeSpan.FromSeconds(30), async c =>
        {
            var problems = new List<string>();
            var addrs = new HashSet<string>();
            foreach (var s in await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, c))
            {
                var conn = await Session.ConnectAsync(s, c);
                var a = (await conn.SendAsync(new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName }, c)).AsArray();
                addrs.Add($"{a[0].Text}:{a[1].Text}");
            }
            if (addrs.Count != 1) problems.Add($"sentinels disagree: {string.Join(" / ", addrs)}");
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, c);
            foreach (var n in nodes.Where(n => n.HostEndpoint is not null))
                if (n.Role == RedisRole.Replica && n.PrimaryEndpoint == n.ContainerEndpoint) problems.Add($"{n.Name} replicates itself");
            var primaries = nodes.Where(n => n.HostEndpoint is not null && n.Role == RedisRole.Primary).Select(n => n.Name).ToList();
            if (primaries.Count > 1) problems.Add($"{primaries.Count} primaries: {string.Join(",", primaries)}");
            return (problems.Count == 0, string.Join("; ", problems));
        }, Ct, pollMs: 500);
    }

    /// <summary>A sink whose caller "dies" at the first report of one activity: its session is disposed, then it throws.</summary>
    private sealed class DyingSink : IOperationSink
    {
        private readonly string _activity;
        private readonly RedisDockerSession _session;
        public DyingSink(string activity, RedisDockerSession session) { _activity = activity; _session = session; }
        public bool Died { get; private set; }
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Progress(ProgressReport report)
        {
            if (Died || !report.Activity.StartsWith(_activity, StringComparison.Ordinal)) return;
            Died = true;
            _session.Dispose();
            throw new OperationCanceledException("the caller was killed");
        }
    }
}

/// <summary>Issue 9 item 16: concurrent callers on one engine.</summary>
public class ConcurrentCallerTests : DockerTestBase
{
    public ConcurrentCallerTests() : base("cc") { }

    [Fact]
    public async Task TwoCreationsOfOneNetworkNameAtOnceLeaveOneNetworkAndOneClearRefusal()
    {
        var docker = await Session.GetDockerAsync(Ct);
        for (var round = 0; round < 4; round++)
        {
            var name = $"{Topology}-e{round}";
            var subnets = new[] { await TestSubnets.NextAsync(this, Session, Ct), await TestSubnets.NextAsync(this, Session, Ct) };
            var attempts = subnets.Select(sn => Task.Run(() =>
                Session.Workflows(Sink).Networks.CreateAsync(new NetworkSpec { Name = name, Subnet = sn, Topology = Topology }, Ct))).ToArray();
            var outcomes = new List<Exception?>();
            foreach (var a in attempts)
            {
                try { await a; outcomes.Add(null); }
                catch (Exception e) { outcomes.Add(e); }
            }
            Assert.Single(outcomes, o => o is null);
            var refusal = Assert.IsType<RedisDockerException>(outcomes.Single(o => o is not null));
            Assert.Equal(ErrorIds.NetworkNameTaken, refusal.ErrorId);
            Assert.Single(await docker.ListNetworksAsync(null, Ct), n => n.Name == name);
        }
    }

    [Fact]
    public async Task TwoRemovalsOfOneTopologyAtOnceBothSucceed()
    {
        var net = await NewNetworkAsync();
        await NewNodesAsync(net.Name, 3);
        var removals = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Session.Workflows(Sink).Topologies.RemoveAsync(Topology, keepVolumes: false, Ct))).ToArray();
        await Task.WhenAll(removals);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Empty(await docker.ListContainersAsync(Labels.ForTopology(Topology), all: true, Ct));
        Assert.Empty(await docker.ListNetworksAsync(Labels.ForTopology(Topology), Ct));
    }

    [Fact]
    public async Task ADockerHostThatFailsToConnectIsNotAddedToTheSession()
    {
        var before = Session.Hosts.Count;
        await Assert.ThrowsAnyAsync<Exception>(() => Session.GetDockerAsync("tcp://127.0.0.1:9", Ct));
        Assert.Equal(before, Session.Hosts.Count);
    }
}

/// <summary>Issue 9 item 15: a creation whose caller was killed is finished by running it again.</summary>
public class InterruptedCreationTests : DockerTestBase
{
    public InterruptedCreationTests() : base("ic") { }

    [Fact]
    public async Task ACreationKilledAfterTheHandshakeIsFinishedByRunningItAgain()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        var names = nodes.Select(n => n.Name).ToArray();
        // The caller dies when it is about to attach the first replica: it sends nothing more (not even its rollback).
        var caller = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        var dying = new DyingOnVerbose("CLUSTER REPLICATE", caller);
        await Assert.ThrowsAnyAsync<Exception>(() => caller.Workflows(dying).Cluster.CreateAsync(names, 1, CancellationToken.None));
        Assert.True(dying.Died);
        var left = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(6, left.Count(n => n.Role == RedisRole.Primary));

        // The same New-RedisCluster again finishes it.
        var cluster = await Clusters.CreateAsync(names, 1, Ct);
        var after = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(3, after.Count(n => n.Role == RedisRole.Primary));
        Assert.Equal(3, after.Count(n => n.Role == RedisRole.Replica));
        Assert.All(after.Where(n => n.Role == RedisRole.Primary), p => Assert.Single(p.Replicas));
        Assert.All(await Clusters.TestAsync(Topology, 1, Ct), c => Assert.True(c.Passed, $"{c.Check}: {c.Detail}"));
        Assert.NotNull(cluster);
    }

    private sealed class DyingOnVerbose : IOperationSink
    {
        private readonly string _text;
        private readonly RedisDockerSession _session;
        public DyingOnVerbose(string text, RedisDockerSession session) { _text = text; _session = session; }
        public bool Died { get; private set; }
        public void Verbose(string message)
        {
            if (Died || !message.Contains(_text, StringComparison.Ordinal)) return;
            Died = true;
            _session.Dispose();
            throw new OperationCanceledException("the caller was killed");
        }
        public void Warning(string message) { }
        public void Progress(ProgressReport report) { }
    }
}

/// <summary>Issue 9 item 15 (node stage): a New-RedisCluster -Count killed while making nodes says exactly what to run.</summary>
public class InterruptedNodeStageTests : DockerTestBase
{
    public InterruptedNodeStageTests() : base("in") { }

    [Fact]
    public async Task ACreationKilledAtTheNodeStageSaysExactlyHowToFinish()
    {
        var subnet = await TestSubnets.NextAsync(this, Session, Ct);
        var spec = new ClusterFromScratchSpec { NewNetworkName = Topology, Subnet = subnet, Count = 6, ReplicasPerPrimary = 1 };
        var caller = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        var dying = new DyingAtStart(caller);
        await Assert.ThrowsAnyAsync<Exception>(() => caller.Workflows(dying).ClusterBuilder.CreateFromScratchAsync(spec, CancellationToken.None));
        Assert.True(dying.Died);

        var again = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(spec, Ct));
        Assert.Equal(ErrorIds.NetworkNameTaken, again.ErrorId);
        Assert.Contains($"Remove-RedisTopology {Topology}", again.Message);
        // Doing what it says works.
        await Session.Workflows(Sink).Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        var cluster = await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(spec, Ct);
        Assert.Equal(3, (await Clusters.GetNodesAsync(Topology, Ct)).Count(n => n.Role == RedisRole.Replica));
        Assert.NotNull(cluster);
    }

    /// <summary>Dies (session gone, nothing more sent) when the first container is started.</summary>
    private sealed class DyingAtStart : IOperationSink
    {
        private readonly RedisDockerSession _session;
        public DyingAtStart(RedisDockerSession session) => _session = session;
        public bool Died { get; private set; }
        public void Verbose(string message)
        {
            if (Died || !message.StartsWith("Starting '", StringComparison.Ordinal)) return;
            Died = true;
            _session.Dispose();
            throw new OperationCanceledException("the caller was killed");
        }
        public void Warning(string message) { }
        public void Progress(ProgressReport report) { }
    }
}
