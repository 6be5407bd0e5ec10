using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Start-RedisTopology: starts a whole topology and waits until its cluster or sentinel groups are healthy
/// again.</summary>
[Cmdlet(VerbsLifecycle.Start, "RedisTopology", SupportsShouldProcess = true)]
[OutputType(typeof(RedisTopology))]
public sealed class StartRedisTopologyCommand : TopologyCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Topology)
        {
            if (!ShouldProcess($"Topology '{name}'", "Start every node and sentinel")) continue;
            if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Topologies.StartAsync(name, ct), out var t)
                && PassThru) WriteObject(t);
        }
    }
}
