using RedisDocker.Core.Swarm;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 15: where nodes on an overlay go (usable swarm nodes, labels, spread), and which swarm nodes a
/// topology has lost.</summary>
public class SwarmPlacementTests
{
    private const string E1 = "tcp://10.250.90.2:2375", E2 = "tcp://10.250.91.2:2375", E3 = "tcp://10.250.92.2:2375";
    private static readonly string[] Engines = [E1, E2, E3];

    private static RedisSwarmNode Node(string name, string? engine, string state = "ready",
        string availability = "active", params (string K, string V)[] labels) => new()
    {
        Id = "id-" + name, Name = name, Hostname = name, State = state, Availability = availability,
        DockerHost = engine, Labels = labels.ToDictionary(l => l.K, l => l.V),
    };

    [Fact]
    public void Candidates_AreUsableNodesServedByTheSession_InTheSessionsOrderOfEngines()
    {
        var swarm = new[]
        {
            Node("c", E3), Node("a", E1), Node("drained", E2, availability: "drain"), Node("gone", null),
            Node("down", E2, state: "down"), Node("paused", E2, availability: "pause"),
        };
        var picked = SwarmPlacement.Candidates(swarm, [], Engines, "net");
        Assert.Equal(new[] { "a", "c" }, picked.Select(n => n.Name));
    }

    [Fact]
    public void Candidates_MatchEveryLabelFilter()
    {
        var swarm = new[]
        {
            Node("a", E1, labels: ("zone", "a")), Node("b", E2, labels: [("zone", "b"), ("ssd", "yes")]),
            Node("c", E3, labels: ("zone", "b")),
        };
        Assert.Equal(new[] { "b", "c" }, SwarmPlacement.Candidates(swarm,
            SwarmPlacement.ParseLabels(["zone=b"]), Engines, "net").Select(n => n.Name));
        Assert.Equal(new[] { "b" }, SwarmPlacement.Candidates(swarm,
            SwarmPlacement.ParseLabels(["zone=b", "ssd"]), Engines, "net").Select(n => n.Name));
    }

    [Fact]
    public void Candidates_NoneFits_NoUsableSwarmNode_SayingWhatTheSwarmHas()
    {
        var swarm = new[] { Node("a", E1, labels: ("zone", "a")), Node("b", E2, state: "down") };
        var e = Assert.Throws<RedisDockerException>(() =>
            SwarmPlacement.Candidates(swarm, SwarmPlacement.ParseLabels(["zone=x"]), Engines, "ov"));
        Assert.Equal(ErrorIds.NoUsableSwarmNode, e.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("zone=x", e.Message);
        Assert.Contains("'ov'", e.Message);
        Assert.Contains("a (ready/active", e.Message);
        Assert.Contains("b (down/active", e.Message);
        var none = Assert.Throws<RedisDockerException>(() => SwarmPlacement.Candidates([], [], Engines, "ov"));
        Assert.Equal(ErrorIds.NoUsableSwarmNode, none.ErrorId);
        Assert.Contains("swarm manager", none.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("=a")]
    [InlineData("node.labels.zone==a")]
    [InlineData("zone!=a")]
    public void ParseLabels_RefusesWhatIsNoLabelFilter(string given)
    {
        var e = Assert.Throws<RedisDockerException>(() => SwarmPlacement.ParseLabels([given]));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
    }

    [Fact]
    public void ParseLabels_KeyValueOrKeyAlone() =>
        Assert.Equal(new (string, string?)[] { ("zone", "a"), ("ssd", null), ("x", "") },
            SwarmPlacement.ParseLabels(["zone=a", "ssd", "x="]));

    [Fact]
    public void Spread_FromEmpty_IsRoundRobin()
    {
        var c = new[] { Node("a", E1), Node("b", E2), Node("c", E3) };
        Assert.Equal(new[] { "a", "b", "c", "a", "b", "c", "a" },
            SwarmPlacement.Spread(c, 7, new Dictionary<string, int>()).Select(n => n.Name));
    }

    [Fact]
    public void Spread_FillsTheLeastHeldFirst_SoLaterNodesGoElsewhere()
    {
        // A primary made on a alone; its two replicas made after go to b and c, not next to it.
        var c = new[] { Node("a", E1), Node("b", E2), Node("c", E3) };
        Assert.Equal(new[] { "b", "c" },
            SwarmPlacement.Spread(c, 2, new Dictionary<string, int> { ["a"] = 1 }).Select(n => n.Name));
        Assert.Equal(new[] { "c", "c", "a" },
            SwarmPlacement.Spread(c, 3, new Dictionary<string, int> { ["a"] = 2, ["b"] = 3 }).Select(n => n.Name));
    }

    [Fact]
    public void LostNodes_DownOrSilent_AmongThoseTheTopologySpans()
    {
        var swarm = new[]
        {
            Node("a", E1), Node("b", E2, state: "down"), Node("c", E3), Node("other", null, state: "down"),
        };
        // b is down in the swarm, c's engine does not answer (the swarm may not have noticed yet).
        Assert.Equal(new[] { "b", "c" }, SwarmLoss.LostNodes(swarm, [E3], ["a", "b", "c"], false));
        // The topology was only on a and b: c is not its loss.
        Assert.Equal(new[] { "b" }, SwarmLoss.LostNodes(swarm, [E3], ["a", "b"], false));
        // An overlay topology the session has not seen anywhere: any lost node of the session's engines.
        Assert.Equal(new[] { "b", "c" }, SwarmLoss.LostNodes(swarm, [E3], [], true));
        Assert.Empty(SwarmLoss.LostNodes(swarm, [], ["a"], false));
        Assert.Contains("does not answer", SwarmLoss.Describe(swarm[2], silent: true));
    }

    [Fact]
    public void Describe_ASilentEngineOfANodeTheSwarmStillCallsReady_SaysUnreachable()
    {
        var ready = Node("c", E3);
        var text = SwarmLoss.Describe(ready, silent: true);
        // Not "is ready in the swarm and its engine ... does not answer".
        Assert.DoesNotContain("is ready", text);
        Assert.Contains("Swarm node c is unreachable", text);
        Assert.Contains($"its engine {E3} does not answer", text);
        Assert.Contains("Swarm node b is down in the swarm", SwarmLoss.Describe(Node("b", E2, state: "down"), false));
        Assert.Contains("is down in the swarm and its engine",
            SwarmLoss.Describe(Node("b", E2, state: "down"), silent: true));
    }
}
