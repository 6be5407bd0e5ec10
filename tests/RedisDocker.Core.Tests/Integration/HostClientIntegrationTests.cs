using System.Diagnostics;
using System.Text.Json;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// A network namespace that sees the host as Docker Desktop's host does: it reaches the ports the nodes publish
/// (on the root side of its own veth pair, 10.250.2xx.1) and has no route to any Docker network. Clients run in
/// it with `ip netns exec`. Removed (namespace and veth) on dispose.
/// </summary>
public sealed class IsolatedClientNamespace : IAsyncDisposable
{
    private IsolatedClientNamespace(string name, string hostAddress)
    {
        Name = name;
        HostAddress = hostAddress;
    }

    public string Name { get; }
    /// <summary>The root-side address of the veth pair: nodes publish their ports on it (-HostAddress).</summary>
    public string HostAddress { get; }
    private string HostVeth => "r14h" + Name[^6..];

    public static async Task<IsolatedClientNamespace> CreateAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        // 10.250.200.0 - 10.250.249.0 /24: engine.sh uses 10.250.<index>.x with small indexes. Another test run on
        // this machine may hold a namespace meanwhile: a /24 that an interface or a route already has is skipped.
        var net = "";
        for (var attempt = 0; attempt < 20 && net.Length == 0; attempt++)
        {
            var candidate = $"10.250.{200 + Random.Shared.Next(50)}";
            var addr = await TryRunAsync(null, "ip", "-4", "-o", "addr", "show", "to", candidate + ".0/24");
            var route = await TryRunAsync(null, "ip", "-4", "route", "show", candidate + ".0/24");
            if (addr.Item1 == 0 && route.Item1 == 0 && addr.Item2.Trim().Length == 0 && route.Item2.Trim().Length == 0)
                net = candidate;
        }
        Assert.True(net.Length > 0, "no free /24 in 10.250.200.0-10.250.249.0 for the client namespace");
        var ns = new IsolatedClientNamespace("rdk14-" + suffix, net + ".1");
        var peer = "r14n" + suffix;
        try
        {
            await RunAsync("ip", "netns", "add", ns.Name);
            await RunAsync("ip", "link", "add", ns.HostVeth, "type", "veth", "peer", "name", peer);
            await RunAsync("ip", "link", "set", peer, "netns", ns.Name);
            await RunAsync("ip", "addr", "add", net + ".1/24", "dev", ns.HostVeth);
            await RunAsync("ip", "link", "set", ns.HostVeth, "up");
            await RunAsync("ip", "netns", "exec", ns.Name, "ip", "addr", "add", net + ".2/24", "dev", peer);
            await RunAsync("ip", "netns", "exec", ns.Name, "ip", "link", "set", peer, "up");
            await RunAsync("ip", "netns", "exec", ns.Name, "ip", "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the namespace: exit code, stdout, stderr (bounded in time).</summary>
    public Task<(int Exit, string Out, string Err)> ExecAsync(IReadOnlyDictionary<string, string>? env, params string[] command) =>
        TryRunAsync(env, new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray());

    /// <summary>Starts a long-running command inside the namespace; stderr lines go to <paramref name="onLine"/>.</summary>
    public Process Start(IReadOnlyDictionary<string, string>? env, Action<string> onLine, params string[] command)
    {
        var p = Process.Start(RepoPaths.StartInfo(env, new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray()))!;
        _ = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is { } line) onLine(line);
        });
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        await TryRunAsync(null, "ip", "link", "del", HostVeth);
        await TryRunAsync(null, "ip", "netns", "del", Name);
    }

    private static async Task RunAsync(params string[] command)
    {
        var (exit, _, err) = await TryRunAsync(null, command);
        Assert.True(exit == 0, $"{string.Join(' ', command)} failed ({exit}): {err}");
    }

    private static Task<(int Code, string Out, string Err)> TryRunAsync(IReadOnlyDictionary<string, string>? env,
        params string[] command) => RepoPaths.RunProcessAsync(TimeSpan.FromSeconds(120), env, command);
}

/// <summary>
/// Issue 14: any client on the host uses a module-made cluster, also where container addresses do not route.
/// StackExchange.Redis 3.4.35 (tests/RedisDocker.ClientProbe) and redis-cli -c run in a namespace that has no
/// route to Docker networks (Docker Desktop's situation), given only the published endpoints and the password.
/// </summary>
public class HostClientIntegrationTests : DockerTestBase
{
    public HostClientIntegrationTests() : base("hc") { }

    internal static string ProbeDll()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RedisDocker.sln"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        var tfm = new DirectoryInfo(AppContext.BaseDirectory).Name;   // net10.0
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // Release or Debug
        var dll = Path.Combine(dir!, "tests", "RedisDocker.ClientProbe", "bin", config, tfm, "RedisDocker.ClientProbe.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        return dll;
    }

    private static JsonElement Figures(string stdout) =>
        JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;

    /// <summary>The namespace reaches no container address: a connect to a node's container endpoint fails.</summary>
    internal static async Task AssertNoRouteToContainersAsync(IsolatedClientNamespace ns, string containerEndpoint)
    {
        var route = await ns.ExecAsync(null, "ip", "route", "get", containerEndpoint.Split(':')[0]);
        Assert.NotEqual(0, route.Exit);
        var connect = await ns.ExecAsync(null, "dotnet", ProbeDll(), "connect", containerEndpoint);
        Assert.True(connect.Exit == 3, $"the namespace reached {containerEndpoint}: {connect.Out}{connect.Err}");
    }

    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    private static void Step(string what) => Console.WriteLine($"[{s_clock.Elapsed:mm\\:ss}] {what}");

    private async Task UntilAsync(Func<bool> done)
    {
        var until = DateTime.UtcNow.AddMinutes(2);
        while (!done() && DateTime.UtcNow < until) await Task.Delay(200, Ct);
    }

    [Fact]
    public async Task StackExchangeRedisAndRedisCliUseTheClusterFromANamespaceWithoutRouteToContainers()
    {
        await using var ns = await IsolatedClientNamespace.CreateAsync();
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true, (_, s) => s with { HostIp = ns.HostAddress });
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        var password = (await Session.GetPasswordAsync(Topology, Ct))!;
        var env = new Dictionary<string, string> { ["REDIS_PASSWORD"] = password, ["REDISCLI_AUTH"] = password };
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        Assert.All(members, m => Assert.StartsWith(ns.HostAddress + ":", m.HostEndpoint));

        // 0. Docker Desktop's situation: the published ports answer, container addresses do not route.
        await AssertNoRouteToContainersAsync(ns, members[0].ContainerEndpoint.Split('@')[0]);
        Assert.Equal(0, (await ns.ExecAsync(null, "dotnet", ProbeDll(), "connect", members[0].HostEndpoint!)).Exit);

        // 1. The configuration string a user gets: host endpoints only (no password unless asked for).
        var config = await Session.Workflows(Sink).ConnectionStrings.GetAsync(ConnectionTarget.Cluster, Topology, false, Ct);
        Assert.DoesNotContain(password, config, StringComparison.Ordinal);
        Assert.Equal(6, config.Split(',').Length);
        Assert.All(config.Split(','), e => Assert.StartsWith(ns.HostAddress + ":", e));

        // 2. redis-cli -c follows MOVED to a host endpoint: keys of all three primaries' slots.
        var entry = members.First(m => m.Role == RedisRole.Primary).HostEndpoint!.Split(':');
        foreach (var key in new[] { "a", "b", "c", "foo", "bar" })
        {
            var set = await ns.ExecAsync(env, "redis-cli", "-c", "-h", entry[0], "-p", entry[1], "SET", key, "v-" + key);
            Assert.True(set.Out.Trim() == "OK", $"redis-cli -c SET {key}: {set.Out} {set.Err}");
            var get = await ns.ExecAsync(env, "redis-cli", "-c", "-h", entry[0], "-p", entry[1], "GET", key);
            Assert.Equal("v-" + key, get.Out.Trim());
        }

        // 3. StackExchange.Redis writes and reads 10,000 keys in rounds, through a coordinated failover and a
        // slot migration (MOVED and ASK), until told to stop.
        var stop = Path.Combine(Path.GetTempPath(), $"{Topology}.stop");
        var rounds = 0;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var probe = ns.Start(env, line =>
            {
                if (line.StartsWith("round ", StringComparison.Ordinal)) { Interlocked.Increment(ref rounds); Step(line); }
                else if (log.Count < 50) log.Enqueue(line);
            },
            "dotnet", ProbeDll(), "load", config, "10000", stop);
        var stdout = probe.StandardOutput.ReadToEndAsync();
        try
        {
            await UntilAsync(() => (Volatile.Read(ref rounds) >= 1 || probe.HasExited));
            if (probe.HasExited) Assert.Fail("the client stopped before its first round: " + await stdout + string.Join('\n', log));
            var replica = members.First(m => m.Role == RedisRole.Replica);
            Step($"round 1 done; failing over to {replica.Name}");
            var failover = await Clusters.FailoverAsync(Topology, replica.Name!, ClusterFailoverMode.Coordinated, Ct);
            Sink.Verbose($"failover: {failover}");
            var seen = Volatile.Read(ref rounds);
            await UntilAsync(() => (Volatile.Read(ref rounds) > seen || probe.HasExited));
            Step("a round after the failover done; moving 1000 slots");
            var primaries = (await Clusters.GetNodesAsync(Topology, Ct)).Where(m => m.Role == RedisRole.Primary).ToList();
            var move = await Clusters.MoveSlotsAsync(Topology, primaries[0].Name!, primaries[1].Name!, 1000, null, Ct);
            Sink.Verbose($"move: {move}");
            seen = Volatile.Read(ref rounds);
            await UntilAsync(() => (Volatile.Read(ref rounds) > seen || probe.HasExited));
        }
        finally
        {
            Step("stopping the client");
            File.WriteAllText(stop, "");
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try { await probe.WaitForExitAsync(bound.Token); }
            catch (OperationCanceledException) { probe.Kill(entireProcessTree: true); }
            File.Delete(stop);
        }
        Step("client stopped");
        var figures = Figures(await stdout);
        Console.WriteLine($"host client figures: {figures}");
        Assert.True(figures.GetProperty("rounds").GetInt64() >= 3, figures.ToString());
        Assert.Equal(0, figures.GetProperty("lost").GetInt64());
        Assert.Equal(0, figures.GetProperty("mismatches").GetInt64());
        Assert.Equal(figures.GetProperty("rounds").GetInt64() * 10000, figures.GetProperty("writes").GetInt64());
        // The keys span all three primaries (by the client's slot map, read from CLUSTER NODES, which names
        // container addresses: the client follows MOVED to the host endpoints and routes by them from then on).
        var perPrimary = figures.GetProperty("perPrimary").EnumerateObject().ToList();
        Assert.Equal(3, perPrimary.Count);
        Assert.All(perPrimary, p => Assert.True(p.Value.GetInt32() > 2000, figures.ToString()));
        // Every server the client reached is a host endpoint (the six nodes); no container address connected.
        var connected = figures.GetProperty("connected").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(6, connected.Count);
        Assert.All(connected, e => Assert.StartsWith(ns.HostAddress + ":", e));

        // 4. The regression check: the same client, given the same endpoints, against the cluster announcing
        // container addresses (cluster-preferred-endpoint-type ip, as before host endpoints) fails there.
        await Session.Workflows(Sink).Cluster.SetClientEndpointAsync(Topology, ClusterClientEndpoint.Container, Ct);
        var old = await ns.ExecAsync(env, "dotnet", ProbeDll(), "once", config, "300");
        var oldFigures = Figures(old.Out);
        Console.WriteLine($"container endpoints figures: {oldFigures}");
        Assert.True(oldFigures.GetProperty("lost").GetInt64() > 0, oldFigures.ToString());
    }

    [Fact]
    public async Task StackExchangeRedisFollowsASentinelFailoverFromANamespaceWithoutRouteToContainers()
    {
        await using var ns = await IsolatedClientNamespace.CreateAsync();
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, customize: (_, s) => s with { HostIp = ns.HostAddress });
        foreach (var r in nodes.Skip(1)) await Session.Workflows(Sink).Replication.SetReplicaAsync(r.Name, nodes[0].Name, Ct);
        var sentinels = Session.Workflows(Sink).Sentinels;
        var group = await sentinels.CreateAsync(new SentinelGroupSpec { Primary = nodes[0].Name, MasterName = Topology }, Ct);
        var password = (await Session.GetPasswordAsync(Topology, Ct))!;
        var env = new Dictionary<string, string> { ["REDIS_PASSWORD"] = password };
        await AssertNoRouteToContainersAsync(ns, nodes[0].ContainerEndpoint!);

        // What the sentinels hand a serviceName= client: the primary's container address, unreachable from here.
        var sentinelNodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct);
        var told = await sentinels.CurrentPrimaryAsync(sentinelNodes, group.MasterName, Ct);
        Assert.Equal(nodes[0].ContainerEndpoint, told);
        Assert.Equal(3, (await ns.ExecAsync(null, "dotnet", ProbeDll(), "connect", told!)).Exit);

        // What works: the group's data nodes by their host endpoints, the primary first.
        var config = await Session.Workflows(Sink).ConnectionStrings.GetAsync(ConnectionTarget.SentinelGroup, group.MasterName, false, Ct);
        Assert.Equal(nodes.Select(n => n.HostEndpoint!).Append(ConnectionStringOperations.SentinelConfigCheck).ToArray(), config.Split(','));

        var stop = Path.Combine(Path.GetTempPath(), $"{Topology}.stop");
        var rounds = 0;
        using var probe = ns.Start(env, line =>
            {
                if (line.StartsWith("round ", StringComparison.Ordinal)) { Interlocked.Increment(ref rounds); Step(line); }
            },
            "dotnet", ProbeDll(), "load", config, "2000", stop);
        var stdout = probe.StandardOutput.ReadToEndAsync();
        try
        {
            await UntilAsync(() => Volatile.Read(ref rounds) >= 1 || probe.HasExited);
            if (probe.HasExited) Assert.Fail("the client stopped before its first round: " + await stdout);
            Step("round 1 done; Sentinel failover");
            var failover = await sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false, TimeSpan.FromSeconds(60), Ct);
            Sink.Verbose($"failover: {failover}");
            var seen = Volatile.Read(ref rounds);
            await UntilAsync(() => Volatile.Read(ref rounds) > seen + 1 || probe.HasExited);
        }
        finally
        {
            File.WriteAllText(stop, "");
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try { await probe.WaitForExitAsync(bound.Token); }
            catch (OperationCanceledException) { probe.Kill(entireProcessTree: true); }
            File.Delete(stop);
        }
        var figures = Figures(await stdout);
        Console.WriteLine($"sentinel group figures: {figures}");
        var now = await sentinels.CurrentPrimaryAsync(sentinelNodes, group.MasterName, Ct);
        Assert.NotEqual(nodes[0].ContainerEndpoint, now);
        Assert.True(figures.GetProperty("rounds").GetInt64() >= 3, figures.ToString());
        Assert.Equal(0, figures.GetProperty("lost").GetInt64());
        Assert.Equal(0, figures.GetProperty("mismatches").GetInt64());
        Assert.Equal(figures.GetProperty("rounds").GetInt64() * 2000, figures.GetProperty("reads").GetInt64());
    }
}
