using System.Formats.Tar;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 9 item 4: Redis and Sentinel run as the unprivileged redis user (uid 999), never as root.</summary>
public class NonRootIntegrationTests : DockerTestBase
{
    public NonRootIntegrationTests() : base("nroot") { }

    private async Task AssertRunsAsRedisUserAsync(DockerClient docker, string container)
    {
        var info = await docker.InspectContainerAsync(container, Ct);
        Assert.Equal(NodeOperations.RedisUser, info!.User);
        var processes = await docker.TopAsync(container, ct: Ct);
        Assert.NotEmpty(processes);
        Assert.All(processes, p => Assert.Equal("999", p["UID"].Trim()));
        Assert.Contains(processes, p => p["COMMAND"].Contains("redis-server", StringComparison.Ordinal));
    }

    /// <summary>The owner of a file in a container, as the archive API reports it.</summary>
    private async Task<int> OwnerAsync(DockerClient docker, string container, string path)
    {
        using var ms = new MemoryStream(await docker.GetArchiveAsync(container, path, Ct));
        using var tar = new TarReader(ms);
        return tar.GetNextEntry()!.Uid;
    }

    [Fact]
    public async Task NodesAndSentinelsRunAsRedisRewriteTheirConfigRestartAndFailOver()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 2);
        var docker = await Session.GetDockerAsync(Ct);
        await Session.Workflows(Sink).Replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        var sentinels = Session.Workflows(Sink).Sentinels;
        // down-after well above what a restart can take (stop is bounded by its 10 s timeout, then the start; seconds
        // each on a loaded engine): with 2 s the sentinels failed the primary over while it restarted. The failover
        // below is a coordinated one (SENTINEL FAILOVER), which does not wait for down-after.
        var group = await sentinels.CreateAsync(
            new SentinelGroupSpec { Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 30000 }, Ct);

        foreach (var n in nodes) await AssertRunsAsRedisUserAsync(docker, n.Name);
        foreach (var s in group.Sentinels) await AssertRunsAsRedisUserAsync(docker, s);

        // CONFIG REWRITE works and leaves the file to the redis user; the data directory is its too.
        await using (var c = await ConnectAsync(nodes[0]))
        {
            Assert.Equal("OK", (await c.ExecuteAsync("CONFIG", "REWRITE")).AsString());
            Assert.Equal("OK", (await c.ExecuteAsync("SET", "kept", "yes")).AsString());
            Assert.Equal(1, (await c.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        }
        Assert.Equal(999, await OwnerAsync(docker, nodes[0].Name, RedisConfigRenderer.RedisConfigPath));
        Assert.Equal(999, await OwnerAsync(docker, nodes[0].Name, "/data"));
        Assert.Equal(999, await OwnerAsync(docker, group.Sentinels[0], RedisConfigRenderer.SentinelConfigPath));

        // Restarts keep working (AOF in /data written by uid 999).
        var restarted = await Nodes.RestartAsync(nodes[0].Name, 10, Ct);
        await AssertRunsAsRedisUserAsync(docker, nodes[0].Name);
        await using (var c = await ConnectAsync(restarted))
            Assert.Equal("yes", (await c.ExecuteAsync("GET", "kept")).AsString());

        // Sentinel failover still works (the sentinels rewrite their own configuration as uid 999), once the
        // replica is linked to the restarted primary again (bounded wait).
        // A restart shorter than down-after is no failover: nodes[1] is still the replica of nodes[0].
        await using (var r = await ConnectAsync(nodes[1]))
            for (var i = 0; ; i++)
            {
                var role = (await r.ExecuteAsync("ROLE")).AsArray();
                Assert.True(role[0].AsString() == "slave",
                    $"'{nodes[1].Name}' reports ROLE {role[0].AsString()}: the sentinels failed over during the restart");
                if (role[3].AsString() == "connected") break;
                Assert.True(i < 120, "the replica did not link to the restarted primary within 60 s");
                await Task.Delay(500, Ct);
            }
        Assert.Equal(nodes[0].Name, (await sentinels.GetAsync(Topology, group.MasterName, Ct)).Single().Primary);
        var result = await sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(nodes[1].Name, result.NewPrimary);
        var promoted = await Nodes.GetOneAsync(nodes[1].Name, Ct);
        Assert.Equal(RedisRole.Primary, promoted.Role);
        await using (var c = await ConnectAsync(promoted))
            Assert.Equal("yes", (await c.ExecuteAsync("GET", "kept")).AsString());
        foreach (var s in group.Sentinels) Assert.Equal(999, await OwnerAsync(docker, s, RedisConfigRenderer.SentinelConfigPath));
    }
}
