using System.Management.Automation;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// New-RedisSentinel: sentinel containers on the primary's network, each with its own writable
/// configuration, waited for until every sentinel sees the primary, its replicas and the other sentinels.
/// </summary>
[Cmdlet(VerbsCommon.New, "RedisSentinel", SupportsShouldProcess = true)]
[OutputType(typeof(RedisSentinelGroup))]
public sealed class NewRedisSentinelCommand : RedisDockerCmdlet
{
    /// <summary>The primary to monitor: a RedisNode (by property name) or its name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string Primary { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 15)]
    public int Count { get; set; } = 3;

    /// <summary>Sentinels that must agree the primary is down before a failover starts.</summary>
    [Parameter]
    [ValidateRange(1, 15)]
    public int Quorum { get; set; } = 2;

    /// <summary>The name the sentinels monitor the primary under; the topology's name when omitted.</summary>
    [Parameter]
    public string? MasterName { get; set; }

    /// <summary>down-after-milliseconds.</summary>
    [Parameter]
    [ValidateRange(100, 3600000)]
    public int DownAfter { get; set; } = 5000;

    /// <summary>failover-timeout in milliseconds.</summary>
    [Parameter]
    [ValidateRange(1000, 3600000)]
    public int FailoverTimeout { get; set; } = 60000;

    [Parameter]
    [ValidateRange(1, 100)]
    public int ParallelSyncs { get; set; } = 1;

    /// <summary>Image for the sentinels; the primary's image when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.ImageCompleter))]
    public string? Image { get; set; }

    /// <summary>Sentinel port; for host-network sentinels the first port (one more per sentinel).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 26379;

    /// <summary>Host-network primary: the Docker engines to put the sentinels on, in turn (spread them over
    /// hosts).</summary>
    [Parameter]
    public string[]? DockerHost { get; set; }

    /// <summary>On an overlay network without -DockerHost: only Docker Swarm nodes whose labels match every entry
    /// take the sentinels (key=value, or key for the label with any value).</summary>
    [Parameter]
    public string[]? SwarmNodeLabel { get; set; }

    /// <summary>Host-network primary: the address of each of those Docker hosts, in the same order.</summary>
    [Parameter]
    public string[]? AnnounceAddress { get; set; }

    /// <summary>
    /// Split-brain bound: the primary refuses writes unless this many replicas acknowledge within -MinReplicasMaxLag s
    /// (min-replicas-to-write, also set on every replica). Default 1 when the primary has a replica; 0 turns it off.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? MinReplicasToWrite { get; set; }

    /// <summary>min-replicas-max-lag in seconds: how stale the replicas' acknowledgements may be.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int MinReplicasMaxLag { get; set; } = 2;

    /// <summary>TLS only, as the monitored topology (whose TLS settings sentinels always use): -Tls makes sure it
    /// does.</summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>With -Tls: the topology's tls-auth-clients setting (Required, Optional or None).</summary>
    [Parameter]
    public TlsClientAuth TlsClientAuth { get; set; } = TlsClientAuth.Required;

    protected override void ProcessRecord()
    {
        if (Quorum > Count)
            ThrowParameterError(Core.ErrorIds.SentinelQuorumInvalid,
                $"-Quorum {Quorum} cannot be reached by {Count} sentinel(s): " +
                "the quorum must be at most the sentinel count. " +
                $"Give -Quorum {Count / 2 + 1} (usual for {Count} sentinels) or more sentinels with -Count.", Quorum);
        if (DockerHost is not null && AnnounceAddress is not null && DockerHost.Length != AnnounceAddress.Length)
            ThrowParameterError(Core.ErrorIds.InvalidArgument,
                $"-DockerHost has {DockerHost.Length} host(s) and -AnnounceAddress {AnnounceAddress.Length} "
                    + "address(es): give one address per host.");
        if (!ShouldProcess($"{Count} sentinel(s) monitoring '{Primary}' (quorum {Quorum})", "Create")) return;
        var spec = new SentinelGroupSpec
        {
            Primary = Primary,
            Count = Count,
            Quorum = Quorum,
            MasterName = MasterName,
            DownAfterMs = DownAfter,
            FailoverTimeoutMs = FailoverTimeout,
            ParallelSyncs = ParallelSyncs,
            Image = Image,
            Port = Port,
            DockerHosts = DockerHost,
            SwarmNodeLabels = SwarmNodeLabel,
            AnnounceAddresses = AnnounceAddress,
            MinReplicasToWrite = MinReplicasToWrite,
            MinReplicasMaxLag = MinReplicasMaxLag,
            Tls = Tls.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(TlsClientAuth))
                ? new TlsOptions { ClientAuth = TlsClientAuth } : null,
        };
        if (TryRun(Primary, (sink, ct) => CurrentSession.Workflows(sink).Sentinels.CreateAsync(spec, ct),
            out var group))
            WriteObject(group);
    }
}
