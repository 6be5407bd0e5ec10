using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 15: a Sentinel group over an attachable overlay across THREE extra engines joined into a swarm
/// (tests/multihost/engine.sh, swarm.sh; never the main engine), every node placed by the module over the swarm's
/// nodes (no -DockerHost): the primary by a swarm node label, its replicas and one sentinel per engine spread by
/// the placement. The primary's engine is cut: the sentinels on the other two promote a replica that takes writes,
/// and the topology names the lost swarm node; healed: the old primary is a replica again. Swarm and engines are left
/// as found.
/// </summary>
public class SwarmSentinelIntegrationTests : IAsyncLifetime
{
    private static readonly (string Name, string Index)[] Engines = [("rdkpa1", "90"), ("rdkpa2", "91"),
        ("rdkpa3", "92")];
    private const string Subnet = "172.30.90.0/24";   // only inside the engines' network namespaces
    private const string Password = "swarm-sentinel-password";
    private readonly string _topology = $"tss-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(8));
    private readonly RecordingSink _sink = new();
    private TestSwarm? _swarm;
    private CancellationToken Ct => _cts.Token;
    private RedisDockerSession Session => _swarm!.Session;
    private string Manager => Engines[0].Name;

    public async Task InitializeAsync() => _swarm = await TestSwarm.UpAsync(_topology, Engines);

    public async Task DisposeAsync()
    {
        try { if (_swarm is not null) await _swarm.DisposeAsync(); }
        finally { _cts.Dispose(); }
    }

    /// <summary>docker node update --label-add on the manager (the module reads labels, it does not set them).
    /// </summary>
    private async Task LabelSwarmNodeAsync(string nodeId, string label)
    {
        var (code, _, err) = await TestSwarm.CliAsync("-H", _swarm!.Tcp(Manager), "node", "update", "--label-add",
            label, nodeId);
        Assert.True(code == 0, $"docker node update failed: {err}");
    }

    private static async Task<RespConnection> ConnectAsync(RedisNode node, CancellationToken ct)
    {
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        return await RespConnection.ConnectAsync(host, port, new RespConnectionOptions { Password = Password }, ct);
    }

    [Fact]
    public async Task ASentinelGroupPlacedOverThreeSwarmEnginesFailsOverWhenThePrimarysEngineIsLost()
    {
        var w = Session.Workflows(_sink);
        var swarm = await w.Swarm.RefreshAsync(Ct);
        Assert.Equal(3, swarm.Count);
        Assert.All(swarm, n => Assert.True(n.Usable && n.DockerHost is not null, $"{n.Name}: {n.State}"));
        // The primary goes where the label says: the second engine's swarm node carries zone=b.
        var zoneB = swarm.Single(n => n.DockerHost == _swarm!.Tcp(Engines[1].Name));
        await LabelSwarmNodeAsync(zoneB.Id, "zone=b");

        var net = await w.Networks.CreateAsync(new NetworkSpec
        {
            Name = _topology, Subnet = Subnet, Driver = "overlay", DockerHost = _swarm!.Tcp(Manager),
        }, Ct);
        Assert.Equal("overlay", net.Driver);

        // No swarm node has the label asked for: a clear error, nothing made.
        var none = await Assert.ThrowsAsync<RedisDockerException>(() => w.Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{_topology}-x", Network = _topology, SwarmNodeLabels = ["zone=nowhere"] },
        }, Ct));
        Assert.Equal(ErrorIds.NoUsableSwarmNode, none.ErrorId);
        Assert.Contains("zone=nowhere", none.Message);

        var primary = Assert.Single(await w.Nodes.CreateAsync(new[]
        {
            new NodeSpec
            {
                Name = $"{_topology}-p", Network = _topology, Password = Password, SwarmNodeLabels = ["zone=b"],
            },
        }, Ct)).Node!;
        Assert.Equal(zoneB.DockerHost, primary.DockerHost);
        Assert.Equal(zoneB.Name, primary.SwarmNode);
        // Published on its own engine's address (127.0.0.1 of another machine is out of reach).
        Assert.Equal(_swarm!.Addr(Engines[1].Name), EndpointMap.Split(primary.HostEndpoint!).Host);

        // Two replicas without a place given: the swarm nodes that hold nothing of the topology yet.
        var made = await w.Nodes.CreateAsync(new[] { 1, 2 }.Select(i => new NodeSpec
        {
            Name = $"{_topology}-r{i}", Network = _topology, Password = Password,
        }).ToArray(), Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        var replicas = made.Select(r => r.Node!).ToList();
        Assert.Equal(3, replicas.Append(primary).Select(n => n.SwarmNode).Distinct().Count());
        foreach (var r in replicas) await w.Replication.SetReplicaAsync(r.Name, primary.Name, Ct);

        // One sentinel per engine, spread the same way.
        var group = await w.Sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = primary.Name, Count = 3, Quorum = 2, DownAfterMs = 3000, FailoverTimeoutMs = 10000,
        }, Ct);
        Assert.NotNull(group);
        var sentinels = await w.Nodes.GetAsync(new NodeFilter { Topology = _topology, SentinelsOnly = true }, Ct);
        Assert.Equal(3, sentinels.Count);
        Assert.Equal(3, sentinels.Select(s => s.SwarmNode).Distinct().Count());
        Assert.All(sentinels, s => Assert.Equal("ready", s.SwarmNodeState));

        await using (var c = await ConnectAsync(primary, Ct))
        {
            for (var i = 0; i < 20; i++) Assert.Equal("OK", (await c.ExecuteAsync("SET", $"k{i}", i)).AsString());
            Assert.Equal(2, (await c.ExecuteAsync("WAIT", 2, 5000)).AsInt64());
        }
        var before = Assert.Single(await w.Topologies.GetAsync(_topology, Ct));
        Assert.Empty(before.LostSwarmNodes);

        // The primary's machine is lost: the sentinels on the other two promote a replica that takes writes.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "cut", Engines[1].Name);
        RedisNode? promoted = null;
        await Waiter.UntilAsync(_sink, "a replica promoted on another engine", TimeSpan.FromSeconds(90), async c =>
        {
            foreach (var r in replicas)
            {
                try
                {
                    await using var conn = await ConnectAsync(r, c);
                    var role = (await conn.ExecuteAsync("ROLE")).AsArray()[0].AsString();
                    if (role == "master" && (await conn.ExecuteAsync("SET", "after", "cut")).AsString() == "OK")
                    {
                        promoted = r;
                        return (true, $"{r.Name} is primary");
                    }
                }
                catch (Exception) when (!c.IsCancellationRequested) { }
            }
            return (false, "no replica takes writes yet");
        }, Ct, pollMs: 1000);
        await using (var c = await ConnectAsync(promoted!, Ct))
            Assert.Equal("19", (await c.ExecuteAsync("GET", "k19")).AsString());

        // Get-RedisTopology names the lost swarm node instead of only leaving its nodes out.
        var cut = Assert.Single(await w.Topologies.GetAsync(_topology, Ct));
        Assert.Equal(new[] { zoneB.Name }, cut.LostSwarmNodes);
        Assert.Equal("Degraded", cut.Health);
        Assert.Contains(cut.Problems, p => p.Contains(zoneB.Name, StringComparison.Ordinal));

        // The machine returns: the old primary comes back as a replica of the promoted one.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "heal", Engines[1].Name);
        await Waiter.UntilAsync(_sink, "the old primary rejoining as a replica", TimeSpan.FromSeconds(120),
            async c =>
            {
                try
                {
                    await using var conn = await ConnectAsync(primary, c);
                    var role = (await conn.ExecuteAsync("ROLE")).AsArray();
                    var link = role[0].AsString() == "slave" ? role[3].AsString() : "";
                    return (role[0].AsString() == "slave" && link == "connected"
                        && (await conn.ExecuteAsync("GET", "after")).AsString() == "cut",
                        $"{role[0].AsString()} {link}");
                }
                catch (Exception e) when (!c.IsCancellationRequested)
                {
                    return (false, e.Message);
                }
            }, Ct, pollMs: 1000);
        await Waiter.UntilAsync(_sink, "the swarm node back", TimeSpan.FromSeconds(60), async c =>
        {
            var t = (await w.Topologies.GetAsync(_topology, c)).Single();
            return (t.LostSwarmNodes.Count == 0, string.Join(",", t.LostSwarmNodes));
        }, Ct, pollMs: 1000);

        await w.Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
    }
}
