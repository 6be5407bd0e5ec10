using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RedisDocker.Core;

namespace RedisDocker.Completers;

/// <summary>Base: completes names of one kind from Docker labels (2 s bound, nothing when Docker is down).</summary>
public abstract class NameCompleter : IArgumentCompleter
{
    protected abstract NameKind Kind { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var session = fakeBoundParameters?["Session"] as RedisDockerSession ?? RedisDockerSession.Default;
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        var names = Task.Run(() => NameLookup.GetNamesAsync(session, Kind, TimeSpan.FromSeconds(2))).GetAwaiter().GetResult();
        foreach (var name in names)
        {
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var text = name.IndexOfAny(new[] { ' ', '$', '\'', '"', '`', '{', '}', '(', ')', ';', ',', '|', '&', '@' }) >= 0 ? $"'{name.Replace("'", "''")}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, $"{Kind}: {name}");
        }
    }
}

public sealed class NetworkCompleter : NameCompleter { protected override NameKind Kind => NameKind.Network; }
public sealed class NodeCompleter : NameCompleter { protected override NameKind Kind => NameKind.Node; }
public sealed class TopologyCompleter : NameCompleter { protected override NameKind Kind => NameKind.Topology; }
public sealed class SentinelCompleter : NameCompleter { protected override NameKind Kind => NameKind.Sentinel; }
public sealed class SentinelGroupCompleter : NameCompleter { protected override NameKind Kind => NameKind.SentinelGroup; }
public sealed class ClusterCompleter : NameCompleter { protected override NameKind Kind => NameKind.Cluster; }
