using System.Management.Automation;
using RedisDocker.Core;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisCluster: CLUSTER INFO of a cluster (or of every cluster) as one object.</summary>
[Cmdlet(VerbsCommon.Get, "RedisCluster")]
[OutputType(typeof(RedisCluster))]
public sealed class GetRedisClusterCommand : RedisDockerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    // Named Cluster (aliases Topology, then Name) so a piped node binds its topology, not its own name.
    [Alias("Topology", "Name")]
    [ArgumentCompleter(typeof(Completers.ClusterCompleter))]
    public string[]? Cluster { get; set; }

    protected override void ProcessRecord()
    {
        var names = Cluster;
        if (names is null || names.Length == 0)
        {
            if (!TryRun(null, (sink, ct) =>
                NameLookup.GetNamesAsync(CurrentSession, NameKind.Cluster, TimeSpan.FromSeconds(30), ct,
                    throwOnError: true), out var all)) return;
            names = all.ToArray();
        }
        foreach (var name in names)
            if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Cluster.GetAsync(name, ct), out var cluster))
                WriteObject(cluster);
    }
}
