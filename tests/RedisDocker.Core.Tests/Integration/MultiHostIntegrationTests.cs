using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// The tutorials' two-host case: a second Docker engine in its own network namespace
/// (tests/multihost/engine.sh, 10.250.x.x on a veth pair the test makes), three host-network nodes
/// per engine announcing their host's address, one cluster across both.
/// </summary>
public class MultiHostIntegrationTests : DockerTestBase
{
    private const string EngineName = "rdkt";
    private const int EngineIndex = 77;
    private readonly Dictionary<string, string> _engine = new();

    public MultiHostIntegrationTests() : base("mh") { }

    public override async Task InitializeAsync()
    {
        var up = await RepoPaths.MultiHostScriptAsync("engine.sh", "up", EngineName, EngineIndex.ToString());
        foreach (var line in up.Split('\n'))
            if (line.Split('=', 2) is [var k, var v]) _engine[k.Trim()] = v.Trim();
        Assert.True(_engine.ContainsKey("RDK_DOCKER_TCP"), "engine.sh up printed no endpoint");
    }

    public override async Task DisposeAsync()
    {
        try
        {
            using (var s = new RedisDockerSession(DockerEndpoint.Parse(_engine.GetValueOrDefault("RDK_DOCKER_HOST", "unix:///run/rdk-rdkt.sock"))))
            {
                try { await RemoveTopologyAsync(s, Topology); } catch (Exception) { }
            }
            await base.DisposeAsync();
        }
        finally
        {
            await RepoPaths.MultiHostScriptAsync("engine.sh", "down", EngineName);
        }
    }

    [Fact]
    public async Task AClusterAcrossTwoDockerHostsSurvivesTheLossOfOne()
    {
        var mainAddr = _engine["RDK_HOST_ADDR"];
        var otherAddr = _engine["RDK_ENGINE_ADDR"];
        var other = _engine["RDK_DOCKER_TCP"];   // the second engine over tcp://
        Session.AddHost(DockerEndpoint.Parse(other));
        var specs = Enumerable.Range(1, 6).Select(i => new NodeSpec
        {
            Name = $"{Topology}-{i}",
            Network = "host",
            Topology = Topology,
            HostNetwork = true,
            Port = 6370 + i,
            ClusterEnabled = true,
            Password = "two-hosts-password",
            DockerHost = i <= 3 ? null : other,
            AnnounceAddress = i <= 3 ? mainAddr : otherAddr,
        }).ToArray();
        var made = await Nodes.CreateAsync(specs, Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        Assert.Equal(2, made.Select(r => r.Node!.DockerHost).Distinct().Count());
        Assert.All(made.Take(3), r => Assert.Equal($"{mainAddr}:{r.Node!.Port}", r.Node.HostEndpoint));
        Assert.All(made.Skip(3), r => Assert.Equal($"{otherAddr}:{r.Node!.Port}", r.Node.HostEndpoint));

        var cluster = await Clusters.CreateAsync(specs.Select(s => s.Name).ToArray(), 1, Ct);
        Assert.Equal("ok", cluster.State);
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var hostOf = made.ToDictionary(r => r.Name, r => r.Node!.DockerHost);
        // Every primary's replica is on the other host.
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
            Assert.All(p.Replicas, r => Assert.NotEqual(hostOf[p.Name!], hostOf[r]));
        var topology = Assert.Single(await Session.Workflows(Sink).Topologies.GetAsync(Topology, Ct));
        Assert.Equal(2, topology.DockerHosts.Count);

        // One docker-compose.yml per Docker host, in host network mode, each valid for docker-compose.
        var compose = TopologyOperations.ToCompose(await Session.Workflows(Sink).Topologies.ExportAsync(Topology, Ct));
        Assert.Equal(2, compose.Count);
        foreach (var yaml in compose.Values)
        {
            Assert.Contains("network_mode: host", yaml);
            Assert.DoesNotContain("two-hosts-password", yaml);
            await TopologyIntegrationTests.AssertComposeValidAsync(yaml, Ct);
        }

        var cmd = Session.Workflows(Sink).Commands;
        for (var i = 0; i < 50; i++) Assert.Equal("OK", await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", $"k{i}", i }, Ct));
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
        {
            await using var c = await RespConnection.ConnectAsync(p.HostEndpoint!.Split(':')[0], int.Parse(p.HostEndpoint.Split(':')[1]), new RespConnectionOptions { Password = "two-hosts-password" }, Ct);
            await c.ExecuteAsync("WAIT", 1, 5000);
        }

        // The second host vanishes: the first host's replicas take over its slots.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "cut", EngineName);
        await Waiter.UntilAsync(Sink, "cluster recovering on the first host", TimeSpan.FromSeconds(90), async c =>
        {
            var missing = 0;
            for (var i = 0; i < 50; i++)
            {
                try { if (!Equals(await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", $"k{i}" }, c), i.ToString())) missing++; }
                catch (Exception e) when (e is RedisDockerException or RedisException) { missing++; }
            }
            return (missing == 0, $"{missing} keys unreadable");
        }, Ct, pollMs: 500);
        // The keys answer through the redirects of the nodes that know of the promotions; the node the roles are
        // read from may learn of the last one a moment later.
        await Waiter.UntilAsync(Sink, "three primaries on the first host", TimeSpan.FromSeconds(30), async c =>
        {
            var survivors = await Clusters.GetNodesAsync(Topology, c);
            var primaries = survivors.Count(m => m.Role == RedisRole.Primary && !m.Failing
                && hostOf[m.Name!] == Session.DockerHost);
            return (primaries == 3, $"{primaries} working primaries on the first host");
        }, Ct, pollMs: 500);

        // The host comes back: its nodes rejoin as replicas and the cluster is whole again.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "heal", EngineName);
        await Waiter.UntilAsync(Sink, "second host rejoining", TimeSpan.FromSeconds(90), async c =>
        {
            var checks = await Clusters.TestAsync(Topology, 1, c);
            return (checks.All(x => x.Passed), string.Join("; ", checks.Where(x => !x.Passed)));
        }, Ct, pollMs: 500);
        for (var i = 0; i < 50; i++) Assert.Equal(i.ToString(), await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", $"k{i}" }, Ct));
    }

    [Fact]
    public async Task ASentinelGroupAcrossTwoDockerHostsFailsOverAndTheOldPrimaryReturnsAsAReplica()
    {
        var mainAddr = _engine["RDK_HOST_ADDR"];
        var otherAddr = _engine["RDK_ENGINE_ADDR"];
        var other = _engine["RDK_DOCKER_TCP"];
        Session.AddHost(DockerEndpoint.Parse(other));
        NodeSpec Node(string suffix, int port, bool onOther) => new()
        {
            Name = $"{Topology}-{suffix}", Network = "host", Topology = Topology, HostNetwork = true, Port = port,
            DockerHost = onOther ? other : null, AnnounceAddress = onOther ? otherAddr : mainAddr,
        };
        var made = await Nodes.CreateAsync(new[] { Node("p", 6381, false), Node("r1", 6382, false), Node("r2", 6383, true) }, Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        var replication = Session.Workflows(Sink).Replication;
        await replication.SetReplicaAsync($"{Topology}-r1", $"{Topology}-p", Ct);
        var r2 = await replication.SetReplicaAsync($"{Topology}-r2", $"{Topology}-p", Ct);
        Assert.Equal($"{mainAddr}:6381", r2.PrimaryEndpoint);

        var sentinels = Session.Workflows(Sink).Sentinels;
        var group = await sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = $"{Topology}-p", Count = 3, Quorum = 2, DownAfterMs = 2000, FailoverTimeoutMs = 10000, Port = 26381,
            DockerHosts = new string?[] { null, other }, AnnounceAddresses = new[] { mainAddr, otherAddr },
        }, Ct);
        Assert.True(group.QuorumOk, group.CkQuorum);
        Assert.Equal(2, group.Replicas.Count);
        var sentinelNodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct);
        Assert.Equal(2, sentinelNodes.Select(n => n.DockerHost).Distinct().Count());

        await using (var p = await RespConnection.ConnectAsync(mainAddr, 6381, new RespConnectionOptions { Password = await Session.GetPasswordAsync(Topology, Ct) }, Ct))
        {
            await p.ExecuteAsync("SET", "across", "hosts");
            Assert.Equal(2, (await p.ExecuteAsync("WAIT", 2, 5000)).AsInt64());
        }
        await Nodes.KillAsync($"{Topology}-p", Ct);
        var result = await sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: true, TimeSpan.FromSeconds(60), Ct);
        Assert.Contains(result.NewPrimary, new[] { $"{Topology}-r1", $"{Topology}-r2" });

        var back = await Nodes.StartAsync($"{Topology}-p", Ct);
        Assert.Equal(RedisRole.Replica, back.Role);
        var info = await replication.GetAsync($"{Topology}-p", Ct);
        Assert.Equal(result.NewPrimary, info.PrimaryName);
    }

    [Fact]
    public async Task BadMultiHostInputsAreRefusedClearly()
    {
        var otherAddr = _engine["RDK_ENGINE_ADDR"];
        var other = _engine["RDK_DOCKER_TCP"];
        // Two nodes of one host on the same port.
        var clash = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-a", Network = "host", Topology = Topology, HostNetwork = true, Port = 6390, DockerHost = other, AnnounceAddress = otherAddr },
            new NodeSpec { Name = $"{Topology}-b", Network = "host", Topology = Topology, HostNetwork = true, Port = 6390, DockerHost = other, AnnounceAddress = otherAddr },
        }, Ct));
        Assert.Equal(ErrorIds.HostPortTaken, clash.ErrorId);

        // An announce address that is not the host's: the node cannot listen there, and is removed.
        var results = await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-c", Network = "host", Topology = Topology, HostNetwork = true, Port = 6391, DockerHost = other, AnnounceAddress = _engine["RDK_HOST_ADDR"] },
        }, Ct);
        var error = ErrorTranslator.Translate(Assert.Single(results).Error!);
        Assert.Equal(ErrorIds.IPAddressInvalid, error.ErrorId);
        Assert.Null(await Session.FindContainerAsync($"{Topology}-c", Ct));

        // A topology name in use on another host: refused before anything is made there.
        var first = await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-e", Network = "host", Topology = Topology, HostNetwork = true, Port = 6393, AnnounceAddress = _engine["RDK_HOST_ADDR"] },
        }, Ct);
        Assert.Null(Assert.Single(first).Error);
        var inUse = await Assert.ThrowsAsync<RedisDockerException>(() => Networks.CreateAsync(new NetworkSpec { Name = Topology + "-net", Topology = Topology, Subnet = "172.31.252.0/24", DockerHost = other }, Ct));
        Assert.Equal(ErrorIds.TopologyExists, inUse.ErrorId);
        Assert.Contains(Session.DockerHost, inUse.Message);

        // A tcp:// engine's address is the default announce address.
        var defaulted = await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-f", Network = "host", Topology = Topology, HostNetwork = true, Port = 6394, DockerHost = other },
        }, Ct);
        Assert.Equal($"{otherAddr}:6394", Assert.Single(defaulted).Node!.HostEndpoint);

        // A topology with host-network nodes cannot be moved to one Docker host as it is.
        var spec = await Session.Workflows(Sink).Topologies.ExportAsync(Topology, Ct);
        var move = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).Topologies.ImportAsync(spec with { Name = Topology + "x" }, null, Ct, dockerHost: other));
        Assert.Equal(ErrorIds.InvalidArgument, move.ErrorId);

        // An unreachable Docker host is named.
        var unreachable = await Assert.ThrowsAsync<DockerUnreachableException>(() => Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-d", Network = "host", Topology = Topology, HostNetwork = true, Port = 6392, DockerHost = "unix:///run/rdk-nope.sock", AnnounceAddress = otherAddr },
        }, Ct));
        Assert.Contains("/run/rdk-nope.sock", ErrorTranslator.Translate(unreachable).Message);
    }
}
