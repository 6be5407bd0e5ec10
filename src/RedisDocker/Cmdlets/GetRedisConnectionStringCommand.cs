using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Get-RedisConnectionString: the StackExchange.Redis configuration string that reaches a cluster, a Sentinel
/// group or a node from the host ("127.0.0.1:p1,127.0.0.1:p2,..."); the password only with -IncludePassword.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RedisConnectionString", DefaultParameterSetName = ParameterSets.Cluster)]
[OutputType(typeof(string))]
public sealed class GetRedisConnectionStringCommand : RedisDockerCmdlet
{
    /// <summary>The cluster (its topology name).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Cluster,
        ValueFromPipelineByPropertyName = true)]
    [Alias("Topology")]
    [ArgumentCompleter(typeof(Completers.ClusterCompleter))]
    public string Cluster { get; set; } = "";

    /// <summary>The Sentinel group (its master name): its primary and replicas.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.SentinelGroup)]
    [Alias("MasterName")]
    [ArgumentCompleter(typeof(Completers.SentinelGroupCompleter))]
    public string SentinelGroup { get; set; } = "";

    /// <summary>One node.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Node)]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string Node { get; set; } = "";

    /// <summary>Append password=... (the string then holds a secret: keep it out of logs and source control).</summary>
    [Parameter]
    public SwitchParameter IncludePassword { get; set; }

    /// <summary>Published ports, container addresses (Direct), or Direct where this host routes to them
    /// (Auto).</summary>
    [Parameter]
    public ConnectionRoute Route { get; set; } = ConnectionRoute.Published;

    protected override void ProcessRecord()
    {
        var (target, name) = ParameterSetName switch
        {
            ParameterSets.SentinelGroup => (ConnectionTarget.SentinelGroup, SentinelGroup),
            ParameterSets.Node => (ConnectionTarget.Node, Node),
            _ => (ConnectionTarget.Cluster, Cluster),
        };
        if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink)
            .ConnectionStrings.GetAsync(target, name, IncludePassword, ct, Route),
                out var text))
            WriteObject(text);
    }
}
