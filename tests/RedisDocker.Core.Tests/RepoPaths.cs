using System.Diagnostics;
using Xunit;

namespace RedisDocker.Core.Tests;

/// <summary>Where the repository is, for tests that read its sources or run its scripts.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding RedisDocker.sln, found above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RedisDocker.sln"))) dir = dir.Parent;
        return dir?.FullName
            ?? throw new InvalidOperationException("RedisDocker.sln not found above the test binaries.");
    }

    /// <summary>Runs tests/multihost/&lt;script&gt; with bash (bounded at 120 s); fails the test with its stderr
    /// when it exits non-zero, else returns its stdout.</summary>
    public static async Task<string> MultiHostScriptAsync(string script, params string[] args)
    {
        var (code, stdout, stderr) = await RunProcessAsync(TimeSpan.FromSeconds(120), null,
            new[] { "bash", Path.Combine(Root, "tests", "multihost", script) }.Concat(args).ToArray());
        Assert.True(code == 0, $"{script} {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout;
    }

    /// <summary>A command (its program first) with its output read, and the environment given added.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? env, string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var kv in env ?? new Dictionary<string, string>()) psi.Environment[kv.Key] = kv.Value;
        return psi;
    }

    /// <summary>Runs a command (its program first) within the bound: exit code, stdout, stderr. One that outlasts
    /// the bound is killed with its children and gives exit code -1 and "timed out" as its stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> RunProcessAsync(TimeSpan bound,
        IReadOnlyDictionary<string, string>? env, params string[] command)
    {
        using var p = Process.Start(StartInfo(env, command))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            return (-1, await stdout, "timed out");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
