using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>
/// The session's direct path to a node (its container address, where this host routes to it) and its fallback to the
/// published port (route Auto), against a real redis-server on 127.0.0.1 standing for the published port.
/// </summary>
public class DirectPathFallbackTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _redis;

    public DirectPathFallbackTests(RedisFixture redis) => _redis = redis;

    /// <summary>CI of 98b904b (NodeRouteIntegrationTests): a node still starting refused the direct connection, and
    /// began listening before the published port was tried, which answered; the session then took the whole network
    /// for unroutable and dialed the published ports for the rest of its life. A refusal comes from the container
    /// itself: the address routes, so this one connection goes through the published port and the route is kept.
    /// </summary>
    [Fact]
    public async Task ARefusedDirectConnectionFallsBackOnceAndKeepsTheRoute()
    {
        await using var session = new RedisDockerSession(DockerEndpoint.FromEnvironment());
        Assert.Equal(ConnectionRoute.Auto, session.Routes.Mode);
        var published = $"127.0.0.1:{_redis.Port}";
        // The container address: a port of this host where nothing listens, so a connect is refused.
        var closed = RedisServerProcess.GetFreePort();
        var node = new RedisNode
        {
            Name = "n1", Id = "id", Topology = "t", State = "running", Image = "redis", Network = "net",
            IPAddress = "127.0.0.1", Port = closed, HostEndpoint = published, HostPort = _redis.Port,
            DockerHost = "unix:///var/run/docker.sock",
        };
        session.Routes.Note(node, sameHost: true);

        var conn = await session.ConnectAsync(published, _redis.Password, default);
        Assert.Equal(published, conn.Endpoint);
        Assert.Equal("PONG", (await conn.ExecuteAsync("PING")).AsString());
        var route = Assert.Single(session.ContainerRoutes);
        Assert.True(route.Value, "a refused direct connection marked the network unroutable");
        // The next connection tries the direct path again.
        Assert.Equal(node.ContainerEndpoint, await session.Routes.DialAsync(published, default));
    }
}
