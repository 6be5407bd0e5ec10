using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace RedisDocker.Hosting.Tests;

/// <summary>
/// A real PowerShell runspace (Microsoft.PowerShell.SDK) with the STAGED module imported
/// (out/RedisDocker/RedisDocker.psd1, made by ./build.ps1), as a user's pwsh would have it.
/// </summary>
public sealed class HostedPowerShell : IDisposable
{
    private readonly Runspace _runspace;

    /// <param name="host">The host of the runspace (a RecordingHost to see what reaches the console), or none.</param>
    public HostedPowerShell(System.Management.Automation.Host.PSHost? host = null)
    {
        if (!File.Exists(Manifest))
            throw new InvalidOperationException($"The staged module is missing ({Manifest}): run ./build.ps1 first.");
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { Manifest });
        iss.ThrowOnRunspaceOpenError = true;
        _runspace = host is null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(host, iss);
        _runspace.Open();
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Manifest => Path.Combine(RepoRoot, "out", "RedisDocker", "RedisDocker.psd1");

    /// <summary>The image the tests' nodes use (the offline test image by default).</summary>
    public static string Image =>
        Environment.GetEnvironmentVariable("REDISDOCKER_TEST_IMAGE") is { Length: > 0 } t ? t
        : Environment.GetEnvironmentVariable("REDISDOCKER_IMAGE") is { Length: > 0 } i ? i
        : "redisdocker/redis:local";

    /// <summary>A PowerShell on this runspace, for a test to drive (Invoke, BeginInvoke, Stop).</summary>
    public PowerShell Create()
    {
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        return ps;
    }

    /// <summary>Runs a script with named parameters (bound to its param() block) and returns the PowerShell.</summary>
    public PowerShell Run(string script, IDictionary<string, object?>? parameters = null)
    {
        var ps = Create();
        ps.AddScript(script);
        if (parameters is not null) foreach (var (k, v) in parameters) ps.AddParameter(k, v);
        ps.Invoke();
        return ps;
    }

    /// <summary>Runs a script and returns its output objects (unwrapped).</summary>
    public IReadOnlyList<object?> Output(string script, IDictionary<string, object?>? parameters = null)
    {
        using var ps = Create();
        ps.AddScript(script);
        if (parameters is not null) foreach (var (k, v) in parameters) ps.AddParameter(k, v);
        Collection<PSObject> result = ps.Invoke();
        if (ps.HadErrors && ps.Streams.Error.Count > 0)
            throw new InvalidOperationException("The script failed: " + string.Join("; ", ps.Streams.Error));
        return result.Select(o => o?.BaseObject).ToList();
    }

    public void Dispose() => _runspace.Dispose();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RedisDocker.sln"))) dir = dir.Parent;
        return dir?.FullName
            ?? throw new InvalidOperationException("RedisDocker.sln not found above the test binaries.");
    }
}

/// <summary>The docker CLI, for what the tests check and clean up behind the module's back
/// (by topology label).</summary>
public static class DockerCli
{
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("docker " + string.Join(' ', args)); }
        return stdout.Result;
    }

    private static string[] Lines(string s) =>
        s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Containers, volumes and networks that carry the topology's label, as "kind name" lines.</summary>
    public static IReadOnlyList<string> Leftovers(string topology)
    {
        var label = $"label=io.redisdocker.topology={topology}";
        return Lines(Run("ps", "-a", "--filter", label, "--format", "{{.Names}}")).Select(n => "container " + n)
            .Concat(Lines(Run("volume", "ls", "-q", "--filter", label)).Select(n => "volume " + n))
            .Concat(Lines(Run("network", "ls", "--filter", label, "--format", "{{.Name}}")).Select(n => "network " + n))
            .ToList();
    }

    /// <summary>Removes everything with the topology's label (and nothing else).</summary>
    public static void RemoveTopology(string topology)
    {
        var label = $"label=io.redisdocker.topology={topology}";
        var containers = Lines(Run("ps", "-aq", "--filter", label));
        if (containers.Length > 0) Run(new[] { "rm", "-f" }.Concat(containers).ToArray());
        var volumes = Lines(Run("volume", "ls", "-q", "--filter", label));
        if (volumes.Length > 0) Run(new[] { "volume", "rm", "-f" }.Concat(volumes).ToArray());
        var networks = Lines(Run("network", "ls", "-q", "--filter", label));
        if (networks.Length > 0) Run(new[] { "network", "rm" }.Concat(networks).ToArray());
    }

    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];
}
