using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 12: ACL users on every node of a topology, kept through node additions, restarts and failovers;
/// the module's own users (default, redisdocker: the topology password) keep the module, replication and the bus
/// working.</summary>
public class AclUserTests : DockerTestBase
{
    public AclUserTests() : base("acl") { }

    private AclOperations Users => Session.Workflows(Sink).Acl;

    private async Task<RespConnection> ConnectAsUserAsync(RedisNode node, string user, string password)
    {
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        return await RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { User = user, Password = password }, Ct);
    }

    /// <summary>The user reads and writes its keys only, on this node (a MOVED reply means the ACL let it pass:
    /// Redis checks the ACL before it redirects).</summary>
    private async Task AssertUserConfinedAsync(RedisNode node, string password)
    {
        await using var conn = await ConnectAsUserAsync(node, "app", password);
        foreach (var key in new[] { "app:1", "app:2", "app:3" })
        {
            var own = await conn.SendAsync(new object[] { "SET", key, "v" }, Ct);
            var text = own.Text ?? "";
            Assert.True(!own.IsError || text.StartsWith("MOVED", StringComparison.Ordinal), $"{node.Name}: {text}");
        }
        var other = await conn.SendAsync(new object[] { "SET", "other:1", "v" }, Ct);
        Assert.True(other.IsError, node.Name);
        Assert.StartsWith("NOPERM", other.Text);
        var admin = await conn.SendAsync(new object[] { "CONFIG", "GET", "port" }, Ct);
        Assert.StartsWith("NOPERM", admin.Text);
    }

    [Fact]
    public async Task AUserIsConfinedToItsKeysOnEveryNodeAndKeptThroughGrowthRestartAndFailover()
    {
        var net = await NewNetworkAsync();
        await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 6, ReplicasPerPrimary = 1,
        }, Ct);
        var password = Secrets.GeneratePassword(24);
        OtherSecrets.Add(password);
        var user = await Users.NewAsync(Topology, "app", password, "~app:* +@read +@write", disabled: false, Ct);
        Assert.True(user.Enabled);
        Assert.Equal(1, user.PasswordCount);
        Assert.Contains("~app:*", user.Permission);
        Assert.DoesNotContain(password, user.ToString());
        Assert.DoesNotContain(AclFile.HashOf(password), user.ToString());

        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct);
        Assert.Equal(6, nodes.Count);
        foreach (var n in nodes) await AssertUserConfinedAsync(n, password);

        // A node added later gets the users from its peers' aclfile.
        var added = (await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = Topology + "-7", Network = net.Name, ClusterEnabled = true },
        }, Ct)).Single();
        Assert.Null(added.Error);
        var primary = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Primary);
        await Clusters.AddNodeAsync(Topology, added.Name, primary.Name, Ct);
        await AssertUserConfinedAsync(added.Node!, password);

        // A restarted node loads them from its volume; the default user (topology password) still runs the cluster.
        await Nodes.RestartAsync(primary.Name!, 10, Ct);
        await Clusters.WaitHealthyAsync(Topology, Ct);
        await AssertUserConfinedAsync(await Nodes.GetOneAsync(primary.Name!, Ct), password);

        // A replica promoted by a failover has them too.
        var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Replica);
        var result = await Clusters.FailoverAsync(Topology, replica.Name!, ClusterFailoverMode.Coordinated, Ct);
        Assert.Equal(replica.Name, result.NewPrimary);
        await AssertUserConfinedAsync(await Nodes.GetOneAsync(replica.Name!, Ct), password);

        // A client without credentials, or with a wrong password for default, is still refused.
        var any = await Nodes.GetOneAsync(replica.Name!, Ct);
        var (host, port) = EndpointMap.Split(any.HostEndpoint!);
        await using (var anon = await RespConnection.ConnectAsync(host, port, new RespConnectionOptions(), Ct))
            Assert.StartsWith("NOAUTH", (await anon.SendAsync(new object[] { "GET", "app:1" }, Ct)).Text);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsUserAsync(any, "default", password));

        // The module's users are reserved: default's rules and password stay (it may only be turned off or on:
        // AdminUserTests), redisdocker cannot be made again.
        var reserved = await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.SetAsync(Topology, "default", "~* +@read", null, null, Ct));
        Assert.Equal(ErrorIds.DefaultUserReserved, reserved.ErrorId);
        Assert.Equal(ErrorIds.DefaultUserReserved, (await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.NewAsync(Topology, AclFile.AdminUser, password, "~* +@all", false, Ct))).ErrorId);

        // Off, then on with a new password and other rules; then removed.
        var off = await Users.SetAsync(Topology, "app", null, null, enabled: false, Ct);
        Assert.False(off.Enabled);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsUserAsync(any, "app", password));
        var password2 = Secrets.GeneratePassword(24);
        OtherSecrets.Add(password2);
        var on = await Users.SetAsync(Topology, "app", "~app:* +@read", password2, enabled: true, Ct);
        Assert.True(on.Enabled);
        await using (var conn = await ConnectAsUserAsync(any, "app", password2))
            Assert.StartsWith("NOPERM", (await conn.SendAsync(new object[] { "SET", "app:1", "v" }, Ct)).Text);

        // No password of the user in labels, inspect, logs or the aclfile (which keeps only its hash).
        var docker = await Session.GetDockerAsync(Ct);
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct))
        {
            var info = (await docker.InspectContainerAsync(n.Name, Ct))!;
            var seen = string.Join("\n", info.Labels.Values.Concat(info.Cmd))
                + await docker.GetLogsAsync(n.Name, null, Ct);
            if (n.Kind == RedisNodeKind.Redis)
                seen += System.Text.Encoding.UTF8.GetString((await docker.ReadFileAsync(n.Name, AclFile.Path, Ct))!);
            Assert.DoesNotContain(password, seen);
            Assert.DoesNotContain(password2, seen);
        }

        await Users.RemoveAsync(Topology, "app", Ct);
        Assert.Equal(new[] { "default", AclFile.AdminUser },
            (await Users.GetAsync(Topology, null, Ct)).Select(u => u.Name).Order());
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsUserAsync(any, "app", password2));
    }
}
