using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Stop-RedisNode: stops nodes cleanly (SIGTERM, AOF flushed), or kills them (-Kill) for failover
/// drills.</summary>
[Cmdlet(VerbsLifecycle.Stop, "RedisNode", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class StopRedisNodeCommand : NodeActionCmdlet
{
    /// <summary>Seconds to wait for a clean shutdown before Docker kills the container.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int Timeout { get; set; } = 10;

    /// <summary>SIGKILL at once, as a crash would (docker kill).</summary>
    [Parameter]
    public SwitchParameter Kill { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames)
        {
            if (!ShouldProcess($"Redis node '{name}'", Kill ? "Kill (SIGKILL)" : "Stop")) continue;
            if (TryRun(name, async (sink, ct) =>
                {
                    var ops = CurrentSession.Workflows(sink).Nodes;
                    if (!Kill) return await ops.StopAsync(name, Timeout, ct).ConfigureAwait(false);
                    await ops.KillAsync(name, ct).ConfigureAwait(false);
                    return await ops.GetOneAsync(name, ct).ConfigureAwait(false);
                }, out var node) && PassThru)
                WriteObject(node);
        }
    }
}
