// RedisDocker benchmarks: the module's own figures, printed as `name: value` lines (medians, ms)
// like the manual baseline in ../shared/baseline, which bench/run.sh runs in the same run.
//
//   dotnet RedisDocker.Bench.dll --scenario cluster-create --nodes 6,12,24,48 --runs 3
//
// Scenarios: floor, cluster-create, cluster-failover, sentinel-failover (or all; comma-separated
// or repeated). Everything a run creates is named bench-* and labelled with its topology, and is
// removed afterwards (try/finally, bounded), also on Ctrl-C / SIGTERM.
using System.Globalization;
using System.Runtime.InteropServices;
using RedisDocker.Bench;
using RedisDocker.Bench.Scenarios;

// split-brain runs only when named (about 4 minutes per run, no baseline).
var all = new[] { "floor", "cluster-create", "cluster-failover", "sentinel-failover" };
var known = all.Append("split-brain").Append("tls").ToArray();
var scenarios = new List<string>();
var options = new BenchOptions { Scenario = "" };
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        static IReadOnlyList<int> Ints(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        switch (args[i])
        {
            case "--scenario": case "-s":
                scenarios.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
            case "--runs": options = options with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--nodes": options = options with { ClusterSizes = Ints(Next()) }; break;
            case "--big-runs": options = options with { BigRuns = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--quick": options = options with { ClusterSizes = new[] { 6, 12 } }; break;
            case "--down-after": options = options with { DownAfter = Ints(Next()) }; break;
            case "--floor-node-runs": options = options with { FloorNodeRuns = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--floor-net-runs": options = options with { FloorNetworkRuns = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--no-warmup": options = options with { Warmup = false }; break;
            case "--image": options = options with { Image = Next() }; break;
            case "--probe-seconds": options = options with { OldPrimaryProbe = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
            case "--timeout-min": options = options with { ScenarioTimeout = TimeSpan.FromMinutes(int.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
            case "--split-seconds": options = options with { SplitSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--verbose": case "-v": options = options with { Verbose = true }; break;
            case "--help": case "-h":
                Console.WriteLine("usage: RedisDocker.Bench --scenario floor|cluster-create|cluster-failover|sentinel-failover|split-brain|all [--runs N] [--nodes 6,12,24,48] [--big-runs N] [--quick]");
                Console.WriteLine("       [--down-after 5000,1000] [--floor-node-runs N] [--floor-net-runs N] [--no-warmup] [--image IMG] [--probe-seconds S] [--timeout-min M] [--verbose]");
                return 0;
            default:
                if (!args[i].StartsWith('-')) { scenarios.Add(args[i]); break; }
                throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    if (scenarios.Count == 0 || scenarios.Contains("all")) scenarios = all.ToList();
    var unknown = scenarios.Where(s => !known.Contains(s)).ToList();
    if (unknown.Count > 0) throw new ArgumentException($"unknown scenario(s): {string.Join(", ", unknown)} (known: {string.Join(", ", known)})");
    if (options.Runs < 1) throw new ArgumentException("--runs must be at least 1");
    if (options.ClusterSizes.Any(n => n < 6 || n > 200)) throw new ArgumentException("--nodes: sizes between 6 and 200 (a /24 subnet)");
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

// Ctrl-C / SIGTERM (timeout(1)) cancel the run; the scenarios' finally blocks then clean up.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext c)
{
    c.Cancel = true;
    BenchContext.Log($"{c.Signal}: cancelling, then cleaning up");
    stop.Cancel();
}
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

var exit = 0;
foreach (var name in scenarios)
{
    using var scenarioCts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
    scenarioCts.CancelAfter(options.ScenarioTimeout);
    await using var ctx = new BenchContext(options with { Scenario = name }, scenarioCts.Token);
    var figures = new Figures();
    IScenario scenario = name switch
    {
        "floor" => new FloorScenario(),
        "cluster-create" => new ClusterCreateScenario(),
        "cluster-failover" => new ClusterFailoverScenario(),
        "split-brain" => new SplitBrainScenario(),
        "tls" => new TlsScenario(),
        _ => new SentinelFailoverScenario(),
    };
    BenchContext.Log($"scenario {name}: runs={options.Runs} image={options.Image}");
    try
    {
        await ctx.WarmUpAsync();
        await scenario.RunAsync(ctx, figures);
    }
    catch (Exception e)
    {
        exit = 1;
        BenchContext.Log($"scenario {name} FAILED: {e.GetType().Name}: {e.Message}");
        figures.Text($"{scenario.Short}_error", BenchContext.First(e.Message).Replace(':', ';'));
    }
    Console.WriteLine($"runs: {options.Runs} (module scenario {name}{scenario.Describe(options)})");
    foreach (var line in figures.Lines()) Console.WriteLine(line);
    Console.Out.Flush();
    if (stop.IsCancellationRequested) { exit = 130; break; }
}
return exit;
