using System.Management.Automation;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>Remove-RedisUser: removes an ACL user from every node of its topology.</summary>
[Cmdlet(VerbsCommon.Remove, "RedisUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRedisUserCommand : RedisDockerCmdlet
{
    /// <summary>The topology.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    /// <summary>The user.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"user '{Name}' of topology '{Topology}'", "Remove the user from every node")) return;
        TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Acl.RemoveAsync(Topology, Name, ct));
    }
}
