using System.Net;
using System.Reflection;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>
/// Node workflows' error paths against a fake engine (<see cref="IDockerEngine"/>): what they call, in which order,
/// and what they leave alone when a step fails. The real-Docker tests (Integration/NodeIntegrationTests) stay.
/// </summary>
public class EngineSeamTests
{
    /// <summary>An engine endpoint nothing answers on: the fakes stand for it.</summary>
    internal static readonly DockerEndpoint Nowhere =
        DockerEndpoint.Parse("unix:///tmp/redisdocker-no-such-engine.sock");

    [Fact]
    public async Task AFailedPullIsImageUnavailableClosesItsProgressAndLooksNoFurther()
    {
        var engine = FakeEngine.Create(new()
        {
            ["InspectImageAsync"] = _ => Task.FromResult<ImageInfo?>(null),
            ["PullImageAsync"] = _ => Task.FromException(new DockerApiException(Nowhere, "POST", "/images/create",
                HttpStatusCode.NotFound, "pull access denied for redis-nope")),
        });
        using var session = new RedisDockerSession(Nowhere);
        var sink = new RecordingSink();

        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            session.Workflows(sink).Nodes.EnsureImageAsync(engine, "redis-nope:1", CancellationToken.None));

        Assert.Equal(ErrorIds.ImageUnavailable, e.ErrorId);
        Assert.Contains("pull access denied", e.Message);
        Assert.IsType<DockerApiException>(e.InnerException);
        Assert.Equal(new[] { "InspectImageAsync", "PullImageAsync" }, FakeEngine.Calls(engine));
        Assert.Contains(sink.Lines, l => l.StartsWith("PROGRESS: Pulling redis-nope:1", StringComparison.Ordinal)
            && l.EndsWith("[done]", StringComparison.Ordinal));
    }

    /// <summary>Node n1 of network net1, created at 172.28.5.10, running at 172.28.5.99.</summary>
    private static ContainerInfo DriftedNode() => new()
    {
        Id = "c1",
        Name = "n1",
        State = new ContainerState("running", true, false, false, false, false, 1, 0, "", null, null),
        Labels = new Dictionary<string, string> { [Labels.Network] = "net1", [Labels.Address] = "172.28.5.10" },
        Networks = new Dictionary<string, ContainerNetworkInfo>
        {
            ["net1"] = new("nid", "172.28.5.99", Array.Empty<string>(), "172.28.5.1", ""),
        },
    };

    [Fact]
    public async Task ANodeWhoseAddressIsTakenIsNotMovedAndTheOtherContainerIsNamed()
    {
        var info = DriftedNode();
        var engine = FakeEngine.Create(new()
        {
            ["InspectNetworkAsync"] = _ => Task.FromResult<DockerNetwork?>(new DockerNetwork
            {
                Id = "nid",
                Name = "net1",
                Containers = new[] { new NetworkContainer("c2", "squatter", "172.28.5.10", "") },
            }),
        });
        using var session = new RedisDockerSession(Nowhere);
        var sink = new RecordingSink();

        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            session.Workflows(sink).Nodes.EnsureOwnAddressAsync(engine, info, CancellationToken.None));

        Assert.Equal(ErrorIds.IPAddressTaken, e.ErrorId);
        Assert.Contains("'squatter'", e.Message);
        // Refused before touching the node: no disconnect, no connect.
        Assert.Equal(new[] { "InspectNetworkAsync" }, FakeEngine.Calls(engine));
        Assert.DoesNotContain(sink.Lines, l => l.StartsWith("WARNING:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANodeAwayFromItsAddressIsDisconnectedThenConnectedBackAtIt()
    {
        var info = DriftedNode();
        string? connectedAt = null;
        var engine = FakeEngine.Create(new()
        {
            ["InspectNetworkAsync"] = _ =>
                Task.FromResult<DockerNetwork?>(new DockerNetwork { Id = "nid", Name = "net1" }),
            ["DisconnectNetworkAsync"] = _ => Task.CompletedTask,
            ["ConnectNetworkAsync"] = a => { connectedAt = (string?)a[2]; return Task.CompletedTask; },
            ["InspectContainerAsync"] = _ => Task.FromResult<ContainerInfo?>(null),
        });
        using var session = new RedisDockerSession(Nowhere);

        await session.Workflows(new RecordingSink()).Nodes.EnsureOwnAddressAsync(engine, info, CancellationToken.None);

        Assert.Equal("172.28.5.10", connectedAt);
        Assert.Equal(new[] { "InspectNetworkAsync", "DisconnectNetworkAsync", "ConnectNetworkAsync",
            "InspectContainerAsync" }, FakeEngine.Calls(engine));
    }

    /// <summary>An <see cref="IDockerEngine"/> that answers the calls it is given handlers for, records every call,
    /// and fails any other (so a test also proves what a workflow does not do).</summary>
    public class FakeEngine : DispatchProxy
    {
        private Dictionary<string, Func<object?[], object?>> _handlers = new();
        private readonly List<string> _calls = new();

        public static IDockerEngine Create(Dictionary<string, Func<object?[], object?>> handlers)
        {
            var engine = DispatchProxy.Create<IDockerEngine, FakeEngine>();
            ((FakeEngine)(object)engine)._handlers = handlers;
            return engine;
        }

        public static IReadOnlyList<string> Calls(IDockerEngine engine)
        {
            var fake = (FakeEngine)(object)engine;
            lock (fake._calls) return fake._calls.ToArray();
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == "get_Endpoint") return Nowhere;
            lock (_calls) _calls.Add(method.Name);
            return _handlers.TryGetValue(method.Name, out var handle)
                ? handle(args ?? Array.Empty<object?>())
                : throw new NotSupportedException($"The fake engine was not told to answer {method.Name}.");
        }
    }
}
