using System.Management.Automation;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisUser: the ACL users of a topology (the default user included), without their passwords.</summary>
[Cmdlet(VerbsCommon.Get, "RedisUser")]
[OutputType(typeof(RedisUser))]
public sealed class GetRedisUserCommand : RedisDockerCmdlet
{
    /// <summary>The topology.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    /// <summary>Only these users (wildcards allowed).</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (TryRun(Topology, (sink, ct) => CurrentSession.Workflows(sink).Acl.GetAsync(Topology, Name, ct),
                out var users))
            foreach (var u in users) WriteObject(u);
    }
}
