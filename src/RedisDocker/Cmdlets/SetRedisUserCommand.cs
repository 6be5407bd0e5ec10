using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>Set-RedisUser: changes an ACL user on every node of its topology: its rules, its password, on or
/// off.</summary>
[Cmdlet(VerbsCommon.Set, "RedisUser", SupportsShouldProcess = true)]
[OutputType(typeof(RedisUser))]
public sealed class SetRedisUserCommand : RedisDockerCmdlet
{
    /// <summary>The topology.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    /// <summary>The user.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>New ACL rules, replacing the user's keys, channels and commands.</summary>
    [Parameter]
    public string? Permission { get; set; }

    /// <summary>A new password, replacing the user's passwords.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Turns the user on.</summary>
    [Parameter]
    public SwitchParameter Enabled { get; set; }

    /// <summary>Turns the user off (its open connections are closed).</summary>
    [Parameter]
    public SwitchParameter Disabled { get; set; }

    protected override void ProcessRecord()
    {
        if (Enabled && Disabled)
        {
            WriteError(new ErrorRecord(new ArgumentException("Give -Enabled or -Disabled, not both."),
                Core.ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Name));
            return;
        }
        bool? on = Enabled ? true : Disabled ? false : null;
        if (!ShouldProcess($"user '{Name}' of topology '{Topology}'", "Change the user on every node")) return;
        var password = ToPlain(Password);
        if (TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Acl
                .SetAsync(Topology, Name, Permission, password, on, ct), out var user))
            WriteObject(user);
    }
}
