using System.Management.Automation;
using System.Security;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisCredential: the topology's password as a PSCredential, read back from its nodes through
/// Docker.</summary>
[Cmdlet(VerbsCommon.Get, "RedisCredential")]
[OutputType(typeof(PSCredential))]
public sealed class GetRedisCredentialCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!TryRun(Topology, (sink, ct) => CurrentSession.GetPasswordAsync(Topology, ct), out var password)) return;
        if (password is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No node of topology '{Topology}' holds a password. "
                + "List topologies with Get-RedisNode."),
                Core.ErrorIds.NodeNotFound, ErrorCategory.ObjectNotFound, Topology));
            return;
        }
        var secure = new SecureString();
        foreach (var c in password) secure.AppendChar(c);
        secure.MakeReadOnly();
        WriteObject(new PSCredential("default", secure));
    }
}
