using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisSentinel: each sentinel group's view: current primary, replicas, sentinels, flags,
/// CKQUORUM.</summary>
[Cmdlet(VerbsCommon.Get, "RedisSentinel")]
[OutputType(typeof(RedisSentinelGroup))]
public sealed class GetRedisSentinelCommand : RedisDockerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SentinelGroup")]
    [ArgumentCompleter(typeof(Completers.SentinelGroupCompleter))]
    public string? MasterName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRun(MasterName, (sink, ct) => CurrentSession.Workflows(sink)
            .Sentinels.GetAsync(Topology, MasterName, ct), out var groups)) return;
        if (groups.Count == 0 && MasterName is not null)
            WriteError(new ErrorRecord(new ItemNotFoundException($"No sentinel group '{MasterName}'. List groups with "
                + "Get-RedisSentinel."), Core.ErrorIds.SentinelNotFound, ErrorCategory.ObjectNotFound, MasterName));
        foreach (var g in groups) WriteObject(g);
    }
}
