using System.Diagnostics;
using RedisDocker.Core;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Bench;

/// <summary>
/// What every scenario shares: one session (as a PowerShell session would hold), a sink that logs
/// to stderr, unique "bench-" topology names, free private test subnets, and label-based cleanup.
/// </summary>
public sealed class BenchContext : IAsyncDisposable
{
    /// <summary>Everything the bench creates is named with this prefix (and labelled with its topology).</summary>
    public const string Prefix = "bench-";

    public BenchContext(BenchOptions options, CancellationToken ct)
    {
        Options = options;
        Ct = ct;
        Session = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = options.Image };
        Sink = new StderrSink(options.Verbose);
    }

    public BenchOptions Options { get; }
    public CancellationToken Ct { get; }
    public RedisDockerSession Session { get; }
    public StderrSink Sink { get; }

    /// <summary>A fresh topology name: bench-&lt;tag&gt;-&lt;6 hex&gt;.</summary>
    public static string NewTopology(string tag) => $"{Prefix}{tag}-{Guid.NewGuid().ToString("N")[..6]}";

    public static void Log(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {message}");

    public static long Now() => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => Math.Round((to - from) * 1000.0 / Stopwatch.Frequency, 1);

    public static double MsSince(long from) => Ms(from, Now());

    /// <summary>The Docker client connected and the API negotiated (not part of any measured figure).</summary>
    public async Task WarmUpAsync()
    {
        var docker = await Session.GetDockerAsync(Ct).ConfigureAwait(false);
        await docker.PingAsync(Ct).ConfigureAwait(false);
        if (await docker.InspectImageAsync(Options.Image, Ct).ConfigureAwait(false) is null)
            throw new InvalidOperationException($"Image {Options.Image} is not present (offline machine): run tools/setup.sh first.");
    }

    private static readonly SemaphoreSlim s_subnetLock = new(1, 1);
    private static readonly HashSet<string> s_handedOut = new(StringComparer.Ordinal);

    /// <summary>
    /// A /24 inside 172.24.0.0/14 that no Docker network uses, picked from the top (172.27.255.0)
    /// downwards so that it rarely races with the integration tests, which pick from 172.24.0.0 upwards.
    /// </summary>
    public async Task<string> FreeSubnetAsync()
    {
        await s_subnetLock.WaitAsync(Ct).ConfigureAwait(false);
        try
        {
            var docker = await Session.GetDockerAsync(Ct).ConfigureAwait(false);
            var used = (await docker.ListNetworksAsync(null, Ct).ConfigureAwait(false))
                .SelectMany(n => n.Subnets).Select(s => s.Subnet)
                .Select(s => IPv4Cidr.TryParse(s, out var c, out _) ? c : (IPv4Cidr?)null)
                .Where(c => c is not null).Select(c => c!.Value).ToList();
            for (var second = 27; second >= 24; second--)
                for (var third = 255; third >= 0; third--)
                {
                    var text = $"172.{second}.{third}.0/24";
                    if (s_handedOut.Contains(text)) continue;
                    var candidate = IPv4Cidr.Parse(text);
                    if (used.Any(u => u.Overlaps(candidate))) continue;
                    s_handedOut.Add(text);
                    return text;
                }
            throw new InvalidOperationException("No free /24 left in 172.24.0.0/14.");
        }
        finally { s_subnetLock.Release(); }
    }

    /// <summary>Lets a subnet be handed out again once its network is gone.</summary>
    public static void ReleaseSubnet(string? subnet)
    {
        if (subnet is null) return;
        s_subnetLock.Wait();
        try { s_handedOut.Remove(subnet); }
        finally { s_subnetLock.Release(); }
    }

    /// <summary>
    /// Removes every container, volume and network labelled with the topology (bench topologies only),
    /// bounded in time; never throws. Runs even when the bench was cancelled.
    /// </summary>
    public async Task RemoveTopologyAsync(string topology)
    {
        if (!topology.StartsWith(Prefix, StringComparison.Ordinal))
        {
            Log($"refusing to clean up '{topology}': not a bench topology");
            return;
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var docker = await Session.GetDockerAsync(cts.Token).ConfigureAwait(false);
            var labels = Labels.ForTopology(topology);
            foreach (var c in await docker.ListContainersAsync(labels, all: true, cts.Token).ConfigureAwait(false))
                await Try(() => docker.RemoveContainerAsync(c.Id, force: true, removeVolumes: true, cts.Token), $"container {string.Join(",", c.Names)}").ConfigureAwait(false);
            foreach (var v in await docker.ListVolumesAsync(labels, cts.Token).ConfigureAwait(false))
                await Try(() => docker.RemoveVolumeAsync(v.Name, force: true, cts.Token), $"volume {v.Name}").ConfigureAwait(false);
            foreach (var n in await docker.ListNetworksAsync(labels, cts.Token).ConfigureAwait(false))
                await Try(() => docker.RemoveNetworkAsync(n.Id, cts.Token), $"network {n.Name}").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log($"cleanup of '{topology}' incomplete: {e.GetType().Name}: {e.Message}");
        }

        static async Task Try(Func<Task> action, string what)
        {
            try { await action().ConfigureAwait(false); }
            catch (Exception e) { Log($"could not remove {what}: {e.Message}"); }
        }
    }

    /// <summary>
    /// Polls an attempt every pollMs until it returns true or the bound passes. Exceptions of an
    /// attempt count as "not yet" (their message is kept). Each attempt gets its own bound.
    /// </summary>
    public async Task<PollResult> PollAsync(string what, TimeSpan bound, int pollMs, Func<CancellationToken, Task<bool>> attempt, TimeSpan? attemptBound = null)
    {
        var sw = Stopwatch.StartNew();
        var attempts = 0;
        string? last = null;
        while (true)
        {
            Ct.ThrowIfCancellationRequested();
            attempts++;
            using var one = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            one.CancelAfter(attemptBound ?? TimeSpan.FromSeconds(15));
            try
            {
                if (await attempt(one.Token).ConfigureAwait(false)) return new PollResult(true, attempts, last, Now());
            }
            catch (Exception e) when (!Ct.IsCancellationRequested && e is RedisException or RedisDockerException or DockerException or IOException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                last = $"{e.GetType().Name}: {First(e.Message)}";
            }
            if (sw.Elapsed > bound)
            {
                Log($"{what}: not done within {bound.TotalSeconds:0} s after {attempts} attempt(s) (last: {last ?? "refused"})");
                return new PollResult(false, attempts, last, Now());
            }
            await Task.Delay(pollMs, Ct).ConfigureAwait(false);
        }
    }

    public static string First(string message)
    {
        var line = message.Split('\n')[0];
        return line.Length > 160 ? line[..157] + "..." : line;
    }

    public ValueTask DisposeAsync()
    {
        Session.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed record PollResult(bool Done, int Attempts, string? LastError, long At);

/// <summary>Warnings (and, with --verbose, the core's Verbose stream and its progress, at most once a second per activity) on stderr.</summary>
public sealed class StderrSink(bool verbose) : IOperationSink
{
    private readonly Dictionary<int, (long At, string Status)> _last = new();

    public void Verbose(string message) { if (verbose) BenchContext.Log("VERBOSE: " + message); }
    public void Warning(string message) => BenchContext.Log("WARNING: " + message);

    public void Progress(ProgressReport report)
    {
        if (!verbose) return;
        var now = Environment.TickCount64;
        lock (_last)
        {
            if (!report.Completed && _last.TryGetValue(report.ActivityId, out var prev) && (now - prev.At < 1000 || prev.Status == report.Status)) return;
            _last[report.ActivityId] = (now, report.Status);
        }
        BenchContext.Log($"PROGRESS: {report.Activity}: {report.Status}{(report.Completed ? " [done]" : "")}");
    }
}

public sealed record BenchOptions
{
    public required string Scenario { get; init; }
    public int Runs { get; init; } = 3;
    public IReadOnlyList<int> ClusterSizes { get; init; } = new[] { 6, 12, 24, 48 };
    public IReadOnlyList<int> DownAfter { get; init; } = new[] { 5000, 1000 };
    /// <summary>Runs for cluster sizes over 12 (they take minutes each).</summary>
    public int BigRuns { get; init; } = 1;
    public int FloorNodeRuns { get; init; } = 10;
    public int FloorNetworkRuns { get; init; } = 5;
    public bool Warmup { get; init; } = true;
    public string Image { get; init; } = Defaults.Image;
    public bool Verbose { get; init; }
    /// <summary>How long the old primary is probed for writes after its restart.</summary>
    public TimeSpan OldPrimaryProbe { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan ScenarioTimeout { get; init; } = TimeSpan.FromMinutes(12);
    /// <summary>split-brain: how long the primary is cut off (partition, docker pause).</summary>
    public int SplitSeconds { get; init; } = 20;
}
