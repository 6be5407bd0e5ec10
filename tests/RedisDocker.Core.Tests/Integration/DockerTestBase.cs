using RedisDocker.Core;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Base of every real-Docker test: a unique topology per test, a private test subnet, the offline
/// image, and removal of everything labelled with the topology afterwards, even when the test fails.
/// </summary>
public abstract class DockerTestBase : IAsyncLifetime
{
    public static string TestImage => Environment.GetEnvironmentVariable("REDISDOCKER_TEST_IMAGE") is { Length: > 0 } i ? i : "redisdocker/redis:local";

    protected DockerTestBase(string prefix)
    {
        Topology = $"t{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        Session = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        Sink = new RecordingSink();
    }

    protected string Topology { get; }
    protected RedisDockerSession Session { get; }
    protected RecordingSink Sink { get; }
    protected CancellationToken Ct => _cts.Token;
    /// <summary>Secrets besides the topology password (ACL users' passwords) that no narration line may hold.</summary>
    protected List<string> OtherSecrets { get; } = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(8));

    protected NetworkOperations Networks => Session.Workflows(Sink).Networks;
    protected NodeOperations Nodes => Session.Workflows(Sink).Nodes;
    protected ClusterOperations Clusters => Session.Workflows(Sink).Cluster;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        // No password in any stream: every verbose, warning and progress line the test produced is checked.
        var password = Session.TryGetKnownPassword(Topology);
        var leaked = password is null ? null : Sink.Lines.FirstOrDefault(l => l.Contains(password, StringComparison.Ordinal));
        // Nor any key material of a TLS topology (its keys stay inside the nodes' volumes).
        var leakedKey = Sink.Lines.FirstOrDefault(l => l.Contains("PRIVATE KEY", StringComparison.Ordinal));
        // Nor the password of any ACL user the test made (OtherSecrets).
        var leakedUser = Sink.Lines.FirstOrDefault(l => OtherSecrets.Any(x => l.Contains(x, StringComparison.Ordinal)));
        await RemoveTopologyAsync(Session, Topology).ConfigureAwait(false);
        TestSubnets.Release(this);
        Session.Dispose();
        _cts.Dispose();
        Assert.True(leaked is null, $"the topology's password appeared in the narration: {leaked?.Replace(password!, "<password>")}");
        Assert.True(leakedKey is null, "a private key appeared in the narration");
        Assert.True(leakedUser is null, "an ACL user's password appeared in the narration");
    }

    /// <summary>Removes every container, volume and network labelled with the topology.</summary>
    public static async Task RemoveTopologyAsync(RedisDockerSession session, string topology)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var docker = await session.GetDockerAsync(cts.Token);
        var labels = Labels.ForTopology(topology);
        foreach (var c in await docker.ListContainersAsync(labels, all: true, cts.Token))
            await docker.RemoveContainerAsync(c.Id, force: true, removeVolumes: true, cts.Token);
        foreach (var v in await docker.ListVolumesAsync(labels, cts.Token))
            await docker.RemoveVolumeAsync(v.Name, force: true, cts.Token);
        // Named volumes Docker made itself (without labels) carry the topology's unique prefix.
        foreach (var v in await docker.ListVolumesAsync(null, cts.Token))
            if (v.Name.StartsWith(topology + "-", StringComparison.Ordinal) && v.Name.EndsWith("-data", StringComparison.Ordinal))
                await docker.RemoveVolumeAsync(v.Name, force: true, cts.Token);
        foreach (var n in await docker.ListNetworksAsync(labels, cts.Token))
            await docker.RemoveNetworkAsync(n.Id, cts.Token);
    }

    /// <summary>A network for the test's topology on a free private test subnet.</summary>
    protected async Task<RedisNetwork> NewNetworkAsync(string? name = null)
    {
        // Another process (a second test run, a benchmark) may take the same free subnet meanwhile: pick again.
        for (var attempt = 1; ; attempt++)
        {
            var subnet = await TestSubnets.NextAsync(this, Session, Ct);
            try { return await Networks.CreateAsync(new NetworkSpec { Name = name ?? Topology, Subnet = subnet, Topology = Topology }, Ct); }
            catch (RedisDockerException e) when (e.ErrorId == ErrorIds.SubnetOverlap && attempt < 5) { }
        }
    }

    protected async Task<IReadOnlyList<RedisNode>> NewNodesAsync(string network, int count, bool cluster = false, Func<int, NodeSpec, NodeSpec>? customize = null)
    {
        var names = Enumerable.Range(1, count).Select(i => $"{Topology}-{i}").ToArray();
        var specs = names.Select((n, i) =>
        {
            var s = new NodeSpec { Name = n, Network = network, ClusterEnabled = cluster };
            return customize?.Invoke(i, s) ?? s;
        }).ToArray();
        var results = await Nodes.CreateAsync(specs, Ct);
        foreach (var r in results) Assert.True(r.Error is null, $"{r.Name}: {r.Error}");
        return results.Select(r => r.Node!).ToArray();
    }

    /// <summary>A fresh (uncached) authenticated connection to a node's published port.</summary>
    protected async Task<RespConnection> ConnectAsync(RedisNode node, string? password = null)
    {
        password ??= await Session.GetPasswordAsync(node.Topology, Ct);
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        Assert.Equal("127.0.0.1", host);
        return await RespConnection.ConnectAsync(host, port, new RespConnectionOptions { Password = password }, Ct);
    }
}

/// <summary>Hands out /24 test subnets inside 172.24.0.0/14 that no Docker network uses.</summary>
public static class TestSubnets
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<object, List<string>> s_owned = new();
    private static readonly SemaphoreSlim s_async = new(1, 1);

    public static async Task<string> NextAsync(object owner, RedisDockerSession session, CancellationToken ct)
    {
        await s_async.WaitAsync(ct);
        try
        {
            var docker = await session.GetDockerAsync(ct);
            var used = (await docker.ListNetworksAsync(null, ct)).SelectMany(n => n.Subnets).Select(s => s.Subnet).ToHashSet();
            lock (s_lock)
            {
                foreach (var l in s_owned.Values) used.UnionWith(l);
                for (var second = 24; second <= 27; second++)
                    for (var third = 0; third < 256; third++)
                    {
                        var candidate = $"172.{second}.{third}.0/24";
                        var c = IPv4Cidr.Parse(candidate);
                        if (used.Any(u => IPv4Cidr.TryParse(u, out var x, out _) && x.Overlaps(c))) continue;
                        (s_owned.TryGetValue(owner, out var list) ? list : s_owned[owner] = new List<string>()).Add(candidate);
                        return candidate;
                    }
            }
            throw new InvalidOperationException("no free test subnet in 172.24.0.0/14");
        }
        finally { s_async.Release(); }
    }

    public static void Release(object owner)
    {
        lock (s_lock) s_owned.Remove(owner);
    }
}
