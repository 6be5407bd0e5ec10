using System.Diagnostics;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

public class TopologyIntegrationTests : DockerTestBase
{
    public TopologyIntegrationTests() : base("tp") { }

    private TopologyOperations Topologies => Session.Workflows(Sink).Topologies;

    private async Task<IReadOnlyList<RedisNode>> ClusterAsync()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        return nodes;
    }

    private async Task<(RedisNode Primary, RedisSentinelGroup Group)> SentinelGroupAsync()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        var replication = Session.Workflows(Sink).Replication;
        foreach (var r in nodes.Skip(1)) await replication.SetReplicaAsync(r.Name, nodes[0].Name, Ct);
        var group = await Session.Workflows(Sink).Sentinels.CreateAsync(new SentinelGroupSpec { Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 3000 }, Ct);
        return (nodes[0], group);
    }

    [Fact]
    public async Task AClusterTopologyStopsAndStartsHealthyWithEveryKey()
    {
        await ClusterAsync();
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        for (var i = 0; i < 300; i++) await router.ExecuteAsync(new object[] { "SET", $"k{i}", i }, Ct);
        var before = Assert.Single(await Topologies.GetAsync(Topology, Ct));
        Assert.Equal("Healthy", before.Health);
        Assert.Equal("ok", before.ClusterState);
        Assert.Equal(6, before.Nodes.Count);

        var stopped = await Topologies.StopAsync(Topology, Ct);
        Assert.Equal("Down", stopped.Health);
        Assert.Equal(6, stopped.Stopped);

        var started = await Topologies.StartAsync(Topology, Ct);
        Assert.Equal("Healthy", started.Health);
        Assert.All(await Clusters.TestAsync(Topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));
        var fresh = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        for (var i = 0; i < 300; i++) Assert.Equal(i.ToString(), (await fresh.ExecuteAsync(new object[] { "GET", $"k{i}" }, Ct)).AsString());
    }

    [Fact]
    public async Task ASentinelTopologyStopsAndStartsHealthyWithEveryKey()
    {
        var (primary, group) = await SentinelGroupAsync();
        await using (var p = await ConnectAsync(primary))
        {
            for (var i = 0; i < 100; i++) await p.ExecuteAsync("SET", $"s{i}", i);
            Assert.Equal(2, (await p.ExecuteAsync("WAIT", 2, 5000)).AsInt64());
        }
        await Topologies.StopAsync(Topology, Ct);
        var started = await Topologies.StartAsync(Topology, Ct);
        Assert.Equal("Healthy", started.Health);
        var view = Assert.Single(await Session.Workflows(Sink).Sentinels.GetAsync(Topology, group.MasterName, Ct));
        Assert.True(view.QuorumOk, view.CkQuorum);
        Assert.Equal(primary.Name, view.Primary);
        Assert.Equal(2, view.Replicas.Count);
        await using var np = await ConnectAsync(await Nodes.GetOneAsync(primary.Name, Ct));
        for (var i = 0; i < 100; i++) Assert.Equal(i.ToString(), (await np.ExecuteAsync("GET", $"s{i}")).AsString());
    }

    /// <summary>Start-RedisTopology waits for a replica outside a cluster to link to its primary again before it
    /// reports the topology's health: a replica that is still syncing would be a problem in that health.</summary>
    [Fact]
    public async Task StartWaitsForAReplicaToLinkAgainBeforeItReportsHealth()
    {
        var net = await NewNetworkAsync();
        // The primary holds a sync back 5 s (waiting for more replicas to batch a diskless sync), so its replica is
        // still syncing for seconds after both answer again.
        var nodes = await NewNodesAsync(net.Name, 2, customize: (i, s) => i == 0
            ? s with { Config = new[] { new KeyValuePair<string, string>("repl-diskless-sync-delay", "5") } }
            : s);
        await Session.Workflows(Sink).Replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        await Topologies.StopAsync(Topology, Ct);

        var started = await Topologies.StartAsync(Topology, Ct);
        Assert.True(started.Health == "Healthy", $"{started.Health}: {string.Join(" | ", started.Problems)}");
        Assert.Equal("up", (await Session.Workflows(Sink).Replication.GetAsync(nodes[1].Name, Ct)).LinkStatus);
    }

    /// <summary>A command as an ACL user on a node: its reply (a MOVED reply means the ACL let it pass: Redis
    /// checks the ACL before it redirects).</summary>
    private async Task<RespValue> AsUserAsync(RedisNode node, string user, string password, params object[] command)
    {
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        await using var conn = await RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { User = user, Password = password }, Ct);
        return await conn.SendAsync(command, Ct);
    }

    private static bool Passed(RespValue r) =>
        !r.IsError || (r.Text ?? "").StartsWith("MOVED", StringComparison.Ordinal);

    [Fact]
    public async Task ExportRemoveImportBringsTheSameShapeBackWithoutThePassword()
    {
        var nodes = await ClusterAsync();
        var password = await Session.GetPasswordAsync(Topology, Ct);
        // Issue 12: two ACL users (one confined to its keys) come back with their passwords; the spec holds hashes.
        var appPassword = Secrets.GeneratePassword(24);
        var opsPassword = Secrets.GeneratePassword(24);
        OtherSecrets.AddRange(new[] { appPassword, opsPassword });
        var acl = Session.Workflows(Sink).Acl;
        await acl.NewAsync(Topology, "app", appPassword, "~app:* +@read +@write", disabled: false, Ct);
        await acl.NewAsync(Topology, "ops", opsPassword, "+ping +info", disabled: false, Ct);
        var before = await Clusters.GetNodesAsync(Topology, Ct);
        var spec = await Topologies.ExportAsync(Topology, Ct);
        var json = TopologyOperations.ToJson(spec);
        Assert.DoesNotContain(password!, json);
        Assert.Equal(new[] { "app", "ops" }, spec.Users!.Select(u => u.Name).OrderBy(x => x));
        Assert.Equal("#" + AclFile.HashOf(appPassword), Assert.Single(spec.Users!.Single(u => u.Name == "app")
            .PasswordHashes));
        // The file as Export-RedisTopology writes it holds no password of any user (grepped).
        var file = Path.Combine(Path.GetTempPath(), $"{Topology}-spec.json");
        await File.WriteAllTextAsync(file, json, Ct);
        try
        {
            var text = await File.ReadAllTextAsync(file, Ct);
            foreach (var secret in new[] { password!, appPassword, opsPassword }) Assert.DoesNotContain(secret, text);
        }
        finally { File.Delete(file); }
        Assert.Equal(6, spec.Nodes.Count);
        Assert.Equal(3, spec.Cluster!.Primaries.Count);

        // Compose export: valid for docker-compose, no password either.
        var compose = TopologyOperations.ToCompose(spec);
        var yaml = Assert.Single(compose).Value;
        Assert.DoesNotContain(password!, yaml);
        await AssertComposeValidAsync(yaml, Ct);

        await Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        Assert.Empty(await Topologies.GetAsync(Topology, Ct));

        var imported = await Topologies.ImportAsync(TopologyOperations.FromJson(json), null, Ct, dockerHost: Session.DockerHost);
        Assert.Equal("Healthy", imported.Health);
        Assert.Equal(nodes.Select(n => n.Name).OrderBy(x => x), imported.Nodes.OrderBy(x => x));
        var after = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.Equal(
            before.Where(m => m.Role == RedisRole.Primary).Select(m => $"{m.Name}:{m.Slots}").OrderBy(x => x),
            after.Where(m => m.Role == RedisRole.Primary).Select(m => $"{m.Name}:{m.Slots}").OrderBy(x => x));
        Assert.Equal(
            before.Where(m => m.Role == RedisRole.Replica).Select(m => $"{m.Name}->{m.PrimaryName}").OrderBy(x => x),
            after.Where(m => m.Role == RedisRole.Replica).Select(m => $"{m.Name}->{m.PrimaryName}").OrderBy(x => x));
        Assert.NotEqual(password, await Session.GetPasswordAsync(Topology, Ct));

        // Every node has the users again: they authenticate with their old passwords and are limited as before.
        var redis = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct);
        Assert.Equal(6, redis.Count);
        foreach (var n in redis)
        {
            Assert.True(Passed(await AsUserAsync(n, "app", appPassword, "SET", "app:1", "v")), n.Name);
            Assert.StartsWith("NOPERM", (await AsUserAsync(n, "app", appPassword, "SET", "other:1", "v")).Text);
            Assert.StartsWith("NOPERM", (await AsUserAsync(n, "app", appPassword, "CONFIG", "GET", "port")).Text);
            Assert.Equal("PONG", (await AsUserAsync(n, "ops", opsPassword, "PING")).Text);
            Assert.StartsWith("NOPERM", (await AsUserAsync(n, "ops", opsPassword, "GET", "app:1")).Text);
            await Assert.ThrowsAnyAsync<Exception>(() => AsUserAsync(n, "app", opsPassword, "PING"));
        }
        // Saved in the nodes' aclfiles (kept through restarts), as hashes.
        var docker = await Session.GetDockerAsync(Ct);
        var aclText = System.Text.Encoding.UTF8.GetString(
            (await docker.ReadFileAsync(redis[0].Name, AclFile.Path, Ct))!);
        var appLine = AclFile.LinesOf(aclText).Single(l => AclFile.NameOf(l) == "app");
        Assert.Contains(" on ", appLine);
        Assert.Contains(" #" + AclFile.HashOf(appPassword), appLine);
        Assert.DoesNotContain(appPassword, aclText);
    }

    [Fact]
    public async Task ExportAndImportKeepTheClustersClientEndpointChoice()
    {
        // Issue 14: a cluster switched to container addresses for in-network clients comes back so.
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 0, Ct);
        Assert.Equal("Host", (await Topologies.ExportAsync(Topology, Ct)).Cluster!.ClientEndpoint);
        await Clusters.SetClientEndpointAsync(Topology, ClusterClientEndpoint.Container, Ct);
        var json = TopologyOperations.ToJson(await Topologies.ExportAsync(Topology, Ct));
        Assert.Equal("Container", TopologyOperations.FromJson(json).Cluster!.ClientEndpoint);

        await Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        var imported = await Topologies.ImportAsync(TopologyOperations.FromJson(json), null, Ct, dockerHost: Session.DockerHost);
        Assert.Equal("Healthy", imported.Health);
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct))
        {
            await using var conn = await ConnectAsync(n);
            var type = await conn.ExecuteAsync("CONFIG", "GET", "cluster-preferred-endpoint-type");
            Assert.Equal("ip", type.Items![1].AsString());
            // CLUSTER SLOTS names the container address, not the host one.
            var slots = await conn.ExecuteAsync("CLUSTER", "SLOTS");
            Assert.All(slots.Items!, s => Assert.StartsWith(net.Subnet!.Split('.')[0] + "." + net.Subnet.Split('.')[1] + ".",
                s.Items![2].Items![0].AsString()));
        }
        Assert.Equal("Container", (await Topologies.ExportAsync(Topology, Ct)).Cluster!.ClientEndpoint);
        // And back: Redis 7 passes the version check of -ClientEndpoint Host.
        await Clusters.SetClientEndpointAsync(Topology, ClusterClientEndpoint.Host, Ct);
        Assert.Equal("Host", (await Topologies.ExportAsync(Topology, Ct)).Cluster!.ClientEndpoint);
    }

    /// <summary>docker-compose (Debian's) accepts the file: `docker-compose config -q` exits 0.</summary>
    internal static async Task AssertComposeValidAsync(string yaml, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("rdk-compose");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "docker-compose.yml"), yaml, ct);
            // The password comes from secret files (redis.conf fragments) the user writes next to the file.
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, TopologyOperations.ComposeNodeSecret), "requirepass \"example\"\nmasterauth \"example\"\n", ct);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, TopologyOperations.ComposeSentinelSecret), "requirepass \"example\"\n", ct);
            var psi = new ProcessStartInfo("docker-compose", "-f docker-compose.yml config -q") { WorkingDirectory = dir.FullName, RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var err = await p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            Assert.True(p.ExitCode == 0, $"docker-compose config refused the export: {err}\n{yaml}");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task ASentinelTopologyExportsAndImportsWithItsSettings()
    {
        var (primary, group) = await SentinelGroupAsync();
        var spec = await Topologies.ExportAsync(Topology, Ct);
        var g = Assert.Single(spec.SentinelGroups);
        Assert.Equal(group.MasterName, g.MasterName);
        Assert.Equal(3, g.Count);
        Assert.Equal(2, g.Quorum);
        Assert.Equal(3000, g.DownAfterMs);
        Assert.Equal(2, spec.Nodes.Count(n => n.ReplicaOf == primary.Name));
        var compose = TopologyOperations.ToCompose(spec);
        Assert.Contains("sentinel monitor", Assert.Single(compose).Value);

        await Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        var imported = await Topologies.ImportAsync(spec, null, Ct);
        Assert.Equal(3, imported.Sentinels.Count);
        var view = Assert.Single(await Session.Workflows(Sink).Sentinels.GetAsync(Topology, group.MasterName, Ct));
        Assert.Equal(primary.Name, view.Primary);
        Assert.Equal(2, view.Replicas.Count);
        Assert.Equal(3000, view.DownAfterMilliseconds);
        Assert.True(view.QuorumOk, view.CkQuorum);
    }

    [Fact]
    public async Task ImportRefusesAnExistingTopologyAndAFailedImportLeavesNothing()
    {
        await ClusterAsync();
        var spec = await Topologies.ExportAsync(Topology, Ct);
        var exists = await Assert.ThrowsAsync<RedisDockerException>(() => Topologies.ImportAsync(spec, null, Ct));
        Assert.Equal(ErrorIds.NodeNameTaken, exists.ErrorId);

        await Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        var broken = spec with { Nodes = spec.Nodes.Select(n => n with { Image = "redisdocker/does-not-exist:1" }).ToArray() };
        var failed = await Assert.ThrowsAsync<RedisDockerException>(() => Topologies.ImportAsync(broken, null, Ct));
        Assert.Equal(ErrorIds.ImageUnavailable, failed.ErrorId);
        Assert.Empty(await Topologies.GetAsync(Topology, Ct));
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Empty(await docker.ListNetworksAsync(Labels.ForTopology(Topology), Ct));
    }
}
