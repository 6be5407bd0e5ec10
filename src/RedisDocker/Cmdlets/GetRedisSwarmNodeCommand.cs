using System.Management.Automation;
using RedisDocker.Core.Swarm;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisSwarmNode: the nodes of the Docker Swarm the session's engines belong to, read from a manager,
/// each with the engine of the session that serves it.</summary>
[Cmdlet(VerbsCommon.Get, "RedisSwarmNode")]
[OutputType(typeof(RedisSwarmNode))]
public sealed class GetRedisSwarmNodeCommand : RedisDockerCmdlet
{
    /// <summary>Swarm node name, hostname or id (wildcards allowed); every node when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRun(Name ?? "swarm", (sink, ct) => CurrentSession.Workflows(sink).Swarm.RefreshAsync(ct),
                out var nodes)) return;
        var pattern = Name is null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        foreach (var n in nodes)
            if (pattern is null || pattern.IsMatch(n.Name) || pattern.IsMatch(n.Hostname) || pattern.IsMatch(n.Id))
                WriteObject(n);
    }
}
