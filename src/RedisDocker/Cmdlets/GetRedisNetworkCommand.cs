using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisNetwork: the networks the module made, read from Docker labels.</summary>
[Cmdlet(VerbsCommon.Get, "RedisNetwork")]
[OutputType(typeof(RedisNetwork))]
public sealed class GetRedisNetworkCommand : RedisDockerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NetworkName", "Network")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Networks.GetAsync(Name, Topology, ct),
            out var networks)) return;
        if (networks.Count == 0 && Name is not null && !WildcardPattern.ContainsWildcardCharacters(Name))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No RedisDocker network named '{Name}'. List them "
                + "with Get-RedisNetwork."),
                Core.ErrorIds.NetworkNotFound, ErrorCategory.ObjectNotFound, Name));
            return;
        }
        foreach (var n in networks) WriteObject(n);
    }
}
