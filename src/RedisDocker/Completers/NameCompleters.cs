using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RedisDocker.Core;

namespace RedisDocker.Completers;

/// <summary>Base: completes names of one kind from Docker labels (2 s bound, nothing when Docker is down).</summary>
public abstract class NameCompleter : IArgumentCompleter
{
    protected abstract NameKind Kind { get; }

    /// <summary>Characters that make PowerShell read a bare word as something else: such names are quoted.</summary>
    private static readonly char[] Special =
        { ' ', '$', '\'', '"', '`', '{', '}', '(', ')', ';', ',', '|', '&', '@' };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var session = fakeBoundParameters?["Session"] as RedisDockerSession ?? DefaultSessions.Current;
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        var topology = Kind is NameKind.Node or NameKind.Sentinel or NameKind.ClusterNode or NameKind.NonClusterNode
            ? TypedTopology(fakeBoundParameters) : null;
        var names = Task.Run(() => NameLookup.GetNamesAsync(session, Kind, TimeSpan.FromSeconds(2), topology: topology))
            .GetAwaiter().GetResult();
        foreach (var name in names)
        {
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var text = name.IndexOfAny(Special) >= 0
                ? $"'{name.Replace("'", "''")}'"
                : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, $"{Kind}: {name}");
        }
    }

    /// <summary>The cluster or topology already typed on the line (-Cluster c -Node offers c's nodes only).</summary>
    private static string? TypedTopology(IDictionary? bound)
    {
        if (bound is null) return null;
        foreach (var key in new[] { "Cluster", "Topology" })
        {
            if (!bound.Contains(key)) continue;
            var value = bound[key] is PSObject pso ? pso.BaseObject : bound[key];
            if (value is string s && s.Length > 0 && !WildcardPattern.ContainsWildcardCharacters(s)) return s;
            if (value is string[] { Length: 1 } one && one[0].Length > 0
                && !WildcardPattern.ContainsWildcardCharacters(one[0])) return one[0];
        }
        return null;
    }
}

public sealed class NetworkCompleter : NameCompleter { protected override NameKind Kind => NameKind.Network; }
public sealed class NodeCompleter : NameCompleter { protected override NameKind Kind => NameKind.Node; }
public sealed class TopologyCompleter : NameCompleter { protected override NameKind Kind => NameKind.Topology; }
public sealed class SentinelCompleter : NameCompleter { protected override NameKind Kind => NameKind.Sentinel; }
public sealed class SentinelGroupCompleter : NameCompleter
{
    protected override NameKind Kind => NameKind.SentinelGroup;
}
public sealed class ClusterCompleter : NameCompleter { protected override NameKind Kind => NameKind.Cluster; }
/// <summary>Nodes that are cluster members (Move-RedisClusterSlot -Source/-Destination), of the -Cluster
/// typed.</summary>
public sealed class ClusterNodeCompleter : NameCompleter { protected override NameKind Kind => NameKind.ClusterNode; }
/// <summary>Nodes that are not cluster-enabled (Set-RedisReplica -Primary: replication outside a cluster).</summary>
public sealed class NonClusterNodeCompleter : NameCompleter
{
    protected override NameKind Kind => NameKind.NonClusterNode;
}
/// <summary>Local images (repository:tag) of the engine, for -Image.</summary>
public sealed class ImageCompleter : NameCompleter { protected override NameKind Kind => NameKind.Image; }
