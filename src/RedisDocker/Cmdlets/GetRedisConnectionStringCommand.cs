using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Get-RedisConnectionString: the StackExchange.Redis configuration string that reaches a cluster, a Sentinel
/// group or a node from the host ("127.0.0.1:p1,127.0.0.1:p2,..."); the password only with -IncludePassword.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RedisConnectionString", DefaultParameterSetName = ParameterSets.Cluster)]
[OutputType(typeof(string))]
public sealed class GetRedisConnectionStringCommand : ConnectionTargetCmdlet
{
    /// <summary>Append password=... (the string then holds a secret: keep it out of logs and source control).</summary>
    [Parameter]
    public SwitchParameter IncludePassword { get; set; }

    protected override void ProcessRecord()
    {
        var (target, name) = Target;
        if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink)
            .ConnectionStrings.GetAsync(target, name, IncludePassword, ct, Route), out var text))
            WriteObject(text);
    }
}
