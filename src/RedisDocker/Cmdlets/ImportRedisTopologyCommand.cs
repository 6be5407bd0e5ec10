using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Import-RedisTopology: rebuilds a topology from an Export-RedisTopology JSON spec (all or
/// nothing).</summary>
[Cmdlet(VerbsData.Import, "RedisTopology", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(RedisTopology))]
public sealed class ImportRedisTopologyCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    /// <summary>The JSON text itself (from Export-RedisTopology without -Path).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Json)]
    public string Json { get; set; } = "";

    /// <summary>Password for the rebuilt topology; a new one is generated when omitted (the export never holds
    /// one).</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Rebuild everything on this Docker engine instead of the engines the spec records.</summary>
    [Parameter]
    public string? DockerHost { get; set; }

    protected override void ProcessRecord()
    {
        var text = ParameterSetName == ParameterSets.Path
            ? File.ReadAllText(GetUnresolvedProviderPathFromPSPath(Path))
            : Json;
        TopologySpec spec;
        try { spec = TopologyOperations.FromJson(text); }
        catch (Exception e) { WriteError(ToErrorRecord(e, Path)); return; }
        var sentinels = spec.SentinelGroups.Sum(g => g.Count);
        var what = $"Topology '{spec.Name}' ({spec.Networks.Count} network(s), {spec.Nodes.Count} node(s), "
            + $"{sentinels} sentinel(s))";
        if (!ShouldProcess(what, "Create")) return;
        var password = ToPlain(Password);
        if (TryRun(spec.Name, (sink, ct) =>
            CurrentSession.Workflows(sink).Topologies.ImportAsync(spec, password, ct, DockerHost), out var topology))
            WriteObject(topology);
    }
}
