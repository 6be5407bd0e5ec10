using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 12: the module administers its topologies as its own admin user (redisdocker), so the user
/// 'default' can be turned off: a client with only the password is refused, and the module still fails over, grows,
/// restarts and replicates.</summary>
public class AdminUserTests : DockerTestBase
{
    public AdminUserTests() : base("adm") { }

    private AclOperations Users => Session.Workflows(Sink).Acl;

    private async Task<string> PasswordAsync() => (await Session.GetPasswordAsync(Topology, Ct))!;

    /// <summary>A client that authenticates with the password only (AUTH password, as default) is refused; the same
    /// password as the admin user is accepted.</summary>
    private async Task AssertDefaultRefusedAsync(RedisNode node)
    {
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        var password = await PasswordAsync();
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { Password = password }, Ct));
        Assert.Equal("WRONGPASS", refused.Prefix);
        Assert.DoesNotContain(password, refused.Message);
        await using var admin = await RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { User = AclFile.AdminUser, Password = password }, Ct);
        Assert.Equal("PONG", (await admin.SendAsync(new object[] { "PING" }, Ct)).Text);
    }

    /// <summary>Every replica of the topology has its link to its primary up (read through the module).</summary>
    private async Task AssertReplicationUpAsync(int replicas)
    {
        await Waiter.UntilAsync(Sink, "every replica linked to its primary", TimeSpan.FromSeconds(60), async c =>
        {
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, c);
            var infos = new List<RedisReplicationInfo>();
            foreach (var n in nodes) infos.Add(await Session.Workflows(Sink).Replication.GetAsync(n.Name, c));
            var linked = infos.Where(i => i.Role == RedisRole.Replica).ToList();
            var up = linked.Count(i => i.LinkStatus == "up");
            return (linked.Count == replicas && up == replicas, $"{up} of {linked.Count} replica link(s) up");
        }, Ct, pollMs: 250);
    }

    private async Task AssertNoLeakAsync()
    {
        var password = await PasswordAsync();
        var docker = await Session.GetDockerAsync(Ct);
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct))
        {
            var info = (await docker.InspectContainerAsync(n.Name, Ct))!;
            Assert.Equal(AclFile.AdminUser, info.Labels[Labels.AdminUser]);
            var seen = string.Join("\n", info.Labels.Keys.Concat(info.Labels.Values).Concat(info.Cmd))
                + await docker.GetLogsAsync(n.Name, null, Ct);
            if (n.Kind == RedisNodeKind.Redis)
            {
                var acl = System.Text.Encoding.UTF8.GetString((await docker.ReadFileAsync(n.Name, AclFile.Path, Ct))!);
                Assert.Contains($"user {AclFile.AdminUser} on #{AclFile.HashOf(password)} ", acl);
                seen += acl;
            }
            Assert.DoesNotContain(password, seen);
        }
    }

    private async Task DisableDefaultAsync()
    {
        // The module's own users are reserved: default may only be turned off or on, redisdocker not touched.
        var admin = await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.SetAsync(Topology, AclFile.AdminUser, null, null, enabled: false, Ct));
        Assert.Equal(ErrorIds.DefaultUserReserved, admin.ErrorId);
        Assert.Contains("module's own admin user", admin.Message);
        Assert.Equal(ErrorIds.DefaultUserReserved, (await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.RemoveAsync(Topology, AclFile.AdminUser, Ct))).ErrorId);
        Assert.Equal(ErrorIds.DefaultUserReserved, (await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.SetAsync(Topology, AclFile.DefaultUser, "~* +@read", null, null, Ct))).ErrorId);

        var off = await Users.SetAsync(Topology, AclFile.DefaultUser, null, null, enabled: false, Ct);
        Assert.False(off.Enabled);
        var users = await Users.GetAsync(Topology, null, Ct);
        Assert.Equal(new[] { AclFile.DefaultUser, AclFile.AdminUser }, users.Select(u => u.Name).Order());
        Assert.True(users.Single(u => u.Name == AclFile.AdminUser).ModuleUser);
        Assert.True(users.Single(u => u.Name == AclFile.AdminUser).Enabled);
    }

    [Fact]
    public async Task AClusterWithDefaultOffRefusesThePasswordAloneAndIsStillFailedOverGrownAndRestarted()
    {
        var net = await NewNetworkAsync();
        await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 6, ReplicasPerPrimary = 1,
        }, Ct);
        await DisableDefaultAsync();
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct))
            await AssertDefaultRefusedAsync(n);

        // A connection string with the password only would be refused: it says so.
        await Session.Workflows(Sink).ConnectionStrings.GetAsync(ConnectionTarget.Cluster, Topology, true, Ct);
        Assert.Contains(Sink.Lines, l => l.StartsWith("WARNING: The user 'default' is off", StringComparison.Ordinal));

        // Invoke-RedisFailover's workflow: a coordinated failover to a replica.
        var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Replica);
        var result = await Session.Workflows(Sink).Failover.FailoverToAsync(null, replica.Name!,
            ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(replica.Name, result.NewPrimary);
        await AssertReplicationUpAsync(3);

        // A node added to the cluster gets the admin user and default off from its peers.
        var added = (await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = Topology + "-7", Network = net.Name, ClusterEnabled = true },
        }, Ct)).Single();
        Assert.Null(added.Error);
        var primary = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Primary);
        await Clusters.AddNodeAsync(Topology, added.Name, primary.Name, Ct);
        await AssertDefaultRefusedAsync(added.Node!);
        await AssertReplicationUpAsync(4);

        // A restarted node loads both from its volume; the cluster heals.
        await Nodes.RestartAsync(primary.Name!, 10, Ct);
        await Clusters.WaitHealthyAsync(Topology, Ct);
        await AssertDefaultRefusedAsync(await Nodes.GetOneAsync(primary.Name!, Ct));
        await AssertReplicationUpAsync(4);
        await AssertNoLeakAsync();
    }

    [Fact]
    public async Task ASentinelGroupWithDefaultOffStillFailsOverAndReplicates()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 2);
        var replication = Session.Workflows(Sink).Replication;
        await replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        var sentinels = Session.Workflows(Sink).Sentinels;
        var group = await sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 2000, FailoverTimeoutMs = 10000,
        }, Ct);
        await DisableDefaultAsync();
        foreach (var n in nodes) await AssertDefaultRefusedAsync(n);
        await AssertReplicationUpAsync(1);

        // Invoke-RedisFailover -SentinelGroup: the sentinels reach the nodes as the admin user (auth-user).
        var result = await sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false,
            TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(nodes[1].Name, result.NewPrimary);
        await AssertReplicationUpAsync(1);

        // A restarted replica (the old primary) links again as the admin user (masteruser).
        await Nodes.RestartAsync(nodes[0].Name, 10, Ct);
        await AssertDefaultRefusedAsync(await Nodes.GetOneAsync(nodes[0].Name, Ct));
        await AssertReplicationUpAsync(1);
        await Waiter.UntilAsync(Sink, "the group healthy", TimeSpan.FromSeconds(60), async c =>
        {
            var g = (await sentinels.GetAsync(Topology, group.MasterName, c)).Single();
            var ok = g.QuorumOk && g.ReachableSentinels == 3 && g.Replicas.Count == 1 && g.Primary == nodes[1].Name;
            return (ok, $"{g.Flags}, primary {g.Primary}, {g.ReachableSentinels} sentinels, {g.Replicas.Count} replica");
        }, Ct, pollMs: 500);
        await AssertNoLeakAsync();
    }
}
