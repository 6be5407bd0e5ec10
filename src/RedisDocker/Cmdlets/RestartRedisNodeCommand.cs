using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Restart-RedisNode: restarts nodes (data and identity kept) and waits until each answers.</summary>
[Cmdlet(VerbsLifecycle.Restart, "RedisNode", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class RestartRedisNodeCommand : NodeActionCmdlet
{
    [Parameter]
    [ValidateRange(0, 3600)]
    public int Timeout { get; set; } = 10;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames)
        {
            if (!ShouldProcess($"Redis node '{name}'", "Restart")) continue;
            if (TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Nodes.RestartAsync(name, Timeout, ct), out var node) && PassThru)
                WriteObject(node);
        }
    }
}
