using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 15, items 4 (a drained swarm node) and 5 (export/import of an overlay topology): three extra Docker
/// engines (tests/multihost/engine.sh, never the main engine) in one Docker Swarm (swarm.sh), a 3x1 cluster on an
/// overlay across two of them. The JSON export records the overlay and each node's engine and swarm node; the
/// topology is removed and imported again from it (one engine named by an endpoint that is gone, found by its swarm
/// node). Then one engine is drained: Docker moves none of the module's containers (they are not services), and
/// Move-RedisNode moves its Redis nodes to the third engine. Swarm and engines are left as found.
/// </summary>
public class SwarmMoveIntegrationTests : IAsyncLifetime
{
    private const string Manager = "rdkst1";
    private const string Drained = "rdkst2";
    private const string Spare = "rdkst3";
    private const string Subnet = "172.30.95.0/24";   // only inside the three engines' network namespaces
    private const string Password = "swarm-move-password";
    private readonly string _topology = $"tst-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(10));
    private readonly RecordingSink _sink = new();
    private TestSwarm? _swarm;
    private CancellationToken Ct => _cts.Token;
    private RedisDockerSession Session => _swarm!.Session;
    private string Tcp(string engine) => _swarm!.Tcp(engine);
    private string Addr(string engine) => _swarm!.Addr(engine);

    public async Task InitializeAsync() =>
        _swarm = await TestSwarm.UpAsync(_topology, (Manager, "95"), (Drained, "96"), (Spare, "97"));

    public async Task DisposeAsync()
    {
        try { if (_swarm is not null) await _swarm.DisposeAsync(); }
        finally { _cts.Dispose(); }
    }

    [Fact]
    public async Task AnOverlayClusterRoundTripsThroughItsExportAndLeavesADrainedSwarmNodeWithMoveRedisNode()
    {
        var w = Session.Workflows(_sink);
        var swarm = await w.Swarm.RefreshAsync(Ct);
        Assert.Equal(3, swarm.Count);
        var nodeOf = swarm.ToDictionary(n => n.DockerHost!, n => n);

        await w.Networks.CreateAsync(new NetworkSpec
        {
            Name = _topology, Subnet = Subnet, Driver = "overlay", DockerHost = Tcp(Manager),
        }, Ct);
        var specs = Enumerable.Range(1, 6).Select(i => new NodeSpec
        {
            Name = $"{_topology}-{i}",
            Network = _topology,
            ClusterEnabled = true,
            Password = Password,
            DockerHost = Tcp(i % 2 == 1 ? Manager : Drained),
            HostIp = Addr(i % 2 == 1 ? Manager : Drained),
        }).ToArray();
        var made = await w.Nodes.CreateAsync(specs, Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        Assert.Equal("ok", (await w.Cluster.CreateAsync(specs.Select(s => s.Name).ToArray(), 1, Ct)).State);
        var before = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct))
            .ToDictionary(n => n.Name);

        // ---- item 5: the JSON export records the overlay, each node's engine, swarm node and published address.
        var spec = await w.Topologies.ExportAsync(_topology, Ct);
        var json = TopologyOperations.ToJson(spec);
        var net = Assert.Single(spec.Networks);
        Assert.Equal("overlay", net.Driver);
        Assert.Equal(Tcp(Manager), net.DockerHost);
        Assert.Contains("\"driver\": \"overlay\"", json);
        foreach (var n in spec.Nodes)
        {
            var engine = before[n.Name].DockerHost;
            Assert.Equal(engine, n.DockerHost);
            Assert.Equal(nodeOf[engine].Name, n.SwarmNode);
            Assert.Equal(nodeOf[engine].Id, n.SwarmNodeId);
            Assert.Equal(EndpointMap.Split(before[n.Name].HostEndpoint!).Host, n.HostAddress);
            Assert.Contains($"\"swarmNodeId\": \"{n.SwarmNodeId}\"", json);
        }

        await w.Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
        // An engine the spec names that does not answer, with no swarm node to find it by: a clear error, nothing made.
        const string gone = "unix:///run/rdk-st-gone.sock";
        var lost = spec with
        {
            Nodes = spec.Nodes.Select(n => n.DockerHost == Tcp(Drained)
                ? n with { DockerHost = gone, SwarmNodeId = null } : n).ToArray(),
        };
        var refused = await Assert.ThrowsAsync<RedisDockerException>(() =>
            w.Topologies.ImportAsync(TopologyOperations.FromJson(TopologyOperations.ToJson(lost)), Password, Ct));
        Assert.True(refused.ErrorId == ErrorIds.DockerUnreachable, $"{refused.ErrorId}: {refused.Message}");
        Assert.Contains(gone, refused.Message);
        Assert.Contains("Connect-RedisDocker", refused.Message);
        foreach (var host in Session.Hosts)
        {
            var docker = await Session.GetDockerAsync(host.ToString(), Ct);
            Assert.Empty(await docker.ListContainersAsync(Labels.ForTopology(_topology), all: true, Ct));
        }

        // The same engine under an endpoint that is gone, but with its swarm node recorded: found by the swarm node.
        var moved = spec with
        {
            Nodes = spec.Nodes.Select(n => n.DockerHost == Tcp(Drained) ? n with { DockerHost = gone } : n).ToArray(),
        };
        await w.Topologies.ImportAsync(TopologyOperations.FromJson(TopologyOperations.ToJson(moved)), Password, Ct);
        var imported = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct)).ToDictionary(n => n.Name);
        Assert.Equal(6, imported.Count);
        foreach (var (name, old) in before)
        {
            Assert.Equal(old.DockerHost, imported[name].DockerHost);
            Assert.Equal(old.IPAddress, imported[name].IPAddress);
            Assert.Equal(old.SwarmNode, imported[name].SwarmNode);
        }
        var overlay = await Swarm.OverlayNetworks.FindAsync(Session, _topology, _sink, Ct);
        Assert.Equal("overlay", overlay!.Driver);
        Assert.All(await w.Cluster.TestAsync(_topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));

        var cmd = w.Commands;
        for (var i = 0; i < 30; i++)
            Assert.Equal("OK", await cmd.InvokeOnClusterAsync(_topology, new object[] { "SET", $"k{i}", i }, Ct));

        // ---- item 4: the swarm node is drained; Docker moves none of the module's containers.
        var drainedNode = nodeOf[Tcp(Drained)];
        await DockerCliAsync("-H", Tcp(Manager), "node", "update", "--availability", "drain", drainedNode.Id);
        swarm = await w.Swarm.RefreshAsync(Ct);
        Assert.Equal("drain", swarm.Single(n => n.Id == drainedNode.Id).Availability);
        var onDrained = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct))
            .Where(n => n.DockerHost == Tcp(Drained)).ToList();
        Assert.Equal(3, onDrained.Count);
        Assert.All(onDrained, n => Assert.Equal("running", n.State));

        // Nothing is moved onto a drained swarm node.
        var toDrained = await Assert.ThrowsAsync<RedisDockerException>(() => w.Topologies.MoveNodeAsync(
            new NodeMoveSpec { Name = $"{_topology}-1", SwarmNode = drainedNode.Name }, Ct));
        Assert.Equal(ErrorIds.InvalidArgument, toDrained.ErrorId);
        Assert.Contains("drain", toDrained.Message);

        // At least one primary on the drained engine, so a move fails over first.
        var roles = await w.Cluster.GetNodesAsync(_topology, Ct);
        if (!roles.Any(m => m.Role == RedisRole.Primary && onDrained.Any(n => n.Name == m.Name)))
            await w.Cluster.FailoverAsync(_topology, roles.First(m => onDrained.Any(n => n.Name == m.Name)).Name!,
                ClusterFailoverMode.Coordinated, Ct);
        var spare = nodeOf[Tcp(Spare)];
        foreach (var n in onDrained)
        {
            var after = await w.Topologies.MoveNodeAsync(new NodeMoveSpec { Name = n.Name, SwarmNode = spare.Name },
                Ct);
            Assert.Equal(Tcp(Spare), after.DockerHost);
            Assert.Equal(spare.Name, after.SwarmNode);
            Assert.Equal(n.IPAddress, after.IPAddress);
            Assert.Equal(Addr(Spare), EndpointMap.Split(after.HostEndpoint!).Host);
        }

        // Nothing of the topology is left on the drained engine; the cluster is whole, every key readable, and each
        // primary has its replica on another engine, synced over the overlay.
        var drainedDocker = await Session.GetDockerAsync(Tcp(Drained), Ct);
        Assert.Empty(await drainedDocker.ListContainersAsync(Labels.ForTopology(_topology), all: true, Ct));
        Assert.Empty(await drainedDocker.ListVolumesAsync(Labels.ForTopology(_topology), Ct));
        Assert.All(await w.Cluster.TestAsync(_topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));
        for (var i = 0; i < 30; i++)
            Assert.Equal(i.ToString(), await cmd.InvokeOnClusterAsync(_topology, new object[] { "GET", $"k{i}" }, Ct));
        var nodes = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct)).ToDictionary(n => n.Name);
        var members = await w.Cluster.GetNodesAsync(_topology, Ct);
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
        {
            var replica = Assert.Single(p.Replicas);
            Assert.NotEqual(nodes[p.Name!].DockerHost, nodes[replica].DockerHost);
            var (host, port) = EndpointMap.Split(p.HostEndpoint!);
            await using var c = await RespConnection.ConnectAsync(host, port,
                new RespConnectionOptions { Password = Password }, Ct);
            Assert.Equal(1, (await c.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        }

        // ---- item 5: the stack file of the topology as it is now deploys on the swarm (the offline test image for
        // redis:7.4): each service on its swarm node, the password from the secret, the others reached by name.
        var final = await w.Topologies.ExportAsync(_topology, Ct);
        await w.Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
        var dir = Directory.CreateTempSubdirectory("rdk-stack-").FullName;
        try
        {
            var stackFile = Path.Combine(dir, TopologyOperations.StackFileName);
            File.WriteAllText(stackFile, TopologyOperations.ToStack(final)
                .Replace("\"redis:7.4\"", $"\"{DockerTestBase.TestImage}\""));
            File.WriteAllText(Path.Combine(dir, TopologyOperations.ComposeNodeSecret),
                $"requirepass \"{Password}\"\nmasterauth \"{Password}\"\n");
            var stack = _topology + "s";
            await DockerCliAsync("-H", Tcp(Manager), "stack", "deploy", "--resolve-image", "never",
                "--compose-file", stackFile, stack);
            var wanted = final.Nodes.ToDictionary(n => n.Name, n => n.DockerHost!);
            var found = new Dictionary<string, (string Engine, string Container)>();
            await Waiter.UntilAsync(_sink, "the stack's services running", TimeSpan.FromSeconds(90), async c =>
            {
                found.Clear();
                foreach (var engine in new[] { Manager, Drained, Spare })
                    foreach (var line in (await DockerCliAsync("-H", Tcp(engine), "ps", "--filter",
                        $"label=com.docker.stack.namespace={stack}", "--format",
                        "{{.Names}} {{.Label \"com.docker.swarm.service.name\"}}")).Split('\n',
                            StringSplitOptions.RemoveEmptyEntries))
                        if (line.Split(' ') is [var container, var service])
                            found[service[(stack.Length + 1)..]] = (Tcp(engine), container);
                return (found.Count == wanted.Count, $"{found.Count} of {wanted.Count} running");
            }, Ct, pollMs: 1000);
            foreach (var (name, engine) in wanted) Assert.Equal(engine, found[name].Engine);
            var first = final.Nodes[0];
            foreach (var n in final.Nodes)
            {
                var (engine, container) = found[n.Name];
                // requirepass came from the secret; the first node reaches this one by its service name.
                var noAuth = await TestSwarm.CliAsync("-H", engine, "exec", container, "redis-cli", "-p",
                    n.Port.ToString(), "PING");
                Assert.True((noAuth.Out + noAuth.Err).Contains("NOAUTH"), noAuth.Out + noAuth.Err + "\n"
                    + (await TestSwarm.CliAsync("-H", engine, "logs", "--tail", "20", container)).Err);
                var (fromEngine, from) = found[first.Name];
                await Waiter.UntilAsync(_sink, $"{n.Name} by name", TimeSpan.FromSeconds(30), async c =>
                {
                    var pong = await TestSwarm.CliAsync("-H", fromEngine, "exec", from, "redis-cli", "--no-auth-warning",
                        "-a", Password, "-h", n.Name, "-p", n.Port.ToString(), "PING");
                    return (pong.Out.Trim() == "PONG", pong.Out + pong.Err);
                }, Ct, pollMs: 1000);
            }
            await DockerCliAsync("-H", Tcp(Manager), "stack", "rm", stack);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task<string> DockerCliAsync(params string[] args)
    {
        var (code, stdout, stderr) = await TestSwarm.CliAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout;
    }
}
