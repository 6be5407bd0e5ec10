using RedisDocker.Core.Docker;
using RedisDocker.Core.Security;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 12: which user the module authenticates to an endpoint as, from the node's labels.</summary>
public class AdminUserAuthTests
{
    private static RedisNode Node(string endpoint, RedisNodeKind kind, string? admin) => new()
    {
        Name = "n", Id = "x", Topology = "t", State = "running", Image = "i", Port = 6379, HostEndpoint = endpoint,
        Kind = kind,
        Labels = admin is null ? new Dictionary<string, string>()
            : new Dictionary<string, string> { [Labels.AdminUser] = admin },
    };

    [Fact]
    public void OnlyRedisNodesMadeWithTheAdminUserAreReachedAsIt()
    {
        using var session = new RedisDockerSession(DockerEndpoint.Parse("unix:///tmp/redisdocker-no-such-engine.sock"));
        session.ObserveAdminUser(Node("127.0.0.1:1001", RedisNodeKind.Redis, AclFile.AdminUser));
        // A node made before the admin user came: default, as before.
        session.ObserveAdminUser(Node("127.0.0.1:1002", RedisNodeKind.Redis, null));
        // Sentinels have no ACL users: their label means auth-user towards the nodes, not a user of their own.
        session.ObserveAdminUser(Node("127.0.0.1:1003", RedisNodeKind.Sentinel, AclFile.AdminUser));
        Assert.Equal("redisdocker", session.AdminUserOf("127.0.0.1:1001"));
        Assert.Null(session.AdminUserOf("127.0.0.1:1002"));
        Assert.Null(session.AdminUserOf("127.0.0.1:1003"));
        Assert.Null(session.AdminUserOf("127.0.0.1:1004"));
        // The endpoint taken by another node later (a port reused) follows that node's labels.
        session.ObserveAdminUser(Node("127.0.0.1:1001", RedisNodeKind.Redis, null));
        Assert.Null(session.AdminUserOf("127.0.0.1:1001"));
    }
}
