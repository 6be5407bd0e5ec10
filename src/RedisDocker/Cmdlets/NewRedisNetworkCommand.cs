using System.Collections;
using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>New-RedisNetwork: a Docker network (with a known subnet) that carries a topology.</summary>
[Cmdlet(VerbsCommon.New, "RedisNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(RedisNetwork))]
public sealed class NewRedisNetworkCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NetworkName")]
    public string Name { get; set; } = "";

    /// <summary>IPv4 subnet in CIDR form; a free private /24 is chosen when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Subnet { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Gateway { get; set; }

    /// <summary>No outside connectivity (docker network create --internal).</summary>
    [Parameter]
    public SwitchParameter Internal { get; set; }

    /// <summary>Topology name; the network's name when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    /// <summary>Extra Docker labels.</summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>The Docker engine to create the network on; the session's engine when omitted.</summary>
    [Parameter]
    public string? DockerHost { get; set; }

    protected override void ProcessRecord()
    {
        var target = $"Docker network '{Name}'{(Subnet is null ? "" : " (" + Subnet + ")")} on "
            + $"{DockerHost ?? CurrentSession.DockerHost}";
        if (!ShouldProcess(target, "Create")) return;
        var spec = new NetworkSpec
        {
            Name = Name,
            Subnet = Subnet,
            Gateway = Gateway,
            Internal = Internal.IsPresent,
            Topology = Topology,
            Labels = ToPairs(Label).ToDictionary(kv => kv.Key, kv => kv.Value),
            DockerHost = DockerHost,
        };
        if (TryRun(Name, (sink, ct) => CurrentSession.Workflows(sink).Networks.CreateAsync(spec, ct), out var network))
            WriteObject(network);
    }
}
