using System.Net;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>
/// Review of Move-RedisNode: the published address a moved node gets by default, and the check of the target engine
/// (it answers, it has the image) that runs before the move changes anything (a failover, the old container and its
/// volume removed). MoveNodeAsync calls the check right after the replacement's spec is made and before the
/// primary is looked up (and failed over); a failing check throws, so nothing after it runs. The real move is
/// covered by Integration/SwarmMoveIntegrationTests.
/// </summary>
public class NodeMoveTests
{
    private static readonly DockerEndpoint Nowhere = EngineSeamTests.Nowhere;

    private static NodeSpec Spec => new() { Name = "mv-1", Network = "ov", Image = "redis-nope:1" };

    [Fact]
    public void ANodeOnLoopbackMovedToARemoteEngineIsPublishedOnThatEnginesAddress()
    {
        var remote = DockerEndpoint.Parse("tcp://10.250.2.2:2375");
        var local = DockerEndpoint.Parse("unix:///var/run/docker.sock");
        // Published on 127.0.0.1 (null in the spec): a remote target's 127.0.0.1 is not reachable from here.
        Assert.Equal("10.250.2.2", TopologyOperations.MovedHostAddress(null, remote));
        Assert.Null(TopologyOperations.MovedHostAddress(null, local));
        // Published on its old engine's address: the target's own.
        Assert.Equal("10.250.2.2", TopologyOperations.MovedHostAddress("10.250.1.2", remote));
        Assert.Equal("127.0.0.1", TopologyOperations.MovedHostAddress("10.250.1.2", local));
    }

    [Fact]
    public async Task ASilentTargetEngineStopsTheMoveBeforeItsImageIsLookedAt()
    {
        var engine = EngineSeamTests.FakeEngine.Create(new()
        {
            ["PingAsync"] = _ => Task.FromException(new DockerException("connection refused")),
        });
        using var session = new RedisDockerSession(Nowhere);

        var e = await Assert.ThrowsAsync<RedisDockerException>(() => session.Workflows(new RecordingSink())
            .Topologies.CheckMoveTargetAsync(engine, Spec, CancellationToken.None));

        Assert.Equal(ErrorIds.DockerUnreachable, e.ErrorId);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(new[] { "PingAsync" }, EngineSeamTests.FakeEngine.Calls(engine));
    }

    [Fact]
    public async Task ATargetWithoutTheImageThatCannotPullItStopsTheMove()
    {
        var engine = EngineSeamTests.FakeEngine.Create(new()
        {
            ["PingAsync"] = _ => Task.CompletedTask,
            ["InspectImageAsync"] = _ => Task.FromResult<ImageInfo?>(null),
            ["PullImageAsync"] = _ => Task.FromException(new DockerApiException(Nowhere, "POST", "/images/create",
                HttpStatusCode.NotFound, "pull access denied for redis-nope")),
        });
        using var session = new RedisDockerSession(Nowhere);

        var e = await Assert.ThrowsAsync<RedisDockerException>(() => session.Workflows(new RecordingSink())
            .Topologies.CheckMoveTargetAsync(engine, Spec, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageUnavailable, e.ErrorId);
        Assert.Equal(new[] { "PingAsync", "InspectImageAsync", "PullImageAsync" },
            EngineSeamTests.FakeEngine.Calls(engine));
    }

    [Fact]
    public async Task ATargetThatAnswersAndHasTheImagePassesTheCheck()
    {
        var engine = EngineSeamTests.FakeEngine.Create(new()
        {
            ["PingAsync"] = _ => Task.CompletedTask,
            ["InspectImageAsync"] = _ => Task.FromResult<ImageInfo?>(new ImageInfo("sha256:1", new[] { "redis-nope:1" }, 1,
                new Dictionary<string, string>(), "linux", "amd64")),
        });
        using var session = new RedisDockerSession(Nowhere);

        await session.Workflows(new RecordingSink()).Topologies.CheckMoveTargetAsync(engine, Spec,
            CancellationToken.None);

        Assert.Equal(new[] { "PingAsync", "InspectImageAsync" }, EngineSeamTests.FakeEngine.Calls(engine));
    }
}
