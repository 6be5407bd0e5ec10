// The README's demo, without PowerShell: the same core calls the cmdlets make for
//   New-RedisNetwork -Name demo -Subnet 172.28.0.0/16 | New-RedisNode -Count 6 -ClusterEnabled |
//     New-RedisCluster -ReplicasPerPrimary 1 | Get-RedisClusterNode | Format-Table
// then SET/GET through the cluster from the host, and teardown (unless --keep).
using System.Diagnostics;
using RedisDocker;
using RedisDocker.Core;
using RedisDocker.Core.Topology;

var keep = args.Contains("--keep");
var topology = args.SkipWhile(a => a != "--name").Skip(1).FirstOrDefault() ?? "demo";
var subnet = args.SkipWhile(a => a != "--subnet").Skip(1).FirstOrDefault() ?? "172.28.0.0/16";
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;

var sink = new ConsoleSink(verbose: args.Contains("--verbose"));
using var session = RedisDockerSession.Default;
var networks = new NetworkOperations(session, sink);
var nodes = new NodeOperations(session, sink);
var clusters = new ClusterOperations(session, sink);

try
{
    await TearDownAsync();   // a previous run's demo, if any
    var sw = Stopwatch.StartNew();
    Console.WriteLine($"> New-RedisNetwork -Name {topology} -Subnet {subnet} | New-RedisNode -Count 6 -ClusterEnabled | New-RedisCluster -ReplicasPerPrimary 1 | Get-RedisClusterNode");
    var net = await networks.CreateAsync(new NetworkSpec { Name = topology, Subnet = subnet }, ct);
    var names = await nodes.NextNamesAsync(net.Name, 6, ct);
    var made = await nodes.CreateAsync(names.Select(n => new NodeSpec { Name = n, Network = net.Name, ClusterEnabled = true }).ToArray(), ct);
    foreach (var failed in made.Where(r => r.Error is not null)) throw ErrorTranslator.Translate(failed.Error!, failed.Name);
    var cluster = await clusters.CreateAsync(names, 1, ct);
    var members = await clusters.GetNodesAsync(cluster.Name, ct);
    Console.WriteLine();
    Table(members, ("Role", n => n.Role.ToString()), ("Name", n => n.Name ?? ""), ("Published", n => n.HostEndpoint ?? ""),
        ("Container", n => n.ContainerEndpoint), ("Slots", n => n.Slots), ("Primary", n => n.PrimaryName ?? ""), ("Replicas", n => string.Join(",", n.Replicas)));
    Console.WriteLine($"\nCluster '{cluster.Name}': state {cluster.State}, {cluster.SlotsAssigned} slots, {cluster.Primaries} primaries, {cluster.Replicas} replicas, ready in {sw.Elapsed.TotalSeconds:0.0} s.");

    var cmd = new CommandOperations(session, sink);
    Console.WriteLine($"> Invoke-RedisCommand -Cluster {topology} SET greeting hello  → {await cmd.InvokeOnClusterAsync(topology, new object[] { "SET", "greeting", "hello" }, ct)}");
    Console.WriteLine($"> Invoke-RedisCommand -Cluster {topology} GET greeting        → {await cmd.InvokeOnClusterAsync(topology, new object[] { "GET", "greeting" }, ct)}");
    foreach (var check in await clusters.TestAsync(topology, 1, ct)) Console.WriteLine($"  {check}");
    if (keep)
    {
        Console.WriteLine($"\nKept. Tear down later with: Get-RedisNode -Topology {topology} | Remove-RedisNode; Remove-RedisNetwork {topology}   (or run this demo again without --keep)");
        return 0;
    }
    await TearDownAsync();
    Console.WriteLine("Torn down: nodes, volumes and network removed.");
    return 0;
}
catch (RedisDockerException e)
{
    Console.Error.WriteLine($"ERROR {e.ErrorId}: {e.Message}");
    if (!keep) await TearDownAsync();
    return 1;
}

async Task TearDownAsync()
{
    using var t = new CancellationTokenSource(TimeSpan.FromMinutes(2));
    foreach (var n in await nodes.GetAsync(new NodeFilter { Topology = topology }, t.Token))
        await nodes.RemoveAsync(n.Name, removeVolume: true, t.Token);
    foreach (var n in await networks.GetAsync(null, topology, t.Token))
        await networks.RemoveAsync(n.Name, force: true, t.Token);
}

static void Table<T>(IReadOnlyList<T> rows, params (string Header, Func<T, string> Value)[] cols)
{
    var widths = cols.Select(c => Math.Max(c.Header.Length, rows.Select(r => c.Value(r).Length).DefaultIfEmpty(0).Max())).ToArray();
    Console.WriteLine(string.Join(" ", cols.Select((c, i) => c.Header.PadRight(widths[i]))));
    Console.WriteLine(string.Join(" ", widths.Select(w => new string('-', w))));
    foreach (var r in rows) Console.WriteLine(string.Join(" ", cols.Select((c, i) => c.Value(r).PadRight(widths[i]))));
}

sealed class ConsoleSink(bool verbose) : IOperationSink
{
    private readonly Dictionary<int, string> _last = new();
    public void Verbose(string message) { if (verbose) Console.Error.WriteLine($"VERBOSE: {message}"); }
    public void Warning(string message) => Console.Error.WriteLine($"WARNING: {message}");
    public void Progress(ProgressReport r)
    {
        lock (_last)
        {
            if (r.Completed) { _last.Remove(r.ActivityId); return; }
            if (_last.TryGetValue(r.ActivityId, out var s) && s == r.Status) return;
            _last[r.ActivityId] = r.Status;
        }
        Console.Error.WriteLine($"  [{r.Activity}] {r.Status}");
    }
}
