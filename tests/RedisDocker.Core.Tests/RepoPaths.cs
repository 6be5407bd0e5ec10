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
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Root, "tests", "multihost", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(bound.Token);
        Assert.True(p.ExitCode == 0, $"{script} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        return await stdout;
    }
}
