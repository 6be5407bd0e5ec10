using System.Collections;
using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// New-RedisNode: Redis containers done right: configuration rendered and uploaded before start,
/// a data volume, the port published on 127.0.0.1, protected mode on with a password, AOF on,
/// and readiness waited for.
/// </summary>
[Cmdlet(VerbsCommon.New, "RedisNode", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class NewRedisNodeCommand : RedisDockerCmdlet
{
    /// <summary>Node (container) names.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Name)]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>How many nodes to create, named Prefix-1, Prefix-2, ... (numbers already used are skipped).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Count)]
    [ValidateRange(1, 100)]
    public int Count { get; set; }

    /// <summary>Name prefix for -Count; the network's name when omitted.</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public string? NamePrefix { get; set; }

    /// <summary>The network (made by New-RedisNetwork); binds from a piped RedisNetwork. Not used with
    /// -HostNetwork.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string Network { get; set; } = "";

    /// <summary>The Docker engine to create the nodes on (unix://, npipe://, tcp://); the session's engine when
    /// omitted.</summary>
    [Parameter]
    public string? DockerHost { get; set; }

    /// <summary>On an overlay network without -DockerHost: only Docker Swarm nodes whose labels match every entry
    /// take the nodes (key=value, or key for the label with any value).</summary>
    [Parameter]
    public string[]? SwarmNodeLabel { get; set; }

    /// <summary>Host network mode: the node listens on -AnnounceAddress:-Port of its Docker host (for topologies across
    /// several hosts).</summary>
    [Parameter]
    public SwitchParameter HostNetwork { get; set; }

    /// <summary>With -HostNetwork: the address of the Docker host the other nodes reach
    /// (cluster-announce-ip).</summary>
    [Parameter]
    public string? AnnounceAddress { get; set; }

    /// <summary>With -HostNetwork: the cluster bus port (port + 10000 when omitted).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? BusPort { get; set; }

    /// <summary>With -HostNetwork: the topology the nodes belong to (a network carries it otherwise).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    /// <summary>Docker image; an official redis tag by default (REDISDOCKER_IMAGE overrides).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.ImageCompleter))]
    public string? Image { get; set; }

    /// <summary>Redis port inside the container.</summary>
    [Parameter]
    [ValidateRange(1, 55535)]
    public int Port { get; set; } = 6379;

    /// <summary>Host ports to publish on, one per node; Docker picks free ones when omitted.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[]? HostPort { get; set; }

    /// <summary>Host address the port is published on (127.0.0.1 by default: reachable from this machine
    /// only).</summary>
    [Parameter]
    public string HostAddress { get; set; } = "127.0.0.1";

    /// <summary>Allows -HostAddress 0.0.0.0 or :: (every interface of the host), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowAllInterfaces { get; set; }

    /// <summary>Static addresses on the network, one per node; free ones are chosen when omitted.</summary>
    [Parameter]
    public string[]? IPAddress { get; set; }

    /// <summary>The topology's password. Generated (and kept inside the nodes) when omitted; one per
    /// topology.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    [Parameter]
    public SwitchParameter ClusterEnabled { get; set; }

    /// <summary>cluster-node-timeout in milliseconds.</summary>
    [Parameter]
    [ValidateRange(100, 600000)]
    public int ClusterNodeTimeout { get; set; } = 5000;

    /// <summary>Append-only file persistence; on unless -AppendOnly:$false.</summary>
    [Parameter]
    public SwitchParameter AppendOnly { get; set; }

    /// <summary>maxmemory, e.g. 256mb.</summary>
    [Parameter]
    public string? MaxMemory { get; set; }

    [Parameter]
    [ValidateSet("noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
        "volatile-random", "volatile-ttl")]
    public string? MaxMemoryPolicy { get; set; }

    /// <summary>Any other redis.conf directive: @{ 'hz' = 50; 'notify-keyspace-events' = 'Ex' }.</summary>
    [Parameter]
    public Hashtable? Config { get; set; }

    /// <summary>Extra Docker labels.</summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>TLS only: a CA of the topology, a certificate per node, TLS on clients, replication and the cluster
    /// bus (plain text off). Nodes added to a TLS topology use TLS without it.</summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>With -Tls: whether clients (and peers) need a certificate of the topology's CA (tls-auth-clients):
    /// Required (default), Optional or None.</summary>
    [Parameter]
    public TlsClientAuth TlsClientAuth { get; set; } = TlsClientAuth.Required;

    protected override void ProcessRecord()
    {
        if (HostNetwork && Topology is null)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                "-HostNetwork needs -Topology (and -AnnounceAddress, the Docker host's address the other nodes "
                + "reach, unless -DockerHost is a tcp:// address).");
        if (!HostNetwork && string.IsNullOrEmpty(Network))
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                "Give -Network (made with New-RedisNetwork), or -HostNetwork with -AnnounceAddress and -Topology.");
        if (HostNetwork && ParameterSetName == ParameterSets.Count && Count > 1
            && !MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                "Several host-network nodes on one host need their own ports: create them one -Port at a time.");
        if (IPAddress is not null && ParameterSetName == ParameterSets.Name && IPAddress.Length != Name.Length)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                $"-IPAddress has {IPAddress.Length} address(es) for {Name.Length} node(s): give one per node.",
                IPAddress);
        var expected = ParameterSetName == ParameterSets.Name ? Name.Length : Count;
        if (HostPort is not null && HostPort.Length != expected)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                $"-HostPort has {HostPort.Length} port(s) for {expected} node(s): give one per node.", HostPort);
        if (IPAddress is not null && ParameterSetName == ParameterSets.Count && IPAddress.Length != Count)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                $"-IPAddress has {IPAddress.Length} address(es) for {Count} node(s): give one per node.", IPAddress);

        var password = ToPlain(Password);
        var config = ToPairs(Config);
        var labels = ToPairs(Label).ToDictionary(kv => kv.Key, kv => kv.Value);
        var appendOnly = !MyInvocation.BoundParameters.ContainsKey(nameof(AppendOnly)) || AppendOnly.IsPresent;

        string[] names;
        if (ParameterSetName == ParameterSets.Name) names = Name;
        else if (!TryRun(Network, (sink, ct) =>
            CurrentSession.Workflows(sink).Nodes
                .NextNamesAsync(NamePrefix ?? (HostNetwork ? Topology! : Network), Count, ct),
            out var next)) return;
        else names = next.ToArray();

        var specs = new List<NodeSpec>();
        for (var i = 0; i < names.Length; i++)
        {
            var where = HostNetwork
                ? $"the host network of {DockerHost ?? CurrentSession.DockerHost} at {AnnounceAddress}:{Port}"
                : $"network '{Network}'";
            if (!ShouldProcess($"Redis node '{names[i]}' on {where}{(ClusterEnabled ? " (cluster mode)" : "")}",
                "Create")) continue;
            specs.Add(new NodeSpec
            {
                Name = names[i],
                Network = Network,
                Image = Image,
                Port = Port,
                HostPort = HostPort?[i],
                HostIp = HostAddress,
                AllowAllInterfaces = AllowAllInterfaces.IsPresent,
                IPAddress = IPAddress?[i],
                Password = password,
                ClusterEnabled = ClusterEnabled.IsPresent,
                ClusterNodeTimeoutMs = ClusterNodeTimeout,
                AppendOnly = appendOnly,
                MaxMemory = MaxMemory,
                MaxMemoryPolicy = MaxMemoryPolicy,
                Config = config,
                Labels = labels,
                DockerHost = DockerHost,
                SwarmNodeLabels = SwarmNodeLabel,
                HostNetwork = HostNetwork.IsPresent,
                AnnounceAddress = AnnounceAddress,
                BusPort = BusPort,
                Topology = Topology,
                Tls = Tls.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(TlsClientAuth))
                    ? new TlsOptions { ClientAuth = TlsClientAuth } : null,
            });
        }
        if (specs.Count == 0) return;
        if (!TryRun(Network, (sink, ct) =>
            CurrentSession.Workflows(sink).Nodes.CreateAsync(specs, ct), out var results)) return;
        foreach (var r in results)
        {
            if (r.Node is not null) WriteObject(r.Node);
            else WriteError(ToErrorRecord(r.Error!, r.Name));
        }
    }
}
