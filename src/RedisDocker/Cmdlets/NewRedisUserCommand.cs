using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>
/// New-RedisUser: an ACL user on every Redis node of a topology (primaries and replicas), kept in each node's aclfile
/// (/data/users.acl) through restarts, failovers and node additions. The password comes as a SecureString only.
/// </summary>
[Cmdlet(VerbsCommon.New, "RedisUser", SupportsShouldProcess = true)]
[OutputType(typeof(RedisUser))]
public sealed class NewRedisUserCommand : RedisDockerCmdlet
{
    /// <summary>The topology whose nodes get the user.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    /// <summary>The user's name.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Name { get; set; } = "";

    /// <summary>ACL rules: keys, channels, commands (for example '~app:* +@read +@write').</summary>
    [Parameter(Mandatory = true, Position = 2)]
    public string Permission { get; set; } = "";

    /// <summary>The user's password.</summary>
    [Parameter(Mandatory = true)]
    public SecureString Password { get; set; } = new();

    /// <summary>Makes the user off: it cannot authenticate until Set-RedisUser -Enabled.</summary>
    [Parameter]
    public SwitchParameter Disabled { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"topology '{Topology}'", $"Make user '{Name}' with '{Permission}' on every node")) return;
        var password = ToPlain(Password)!;
        if (TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Acl
                .NewAsync(Topology, Name, password, Permission, Disabled, ct), out var user))
            WriteObject(user);
    }
}
