using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Error ids do not drift: every error is built by <see cref="Errors"/>, an id keeps its kind, and the ids
/// the help pages name are the ids the module raises.</summary>
public partial class ErrorFactoryTests
{
    private static readonly string Root = RepoPaths.Root;

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Path.Combine(Root, "src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Sep + "obj" + Sep, StringComparison.Ordinal)
                && !f.Contains(Sep + "bin" + Sep, StringComparison.Ordinal));

    private static readonly string Sep = Path.DirectorySeparatorChar.ToString();

    private static readonly string[] Ids = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetValue(null)!).ToArray();

    [GeneratedRegex(@"new\s+RedisDockerException\s*\(|\bnew\s*\(\s*(ErrorIds\.|errorId|id\b)")]
    private static partial Regex Construction();

    [Fact]
    public void NoErrorIsBuiltOutsideTheFactory()
    {
        var docker = Path.Combine("src", "RedisDocker.Core", "Docker") + Path.DirectorySeparatorChar;
        var offenders = SourceFiles("RedisDocker.Core").Concat(SourceFiles("RedisDocker"))
            .Where(f => Path.GetFileName(f) is not ("Errors.cs" or "RedisDockerException.cs"))
            // The Docker layer raises its own exceptions, which ErrorTranslator turns into the module's.
            .Where(f => !Path.GetRelativePath(Root, f).StartsWith(docker, StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (f, line, i)))
            .Where(x => Construction().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Build errors with a factory of Errors:\n" + string.Join("\n", offenders));
    }

    [GeneratedRegex(@"public static RedisDockerException (\w+)\(")]
    private static partial Regex Factory();

    [GeneratedRegex(@"ErrorIds\.(\w+)")]
    private static partial Regex IdUse();

    [GeneratedRegex(@"ErrorKind\.(\w+)")]
    private static partial Regex KindUse();

    /// <summary>Ids built with more than one kind, and why. Anything else has exactly one kind: a second kind for an
    /// id is drift (the same failure reported two ways) unless it is added here on purpose.</summary>
    private static readonly Dictionary<string, string[]> SeveralKinds = new()
    {
        ["DockerError"] = new[] { "InvalidOperation", "ObjectNotFound", "ResourceExists" },  // the engine's status
        ["NodeNotReachable"] = new[] { "ConnectionError", "ResourceUnavailable" },  // no route vs not running
        ["RedisError"] = new[] { "InvalidArgument", "InvalidData", "InvalidOperation" },  // CROSSSLOT, protocol, reply
        ["InvalidConfig"] = new[] { "InvalidArgument", "InvalidData" },  // a parameter vs a spec file
        ["InvalidSubnet"] = new[] { "InvalidArgument", "LimitsExceeded" },  // no free /24 left
        ["IPAddressInvalid"] = new[] { "InvalidArgument", "LimitsExceeded" },  // no free address left
        ["IPAddressTaken"] = new[] { "InvalidArgument", "ResourceExists" },  // given twice in one call vs in use
        ["NodeNameTaken"] = new[] { "InvalidArgument", "ResourceExists" },
        ["HostPortTaken"] = new[] { "InvalidArgument", "ResourceExists" },
        ["NetworkNotFound"] = new[] { "InvalidArgument", "ObjectNotFound" },  // not a RedisDocker network vs none
        ["NodeNotReady"] = new[] { "InvalidOperation", "OperationTimeout" },  // exited vs not ready in time
        ["SentinelNotFound"] = new[] { "ObjectNotFound", "ResourceUnavailable" },  // no group vs none answers
    };

    [Fact]
    public void EveryIdKeepsItsKind()
    {
        var text = File.ReadAllText(Path.Combine(Root, "src", "RedisDocker.Core", "Errors.cs"));
        var starts = Factory().Matches(text).Select(m => m.Index).Append(text.Length).ToList();
        var kinds = new Dictionary<string, SortedSet<string>>();
        for (var i = 0; i + 1 < starts.Count; i++)
        {
            var body = text[starts[i]..starts[i + 1]];
            var ids = IdUse().Matches(body).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (ids.Count == 0) continue;  // a pass-through (InvalidInput, WaitTimedOut): the caller's id
            Assert.True(ids.Count == 1, $"A factory builds one id: {body}");
            var set = kinds.TryGetValue(ids[0], out var s) ? s : kinds[ids[0]] = new SortedSet<string>();
            foreach (Match k in KindUse().Matches(body)) set.Add(k.Groups[1].Value);
        }
        foreach (var (id, set) in kinds)
        {
            if (SeveralKinds.TryGetValue(id, out var expected)) Assert.Equal(expected.Order(), set);
            else Assert.True(set.Count == 1, $"{id} is built with several kinds: {string.Join(", ", set)}");
        }
        // The factory named after an id builds that id.
        foreach (Match m in Factory().Matches(text))
        {
            var name = m.Groups[1].Value;
            if (Ids.Contains("RedisDocker." + name))
                Assert.Contains($"new(ErrorIds.{name},", text[m.Index..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryIdIsRaisedAndTheHelpNamesOnlyIdsThatExist()
    {
        var sources = string.Join("\n", SourceFiles("RedisDocker.Core").Concat(SourceFiles("RedisDocker"))
            .Where(f => Path.GetFileName(f) != "RedisDockerException.cs").Select(File.ReadAllText));
        foreach (var id in Ids)
            Assert.Contains("ErrorIds." + id["RedisDocker.".Length..], sources, StringComparison.Ordinal);

        var help = Directory.EnumerateFiles(Path.Combine(Root, "docs", "help"), "*.md")
            .SelectMany(f => DocumentedId().Matches(File.ReadAllText(f))
                .Select(m => (File: Path.GetFileName(f), Id: m.Value)))
            .Where(x => !NotAnId(x.Id))
            .ToList();
        Assert.NotEmpty(help);
        var unknown = help.Where(x => !Ids.Contains(x.Id)).Select(x => $"{x.File}: {x.Id}").Distinct().ToList();
        Assert.True(unknown.Count == 0, "The help names ids the module does not have:\n" + string.Join("\n", unknown));
        var about = File.ReadAllText(Path.Combine(Root, "docs", "help", "about_RedisDocker.md"));
        var undocumented = Ids.Where(id => !about.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.True(undocumented.Count == 0, "about_RedisDocker.md does not list: " + string.Join(", ", undocumented));
    }

    /// <summary>Ids that had drifted, as they are now: the same failure gets the same id wherever it is raised.
    /// </summary>
    public static TheoryData<string, RedisDockerException, string, ErrorKind> Drift() => new()
    {
        // Was NodeNotReachable: an argument error, like the other mixes a cluster refuses.
        { "mixed network modes", Errors.MixedNetworkModes("a"), ErrorIds.TopologyMismatch, ErrorKind.InvalidArgument },
        // Invoke-RedisFailover on a cluster said NodeNotReachable, Move-RedisClusterSlot NodeNotFound.
        { "not a running cluster node", Errors.NotARunningClusterNode("a", "t"), ErrorIds.NodeNotFound,
            ErrorKind.ObjectNotFound },
        // New-RedisCluster said ClusterModeRequired, Set-RedisReplica InvalidArgument.
        { "a sentinel for a Redis node", Errors.SentinelIsNotARedisNode("s"), ErrorIds.InvalidArgument,
            ErrorKind.InvalidArgument },
        // Three messages and two kinds (ResourceUnavailable, ConnectionError) for one failure.
        { "no cluster node answers", Errors.NoClusterNodeAnswers("t"), ErrorIds.NodeNotReachable,
            ErrorKind.ResourceUnavailable },
        // Remove-RedisNetwork said InvalidOperation, New-RedisNode InvalidArgument.
        { "not a RedisDocker network", Errors.NotARedisDockerNetwork("m", "bridge"), ErrorIds.NetworkNotFound,
            ErrorKind.InvalidArgument },
        // Was InvalidOperation: no such group is a missing object.
        { "no sentinel group", Errors.NoSentinelGroupWatches("a", "t"), ErrorIds.SentinelNotFound,
            ErrorKind.ObjectNotFound },
        // A stopped node: NodeNotReachable and ResourceUnavailable everywhere, with its state and what to do.
        { "node not running", Errors.NodeNotRunning("a", "exited"), ErrorIds.NodeNotReachable,
            ErrorKind.ResourceUnavailable },
    };

    [Theory]
    [MemberData(nameof(Drift))]
    public void AFailureHasOneIdWhereverItIsRaised(string failure, RedisDockerException e, string id, ErrorKind kind)
    {
        Assert.True(e.ErrorId == id && e.Kind == kind, $"{failure}: {e.ErrorId} ({e.Kind})");
        Assert.NotNull(e.Target);
    }

    [GeneratedRegex(@"RedisDocker\.[A-Z][A-Za-z0-9]+")]
    private static partial Regex DocumentedId();

    private static readonly HashSet<string> TypeNames =
        typeof(Errors).Assembly.GetTypes().Select(t => t.Name).Append("Core").ToHashSet(StringComparer.Ordinal);

    /// <summary>Type names the help pages give (RedisDocker.RedisNode, RedisDocker.SlotRange), not ids.</summary>
    private static bool NotAnId(string s) => !Ids.Contains(s) && TypeNames.Contains(s["RedisDocker.".Length..]);

}
